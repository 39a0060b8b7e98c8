"""A client profile: one folder holding one replica and its (non-secret) settings.

``--profile DIR`` picks the folder, so several replicas can live on one machine (a rep's own and
a demo, or two users of a shared PC). Layout::

    DIR/replica.db               the SQLCipher replica (+ -wal, -shm while open)
    DIR/replica.db.keyinfo.json  which keychain holds its key (written by storage.keys)
    DIR/settings.json            server URL, user, installation, device and replica ids,
                                 preferences
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
import uuid
from dataclasses import MISSING, asdict, dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs

from desktop_crm.domain.phones import DEFAULT_REGION

log = logging.getLogger(__name__)

REPLICA_FILE = "replica.db"
#: What the server accepts as an installation id (``LoginRequest.installation_id``).
_INSTALLATION_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
SETTINGS_FILE = "settings.json"
#: Owner-only modes on POSIX: the folder holds the customer data and the key record.
FOLDER_MODE = 0o700
FILE_MODE = 0o600


class SettingsError(ValueError):
    """Settings that cannot be used (an unreadable ``settings.json``, a server URL that is not
    http(s)): ``str(error)`` is one plain sentence; nothing was changed."""


def check_server_url(url: str) -> str:
    """``url`` if it is an http(s) URL with a host; SettingsError saying why not otherwise.

    Checked where a URL enters (command line, sign-in dialog, settings file), so a URL the
    HTTP client cannot use (``ftp://``, no host) never reaches it."""
    try:
        parts = urlsplit(url)
        usable = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        usable = False
    if not usable:
        raise SettingsError(
            f"The server URL {url!r} is not an http:// or https:// address with a host name."
        )
    return url


@dataclass(slots=True)
class ProfileSettings:
    server_url: str = ""
    username: str = ""
    user_id: str = ""
    role: str = ""
    device_id: str = ""
    replica_id: str = ""
    #: Minted once per profile (:meth:`ensure_installation_id`) and sent with every sign-in, so
    #: a first sign-in retried after its answer was lost finds the device it registered.
    installation_id: str = ""
    region: str = DEFAULT_REGION
    language: str = ""  # "" follows the system locale
    sync_interval_seconds: int = 300

    @classmethod
    def from_json(cls, text: str) -> ProfileSettings:
        """Parse the settings; SettingsError (a sentence naming the first bad field) for
        anything but a JSON object whose known fields have their types. Unknown keys are
        ignored (a newer version's settings)."""
        try:
            data: Any = json.loads(text)
        except ValueError as exc:
            raise SettingsError(f"it is not JSON ({exc})") from None
        if not isinstance(data, dict):
            raise SettingsError("it must hold a JSON object")
        values: dict[str, Any] = {}
        for field in fields(cls):
            if field.name not in data:
                continue
            value = data[field.name]
            expected = type(field.default) if field.default is not MISSING else str
            # bool is an int to Python, not to the settings: {"sync_interval_seconds": true}.
            if type(value) is not expected:
                raise SettingsError(
                    f"{field.name} must be {'a number' if expected is int else 'a string'}"
                )
            values[field.name] = value
        settings = cls(**values)
        if settings.server_url:
            try:
                check_server_url(settings.server_url)
            except SettingsError:
                raise SettingsError(
                    f"server_url {settings.server_url!r} is not an http(s) address"
                ) from None
        return settings

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    def ensure_installation_id(self) -> bool:
        """Mint this installation's id if it has none (or a hand-edited one the server would
        refuse); True when one was minted: save the settings before signing in with it."""
        if _INSTALLATION_ID.fullmatch(self.installation_id):
            return False
        self.installation_id = str(uuid.uuid4())
        return True


@dataclass(frozen=True, slots=True)
class Profile:
    folder: Path

    @classmethod
    def default(cls) -> Profile:
        return cls(Path(platformdirs.user_data_dir("desktop-crm", appauthor=False)) / "default")

    @property
    def replica_path(self) -> Path:
        return self.folder / REPLICA_FILE

    @property
    def settings_path(self) -> Path:
        return self.folder / SETTINGS_FILE

    def exists(self) -> bool:
        return self.replica_path.exists()

    def load_settings(self) -> ProfileSettings:
        """The profile's settings (defaults when it has none yet). SettingsError when the file
        cannot be read or used; it is left as it is for the user to fix or remove."""
        try:
            text = self.settings_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return ProfileSettings()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
            raise SettingsError(
                f"The settings file {self.settings_path} cannot be read ({reason})."
            ) from None
        try:
            return ProfileSettings.from_json(text)
        except SettingsError as exc:
            raise SettingsError(
                f"The settings file {self.settings_path} is not usable: {exc}. Fix it or remove "
                "it (the data file is not affected)."
            ) from None

    def ensure_folder(self) -> None:
        """Create the folder owner-only (0700 on POSIX); tighten an existing one and any of its
        files other users can read (0600), left by versions before this rule."""
        self.folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        if os.name != "posix":
            return
        _restrict(self.folder, FOLDER_MODE)
        for entry in os.scandir(self.folder):
            if entry.is_file(follow_symlinks=False):
                _restrict(Path(entry.path), FILE_MODE)

    def save_settings(self, settings: ProfileSettings) -> None:
        """Write atomically: a crash mid-write leaves the old settings, never half a file."""
        self.ensure_folder()
        tmp = self.settings_path.with_suffix(".json.tmp")
        descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with open(descriptor, "w", encoding="utf-8") as fh:
            fh.write(settings.to_json())
        os.replace(tmp, self.settings_path)


def _restrict(path: Path, mode: int) -> None:
    """Take away the group's and others' access to ``path`` (never widen it)."""
    try:
        current = stat.S_IMODE(path.stat().st_mode)
        if current & 0o077:
            path.chmod(current & mode)
    except OSError as exc:  # not ours to change: say so, but the folder may still be usable
        log.warning("could not make %s private: %s", path, exc)
