"""The sync engine: first-sync snapshot, pull, push, per-field merge, conflicts, removals.

One call of :meth:`SyncEngine.sync_once` brings the replica and the server level: pull until
the feed is quiet, push the outbox, and repeat while pushing produced something to pull (a
conflict merged into a new change). Every step is resumable: a pulled or snapshot page is applied
together with its cursor (or page token) in one local transaction, and an outbox entry leaves the
outbox only once the server has answered for it, so an interruption anywhere repeats work but
never loses or doubles it (the server recognises a replayed change id, and a record echoed back
whose version we already have is not applied again).

How a record arriving from the server is treated is decided in :meth:`SyncEngine._receive`;
what happens on each push answer in :meth:`SyncEngine._handle_answer`. docs/sync-engine.md
describes both for people.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, select

from desktop_crm.domain.erasure import Scrubber
from desktop_crm.domain.merge import three_way_merge
from desktop_crm.domain.records import Entity, new_id, utc_now
from desktop_crm.domain.version_vector import VersionVector
from desktop_crm.protocol.cursor import cursor_epoch
from desktop_crm.protocol.messages import (
    DEFAULT_SNAPSHOT_PAGE,
    MAX_PUSH_BATCH,
    Change,
    ChangeResult,
    ChangeStatus,
    PushRequest,
    Removal,
    WireRecord,
)
from desktop_crm.storage import bulk_load, bulk_phase, erasure
from desktop_crm.storage import records_store as store
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.engine import replayable_writer
from desktop_crm.storage.records_store import StoredRecord
from desktop_crm.storage.schema import SYNCED_TABLES
from desktop_crm.sync import deleted_customers, merges
from desktop_crm.sync.deleted_customers import DeletedCustomer
from desktop_crm.sync.errors import ReplicaMismatch, ServerRefused, SyncError
from desktop_crm.sync.fast_wire import PullPage, SnapshotPage, Unreadable
from desktop_crm.sync.http_client import SyncClient
from desktop_crm.sync.local_batch import LocalBatch
from desktop_crm.sync.progress import Phase, SyncProgress
from desktop_crm.sync.state_keys import LAST_SYNC_KEY

log = logging.getLogger(__name__)

CURSOR_KEY = "pull_cursor"
SNAPSHOT_PAGE_KEY = "snapshot_next_page"
SNAPSHOT_CURSOR_KEY = "snapshot_cursor"
REPLICA_ID_KEY = "replica_id"
USER_ID_KEY = "user_id"
#: Set while a re-snapshot (``resync_required``) is under way; its value is the highest outbox
#: sequence number at the start: older unsynced changes for records the new scope lacks are
#: parked as sync issues, newer ones (made during the re-snapshot) are kept and pushed.
RESYNC_KEY = "resync_outbox_mark"
RESYNC_PAGES_KEY = "resync_pages"
RESYNC_SEEN_PREFIX = "resync_seen:"

#: Records in the first snapshot page fetched; each further page is twice as large, up to the
#: configured page size. Storing a page takes longer than fetching and parsing one, so with the
#: next page fetched while this one is stored only the first fetch is not hidden: keep it short.
SNAPSHOT_FIRST_PAGE = 1000

#: Stop a sync that keeps finding work after this many pull/push rounds (a bug, not a workload).
MAX_ROUNDS = 20

LEFT_SCOPE = "This record left your scope before your change reached the server."
#: Starts the reason of a sync issue for a record the server sent that could not be read.
UNREADABLE = "The server sent a copy of this record that cannot be read"
#: Starts the change id of such an issue: it holds no change of ours, so it cannot be retried.
UNREADABLE_ISSUE_PREFIX = "unreadable:"


@dataclass(slots=True)
class SyncSummary:
    pulled: int = 0
    pushed: int = 0
    conflicts: int = 0
    issues: int = 0
    removed: int = 0
    resynced: bool = False
    #: The server was restored from a backup since the last sync (a new epoch): unsynced
    #: edits were sent again and the replica took a fresh snapshot.
    server_restored: bool = False
    new_conflicts: list[tuple[str, str]] = field(default_factory=list)
    new_issues: int = 0
    #: The kinds of record that arrived from the server (for the screens to refresh).
    received: set[Entity] = field(default_factory=set)
    #: Customers deleted by someone else while this replica had unsynced work on them (open
    #: notices, with who deleted each): their work is held back until a person decides.
    deleted_customers: list[DeletedCustomer] = field(default_factory=list)
    #: The accounts among ``deleted_customers`` this sync learned of.
    newly_deleted_customers: list[str] = field(default_factory=list)
    #: People erased on the server whose data this sync removed from the replica.
    erased: int = 0

    def line(self) -> str:
        text = (
            f"pulled {self.pulled}, pushed {self.pushed}, conflicts {self.conflicts}, "
            f"sync issues {self.issues}, removed {self.removed}"
        )
        if self.erased:
            text += f", people erased at their request {self.erased}"
        if self.deleted_customers:
            text += f", customers deleted while you had work on them {len(self.deleted_customers)}"
        if self.server_restored:
            text += "; the server was restored from a backup: your unsynced changes were sent again"
        return text


class SyncEngine:
    def __init__(
        self,
        replica_engine: Engine,
        client: SyncClient,
        replica_id: str,
        *,
        user_id: str = "",
        progress: SyncProgress | None = None,
        push_batch: int = MAX_PUSH_BATCH,
        pull_limit: int | None = None,
        snapshot_limit: int | None = None,
        on_erasure: Callable[[Scrubber], None] | None = None,
    ) -> None:
        if not replica_id:
            raise ValueError("a replica id is needed to sync (sign in first)")
        self._db = replica_engine
        # Writes take the write lock up front: the window's worker writes to the same file.
        # They are replayed after a crash (a page with its cursor, push answers), so they do
        # not wait for an fsync at commit (storage/engine.py, replayable_writer).
        self._writes = replayable_writer(replica_engine)
        self._client = client
        self._replica_id = replica_id
        self._user_id = user_id
        self.progress = progress or SyncProgress()
        self._push_batch = max(1, min(push_batch, MAX_PUSH_BATCH))
        self._pull_limit = pull_limit
        self._snapshot_limit = snapshot_limit
        #: Told of each person erased here (their texts), to scrub files outside the replica.
        self._on_erasure = on_erasure
        self._erased_texts: list[Scrubber] = []

    @property
    def replica_id(self) -> str:
        return self._replica_id

    # The whole cycle ------------------------------------------------------------------------

    def sync_once(self) -> SyncSummary:
        """Pull, push and merge until the replica and the server agree (or a round limit).

        Raises :class:`~desktop_crm.sync.http_client.SyncError` subclasses (Offline, ...) and
        :class:`~desktop_crm.sync.progress.Cancelled`; whatever was applied before stays
        applied, and the next call continues from there.
        """
        summary = SyncSummary()
        self._check_identity()
        self._erased_texts = []
        try:
            self._rounds(summary)
        finally:
            # Also when the sync stopped half-way: an erasure already applied is wiped now.
            if summary.erased:
                erasure.wipe_leftovers(self._db)
            told, self._erased_texts = self._erased_texts, []
            if self._on_erasure is not None:
                for scrubber in told:
                    self._on_erasure(scrubber)
        with self._writes.begin() as conn:
            book.set_state(conn, LAST_SYNC_KEY, utc_now().isoformat())
            summary.conflicts = book.conflict_count(conn)
            summary.issues = book.sync_issue_count(conn)
            summary.deleted_customers = deleted_customers.open_notices(conn, prune=True)
        self.progress.report(Phase.DONE, summary.pulled + summary.pushed, message=summary.line())
        return summary

    def _rounds(self, summary: SyncSummary) -> None:
        with self._db.connect() as conn:
            needs_snapshot = (
                book.get_state(conn, CURSOR_KEY) is None
                or book.get_state(conn, RESYNC_KEY) is not None
            )
        if needs_snapshot:
            self._snapshot(summary)
        for _ in range(MAX_ROUNDS):
            if self._pull_all(summary):
                self._resync(summary)
                continue
            if not self._push_all(summary):
                break
        else:
            log.error("sync did not settle after %d rounds", MAX_ROUNDS)

    def _check_identity(self) -> None:
        """A replica holds one user's data and one replica id's edits: refuse to mix."""
        # Read first: once both are stored (every sync but the first) no write transaction,
        # and no commit to wait for, is needed.
        with self._db.connect() as conn:
            if not self._identity_to_store(conn):
                return
        with self._writes.begin() as conn:
            for key, expected in self._identity_to_store(conn):
                book.set_state(conn, key, expected)

    def _identity_to_store(self, conn: Connection) -> list[tuple[str, str]]:
        """The identity keys not stored yet; raises :class:`ReplicaMismatch` on a mismatch."""
        missing = []
        for key, expected in ((REPLICA_ID_KEY, self._replica_id), (USER_ID_KEY, self._user_id)):
            if not expected:
                continue
            stored = book.get_state(conn, key)
            if stored is None:
                missing.append((key, expected))
            elif stored != expected:
                what = "installation" if key == REPLICA_ID_KEY else "user"
                raise ReplicaMismatch(
                    f"This local data file belongs to another {what}; it was not changed."
                )
        return missing

    # Snapshot: first sync, and again when the server says the scope changed wholesale --------

    def _snapshot(self, summary: SyncSummary) -> None:
        with self._db.connect() as conn:
            after = book.get_state(conn, SNAPSHOT_PAGE_KEY)
            resync = book.get_state(conn, RESYNC_KEY) is not None
            pages = int(book.get_state(conn, RESYNC_PAGES_KEY) or 0)
        done = 0
        if not resync:
            # A first sync: the indexes its inserts would update in random order are built
            # once, after the last page (storage/bulk_phase.py). Not on a re-snapshot: the
            # replica is full and in use then, and most records are already there.
            with self._writes.begin() as conn:
                bulk_phase.begin(conn)
        try:
            # The next page is fetched while this one is written: the server and the network
            # work while the replica does. At most one request is in flight; its page is only
            # applied (and its token only stored) in order, so resuming is unaffected.
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="snapshot-prefetch") as pool:
                self._snapshot_pages(summary, pool, after, resync, pages, done)
        except BaseException:
            # Stopped half-way (offline, cancelled): the indexes come back now, so the app
            # searches at full speed with what arrived; the next sync defers them again.
            try:
                bulk_phase.finish(self._writes)
            except Exception:
                log.exception("could not build the deferred indexes after a stopped first sync")
            raise
        bulk_phase.finish(self._writes)

    def _snapshot_pages(
        self,
        summary: SyncSummary,
        pool: ThreadPoolExecutor,
        after: str | None,
        resync: bool,
        pages: int,
        done: int,
    ) -> None:
        ahead: tuple[str, Future[SnapshotPage]] | None = None
        fetched = 0  # pages requested in this call: the page size ramps up with it
        while True:
            self.progress.check_cancelled()
            try:
                if ahead is not None and ahead[0] == after:
                    page = ahead[1].result()
                else:
                    page = self._fetch_snapshot(after, self._snapshot_page_size(fetched))
                    fetched += 1
                ahead = None
            except ServerRefused as exc:
                ahead = None
                if exc.status_code != 400 or after is None:
                    raise
                # The page token is not valid any more (the server was restored from a
                # backup, say): start the snapshot again; pages applied so far are harmless.
                log.warning("snapshot page token refused; starting the snapshot again")
                with self._writes.begin() as conn:
                    book.delete_state(conn, SNAPSHOT_PAGE_KEY)
                    book.delete_state(conn, SNAPSHOT_CURSOR_KEY)
                after = None
                continue
            if page.next_page is not None:
                size = self._snapshot_page_size(fetched)
                fetched += 1
                ahead = (page.next_page, pool.submit(self._fetch_snapshot, page.next_page, size))
            with self._writes.begin() as conn:
                self._apply_snapshot_page(conn, page.records, summary)
                self._park_unreadable(conn, page.records, page.unreadable, summary)
                if resync:
                    seen = [f"{r.entity}:{r.id}" for r in page.records]
                    book.set_state(conn, f"{RESYNC_SEEN_PREFIX}{pages}", json.dumps(seen))
                    pages += 1
                    book.set_state(conn, RESYNC_PAGES_KEY, str(pages))
                if book.get_state(conn, SNAPSHOT_CURSOR_KEY) is None:
                    # Incremental pulls start where the snapshot began, so nothing changed
                    # during a long first sync is missed (at worst it is received twice).
                    book.set_state(conn, SNAPSHOT_CURSOR_KEY, page.cursor)
                if page.next_page is None:
                    if resync:
                        summary.removed += self._sweep(conn, pages)
                    cursor = book.get_state(conn, SNAPSHOT_CURSOR_KEY) or page.cursor
                    book.set_state(conn, CURSOR_KEY, cursor)
                    book.delete_state(conn, SNAPSHOT_PAGE_KEY)
                    book.delete_state(conn, SNAPSHOT_CURSOR_KEY)
                else:
                    book.set_state(conn, SNAPSHOT_PAGE_KEY, page.next_page)
            done += len(page.records)
            summary.pulled += len(page.records)
            summary.received.update({r.entity for r in page.records})
            self.progress.report(Phase.FIRST_SYNC, done, None)
            if page.next_page is None:
                return
            after = page.next_page

    def _snapshot_page_size(self, n: int) -> int:
        """The size of the ``n``-th page fetched: small at first, so that storing starts at
        once (and progress shows) while the larger pages behind it are fetched and parsed;
        then doubling up to the configured size (the server's default without one)."""
        limit = self._snapshot_limit or DEFAULT_SNAPSHOT_PAGE
        return min(limit, SNAPSHOT_FIRST_PAGE << min(n, 16))

    def _fetch_snapshot(self, after: str | None, limit: int) -> SnapshotPage:
        """One snapshot page, its records ready to store (runs on the prefetch thread too)."""
        if isinstance(self._client, SyncClient):
            return self._client.snapshot_page(after=after, limit=limit)
        return SnapshotPage.from_response(self._client.snapshot(after=after, limit=limit))

    def _fetch_pull(self, cursor: str) -> PullPage:
        client = self._client
        if isinstance(client, SyncClient):
            if self._pull_limit is None:
                return client.pull_page(cursor)
            return client.pull_page(cursor, limit=self._pull_limit)
        if self._pull_limit is None:
            return PullPage.from_response(client.pull(cursor))
        return PullPage.from_response(client.pull(cursor, limit=self._pull_limit))

    def _apply_snapshot_page(
        self, conn: Connection, records: Sequence[StoredRecord], summary: SyncSummary
    ) -> None:
        if not records:
            return
        summary.erased += erasure.erase_locally(conn, records, self._erased_texts)
        if book.outbox_count(conn) == 0 and book.conflict_count(conn) == 0:
            # Nothing unsynced anywhere (always so on a first sync into an empty replica):
            # the server's copies are the truth, so the bulk loader can take them as they are.
            bulk_load.bulk_apply(conn, records)
            return
        self._receive_many(conn, records)

    def _resync(self, summary: SyncSummary) -> None:
        """The server wants a fresh snapshot: push what we can, then take it."""
        log.info("the server asked for a fresh snapshot (scope changed)")
        summary.resynced = True
        self._push_all(summary)
        with self._writes.begin() as conn:
            before = book.get_state(conn, CURSOR_KEY)
            mark = max((e.seq for e in book.pending_changes(conn, 1_000_000)), default=0)
            book.set_state(conn, RESYNC_KEY, str(mark))
            book.set_state(conn, RESYNC_PAGES_KEY, "0")
            book.delete_state(conn, CURSOR_KEY)
            book.delete_state(conn, SNAPSHOT_PAGE_KEY)
            book.delete_state(conn, SNAPSHOT_CURSOR_KEY)
        self._snapshot(summary)
        with self._db.connect() as conn:
            after = book.get_state(conn, CURSOR_KEY)
        if before and cursor_epoch(before) != cursor_epoch(after):
            # The server was restored from a backup: the edits this replica still held were
            # pushed above, and the snapshot replaced what the server no longer has.
            log.warning("the server was restored from a backup; took a fresh snapshot")
            summary.server_restored = True

    def _sweep(self, conn: Connection, pages: int) -> int:
        """End of a re-snapshot: drop local records the new scope does not contain, parking
        their unsynced changes as sync issues. Returns how many records were dropped."""
        seen: set[tuple[str, str]] = set()
        for n in range(pages):
            state_key = f"{RESYNC_SEEN_PREFIX}{n}"
            for item in json.loads(book.get_state(conn, state_key) or "[]"):
                entity_name, _, record_id = str(item).partition(":")
                seen.add((entity_name, record_id))
            book.delete_state(conn, state_key)
        mark = int(book.get_state(conn, RESYNC_KEY) or 0)
        newer = {(e.entity, e.record_id) for e in book.pending_changes(conn, 10**9) if e.seq > mark}
        dropped = 0
        for entity in Entity:
            table = SYNCED_TABLES[entity.value]
            for (record_id,) in conn.execute(select(table.c.id)).all():
                key = (entity.value, record_id)
                if key in seen or key in newer:
                    continue
                self._park_and_purge(conn, entity, record_id, LEFT_SCOPE)
                dropped += 1
        book.delete_state(conn, RESYNC_KEY)
        book.delete_state(conn, RESYNC_PAGES_KEY)
        return dropped

    # Pull -------------------------------------------------------------------------------------

    def _pull_all(self, summary: SyncSummary) -> bool:
        """Pull until the feed is quiet. True when the server asks for a fresh snapshot."""
        while True:
            self.progress.check_cancelled()
            with self._db.connect() as conn:
                cursor = book.get_state(conn, CURSOR_KEY) or ""
            page = self._fetch_pull(cursor)
            if page.resync_required:
                return True
            if page.removals:
                # Unsynced edits to records about to leave the scope go to the server first.
                self._push_before_removal(page.removals, summary)
            if merges.has_merges(page.records):
                # Work under a merged-away record goes first: the server moves it to the
                # survivor (sync/merges.py).
                self._push_all(summary)
            if _nothing_new(page, cursor):
                # An idle sync writes nothing here: no transaction, no commit.
                self.progress.report(Phase.PULLING, summary.pulled)
                return False
            with self._writes.begin() as conn:
                summary.pulled += self._receive_many(conn, page.records, summary)
                summary.removed += merges.drop_leftovers(
                    conn, list(merges.merged_accounts(page.records))
                )
                self._park_unreadable(conn, page.records, page.unreadable, summary)
                summary.received.update({Entity(r.entity) for r in page.records})
                summary.removed += self._remove(conn, page.removals)
                book.set_state(conn, CURSOR_KEY, page.cursor)
            self.progress.report(Phase.PULLING, summary.pulled)
            if not page.has_more:
                return False

    def _park_unreadable(
        self,
        conn: Connection,
        received: Sequence[StoredRecord],
        unreadable: Sequence[Unreadable],
        summary: SyncSummary,
    ) -> None:
        """Records of a page that could not be read are skipped (the rest of the page and its
        cursor are applied) and shown as sync issues, so one bad record never stalls sync.
        The local copy, if any, stays as it was; the server's repaired copy replaces it, and
        then its issue goes (there is nothing left for the user to do)."""
        if not unreadable and (not received or book.sync_issue_count(conn) == 0):
            return
        issues = book.list_sync_issues(conn)
        arrived = {(r.entity.value, r.id) for r in received}
        for issue in issues:
            if issue.change_id.startswith(UNREADABLE_ISSUE_PREFIX) and (
                (issue.entity, issue.record_id) in arrived
            ):
                book.delete_sync_issue(conn, issue.id)
        known = {(i.entity, i.record_id, i.reason) for i in issues}
        for record in unreadable:
            log.warning("skipped an unreadable %s record from the server", record.entity)
            reason = (
                f"{UNREADABLE} ({record.reason}); it was skipped. Ask your administrator to "
                "run “desktop-crm-server admin repair-records”."
            )
            if (record.entity, record.id, reason) in known:
                continue  # met again (a snapshot started over): one issue is enough
            known.add((record.entity, record.id, reason))
            book.add_sync_issue(
                conn,
                change_id=UNREADABLE_ISSUE_PREFIX + new_id(),
                entity=record.entity[:20],
                record_id=record.id,
                data={},
                deleted=False,
                reason=reason,
            )
            summary.new_issues += 1

    def _receive_many(
        self,
        conn: Connection,
        records: Sequence[WireRecord | StoredRecord],
        summary: SyncSummary | None = None,
    ) -> int:
        """Apply a page of records from the server: the replica's side of them is read in one
        go and the common writes are batched (see :mod:`desktop_crm.sync.local_batch`)."""
        if not records:
            return 0
        stored = [_stored(r) for r in records]
        # A person erased on the server: their data goes from everywhere here first, and
        # unsynced edits to them become a sync issue instead of being merged or sent.
        erased = erasure.erase_locally(conn, stored, self._erased_texts)
        if summary is not None:
            summary.erased += erased
        # Before the page lands: a customer deleted under our unsynced work is noticed (and
        # that work held back from push) instead of being refused later into the issues list.
        noticed = deleted_customers.note_page(conn, stored)
        if summary is not None:
            summary.newly_deleted_customers.extend(noticed)
        batch = LocalBatch(conn, ((r.entity.value, r.id) for r in stored))
        for record in stored:
            self._receive(batch, record)
        batch.flush()
        return len(records)

    def _receive_one(self, conn: Connection, wire: WireRecord | StoredRecord) -> None:
        theirs = _stored(wire)
        batch = LocalBatch(conn, [(theirs.entity.value, theirs.id)])
        self._receive(batch, theirs)
        batch.flush()

    def _receive(self, batch: LocalBatch, theirs: StoredRecord) -> None:
        """Apply one record from the server to the replica.

        - Not here yet, or no unsynced local edits: take the server's copy (unless ours is
          newer).
        - Unsynced local edits the server already has (an answer that was lost): those outbox
          entries are done; the newest of them is the new base.
        - The server's version contains everything we have: take it, nothing is pending.
        - Ours contains the server's: nothing new (the echo of our own push).
        - Otherwise both sides edited: merge three ways against the base copy. A clean merge
          becomes a new local edit that dominates both sides; a real conflict goes to the queue.
        """
        entity = theirs.entity
        key = (entity.value, theirs.id)
        mine = batch.record(key)
        if mine is None:
            batch.apply_remote(theirs)
            return
        pending = batch.pending(key)
        in_conflict = batch.in_conflict(key)
        if not pending and not in_conflict:
            if not mine.version.dominates(theirs.version) or theirs.version == mine.version:
                batch.apply_remote(theirs)
            batch.delete_base_copy(key)
            return
        if not in_conflict:
            # The two frequent cases with local edits, without leaving the batch.
            if theirs.version.dominates(mine.version):
                # Every edit we have is in the server's copy already (a lost answer).
                batch.apply_remote(theirs)
                for entry in pending:
                    batch.remove_outbox_entry(key, entry.change_id)
                batch.delete_base_copy(key)
                return
            if mine.version.dominates(theirs.version):
                return  # the echo of an edit of ours; later ones are still to be pushed
        with batch.direct(key) as conn:
            self._receive_edited(conn, entity, mine, pending, theirs)

    def _receive_edited(
        self,
        conn: Connection,
        entity: Entity,
        mine: StoredRecord,
        pending: list[book.OutboxEntry],
        theirs: StoredRecord,
    ) -> None:
        """The server's copy of a record with unsynced local edits (or in conflict)."""
        if theirs.version.dominates(mine.version):
            # Every edit we have is in the server's copy already.
            self._adopt(conn, theirs)
            return
        if mine.version.dominates(theirs.version):
            return
        acked = [e for e in pending if theirs.version.dominates(e.new_version)]
        if acked:
            # The server applied these, but we never heard: the newest one is our common base.
            book.remove_outbox_entries(conn, [e.change_id for e in acked])
            last = acked[-1]
            book.set_base_copy(conn, entity, theirs.id, last.new_version, last.deleted, last.data)
        base = book.get_base_copy(conn, entity, theirs.id)
        if base is not None and base.version.dominates(theirs.version):
            return
        self._merge(conn, entity, base, mine, theirs)

    def _adopt(self, conn: Connection, theirs: StoredRecord) -> None:
        """Take the server's copy as the synced state; nothing of ours is pending any more."""
        adopt_server_copy(conn, theirs)

    def _merge(
        self,
        conn: Connection,
        entity: Entity,
        base: book.BaseCopy | None,
        mine: StoredRecord,
        theirs: StoredRecord,
    ) -> None:
        result = three_way_merge(
            base.data if base is not None else None,
            mine.data,
            theirs.data,
            mine_deleted=mine.deleted,
            theirs_deleted=theirs.deleted,
        )
        record_id = mine.id
        if not result.clean:
            book.put_conflict(
                conn,
                entity=entity.value,
                record_id=record_id,
                kind="delete" if result.delete_conflict else "fields",
                fields=[c.name for c in result.conflicts],
                base=base.data if base is not None else None,
                mine=mine.data,
                theirs=theirs.data,
                mine_version=mine.version,
                theirs_version=theirs.version,
                mine_deleted=mine.deleted,
                theirs_deleted=theirs.deleted,
            )
            return
        if result.merged == theirs.data and result.deleted == theirs.deleted:
            # Both sides ended up the same: the server's copy is the synced state.
            self._adopt(conn, theirs)
            return
        self.write_resolution(
            conn,
            entity,
            record_id,
            result.merged,
            result.deleted,
            mine,
            theirs,
            changed_fields=result.changed_fields,
        )

    def write_resolution(
        self,
        conn: Connection,
        entity: Entity,
        record_id: str,
        data: dict[str, object],
        deleted: bool,
        mine: StoredRecord,
        theirs: StoredRecord,
        *,
        changed_fields: Iterable[str] | None = None,
    ) -> StoredRecord:
        """Store a merged or user-resolved record as a new local edit that dominates both
        sides, and queue it for the server (its base is the server's version)."""
        return write_resolution(
            conn,
            self._replica_id,
            self._user_id,
            entity,
            record_id,
            data,
            deleted,
            mine_version=mine.version,
            theirs=theirs,
            changed_fields=changed_fields,
        )

    # Push -------------------------------------------------------------------------------------

    def _push_all(self, summary: SyncSummary) -> bool:
        """Push the whole outbox; True when the answers left something to pull or push."""
        more_work = False
        sent_ids: set[str] = set()
        with self._db.connect() as conn:
            total = book.outbox_count(conn)
        done = 0
        while True:
            self.progress.check_cancelled()
            with self._db.connect() as conn:
                held = book.conflicted_records(conn) | deleted_customers.held_records(conn)
                entries = [
                    e
                    for e in book.pending_changes(conn, self._push_batch + len(sent_ids), held)
                    if e.change_id not in sent_ids
                ][: self._push_batch]
            if not entries:
                return more_work
            more_work |= self._push_entries(entries, summary)
            sent_ids.update(e.change_id for e in entries)
            done += len(entries)
            self.progress.report(Phase.PUSHING, done, max(total, done))

    def _push_entries(self, entries: Sequence[book.OutboxEntry], summary: SyncSummary) -> bool:
        """Send one batch in outbox order (the server applies it in order, so a contact may
        follow its new account, and a record's second edit its first); True when the answers
        left more work."""
        request = PushRequest(changes=[_to_change(e) for e in entries])
        try:
            response = self._client.push(request)
        except SyncError as exc:
            with self._writes.begin() as conn:
                book.note_push_failure(conn, [e.change_id for e in entries], str(exc)[:500])
            raise
        answers = {r.change_id: r for r in response.results}
        more_work = False
        with self._writes.begin() as conn:
            batch = LocalBatch(conn, ((e.entity, e.record_id) for e in entries))
            for entry in entries:
                answer = answers.get(entry.change_id)
                if answer is None:
                    continue  # not answered: stays in the outbox for the next round
                if not batch.still_queued((entry.entity, entry.record_id), entry.change_id):
                    continue  # superseded by a merge of an earlier answer in this batch
                more_work |= self._handle_answer(batch, entry, answer, summary)
            batch.flush()
        return more_work

    def _handle_answer(
        self,
        batch: LocalBatch,
        entry: book.OutboxEntry,
        answer: ChangeResult,
        summary: SyncSummary,
    ) -> bool:
        key = (entry.entity, entry.record_id)
        if answer.status in (ChangeStatus.APPLIED, ChangeStatus.ALREADY_APPLIED):
            batch.remove_outbox_entry(key, entry.change_id)
            summary.pushed += 1
            remaining = batch.pending(key)
            if answer.current is not None:
                current = StoredRecord.from_wire(answer.current)
                if remaining:
                    # Later local edits build on what the server now has.
                    batch.set_base_copy(key, current.version, current.deleted, current.data)
                else:
                    batch.delete_base_copy(key)
                    mine = batch.record(key)
                    if mine is None or current.version.dominates(mine.version):
                        batch.apply_remote(current)
            elif not remaining:
                batch.delete_base_copy(key)
            return False
        with batch.direct(key) as conn:
            return self._handle_refusal(conn, entry, answer, summary)

    def _handle_refusal(
        self,
        conn: Connection,
        entry: book.OutboxEntry,
        answer: ChangeResult,
        summary: SyncSummary,
    ) -> bool:
        """A ``conflict`` or ``rejected`` answer (rare: handled on the database directly)."""
        entity = Entity(entry.entity)
        if answer.status is ChangeStatus.CONFLICT:
            if answer.current is None:
                log.error("push: conflict without the server's record for %s", entry.change_id)
                return False
            self._receive_one(conn, answer.current)
            mine = store.read_record(conn, entity, entry.record_id)
            theirs = StoredRecord.from_wire(answer.current)
            if (
                _still_queued(conn, entry)
                and book.get_conflict(conn, entity, entry.record_id) is None
                and mine is not None
            ):
                # The server calls it a conflict but our copy already contains its version
                # (same version, different content): stamp ours anew so it dominates.
                self.write_resolution(
                    conn, entity, entry.record_id, mine.data, mine.deleted, mine, theirs
                )
            if book.get_conflict(conn, entity, entry.record_id) is not None:
                summary.new_conflicts.append((entity.value, entry.record_id))
            return True
        # Rejected: park the change for the user, restore the server's view of the record.
        book.remove_outbox_entries(conn, [entry.change_id])
        book.add_sync_issue(
            conn,
            change_id=entry.change_id,
            entity=entry.entity,
            record_id=entry.record_id,
            data=entry.data,
            deleted=entry.deleted,
            reason=answer.reason or "The server rejected this change.",
        )
        summary.new_issues += 1
        if not book.outbox_for_record(conn, entity, entry.record_id):
            book.delete_conflict(conn, entity, entry.record_id)
            self._restore_base(conn, entity, entry.record_id)
        return False

    def _restore_base(self, conn: Connection, entity: Entity, record_id: str) -> None:
        base = book.get_base_copy(conn, entity, record_id)
        if base is None:
            mine = store.read_record(conn, entity, record_id)
            if mine is not None and all(
                counter_owner == self._replica_id for counter_owner in mine.version
            ):
                store.purge_record(conn, entity, record_id)  # created here, never accepted
            return
        restore_base_copy(conn, entity, record_id, base)

    # Removals -----------------------------------------------------------------------------

    def _push_before_removal(self, removals: Sequence[Removal], summary: SyncSummary) -> None:
        self.progress.report(Phase.REMOVING)
        with self._db.connect() as conn:
            leaving = store.records_under(conn, removals)
            entries = [
                e for e in book.pending_changes(conn, 10**9) if (e.entity, e.record_id) in leaving
            ]
        for start in range(0, len(entries), self._push_batch):
            self._push_entries(entries[start : start + self._push_batch], summary)

    def _remove(self, conn: Connection, removals: Sequence[Removal]) -> int:
        if not removals:
            return 0
        leaving = store.records_under(conn, removals)
        for entity, record_id in leaving:
            self._park_and_purge(conn, Entity(entity), record_id, LEFT_SCOPE)
        return len(leaving)

    def _park_and_purge(
        self, conn: Connection, entity: Entity, record_id: str, reason: str
    ) -> None:
        """Drop a record from the replica; whatever of ours the server does not have (an
        unanswered change, a conflict) is parked as a sync issue first, never dropped."""
        pending = book.outbox_for_record(conn, entity, record_id)
        if pending:
            last = pending[-1]
            book.add_sync_issue(
                conn,
                change_id=last.change_id,
                entity=entity.value,
                record_id=record_id,
                data=last.data,
                deleted=last.deleted,
                reason=reason,
            )
            book.clear_outbox_for_record(conn, entity.value, record_id)
        else:
            conflict = book.get_conflict(conn, entity, record_id)
            if conflict is not None:
                book.add_sync_issue(
                    conn,
                    change_id=new_id(),
                    entity=entity.value,
                    record_id=record_id,
                    data=conflict.mine,
                    deleted=conflict.mine_deleted,
                    reason=reason,
                )
        book.delete_conflict(conn, entity, record_id)
        book.delete_base_copy(conn, entity, record_id)
        store.purge_record(conn, entity, record_id)


def adopt_server_copy(conn: Connection, theirs: StoredRecord) -> None:
    """Take the server's copy of a record as the synced state: nothing of ours is pending for
    it any more (no outbox entry, no base copy, no open conflict), and nothing is pushed."""
    store.apply_remote(conn, theirs)
    book.clear_outbox_for_record(conn, theirs.entity.value, theirs.id)
    book.delete_base_copy(conn, theirs.entity.value, theirs.id)
    book.delete_conflict(conn, theirs.entity.value, theirs.id)


def write_resolution(
    conn: Connection,
    replica_id: str,
    user_id: str,
    entity: Entity,
    record_id: str,
    data: dict[str, object],
    deleted: bool,
    *,
    mine_version: VersionVector,
    theirs: StoredRecord,
    changed_fields: Iterable[str] | None = None,
) -> StoredRecord:
    """Store a merged or resolved record as a local edit whose version dominates both sides
    (``mine ⊔ theirs`` plus this replica's bump), queue it for the server with the server's
    version as its base, keep the server's copy as the new base, and close any conflict."""
    version = mine_version.merge(theirs.version).bump(replica_id)
    if changed_fields is None:
        changed_fields = [k for k in data if data.get(k) != theirs.data.get(k)]
    merged = StoredRecord(
        entity=entity,
        id=record_id,
        version=version,
        deleted=deleted,
        updated_at=utc_now(),
        updated_by=user_id,
        data=dict(data),
    )
    store.apply_remote(conn, merged)
    book.clear_outbox_for_record(conn, entity.value, record_id)
    book.add_outbox_entry(
        conn,
        change_id=new_id(),
        entity=entity.value,
        record_id=record_id,
        base_version=theirs.version,
        new_version=version,
        changed_fields=changed_fields,
        deleted=deleted,
        data=dict(data),
    )
    book.set_base_copy(conn, entity.value, record_id, theirs.version, theirs.deleted, theirs.data)
    book.delete_conflict(conn, entity.value, record_id)
    return merged


def _nothing_new(page: PullPage, cursor: str) -> bool:
    """A pulled page that changes nothing here: no records, removals or unreadable records, and
    the cursor it returns is the one sent."""
    return (
        not page.records
        and not page.removals
        and not page.unreadable
        and not page.has_more
        and page.cursor == cursor
    )


def _still_queued(conn: Connection, entry: book.OutboxEntry) -> bool:
    return any(
        e.change_id == entry.change_id
        for e in book.outbox_for_record(conn, entry.entity, entry.record_id)
    )


def _to_change(entry: book.OutboxEntry) -> Change:
    return Change(
        change_id=entry.change_id,
        entity=Entity(entry.entity),
        record_id=entry.record_id,
        base_version=entry.base_version.to_dict(),
        new_version=entry.new_version.to_dict(),
        changed_fields=list(entry.changed_fields),
        deleted=entry.deleted,
        data=entry.data,
        # When the edit was made here: the server stamps the stage history with it, so a
        # call logged offline after creating a deal counts as "since the stage change" there
        # too (with the server's clock, the whole batch would look older than its push).
        changed_at=_edit_time(entry.created_at),
    )


def _edit_time(created_at: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(created_at)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _stored(record: WireRecord | StoredRecord) -> StoredRecord:
    return record if isinstance(record, StoredRecord) else StoredRecord.from_wire(record)


def restore_base_copy(
    conn: Connection, entity: Entity, record_id: str, base: book.BaseCopy
) -> None:
    """Put the last synced copy of a record back in place of the local edits, and forget it."""
    store.apply_remote(
        conn,
        StoredRecord(
            entity=entity,
            id=record_id,
            version=base.version,
            deleted=base.deleted,
            updated_at=utc_now(),
            updated_by="",
            data=base.data,
        ),
    )
    book.delete_base_copy(conn, entity.value, record_id)
