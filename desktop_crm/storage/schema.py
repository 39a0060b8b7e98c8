"""The replica's tables (SQLAlchemy Core), as of the newest schema revision.

The DDL itself is created by the Alembic revisions in ``storage/migrations``; these Table
objects are what queries are written against. A test checks the two agree.

Synced tables carry the record metadata: ``version`` (JSON version vector), ``deleted``
(tombstone), ``updated_at`` (ISO-8601 UTC text), ``updated_by``. Times are stored as ISO text so
they sort correctly and read the same in every tool.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData()


def _record_meta() -> list[Column[object]]:
    return [
        Column("version", Text, nullable=False, server_default="{}"),
        Column("deleted", Boolean, nullable=False, server_default=text("0")),
        Column("updated_at", String(40), nullable=False),
        Column("updated_by", String(64), nullable=False, server_default=""),
    ]


accounts = Table(
    "accounts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("industry", Text, nullable=False, server_default=""),
    Column("status", String(40), nullable=False, server_default="prospect"),
    Column("owner_id", String(64), nullable=False, server_default=""),
    Column("country", String(2), nullable=False, server_default=""),
    Column("language", String(20), nullable=False, server_default=""),
    Column("timezone", String(64), nullable=False, server_default=""),
    Column("currency", String(3), nullable=False, server_default="CNY"),
    Column("address", Text, nullable=False, server_default=""),
    Column("notes", Text, nullable=False, server_default=""),
    Column("tags", Text, nullable=False, server_default="[]"),  # JSON list of tag names
    *_record_meta(),
)
Index("ix_accounts_name", accounts.c.name)
# The account list: the live ids in name order from the index alone (revision 0014).
Index("ix_accounts_live_name", accounts.c.name, accounts.c.id, accounts.c.deleted)
Index("ix_accounts_owner", accounts.c.owner_id)
Index("ix_accounts_status", accounts.c.status)

account_former_names = Table(
    "account_former_names",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", String(64), ForeignKey("accounts.id", ondelete="CASCADE"), index=True),
    Column("name", Text, nullable=False),
    Column("changed_at", String(40), nullable=False),  # when this name stopped being used
    Column("changed_by", String(64), nullable=False, server_default=""),
)

account_status_log = Table(
    "account_status_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", String(64), ForeignKey("accounts.id", ondelete="CASCADE"), index=True),
    Column("from_status", String(40)),  # None: the account's first status
    Column("to_status", String(40), nullable=False),
    Column("changed_at", String(40), nullable=False),
    Column("changed_by", String(64), nullable=False, server_default=""),
    Column("reason", Text),  # why a status rule changed it (revision 0007); None otherwise
)

contacts = Table(
    "contacts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("account_id", String(64), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("title", Text, nullable=False, server_default=""),
    Column("decision_role", Text, nullable=False, server_default=""),
    Column("decision_weight", Integer, nullable=False, server_default=text("0")),
    Column("emails", Text, nullable=False, server_default="[]"),  # JSON list
    Column("consent_email", Boolean, nullable=False, server_default=text("0")),
    Column("consent_phone", Boolean, nullable=False, server_default=text("1")),
    Column("notes", Text, nullable=False, server_default=""),
    # Consent per channel with date and source, and do-not-contact (revision 0011).
    Column("consent_phone_at", String(10)),
    Column("consent_phone_source", Text, nullable=False, server_default=""),
    Column("consent_email_at", String(10)),
    Column("consent_email_source", Text, nullable=False, server_default=""),
    Column("consent_sms", Boolean, nullable=False, server_default=text("0")),
    Column("consent_sms_at", String(10)),
    Column("consent_sms_source", Text, nullable=False, server_default=""),
    Column("do_not_contact", Boolean, nullable=False, server_default=text("0")),
    *_record_meta(),
)
Index("ix_contacts_name", contacts.c.name)

# Phones are their own rows (a contact has several) and are derived from the contact record's
# ``phones`` field whenever the contact is written, so they are never synced on their own.
contact_phones = Table(
    "contact_phones",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contact_id", String(64), ForeignKey("contacts.id", ondelete="CASCADE"), index=True),
    Column("account_id", String(64), nullable=False),
    Column("position", Integer, nullable=False, server_default=text("0")),
    Column("raw", Text, nullable=False),
    Column("kind", String(20), nullable=False, server_default="mobile"),
    Column("is_primary", Boolean, nullable=False, server_default=text("0")),
    Column("e164", String(20), nullable=False),
    Column("extension", String(20)),
    # Digits of the E.164 number reversed: "ends with" becomes an index range scan.
    Column("digits_reversed", String(20), nullable=False),
    # Copies kept current by the store and by triggers (revision 0004), so that a phone lookup
    # reads nothing but ``ix_contact_phones_lookup``.
    Column("contact_name", Text, nullable=False, server_default=""),
    Column("account_name", Text, nullable=False, server_default=""),
    Column("account_live", Boolean, nullable=False, server_default=text("0")),
)
# One index answers both phone lookups (exact: ``digits_reversed = ? AND e164 = ?``; last digits:
# a ``digits_reversed`` range) and holds everything a result shows, so a suffix search reads one
# contiguous stretch of it and no table page (revision 0004).
Index(
    "ix_contact_phones_lookup",
    contact_phones.c.digits_reversed,
    contact_phones.c.e164,
    contact_phones.c.account_live,
    contact_phones.c.is_primary,
    contact_phones.c.contact_id,
    contact_phones.c.account_id,
    contact_phones.c.contact_name,
    contact_phones.c.account_name,
    contact_phones.c.raw,
    contact_phones.c.extension,
)

opportunities = Table(
    "opportunities",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("account_id", String(64), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("stage", String(40), nullable=False),
    Column("amount", String(40), nullable=False, server_default="0"),  # exact decimal text
    Column("currency", String(3), nullable=False, server_default="CNY"),
    Column("probability", Integer, nullable=False, server_default=text("0")),
    Column("expected_close", String(10)),
    Column("owner_id", String(64), nullable=False, server_default=""),
    *_record_meta(),
)
Index("ix_opportunities_stage", opportunities.c.stage)
# The Reports tab's forecast and owner filter, read from the index alone (revision 0007).
Index(
    "ix_opportunities_report",
    opportunities.c.deleted,
    opportunities.c.owner_id,
    opportunities.c.stage,
    opportunities.c.expected_close,
    opportunities.c.currency,
    opportunities.c.probability,
    opportunities.c.amount,
    opportunities.c.id,
)
# The whole team's forecast, grouped in this order without a sort (revision 0013).
Index(
    "ix_opportunities_forecast",
    opportunities.c.deleted,
    opportunities.c.stage,
    opportunities.c.expected_close,
    opportunities.c.currency,
    opportunities.c.probability,
    opportunities.c.amount,
)

opportunity_stage_history = Table(
    "opportunity_stage_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "opportunity_id",
        String(64),
        ForeignKey("opportunities.id", ondelete="CASCADE"),
        index=True,
    ),
    Column("from_stage", String(40)),
    Column("to_stage", String(40), nullable=False),
    Column("changed_at", String(40), nullable=False),
    Column("changed_by", String(64), nullable=False, server_default=""),
)
# The Reports tab's funnel: each opportunity's history in order, from the index (rev. 0007).
Index(
    "ix_stage_history_report",
    opportunity_stage_history.c.opportunity_id,
    opportunity_stage_history.c.changed_at,
    opportunity_stage_history.c.to_stage,
)

activities = Table(
    "activities",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("account_id", String(64), nullable=False),
    Column("contact_id", String(64)),
    Column("opportunity_id", String(64)),
    Column("kind", String(20), nullable=False),
    Column("direction", String(20)),
    Column("outcome", Text, nullable=False, server_default=""),
    Column("start_at", String(40), nullable=False),
    Column("duration_minutes", Integer, nullable=False, server_default=text("0")),
    Column("participants", Text, nullable=False, server_default="[]"),  # JSON list
    Column("summary", Text, nullable=False, server_default=""),
    Column("follow_up_at", String(40)),
    Column("follow_up_done", Boolean, nullable=False, server_default=text("0")),
    Column("author_id", String(64), nullable=False, server_default=""),
    *_record_meta(),
)
# Widened to (account_id, start_at, id, deleted) by revision 0011: a timeline page's keys are
# read from the index alone, in order, ties broken by id without a sort.
Index(
    "ix_activities_account_start",
    activities.c.account_id,
    activities.c.start_at,
    activities.c.id,
    activities.c.deleted,
)
Index("ix_activities_opportunity", activities.c.opportunity_id)
# The activity feed: the newest first, across accounts (revision 0005); with the author and
# the tombstone flag the Reports tab counts a period's activities per person from the index
# alone (revision 0007).
Index("ix_activities_start_at", activities.c.start_at, activities.c.author_id, activities.c.deleted)
Index(
    "ix_activities_follow_up_open",
    activities.c.follow_up_at,
    sqlite_where=text("follow_up_done = 0 AND follow_up_at IS NOT NULL AND deleted = 0"),
)
# The Reports tab's overdue follow-ups per person, from the index alone (revision 0007).
Index(
    "ix_activities_overdue_report",
    activities.c.follow_up_at,
    activities.c.author_id,
    # The condition's columns too: SQLite reads them from the index, not the row.
    activities.c.follow_up_done,
    activities.c.deleted,
    sqlite_where=text("follow_up_done = 0 AND follow_up_at IS NOT NULL AND deleted = 0"),
)

# The Reports tab's activities per person and day, added up (revision 0013). Derived: triggers
# on ``activities`` keep it exact in the same statement as every write (see the revision).
activity_day_counts = Table(
    "activity_day_counts",
    metadata,
    Column("day", String(10), primary_key=True),  # UTC, YYYY-MM-DD: substr(start_at, 1, 10)
    Column("author_id", String(64), primary_key=True),
    Column("count", Integer, nullable=False),
    sqlite_with_rowid=False,
)

# Configuration pulled from the server -------------------------------------------------------

pipeline_stages = Table(
    "pipeline_stages",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("name", Text, nullable=False),
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
    Column("name", Text, nullable=False),
    Column("position", Integer, nullable=False),
)

tags = Table(
    "tags",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("color", String(20), nullable=False, server_default=""),
)

#: The system tags the server's tag rules computed per account, with why each holds (revision
#: 0012): read-only here, replaced per account by ``GET /sync/tags`` (``storage/system_tags.py``).
account_system_tags = Table(
    "account_system_tags",
    metadata,
    Column("account_id", String(64), primary_key=True),
    Column("name", String(100), primary_key=True),
    Column("reason", Text, nullable=False),
    Index("ix_account_system_tags_name", "name", "account_id"),
    sqlite_with_rowid=False,
)

# Sync bookkeeping (replica-only) -------------------------------------------------------------

sync_state = Table(
    "sync_state",
    metadata,
    Column("key", String(64), primary_key=True),  # replica_id, pull_cursor, user_id, ...
    Column("value", Text, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("change_id", String(64), nullable=False, unique=True),
    Column("entity", String(20), nullable=False),
    Column("record_id", String(64), nullable=False),
    Column("base_version", Text, nullable=False),
    Column("new_version", Text, nullable=False),
    Column("changed_fields", Text, nullable=False),  # JSON list
    Column("deleted", Boolean, nullable=False, server_default=text("0")),
    Column("data", Text, nullable=False),  # JSON: the whole record after the edit
    Column("created_at", String(40), nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text),
)
Index("ix_outbox_record", outbox.c.entity, outbox.c.record_id)

# The last synced copy of every locally edited record: the base of the three-way merge.
base_copies = Table(
    "base_copies",
    metadata,
    Column("entity", String(20), primary_key=True),
    Column("record_id", String(64), primary_key=True),
    Column("version", Text, nullable=False),
    Column("deleted", Boolean, nullable=False, server_default=text("0")),
    Column("data", Text, nullable=False),
)

#: Fields of a record the server blanked for this user's role (its ``masked`` list; revision
#: 0007): the views say "hidden for your role" there rather than "—". A row only for a record
#: with masked fields.
masked_fields = Table(
    "masked_fields",
    metadata,
    Column("entity", String(20), primary_key=True),
    Column("record_id", String(64), primary_key=True),
    Column("fields", Text, nullable=False),  # JSON list of field names
    sqlite_with_rowid=False,
)

conflicts = Table(
    "conflicts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entity", String(20), nullable=False),
    Column("record_id", String(64), nullable=False),
    Column("kind", String(20), nullable=False),  # "fields" or "delete"
    Column("fields", Text, nullable=False),  # JSON list of conflicting field names
    Column("base", Text),  # JSON record data
    Column("mine", Text, nullable=False),
    Column("theirs", Text, nullable=False),
    Column("mine_version", Text, nullable=False),
    Column("theirs_version", Text, nullable=False),
    Column("mine_deleted", Boolean, nullable=False, server_default=text("0")),
    Column("theirs_deleted", Boolean, nullable=False, server_default=text("0")),
    Column("created_at", String(40), nullable=False),
)
Index("ix_conflicts_record", conflicts.c.entity, conflicts.c.record_id, unique=True)

sync_issues = Table(
    "sync_issues",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("change_id", String(64), nullable=False),
    Column("entity", String(20), nullable=False),
    Column("record_id", String(64), nullable=False),
    Column("data", Text, nullable=False),
    Column("deleted", Boolean, nullable=False, server_default=text("0")),
    Column("reason", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("1")),
)

SYNCED_TABLES: dict[str, Table] = {
    "account": accounts,
    "contact": contacts,
    "opportunity": opportunities,
    "activity": activities,
}

#: Name search: an FTS5 trigram index over account and contact names, kept current by triggers
#: (created in the migrations; FTS5 tables are not expressible as SQLAlchemy Tables).
NAME_INDEX_TABLE = "name_index"
#: FTS5's own tables behind ``name_index`` (not part of this metadata).
NAME_INDEX_SHADOW_TABLES = frozenset(
    f"{NAME_INDEX_TABLE}{suffix}"
    for suffix in ("", "_data", "_idx", "_content", "_docsize", "_config")
)

#: Which ``name_index`` row holds a record's name: the triggers delete by FTS rowid through it
#: (the FTS columns entity/record_id are UNINDEXED, so a lookup by them scans the index).
name_index_rows = Table(
    "name_index_rows",
    metadata,
    Column("entity", String(20), primary_key=True),
    Column("record_id", String(64), primary_key=True),
    Column("fts_rowid", Integer, nullable=False),
    sqlite_with_rowid=False,
)
