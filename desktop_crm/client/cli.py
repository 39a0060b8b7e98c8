"""Headless commands of ``desktop-crm``: ``sync`` for IT scripts, ``lookup`` for phone systems.

Exit codes (documented in README.md and docs/sync-engine.md):
  0  done, nothing needs a person (lookup: found)
  1  done, but conflicts, sync issues or work under a customer deleted meanwhile wait for a
     person
  2  wrong usage or settings (also an unreadable settings.json, a server URL that is not http(s))
  3  the server could not be reached (offline); try again later
  4  sign-in refused (wrong password, revoked device, disabled user, too many failed sign-ins)
  5  the local data file could not be opened or is damaged (wrong key, damaged page, newer
     version); a damaged file is left as it is
  6  the server refused or answered outside the protocol (also: this version is older than the
     server's minimum client version; the message says which version to install)
  7  internal error: the traceback is in the profile folder's log (error_log.ERROR_LOG)
  8  a file could not be written: the disk is full or the profile folder is read-only
  9  lookup: no customer has that number

Every failure prints one line on stderr, without customer data.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from pathlib import Path

from desktop_crm.client import reading
from desktop_crm.client.backup import ProfileBackupError, backup_profile
from desktop_crm.client.error_log import write_error_log
from desktop_crm.client.policy import PolicyError, describe_policy, load_policy, policy_path
from desktop_crm.client.policy_file import write_policy
from desktop_crm.client.profile import Profile, SettingsError, check_server_url
from desktop_crm.client.session import (
    PASSPHRASE_ENV,
    PASSWORD_ENV,
    open_profile_replica,
    read_secret,
    run_sync,
    sign_in,
)
from desktop_crm.storage.errors import PassphraseRequired, ReplicaError, ReplicaUnwritable
from desktop_crm.sync.errors import (
    ClientTooOld,
    Offline,
    ProtocolError,
    ReplicaMismatch,
    ServerRefused,
    SignInRequired,
)
from desktop_crm.sync.progress import Cancelled

EXIT_OK = 0
EXIT_ATTENTION = 1
EXIT_USAGE = 2
EXIT_OFFLINE = 3
EXIT_SIGN_IN = 4
EXIT_REPLICA = 5
EXIT_SERVER = 6
EXIT_INTERNAL = 7
EXIT_FILES = 8
EXIT_NO_MATCH = 9


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sync = subparsers.add_parser("sync", help="sync one profile's replica once and exit")
    _profile_arguments(sync)
    sync.add_argument("--server", help="server URL (remembered in the profile)")
    sync.add_argument("--user", help="user name (remembered in the profile)")
    sync.add_argument(
        "--password-file", type=Path, help=f"read the password from a file (or ${PASSWORD_ENV})"
    )
    sync.set_defaults(command_handler=cmd_sync)

    lookup = subparsers.add_parser("lookup", help="print the customers matching a phone number")
    _profile_arguments(lookup)
    lookup.add_argument("number", help="a phone number in any format, or its last 4+ digits")
    lookup.add_argument("--limit", type=int, default=10)
    lookup.set_defaults(command_handler=cmd_lookup)

    write = subparsers.add_parser(
        "write-policy",
        help="write the machine-wide policy file (what the installers run with their settings)",
    )
    write.add_argument("--path", type=Path, help="where (default: the machine-wide place)")
    write.add_argument("--server-url", default="", help="the server to use")
    write.add_argument("--lock", default="", help="1: users cannot use another server")
    write.add_argument("--sync-interval", default="", help="background sync interval, seconds")
    write.set_defaults(command_handler=cmd_write_policy, profile=None)

    show = subparsers.add_parser(
        "policy", help="print the policy in force (server, sync, language, updates)"
    )
    show.set_defaults(command_handler=cmd_policy, profile=None)

    backup = subparsers.add_parser(
        "backup", help="copy a profile's data, still encrypted, to a zip file"
    )
    _profile_arguments(backup)
    backup.add_argument("--to", dest="target", type=Path, required=True, metavar="FILE")
    backup.set_defaults(command_handler=cmd_backup)


def _profile_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", type=Path, help="profile folder (replica and settings)")
    parser.add_argument(
        "--passphrase-file",
        type=Path,
        help=f"passphrase of the data file where no keychain exists (or ${PASSPHRASE_ENV})",
    )


def _profile(args: argparse.Namespace) -> Profile:
    return Profile(args.profile) if args.profile else Profile.default()


def _fail(code: int, message: str) -> int:
    print(f"desktop-crm: {message}", file=sys.stderr)
    return code


def cmd_sync(args: argparse.Namespace) -> int:
    profile = _profile(args)
    settings = profile.load_settings()
    try:
        policy = load_policy()
        policy.check_server(args.server or "")
    except PolicyError as exc:
        return _fail(EXIT_USAGE, str(exc))
    if args.server:
        settings.server_url = args.server
    policy.apply(settings)
    if args.user:
        settings.username = args.user
    if not settings.server_url or not settings.username:
        return _fail(EXIT_USAGE, "no server or user yet: give --server URL --user NAME once.")
    check_server_url(settings.server_url)  # before the profile is touched
    try:
        policy.check_transport(settings.server_url)
    except PolicyError as exc:
        return _fail(EXIT_USAGE, str(exc))
    password = read_secret(args.password_file, PASSWORD_ENV)
    if password is None and sys.stdin.isatty():
        password = getpass.getpass(f"Password for {settings.username}: ")
    if not password:
        return _fail(
            EXIT_USAGE, f"no password: use --password-file, ${PASSWORD_ENV}, or a terminal."
        )
    passphrase = read_secret(args.passphrase_file, PASSPHRASE_ENV)
    try:
        # Every page is checked before the sync writes: a pull that brings nothing never reads
        # most pages, so damage in them would otherwise go unseen (~8 ms per MB).
        replica = open_profile_replica(profile, passphrase, verify_pages=True)
    except PassphraseRequired as exc:
        return _fail(EXIT_REPLICA, f"{exc} Give one with --passphrase-file or ${PASSPHRASE_ENV}.")
    try:
        signed_in = sign_in(profile, settings, password, policy)
        try:
            summary = run_sync(replica, signed_in)
        finally:
            signed_in.client.close()
    except SignInRequired as exc:
        return _fail(EXIT_SIGN_IN, f"sign-in refused: {exc}")
    except ClientTooOld as exc:  # IT retired this build: the message names the version
        return _fail(EXIT_SERVER, str(exc))
    except ServerRefused as exc:
        if exc.status_code == 403:  # revoked device, disabled user
            return _fail(EXIT_SIGN_IN, f"sign-in refused: {exc.detail}")
        if exc.status_code >= 500 or exc.status_code == 429:  # busy: like offline, retry later
            return _fail(EXIT_OFFLINE, f"{exc} Nothing was lost; run sync again later.")
        return _fail(EXIT_SERVER, str(exc))
    except Offline as exc:
        return _fail(EXIT_OFFLINE, f"{exc} Nothing was lost; run sync again later.")
    except ProtocolError as exc:
        return _fail(EXIT_SERVER, str(exc))
    except ReplicaMismatch as exc:
        return _fail(EXIT_USAGE, str(exc))
    except Cancelled:
        return _fail(EXIT_OFFLINE, "sync cancelled; it resumes where it stopped next time.")
    finally:
        replica.close()
    print(f"Synced: {summary.line()}.")
    for gone in summary.deleted_customers:
        print(
            f"Customer {gone.account_name or gone.account_id} was deleted by {gone.who} while "
            f"you had unsynced work on it ({len(gone.records)} record(s), kept and not sent)."
        )
    if summary.conflicts or summary.issues or summary.deleted_customers:
        print("Open Desktop CRM to settle conflicts and sync issues.")
        return EXIT_ATTENTION
    return EXIT_OK


def cmd_lookup(args: argparse.Namespace) -> int:
    profile = _profile(args)
    if not profile.exists():
        return _fail(EXIT_USAGE, f"no replica in {profile.folder}: sync first.")
    region = profile.load_settings().region
    replica = open_profile_replica(profile, read_secret(args.passphrase_file, PASSPHRASE_ENV))
    try:
        hits = reading.search(replica, args.number, region=region, limit=args.limit)
    finally:
        replica.close()
    if not hits:
        print(f"No customer has the number {args.number}.")
        return EXIT_NO_MATCH
    for hit in hits:
        contact = hit.contact_name or "-"
        phone = hit.phone_raw or ""
        print(f"{hit.account_name}\t{contact}\t{phone}\t{hit.match_label}\t{hit.account_id}")
    return EXIT_OK


def cmd_write_policy(args: argparse.Namespace) -> int:
    written = write_policy(args.path, args.server_url, args.lock, args.sync_interval)
    print(f"Policy written to {written.source}.")
    return EXIT_OK


def cmd_policy(args: argparse.Namespace) -> int:
    """IT's check of a managed machine; a policy file with a mistake exits 2 with its message."""
    looked_at = policy_path()
    print("\n".join(describe_policy(load_policy(), looked_at)))
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    profile = _profile(args)
    passphrase = read_secret(args.passphrase_file, PASSPHRASE_ENV)
    try:
        size = backup_profile(profile, args.target, passphrase)
    except ProfileBackupError as exc:
        return _fail(EXIT_USAGE, str(exc))
    except PassphraseRequired as exc:
        return _fail(EXIT_REPLICA, f"{exc} Give one with --passphrase-file or ${PASSPHRASE_ENV}.")
    print(f"Backed up {profile.folder} to {args.target} ({size} bytes, encrypted).")
    return EXIT_OK


def run(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="desktop-crm")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return int(args.command_handler(args))
    except Exception as exc:  # noqa: BLE001  (every failure gets its code and one line)
        return fail_for(exc, _profile(args).folder)


def fail_for(error: Exception, folder: Path) -> int:
    """Print one line for ``error`` (no customer data) and return its exit code; an
    unexpected error's traceback goes to the log in ``folder``."""
    if isinstance(error, SettingsError | PolicyError):
        return _fail(EXIT_USAGE, str(error))
    if isinstance(error, ReplicaUnwritable):
        return _fail(EXIT_FILES, str(error))
    if isinstance(error, ReplicaError):  # a damaged page met while reading or syncing, too
        return _fail(EXIT_REPLICA, str(error))
    if isinstance(error, OSError):
        where = f": {error.filename}" if error.filename else ""
        return _fail(
            EXIT_FILES,
            f"a file could not be written ({error.strerror or type(error).__name__}{where}). "
            "Nothing was lost; free some space or make the folder writable, then try again.",
        )
    log = write_error_log(folder, error)
    where = f"see the log {log}" if log is not None else "no log could be written"
    return _fail(EXIT_INTERNAL, f"internal error ({type(error).__name__}): {where}.")
