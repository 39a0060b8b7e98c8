"""Deals through the real server on loopback and real replicas: a rep takes a new deal from
Lead to Won through the widgets and the server accepts every step (its stage rules and status
rule agree with the replica's); a rep moves a deal to another customer with its activities,
and the manager's replica shows them under the new customer after the syncs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from sqlalchemy import select

from desktop_crm.demo import DemoServer
from desktop_crm.domain.records import ActivityKind, Opportunity
from desktop_crm.storage import records_store as store
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.schema import accounts, opportunities
from desktop_crm.ui.dialogs import ActivityDialog
from desktop_crm.ui.opportunity_dialog import OpportunityEditDialog
from tests.ui.test_deals import (
    _move,
    _new_deal_through_the_dialog,
    _open_account,
    _opened,
    _pipeline_row,
    _save,
)
from tests.ui.test_reassign import Desk


@pytest.fixture
def deal_server(cheap_hashes: None) -> Iterator[DemoServer]:
    """Its own server: this test moves records between customers."""
    server = DemoServer(accounts=12, seed=5).start()
    yield server
    server.stop()


def _a_deal_and_another_customer(desk: Desk) -> tuple[Opportunity, str, str]:
    """(an open deal of the rep's, another customer of the rep's: id, name)."""
    with desk.replica.engine.connect() as conn:
        deal_id = conn.execute(
            select(opportunities.c.id)
            .where(opportunities.c.stage == "lead", opportunities.c.deleted == 0)
            .limit(1)
        ).scalar_one()
        deal = store.opportunities.get(conn, deal_id)
        assert deal is not None
        other = conn.execute(
            select(accounts.c.id, accounts.c.name)
            .where(accounts.c.id != deal.account_id, accounts.c.deleted == 0)
            .limit(1)
        ).one()
    return deal, str(other[0]), str(other[1])


def _a_prospect(desk: Desk) -> str:
    with desk.replica.engine.connect() as conn:
        return str(
            conn.execute(
                select(accounts.c.id)
                .where(accounts.c.status == "prospect", accounts.c.deleted == 0)
                .limit(1)
            ).scalar_one()
        )


def _edit(qtbot: Any, desk: Desk, deal_id: str) -> OpportunityEditDialog:
    with qtbot.waitSignal(desk.window.deals.opened, timeout=5000) as blocker:
        desk.window.deals.edit(deal_id)
    dialog = blocker.args[0]
    assert isinstance(dialog, OpportunityEditDialog)
    return dialog


def test_a_deal_moved_with_its_activities_reaches_the_manager_under_the_new_customer(
    qtbot: Any, tmp_path: Path, deal_server: DemoServer
) -> None:
    rep = Desk(qtbot, tmp_path / "rep1", deal_server.url, "rep1")
    manager = Desk(qtbot, tmp_path / "manager1", deal_server.url, "manager1")
    try:
        rep.start()
        manager.start()
        deal, other_id, other_name = _a_deal_and_another_customer(rep)
        dialog = _edit(qtbot, rep, deal.meta.id)
        # A call for the deal, logged from its own timeline.
        qtbot.mouseClick(dialog.log_buttons[ActivityKind.CALL], Qt.MouseButton.LeftButton)
        call = next(d for d in dialog.findChildren(ActivityDialog) if d.isVisible())
        qtbot.keyClicks(call.summary, "Moving this to the parent company.")
        with qtbot.waitSignal(call.accepted, timeout=5000):
            call._save()
        qtbot.waitUntil(lambda: dialog.timeline.topLevelItemCount() >= 1, timeout=5000)
        linked = {a.meta.id for a in dialog.view.activities}
        # To the other customer, activities along.
        dialog.customer_search.setText(other_name)
        qtbot.keyClick(dialog.customer_search, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.customer.findData(other_id) >= 0, timeout=5000)
        dialog.customer.setCurrentIndex(dialog.customer.findData(other_id))
        qtbot.mouseClick(
            dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
        )
        box = dialog.move_question
        assert box is not None
        with qtbot.waitSignal(dialog.accepted, timeout=5000):
            box.button(QMessageBox.StandardButton.Yes).click()

        rep.sync()
        with rep.replica.engine.connect() as conn:
            assert book.outbox_count(conn) == 0
            assert book.sync_issue_count(conn) == 0  # the server took every change
        manager.sync()
        with manager.replica.engine.connect() as conn:
            moved = store.opportunities.get(conn, deal.meta.id)
            acts = [store.activities.get(conn, i) for i in linked]
        assert moved is not None and moved.account_id == other_id
        assert acts and all(a is not None and a.account_id == other_id for a in acts)
    finally:
        rep.close()
        manager.close()


def test_a_deal_won_through_the_widgets_is_accepted_by_the_server_and_the_customer_is_active(
    qtbot: Any, tmp_path: Path, deal_server: DemoServer
) -> None:
    rep = Desk(qtbot, tmp_path / "rep1", deal_server.url, "rep1")
    manager = Desk(qtbot, tmp_path / "manager1", deal_server.url, "manager1")
    try:
        rep.start()
        manager.start()
        window = rep.window
        window.show()
        account_id = _a_prospect(rep)
        _open_account(qtbot, window, account_id)
        _new_deal_through_the_dialog(qtbot, window, "Solar roof")
        window.tabs.setCurrentWidget(window.pipeline)
        row = _pipeline_row(qtbot, window, "Solar roof")
        window.pipeline.table.setCurrentItem(row)
        rule = window.pipeline.rule_message
        assert "Cannot move" in _move(qtbot, window, "Negotiation")
        call = _opened(qtbot, window, rule.log_call_button)
        qtbot.keyClicks(call.summary, "Roof survey booked.")  # type: ignore[attr-defined]
        _save(qtbot, call)  # type: ignore[arg-type]
        assert "Cannot move" in _move(qtbot, window, "Negotiation")
        editor = _opened(qtbot, window, rule.set_close_button)
        _save(qtbot, editor)  # type: ignore[arg-type]
        assert _move(qtbot, window, "Negotiation").startswith("Moved")
        assert _move(qtbot, window, "Won").startswith("Moved")

        rep.sync()
        with rep.replica.engine.connect() as conn:
            assert book.outbox_count(conn) == 0
            issues = book.list_sync_issues(conn)
        assert issues == []  # every step met the server's rules
        manager.sync()
        with manager.replica.engine.connect() as conn:
            account = store.accounts.get(conn, account_id)
            deals = store.opportunities.list(conn, account_id=account_id)
        assert [o.stage for o in deals if o.name == "Solar roof"] == ["won"]
        assert account is not None and account.status == "active"
    finally:
        rep.close()
        manager.close()
