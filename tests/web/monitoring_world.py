"""The console template's monitoring list: a household UNIT_A works on (an open measure), one
only UNIT_B works on, and one ready for 风险消除 — ids fixed by the order they are made."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from duban.clock.calendar import WorkCalendar
from duban.monitoring import households, measures
from tests.monitoring.factories import household, ready_household

HOUSEHOLD_IDS = {"mine": 1, "foreign": 2, "ready": 3}
MEASURE_IDS = {"mine": 1, "foreign": 2}


def build_households(s: Session, *, units: tuple[str, str], now: datetime) -> None:
    """The three households (through the services), checked against the fixed ids."""
    cal = WorkCalendar.default()
    mine = households.create_household(session=s, data=household(1), actor="test", now=now)
    foreign = households.create_household(
        session=s, data=household(2, township="河口镇"), actor="test", now=now
    )
    m1 = measures.assign_measure(session=s, household_id=mine.id, measure_type="健康帮扶", unit=units[0],
                                 content="大病医疗救助", calendar=cal, actor="test", now=now)  # fmt: skip
    m2 = measures.assign_measure(session=s, household_id=foreign.id, measure_type="教育帮扶", unit=units[1],
                                 content="雨露计划助学", calendar=cal, actor="test", now=now)  # fmt: skip
    ready = ready_household(s, 3, unit=units[0], found=date(2022, 6, 1), calendar=cal)
    got = {"mine": mine.id, "foreign": foreign.id, "ready": ready}
    assert got == HOUSEHOLD_IDS, got
    assert {"mine": m1.id, "foreign": m2.id} == MEASURE_IDS
