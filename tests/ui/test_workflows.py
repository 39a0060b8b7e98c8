"""The desk and the rep at work, through the real widgets over a real encrypted replica."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QTreeWidget, QTreeWidgetItem
from sqlalchemy import select

from desktop_crm.domain.records import Activity, Opportunity
from desktop_crm.storage import records_store as store
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.queries import Account360
from desktop_crm.storage.replica import Replica
from desktop_crm.storage.schema import contact_phones, opportunities
from desktop_crm.storage.search import search
from desktop_crm.ui.accounts_model import ID_ROLE
from desktop_crm.ui.dialogs import AccountDialog, ActivityDialog
from desktop_crm.ui.main_window import MainWindow
from desktop_crm.ui.opportunity_dialog import OpportunityDialog
from tests.ui.conftest import ME, model_texts


def _a_phone(replica: Replica) -> tuple[str, str, str]:
    """(raw, e164, account id) of some stored phone."""
    with replica.engine.connect() as conn:
        row = conn.execute(
            select(contact_phones.c.raw, contact_phones.c.e164, contact_phones.c.account_id)
            .where(contact_phones.c.e164.like("+86%"))
            .limit(1)
        ).one()
    return str(row[0]), str(row[1]), str(row[2])


def _search(qtbot: Any, window: MainWindow, text: str) -> int:
    with qtbot.waitSignal(window.search_done, timeout=5000) as blocker:
        window.search_box.clear()
        if text.isascii():
            qtbot.keyClicks(window.search_box, text)  # keystroke by keystroke, debounced
        else:
            window.search_box.setText(text)
    assert blocker.args is not None
    assert blocker.args[0] == text.strip()
    return int(blocker.args[1])


def test_search_box_finds_callers_by_any_phone_format_and_by_name(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    raw, e164, account_id = _a_phone(filled_replica)
    national = e164.removeprefix("+86")
    formats = [
        e164,
        "+86 " + " ".join([national[:3], national[3:7], national[7:]]),
        "0" + national if len(national) == 10 else national,
        national[-6:],
    ]
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.search_box.hasFocus() or QApplication.focusWidget() is window.search_box
    for text in formats:
        assert _search(qtbot, window, text) >= 1, text
        hits = window.results_model
        ids = {hits.hit(r).account_id for r in range(hits.rowCount())}
        assert account_id in ids, text
    # Enter opens the best match in the 360° view.
    with qtbot.waitSignal(window.account_view.loaded, timeout=5000):
        _search(qtbot, window, e164)
        qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    assert window.account_view.account_id == account_id
    assert window.tabs.currentWidget() is window.account_view
    # Names too.
    name = _view(window).account.name
    assert _search(qtbot, window, name[:4]) >= 1


def test_stale_search_answers_are_dropped(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    raw, e164, account_id = _a_phone(filled_replica)
    # Two queries in flight: the answer to the first must not replace the second's.
    window.search_box.setText("zzzz-no-such-customer")
    window._run_search()
    window.search_box.setText(e164)
    with qtbot.waitSignal(window.search_done, timeout=5000) as blocker:
        window._run_search()
    assert blocker.args == [e164, window.results_model.rowCount()]
    qtbot.wait(100)  # any late answer would have arrived by now
    assert window.results_model.rowCount() >= 1
    assert window.results_model.hit(0).account_id == account_id


def _view(window: MainWindow) -> Account360:
    view = window.account_view.view
    assert view is not None
    return view


def _texts(tree: QTreeWidget, column: int) -> list[str]:
    return [item.text(column) for item in _top_items(tree)]


def _open_account(qtbot: Any, window: MainWindow, account_id: str) -> None:
    with qtbot.waitSignal(window.account_view.loaded, timeout=5000):
        window.show_account(account_id)


def _account_with_opportunity(replica: Replica) -> Opportunity:
    with replica.engine.connect() as conn:
        opp_id = conn.execute(
            select(opportunities.c.id).where(opportunities.c.stage == "lead").limit(1)
        ).scalar_one()
        opp = store.opportunities.get(conn, opp_id)
    assert opp is not None
    return opp


def test_account_360_shows_contacts_phones_opportunities_timeline(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    opp = _account_with_opportunity(filled_replica)
    _open_account(qtbot, window, opp.account_id)
    view = window.account_view
    assert view.content.isVisible()
    shown = _view(window)
    assert view.title.text() == shown.account.name
    assert view.contacts.topLevelItemCount() == len(shown.contacts)
    first = view.contacts.topLevelItem(0)
    assert first is not None and first.childCount() >= 1  # phones/e-mails under the contact
    assert opp.name in _texts(view.opportunities, 0)
    assert view.timeline_model.rowCount() == len(shown.recent_activities)


def test_editing_an_account_shows_validation_messages_then_saves(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    opp = _account_with_opportunity(filled_replica)
    _open_account(qtbot, window, opp.account_id)
    dialog = window.edit_account(None)
    assert dialog is not None
    dialog.name.setText("   ")
    dialog.country.setText("China")
    qtbot.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)  # Save
    qtbot.waitUntil(lambda: dialog._errors["name"].isVisible(), timeout=5000)
    assert "name" in dialog._errors["name"].text().lower()
    assert dialog._errors["country"].isVisible()
    assert dialog.isVisible()
    dialog.name.setText("Renamed Quokka Co.")
    dialog.country.setText("CN")
    with qtbot.waitSignal(window.refreshed, timeout=5000):
        dialog._save()
    qtbot.waitUntil(lambda: window.account_view.title.text() == "Renamed Quokka Co.", timeout=5000)
    with filled_replica.engine.connect() as conn:
        assert book.outbox_count(conn) >= 1
        renamed = store.accounts.get(conn, opp.account_id)
        assert renamed is not None and renamed.name == "Renamed Quokka Co."
    # The former name shows in the history tab.
    assert any("Formerly named" in t for t in _texts(window.account_view.history, 1))


def test_editing_a_contact_with_a_bad_phone_says_so(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    _raw, _e164, account_id = _a_phone(filled_replica)
    _open_account(qtbot, window, account_id)
    contact = _view(window).contacts[0]
    dialog = window.edit_contact(account_id, contact.meta.id)
    assert dialog is not None
    dialog.phones.setPlainText("12")
    dialog._save()
    qtbot.waitUntil(
        lambda: dialog._errors["phones"].isVisible() or dialog.general_error.isVisible(),
        timeout=5000,
    )
    dialog.phones.setPlainText("+86 138 0013 8000 work")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog._save()
    with filled_replica.engine.connect() as conn:
        saved = store.contacts.get(conn, contact.meta.id)
    assert saved is not None and saved.phones[0].e164 == "+8613800138000"


def test_log_a_call_offline_appears_in_the_timeline_at_once(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    opp = _account_with_opportunity(filled_replica)
    _open_account(qtbot, window, opp.account_id)
    before = window.account_view.timeline_model.rowCount()
    window.activateWindow()
    window.log_call_action.trigger()  # Ctrl+L
    dialogs = window.findChildren(ActivityDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    assert dialog.isVisible() and "Log a call" in dialog.windowTitle()
    dialog.outcome.setCurrentText("Reached")
    dialog.duration.setValue(12)
    dialog.summary.setPlainText("Confirmed the delivery date.")
    dialog.follow_up.setChecked(True)
    with qtbot.waitSignal(window.refreshed, timeout=5000):
        dialog._save()
    qtbot.waitUntil(
        lambda: window.account_view.timeline_model.rowCount() > before, timeout=5000
    )
    summaries = model_texts(window.account_view.timeline_model, 3)
    assert any("Confirmed the delivery date." in t for t in summaries)
    with filled_replica.engine.connect() as conn:
        calls = [a for a in store.activities.list(conn, account_id=opp.account_id)
                 if a.summary == "Confirmed the delivery date."]
    assert len(calls) == 1
    assert calls[0].duration_minutes == 12 and calls[0].author_id == ME.user_id
    assert calls[0].follow_up_at is not None


def test_today_lists_follow_ups_on_opening(qtbot: Any, window: MainWindow) -> None:
    assert window.tabs.currentWidget() is window.today
    qtbot.waitUntil(lambda: window.today.due is not None, timeout=5000)
    due = window.today.due
    assert due is not None and len(due) > 0
    assert window.today.tree.topLevelItemCount() == len(due)
    assert "overdue" in window.today.heading.text()
    # Mark one done: it leaves the list.
    first = window.today.tree.topLevelItem(0)
    assert first is not None
    window.today.tree.setCurrentItem(first)
    count = len(due)
    window.today._mark_done()
    qtbot.waitUntil(lambda: window.today.tree.topLevelItemCount() == count - 1, timeout=5000)


def test_pipeline_chart_and_stage_rules(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    window.tabs.setCurrentWidget(window.pipeline)
    qtbot.waitUntil(lambda: window.pipeline.summary is not None, timeout=5000)
    chart = window.pipeline.chart
    assert [b.stage.key for b in chart.bars][:2] == ["lead", "qualified"]
    assert sum(b.count for b in chart.bars) > 0
    image = chart.grab()  # paints without warnings
    assert not image.isNull()
    opp = _account_with_opportunity(filled_replica)
    opp.expected_close = None
    with filled_replica.engine.begin() as conn:
        store.save_local(conn, opp, ME.replica_id, ME.user_id)
    window.pipeline.move_to(opp.meta.id, "proposal")
    qtbot.waitUntil(lambda: "Cannot move" in window.pipeline.message.text(), timeout=5000)
    message = window.pipeline.message.text()
    assert "expected close date" in message
    # Meet the rules: an activity on the opportunity and a close date.
    with filled_replica.engine.begin() as conn:
        opp = store.opportunities.get(conn, opp.meta.id)  # type: ignore[assignment]
        opp.expected_close = date(2026, 6, 30)
        store.save_local(conn, opp, ME.replica_id, ME.user_id)
        store.save_local(
            conn,
            Activity(account_id=opp.account_id, kind="call", opportunity_id=opp.meta.id,
                     start_at=datetime.now(UTC),
                     summary="qualified it"),
            ME.replica_id, ME.user_id,
        )
    window.pipeline.move_to(opp.meta.id, "proposal")
    qtbot.waitUntil(lambda: window.pipeline.message.text().startswith("Moved"), timeout=5000)
    with filled_replica.engine.connect() as conn:
        moved = store.opportunities.get(conn, opp.meta.id)
        assert moved is not None and moved.stage == "proposal"


def test_a_shortcut_before_any_customer_is_open_hints_without_blocking(
    qtbot: Any, window: MainWindow
) -> None:
    assert window.account_view.account_id is None
    window.log_call_action.trigger()  # Ctrl+L with nothing open: no modal box to dismiss
    assert window.findChildren(ActivityDialog) == []
    assert "Open a customer first" in window.statusBar().currentMessage()


def test_new_customer_is_saved_for_me_and_opened(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    window.new_account_action.trigger()  # Ctrl+N
    dialogs = [d for d in window.findChildren(AccountDialog) if d.isVisible()]
    assert len(dialogs) == 1
    dialog = dialogs[0]
    assert dialog.windowTitle() == "New customer"
    dialog.name.setText("Hangzhou Lakeside Tea Co.")
    dialog.country.setText("CN")
    with qtbot.waitSignal(window.account_view.loaded, timeout=5000) as loaded:
        dialog._save()
    new_id = loaded.args[0]
    assert window.account_view.title.text() == "Hangzhou Lakeside Tea Co."
    with filled_replica.engine.connect() as conn:
        saved = store.accounts.get(conn, new_id)
        assert saved is not None and saved.owner_id == ME.user_id
        assert book.outbox_count(conn) >= 1


def test_new_opportunity_checks_the_amount_then_starts_at_the_first_stage(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    opp = _account_with_opportunity(filled_replica)
    _open_account(qtbot, window, opp.account_id)
    before = window.account_view.opportunities.topLevelItemCount()
    window.new_opportunity_action.trigger()
    qtbot.waitUntil(lambda: bool(window.findChildren(OpportunityDialog)), timeout=5000)
    dialog = window.findChildren(OpportunityDialog)[0]
    dialog.name.setText("Cold-chain retrofit")
    dialog.amount.setText("12万")
    dialog._save()
    assert dialog._errors["amount"].isVisible()
    assert "number" in dialog._errors["amount"].text()
    dialog.amount.setText("120,000.50")
    dialog.has_close.setChecked(True)
    with qtbot.waitSignal(window.refreshed, timeout=5000):
        dialog._save()
    qtbot.waitUntil(
        lambda: window.account_view.opportunities.topLevelItemCount() == before + 1,
        timeout=5000,
    )
    assert "Cold-chain retrofit" in _texts(window.account_view.opportunities, 0)
    with filled_replica.engine.connect() as conn:
        made = [
            o
            for o in store.opportunities.list(conn)
            if o.name == "Cold-chain retrofit"
        ]
    assert len(made) == 1
    assert made[0].stage == "lead" and str(made[0].amount) == "120000.50"
    assert made[0].expected_close is not None and made[0].owner_id == ME.user_id


def test_removing_a_contact_asks_first_then_tombstones_it(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    _raw, e164, account_id = _a_phone(filled_replica)
    _open_account(qtbot, window, account_id)
    view = window.account_view
    count = view.contacts.topLevelItemCount()
    item = next(c for c in _top_items(view.contacts) if e164[-4:] in _phone_digits(c))
    contact_id = item.data(0, ID_ROLE)
    phone_row = item.child(0)
    assert phone_row is not None
    view.contacts.setCurrentItem(phone_row)  # a phone row selects its contact
    # Cancel first: nothing happens.
    view.remove_contact_action.trigger()
    box = _question_box(window)
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.wait(50)
    with filled_replica.engine.connect() as conn:
        assert store.contacts.get(conn, contact_id) is not None
    # Then yes.
    view.remove_contact_action.trigger()
    box = _question_box(window)
    assert item.text(0) in box.text()
    with qtbot.waitSignal(window.refreshed, timeout=5000):
        box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: view.contacts.topLevelItemCount() == count - 1, timeout=5000)
    with filled_replica.engine.connect() as conn:
        assert store.contacts.get(conn, contact_id) is None
        gone = store.read_record(conn, "contact", contact_id)
        assert gone is not None and gone.deleted
        assert book.outbox_count(conn) >= 1
        assert all(h.contact_id != contact_id for h in search(conn, e164))


def _top_items(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    items = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    return [item for item in items if item is not None]


def _phone_digits(contact_item: QTreeWidgetItem) -> str:
    children = [contact_item.child(j) for j in range(contact_item.childCount())]
    return "".join(c.text(0).replace(" ", "") for c in children if c is not None)


def _question_box(window: MainWindow) -> QMessageBox:
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1
    return boxes[0]


def test_activity_tab_shows_the_newest_first_and_filters_by_person(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    window.set_owner_names({ME.user_id: "rep1", "user-rep2": "rep2"})
    feed = window.activity
    with qtbot.waitSignal(feed.loaded, timeout=5000) as everyone:
        window.tabs.setCurrentWidget(feed)  # loads when first shown
    assert everyone.args[0] > 0
    rows = _top_items(feed.tree)
    whens = [row.text(0) for row in rows]
    assert whens == sorted(whens, reverse=True)
    with qtbot.waitSignal(feed.loaded, timeout=5000):
        feed.person.setCurrentIndex(feed.person.findData(ME.user_id))
    assert {row.text(3) for row in _top_items(feed.tree)} == {"rep1"}
    # Log a call: the feed (stale once data changed) shows it on top when looked at again.
    opp = _account_with_opportunity(filled_replica)
    _open_account(qtbot, window, opp.account_id)
    dialog = window.log_activity(None, "call")
    assert dialog is not None
    dialog.summary.setPlainText("Fresh call for the feed.")
    with qtbot.waitSignal(window.refreshed, timeout=5000):
        dialog._save()
    with qtbot.waitSignal(feed.loaded, timeout=5000):
        window.tabs.setCurrentWidget(feed)
    top = _top_items(feed.tree)[0]
    assert top.text(4) == "Fresh call for the feed." and top.text(3) == "rep1"
    with qtbot.waitSignal(window.account_view.loaded, timeout=5000):
        feed.tree.itemDoubleClicked.emit(top, 0)
    assert window.account_view.account_id == opp.account_id
