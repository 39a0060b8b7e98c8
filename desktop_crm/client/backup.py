"""``desktop-crm backup --profile DIR --to FILE``: a backup of a profile that stays encrypted.

FILE is a zip holding an encrypted copy of the replica (:mod:`desktop_crm.storage.backup`, the
same key), its non-secret key record and the profile's settings. Nothing in it is plaintext
customer data. The key itself is not in it: a keychain-mode copy opens where that keychain
entry is (this computer, or one the keychain is restored to); a passphrase copy with the
passphrase. To restore, unzip FILE into an empty profile folder.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

from desktop_crm.client.profile import Profile
from desktop_crm.storage.backup import encrypted_copy
from desktop_crm.storage.keys import Passphrase, keyinfo_path
from desktop_crm.storage.replica import open_replica, resolve_key

#: The names inside the backup zip.
REPLICA_NAME = "replica.db"


class ProfileBackupError(ValueError):
    """A backup that cannot be made; nothing was written."""


def backup_profile(profile: Profile, target: Path, passphrase: str | None = None) -> int:
    """Write the backup zip to ``target`` (a new file, owner-only). Returns its size."""
    if not profile.exists():
        raise ProfileBackupError(f"no local data file in {profile.folder}")
    if target.exists():
        raise ProfileBackupError(f"{target} exists; choose a new file name (nothing was written)")
    if not target.parent.is_dir():
        raise ProfileBackupError(f"the folder {target.parent} does not exist")
    source = profile.replica_path
    given = Passphrase(passphrase) if passphrase else None
    # Opening checks the file and the key (a wrong one is WrongKey, not a copy that fails).
    open_replica(source, given, upgrade=False, verify_pages=False).close()
    key = resolve_key(source, given)
    partial = target.with_name(target.name + ".partial")
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        copy = Path(work) / REPLICA_NAME
        encrypted_copy(source, key, copy)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED) as out:
                out.write(copy, REPLICA_NAME)
                info = keyinfo_path(source)
                if info.exists():
                    out.write(info, keyinfo_path(Path(REPLICA_NAME)).name)
                if profile.settings_path.exists():
                    out.write(profile.settings_path, profile.settings_path.name)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return target.stat().st_size
