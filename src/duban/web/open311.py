"""The GeoReport v2 server (Open311): a FastAPI ``router`` the console mounts at ``/open311/v2``.

The HTTP side of the Open311 adapter; what it reads and writes (the service catalog, request
validation, the documents, updates mapped onto the case flow) is in :mod:`duban.cases.open311`.

``services.{fmt}``, ``services/{code}.{fmt}``, ``POST requests.{fmt}`` (``api_key`` = a duban API
token; form-encoded or JSON body), ``GET requests.{fmt}`` with the spec's filters,
``requests/{id}.{fmt}`` (and swagger's ``request/{id}.{fmt}``), ``tokens/{token}.{fmt}`` and
``servicerequestupdates.{fmt}`` (GET, and POST: a comment, or a settle / reopen by an
authorised account, :mod:`duban.cases.open311.updates`). ``fmt`` is ``json`` or
``xml``. Every error is the spec's error list with its HTTP status; a rejected POST stores nothing.
Handlers answer errors themselves, so the console's own error format never leaks in here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from duban.accounts.service import token_account
from duban.cases import track_code
from duban.cases.flow import OPEN_STATUSES
from duban.cases.intake import intake
from duban.cases.models import CaseRow, CaseStatus, CaseUpdateRow
from duban.cases.open311 import updates
from duban.cases.open311.catalog import load_services
from duban.cases.open311.serialize import (
    definition_doc,
    error_doc,
    posted_doc,
    public_request_doc,
    public_update_doc,
    request_doc,
    service_doc,
    to_xml,
    token_doc,
    update_doc,
)
from duban.cases.open311.validate import (
    LIMITS,
    collect,
    parse_when,
    split_list,
    validate_post,
    validate_update,
)
from duban.cases.rules import CaseError, CaseNotFound
from duban.db import session_scope
from duban.units.service import unit_names
from duban.web import idempotency
from duban.web.deps import Who, state_of
from duban.web.errors import ApiError
from duban.web.open311_access import Refused, full_view, idempotency_key, published

router = APIRouter(tags=["Open311 GeoReport v2"])

FORMATS = ("json", "xml")
DEFAULT_WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
CLOSED = [s.value for s in CaseStatus if s.value not in OPEN_STATUSES]


def _render(kind: str, fmt: str, docs: Any, status: int = 200) -> Response:
    if fmt == "xml":
        return Response(to_xml(kind, docs), status_code=status, media_type="text/xml; charset=utf-8")
    return JSONResponse(docs, status_code=status)


def _errors(fmt: str, status: int, descriptions: Iterable[str]) -> Response:
    docs = [error_doc(status, d) for d in descriptions]
    return _render("errors", fmt if fmt in FORMATS else "json", docs, status)


def _split(name: str) -> tuple[str, str]:
    """``"12.json"`` → ("12", "json"); the format is the part after the last dot."""
    stem, dot, fmt = name.rpartition(".")
    return (stem, fmt.lower()) if dot else (name, "")


def _bad_format(fmt: str) -> Response | None:
    if fmt in FORMATS:
        return None
    return _errors("json", 400, [f"不支持的格式 {fmt!r}：应为 json 或 xml（如 services.json）"])


def _request_docs(
    request: Request, session: Session, rows: list[CaseRow], *, full: bool = True
) -> list[dict[str, Any]]:
    services = load_services()
    units = unit_names(session=session, ids={r.owner_unit_id or r.unit_id for r in rows})
    calendar = state_of(request).calendar
    doc = request_doc if full else public_request_doc
    return [doc(r, services=services, units=units, calendar=calendar) for r in rows]


# ---- services -----------------------------------------------------------------------------------
@router.get("/services.{fmt}")
def get_services(fmt: str) -> Response:
    """The service list."""
    fmt = fmt.lower()
    return _bad_format(fmt) or _render("services", fmt, [service_doc(s) for s in load_services().values()])


@router.get("/services/{name}")
def get_service_definition(name: str) -> Response:
    """One service's definition (its attributes)."""
    code, fmt = _split(name)
    if (bad := _bad_format(fmt)) is not None:
        return bad
    service = load_services().get(code)
    if service is None:
        return _errors(fmt, 404, [f"service_code {code!r} 不存在"])
    return _render("definition", fmt, definition_doc(service))


# ---- requests -----------------------------------------------------------------------------------
def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} 不是数值")


async def _arguments(request: Request) -> tuple[list[tuple[str, Any]], str | None]:
    """The POST arguments from the query string and the body (form-encoded or JSON), or an error."""
    items: list[tuple[str, Any]] = list(request.query_params.multi_items())
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        try:
            body = json.loads(await request.body() or b"{}", parse_constant=_no_constant)
        except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError, NaN, too deep
            return items, "请求体不是有效的 JSON（或嵌套过深、含 NaN/Infinity）"
        if not isinstance(body, dict):
            return items, "JSON 请求体应为对象（键为参数名）"
        items.extend(body.items())
    elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        items.extend((k, v) for k, v in form.multi_items() if isinstance(v, str))
    elif ctype and (await request.body()):
        return (
            items,
            f"不支持的请求体类型 {ctype}：应为 application/x-www-form-urlencoded 或 application/json",
        )
    return items, None


@router.post("/requests.{fmt}")
async def post_request(fmt: str, request: Request) -> Response:
    """Create a service request; ``api_key`` required. Nothing is stored when anything is wrong."""
    fmt = fmt.lower()
    if (bad := _bad_format(fmt)) is not None:
        return bad
    items, problem = await _arguments(request)
    if problem:
        return _errors(fmt, 400, [problem])
    plain, attrs = collect(items)
    api_key = plain.get("api_key")
    if not api_key:
        return _errors(fmt, 400, ["缺少 api_key：提交服务请求须提供 API 密钥"])
    if not isinstance(api_key, str) or len(api_key) > LIMITS["api_key"]:
        return _errors(fmt, 403, ["api_key 无效"])
    posted = validate_post(plain, attrs, load_services())
    try:
        key = idempotency_key(request, plain)
    except ApiError as exc:
        return _errors(fmt, exc.status_code, [exc.detail])
    payload = sorted((str(k), json.dumps(v, sort_keys=True, default=str)) for k, v in items)
    # the database work runs in the thread pool: the event loop stays free for other requests
    return await run_in_threadpool(_store_request, request, fmt, api_key, posted, key, payload)


def _store_request(
    request: Request, fmt: str, api_key: str, posted: Any, key: str | None, payload: Any
) -> Response:
    state = state_of(request)
    now = state.clock()
    with session_scope(state.engine) as session:
        account = token_account(session=session, token=api_key, now=now)
        if account is None:
            return _errors(fmt, 403, ["api_key 无效或已撤销"])
        if posted.case is None:
            return _errors(fmt, 400, posted.errors)
        who = Who(account, "api_key", None, now)
        try:
            pending = idempotency.begin(request, session, who=who, payload=payload, key=key)
        except ApiError as exc:
            return _errors(fmt, exc.status_code, [exc.detail])
        if not isinstance(pending, idempotency.Pending):
            return pending
        try:
            row = intake(
                session=session,
                data=posted.case,
                actor=f"{account.name[:91]}（Open311）",
                now=now,
                calendar=state.calendar,
                policy=state.case_policy,
                unit_cache=state.case_units,
            )
        except CaseError as exc:
            session.rollback()
            return _errors(fmt, 400, [str(exc)])
        resp = _render("posted", fmt, [posted_doc(row)])
        pending.store(resp)
    return resp


@router.get("/requests.{fmt}")
def get_requests(
    fmt: str,
    request: Request,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
    api_key: str | None = None,
) -> Response:
    """Requests by id list, or by service codes, dates (default: the last 90 days) and status.
    Anonymous callers see only published cases, coarsened, with tracking codes as ids; an API key
    of the office, an operator or a leader sees every case in full."""
    fmt = fmt.lower()
    if (bad := _bad_format(fmt)) is not None:
        return bad
    state = state_of(request)
    with session_scope(state.engine) as session:
        try:
            full = full_view(request, session, api_key)
        except Refused:
            return _errors(fmt, 403, ["api_key 无效或已撤销"])
    errors: list[str] = []
    q = select(CaseRow)
    if not full:
        q = published(q)
    ids = split_list(service_request_id)
    if ids and full:
        if not all(i.isdigit() and len(i) < 12 for i in ids):
            return _errors(fmt, 400, ["service_request_id 应为以逗号分隔的数字编号"])
        q = q.where(CaseRow.id.in_([int(i) for i in ids]))  # the id list overrides every other filter
    elif ids:
        codes = [track_code.normalize(i) for i in ids]
        if not all(track_code.is_valid(c) for c in codes):
            return _errors(fmt, 400, ["service_request_id 应为以逗号分隔的查询码（8 位）"])
        q = q.where(CaseRow.track_code.in_(codes))
    else:
        start = parse_when("start_date", start_date, errors)
        end = parse_when("end_date", end_date, errors)
        statuses = split_list(status)
        if any(s not in ("open", "closed") for s in statuses):
            errors.append(f"status 应为 open 或 closed（可逗号分隔），实为 {status!r}")
        if errors:
            return _errors(fmt, 400, errors)
        if start is None and end is None:
            start = state_of(request).clock() - DEFAULT_WINDOW
        if start is not None:
            q = q.where(CaseRow.received_at >= start)
        if end is not None:
            q = q.where(CaseRow.received_at <= end)
        codes = split_list(service_code)
        if codes:
            q = q.where(CaseRow.service_code.in_(codes))
        if set(statuses) == {"open"}:
            q = q.where(CaseRow.status.in_(sorted(OPEN_STATUSES)))
        elif set(statuses) == {"closed"}:
            q = q.where(CaseRow.status.in_(CLOSED))
    with session_scope(state.engine) as session:
        rows = list(
            session.scalars(q.order_by(CaseRow.received_at.desc(), CaseRow.id.desc()).limit(MAX_RESULTS))
        )
        return _render("requests", fmt, _request_docs(request, session, rows, full=full))


def _one_request(name: str, request: Request, api_key: str | None) -> Response:
    rid, fmt = _split(name)
    if (bad := _bad_format(fmt)) is not None:
        return bad
    with session_scope(state_of(request).engine) as session:
        try:
            full = full_view(request, session, api_key)
        except Refused:
            return _errors(fmt, 403, ["api_key 无效或已撤销"])
        if full:
            if not rid.isdigit() or len(rid) > 12:
                return _errors(fmt, 400, [f"service_request_id {rid!r} 应为数字编号"])
            row = session.get(CaseRow, int(rid))
        else:  # a tracking code; unpublished, unknown and malformed ids are the same 404
            code = track_code.normalize(rid)
            found = published(select(CaseRow).where(CaseRow.track_code == code))
            row = session.scalar(found) if track_code.is_valid(code) else None
        if row is None:
            return _errors(fmt, 404, [f"服务请求 {rid[:40]} 不存在或未公开"])
        return _render("requests", fmt, _request_docs(request, session, [row], full=full))


@router.get("/requests/{name}")
def get_request(name: str, request: Request, api_key: str | None = None) -> Response:
    """One request, as a list of one: by tracking code (``requests/ABCD2345.json``), or by id for an
    API key of the office, an operator or a leader."""
    return _one_request(name, request, api_key)


@router.get("/request/{name}", include_in_schema=False)
def get_request_swagger_path(name: str, request: Request, api_key: str | None = None) -> Response:
    """The same, at the path the official swagger file names."""
    return _one_request(name, request, api_key)


@router.get("/tokens/{name}")
def get_token(name: str, request: Request) -> Response:
    """The request id a token stands for."""
    token, fmt = _split(name)
    if (bad := _bad_format(fmt)) is not None:
        return bad
    with session_scope(state_of(request).engine) as session:
        row = session.scalar(select(CaseRow).where(CaseRow.token == token))
        if row is None:
            return _errors(fmt, 404, [f"token {token[:40]!r} 不存在"])
        doc = token_doc(row)
        try:
            full = full_view(request, session, None)
        except Refused:
            full = False
        if not full:  # the public id is the tracking code
            doc["service_request_id"] = row.track_code
        return _render("tokens", fmt, [doc])


# ---- servicerequestupdates ------------------------------------------------------------------------
@router.get("/servicerequestupdates.{fmt}")
def get_updates(
    fmt: str,
    request: Request,
    start_date: str | None = None,
    end_date: str | None = None,
    api_key: str | None = None,
) -> Response:
    """Updates of requests between two times (default: the last 90 days); anonymous callers see
    only those of published cases, masked, by tracking code."""
    fmt = fmt.lower()
    if (bad := _bad_format(fmt)) is not None:
        return bad
    errors: list[str] = []
    start = parse_when("start_date", start_date, errors)
    end = parse_when("end_date", end_date, errors)
    if errors:
        return _errors(fmt, 400, errors)
    state = state_of(request)
    q = select(CaseUpdateRow, CaseRow.track_code).join(CaseRow, CaseRow.id == CaseUpdateRow.case_id)
    q = q.where(CaseUpdateRow.at >= (start or state.clock() - DEFAULT_WINDOW))
    if end is not None:
        q = q.where(CaseUpdateRow.at <= end)
    with session_scope(state.engine) as session:
        try:
            full = full_view(request, session, api_key)
        except Refused:
            return _errors(fmt, 403, ["api_key 无效或已撤销"])
        if not full:
            q = published(q)
        rows = session.execute(q.order_by(CaseUpdateRow.at, CaseUpdateRow.id).limit(MAX_RESULTS)).all()
        docs = [update_doc(u) if full else public_update_doc(u, code) for u, code in rows]
        return _render("updates", fmt, docs)


@router.post("/servicerequestupdates.{fmt}")
async def post_update(fmt: str, request: Request) -> Response:
    """An update of a request (``api_key``, ``service_request_id``, ``description``, optional
    ``status`` and ``media_url``): a settle or reopen when the key's account may take that step and
    the flow allows it (else 400, nothing stored), otherwise a comment. See :mod:`.updates`."""
    fmt = fmt.lower()
    if (bad := _bad_format(fmt)) is not None:
        return bad
    items, problem = await _arguments(request)
    if problem:
        return _errors(fmt, 400, [problem])
    plain: Mapping[str, Any] = dict(items)
    api_key = plain.get("api_key")
    if not isinstance(api_key, str) or not api_key:
        return _errors(fmt, 400, ["缺少 api_key"])
    posted = validate_update(plain)
    return await run_in_threadpool(_store_update, request, fmt, api_key, posted)


def _store_update(request: Request, fmt: str, api_key: str, posted: Any) -> Response:
    state = state_of(request)
    now: datetime = state.clock()
    with session_scope(state.engine) as session:
        account = token_account(session=session, token=api_key, now=now)
        if account is None:
            return _errors(fmt, 403, ["api_key 无效或已撤销"])
        if posted.errors:
            return _errors(fmt, 400, posted.errors)
        try:
            update = updates.post_update(
                session=session, case_id=posted.case_id, description=posted.description,
                status=posted.status, media_url=posted.media_url, actor=f"{account.name[:91]}（Open311）",
                role=account.role, unit_id=account.unit_id, now=now,
            )  # fmt: skip
        except CaseNotFound:
            session.rollback()
            return _errors(fmt, 404, [f"服务请求 {posted.case_id} 不存在"])
        except CaseError as exc:
            session.rollback()
            return _errors(fmt, 400, [str(exc)])
        doc = update_doc(update)
    return _render("updates", fmt, [doc])
