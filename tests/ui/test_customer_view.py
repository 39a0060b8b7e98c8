"""The customer's whole history, clock and consent through the real widgets over a real
encrypted replica (offline): paging the timeline past 50, its filters and the closed deals;
the "outside business hours" marker at a fixed clock; the closed lists of the account dialog;
a contact's decision role and consent; the warning before an outbound call; the consent filter
of the account list."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from PySide6.QtWidgets import QComboBox, QMessageBox
from sqlalchemy import func, select

from desktop_crm.domain.records import (
    Account,
    Activity,
    ActivityKind,
    Contact,
    Opportunity,
    Phone,
)
from desktop_crm.storage import records_store as store
from desktop_crm.storage.replica import Replica
from desktop_crm.storage.schema import accounts, contacts
from desktop_crm.ui.dialogs import AccountDialog, ActivityDialog, ContactDialog
from desktop_crm.ui.main_window import MainWindow
from tests.ui.conftest import ME, NOW, model_texts, save_screenshot

#: A Wednesday, 14:40 UTC: 22:40 in Shanghai, 15:40 in Berlin.
FIXED = datetime(2026, 3, 4, 14, 40, tzinfo=UTC)


def _save(replica: Replica, *records: Any) -> None:
    with replica.engine.connect() as conn:
        for record in records:
            store.save_local(conn, record, ME.replica_id, ME.user_id)


def _customer(replica: Replica, *, timezone: str = "", phone: str = "+8613800138000") -> Account:
    """A customer with 130 activities (every fifth for its open deal), a won and a lost deal,
    and one contact who agreed to nothing but e-mails."""
    account = Account(name="历史很长的客户", owner_id=ME.user_id, timezone=timezone)
    deal = Opportunity(account_id=account.meta.id, name="Open deal")
    won = Opportunity(
        account_id=account.meta.id, name="Won 2025", stage="won", expected_close=date(2025, 6, 1)
    )
    lost = Opportunity(account_id=account.meta.id, name="Lost one", stage="lost")
    person = Contact(
        account_id=account.meta.id,
        name="王芳",
        phones=[Phone(phone, primary=True)],
        consent_phone=False,
        consent_phone_at=date(2026, 2, 1),
        consent_phone_source="asked us to stop calling",
        consent_email=True,
        decision_role="decision_maker",
        decision_weight=70,
    )
    acts = [
        Activity(
            account_id=account.meta.id,
            kind="email" if n % 4 == 0 else "call",
            start_at=NOW - timedelta(hours=n),
            opportunity_id=deal.meta.id if n % 5 == 0 else None,
            summary=f"activity {n}",
        )
        for n in range(130)
    ]
    _save(replica, account, deal, won, lost, person, *acts)
    return account


def _open(qtbot: Any, window: MainWindow, account_id: str) -> None:
    with qtbot.waitSignal(window.account_view.loaded, timeout=10_000):
        window.show_account(account_id)


def test_the_timeline_pages_past_50_and_filters_by_kind_and_deal(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    account = _customer(filled_replica)
    _open(qtbot, window, account.meta.id)
    view = window.account_view
    model = view.timeline_model
    assert model.rowCount() == 50 and model.has_more()  # the first page only
    view.lower_tabs.setCurrentWidget(view.timeline_pane)
    # Scrolling to the end asks for the next page, as a user's scrolling does.
    def scrolled_to_end() -> bool:
        view.timeline.scrollToBottom()
        return model.rowCount() == 130

    qtbot.waitUntil(scrolled_to_end, timeout=10_000)
    assert not model.has_more() and not model.canFetchMore()
    summaries = model_texts(model, 3)
    assert summaries == [f"activity {n}" for n in range(130)]  # newest first, none twice
    assert view.timeline_pane.count.text() == "130 activities"

    pane = view.timeline_pane
    with qtbot.waitSignal(model.replaced, timeout=5000):
        pane.kind_filter.setCurrentIndex(pane.kind_filter.findData("email"))
    assert model.rowCount() == 33 and set(model_texts(model, 1)) == {"E-mail"}
    with qtbot.waitSignal(model.replaced, timeout=5000):
        pane.kind_filter.setCurrentIndex(0)
    qtbot.waitUntil(lambda: pane.opportunity_filter.count() == 4, timeout=5000)  # all + 3
    with qtbot.waitSignal(model.replaced, timeout=5000):
        pane.opportunity_filter.setCurrentIndex(pane.opportunity_filter.findText("Open deal"))
    assert model.rowCount() == 26
    # Closed deals in their own list, latest close first.
    closed = view.closed_opportunities
    names = [closed.topLevelItem(i).text(0) for i in range(closed.topLevelItemCount())]  # type: ignore[union-attr]
    assert names == ["Won 2025", "Lost one"]


def test_the_clock_says_outside_business_hours_at_a_fixed_time(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    shanghai = _customer(filled_replica, timezone="Asia/Shanghai")
    view = window.account_view
    view.clock.now = lambda: FIXED
    _open(qtbot, window, shanghai.meta.id)
    assert "Outside business hours (local time 22:40)" in view.clock.text()
    assert "Asia/Shanghai" in view.clock.text()
    assert view._detail_labels["timezone"].text() == "Asia/Shanghai"
    # No zone on the account: the Berlin number names it, and it is a good time to call.
    berlin = _customer(filled_replica, phone="+493012345678")
    _open(qtbot, window, berlin.meta.id)
    assert "Good time to call (local time 15:40)" in view.clock.text()
    assert "phone number" in view.clock.toolTip()
    save_screenshot(window, "customer-clock-and-history.png")


def test_the_account_dialog_offers_lists_not_free_text(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    account = _customer(filled_replica)
    _open(qtbot, window, account.meta.id)
    dialog = window.edit_account(account.meta.id)
    assert isinstance(dialog, AccountDialog)
    for box in (dialog.timezone, dialog.currency, dialog.language):
        assert isinstance(box, QComboBox) and not box.isEditable()
    dialog.timezone.setCurrentIndex(dialog.timezone.findData("Europe/Berlin"))
    dialog.currency.setCurrentIndex(dialog.currency.findData("EUR"))
    dialog.language.setCurrentIndex(dialog.language.findData("de"))
    save_screenshot(dialog, "account-time-zone.png")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog._save()
    with filled_replica.engine.connect() as conn:
        saved = store.accounts.get(conn, account.meta.id)
    assert saved is not None
    assert (saved.timezone, saved.currency, saved.language) == ("Europe/Berlin", "EUR", "de")


def test_a_contact_shows_and_edits_role_weight_and_consent(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    account = _customer(filled_replica)
    _open(qtbot, window, account.meta.id)
    view = window.account_view
    item = view.contacts.topLevelItem(0)
    assert item is not None and "Decision maker (70)" in item.text(1)
    consent_row = item.child(item.childCount() - 1)
    assert consent_row is not None
    assert "calls ✗ 2026-02-01" in consent_row.text(0) and "e-mails ✓" in consent_row.text(0)
    contact_id = str(item.data(0, 0x0101))
    dialog = window.edit_contact(account.meta.id, contact_id)
    assert isinstance(dialog, ContactDialog)
    dialog.decision_weight.setValue(40)
    dialog.decision_role.setCurrentIndex(dialog.decision_role.findData("influencer"))
    sms = dialog.consents[next(c for c in dialog.consents if c.value == "sms")]
    sms.agreed.setChecked(True)
    sms.dated.setChecked(True)
    sms.source.setText("signed form")
    dialog.do_not_contact.setChecked(True)
    save_screenshot(dialog, "contact-consent.png")
    with qtbot.waitSignal(window.refreshed, timeout=5000):
        dialog._save()
    with filled_replica.engine.connect() as conn:
        saved = store.contacts.get(conn, contact_id)
    assert saved is not None
    assert (saved.decision_role, saved.decision_weight) == ("influencer", 40)
    assert saved.consent_sms and saved.consent_sms_source == "signed form"
    assert saved.consent_sms_at is not None and saved.do_not_contact
    assert saved.consent_phone_source == "asked us to stop calling"  # untouched, kept
    qtbot.waitUntil(lambda: "Do not contact" in _consent_text(window), timeout=5000)


def _consent_text(window: MainWindow) -> str:
    item = window.account_view.contacts.topLevelItem(0)
    child = item.child(item.childCount() - 1) if item is not None else None
    return child.text(0) if child is not None else ""


def _warning(window: MainWindow) -> QMessageBox:
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1
    return boxes[0]


def test_an_outbound_call_to_someone_who_did_not_agree_asks_first(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    account = _customer(filled_replica)
    _open(qtbot, window, account.meta.id)
    dialog = window.log_activity(account.meta.id, "call")
    assert isinstance(dialog, ActivityDialog)
    dialog.contact.setCurrentIndex(1)  # 王芳, who asked not to be called
    dialog.direction.setCurrentIndex(dialog.direction.findData("outbound"))
    dialog.summary.setPlainText("Called about the renewal.")
    dialog._save()
    box = _warning(window)
    assert "王芳 has not agreed to calls" in box.text()
    save_screenshot(box, "consent-warning.png")
    assert "asked us to stop calling" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.wait(50)
    assert dialog.isVisible() and not _logged(filled_replica, account)
    # Then "Log anyway": the call is logged (the warning informs, it does not forbid).
    dialog._save()
    box = _warning(window)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.consent_guard.log_anyway_button.click()  # type: ignore[union-attr]
    assert _logged(filled_replica, account) == ["Called about the renewal."]


def test_an_inbound_call_logs_without_asking(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    account = _customer(filled_replica)
    _open(qtbot, window, account.meta.id)
    dialog = window.log_activity(account.meta.id, "call")
    assert isinstance(dialog, ActivityDialog)
    dialog.contact.setCurrentIndex(1)
    dialog.direction.setCurrentIndex(dialog.direction.findData("inbound"))
    dialog.summary.setPlainText("They called us.")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog._save()
    assert not [b for b in window.findChildren(QMessageBox) if b.isVisible()]


def _logged(replica: Replica, account: Account) -> list[str]:
    with replica.engine.connect() as conn:
        acts = store.activities.list(conn, account_id=account.meta.id)
    return [a.summary for a in acts if a.summary.startswith("Called")]


def test_the_account_list_filters_by_consent(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    with filled_replica.engine.begin() as conn:
        barred = conn.execute(
            select(contacts.c.account_id).where(contacts.c.deleted == 0).limit(3)
        ).scalars().all()
        for account_id in barred:
            [person] = store.contacts.list(conn, account_id=account_id)[:1]
            person.do_not_contact = True
            store.save_local(conn, person, ME.replica_id, ME.user_id)
        expected = conn.execute(
            select(func.count(func.distinct(accounts.c.id)))
            .select_from(accounts.join(contacts, contacts.c.account_id == accounts.c.id))
            .where(accounts.c.deleted == 0, contacts.c.deleted == 0, contacts.c.do_not_contact == 1)
        ).scalar_one()
    assert expected >= 1
    box = window.consent_filter
    with qtbot.waitSignal(window.accounts_model.reloaded, timeout=5000) as blocker:
        box.setCurrentIndex(box.findData("do_not_contact"))
    assert blocker.args == [expected]
    assert window.accounts_model.rowCount() == expected


def test_an_e_mail_to_someone_marked_do_not_contact_asks_first(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    account = _customer(filled_replica)
    _open(qtbot, window, account.meta.id)
    view = window.account_view.view
    assert view is not None
    person = view.contacts[0]
    person.do_not_contact = True  # as the replica would hold it after an edit
    dialog = ActivityDialog(
        window.session,
        account.meta.id,
        account.name,
        [person],
        ActivityKind.EMAIL,
        contact_id=person.meta.id,
        parent=window,
    )
    qtbot.addWidget(dialog)
    dialog.open()
    dialog.summary.setPlainText("Called about the offer by e-mail.")
    dialog._save()
    box = _warning(window)
    assert "王芳 is marked “do not contact”. Log this e-mail anyway?" == box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.wait(50)
    assert not _logged(filled_replica, account)


def test_a_late_page_for_an_older_filter_is_dropped(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    account = _customer(filled_replica)
    _open(qtbot, window, account.meta.id)
    pane = window.account_view.timeline_pane
    model = pane.model
    # Two filters in a row: both pages are read, only the second one's is shown.
    pane.kind_filter.setCurrentIndex(pane.kind_filter.findData("email"))
    with qtbot.waitSignal(model.replaced, timeout=5000):
        pane.kind_filter.setCurrentIndex(pane.kind_filter.findData("call"))
    qtbot.wait(100)  # the e-mails' page, had it been kept, would be here by now
    assert model.rowCount() >= 50 and set(model_texts(model, 1)) == {"Call"}


def test_the_customer_view_fits_half_a_laptop_screen(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    """Six action buttons beside a long name once widened the window past a 1400-pixel screen
    (the right half was cut off): they wrap onto a second row instead."""
    customer = _customer(filled_replica, timezone="Asia/Shanghai")
    _open(qtbot, window, customer.meta.id)
    view = window.account_view
    assert view.minimumSizeHint().width() <= 640
    buttons = (view.call_button, view.new_opportunity_button, view.edit_button)
    flow = view.call_button.parentWidget()
    layout = flow.layout() if flow is not None else None
    assert layout is not None
    one_row = max(b.sizeHint().height() for b in buttons)
    assert layout.heightForWidth(300) > 2 * one_row  # wraps when narrow
