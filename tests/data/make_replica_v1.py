"""Make ``replica_v1.db``: a replica at schema revision 0001 with some data, for upgrade tests.

Run from the project root:  python tests/data/make_replica_v1.py

The file is encrypted with TEST_KEY_HEX below: a test key, committed on purpose, protecting
nothing but these made-up rows. Rerunning makes a different file (SQLCipher salts and IVs are
random), with the same contents.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import text

from desktop_crm.storage.keys import RawKey, keyinfo_path
from desktop_crm.storage.replica import create_replica

TEST_KEY_HEX = "d1a5c0ffee0ddba11feedfacecafebeef00dbabe5eed1e55c0deba5eba11ad00"
HERE = Path(__file__).resolve().parent
TARGET = HERE / "replica_v1.db"
REVISION = "0001"

# (id, name, deleted)
ACCOUNTS = [
    ("acc-1", "北京远望星辰科技有限公司", 0),
    ("acc-2", "Hamburger Hafenlogistik GmbH", 0),
    ("acc-3", "Old Deleted Trading Ltd", 1),
]
# (id, account_id, name, deleted)
CONTACTS = [
    ("con-1", "acc-1", "王小明", 0),
    ("con-2", "acc-2", "Greta Sonnenschein", 0),
    ("con-3", "acc-2", "Removed Person", 1),
]
# (contact_id, account_id, raw, e164, digits_reversed)
PHONES = [
    ("con-1", "acc-1", "138-0013-8000", "+8613800138000", "00083100831"),
    ("con-2", "acc-2", "040 1234567", "+49401234567", "76543210494"),
]
# (account_id, old_status, new_status, changed_at, changed_by): the names of revision 0001
STATUS_LOG = [
    ("acc-1", None, "prospect", "2025-11-02T08:00:00+00:00", "user-1"),
    ("acc-1", "prospect", "active", "2026-01-15T09:30:00+00:00", "user-2"),
    ("acc-2", None, "active", "2025-12-24T16:45:00+00:00", "user-1"),
]
NOTE = "v1 note: prefers calls after 14:00 / 下午两点后联系"
UPDATED_AT = "2026-01-15T09:30:00+00:00"


def main() -> int:
    if TARGET.exists():
        print(f"{TARGET} exists; remove it first", file=sys.stderr)
        return 1
    rep = create_replica(TARGET, RawKey.from_hex(TEST_KEY_HEX), revision=REVISION)
    try:
        with rep.engine.begin() as conn:
            for id_, name, deleted in ACCOUNTS:
                conn.execute(
                    text(
                        "INSERT INTO accounts(id, name, notes, deleted, updated_at, version) "
                        "VALUES (:id, :name, :notes, :deleted, :at, :version)"
                    ),
                    {
                        "id": id_,
                        "name": name,
                        "notes": NOTE,
                        "deleted": deleted,
                        "at": UPDATED_AT,
                        "version": '{"replica-a": 1}',
                    },
                )
            conn.execute(
                text(
                    "INSERT INTO account_former_names(account_id, name, changed_at) "
                    "VALUES ('acc-1', '远望科技', :at)"
                ),
                {"at": UPDATED_AT},
            )
            for account_id, old, new, at, by in STATUS_LOG:
                conn.execute(
                    text(
                        "INSERT INTO account_status_log"
                        "(account_id, old_status, new_status, changed_at, changed_by) "
                        "VALUES (:a, :old, :new, :at, :by)"
                    ),
                    {"a": account_id, "old": old, "new": new, "at": at, "by": by},
                )
            for id_, account_id, name, deleted in CONTACTS:
                conn.execute(
                    text(
                        "INSERT INTO contacts(id, account_id, name, deleted, updated_at) "
                        "VALUES (:id, :account_id, :name, :deleted, :at)"
                    ),
                    {
                        "id": id_,
                        "account_id": account_id,
                        "name": name,
                        "deleted": deleted,
                        "at": UPDATED_AT,
                    },
                )
            for contact_id, account_id, raw, e164, rev in PHONES:
                conn.execute(
                    text(
                        "INSERT INTO contact_phones"
                        "(contact_id, account_id, raw, e164, digits_reversed, is_primary) "
                        "VALUES (:c, :a, :raw, :e164, :rev, 1)"
                    ),
                    {"c": contact_id, "a": account_id, "raw": raw, "e164": e164, "rev": rev},
                )
            conn.execute(
                text("INSERT INTO sync_state(key, value) VALUES ('replica_id', 'replica-a')")
            )
        assert rep.schema_revision == REVISION
    finally:
        rep.close()
    # The key record says "external key"; the tests pass the key themselves.
    keyinfo_path(TARGET).unlink()
    print(f"wrote {TARGET} ({TARGET.stat().st_size} bytes) at revision {REVISION}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
