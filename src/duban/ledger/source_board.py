"""The board by source: how many duties each source (政府工作报告, 上级交办, 批示, 议定事项,
建议, 提案) has, open and closed, by light and overdue, and for suggestions and proposals the
replies, re-handlings (重办) and satisfaction. Counted by the database, scoped like the board."""

from __future__ import annotations

from collections import defaultdict
from typing import TypeVarTuple

from pydantic import BaseModel
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from duban.ledger.board import display_light, in_governments
from duban.ledger.models import AssignmentRow, DutyRow, ItemRow, PlanRow, ReplyRow
from duban.ledger.sources import load_sources
from duban.ledger.workflow import DutyStatus

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
