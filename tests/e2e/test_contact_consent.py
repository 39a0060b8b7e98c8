"""Consent per channel through the real server on loopback (SQLite and PostgreSQL): recorded on
one replica, it reaches a colleague's replica; the account list's consent filter there sees it;
a later edit of another field on the second replica keeps it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from desktop_crm.domain.consent import Channel, Verdict, verdict
from desktop_crm.storage import queries
from desktop_crm.storage import records_store as store
from desktop_crm.storage.consent_filter import ReachableBy
from tests.e2e.conftest import BOTH_DATABASES, ClientProfile, E2EServer


@BOTH_DATABASES
def test_consent_set_on_one_replica_reaches_another(
    e2e_server: E2EServer, profiles: list[ClientProfile], tmp_path: Path
) -> None:
    world = e2e_server.world
    contact_id, account_id = world.contacts["acc1"], world.accounts["acc1"]
    rep, manager = (
        ClientProfile(tmp_path / name, e2e_server.url, user)
        for name, user in (("rep1", "rep1"), ("manager", "manager1"))
    )
    profiles += [rep, manager]
    for p in profiles:
        p.open().sync_once()
    rep.edit(
        "contact",
        contact_id,
        consent_phone=False,
        consent_phone_at=date(2026, 2, 1),
        consent_phone_source="asked us to stop calling",
        consent_sms=True,
        consent_sms_at=date(2026, 1, 15),
        consent_sms_source="signed form",
        do_not_contact=True,
    )
    assert rep.engine is not None and rep.engine.sync_once().pushed == 1
    assert manager.engine is not None
    manager.engine.sync_once()
    assert manager.replica is not None
    with manager.replica.engine.connect() as conn:
        seen = store.contacts.get(conn, contact_id)
        assert seen is not None
        assert (seen.consent_phone, seen.consent_phone_at, seen.consent_phone_source) == (
            False,
            date(2026, 2, 1),
            "asked us to stop calling",
        )
        assert (seen.consent_sms, seen.consent_sms_source, seen.do_not_contact) == (
            True,
            "signed form",
            True,
        )
        assert verdict(seen, Channel.SMS) is Verdict.DO_NOT_CONTACT
        barred = queries.account_ids(
            conn, queries.AccountFilter(reachable=ReachableBy.DO_NOT_CONTACT)
        )
        assert barred == [account_id]
    # The manager edits another field; the consent stays as the rep recorded it.
    manager.edit("contact", contact_id, title="Head of purchasing")
    assert manager.engine.sync_once().pushed == 1
    rep.engine.sync_once()
    assert rep.replica is not None
    with rep.replica.engine.connect() as conn:
        back = store.contacts.get(conn, contact_id)
    assert back is not None and back.title == "Head of purchasing"
    assert back.do_not_contact and back.consent_sms_at == date(2026, 1, 15)
