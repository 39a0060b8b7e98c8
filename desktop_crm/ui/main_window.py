"""The main window: one search box, the account list, and tabs for Today, the customer's 360°
view and the pipeline; sync state in the status bar."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, TypeAlias

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_crm.client import editing, reading
from desktop_crm.client.changes import NOTHING, Changes
from desktop_crm.client.editing import Written
from desktop_crm.client.identity import AUDIT_READERS, REVIEWERS
from desktop_crm.client.reading import ListChoices, SyncStatus
from desktop_crm.domain.erasure import is_erased_contact
from desktop_crm.domain.records import (
    DEFAULT_PIPELINE,
    Account,
    ActivityKind,
    Contact,
    Entity,
    PipelineStage,
)
from desktop_crm.protocol.roles import Role
from desktop_crm.storage.queries import AccountFilter
from desktop_crm.storage.search import SearchHit
from desktop_crm.sync.progress import ProgressSnapshot
from desktop_crm.sync.scheduler import Connectivity, Outcome
from desktop_crm.ui.account_view import Account360View
from desktop_crm.ui.accounts_model import ID_ROLE, AccountsModel
from desktop_crm.ui.archive_view import ArchiveDialog, archive_open_customer
from desktop_crm.ui.consent import reachable_choice, reachable_filter_box
from desktop_crm.ui.deal_desk import DealDesk
from desktop_crm.ui.dialogs import (
    AccountDialog,
    ActivityDialog,
    ContactDialog,
)
from desktop_crm.ui.lazy_tab import LazyTab
from desktop_crm.ui.opportunity_dialog import OpportunityDialog
from desktop_crm.ui.search_window import SearchHitsModel
from desktop_crm.ui.session import Session
from desktop_crm.ui.stage_labels import stage_label
from desktop_crm.ui.sync_views import ConflictDialog, DeletedCustomersDialog, SyncIssuesDialog
from desktop_crm.ui.today_view import TodayView

if TYPE_CHECKING:
    from desktop_crm.sync.engine import SyncSummary  # loaded by the first sync
    from desktop_crm.ui.activity_view import ActivityFeedView
    from desktop_crm.ui.audit_view import AuditView
    from desktop_crm.ui.duplicates_view import DuplicatesView
    from desktop_crm.ui.pipeline_view import PipelineView
    from desktop_crm.ui.reports_view import ReportsView

    #: The tabs that load their data only while shown.
    DataTab: TypeAlias = LazyTab[PipelineView] | LazyTab[ActivityFeedView] | LazyTab[ReportsView]

log = logging.getLogger(__name__)

#: Keystrokes closer together than this are one query: no query storm while typing a number.
TYPING_PAUSE_MS = 80
#: Many changes in a row (a sync applying pages, several edits) refresh the views once.
REFRESH_COALESCE_MS = 250

#: The filters' lists are read after the first rows, or after this long if none are drawn.
FILTER_CHOICES_WAIT_MS = 300

ALL = "__all__"
#: How long a hint stays in the status bar.
HINT_MS = 5000


class MainWindow(QMainWindow):
    #: The search results for the text now in the box are on screen (text, hit count).
    search_done = Signal(str, int)
    #: Views were refreshed after a change (for tests and screen pops).
    refreshed = Signal()

    def __init__(self, session: Session, title: str = "Desktop CRM") -> None:
        super().__init__()
        self.session = session
        self._latest_search = 0
        #: Changes not yet shown: a burst of edits or sync pages refreshes the views once.
        self._pending_changes: Changes = NOTHING
        self.owner_names: Mapping[str, str] = {}
        self.statuses: list[tuple[str, str]] = []
        #: Who owns the accounts in this replica (a manager's team, as far as it shows).
        self.owner_ids: list[str] = []
        self.setWindowTitle(title)

        self._build_search()
        list_page = self._build_account_list()
        left = self._build_left(list_page)
        self._build_tabs(left)
        self._build_status_bar()
        self._build_menus()
        self._wire()
        self.resize(1360, 840)

    def _build_search(self) -> None:
        """The search box and its results (shown over the account list while searching)."""
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(
            self.tr(
                "Search customers by name or phone number (any format, or the last 4+ "
                "digits) — Ctrl+K"
            )
        )
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMinimumHeight(30)
        self.results_model = SearchHitsModel(self)
        self.results_view = QTableView()
        self.results_view.setModel(self.results_model)
        self._table_defaults(self.results_view)
        self.results_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.results_view.verticalHeader().setDefaultSectionSize(24)
        self.results_view.activated.connect(self._open_hit)
        self.results_view.clicked.connect(self._open_hit)
        self.search_status = QLabel()
        self.search_status.setWordWrap(True)

    def _build_account_list(self) -> QWidget:
        """The account list with its filters."""
        self.accounts_model = AccountsModel(self.session, self)
        self.accounts_view = QTableView()
        self.accounts_view.setModel(self.accounts_model)
        self._table_defaults(self.accounts_view)
        self.accounts_view.setSortingEnabled(True)
        self.accounts_view.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.accounts_view.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch
        )
        self.accounts_view.verticalHeader().setDefaultSectionSize(24)
        self.accounts_view.activated.connect(self._open_row)
        self.accounts_view.clicked.connect(self._open_row)
        self.status_filter = QComboBox()
        self.owner_filter = QComboBox()
        self.tag_filter = QComboBox()
        self.system_tag_filter = QComboBox()  # the tags the server's rules computed
        self.system_tag_filter.setToolTip(self.tr("Tags computed by the server's rules"))
        for combo, label in (
            (self.status_filter, self.tr("All statuses")),
            (self.owner_filter, self.tr("All owners")),
            (self.tag_filter, self.tr("All tags")),
            (self.system_tag_filter, self.tr("All system tags")),
        ):
            combo.addItem(label, ALL)
            combo.currentIndexChanged.connect(self._filter_changed)
        self.consent_filter = reachable_filter_box(self)
        self.consent_filter.currentIndexChanged.connect(self._filter_changed)
        self.count_label = QLabel()
        filters = QHBoxLayout()
        filters.addWidget(self.status_filter)
        filters.addWidget(self.owner_filter)
        filters.addWidget(self.tag_filter)
        filters.addWidget(self.consent_filter)
        filters.addWidget(self.system_tag_filter)
        filters.addStretch(1)
        filters.addWidget(self.count_label)
        list_page = QWidget()
        list_layout = QVBoxLayout(list_page)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addLayout(filters)
        list_layout.addWidget(self.accounts_view)
        return list_page

    def _build_left(self, list_page: QWidget) -> QWidget:
        results_page = QWidget()
        results_layout = QVBoxLayout(results_page)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.addWidget(self.search_status)
        results_layout.addWidget(self.results_view)
        self.left_stack = QStackedWidget()
        self.left_stack.addWidget(list_page)
        self.left_stack.addWidget(results_page)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search_box)
        left_layout.addWidget(self.left_stack)
        return left

    def _build_tabs(self, left: QWidget) -> None:
        """Today and the customer beside the list; the other tabs are built when first shown
        (or first asked for), so the first window does not wait for them."""
        self.today = TodayView(self.session)
        self.account_view = Account360View(self.session)
        self.account_view.stage_names = {
            s.key: stage_label(s.key, s.name) for s in DEFAULT_PIPELINE
        }
        self.tabs = QTabWidget()
        self.tabs.addTab(self.today, self.tr("Today"))
        self.tabs.addTab(self.account_view, self.tr("Customer"))
        self._pipeline_tab = LazyTab(self.tabs, self.tr("Pipeline"), self._make_pipeline)
        self._activity_tab = LazyTab(self.tabs, self.tr("Activity"), self._make_activity)
        self._reports_tab = LazyTab(self.tabs, self.tr("Reports"), self._make_reports)
        #: Tabs that load only while shown: stale when built and when data changes after.
        self._data_tabs: tuple[DataTab, ...] = (
            self._pipeline_tab,
            self._activity_tab,
            self._reports_tab,
        )
        self._stale: set[QWidget] = set()
        # The audit trail (online), for the roles that may read it.
        self._audit_tab: LazyTab[AuditView] | None = None
        if self.session.profile_sync is not None and self.session.identity.role in AUDIT_READERS:
            self._audit_tab = LazyTab(self.tabs, self.tr("Audit"), self._make_audit)
        # The duplicates review queue (online), for managers and administrators.
        self._duplicates_tab: LazyTab[DuplicatesView] | None = None
        if self.session.profile_sync is not None and self.session.identity.role in REVIEWERS:
            self._duplicates_tab = LazyTab(self.tabs, self.tr("Duplicates"), self._make_duplicates)
        self.tabs.currentChanged.connect(self._tab_changed)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([520, 880])
        self.setCentralWidget(split)

    # The tabs built on first show (imported then too) ------------------------------------

    def _make_pipeline(self) -> PipelineView:
        from desktop_crm.ui import pipeline_view

        view = pipeline_view.PipelineView(self.session)
        view.edit_opportunity.connect(self.deals.edit)
        view.log_for_opportunity.connect(self.deals.log)
        view.open_account.connect(self.show_account)
        self._stale.add(view)
        return view

    def _make_activity(self) -> ActivityFeedView:
        from desktop_crm.ui import activity_view

        view = activity_view.ActivityFeedView(self.session)
        view.set_names(self.owner_names)
        view.open_account.connect(self.show_account)
        self._stale.add(view)
        return view

    def _make_reports(self) -> ReportsView:
        from desktop_crm.ui import reports_view

        view = reports_view.ReportsView(self.session)
        view.stage_label = stage_label
        view.set_names(self.owner_names)
        self._stale.add(view)
        return view

    def _make_audit(self) -> AuditView:
        from desktop_crm.ui import audit_view

        view = audit_view.AuditView(self.session)
        view.merge_undone.connect(lambda _restored: self.sync_now())
        return view

    def _make_duplicates(self) -> DuplicatesView:
        from desktop_crm.ui import duplicates_view

        view = duplicates_view.DuplicatesView(self.session)
        view.owner_names = self.owner_names
        view.merged.connect(lambda _survivor: self.sync_now())
        return view

    @property
    def pipeline(self) -> PipelineView:
        """The pipeline tab (built now if it was not yet)."""
        return self._pipeline_tab.get()

    @property
    def activity(self) -> ActivityFeedView:
        """The activity feed tab (built now if it was not yet)."""
        return self._activity_tab.get()

    @property
    def reports(self) -> ReportsView:
        """The reports tab (built now if it was not yet)."""
        return self._reports_tab.get()

    @property
    def audit(self) -> AuditView | None:
        """The audit tab (built now if it was not yet); None for roles without it."""
        return None if self._audit_tab is None else self._audit_tab.get()

    @property
    def duplicates(self) -> DuplicatesView | None:
        """The duplicates tab (built now if it was not yet); None for roles without it."""
        return None if self._duplicates_tab is None else self._duplicates_tab.get()

    def _build_status_bar(self) -> None:
        self.online_label = QLabel()
        self.last_sync_label = QLabel()
        self.pending_label = QLabel()
        self.sync_bar = QProgressBar()
        self.sync_bar.setMaximumWidth(160)
        self.sync_bar.setMaximumHeight(16)
        self.sync_bar.setTextVisible(False)
        self.sync_bar.hide()
        self.sync_text = QLabel()
        self.cancel_sync_button = QPushButton(self.tr("Stop"))
        self.cancel_sync_button.setFlat(True)
        self.cancel_sync_button.hide()
        self.conflict_badge = QPushButton()
        self.conflict_badge.setStyleSheet(
            "QPushButton { background: #d93025; color: white; border-radius: 9px; "
            "padding: 1px 10px; font-weight: 600; }"
        )
        self.conflict_badge.hide()
        self.issues_badge = QPushButton()
        self.issues_badge.setStyleSheet(
            "QPushButton { background: #f29900; color: white; border-radius: 9px; "
            "padding: 1px 10px; font-weight: 600; }"
        )
        self.issues_badge.hide()
        # A customer deleted by someone else under our unsynced work: told at once, without
        # blocking the window; the badge opens the (non-modal) choice of restore or export.
        self.deleted_badge = QPushButton()
        self.deleted_badge.setStyleSheet(
            "QPushButton { background: #a50e0e; color: white; border-radius: 9px; "
            "padding: 1px 10px; font-weight: 600; }"
        )
        self.deleted_badge.hide()
        bar = self.statusBar()
        bar.addWidget(self.online_label)
        bar.addWidget(self.last_sync_label)
        bar.addWidget(self.pending_label)
        bar.addPermanentWidget(self.sync_text)
        bar.addPermanentWidget(self.sync_bar)
        bar.addPermanentWidget(self.cancel_sync_button)
        bar.addPermanentWidget(self.issues_badge)
        bar.addPermanentWidget(self.conflict_badge)
        bar.addPermanentWidget(self.deleted_badge)
        self.conflict_badge.clicked.connect(self.open_conflicts)
        self.deleted_badge.clicked.connect(self.open_deleted_customers)
        self.issues_badge.clicked.connect(self.open_sync_issues)

    def _build_menus(self) -> None:
        self.file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.settings_action = QAction(self.tr("&Settings…"), self)
        self.file_menu.addAction(self.settings_action)
        self.file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.file_menu.addAction(quit_action)
        customer_menu = self.menuBar().addMenu(self.tr("&Customer"))
        self.log_call_action = QAction(self.tr("Log a &call…"), self)
        self.log_call_action.setShortcut(QKeySequence("Ctrl+L"))
        self.log_call_action.triggered.connect(lambda: self.log_activity(None, "call"))
        self.log_meeting_action = QAction(self.tr("Log a &meeting…"), self)
        self.log_meeting_action.setShortcut(QKeySequence("Ctrl+M"))
        self.log_meeting_action.triggered.connect(lambda: self.log_activity(None, "meeting"))
        self.edit_action = QAction(self.tr("&Edit customer…"), self)
        self.edit_action.setShortcut(QKeySequence("Ctrl+E"))
        self.edit_action.triggered.connect(lambda: self.edit_account(None))
        self.new_account_action = QAction(self.tr("&New customer…"), self)
        self.new_account_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_account_action.triggered.connect(self.new_account)
        self.new_opportunity_action = QAction(self.tr("New &opportunity…"), self)
        self.new_opportunity_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.new_opportunity_action.triggered.connect(lambda: self.new_opportunity(None))
        for action in (self.log_call_action, self.log_meeting_action, self.edit_action):
            customer_menu.addAction(action)
        customer_menu.addSeparator()
        customer_menu.addAction(self.new_opportunity_action)
        customer_menu.addAction(self.new_account_action)
        customer_menu.addSeparator()
        self.archive_search_action = QAction(self.tr("Search the &archive…"), self)
        self.archive_search_action.triggered.connect(self.open_archive)
        self.archive_customer_action = QAction(self.tr("Arc&hive this customer…"), self)
        self.archive_customer_action.triggered.connect(lambda: self.archive_customer(None))
        # The role is known once signed in: decided each time the menu opens.
        customer_menu.aboutToShow.connect(
            lambda: self.archive_customer_action.setVisible(
                self.session.identity.role == Role.ADMIN
            )
        )
        customer_menu.addAction(self.archive_search_action)
        customer_menu.addAction(self.archive_customer_action)
        self.sync_menu = self.menuBar().addMenu(self.tr("&Sync"))
        self.sync_action = QAction(self.tr("Sync &now"), self)
        self.sync_action.setShortcut(QKeySequence("F5"))
        self.sync_action.triggered.connect(self.sync_now)
        conflicts_action = QAction(self.tr("&Conflicts…"), self)
        conflicts_action.triggered.connect(self.open_conflicts)
        issues_action = QAction(self.tr("Sync &issues…"), self)
        issues_action.triggered.connect(self.open_sync_issues)
        for action in (self.sync_action, conflicts_action, issues_action):
            self.sync_menu.addAction(action)
        QShortcut(QKeySequence("Ctrl+K"), self, self.focus_search)

    def _wire(self) -> None:
        session = self.session
        self._typing_timer = QTimer(self)
        self._typing_timer.setSingleShot(True)
        self._typing_timer.setInterval(TYPING_PAUSE_MS)
        self._typing_timer.timeout.connect(self._run_search)
        self.search_box.textChanged.connect(self._text_changed)
        self.search_box.returnPressed.connect(self._open_first_hit)
        self.accounts_model.reloaded.connect(self._accounts_reloaded)
        self.account_view.edit_account.connect(self.edit_account)
        self.account_view.edit_contact.connect(self.edit_contact)
        self.account_view.log_activity.connect(self.log_activity)
        self.account_view.new_opportunity.connect(self.new_opportunity)
        self.deals = DealDesk(self.session, self, stage_label, self.assignable_owners)
        self.account_view.edit_opportunity.connect(self.deals.edit)
        self.deals.missing.connect(
            lambda _id: self.statusBar().showMessage(
                self.tr("This opportunity is no longer in your replica."), HINT_MS
            )
        )
        self.account_view.remove_contact.connect(self.remove_contact)
        self.today.open_account.connect(self.show_account)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_COALESCE_MS)
        self._refresh_timer.timeout.connect(self._refresh_changed)
        session.data_changed.connect(self._data_changed)
        self._clock = QTimer(self)
        self._clock.setInterval(30_000)
        self._clock.timeout.connect(self._show_sync_state)
        self._clock.start()
        if session.sync is not None:
            session.sync.started.connect(self._sync_started)
            session.sync.progress_changed.connect(self._sync_progress)
            session.sync.finished.connect(self._sync_finished)
            self.cancel_sync_button.clicked.connect(session.sync.cancel)
        else:
            self.sync_action.setEnabled(False)

    @staticmethod
    def _table_defaults(view: QTableView) -> None:
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.verticalHeader().hide()
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)

    # Start-up ------------------------------------------------------------------------------

    def start(self) -> None:
        """Load the lists and Today; called once the replica is ready."""
        self._load_choices()
        self.accounts_model.reload()
        self.today.refresh()
        self._update_sync_status()
        self.tabs.setCurrentWidget(self.today)

    def set_owner_names(self, names: Mapping[str, str]) -> None:
        self.owner_names = names
        self.accounts_model.owner_names = names
        self.account_view.owner_names = names
        for tab in (self._activity_tab, self._reports_tab):
            if tab.widget is not None:
                tab.widget.set_names(names)
        if self._duplicates_tab is not None and self._duplicates_tab.widget is not None:
            self._duplicates_tab.widget.owner_names = names

    def _load_choices(self) -> None:
        # Names first: the owner column and filter are labelled with them. The filters' lists
        # (a scan of every account) wait for the list's first rows, which matter sooner, or
        # for a moment where no rows are drawn (an empty list, a window not shown). That
        # moment is counted from the ids' arrival: counted from here, it ran out while a large
        # replica's ids were still being read, and the scan went before the first rows.
        self.session.submit(reading.user_names, self.set_owner_names, owner=self)
        self._choices_timer = QTimer(self)
        self._choices_timer.setSingleShot(True)
        self._choices_timer.setInterval(FILTER_CHOICES_WAIT_MS)
        self._choices_timer.timeout.connect(self._first_rows_shown)
        self.accounts_model.reloaded.connect(self._first_ids_arrived)
        self.accounts_model.dataChanged.connect(self._first_rows_shown)

    def _first_ids_arrived(self, count: int) -> None:
        self.accounts_model.reloaded.disconnect(self._first_ids_arrived)
        if count:
            self._choices_timer.start()
        else:
            self._first_rows_shown()  # no rows to wait for

    def _first_rows_shown(self, *_changed: object) -> None:
        self._choices_timer.stop()  # once: the first rows or the timer, whichever is first
        self.accounts_model.dataChanged.disconnect(self._first_rows_shown)
        self._load_filter_choices()

    def _load_filter_choices(self) -> None:
        self.session.submit(reading.list_choices, self._fill_choices, owner=self)

    def status_label(self, key: str, name: str) -> str:
        """The default statuses in the user's language; configured ones as configured."""
        known = {
            "prospect": (self.tr("Prospect"), "Prospect"),
            "active": (self.tr("Active customer"), "Active customer"),
            "dormant": (self.tr("Dormant"), "Dormant"),
            "former": (self.tr("Former customer"), "Former customer"),
        }
        label, default = known.get(key, (name, name))
        return label if name == default else name

    def _fill_choices(self, choices: ListChoices) -> None:
        choices = ListChoices(
            [(k, self.status_label(k, n)) for k, n in choices.statuses],
            choices.owners,
            choices.tags,
            choices.system_tags,
        )
        self.statuses = choices.statuses
        self.owner_ids = choices.owners
        names = dict(choices.statuses)
        self.accounts_model.status_names = names
        self.account_view.status_names = names
        for combo, values in (
            (self.status_filter, choices.statuses),
            (self.owner_filter, [(o, self.owner_names.get(o, o[:8])) for o in choices.owners]),
            (self.tag_filter, [(t, t) for t in choices.tags]),
            (self.system_tag_filter, [(t, t) for t in choices.system_tags]),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for key, label in values:
                combo.addItem(label, key)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)

    # Search --------------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def _text_changed(self, text: str) -> None:
        if text.strip():
            self._typing_timer.start()
        else:
            self._typing_timer.stop()
            self._latest_search += 1  # drop answers still on their way
            self.results_model.set_hits([])
            self.left_stack.setCurrentIndex(0)

    def _run_search(self) -> None:
        text = self.search_box.text().strip()
        if not text:
            return
        self._latest_search += 1
        request = self._latest_search
        self.session.submit(
            lambda replica: reading.search(replica, text),
            lambda hits: self._show_hits(request, text, hits),
            lambda error: self._search_failed(request, error),
            owner=self,
        )

    def _show_hits(self, request: int, text: str, hits: list[SearchHit]) -> None:
        if request != self._latest_search:
            return  # an answer to an older keystroke
        self.left_stack.setCurrentIndex(1)
        self.results_model.set_hits(hits)
        if hits:
            self.search_status.setText(
                self.tr("%1 match(es) for “%2”. Enter opens the first.")
                .replace("%1", str(len(hits)))
                .replace("%2", text)
            )
        else:
            self.search_status.setText(self.tr("No customer matches “%1”.").replace("%1", text))
        self.search_done.emit(text, len(hits))

    def _search_failed(self, request: int, error: BaseException) -> None:
        if request == self._latest_search:
            log.error("search failed", exc_info=error)
            self.search_status.setText(self.tr("Search failed: %1").replace("%1", str(error)))

    def _open_hit(self, index: QModelIndex) -> None:
        if index.isValid():
            self.show_account(self.results_model.hit(index.row()).account_id)

    def _open_first_hit(self) -> None:
        if self.results_model.rowCount() > 0:
            self.show_account(self.results_model.hit(0).account_id)

    def pop_phone(self, number: str) -> None:
        """Screen pop for an incoming call: search the number and open the best match."""
        self.search_box.setText(number)
        self._typing_timer.stop()
        self._latest_search += 1
        request = self._latest_search

        def show(hits: list[SearchHit]) -> None:
            self._show_hits(request, number, hits)
            if request == self._latest_search and hits:
                self.show_account(hits[0].account_id)

        self.session.submit(lambda replica: reading.search(replica, number), show, owner=self)
        self.raise_window()

    def raise_window(self) -> None:
        self.setWindowState(
            (self.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
        )
        self.show()
        self.raise_()
        self.activateWindow()

    # Account list --------------------------------------------------------------------------

    def _filter_changed(self) -> None:
        def value(combo: QComboBox) -> str | None:
            data = combo.currentData()
            return None if data in (None, ALL) else str(data)

        self.accounts_model.set_filter(
            AccountFilter(
                status=value(self.status_filter),
                owner_id=value(self.owner_filter),
                tag=value(self.tag_filter),
                reachable=reachable_choice(self.consent_filter),
                system_tag=value(self.system_tag_filter),
            )
        )

    def _accounts_reloaded(self, count: int) -> None:
        self.count_label.setText(self.tr("%1 customers").replace("%1", f"{count:,}"))

    def _open_row(self, index: QModelIndex) -> None:
        if index.isValid():
            self.show_account(str(self.accounts_model.data(index, ID_ROLE)))

    def show_account(self, account_id: str) -> None:
        self.account_view.show_account(account_id)
        self.tabs.setCurrentWidget(self.account_view)

    def _tab_changed(self, _index: int) -> None:
        self._refresh_current_if_stale()

    def _refresh_current_if_stale(self) -> None:
        for lazy in self._data_tabs:
            tab = lazy.widget
            if tab is not None and self.tabs.currentWidget() is tab and tab in self._stale:
                self._stale.discard(tab)
                tab.refresh()

    # Editing -------------------------------------------------------------------------------

    def _current_account(self, account_id: str | None) -> str | None:
        account_id = account_id or self.account_view.account_id
        if not account_id:
            # A hint, not a modal box: the user is mid-flow (a shortcut pressed too early).
            self.statusBar().showMessage(
                self.tr("Open a customer first (search with Ctrl+K)."), HINT_MS
            )
        return account_id

    def edit_account(self, account_id: str | None) -> AccountDialog | None:
        account_id = self._current_account(account_id)
        view = self.account_view.view
        if not account_id or view is None or view.account.meta.id != account_id:
            return None
        dialog = AccountDialog(
            self.session, view.account, self.statuses, self, owners=self.assignable_owners()
        )
        dialog.show_hidden(view.masked.get(account_id, ()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open_requested.connect(self.show_account)
        dialog.open()
        return dialog

    def assignable_owners(self) -> list[tuple[str, str]] | None:
        """(user id, name) a customer can be reassigned to, or None where this user may not
        reassign. A manager: the owners in their replica (their team) and themselves; an
        admin: every rep and manager in the directory. The server checks again on push, and
        refuses with a reason (a sync issue) what this list cannot know, e.g. a team change."""
        me = self.session.identity
        if me.role == Role.ADMIN:
            ids = set(self.owner_ids) | set(self.owner_names)
        elif me.role == "manager":
            ids = set(self.owner_ids) | {me.user_id}
        else:
            return None
        names = [(i, self.owner_names.get(i, i[:8])) for i in ids if i]
        return sorted(names, key=lambda pair: pair[1].casefold())

    def new_account(self) -> AccountDialog:
        account = Account(name="", owner_id=self.session.identity.user_id)
        dialog = AccountDialog(self.session, account, self.statuses, self, new=True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def open_it() -> None:
            if dialog.saved is not None:
                self.show_account(dialog.saved.meta.id)

        dialog.accepted.connect(open_it)
        dialog.open_requested.connect(self.show_account)
        dialog.open()
        return dialog

    def new_opportunity(self, account_id: str | None) -> None:
        """Opens the dialog once the pipeline's first stage is read (on the worker)."""
        account_id = self._current_account(account_id)
        view = self.account_view.view
        if not account_id or view is None or view.account.meta.id != account_id:
            return
        account = view.account

        def open_dialog(stage: PipelineStage) -> None:
            label = stage_label(stage.key, stage.name)
            dialog = OpportunityDialog(self.session, account, stage, label, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

        self.session.submit(reading.first_stage, open_dialog, owner=self)

    def remove_contact(self, account_id: str, contact_id: str) -> QMessageBox | None:
        """Asks first (a window-modal box, not a blocking one), then deletes on this device."""
        view = self.account_view.view
        if view is None or view.account.meta.id != account_id:
            return None
        found = [c for c in view.contacts if c.meta.id == contact_id]
        if not found:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Remove contact"),
            self.tr("Remove %1 from %2? Their calls and meetings stay in the timeline.")
            .replace("%1", found[0].name)
            .replace("%2", view.account.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button: int) -> None:
            if button == QMessageBox.StandardButton.Yes:
                who = self.session.identity
                self.session.submit(
                    lambda replica: editing.delete(replica, Entity.CONTACT, contact_id, who),
                    self._removed,
                    owner=self,
                )

        box.finished.connect(answered)
        box.open()
        return box

    def _removed(self, written: Written[bool]) -> None:
        self.session.edited(written.changes)

    # The archive (online) -----------------------------------------------------------------

    def open_archive(self) -> ArchiveDialog:
        dialog = ArchiveDialog(self.session, dict(self.owner_names), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.restored.connect(lambda _id: self.sync_now())
        dialog.show()  # non-modal: the window stays usable while the server answers
        return dialog

    def archive_customer(self, account_id: str | None) -> QMessageBox | None:
        """Administrators: asks first (window-modal), then archives over the server."""
        account_id = self._current_account(account_id)
        view = self.account_view.view
        if self.session.identity.role != Role.ADMIN:
            return None
        if not account_id or view is None or view.account.meta.id != account_id:
            return None
        name = view.account.name
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Archive customer"),
            self.tr(
                "Archive %1? It leaves every computer at their next sync and stays on the "
                "server, where “Search the archive” finds it."
            ).replace("%1", name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def archived() -> None:
            self.statusBar().showMessage(self.tr("%1 is archived.").replace("%1", name), HINT_MS)
            self.sync_now()

        def failed(error: BaseException) -> None:
            self.statusBar().showMessage(
                self.tr("Could not archive %1: %2").replace("%1", name).replace("%2", str(error)),
                HINT_MS,
            )

        def answered(button: int) -> None:
            if button == QMessageBox.StandardButton.Yes:
                archive_open_customer(self.session, account_id, archived, failed, self)

        box.finished.connect(answered)
        box.open()
        return box

    def edit_contact(self, account_id: str, contact_id: str) -> ContactDialog | None:
        view = self.account_view.view
        if view is None or view.account.meta.id != account_id:
            return None
        found = [c for c in view.contacts if c.meta.id == contact_id]
        if found and is_erased_contact({"name": found[0].name}):
            # Nothing to edit, and the server would refuse any change to them.
            self.statusBar().showMessage(
                self.tr("This person was erased at their request."), HINT_MS
            )
            return None
        contact = found[0] if found else Contact(account_id=account_id, name="")
        dialog = ContactDialog(self.session, contact, self)
        dialog.show_hidden(view.masked.get(contact_id, ()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open_requested.connect(self.show_account)
        dialog.open()
        return dialog

    def log_activity(self, account_id: str | None, kind: str) -> ActivityDialog | None:
        account_id = self._current_account(account_id)
        view = self.account_view.view
        if not account_id or view is None or view.account.meta.id != account_id:
            return None
        contact_id = None
        current = self.account_view.contacts.currentItem()
        if current is not None:
            contact_id = current.data(0, ID_ROLE)
        dialog = ActivityDialog(
            self.session,
            account_id,
            view.account.name,
            view.contacts,
            ActivityKind(kind),
            contact_id=contact_id,
            parent=self,
            opportunities=view.open_opportunities,
            opportunity_id=self.account_view.selected_opportunity_id(),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # Refreshing ----------------------------------------------------------------------------

    def _data_changed(self, changes: Changes, by_sync: bool) -> None:
        if not by_sync and self.session.sync is not None:
            # Send the edit soon (a few seconds, so a burst of edits goes out together).
            QTimer.singleShot(3000, self.session.sync.sync_now)
        self._pending_changes = self._pending_changes | changes
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _refresh_changed(self) -> None:
        changes, self._pending_changes = self._pending_changes, NOTHING
        self.refresh(changes)

    def refresh(self, changes: Changes) -> None:
        """Refresh the views that show what changed; hidden tabs only when next shown."""
        if changes.touches(Entity.ACCOUNT):
            self.accounts_model.invalidate()
            self._load_filter_choices()  # a new status, owner or tag
        shown = self.account_view.account_id
        if shown and changes.touches_account(shown):
            self.account_view.refresh()
        # Follow-ups and the feed name the account and contact beside each activity.
        if changes.touches(Entity.ACTIVITY, Entity.CONTACT, Entity.ACCOUNT):
            self.today.refresh()
            self._mark_stale(self._activity_tab)
        if changes.touches(Entity.OPPORTUNITY, Entity.ACCOUNT):
            self._mark_stale(self._pipeline_tab)
        if changes.touches(Entity.OPPORTUNITY, Entity.ACTIVITY):
            self._mark_stale(self._reports_tab)
        self._refresh_current_if_stale()
        self._update_sync_status()
        self.refreshed.emit()

    def _mark_stale(self, lazy: DataTab) -> None:
        """A tab not built yet is not marked: it loads when it is built and shown."""
        if lazy.widget is not None:
            self._stale.add(lazy.widget)

    # Sync ----------------------------------------------------------------------------------

    def sync_now(self) -> None:
        if self.session.sync is not None:
            self.session.sync.sync_now()

    def _sync_started(self) -> None:
        self.sync_bar.setRange(0, 0)
        self.sync_bar.show()
        self.cancel_sync_button.show()
        self.sync_text.setText(self.tr("Syncing…"))

    def _sync_progress(self, snap: ProgressSnapshot) -> None:
        if snap.total:
            self.sync_bar.setRange(0, snap.total)
            self.sync_bar.setValue(min(snap.done, snap.total))
        else:
            self.sync_bar.setRange(0, 0)

    def _sync_finished(self, outcome: Outcome[SyncSummary]) -> None:
        self.sync_bar.hide()
        self.cancel_sync_button.hide()
        if outcome.cancelled:
            self.sync_text.setText(self.tr("Sync stopped; it continues later."))
        elif outcome.error:
            self.sync_text.setText(self._error_text(outcome))
            self.sync_text.setToolTip(outcome.error)
        elif outcome.result is not None and outcome.result.server_restored:
            # Stays until the next sync: the user should learn that the server went back.
            self.sync_text.setText(
                self.tr(
                    "The server was restored from a backup; your unsynced changes were sent "
                    "again and your data was refreshed."
                )
            )
            self.sync_text.setToolTip("")
        else:
            self.sync_text.setText("")
            self.sync_text.setToolTip("")
        self._update_sync_status()

    def _error_text(self, outcome: Outcome[SyncSummary]) -> str:
        if outcome.state is Connectivity.OFFLINE:
            return self.tr("Offline — your changes are kept and sent later.")
        if outcome.state is Connectivity.SIGN_IN_REQUIRED:
            return self.tr("Please sign in again to sync.")
        return self.tr("Sync failed: %1").replace("%1", outcome.error[:80])

    def _update_sync_status(self) -> None:
        self.session.submit(reading.sync_status, self._show_status, owner=self)

    def _show_status(self, status: SyncStatus) -> None:
        self._status = status
        self.pending_label.setText(
            self.tr("%1 change(s) waiting to be sent").replace("%1", str(status.pending))
            if status.pending
            else self.tr("All changes sent")
        )
        self.conflict_badge.setText(self.tr("%1 conflict(s)").replace("%1", str(status.conflicts)))
        self.conflict_badge.setVisible(status.conflicts > 0)
        self.issues_badge.setText(self.tr("%1 sync issue(s)").replace("%1", str(status.issues)))
        self.issues_badge.setVisible(status.issues > 0)
        self._show_deleted_customers(status)
        self._show_sync_state()

    def _show_deleted_customers(self, status: SyncStatus) -> None:
        gone = status.deleted_customers
        if len(gone) == 1:
            text = (
                self.tr("%1 was deleted by %2")
                .replace("%1", gone[0].account_name or gone[0].account_id[:8])
                .replace("%2", gone[0].who)
            )
        else:
            text = self.tr("%1 customers deleted under your work").replace("%1", str(len(gone)))
        self.deleted_badge.setText(text)
        self.deleted_badge.setToolTip(
            "\n".join(
                self.tr("%1 — deleted by %2; %3 unsynced change(s) kept, not sent")
                .replace("%1", g.account_name or g.account_id)
                .replace("%2", g.who)
                .replace("%3", str(len(g.records)))
                for g in gone
            )
        )
        self.deleted_badge.setVisible(bool(gone))

    def _show_sync_state(self) -> None:
        sync = self.session.sync
        if sync is None:
            self.online_label.setText(self.tr("● Local only"))
            return
        state = sync.state
        if state is Connectivity.ONLINE:
            text, color = self.tr("● Online"), "#1e7b34"
        elif state is Connectivity.OFFLINE:
            text, color = self.tr("● Offline"), "#b00020"
        elif state is Connectivity.SIGN_IN_REQUIRED:
            text, color = self.tr("● Sign-in needed"), "#b00020"
        elif state is Connectivity.ERROR:
            text, color = self.tr("● Server problem"), "#b06000"
        else:
            text, color = self.tr("● Connecting…"), "#666"
        self.online_label.setText(text)
        self.online_label.setStyleSheet(f"color: {color};")
        status = getattr(self, "_status", None)
        last = status.last_sync_at if status is not None else None
        self.last_sync_label.setText(
            self.tr("Last sync: %1").replace("%1", self._ago(last))
            if last
            else self.tr("Never synced")
        )

    def _ago(self, moment: datetime) -> str:
        seconds = int((datetime.now(moment.tzinfo) - moment).total_seconds())
        if seconds < 60:
            return self.tr("just now")
        if seconds < 3600:
            return self.tr("%1 min ago").replace("%1", str(seconds // 60))
        return moment.astimezone().strftime("%Y-%m-%d %H:%M")

    def open_conflicts(self) -> ConflictDialog:
        dialog = ConflictDialog(self.session, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.resolved.connect(self._update_sync_status)
        dialog.open()
        return dialog

    def open_deleted_customers(self) -> DeletedCustomersDialog:
        dialog = DeletedCustomersDialog(self.session, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.decided.connect(self._update_sync_status)
        dialog.finished.connect(lambda _r: self._update_sync_status())
        dialog.show()  # non-modal: the window stays usable
        return dialog

    def open_sync_issues(self) -> SyncIssuesDialog:
        dialog = SyncIssuesDialog(self.session, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self._update_sync_status())
        dialog.open()
        return dialog

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self._clock.stop()
        self._refresh_timer.stop()
        self._typing_timer.stop()
        super().closeEvent(event)
