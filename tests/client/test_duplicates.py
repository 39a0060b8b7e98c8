"""The entry-time duplicate check over a real encrypted replica: similar customers and
contacts by name, exact phone and e-mail; tombstones and the record being edited never count."""

from __future__ import annotations

from desktop_crm.client import duplicates, editing
from desktop_crm.client.identity import Identity
from desktop_crm.domain.duplicates import Reason
from desktop_crm.domain.records import Account, Contact, Entity, Phone
from desktop_crm.storage.replica import Replica

ME = Identity(replica_id="replica-dup-test", user_id="user-rep1", username="rep1", role="rep")


def _seed(replica: Replica) -> dict[str, str]:
    ids = {}
    for key, name in (
        ("moumou", "北京某某科技股份有限公司"),
        ("lenovo", "北京联想科技有限公司"),
        ("acme", "Acme Trading Co., Ltd."),
        ("short", "华为"),
    ):
        ids[key] = editing.save(replica, Account(name=name), ME).value.meta.id
    contact = Contact(
        account_id=ids["acme"],
        name="John Smith",
        phones=[Phone(raw="+86 138 0013 8000")],
        emails=["John.Smith@acme.example"],
    )
    ids["john"] = editing.save(replica, contact, ME).value.meta.id
    return ids


def test_similar_customers_by_folded_name_with_score_and_reason(replica: Replica) -> None:
    ids = _seed(replica)
    hits = duplicates.similar_accounts(replica, "某某科技")
    assert [h.id for h in hits] == [ids["moumou"]]
    assert hits[0].score == 100.0 and hits[0].reasons == (Reason.NAME,)
    latin = duplicates.similar_accounts(replica, "ＡＣＭＥ trading limited")
    assert [h.id for h in latin] == [ids["acme"]]
    assert [h.id for h in duplicates.similar_accounts(replica, "华为有限公司")] == [ids["short"]]
    # Sharing 北京 / 科技 is not enough; an empty name asks nothing.
    assert duplicates.similar_accounts(replica, "北京字节跳动科技有限公司") == []
    assert duplicates.similar_accounts(replica, "  ") == []


def test_the_record_being_edited_and_tombstones_do_not_count(replica: Replica) -> None:
    ids = _seed(replica)
    assert duplicates.similar_accounts(replica, "某某科技", exclude_id=ids["moumou"]) == []
    editing.delete(replica, Entity.ACCOUNT, ids["lenovo"], ME)
    assert duplicates.similar_accounts(replica, "北京联想科技") == []


def test_similar_contacts_by_exact_phone_or_email_whatever_the_name(replica: Replica) -> None:
    ids = _seed(replica)
    by_phone = duplicates.similar_contacts(replica, "史密斯", ["138-0013-8000"])
    assert [(h.id, h.reasons, h.account_name) for h in by_phone] == [
        (ids["john"], (Reason.PHONE,), "Acme Trading Co., Ltd.")
    ]
    by_email = duplicates.similar_contacts(replica, "J. S.", [], ["john.smith@ACME.example"])
    assert [(h.id, h.reasons) for h in by_email] == [(ids["john"], (Reason.EMAIL,))]
    by_name = duplicates.similar_contacts(replica, "Smith, John")
    assert [h.id for h in by_name] == [ids["john"]]
    # A number that is not valid is no match (the dialog's validation explains it).
    assert duplicates.similar_contacts(replica, "Someone", ["12"]) == []
    assert duplicates.similar_contacts(replica, "John Smith", exclude_id=ids["john"]) == []
