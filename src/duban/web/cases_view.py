"""The console's side of the case hub: who may see and do what with a case, the views (the phone
masked unless the viewer must call back), the list with its filters, and one function that applies
a flow action through :mod:`duban.cases.flow` for both the JSON API and the pages.

Roles (the access table, :mod:`duban.access`): the 12345 operator (话务员) takes cases in, dispatches,
follows up, archives and confirms categories; a unit officer sees only the cases dispatched to
their unit and signs for, returns, handles and settles them and asks for extensions; the office
may do everything, also approve extensions and link cases to plan items; the leader only reads.
A unit officer asking for another unit's case gets 404 and an ``access_denied`` event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import Query, Request
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from duban import access
from duban.audit import service as audit
from duban.cases import flow
from duban.cases.flow import OPEN_STATUSES, STATUS_LABELS, FlowError
from duban.cases.intake import intake
from duban.cases.models import CaseRow, CaseStatus, CaseUpdateRow, DispatchRow
from duban.cases.rules import CaseError, CaseNotFound, can_see_phone, load_rules, mask_phone
from duban.cases.schemas import CaseCreate, CaseRead
from duban.cases.tick import case_clock
from duban.clock.calendar import CalendarGap, local_date
from duban.clock.evaluate import evaluate
from duban.db import session_scope
from duban.ledger.models import ItemRow
from duban.units.service import get_unit, resolve_unit, unit_names
from duban.web.deps import Who, state_of
from duban.web.errors import ApiError
from duban.web.guards import log_denied
from duban.web.state import ConsoleState

PAGE_SIZE = 50

ACTION_LABELS: dict[str, str] = {
    "create": "受理",
    "dispatch": "派单",
    "accept": "签收",
    "return": "退回",
    "start": "办理",
    "settle": "办结",
    "follow_up": "回访",
    "redo": "重办",
    "archive": "归档",
    "request_extension": "申请延期",
    "decide_extension": "审批延期",
    "confirm_category": "确认分类",
    "link_item": "关联台账事项",
}

EVENT_LABELS: dict[str, str] = {
    **ACTION_LABELS,
    "redispatch": "重新派单",
    "reopen": "回访不满意 · 转重办",
    "approve_extension": "延期获批",
    "reject_extension": "延期不予批准",
    "unlink_item": "取消关联台账事项",
    "access_denied": "越权访问被拒",
    "remind": "催办",
    "circular": "通报",
    "light": "亮灯变化",
    "comment": "Open311 留言",
}

# the statuses in which each action can be taken (the flow table decides; this only hides forms)
ACTION_FROM: dict[str, frozenset[str]] = {
    "dispatch": frozenset({CaseStatus.RECEIVED.value, CaseStatus.RETURNED.value}),
    "accept": frozenset({CaseStatus.DISPATCHED.value}),
    "return": frozenset({CaseStatus.DISPATCHED.value}),
    "start": frozenset({CaseStatus.ACCEPTED.value}),
    "settle": frozenset({CaseStatus.IN_PROGRESS.value}),
    "follow_up": frozenset({CaseStatus.SETTLED.value}),
    "redo": frozenset({CaseStatus.REOPENED.value}),
    "archive": frozenset({CaseStatus.FOLLOWED_UP.value}),
    "request_extension": frozenset(
        {CaseStatus.ACCEPTED.value, CaseStatus.IN_PROGRESS.value, CaseStatus.REOPENED.value}
    ),
    "confirm_category": frozenset(s.value for s in CaseStatus if s is not CaseStatus.ARCHIVED),
    "link_item": frozenset(s.value for s in CaseStatus),
}


def status_label(status: str) -> str:
    """The Chinese name of a case status.

    >>> status_label("dispatched")
    '派单'
    """
    return STATUS_LABELS[CaseStatus(status)]


# ---- the hotline clock and the category → unit cache, kept on the console state -------------------
# ---- access -------------------------------------------------------------------------------------
def my_unit(who: Who) -> int | None:
    """The unit a unit officer is limited to (None for every other role)."""
    return who.account.unit_id if who.role == "unit" and who.account is not None else None


def is_mine(who: Who, row: CaseRow) -> bool:
    """Whether ``who`` may see ``row``: everyone but a unit officer, who sees their unit's cases."""
    return access.on_own_unit(who.role, my_unit(who), (row.unit_id, row.owner_unit_id))


def sees_phone(who: Who, row: CaseRow) -> bool:
    """Whether ``who`` sees the citizen's whole phone: those who call back, a unit only on its case."""
    return can_see_phone(who.role) and is_mine(who, row)


def phone_of(who: Who, row: CaseRow) -> str | None:
    """The phone as ``who`` may see it."""
    return row.citizen_phone if sees_phone(who, row) else mask_phone(row.citizen_phone)


def may(who: Who, action: str) -> bool:
    """Whether ``who``'s role may take ``action``."""
    return access.may(who.role, action)


def check_case(
    request: Request, session: Session, who: Who, case_id: int, action: str | None = None
) -> CaseRow:
    """The case when ``who`` may see it (and take ``action``); 404 (logged for a foreign unit) or 403."""
    row = session.get(CaseRow, case_id)
    if row is None:
        raise ApiError(404, f"工单 {case_id} 不存在", "case_id")
    mine = is_mine(who, row)
    if not mine:
        log_denied(request, who, entity="case", entity_id=case_id)
    if action is not None and not may(who, action):  # like deps.require: the role is refused first
        raise ApiError(403, f"当前角色无权{ACTION_LABELS[action]}", None)
    if not mine:
        raise ApiError(404, f"工单 {case_id} 不存在", "case_id")
    return row


def actions_for(who: Who, row: CaseRow) -> list[str]:
    """The actions ``who`` may take on ``row`` now (what the case page offers forms for)."""
    out = [a for a, states in ACTION_FROM.items() if row.status in states and may(who, a)]
    if row.extension_state == "requested":
        out = [a for a in out if a != "request_extension"]
        if may(who, "decide_extension"):
            out.append("decide_extension")
    return out


# ---- views --------------------------------------------------------------------------------------
def case_light(row: CaseRow, state: ConsoleState, now: datetime) -> str:
    """The case's light on the hotline clock now (green/yellow/red, closed once settled)."""
    try:
        ev = evaluate(case_clock(row, frozenset()), state.case_policy, state.calendar, now)
    except (CalendarGap, ValueError):
        return "grey"
    return ev.light


def summary(row: CaseRow, who: Who, units: dict[int, str], light: str) -> dict[str, Any]:
    """One line of the case list."""
    unit_id = row.unit_id or row.suggested_unit_id
    return {
        "id": row.id,
        "title": row.title,
        "status": row.status,
        "status_label": status_label(row.status),
        "channel": row.channel,
        "case_type": row.case_type,
        "urgent": row.urgent,
        "category": row.category,
        "review": row.review,
        "unit_id": row.unit_id,
        "unit": units.get(row.unit_id) if row.unit_id else None,
        "suggested_unit": units.get(row.suggested_unit_id) if row.suggested_unit_id else None,
        "shown_unit": units.get(unit_id) if unit_id else None,
        "address": row.address,
        "citizen_phone": phone_of(who, row),
        "received_at": row.received_at,
        "due_date": row.due_date,
        "light": light,
        "extension_state": row.extension_state,
        "item_id": row.item_id,
    }


def detail(session: Session, row: CaseRow, who: Who, state: ConsoleState) -> dict[str, Any]:
    """A case with its units, history (events, dispatches, citizen updates) and what ``who`` may do."""
    base = CaseRead.of(row, role=who.role).model_dump()
    base["citizen_phone"] = phone_of(who, row)
    dispatches = list(
        session.scalars(select(DispatchRow).where(DispatchRow.case_id == row.id).order_by(DispatchRow.id))
    )
    units = unit_names(
        session=session,
        ids={row.unit_id, row.owner_unit_id, row.suggested_unit_id, *(d.unit_id for d in dispatches)},
    )
    events = audit.history(session=session, refs=[("case", row.id)], by_time=False)
    updates = session.scalars(
        select(CaseUpdateRow).where(CaseUpdateRow.case_id == row.id).order_by(CaseUpdateRow.id)
    )
    item = session.get(ItemRow, row.item_id) if row.item_id is not None else None
    rules = load_rules()
    base.update(
        status_label=status_label(row.status),
        light=case_light(row, state, who.now),
        unit=units.get(row.unit_id) if row.unit_id else None,
        owner_unit=units.get(row.owner_unit_id) if row.owner_unit_id else None,
        suggested_unit=units.get(row.suggested_unit_id) if row.suggested_unit_id else None,
        low_confidence=row.review == "needs_review",
        review_below=rules.review_below,
        extension_workdays=row.extension_workdays,
        extension_reason=row.extension_reason,
        returned_count=row.returned_count,
        reopened_count=row.reopened_count,
        channel_label=rules.channels.get(row.channel, row.channel),
        item={"id": item.id, "text": item.text, "plan_id": item.plan_id} if item is not None else None,
        actions=actions_for(who, row),
        dispatches=[
            {
                "unit_id": d.unit_id,
                "unit": units.get(d.unit_id, str(d.unit_id)),
                "dispatched_at": d.dispatched_at,
                "response_due": d.response_due,
                "accepted_at": d.accepted_at,
                "accepted_in_time": d.accepted_in_time,
                "returned_at": d.returned_at,
                "return_reason": d.return_reason,
            }
            for d in dispatches
        ],
        events=[
            {
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "label": EVENT_LABELS.get(e.action, e.action),
                "reason": (e.after or {}).get("reason"),
            }
            for e in events
        ],
        updates=[{"at": u.at, "status": u.status, "description": u.description} for u in updates],
    )
    return base


def linked_cases(session: Session, who: Who, item_id: int) -> list[dict[str, Any]]:
    """The cases linked to a plan item (群众诉求), newest first; links only to cases ``who`` may open."""
    return [
        {
            "id": r.id,
            "title": r.title,
            "status_label": status_label(r.status),
            "received_at": r.received_at,
            "link": is_mine(who, r),
        }
        for r in flow.cases_for_item(session=session, item_id=item_id)
    ]


# ---- the list -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CaseFilter:
    """The list's filters (all optional)."""

    status: str | None = None
    unit: str | None = None
    category: str | None = None
    channel: str | None = None
    overdue: bool = False
    q: str | None = None
    page: int = 1


async def case_filter(
    status: str | None = None,
    unit: str | None = None,
    category: str | None = None,
    channel: str | None = None,
    overdue: bool = False,
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> CaseFilter:
    """The list's query parameters, for the API and the page alike (``Depends(case_filter)``); a
    blank value (an empty form select) is no filter."""
    return CaseFilter(
        status or None, unit or None, category or None, channel or None, overdue, q or None, page
    )


def check_filter(session: Session, f: CaseFilter) -> int | None:
    """The unit id the filter names; a bad value names its field (422)."""
    from duban.cases.models import CASE_STATUSES, CHANNELS

    if f.status and f.status not in CASE_STATUSES:
        raise ApiError(422, f"字段 status: 应为 {'/'.join(CASE_STATUSES)} 之一", "status")
    if f.channel and f.channel not in CHANNELS:
        raise ApiError(422, f"字段 channel: 应为 {'/'.join(CHANNELS)} 之一", "channel")
    if f.page < 1:
        raise ApiError(422, "字段 page: 应为不小于 1 的整数", "page")
    if not f.unit:
        return None
    unit = resolve_unit(session=session, name=f.unit)
    if unit is None:
        raise ApiError(422, f"字段 unit: 单位「{f.unit}」不存在", "unit")
    return unit.id


def list_cases(
    session: Session, who: Who, f: CaseFilter, state: ConsoleState
) -> tuple[list[dict[str, Any]], int]:
    """A page of cases ``who`` may see, newest first, and the total that match."""
    unit_id = check_filter(session, f)
    q = select(CaseRow)
    mine = my_unit(who)
    if who.role == "unit":
        q = q.where(or_(CaseRow.unit_id == mine, CaseRow.owner_unit_id == mine))
    if f.status:
        q = q.where(CaseRow.status == f.status)
    if unit_id is not None:
        q = q.where(or_(CaseRow.unit_id == unit_id, CaseRow.owner_unit_id == unit_id))
    if f.category:
        q = q.where(CaseRow.category == f.category)
    if f.channel:
        q = q.where(CaseRow.channel == f.channel)
    if f.overdue:
        q = q.where(CaseRow.status.in_(sorted(OPEN_STATUSES)), CaseRow.due_date < local_date(who.now))
    if f.q:
        like = f"%{f.q.strip()}%"
        q = q.where(or_(CaseRow.title.like(like), CaseRow.content.like(like), CaseRow.address.like(like)))
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = list(
        session.scalars(
            q.order_by(CaseRow.received_at.desc(), CaseRow.id.desc())
            .limit(PAGE_SIZE)
            .offset((f.page - 1) * PAGE_SIZE)
        )
    )
    units = unit_names(session=session, ids={u for r in rows for u in (r.unit_id, r.suggested_unit_id)})
    return [summary(r, who, units, case_light(r, state, who.now)) for r in rows], int(total)


# ---- writes -------------------------------------------------------------------------------------
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


def _unit_id(session: Session, unit: str | None, unit_id: int | None) -> int:
    if unit_id is not None:
        if get_unit(session=session, unit_id=unit_id) is None:
            raise ApiError(422, f"单位 {unit_id} 不存在", "unit_id")
        return unit_id
    if not unit or not unit.strip():
        raise ApiError(422, "派单须指定承办单位", "unit")
    row = resolve_unit(session=session, name=unit)
    if row is None:
        raise ApiError(422, f"单位「{unit}」不存在，请从列表中选择", "unit")
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
            target = _unit_id(session, unit, unit_id)
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
            target_unit = _unit_id(session, unit, unit_id) if (unit or unit_id is not None) else None
            return flow.confirm_category(**common, category=category or "", unit_id=target_unit)
        return flow.link_case_to_item(**common, item_id=item_id)
    except CaseNotFound as exc:
        raise ApiError(404, str(exc), exc.field) from None
    except FlowError as exc:
        raise ApiError(409, str(exc), exc.field) from None
    except CaseError as exc:
        raise ApiError(422, str(exc), exc.field) from None


# ---- hot topics and rates -------------------------------------------------------------------------
def hot(st: ConsoleState, who: Who, *, days: int, top: int) -> list[dict[str, Any]]:
    """Hot topics among the cases received in the last ``days`` days (cases.hot over up to 5,000
    stored cases). Clustering takes a while, so the answer is kept (like the board) until the
    ledger's version changes, for the current minute's window."""
    st.fresh_boards()
    key = ("hot", days, top, who.now.replace(second=0, microsecond=0))

    def compute() -> list[dict[str, Any]]:
        with session_scope(st.engine) as session:
            return _hot(session, who, days=days, top=top)

    found: list[dict[str, Any]] = st.board_cache.get_or_compute(key, compute)
    return found


def _hot(session: Session, who: Who, *, days: int, top: int) -> list[dict[str, Any]]:
    from duban.cases.hot import HotMessage, hot_topics  # sklearn loads only when asked

    since = who.now - timedelta(days=days)
    rows = session.execute(
        select(CaseRow.id, CaseRow.title, CaseRow.content, CaseRow.received_at)
        .where(CaseRow.received_at >= since, CaseRow.received_at <= who.now)
        .order_by(CaseRow.received_at.desc())
        .limit(5000)
    ).all()
    msgs = [HotMessage(id=str(i), subject=t or "", detail=c or "", at=at) for i, t, c, at in rows]
    topics = hot_topics(msgs, now=who.now, window_days=days, top=top)
    return [
        {
            "label": t.label,
            "keywords": t.keywords,
            "heat": t.heat,
            "count": t.count,
            "places": t.places,
            "mentions": t.mentions,
            "case_ids": [int(i) for i in t.message_ids],
            "first_at": t.first_at,
            "last_at": t.last_at,
        }
        for t in topics
    ]


def month_of(now: datetime, month: str | None) -> str:
    """The month asked for (YYYY-MM) or the current Beijing month; a bad value names ``month``."""
    import re

    if month is None or month == "":
        return local_date(now).strftime("%Y-%m")
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise ApiError(422, f"字段 month: 「{month}」不是月份（应为 2026-03）", "month")
    return month


def as_of(now: datetime) -> date:
    """The day the rates are counted at."""
    return local_date(now)
