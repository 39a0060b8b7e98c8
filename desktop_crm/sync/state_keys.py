"""``sync_state`` keys that are read outside a sync (the window's sync status), apart from the
sync engine so that reading them does not import it."""

from __future__ import annotations

#: When the last sync finished (ISO 8601, UTC).
LAST_SYNC_KEY = "last_sync_at"
