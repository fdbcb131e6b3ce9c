"""The console's views of a case: who may see and do what with it (the roles come from the
access table, :mod:`duban.access`), the phone masked unless the viewer must call back, the
case's light, its line in the list and its page with history and the actions offered.

The list and its filters are in :mod:`duban.web.case_list`, the writes (intake and flow actions)
in :mod:`duban.web.case_actions`, hot topics and the rates' dates in
:mod:`duban.web.case_reports`. A unit officer asking for another unit's case gets 404 and an
``access_denied`` event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from duban import access
from duban.audit import service as audit
from duban.cases import flow
from duban.cases.auto_dispatch import auto_dispatched_in
from duban.cases.flow import STATUS_LABELS
from duban.cases.models import CaseRow, CaseStatus, CaseUpdateRow, DispatchRow
from duban.cases.rules import can_see_phone, load_rules, mask_phone
from duban.cases.schemas import CaseRead
from duban.cases.tick import case_clock
from duban.clock.calendar import CalendarGap
from duban.clock.evaluate import evaluate
from duban.ledger.models import ItemRow
from duban.units.service import unit_names
from duban.web.deps import Who
from duban.web.errors import ApiError
from duban.web.guards import log_denied
from duban.web.reach import case_in_reach
from duban.web.state import ConsoleState

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
    "recall": "召回智能派单",
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
    "recall": frozenset({CaseStatus.DISPATCHED.value}),  # only an auto-dispatch: see detail()
}


def status_label(status: str) -> str:
    """The Chinese name of a case status.

    >>> status_label("dispatched")
    '派单'
    """
    return STATUS_LABELS[CaseStatus(status)]


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
    """The case when ``who`` may see it (and take ``action``); 404 (logged for a foreign unit or
    government) or 403."""
    row = session.get(CaseRow, case_id)
    if row is None:
        raise ApiError(404, f"工单 {case_id} 不存在", "case_id")
    mine = is_mine(who, row) and case_in_reach(session, row.id, who)
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
        actions=[a for a in actions_for(who, row) if a != "recall" or auto_dispatched_in(events)],
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
