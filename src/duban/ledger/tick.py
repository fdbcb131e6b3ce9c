"""The ledger side of the clock: ``tick`` (evaluate every open duty, record due actions and light
changes), the ``board`` (lights by unit, overdue list) and the open-duties report (the "0" of 13710).

The rules are the clock's (:func:`duban.clock.evaluate.evaluate`); this module only fetches rows in
bulk, hands snapshots to the clock and writes back what it decided. A tick is idempotent: an
action's key is UNIQUE per duty and goes into ``done_actions`` next time, and a light that did not
change writes nothing. ``overdue_workdays``/``next_due`` are a cache refreshed with the light.
Each duty whose light changed or that had actions applied gets ONE event per tick (action ``tick``:
light before/after and the actions' keys). Rows are read and written in bulk, a few statements a tick.
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Table, insert, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from duban.clock.calendar import CalendarGap, WorkCalendar, local_date
from duban.clock.evaluate import DutySnapshot, Evaluation, evaluate
from duban.clock.policy import Policy
from duban.db import Base
from duban.ledger.board import board_view, overdue_rows
from duban.ledger.clocks import government_clocks
from duban.ledger.models import (
    ActionRow,
    AssignmentRow,
    DutyRow,
    ItemRow,
    MilestoneRow,
    PlanRow,
    ProgressRow,
)
from duban.ledger.pace import done_shares, paced_light
from duban.ledger.results import pace
from duban.ledger.schemas import Board, OpenDutyRow, OverdueRow, TickReport
from duban.ledger.workflow import DutyStatus
from duban.units.models import UnitRow

TICK_ACTOR = "督办时钟"
MAX_ERRORS = 20
LIGHT_LABELS = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "grey": "灰灯", "closed": "已办结"}
"""The Chinese name of each light the clock gives a duty or a case (the one table of them)."""


def duty_clock(
    duty: Any,
    milestones: Iterable[Any],
    done_actions: frozenset[str],
    feedback_at: tuple[datetime, ...] = (),
) -> DutySnapshot:
    """The clock's snapshot of a duty (an ORM row or a selected row with the same names)."""
    return DutySnapshot(
        id=duty.id,
        assigned_at=duty.assigned_at,
        major=bool(duty.major),
        status=duty.status,
        due=duty.due,
        deployed_at=duty.deployed_at,
        first_feedback_at=duty.first_feedback_at,
        last_feedback_at=duty.last_feedback_at,
        closure_requested_at=duty.closure_requested_at,
        closed_at=duty.closed_at,
        milestones=tuple((m.name, m.due, m.done_at) for m in milestones),
        done_actions=done_actions,
        feedback_at=feedback_at,
    )


_DUTY_COLUMNS = (  # the first ten in DutySnapshot's order
    DutyRow.id,
    DutyRow.assigned_at,
    DutyRow.major,
    DutyRow.status,
    DutyRow.due,
    DutyRow.deployed_at,
    DutyRow.first_feedback_at,
    DutyRow.last_feedback_at,
    DutyRow.closure_requested_at,
    DutyRow.closed_at,
    DutyRow.light,
    DutyRow.overdue_workdays,
    DutyRow.next_due,
)


def tick(*, session: Session, calendar: WorkCalendar, policy: Policy, now: datetime) -> TickReport:
    """Evaluate every open duty at ``now``; record newly due actions and light changes (idempotent)."""
    # A tick makes a few hundred thousand small objects (rows, snapshots, evaluations, parameters)
    # that live until it ends and hold no cycles; the cyclic collector would walk them again and
    # again (a fifth of the tick's time at 10,000 duties). Reference counting still frees them;
    # collection resumes as it was afterwards.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _tick(session=session, calendar=calendar, policy=policy, now=now)
    finally:
        if collecting:
            gc.enable()


def _tick(*, session: Session, calendar: WorkCalendar, policy: Policy, now: datetime) -> TickReport:
    open_ = DutyRow.status != DutyStatus.CLOSED.value
    session.flush()  # the reads below go through Core (the ORM's result rows cost more), so no autoflush
    conn = session.connection()
    # each duty runs on its plan's government's clock; the join only when some government has its own
    clocks = government_clocks(connection=conn, calendar=calendar, policy=policy)
    if clocks.varied:
        duties = conn.execute(
            select(*_DUTY_COLUMNS, PlanRow.government_id)
            .join(ItemRow, ItemRow.id == DutyRow.item_id)
            .join(PlanRow, PlanRow.id == ItemRow.plan_id)
            .where(open_)
            .order_by(DutyRow.id)
        ).all()
    else:
        duties = conn.execute(select(*_DUTY_COLUMNS).where(open_).order_by(DutyRow.id)).all()
    milestones: dict[int, list[tuple[str, date, datetime | None]]] = defaultdict(list)
    for duty_id, name, due, done_at in conn.execute(
        select(MilestoneRow.duty_id, MilestoneRow.name, MilestoneRow.due, MilestoneRow.done_at)
        .join(DutyRow, DutyRow.id == MilestoneRow.duty_id)
        .where(open_),
    ):
        milestones[duty_id].append((name, due, done_at))
    done: dict[int, set[str]] = defaultdict(set)
    for duty_id, key in conn.execute(
        select(ActionRow.duty_id, ActionRow.key).join(DutyRow, DutyRow.id == ActionRow.duty_id).where(open_),
    ):
        done[duty_id].add(key)
    feedback: dict[int, list[Any]] = defaultdict(list)
    if any(p.report_interval_months is not None for p in (policy, *clocks.policies.values())):
        # the biggest read of a tick (every progress report of every open duty): straight from the
        # driver, each timestamp converted by the column's own type
        dialect = session.get_bind().dialect
        convert = ProgressRow.__table__.c.reported_at.type.dialect_impl(dialect).result_processor(
            dialect, None
        )
        raw = conn.exec_driver_sql(
            "SELECT p.duty_id, p.reported_at FROM progress_reports p JOIN duties d ON d.id = p.duty_id "
            f"WHERE d.status <> '{DutyStatus.CLOSED.value}'"
        ).fetchall()
        stamps = [at for _, at in raw]
        for (duty_id, _), at in zip(raw, map(convert, stamps) if convert else stamps, strict=True):
            feedback[duty_id].append(at)

    done_share = done_shares(session)  # 序时进度: a green duty trailing its period turns yellow
    today = local_date(now)
    report = TickReport(now=now)
    new_actions: list[dict[str, Any]] = []
    new_events: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    by_kind: dict[str, int] = defaultdict(int)
    gaps = 0
    provisional: set[int] = set()
    no_keys: frozenset[str] = frozenset()
    seen: dict[tuple[Any, ...], Evaluation] = {}
    evaluated = light_changes = 0
    for d in duties:
        duty_id = d[0]
        ms = milestones.get(duty_id)
        keys = done.get(duty_id)
        fb = feedback.get(duty_id)
        clock = DutySnapshot(
            duty_id,
            d[1],
            bool(d[2]),
            d[3],
            d[4],
            d[5],
            d[6],
            d[7],
            d[8],
            d[9],
            milestones=tuple(ms) if ms else (),
            done_actions=frozenset(keys) if keys else no_keys,
            feedback_at=tuple(fb) if fb else (),
        )
        days, rules = (
            (clocks.calendar_of(d[13]), clocks.policy_of(d[13])) if clocks.varied else (calendar, policy)
        )
        # duties with the same snapshot (e.g. a plan assigned at one moment) get the same evaluation
        snap = (d[1:10], clock.milestones, clock.done_actions, clock.feedback_at, id(days), id(rules))
        try:
            ev = seen.get(snap) or seen.setdefault(snap, evaluate(clock, rules, days, now))
        except Exception as exc:  # evaluate is pure: whatever it raises is this duty's problem alone
            gaps += 1
            report.failed.append(duty_id)
            if len(report.errors) < MAX_ERRORS:
                report.errors.append(f"督办事项 {duty_id}: {_reason(exc)}")
            continue
        evaluated += 1
        if ev.provisional_years:
            provisional.update(ev.provisional_years)
        light: str = ev.light
        overdue_workdays = ev.overdue_workdays
        if light == "green" and done_share.get(duty_id) is not None:
            try:
                p = pace(
                    done=done_share[duty_id], start=local_date(d[1]), due=d[4], today=today, calendar=days
                )
                light = paced_light(light, p)
            except CalendarGap:
                pass
        for a in ev.actions:
            new_actions.append(
                {
                    "duty_id": duty_id,
                    "key": a.key,
                    "kind": a.kind,
                    "milestone": a.milestone,
                    "due": a.due,
                    "reason": a.reason,
                    "applied_at": now,
                }
            )
            by_kind[a.kind] += 1
        next_due = ev.next_due.due if ev.next_due is not None else None
        was_light, was_overdue, was_next = d[10], d[11], d[12]
        if was_light != light or was_overdue != overdue_workdays or was_next != next_due:
            updates.append(
                {
                    "b_id": duty_id,
                    "light": light,
                    "overdue_workdays": overdue_workdays,
                    "next_due": next_due,
                    "evaluated_at": now,
                }
            )
        light_changed = was_light != light
        light_changes += light_changed
        if light_changed or ev.actions:
            # one event per duty per tick: the light before and after, and the actions applied
            before = {"light": was_light, "overdue_workdays": was_overdue, "next_due": _iso(was_next)}
            after = {
                "light": light,
                "overdue_workdays": overdue_workdays,
                "next_due": _iso(next_due),
                "actions": [{"key": a.key, "kind": a.kind, "due": a.due.isoformat()} for a in ev.actions],
            }
            new_events.append(
                {
                    "at": now,
                    "actor": TICK_ACTOR,
                    "entity": "duty",
                    "entity_id": duty_id,
                    "action": "tick",
                    "before": before,
                    "after": after,
                }
            )
    report.evaluated, report.light_changes = evaluated, light_changes
    report.provisional_years = sorted(provisional)
    if gaps > len(report.errors):
        report.errors.append(f"另有 {gaps - len(report.errors)} 项未能计算")
    session.flush()
    tables = Base.metadata.tables
    _insert_many(session, tables["actions"], new_actions)
    _update_cache(session, tables["duties"], updates, now)
    _insert_many(session, tables["events"], new_events)
    if updates:
        changed = {u["b_id"] for u in updates}
        for obj in list(session.identity_map.values()):  # keep loaded rows in step with the bulk update
            if isinstance(obj, DutyRow) and obj.id in changed:
                session.expire(obj)
    report.new_actions = len(new_actions)
    report.actions_by_kind = dict(by_kind)
    return report


def _bind_rows(
    dialect: Dialect, table: Table, names: list[str], rows: list[dict[str, Any]]
) -> list[tuple[Any, ...]]:
    """``rows`` as driver parameters in the order of ``names``, converted column by column."""
    columns = []
    for n in names:
        p = table.c[n].type.dialect_impl(dialect).bind_processor(dialect)
        values = [r[n] for r in rows]
        if p is not None:
            first = values[0]  # a column of one value (the tick's ``now``) is converted once
            same = all(v is first for v in values)
            values = [p(first)] * len(values) if same else [p(v) for v in values]
        columns.append(values)
    return list(zip(*columns, strict=True))


def _insert_many(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT many rows: executemany on SQLite (in-process), COPY on PostgreSQL."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    names = list(rows[0])
    if dialect.name == "sqlite":
        # the driver's own executemany, values converted once per column by the columns' types
        sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        session.connection().exec_driver_sql(sql, _bind_rows(dialect, table, names, rows))
        return
    if dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    as_json = {n for n in names if isinstance(table.c[n].type, JSON)}
    cur: Any = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    with cur, cur.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row([json.dumps(r[n], ensure_ascii=False) if n in as_json else r[n] for n in names])


def _update_cache(session: Session, duties: Table, rows: list[dict[str, Any]], now: datetime) -> None:
    """Write the cached light/overdue/next due of many duties in a few statements."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    if dialect.name == "sqlite":
        names = ["light", "overdue_workdays", "next_due", "evaluated_at"]
        params = _bind_rows(dialect, duties, names, rows)
        ids = [r["b_id"] for r in rows]
        session.connection().exec_driver_sql(
            f"UPDATE duties SET {', '.join(f'{n} = ?' for n in names)} WHERE id = ?",
            [(*p, i) for p, i in zip(params, ids, strict=True)],
        )
        return
    # a server database: COPY the new values into a temporary table, then one UPDATE … FROM
    cur: Any = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    with cur:
        cur.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS tick_cache "
            "(id integer, light varchar(10), overdue_workdays integer, next_due date) ON COMMIT DROP"
        )
        cur.execute("TRUNCATE tick_cache")
        with cur.copy("COPY tick_cache (id, light, overdue_workdays, next_due) FROM STDIN") as copy:
            for r in rows:
                copy.write_row((r["b_id"], r["light"], r["overdue_workdays"], r["next_due"]))
        cur.execute(
            "UPDATE duties SET light = c.light, overdue_workdays = c.overdue_workdays, next_due = c.next_due, "
            "evaluated_at = %s FROM tick_cache AS c WHERE duties.id = c.id",
            (now,),
        )


def _reason(exc: Exception) -> str:
    """One line for a duty that could not be evaluated: our own errors say it, others name their type."""
    if isinstance(exc, CalendarGap | ValueError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def board(*, session: Session, now: datetime) -> Board:
    """Lights by lead unit (as of the last tick) and the open overdue duties, most days overdue
    first — the unfiltered :func:`duban.ledger.board.board_view` in the CLI's shape."""
    view = board_view(session=session, now=now, limit=None)
    overdue = [
        OverdueRow(
            duty_id=r.duty_id,
            unit=r.unit,
            text=r.text,
            due=r.due,
            overdue_workdays=r.overdue_workdays,
            light=r.light,
            status=r.status,
        )
        for r in overdue_rows(view)
    ]
    return Board(now=now, units=view.units, overdue=overdue, totals=view.totals)


def open_duties_report(*, session: Session) -> list[OpenDutyRow]:
    """Every duty not yet closed (the "0" of 13710: 件件有着落), by unit then due date."""
    rows = session.execute(
        select(
            DutyRow.id,
            ItemRow.plan_id,
            UnitRow.name,
            ItemRow.text,
            DutyRow.status,
            DutyRow.due,
            DutyRow.light,
            DutyRow.last_feedback_at,
        )
        .join(ItemRow, ItemRow.id == DutyRow.item_id)
        .outerjoin(AssignmentRow, AssignmentRow.item_id == DutyRow.item_id)
        .outerjoin(UnitRow, UnitRow.id == AssignmentRow.lead_unit_id)
        .where(DutyRow.status != DutyStatus.CLOSED.value)
        .order_by(UnitRow.name, DutyRow.due, DutyRow.id)
    ).all()
    return [
        OpenDutyRow(
            duty_id=r[0],
            plan_id=r[1],
            unit=r[2],
            text=r[3],
            status=r[4],
            due=r[5],
            light=r[6],
            last_feedback_at=r[7],
        )
        for r in rows
    ]
