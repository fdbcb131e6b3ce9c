"""序时进度 of many duties at once (the board, tick's lights): two bulk reads, then
:func:`duban.ledger.results.pace` per duty. A green duty whose 欠进度 gap reaches
``pace.yellow_gap`` (``rules/results.yaml``) shows yellow; only a duty whose share done is known
(完成值 or 完成比例 reported) is judged so.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duban.clock.calendar import CalendarGap, WorkCalendar, local_date
from duban.ledger.clocks import government_clocks
from duban.ledger.models import DutyRow, ItemRow, PlanRow, ProgressRow
from duban.ledger.results import Pace, pace, result_rules, share_done
from duban.ledger.workflow import DutyStatus

if TYPE_CHECKING:
    from duban.clock.calendar import Days


def done_shares(session: Session, duty_ids: Iterable[int] | None = None) -> dict[int, float | None]:
    """The share done of each duty (latest progress report against its targets); None: every open duty."""
    if duty_ids is None:
        chunks: list[Any] = [DutyRow.status != DutyStatus.CLOSED.value]
    else:
        ids = list(duty_ids)
        chunks = [DutyRow.id.in_(ids[i : i + 900]) for i in range(0, len(ids), 900)]
    targets: dict[int, list[dict[str, Any]]] = {}
    latest: dict[int, tuple[int | None, list[dict[str, Any]]]] = {}
    for where in chunks:
        for duty_id, t in session.execute(
            select(DutyRow.id, ItemRow.targets).join(ItemRow, ItemRow.id == DutyRow.item_id).where(where)
        ):
            targets[duty_id] = t or []
        for duty_id, share, results in session.execute(
            select(ProgressRow.duty_id, ProgressRow.share, ProgressRow.results)
            .join(DutyRow, DutyRow.id == ProgressRow.duty_id)
            .where(where)
            .order_by(ProgressRow.duty_id, ProgressRow.reported_at, ProgressRow.id)
        ):
            latest[duty_id] = (share, results or [])
    out: dict[int, float | None] = {}
    for duty_id, t in targets.items():
        share, results = latest.get(duty_id, (None, []))
        out[duty_id] = share_done(t, results, share)
    return out


def paces(
    session: Session, rows: Iterable[tuple[int, datetime, date, bool]], *, calendar: Days, now: datetime
) -> dict[int, Pace]:
    """序时进度 of each (duty id, assigned at, due, closed); a duty the calendar cannot place is left out."""
    rows = list(rows)
    done = done_shares(session, [r[0] for r in rows])
    today = local_date(now)
    out: dict[int, Pace] = {}
    for duty_id, assigned_at, due, closed in rows:
        try:
            out[duty_id] = pace(
                done=done.get(duty_id),
                start=local_date(assigned_at),
                due=due,
                today=today,
                calendar=calendar,
                closed=closed,
            )
        except CalendarGap:
            continue
    return out


def paced_light(light: str, p: Pace | None) -> str:
    """The light with 序时进度 applied: green → yellow when the known share done trails too far."""
    if light == "green" and p is not None and p.done is not None and p.gap >= result_rules().yellow_gap:
        return "yellow"
    return light


def paces_of(
    session: Session, duty_ids: Iterable[int], *, calendar: WorkCalendar, now: datetime
) -> dict[int, Pace]:
    """序时进度 of these duties (the board's rows), each on its government's days (``calendar``:
    the deployment's)."""
    clocks = government_clocks(connection=session, calendar=calendar)
    ids = list(duty_ids)
    rows = (
        session.execute(
            select(DutyRow.id, DutyRow.assigned_at, DutyRow.due, DutyRow.status, PlanRow.government_id)
            .join(ItemRow, ItemRow.id == DutyRow.item_id)
            .join(PlanRow, PlanRow.id == ItemRow.plan_id)
            .where(DutyRow.id.in_(ids[i : i + 900]))
        ).all()
        for i in range(0, len(ids), 900)
    )
    by_days: dict[int, tuple[WorkCalendar, list[tuple[int, datetime, date, bool]]]] = {}
    for chunk in rows:
        for duty_id, assigned_at, due, status, government_id in chunk:
            days = clocks.calendar_of(government_id)
            by_days.setdefault(id(days), (days, []))[1].append(
                (duty_id, assigned_at, due, status == DutyStatus.CLOSED.value)
            )
    out: dict[int, Pace] = {}
    for days, group in by_days.values():
        out.update(paces(session, group, calendar=days, now=now))
    return out
