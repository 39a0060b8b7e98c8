"""A contact's consent per channel on the server (SQLite and PostgreSQL): stored and sent back,
kept when an older client (which knows none of the new fields) pushes the contact, and checked."""

from __future__ import annotations

from typing import Any

from desktop_crm.domain.records import ENTITY_FIELDS, Entity
from tests.server.conftest import World, change

#: The contact fields a client from before consent per channel sends.
OLD_CLIENT_FIELDS = (
    "account_id",
    "name",
    "title",
    "decision_role",
    "decision_weight",
    "emails",
    "phones",
    "consent_email",
    "consent_phone",
    "notes",
)

CONSENT = {
    "consent_phone": False,
    "consent_phone_at": "2026-02-01",
    "consent_phone_source": "asked us to stop calling",
    "consent_sms": True,
    "consent_sms_at": "2026-01-15",
    "consent_sms_source": "signed form",
    "do_not_contact": True,
}


def _current(world: World, username: str, contact_id: str) -> dict[str, Any]:
    records, _cursor = world.snapshot(username)
    [found] = [r for r in records if r["id"] == contact_id]
    return dict(found["data"])


def _set_consent(world: World) -> str:
    contact_id = world.contacts["acc1"]
    [result] = world.push(
        "rep1",
        change("contact", contact_id, CONSENT, base={"server": 1}, new={"server": 1, "r1": 1}),
    )
    assert result["status"] == "applied", result
    return contact_id


def test_consent_with_date_and_source_is_stored_and_sent_to_the_team(world: World) -> None:
    contact_id = _set_consent(world)
    seen = _current(world, "manager1", contact_id)
    assert {k: seen[k] for k in CONSENT} == CONSENT


def test_an_older_clients_push_keeps_the_consent_it_does_not_know(world: World) -> None:
    contact_id = _set_consent(world)
    seen = _current(world, "manager1", contact_id)
    old_data = {k: seen[k] for k in OLD_CLIENT_FIELDS}
    assert set(OLD_CLIENT_FIELDS) < set(ENTITY_FIELDS[Entity.CONTACT])
    old_data["title"] = "Purchasing lead"
    [result] = world.push(
        "manager1",
        change(
            "contact",
            contact_id,
            old_data,
            base={"server": 1, "r1": 1},
            new={"server": 1, "r1": 1, "m1": 1},
        ),
    )
    assert result["status"] == "applied", result
    stored = _current(world, "rep1", contact_id)
    assert stored["title"] == "Purchasing lead"
    assert {k: stored[k] for k in CONSENT} == CONSENT


def test_a_new_contact_from_an_older_client_gets_the_defaults(world: World) -> None:
    data = {"account_id": world.accounts["acc1"], "name": "Han Meimei"}
    [result] = world.push("rep1", change("contact", "c-old-client", data))
    assert result["status"] == "applied", result
    stored = result["current"]["data"]
    assert (stored["consent_sms"], stored["do_not_contact"], stored["consent_email_at"]) == (
        False,
        False,
        None,
    )


def test_bad_consent_values_are_refused_with_the_field_named(world: World) -> None:
    contact_id = world.contacts["acc1"]
    cases = {
        "consent_sms_at": "1 March",
        "do_not_contact": "sometimes",
        "consent_email_source": "x" * 501,
    }
    for name, value in cases.items():
        [result] = world.push(
            "rep1",
            change(
                "contact", contact_id, {name: value}, base={"server": 1}, new={"server": 1, "r1": 1}
            ),
        )
        assert result["status"] == "rejected", name
        assert name in result["reason"]
    assert _current(world, "rep1", contact_id)["do_not_contact"] is False
