"""What sync leaves for a person, settled through the client services (no Qt): a conflict
labelled by name and resolved field by field; a refused change retried, discarded, exported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_crm.client import editing, reading, resolving
from desktop_crm.client.identity import Identity
from desktop_crm.domain.records import Account, Contact, Entity
from desktop_crm.domain.validation import ValidationFailed
from desktop_crm.domain.version_vector import VersionVector
from desktop_crm.storage import records_store as store
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.replica import Replica

ME = Identity(replica_id="replica-mine", user_id="user-rep1", username="rep1", role="rep")


def _conflicted_contact(replica: Replica) -> tuple[Account, Contact]:
    """A contact I retitled while a colleague retitled it too (as the engine records it)."""
    account = editing.save(replica, Account(name="Beijing Example Tech"), ME).value
    contact = editing.save(
        replica, Contact(account_id=account.meta.id, name="Wang Fang", title="Buyer"), ME
    ).value
    base = contact.data()
    contact.title = "Head of purchasing"
    contact = editing.save(replica, contact, ME).value
    theirs = {**base, "title": "Purchasing director"}
    with replica.engine.begin() as conn:
        book.put_conflict(
            conn,
            entity=Entity.CONTACT.value,
            record_id=contact.meta.id,
            kind="fields",
            fields=["title"],
            base=base,
            mine=contact.data(),
            theirs=theirs,
            mine_version=contact.meta.version,
            theirs_version=VersionVector({"replica-colleague": 1}),
        )
    return account, contact


def test_open_conflicts_are_labelled_by_the_record_and_resolved_by_choice(
    replica: Replica,
) -> None:
    account, contact = _conflicted_contact(replica)
    [item] = resolving.open_conflicts(replica)
    assert item.label == "Wang Fang (contact)"
    assert reading.sync_status(replica).conflicts == 1
    written = resolving.resolve_conflict(
        replica, item.conflict, ME, {"title": resolving.Choice.THEIRS}
    )
    assert written.changes.touches_record(Entity.CONTACT, contact.meta.id)
    assert written.changes.touches_account(account.meta.id)
    assert resolving.open_conflicts(replica) == []
    with replica.engine.connect() as conn:
        settled = store.contacts.get(conn, contact.meta.id)
    assert settled is not None and settled.title == "Purchasing director"
    # The resolution dominates both sides, so the server takes it as a plain edit.
    assert settled.meta.version.dominates(VersionVector({"replica-colleague": 1}))


def test_a_typed_value_must_be_valid(replica: Replica) -> None:
    _account, _contact = _conflicted_contact(replica)
    [item] = resolving.open_conflicts(replica)
    with pytest.raises(ValidationFailed):
        resolving.resolve_conflict(
            replica, item.conflict, ME, {"title": resolving.NewValue(["not", "text"])}
        )
    assert len(resolving.open_conflicts(replica)) == 1  # still open, nothing lost


def _refused_edit(replica: Replica) -> tuple[Account, book.SyncIssue]:
    account = editing.save(replica, Account(name="Shanghai Example Ltd"), ME).value
    with replica.engine.begin() as conn:
        book.add_sync_issue(
            conn,
            change_id="change-1",
            entity=Entity.ACCOUNT.value,
            record_id=account.meta.id,
            data={**account.data(), "industry": "Shipping"},
            deleted=False,
            reason="You may not change this customer's owner.",
        )
    [issue] = resolving.sync_issues(replica)
    return account, issue


def test_a_refused_change_is_retried_with_the_users_edit(replica: Replica) -> None:
    account, issue = _refused_edit(replica)
    written = resolving.retry_sync_issue(replica, issue, ME, {"industry": "Logistics"})
    assert written.changes.touches_record(Entity.ACCOUNT, account.meta.id)
    assert resolving.sync_issues(replica) == []
    with replica.engine.connect() as conn:
        stored = store.accounts.get(conn, account.meta.id)
    assert stored is not None and stored.industry == "Logistics"


def test_a_refused_change_is_exported_then_discarded(replica: Replica, tmp_path: Path) -> None:
    _account, issue = _refused_edit(replica)
    target = tmp_path / "out" / "issues.json"
    assert resolving.export_sync_issues(replica, target) == 1
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert exported[0]["reason"] == issue.reason
    assert exported[0]["data"]["industry"] == "Shipping"
    assert not resolving.discard_sync_issue(replica, issue).changes
    assert resolving.sync_issues(replica) == []
    assert reading.sync_status(replica).issues == 0


@pytest.mark.parametrize(
    ("field", "typed"),
    [("industry", ["a", "list"]), ("tags", "not a list"), ("name", None), ("notes", "nul\x00")],
)
def test_a_retried_change_of_the_wrong_shape_is_refused_by_field(
    replica: Replica, field: str, typed: object
) -> None:
    _account, issue = _refused_edit(replica)
    with pytest.raises(ValidationFailed) as refused:
        resolving.retry_sync_issue(replica, issue, ME, {field: typed})
    assert [e.field for e in refused.value.errors] == [field]
    assert resolving.sync_issues(replica) == [issue]  # kept for another try
