"""Desktop CRM: an offline-first desktop client and its central server."""

#: The program's version (``desktop-crm --version``; sent on sign-in so the server can require a
#: minimum). pyproject.toml reads it from here.
__version__ = "0.1.0"
