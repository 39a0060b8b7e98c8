"""The single entry point for benchmarks: ``python -m bench [--only NAME] [--sizes ...]``.

Every module ``bench/*_bench.py`` is a benchmark. It defines ``run(**options)`` returning a
:class:`bench.table.Table` (or a list of them, or a string); ``run`` receives only the options
its signature names, so ``def run() -> Table`` is fine. Options: ``sizes`` (tuple of ints,
None when not given on the command line: the module picks its quick default), ``out_dir``
(a Path for scratch files and saved results), ``quick`` (bool).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    options = {"sizes": args.sizes, "out_dir": args.out, "quick": args.quick}
    failed = 0
    for name in args.only or discover():
        module = importlib.import_module(f"bench.{name}_bench")
        started = time.perf_counter()
        print(f"== {name} ==", flush=True)
        try:
            result = _call(module.run, options)
        except Exception as exc:  # report and carry on with the other benchmarks
            failed += 1
            print(f"{name} failed: {exc.__class__.__name__}: {exc}", file=sys.stderr)
            continue
        text = _render(result)
        print(text)
        print(f"({name}: {time.perf_counter() - started:.0f} s)\n", flush=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        (args.out / f"{name}-{stamp}.txt").write_text(text + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
