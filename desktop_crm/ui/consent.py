"""Consent in the app: the contact dialog's per-channel editors, the consent line of a contact
in the 360° view, the account list's "reachable by" filter, and the warning before logging an
outbound call or e-mail to someone who has not agreed or asked not to be contacted
(``domain/consent.py``; works offline, on the replica's copy of the contact)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

from PySide6.QtCore import QDate, QObject, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from desktop_crm.domain.consent import (
    Channel,
    ChannelConsent,
    Verdict,
    consent_of,
    outreach_channel,
    verdict,
)
from desktop_crm.domain.records import Contact
from desktop_crm.domain.validation import MAX_CONSENT_SOURCE
from desktop_crm.storage.consent_filter import ReachableBy

ANYONE = "__anyone__"


class ConsentTexts(QObject):
    """The translated words for channels and verdicts (context ``ConsentTexts``)."""

    def agreed_label(self, channel: Channel) -> str:
        return {
            Channel.PHONE: self.tr("May be called"),
            Channel.EMAIL: self.tr("May be e-mailed"),
            Channel.SMS: self.tr("May be sent text messages"),
        }[channel]

    def short(self, channel: Channel) -> str:
        return {
            Channel.PHONE: self.tr("calls"),
            Channel.EMAIL: self.tr("e-mails"),
            Channel.SMS: self.tr("text messages"),
        }[channel]

    def summary(self, contact: Contact) -> str:
        """One line: "Do not contact", or each channel's answer with its date."""
        if contact.do_not_contact:
            return "⛔ " + self.tr("Do not contact")
        parts = []
        for channel in Channel:
            consent = consent_of(contact, channel)
            mark = "✓" if consent.agreed else "✗"
            since = f" {consent.since.isoformat()}" if consent.since else ""
            parts.append(f"{self.short(channel)} {mark}{since}")
        return self.tr("Consent: %1").replace("%1", " · ".join(parts))

    def details(self, contact: Contact) -> str:
        """Each channel on its own line with its date and source (the consent line's tooltip)."""
        lines = [self.summary(contact)]
        for channel in Channel:
            consent = consent_of(contact, channel)
            if consent.since or consent.source:
                since = consent.since.isoformat() if consent.since else ""
                lines.append(f"{self.short(channel)}: {since} {consent.source}".rstrip())
        return "\n".join(lines)

    def warning(self, contact: Contact, channel: Channel) -> str | None:
        """What to say before reaching ``contact`` on ``channel``; None when they agreed."""
        found = verdict(contact, channel)
        if found is Verdict.AGREED:
            return None
        if found is Verdict.DO_NOT_CONTACT:
            return (
                self.tr("%1 is marked “do not contact”. Log this %2 anyway?")
                .replace("%1", contact.name)
                .replace("%2", self._what(channel))
            )
        consent = consent_of(contact, channel)
        text = (
            self.tr("%1 has not agreed to %2.")
            .replace("%1", contact.name)
            .replace("%2", self.short(channel))
        )
        if consent.since or consent.source:
            recorded = (
                self.tr("Recorded %1 %2")
                .replace("%1", consent.since.isoformat() if consent.since else "")
                .replace("%2", f"({consent.source})" if consent.source else "")
            )
            text += " " + " ".join(recorded.split()) + "."
        return text + " " + self.tr("Log this %1 anyway?").replace("%1", self._what(channel))

    def _what(self, channel: Channel) -> str:
        return self.tr("e-mail") if channel is Channel.EMAIL else self.tr("call")


class ConsentEditor(QWidget):
    """One channel in the contact dialog: agreed, the date it was recorded, and its source."""

    def __init__(self, channel: Channel, consent: ChannelConsent, parent: QWidget | None = None):
        super().__init__(parent)
        texts = ConsentTexts(self)
        self.agreed = QCheckBox(texts.agreed_label(channel))
        self.agreed.setChecked(consent.agreed)
        self.dated = QCheckBox(self.tr("on"))
        day = consent.since or date.today()
        self.since = QDateEdit(QDate(day.year, day.month, day.day))
        self.since.setCalendarPopup(True)
        self.since.setDisplayFormat("yyyy-MM-dd")
        self.dated.toggled.connect(self.since.setEnabled)
        self.dated.setChecked(consent.since is not None)
        self.since.setEnabled(consent.since is not None)
        self.source = QLineEdit(consent.source)
        self.source.setMaxLength(MAX_CONSENT_SOURCE)
        self.source.setPlaceholderText(self.tr("Source, e.g. signed form, phone call"))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.agreed)
        row.addWidget(self.dated)
        row.addWidget(self.since)
        row.addWidget(self.source, 1)

    def value(self) -> ChannelConsent:
        d = self.since.date()
        since = date(d.year(), d.month(), d.day()) if self.dated.isChecked() else None
        return ChannelConsent(self.agreed.isChecked(), since, self.source.text().strip())


def reachable_filter_box(parent: QWidget | None = None) -> QComboBox:
    """The account list's consent filter: customers with a contact reachable that way."""
    box = QComboBox(parent)
    labels = ReachableLabels(box)
    box.addItem(labels.anyone(), ANYONE)
    for by, label in labels.names().items():
        box.addItem(label, by.value)
    return box


def reachable_choice(box: QComboBox) -> ReachableBy | None:
    data = box.currentData()
    return None if data in (None, ANYONE) else ReachableBy(str(data))


class ReachableLabels(QObject):
    def anyone(self) -> str:
        return self.tr("Any consent")

    def names(self) -> dict[ReachableBy, str]:
        return {
            ReachableBy.PHONE: self.tr("Someone may be called"),
            ReachableBy.EMAIL: self.tr("Someone may be e-mailed"),
            ReachableBy.SMS: self.tr("Someone may be texted"),
            ReachableBy.NO_CONSENT: self.tr("Someone without consent"),
            ReachableBy.DO_NOT_CONTACT: self.tr("Someone marked do-not-contact"),
        }


class ConsentGuard(QObject):
    """Asks before an activity reaches a person who has not agreed: ``check`` runs ``proceed``
    at once when nothing stands in the way, otherwise after "Log anyway" in a window-modal
    box (``box``; a test clicks its buttons)."""

    def __init__(self, parent: QWidget, contacts: Sequence[Contact]) -> None:
        super().__init__(parent)
        self._parent = parent
        self._contacts: Mapping[str, Contact] = {c.meta.id: c for c in contacts}
        self.box: QMessageBox | None = None
        self.log_anyway_button: QWidget | None = None

    def check(
        self, contact_id: str | None, kind: str, direction: str | None, proceed: Callable[[], None]
    ) -> QMessageBox | None:
        contact = self._contacts.get(contact_id or "")
        channel = outreach_channel(kind, direction)
        message = (
            ConsentTexts(self).warning(contact, channel)
            if contact is not None and channel is not None
            else None
        )
        if message is None:
            proceed()
            return None
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("No consent"),
            message,
            QMessageBox.StandardButton.Cancel,
            self._parent,
        )
        anyway = box.addButton(self.tr("Log anyway"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            self.box = None
            if box.clickedButton() is anyway:
                proceed()

        box.finished.connect(answered)
        self.box, self.log_anyway_button = box, anyway
        box.open()
        return box
