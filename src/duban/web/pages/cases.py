"""Pages: 工单 — the case list with lights by due date, a case's page (timeline, reply and the forms
for what the viewer may do), the operator's 受理 form, 热点 (hot topics) and 排名/通报 (rates,
red and black lists, the monthly xlsx).

Every write goes through :func:`duban.web.cases_view.apply_action` or intake, like the JSON API.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from duban import access
from duban.cases.models import CASE_STATUSES, CASE_TYPES, CHANNELS, SATISFACTION
from duban.cases.rates import RATE_LABELS, rankings
from duban.cases.rules import load_rules
from duban.db import Id
from duban.ledger.tick import LIGHT_LABELS
from duban.units.service import all_unit_names
from duban.web import case_actions, case_list, case_reports, notes
from duban.web import cases_view as cv
from duban.web.api.cases import bulletin_response, case_create
from duban.web.deps import DB, AnyUser, Who, require, state_of
from duban.web.errors import ApiError
from duban.web.reach import units_in_reach
from duban.web.read_cache import remembered
from duban.web.render import page

ACTION_NOTES = {
    "dispatch": "工单已派发。",
    "accept": "工单已签收。",
    "return": "工单已退回。",
    "start": "已开始办理。",
    "settle": "工单已办结，等待回访。",
    "follow_up": "回访结果已记录。",
    "redo": "工单已重新交办。",
    "archive": "工单已归档。",
    "request_extension": "延期申请已提交。",
    "decide_extension": "延期申请已审批。",
    "confirm_category": "分类已确认。",
    "recall": "已召回智能派单的工单，请人工确认分类后重新派单。",
}
"""The note shown after each action on the case page."""

router = APIRouter(include_in_schema=False)

Intaker = Annotated[Who, Depends(require(*sorted(access.CASE_ACTION_ROLES["create"])))]
Watcher = Annotated[Who, Depends(require("office", "leader", "operator"))]


def _labels() -> dict[str, Any]:
    rules = load_rules()
    return {
        "status_labels": {s: cv.status_label(s) for s in CASE_STATUSES},
        "channel_labels": rules.channels,
        "action_labels": cv.ACTION_LABELS,
        "light_labels": LIGHT_LABELS,
    }


@router.get("/cases")
@remembered()
def cases_page(
    request: Request,
    session: Session,
    who: AnyUser,
    f: Annotated[case_list.CaseFilter, Depends(case_list.case_filter)],
) -> Response:
    items, total = case_list.list_cases(session, who, f, state_of(request))
    pages = max(1, (total + case_list.PAGE_SIZE - 1) // case_list.PAGE_SIZE)
    units = all_unit_names(session=session) if who.role != "unit" else []
    keep = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]

    def url(n: int) -> str | None:
        return "/cases?" + urlencode([*keep, ("page", str(n))]) if 1 <= n <= pages else None

    return page(
        request,
        "cases.html",
        prev_url=url(f.page - 1),
        next_url=url(f.page + 1),
        items=items,
        total=total,
        f=f,
        pages=pages,
        units=units,
        statuses=CASE_STATUSES,
        channels=CHANNELS,
        **_labels(),
    )


@router.get("/cases/new")
def new_case_page(request: Request, who: Intaker) -> Response:
    return page(request, "case_new.html", channels=CHANNELS, case_types=CASE_TYPES, form={}, **_labels())


@router.post("/cases/new")
def new_case(
    request: Request,
    session: DB,
    who: Intaker,
    content: Annotated[str, Form(min_length=1, max_length=4000)],
    title: Annotated[str, Form(max_length=200)] = "",
    channel: Annotated[str, Form()] = "hotline_phone",
    case_type: Annotated[str, Form()] = "求助",
    urgent: Annotated[bool, Form()] = False,
    citizen_name: Annotated[str, Form(max_length=100)] = "",
    citizen_phone: Annotated[str, Form(max_length=40)] = "",
    address: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    assert who.account is not None
    data = case_create(
        {
            "content": content,
            "title": title,
            "channel": channel,
            "case_type": case_type,
            "urgent": urgent,
            "citizen_name": citizen_name,
            "citizen_phone": citizen_phone,
            "address": address,
        }
    )
    row = case_actions.take_in(request, session, who, data, who.account.name)
    return notes.redirect(request, f"/cases/{row.id}?new=1", f"工单 {row.id} 已受理。")


@router.get("/cases/hot")
@remembered("minute")
def hot_page(
    request: Request,
    who: Watcher,
    days: Annotated[int, Query(ge=1, le=365)] = 30,
) -> Response:
    topics = case_reports.hot(state_of(request), who, days=days, top=20)
    return page(request, "hot.html", topics=topics, days=days)


@router.get("/cases/rates")
@remembered()
def rates_page(request: Request, session: Session, who: AnyUser, month: str | None = None) -> Response:
    m = case_reports.month_of(who.now, month)
    ranks = rankings(session=session, month=m, as_of=case_reports.as_of(who.now), units=units_in_reach(who))
    rules = load_rules()
    months = case_reports.month_choices(who.now, m)
    return page(
        request, "rates.html", month=m, months=months, ranks=ranks, rate_labels=RATE_LABELS, rules=rules
    )


@router.get("/cases/report.xlsx")
def report_page(session: DB, who: AnyUser, month: str | None = None) -> Response:
    return bulletin_response(session, who, month)


@router.get("/cases/{case_id}")
@remembered()
def case_page(case_id: Id, request: Request, session: Session, who: AnyUser, new: bool = False) -> Response:
    row = cv.check_case(request, session, who, case_id)
    d = cv.detail(session, row, who, state_of(request))
    units = all_unit_names(session=session) if set(d["actions"]) & {"dispatch", "confirm_category"} else []
    return page(request, "case.html", c=d, units=units, satisfaction=SATISFACTION, new=new, **_labels())


def _int(raw: str, field: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise ApiError(422, f"字段 {field}: 应为整数", field)
    return int(raw)


@router.post("/cases/{case_id}/action")
def case_action(
    case_id: Id,
    request: Request,
    session: DB,
    who: AnyUser,
    action: Annotated[str, Form(max_length=40)],
    unit: Annotated[str, Form(max_length=100)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    reply: Annotated[str, Form(max_length=4000)] = "",
    satisfaction: Annotated[str, Form(max_length=10)] = "",
    workdays: Annotated[str, Form(max_length=10)] = "",
    approve: Annotated[str, Form(max_length=10)] = "",
    category: Annotated[str, Form(max_length=100)] = "",
    item_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """One form per action on the case page; the action names which."""
    if action == "return" and not reason.strip():
        raise ApiError(422, "退回须写明理由", "reason")
    if action == "recall" and not reason.strip():
        raise ApiError(422, "召回须写明理由", "reason")
    if action == "settle" and not reply.strip():
        raise ApiError(422, "办结须填写给来电人的答复", "reply")
    if action == "follow_up" and satisfaction not in SATISFACTION:
        raise ApiError(422, f"回访结果应为 {'/'.join(SATISFACTION)} 之一", "satisfaction")
    if action == "decide_extension" and approve not in ("true", "false"):
        raise ApiError(422, "须选择批准或不予批准", "approve")
    case_actions.apply_action(
        request,
        session,
        who,
        case_id,
        action,
        unit=unit.strip() or None,
        reason=reason.strip() or None,
        reply=reply.strip() or None,
        satisfaction=satisfaction or None,
        workdays=_int(workdays, "workdays"),
        approve=approve == "true" if approve else None,
        category=category.strip() or None,
        item_id=_int(item_id, "item_id"),
    )
    return notes.redirect(request, f"/cases/{case_id}", ACTION_NOTES.get(action, "已保存。"))
