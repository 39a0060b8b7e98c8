"""The pull cursor's text, which both sides read.

A cursor is the change-log sequence number, followed by ``.EPOCH`` once the server was
restored from a backup. The epoch changes at every restore: a cursor from another epoch names
a place in a history the server no longer has, so the server answers ``resync_required``, and
a client whose new snapshot carries another epoch than its old cursor knows the server was
restored (and tells its user)."""

from __future__ import annotations


def cursor_text(seq: int, epoch: str | None) -> str:
    return f"{seq}.{epoch}" if epoch else str(seq)


def cursor_epoch(cursor: str | None) -> str | None:
    """The epoch a cursor carries (None: before the server's first restore)."""
    if not cursor:
        return None
    _seq, dot, epoch = cursor.partition(".")
    return epoch if dot else None
