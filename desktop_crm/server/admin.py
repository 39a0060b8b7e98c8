"""Admin command implementations for ``desktop-crm-server admin …`` and ``demo-data``.

Each command opens one write transaction: it either happens completely or not at all.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, select, tuple_

from desktop_crm.domain.duplicates import Party, PartyIndex, account_party, contact_party
from desktop_crm.domain.fields import RecordField, value_from_text
from desktop_crm.domain.records import (
    FIELDS,
    RECORD_TYPES,
    AccountStatus,
    Entity,
    PipelineStage,
    new_id,
)
from desktop_crm.domain.repair import repaired_text, repaired_vector
from desktop_crm.domain.shape import data_problems
from desktop_crm.domain.status_rules import StatusRule, status_rule_from_dict
from desktop_crm.domain.tag_rules import TagRule, TagRuleError, parse_rule_file
from desktop_crm.domain.validation import ValidationFailed, ensure_valid
from desktop_crm.domain.version_vector import SERVER_REPLICA_ID, VersionVector
from desktop_crm.protocol.messages import Role
from desktop_crm.server import (
    archive,
    audit,
    bulk,
    config_store,
    directory,
    duplicates,
    erasure,
    merge,
    tag_store,
    tags,
    tombstones,
)
from desktop_crm.server import models as m
from desktop_crm.server.db import write_transaction
from desktop_crm.server.duplicates import ScanReport
from desktop_crm.server.store import ServerRecord, load, stored_others_wrote, write_record
from desktop_crm.server.tombstones import PurgeReport

#: Admin CLI actions are attributed to the server itself.
CLI_ACTOR = SERVER_REPLICA_ID
DEMO_PASSWORD = "demo"
DEMO_TEAM = "Demo team"
#: username -> (role, in the demo team)
DEMO_USERS: dict[str, tuple[Role, bool]] = {
    "rep1": (Role.REP, True),
    "rep2": (Role.REP, True),
    "manager1": (Role.MANAGER, True),
    "desk1": (Role.SERVICE_DESK, False),
    "admin": (Role.ADMIN, False),
}


def _write(engine: Engine) -> Any:
    conn = engine.connect()
    return _Tx(conn)


class _Tx:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._tx: Any = None

    def __enter__(self) -> Connection:
        self._tx = write_transaction(self.conn)
        return self._tx.__enter__()  # type: ignore[no-any-return]

    def __exit__(self, *exc: object) -> None:
        try:
            self._tx.__exit__(*exc)
        finally:
            self.conn.close()


def create_team(engine: Engine, name: str) -> str:
    with _write(engine) as conn:
        return directory.create_team(conn, name, CLI_ACTOR)


def create_user(engine: Engine, username: str, password: str, role: Role, team: str | None) -> str:
    directory.check_password_policy(password)
    with _write(engine) as conn:
        return directory.create_user(conn, username, password, role, CLI_ACTOR, team)


def set_role(engine: Engine, username: str, role: Role) -> None:
    with _write(engine) as conn:
        directory.set_role(conn, username, role, CLI_ACTOR)


def set_team(engine: Engine, username: str, team: str | None) -> None:
    with _write(engine) as conn:
        directory.set_team(conn, username, team, CLI_ACTOR)


def set_password(engine: Engine, username: str, password: str) -> None:
    directory.check_password_policy(password)
    with _write(engine) as conn:
        directory.set_password(conn, username, password, CLI_ACTOR)


def set_active(engine: Engine, username: str, active: bool) -> bool:
    """``admin disable-user`` / ``enable-user``: False when the user already was."""
    with _write(engine) as conn:
        return directory.set_active(conn, username, active, CLI_ACTOR)


def assign(engine: Engine, account_ids: Sequence[str], username: str | None) -> int:
    with _write(engine) as conn:
        user_id = directory.find_user(conn, username).id if username else None
        for account_id in account_ids:
            directory.assign(conn, account_id, user_id, CLI_ACTOR)
        return len(account_ids)


def reassign(engine: Engine, from_user: str, to_user: str) -> int:
    with _write(engine) as conn:
        return directory.reassign_all(conn, from_user, to_user, CLI_ACTOR)


def revoke_device(engine: Engine, device_id: str) -> None:
    with _write(engine) as conn:
        directory.revoke_device(conn, device_id, CLI_ACTOR)


def purge_tombstones(engine: Engine, *, stale_days: int, dry_run: bool = False) -> PurgeReport:
    """Purge the tombstones every active device has pulled past (see :mod:`tombstones`)."""
    with _write(engine) as conn:
        return tombstones.purge(conn, stale_days, dry_run=dry_run, actor_id=CLI_ACTOR)


def audit_filter(
    conn: Connection,
    *,
    username: str | None = None,
    record_id: str | None = None,
    since: str | None = None,
    action: str | None = None,
    limit: int = 500,
) -> audit.AuditFilter:
    """The filter of ``admin audit list`` (and the audit route): an unknown user name or a
    malformed date is :class:`audit.AuditQueryError`."""
    user_id = None
    if username is not None:
        user_id = conn.scalar(
            select(m.users.c.id).where(m.users.c.username == directory.checked("user", username))
        )
        if user_id is None:
            raise audit.AuditQueryError(f"no user named {username}")
    return audit.AuditFilter(
        user_id=user_id,
        record_id=None if record_id is None else directory.checked("record id", record_id),
        since=None if since is None else audit.parse_since(since),
        action=action,
        limit=limit,
    )


def audit_list(engine: Engine, **filters: Any) -> list[dict[str, Any]]:
    """``admin audit list``: matching entries, newest first."""
    with engine.connect() as conn, conn.begin():
        return audit.list_entries(conn, audit_filter(conn, **filters))


def audit_verify(engine: Engine) -> audit.VerifyReport:
    with engine.connect() as conn, conn.begin():
        return audit.verify(conn)


def audit_purge(engine: Engine, retention_days: int, *, dry_run: bool) -> audit.PurgeResult:
    with _write(engine) as conn:
        return audit.purge_expired(conn, timedelta(days=retention_days), CLI_ACTOR, dry_run=dry_run)


def list_devices(engine: Engine, username: str | None) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return directory.list_devices(conn, username)


def set_stages(engine: Engine, path: Path) -> int:
    """A JSON list of stages: ``{"key", "name", "default_probability", ...}`` in order."""
    items = _json_list(path)
    stages = []
    for position, item in enumerate(items, start=1):
        try:
            stages.append(PipelineStage(position=position, **item))
        except TypeError as exc:
            raise directory.DirectoryError(f"{path}: stage {position}: {exc}") from None
    with _write(engine) as conn:
        before = config_store.load_stages(conn)
        config_store.set_stages(conn, stages)
        _audit_setting(conn, "stages", before, stages)
    return len(stages)


def status_rules(engine: Engine) -> list[StatusRule]:
    """The status rules in force (the default when none is configured)."""
    with engine.connect() as conn:
        return config_store.load_status_rules(conn)


def set_status_rules(engine: Engine, path: Path | None) -> int:
    """A JSON list of ``{"when", "to_status", "only_from"}`` in order (``[]``: no rules);
    ``path`` None: back to the default rule. Returns how many rules are now in force."""
    rules: list[StatusRule] | None = None
    if path is not None:
        rules = []
        for position, item in enumerate(_json_list(path), start=1):
            try:
                rules.append(status_rule_from_dict(item))
            except ValueError as exc:
                raise directory.DirectoryError(f"{path}: rule {position}: {exc}") from None
    with _write(engine) as conn:
        before = config_store.load_status_rules(conn)
        try:
            config_store.set_status_rules(conn, rules)
        except ValueError as exc:
            raise directory.DirectoryError(f"status rules: {exc}") from None
        after = config_store.load_status_rules(conn)
        _audit_setting(conn, "status_rules", before, after)
        return len(after)


def read_tag_rules(path: Path) -> list[TagRule]:
    """The rules in a TOML or JSON file (JSON: a ``.json`` name or text starting with ``{``/``[``),
    or DirectoryError naming the file, the line and the reason."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise directory.DirectoryError(f"cannot read {path}: {exc}") from None
    try:
        return parse_rule_file(text, json_format=True if path.suffix == ".json" else None)
    except TagRuleError as exc:
        raise directory.DirectoryError(f"{path}: {exc}") from None


def set_tag_rules(engine: Engine, path: Path) -> tuple[list[TagRule], tags.EvaluationReport]:
    """Store the rules in ``path`` (nothing changes when the file is refused) and evaluate
    every account under them."""
    rules = read_tag_rules(path)
    with _write(engine) as conn:
        tag_store.save_rules(conn, rules)
    return rules, tags.evaluate_all(engine)


def tag_rules(engine: Engine) -> list[TagRule]:
    with engine.connect() as conn:
        return tag_store.load_rules(conn)


def set_statuses(engine: Engine, path: Path) -> int:
    """A JSON list of ``{"key", "name"}`` in order."""
    items = _json_list(path)
    statuses = []
    for position, item in enumerate(items, start=1):
        try:
            statuses.append(AccountStatus(position=position, **item))
        except TypeError as exc:
            raise directory.DirectoryError(f"{path}: status {position}: {exc}") from None
    with _write(engine) as conn:
        before = config_store.load_statuses(conn)
        config_store.set_statuses(conn, statuses)
        _audit_setting(conn, "statuses", before, statuses)
    return len(statuses)


def _audit_setting(
    conn: Connection, name: str, before: Sequence[object], after: Sequence[object]
) -> None:
    """A settings change in the audit trail, with the old and the new value."""

    def plain(items: Sequence[object]) -> list[object]:
        return [asdict(i) if is_dataclass(i) and not isinstance(i, type) else i for i in items]

    audit.event(
        conn, CLI_ACTOR, None, f"settings.{name}", {"from": plain(before), "to": plain(after)}
    )


def _json_list(path: Path) -> list[dict[str, Any]]:
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise directory.DirectoryError(f"cannot read {path}: {exc}") from None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise directory.DirectoryError(f"{path}: expected a JSON list of objects")
    return items


# CSV import ------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    imported: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    #: Rows that match existing data (or an earlier row): line, the row's record id (None when
    #: skipped), and what they match as "id (score: reasons)".
    flagged: list[tuple[int, str | None, list[str]]] = field(default_factory=list)
    skipped: int = 0


#: What CSV import does with a row that matches existing data.
ON_DUPLICATE = ("flag", "skip")


def import_csv(
    engine: Engine,
    entity: Entity,
    path: Path,
    *,
    dry_run: bool = False,
    on_duplicate: str = "flag",
) -> ImportReport:
    """Import records from a CSV file whose header names the entity's fields (plus ``id`` and,
    for accounts, ``owner`` as a user name). Rows that fail are reported with their line number
    and reason; the rest are imported in one transaction (none with ``dry_run``).

    Accounts and contacts are checked against the stored ones (and the file's earlier rows): a
    match is imported and its pairs queued for review (``flag``), or left out (``skip``); both
    are reported."""
    if on_duplicate not in ON_DUPLICATE:
        raise directory.DirectoryError(f"--on-duplicate is one of {', '.join(ON_DUPLICATE)}")
    report = ImportReport()
    try:
        _import_file(engine, entity, path, report, dry_run, on_duplicate)
    except _DryRun:
        pass
    return report


def find_duplicates(engine: Engine, entity: Entity, threshold: float) -> ScanReport:
    """``admin find-duplicates``: scan and fill the review queue."""
    with _write(engine) as conn:
        return duplicates.scan(conn, entity, threshold)


def merge_records(
    engine: Engine, entity: Entity, survivor_id: str, loser_id: str, take_from_loser: list[str]
) -> merge.MergeResult:
    with _write(engine) as conn:
        return merge.merge(conn, entity, survivor_id, loser_id, take_from_loser, CLI_ACTOR)


def undo_merge(engine: Engine, merge_id: str) -> str:
    with _write(engine) as conn:
        return merge.undo(conn, merge_id, CLI_ACTOR)


def list_merges(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return merge.list_merges(conn)


class _DryRun(Exception):
    """Raised to roll the import back after checking every row."""


class _ImportDuplicates:
    """The stored accounts or contacts, and the rows imported so far, to check rows against."""

    def __init__(self, conn: Connection, entity: Entity, on_duplicate: str) -> None:
        self.entity = entity
        self.skip = on_duplicate == "skip"
        self.index = PartyIndex()
        self.pairs: list[duplicates.FoundPair] = []
        if entity in duplicates.SCANNED:
            for record_id, party in zip(*duplicates.load_parties(conn, entity), strict=True):
                self.index.add(record_id, party)

    def check(self, line: int, row: dict[str, str | None], report: ImportReport) -> bool:
        """False when the row is to be skipped (reported)."""
        if self.entity not in duplicates.SCANNED:
            return True
        party = _row_party(self.entity, row)
        hits = self.index.matches(party)
        if not hits:
            return True
        shown = [f"{rid} ({s.score:g}: {', '.join(s.reasons)})" for rid, s in hits[:5]]
        report.flagged.append((line, None, shown))
        if self.skip:
            report.skipped += 1
            return False
        return True

    def imported(self, record_id: str, row: dict[str, str | None], report: ImportReport) -> None:
        if self.entity not in duplicates.SCANNED:
            return
        party = _row_party(self.entity, row)
        if report.flagged and report.flagged[-1][1] is None and not self.skip:
            line, _, shown = report.flagged[-1]
            report.flagged[-1] = (line, record_id, shown)
            for other, result in self.index.matches(party):
                id_a, id_b = sorted((other, record_id))
                self.pairs.append(
                    duplicates.FoundPair(
                        self.entity.value, id_a, id_b, result.score, tuple(result.reasons)
                    )
                )
        self.index.add(record_id, party)


def _row_party(entity: Entity, row: dict[str, str | None]) -> Party:
    name = (row.get("name") or "").strip()
    if entity is Entity.ACCOUNT:
        return account_party(name)
    fields = FIELDS[entity]
    try:
        phones = value_from_text(fields["phones"], row.get("phones") or "")
        emails = value_from_text(fields["emails"], row.get("emails") or "")
    except ValueError:
        phones, emails = [], []  # the row itself is refused with the reason
    e164 = [str(p.get("e164") or "") if isinstance(p, dict) else p.e164 for p in phones]
    return contact_party(name, e164, emails)


def _import_file(
    engine: Engine,
    entity: Entity,
    path: Path,
    report: ImportReport,
    dry_run: bool,
    on_duplicate: str = "flag",
) -> None:
    fields = FIELDS[entity]
    with _write(engine) as conn:
        checker = _ImportDuplicates(conn, entity, on_duplicate)
        try:
            handle = path.open(newline="", encoding="utf-8-sig")
        except OSError as exc:
            raise directory.DirectoryError(f"cannot read {path}: {exc}") from None
        with handle:
            reader = csv.DictReader(handle)
            unknown = set(reader.fieldnames or ()) - set(fields) - {"id", "owner"}
            if unknown:
                raise directory.DirectoryError(
                    f"{path}: unknown column(s) for {entity}: {', '.join(sorted(unknown))}"
                )
            seen: set[str] = set()
            for row in reader:
                line = reader.line_num
                if not checker.check(line, row, report):
                    continue
                try:
                    record_id = _import_row(conn, entity, fields, row, seen)
                except (ValueError, directory.DirectoryError) as exc:
                    if report.flagged and report.flagged[-1][0] == line:
                        report.flagged.pop()
                    report.rejected.append((line, str(exc)))
                    continue
                checker.imported(record_id, row, report)
                report.imported += 1
        duplicates.store_pairs(conn, entity, checker.pairs, replace_open=False)
        if dry_run:
            raise _DryRun


def _import_row(
    conn: Connection,
    entity: Entity,
    fields: Mapping[str, RecordField],
    row: dict[str, str | None],
    seen: set[str],
) -> str:
    data: dict[str, Any] = {}
    for name, cell in row.items():
        if name in fields and cell is not None:
            try:
                data[name] = value_from_text(fields[name], cell)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
    record_id = (row.get("id") or "").strip() or new_id()
    if record_id in seen or load(conn, entity, record_id) is not None:
        raise ValueError(f"a {entity} with id {record_id} already exists")
    owner_id = None
    if entity == Entity.ACCOUNT and (row.get("owner") or "").strip():
        owner_id = directory.find_user(conn, str(row["owner"]).strip()).id
        data["owner_id"] = owner_id
    problems = data_problems(entity, data)
    if problems:
        raise ValueError("; ".join(problems))
    try:
        record = RECORD_TYPES[entity].from_data(data)
    except TypeError as exc:
        raise ValueError(f"missing required column: {exc}") from None
    try:
        ensure_valid(record)
    except ValidationFailed as exc:
        raise ValueError(str(exc)) from None
    clean = record.data()
    if entity != Entity.ACCOUNT:
        account = load(conn, Entity.ACCOUNT, clean.get("account_id") or "")
        if account is None and clean.get("account_id") not in seen:
            raise ValueError(f"no account with id {clean.get('account_id')}")
    write_record(
        conn,
        previous=None,
        entity=entity,
        record_id=record_id,
        data=clean,
        version=VersionVector({SERVER_REPLICA_ID: 1}),
        deleted=False,
        actor_id=CLI_ACTOR,
        device_id=None,
        changed_fields=sorted(clean),
    )
    if owner_id is not None:
        directory.set_assignment(conn, record_id, owner_id, CLI_ACTOR, announce=False)
    seen.add(record_id)
    return record_id


# Demo data -------------------------------------------------------------------------------------


def demo_data(engine: Engine, accounts: int, seed: int, password: str) -> dict[str, int]:
    """Demo users (rep1, rep2 and manager1 in one team, desk1, admin) and generated records
    owned by the two reps.

    Exempt from the password policy (:func:`directory.check_password_policy`): demo data is
    demo mode by definition, and its users sign in with :data:`DEMO_PASSWORD` ("demo"), which
    the policy would refuse. Never put demo users on a server holding real data."""
    from desktop_crm.domain import demo_data as generator

    with _write(engine) as conn:
        existing = conn.scalar(select(func.count()).select_from(m.records)) or 0
        if existing:
            raise directory.DirectoryError(
                f"the database already holds {existing} records; demo data goes into an empty one"
            )
        if conn.scalar(select(m.teams.c.id).where(m.teams.c.name == DEMO_TEAM)) is None:
            directory.create_team(conn, DEMO_TEAM, CLI_ACTOR)
        ids: dict[str, str] = {}
        for username, (role, in_team) in DEMO_USERS.items():
            try:
                ids[username] = directory.find_user(conn, username).id
            except directory.DirectoryError:
                ids[username] = directory.create_user(
                    conn, username, password, role, CLI_ACTOR, DEMO_TEAM if in_team else None
                )
        owners = [ids["rep1"], ids["rep2"]]
        count = bulk.load_records(
            conn, generator.generate(seed=seed, accounts=accounts, owner_ids=owners), CLI_ACTOR
        )
    return {"records": count, "users": len(ids)}


# Repairing stored records -----------------------------------------------------------------------

#: Records read per query while looking for ones to repair.
REPAIR_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class RepairedRecord:
    entity: str
    id: str
    #: What was wrong, one line each.
    problems: list[str]
    #: The version written (with the server's entry bumped); None on a dry run.
    version: dict[str, int] | None = None


@dataclass(slots=True)
class RepairReport:
    dry_run: bool
    checked: int = 0
    repaired: list[RepairedRecord] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "checked": self.checked,
            "repaired": [
                {"entity": r.entity, "id": r.id, "problems": r.problems, "version": r.version}
                for r in self.repaired
            ],
        }


def repair_records(engine: Engine, *, dry_run: bool = False) -> RepairReport:
    """Find stored records whose version or data today's rules refuse (a vector with
    unreadable or too many keys or oversize counters, text that is not Unicode) and repair
    them: invalid vector entries dropped, unreadable characters replaced, and the server's
    entry bumped so that every replica takes the repaired copy through the normal feed."""
    report = RepairReport(dry_run=dry_run)
    with _write(engine) as conn:
        after = ("", "")
        while True:
            rows = conn.execute(
                select(m.records)
                .where(tuple_(m.records.c.entity, m.records.c.id) > after)
                .order_by(m.records.c.entity, m.records.c.id)
                .limit(REPAIR_CHUNK)
            ).all()
            if not rows:
                break
            after = (rows[-1].entity, rows[-1].id)
            report.checked += len(rows)
            for row in rows:
                repaired = _repair_row(conn, row, dry_run)
                if repaired is not None:
                    report.repaired.append(repaired)
    return report


def _repair_row(conn: Connection, row: Any, dry_run: bool) -> RepairedRecord | None:
    entity, record_id = row.entity, row.id
    problems: list[str] = []
    version = repaired_vector(_json_or_none(row.version), problems)
    data = _json_or_none(row.data)
    if not isinstance(data, dict):
        return None  # not a record this command can mend; nothing served reads it as one
    clean_data = repaired_text(data)
    if clean_data != data:
        problems.append("text that is not valid Unicode replaced with U+FFFD")
    if not problems:
        return None
    if dry_run:
        return RepairedRecord(entity, record_id, problems)
    # The previous copy as repaired (read by hand: the stored vector may not even parse), so
    # that the history rows compare readable text only.
    current = ServerRecord(
        entity=Entity(entity),
        id=record_id,
        account_id=row.account_id,
        data=clean_data,
        version=version,
        deleted=bool(row.deleted),
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        created_by=row.created_by,
        others_wrote=stored_others_wrote(row.others_wrote),
    )
    stored = write_record(
        conn,
        previous=current,
        entity=Entity(entity),
        record_id=record_id,
        data=clean_data,
        version=version.bump(SERVER_REPLICA_ID),
        deleted=current.deleted,
        actor_id=CLI_ACTOR,
        device_id=None,
        changed_fields=sorted(k for k in clean_data if clean_data[k] != data.get(k)),
    )
    return RepairedRecord(entity, record_id, problems, stored.version.to_dict())


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


# People and the archive (``admin person …``, ``admin archive …``) -----------------------------


def export_person(engine: Engine, contact_id: str) -> dict[str, Any]:
    with _write(engine) as conn:
        found = erasure.export_person(conn, contact_id)
        erasure.audit_export(conn, contact_id, found, CLI_ACTOR, None)
        return found


def erase_person(engine: Engine, contact_id: str, reason: str) -> erasure.ErasureReport:
    with _write(engine) as conn:
        return erasure.erase_person(conn, contact_id, reason, CLI_ACTOR)


def archive_inactive(engine: Engine, older_than: str, *, dry_run: bool) -> archive.ArchiveReport:
    age = archive.parse_age(older_than)
    with _write(engine) as conn:
        return archive.archive_inactive(conn, age, CLI_ACTOR, dry_run=dry_run)


def restore_archived(engine: Engine, account_id: str) -> str | None:
    with _write(engine) as conn:
        return archive.restore(conn, account_id, CLI_ACTOR)
