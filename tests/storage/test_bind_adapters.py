"""Booleans and None bind through registered adapters (storage/engine.py): the same values
reach SQLite as without them, and the module's slow search for ``__adapt__``/``__conform__``
is never made for them."""

from __future__ import annotations

from typing import Any

import pytest
import sqlcipher3.dbapi2 as dbapi2

import desktop_crm.storage.engine  # noqa: F401 -- registers the adapters
from desktop_crm.storage.replica import Replica


@pytest.mark.parametrize(
    ("value", "stored", "kind"),
    [(True, 1, "integer"), (False, 0, "integer"), (None, None, "null"), (7, 7, "integer")],
)
def test_a_bound_value_is_stored_as_before(
    replica: Replica, value: Any, stored: Any, kind: str
) -> None:
    with replica.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TEMP TABLE bound (v)")
        conn.exec_driver_sql("INSERT INTO bound (v) VALUES (?)", [(value,), (value,)])
        rows = conn.exec_driver_sql("SELECT v, typeof(v) FROM bound").all()
    assert [tuple(r) for r in rows] == [(stored, kind)] * 2
    assert type(rows[0][0]) is type(stored)


def test_bool_and_none_have_adapters() -> None:
    # Without them each such value costs ~0.9 µs to bind (a third of the bulk loader's work).
    assert dbapi2.adapters[(bool, dbapi2.PrepareProtocol)] is int
    assert dbapi2.adapters[(type(None), dbapi2.PrepareProtocol)](None) is None
