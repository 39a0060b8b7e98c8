"""The account 360° view: details, contacts and phones, open opportunities, the timeline,
status history and former names — one customer on one screen."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_crm.client import reading
from desktop_crm.domain.records import Activity, Contact
from desktop_crm.storage.queries import Account360
from desktop_crm.ui.session import Session

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def local_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def money(amount: object, currency: str = "") -> str:
    try:
        text = f"{float(str(amount)):,.0f}"
    except ValueError:
        text = str(amount)
    return f"{text} {currency}".strip()


class Account360View(QWidget):
    edit_account = Signal(str)
    edit_contact = Signal(str, str)  # account id, contact id ("" = new contact)
    log_activity = Signal(str, str)  # account id, kind
    new_opportunity = Signal(str)  # account id
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
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.call_button = QPushButton(self.tr("Log call (Ctrl+L)"))
        self.meeting_button = QPushButton(self.tr("Log meeting"))
        self.add_contact_button = QPushButton(self.tr("Add contact"))
        self.new_opportunity_button = QPushButton(self.tr("New opportunity"))
        self.new_opportunity_button.clicked.connect(self._new_opportunity_clicked)
        self.edit_button.clicked.connect(self._edit_clicked)
        self.call_button.clicked.connect(lambda: self._emit_log("call"))
        self.meeting_button.clicked.connect(lambda: self._emit_log("meeting"))
        self.add_contact_button.clicked.connect(self._add_contact_clicked)
        top = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        top.addLayout(titles, 1)
        for button in (
            self.call_button,
            self.meeting_button,
            self.add_contact_button,
            self.new_opportunity_button,
            self.edit_button,
        ):
            top.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
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

    def _build_timeline_and_history(self) -> None:
        self.timeline = QTreeWidget()
        self.timeline.setRootIsDecorated(False)
        self.timeline.setHeaderLabels(
            [
                self.tr("When"),
                self.tr("What"),
                self.tr("Outcome"),
                self.tr("Summary"),
                self.tr("By"),
            ]
        )
        self.timeline.header().setStretchLastSection(False)
        self.timeline.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.timeline.header().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.history = QTreeWidget()
        self.history.setRootIsDecorated(False)
        self.history.setHeaderLabels([self.tr("When"), self.tr("Change")])
        self.history.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

        self.lower_tabs = QTabWidget()
        self.lower_tabs.addTab(self.timeline, self.tr("Timeline"))
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
        parts = [self.status_names.get(a.status, a.status)]
        if a.industry:
            parts.append(a.industry)
        self.subtitle.setText(" · ".join(parts))
        values = {
            "status": self.status_names.get(a.status, a.status),
            "owner": self.owner_names.get(a.owner_id, a.owner_id[:8]),
            "industry": a.industry,
            "country": a.country,
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
        self._fill_timeline(view.recent_activities, view.contacts, view.masked)
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
        for tree in (self.timeline, self.history, self.opportunities):
            tree.resizeColumnToContents(0)
        self.loaded.emit(account_id)

    def hidden_text(self) -> str:
        """What a masked field reads: not "—", which would say nobody wrote anything."""
        return self.tr("hidden for your role")

    def hidden_tip(self) -> str:
        return self.tr("Your role may not read this field. It is not empty: the server keeps it.")

    def _show_hidden(self, label: QLabel) -> None:
        label.setText(f"<i>{self.hidden_text()}</i>")
        label.setToolTip(self.hidden_tip())

    def _fill_contacts(
        self, people: list[Contact], masked: Mapping[str, frozenset[str]] | None = None
    ) -> None:
        self.contacts.clear()
        for person in people:
            hidden = masked.get(person.meta.id, frozenset()) if masked else frozenset()
            title = self.hidden_text() if "title" in hidden else person.title
            item = QTreeWidgetItem([person.name, title])
            item.setData(0, ID_ROLE, person.meta.id)
            item.setToolTip(0, self.tr("Double-click to edit"))
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

    def _fill_timeline(
        self,
        acts: list[Activity],
        people: list[Contact],
        masked: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        names = {p.meta.id: p.name for p in people}
        kinds = {
            "call": self.tr("Call"),
            "meeting": self.tr("Meeting"),
            "visit": self.tr("Visit"),
            "email": self.tr("E-mail"),
            "note": self.tr("Note"),
        }
        self.timeline.clear()
        for act in acts:
            what = kinds.get(act.kind, act.kind)
            if act.contact_id and act.contact_id in names:
                what += f" · {names[act.contact_id]}"
            if act.duration_minutes:
                what += f" · {act.duration_minutes} min"
            hidden = masked.get(act.meta.id, frozenset()) if masked else frozenset()
            summary = self.hidden_text() if "summary" in hidden else act.summary
            if act.follow_up_at and not act.follow_up_done:
                summary += "  → " + self.tr("follow up %1").replace(
                    "%1", local_time(act.follow_up_at)
                )
            author = act.author_id or act.meta.updated_by
            by = self.owner_names.get(author, author[:8])  # the directory: names, not ids
            item = QTreeWidgetItem([local_time(act.start_at), what, act.outcome, summary, by])
            item.setData(0, ID_ROLE, act.meta.id)
            item.setToolTip(3, self.hidden_tip() if "summary" in hidden else act.summary)
            self.timeline.addTopLevelItem(item)
