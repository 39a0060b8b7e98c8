"""The client application without Qt: profiles, policy, sign-in and sync, and the services the
window and the command line both call (search, load a customer, save, log, move a stage,
resolve a conflict, retry a sync issue). Each service is a function of an open replica that
returns plain data and, for a write, what changed (:class:`~desktop_crm.client.changes.Changes`).

Imports neither ``ui/`` nor ``server/``, and holds no SQL: queries live in ``storage/``.
"""
