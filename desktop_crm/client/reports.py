"""The Reports tab's numbers, computed from the replica (so they work offline): the funnel with
stage-to-stage conversion and win rate over a period, the weighted forecast by month of
expected close, activities per person per week and overdue follow-ups per person.

The replica holds exactly what the user may see (a manager's team, a rep's own accounts), so
"whose" is only a filter, as on the Activity tab.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from desktop_crm.domain.records import PipelineStage
from desktop_crm.storage import configuration
from desktop_crm.storage import reports as sql
from desktop_crm.storage.replica import Replica


class Period(StrEnum):
    LAST_30_DAYS = "last_30_days"
    LAST_90_DAYS = "last_90_days"
    THIS_QUARTER = "this_quarter"
    THIS_YEAR = "this_year"
    LAST_12_MONTHS = "last_12_months"


def period_bounds(period: Period, now: datetime) -> tuple[datetime, datetime]:
    """``[start, end)`` of the period ending now, in ``now``'s time zone (calendar periods
    start at local midnight)."""
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period is Period.LAST_30_DAYS:
        return now - timedelta(days=30), now
    if period is Period.LAST_90_DAYS:
        return now - timedelta(days=90), now
    if period is Period.THIS_QUARTER:
        return midnight.replace(month=(now.month - 1) // 3 * 3 + 1, day=1), now
    if period is Period.THIS_YEAR:
        return midnight.replace(month=1, day=1), now
    return now - timedelta(days=365), now


@dataclass(frozen=True, slots=True)
class FunnelStep:
    stage: PipelineStage
    #: The period's opportunities that reached this stage (or a later one).
    reached: int
    #: ``reached`` over the previous step's; None for the first step or after an empty one.
    conversion: float | None


@dataclass(frozen=True, slots=True)
class Funnel:
    steps: list[FunnelStep]
    won: int
    lost: int

    @property
    def win_rate(self) -> float | None:
        """Won over closed (won + lost) in the period; None when nothing closed."""
        closed = self.won + self.lost
        return self.won / closed if closed else None


@dataclass(frozen=True, slots=True)
class ForecastMonth:
    month: str  # YYYY-MM
    currency: str
    count: int
    amount: Decimal
    #: Score: the sum of amount × probability. Per currency: there are no exchange rates.
    weighted: Decimal


@dataclass(frozen=True, slots=True)
class RepActivity:
    owner_id: str
    #: Monday of each week of the period -> activities started that week.
    weeks: dict[date, int]
    total: int
    per_week: float


@dataclass(frozen=True, slots=True)
class Reports:
    start: datetime
    end: datetime
    funnel: Funnel
    forecast: list[ForecastMonth]
    #: Open opportunities with no expected close date (not in the forecast).
    without_close_date: int
    activity: list[RepActivity]
    #: (person, open follow-ups past due), most first.
    overdue: list[tuple[str, int]]


def _funnel(reach: sql.StageReach, stages: list[PipelineStage]) -> Funnel:
    open_stages = [s for s in stages if not s.is_closed]
    won, lost = reach.won, reach.lost
    at_least = reach.reached
    steps: list[FunnelStep] = []
    previous: int | None = None
    for stage, reached in zip(open_stages, at_least, strict=True):
        conversion = reached / previous if previous else None
        steps.append(FunnelStep(stage, reached, conversion))
        previous = reached
    won_stage = next((s for s in stages if s.is_won), None)
    if won_stage is not None:
        steps.append(FunnelStep(won_stage, won, won / previous if previous else None))
    return Funnel(steps, won, lost)


def _forecast(rows: list[sql.OpenAmount]) -> tuple[list[ForecastMonth], int]:
    totals: dict[tuple[str, str], tuple[int, Decimal, Decimal]] = {}
    without_close = 0
    for row in rows:
        if not row.month:
            without_close += row.count
            continue
        amount = row.amount
        count, total, weighted = totals.get((row.month, row.currency), (0, Decimal(0), Decimal(0)))
        totals[(row.month, row.currency)] = (
            count + row.count,
            total + amount,
            weighted + amount * row.probability / 100,
        )
    months = [
        ForecastMonth(month, currency, count, amount, weighted)
        for (month, currency), (count, amount, weighted) in sorted(totals.items())
    ]
    return months, without_close


def week_of(day: date) -> date:
    """The Monday starting ``day``'s week."""
    return day - timedelta(days=day.weekday())


def _activity(
    rows: list[tuple[str, str, int]], start: datetime, end: datetime
) -> list[RepActivity]:
    first, last = week_of(start.astimezone(UTC).date()), week_of(end.astimezone(UTC).date())
    weeks = [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]
    per_rep: dict[str, dict[date, int]] = defaultdict(lambda: dict.fromkeys(weeks, 0))
    for owner_id, day, count in rows:
        week = week_of(date.fromisoformat(day))
        per_rep[owner_id][week] = per_rep[owner_id].get(week, 0) + count
    span_weeks = max((end - start).total_seconds() / (7 * 86400), 1 / 7)
    out = [
        RepActivity(owner, counts, sum(counts.values()), sum(counts.values()) / span_weeks)
        for owner, counts in per_rep.items()
    ]
    out.sort(key=lambda r: (-r.total, r.owner_id))
    return out


def reports(
    replica: Replica, start: datetime, end: datetime, now: datetime, owner_id: str | None = None
) -> Reports:
    """Every report over ``[start, end)`` (the forecast and overdue follow-ups as of ``now``),
    for everyone in the replica or only ``owner_id``."""
    with replica.engine.connect() as conn:
        stages = configuration.pipeline(conn)
        open_keys = [s.key for s in stages if not s.is_closed]
        reach = sql.stage_reach(
            conn,
            start,
            end,
            open_keys,
            [s.key for s in stages if s.is_won],
            [s.key for s in stages if s.is_closed and not s.is_won],
            owner_id,
        )
        amounts = sql.open_amounts_by_month(conn, open_keys, owner_id)
        per_day = sql.activities_per_day(conn, start, end, owner_id)
        overdue = sql.overdue_follow_ups(conn, now, owner_id)
    forecast, without_close = _forecast(amounts)
    return Reports(
        start=start,
        end=end,
        funnel=_funnel(reach, stages),
        forecast=forecast,
        without_close_date=without_close,
        activity=_activity(per_day, start, end),
        overdue=sorted(overdue, key=lambda pair: (-pair[1], pair[0])),
    )


def csv_rows(report: Reports, names: Mapping[str, str]) -> list[list[str]]:
    """The reports as one table: a section column, then the section's own columns."""

    def name(user_id: str) -> str:
        return names.get(user_id, user_id)

    rows = [["section", "item", "detail", "value", "extra"]]
    rows.append(["period", report.start.isoformat(), report.end.isoformat(), "", ""])
    for step in report.funnel.steps:
        conversion = "" if step.conversion is None else f"{step.conversion:.4f}"
        rows.append(["funnel", step.stage.key, step.stage.name, str(step.reached), conversion])
    rate = report.funnel.win_rate
    rows.append(
        [
            "win_rate",
            "won",
            str(report.funnel.won),
            "" if rate is None else f"{rate:.4f}",
            f"lost {report.funnel.lost}",
        ]
    )
    for month in report.forecast:
        rows.append(
            ["forecast", month.month, month.currency, str(month.weighted), str(month.amount)]
        )
    for rep in report.activity:
        for week, count in sorted(rep.weeks.items()):
            rows.append(["activities", name(rep.owner_id), week.isoformat(), str(count), ""])
    for owner, count in report.overdue:
        rows.append(["overdue_follow_ups", name(owner), "", str(count), ""])
    return rows


def export_csv(report: Reports, names: Mapping[str, str], path: Path) -> int:
    """Write the reports to ``path`` as CSV (UTF-8 with a BOM, so spreadsheet programs read
    Chinese names right); returns the number of data rows."""
    rows = csv_rows(report, names)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out).writerows(rows)
    return len(rows) - 1
