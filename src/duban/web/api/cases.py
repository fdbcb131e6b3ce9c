"""API for the case hub (工单): list and details, 受理 through intake, one POST per flow action,
hot topics, the rates with their red and black lists, and the monthly 通报 as xlsx.

Access and the flow go through :mod:`duban.web.cases_view` (which calls :mod:`duban.cases.flow`);
errors are the console's ``{detail, field}``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from duban import access
from duban.cases.rates import bulletin_xlsx, rankings, rankings_json
from duban.cases.schemas import CaseCreate
from duban.db import Id
from duban.web import case_actions, case_list, case_reports, idempotency
from duban.web import cases_view as cv
from duban.web.deps import DB, AnyUser, Who, require, state_of
from duban.web.errors import ApiError, validation_detail
from duban.web.ledger_files import XLSX_TYPE
from duban.web.reach import units_in_reach
from duban.web.read_cache import remembered
from duban.web.schemas import Problem

router = APIRouter(
    tags=["cases"],
    responses={
        401: {"model": Problem},
        403: {"model": Problem},
        404: {"model": Problem},
        409: {"model": Problem},
        422: {"model": Problem},
    },
)

Intaker = Annotated[Who, Depends(require(*sorted(access.CASE_ACTION_ROLES["create"])))]
Watcher = Annotated[Who, Depends(require("office", "leader", "operator"))]
Writer = Annotated[Who, Depends(require("office", "unit", "operator"))]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IntakeBody(_Body):
    """A case as the operator (or the office) takes it in."""

    channel: str = "hotline_phone"
    case_type: str = "求助"
    urgent: bool = False
    title: str = Field(default="", max_length=200)
    content: str = Field(min_length=1, max_length=4000)
    citizen_name: str | None = Field(default=None, max_length=100)
    citizen_phone: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=300)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    category: str | None = Field(default=None, max_length=100)


class DispatchBody(_Body):
    unit: str | None = Field(default=None, max_length=100)
    unit_id: Id | None = None
    category: str | None = Field(default=None, max_length=100, description="确认分类（置信度低时必填）")


class ReasonBody(_Body):
    reason: str = Field(min_length=1, max_length=2000)


class SettleBody(_Body):
    reply: str = Field(min_length=1, max_length=4000)


class FollowUpBody(_Body):
    satisfaction: Literal["满意", "基本满意", "不满意"]


class ExtensionBody(_Body):
    workdays: int = Field(ge=1, le=30)
    reason: str = Field(min_length=1, max_length=2000)


class DecisionBody(_Body):
    approve: bool


class CategoryBody(_Body):
    category: str = Field(min_length=1, max_length=100)
    unit: str | None = Field(default=None, max_length=100)
    unit_id: Id | None = None


class LinkBody(_Body):
    item_id: Id | None


def case_create(fields: dict[str, Any], *, channel: str | None = None) -> CaseCreate:
    """The intake schema from checked fields; a bad value is a 422 naming its field."""
    data = {k: v for k, v in fields.items() if v not in (None, "")}
    if channel is not None:
        data["channel"] = channel
    try:
        return CaseCreate(**data)
    except ValidationError as exc:
        detail, field, _ = validation_detail(RequestValidationError(exc.errors()))
        raise ApiError(422, detail, field) from None


# ---- list, intake, hot topics, rates (fixed paths before /cases/{case_id}) ------------------------
@router.get("/cases")
@remembered()
def list_cases(
    request: Request,
    session: Session,
    who: AnyUser,
    f: Annotated[case_list.CaseFilter, Depends(case_list.case_filter)],
) -> dict[str, Any]:
    """Cases, newest first, 50 a page (a unit officer: only their unit's); phones masked by role."""
    items, total = case_list.list_cases(session, who, f, state_of(request))
    return {"items": items, "total": total, "page": f.page, "page_size": case_list.PAGE_SIZE}


@router.post("/cases", status_code=201, response_model=dict[str, Any])
def create_case(body: IntakeBody, request: Request, session: DB, who: Intaker) -> Response:
    """受理: classification, suggested unit (with its confidence) and duplicate search happen in intake.
    An ``Idempotency-Key`` header makes a retry return the first answer instead of a second case."""
    assert who.account is not None
    data = case_create(body.model_dump())
    pending = idempotency.begin(request, session, who=who, payload=body.model_dump())
    if not isinstance(pending, idempotency.Pending):
        return pending
    row = case_actions.take_in(request, session, who, data, who.account.name)
    return pending.json(cv.detail(session, row, who, state_of(request)), 201)


@router.get("/cases/hot")
@remembered("minute")
def hot_topics(
    request: Request,
    who: Watcher,
    days: Annotated[int, Query(ge=1, le=365)] = 30,
    top: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Hot topics (热点) of the cases received in the last ``days`` days, with places and people."""
    return {"days": days, "topics": case_reports.hot(state_of(request), who, days=days, top=top)}


@router.get("/cases/rates")
@remembered()
def rates(session: Session, who: AnyUser, month: str | None = None) -> dict[str, Any]:
    """The rates by unit for a month (default: this month), rankings and the red and black lists."""
    m = case_reports.month_of(who.now, month)
    ranks = rankings(session=session, month=m, as_of=case_reports.as_of(who.now), units=units_in_reach(who))
    rows = [r.as_dict() for k in ranks for r in (*k.ranked, *k.too_few)]
    return {"month": m, "as_of": case_reports.as_of(who.now), "rates": rows, **rankings_json(ranks)}


@router.get("/cases/report.xlsx")
def report_xlsx(session: DB, who: AnyUser, month: str | None = None) -> Response:
    """The monthly 通报 workbook (one sheet per unit class, red and black lists)."""
    return bulletin_response(session, who, month)


def bulletin_response(session: Any, who: Who, month: str | None) -> Response:
    """The 通报 xlsx as a download."""
    m = case_reports.month_of(who.now, month)
    ranks = rankings(session=session, month=m, as_of=case_reports.as_of(who.now), units=units_in_reach(who))
    name = quote(f"工单通报-{m}.xlsx")
    return Response(
        bulletin_xlsx(ranks, month=m),
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


# ---- one case ------------------------------------------------------------------------------------
@router.get("/cases/{case_id}")
@remembered()
def get_case(case_id: Id, request: Request, session: Session, who: AnyUser) -> dict[str, Any]:
    """A case with its timeline (events), dispatches, citizen updates and the actions open to you."""
    row = cv.check_case(request, session, who, case_id)
    return cv.detail(session, row, who, state_of(request))


def _act(request: Request, session: Any, who: Who, case_id: Id, action: str, **kw: Any) -> dict[str, Any]:
    row = case_actions.apply_action(request, session, who, case_id, action, **kw)
    return cv.detail(session, row, who, state_of(request))


@router.post("/cases/{case_id}/dispatch")
def dispatch(case_id: Id, body: DispatchBody, request: Request, session: DB, who: Writer) -> dict[str, Any]:
    """派单 (or re-dispatch after 退回) to a unit; a low-confidence case needs its category confirmed."""
    return _act(request, session, who, case_id, "dispatch", **body.model_dump())


@router.post("/cases/{case_id}/accept")
def accept(case_id: Id, request: Request, session: DB, who: Writer) -> dict[str, Any]:
    """签收 by the dispatched unit."""
    return _act(request, session, who, case_id, "accept")


@router.post("/cases/{case_id}/return")
def return_case(case_id: Id, body: ReasonBody, request: Request, session: DB, who: Writer) -> dict[str, Any]:
    """退回 with a reason."""
    return _act(request, session, who, case_id, "return", reason=body.reason)


@router.post("/cases/{case_id}/start")
def start(case_id: Id, request: Request, session: DB, who: Writer) -> dict[str, Any]:
    """办理: the unit starts work."""
    return _act(request, session, who, case_id, "start")


@router.post("/cases/{case_id}/settle")
def settle(case_id: Id, body: SettleBody, request: Request, session: DB, who: Writer) -> dict[str, Any]:
    """办结 with the reply to the citizen."""
    return _act(request, session, who, case_id, "settle", reply=body.reply)


@router.post("/cases/{case_id}/follow-up")
def follow_up(case_id: Id, body: FollowUpBody, request: Request, session: DB, who: Writer) -> dict[str, Any]:
    """回访: 满意/基本满意 closes the loop, 不满意 reopens the case (重办)."""
    return _act(request, session, who, case_id, "follow_up", satisfaction=body.satisfaction)


@router.post("/cases/{case_id}/redo")
def redo(case_id: Id, request: Request, session: DB, who: Writer) -> dict[str, Any]:
    """重办: the unit works on a reopened case again."""
    return _act(request, session, who, case_id, "redo")


@router.post("/cases/{case_id}/archive")
def archive(case_id: Id, request: Request, session: DB, who: Writer) -> dict[str, Any]:
    """归档 a followed-up case."""
    return _act(request, session, who, case_id, "archive")


@router.post("/cases/{case_id}/extension")
def request_extension(
    case_id: Id, body: ExtensionBody, request: Request, session: DB, who: Writer
) -> dict[str, Any]:
    """申请延期: the unit asks for more working days; nothing moves until the office approves."""
    return _act(
        request, session, who, case_id, "request_extension", workdays=body.workdays, reason=body.reason
    )


@router.post("/cases/{case_id}/extension/decision")
def decide_extension(
    case_id: Id, body: DecisionBody, request: Request, session: DB, who: Writer
) -> dict[str, Any]:
    """审批延期 (office): approve (the due date moves) or reject."""
    return _act(request, session, who, case_id, "decide_extension", approve=body.approve)


@router.post("/cases/{case_id}/category")
def confirm_category(
    case_id: Id, body: CategoryBody, request: Request, session: DB, who: Writer
) -> dict[str, Any]:
    """确认分类 (and optionally the suggested unit) of a case."""
    return _act(request, session, who, case_id, "confirm_category", **body.model_dump())


@router.post("/cases/{case_id}/link")
def link_item(case_id: Id, body: LinkBody, request: Request, session: DB, who: Writer) -> dict[str, Any]:
    """关联台账事项 (office): link the case to a plan item (``item_id`` null unlinks it)."""
    return _act(request, session, who, case_id, "link_item", item_id=body.item_id)
