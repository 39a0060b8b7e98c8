"""The client's start path stays light (issue 11, item 6): starting the window over an
up-to-date replica imports no server, FastAPI, uvicorn or Alembic; Alembic comes in only when a
migration is due. Nor the sync's own stack (the engine, the HTTP client with httpx, pydantic's
wire models), which the first sync loads, nor keyring for a passphrase-protected replica.
Through the real ``desktop-crm`` start (``--open-offline --report-usable``)
in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_crm.storage import migrations, revisions
from desktop_crm.storage.keys import Passphrase
from desktop_crm.storage.replica import create_replica, open_replica

ROOT = Path(__file__).resolve().parents[1]
PASSPHRASE = "start imports"
HEAVY = ("fastapi", "uvicorn", "alembic", "starlette", "psycopg", "desktop_crm.server",
         "desktop_crm.demo")  # fmt: skip
#: What the first sync (or a keychain) loads, not the window's start.
SYNC_STACK = ("httpx", "pydantic", "keyring", "desktop_crm.sync.engine",
              "desktop_crm.sync.http_client", "desktop_crm.protocol.messages")  # fmt: skip
#: The tabs the first window does not show: imported when first shown (ui/lazy_tab.py).
HIDDEN_TABS = ("desktop_crm.ui.pipeline_view", "desktop_crm.ui.activity_view",
               "desktop_crm.ui.reports_view", "desktop_crm.ui.audit_view",
               "desktop_crm.ui.duplicates_view")  # fmt: skip

CHILD = f"""
import sys
from desktop_crm.app import main
code = main(sys.argv[1:])
heavy = sorted(name for name in sys.modules
               if any(name == h or name.startswith(h + ".") for h in {HEAVY!r}))
print("heavy:", " ".join(heavy))
print("tabs:", " ".join(sorted(name for name in sys.modules if name in {HIDDEN_TABS!r})))
print("sync:", " ".join(sorted(name for name in sys.modules
                               if any(name == s or name.startswith(s + ".")
                                      for s in {SYNC_STACK!r}))))
sys.exit(code)
"""


def _start(profile: Path) -> tuple[str, set[str], set[str], set[str]]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT),
               DESKTOP_CRM_PASSPHRASE=PASSPHRASE, HOME=str(profile.parent))  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "--profile", str(profile), "--open-offline",
         "--report-usable"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert any(line.startswith("usable at ") for line in lines), done.stdout
    heavy = next(line for line in lines if line.startswith("heavy:"))
    tabs = next(line for line in lines if line.startswith("tabs:"))
    sync = next(line for line in lines if line.startswith("sync:"))
    return (done.stdout, set(heavy.removeprefix("heavy:").split()), set(tabs.split()[1:]),
            set(sync.split()[1:]))  # fmt: skip


def _profile(tmp_path: Path, revision: str = "head") -> Path:
    """A profile whose replica holds 40 accounts, at ``revision`` (downgraded from head)."""
    from desktop_crm.domain import demo_data
    from desktop_crm.storage import bulk_load

    profile = tmp_path / "profile"
    profile.mkdir()
    replica = create_replica(profile / "replica.db", Passphrase(PASSPHRASE))
    try:
        with replica.engine.begin() as conn:
            bulk_load.bulk_apply(conn, list(demo_data.generate(seed=3, accounts=40)))
        if revision != "head":
            with replica.engine.begin() as conn:
                migrations.downgrade(conn, revision)
    finally:
        replica.close()
    return profile


@pytest.mark.slow
def test_an_everyday_start_imports_no_server_and_no_alembic(tmp_path: Path) -> None:
    _, heavy, tabs, sync = _start(_profile(tmp_path))
    assert heavy == set()
    assert tabs == set()  # nor the hidden tabs' views
    assert sync == set()  # nor the sync's stack


@pytest.mark.slow
def test_a_start_that_must_migrate_brings_alembic_in_and_migrates(tmp_path: Path) -> None:
    previous = revisions.revision_graph()[revisions.head_revision()]
    assert previous is not None
    profile = _profile(tmp_path, previous)
    _, heavy, _tabs, _sync = _start(profile)
    assert {name.partition(".")[0] for name in heavy} == {"alembic"}
    with open_replica(profile / "replica.db", Passphrase(PASSPHRASE), upgrade=False) as replica:
        assert replica.schema_revision == revisions.head_revision()


def test_the_light_revision_reader_agrees_with_alembic() -> None:
    assert revisions.known_revisions() == migrations.known_revisions()
    assert revisions.head_revision() == migrations.head_revision()
