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
import os
import re
import uuid
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import platformdirs

from desktop_crm.domain.phones import DEFAULT_REGION

REPLICA_FILE = "replica.db"
#: What the server accepts as an installation id (``LoginRequest.installation_id``).
_INSTALLATION_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
SETTINGS_FILE = "settings.json"


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
        data: Any = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("settings.json must hold a JSON object")
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

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
        try:
            return ProfileSettings.from_json(self.settings_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return ProfileSettings()

    def save_settings(self, settings: ProfileSettings) -> None:
        """Write atomically: a crash mid-write leaves the old settings, never half a file."""
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.settings_path.with_suffix(".json.tmp")
        tmp.write_text(settings.to_json(), encoding="utf-8")
        os.replace(tmp, self.settings_path)
