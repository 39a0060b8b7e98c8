"""The bulk phase's page cache (``storage.engine.bulk_cache``): larger while a snapshot is
stored, the connection's own size again afterwards, also when the block fails; no lock taken."""

from __future__ import annotations

import pytest

from desktop_crm.storage.engine import DEFAULT_SETTINGS, bulk_cache, writer
from desktop_crm.storage.replica import Replica


def _cache_size(conn: object) -> int:
    raw = conn.connection.dbapi_connection  # type: ignore[attr-defined]
    return int(raw.execute("PRAGMA cache_size").fetchone()[0])


def test_the_cache_is_larger_in_the_block_and_restored_after(replica: Replica) -> None:
    with replica.engine.connect() as conn:
        assert _cache_size(conn) == DEFAULT_SETTINGS.cache_size
        with bulk_cache(conn, 200_000):
            assert _cache_size(conn) == -200_000
            assert not conn.in_transaction()  # set outside any transaction: no write lock
            # Another connection can take the write lock meanwhile.
            with writer(replica.engine).begin() as other:
                other.exec_driver_sql("SELECT 1")
        assert _cache_size(conn) == DEFAULT_SETTINGS.cache_size


def test_the_cache_is_restored_when_the_block_fails(replica: Replica) -> None:
    with replica.engine.connect() as conn:
        with pytest.raises(RuntimeError, match="boom"), bulk_cache(conn, 200_000):
            raise RuntimeError("boom")
        assert _cache_size(conn) == DEFAULT_SETTINGS.cache_size


def test_a_connection_with_a_larger_cache_keeps_it(replica: Replica) -> None:
    with replica.engine.connect() as conn:
        conn.connection.dbapi_connection.execute("PRAGMA cache_size = -500000")  # type: ignore[union-attr]
        with bulk_cache(conn, 1000):
            assert _cache_size(conn) == -500_000
        assert _cache_size(conn) == -500_000
        conn.connection.dbapi_connection.execute(  # type: ignore[union-attr]
            f"PRAGMA cache_size = {DEFAULT_SETTINGS.cache_size}"
        )
