"""The command line's audit, backup and restore commands (``admin audit …``, ``backup``,
``restore``), kept out of :mod:`desktop_crm.server.cli` so that stays a dispatcher."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from desktop_crm.server import admin, backup
from desktop_crm.server.settings import ENV_PREFIX, audit_retention_days, resolve_database_url


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    adm: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    p = adm.add_parser(
        "audit",
        parents=[common],
        help="read, verify or purge the audit trail",
        description="list: entries newest first; verify: check the hash chain and report the "
        "first broken link; purge-expired: remove entries past the retention period",
    )
    p.add_argument("audit_action", choices=("list", "verify", "purge-expired"))
    p.add_argument("--user", help="list: entries by this user name")
    p.add_argument("--record", help="list: entries about this record id")
    p.add_argument("--since", help="list: entries at or after this ISO-8601 date or time")
    p.add_argument(
        "--action",
        dest="action_filter",
        help="list: this action, or a family of them (user, record…)",
    )
    p.add_argument("--limit", type=int, default=500, help="list: at most N entries")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--dry-run", action="store_true", help="purge-expired: report only")
    p.add_argument(
        "--retention-days",
        type=int,
        metavar="N",
        help=f"purge-expired: keep N days (default {ENV_PREFIX}AUDIT_RETENTION_DAYS, else 5 years)",
    )
    adm.add_parser(
        "new-epoch",
        parents=[common],
        help="after the database was put back by other means (PostgreSQL point-in-time "
        "recovery): clients resnapshot and send their unsynced edits again",
    )
    p = sub.add_parser(
        "backup",
        parents=[common],
        help="copy the database to a file while the server runs (SQLite: online backup; "
        "PostgreSQL: pg_dump)",
    )
    p.add_argument("--to", dest="target", type=Path, required=True, metavar="FILE")
    p = sub.add_parser(
        "restore",
        parents=[common],
        help="replace the database with a backup (stop the server first); clients "
        "resnapshot and send their unsynced edits again",
    )
    p.add_argument("--from", dest="source", type=Path, required=True, metavar="FILE")


def run_audit(engine: Engine, args: argparse.Namespace) -> int:
    if args.audit_action == "verify":
        return _verify(engine, args)
    if args.audit_action == "purge-expired":
        days = args.retention_days if args.retention_days is not None else audit_retention_days()
        if days < 1:
            raise ValueError("--retention-days must be at least 1")
        result = admin.audit_purge(engine, days, dry_run=args.dry_run)
        verb = "would purge" if args.dry_run else "purged"
        if args.json:
            print(
                json.dumps(
                    {
                        "purged": result.purged,
                        "through_id": result.through_id,
                        "before": result.cutoff,
                        "dry_run": args.dry_run,
                    }
                )
            )
        else:
            print(
                f"{verb} {result.purged} audit entr{'y' if result.purged == 1 else 'ies'} "
                f"older than {result.cutoff}"
            )
        return 0
    if args.limit < 1:
        raise ValueError("--limit must be at least 1")
    entries = admin.audit_list(
        engine,
        username=args.user,
        record_id=args.record,
        since=args.since,
        action=args.action_filter,
        limit=args.limit,
    )
    if args.json:
        print(json.dumps(entries, ensure_ascii=False, indent=2))
        return 0
    for entry in entries:
        print(_line(entry))
    if not entries:
        print("no audit entries")
    return 0


def _verify(engine: Engine, args: argparse.Namespace) -> int:
    report = admin.audit_verify(engine)
    if args.json:
        broken = (
            None if report.broken is None else {"id": report.broken[0], "problem": report.broken[1]}
        )
        print(
            json.dumps(
                {
                    "ok": report.ok,
                    "checked": report.checked,
                    "broken": broken,
                    "redacted": report.redacted,
                    "starts_after": report.base_id,
                }
            )
        )
    elif report.broken is None:
        start = f" (from after entry {report.base_id})" if report.base_id else ""
        print(
            f"audit chain intact: {report.checked} entries checked{start}, "
            f"{report.redacted} redacted"
        )
    else:
        print(f"audit chain BROKEN at entry {report.broken[0]}: {report.broken[1]}")
    return 0 if report.ok else 3


def _line(entry: dict[str, Any]) -> str:
    what = f"{entry['entity']}:{entry['record_id']}" if entry["record_id"] else "-"
    who = entry["username"] or entry["actor_id"]
    detail = json.dumps(entry["detail"], ensure_ascii=False)
    return (
        f"{entry['id']:>7}  {entry['at'][:19]}  {who:<16} {entry['action']:<18} {what}  "
        f"{entry['address'] or '-'}  {detail}"
    )


def run_new_epoch(engine: Engine) -> int:
    epoch = backup.new_epoch(engine, {"by": "admin new-epoch"})
    print(f"new server epoch {epoch}: clients take a fresh snapshot at their next sync")
    return 0


def run_backup(args: argparse.Namespace) -> int:
    url = resolve_database_url(args.database, args.data_dir)
    if args.command == "backup":
        backup.backup(url, args.target)
        print(f"backed up to {args.target}")
        return 0
    result = backup.restore(url, args.source)
    print(
        f"restored from {args.source} (schema {result.revision}); new server epoch "
        f"{result.epoch}: clients take a fresh snapshot and send their unsynced edits again"
    )
    return 0
