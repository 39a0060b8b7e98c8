"""The push answer's JSON is written directly (``server/push.py``, :class:`PushAnswer`); it
must equal the PushResponse models' JSON. ``conftest.py`` checks that for every push of every
server test; these tests add the cases the others may not reach (masked fields, text that
needs escaping, a record whose data text is not at hand)."""

from __future__ import annotations

import json

from desktop_crm.domain.records import Entity
from desktop_crm.domain.version_vector import VersionVector
from desktop_crm.protocol.messages import ChangeStatus, PushResponse
from desktop_crm.server.push import Answer, PushAnswer
from desktop_crm.server.store import ServerRecord, dumps, record_json, to_wire
from tests.server.conftest import times_read


def _record(data: dict[str, object], *, text: bool, **extra: object) -> ServerRecord:
    record = ServerRecord(
        entity=Entity.CONTACT,
        id="c-1 “quoted” \\ \"x\"",
        account_id="a-1",
        data=data,
        version=VersionVector({"r1": 3, "server": 1}),
        deleted=False,
        updated_at="2026-12-02T10:00:00.123456+00:00",
        updated_by="u-1",
        **extra,  # type: ignore[arg-type]
    )
    if text:
        record.data_text = dumps(data)
    return record


DATA: dict[str, object] = {
    "account_id": "a-1",
    "name": "Zhang “Wei” \\ \"quoted\" \n 张伟 😀",
    "title": "",
    "notes": "private",
    "emails": ["a@example.com"],
    "phones": [{"raw": "+86 10 1234 5678", "kind": "work", "primary": True}],
    "decision_weight": 3,
    "consent_phone_at": None,
}


def _same(answer: PushAnswer) -> None:
    body = answer.json()
    model = answer.model()
    assert PushResponse.model_validate_json(body) == model
    assert times_read(json.loads(body)) == times_read(json.loads(model.model_dump_json()))


def test_record_json_equals_the_model_with_and_without_data_text() -> None:
    for text in (True, False):
        record = _record(DATA, text=text)
        expected = times_read(json.loads(to_wire(record).model_dump_json()))
        assert times_read(json.loads(record_json(record))) == expected


def test_masked_fields_are_blanked_as_the_models_blank_them() -> None:
    masks = {"contact": ("notes", "phones")}
    for created_by in ("u-1", "someone else", None):
        record = _record(DATA, text=True, created_by=created_by)
        wire = times_read(json.loads(record_json(record, masks, "u-1")))
        assert wire == times_read(json.loads(to_wire(record, masks, "u-1").model_dump_json()))
        if created_by != "u-1":
            assert wire["data"]["notes"] == "" and wire["masked"] == ["notes", "phones"]


def test_every_status_reason_and_record_alike() -> None:
    record = _record(DATA, text=True)
    answers = [
        Answer("ch-1", ChangeStatus.APPLIED, current=record, reader="u-1"),
        Answer("ch-2 “x” \\", ChangeStatus.REJECTED, reason="Invalid data: name “\\\"” 😀\n"),
        Answer("ch-3", ChangeStatus.CONFLICT, current=_record(DATA, text=False)),
        Answer("ch-4", ChangeStatus.ALREADY_APPLIED),
        Answer(
            "ch-5",
            ChangeStatus.APPLIED,
            current=record,
            masks={"contact": ("notes",)},
            reader="u-2",
        ),
    ]
    _same(PushAnswer(answers))
    _same(PushAnswer([]))
