"""Which cases an account's 辖区 (its government's subtree) holds.

A case belongs to the governments of its units: the unit handling it, the unit owning it (a
dispatch's 主办) and the unit the classifier suggested. A case with none of them is in the
hotline's intake queue (待派): the root government's, and every operator's, since operators are
the ones who route it. An account without a government, or the root's, sees every case; a county
office or leader sees the cases of its county's units and of the townships below, not the
neighbour's. A unit officer is limited further to their own unit's cases
(:func:`duban.web.cases_view.is_mine`).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session

from duban.cases.models import CaseRow
from duban.units.models import UnitRow
from duban.web.deps import Who

_CASE_UNITS = (CaseRow.unit_id, CaseRow.owner_unit_id, CaseRow.suggested_unit_id)


def reach_clause(who: Who) -> ColumnElement[bool] | None:
    """SQL true for the cases in ``who``'s 辖区; None when that is every case."""
    seen = who.governments
    if seen is None:
        return None
    ids = sorted(g for g in seen if g is not None)
    in_gov: ColumnElement[bool] = UnitRow.government_id.in_(ids) if ids else false()
    if None in seen:
        in_gov = or_(in_gov, UnitRow.government_id.is_(None))
    units = select(UnitRow.id).where(in_gov)
    clause = or_(*(col.in_(units) for col in _CASE_UNITS))
    if None in seen or who.role == "operator":
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
