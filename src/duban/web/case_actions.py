"""The console's writes on cases: 受理 through the case hub's intake, and one function that checks
access and applies a flow action through :mod:`duban.cases.flow`, for the JSON API and the pages
alike."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from duban import access
from duban.cases import flow
from duban.cases.auto_dispatch import recall
from duban.cases.flow import FlowError
from duban.cases.intake import intake
from duban.cases.models import CaseRow
from duban.cases.rules import CaseError, CaseNotFound, load_rules
from duban.cases.schemas import CaseCreate
from duban.units.service import get_unit, resolve_unit
from duban.web.cases_view import check_case
from duban.web.deps import Who, state_of
from duban.web.errors import ApiError


def take_in(request: Request, session: Session, who: Who, data: CaseCreate, actor: str) -> CaseRow:
    """受理 through the case hub's intake (classification, suggested unit, duplicate parent, event)."""
    st = state_of(request)
    try:
        return intake(
            session=session,
            data=data,
            actor=actor,
            now=who.now,
            calendar=st.calendar,
            policy=st.case_policy,
            classifier=st.case_classifier,
            unit_cache=st.case_units,
        )
    except CaseError as exc:
        raise ApiError(400, str(exc), exc.field) from None


def _unit_id(session: Session, who: Who, unit: str | None, unit_id: int | None) -> int:
    """The unit a case goes to, by id or name; it must exist and lie in ``who``'s 辖区."""
    if unit_id is not None:
        row, field = get_unit(session=session, unit_id=unit_id), "unit_id"
        if row is None:
            raise ApiError(422, f"单位 {unit_id} 不存在", field)
    else:
        if not unit or not unit.strip():
            raise ApiError(422, "派单须指定承办单位", "unit")
        row, field = resolve_unit(session=session, name=unit), "unit"
        if row is None:
            raise ApiError(422, f"单位「{unit}」不存在，请从列表中选择", field)
    if who.governments is not None and row.government_id not in who.governments:
        raise ApiError(422, f"单位「{row.name}」不在本级辖区内，不能派给它", field)
    return row.id


def apply_action(
    request: Request,
    session: Session,
    who: Who,
    case_id: int,
    action: str,
    *,
    unit: str | None = None,
    unit_id: int | None = None,
    reason: str | None = None,
    reply: str | None = None,
    satisfaction: str | None = None,
    workdays: int | None = None,
    approve: bool | None = None,
    category: str | None = None,
    item_id: int | None = None,
) -> CaseRow:
    """Check access, then take one flow action through :mod:`duban.cases.flow` (which writes the event).

    Flow refusals answer 409, bad input 422, both naming the field; nothing is half-applied.
    """
    if action not in access.CASE_ACTION_ROLES or action == "create":
        raise ApiError(422, f"未知的工单操作 {action!r}", "action")
    row = check_case(request, session, who, case_id, action)
    assert who.account is not None
    actor, now, st = who.account.name, who.now, state_of(request)
    common: dict[str, Any] = {"session": session, "case_id": row.id, "actor": actor, "now": now}
    try:
        if action == "dispatch":
            target = _unit_id(session, who, unit, unit_id)
            if category and category.strip():
                flow.confirm_category(**common, category=category)
            elif row.review == "needs_review":
                raise ApiError(
                    409,
                    f"分类置信度低于 {load_rules().review_below:g}（或未分类），派单前须人工确认分类",
                    "category",
                )
            return flow.dispatch(**common, unit_id=target, calendar=st.calendar)
        if action == "accept":
            return flow.accept(**common)
        if action == "recall":
            return recall(**common, reason=reason or "")
        if action == "return":
            return flow.return_case(**common, reason=reason or "")
        if action == "start":
            return flow.start(**common)
        if action == "settle":
            return flow.settle(**common, reply=reply or "")
        if action == "follow_up":
            return flow.follow_up(**common, satisfaction=satisfaction or "")
        if action == "redo":
            return flow.redo(**common)
        if action == "archive":
            return flow.archive(**common)
        if action == "request_extension":
            if workdays is None:
                raise ApiError(422, "字段 workdays: 须填写延期的工作日数", "workdays")
            return flow.request_extension(**common, workdays=workdays, reason=reason or "")
        if action == "decide_extension":
            if approve is None:
                raise ApiError(422, "字段 approve: 须选择批准或不予批准", "approve")
            return flow.decide_extension(**common, approve=approve, calendar=st.calendar)
        if action == "confirm_category":
            target_unit = _unit_id(session, who, unit, unit_id) if (unit or unit_id is not None) else None
            return flow.confirm_category(**common, category=category or "", unit_id=target_unit)
        return flow.link_case_to_item(**common, item_id=item_id)
    except CaseNotFound as exc:
        raise ApiError(404, str(exc), exc.field) from None
    except FlowError as exc:
        raise ApiError(409, str(exc), exc.field) from None
    except CaseError as exc:
        raise ApiError(422, str(exc), exc.field) from None
