"""A small client process for the kill tests: the same code path as ``desktop-crm sync``, with
small pages and batches so that a SIGKILL lands between many commits.

    python -m tests.e2e.driver PROFILE URL USER PASSWORD [--snapshot-limit N] [--push-batch N]
                               [--pull-limit N]
                               [--log-calls N --account ID]

Prints ``SYNCING`` (flushed) right before the sync starts; exits 0 when it finished, 3 when
offline. The passphrase comes from $DESKTOP_CRM_PASSPHRASE.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from desktop_crm.client.profile import Profile
from desktop_crm.client.session import open_profile_replica, sign_in
from desktop_crm.domain.records import Activity
from desktop_crm.storage import records_store as store
from desktop_crm.sync.engine import SyncEngine
from desktop_crm.sync.http_client import Offline


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("profile", type=Path)
    parser.add_argument("url")
    parser.add_argument("user")
    parser.add_argument("password")
    parser.add_argument("--snapshot-limit", type=int, default=None)
    parser.add_argument("--push-batch", type=int, default=500)
    parser.add_argument("--pull-limit", type=int, default=None)
    parser.add_argument("--log-calls", type=int, default=0)
    parser.add_argument("--account", default="")
    parser.add_argument("--no-sync", action="store_true")
    args = parser.parse_args()
    profile = Profile(args.profile)
    settings = profile.load_settings()
    settings.server_url, settings.username = args.url, args.user
    replica = open_profile_replica(profile, os.environ["DESKTOP_CRM_PASSPHRASE"])
    try:
        signed_in = sign_in(profile, settings, args.password)
        if args.log_calls:
            start = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)
            with replica.engine.begin() as conn:
                for i in range(args.log_calls):
                    call = Activity(
                        account_id=args.account,
                        kind="call",
                        start_at=start + timedelta(minutes=i),
                        summary=f"offline call {i}",
                    )
                    store.save_local(
                        conn, call, signed_in.settings.replica_id, signed_in.settings.user_id
                    )
        if args.no_sync:
            return 0
        engine = SyncEngine(
            replica.engine,
            signed_in.client,
            signed_in.settings.replica_id,
            user_id=signed_in.settings.user_id,
            snapshot_limit=args.snapshot_limit,
            push_batch=args.push_batch,
            pull_limit=args.pull_limit,
        )
        print("SYNCING", flush=True)  # noqa: T201 - the test waits for it
        try:
            summary = engine.sync_once()
        except Offline:
            return 3
        print(f"DONE {summary.line()}", flush=True)  # noqa: T201
        return 0
    finally:
        replica.close()


if __name__ == "__main__":
    sys.exit(main())
