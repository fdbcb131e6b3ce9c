"""The board by source: how many duties each source (政府工作报告, 上级交办, 批示, 议定事项,
建议, 提案) has, open and closed, by light and overdue, and for suggestions and proposals the
replies, re-handlings (重办) and satisfaction. Counted by the database, scoped like the board."""

from __future__ import annotations

from collections import defaultdict
from typing import TypeVarTuple

from pydantic import BaseModel
from sqlalchemy import Select, case, func, select, true
from sqlalchemy.orm import Session

from duban.ledger.board import display_light, in_governments
from duban.ledger.models import AssignmentRow, DutyRow, ItemRow, PlanRow, ReplyRow
from duban.ledger.sources import load_sources
from duban.ledger.workflow import DutyStatus
from duban.units.models import UnitRow
from duban.units.service import unit_names

_Ts = TypeVarTuple("_Ts")


class SourceCount(BaseModel):
    """One source's duties on the board."""

    source: str
    label: str
    total: int = 0
    open: int = 0
    closed: int = 0
    green: int = 0
    yellow: int = 0
    red: int = 0
    grey: int = 0
    overdue: int = 0
    replied: int = 0
    redo: int = 0  # rounds opened after 不满意 (重办)
    satisfaction: dict[str, int] = {}


def source_counts(
    *, session: Session, scope_unit: int | None = None, governments: frozenset[int | None] | None = None
) -> list[SourceCount]:
    """Duties by source (every configured source, in the file's order, zeros included), of
    ``governments`` only when given (an account's 辖区)."""
    counts = {k: SourceCount(source=k, label=s.label) for k, s in load_sources().items()}

    def scoped(stmt: Select[*_Ts]) -> Select[*_Ts]:
        stmt = stmt.join(ItemRow, ItemRow.id == DutyRow.item_id).join(PlanRow, PlanRow.id == ItemRow.plan_id)
        if governments is not None:
            stmt = stmt.where(in_governments(governments))
        if scope_unit is not None:
            stmt = stmt.join(AssignmentRow, AssignmentRow.item_id == DutyRow.item_id).where(
                AssignmentRow.lead_unit_id == scope_unit
            )
        return stmt

    overdue = func.sum(case((DutyRow.overdue_workdays > 0, 1), else_=0))
    rows = session.execute(
        scoped(
            select(PlanRow.source_kind, DutyRow.status, DutyRow.light, func.count(), overdue).select_from(
                DutyRow
            )
        ).group_by(PlanRow.source_kind, DutyRow.status, DutyRow.light)
    ).all()
    for kind, status, light, n, late in rows:
        c = counts.setdefault(kind, SourceCount(source=kind, label=kind))
        closed = status == DutyStatus.CLOSED.value
        c.total += n
        if closed:
            c.closed += n
        else:
            c.open += n
            c.overdue += int(late or 0)
        shown = display_light(None if closed else light)
        setattr(c, shown, getattr(c, shown) + n)
    satisfaction: dict[str, dict[str, int]] = defaultdict(dict)
    redo = func.sum(case((ReplyRow.round > 1, 1), else_=0))
    replied = func.sum(case((ReplyRow.replied_at.is_not(None), 1), else_=0))
    for kind, rating, n, n_redo, n_replied in session.execute(
        scoped(
            select(PlanRow.source_kind, ReplyRow.satisfaction, func.count(), redo, replied)
            .select_from(ReplyRow)
            .join(DutyRow, DutyRow.id == ReplyRow.duty_id)
        ).group_by(PlanRow.source_kind, ReplyRow.satisfaction)
    ).all():
        c = counts.setdefault(kind, SourceCount(source=kind, label=kind))
        c.redo += int(n_redo or 0)
        c.replied += int(n_replied or 0)
        if rating:
            satisfaction[kind][rating] = n
    for kind, by in satisfaction.items():
        counts[kind].satisfaction = by
    return list(counts.values())


class UnitRank(BaseModel):
    """A lead unit's duties of one source, and its place among the units carrying that source."""

    source: str
    label: str
    rank: int
    unit: str
    total: int
    open: int
    closed: int
    overdue: int
    red: int
    rated: int = 0
    satisfied: int = 0  # 满意 + 基本满意 (the ratings that close a duty)

    @property
    def closed_share(self) -> float:
        return self.closed / self.total if self.total else 0.0

    @property
    def satisfied_share(self) -> float:
        return self.satisfied / self.rated if self.rated else 0.0


def source_rankings(
    *,
    session: Session,
    source: str | None = None,
    scope_unit: int | None = None,
    governments: frozenset[int | None] | None = None,
) -> list[UnitRank]:
    """Lead units ranked within each source: fewest overdue or red open duties first, then the
    larger share closed, then the larger share of replies rated 满意/基本满意, then by name; of
    ``governments`` only when given (an account's 辖区)."""
    sources = load_sources()
    stmt = (
        select(
            PlanRow.source_kind,
            UnitRow.name,
            func.count(),
            func.sum(case((DutyRow.status == DutyStatus.CLOSED.value, 1), else_=0)),
            func.sum(
                case(
                    ((DutyRow.status != DutyStatus.CLOSED.value) & (DutyRow.overdue_workdays > 0), 1), else_=0
                )
            ),
            func.sum(
                case(((DutyRow.status != DutyStatus.CLOSED.value) & (DutyRow.light == "red"), 1), else_=0)
            ),
        )
        .select_from(DutyRow)
        .join(ItemRow, ItemRow.id == DutyRow.item_id)
        .join(PlanRow, PlanRow.id == ItemRow.plan_id)
        .join(AssignmentRow, AssignmentRow.item_id == DutyRow.item_id)
        .join(UnitRow, UnitRow.id == AssignmentRow.lead_unit_id)
        .group_by(PlanRow.source_kind, UnitRow.name)
    )
    if source is not None:
        stmt = stmt.where(PlanRow.source_kind == source)
    if governments is not None:
        stmt = stmt.where(in_governments(governments))
    rated: dict[tuple[str, str], tuple[int, int]] = {}
    closing = [r for s in sources.values() if s.reply for r in s.reply.ratings if r not in s.reply.reopen]
    for kind, unit, n, good in session.execute(
        select(
            PlanRow.source_kind,
            UnitRow.name,
            func.count(),
            func.sum(case((ReplyRow.satisfaction.in_(closing or ["-"]), 1), else_=0)),
        )
        .select_from(ReplyRow)
        .join(DutyRow, DutyRow.id == ReplyRow.duty_id)
        .join(ItemRow, ItemRow.id == DutyRow.item_id)
        .join(PlanRow, PlanRow.id == ItemRow.plan_id)
        .join(AssignmentRow, AssignmentRow.item_id == DutyRow.item_id)
        .join(UnitRow, UnitRow.id == AssignmentRow.lead_unit_id)
        .where(ReplyRow.satisfaction.is_not(None))
        .where(in_governments(governments) if governments is not None else true())
        .group_by(PlanRow.source_kind, UnitRow.name)
    ):
        rated[(kind, unit)] = (int(n), int(good or 0))
    by_source: dict[str, list[UnitRank]] = defaultdict(list)
    for kind, unit, n, closed, overdue, red in session.execute(stmt):
        r_n, r_good = rated.get((kind, unit), (0, 0))
        label = sources[kind].label if kind in sources else kind
        by_source[kind].append(
            UnitRank(
                source=kind,
                label=label,
                rank=0,
                unit=unit,
                total=n,
                open=n - int(closed or 0),
                closed=int(closed or 0),
                overdue=int(overdue or 0),
                red=int(red or 0),
                rated=r_n,
                satisfied=r_good,
            )
        )
    out: list[UnitRank] = []
    order = list(sources)
    for kind in sorted(by_source, key=lambda k: (order.index(k) if k in order else len(order), k)):
        ranked = sorted(
            by_source[kind], key=lambda u: (u.overdue + u.red, -u.closed_share, -u.satisfied_share, u.unit)
        )
        for i, u in enumerate(ranked, start=1):
            u.rank = i
        out.extend(ranked)
    if scope_unit is not None:  # a unit officer sees its own places (the ranking is computed over all units)
        own = unit_names(session=session, ids=[scope_unit]).get(scope_unit)
        out = [u for u in out if u.unit == own]
    return out
