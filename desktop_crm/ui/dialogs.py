"""Editing dialogs: account, contact, and logging a call or meeting.

Each dialog builds a record and submits a save operation to the replica worker; validation
happens in the store (``save_local``) and its messages appear next to the fields they concern.
The dialog closes only when the save succeeded.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QDate, QDateTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_crm.client import duplicates, editing, resolving
from desktop_crm.client.duplicates import SimilarRecord
from desktop_crm.client.editing import Written
from desktop_crm.domain.phones import InvalidPhoneNumber
from desktop_crm.domain.records import (
    Account,
    Activity,
    ActivityKind,
    Contact,
    Direction,
    Opportunity,
    Phone,
    PhoneKind,
    PipelineStage,
    SyncedRecord,
)
from desktop_crm.domain.validation import FieldError, ValidationFailed
from desktop_crm.storage.replica import Replica
from desktop_crm.ui.duplicate_warning import DuplicateWarning
from desktop_crm.ui.field_labels import FieldLabels
from desktop_crm.ui.session import Session

log = logging.getLogger(__name__)

ERROR_STYLE = "color: #b00020;"


def qt_to_datetime(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), tz=UTC)


def datetime_to_qt(value: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(value.timestamp()))


def optional_date(switch: QCheckBox, editor: QDateTimeEdit, display: str) -> QWidget:
    """A date that only counts when its box is ticked (a follow-up, a close date): the box
    and the editor on one row, the editor enabled by the box."""
    editor.setCalendarPopup(True)
    editor.setDisplayFormat(display)
    editor.setEnabled(False)
    switch.toggled.connect(editor.setEnabled)
    row_widget = QWidget()
    row = QFormLayout(row_widget)
    row.setContentsMargins(0, 0, 0, 0)
    row.addRow(switch, editor)
    return row_widget


@dataclass(frozen=True)
class DuplicateCheck:
    """An entry-time duplicate check to run on the replica worker before saving."""

    entity: str
    #: The values checked: the warning is shown once per set of values.
    key: tuple[object, ...]
    run: Callable[[Replica], list[SimilarRecord]]


class RecordDialog(QDialog):
    """A form whose fields can each show an error message under them."""

    #: The account id of a similar record the user chose to open instead of saving.
    open_requested = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.general_error = QLabel()
        self.general_error.setStyleSheet(ERROR_STYLE)
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        self._errors: dict[str, QLabel] = {}
        self._widgets: dict[str, QWidget] = {}
        self.labels = FieldLabels(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        self.duplicates = DuplicateWarning(self)
        self.duplicates.open_requested.connect(self._open_instead)
        #: The values whose similar records were last shown (Save again: save anyway).
        self._warned_for: tuple[object, ...] | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self.duplicates)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.saved: SyncedRecord | None = None

    def add_field(self, name: str, widget: QWidget, label: str | None = None) -> None:
        """A row for the record field ``name``, labelled as everywhere (FieldLabels) unless
        ``label`` says otherwise; validation messages for the field appear under it."""
        error = QLabel()
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        box = QWidget()
        inner = QVBoxLayout(box)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(2)
        inner.addWidget(widget)
        inner.addWidget(error)
        self.form.addRow(self.labels(name) if label is None else label, box)
        self._errors[name] = error
        self._widgets[name] = widget

    def show_hidden(self, names: Iterable[str]) -> None:
        """Fields the server masked for this user's role: read-only, saying so. (What is typed
        there would not be kept: the server keeps its own value.)"""
        for name in names:
            widget = self._widgets.get(name)
            if widget is None:
                continue
            widget.setEnabled(False)
            widget.setToolTip(self.tr("Your role may not read this field; the server keeps it."))
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.setPlaceholderText(self.tr("hidden for your role"))

    def show_errors(self, errors: Sequence[FieldError]) -> None:
        for label in self._errors.values():
            label.hide()
        general: list[str] = []
        for error in errors:
            target = self._errors.get(error.field)
            if target is None:
                general.append(error.message)
                continue
            target.setText(error.message)
            target.show()
        self.general_error.setText("\n".join(general))
        self.general_error.setVisible(bool(general))

    def build(self) -> SyncedRecord:
        raise NotImplementedError

    def duplicate_check(self, record: SyncedRecord) -> DuplicateCheck | None:
        """What to check for similar records before saving ``record`` (None: nothing)."""
        return None

    def _save(self) -> None:
        try:
            record = self.build()
        except ValidationFailed as exc:
            self.show_errors(exc.errors)
            return
        check = self.duplicate_check(record)
        if check is not None and check.key != self._warned_for:
            self.buttons.setEnabled(False)
            self.session.submit(
                check.run, lambda hits: self._checked(check, hits), self._failed, owner=self
            )
            return
        self._write(record)

    def _checked(self, check: DuplicateCheck, hits: list[SimilarRecord]) -> None:
        """Similar records: shown, and Save now means "save anyway"; none: saved at once."""
        self._warned_for = check.key
        if not hits:
            self._save()
            return
        self.buttons.setEnabled(True)
        self.duplicates.show_candidates(check.entity, hits)
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText(self.tr("Save anyway"))

    def _open_instead(self, account_id: str) -> None:
        self.open_requested.emit(account_id)
        self.reject()

    def _write(self, record: SyncedRecord) -> None:
        self.buttons.setEnabled(False)
        who = self.session.identity
        self.session.submit(
            lambda replica: editing.save(replica, record, who),
            self._saved,
            self._failed,
            owner=self,
        )

    def _saved(self, written: Written[SyncedRecord]) -> None:
        self.saved = written.value
        self.session.edited(written.changes)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(error, ValidationFailed):
            self.show_errors(error.errors)
        else:
            log.error("saving failed", exc_info=error)
            self.show_errors([FieldError("", self.tr("Could not save: %s") % error)])


class AccountDialog(RecordDialog):
    def __init__(
        self,
        session: Session,
        account: Account | None,
        statuses: Sequence[tuple[str, str]],
        parent: QWidget | None = None,
        *,
        new: bool = False,
        owners: Sequence[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(session, parent)
        self.account = copy.deepcopy(account) if account else Account(name="")
        new = new or account is None
        self.is_new = new
        self.original_name = self.account.name
        self.setWindowTitle(self.tr("New customer") if new else self.tr("Edit customer"))
        a = self.account
        self.name = QLineEdit(a.name)
        self.industry = QLineEdit(a.industry)
        self.status = QComboBox()
        for key, name in statuses:
            self.status.addItem(name, key)
        index = self.status.findData(a.status)
        if index < 0:
            self.status.addItem(a.status, a.status)
            index = self.status.count() - 1
        self.status.setCurrentIndex(index)
        self.country = QLineEdit(a.country)
        self.country.setPlaceholderText("CN")
        self.currency = QLineEdit(a.currency)
        self.address = QLineEdit(a.address)
        self.tags = QLineEdit(", ".join(a.tags))
        self.notes = QPlainTextEdit(a.notes)
        self.notes.setMinimumHeight(80)
        self.add_field("name", self.name)
        self.add_field("industry", self.industry)
        self.add_field("status", self.status)
        # Managers and admins reassign here; the change syncs like any edit.
        self.owner: QComboBox | None = None
        if owners is not None and not new:
            self.owner = QComboBox()
            for user_id, name in owners:
                self.owner.addItem(name, user_id)
            if self.owner.findData(a.owner_id) < 0:
                self.owner.addItem(a.owner_id[:8] or self.tr("(nobody)"), a.owner_id)
            self.owner.setCurrentIndex(self.owner.findData(a.owner_id))
            self.add_field("owner_id", self.owner)
        self.add_field("country", self.country, self.tr("Country (2 letters)"))
        self.add_field("currency", self.currency)
        self.add_field("address", self.address)
        self.add_field("tags", self.tags, self.tr("Tags (comma-separated)"))
        self.add_field("notes", self.notes)
        self.resize(520, 480)

    def build(self) -> Account:
        a = self.account
        a.name = self.name.text().strip()
        a.industry = self.industry.text().strip()
        a.status = str(self.status.currentData())
        if self.owner is not None:
            a.owner_id = str(self.owner.currentData())
        a.country = self.country.text().strip()
        a.currency = self.currency.text().strip()
        a.address = self.address.text().strip()
        a.tags = [t.strip() for t in self.tags.text().replace("，", ",").split(",") if t.strip()]
        a.notes = self.notes.toPlainText()
        return a

    def duplicate_check(self, record: SyncedRecord) -> DuplicateCheck | None:
        """New customers, and edits that change the name."""
        name = record.name if isinstance(record, Account) else ""
        if not name or (not self.is_new and name == self.original_name):
            return None
        record_id = record.meta.id
        return DuplicateCheck(
            "account",
            (name,),
            lambda replica: duplicates.similar_accounts(replica, name, exclude_id=record_id),
        )


class ContactDialog(RecordDialog):
    """Phones are typed one per line, optionally followed by their kind: ``138 0013 8000 work``."""

    def __init__(self, session: Session, contact: Contact, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.contact = copy.deepcopy(contact)
        self.setWindowTitle(self.tr("Edit contact") if contact.name else self.tr("New contact"))
        self.is_new = not contact.name
        self.original = (contact.name, tuple(p.raw for p in contact.phones))
        c = self.contact
        self.name = QLineEdit(c.name)
        self.title = QLineEdit(c.title)
        self.emails = QLineEdit(", ".join(c.emails))
        self.phones = QPlainTextEdit(
            "\n".join(f"{p.raw} {p.kind}" if p.kind != "mobile" else p.raw for p in c.phones)
        )
        self.phones.setPlaceholderText(self.tr("One number per line, e.g. 138 0013 8000 work"))
        self.phones.setMaximumHeight(90)
        self.consent_phone = QCheckBox(self.tr("May be called"))
        self.consent_phone.setChecked(c.consent_phone)
        self.consent_email = QCheckBox(self.tr("May be e-mailed"))
        self.consent_email.setChecked(c.consent_email)
        self.notes = QPlainTextEdit(c.notes)
        self.notes.setMaximumHeight(90)
        self.add_field("name", self.name)
        self.add_field("title", self.title)
        self.add_field("emails", self.emails)
        self.add_field("phones", self.phones)
        self.add_field("consent_phone", self.consent_phone, "")
        self.add_field("consent_email", self.consent_email, "")
        self.add_field("notes", self.notes)
        self.resize(520, 460)

    def build(self) -> Contact:
        c = self.contact
        c.name = self.name.text().strip()
        c.title = self.title.text().strip()
        c.emails = [e.strip() for e in self.emails.text().replace(";", ",").split(",") if e.strip()]
        kinds = {k.value for k in PhoneKind}
        phones: list[Phone] = []
        old = {p.raw: p for p in c.phones}
        for line in self.phones.toPlainText().splitlines():
            line = line.strip()
            if not line:
                continue
            parts = line.rsplit(" ", 1)
            kind = PhoneKind.MOBILE.value
            raw = line
            if len(parts) == 2 and parts[1].lower() in kinds:
                raw, kind = parts[0].strip(), parts[1].lower()
            previous = old.get(raw)
            phones.append(
                Phone(raw=raw, kind=kind, primary=previous.primary if previous else not phones)
            )
        c.phones = phones
        c.consent_phone = self.consent_phone.isChecked()
        c.consent_email = self.consent_email.isChecked()
        c.notes = self.notes.toPlainText()
        return c

    def duplicate_check(self, record: SyncedRecord) -> DuplicateCheck | None:
        """New contacts, and edits that change the name or a phone."""
        if not isinstance(record, Contact):
            return None
        phones = tuple(p.raw for p in record.phones)
        emails = tuple(record.emails)
        if not self.is_new and (record.name, phones) == self.original:
            return None
        # An edit that keeps the name is checked by its phones and e-mails only.
        name = record.name if self.is_new or record.name != self.original[0] else ""
        record_id = record.meta.id
        return DuplicateCheck(
            "contact",
            (name, phones, emails),
            lambda replica: duplicates.similar_contacts(
                replica, name, phones, emails, exclude_id=record_id
            ),
        )

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, InvalidPhoneNumber):
            self.buttons.setEnabled(True)
            self.show_errors([FieldError("phones", str(error))])
            return
        super()._failed(error)


class ActivityDialog(RecordDialog):
    """Log a call or a meeting: saved locally at once (works offline), synced later."""

    def __init__(
        self,
        session: Session,
        account_id: str,
        account_name: str,
        contacts: Sequence[Contact],
        kind: ActivityKind = ActivityKind.CALL,
        contact_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(session, parent)
        self.account_id = account_id
        self.kind = kind
        is_call = kind is ActivityKind.CALL
        self.setWindowTitle(
            (self.tr("Log a call — %s") if is_call else self.tr("Log a meeting — %s"))
            % account_name
        )
        now = datetime.now(UTC)
        self.contact = QComboBox()
        self.contact.addItem(self.tr("(no particular contact)"), None)
        for person in contacts:
            label = f"{person.name} — {person.title}" if person.title else person.name
            self.contact.addItem(label, person.meta.id)
        if contact_id:
            self.contact.setCurrentIndex(max(0, self.contact.findData(contact_id)))
        self.direction = QComboBox()
        self.direction.addItem(self.tr("Inbound (they called)"), Direction.INBOUND.value)
        self.direction.addItem(self.tr("Outbound (we called)"), Direction.OUTBOUND.value)
        self.start = QDateTimeEdit(datetime_to_qt(now))
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.outcome = QComboBox()
        self.outcome.setEditable(True)
        outcomes = (
            [
                self.tr("Reached"),
                self.tr("Left a voicemail"),
                self.tr("No answer"),
                self.tr("Wrong number"),
            ]
            if is_call
            else [self.tr("Held"), self.tr("Rescheduled"), self.tr("Cancelled")]
        )
        self.outcome.addItems(outcomes)
        self.duration = QSpinBox()
        self.duration.setRange(0, 24 * 60)
        self.duration.setSuffix(self.tr(" min"))
        self.duration.setValue(5 if is_call else 60)
        self.participants = QLineEdit()
        self.participants.setPlaceholderText(self.tr("Names, comma-separated"))
        self.summary = QPlainTextEdit()
        self.summary.setPlaceholderText(self.tr("What was said, what was agreed"))
        self.summary.setMinimumHeight(90)
        self.follow_up = QCheckBox(self.tr("Follow up on"))
        self.follow_up_at = QDateTimeEdit(datetime_to_qt(now + timedelta(days=3)))
        follow = optional_date(self.follow_up, self.follow_up_at, "yyyy-MM-dd HH:mm")
        self.add_field("contact_id", self.contact)
        if is_call:
            self.add_field("direction", self.direction)
        self.add_field("start_at", self.start)
        self.add_field("outcome", self.outcome)
        self.add_field("duration_minutes", self.duration)
        if not is_call:
            self.add_field("participants", self.participants)
        self.add_field("summary", self.summary)
        self.add_field("follow_up_at", follow)
        self.summary.setFocus()
        self.resize(560, 520)
        # Someone deleted this customer under our unsynced work: say so before the call is
        # logged (it waits with that work; the server would refuse it while deleted).
        self.deletion_warning = QLabel()
        self.deletion_warning.setStyleSheet(ERROR_STYLE)
        self.deletion_warning.setWordWrap(True)
        self.deletion_warning.hide()
        layout = self.layout()
        if isinstance(layout, QVBoxLayout):
            layout.insertWidget(0, self.deletion_warning)
        session.submit(
            lambda replica: resolving.deletion_pending(replica, account_id),
            self._warn_deleted,
            owner=self,
        )

    def _warn_deleted(self, notice: resolving.DeletedCustomer | None) -> None:
        if notice is None:
            return
        self.deletion_warning.setText(
            self.tr(
                "%1 deleted this customer on the server. What you log here is kept on this "
                "computer and not sent until the customer is restored, or you export it."
            ).replace("%1", notice.who)
        )
        self.deletion_warning.show()

    def build(self) -> Activity:
        return Activity(
            account_id=self.account_id,
            kind=self.kind.value,
            start_at=qt_to_datetime(self.start.dateTime()),
            contact_id=self.contact.currentData(),
            direction=self.direction.currentData() if self.kind is ActivityKind.CALL else None,
            outcome=self.outcome.currentText().strip(),
            duration_minutes=self.duration.value(),
            participants=[
                p.strip()
                for p in self.participants.text().replace("，", ",").split(",")
                if p.strip()
            ],
            summary=self.summary.toPlainText().strip(),
            follow_up_at=(
                qt_to_datetime(self.follow_up_at.dateTime()) if self.follow_up.isChecked() else None
            ),
            author_id=self.session.identity.user_id,
        )


class OpportunityDialog(RecordDialog):
    """A new opportunity for the open customer. It starts at the pipeline's first stage (whose
    entry rules a new deal always meets); later stages are reached with "Move to stage"."""

    def __init__(
        self,
        session: Session,
        account: Account,
        first_stage: PipelineStage,
        stage_label: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(session, parent)
        self.opportunity = Opportunity(
            account_id=account.meta.id,
            name="",
            stage=first_stage.key,
            currency=account.currency or "CNY",
            probability=first_stage.default_probability,
            owner_id=session.identity.user_id,
        )
        self.setWindowTitle(self.tr("New opportunity — %1").replace("%1", account.name))
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. 2027 service contract"))
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("120000")
        self.currency = QLineEdit(self.opportunity.currency)
        self.probability = QSpinBox()
        self.probability.setRange(0, 100)
        self.probability.setSuffix(" %")
        self.probability.setValue(self.opportunity.probability)
        self.has_close = QCheckBox(self.tr("Expected to close by"))
        in_a_quarter = date.today() + timedelta(days=90)
        self.expected_close = QDateEdit(
            QDate(in_a_quarter.year, in_a_quarter.month, in_a_quarter.day)
        )
        close = optional_date(self.has_close, self.expected_close, "yyyy-MM-dd")
        self.add_field("name", self.name)
        self.add_field("amount", self.amount)
        self.add_field("currency", self.currency)
        self.add_field("probability", self.probability)
        self.add_field("expected_close", close)
        self.add_field("stage", QLabel(stage_label))
        self.name.setFocus()
        self.resize(480, 320)

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
        o.currency = self.currency.text().strip().upper()
        o.probability = self.probability.value()
        if self.has_close.isChecked():
            d = self.expected_close.date()
            o.expected_close = date(d.year(), d.month(), d.day())
        else:
            o.expected_close = None
        return o
