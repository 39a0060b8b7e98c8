"""The peer's benchmark (PouchDB 9 on LevelDB, ``../shared/anchors/pouchdb``) in the same run,
on the sync benchmark's data shape, for ``python -m bench --compare-peer``.

The anchor is a Node program that installs its own npm packages (pinned by its lockfile) on
first use; it runs from a copy under the bench's scratch folder, so the shared copy stays
untouched. Its first sync is ``PouchDB.replicate`` into a fresh LevelDB (the tuned batch
size, its best figure) and its incremental figure is a one-shot ``PouchDB.sync`` of 100
edits each way, the same work as our round trip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from bench.table import Table

#: Where the anchor lives; DESKTOP_CRM_PEER_DIR overrides it.
PEER_DIR = Path(
    os.environ.get(
        "DESKTOP_CRM_PEER_DIR",
        Path(__file__).resolve().parents[2] / "shared" / "anchors" / "pouchdb",
    )
)
_FILES = ("bench.js", "package.json", "package-lock.json", "run.sh", "README.md")
#: The sync benchmark's shape: every account with 3 contacts and 10 activities.
CONTACTS_PER_ACCOUNT = 3
ACTIVITIES_PER_ACCOUNT = 10


#: The anchor edits fresh documents for each incremental run: about this many accounts' worth.
_ACCOUNTS_PER_RUN = 229


def run_peer(accounts: int, out_dir: Path, runs: int) -> dict[str, Any]:
    """Run the anchor on ``accounts`` accounts (and their contacts and activities); its JSON."""
    runs = max(1, min(runs, accounts // _ACCOUNTS_PER_RUN))
    if not (PEER_DIR / "run.sh").exists():
        raise FileNotFoundError(f"the peer's benchmark is not at {PEER_DIR}")
    work = out_dir / "pouchdb-anchor"
    work.mkdir(parents=True, exist_ok=True)
    for name in _FILES:
        target = work / name
        if not target.exists() or target.read_bytes() != (PEER_DIR / name).read_bytes():
            shutil.copyfile(PEER_DIR / name, target)
    (work / "run.sh").chmod(0o755)
    result = work / f"result-{accounts}.json"
    command = [
        str(work / "run.sh"),
        "--accounts", str(accounts),
        "--contacts", str(accounts * CONTACTS_PER_ACCOUNT),
        "--activities", str(accounts * ACTIVITIES_PER_ACCOUNT),
        "--runs", str(runs),
        "--json", str(result),
    ]  # fmt: skip
    subprocess.run(command, cwd=work, check=True, stdout=subprocess.DEVNULL)
    data: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    return data


def peer_figures(peer: dict[str, Any], accounts: int) -> dict[str, float]:
    """The anchor's figures under stable keys (``peer.…``), per the sync benchmark's size."""
    total = peer["dataset"]["total"]
    out = {
        "peer.first.docs_per_s": total / (peer["firstTuned"]["ms"] / 1000),
        "peer.first.default_docs_per_s": total / (peer["firstDefault"]["ms"] / 1000),
        "peer.first.peak_rss_mib": peer["firstTuned"]["peakRssMB"],
        "peer.first.cpu_s": peer["firstTuned"]["clientCpuS"] + peer["firstTuned"]["serverCpuS"],
    }
    if peer.get("firstTwoway"):
        out["peer.first.two_way_docs_per_s"] = total / (peer["firstTwoway"]["ms"] / 1000)
    if peer.get("incremental"):
        out["peer.incremental.median_ms"] = peer["incremental"]["medianMs"]
    return {f"{key}@{accounts}": value for key, value in out.items()}


#: (our figure, the peer's, what it is, unit, True when more is better)
_PAIRS = (
    ("sync.first.records_per_s", "peer.first.docs_per_s", "first sync", "records/s", True),
    ("sync.first.cpu_s", "peer.first.cpu_s", "first sync CPU, client + server", "s", False),
    ("sync.first.peak_rss_mib", "peer.first.peak_rss_mib", "first sync peak RSS", "MiB", False),
    (
        "sync.incremental.median_ms",
        "peer.incremental.median_ms",
        "round trip 100+100, median",
        "ms",
        False,
    ),
)


def compare_table(figures: dict[str, float], accounts: int) -> Table:
    """Ours and the peer's side by side for one size; the ratio says how many times better
    ours is (above 1: ours is ahead)."""
    table = Table(
        f"This project vs the peer (PouchDB), {accounts:,} accounts, same run",
        ["measure", "unit", "this project", "peer", "ours better by"],
    )
    for ours_key, peer_key, label, unit, more_is_better in _PAIRS:
        ours = figures.get(f"{ours_key}@{accounts}")
        peer = figures.get(f"{peer_key}@{accounts}")
        if ours is None or peer is None:
            continue
        ratio = ours / peer if more_is_better else peer / ours
        table.add(label, unit, ours, peer, f"{ratio:.2f}x")
        table.figures[f"compare.{ours_key.split('.', 1)[1]}.ratio@{accounts}"] = ratio
    default = figures.get(f"peer.first.default_docs_per_s@{accounts}")
    two_way = figures.get(f"peer.first.two_way_docs_per_s@{accounts}")
    table.notes += [
        "peer first sync: PouchDB.replicate with the tuned batch size (its best); default "
        f"batches {default or float('nan'):,.0f} docs/s, two-way {two_way or float('nan'):,.0f} "
        "docs/s",
        "ours: encrypted SQLCipher replica; the peer's LevelDB is not encrypted",
        "round trip: ours on a 300-account scope, the peer's against its whole database",
    ]
    return table
