"""The account 360° view: details, contacts and phones, open opportunities, the timeline,
status history and former names — one customer on one screen."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_crm.client import reading
from desktop_crm.domain.erasure import is_erased_contact
from desktop_crm.domain.records import Contact
from desktop_crm.storage.queries import Account360
from desktop_crm.ui.accounts_model import system_tags_tooltip
from desktop_crm.ui.choice_boxes import Choices, language_name
from desktop_crm.ui.consent import ConsentTexts
from desktop_crm.ui.customer_clock import CustomerClockLabel
from desktop_crm.ui.customer_history import ClosedOpportunities, TimelinePane

# Re-exported: the other views import them from here.
from desktop_crm.ui.flow_layout import FlowLayout
from desktop_crm.ui.formatting import local_time as local_time
from desktop_crm.ui.formatting import money as money
from desktop_crm.ui.session import Session

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class Account360View(QWidget):
    edit_account = Signal(str)
    edit_contact = Signal(str, str)  # account id, contact id ("" = new contact)
    log_activity = Signal(str, str)  # account id, kind
    new_opportunity = Signal(str)  # account id
    edit_opportunity = Signal(str)  # opportunity id
    remove_contact = Signal(str, str)  # account id, contact id
    loaded = Signal(str)  # account id

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._request = 0
        self.account_id: str | None = None
        self.view: Account360 | None = None
        self.status_names: Mapping[str, str] = {}
        self.owner_names: Mapping[str, str] = {}
        self.stage_names: Mapping[str, str] = {}

        self.placeholder = QLabel(
            self.tr("Search for a customer (Ctrl+K) or pick one from the list.")
        )
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet("color: #666; font-size: 14px;")

        top = self._build_header()
        self._build_details()
        self._build_contacts()
        self._build_opportunities()
        self._build_timeline_and_history()
        self._lay_out(top)

    def _build_header(self) -> QHBoxLayout:
        """The name, the subtitle and the buttons for what one does with a customer."""
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 20px; font-weight: 600;")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel()
        self.subtitle.setStyleSheet("color: #555;")
        self.clock = CustomerClockLabel(parent=self)
        # The system tags beside the name; their reasons on hover.
        self.system_tags = QLabel()
        self.system_tags.setStyleSheet(
            "background: #fdf1d6; color: #7a4b00; border: 1px solid #e8c77a; "
            "border-radius: 4px; padding: 1px 6px; font-weight: 600;"
        )
        self.system_tags.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.system_tags.hide()
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.call_button = QPushButton(self.tr("Log call (Ctrl+L)"))
        self.meeting_button = QPushButton(self.tr("Log meeting"))
        self.add_contact_button = QPushButton(self.tr("Add contact"))
        self.log_other_button = QPushButton(self.tr("Log other"))
        self.log_other_menu = QMenu(self.log_other_button)
        for kind, text in (
            ("visit", self.tr("Log a visit…")),
            ("email", self.tr("Log an e-mail…")),
            ("note", self.tr("Add a note…")),
        ):
            action = self.log_other_menu.addAction(text)
            action.setData(kind)
            action.triggered.connect(lambda _checked=False, k=kind: self._emit_log(k))
        self.log_other_button.setMenu(self.log_other_menu)
        self.new_opportunity_button = QPushButton(self.tr("New opportunity"))
        self.new_opportunity_button.clicked.connect(self._new_opportunity_clicked)
        self.edit_button.clicked.connect(self._edit_clicked)
        self.call_button.clicked.connect(lambda: self._emit_log("call"))
        self.meeting_button.clicked.connect(lambda: self._emit_log("meeting"))
        self.add_contact_button.clicked.connect(self._add_contact_clicked)
        top = QHBoxLayout()
        titles = QVBoxLayout()
        name_row = QHBoxLayout()
        name_row.addWidget(self.title)
        name_row.addWidget(self.system_tags, 0, Qt.AlignmentFlag.AlignVCenter)
        name_row.addStretch(1)
        titles.addLayout(name_row)
        titles.addWidget(self.subtitle)
        titles.addWidget(self.clock)
        top.addLayout(titles, 1)
        # The actions wrap onto a second row rather than widen the window past the screen
        # (six buttons, longer in Chinese, beside a long customer name).
        actions = QWidget()
        actions.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        flow = FlowLayout(actions)
        for button in (
            self.call_button,
            self.meeting_button,
            self.log_other_button,
            self.add_contact_button,
            self.new_opportunity_button,
            self.edit_button,
        ):
            flow.addWidget(button)
        top.addWidget(actions, 1, Qt.AlignmentFlag.AlignTop)
        return top

    def _build_details(self) -> None:
        self.details = QGridLayout()
        self.details.setHorizontalSpacing(16)
        self._detail_labels: dict[str, QLabel] = {}
        captions = [
            ("status", self.tr("Status")),
            ("owner", self.tr("Owner")),
            ("industry", self.tr("Industry")),
            ("country", self.tr("Country")),
            ("language", self.tr("Language")),
            ("timezone", self.tr("Time zone")),
            ("currency", self.tr("Currency")),
            ("address", self.tr("Address")),
            ("tags", self.tr("Tags")),
            ("pipeline", self.tr("Open pipeline")),
            ("notes", self.tr("Notes")),
        ]
        for n, (key, caption) in enumerate(captions):
            cap = QLabel(caption + ":")
            cap.setStyleSheet("color: #666;")
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._detail_labels[key] = value
            row, col = divmod(n, 2)
            self.details.addWidget(cap, row, col * 2, Qt.AlignmentFlag.AlignTop)
            self.details.addWidget(value, row, col * 2 + 1, Qt.AlignmentFlag.AlignTop)
        self.details.setColumnStretch(1, 1)
        self.details.setColumnStretch(3, 1)

    def _build_contacts(self) -> None:
        self.contacts = QTreeWidget()
        self.contacts.setHeaderLabels([self.tr("Contact / phone"), self.tr("Title / kind")])
        self.contacts.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.contacts.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.contacts.header().setStretchLastSection(False)
        self.contacts.itemDoubleClicked.connect(self._contact_clicked)
        # Right-click (or Delete) on a contact or one of its phones.
        self.contacts.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.edit_contact_action = QAction(self.tr("Edit contact…"), self.contacts)
        self.edit_contact_action.triggered.connect(self._edit_selected_contact)
        self.remove_contact_action = QAction(self.tr("Remove contact…"), self.contacts)
        self.remove_contact_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.remove_contact_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.remove_contact_action.triggered.connect(self._remove_selected_contact)
        self.contacts.addActions([self.edit_contact_action, self.remove_contact_action])

    def _build_opportunities(self) -> None:
        self.opportunities = QTreeWidget()
        self.opportunities.setRootIsDecorated(False)
        self.opportunities.setHeaderLabels(
            [
                self.tr("Opportunity"),
                self.tr("Stage"),
                self.tr("Amount"),
                self.tr("Prob."),
                self.tr("Score"),
                self.tr("Close"),
            ]
        )
        header = self.opportunities.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.opportunities.setToolTip(self.tr("Double-click an opportunity to edit it"))
        self.opportunities.itemDoubleClicked.connect(
            lambda item, _column: self.edit_opportunity.emit(str(item.data(0, ID_ROLE)))
        )

    def selected_opportunity_id(self) -> str | None:
        """The deal picked in the list: what a log dialog opened from here links to."""
        item = self.opportunities.currentItem()
        return None if item is None else str(item.data(0, ID_ROLE))

    def _build_timeline_and_history(self) -> None:
        # The whole history, page by page (ui/customer_history.py); closed deals beside it.
        self.timeline_pane = TimelinePane(self._session, self)
        self.timeline = self.timeline_pane.view
        self.timeline_model = self.timeline_pane.model
        self.closed_opportunities = ClosedOpportunities(self._session, self)
        self.closed_opportunities.loaded.connect(self._offer_opportunities)
        # "loaded" waits for the timeline's first page: then the whole view shows the customer.
        self._loading_id: str | None = None
        self.timeline_model.replaced.connect(self._timeline_ready)
        self.history = QTreeWidget()
        self.history.setRootIsDecorated(False)
        self.history.setHeaderLabels([self.tr("When"), self.tr("Change")])
        self.history.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

        self.lower_tabs = QTabWidget()
        self.lower_tabs.addTab(self.timeline_pane, self.tr("Timeline"))
        self.lower_tabs.addTab(self.closed_opportunities, self.tr("Closed opportunities"))
        self.lower_tabs.addTab(self.history, self.tr("Status history and former names"))

    def _lay_out(self, top: QHBoxLayout) -> None:
        middle = QSplitter(Qt.Orientation.Horizontal)
        middle.addWidget(self._boxed(self.tr("Contacts"), self.contacts))
        middle.addWidget(self._boxed(self.tr("Open opportunities"), self.opportunities))
        middle.setSizes([420, 560])
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(middle)
        body.addWidget(self.lower_tabs)
        body.setSizes([260, 320])

        self.content = QWidget()
        content_layout = QVBoxLayout(self.content)
        content_layout.addLayout(top)
        content_layout.addLayout(self.details)
        content_layout.addWidget(body, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.content)
        self.content.hide()

    @staticmethod
    def _boxed(caption: str, widget: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 0)
        label = QLabel(caption)
        label.setStyleSheet("font-weight: 600;")
        layout.addWidget(label)
        layout.addWidget(widget)
        return box

    def _new_opportunity_clicked(self) -> None:
        if self.account_id:
            self.new_opportunity.emit(self.account_id)

    def _add_contact_clicked(self) -> None:
        if self.account_id:
            self.edit_contact.emit(self.account_id, "")

    def _edit_clicked(self) -> None:
        if self.account_id:
            self.edit_account.emit(self.account_id)

    def _emit_log(self, kind: str) -> None:
        if self.account_id:
            self.log_activity.emit(self.account_id, kind)

    def _contact_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        contact_id = item.data(0, ID_ROLE)
        if contact_id and self.account_id:
            self.edit_contact.emit(self.account_id, str(contact_id))

    def selected_contact_id(self) -> str | None:
        item = self.contacts.currentItem()
        while item is not None and not item.data(0, ID_ROLE):
            item = item.parent()  # a phone row: its contact
        return None if item is None else str(item.data(0, ID_ROLE))

    def _edit_selected_contact(self) -> None:
        contact_id = self.selected_contact_id()
        if contact_id and self.account_id:
            self.edit_contact.emit(self.account_id, contact_id)

    def _remove_selected_contact(self) -> None:
        contact_id = self.selected_contact_id()
        if contact_id and self.account_id:
            self.remove_contact.emit(self.account_id, contact_id)

    # Loading -------------------------------------------------------------------------------

    def show_account(self, account_id: str) -> None:
        self.account_id = account_id
        self.refresh()

    def refresh(self) -> None:
        if self.account_id is None:
            return
        self._request += 1
        request = self._request
        account_id = self.account_id
        self._session.submit(
            lambda replica: reading.account_360(replica, account_id),
            lambda view: self._show(request, account_id, view),
            owner=self,
        )

    def _show_system_tags(self, view: Account360) -> None:
        tags = view.system_tags
        self.system_tags.setVisible(bool(tags))
        self.system_tags.setText("  ·  ".join(t.name for t in tags))
        self.system_tags.setToolTip(
            system_tags_tooltip(self.tr("System tags (computed by the server):"), tags)
            if tags
            else ""
        )

    def _show(self, request: int, account_id: str, view: Account360 | None) -> None:
        if request != self._request:
            return
        self.view = view
        if view is None:
            self.content.hide()
            self.placeholder.setText(self.tr("This customer is no longer in your replica."))
            self.placeholder.show()
            self.loaded.emit(account_id)
            return
        self.placeholder.hide()
        self.content.show()
        a = view.account
        self.title.setText(a.name)
        self._show_system_tags(view)
        parts = [self.status_names.get(a.status, a.status)]
        if a.industry:
            parts.append(a.industry)
        self.subtitle.setText(" · ".join(parts))
        values = {
            "status": self.status_names.get(a.status, a.status),
            "owner": self.owner_names.get(a.owner_id, a.owner_id[:8]),
            "industry": a.industry,
            "country": a.country,
            "language": language_name(a.language),
            "timezone": a.timezone,
            "currency": a.currency,
            "address": a.address,
            "tags": ", ".join(a.tags),
            "pipeline": money(view.pipeline_value, a.currency),
            "notes": a.notes,
        }
        account_masked = view.masked.get(a.meta.id, frozenset())
        for key, label in self._detail_labels.items():
            if key in account_masked:
                self._show_hidden(label)
            else:
                label.setText(values.get(key, "") or "—")
                label.setToolTip("")
        self._fill_contacts(view.contacts, view.masked)
        self.opportunities.clear()
        for opp in view.open_opportunities:
            item = QTreeWidgetItem(
                [
                    opp.name,
                    self.stage_names.get(opp.stage, opp.stage),
                    money(opp.amount, opp.currency),
                    f"{opp.probability}%",
                    money(opp.score),
                    opp.expected_close.isoformat() if opp.expected_close else "",
                ]
            )
            item.setData(0, ID_ROLE, opp.meta.id)
            for col in (2, 3, 4):
                item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight)
            self.opportunities.addTopLevelItem(item)
        self._show_history(account_id, view)
        self.history.clear()
        for change in view.status_history:
            old = self.status_names.get(change.from_status or "", change.from_status or "—")
            new = self.status_names.get(change.to_status, change.to_status)
            text = self.tr("Status: %1 → %2").replace("%1", old).replace("%2", new)
            if change.reason:  # a status rule's reason, e.g. "won: <deal>"
                text += f" ({change.reason})"
            self.history.addTopLevelItem(QTreeWidgetItem([local_time(change.changed_at), text]))
        for former in view.former_names:
            self.history.addTopLevelItem(
                QTreeWidgetItem(
                    [
                        local_time(former.changed_at),
                        self.tr("Formerly named “%1”").replace("%1", former.name),
                    ]
                )
            )
        self.history.sortItems(0, Qt.SortOrder.DescendingOrder)
        for tree in (self.history, self.opportunities):
            tree.resizeColumnToContents(0)

    def hidden_text(self) -> str:
        """What a masked field reads: not "—", which would say nobody wrote anything."""
        return self.tr("hidden for your role")

    def hidden_tip(self) -> str:
        return self.tr("Your role may not read this field. It is not empty: the server keeps it.")

    def _show_hidden(self, label: QLabel) -> None:
        label.setText(f"<i>{self.hidden_text()}</i>")
        label.setToolTip(self.hidden_tip())

    def _title_and_role(self, title: str, person: Contact) -> str:
        """"CTO · Decision maker (70)": the title, the part in the decision and its weight."""
        parts = [title] if title else []
        if person.decision_role:
            role = Choices(self).role_names().get(person.decision_role, person.decision_role)
            parts.append(f"{role} ({person.decision_weight})")
        elif person.decision_weight:
            parts.append(self.tr("weight %1").replace("%1", str(person.decision_weight)))
        return " · ".join(parts)

    def person_name(self, person: Contact) -> str:
        """A contact's name; for a person erased at their request, saying so."""
        if is_erased_contact({"name": person.name}):
            return self.tr("(erased at their request)")
        return person.name

    def _fill_contacts(
        self, people: list[Contact], masked: Mapping[str, frozenset[str]] | None = None
    ) -> None:
        self.contacts.clear()
        for person in people:
            hidden = masked.get(person.meta.id, frozenset()) if masked else frozenset()
            title = self.hidden_text() if "title" in hidden else person.title
            item = QTreeWidgetItem(
                [self.person_name(person), self._title_and_role(title, person)]
            )
            item.setData(0, ID_ROLE, person.meta.id)
            item.setToolTip(
                0,
                self.tr("Erased at their request: nothing about them is kept.")
                if is_erased_contact({"name": person.name})
                else self.tr("Double-click to edit"),
            )
            for phone in person.phones:
                star = " ★" if phone.primary else ""
                child = QTreeWidgetItem([f"☎ {phone.raw}{star}", phone.kind])
                child.setData(0, ID_ROLE, person.meta.id)
                child.setToolTip(0, phone.e164)
                item.addChild(child)
            for email in person.emails:
                child = QTreeWidgetItem([f"✉ {email}", ""])
                child.setData(0, ID_ROLE, person.meta.id)
                item.addChild(child)
            if "emails" in hidden:
                child = QTreeWidgetItem([f"✉ {self.hidden_text()}", ""])
                child.setData(0, ID_ROLE, person.meta.id)
                child.setToolTip(0, self.hidden_tip())
                item.addChild(child)
            self.contacts.addTopLevelItem(item)
            item.setExpanded(True)
            if is_erased_contact({"name": person.name}):
                continue  # nothing about them is kept, their answers included
            texts = ConsentTexts(self)
            consent = QTreeWidgetItem([texts.summary(person), ""])
            consent.setToolTip(0, texts.details(person))
            consent.setData(0, ID_ROLE, person.meta.id)
            if person.do_not_contact:
                consent.setForeground(0, Qt.GlobalColor.darkRed)
            item.addChild(consent)

    def _show_history(self, account_id: str, view: Account360) -> None:
        """The clock, the lazy timeline and the closed deals of the customer shown."""
        phones = sorted(
            (p for person in view.contacts for p in person.phones),
            key=lambda p: not p.primary,
        )
        self.clock.show_for(view.account.timezone, [p.e164 for p in phones])
        self._loading_id = account_id
        model = self.timeline_model
        model.contact_names = {p.meta.id: self.person_name(p) for p in view.contacts}
        model.owner_names = self.owner_names
        model.hidden_text, model.hidden_tip = self.hidden_text(), self.hidden_tip()
        if model.account_id == account_id:
            self.timeline_pane.refresh()
        else:
            self.timeline_pane.show_account(account_id)
        self.closed_opportunities.stage_names = self.stage_names
        self.closed_opportunities.load(account_id)

    def _timeline_ready(self) -> None:
        if self._loading_id is not None:
            account_id, self._loading_id = self._loading_id, None
            self.loaded.emit(account_id)

    def _offer_opportunities(self) -> None:
        """The timeline's opportunity filter: open deals, then closed ones."""
        view = self.view
        if view is not None:
            deals = [*view.open_opportunities, *self.closed_opportunities.deals]
            self.timeline_pane.set_opportunities(deals)
