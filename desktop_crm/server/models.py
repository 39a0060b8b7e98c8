"""The server's tables (SQLAlchemy Core).

The DDL is created by the Alembic revisions in ``server/migrations``; these Table objects are
what queries are written against, and a test checks the two agree. Core rather than ORM: the
feed streams rows straight into JSON, and every write is a handful of explicit statements.

Record payloads (``data``, ``version``) are JSON text and times are ISO-8601 UTC text, as in the
client's replica: the snapshot can splice stored JSON into a response without re-encoding it.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
    text,
    true,
)

metadata = MetaData()

#: Auto-incrementing 64-bit keys; SQLite only auto-increments an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")

ID = 64  # length of id columns (UUID text, or "server")
TIME = 40  # ISO-8601 text

teams = Table(
    "teams",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created_at", String(TIME), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(20), nullable=False),
    Column("team_id", String(ID), ForeignKey("teams.id"), nullable=True),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("created_at", String(TIME), nullable=False),
    #: Change-log position of this user's last wholesale scope change (role or team of a
    #: manager): a pull from an older cursor is told to take a fresh snapshot.
    Column("scope_reset_seq", BigInteger, nullable=False, server_default="0"),
    #: Carried in every access token and compared per request: a password change or a
    #: disable raises it, so the user's existing tokens stop working at once (revision 0005).
    Column("token_version", Integer, nullable=False, server_default="0"),
)

devices = Table(
    "devices",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False, index=True),
    Column("replica_id", String(ID), nullable=False, unique=True),
    Column("name", String(200), nullable=False, server_default=""),
    Column("created_at", String(TIME), nullable=False),
    Column("last_seen_at", String(TIME), nullable=True),
    Column("revoked_at", String(TIME), nullable=True),
    Column("revoked_by", String(ID), nullable=True),
    #: Minted by the client once per installation (profile) and sent with every sign-in: a
    #: retried first sign-in finds its device instead of registering another (revision 0002).
    Column("installation_id", String(ID), nullable=True),
    #: The last pull cursor this device presented (it has applied every change up to it), or
    #: the position of its last snapshot; None until it pulls. The tombstone watermark is the
    #: lowest of these over active devices (revision 0003, :mod:`server.tombstones`).
    Column("pull_seq", BigInteger, nullable=True),
    #: When ``pull_seq`` was last recorded (refreshed at most daily while it stands still).
    Column("pulled_at", String(TIME), nullable=True),
    Index("ix_devices_user_installation", "user_id", "installation_id", unique=True),
)

#: Failed sign-ins per user name and per client address (keys are SHA-256 digests, so user
#: names typed by mistake, often passwords, are not stored): see :mod:`server.throttle`.
sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("key", String(ID), primary_key=True),
    #: Unix time of the first failure of the current window.
    Column("window_start", Float, nullable=False, index=True),
    Column("failures", Integer, nullable=False),
)

account_assignments = Table(
    "account_assignments",
    metadata,
    Column("account_id", String(ID), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False, index=True),
    Column("assigned_at", String(TIME), nullable=False),
    Column("assigned_by", String(ID), nullable=False),
)

#: Every synced record of every entity. ``account_id`` is the account the record belongs to
#: (its own id for an account): scope follows it. ``change_seq`` is the change-log sequence
#: number of the record's newest change, which the pull feed pages over.
records = Table(
    "records",
    metadata,
    Column("entity", String(20), primary_key=True),
    Column("id", String(ID), primary_key=True),
    Column("account_id", String(ID), nullable=False),
    Column("opportunity_id", String(ID), nullable=True),
    Column("data", Text, nullable=False),
    Column("version", Text, nullable=False),
    Column("deleted", Boolean, nullable=False, server_default=false()),
    Column("updated_at", String(TIME), nullable=False),
    Column("updated_by", String(ID), nullable=False, server_default=""),
    Column("change_seq", BigInteger, nullable=False),
    # Who created the record and which fields others have changed since (JSON list; NULL:
    # none), revision 0007: the creator reads its own words in masked fields.
    Column("created_by", String(ID), nullable=True),
    Column("others_wrote", Text, nullable=True),
    Index("ix_records_change_seq", "change_seq"),
    Index("ix_records_account", "account_id", "entity", "id"),
    Index("ix_records_opportunity", "opportunity_id"),
)

#: The change log: one row per applied record change (kind "record"), one per account that
#: left a user's scope (kind "scope", with ``user_id`` the user who lost it), one per record
#: moved to another account (kind "move", ``account_id`` the account it left; the pull turns it
#: into a removal for users who see the old account but not the new one), and "touch" / "reset"
#: entries (see :mod:`server.scope`). ``seq`` is the global order the pull cursor follows.
change_log = Table(
    "change_log",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(10), nullable=False),
    Column("entity", String(20), nullable=False),
    Column("record_id", String(ID), nullable=False),
    Column("account_id", String(ID), nullable=False),
    Column("user_id", String(ID), nullable=True),
    Column("change_id", String(ID), nullable=True),
    Column("actor_id", String(ID), nullable=False),
    Column("device_id", String(ID), nullable=True),
    Column("at", String(TIME), nullable=False),
    Index("ix_change_log_scope", "user_id", "seq"),
    #: Moves only (revision 0003): a pull reads the moves in its range without walking the
    #: record entries. The queries must spell ``kind = 'move'`` as a literal to use it.
    Index(
        "ix_change_log_moves",
        "seq",
        sqlite_where=text("kind = 'move'"),
        postgresql_where=text("kind = 'move'"),
    ),
)

#: What is left of a purged tombstone (revision 0003): its key and the change-log position of
#: the deletion, so a later push for it (a replica that still has the record) is refused
#: rather than creating it again. See :mod:`server.tombstones`.
purged_records = Table(
    "purged_records",
    metadata,
    Column("entity", String(20), primary_key=True),
    Column("id", String(ID), primary_key=True),
    Column("deleted_seq", BigInteger, nullable=False),
    Column("purged_at", String(TIME), nullable=False),
)

#: Children (contacts, opportunities, activities) tombstoned because their account was deleted
#: (revision 0006): restoring the account restores exactly these, not those deleted on their
#: own before. The rows go when the account is restored. See :mod:`server.cascade`.
cascade_deletions = Table(
    "cascade_deletions",
    metadata,
    Column("entity", String(20), primary_key=True),
    Column("id", String(ID), primary_key=True),
    Column("account_id", String(ID), nullable=False),
    Column("deleted_at", String(TIME), nullable=False),
    Index("ix_cascade_deletions_account", "account_id"),
)

#: Server-wide bookkeeping values by key (revision 0003): ``tombstones_purged_through``, the
#: highest change-log position of a purged tombstone (a pull from below it must resnapshot).
server_state = Table(
    "server_state",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

#: Client change ids already applied: a replayed batch is answered "already_applied".
applied_changes = Table(
    "applied_changes",
    metadata,
    Column("change_id", String(ID), primary_key=True),
    Column("user_id", String(ID), nullable=False),
    Column("device_id", String(ID), nullable=True),
    Column("entity", String(20), nullable=False),
    Column("record_id", String(ID), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("at", String(TIME), nullable=False),
)

#: Append-only: who did what to which record, when, from which device.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", String(TIME), nullable=False),
    Column("actor_id", String(ID), nullable=False),
    Column("device_id", String(ID), nullable=True),
    Column("action", String(40), nullable=False),
    Column("entity", String(20), nullable=True),
    Column("record_id", String(ID), nullable=True),
    Column("change_id", String(ID), nullable=True),
    Column("detail", Text, nullable=False, server_default="{}"),
    #: The client address of the request (None for the command line and older entries).
    Column("address", String(64), nullable=True),
    #: The hash chain (see :mod:`desktop_crm.server.audit`).
    Column("detail_hash", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_record", "entity", "record_id"),
    Index("ix_audit_actor", "actor_id", "id"),
    Index("ix_audit_at", "at"),
)

#: One row (id 1): the audit chain's head (last entry) and base (where it starts after a purge).
audit_chain = Table(
    "audit_chain",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("last_id", BigInteger, nullable=False),
    Column("last_hash", String(64), nullable=False),
    Column("base_id", BigInteger, nullable=False),
    Column("base_hash", String(64), nullable=False),
)

pipeline_stages = Table(
    "pipeline_stages",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("position", Integer, nullable=False),
    Column("default_probability", Integer, nullable=False),
    Column("requires_activity_since_stage_change", Boolean, nullable=False),
    Column("requires_expected_close", Boolean, nullable=False),
    Column("is_closed", Boolean, nullable=False),
    Column("is_won", Boolean, nullable=False),
)

account_statuses = Table(
    "account_statuses",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("position", Integer, nullable=False),
)

account_former_names = Table(
    "account_former_names",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("account_id", String(ID), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("changed_at", String(TIME), nullable=False),  # when this name stopped being used
    Column("changed_by", String(ID), nullable=False),
)

account_status_log = Table(
    "account_status_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("account_id", String(ID), nullable=False, index=True),
    Column("from_status", String(40), nullable=True),
    Column("to_status", String(40), nullable=False),
    Column("changed_at", String(TIME), nullable=False),
    Column("changed_by", String(ID), nullable=False),
    # Why a status rule changed it ("won: <opportunity>", revision 0008); None otherwise.
    Column("reason", Text, nullable=True),
)

stage_history = Table(
    "stage_history",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("opportunity_id", String(ID), nullable=False, index=True),
    Column("from_stage", String(40), nullable=True),
    Column("to_stage", String(40), nullable=False),
    Column("changed_at", String(TIME), nullable=False),
    Column("changed_by", String(ID), nullable=False),
)

#: People erased at their request (revision 0013, :mod:`server.erasure`): pushes for them are
#: refused. The reason names no personal data.
erased_records = Table(
    "erased_records",
    metadata,
    Column("entity", String(20), primary_key=True),
    Column("id", String(ID), primary_key=True),
    Column("erased_at", String(TIME), nullable=False),
    Column("erased_by", String(ID), nullable=False),
    Column("reason", Text, nullable=False),
)

#: Accounts archived for inactivity (revision 0013, :mod:`server.archive`), with the owner they
#: had: unassigned while archived (they leave every replica), given back on restore.
archived_accounts = Table(
    "archived_accounts",
    metadata,
    Column("account_id", String(ID), primary_key=True),
    Column("owner_id", String(ID), nullable=True),
    Column("archived_at", String(TIME), nullable=False),
    Column("archived_by", String(ID), nullable=False),
)

#: The system tags the tag rules computed per account (revision 0011; ``server/tags.py``).
account_tags = Table(
    "account_tags",
    metadata,
    Column("account_id", String(ID), primary_key=True),
    Column("tags", Text, nullable=False),  # JSON list of {"name", "reason"}
    # Grows whenever the row changes or the account enters a scope: GET /sync/tags's cursor.
    Column("seq", BigInteger, nullable=False),
    Column("evaluated_at", String(TIME), nullable=False),
    Index("ix_account_tags_seq", "seq", unique=True),
)

#: The review queue of suspected duplicates (revision 0009): one row per pair, ``id_a`` < ``id_b``.
#: ``status`` is "open", "dismissed" (a person said they differ: a later scan leaves it so) or
#: "merged". ``reasons`` is a comma-separated list of name, phone, email.
duplicate_pairs = Table(
    "duplicate_pairs",
    metadata,
    Column("entity", String(20), primary_key=True),
    Column("id_a", String(ID), primary_key=True),
    Column("id_b", String(ID), primary_key=True),
    Column("score", Float, nullable=False),
    Column("reasons", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("found_at", String(TIME), nullable=False),
    Column("decided_at", String(TIME), nullable=True),
    Column("decided_by", String(ID), nullable=True),
    Index("ix_duplicate_pairs_status", "status", "entity"),
)

#: Merges (revision 0009): the loser became a tombstone whose data names ``merged_into``.
#: ``detail`` (JSON) holds what an undo needs: both records as they were, the survivor's
#: values chosen, and the children moved. ``undone_at`` is set when an admin undid it.
merges = Table(
    "merges",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("entity", String(20), nullable=False),
    Column("loser_id", String(ID), nullable=False),
    Column("survivor_id", String(ID), nullable=False),
    Column("merged_at", String(TIME), nullable=False),
    Column("merged_by", String(ID), nullable=False),
    Column("undone_at", String(TIME), nullable=True),
    Column("undone_by", String(ID), nullable=True),
    Column("detail", Text, nullable=False),
    Index("ix_merges_loser", "entity", "loser_id"),
)
