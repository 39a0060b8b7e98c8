"""Rebuilding a damaged replica from the server, keeping the unsynced work.

:func:`set_aside_damaged` exports what has not reached the server (the outbox, open conflicts
and sync issues, as far as their pages can still be read) to a JSON file, then moves the damaged
replica with its ``-wal``, ``-shm``, key record and open marker into ``damaged-<time>/`` in the
profile folder. Nothing is deleted: the damaged file stays openable with its key for a backup
tool or support. The settings stay, so the next sign-in is this same device's fresh first sync.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from desktop_crm.client.profile import Profile
from desktop_crm.storage.keys import Passphrase, keyinfo_path
from desktop_crm.storage.replica import OPEN_MARKER_SUFFIX
from desktop_crm.storage.salvage import salvage_unsynced

EXPORT_FILE = "unsynced-work.json"


@dataclass(frozen=True, slots=True)
class SetAside:
    #: Where the damaged files are now.
    folder: Path
    #: The exported unsynced work (JSON, 0600: it holds customer data in plain text).
    export: Path
    #: Rows exported, per table.
    exported: dict[str, int]
    #: Tables that could not be read (``"table: reason"``); their work is only in the old file.
    unreadable: list[str]


def set_aside_damaged(profile: Profile, passphrase: str | None = None) -> SetAside:
    """Export the unsynced work of the profile's damaged replica and move the replica aside
    (see the module's docstring); afterwards ``profile.exists()`` is False."""
    now = datetime.now(UTC)
    key = Passphrase(passphrase) if passphrase else None
    salvaged = salvage_unsynced(profile.replica_path, key)  # first: a missing key moves nothing
    aside = profile.folder / f"damaged-{now:%Y%m%d-%H%M%S}"
    aside.mkdir(mode=0o700)
    export = aside / EXPORT_FILE
    document = {
        "exported_at": now.isoformat(timespec="seconds"),
        "replica": str(profile.replica_path),
        "tables": salvaged.rows,
        "unreadable": salvaged.unreadable,
    }
    fd = os.open(export, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(document, out, ensure_ascii=False, indent=2, default=str)
    replica = profile.replica_path
    for path in (
        *(replica.with_name(replica.name + suffix) for suffix in ("-wal", "-shm")),
        keyinfo_path(replica),
        replica.with_name(replica.name + OPEN_MARKER_SUFFIX),
        replica,  # last: until it moves, the profile still counts as having a replica
    ):
        if path.exists():
            os.replace(path, aside / path.name)
    return SetAside(
        folder=aside,
        export=export,
        exported={table: len(rows) for table, rows in salvaged.rows.items()},
        unreadable=salvaged.unreadable,
    )
