"""Opening a deal's dialogs from anywhere (the customer view, the pipeline list, a refused
stage move): the deal is read on the replica worker first, then its dialog opens."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QWidget

from desktop_crm.client import opportunities
from desktop_crm.client.opportunities import OpportunityView
from desktop_crm.domain.records import ActivityKind
from desktop_crm.ui.dialogs import ActivityDialog
from desktop_crm.ui.opportunity_dialog import OpportunityEditDialog, Owners, StageLabel
from desktop_crm.ui.session import Session


class DealDesk(QObject):
    #: A deal's dialog has opened (the edit dialog or a log dialog), for who waits on it.
    opened = Signal(QDialog)
    #: The deal is no longer in the replica (deleted, or moved out of this user's scope).
    missing = Signal(str)

    def __init__(
        self,
        session: Session,
        window: QWidget,
        stage_label: StageLabel,
        owners: Callable[[], Owners],
    ) -> None:
        super().__init__(window)
        self._session = session
        self._window = window
        self._stage_label = stage_label
        self._owners = owners

    def edit(self, opportunity_id: str, focus: str = "") -> None:
        """The deal's edit dialog; ``focus="expected_close"`` starts at the close date."""
        self._with_view(opportunity_id, lambda view: self._open_editor(view, focus))

    def log(self, opportunity_id: str, kind: str) -> None:
        """A log dialog for the deal's customer with the deal preselected."""
        self._with_view(opportunity_id, lambda view: self._open_log(view, ActivityKind(kind)))

    def _with_view(
        self, opportunity_id: str, then: Callable[[OpportunityView], QDialog]
    ) -> None:
        def loaded(view: OpportunityView | None) -> None:
            if view is None:
                self.missing.emit(opportunity_id)
                return
            dialog = then(view)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()
            self.opened.emit(dialog)

        self._session.submit(
            lambda replica: opportunities.opportunity_view(replica, opportunity_id),
            loaded,
            owner=self,
        )

    def _open_editor(self, view: OpportunityView, focus: str) -> QDialog:
        return OpportunityEditDialog(
            self._session, view, self._stage_label, self._owners(), self._window, focus=focus
        )

    def _open_log(self, view: OpportunityView, kind: ActivityKind) -> QDialog:
        return ActivityDialog(
            self._session,
            view.account.meta.id,
            view.account.name,
            view.contacts,
            kind,
            parent=self._window,
            opportunities=view.open_opportunities,
            opportunity_id=view.opportunity.meta.id,
        )
