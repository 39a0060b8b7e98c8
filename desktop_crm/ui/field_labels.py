"""One table of what the screens call each record field, for the edit dialogs and the conflict
dialog alike (translation context ``FieldLabels``)."""

from __future__ import annotations

from PySide6.QtCore import QObject


class FieldLabels(QObject):
    """``labels("name")`` -> "Name" in the user's language; an unknown field shows as is."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._labels = {
            # accounts
            "name": self.tr("Name"),
            "industry": self.tr("Industry"),
            "status": self.tr("Status"),
            "owner_id": self.tr("Owner"),
            "country": self.tr("Country"),
            "language": self.tr("Language"),
            "timezone": self.tr("Time zone"),
            "currency": self.tr("Currency"),
            "address": self.tr("Address"),
            "notes": self.tr("Notes"),
            "tags": self.tr("Tags"),
            # contacts
            "account_id": self.tr("Customer"),
            "title": self.tr("Title"),
            "decision_role": self.tr("Decision role"),
            "decision_weight": self.tr("Decision weight"),
            "emails": self.tr("E-mails"),
            "phones": self.tr("Phones"),
            "consent_email": self.tr("Agreed to e-mails"),
            "consent_phone": self.tr("Agreed to calls"),
            "consent_sms": self.tr("Agreed to text messages"),
            "consent_phone_at": self.tr("Call consent date"),
            "consent_phone_source": self.tr("Call consent source"),
            "consent_email_at": self.tr("E-mail consent date"),
            "consent_email_source": self.tr("E-mail consent source"),
            "consent_sms_at": self.tr("Text message consent date"),
            "consent_sms_source": self.tr("Text message consent source"),
            "do_not_contact": self.tr("Do not contact"),
            # opportunities
            "stage": self.tr("Stage"),
            "amount": self.tr("Amount"),
            "probability": self.tr("Probability"),
            "expected_close": self.tr("Close date"),
            # activities
            "kind": self.tr("Kind"),
            "start_at": self.tr("When"),
            "contact_id": self.tr("Contact"),
            "opportunity_id": self.tr("Opportunity"),
            "direction": self.tr("Direction"),
            "outcome": self.tr("Outcome"),
            "duration_minutes": self.tr("Duration"),
            "participants": self.tr("Participants"),
            "summary": self.tr("Summary"),
            "follow_up_at": self.tr("Next step"),
            "follow_up_done": self.tr("Follow-up done"),
            "author_id": self.tr("Logged by"),
        }

    def __call__(self, field: str) -> str:
        return self._labels.get(field, field)
