"""The simulated year: runs through the service, deterministic for a seed, leaves a plausible ledger."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta

from sqlalchemy import func, select

from duban.audit.models import EventRow
from duban.db import session_scope
from duban.ledger.demo import simulate_year
from duban.ledger.models import ActionRow, DutyRow
from tests.ledger.conftest import NOW
from tests.ledger.ledger_factories import load

START, END = date(2023, 1, 3), date(2023, 7, 31)


def _simulate(engine, calendar, policy, seed):
    with session_scope(engine) as s:
        plan = load(s, now=NOW)
        summary = simulate_year(session=s, plan_id=plan.id, calendar=calendar, policy=policy,
                                start=START, end=END, seed=seed)  # fmt: skip
        return summary, s.scalar(select(func.count()).select_from(EventRow))


def test_simulated_year_is_deterministic_and_complete(db, tmp_path, calendar, policy):
    from duban.config import Settings
    from duban.db import make_engine, upgrade

    summary, n_events = _simulate(db, calendar, policy, seed=7)
    days = [START + timedelta(days=i) for i in range((END - START).days + 1)]
    assert summary.working_days == sum(calendar.is_workday(d) for d in days)
    assert summary.duties == 5 and summary.needs_person == 1
    assert summary.closed + summary.still_open == summary.duties
    assert summary.progress_reports > 0 and sum(summary.actions.values()) > 0
    with session_scope(db) as s:
        assert s.scalar(select(func.count()).select_from(ActionRow)) == sum(summary.actions.values())
        statuses = set(s.scalars(select(DutyRow.status)))
        assert statuses <= {"assigned", "deployed", "in_progress", "closure_requested", "closed", "returned"}
    other = make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'again.sqlite3'}"))
    upgrade(other)
    again, n_again = _simulate(other, calendar, policy, seed=7)
    other.dispose()
    assert asdict(again) == asdict(summary) and n_again == n_events
