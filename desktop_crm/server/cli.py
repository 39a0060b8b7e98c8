"""``desktop-crm-server``: serve, migrate, admin commands, demo data."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import logging
import os
import ssl
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from desktop_crm.domain.duplicates import DEFAULT_THRESHOLD
from desktop_crm.domain.records import Entity
from desktop_crm.protocol.messages import Role
from desktop_crm.server import admin, cli_privacy, cli_trust, db, tags
from desktop_crm.server.audit import AuditQueryError
from desktop_crm.server.backup import BackupError
from desktop_crm.server.directory import DirectoryError, check_password_policy
from desktop_crm.server.settings import (
    ENV_PREFIX,
    Settings,
    SettingsError,
    resolve_database_url,
    stale_device_days,
)

ROLES = [r.value for r in Role]


def _common() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--database",
        metavar="URL",
        help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db "
        "(default: SQLite file in the data directory)",
    )
    parent.add_argument("--data-dir", metavar="DIR", type=Path, help="server data directory")
    parent.add_argument(
        "--demo",
        action="store_true",
        default=None,
        help=f"demo mode (also {ENV_PREFIX}DEMO=1): a generated secret, demo passwords",
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(prog="desktop-crm-server", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", parents=[common], help="run the server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    _log_arguments(serve)
    serve.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get(ENV_PREFIX + "WORKERS", "1")),
        help=f"server processes (also {ENV_PREFIX}WORKERS; default 1). Each has its own "
        "connection pool; tokens work with any of them",
    )
    serve.add_argument(
        "--min-client-version",
        metavar="VERSION",
        help=f"refuse sign-ins from Desktop CRM older than this, e.g. 0.3 (also "
        f"{ENV_PREFIX}MIN_CLIENT_VERSION; default: any)",
    )
    _tls_arguments(serve)

    sub.add_parser("migrate", parents=[common], help="bring the database schema up to date")

    demo = sub.add_parser(
        "demo-data", parents=[common], help="fill an empty database with demo data"
    )
    demo.add_argument("--accounts", type=int, default=2000)
    demo.add_argument("--seed", type=int, default=1)
    _password_options(
        demo, "password for the demo users (default “demo” in demo mode; first line of FILE)"
    )

    adm = sub.add_parser("admin", help="administration").add_subparsers(
        dest="action", required=True
    )
    p = adm.add_parser("create-user", parents=[common])
    p.add_argument("username")
    p.add_argument("--role", choices=ROLES, required=True)
    p.add_argument("--team")
    _password_options(p, _PASSWORD_HELP)
    p = adm.add_parser("set-password", parents=[common], help="also ends the user's sessions")
    p.add_argument("username")
    _password_options(p, _PASSWORD_HELP)
    p = adm.add_parser(
        "disable-user", parents=[common], help="refuse the user's sign-ins and tokens at once"
    )
    p.add_argument("username")
    p = adm.add_parser("enable-user", parents=[common], help="let a disabled user sign in again")
    p.add_argument("username")
    p = adm.add_parser("create-team", parents=[common])
    p.add_argument("name")
    p = adm.add_parser("set-role", parents=[common])
    p.add_argument("username")
    p.add_argument("role", choices=ROLES)
    p = adm.add_parser("set-team", parents=[common])
    p.add_argument("username")
    p.add_argument("team", nargs="?", help="omit to take the user out of any team")
    p = adm.add_parser("assign", parents=[common], help="give accounts to a user")
    p.add_argument("username", help="new owner (use --unassign to leave unassigned)")
    p.add_argument("account_ids", nargs="+", metavar="ACCOUNT_ID")
    p = adm.add_parser("reassign", parents=[common], help="move all accounts of one user")
    p.add_argument("--from", dest="from_user", required=True)
    p.add_argument("--to", dest="to_user", required=True)
    p = adm.add_parser("set-stages", parents=[common], help="pipeline stages from a JSON file")
    p.add_argument("file", type=Path)
    p = adm.add_parser("set-statuses", parents=[common], help="account statuses from JSON")
    p.add_argument("file", type=Path)
    _add_status_rules_parser(adm, common)
    _add_tag_parsers(adm, common)
    _add_duplicate_parsers(adm, common)
    cli_privacy.add_parsers(adm, common)
    p = adm.add_parser("revoke-device", parents=[common])
    p.add_argument("device_id")
    p = adm.add_parser("list-devices", parents=[common])
    p.add_argument("--user")
    p = adm.add_parser(
        "repair-records",
        parents=[common],
        help="find and repair stored records whose version or text the rules refuse",
    )
    p.add_argument("--dry-run", action="store_true", help="report only; change nothing")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p = adm.add_parser(
        "purge-tombstones",
        parents=[common],
        help="delete tombstones every active device has pulled past",
    )
    p.add_argument("--dry-run", action="store_true", help="report only; delete nothing")
    p.add_argument(
        "--stale-days",
        type=int,
        metavar="N",
        help="devices that have not pulled for N days stop holding tombstones back "
        f"(default {ENV_PREFIX}STALE_DEVICE_DAYS, else 90); they resnapshot if they return",
    )
    cli_trust.add_parsers(sub, adm, common)
    return parser


_PASSWORD_HELP = (
    f"read the password from the first line of FILE (“-”: standard input); else "
    f"{ENV_PREFIX}NEW_PASSWORD, else asked"
)
_PASSWORD_REMOVED = (
    "--password was removed: a password on the command line shows in the process list. "
    f"Use --password-file FILE, {ENV_PREFIX}NEW_PASSWORD, or type it when asked."
)


def _password_options(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--password-file", metavar="FILE", help=help_text)
    # Kept, hidden, only to refuse it with a clear message: without it argparse would read
    # ``--password x`` as an abbreviation of ``--password-file x``.
    parser.add_argument("--password", dest="removed_password", help=argparse.SUPPRESS)


def _password_from_file(args: argparse.Namespace) -> str | None:
    """The first line of ``--password-file`` (None without one); refuses ``--password``."""
    if args.removed_password is not None:
        raise DirectoryError(_PASSWORD_REMOVED)
    name: str | None = args.password_file
    if name is None:
        return None
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DirectoryError(f"cannot read the password file {name}: {exc}") from None
    lines = text.splitlines()
    if not lines or not lines[0]:
        raise DirectoryError(f"the password file {name} is empty")
    return lines[0]


def _password(args: argparse.Namespace, prompt: str) -> str:
    given = _password_from_file(args)
    if given:
        return given
    from_env = os.environ.get(ENV_PREFIX + "NEW_PASSWORD")
    if from_env:
        return from_env
    first = getpass.getpass(prompt)
    if getpass.getpass("Again: ") != first:
        raise DirectoryError("the passwords differ")
    return first


def _engine(args: argparse.Namespace) -> Engine:
    engine = db.make_engine(resolve_database_url(args.database, args.data_dir))
    db.migrate(engine)
    return engine


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        return _run(args)
    # MergeError is a ValueError.
    except (DirectoryError, SettingsError, BackupError, AuditQueryError, ValueError) as exc:
        print(f"desktop-crm-server: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"desktop-crm-server: database error: {exc}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return _serve(args)
    if args.command == "migrate":
        engine = _engine(args)
        print(f"schema at revision {db.current_revision(engine)}")
        return 0
    if args.command in ("backup", "restore"):
        return cli_trust.run_backup(args)
    if args.command == "demo-data":
        demo = args.demo or os.environ.get(ENV_PREFIX + "DEMO", "") in {"1", "true", "yes"}
        password = _password_from_file(args)
        if password is None and not demo:
            raise DirectoryError("outside demo mode give the demo users a --password-file")
        if password is None:
            password = admin.DEMO_PASSWORD
        elif not demo:
            check_password_policy(password)  # only demo mode is exempt (see admin.demo_data)
        result = admin.demo_data(_engine(args), args.accounts, args.seed, password)
        print(
            f"created {result['records']} records for {args.accounts} accounts; users: "
            + ", ".join(admin.DEMO_USERS)
            + (f" (password “{password}”)" if password == admin.DEMO_PASSWORD else "")
        )
        return 0
    return _admin(args)


def _admin(args: argparse.Namespace) -> int:
    engine = _engine(args)
    action = args.action
    if action in cli_privacy.ACTIONS:
        return cli_privacy.run(engine, args)
    if action == "create-user":
        password = _password(args, f"Password for {args.username}: ")
        user_id = admin.create_user(engine, args.username, password, Role(args.role), args.team)
        print(f"created user {args.username} ({args.role}) id {user_id}")
    elif action == "set-password":
        admin.set_password(engine, args.username, _password(args, "New password: "))
        print(f"password changed for {args.username}; their existing sessions have ended")
    elif action in ("disable-user", "enable-user"):
        active = action == "enable-user"
        changed = admin.set_active(engine, args.username, active)
        state = "enabled" if active else "disabled"
        print(f"{args.username} {'is now' if changed else 'was already'} {state}")
    elif action == "create-team":
        print(f"created team {args.name} id {admin.create_team(engine, args.name)}")
    elif action == "set-role":
        admin.set_role(engine, args.username, Role(args.role))
        print(f"{args.username} is now {args.role}")
    elif action == "set-team":
        admin.set_team(engine, args.username, args.team)
        print(f"{args.username} is now in {args.team or 'no team'}")
    elif action == "assign":
        count = admin.assign(engine, args.account_ids, args.username)
        print(f"assigned {count} account(s) to {args.username}")
    elif action == "reassign":
        count = admin.reassign(engine, args.from_user, args.to_user)
        print(f"moved {count} account(s) from {args.from_user} to {args.to_user}")
    elif action == "set-stages":
        print(f"pipeline now has {admin.set_stages(engine, args.file)} stages")
    elif action == "set-statuses":
        print(f"{admin.set_statuses(engine, args.file)} account statuses set")
    elif action == "status-rules":
        _status_rules(engine, args)
    elif action in ("set-tag-rules", "tag-rules", "evaluate-tags"):
        _tags(engine, args)
    elif action == "import-csv":
        return _import_csv(engine, args)
    elif action in ("find-duplicates", "merge", "undo-merge", "list-merges"):
        _duplicates(engine, args)
    elif action == "revoke-device":
        admin.revoke_device(engine, args.device_id)
        print(f"device {args.device_id} revoked")
    elif action == "purge-tombstones":
        _purge_tombstones(engine, args)
    elif action == "repair-records":
        _repair_records(engine, args)
    elif action == "audit":
        return cli_trust.run_audit(engine, args)
    elif action == "new-epoch":
        return cli_trust.run_new_epoch(engine)
    elif action == "list-devices":
        rows = admin.list_devices(engine, args.user)
        for row in rows:
            state = f"revoked {row['revoked_at']}" if row["revoked_at"] else "active"
            print(f"{row['id']}  {row['username']:<16} {row['name'] or '-':<24} {state}")
        if not rows:
            print("no devices")
    return 0


def _import_csv(engine: Engine, args: argparse.Namespace) -> int:
    report = admin.import_csv(
        engine,
        Entity(args.entity),
        args.file,
        dry_run=args.dry_run,
        on_duplicate=args.on_duplicate,
    )
    verb = "would import" if args.dry_run else "imported"
    print(
        f"{verb} {report.imported} {args.entity} record(s); rejected {len(report.rejected)}; "
        f"matching existing data {len(report.flagged)}"
        + (f" (skipped {report.skipped})" if report.skipped else "")
    )
    for line, reason in report.rejected:
        print(f"  line {line}: {reason}")
    for line, record_id, matches in report.flagged:
        what = f"imported as {record_id}" if record_id else "skipped"
        print(f"  line {line}: {what}; similar to {'; '.join(matches)}")
    return 1 if report.rejected else 0


def _add_duplicate_parsers(
    adm: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = adm.add_parser("import-csv", parents=[common], help="import records from CSV")
    p.add_argument("entity", choices=[e.value for e in Entity])
    p.add_argument("file", type=Path)
    p.add_argument("--dry-run", action="store_true")
    p.add_argument(
        "--on-duplicate",
        choices=admin.ON_DUPLICATE,
        default="flag",
        help="a row matching existing data: import it and queue the pair (flag) or leave it out",
    )
    p = adm.add_parser(
        "find-duplicates", parents=[common], help="scan for suspected duplicates (review queue)"
    )
    p.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, metavar="SCORE")
    p.add_argument("--entity", choices=("account", "contact"), default="account")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p = adm.add_parser("merge", parents=[common], help="merge LOSER into SURVIVOR")
    p.add_argument("entity", choices=("account", "contact"))
    p.add_argument("survivor_id")
    p.add_argument("loser_id")
    p.add_argument(
        "--take", default="", metavar="FIELD,…", help="fields whose value comes from LOSER"
    )
    p = adm.add_parser("undo-merge", parents=[common], help="undo a merge by its id")
    p.add_argument("merge_id")
    adm.add_parser("list-merges", parents=[common], help="the latest merges and their ids")


def _duplicates(engine: Engine, args: argparse.Namespace) -> None:
    if args.action == "find-duplicates":
        report = admin.find_duplicates(engine, Entity(args.entity), args.threshold)
        if args.json:
            print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
            return
        print(
            f"scanned {report.scanned} {args.entity}(s), compared {report.compared} pair(s): "
            f"{len(report.pairs)} suspected duplicate pair(s), {report.new} new, "
            f"{report.dismissed_kept} already decided"
        )
        for pair in report.pairs[:PURGE_LISTED]:
            print(f"  {pair.score:5.1f}  {pair.id_a}  {pair.id_b}  {', '.join(pair.reasons)}")
    elif args.action == "merge":
        take = [f.strip() for f in args.take.split(",") if f.strip()]
        result = admin.merge_records(
            engine, Entity(args.entity), args.survivor_id, args.loser_id, take
        )
        print(
            f"merged {args.loser_id} into {args.survivor_id} (merge id {result.merge_id}); "
            f"{result.moved} record(s) moved"
        )
    elif args.action == "undo-merge":
        restored = admin.undo_merge(engine, args.merge_id)
        print(f"merge {args.merge_id} undone; {restored} restored")
    else:
        for row in admin.list_merges(engine):
            undone = f" undone {row['undone_at']}" if row["undone_at"] else ""
            print(
                f"{row['id']}  {row['merged_at']}  {row['entity']} {row['loser_id']} -> "
                f"{row['survivor_id']}{undone}"
            )


#: Purged records listed one by one, at most.
PURGE_LISTED = 50


def _repair_records(engine: Engine, args: argparse.Namespace) -> None:
    report = admin.repair_records(engine, dry_run=args.dry_run)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
        return
    verb = "would repair" if report.dry_run else "repaired"
    print(f"checked {report.checked} record(s); {verb} {len(report.repaired)}")
    for item in report.repaired[:PURGE_LISTED]:
        print(f"  {item.entity} {item.id}: {'; '.join(item.problems)}")
    if len(report.repaired) > PURGE_LISTED:
        print(f"  … and {len(report.repaired) - PURGE_LISTED} more")


def _add_status_rules_parser(
    adm: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = adm.add_parser(
        "status-rules",
        parents=[common],
        help="list or set the status rules (by default a won deal makes the account active)",
    )
    p.add_argument("rules_action", choices=("list", "set", "reset"), metavar="list|set|reset")
    p.add_argument(
        "file",
        type=Path,
        nargs="?",
        help='set: a JSON list of {"when": "won"|"lost"|stage, "to_status", "only_from": []}',
    )


def _status_rules(engine: Engine, args: argparse.Namespace) -> None:
    """``admin status-rules list | set FILE | reset`` (reset: back to the default rule)."""
    if args.rules_action == "set":
        if args.file is None:
            raise DirectoryError("status-rules set needs a JSON file")
        print(f"{admin.set_status_rules(engine, args.file)} status rule(s) in force")
        return
    if args.rules_action == "reset":
        print(f"{admin.set_status_rules(engine, None)} status rule(s) in force (the default)")
        return
    rules = admin.status_rules(engine)
    if not rules:
        print("no status rules")
    for rule in rules:
        only = f" (only from {', '.join(rule.only_from)})" if rule.only_from else ""
        print(f"{rule.when} -> {rule.to_status}{only}")


def _add_tag_parsers(
    adm: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = adm.add_parser(
        "set-tag-rules",
        parents=[common],
        help="set the tag rules from a TOML or JSON file (docs/tag-rules.md) and evaluate them",
    )
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p = adm.add_parser("tag-rules", parents=[common], help="print the tag rules in force (JSON)")
    p = adm.add_parser(
        "evaluate-tags",
        parents=[common],
        help="evaluate the tag rules for every account now (serve does it daily)",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")


def _tags(engine: Engine, args: argparse.Namespace) -> None:
    if args.action == "tag-rules":
        shown = [r.to_dict() for r in admin.tag_rules(engine)]
        print(json.dumps(shown, indent=2, ensure_ascii=False))
        return
    if args.action == "set-tag-rules":
        rules, report = admin.set_tag_rules(engine, args.file)
        if not args.json:
            print(f"{len(rules)} tag rule(s) in force")
    else:
        report = tags.evaluate_all(engine)
    if args.json:
        print(json.dumps(dataclasses.asdict(report), ensure_ascii=False))
        return
    print(f"evaluated {report.evaluated} account(s); {report.changed} changed")
    for name, count in sorted(report.tagged.items()):
        print(f"  {name}: {count}")


def _purge_tombstones(engine: Engine, args: argparse.Namespace) -> None:
    days = args.stale_days if args.stale_days is not None else stale_device_days()
    if days < 1:
        raise ValueError("--stale-days must be at least 1")
    report = admin.purge_tombstones(engine, stale_days=days, dry_run=args.dry_run)
    holding = ", ".join(report.holding_devices[:5]) or "none"
    print(f"watermark: change {report.watermark} (held by device(s): {holding})")
    if report.stale_devices:
        print(
            f"{len(report.stale_devices)} device(s) not heard from for {days} days do not hold "
            "it back; they take a fresh snapshot if they return from before the purge:"
        )
        for device_id in report.stale_devices[:PURGE_LISTED]:
            print(f"  {device_id}")
    count = len(report.purged)
    noun = "tombstone" if count == 1 else "tombstones"
    verb = "would purge" if report.dry_run else "purged"
    by_entity: dict[str, int] = {}
    for item in report.purged:
        by_entity[item.entity] = by_entity.get(item.entity, 0) + 1
    detail = ", ".join(f"{n} {entity}" for entity, n in sorted(by_entity.items()))
    print(f"{verb} {count} {noun}" + (f" ({detail})" if detail else ""))
    for item in report.purged[:PURGE_LISTED]:
        print(f"  {item.entity} {item.id} (deleted at change {item.seq})")
    if count > PURGE_LISTED:
        print(f"  … and {count - PURGE_LISTED} more")
    if not report.dry_run and report.purged_through:
        print(f"pulls from before change {report.purged_through} now take a fresh snapshot")


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from desktop_crm.server.app import create_app

    if args.workers < 1:
        raise ValueError("--workers must be at least 1")
    settings = Settings.load(
        database_url=args.database,
        data_dir=args.data_dir,
        demo_mode=args.demo,
        min_client_version=args.min_client_version,
    )
    if settings.demo_mode:
        logging.getLogger(__name__).warning("DEMO MODE: not for real customer data")
    # uvicorn picks httptools and uvloop when installed (pip install desktop-crm[server]).
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "log_level": args.log_level,
        "access_log": not args.no_access_log,
    }
    options.update(_tls_options(args))
    if args.workers == 1:
        uvicorn.run(create_app(settings), **options)
        return 0
    # Several processes: migrate once here, then each worker builds the app from the same
    # settings, passed down through the environment (workers are fresh interpreters).
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    engine.dispose()
    os.environ[WORKER_SETTINGS_ENV] = json.dumps(
        {
            "database_url": settings.database_url,
            "data_dir": str(settings.data_dir),
            "demo_mode": settings.demo_mode,
            "min_client_version": settings.min_client_version,
        }
    )
    uvicorn.run(
        "desktop_crm.server.cli:worker_app",
        factory=True,
        workers=args.workers,
        **options,
    )
    return 0


def _log_arguments(serve: argparse.ArgumentParser) -> None:
    serve.add_argument("--log-level", default="info")
    serve.add_argument(
        "--no-access-log",
        action="store_true",
        help="do not log each request (idle pulls are most of them: a log line costs about "
        "half an idle pull's CPU); errors and warnings are still logged",
    )


def _tls_arguments(serve: argparse.ArgumentParser) -> None:
    serve.add_argument(
        "--tls-cert",
        metavar="FILE",
        type=Path,
        help="serve https:// with this PEM certificate (chain); needs --tls-key",
    )
    serve.add_argument(
        "--tls-key", metavar="FILE", type=Path, help="the PEM private key of --tls-cert"
    )


def _tls_options(args: argparse.Namespace) -> dict[str, str]:
    """uvicorn's TLS options from ``--tls-cert``/``--tls-key``, checked up front so a typo is
    a one-line error (exit 2) rather than a traceback from inside uvicorn."""
    cert: Path | None = args.tls_cert
    key: Path | None = args.tls_key
    if cert is None and key is None:
        if args.host not in ("127.0.0.1", "localhost", "::1"):
            logging.getLogger(__name__).warning(
                "serving plain http on %s: clients refuse it unless their policy allows "
                "insecure http; use --tls-cert/--tls-key or a TLS proxy",
                args.host,
            )
        return {}
    if cert is None or key is None:
        raise ValueError("--tls-cert and --tls-key go together")
    for option, path in (("--tls-cert", cert), ("--tls-key", key)):
        try:
            with path.open("rb") as handle:
                handle.read(1)
        except OSError as exc:
            raise ValueError(f"{option} {path}: {exc.strerror or exc}") from None
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
    except (ssl.SSLError, ValueError) as exc:
        raise ValueError(
            f"--tls-cert/--tls-key: not a matching PEM certificate and key ({exc})"
        ) from None
    return {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}


WORKER_SETTINGS_ENV = ENV_PREFIX + "WORKER_SETTINGS"


def worker_app() -> Any:
    """The app in one of several ``serve --workers`` processes (a uvicorn factory)."""
    from desktop_crm.server.app import create_app

    given = json.loads(os.environ[WORKER_SETTINGS_ENV])
    settings = Settings.load(
        database_url=given["database_url"],
        data_dir=given["data_dir"],
        demo_mode=given["demo_mode"],
        min_client_version=given.get("min_client_version"),
    )
    return create_app(settings, run_migrations=False)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
