"""The Reports tab's numbers over the demo data, each checked against a plain SQL count on
the replica (no Qt)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop_crm.client import reports
from desktop_crm.client.reports import Period
from desktop_crm.domain import demo_data
from desktop_crm.storage import bulk_load
from desktop_crm.storage.replica import Replica

NOW = datetime(2026, 6, 15, 9, 30, tzinfo=UTC)
OWNERS = ("rep-anna", "rep-bo", "rep-chen")


@pytest.fixture
def demo(replica: Replica) -> Replica:
    with replica.engine.begin() as conn:
        records = demo_data.generate(seed=7, accounts=300, owner_ids=OWNERS, now=NOW)
        bulk_load.bulk_apply(conn, records)
    return replica


def _scalar(replica: Replica, sql: str, **params: object) -> int:
    with replica.engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one())


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


@pytest.mark.parametrize("owner", [None, OWNERS[0]])
def test_funnel_and_win_rate_match_the_stage_history(demo: Replica, owner: str | None) -> None:
    start, end = reports.period_bounds(Period.LAST_90_DAYS, NOW)
    report = reports.reports(demo, start, end, NOW, owner)
    where = "o.deleted = 0 AND h.changed_at >= :s AND h.changed_at < :e"
    if owner:
        where += " AND o.owner_id = :owner"
    base = (
        "FROM opportunity_stage_history h JOIN opportunities o ON o.id = h.opportunity_id "
        f"WHERE {where}"
    )
    params = {"s": _iso(start), "e": _iso(end), "owner": owner}
    # The demo's opportunities each have one history row: created at their stage.
    in_period = _scalar(demo, f"SELECT COUNT(DISTINCT h.opportunity_id) {base}", **params)
    won = _scalar(demo, f"SELECT COUNT(*) {base} AND h.to_stage = 'won'", **params)
    lost = _scalar(demo, f"SELECT COUNT(*) {base} AND h.to_stage = 'lost'", **params)
    beyond_lead = _scalar(
        demo,
        f"SELECT COUNT(*) {base} AND h.to_stage IN ('qualified','proposal','negotiation','won')",
        **params,
    )
    assert in_period > 20 and won > 0 and lost > 0  # the demo covers every case
    steps = {step.stage.key: step for step in report.funnel.steps}
    assert [s.stage.key for s in report.funnel.steps] == [
        "lead", "qualified", "proposal", "negotiation", "won"
    ]
    assert steps["lead"].reached == in_period
    assert steps["qualified"].reached == beyond_lead
    assert steps["qualified"].conversion == pytest.approx(beyond_lead / in_period)
    assert steps["won"].reached == won
    assert report.funnel.won == won and report.funnel.lost == lost
    assert report.funnel.win_rate == pytest.approx(won / (won + lost))


def test_moves_through_stages_count_once_at_each_stage_reached(replica: Replica) -> None:
    rows = [  # opportunity, to_stage, when (days before NOW)
        ("a", "lead", 40), ("a", "qualified", 20), ("a", "proposal", 10),
        ("b", "lead", 200), ("b", "qualified", 5), ("b", "lost", 2),
        ("c", "lead", 200),  # no move in the period: not counted
        ("d", "negotiation", 3), ("d", "won", 1),
    ]
    with replica.engine.begin() as conn:
        for opp in "abcd":
            conn.execute(text(
                "INSERT INTO opportunities (id, account_id, name, stage, updated_at) "
                "VALUES (:id, 'acc', :id, 'lead', :t)"
            ), {"id": opp, "t": _iso(NOW)})
        for opp, stage, days in rows:
            conn.execute(text(
                "INSERT INTO opportunity_stage_history (opportunity_id, to_stage, changed_at) "
                "VALUES (:o, :s, :t)"
            ), {"o": opp, "s": stage, "t": _iso(NOW - timedelta(days=days))})
    start, end = reports.period_bounds(Period.LAST_30_DAYS, NOW)
    funnel = reports.reports(replica, start, end, NOW).funnel
    reached = {step.stage.key: step.reached for step in funnel.steps}
    assert reached == {"lead": 3, "qualified": 3, "proposal": 2, "negotiation": 1, "won": 1}
    assert (funnel.won, funnel.lost, funnel.win_rate) == (1, 1, 0.5)


def test_forecast_is_weighted_per_currency_and_month(demo: Replica) -> None:
    report = reports.reports(demo, *reports.period_bounds(Period.THIS_YEAR, NOW), NOW)
    with demo.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT substr(expected_close, 1, 7), currency, amount, probability FROM opportunities"
            " WHERE deleted = 0 AND stage NOT IN ('won', 'lost') AND expected_close IS NOT NULL"
        )).all()
        no_close = conn.execute(text(
            "SELECT COUNT(*) FROM opportunities WHERE deleted = 0"
            " AND stage NOT IN ('won', 'lost') AND expected_close IS NULL"
        )).scalar_one()
    expected: dict[tuple[str, str], Decimal] = {}
    for month, currency, amount, probability in rows:
        key = (month, currency)
        expected[key] = expected.get(key, Decimal(0)) + Decimal(amount) * probability / 100
    assert len({currency for _m, currency in expected}) > 1  # never summed across currencies
    got = {(m.month, m.currency): m.weighted for m in report.forecast}
    assert got == expected
    assert sum(m.count for m in report.forecast) == len(rows)
    assert report.without_close_date == no_close


def test_activities_per_rep_per_week_and_overdue_follow_ups(demo: Replica) -> None:
    start, end = reports.period_bounds(Period.LAST_90_DAYS, NOW)
    report = reports.reports(demo, start, end, NOW)
    params = {"s": _iso(start), "e": _iso(end)}
    for rep in report.activity:
        assert rep.total == _scalar(
            demo,
            "SELECT COUNT(*) FROM activities WHERE deleted = 0 AND author_id = :a"
            " AND start_at >= :s AND start_at < :e",
            a=rep.owner_id, **params,
        )
        monday = max(rep.weeks)  # the current week, so far
        assert rep.weeks[monday] == _scalar(
            demo,
            "SELECT COUNT(*) FROM activities WHERE deleted = 0 AND author_id = :a"
            " AND start_at >= :m AND start_at < :e",
            a=rep.owner_id, m=f"{monday.isoformat()}T00:00:00+00:00", e=_iso(end),
        )
    assert {r.owner_id for r in report.activity} == set(OWNERS)
    assert sum(r.total for r in report.activity) == _scalar(
        demo,
        "SELECT COUNT(*) FROM activities WHERE deleted = 0 AND start_at >= :s AND start_at < :e",
        **params,
    )
    overdue = dict(report.overdue)
    assert overdue and sum(overdue.values()) == _scalar(
        demo,
        "SELECT COUNT(*) FROM activities WHERE deleted = 0 AND follow_up_done = 0"
        " AND follow_up_at IS NOT NULL AND follow_up_at < :n",
        n=_iso(NOW),
    )
    mine = reports.reports(demo, start, end, NOW, OWNERS[1])
    assert [r.owner_id for r in mine.activity] == [OWNERS[1]]
    assert dict(mine.overdue) == {OWNERS[1]: overdue[OWNERS[1]]}


def test_export_csv_writes_every_section(demo: Replica, tmp_path: Path) -> None:
    report = reports.reports(demo, *reports.period_bounds(Period.LAST_90_DAYS, NOW), NOW)
    path = tmp_path / "reports.csv"
    written = reports.export_csv(report, {OWNERS[0]: "张伟"}, path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == written + 1
    sections = {line.split(",")[0] for line in lines[1:]}
    assert sections == {"period", "funnel", "win_rate", "forecast", "activities",
                        "overdue_follow_ups"}
    assert any(line.startswith("activities,张伟,") for line in lines)
