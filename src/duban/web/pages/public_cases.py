"""Pages for citizens (no login): 我要反映 (``/report``) hands a case in through the same intake as
the hotline (channel ``hotline_web``), and ``/track`` finds it again by its tracking code (查询码,
8 characters with a check character, :mod:`duban.cases.track_code`) or by the old 24-hex link
``/track/{token}``. The tracking page shows the status, the reply and the updates — never the
citizen's name or phone.

The report form carries a double-submit CSRF token in its own cookie (signing in clears the login
form's, which would expire a report form open in another tab) and an idempotency key it generates
(a hidden field): sending the form twice — a double click, a retry after a lost answer — gives the
first answer and one case. A consent box 「同意公开」 (off by default) sets ``cases.publish``: only
then does the case appear, coarsened, on Open311's anonymous list (:mod:`duban.cases.privacy`).

One address may hand in ``report_rate`` cases (5 per 10 minutes unless set) and look up
:data:`TRACK_RATE` codes (see ``duban.web.throttle``); more get 429 with Retry-After.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from duban.accounts import throttle as counts
from duban.cases import privacy, track_code
from duban.cases.models import CaseRow, CaseUpdateRow
from duban.cases.open311.serialize import open311_status
from duban.web import case_actions, idempotency, throttle
from duban.web import cases_view as cv
from duban.web.api.cases import case_create
from duban.web.deps import DB, Public
from duban.web.errors import ApiError
from duban.web.render import page

router = APIRouter(include_in_schema=False)

CITIZEN = "市民（网上反映）"
REPORT_CSRF_COOKIE = "duban_report_csrf"
_PHONE = re.compile(r"^\+?[\d\- ]{5,20}$")
_TOKEN = re.compile(r"^[0-9a-f]{24}$")
TRACK_RATE = (30, 600.0)
"""Lookups of tracking codes one address may make: 30 per 10 minutes."""
BAD_CODE = "查询码有误，请核对"
NOT_FOUND = "未找到"


def _form(request: Request, status: int = 200, error: str | None = None, **values: str) -> Response:
    token = request.cookies.get(REPORT_CSRF_COOKIE) or secrets.token_urlsafe(24)
    key = values.pop("idempotency_key", "") or secrets.token_urlsafe(18)
    resp = page(request, "report.html", status=status, report_csrf=token, idem_key=key, error=error, v=values)
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
    publish: Annotated[str, Form(max_length=10)] = "",
    idempotency_key: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    cookie = request.cookies.get(REPORT_CSRF_COOKIE, "")
    values = {"title": title, "content": content, "address": address, "citizen_name": citizen_name,
              "citizen_phone": citizen_phone, "publish": publish}  # fmt: skip
    if not cookie or not csrf_token or not secrets.compare_digest(cookie, csrf_token):
        return _form(request, 403, "页面已过期，请重新提交", **values)
    phone = citizen_phone.strip()
    if phone and not _PHONE.match(phone):
        raise ApiError(422, "字段 citizen_phone: 联系电话应为 5 到 20 位数字（可含 - 或 +）", "citizen_phone")
    consent = publish in ("on", "1", "true", "yes")
    data = case_create({**values, "citizen_phone": phone, "case_type": "求助", "publish": consent},
                       channel="hotline_web")  # fmt: skip
    pending = idempotency.begin(request, session, who=who, payload=values, key=idempotency_key or None)
    if not isinstance(pending, idempotency.Pending):
        return pending
    wait = throttle.report_wait(request, session)
    if wait:
        session.rollback()  # the key is not used up: the same form may be sent again later
        minutes = max(1, round(wait / 60))
        resp = _form(request, 429, f"提交过于频繁，请约 {minutes} 分钟后再试；紧急情况请拨打 12345",
                     **values, idempotency_key=idempotency_key)  # fmt: skip
        resp.headers["Retry-After"] = str(int(wait) + 1)
        return resp
    row = case_actions.take_in(request, session, who, data, CITIZEN)
    throttle.report_hit(request, session)
    return pending.redirect(f"/track/{row.track_code}")


def _track_wait(request: Request, session: Session) -> float:
    """Seconds this address must wait before its next lookup; counts this one when it may go on."""
    key, now = throttle.client_address(request), time.time()
    wait = counts.window_wait(session=session, scope="track", key=key, limit=TRACK_RATE[0],
                              window=TRACK_RATE[1], now=now)  # fmt: skip
    if not wait:
        counts.hit(session=session, scope="track", key=key, now=now, window=TRACK_RATE[1])
    return wait


def _lookup_form(request: Request, status: int, error: str | None, code: str = "") -> Response:
    return page(request, "track_lookup.html", status=status, error=error, code=code)


def _find(request: Request, session: Session, text: str) -> CaseRow | Response:
    """The case a code or an old link names, or the lookup form with what is wrong."""
    wait = _track_wait(request, session)
    if wait:
        resp = _lookup_form(request, 429, f"查询过于频繁，请约 {max(1, round(wait / 60))} 分钟后再试", text)
        resp.headers["Retry-After"] = str(int(wait) + 1)
        return resp
    if _TOKEN.match(text):
        row = session.scalar(select(CaseRow).where(CaseRow.token == text))
    else:
        code = track_code.normalize(text)
        if not track_code.is_valid(code):
            return _lookup_form(request, 400, BAD_CODE, text[:40])
        row = session.scalar(select(CaseRow).where(CaseRow.track_code == code))
    if row is None:
        return _lookup_form(request, 404, NOT_FOUND, text[:40])
    return row


def _track_page(request: Request, session: Session, row: CaseRow) -> Response:
    updates = list(
        session.scalars(
            select(CaseUpdateRow).where(CaseUpdateRow.case_id == row.id).order_by(CaseUpdateRow.id)
        )
    )
    return page(
        request,
        "track.html",
        c=row,
        place=privacy.coarse_address(row.address),
        open311=open311_status(row.status),
        status_text=cv.status_label(row.status),
        updates=updates,
    )


@router.get("/track")
def track_lookup(request: Request, session: DB, who: Public, code: str | None = None) -> Response:
    """The lookup form; with ``code`` (the form's box), the case or what is wrong."""
    if code is None or not code.strip():
        return _lookup_form(request, 200, None)
    got = _find(request, session, code.strip()[:60])
    return got if isinstance(got, Response) else _track_page(request, session, got)


@router.get("/track/{token}")
def track(token: str, request: Request, session: DB, who: Public) -> Response:
    """A case by its tracking code or its old 24-hex link."""
    got = _find(request, session, token.strip()[:60])
    return got if isinstance(got, Response) else _track_page(request, session, got)
