"""Mending stored values that today's rules refuse (from before the rules): a version vector
with entries :func:`~desktop_crm.domain.version_vector.checked_vector` refuses, text that is
not valid Unicode. Used by the server's reads of stored records and by
``desktop-crm-server admin repair-records``."""

from __future__ import annotations

from typing import Any

from desktop_crm.domain.version_vector import (
    MAX_COUNTER,
    MAX_VECTOR_ENTRIES,
    SERVER_REPLICA_ID,
    VersionVector,
    vector_problem,
)


def repaired_vector(raw: Any, problems: list[str] | None = None) -> VersionVector:
    """``raw`` (a decoded JSON value) with every entry the rules refuse dropped (and, past the
    bound, the entries with the lowest counters; the server's own entry is always kept, with
    room for one more bump). What was mended is appended to ``problems``."""
    notes = problems if problems is not None else []
    if not isinstance(raw, dict):
        notes.append("the version is not an object of counters; started afresh")
        return VersionVector()
    kept: dict[str, int] = {}
    for replica_id, counter in raw.items():
        if vector_problem({replica_id: counter}) is None:
            kept[replica_id] = counter
    dropped = len(raw) - len(kept)
    if dropped:
        notes.append(f"{dropped} invalid version entr{'y' if dropped == 1 else 'ies'} dropped")
    if len(kept) >= MAX_VECTOR_ENTRIES:
        # Room for the server's entry, which a repair bumps.
        server = kept.pop(SERVER_REPLICA_ID, 0)
        by_counter = sorted(kept.items(), key=lambda item: (-item[1], item[0]))
        kept = dict(by_counter[: MAX_VECTOR_ENTRIES - 1])
        if server:
            kept[SERVER_REPLICA_ID] = server
        notes.append(f"{len(raw) - dropped - len(kept)} version entries past the bound dropped")
    if kept.get(SERVER_REPLICA_ID, 0) >= MAX_COUNTER:
        kept[SERVER_REPLICA_ID] = MAX_COUNTER - 1  # so the repair's bump stays in bounds
        notes.append("the server's counter lowered below the bound")
    return VersionVector(kept)


def repaired_text(value: Any) -> Any:
    """``value`` (a decoded JSON value) with lone surrogates replaced by U+FFFD and NUL
    characters removed, in keys and values at any depth."""
    if isinstance(value, str):
        if "\x00" in value:
            value = value.replace("\x00", "")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return value
    if isinstance(value, dict):
        return {repaired_text(k): repaired_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [repaired_text(item) for item in value]
    return value
