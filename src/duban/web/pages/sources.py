"""Pages: 来源清单 — duties by source, the office's upload of a source list; and the reply forms of
a suggestion's or proposal's duty page (答复 by the unit, 满意度 and 延期 by the office)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from duban.db import Day, Id
from duban.ledger import service
from duban.ledger.source_board import source_counts, source_rankings
from duban.ledger.sources import REPORT, load_sources
from duban.web import notes
from duban.web.deps import DB, AnyUser, Office, Unit, state_of
from duban.web.guards import check_duty, unit_scope
from duban.web.read_cache import remembered
from duban.web.render import page
from duban.web.sandbox import Limits
from duban.web.source_files import import_note, import_upload

router = APIRouter(include_in_schema=False)


@router.get("/sources")
@remembered()
def sources_page(request: Request, session: Session, who: AnyUser) -> Response:
    sources = [s for s in load_sources().values() if s.key != REPORT]
    plans = [p for p in service.list_plans(session=session) if p.source_kind != REPORT]
    return page(
        request,
        "sources.html",
        counts=source_counts(session=session, scope_unit=unit_scope(who), governments=who.governments),
        ranking=source_rankings(session=session, scope_unit=unit_scope(who), governments=who.governments),
        sources=sources,
        plans=plans if unit_scope(who) is None else [],
        labels={s.key: s.label for s in load_sources().values()},
    )


@router.post("/sources/import")
def import_page(
    request: Request,
    session: DB,
    who: Office,
    source: Annotated[str, Form(min_length=1, max_length=20)],
    file: Annotated[UploadFile, File()],
) -> Response:
    r = import_upload(
        session=session, who=who, source=source, file=file, limits=Limits.of(state_of(request).settings)
    )
    label = load_sources()[r.plan.source_kind].label
    return notes.redirect(request, f"/plans/{r.plan.id}", import_note(r, label))


def _back(request: Request, duty_id: int, note: str) -> Response:
    return notes.redirect(request, f"/duties/{duty_id}", note)


@router.post("/duties/{duty_id}/reply")
def reply_page(
    duty_id: Id,
    request: Request,
    session: DB,
    who: Unit,
    text: Annotated[str, Form(min_length=1, max_length=5000)],
) -> Response:
    check_duty(request, session, who, duty_id, lead_only=True)
    assert who.account is not None
    r = service.reply(session=session, duty_id=duty_id, text=text, actor=who.account.name, now=who.now)
    return _back(request, duty_id, f"第 {r.round} 次答复已提交，等待督查室记录满意度。")


@router.post("/duties/{duty_id}/satisfaction")
def satisfaction_page(
    duty_id: Id,
    request: Request,
    session: DB,
    who: Office,
    satisfaction: Annotated[Literal["满意", "基本满意", "不满意"], Form()],
    opinion: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_duty(request, session, who, duty_id)
    assert who.account is not None
    st = state_of(request)
    r = service.rate(
        session=session, duty_id=duty_id, satisfaction=satisfaction, opinion=opinion or None,
        actor=who.account.name, now=who.now, calendar=st.calendar, policy=st.policy,
    )  # fmt: skip
    if r.satisfaction is None:
        return _back(request, duty_id, f"答复不满意，已退回重办；第 {r.round} 次答复时限 {r.due}。")
    return _back(request, duty_id, f"答复{satisfaction}，已销号办结。")


@router.post("/duties/{duty_id}/extension")
def extension_page(
    duty_id: Id,
    request: Request,
    session: DB,
    who: Office,
    due: Annotated[Day, Form()],
    reason: Annotated[str, Form(min_length=1, max_length=500)],
) -> Response:
    check_duty(request, session, who, duty_id)
    assert who.account is not None
    r = service.extend(
        session=session, duty_id=duty_id, due=due, reason=reason, actor=who.account.name, now=who.now
    )
    return _back(request, duty_id, f"已批准延期：第 {r.round} 次答复时限延至 {r.due}。")
