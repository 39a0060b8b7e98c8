"""Managed installations: a machine-wide policy file that IT deploys with the program.

The file is TOML, looked up at ``$DESKTOP_CRM_POLICY`` or else at the platform's machine-wide
place (:func:`default_policy_path`)::

    [server]
    url = "https://crm.example.com"
    locked = true              # users cannot point the client at another server
    allow_insecure_http = false  # true: allow plain http:// to a server on another machine

    [sync]
    interval_seconds = 300     # how often the client syncs in the background

    [ui]
    language = "zh_CN"         # the default language ("" or absent: follow the system)

    [updates]
    self_update = false        # never update the program itself (IT pushes new builds)

A policy overrides the user's own settings for what it names. A file that exists but is wrong
(bad TOML, an unknown key, a locked server without a URL, a URL that is not http(s)) is an
error with a message saying what to fix, never silently ignored: a typo in a security setting
must not quietly unlock the server URL.

Plain ``http://`` is refused for a server on another machine (passwords and customer data would
cross the network readable) unless the policy sets ``server.allow_insecure_http = true``;
``http://`` to this computer (``localhost``, ``127.0.0.1``, ``::1``) stays allowed: the demo and
a server behind a local TLS proxy use it.
"""

from __future__ import annotations

import ipaddress
import os
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from desktop_crm.client.profile import ProfileSettings

POLICY_ENV = "DESKTOP_CRM_POLICY"
#: What the UI offers (kept here rather than imported from the Qt layer).
LANGUAGES = ("", "en", "zh_CN")
SYNC_INTERVAL_RANGE = (30, 24 * 3600)

_KNOWN: dict[str, set[str]] = {
    "server": {"url", "locked", "allow_insecure_http"},
    "sync": {"interval_seconds"},
    "ui": {"language"},
    "updates": {"self_update"},
}


class PolicyError(ValueError):
    """The policy file is there but cannot be used; the message says what to fix."""


class InsecureServerUrl(PolicyError):
    """A plain ``http://`` server URL for another machine, which the policy does not allow."""


def is_loopback_host(host: str) -> bool:
    """True for this computer: ``localhost`` (and its subdomains) or a loopback address."""
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def insecure_http_problem(url: str) -> str | None:
    """Why ``url`` may not be used without ``allow_insecure_http`` (None: it may)."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != "http" or is_loopback_host(parts.hostname or ""):
        return None
    return (
        f"The server address {url.strip()} uses plain http:// to another computer: passwords "
        "and customer data would cross the network unencrypted. Use the server's https:// "
        "address (or, on a trusted network, ask IT to set server.allow_insecure_http = true "
        "in the policy)."
    )


@dataclass(frozen=True, slots=True)
class Policy:
    server_url: str | None = None
    server_locked: bool = False
    sync_interval_seconds: int | None = None
    language: str | None = None
    #: Allow plain ``http://`` to a server on another machine (loopback is always allowed).
    allow_insecure_http: bool = False
    #: False: nothing may download or install a new version of the program by itself; the
    #: installers IT pushes are the only way in. The program has no self-updater (it never
    #: checks for, downloads or installs a version); ``desktop-crm policy`` says who manages
    #: updates, and any future updater must obey this switch.
    self_update: bool = True
    #: Where it was read from (None: no policy).
    source: Path | None = None

    def check_server(self, requested: str) -> None:
        """Refuse a server other than the locked one (a command-line ``--server``)."""
        if (
            self.server_locked
            and requested
            and _same_url(requested) != _same_url(self.server_url or "")
        ):
            raise PolicyError(
                f"This installation is managed: it syncs only with {self.server_url} "
                f"(policy {self.source}). Ask your IT department to change the server."
            )

    def check_transport(self, url: str) -> None:
        """Refuse plain ``http://`` to another machine unless this policy allows it."""
        problem = None if self.allow_insecure_http else insecure_http_problem(url)
        if problem is not None:
            raise InsecureServerUrl(problem)

    def apply(self, settings: ProfileSettings) -> ProfileSettings:
        """The user's settings with the policy's values in force."""
        if self.server_url and (self.server_locked or not settings.server_url):
            settings.server_url = self.server_url
        if self.sync_interval_seconds is not None:
            settings.sync_interval_seconds = self.sync_interval_seconds
        if self.language is not None and not settings.language:
            settings.language = self.language
        return settings


NO_POLICY = Policy()

UPDATES_MANAGED_BY_IT = (
    "Updates are managed by your IT department (updates.self_update = false): Desktop CRM "
    "never downloads or installs a new version by itself."
)
UPDATES_BY_INSTALLER = (
    "Desktop CRM does not update itself: a new version comes with a new installer (.deb, MSI "
    "or app)."
)


def describe_policy(policy: Policy, looked_at: Path) -> list[str]:
    """What ``desktop-crm policy`` prints: the settings in force, one per line, for IT's
    checks on a managed machine (``looked_at``: where the file was looked for)."""
    if policy.source is None:
        lines = [f"Policy file: none ({looked_at} does not exist); the user's settings apply."]
    else:
        lines = [f"Policy file: {policy.source}"]
    server = policy.server_url or "not set (the user chooses)"
    lines.append(f"Server: {server}{' (locked)' if policy.server_locked else ''}")
    interval = policy.sync_interval_seconds
    lines.append(f"Sync interval: {f'{interval} s' if interval else 'the user chooses'}")
    lines.append(f"Language: {policy.language or 'the user chooses (default: the system)'}")
    http = "allowed" if policy.allow_insecure_http else "refused"
    lines.append(f"Plain http:// to another computer: {http}")
    lines.append(UPDATES_BY_INSTALLER if policy.self_update else UPDATES_MANAGED_BY_IT)
    return lines


def default_policy_path() -> Path:
    if sys.platform == "win32":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "Desktop CRM/policy.toml"
    if sys.platform == "darwin":
        return Path("/Library/Application Support/Desktop CRM/policy.toml")
    return Path("/etc/desktop-crm/policy.toml")


def policy_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the policy is looked for: ``$DESKTOP_CRM_POLICY`` or the machine-wide place."""
    env = os.environ if env is None else env
    return Path(env[POLICY_ENV]) if env.get(POLICY_ENV) else default_policy_path()


def load_policy(path: Path | None = None, env: Mapping[str, str] | None = None) -> Policy:
    """The policy in force: from ``path``, ``$DESKTOP_CRM_POLICY`` or the machine-wide file;
    :data:`NO_POLICY` when there is none. Raises :class:`PolicyError` for an unusable file."""
    env = os.environ if env is None else env
    named = path or (Path(env[POLICY_ENV]) if env.get(POLICY_ENV) else None)
    target = named or default_policy_path()
    if not target.exists():
        if named is not None:  # asked for explicitly: its absence is an error
            raise PolicyError(f"The policy file {target} does not exist.")
        return NO_POLICY
    try:
        data = tomllib.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"The policy file {target} cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"The policy file {target} is not valid TOML: {exc}") from None
    return _parse(data, target)


def _parse(data: dict[str, Any], source: Path) -> Policy:
    def fail(problem: str) -> PolicyError:
        return PolicyError(f"In the policy file {source}: {problem}")

    for section, values in data.items():
        if section not in _KNOWN:
            raise fail(f"unknown section [{section}] (known: {', '.join(sorted(_KNOWN))}).")
        if not isinstance(values, dict):
            raise fail(f"[{section}] must be a table of settings.")
        unknown = set(values) - _KNOWN[section]
        if unknown:
            raise fail(f"unknown setting {section}.{sorted(unknown)[0]}.")
    server, sync, ui, updates = (
        data.get(name, {}) for name in ("server", "sync", "ui", "updates")
    )

    url = server.get("url")
    if url is not None:
        if not isinstance(url, str) or _scheme(url) not in ("http", "https"):
            raise fail("server.url must be the server's address, starting with https://.")
        if not urlsplit(url).netloc:
            raise fail(f"server.url {url!r} has no host name.")
    locked = server.get("locked", False)
    if not isinstance(locked, bool):
        raise fail("server.locked must be true or false.")
    if locked and not url:
        raise fail("server.locked = true needs server.url (the server to lock to).")
    insecure = server.get("allow_insecure_http", False)
    if not isinstance(insecure, bool):
        raise fail("server.allow_insecure_http must be true or false.")
    if url is not None and not insecure and (problem := insecure_http_problem(url)):
        raise fail(f"server.url: {problem}")

    interval = sync.get("interval_seconds")
    low, high = SYNC_INTERVAL_RANGE
    if interval is not None and (
        isinstance(interval, bool) or not isinstance(interval, int) or not low <= interval <= high
    ):
        raise fail(f"sync.interval_seconds must be a whole number from {low} to {high}.")

    language = ui.get("language")
    if language is not None and language not in LANGUAGES:
        raise fail(f"ui.language must be one of {', '.join(repr(x) for x in LANGUAGES)}.")

    self_update = updates.get("self_update", True)
    if not isinstance(self_update, bool):
        raise fail("updates.self_update must be true or false.")

    return Policy(
        server_url=url.rstrip("/") if url else None,
        server_locked=locked,
        sync_interval_seconds=interval,
        language=language,
        allow_insecure_http=insecure,
        self_update=self_update,
        source=source,
    )


def _scheme(url: str) -> str | None:
    try:
        return urlsplit(url).scheme
    except ValueError:  # e.g. a broken [IPv6] host
        return None


def _same_url(url: str) -> str:
    return url.strip().rstrip("/").lower()
