"""Desktop UI: what a user feels.

- **Keystroke to results**: the real main window (offscreen) over a real encrypted replica of
  ``size`` contacts; a number or name is typed key by key into the search box; the time from
  the *last* keystroke until the results are on screen (``search_done``). It includes the
  80 ms typing pause that makes one query of a burst of keystrokes (``TYPING_PAUSE_MS``); the
  query-only column subtracts it.
- **Cold start**: a fresh process (Python, Qt and the app imported from scratch) opens an
  encrypted replica of ``size`` accounts (at most 100,000) and shows the main window with
  the account list's first rows and Today loaded — what a user waits for after
  double-clicking the icon. Twice: with the full page check that the first open (then one open
  a week, and the one after a session that did not end cleanly) makes, and as later opens do.

``python -m bench --only ui [--sizes 100000,1000000]``; default: 20,000 (quick: 5,000).
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.chunks import chunks
from bench.table import Table

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHUNK = 20_000
QUERIES = 30
COLD_START_MAX = 100_000
ROOT = Path(__file__).resolve().parents[1]


def _progress(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)



def _build(path: Path, key: Any, records: Iterator[Any]) -> int:
    from desktop_crm.storage import bulk_load
    from desktop_crm.storage.replica import create_replica

    replica = create_replica(path, key)
    total = 0
    try:
        with replica.engine.connect() as conn:
            for chunk in chunks(records, CHUNK):
                with conn.begin():
                    total += bulk_load.bulk_apply(conn, chunk)
    finally:
        replica.close()
    return total


def _contacts_replica(folder: Path, size: int, key: Any) -> tuple[Path, list[str], list[str]]:
    """A replica of ``size`` contacts; returns (path, phone numbers, name prefixes) to type."""
    from desktop_crm.domain import demo_data
    from desktop_crm.domain.records import Contact

    rng = random.Random(5)
    phones: list[str] = []
    names: list[str] = []

    def records() -> Iterator[Any]:
        for record in demo_data.generate_contacts(size, seed=2027, now=NOW):
            if isinstance(record, Contact) and rng.random() < 0.01 and len(phones) < QUERIES:
                phones.append(rng.choice(record.phones).raw)
                names.append(record.name[:2])
            yield record

    path = folder / f"contacts-{size}.db"
    _build(path, key, records())
    return path, phones, names


def _accounts_replica(folder: Path, size: int, key: Any, path: Path | None = None) -> Path:
    from desktop_crm.domain import demo_data

    path = path or folder / f"accounts-{size}.db"
    _build(
        path,
        key,
        demo_data.generate(
            seed=2028,
            accounts=size,
            contacts_per_account=(1, 1),
            opportunities_per_account=(0, 1),
            activities_per_account=(0, 1),
            now=NOW,
        ),
    )
    return path


def _typing_latency(path: Path, key: Any, texts: list[str]) -> list[float]:
    """Seconds from the last keystroke to results on screen, per text typed."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from desktop_crm.storage.replica import open_replica
    from desktop_crm.ui.main_window import MainWindow
    from desktop_crm.ui.session import Session

    if QApplication.instance() is None:
        QApplication([])
    session = Session(lambda: open_replica(path, key, verify_pages=False), None)
    window = MainWindow(session, "bench")
    loop = QEventLoop()
    window.accounts_model.reloaded.connect(lambda _n: loop.quit())
    window.start()
    window.show()
    loop.exec()
    done: dict[str, float] = {}
    window.search_done.connect(lambda text, _n: done.__setitem__(text, time.perf_counter()))
    timings: list[float] = []
    try:
        for text in texts:
            window.search_box.clear()
            wait = QEventLoop()
            last_key = time.perf_counter()
            for n, ch in enumerate(text):  # keys 30 ms apart: the debounce sees one burst
                if n:
                    QTimer.singleShot(30, wait.quit)
                    wait.exec()
                if ch.isascii():
                    QTest.keyClicks(window.search_box, ch)
                else:
                    window.search_box.insert(ch)
                last_key = time.perf_counter()
            while text.strip() not in done:
                QTimer.singleShot(1, wait.quit)
                wait.exec()
            timings.append(done.pop(text.strip()) - last_key)
    finally:
        window.close()
        session.shutdown()
        window.deleteLater()
    return timings


_COLD_CHILD = r"""
import sys, time
started = float(sys.argv[3])
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from desktop_crm.storage.keys import RawKey
from desktop_crm.storage.replica import open_replica
from desktop_crm.ui.main_window import MainWindow
from desktop_crm.ui.session import Session
app = QApplication([])
key = RawKey.from_hex(sys.argv[2])
verify = True if sys.argv[4] == "full" else None  # None: the app's default policy
session = Session(lambda: open_replica(sys.argv[1], key, verify_pages=verify), None)
window = MainWindow(session, "cold start")
state = {}
def check():
    m = window.accounts_model
    ready = m.rowCount() > 0 and all(
        m.data(m.index(r, 0)) != "…" for r in range(min(30, m.rowCount()))
    ) and window.today.due is not None
    if ready:
        print(f"{time.time() - started:.3f}", flush=True)
        app.quit()
    else:
        QTimer.singleShot(5, check)
window.start()
window.show()
QTimer.singleShot(0, check)
app.exec()
session.shutdown()
"""


def _cold_start(path: Path, key_hex: str, *, full_check: bool) -> float:
    """Seconds to a usable window; ``full_check``: the open checks every page's HMAC."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    mode = "full" if full_check else "default"
    started = time.time()
    result = subprocess.run(
        [sys.executable, "-c", _COLD_CHILD, str(path), key_hex, repr(started), mode],
        env=env, capture_output=True, text=True, timeout=600, check=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


def run(
    sizes: tuple[int, ...] | None = None, out_dir: Path | None = None, quick: bool = False
) -> list[Table]:
    from desktop_crm.storage.keys import RawKey
    from desktop_crm.ui.main_window import TYPING_PAUSE_MS

    chosen = sizes or ((5_000,) if quick else (20_000,))
    folder = (out_dir or ROOT / "bench" / "out") / "ui"
    folder.mkdir(parents=True, exist_ok=True)
    key = RawKey.generate()
    typing = Table(
        "Search box: last keystroke to results on screen (ms)",
        ["contacts", "typed", "median", "p95", "median query only"],
    )
    cold = Table(
        "Cold start to a usable window (new process; list rows and Today loaded)",
        ["accounts", "replica MB", "first open s", "later opens s"],
    )
    for size in chosen:
        for stale in folder.glob(f"contacts-{size}.db*"):
            stale.unlink()
        _progress(f"building a replica of {size:,} contacts")
        path, phones, names = _contacts_replica(folder, size, key)
        formats = {
            "full number as stored": phones,
            "last 4 digits": [p[-4:] for p in phones if sum(c.isdigit() for c in p) >= 4],
            "name, 2 characters": names,
        }
        for label, texts in formats.items():
            _progress(f"typing {label} ({len(texts)} times)")
            ms = sorted(t * 1000 for t in _typing_latency(path, key, texts))
            if not ms:
                continue
            p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
            median = statistics.median(ms)
            typing.add(size, label, median, p95, max(0.0, median - TYPING_PAUSE_MS))
    # Cold start at the largest size up to 100k accounts (~220 MB; 1M would take ~2 GB).
    size = min(max(chosen), COLD_START_MAX)
    for stale in folder.glob(f"accounts-{size}.db*"):
        stale.unlink()
    _progress(f"building a replica of {size:,} accounts")
    accounts = _accounts_replica(folder, size, key)
    mb = sum(f.stat().st_size for f in folder.glob(f"accounts-{size}.db*")) / 1e6
    _progress("cold start")
    first = min(_cold_start(accounts, key.hex(), full_check=True) for _ in range(2))
    later = min(_cold_start(accounts, key.hex(), full_check=False) for _ in range(2))
    cold.add(size, mb, first, later)
    cold.figure("ui.cold_start.first_s", first, size)
    cold.figure("ui.cold_start.later_s", later, size)
    typing.notes.append(
        f"includes the {TYPING_PAUSE_MS} ms typing pause (one query per burst of keys); "
        "keys 30 ms apart; offscreen Qt; encrypted replica"
    )
    cold.notes.append("best of 2; includes Python, Qt and app imports and opening the replica")
    cold.notes.append(
        "first open: every page's HMAC checked (also weekly and after a session that did not "
        "end cleanly); later opens skip that check"
    )
    return [typing, cold]


if __name__ == "__main__":
    for table in run(tuple(int(s) for s in sys.argv[1:]) or None):
        print(table.render(), end="\n\n")
