"""The case side of the clock: ``tick_cases`` evaluates every open case on the shared working-day
clock (hotline policy, limit by case type, 紧急 the same day, approved extensions) and records the
due reminders (催办) and circulars (通报) once each.

The rules are the clock's (:func:`duban.clock.evaluate`); this module fetches rows in bulk, hands
snapshots to the clock and writes back what it decided. Idempotent: an action's key is UNIQUE per
case and goes into ``done_actions`` next time; a light that did not change writes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from duban.audit import service as audit
from duban.cases.flow import OPEN_STATUSES
from duban.cases.models import CaseActionRow, CaseRow
from duban.clock.calendar import CalendarGap, WorkCalendar
from duban.clock.evaluate import DutySnapshot, evaluate
from duban.clock.policy import Policy

TICK_ACTOR = "工单时钟"


@dataclass
class CaseTickReport:
    """What a tick did."""

    now: datetime
    evaluated: int = 0
    actions: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    lights: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    provisional_years: list[int] = field(default_factory=list)
    """暂定 calendar years some evaluation depended on."""


def case_clock(row: Any, done: frozenset[str]) -> DutySnapshot:
    """The clock's snapshot of a case (an ORM row or a selected row with the same names)."""
    extended = row.due_date if row.extension_state == "approved" else None
    return DutySnapshot(
        id=row.id,
        assigned_at=row.received_at,
        major=False,
        status="in_progress" if row.status in OPEN_STATUSES else "closed",
        due=extended,
        deployed_at=None,
        first_feedback_at=None,
        last_feedback_at=None,
        closure_requested_at=None,
        closed_at=row.settled_at if row.status not in OPEN_STATUSES else None,
        done_actions=done,
        case_type="紧急" if row.urgent else row.case_type,
    )


def tick_cases(*, session: Session, calendar: WorkCalendar, policy: Policy, now: datetime) -> CaseTickReport:
    """Evaluate every open case at ``now``; record newly due actions and light changes (idempotent)."""
    # imported history (source "import:<city>") is not on our clock
    open_ = CaseRow.status.in_(sorted(OPEN_STATUSES)) & ~CaseRow.source.startswith("import:")
    cols = (
        CaseRow.id,
        CaseRow.received_at,
        CaseRow.status,
        CaseRow.urgent,
        CaseRow.case_type,
        CaseRow.due_date,
        CaseRow.extension_state,
        CaseRow.settled_at,
        CaseRow.light,
        CaseRow.overdue_workdays,
    )
    rows = session.execute(select(*cols).where(open_).order_by(CaseRow.id)).all()
    done: dict[int, set[str]] = defaultdict(set)
    for case_id, key in session.execute(
        select(CaseActionRow.case_id, CaseActionRow.key)
        .join(CaseRow, CaseRow.id == CaseActionRow.case_id)
        .where(open_)
    ):
        done[case_id].add(key)
    report = CaseTickReport(now=now)
    new_actions: list[dict[str, Any]] = []
    new_events: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for r in rows:
        try:
            ev = evaluate(case_clock(r, frozenset(done.get(r.id, ()))), policy, calendar, now)
        except Exception as exc:  # evaluate is pure: whatever it raises is this case's problem alone
            reason = str(exc) if isinstance(exc, CalendarGap | ValueError) else f"{type(exc).__name__}: {exc}"
            report.errors.append(f"工单 {r.id}: {reason}")
            report.failed.append(r.id)
            continue
        report.evaluated += 1
        if ev.provisional_years:
            report.provisional_years = sorted({*report.provisional_years, *ev.provisional_years})
        report.lights[ev.light] = report.lights.get(ev.light, 0) + 1
        for a in ev.actions:
            new_actions.append(
                {
                    "case_id": r.id,
                    "key": a.key,
                    "kind": a.kind,
                    "due": a.due,
                    "reason": a.reason,
                    "applied_at": now,
                }
            )
            new_events.append(
                {
                    "at": now, "actor": TICK_ACTOR, "entity": "case", "entity_id": r.id, "action": a.kind,
                    "before": None, "after": {"key": a.key, "due": a.due.isoformat(), "reason": a.reason},
                }
            )  # fmt: skip
            report.by_kind[a.kind] = report.by_kind.get(a.kind, 0) + 1
        if (ev.light, ev.overdue_workdays) != (r.light, r.overdue_workdays):
            updates.append({"b_id": r.id, "light": ev.light, "overdue_workdays": ev.overdue_workdays})
            new_events.append(
                {
                    "at": now, "actor": TICK_ACTOR, "entity": "case", "entity_id": r.id, "action": "light",
                    "before": {"light": r.light}, "after": {"light": ev.light, "overdue_workdays": ev.overdue_workdays},
                }
            )  # fmt: skip
    if new_actions:
        session.execute(insert(CaseActionRow), new_actions)
    if updates:
        from sqlalchemy import bindparam

        session.connection().execute(
            update(CaseRow.__table__)  # type: ignore[arg-type]
            .where(CaseRow.__table__.c.id == bindparam("b_id"))
            .values(light=bindparam("light"), overdue_workdays=bindparam("overdue_workdays")),
            updates,
        )
    audit.record_many(session, new_events)
    report.actions = len(new_actions)
    return report
