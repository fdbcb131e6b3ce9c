"""API of the sources of duties: the board by source, a source list's import, and the replies of
suggestions and proposals (the unit replies; the office records satisfaction and extensions)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from duban.db import Day, Id
from duban.ledger import service
from duban.ledger.source_board import SourceCount, UnitRank, source_counts, source_rankings
from duban.ledger.sources import load_sources
from duban.web.deps import DB, AnyUser, Office, Unit, state_of
from duban.web.errors import ApiError
from duban.web.guards import check_duty, unit_scope
from duban.web.read_cache import remembered
from duban.web.sandbox import Limits
from duban.web.schemas import Problem
from duban.web.source_files import DutySource, ImportResult, duty_source, import_upload

router = APIRouter(
    tags=["sources"],
    responses={
        401: {"model": Problem},
        403: {"model": Problem},
        404: {"model": Problem},
        422: {"model": Problem},
    },
)


class ReplyBody(BaseModel):
    text: str = Field(min_length=1, max_length=5000)


class SatisfactionBody(BaseModel):
    satisfaction: Literal["满意", "基本满意", "不满意"]
    opinion: str | None = Field(default=None, max_length=2000)


class ExtensionBody(BaseModel):
    due: Day
    reason: str = Field(min_length=1, max_length=500)


@router.get("/board/sources", response_model=list[SourceCount])
@remembered()
def board_sources(session: Session, who: AnyUser) -> list[SourceCount]:
    """Duties by source (政府工作报告, 上级交办, 批示, 议定事项, 建议, 提案): lights, overdue, replies, satisfaction."""
    return source_counts(
        session=session,
        scope_unit=unit_scope(who),
        governments=who.governments,
    )


@router.get("/board/sources/ranking", response_model=list[UnitRank])
@remembered()
def board_source_ranking(session: Session, who: AnyUser, source: str | None = None) -> list[UnitRank]:
    """Lead units ranked within each source (or the one named): fewest overdue/red, most closed, most satisfied."""
    if source and source not in load_sources():
        raise ApiError(422, f"字段 source: 应为 {'/'.join(load_sources())} 之一", "source")
    return source_rankings(
        session=session,
        source=source or None,
        scope_unit=unit_scope(who),
        governments=who.governments,
    )


@router.post("/sources/import", response_model=ImportResult, status_code=201)
def import_source_list(
    request: Request,
    session: DB,
    who: Office,
    source: Annotated[str, Form(min_length=1, max_length=20)],
    file: Annotated[UploadFile, File()],
) -> ImportResult:
    """Import a source's xlsx list (all or nothing); rows are assigned by 承办单位 or the routing rules."""
    r = import_upload(
        session=session, who=who, source=source, file=file, limits=Limits.of(state_of(request).settings)
    )
    return ImportResult(
        plan_id=r.plan.id, created=r.created, source=r.plan.source_kind, rows=r.rows,
        assigned=len(r.assigned), needs_person=r.needs_person,
    )  # fmt: skip


@router.get("/duties/{duty_id}/replies", response_model=DutySource)
@remembered()
def get_replies(duty_id: Id, request: Request, session: Session, who: AnyUser) -> DutySource:
    """A duty's source, its list fields and its reply rounds (答复, 满意度, 延期)."""
    check_duty(request, session, who, duty_id)
    return duty_source(session=session, duty_id=duty_id)


@router.post("/duties/{duty_id}/reply", response_model=DutySource)
def post_reply(duty_id: Id, body: ReplyBody, request: Request, session: DB, who: Unit) -> DutySource:
    """答复 by the lead unit: the duty asks for closure and waits for the satisfaction."""
    check_duty(request, session, who, duty_id, lead_only=True)
    assert who.account is not None
    service.reply(session=session, duty_id=duty_id, text=body.text, actor=who.account.name, now=who.now)
    return duty_source(session=session, duty_id=duty_id)


@router.post("/duties/{duty_id}/satisfaction", response_model=DutySource)
def post_satisfaction(
    duty_id: Id, body: SatisfactionBody, request: Request, session: DB, who: Office
) -> DutySource:
    """满意度 recorded by the office: 满意/基本满意 closes the duty, 不满意 reopens it (重办)."""
    check_duty(request, session, who, duty_id)
    assert who.account is not None
    st = state_of(request)
    service.rate(
        session=session, duty_id=duty_id, satisfaction=body.satisfaction, opinion=body.opinion,
        actor=who.account.name, now=who.now, calendar=st.calendar, policy=st.policy,
    )  # fmt: skip
    return duty_source(session=session, duty_id=duty_id)


@router.post("/duties/{duty_id}/extension", response_model=DutySource)
def post_extension(
    duty_id: Id, body: ExtensionBody, request: Request, session: DB, who: Office
) -> DutySource:
    """延期 approved by the office: the current round's reply due date moves later (logged)."""
    check_duty(request, session, who, duty_id)
    assert who.account is not None
    service.extend(
        session=session,
        duty_id=duty_id,
        due=body.due,
        reason=body.reason,
        actor=who.account.name,
        now=who.now,
    )
    return duty_source(session=session, duty_id=duty_id)
