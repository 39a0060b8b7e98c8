"""UI fixtures: real widgets over a real encrypted replica, and a real server on loopback."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from argon2 import PasswordHasher

from desktop_crm.client.identity import Identity
from desktop_crm.domain import demo_data
from desktop_crm.storage.bulk_load import bulk_apply
from desktop_crm.storage.replica import Replica
from desktop_crm.ui.i18n import install_language
from desktop_crm.ui.main_window import MainWindow
from desktop_crm.ui.session import Session
from tests.storage.conftest import (  # noqa: F401 - fixtures
    keyring_backend,
    replica,
    replica_factory,
    replica_template,
)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

#: The demo data's clock: fixed, so follow-ups and dates are reproducible.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ME = Identity(replica_id="replica-ui-test", user_id="user-rep1", username="rep1", role="rep")
ACCOUNTS = 120


@pytest.fixture(autouse=True)
def collect_garbage_on_the_gui_thread(qapp: Any) -> Iterator[None]:
    """As the app does (``desktop_crm.ui.gui_gc``): no cyclic collection on worker threads,
    where freeing a Qt object from an earlier test could crash or hang at random."""
    from desktop_crm.ui.gui_gc import GuiThreadGarbageCollector

    collector = GuiThreadGarbageCollector()
    yield
    collector.stop()
    collector.deleteLater()


class LocalSession(Session):
    """A session without a server: everything works offline."""

    @property
    def identity(self) -> Identity:
        return ME


@pytest.fixture
def filled_replica(replica: Replica) -> Replica:  # noqa: F811
    with replica.engine.begin() as conn:
        bulk_apply(
            conn,
            demo_data.generate(
                seed=7, accounts=ACCOUNTS, owner_ids=[ME.user_id, "user-rep2"], now=NOW
            ),
        )
    return replica


@pytest.fixture
def session(qtbot: Any, filled_replica: Replica) -> Iterator[Session]:
    install_language("en")
    made = LocalSession(lambda: filled_replica, None)
    yield made
    made.shutdown()


@pytest.fixture
def window(qtbot: Any, session: Session) -> Iterator[MainWindow]:
    win = MainWindow(session, "Desktop CRM — test")
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.accounts_model.reloaded, timeout=10_000):
        win.start()
    win.show()
    yield win
    win.close()


@pytest.fixture(scope="session")
def cheap_hashes() -> Iterator[None]:
    from desktop_crm.server import auth

    auth.configure_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    yield


@pytest.fixture(scope="session")
def demo_server(cheap_hashes: None) -> Iterator[object]:
    """A real central server on a loopback port with demo users and ~60 customers."""
    from desktop_crm.demo import DemoServer

    server = DemoServer(accounts=60, seed=11).start()
    yield server
    server.stop()


def wait_until(qtbot: Any, condition: Callable[[], bool], timeout: int = 10_000) -> None:
    qtbot.waitUntil(condition, timeout=timeout)


#: Warnings of the headless ("offscreen") platform plugin itself, not of our code.
OFFSCREEN_NOISE = (
    r"This plugin does not support propagateSizeHints\(\)",
    r"This plugin does not support raise\(\)",
    r"This plugin does not support grabbing the keyboard",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/ui/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE))


#: Set to a folder (e.g. docs/screenshots) to save what some UI tests show, for the docs.
SCREENSHOTS_ENV = "DESKTOP_CRM_SCREENSHOTS"


def save_screenshot(widget: Any, name: str) -> None:
    """Save ``widget`` as ``name`` under $DESKTOP_CRM_SCREENSHOTS, if set (never in CI runs)."""
    folder = os.environ.get(SCREENSHOTS_ENV)
    if folder:
        widget.grab().save(os.path.join(folder, name))


def model_texts(model: Any, column: int) -> list[str]:
    """What a table model shows in ``column``, row by row (e.g. the customer's timeline)."""
    return [str(model.index(row, column).data() or "") for row in range(model.rowCount())]
