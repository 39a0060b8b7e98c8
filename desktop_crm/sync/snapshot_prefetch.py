"""Snapshot pages fetched, decoded and prepared ahead of the one the sync thread stores.

A first sync's client work is in two parts that can run side by side: a page's HTTP request,
JSON decoding and row making (Python, on prefetch threads; the server works meanwhile), and
its SQLite writes and commit (on the sync thread; SQLite releases the GIL while it works).
:class:`Prefetcher` keeps up to ``depth`` pages ahead: as soon as a page is decoded (its
``next_page`` token known) the request for the next one goes out, before this one's rows are
made, so the server prepares a page while the client prepares another.

Pages are handed to the sync thread strictly in order (it asks for a page by its token) and
their tokens are stored only with their records, so resuming after an interruption is as
without prefetching; a page fetched ahead and never taken is simply dropped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from desktop_crm.domain.records import Entity
from desktop_crm.storage import bulk_load, erasure
from desktop_crm.storage.records_store import StoredRecord
from desktop_crm.sync.fast_wire import SnapshotPage


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """A snapshot page as the prefetch thread hands it over: its records, and what it made
    of them ahead so that the sync thread need not (it writes the page before meanwhile)."""

    page: SnapshotPage
    #: The rows for the bulk loader (a first sync's pages only).
    prepared: bulk_load.PreparedRecords | None
    #: The records that arrive erased (``erasure.erased_contacts``).
    erased: list[StoredRecord]
    entities: set[Entity]


def fetched(page: SnapshotPage, prepare: bool) -> FetchedPage:
    """What the sync thread needs of ``page`` beyond its records, made from them alone."""
    records = page.records
    return FetchedPage(
        page,
        bulk_load.prepare(records) if prepare and records else None,
        erasure.erased_contacts(records),
        {r.entity for r in records},
    )


class Prefetcher:
    """Up to ``depth`` snapshot pages requested ahead of the one taken last.

    ``fetch(after, limit)`` requests and decodes one page; ``size(n)`` is the limit for the
    ``n``-th page requested. Each page is made ready (:func:`fetched`) on the thread that
    fetched it, after the request for the next page has gone out."""

    def __init__(
        self,
        pool: ThreadPoolExecutor,
        fetch: Callable[[str | None, int], SnapshotPage],
        size: Callable[[int], int],
        *,
        prepare: bool,
        depth: int,
    ) -> None:
        self._pool = pool
        self._fetch = fetch
        self._size = size
        self._prepare = prepare
        self._depth = max(1, depth)
        self._lock = threading.Lock()
        #: Pages requested ahead and not taken yet, by the token they were requested with.
        self._ahead: dict[str | None, Future[FetchedPage]] = {}
        #: The token of the page after the last one fetched, when there was no room for it.
        self._waiting: str | None = None
        self._requested = 0
        #: Bumped to forget what is in flight (a restart, the end): those pages chain no more.
        self._generation = 0

    def take(self, after: str | None) -> FetchedPage:
        """The page that follows ``after`` (None: the first); raises what its fetch raised."""
        with self._lock:
            future = self._ahead.pop(after, None)
            if future is None:
                # Not what was fetched ahead (the first page, or the snapshot started over).
                self._forget()
                size = self._next_size()
                generation = self._generation
            elif self._waiting is not None:
                self._request(self._waiting)
                self._waiting = None
        if future is None:
            return self._run(after, size, generation)
        page = future.result()
        with self._lock:
            if self._waiting is not None and len(self._ahead) < self._depth:
                self._request(self._waiting)
                self._waiting = None
        return page

    def close(self) -> None:
        """Request nothing more (pages in flight finish, and are dropped)."""
        with self._lock:
            self._forget()

    def _forget(self) -> None:
        self._generation += 1
        self._ahead.clear()
        self._waiting = None

    def _next_size(self) -> int:
        size = self._size(self._requested)
        self._requested += 1
        return size

    def _request(self, after: str) -> None:
        """Request the page after ``after`` on the pool (the lock is held)."""
        size = self._next_size()
        self._ahead[after] = self._pool.submit(self._run, after, size, self._generation)

    def _run(self, after: str | None, size: int, generation: int) -> FetchedPage:
        page = self._fetch(after, size)
        following = page.next_page
        if following is not None:
            with self._lock:
                if generation == self._generation and following not in self._ahead:
                    if len(self._ahead) < self._depth:
                        self._request(following)
                    else:
                        self._waiting = following
        return fetched(page, self._prepare)
