"""Page: 督办看板 — lights by unit and section, overdue first, filters (htmx), completion chart."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import escape

from duban.db import session_scope
from duban.ledger.board import LIGHTS, BoardFilter, co_unit_rows
from duban.ledger.levels import government_lights
from duban.ledger.pace import paces_of
from duban.ledger.schemas import TickReport
from duban.ledger.source_board import source_counts
from duban.ledger.sources import load_sources
from duban.ledger.tick import tick
from duban.ledger.workflow import STATUSES
from duban.units.service import all_unit_names
from duban.web import notes, queries
from duban.web.board_view import board_answer, board_filter, compute_board
from duban.web.deps import DB, AnyUser, Office, Who, state_of
from duban.web.guards import unit_scope
from duban.web.render import templates

router = APIRouter(include_in_schema=False)


def _render(request: Request, who: Who, f: BoardFilter, partial: bool) -> str:
    st = state_of(request)
    view = compute_board(st, who, f, 100)
    chart = json.dumps(
        {
            "months": [p.month for p in view.series],
            "assigned": [p.assigned for p in view.series],
            "closed": [p.closed for p in view.series],
            "rate": [p.rate for p in view.series],
        },
        ensure_ascii=False,
    )
    scope = unit_scope(who)
    with session_scope(st.engine) as session:
        units = [] if scope is not None else all_unit_names(session=session, governments=who.governments)
        plans = queries.plan_ids(session=session, governments=who.governments)
        by_source = (
            []
            if partial
            else [
                c
                for c in source_counts(
                    session=session,
                    scope_unit=scope,
                    governments=who.governments,
                )
                if c.total
            ]
        )
        co_rows, co_total = co_unit_rows(session=session, unit_id=scope, limit=50) if scope else ([], 0)
        paces = paces_of(session, [r.duty_id for r in view.rows], calendar=st.calendar, now=who.now)
        by_government = (
            government_lights(session=session, government_id=who.account.government_id)
            if not partial and who.account is not None and who.role in ("office", "leader")
            else []
        )
    context: dict[str, Any] = {
        "view": view,
        "f": f,
        "chart": chart,
        "statuses": STATUSES,
        "lights": LIGHTS,
        "units": units,
        "plans": plans,
        "by_source": by_source,
        "by_government": by_government,
        "sources": [(s.key, s.label) for s in load_sources().values()],
        "co_rows": co_rows,
        "co_total": co_total,
        "paces": paces,
        "who": who,
        "account": who.account,
        "csrf": who.csrf,
    }
    name = "_board_body.html" if partial else "board.html"
    return templates.get_template(name).render(request=request, **context)


@router.get("/board")
async def board_page(
    request: Request,
    who: AnyUser,
    f: Annotated[BoardFilter, Depends(board_filter)],
) -> Response:
    partial = request.headers.get("hx-request") == "true"
    account = who.account
    assert account is not None
    key = ("page", account.id, who.csrf, f, partial)
    html = await board_answer(state_of(request), who, key, lambda: _render(request, who, f, partial).encode())
    note = None if partial else notes.take(request)
    if note:
        shown = f'<main>\n<p class="note" role="status">{escape(note)}</p>'
        html = html.replace(b"<main>", shown.encode(), 1)
    resp = HTMLResponse(html, headers={"Vary": "HX-Request, Cookie, Authorization"})
    notes.forget(request, resp)
    return resp


def tick_note(report: TickReport) -> str:
    """The note after a tick: what it did, and — never hidden — what failed and what is 暂定."""
    text = f"督办时钟已运行：评估 {report.evaluated} 项，新增动作 {report.new_actions} 个，亮灯变化 {report.light_changes} 项。"
    if report.failed:
        ids = "、".join(str(i) for i in report.failed[:10])
        text += f"有 {len(report.failed)} 项未能评估（事项 {ids}）：{'；'.join(report.errors[:3])}。"
    if report.provisional_years:
        years = "、".join(str(y) for y in report.provisional_years)
        text += f"{years} 年的工作日历为暂定，相关时限为暂定。"
    return text


@router.post("/tick")
def tick_page(request: Request, session: DB, who: Office) -> Response:
    st = state_of(request)
    report = tick(session=session, calendar=st.calendar, policy=st.policy, now=who.now)
    return notes.redirect(request, "/board", tick_note(report))
