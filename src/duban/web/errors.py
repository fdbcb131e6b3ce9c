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
from duban.clock.calendar import CalendarGap
from duban.ledger.errors import LedgerError, NotFound
from duban.ledger.workflow import WorkflowError
from duban.monitoring.rules import MonitoringError
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
    "finite_number": "应为有限的数（不能是 NaN 或无穷大）",
    "string_too_long": "过长",
    "too_long": "条目过多",
    "string_type": "应为文字",
    "int_type": "应为整数",
    "float_type": "应为数字",
    "list_type": "应为列表",
    "int_from_float": "应为整数",
    "date_from_datetime_inexact": "应为日期 YYYY-MM-DD",
}


_MESSAGES.update(
    {
        "string_too_long": "太长（最多 {max_length} 个字符）",
        "too_short": "太少（至少 {min_length} 项）",
        "too_long": "太多（最多 {max_length} 项）",
        "greater_than_equal": "不能小于 {ge}",
        "less_than_equal": "不能大于 {le}",
        "greater_than": "应大于 {gt}",
        "less_than": "应小于 {lt}",
        "int_from_float": "应为整数",
        "int_type": "应为整数",
        "float_type": "应为数字",
        "string_type": "应为文字",
        "bool_type": "应为 true/false",
        "list_type": "应为列表",
        "finite_number": "应为有限的数字",
        "datetime_parsing": "应为日期时间，如 2023-06-30T09:00:00+08:00",
        "datetime_from_date_parsing": "应为日期时间，如 2023-06-30T09:00:00+08:00",
        "date_type": "应为日期 YYYY-MM-DD",
        "enum": "取值无效，应为 {expected} 之一",
        "extra_forbidden": "不认识的字段",
        "string_pattern_mismatch": "格式不对",
        "url_parsing": "不是有效的网址",
        "uuid_parsing": "不是有效的 UUID",
        "value_error": "取值无效",
        "model_type": "应为 JSON 对象",
        "int_parsing_size": "数字太大",
    }
)

FIELD_LABELS = {
    "unit": "牵头单位",
    "co_units": "配合单位",
    "major": "重大事项",
    "leader": "责任领导",
    "item_ids": "待分办事项",
    "item_id": "事项",
    "duty_id": "督办事项",
    "plan_id": "计划",
    "case_id": "工单",
    "text": "进展情况",
    "share": "完成比例",
    "figure": "完成值",
    "evidence": "佐证材料",
    "reason": "理由",
    "decision": "审核意见",
    "grade": "评定等次",
    "due": "完成时限",
    "milestones": "节点",
    "name": "名称",
    "password": "密码",
    "month": "月份",
    "year": "年份",
    "file": "文件",
    "checked": "已核对",
    "token": "上传凭据",
    "content": "诉求内容",
    "title": "标题",
    "channel": "渠道",
    "case_type": "诉求类型",
    "urgent": "紧急",
    "citizen_name": "姓名",
    "citizen_phone": "电话",
    "address": "地址",
    "category": "分类",
    "reply": "答复",
    "satisfaction": "回访结果",
    "workdays": "延期工作日",
    "approve": "审批意见",
    "action": "操作",
    "light": "灯色",
    "status": "状态",
    "role": "角色",
    "page": "页码",
    "limit": "每页条数",
    "start_date": "开始日期",
    "end_date": "结束日期",
    "user_id": "用户",
    "active": "启用状态",
    "source": "来源",
    "opinion": "代表委员意见",
    # 防返贫监测 (the monitoring list)
    "household_id": "监测户",
    "measure_id": "帮扶措施",
    "county": "县（市、区）",
    "township": "乡镇",
    "village": "村",
    "head_name": "户主姓名",
    "id_number": "身份证号",
    "phone": "联系电话",
    "members": "家庭人口",
    "household_type": "监测对象类别",
    "risks": "风险类型",
    "risk": "风险类型",
    "found_by": "识别方式",
    "found_on": "识别日期",
    "income_per_person": "人均纯收入",
    "resp_unit": "帮扶责任单位",
    "visitor": "走访人",
    "measure_type": "帮扶措施类型",
    "note": "说明",
    "visited_on": "走访日期",
    "risk_resolved": "风险已化解",
    "publish": "同意公开",
    "idempotency_key": "幂等键",
    "Idempotency-Key": "幂等键",
    "code": "查询码",
    "to": "下级政府",
    "government": "政府",
}
"""The Chinese name of each form and query field a person may get wrong (shown next to it)."""


def field_label(field: str | None) -> str:
    """The Chinese name of a field (its last part; the name itself when unknown).

    >>> field_label("share"), field_label("milestones.0.due"), field_label(None)
    ('完成比例', '完成时限', '')
    """
    if not field:
        return ""
    parts = [p for p in field.split(".") if not p.isdigit()]
    return FIELD_LABELS.get(parts[-1] if parts else field, field)


def _message(e: dict[str, Any]) -> str:
    """The Chinese message of one pydantic error, its limits filled in."""
    kind = str(e.get("type"))
    template = _MESSAGES.get(kind)
    if template is None:
        return "取值无效"
    ctx = e.get("ctx") or {}
    try:
        return template.format(**{k: v for k, v in ctx.items()})
    except (KeyError, IndexError, ValueError):
        return template.split("（")[0].split("，")[0]


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
        msg = _message(e)
        if e.get("type") == "literal_error":
            expected = (e.get("ctx") or {}).get("expected", "")
            msg = f"取值无效，应为 {expected}" if expected else "取值无效"
        out.append({"field": field, "message": msg})
    if not out:
        return "请求无效", None, out
    first = out[0]
    label = field_label(first["field"]) if first["field"] else "请求体"
    return f"{label}：{first['message']}", first["field"], out


def error_response(request: Request, status: int, detail: str, field: str | None, **extra: Any) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": detail, "field": field, **extra}, status_code=status)
    from duban.web.render import render_error

    return render_error(request, status=status, detail=detail, field=field)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        detail, field, errors = validation_detail(exc)
        return error_response(request, 422, detail, field, errors=errors)

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
        resp = error_response(request, exc.status_code, detail, field)
        if exc.headers:
            resp.headers.update(exc.headers)
        return resp

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        return error_response(request, 404, str(exc), None)

    @app.exception_handler(WorkflowError)
    async def _workflow(request: Request, exc: WorkflowError) -> Response:
        return error_response(request, 409, str(exc), "status")

    @app.exception_handler(LedgerError)
    async def _ledger(request: Request, exc: LedgerError) -> Response:
        return error_response(request, 400, str(exc), getattr(exc, "field", None))

    @app.exception_handler(UnitError)
    async def _unit(request: Request, exc: UnitError) -> Response:
        return error_response(request, 400, str(exc), None)

    @app.exception_handler(AccountError)
    async def _account(request: Request, exc: AccountError) -> Response:
        return error_response(request, 400, str(exc), exc.field)

    @app.exception_handler(MonitoringError)
    async def _monitoring(request: Request, exc: MonitoringError) -> Response:
        return error_response(request, exc.status, str(exc), exc.field)

    @app.exception_handler(CalendarGap)
    async def _calendar_gap(request: Request, exc: CalendarGap) -> Response:
        return error_response(request, 422, str(exc).split("：")[0] + "：日期超出工作日历的范围", None)

    @app.exception_handler(ReadError)
    async def _read(request: Request, exc: ReadError) -> Response:
        return error_response(request, 400, str(exc), "file")
