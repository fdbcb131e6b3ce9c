"""Jinja2 rendering of the pages: the environment, Chinese labels, and the error page."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.responses import Response

from duban.access import ROLE_LABELS
from duban.clock.calendar import SHANGHAI
from duban.ledger.tick import LIGHT_LABELS
from duban.ledger.workflow import STATUS_LABELS, DutyStatus
from duban.web import notes

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))

KIND_LABELS = {"target": "目标", "achievement": "成绩", "task": "任务"}
BOUND_LABELS = {"about": "左右", "at_least": "以上", "at_most": "以内", "exact": ""}
STATE_LABELS = {"done": "已完成", "done_late": "逾期完成", "open": "未到期", "overdue": "已逾期"}
ACTION_LABELS = {
    "load": "导入计划",
    "assign": "交办",
    "override": "改派",
    "create": "新建",
    "update": "修改",
    "deploy": "研究部署",
    "feedback": "反馈进展",
    "request_closure": "申请办结",
    "close": "销号",
    "return": "退回",
    "set_due": "调整时限",
    "set_milestones": "设置节点",
    "complete": "完成节点",
    "light": "亮灯变化",
    "access_denied": "越权访问被拒",
    "action:remind": "催办",
    "action:circular": "通报",
    "action:report_due": "应报送进展",
    "tick": "时钟评估",
    "set_parent": "调整上级单位",
    "hand_down": "下交下级政府",
    "child_closed": "下级办结，申请销号",
    "reopen": "上级退回，重新办理",
}
ENTITY_ACTION_LABELS = {
    ("progress", "create"): "报送进展",
    ("duty", "create"): "生成督办事项",
    ("duty", "feedback"): "反馈进展",
    ("item", "access_denied"): "越权访问被拒",
}


def event_label(entity: str, action: str) -> str:
    """A Chinese label for an event.

    >>> event_label("progress", "create")
    '报送进展'
    >>> event_label("duty", "return")
    '退回'
    """
    return ENTITY_ACTION_LABELS.get((entity, action)) or ACTION_LABELS.get(action, action)


def local(ts: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An aware datetime shown in Beijing time.

    >>> from datetime import UTC
    >>> local(datetime(2023, 6, 15, 2, 0, tzinfo=UTC))
    '2023-06-15 10:00'
    """
    if ts is None:
        return ""
    return ts.astimezone(SHANGHAI).strftime(fmt)


def status_label(status: str | None) -> str:
    if not status:
        return "未交办"
    try:
        return STATUS_LABELS[DutyStatus(status)]
    except ValueError:
        return status


def light_label(light: str | None) -> str:
    if light == "closed":
        return "已销号"
    return LIGHT_LABELS.get(light or "grey", "灰灯")


def highlight(text: str, quote: str | None) -> Markup:
    """``text`` with the first occurrence of ``quote`` marked.

    >>> str(highlight("今年增长5%左右。", "增长5%左右"))
    '今年<mark>增长5%左右</mark>。'
    """
    if quote and quote in text and quote != text:
        i = text.index(quote)
        return (
            escape(text[:i])
            + Markup("<mark>")
            + escape(quote)
            + Markup("</mark>")
            + escape(text[i + len(quote) :])
        )
    return Markup("<mark>") + escape(text) + Markup("</mark>") if quote == text and text else escape(text)


def _num(v: float) -> str:
    """A number as a person writes it, large ones in 万/亿.

    >>> [_num(v) for v in (6.0, 186530000000.0, 45000.0, 0.5)]
    ['6', '1865.3亿', '4.5万', '0.5']
    """
    a = abs(v)
    if a >= 1e8:
        return f"{v / 1e8:.6g}亿"
    if a >= 1e4:
        return f"{v / 1e4:.6g}万"
    return f"{v:.6g}"


def figure(value: float | None, unit: str | None, bound: str | None, high: float | None = None) -> str:
    """A figure as a person writes it.

    >>> figure(5.0, "%", "about")
    '5%左右'
    >>> figure(1e11, "元", "at_least", None)
    '1000亿元以上'
    >>> figure(2.0, "rank", "exact")
    '第2位'
    """
    if value is None:
        return ""
    if unit == "rank":
        return f"第{value:g}位"
    if unit == "%":
        text = f"{value:.6g}" + (f"–{high:.6g}" if high is not None else "") + "%"
    else:
        text = _num(value) + (f"–{_num(high)}" if high is not None else "") + (unit or "")
    return text + BOUND_LABELS.get(bound or "exact", "")


templates.env.globals.update(
    role_labels=ROLE_LABELS,
    kind_labels=KIND_LABELS,
    state_labels=STATE_LABELS,
    action_labels=ACTION_LABELS,
)
templates.env.filters.update(
    status_label=status_label, light_label=light_label, highlight=highlight, figure=figure, local=local
)
templates.env.globals["event_label"] = event_label


def page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    """Render a page with the signed-in account and its CSRF token in the context."""
    who = getattr(request.state, "who", None)
    context.setdefault("who", who)
    context.setdefault("account", who.account if who else None)
    context.setdefault("csrf", who.csrf if who else None)
    context.setdefault("note", notes.take(request))
    resp = templates.TemplateResponse(request, name, context, status_code=status)
    notes.forget(request, resp)
    return resp


def render_error(request: Request, *, status: int, detail: str, field: str | None) -> Response:
    """The Chinese error page (its ``data-field``/``data-detail`` let a form show the message
    next to the field instead, keeping what was typed: static/forms.js)."""
    from duban.web.errors import field_label

    return page(
        request,
        "error.html",
        status=status,
        detail=detail,
        field=field,
        field_label=field_label(field),
        status_code=status,
    )
