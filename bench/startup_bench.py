"""Start-up of the real program: double-click to a usable window, from the installed bundle
(PyInstaller, ``/opt/desktop-crm``) and from the checkout (``python -m desktop_crm.app``).

Each start is a new ``desktop-crm --profile DIR --open-offline --report-usable`` process over
an encrypted replica of ``size`` accounts (a passphrase-keyed profile, as where no keychain
exists), timed from the spawn until the account list's first rows and Today are on screen
(:mod:`desktop_crm.ui.startup_report`). "First start": the open checks every page (the first
open of a replica, then weekly and after a session that did not end cleanly; forced here by an
open marker left behind); "later start": an everyday start. The OS file cache stays warm.

``python -m bench --only startup [--sizes 5000,100000]``; the bundle is taken from
``$DESKTOP_CRM_BUNDLE``, ``/opt/desktop-crm/desktop-crm`` or ``build/dist/desktop-crm`` (made
by ``packaging/build``); without one its rows say so.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.table import Table
from bench.ui_bench import _accounts_replica, _progress

ROOT = Path(__file__).resolve().parents[1]
PASSPHRASE = "startup bench passphrase"
RUNS = 2
MARK = "usable at"  # desktop_crm.ui.startup_report.MARK (not imported: it imports Qt)


def bundle_executable() -> Path | None:
    candidates = [
        os.environ.get("DESKTOP_CRM_BUNDLE", ""),
        "/opt/desktop-crm/desktop-crm",
        str(ROOT / "build" / "dist" / "desktop-crm" / "desktop-crm"),
    ]
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _start(
    command: list[str], profile: Path, *, first: bool, env: dict[str, str]
) -> tuple[float, float]:
    """Seconds from the spawn to a usable window, and the process's CPU seconds (to its exit,
    which comes right after: wall time under load says little, CPU seconds do not move)."""
    from desktop_crm.storage.replica import OPEN_MARKER_SUFFIX

    replica = profile / "replica.db"
    if first:  # as after a session that did not end cleanly: every page is checked
        replica.with_name(replica.name + OPEN_MARKER_SUFFIX).write_text("{}", encoding="utf-8")
    cpu_before = _children_cpu()
    spawned = time.time()
    done = subprocess.run(
        [*command, "--profile", str(profile), "--open-offline", "--report-usable"],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    marks = [line for line in done.stdout.splitlines() if line.startswith(MARK)]
    if done.returncode != 0 or not marks:
        raise RuntimeError(f"{command[0]} did not report a usable window: {done.stderr[-2000:]}")
    return float(marks[-1].split()[-1]) - spawned, _children_cpu() - cpu_before


def _env(home: Path, **extra: str) -> dict[str, str]:
    # A user's checkout keeps its bytecode cache: a shell's PYTHONDONTWRITEBYTECODE would make
    # every start compile the project's modules again.
    dropped = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(home), DESKTOP_CRM_PASSPHRASE=PASSPHRASE)
    env["DESKTOP_CRM_POLICY"] = ""  # no machine policy
    return {**env, **extra}


def run(
    sizes: tuple[int, ...] | None = None, out_dir: Path | None = None, quick: bool = False
) -> Table:
    from desktop_crm.storage.keys import Passphrase

    chosen = sizes or ((5_000,) if quick else (5_000, 100_000))
    folder = (out_dir or ROOT / "bench" / "out") / "startup"
    folder.mkdir(parents=True, exist_ok=True)
    bundle = bundle_executable()
    table = Table(
        "Start-up of the real program to a usable window (s)",
        ["accounts", "from", "first start", "later start", "later start CPU"],
    )
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch)
        checkout = ([sys.executable, "-m", "desktop_crm.app"], _env(home, PYTHONPATH=str(ROOT)))
        runs = {"checkout": checkout}
        if bundle is not None:
            runs[f"bundle {bundle.parent}"] = ([str(bundle)], _env(home))
        for size in chosen:
            profile = folder / f"profile-{size}"
            if not (profile / "replica.db").exists():
                _progress(f"building a profile of {size:,} accounts")
                profile.mkdir(parents=True, exist_ok=True)
                _accounts_replica(folder, size, Passphrase(PASSPHRASE), profile / "replica.db")
            for label, (command, env) in runs.items():
                _progress(f"{label}: {size:,} accounts")
                first = min(_start(command, profile, first=True, env=env) for _ in range(RUNS))
                later = min(_start(command, profile, first=False, env=env) for _ in range(RUNS))
                table.add(size, label, first[0], later[0], later[1])
    if bundle is None:
        table.notes.append("no bundle found: build one with packaging/build")
    table.notes.append(
        f"best of {RUNS}; spawn to first rows and Today on screen; offscreen Qt; warm OS cache"
    )
    table.notes.append("CPU: the process's user + system seconds, to its exit (the best run's)")
    table.notes.append("first start: every page's HMAC checked; later start: an everyday one")
    return table


if __name__ == "__main__":
    print(run(tuple(int(s) for s in sys.argv[1:]) or None).render())
