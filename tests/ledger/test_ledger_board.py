"""The board (duban.ledger.board) against a plain Python reference, on SQLite and PostgreSQL.

The board counts in SQL; the reference below reads every duty row and counts in Python (the
way the console did before). A seeded ledger with every status, light, section, unit and month
of assignment and closure (including a closure just after midnight Beijing time on a month's
first day, which is the previous month in UTC) must give the same board under every filter.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from duban.clock.calendar import local_date
from duban.db import session_scope
from duban.ledger import service
from duban.ledger.board import LIGHTS, BoardFilter, board_view, display_light, overdue_rows, section_of
from duban.ledger.models import AssignmentRow, DutyRow, ItemRow
from duban.ledger.tick import board
from duban.ledger.workflow import STATUSES
from duban.units.models import UnitRow
from tests.ledger.conftest import NOW
from tests.ledger.ledger_factories import load

UNITS = ["市能源局", "市发展和改革委员会", "市教育局", "市生态环境局"]
SECTIONS = ["做强能源产业 › 推进煤炭清洁利用", "做强能源产业", "办好民生实事 › 教育", None, "  "]
END = datetime(2023, 12, 31, 2, 0, tzinfo=UTC)


def reference(session, f: BoardFilter, scope_unit: int | None = None) -> dict:
    """The board the slow way: every row into Python."""
    rows = session.execute(
        select(
            DutyRow.id, DutyRow.status, DutyRow.light, DutyRow.overdue_workdays, DutyRow.due,
            DutyRow.assigned_at, DutyRow.closed_at, ItemRow.section_title, ItemRow.plan_id, ItemRow.text,
            UnitRow.name, AssignmentRow.lead_unit_id,
        )
        .join(ItemRow, ItemRow.id == DutyRow.item_id)
        .join(AssignmentRow, AssignmentRow.item_id == DutyRow.item_id)
        .join(UnitRow, UnitRow.id == AssignmentRow.lead_unit_id)
    ).all()  # fmt: skip
    units: dict = defaultdict(lambda: dict.fromkeys((*LIGHTS, "total"), 0))
    sections: dict = defaultdict(lambda: dict.fromkeys((*LIGHTS, "total"), 0))
    totals = dict.fromkeys((*LIGHTS, "total"), 0)
    open_rows = []
    assigned: dict = defaultdict(int)
    closed: dict = defaultdict(int)
    for r in rows:
        shown = display_light(r.light if r.status != "closed" else None)
        section = section_of(r.section_title)
        if scope_unit is not None and r.lead_unit_id != scope_unit:
            continue
        if (f.plan_id is not None and r.plan_id != f.plan_id) or (f.unit and r.name != f.unit):
            continue
        if (f.status and r.status != f.status) or (f.q and f.q not in r.text):
            continue
        if (f.light and shown != f.light) or (f.section and section != f.section):
            continue
        for bucket in (units[r.name], sections[section], totals):
            bucket[shown] += 1
            bucket["total"] += 1
        m = local_date(r.assigned_at)
        assigned[f"{m.year:04d}-{m.month:02d}"] += 1
        if r.closed_at is not None:
            c = local_date(r.closed_at)
            closed[f"{c.year:04d}-{c.month:02d}"] += 1
        if r.status != "closed":
            order = {"red": 0, "yellow": 1, "green": 2, "grey": 3}[shown]
            open_rows.append((-(r.overdue_workdays or 0), order, r.due, r.id))
    open_rows.sort()
    return {
        "units": {k: dict(v) for k, v in units.items()},
        "sections": {k: dict(v) for k, v in sections.items()},
        "totals": totals,
        "rows": [r[3] for r in open_rows],
        "assigned": dict(assigned),
        "closed": dict(closed),
    }


def shape(view) -> dict:
    """The board's answer in the reference's shape (series turned back into monthly counts)."""
    assigned, closed = {}, {}
    prev_a = prev_c = 0
    for p in view.series:
        if p.assigned - prev_a:
            assigned[p.month] = p.assigned - prev_a
        if p.closed - prev_c:
            closed[p.month] = p.closed - prev_c
        prev_a, prev_c = p.assigned, p.closed
    counts = ("green", "yellow", "red", "grey", "total")
    return {
        "units": {u.unit: {k: getattr(u, k) for k in counts} for u in view.units},
        "sections": {s.section: {k: getattr(s, k) for k in counts} for s in view.sections},
        "totals": view.totals,
        "rows": [r.duty_id for r in view.rows],
        "assigned": assigned,
        "closed": closed,
    }


@pytest.fixture
def varied(db_with_units):
    """Three plans, 30 duties, every status and light, several units, sections and months."""
    rng = random.Random(11)
    start = datetime(2023, 1, 3, 1, 0, tzinfo=UTC)
    with session_scope(db_with_units) as s:
        for p in range(3):
            plan = load(s, now=start, seed=f"board{p}", tasks=10)
            for item in plan.items:
                if item.kind != "task":
                    continue
                at = start + timedelta(days=rng.randrange(0, 200), hours=rng.randrange(0, 24))
                service.assign(session=s, item_id=item.id, unit=rng.choice(UNITS), actor="督查室", now=at)
                s.execute(
                    update(ItemRow).where(ItemRow.id == item.id).values(section_title=rng.choice(SECTIONS))
                )
        duties = list(s.scalars(select(DutyRow).order_by(DutyRow.id)))
        for k, duty in enumerate(duties):
            status = STATUSES[k % len(STATUSES)]
            closed_at = None
            if status == "closed":
                # 00:30 Beijing on the 1st = 16:30 UTC the day before: the local month counts.
                closed_at = datetime(2023, 3 + k % 6, 1, 0, 30, tzinfo=UTC) - timedelta(hours=8)
            duty.status = status
            duty.light = rng.choice(["green", "yellow", "red", "grey", None])
            duty.overdue_workdays = rng.choice([0, 0, 1, 3, 9])
            duty.due = date(2023, 1, 1) + timedelta(days=rng.randrange(0, 360))
            duty.closed_at = closed_at
    return db_with_units


FILTERS = [
    BoardFilter(),
    BoardFilter(light="red"),
    BoardFilter(light="grey"),
    BoardFilter(status="closed"),
    BoardFilter(status="in_progress"),
    BoardFilter(unit="市教育局"),
    BoardFilter(section="做强能源产业"),
    BoardFilter(section="（未分节）"),
    BoardFilter(section="no such section"),
    BoardFilter(q="煤"),
    BoardFilter(plan_id=2, light="green"),
    BoardFilter(unit="市能源局", section="办好民生实事", light="yellow"),
]


@pytest.mark.parametrize("f", FILTERS, ids=[repr(f) for f in FILTERS])
def test_board_matches_the_row_by_row_reference(varied, f):
    with session_scope(varied) as s:
        view = board_view(session=s, now=END, filters=f, limit=None)
        expected = reference(s, f)
    assert shape(view) == expected
    assert view.rows_total == len(expected["rows"])


def test_scope_limit_and_overdue_order(varied):
    with session_scope(varied) as s:
        longest = 0
        for name in UNITS:
            unit_id = s.scalar(select(UnitRow.id).where(UnitRow.name == name))
            scoped = board_view(session=s, now=END, scope_unit=unit_id, limit=3)
            expected = reference(s, BoardFilter(), scope_unit=unit_id)
            assert [r.duty_id for r in scoped.rows] == expected["rows"][:3]
            assert scoped.rows_total == len(expected["rows"])
            assert {u.unit for u in scoped.units} <= {name}
            longest = max(longest, scoped.rows_total)
        assert longest > 3  # the limit was exercised
        full = board_view(session=s, now=END, limit=None)
        cli = board(session=s, now=END)
    assert [r.duty_id for r in cli.overdue] == [r.duty_id for r in overdue_rows(full)]
    assert cli.overdue and all(r.light == "red" or r.overdue_workdays > 0 for r in cli.overdue)
    assert cli.totals == full.totals


def test_empty_ledger_has_an_empty_board(db_with_units):
    with session_scope(db_with_units) as s:
        view = board_view(session=s, now=NOW)
    assert view.totals["total"] == 0 and view.rows == [] and view.series == []
