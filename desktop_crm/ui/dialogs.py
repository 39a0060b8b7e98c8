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
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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
from desktop_crm.domain.consent import CONSENT_FIELDS, Channel, consent_of, set_consent
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
    SyncedRecord,
)
from desktop_crm.domain.validation import FieldError, ValidationFailed
from desktop_crm.storage.replica import Replica
from desktop_crm.ui.choice_boxes import Choices, chosen
from desktop_crm.ui.consent import ConsentEditor, ConsentGuard
from desktop_crm.ui.duplicate_warning import DuplicateWarning
from desktop_crm.ui.field_labels import FieldLabels
from desktop_crm.ui.session import Session

log = logging.getLogger(__name__)

ERROR_STYLE = "color: #b00020;"


def qt_to_datetime(value: QDateTime) -> datetime:
    # To the millisecond: a call logged in the same second a deal changed stage still counts
    # as "since the stage change" (the stage rules compare the two times).
    return datetime.fromtimestamp(value.toMSecsSinceEpoch() / 1000, tz=UTC)


def datetime_to_qt(value: datetime) -> QDateTime:
    return QDateTime.fromMSecsSinceEpoch(int(value.timestamp() * 1000))


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
        choices = Choices(self)
        self.currency = choices.currency_box(a.currency)
        self.language = choices.language_box(a.language)
        self.timezone = choices.time_zone_box(a.timezone)
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
        self.add_field("language", self.language)
        self.add_field("timezone", self.timezone)
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
        a.currency = chosen(self.currency)
        a.language = chosen(self.language)
        a.timezone = chosen(self.timezone)
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
        self.decision_role = Choices(self).decision_role_box(c.decision_role)
        self.decision_weight = QSpinBox()
        self.decision_weight.setRange(0, 100)
        self.decision_weight.setValue(max(0, min(100, c.decision_weight)))
        self.consents = {ch: ConsentEditor(ch, consent_of(c, ch)) for ch in Channel}
        self.do_not_contact = QCheckBox(self.tr("Do not contact (overrides every consent)"))
        self.do_not_contact.setChecked(c.do_not_contact)
        self.notes = QPlainTextEdit(c.notes)
        self.notes.setMaximumHeight(90)
        self.add_field("name", self.name)
        self.add_field("title", self.title)
        self.add_field("emails", self.emails)
        self.add_field("phones", self.phones)
        self.add_field("decision_role", self.decision_role)
        self.add_field("decision_weight", self.decision_weight)
        for n, (channel, editor) in enumerate(self.consents.items()):
            self.add_field(CONSENT_FIELDS[channel][0], editor, "" if n else self.tr("Consent"))
        # The dates line up: each channel's box as wide as the widest.
        widest = max(e.agreed.sizeHint().width() for e in self.consents.values())
        for editor in self.consents.values():
            editor.agreed.setMinimumWidth(widest)
        self.add_field("do_not_contact", self.do_not_contact, "")
        self.add_field("notes", self.notes)
        self.resize(700, 560)

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
        c.decision_role = chosen(self.decision_role)
        c.decision_weight = self.decision_weight.value()
        for channel, editor in self.consents.items():
            set_consent(c, channel, editor.value())
        c.do_not_contact = self.do_not_contact.isChecked()
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
    """Log a call, meeting, visit, e-mail or note, optionally for one of the customer's open
    deals: saved locally at once (works offline), synced later."""

    def __init__(
        self,
        session: Session,
        account_id: str,
        account_name: str,
        contacts: Sequence[Contact],
        kind: ActivityKind = ActivityKind.CALL,
        contact_id: str | None = None,
        parent: QWidget | None = None,
        *,
        opportunities: Sequence[Opportunity] = (),
        opportunity_id: str | None = None,
    ) -> None:
        super().__init__(session, parent)
        self.account_id = account_id
        self.kind = kind
        self.consent_guard = ConsentGuard(self, contacts)
        title, outcomes, minutes = self._kind_texts(kind)
        self.setWindowTitle(title.replace("%1", account_name))
        now = datetime.now(UTC)
        self.contact = QComboBox()
        self.contact.addItem(self.tr("(no particular contact)"), None)
        for person in contacts:
            label = f"{person.name} — {person.title}" if person.title else person.name
            self.contact.addItem(label, person.meta.id)
        if contact_id:
            self.contact.setCurrentIndex(max(0, self.contact.findData(contact_id)))
        self.opportunity = QComboBox()
        self.opportunity.addItem(self.tr("(no particular deal)"), None)
        for deal in opportunities:
            self.opportunity.addItem(deal.name, deal.meta.id)
        if opportunity_id:
            self.opportunity.setCurrentIndex(max(0, self.opportunity.findData(opportunity_id)))
        self.direction = QComboBox()
        inbound, outbound = self._direction_texts(kind)
        self.direction.addItem(inbound, Direction.INBOUND.value)
        self.direction.addItem(outbound, Direction.OUTBOUND.value)
        if kind is ActivityKind.EMAIL:
            self.direction.setCurrentIndex(1)  # most e-mails logged are ones we sent
        self.opened_at = now  # the start, to the microsecond, unless the user changes it
        self.start = QDateTimeEdit(datetime_to_qt(now))
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.outcome = QComboBox()
        self.outcome.setEditable(True)
        self.outcome.addItems(outcomes)
        self.duration = QSpinBox()
        self.duration.setRange(0, 24 * 60)
        self.duration.setSuffix(self.tr(" min"))
        self.duration.setValue(minutes)
        self.participants = QLineEdit()
        self.participants.setPlaceholderText(self.tr("Names, comma-separated"))
        self.summary = QPlainTextEdit()
        self.summary.setPlaceholderText(self.tr("What was said, what was agreed"))
        self.summary.setMinimumHeight(90)
        self.follow_up = QCheckBox(self.tr("Follow up on"))
        self.follow_up_at = QDateTimeEdit(datetime_to_qt(now + timedelta(days=3)))
        self._add_fields(kind)
        self.summary.setFocus()
        self.resize(560, 520)
        self._warn_if_deleted(account_id)

    def _add_fields(self, kind: ActivityKind) -> None:
        """The rows this kind of activity has: a note is only its text."""
        follow = optional_date(self.follow_up, self.follow_up_at, "yyyy-MM-dd HH:mm")
        self.add_field("contact_id", self.contact)
        if self.opportunity.count() > 1:
            self.add_field("opportunity_id", self.opportunity, self.tr("Deal"))
        if kind in (ActivityKind.CALL, ActivityKind.EMAIL):
            self.add_field("direction", self.direction)
        self.add_field("start_at", self.start)
        if kind is not ActivityKind.NOTE:
            self.add_field("outcome", self.outcome)
        if kind in (ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.VISIT):
            self.add_field("duration_minutes", self.duration)
        if kind in (ActivityKind.MEETING, ActivityKind.VISIT):
            self.add_field("participants", self.participants)
        self.add_field("summary", self.summary)
        self.add_field("follow_up_at", follow)

    def _kind_texts(self, kind: ActivityKind) -> tuple[str, list[str], int]:
        """(window title with %1 for the customer, outcomes offered, default minutes)."""
        held = [self.tr("Held"), self.tr("Rescheduled"), self.tr("Cancelled")]
        texts = {
            ActivityKind.CALL: (
                self.tr("Log a call — %1"),
                [
                    self.tr("Reached"),
                    self.tr("Left a voicemail"),
                    self.tr("No answer"),
                    self.tr("Wrong number"),
                ],
                5,
            ),
            ActivityKind.MEETING: (self.tr("Log a meeting — %1"), held, 60),
            ActivityKind.VISIT: (self.tr("Log a visit — %1"), held, 90),
            ActivityKind.EMAIL: (
                self.tr("Log an e-mail — %1"),
                [self.tr("Sent"), self.tr("Answered"), self.tr("Bounced")],
                0,
            ),
            ActivityKind.NOTE: (self.tr("Add a note — %1"), [], 0),
        }
        return texts[kind]

    def _direction_texts(self, kind: ActivityKind) -> tuple[str, str]:
        if kind is ActivityKind.EMAIL:
            return self.tr("Inbound (they wrote)"), self.tr("Outbound (we wrote)")
        return self.tr("Inbound (they called)"), self.tr("Outbound (we called)")

    def _warn_if_deleted(self, account_id: str) -> None:
        """Someone deleted this customer under our unsynced work: say so before the activity
        is logged (it waits with that work; the server would refuse it while deleted)."""
        self.deletion_warning = QLabel()
        self.deletion_warning.setStyleSheet(ERROR_STYLE)
        self.deletion_warning.setWordWrap(True)
        self.deletion_warning.hide()
        layout = self.layout()
        if isinstance(layout, QVBoxLayout):
            layout.insertWidget(0, self.deletion_warning)
        self.session.submit(
            lambda replica: resolving.deletion_pending(replica, account_id),
            self._warn_deleted,
            owner=self,
        )

    def _save(self) -> None:
        """Warn first when this reaches someone who has not agreed (``ui/consent.py``)."""
        direction = (
            self.direction.currentData()
            if self.kind in (ActivityKind.CALL, ActivityKind.EMAIL)
            else None
        )
        self.consent_guard.check(
            self.contact.currentData(), self.kind.value, direction, super()._save
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

    def _start_at(self) -> datetime:
        """When it happened: as picked, or (untouched) the moment the dialog opened, exactly,
        so it counts as after a stage change made just before (the stage rules compare)."""
        if self.start.dateTime() == datetime_to_qt(self.opened_at):
            return self.opened_at
        return qt_to_datetime(self.start.dateTime())

    def build(self) -> Activity:
        kind = self.kind
        return Activity(
            account_id=self.account_id,
            kind=kind.value,
            start_at=self._start_at(),
            contact_id=self.contact.currentData(),
            opportunity_id=self.opportunity.currentData(),
            direction=(
                self.direction.currentData()
                if kind in (ActivityKind.CALL, ActivityKind.EMAIL)
                else None
            ),
            outcome="" if kind is ActivityKind.NOTE else self.outcome.currentText().strip(),
            duration_minutes=(
                self.duration.value()
                if kind in (ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.VISIT)
                else 0
            ),
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
