"""Deals: the dialog for a new opportunity, and the one that edits an existing one (name,
amount and currency, probability, expected close, owner, stage, customer) beside the deal's
own timeline, with buttons to log a call, meeting, visit, e-mail or note for it.

The stage goes through the pipeline's entry rules (``client/opportunities.py``); a refusal
says what is missing, with a button that does it. A deal moved to another customer asks
first whether its activities move with it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import cast

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_crm.client import opportunities, reading
from desktop_crm.client.editing import Written
from desktop_crm.client.opportunities import OpportunityView
from desktop_crm.domain.currencies import currency_choices
from desktop_crm.domain.pipeline import StageRuleViolation
from desktop_crm.domain.records import (
    Account,
    Activity,
    ActivityKind,
    Opportunity,
    PipelineStage,
    SyncedRecord,
)
from desktop_crm.domain.validation import FieldError, ValidationFailed
from desktop_crm.storage.search import SearchHit
from desktop_crm.ui.account_view import local_time
from desktop_crm.ui.activity_kinds import ActivityKindLabels
from desktop_crm.ui.dialogs import ActivityDialog, RecordDialog, optional_date
from desktop_crm.ui.session import Session
from desktop_crm.ui.stage_rule_message import StageRuleMessage

#: (user id, name) a deal may be given to; None where this user may not reassign.
Owners = Sequence[tuple[str, str]] | None
StageLabel = Callable[[str, str], str]


class OpportunityForm(RecordDialog):
    """The fields a new and an edited deal share; ``build`` reads them into the deal."""

    def __init__(
        self, session: Session, opportunity: Opportunity, parent: QWidget | None = None
    ) -> None:
        super().__init__(session, parent)
        self.opportunity = copy.deepcopy(opportunity)
        o = self.opportunity
        self.name = QLineEdit(o.name)
        self.name.setPlaceholderText(self.tr("e.g. 2027 service contract"))
        self.amount = QLineEdit("" if o.amount == 0 else str(o.amount))
        self.amount.setPlaceholderText("120000")
        self.currency = QComboBox()  # a list: amounts add up per code, so no free text
        self.currency.addItems(currency_choices(o.currency))
        self.currency.setCurrentText(o.currency)
        self.probability = QSpinBox()
        self.probability.setRange(0, 100)
        self.probability.setSuffix(" %")
        self.probability.setValue(o.probability)
        self.has_close = QCheckBox(self.tr("Expected to close by"))
        close = o.expected_close or date.today() + timedelta(days=90)
        self.expected_close = QDateEdit(QDate(close.year, close.month, close.day))
        self.close_row = optional_date(self.has_close, self.expected_close, "yyyy-MM-dd")
        self.has_close.setChecked(o.expected_close is not None)

    def add_common_fields(self) -> None:
        self.add_field("name", self.name)
        self.add_field("amount", self.amount)
        self.add_field("currency", self.currency)
        self.add_field("probability", self.probability)
        self.add_field("expected_close", self.close_row)

    def build(self) -> Opportunity:
        o = self.opportunity
        typed = self.amount.text().strip().replace(",", "").replace("，", "").replace(" ", "")
        try:
            amount = Decimal(typed or "0")
        except InvalidOperation:
            message = self.tr("Type the amount as a number, e.g. 120000 or 99.50.")
            raise ValidationFailed([FieldError("amount", message)]) from None
        if not amount.is_finite():
            raise ValidationFailed([FieldError("amount", self.tr("The amount must be a number."))])
        o.name = self.name.text().strip()
        o.amount = amount
        o.currency = self.currency.currentText()
        o.probability = self.probability.value()
        if self.has_close.isChecked():
            d = self.expected_close.date()
            o.expected_close = date(d.year(), d.month(), d.day())
        else:
            o.expected_close = None
        return o


class OpportunityDialog(OpportunityForm):
    """A new opportunity for the open customer. It starts at the pipeline's first stage (whose
    entry rules a new deal always meets); later stages are reached by moving or editing it."""

    def __init__(
        self,
        session: Session,
        account: Account,
        first_stage: PipelineStage,
        stage_label: str,
        parent: QWidget | None = None,
    ) -> None:
        deal = Opportunity(
            account_id=account.meta.id,
            name="",
            stage=first_stage.key,
            currency=account.currency or "CNY",
            probability=first_stage.default_probability,
            owner_id=session.identity.user_id,
        )
        super().__init__(session, deal, parent)
        self.setWindowTitle(self.tr("New opportunity — %1").replace("%1", account.name))
        self.has_close.setChecked(False)
        self.add_common_fields()
        self.add_field("stage", QLabel(stage_label))
        self.name.setFocus()
        self.resize(480, 320)


class OpportunityEditDialog(OpportunityForm):
    """Edit a deal beside its own timeline."""

    def __init__(
        self,
        session: Session,
        view: OpportunityView,
        stage_label: StageLabel,
        owners: Owners = None,
        parent: QWidget | None = None,
        *,
        focus: str = "",
    ) -> None:
        super().__init__(session, view.opportunity, parent)
        self.view = view
        self.stage_label = stage_label
        self.move_question: QMessageBox | None = None
        self.setWindowTitle(self.tr("Opportunity — %1").replace("%1", view.opportunity.name))
        self._build_customer()
        self._build_stage()
        self._build_owner(owners)
        self.add_field("account_id", self.customer_row, self.tr("Customer"))
        self.add_common_fields()
        self.add_field("stage", self.stage)
        if self.owner is not None:
            self.add_field("owner_id", self.owner)
        self.rule_message = StageRuleMessage()
        self.rule_message.log_call.connect(lambda: self.log(ActivityKind.CALL))
        self.rule_message.set_close_date.connect(self.start_at_close_date)
        self._build_timeline()
        layout = self.layout()
        if isinstance(layout, QVBoxLayout):
            layout.insertWidget(1, self.rule_message)
            layout.insertWidget(2, self.timeline_box, 1)
        self.show_hidden(view.masked.get(view.opportunity.meta.id, ()))
        self.resize(640, 680)
        if focus == "expected_close":
            self.start_at_close_date()
        else:
            self.name.setFocus()

    # Building ------------------------------------------------------------------------------

    def _build_customer(self) -> None:
        """The customer: the current one, or one found by typing a name or number."""
        self.customer = QComboBox()
        self.customer.addItem(self.view.account.name, self.view.account.meta.id)
        self.customer_search = QLineEdit()
        self.customer_search.setPlaceholderText(self.tr("Find another customer…"))
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.find_customers)
        self.customer_search.textEdited.connect(lambda _text: self._search_timer.start())
        # Enter searches here; it must not press the dialog's default button (Save).
        self.customer_search.installEventFilter(self)
        self.customer_row = QWidget()
        row = QHBoxLayout(self.customer_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.customer, 1)
        row.addWidget(self.customer_search, 1)

    def _build_stage(self) -> None:
        self.stage = QComboBox()
        current = self.view.opportunity.stage
        for stage in self.view.stages:
            self.stage.addItem(self.stage_label(stage.key, stage.name), stage.key)
        if self.stage.findData(current) < 0:
            self.stage.addItem(current, current)
        self.stage.setCurrentIndex(self.stage.findData(current))
        # A new stage proposes its probability; the user may still type another.
        self.stage.currentIndexChanged.connect(self._stage_changed)

    def _build_owner(self, owners: Owners) -> None:
        self.owner: QComboBox | None = None
        if owners is None:
            return
        owner_id = self.view.opportunity.owner_id
        self.owner = QComboBox()
        for user_id, name in owners:
            self.owner.addItem(name, user_id)
        if self.owner.findData(owner_id) < 0:
            self.owner.addItem(owner_id[:8] or self.tr("(nobody)"), owner_id)
        self.owner.setCurrentIndex(self.owner.findData(owner_id))

    def _build_timeline(self) -> None:
        """The deal's own activities, and a button per kind to log one for it."""
        self.timeline = QTreeWidget()
        self.timeline.setRootIsDecorated(False)
        self.timeline.setHeaderLabels(
            [self.tr("When"), self.tr("What"), self.tr("Outcome"), self.tr("Summary")]
        )
        header = self.timeline.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.log_buttons: dict[ActivityKind, QPushButton] = {}
        buttons = QHBoxLayout()
        caption = QLabel(self.tr("This deal's timeline"))
        caption.setStyleSheet("font-weight: 600;")
        buttons.addWidget(caption, 1)
        for kind, text in self.log_texts().items():
            button = QPushButton(text)
            button.clicked.connect(lambda _checked=False, k=kind: self.log(k))
            buttons.addWidget(button)
            self.log_buttons[kind] = button
        self.timeline_box = QWidget()
        box = QVBoxLayout(self.timeline_box)
        box.setContentsMargins(0, 8, 0, 0)
        box.addLayout(buttons)
        box.addWidget(self.timeline)
        self.fill_timeline(self.view.activities)

    def log_texts(self) -> dict[ActivityKind, str]:
        return {
            ActivityKind.CALL: self.tr("Log call"),
            ActivityKind.MEETING: self.tr("Log meeting"),
            ActivityKind.VISIT: self.tr("Log visit"),
            ActivityKind.EMAIL: self.tr("Log e-mail"),
            ActivityKind.NOTE: self.tr("Add note"),
        }

    def fill_timeline(self, acts: Sequence[Activity]) -> None:
        self.timeline.clear()
        kinds = ActivityKindLabels(self)
        hidden_text = self.tr("hidden for your role")
        for act in acts:
            hidden = "summary" in self.view.masked.get(act.meta.id, frozenset())
            item = QTreeWidgetItem(
                [
                    local_time(act.start_at),
                    kinds(act.kind),
                    act.outcome,
                    hidden_text if hidden else act.summary,
                ]
            )
            self.timeline.addTopLevelItem(item)

    # Actions -------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            watched is self.customer_search
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self._search_timer.stop()
            self.find_customers()
            return True
        return super().eventFilter(watched, event)

    def _stage_changed(self, _index: int) -> None:
        key = self.stage.currentData()
        for stage in self.view.stages:
            if stage.key == key:
                self.probability.setValue(stage.default_probability)

    def start_at_close_date(self) -> None:
        """What "Set the close date" does: the date ticked and in focus, ready to pick."""
        self.has_close.setChecked(True)
        self.expected_close.setFocus()

    def find_customers(self) -> None:
        text = self.customer_search.text().strip()
        if len(text) < 2:
            return
        self.session.submit(
            lambda replica: reading.search(replica, text, limit=20), self._found, owner=self
        )

    def _found(self, hits: list[SearchHit]) -> None:
        chosen = self.customer.currentData()
        self.customer.clear()
        self.customer.addItem(self.view.account.name, self.view.account.meta.id)
        for hit in hits:
            if self.customer.findData(hit.account_id) < 0:
                self.customer.addItem(hit.account_name, hit.account_id)
        self.customer.setCurrentIndex(max(0, self.customer.findData(chosen)))

    def log(self, kind: ActivityKind) -> ActivityDialog:
        """Log an activity for this deal; the timeline shows it once saved."""
        view = self.view
        dialog = ActivityDialog(
            self.session,
            view.account.meta.id,
            view.account.name,
            view.contacts,
            kind,
            parent=self,
            opportunities=view.open_opportunities,
            opportunity_id=view.opportunity.meta.id,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.reload)
        dialog.open()
        return dialog

    def reload(self) -> None:
        deal_id = self.view.opportunity.meta.id
        self.session.submit(
            lambda replica: opportunities.opportunity_view(replica, deal_id),
            self._reloaded,
            owner=self,
        )

    def _reloaded(self, view: OpportunityView | None) -> None:
        if view is None:
            return
        self.view = view
        self.fill_timeline(view.activities)
        self.rule_message.show_text("")

    # Saving --------------------------------------------------------------------------------

    def build(self) -> Opportunity:
        deal = super().build()
        deal.stage = str(self.stage.currentData())
        deal.account_id = str(self.customer.currentData())
        if self.owner is not None:
            deal.owner_id = str(self.owner.currentData())
        return deal

    def _save(self) -> None:
        try:
            deal = self.build()
        except ValidationFailed as exc:
            self.show_errors(exc.errors)
            return
        old = self.view.account
        along = [a for a in self.view.activities if a.account_id == old.meta.id]
        if deal.account_id != old.meta.id and along:
            self._ask_whether_activities_move(deal, len(along))
            return
        self._write_deal(deal, move_activities=False)

    def _ask_whether_activities_move(self, deal: Opportunity, count: int) -> None:
        """A window-modal question (never a blocking one): Yes moves them, No leaves them
        with the old customer, Cancel saves nothing."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Move the deal's activities?"),
            self.tr(
                "This deal has %n activity(s) under “%1”. Move them to “%2” with the deal? "
                "If not, they stay in the timeline of “%1”.",
                "",
                count,
            )
            .replace("%1", self.view.account.name)
            .replace("%2", self.customer.currentText()),
            QMessageBox.StandardButton.Yes
            | QMessageBox.StandardButton.No
            | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button: int) -> None:
            self.move_question = None
            if button == QMessageBox.StandardButton.Yes:
                self._write_deal(deal, move_activities=True)
            elif button == QMessageBox.StandardButton.No:
                self._write_deal(deal, move_activities=False)

        box.finished.connect(answered)
        self.move_question = box
        box.open()

    def _write_deal(self, deal: Opportunity, *, move_activities: bool) -> None:
        self.buttons.setEnabled(False)
        self.rule_message.show_text("")
        who = self.session.identity
        self.session.submit(
            lambda replica: opportunities.save_opportunity(
                replica, deal, who, move_activities=move_activities
            ),
            self._written,
            self._failed,
            owner=self,
        )

    def _written(self, written: Written[Opportunity]) -> None:
        self._saved(cast(Written[SyncedRecord], written))

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, StageRuleViolation):
            self.buttons.setEnabled(True)
            stage = self.stage_label(error.stage.key, error.stage.name)
            self.rule_message.show_refusal(error, stage)
            return
        if isinstance(error, LookupError):
            self.buttons.setEnabled(True)
            gone = self.tr("This opportunity is no longer in your replica.")
            self.show_errors([FieldError("", gone)])
            return
        super()._failed(error)
