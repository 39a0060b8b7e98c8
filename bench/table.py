"""A results table every benchmark returns, printed the same way by ``python -m bench``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Table:
    title: str
    columns: Sequence[str]
    rows: list[Sequence[object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Figures under stable keys for ``python -m bench --json`` (e.g.
    #: ``sync.first.records_per_s``), so a script can compare runs without parsing the table.
    figures: dict[str, float] = field(default_factory=dict)

    def add(self, *row: object) -> None:
        self.rows.append(row)

    def figure(self, key: str, value: float, size: int | None = None) -> None:
        """Record ``value`` under ``key``, and under ``key@size`` when a size is given; the
        plain key keeps the first size's value (the one the issue's table names)."""
        self.figures.setdefault(key, float(value))
        if size is not None:
            self.figures[f"{key}@{size}"] = float(value)

    def render(self) -> str:
        cells = [[str(c) for c in self.columns]] + [[_fmt(v) for v in row] for row in self.rows]
        widths = [max(_width(r[i]) for r in cells) for i in range(len(self.columns))]
        lines = [self.title, ""]
        for n, row in enumerate(cells):
            padded = (
                _pad(v, w, right=n > 0 and i > 1)
                for i, (v, w) in enumerate(zip(row, widths, strict=True))
            )
            lines.append("| " + " | ".join(padded) + " |")
            if n == 0:
                lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        lines += [f"  {note}" for note in self.notes]
        return "\n".join(lines)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        if value >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int, *, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap
