"""The snapshot prefetcher hands pages over in order, keeps at most ``depth`` requested ahead,
forgets what it fetched ahead when the snapshot starts over, and raises a failed fetch's error
when that page is taken."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from desktop_crm.domain.records import Entity
from desktop_crm.domain.version_vector import VersionVector
from desktop_crm.storage.records_store import StoredRecord
from desktop_crm.sync.fast_wire import SnapshotPage
from desktop_crm.sync.snapshot_prefetch import Prefetcher

PAGES = 6


class FakeServer:
    """Pages "p0" … "p5" of one record each; counts what is requested and not yet taken."""

    def __init__(self, fail_at: str = "never") -> None:
        self.lock = threading.Lock()
        self.requests: list[tuple[str | None, int]] = []
        self.taken = 0
        self.most_ahead = 0
        self.fail_at = fail_at

    def fetch(self, after: str | None, limit: int) -> SnapshotPage:
        with self.lock:
            self.requests.append((after, limit))
            self.most_ahead = max(self.most_ahead, len(self.requests) - self.taken)
        if after == self.fail_at:
            raise RuntimeError(f"failed at {after}")
        n = 0 if after is None else int(after[1:]) + 1
        record = StoredRecord(
            Entity.ACCOUNT,
            f"a{n}",
            VersionVector({"server": 1}),
            False,
            datetime(2025, 1, 1, tzinfo=UTC),
            "",
            {"name": f"Account {n}"},
        )
        following = f"p{n}" if n + 1 < PAGES else None
        return SnapshotPage([record], following, "cursor")

    def take_all(self, ahead: Prefetcher, after: str | None = None) -> list[str]:
        ids = []
        while True:
            fetched = ahead.take(after)
            with self.lock:
                self.taken += 1
            ids += [r.id for r in fetched.page.records]
            assert fetched.prepared is not None and fetched.entities == {Entity.ACCOUNT}
            after = fetched.page.next_page
            if after is None:
                return ids


@pytest.mark.parametrize("depth", [1, 2])
def test_pages_come_in_order_with_at_most_depth_ahead(depth: int) -> None:
    server = FakeServer()
    with ThreadPoolExecutor(max_workers=depth) as pool:
        ahead = Prefetcher(pool, server.fetch, lambda n: 10 * (n + 1), prepare=True, depth=depth)
        assert server.take_all(ahead) == [f"a{n}" for n in range(PAGES)]
        ahead.close()
    # Each page requested once, in order, the sizes ramping with the requests.
    assert server.requests == [
        (None if n == 0 else f"p{n - 1}", 10 * (n + 1)) for n in range(PAGES)
    ]
    # The page being taken, plus ``depth`` ahead of it.
    assert server.most_ahead <= depth + 1


def test_a_new_start_forgets_what_was_fetched_ahead() -> None:
    server = FakeServer()
    with ThreadPoolExecutor(max_workers=2) as pool:
        ahead = Prefetcher(pool, server.fetch, lambda n: 100, prepare=False, depth=2)
        first = ahead.take(None)
        assert first.prepared is None and first.page.next_page == "p0"
        # Started over (a refused token): the first page is requested again, on this thread.
        again = ahead.take(None)
        assert [r.id for r in again.page.records] == ["a0"]
        assert ahead.take("p0").page.records[0].id == "a1"
        ahead.close()
    assert server.requests.count((None, 100)) == 2


def test_a_failed_fetch_is_raised_when_its_page_is_taken() -> None:
    server = FakeServer(fail_at="p2")
    with ThreadPoolExecutor(max_workers=2) as pool:
        ahead = Prefetcher(pool, server.fetch, lambda n: 100, prepare=True, depth=2)
        with pytest.raises(RuntimeError, match="failed at p2"):
            server.take_all(ahead)
        ahead.close()
    assert server.taken == 3  # a0, a1, a2 taken; the fourth page's fetch failed
