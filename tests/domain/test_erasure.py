"""The erasure rule shared by server and replicas: what an erased contact holds, and how texts
quoting the person are scrubbed."""

from __future__ import annotations

from desktop_crm.domain.erasure import (
    ERASED_NAME,
    Scrubber,
    erased_contact_data,
    is_erased_contact,
    personal_texts,
)

PERSON = {
    "account_id": "acc",
    "name": "Zhang Wei",
    "title": "Head of purchasing",
    "emails": ["zhang.wei@example.cn"],
    "phones": [{"raw": "+86 138 0013 8000", "e164": "+8613800138000", "kind": "mobile"}],
    "notes": "Prefers WeChat",
    "consent_email": True,
}


def test_an_erased_contact_keeps_its_account_and_nothing_personal() -> None:
    erased = erased_contact_data(PERSON)
    assert erased["account_id"] == "acc" and is_erased_contact(erased)
    assert erased["emails"] == [] and erased["phones"] == [] and erased["notes"] == ""
    assert erased["consent_email"] is False and not is_erased_contact(PERSON)
    assert personal_texts([erased]) == set()


def test_texts_quoting_the_person_are_scrubbed_in_any_case_and_number_format() -> None:
    scrub = Scrubber(personal_texts([PERSON]))
    assert scrub.text("Met ZHANG WEI at the fair") == f"Met {ERASED_NAME} at the fair"
    for number in ("13800138000", "138-0013-8000", "(138) 0013 8000", "+86 138 0013 8000"):
        assert "8000" not in scrub.text(f"call {number} tomorrow"), number
    assert scrub.value({"participants": ["zhang.wei@example.cn", "Li Na"]}) == {
        "participants": [ERASED_NAME, "Li Na"]
    }
    assert scrub.mentions(["x", {"y": "Zhang Wei"}]) and not scrub.mentions("Li Na, 2026")
    assert scrub.text("order 2026-05-04 for 3 units") == "order 2026-05-04 for 3 units"


def test_very_short_texts_are_not_scrubbed_elsewhere() -> None:
    scrub = Scrubber(personal_texts([{"name": "Li", "emails": [], "phones": []}]))
    assert not scrub
    assert scrub.text("Limited edition") == "Limited edition"
