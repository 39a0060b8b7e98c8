"""``admin person export|erase`` and ``admin archive|restore-archived``: the data-subject and
archive commands of ``desktop-crm-server`` (kept beside :mod:`server.cli`, which wires them)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy import Engine

from desktop_crm.server import admin
from desktop_crm.server.archive import DEFAULT_AGE

ACTIONS = frozenset({"person", "archive", "restore-archived"})
#: Archived accounts listed one by one, at most.
LISTED = 50


def add_parsers(
    adm: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    person = adm.add_parser("person", help="export or erase what is held about a contact")
    what = person.add_subparsers(dest="person_action", required=True)
    p = what.add_parser("export", parents=[common], help="everything held about them, as JSON")
    p.add_argument("contact_id")
    p.add_argument("--to", type=Path, metavar="FILE", help="write to FILE (default: stdout)")
    p = what.add_parser(
        "erase", parents=[common], help="replace their personal data everywhere (replicas too)"
    )
    p.add_argument("contact_id")
    p.add_argument("--reason", required=True, help="why (kept in the audit; no personal data)")
    p = adm.add_parser(
        "archive",
        parents=[common],
        help="archive accounts with no change, activity or open opportunity for a while",
    )
    p.add_argument(
        "--older-than", default=DEFAULT_AGE, metavar="AGE", help="e.g. 2y, 18m, 90d (default 2y)"
    )
    p.add_argument("--dry-run", action="store_true", help="list them; archive nothing")
    p = adm.add_parser(
        "restore-archived", parents=[common], help="give an archived account back to its owner"
    )
    p.add_argument("account_id")


def run(engine: Engine, args: argparse.Namespace) -> int:
    try:
        if args.action == "person":
            return _person(engine, args)
        if args.action == "archive":
            report = admin.archive_inactive(engine, args.older_than, dry_run=args.dry_run)
            verb = "would archive" if report.dry_run else "archived"
            print(f"{verb} {len(report.accounts)} account(s) quiet for {args.older_than}")
            for account_id in report.accounts[:LISTED]:
                print(f"  {account_id}")
            if len(report.accounts) > LISTED:
                print(f"  … and {len(report.accounts) - LISTED} more")
            return 0
        owner = admin.restore_archived(engine, args.account_id)
        back = f"back with its owner {owner}" if owner else "unassigned (its owner is gone)"
        print(f"account {args.account_id} restored, {back}")
        return 0
    except LookupError as exc:
        print(f"desktop-crm-server: not found: {exc}", file=sys.stderr)
        return 2


def _person(engine: Engine, args: argparse.Namespace) -> int:
    if args.person_action == "export":
        found = admin.export_person(engine, args.contact_id)
        text = json.dumps(found, indent=2, ensure_ascii=False)
        if args.to is None:
            print(text)
        else:
            args.to.write_text(text + "\n", encoding="utf-8")
            print(f"wrote {args.to}")
        return 0
    report = admin.erase_person(engine, args.contact_id, args.reason)
    print(
        f"erased contact {report.contact_id}: {report.activities} activit(ies), "
        f"{report.audit_entries} audit entr(ies) and {report.former_names} former name(s) "
        "scrubbed; replicas erase it at their next sync"
    )
    return 0
