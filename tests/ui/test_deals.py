"""A rep works a deal from Lead to Won only through the widgets, over a real encrypted replica:
a new opportunity, a refused move whose buttons do what is missing (log a linked call, set the
close date), move, move, and the customer turns Active. Editing a deal, its own timeline,
logging e-mails, visits and notes, and moving a deal to another customer."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QTreeWidgetItem,
)
from sqlalchemy import select

from desktop_crm.client.identity import Identity
from desktop_crm.domain.records import ActivityKind, Opportunity
from desktop_crm.storage import records_store as store
from desktop_crm.storage.replica import Replica
from desktop_crm.storage.schema import accounts, opportunities
from desktop_crm.ui.dialogs import ActivityDialog, RecordDialog
from desktop_crm.ui.main_window import MainWindow
from desktop_crm.ui.opportunity_dialog import OpportunityDialog, OpportunityEditDialog
from desktop_crm.ui.pipeline_view import ID_ROLE
from tests.ui.conftest import ME, LocalSession, save_screenshot


def _click(qtbot: Any, button: QAbstractButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _save(qtbot: Any, dialog: RecordDialog) -> None:
    """Click Save and wait until the dialog has closed (saved)."""
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        _click(qtbot, save)


def _prospect_without_deals(replica: Replica) -> str:
    with replica.engine.connect() as conn:
        with_deals = select(opportunities.c.account_id)
        return str(
            conn.execute(
                select(accounts.c.id)
                .where(accounts.c.status == "prospect", accounts.c.id.not_in(with_deals))
                .limit(1)
            ).scalar_one()
        )


def _open_account(qtbot: Any, window: MainWindow, account_id: str) -> None:
    with qtbot.waitSignal(window.account_view.loaded, timeout=5000):
        window.show_account(account_id)


def _opened(qtbot: Any, window: MainWindow, trigger: QAbstractButton) -> QDialog:
    """Click something that opens a deal's dialog (read on the worker first)."""
    with qtbot.waitSignal(window.deals.opened, timeout=5000) as blocker:
        _click(qtbot, trigger)
    dialog = blocker.args[0]
    assert isinstance(dialog, QDialog) and dialog.isVisible()
    return dialog


def _new_deal_through_the_dialog(qtbot: Any, window: MainWindow, name: str) -> None:
    _click(qtbot, window.account_view.new_opportunity_button)
    qtbot.waitUntil(lambda: bool(window.findChildren(OpportunityDialog)), timeout=5000)
    dialog = window.findChildren(OpportunityDialog)[0]
    qtbot.keyClicks(dialog.name, name)
    qtbot.keyClicks(dialog.amount, "80000")
    assert dialog.currency.isEditable() is False  # a list, no free text
    _save(qtbot, dialog)


def _pipeline_row(qtbot: Any, window: MainWindow, name: str) -> QTreeWidgetItem:
    table = window.pipeline.table

    def row() -> QTreeWidgetItem | None:
        found = table.findItems(name, Qt.MatchFlag.MatchExactly, 0)
        return found[0] if found else None

    qtbot.waitUntil(lambda: row() is not None, timeout=5000)
    item = row()
    assert item is not None
    return item


def _move(qtbot: Any, window: MainWindow, stage_name: str) -> str:
    """Pick the stage in the combo, click "Move to stage", return the answer shown."""
    pipeline = window.pipeline
    pipeline.stage.setCurrentIndex(pipeline.stage.findText(stage_name))
    pipeline.message.setText("")
    _click(qtbot, pipeline.move_button)
    qtbot.waitUntil(
        lambda: pipeline.message.text() not in ("", "Moving…"), timeout=5000
    )
    return pipeline.message.text()


def test_a_new_deal_goes_from_lead_to_won_through_the_widgets_and_the_customer_turns_active(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    account_id = _prospect_without_deals(filled_replica)
    _open_account(qtbot, window, account_id)
    _new_deal_through_the_dialog(qtbot, window, "Warehouse robots")
    window.tabs.setCurrentWidget(window.pipeline)
    row = _pipeline_row(qtbot, window, "Warehouse robots")
    deal_id = str(row.data(0, ID_ROLE))
    window.pipeline.table.setCurrentItem(row)
    rule = window.pipeline.rule_message

    # Straight to Proposal: refused, saying both missing things, each with its button.
    answer = _move(qtbot, window, "Proposal")
    assert "Cannot move to “Proposal” yet" in answer
    assert "log a call or meeting" in answer and "expected close date" in answer
    assert rule.log_call_button.isVisible() and rule.set_close_button.isVisible()
    save_screenshot(window.pipeline, "deal-refused-move.png")

    # "Log a call for this deal" opens the call dialog with this deal preselected.
    call = _opened(qtbot, window, rule.log_call_button)
    assert isinstance(call, ActivityDialog) and call.kind is ActivityKind.CALL
    assert call.opportunity.currentData() == deal_id
    qtbot.keyClicks(call.summary, "Walked through the robot layout.")
    _save(qtbot, call)

    # Now only the close date is missing, and only its button shows.
    answer = _move(qtbot, window, "Proposal")
    assert "expected close date" in answer and "log a call" not in answer
    assert not rule.log_call_button.isVisible() and rule.set_close_button.isVisible()
    editor = _opened(qtbot, window, rule.set_close_button)
    assert isinstance(editor, OpportunityEditDialog)
    assert editor.has_close.isChecked() and editor.expected_close.isEnabled()
    # The deal's own timeline shows the linked call.
    assert editor.timeline.topLevelItemCount() == 1
    save_screenshot(editor, "deal-edit.png")
    assert editor.timeline.topLevelItem(0).text(3) == "Walked through the robot layout."  # type: ignore[union-attr]
    _save(qtbot, editor)

    # Move, move.
    assert _move(qtbot, window, "Proposal").startswith("Moved")
    assert _move(qtbot, window, "Won").startswith("Moved")

    with filled_replica.engine.connect() as conn:
        deal = store.opportunities.get(conn, deal_id)
        account = store.accounts.get(conn, account_id)
    assert deal is not None and deal.stage == "won" and deal.expected_close is not None
    assert account is not None and account.status == "active"
    # The customer view says so, and its status history says why.
    window.tabs.setCurrentWidget(window.account_view)
    qtbot.waitUntil(
        lambda: window.account_view._detail_labels["status"].text() == "Active customer",
        timeout=5000,
    )
    history = [
        window.account_view.history.topLevelItem(i).text(1)  # type: ignore[union-attr]
        for i in range(window.account_view.history.topLevelItemCount())
    ]
    assert any("Prospect → Active customer" in h and "Warehouse robots" in h for h in history)


def _a_lead(replica: Replica) -> Opportunity:
    with replica.engine.connect() as conn:
        opp_id = conn.execute(
            select(opportunities.c.id).where(opportunities.c.stage == "lead").limit(1)
        ).scalar_one()
        opp = store.opportunities.get(conn, opp_id)
    assert opp is not None
    return opp


def _edit_from_the_customer_view(
    qtbot: Any, window: MainWindow, deal: Opportunity
) -> OpportunityEditDialog:
    _open_account(qtbot, window, deal.account_id)
    tree = window.account_view.opportunities
    item = tree.findItems(deal.name, Qt.MatchFlag.MatchExactly, 0)[0]
    with qtbot.waitSignal(window.deals.opened, timeout=5000) as blocker:
        tree.itemDoubleClicked.emit(item, 0)
    dialog = blocker.args[0]
    assert isinstance(dialog, OpportunityEditDialog)
    return dialog


def test_the_edit_dialogs_rule_buttons_do_what_they_say_and_probability_follows_the_stage(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    deal = _a_lead(filled_replica)
    dialog = _edit_from_the_customer_view(qtbot, window, deal)
    assert dialog.name.text() == deal.name
    assert dialog.owner is None  # a rep does not reassign
    dialog.has_close.setChecked(False)
    dialog.stage.setCurrentIndex(dialog.stage.findData("proposal"))
    assert dialog.probability.value() == 50  # the stage's default
    dialog.probability.setValue(55)  # and overridable
    dialog.amount.setText("99 500")
    _click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Save))
    rule = dialog.rule_message
    qtbot.waitUntil(lambda: "Cannot move" in rule.label.text(), timeout=5000)
    assert dialog.isVisible()
    with filled_replica.engine.connect() as conn:
        unchanged = store.opportunities.get(conn, deal.meta.id)
    assert unchanged is not None and unchanged.stage == "lead"  # nothing written

    _click(qtbot, rule.set_close_button)
    assert dialog.has_close.isChecked() and dialog.expected_close.isEnabled()
    before = dialog.timeline.topLevelItemCount()
    _click(qtbot, rule.log_call_button)
    calls = [d for d in dialog.findChildren(ActivityDialog) if d.isVisible()]
    assert len(calls) == 1 and calls[0].opportunity.currentData() == deal.meta.id
    qtbot.keyClicks(calls[0].summary, "Agreed the scope.")
    _save(qtbot, calls[0])
    qtbot.waitUntil(lambda: dialog.timeline.topLevelItemCount() == before + 1, timeout=5000)

    _save(qtbot, dialog)
    with filled_replica.engine.connect() as conn:
        saved = store.opportunities.get(conn, deal.meta.id)
    assert saved is not None and saved.stage == "proposal" and saved.probability == 55
    assert str(saved.amount) == "99500" and saved.expected_close is not None


def test_a_double_click_in_the_pipeline_list_edits_the_deal(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    window.tabs.setCurrentWidget(window.pipeline)
    qtbot.waitUntil(lambda: window.pipeline.table.topLevelItemCount() > 0, timeout=5000)
    item = window.pipeline.table.topLevelItem(0)
    assert item is not None
    with qtbot.waitSignal(window.deals.opened, timeout=5000) as blocker:
        window.pipeline.table.itemDoubleClicked.emit(item, 0)
    dialog = blocker.args[0]
    assert isinstance(dialog, OpportunityEditDialog)
    assert dialog.view.opportunity.meta.id == item.data(0, ID_ROLE)
    customer_id = dialog.view.account.meta.id
    dialog.name.setText("")
    _click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(lambda: dialog._errors["name"].isVisible(), timeout=5000)
    dialog.reject()
    # Its customer opens with the button beside "Move to stage".
    window.pipeline.table.setCurrentItem(item)
    with qtbot.waitSignal(window.account_view.loaded, timeout=5000) as loaded:
        _click(qtbot, window.pipeline.open_account_button)
    assert loaded.args[0] == customer_id


def test_e_mails_visits_and_notes_are_logged_from_the_customer_view_for_the_picked_deal(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    deal = _a_lead(filled_replica)
    _open_account(qtbot, window, deal.account_id)
    view = window.account_view
    item = view.opportunities.findItems(deal.name, Qt.MatchFlag.MatchExactly, 0)[0]
    view.opportunities.setCurrentItem(item)
    actions = {a.data(): a for a in view.log_other_menu.actions()}
    assert set(actions) == {"visit", "email", "note"}
    for kind, text in (("email", "Sent the price list."), ("note", "Prefers mornings.")):
        actions[kind].trigger()
        dialog = next(d for d in window.findChildren(ActivityDialog) if d.isVisible())
        assert dialog.kind.value == kind
        assert dialog.opportunity.currentData() == deal.meta.id  # the deal picked
        if kind == "email":
            save_screenshot(dialog, "log-email.png")
        if kind == "note":
            assert "outcome" not in dialog._widgets and "direction" not in dialog._widgets
        qtbot.keyClicks(dialog.summary, text)
        _save(qtbot, dialog)
    with filled_replica.engine.connect() as conn:
        logged = {
            a.kind: a
            for a in store.activities.list(conn, account_id=deal.account_id)
            if a.summary in ("Sent the price list.", "Prefers mornings.")
        }
    assert set(logged) == {"email", "note"}
    assert all(a.opportunity_id == deal.meta.id for a in logged.values())
    assert logged["note"].outcome == "" and logged["email"].direction is not None


def _question(dialog: OpportunityEditDialog) -> QMessageBox:
    box = dialog.move_question
    assert box is not None and box.isVisible()
    return box


def test_moving_a_deal_to_another_customer_asks_whether_its_activities_go_along(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    deal = _a_lead(filled_replica)
    dialog = _edit_from_the_customer_view(qtbot, window, deal)
    _click(qtbot, dialog.log_buttons[ActivityKind.MEETING])
    meeting = next(d for d in dialog.findChildren(ActivityDialog) if d.isVisible())
    assert meeting.kind is ActivityKind.MEETING
    qtbot.keyClicks(meeting.summary, "Met the buyer.")
    _save(qtbot, meeting)
    qtbot.waitUntil(lambda: dialog.timeline.topLevelItemCount() >= 1, timeout=5000)
    # Find the other customer by name, as a user types it.
    other_id = _prospect_without_deals(filled_replica)
    with filled_replica.engine.connect() as conn:
        other = store.accounts.get(conn, other_id)
    assert other is not None
    dialog.customer_search.setText(other.name)  # (typed: keyClicks cannot type Chinese)
    qtbot.keyClick(dialog.customer_search, Qt.Key.Key_Return)  # searches, does not save
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.customer.findData(other_id) >= 0, timeout=5000)
    dialog.customer.setCurrentIndex(dialog.customer.findData(other_id))
    # Cancel: nothing is written, the dialog stays.
    _click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Save))
    box = _question(dialog)
    assert other.name in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert dialog.isVisible()
    # Yes: the deal and its activities move.
    _click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Save))
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        _question(dialog).button(QMessageBox.StandardButton.Yes).click()
    with filled_replica.engine.connect() as conn:
        moved = store.opportunities.get(conn, deal.meta.id)
        linked = [
            a for a in store.activities.list(conn) if a.opportunity_id == deal.meta.id
        ]
    assert moved is not None and moved.account_id == other_id
    assert linked and all(a.account_id == other_id for a in linked)


MANAGER = Identity(
    replica_id="replica-ui-manager", user_id="user-manager1", username="manager1", role="manager"
)


class ManagerSession(LocalSession):
    @property
    def identity(self) -> Identity:
        return MANAGER


def test_a_manager_gives_a_deal_to_another_rep_in_its_dialog(
    qtbot: Any, filled_replica: Replica
) -> None:
    session = ManagerSession(lambda: filled_replica, None)
    win = MainWindow(session, "manager")
    qtbot.addWidget(win)
    try:
        with qtbot.waitSignal(win.accounts_model.reloaded, timeout=10_000):
            win.start()
        qtbot.waitUntil(lambda: "user-rep2" in win.owner_ids, timeout=5000)
        deal = _a_lead(filled_replica)
        dialog = _edit_from_the_customer_view(qtbot, win, deal)
        assert dialog.owner is not None
        other = "user-rep2" if deal.owner_id != "user-rep2" else ME.user_id
        assert dialog.owner.findData(other) >= 0
        dialog.owner.setCurrentIndex(dialog.owner.findData(other))
        _save(qtbot, dialog)
        with filled_replica.engine.connect() as conn:
            saved = store.opportunities.get(conn, deal.meta.id)
        assert saved is not None and saved.owner_id == other
    finally:
        win.close()
        session.shutdown()
