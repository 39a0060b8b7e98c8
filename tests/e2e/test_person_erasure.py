"""A person erased on the server leaves a replica that was offline with an unsynced edit to
them (issue 13, item 3, "must show"): after its next sync no file in the profile folder holds
their name or number, read raw and decrypted page by page (free space and the ``-wal``
included); the edit became a sync issue without their data; other contacts are untouched."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from desktop_crm.client.error_log import write_error_log
from desktop_crm.client.session import run_sync, sign_in
from desktop_crm.domain.erasure import ERASED_NAME, ERASED_REASON
from desktop_crm.domain.phones import Phone
from desktop_crm.domain.records import Activity, Contact
from desktop_crm.server import admin
from desktop_crm.storage import records_store as store
from desktop_crm.storage import sync_bookkeeping as book
from tests.e2e.conftest import BOTH_DATABASES, PASSPHRASE, ClientProfile, E2EServer
from tests.e2e.file_scan import files_containing, pages_containing
from tests.sync.harness import replica_records, server_records

NAME = "Xiaoming Wangerase"
EMAIL = "xiaoming.erase@example.cn"
PHONE = "+86 138 0013 8000"
SECRETS = (NAME, EMAIL, "13800138000", "138 0013 8000", "Wangerase")


def _add_person(office: ClientProfile, account_id: str, user_id: str) -> tuple[str, str]:
    assert office.replica is not None and office.engine is not None
    person = Contact(account_id=account_id, name=NAME, emails=[EMAIL], phones=[Phone(raw=PHONE)])
    call = Activity(
        account_id=account_id,
        contact_id=person.meta.id,
        kind="call",
        start_at=datetime(2026, 5, 4, 9, tzinfo=UTC),
        summary=f"{NAME} asked for a quote",
    )
    with office.replica.engine.begin() as conn:
        store.save_local(conn, person, office.engine.replica_id, user_id)
        store.save_local(conn, call, office.engine.replica_id, user_id)
    assert office.engine.sync_once().pushed == 2
    return person.meta.id, call.meta.id


@BOTH_DATABASES
def test_erasure_reaches_an_offline_replica_and_leaves_nothing_in_its_files(
    e2e_server: E2EServer, profiles: list[ClientProfile], tmp_path: Path
) -> None:
    world = e2e_server.world
    acc1, rep1 = world.accounts["acc1"], world.users["rep1"]
    office, away = (ClientProfile(tmp_path / n, e2e_server.url, "rep1") for n in ("office", "away"))
    profiles += [office, away]
    office.open().sync_once()
    person, call = _add_person(office, acc1, rep1)
    away.open().sync_once()
    assert away.replica is not None
    # Offline: an edit to the person, and a note on the call that names them again.
    away.edit("contact", person, title="Purchasing, mobile 138-0013-8000")
    away.edit("activity", call, summary=f"Follow up with {NAME} ({EMAIL})")
    before = {k: v for k, v in replica_records_of(away).items() if k[1] not in (person, call)}
    away.close()

    report = admin.erase_person(e2e_server.engine, person, "request of 2 Dec, ticket 4711")
    assert report.activities == 1
    office.engine.sync_once()  # type: ignore[union-attr]

    # A traceback in the profile's error log quoted them.
    write_error_log(away.folder, RuntimeError(f"could not save {NAME}, 13800138000"))
    assert files_containing(away.folder, NAME) != []
    engine = away.open()
    # The sync as the application runs it (client.session), with its error-log hook.
    signed_in = sign_in(away.profile, away.profile.load_settings(), "pw-rep1")
    try:
        assert away.replica is not None
        summary = run_sync(away.replica, signed_in)
    finally:
        signed_in.client.close()
    assert summary.erased == 1
    assert engine.sync_once().erased == 0  # done once
    records = replica_records_of(away)
    assert records[("contact", person)].data["name"] == ERASED_NAME
    assert records[("contact", person)].data["phones"] == []
    assert records[("activity", call)].data["contact_id"] == person  # the fact stays
    # Other records are untouched.
    assert {k: v for k, v in records.items() if k[1] not in (person, call)} == before
    # The edit to the person is a sync issue that says what happened, without their data.
    assert away.replica is not None
    with away.replica.engine.connect() as conn:
        issues = book.list_sync_issues(conn)
        assert book.outbox_count(conn) == 0
    assert [(i.record_id, i.reason, i.data) for i in issues] == [(person, ERASED_REASON, {})]
    # The call's offline note went to the server scrubbed, not with the name.
    on_server = server_records(e2e_server.engine)
    assert "Follow up with" in on_server[("activity", call)]["data"]["summary"]
    assert NAME not in str(on_server) and EMAIL not in str(on_server)

    away.close()  # the files as they are left on disk
    database = away.profile.replica_path
    assert pages_containing(database, PASSPHRASE, "Contact of acc1") > 0  # the scan reads
    for secret in SECRETS:
        assert files_containing(away.folder, secret) == [], secret
        assert pages_containing(database, PASSPHRASE, secret) == 0, secret


def replica_records_of(profile: ClientProfile) -> dict[tuple[str, str], store.StoredRecord]:
    if profile.replica is None:
        profile.open()
    assert profile.replica is not None
    return replica_records(profile.replica.engine)
