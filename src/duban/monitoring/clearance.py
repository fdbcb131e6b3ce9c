"""风险消除 by the rules: each condition of ``rules.yaml`` (clearance) checked against the
household's visits and measures; clearing is refused, naming every unmet condition in Chinese,
until all hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from duban.audit import service as audit
from duban.clock.calendar import local_date
from duban.clock.duty import add_months
from duban.monitoring.households import get_household, masked_snapshot
from duban.monitoring.measures import measures_of
from duban.monitoring.models import HouseholdRow, MeasureRow, VisitRow
from duban.monitoring.rules import Condition, MonitoringError, load_rules
from duban.monitoring.visits import visit_due, visits_of


@dataclass(frozen=True)
class Check:
    """One condition and whether it holds, with the reason in Chinese."""

    kind: str
    label: str
    met: bool
    reason: str


def _income(cond: Condition, visits: list[VisitRow], today: date) -> Check:
    line = load_rules().income_line
    stated = [v for v in visits if v.income_per_person is not None]  # newest first
    since: date | None = None
    for v in stated:
        if v.income_per_person is None or v.income_per_person <= line:
            break
        since = v.visited_on
    start = add_months(today, -cond.months)
    if since is None:
        why = f"最近一次走访所报人均纯收入未高于监测线 {line:g} 元" if stated else "尚无走访所报的人均纯收入"
        return Check(cond.kind, cond.label, False, why)
    if since > start:
        return Check(cond.kind, cond.label, False,
                     f"自 {since} 起高于监测线 {line:g} 元，不足 {cond.months} 个月（须不晚于 {start}）")  # fmt: skip
    return Check(cond.kind, cond.label, True, f"自 {since} 起高于监测线 {line:g} 元")


def _measures(cond: Condition, measures: list[MeasureRow]) -> Check:
    if not measures:
        return Check(cond.kind, cond.label, False, "尚未落实任何帮扶措施")
    open_ = [m for m in measures if m.done_at is None]
    if open_:
        names = "、".join(f"{m.measure_type}（措施 {m.id}）" for m in open_)
        return Check(cond.kind, cond.label, False, f"{len(open_)} 项未办结：{names}")
    return Check(cond.kind, cond.label, True, f"{len(measures)} 项全部办结")


def _visit(cond: Condition, household: HouseholdRow, visits: list[VisitRow], today: date) -> Check:
    last = visits[0].visited_on if visits else None
    due = visit_due(household, last)
    if last is None:
        return Check(cond.kind, cond.label, False, "尚无走访记录")
    if today > due:
        return Check(
            cond.kind, cond.label, False, f"最近一次走访 {last}，已超过走访周期（应于 {due} 前走访）"
        )
    return Check(cond.kind, cond.label, True, f"最近一次走访 {last}")


def _resolved(cond: Condition, household: HouseholdRow, visits: list[VisitRow]) -> Check:
    since = local_date(household.risk_changed_at)
    # a visit counts when made after the risk was recorded: a later day, or that day but recorded after it
    after = [
        v
        for v in visits
        if v.visited_on > since or (v.visited_on == since and v.recorded_at >= household.risk_changed_at)
    ]
    if not after:
        return Check(cond.kind, cond.label, False, f"{since} 登记风险后尚未走访核实")
    if not after[0].risk_resolved:
        return Check(cond.kind, cond.label, False, f"最近一次走访（{after[0].visited_on}）未确认风险已化解")
    return Check(cond.kind, cond.label, True, f"{after[0].visited_on} 走访确认风险已化解")


def checks(
    *,
    session: Session,
    household: HouseholdRow,
    now: datetime,
    visits: list[VisitRow] | None = None,
    measures: list[MeasureRow] | None = None,
) -> list[Check]:
    """Every condition of 风险消除 for ``household`` at ``now``; ``visits`` (newest first) and
    ``measures`` are read unless the caller already has them."""
    today = local_date(now)
    if visits is None:
        visits = visits_of(session=session, household_id=household.id)
    if measures is None:
        measures = measures_of(session=session, household_id=household.id)
    out: list[Check] = []
    for cond in load_rules().clearance:
        if cond.kind == "income_months":
            out.append(_income(cond, visits, today))
        elif cond.kind == "measures_done":
            out.append(_measures(cond, measures))
        elif cond.kind == "visit_recent":
            out.append(_visit(cond, household, visits, today))
        else:
            out.append(_resolved(cond, household, visits))
    return out


def clear_risk(*, session: Session, household_id: int, note: str, actor: str, now: datetime) -> HouseholdRow:
    """标注风险消除 when every condition holds; else 409 naming each unmet condition."""
    household = get_household(session=session, household_id=household_id)
    if household.status == "cleared":
        raise MonitoringError(f"监测户 {household_id} 风险已消除", field="status", status=409)
    unmet = [c for c in checks(session=session, household=household, now=now) if not c.met]
    if unmet:
        lines = "；".join(f"{c.label}（{c.reason}）" for c in unmet)
        raise MonitoringError(f"不能标注风险消除，未满足：{lines}", field="status", status=409)
    with audit.changing(session, household, actor=actor, now=now, entity="household", action="clear",
                        snap=masked_snapshot) as notes:  # fmt: skip
        notes["note"] = note.strip()[:500]
        household.status, household.cleared_at = "cleared", now
    return household
