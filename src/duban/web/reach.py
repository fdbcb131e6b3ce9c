"""What an account's 辖区 (its government's subtree) holds beyond duties, items and plans (whose
row guards are :mod:`duban.web.guards`): cases and events.

A case belongs to the governments of its units: the unit handling it, the unit owning it (a
dispatch's 主办) and the unit the classifier suggested. A case with none of them is in the
hotline's intake queue (待派): the root government's, and every operator's, since operators are
the ones who route it. An account without a government, or the root's, sees every case; a county
office or leader sees the cases of its county's units and of the townships below, not the
neighbour's. A unit officer is limited further to their own unit's cases
(:func:`duban.web.cases_view.is_mine`).

The hotline's rates, rankings and monthly 通报 rank the units in reach only. The monitoring list's
households (防返贫监测) name their county and township as text: they are in reach when one of
those names is a government of the subtree (:func:`places_of`).

An event is in reach when the row it is about is: a plan, item, duty or case in reach, or a
duty's assignment, progress report, milestone, evidence or reply, or a government of the
subtree. Events about the deployment's own records (units, users, the calendar, the classifier,
the review, the monitoring list) are the root's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import Session

from duban.audit.models import EventRow
from duban.cases.models import CaseRow
from duban.ledger.board import in_governments
from duban.ledger.models import (
    AssignmentRow,
    DutyRow,
    EvidenceRow,
    ItemRow,
    MilestoneRow,
    PlanRow,
    ProgressRow,
    ReplyRow,
)
from duban.units import governments
from duban.units.models import GovernmentRow, UnitRow
from duban.web.deps import Who

_CASE_UNITS = (CaseRow.unit_id, CaseRow.owner_unit_id, CaseRow.suggested_unit_id)


def units_in_reach(who: Who) -> Select[Any] | None:
    """A SELECT of the ids of the units in ``who``'s 辖区 (the hotline's rates and rankings hold
    them: a county's 通报 ranks its own units); None when that is every unit."""
    seen = who.governments
    if seen is None or None in seen:  # the whole deployment: no government, or the root's
        return None
    return select(UnitRow.id).where(governments.in_governments(seen, UnitRow.government_id))


def reach_clause(who: Who) -> ColumnElement[bool] | None:
    """SQL true for the cases in ``who``'s 辖区; None when that is every case."""
    units = units_in_reach(who)
    if units is None:
        return None
    clause = or_(*(col.in_(units) for col in _CASE_UNITS))
    if who.role == "operator":  # the intake queue
        clause = or_(clause, and_(*(col.is_(None) for col in _CASE_UNITS)))
    return clause


def case_in_reach(session: Session, case_id: int, who: Who) -> bool:
    """Whether the case lies in ``who``'s 辖区."""
    clause = reach_clause(who)
    if clause is None:
        return True
    return bool(
        session.scalar(select(func.count()).select_from(CaseRow).where(CaseRow.id == case_id, clause))
    )


def event_reach(who: Who) -> ColumnElement[bool] | None:
    """SQL true for the events about rows in ``who``'s 辖区; None when every event is (an account
    without a government, or the root's)."""
    seen = who.governments
    if seen is None or None in seen:  # the whole deployment: no government, or the root's
        return None
    plans = select(PlanRow.id).where(in_governments(seen))
    items = select(ItemRow.id).where(ItemRow.plan_id.in_(plans))
    duties = select(DutyRow.id).where(DutyRow.item_id.in_(items))
    cases = reach_clause(who)
    about: dict[str, Select[Any]] = {
        "plan": plans,
        "item": items,
        "duty": duties,
        "assignment": select(AssignmentRow.id).where(AssignmentRow.item_id.in_(items)),
        "progress": select(ProgressRow.id).where(ProgressRow.duty_id.in_(duties)),
        "milestone": select(MilestoneRow.id).where(MilestoneRow.duty_id.in_(duties)),
        "evidence": select(EvidenceRow.id).where(EvidenceRow.duty_id.in_(duties)),
        "reply": select(ReplyRow.id).where(ReplyRow.duty_id.in_(duties)),
        "case": select(CaseRow.id).where(cases if cases is not None else false()),
    }
    return or_(
        *(and_(EventRow.entity == kind, EventRow.entity_id.in_(rows)) for kind, rows in about.items()),
        and_(
            EventRow.entity == "government", EventRow.entity_id.in_(sorted(g for g in seen if g is not None))
        ),
    )


def places_of(session: Session, who: Who) -> frozenset[str] | None:
    """The names of the governments in ``who``'s 辖区, by which the monitoring list's households
    (their county or township) are held; None when ``who`` sees every household (no government,
    or the root's)."""
    seen = who.governments
    if seen is None or None in seen:  # the whole deployment: no government, or the root's
        return None
    return frozenset(session.scalars(select(GovernmentRow.name).where(GovernmentRow.id.in_(sorted(seen)))))
