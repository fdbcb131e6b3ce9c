"""Errors of the console: one JSON shape ``{"detail": ..., "field": ...}`` for the API, a Chinese
error page for the HTML pages. Validation errors (422) name the field at fault.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from duban.accounts.service import AccountError
from duban.ledger.errors import LedgerError, NotFound
from duban.ledger.workflow import WorkflowError
from duban.reading.model import ReadError
from duban.units.service import UnitError


class ApiError(HTTPException):
    """An HTTP error that names the field at fault (None when no single field is)."""

    def __init__(
        self, status_code: int, detail: str, field: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status_code=status_code, detail=detail, headers=headers)
        self.field = field


class LoginRequired(Exception):
    """No valid session or token: 401 for the API, a redirect to the login page for pages."""


_MESSAGES = {
    "missing": "必填",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true/false",
    "date_from_datetime_parsing": "应为日期 YYYY-MM-DD",
    "date_parsing": "应为日期 YYYY-MM-DD",
    "string_too_short": "不能为空",
    "literal_error": "取值无效",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
}


def wants_json(request: Request) -> bool:
    """API paths answer JSON; pages answer HTML."""
    return request.url.path.startswith("/api/")


def validation_detail(exc: RequestValidationError) -> tuple[str, str | None, list[dict[str, Any]]]:
    """(message, field, all errors) of a validation error; the field is the location without body/query."""
    errs = list(exc.errors())
    out: list[dict[str, Any]] = []
    for e in errs:
        loc = [str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path", "form", "header")]
        field = ".".join(loc) or None
        msg = _MESSAGES.get(str(e.get("type")), str(e.get("msg", "无效")))
        if e.get("type") == "literal_error":
            msg = f"取值无效，{e.get('msg', '')}"
        out.append({"field": field, "message": msg})
    if not out:
        return "请求无效", None, out
    first = out[0]
    label = f"字段 {first['field']}" if first["field"] else "请求体"
    return f"{label}: {first['message']}", first["field"], out


def _error_response(request: Request, status: int, detail: str, field: str | None, **extra: Any) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": detail, "field": field, **extra}, status_code=status)
    from duban.web.render import render_error

    return render_error(request, status=status, detail=detail, field=field)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        detail, field, errors = validation_detail(exc)
        return _error_response(request, 422, detail, field, errors=errors)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        if wants_json(request):
            return JSONResponse(
                {"detail": "请先登录（会话或 Bearer 令牌）", "field": None},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = request.url.path
        return RedirectResponse(f"/login?next={target}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        field = getattr(exc, "field", None)
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = "页面或资源不存在"
        elif exc.status_code == 405:
            detail = "不支持的请求方法"
        resp = _error_response(request, exc.status_code, detail, field)
        if exc.headers:
            resp.headers.update(exc.headers)
        return resp

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        return _error_response(request, 404, str(exc), None)

    @app.exception_handler(WorkflowError)
    async def _workflow(request: Request, exc: WorkflowError) -> Response:
        return _error_response(request, 409, str(exc), "status")

    @app.exception_handler(LedgerError)
    async def _ledger(request: Request, exc: LedgerError) -> Response:
        return _error_response(request, 400, str(exc), getattr(exc, "field", None))

    @app.exception_handler(UnitError)
    async def _unit(request: Request, exc: UnitError) -> Response:
        return _error_response(request, 400, str(exc), None)

    @app.exception_handler(AccountError)
    async def _account(request: Request, exc: AccountError) -> Response:
        return _error_response(request, 400, str(exc), exc.field)

    @app.exception_handler(ReadError)
    async def _read(request: Request, exc: ReadError) -> Response:
        return _error_response(request, 400, str(exc), "file")
