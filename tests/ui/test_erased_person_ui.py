"""A person erased at their request shows as such in the customer's contacts and timeline, and
cannot be opened for editing (the server would refuse any change to them)."""

from __future__ import annotations

from typing import Any

from desktop_crm.domain.erasure import erased_contact_data
from desktop_crm.storage import records_store as store
from desktop_crm.storage.replica import Replica
from desktop_crm.ui.account_view import ID_ROLE
from desktop_crm.ui.main_window import MainWindow


def test_an_erased_person_is_shown_as_erased_and_not_editable(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    with filled_replica.engine.begin() as conn:
        [contact] = store.contacts.list(conn, limit=1)
        stored = store.read_record(conn, "contact", contact.meta.id)
        assert stored is not None
        erased = store.StoredRecord(
            entity=stored.entity,
            id=stored.id,
            version=stored.version.bump("server"),
            deleted=False,
            updated_at=stored.updated_at,
            updated_by="server",
            data=erased_contact_data(stored.data),
        )
        store.apply_remote(conn, erased)
    with qtbot.waitSignal(window.account_view.loaded, timeout=5000):
        window.show_account(contact.account_id)
    view = window.account_view
    rows = [view.contacts.topLevelItem(i) for i in range(view.contacts.topLevelItemCount())]
    [row] = [r for r in rows if r is not None and r.data(0, ID_ROLE) == contact.meta.id]
    assert row.text(0) == "(erased at their request)" and row.childCount() == 0
    assert window.edit_contact(contact.account_id, contact.meta.id) is None
    assert "erased" in window.statusBar().currentMessage()
