"""``python -m bench``: run every registered benchmark and print its results table."""

from bench.run import main

raise SystemExit(main())
