"""Server settings: command-line flags over environment variables over defaults.

The token-signing secret has no usable default: outside demo mode the server refuses to start
with an empty, short or well-known secret. In demo mode a random secret is minted once and kept
in the data directory, so demo tokens survive a restart.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import platformdirs

from desktop_crm.domain.records import ENTITY_FIELDS, Entity
from desktop_crm.protocol.client_version import check_minimum_setting
from desktop_crm.server.db import private_dir, sqlite_url

ENV_PREFIX = "DESKTOP_CRM_SERVER_"
MIN_SECRET_LENGTH = 32
#: Secrets found in sample configs and tutorials; never accepted outside demo mode.
WELL_KNOWN_SECRETS = frozenset(
    {"", "changeme", "change-me", "changethis", "secret", "dev", "test", "demo", "password"}
)
DEFAULT_MASKED_FIELDS = ("contact.emails", "account.notes", "activity.summary")
DEMO_SECRET_FILE = "demo-secret.key"
DEFAULT_STALE_DEVICE_DAYS = 90
#: Five years (the design brief's retention for the logs of sensitive operations).
DEFAULT_AUDIT_RETENTION_DAYS = 5 * 365 + 1


class SettingsError(ValueError):
    """A setting that cannot be used; the message says which and why."""


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("desktop-crm-server", appauthor=False))


def parse_masked_fields(text: str | tuple[str, ...]) -> frozenset[tuple[Entity, str]]:
    names = text.split(",") if isinstance(text, str) else list(text)
    out: set[tuple[Entity, str]] = set()
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        entity_name, _, field_name = name.partition(".")
        try:
            entity = Entity(entity_name)
        except ValueError:
            raise SettingsError(f"masked field “{name}”: unknown entity") from None
        if field_name not in ENTITY_FIELDS[entity]:
            raise SettingsError(f"masked field “{name}”: {entity} has no such field")
        out.add((entity, field_name))
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    secret_key: str
    data_dir: Path
    demo_mode: bool = False
    token_ttl: timedelta = timedelta(hours=12)
    masked_fields: frozenset[tuple[Entity, str]] = field(
        default_factory=lambda: parse_masked_fields(DEFAULT_MASKED_FIELDS)
    )
    #: Request bodies above this are refused with 413 before they are read.
    max_body_bytes: int = 32 * 1024 * 1024
    #: Clients' clocks may run this far ahead of the server's for ``changed_at``.
    clock_skew: timedelta = timedelta(minutes=5)
    #: gzip level for responses (1-9). 1 costs about half the CPU of 5 for ~20% more bytes:
    #: on a LAN the first sync is CPU-bound. Raise it for clients on slow links.
    gzip_level: int = 1
    #: Sign-in throttling (see :mod:`desktop_crm.server.throttle`): after this many failed
    #: sign-ins for one user name, or from one client address, within ``sign_in_window``,
    #: further sign-ins for it are refused with 429 until the window ends. 0 turns a limit off.
    sign_in_failures_per_user: int = 5
    sign_in_failures_per_address: int = 20
    sign_in_window: timedelta = timedelta(minutes=5)
    #: Clients older than this (e.g. "0.3"), or too old to say their version, are refused at
    #: sign-in with 426 and a message naming it, so IT can retire old builds. None: any.
    min_client_version: str | None = None

    def __post_init__(self) -> None:
        check_secret(self.secret_key, self.demo_mode)
        if self.min_client_version is not None:
            try:
                check_minimum_setting(self.min_client_version)
            except ValueError as exc:
                raise SettingsError(f"{ENV_PREFIX}MIN_CLIENT_VERSION: {exc}") from None
        if self.token_ttl <= timedelta(0):
            raise SettingsError("the token lifetime must be positive")
        if not 1 <= self.gzip_level <= 9:
            raise SettingsError(f"{ENV_PREFIX}GZIP_LEVEL must be between 1 and 9")
        if self.sign_in_failures_per_user < 0 or self.sign_in_failures_per_address < 0:
            raise SettingsError("sign-in failure limits must be 0 (off) or more")
        if self.sign_in_window <= timedelta(0):
            raise SettingsError(f"{ENV_PREFIX}SIGN_IN_WINDOW_SECONDS must be positive")

    @classmethod
    def load(
        cls,
        *,
        database_url: str | None = None,
        data_dir: Path | str | None = None,
        demo_mode: bool | None = None,
        environ: Mapping[str, str] | None = None,
        min_client_version: str | None = None,
    ) -> Settings:
        env = os.environ if environ is None else environ
        directory = Path(data_dir or env.get(ENV_PREFIX + "DATA_DIR") or default_data_dir())
        demo = (
            demo_mode
            if demo_mode is not None
            else env.get(ENV_PREFIX + "DEMO", "").lower() in {"1", "true", "yes"}
        )
        url = database_url or env.get(ENV_PREFIX + "DATABASE_URL")
        if not url:
            private_dir(directory)
            url = sqlite_url(directory / "server.db")
        secret = env.get(ENV_PREFIX + "SECRET", "")
        if not secret and demo:
            secret = _demo_secret(directory)
        ttl_minutes = env.get(ENV_PREFIX + "TOKEN_TTL_MINUTES")
        masked = env.get(ENV_PREFIX + "MASKED_FIELDS")
        try:
            ttl = timedelta(minutes=int(ttl_minutes)) if ttl_minutes else timedelta(hours=12)
        except ValueError:
            raise SettingsError(f"{ENV_PREFIX}TOKEN_TTL_MINUTES must be a whole number") from None
        gzip_level = env.get(ENV_PREFIX + "GZIP_LEVEL")
        try:
            level = int(gzip_level) if gzip_level else 1
        except ValueError:
            raise SettingsError(f"{ENV_PREFIX}GZIP_LEVEL must be between 1 and 9") from None
        per_user = _whole_number(env, "SIGN_IN_FAILURES_PER_USER", 5)
        per_address = _whole_number(env, "SIGN_IN_FAILURES_PER_ADDRESS", 20)
        window = _whole_number(env, "SIGN_IN_WINDOW_SECONDS", 300)
        return cls(
            database_url=url,
            secret_key=secret,
            data_dir=directory,
            demo_mode=demo,
            token_ttl=ttl,
            masked_fields=parse_masked_fields(
                masked if masked is not None else DEFAULT_MASKED_FIELDS
            ),
            gzip_level=level,
            sign_in_failures_per_user=per_user,
            sign_in_failures_per_address=per_address,
            sign_in_window=timedelta(seconds=window),
            min_client_version=(
                min_client_version or env.get(ENV_PREFIX + "MIN_CLIENT_VERSION") or None
            ),
        )


def _whole_number(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(ENV_PREFIX + name)
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise SettingsError(f"{ENV_PREFIX}{name} must be a whole number") from None


def stale_device_days(environ: Mapping[str, str] | None = None) -> int:
    """``DESKTOP_CRM_SERVER_STALE_DEVICE_DAYS`` (default 90): a device that has not pulled
    for this many days stops holding the tombstone watermark back (``admin purge-tombstones``,
    :mod:`desktop_crm.server.tombstones`); if it comes back from before a purge, its pull asks
    for a fresh snapshot."""
    env = os.environ if environ is None else environ
    days = _whole_number(env, "STALE_DEVICE_DAYS", DEFAULT_STALE_DEVICE_DAYS)
    if days < 1:
        raise SettingsError(f"{ENV_PREFIX}STALE_DEVICE_DAYS must be at least 1")
    return days


def audit_retention_days(environ: Mapping[str, str] | None = None) -> int:
    """``DESKTOP_CRM_SERVER_AUDIT_RETENTION_DAYS`` (default five years): ``admin audit
    purge-expired`` removes audit entries older than this."""
    env = os.environ if environ is None else environ
    days = _whole_number(env, "AUDIT_RETENTION_DAYS", DEFAULT_AUDIT_RETENTION_DAYS)
    if days < 1:
        raise SettingsError(f"{ENV_PREFIX}AUDIT_RETENTION_DAYS must be at least 1")
    return days


def resolve_database_url(
    database_url: str | None,
    data_dir: Path | str | None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The database URL for commands that need no secret (migrate, admin)."""
    env = os.environ if environ is None else environ
    url = database_url or env.get(ENV_PREFIX + "DATABASE_URL")
    if url:
        return url
    directory = Path(data_dir or env.get(ENV_PREFIX + "DATA_DIR") or default_data_dir())
    private_dir(directory)
    return sqlite_url(directory / "server.db")


def check_secret(secret: str, demo_mode: bool) -> None:
    if demo_mode:
        if not secret:
            raise SettingsError("a token-signing secret is required")
        return
    if secret.strip().lower() in WELL_KNOWN_SECRETS:
        raise SettingsError(
            f"Set {ENV_PREFIX}SECRET to a long random value (for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`); "
            "the server does not run with an empty or default token-signing secret "
            "outside demo mode."
        )
    if len(secret) < MIN_SECRET_LENGTH:
        raise SettingsError(
            f"{ENV_PREFIX}SECRET is too short: use at least {MIN_SECRET_LENGTH} characters."
        )


def _demo_secret(directory: Path) -> str:
    private_dir(directory)
    path = directory / DEMO_SECRET_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    secret = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(secret, encoding="ascii")
    return secret
