"""Pages for citizens (no login): 我要反映 (``/report``) hands a case in through the same intake as
the hotline (channel ``hotline_web``), and ``/track/{token}`` shows its status and reply with the
phone masked. The token is the case's Open311 token (``/open311/v2/tokens/{token}.json`` names
the same case); the number shown is its Open311 ``service_request_id``.

The form carries a double-submit CSRF token in its own cookie (signing in clears the login
form's, which would expire a report form open in another tab). One address
may hand in ``report_rate`` cases (5 per 10 minutes unless set; see ``duban.web.throttle``);
more get the form back with 429, what was typed kept, and nothing stored.
"""

from __future__ import annotations

import re
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from duban.cases.models import CaseRow, CaseUpdateRow
from duban.cases.open311.serialize import open311_status
from duban.cases.rules import mask_phone
from duban.web import case_actions, throttle
from duban.web import cases_view as cv
from duban.web.api.cases import case_create
from duban.web.deps import DB, Public
from duban.web.errors import ApiError
from duban.web.render import page

router = APIRouter(include_in_schema=False)

CITIZEN = "市民（网上反映）"
REPORT_CSRF_COOKIE = "duban_report_csrf"
_PHONE = re.compile(r"^\+?[\d\- ]{5,20}$")
_TOKEN = re.compile(r"^[0-9a-f]{8,40}$")


def _form(request: Request, status: int = 200, error: str | None = None, **values: str) -> Response:
    token = request.cookies.get(REPORT_CSRF_COOKIE) or secrets.token_urlsafe(24)
    resp = page(request, "report.html", status=status, report_csrf=token, error=error, v=values)
    resp.set_cookie(REPORT_CSRF_COOKIE, token, httponly=True, samesite="strict", max_age=3600)
    return resp


@router.get("/report")
def report_form(request: Request, who: Public) -> Response:
    return _form(request)


@router.post("/report")
def report(
    request: Request,
    session: DB,
    who: Public,
    title: Annotated[str, Form(min_length=1, max_length=200)],
    content: Annotated[str, Form(min_length=1, max_length=4000)],
    address: Annotated[str, Form(max_length=300)] = "",
    citizen_name: Annotated[str, Form(max_length=100)] = "",
    citizen_phone: Annotated[str, Form(max_length=40)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    cookie = request.cookies.get(REPORT_CSRF_COOKIE, "")
    values = {"title": title, "content": content, "address": address, "citizen_name": citizen_name}
    if not cookie or not csrf_token or not secrets.compare_digest(cookie, csrf_token):
        return _form(request, 403, "页面已过期，请重新提交", **values, citizen_phone=citizen_phone)
    wait = throttle.report_wait(request, session)
    if wait:
        minutes = max(1, round(wait / 60))
        resp = _form(request, 429, f"提交过于频繁，请约 {minutes} 分钟后再试；紧急情况请拨打 12345",
                     **values, citizen_phone=citizen_phone)  # fmt: skip
        resp.headers["Retry-After"] = str(int(wait) + 1)
        return resp
    phone = citizen_phone.strip()
    if phone and not _PHONE.match(phone):
        raise ApiError(422, "字段 citizen_phone: 联系电话应为 5 到 20 位数字（可含 - 或 +）", "citizen_phone")
    data = case_create({**values, "citizen_phone": phone, "case_type": "求助"}, channel="hotline_web")
    row = case_actions.take_in(request, session, who, data, CITIZEN)
    throttle.report_hit(request, session)
    return RedirectResponse(f"/track/{row.token}", status_code=303)


@router.get("/track/{token}")
def track(token: str, request: Request, session: DB, who: Public) -> Response:
    if not _TOKEN.match(token):
        raise ApiError(404, "没有这个查询码的诉求", "token")
    row = session.scalar(select(CaseRow).where(CaseRow.token == token))
    if row is None:
        raise ApiError(404, "没有这个查询码的诉求", "token")
    updates = list(
        session.scalars(
            select(CaseUpdateRow).where(CaseUpdateRow.case_id == row.id).order_by(CaseUpdateRow.id)
        )
    )
    return page(
        request,
        "track.html",
        c=row,
        phone=mask_phone(row.citizen_phone),
        open311=open311_status(row.status),
        status_text=cv.status_label(row.status),
        updates=updates,
    )
