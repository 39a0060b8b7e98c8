"""The single entry point for benchmarks: ``python -m bench [--only NAME] [--sizes ...]``.

Every module ``bench/*_bench.py`` is a benchmark. It defines ``run(**options)`` returning a
:class:`bench.table.Table` (or a list of them, or a string); ``run`` receives only the options
its signature names, so ``def run() -> Table`` is fine. Options: ``sizes`` (tuple of ints,
None when not given on the command line: the module picks its quick default), ``out_dir``
(a Path for scratch files and saved results), ``quick`` (bool).

``--json FILE`` writes every table's keyed figures (:meth:`Table.figure`) to one JSON file;
``--compare-peer`` also runs the peer's benchmark (:mod:`bench.peer`) on the sync
benchmark's sizes and prints both side by side.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import pkgutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import peer
from bench.table import Table

BENCH_DIR = Path(__file__).resolve().parent


def discover() -> list[str]:
    """Names of the benchmark modules (``replica_bench`` -> ``replica``), sorted."""
    return sorted(
        info.name.removesuffix("_bench")
        for info in pkgutil.iter_modules([str(BENCH_DIR)])
        if info.name.endswith("_bench")
    )


def _call(func: Any, options: dict[str, Any]) -> Any:
    params = inspect.signature(func).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return func(**options)
    return func(**{k: v for k, v in options.items() if k in params})


def _render(result: Any) -> str:
    if isinstance(result, Table):
        return result.render()
    if isinstance(result, list | tuple):
        return "\n\n".join(_render(r) for r in result)
    return str(result)


def _figures(result: Any) -> dict[str, float]:
    if isinstance(result, Table):
        return dict(result.figures)
    if isinstance(result, list | tuple):
        return {k: v for r in result for k, v in _figures(r).items()}
    return {}


def _compare_peer(args: argparse.Namespace, figures: dict[str, float]) -> list[Table]:
    """The peer's benchmark on each size the sync benchmark ran, and the side-by-side table."""
    from bench import sync_bench

    tables = []
    for accounts in args.sizes or sync_bench.QUICK_SIZES:
        print(f"== peer ({accounts:,} accounts) ==", flush=True)
        figures.update(
            peer.peer_figures(peer.run_peer(accounts, args.out, sync_bench.ROUND_TRIPS), accounts)
        )
        table = peer.compare_table(figures, accounts)
        figures.update(table.figures)
        print(table.render() + "\n", flush=True)
        tables.append(table)
    return tables


def _write_json(path: Path, figures: dict[str, float], argv: Sequence[str] | None) -> None:
    document = {
        "figures": dict(sorted(figures.items())),
        "run": {
            "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "argv": list(argv if argv is not None else sys.argv[1:]),
            "loadavg_1min_end": os.getloadavg()[0],
            "cpus": os.cpu_count(),
        },
    }
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", action="append", choices=discover(), help="run just these")
    parser.add_argument(
        "--sizes",
        type=lambda text: tuple(int(s.replace("_", "")) for s in text.split(",") if s),
        default=None,
        help="data sizes, e.g. 100000,1000000 (default: each benchmark's quick size)",
    )
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "out", help="scratch/results dir")
    parser.add_argument("--quick", action="store_true", help="smallest sizes, for a smoke test")
    parser.add_argument(
        "--json", type=Path, metavar="FILE", help="also write every figure, by stable key, here"
    )
    parser.add_argument(
        "--compare-peer",
        action="store_true",
        help="also run the peer's benchmark (PouchDB) on the sync sizes; print both and the ratio",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    options = {"sizes": args.sizes, "out_dir": args.out, "quick": args.quick}
    failed = 0
    figures: dict[str, float] = {}
    names = list(args.only or discover())
    if args.compare_peer and "sync" not in names:
        names.append("sync")
    for name in names:
        module = importlib.import_module(f"bench.{name}_bench")
        started = time.perf_counter()
        print(f"== {name} ==", flush=True)
        try:
            result = _call(module.run, options)
        except Exception as exc:  # report and carry on with the other benchmarks
            failed += 1
            print(f"{name} failed: {exc.__class__.__name__}: {exc}", file=sys.stderr)
            continue
        figures.update(_figures(result))
        text = _render(result)
        print(text)
        print(f"({name}: {time.perf_counter() - started:.0f} s)\n", flush=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        (args.out / f"{name}-{stamp}.txt").write_text(text + "\n", encoding="utf-8")
    if args.compare_peer:
        try:
            _compare_peer(args, figures)
        except (OSError, subprocess.CalledProcessError, KeyError, ValueError) as exc:
            failed += 1
            print(f"peer failed: {exc.__class__.__name__}: {exc}", file=sys.stderr)
    if args.json:
        _write_json(args.json, figures, argv)
        print(f"figures written to {args.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
