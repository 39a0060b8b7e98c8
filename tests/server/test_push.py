"""Push: version rule, idempotency, validation, permissions and stage rules, per change."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import func, select

from desktop_crm.server import models as m
from tests.server.conftest import World, change


def _count(world: World, table: Any, *where: Any) -> int:
    with world.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table).where(*where)) or 0)


def _contact(world: World, key: str = "acc1", **data: Any) -> dict[str, Any]:
    return {"account_id": world.accounts[key], "name": "Li Lei", **data}


def test_new_record_is_applied_with_change_and_audit_log(world: World) -> None:
    cid = str(uuid.uuid4())
    c = change("contact", cid, _contact(world, phones=[{"raw": "138-0013-8000"}]), new={"r1": 1})
    [result] = world.push("rep1", c)
    assert result["status"] == "applied"
    current = result["current"]
    assert current["version"] == {"r1": 1}
    assert current["data"]["phones"][0]["e164"] == "+8613800138000"  # normalized on the server
    assert current["updated_by"] == world.users["rep1"]
    assert _count(world, m.change_log, m.change_log.c.record_id == cid) == 1
    assert (
        _count(
            world,
            m.audit_log,
            m.audit_log.c.record_id == cid,
            m.audit_log.c.change_id == c["change_id"],
        )
        == 1
    )
    assert _count(world, m.applied_changes, m.applied_changes.c.change_id == c["change_id"]) == 1


def test_replayed_batch_is_applied_once(world: World) -> None:
    batch = [change("contact", str(uuid.uuid4()), _contact(world, name=f"N{i}")) for i in range(3)]
    first = world.push("rep1", *batch)
    assert [r["status"] for r in first] == ["applied"] * 3
    log_size = _count(world, m.change_log)
    again = world.push("rep1", *batch)
    assert [r["status"] for r in again] == ["already_applied"] * 3
    assert [r["current"]["version"] for r in again] == [r["current"]["version"] for r in first]
    assert _count(world, m.change_log) == log_size
    # Another user cannot reuse someone else's change id.
    [other] = world.push("rep2", batch[0])
    assert other["status"] == "rejected"


def test_dominating_version_applies_and_merges(world: World) -> None:
    contact_id = world.contacts["acc1"]
    c = change(
        "contact", contact_id, {"title": "CTO"}, base={"server": 1}, new={"server": 1, "r1": 1}
    )
    [result] = world.push("rep1", c)
    assert result["status"] == "applied"
    assert result["current"]["version"] == {"server": 1, "r1": 1}
    assert result["current"]["data"]["title"] == "CTO"
    assert result["current"]["data"]["name"] == "Contact of acc1"  # untouched fields kept


def test_concurrent_versions_conflict_with_current_record(world: World) -> None:
    contact_id = world.contacts["acc1"]
    [first] = world.push(
        "rep1",
        change(
            "contact", contact_id, {"title": "A"}, base={"server": 1}, new={"server": 1, "r1": 1}
        ),
    )
    assert first["status"] == "applied"
    # manager1 edited the same base version on another device: concurrent.
    [second] = world.push(
        "manager1",
        change(
            "contact", contact_id, {"title": "B"}, base={"server": 1}, new={"server": 1, "m1": 1}
        ),
    )
    assert second["status"] == "conflict"
    assert second["current"]["version"] == {"server": 1, "r1": 1}
    assert second["current"]["data"]["title"] == "A"
    # A stale (dominated) version is a conflict too.
    [stale] = world.push(
        "rep1", change("contact", contact_id, {"title": "C"}, base={}, new={"server": 1})
    )
    assert stale["status"] == "conflict"
    # The resolution dominates both and applies.
    [resolved] = world.push(
        "manager1",
        change(
            "contact",
            contact_id,
            {"title": "B"},
            base={"server": 1, "r1": 1},
            new={"server": 1, "r1": 1, "m1": 1},
        ),
    )
    assert resolved["status"] == "applied"


def test_rejected_change_does_not_block_the_batch(world: World) -> None:
    good1 = change("contact", str(uuid.uuid4()), _contact(world, name="Good one"))
    bad = change("contact", str(uuid.uuid4()), _contact(world, phones=[{"raw": "12"}]))
    unknown = change("invoice", str(uuid.uuid4()), {"total": 5})
    good2 = change("contact", str(uuid.uuid4()), _contact(world, name="Good two"))
    results = world.push("rep1", good1, bad, unknown, good2)
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected", "applied"]
    assert "phone" in results[1]["reason"].lower() or "digits" in results[1]["reason"]
    assert "invoice" in results[2]["reason"]
    assert _count(world, m.records, m.records.c.id == bad["record_id"]) == 0


def test_rejections_with_reasons(world: World) -> None:
    acc1 = world.accounts["acc1"]
    cases = {
        "unknown field": change("contact", str(uuid.uuid4()), _contact(world, shoe_size=42)),
        "wrong type": change("contact", str(uuid.uuid4()), _contact(world, decision_weight="x")),
        "bad email": change("contact", str(uuid.uuid4()), _contact(world, emails=["nope"])),
        "missing name": change("opportunity", str(uuid.uuid4()), {"account_id": acc1}),
        "empty name": change("contact", str(uuid.uuid4()), _contact(world, name=" ")),
        "other rep's account": change("contact", str(uuid.uuid4()), _contact(world, "acc2")),
        "no such account": change("contact", str(uuid.uuid4()), {"account_id": "x", "name": "n"}),
        "bad stage": change(
            "opportunity", str(uuid.uuid4()), {"account_id": acc1, "name": "d", "stage": "zzz"}
        ),
        "bad status": change("account", str(uuid.uuid4()), {"name": "n", "status": "zzz"}),
        "server entry": change(
            "contact", str(uuid.uuid4()), _contact(world), new={"server": 5, "r1": 1}
        ),
        "new below base": change(
            "contact", str(uuid.uuid4()), _contact(world), base={"r1": 2}, new={"r1": 1}
        ),
        "negative counter": change("contact", str(uuid.uuid4()), _contact(world), new={"r1": -1}),
        "nul character": change("contact", str(uuid.uuid4()), _contact(world, name="a\x00b")),
        "edit other rep's record": change(
            "contact",
            world.contacts["acc2"],
            {"title": "x"},
            base={"server": 1},
            new={"server": 1, "r1": 1},
        ),
    }
    results = world.push("rep1", *cases.values())
    for (name, _), result in zip(cases.items(), results, strict=True):
        assert result["status"] == "rejected", (name, result)
        assert result["reason"], name
        assert result["current"] is None, name
    assert "not found" in results[5]["reason"].lower()
    assert "not found" in results[13]["reason"].lower()


def test_rep_cannot_reassign_but_manager_can_within_team(world: World) -> None:
    acc1 = world.accounts["acc1"]
    grab = change(
        "account",
        acc1,
        {"owner_id": world.users["rep2"]},
        base={"server": 1},
        new={"server": 1, "r1": 1},
    )
    [result] = world.push("rep1", grab)
    assert result["status"] == "rejected"
    outside = change(
        "account",
        acc1,
        {"owner_id": world.users["rep3"]},
        base={"server": 1},
        new={"server": 1, "m1": 1},
    )
    [result] = world.push("manager1", outside)
    assert result["status"] == "rejected"
    inside = change(
        "account",
        acc1,
        {"owner_id": world.users["rep2"]},
        base={"server": 1},
        new={"server": 1, "m1": 1},
    )
    [result] = world.push("manager1", inside)
    assert result["status"] == "applied"
    records, _ = world.snapshot("rep2")
    assert acc1 in world.ids(records)
    assert world.client.get(f"/records/account/{acc1}", headers=world.h("rep1")).status_code == 404


def test_new_account_belongs_to_the_rep_who_created_it(world: World) -> None:
    account_id = str(uuid.uuid4())
    contact_id = str(uuid.uuid4())
    results = world.push(
        "rep1",
        change("account", account_id, {"name": "New customer", "country": "CN"}),
        change("contact", contact_id, {"account_id": account_id, "name": "Han Meimei"}),
    )
    assert [r["status"] for r in results] == ["applied", "applied"], results
    assert results[0]["current"]["data"]["owner_id"] == world.users["rep1"]
    assert {account_id, contact_id} <= world.ids(world.snapshot("rep1")[0])
    assert {account_id, contact_id} <= world.ids(world.snapshot("manager1")[0])
    assert not {account_id, contact_id} & world.ids(world.snapshot("rep2")[0])


def test_stage_entry_rules(world: World) -> None:
    opp = world.opportunities["acc1"]
    to_qualified = change(
        "opportunity", opp, {"stage": "qualified"}, base={"server": 1}, new={"server": 1, "r1": 1}
    )
    [result] = world.push("rep1", to_qualified)
    assert result["status"] == "rejected"
    assert "Qualified" in result["reason"] and "call or meeting" in result["reason"]
    # An activity earlier in the same batch satisfies the rule.
    activity = change(
        "activity",
        str(uuid.uuid4()),
        {
            "account_id": world.accounts["acc1"],
            "opportunity_id": opp,
            "kind": "call",
            "start_at": "2030-01-01T09:00:00+00:00",
        },
    )
    retry = dict(to_qualified, change_id=str(uuid.uuid4()))
    results = world.push("rep1", activity, retry)
    assert [r["status"] for r in results] == ["applied", "applied"]
    # Proposal needs a new activity since entering "qualified", and an expected close date.
    to_proposal = change(
        "opportunity",
        opp,
        {"stage": "proposal"},
        base={"server": 1, "r1": 1},
        new={"server": 1, "r1": 2},
        changed_at="2030-01-02T00:00:00+00:00",
    )
    [result] = world.push("rep1", to_proposal)
    assert result["status"] == "rejected"
    assert "expected close" in result["reason"]


def test_service_desk_keeps_masked_fields_and_cannot_touch_opportunities(world: World) -> None:
    contact_id = world.contacts["acc1"]
    edit = change(
        "contact",
        contact_id,
        {"title": "Buyer", "emails": []},  # emails arrive blanked, as the desk saw them
        base={"server": 1},
        new={"server": 1, "d1": 1},
    )
    [result] = world.push("desk1", edit)
    assert result["status"] == "applied"
    assert result["current"]["data"]["emails"] == []  # still masked in the answer
    admin_view = world.client.get(f"/records/contact/{contact_id}", headers=world.h("admin")).json()
    assert admin_view["data"]["emails"] == ["acc1@example.com"]
    assert admin_view["data"]["title"] == "Buyer"
    [result] = world.push(
        "desk1",
        change(
            "opportunity",
            world.opportunities["acc1"],
            {"name": "x"},
            base={"server": 1},
            new={"server": 1, "d1": 1},
        ),
    )
    assert result["status"] == "rejected"


def test_delete_makes_a_tombstone_in_the_feed(world: World) -> None:
    _, cursor = world.snapshot("rep1")
    contact_id = world.contacts["acc1"]
    [result] = world.push(
        "rep1",
        change(
            "contact", contact_id, {}, base={"server": 1}, new={"server": 1, "r1": 1}, deleted=True
        ),
    )
    assert result["status"] == "applied"
    page = world.pull("rep1", cursor)
    [tomb] = page["records"]
    assert tomb["id"] == contact_id and tomb["deleted"] is True
    assert contact_id not in world.ids(world.snapshot("rep1")[0])
    # A rep may not delete an account.
    [result] = world.push(
        "rep1",
        change(
            "account",
            world.accounts["acc1"],
            {},
            base={"server": 1},
            new={"server": 1, "r1": 1},
            deleted=True,
        ),
    )
    assert result["status"] == "rejected"


def test_history_tables(world: World) -> None:
    acc1 = world.accounts["acc1"]
    [result] = world.push(
        "rep1",
        change(
            "account",
            acc1,
            {"name": "Renamed Ltd", "status": "active"},
            base={"server": 1},
            new={"server": 1, "r1": 1},
        ),
    )
    assert result["status"] == "applied"
    with world.engine.connect() as conn:
        names = list(conn.scalars(select(m.account_former_names.c.name)))
        statuses = conn.execute(
            select(m.account_status_log.c.from_status, m.account_status_log.c.to_status).where(
                m.account_status_log.c.account_id == acc1
            )
        ).all()
    assert names == ["Customer acc1"]
    assert ("prospect", "active") in [tuple(s) for s in statuses]


def test_batch_sees_its_own_earlier_changes(world: World) -> None:
    """Writes are buffered and flushed in bulk: later changes in a batch still see earlier ones
    (same record twice, a replayed change id, a new account's children), and each applied change
    keeps its own change-log and audit entry, in order."""
    contact_id = str(uuid.uuid4())
    first = change("contact", contact_id, _contact(world, name="First"), new={"r1": 1})
    second = change(
        "contact", contact_id, {"title": "CEO"}, base={"r1": 1}, new={"r1": 2}, change_id=None
    )
    stale = change("contact", contact_id, {"title": "Old"}, base={}, new={"r1": 1})
    account_id = str(uuid.uuid4())
    results = world.push(
        "rep1",
        first,
        second,
        first,  # the same change id again, in the same batch
        stale,  # concurrent with what the batch has written: a conflict
        change("account", account_id, {"name": "Batch customer"}),
        change("contact", str(uuid.uuid4()), {"account_id": account_id, "name": "Child"}),
        change("contact", str(uuid.uuid4()), _contact(world, phones=[{"raw": "12"}])),
        change("contact", str(uuid.uuid4()), _contact(world, name="After a rejection")),
    )
    assert [r["status"] for r in results] == [
        "applied",
        "applied",
        "already_applied",
        "conflict",
        "applied",
        "applied",
        "rejected",
        "applied",
    ], results
    assert results[1]["current"]["data"] == {**results[0]["current"]["data"], "title": "CEO"}
    assert results[2]["current"]["version"] == {"r1": 2}
    assert results[3]["current"]["data"]["title"] == "CEO"
    with world.engine.connect() as conn:
        seqs = list(
            conn.scalars(
                select(m.change_log.c.seq)
                .where(m.change_log.c.record_id == contact_id)
                .order_by(m.change_log.c.seq)
            )
        )
        stored = conn.execute(
            select(m.records.c.change_seq, m.records.c.version).where(m.records.c.id == contact_id)
        ).one()
        applied = dict(
            conn.execute(
                select(m.applied_changes.c.change_id, m.applied_changes.c.seq).where(
                    m.applied_changes.c.record_id == contact_id
                )
            ).all()
        )
        audit = conn.execute(
            select(m.audit_log.c.action, m.audit_log.c.detail)
            .where(m.audit_log.c.record_id == contact_id)
            .order_by(m.audit_log.c.id)
        ).all()
        owner = conn.scalar(
            select(m.account_assignments.c.user_id).where(
                m.account_assignments.c.account_id == account_id
            )
        )
    assert len(seqs) == 2 and seqs[0] < seqs[1]
    assert stored.change_seq == seqs[1] and stored.version == '{"r1":2}'
    assert applied == {first["change_id"]: seqs[0], second["change_id"]: seqs[1]}
    assert [a.action for a in audit] == ["record.create", "record.update"]
    assert [json.loads(a.detail)["seq"] for a in audit] == seqs
    assert owner == world.users["rep1"]
    page = world.pull("rep1", str(seqs[0] - 1))
    assert [r["id"] for r in page["records"]].count(contact_id) == 1


def test_stage_history_within_one_batch(world: World) -> None:
    opp = world.opportunities["acc1"]
    activity = change(
        "activity",
        str(uuid.uuid4()),
        {
            "account_id": world.accounts["acc1"],
            "opportunity_id": opp,
            "kind": "call",
            "start_at": "2030-01-01T09:00:00+00:00",
        },
    )
    to_qualified = change(
        "opportunity", opp, {"stage": "qualified"}, base={"server": 1}, new={"server": 1, "r1": 1}
    )
    rename = change(
        "opportunity", opp, {"name": "Renamed deal"}, base={"server": 1, "r1": 1},
        new={"server": 1, "r1": 2},
    )  # fmt: skip
    results = world.push("rep1", activity, to_qualified, rename)
    assert [r["status"] for r in results] == ["applied"] * 3, results
    assert results[2]["current"]["data"]["stage"] == "qualified"
    with world.engine.connect() as conn:
        stages = conn.execute(
            select(m.stage_history.c.from_stage, m.stage_history.c.to_stage).where(
                m.stage_history.c.opportunity_id == opp
            )
        ).all()
    assert [tuple(s)[1] for s in stages].count("qualified") == 1
