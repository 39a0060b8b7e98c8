"""Benchmarks. Run them all with ``python -m bench`` (see :mod:`bench.run`)."""
