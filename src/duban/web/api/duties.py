"""API for duties: list, details with the clock, progress, closure request, review, events."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.orm import Session

from duban.db import Id, session_scope
from duban.ledger import service
from duban.ledger.board import BoardFilter, co_unit_rows
from duban.ledger.schemas import DutyRead, EventRead, EvidenceRead, MilestoneRead, ProgressPage, ProgressRead
from duban.units.service import unit_id_of
from duban.web import idempotency, queries
from duban.web.board_view import board_answer, board_filter, compute_board
from duban.web.deps import DB, AnyUser, Office, Unit, Who, state_of
from duban.web.errors import ApiError
from duban.web.evidence_files import evidence_response, read_limited
from duban.web.guards import check_duty, scoped, unit_scope
from duban.web.queries import cached_duty
from duban.web.read_cache import remembered
from duban.web.schemas import (
    ClosureBody,
    DueBody,
    DutyDetail,
    DutyListPage,
    MilestonesBody,
    PaceView,
    Problem,
    ProgressBody,
    ReviewBody,
)
from duban.web.state import ConsoleState

router = APIRouter(
    tags=["duties"],
    responses={
        401: {"model": Problem},
        403: {"model": Problem},
        404: {"model": Problem},
        422: {"model": Problem},
    },
)


@router.get("/duties", response_model=DutyListPage)
async def list_duties(
    request: Request,
    who: AnyUser,
    f: Annotated[BoardFilter, Depends(board_filter)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    co_unit: bool = False,
) -> Response:
    """Open duties, most overdue first (a unit officer: only their unit's). ``co_unit=true``: the
    open duties the unit works on as a co-unit (配合单位) instead — a unit officer's own unit, or
    for others the unit named by ``unit``."""
    st = state_of(request)
    if co_unit:
        co = await run_in_threadpool(_co_unit_json, st, who, f, limit)
        return Response(co, media_type="application/json")
    # the board's rows, from the board's cache (recomputed when the ledger changes)
    f = scoped(who, f)  # the account's 辖区 is part of the key: a county never reads a city's rows
    key = ("duties.json", unit_scope(who), f, limit)

    def compute() -> bytes:
        view = compute_board(st, who, f, limit)
        return LIST_JSON.to_json(DutyListPage(items=view.rows, total=view.rows_total))

    return Response(await board_answer(st, who, key, compute), media_type="application/json")


LIST_JSON = DutyListPage.__pydantic_serializer__


def _co_unit_json(st: ConsoleState, who: Who, f: BoardFilter, limit: int) -> bytes:
    with session_scope(st.engine) as session:
        scope = unit_scope(who)
        if scope is None:
            if not f.unit:
                raise ApiError(422, "字段 unit: 查询配合事项须指定单位", "unit")
            scope = unit_id_of(session=session, name=f.unit)
            if scope is None:
                raise ApiError(422, f"字段 unit: 没有单位「{f.unit}」", "unit")
        rows, total = co_unit_rows(session=session, unit_id=scope, limit=limit)
        return LIST_JSON.to_json(DutyListPage(items=rows, total=total))


@router.get("/duties/{duty_id}", response_model=DutyDetail)
@remembered()
def get_duty(duty_id: Id, request: Request, who: AnyUser) -> Response:
    """A duty with its item, units, milestones, progress and what the clock says now."""
    _facts, body = cached_duty(request, who, duty_id)
    return Response(body, media_type="application/json")


@router.get("/duties/{duty_id}/progress", response_model=ProgressPage)
@remembered()
def list_progress(duty_id: Id, request: Request, who: AnyUser) -> Response:
    """A duty's progress reports, oldest first."""
    facts, _body = cached_duty(request, who, duty_id)
    items = facts.detail.progress
    return Response(
        PROGRESS_JSON.to_json(ProgressPage(items=items, total=len(items))), media_type="application/json"
    )


PROGRESS_JSON = ProgressPage.__pydantic_serializer__


@router.post("/duties/{duty_id}/progress", response_model=ProgressRead, status_code=201)
def add_progress(duty_id: Id, body: ProgressBody, request: Request, session: DB, who: Unit) -> Response:
    """进展反馈 by an officer of the lead unit or of a co-unit (配合单位, reporting its part);
    an ``Idempotency-Key`` header makes a retry return the first answer."""
    check_duty(request, session, who, duty_id)
    assert who.account is not None
    pending = idempotency.begin(request, session, who=who, payload=body.model_dump())
    if not isinstance(pending, idempotency.Pending):
        return pending
    p = service.add_progress(
        session=session,
        duty_id=duty_id,
        text=body.text,
        figure=body.figure,
        share=body.share,
        evidence=body.evidence,
        results=[r.model_dump() for r in body.results],
        actor=who.account.name,
        now=who.now,
    )
    return pending.json(ProgressRead.model_validate(p), 201)


@router.get("/duties/{duty_id}/pace", response_model=PaceView)
@remembered()
def duty_pace(duty_id: Id, request: Request, who: AnyUser) -> PaceView:
    """序时进度: the share done (完成值 against targets, else the reported share) against the share
    of the period gone in working days, read as 超进度 / 达进度 / 欠进度 / 已完成."""
    facts, _body = cached_duty(request, who, duty_id)
    p = queries.detail_pace(facts=facts, now=who.now)
    return PaceView(done=p.done, elapsed=p.elapsed, key=p.key, label=p.label)


@router.get("/duties/{duty_id}/evidence", response_model=list[EvidenceRead])
@remembered()
def list_evidence(duty_id: Id, request: Request, session: Session, who: AnyUser) -> list[EvidenceRead]:
    """A duty's evidence files (佐证材料): name, type, size, SHA-256, who and when."""
    check_duty(request, session, who, duty_id)
    return [EvidenceRead.model_validate(e) for e in service.list_evidence(session=session, duty_id=duty_id)]


@router.post("/duties/{duty_id}/evidence", response_model=EvidenceRead, status_code=201)
async def upload_evidence(
    duty_id: Id, request: Request, session: DB, who: Unit, file: Annotated[UploadFile | None, File()] = None
) -> Response:
    """Upload one evidence file (multipart ``file``; pdf/docx/xlsx/jpg/png, ≤ 10 MB, checked by
    content); an ``Idempotency-Key`` header makes a retry return the first answer."""
    check_duty(request, session, who, duty_id)  # the row guard first: another unit learns nothing
    assert who.account is not None
    if file is None:
        raise ApiError(422, "字段 file: 请选择要上传的佐证材料", "file")
    content = await read_limited(file)
    payload = {"name": file.filename or "", "sha256": hashlib.sha256(content).hexdigest()}
    pending = idempotency.begin(request, session, who=who, payload=payload)
    if not isinstance(pending, idempotency.Pending):
        return pending
    row = service.add_evidence(
        session=session,
        duty_id=duty_id,
        name=file.filename or "",
        content=content,
        actor=who.account.name,
        now=who.now,
    )
    return pending.json(EvidenceRead.model_validate(row), 201)


@router.get("/duties/{duty_id}/evidence/{evidence_id}", response_class=Response)
def download_evidence(duty_id: Id, evidence_id: Id, request: Request, session: DB, who: AnyUser) -> Response:
    """The file itself, for those who may see the duty (others: 404, logged as access_denied)."""
    check_duty(request, session, who, duty_id)
    return evidence_response(service.get_evidence(session=session, duty_id=duty_id, evidence_id=evidence_id))


@router.post("/duties/{duty_id}/closure-request", response_model=DutyRead)
def request_closure(duty_id: Id, body: ClosureBody, request: Request, session: DB, who: Unit) -> DutyRead:
    """申请办结 by the lead unit's officer (with an optional closing report); a co-unit gets 403."""
    check_duty(request, session, who, duty_id, lead_only=True)
    assert who.account is not None
    duty = service.request_closure(
        session=session, duty_id=duty_id, actor=who.account.name, now=who.now, text=body.text or None
    )
    return DutyRead.model_validate(duty)


@router.post("/duties/{duty_id}/review", response_model=DutyRead)
def review(duty_id: Id, body: ReviewBody, request: Request, session: DB, who: Office) -> DutyRead:
    """督查室 review of a closure request: approve (销号, graded) or return (退回, with a reason)."""
    check_duty(request, session, who, duty_id)
    if body.decision == "return" and not (body.reason or "").strip():
        raise ApiError(422, "字段 reason: 退回须写明理由", "reason")
    st = state_of(request)
    assert who.account is not None
    duty = service.review_closure(
        session=session,
        duty_id=duty_id,
        decision=body.decision,
        reason=body.reason,
        grade=body.grade,
        actor=who.account.name,
        now=who.now,
        calendar=st.calendar,
        policy=st.policy,
    )
    return DutyRead.model_validate(duty)


@router.put("/duties/{duty_id}/due", response_model=DutyRead)
def set_due(duty_id: Id, body: DueBody, request: Request, session: DB, who: Office) -> DutyRead:
    """调整完成时限 (督查室); the clock and light follow at the next tick."""
    check_duty(request, session, who, duty_id)
    assert who.account is not None
    duty = service.set_due(
        session=session, duty_id=duty_id, due=body.due, actor=who.account.name, now=who.now
    )
    return DutyRead.model_validate(duty)


@router.put("/duties/{duty_id}/milestones", response_model=list[MilestoneRead])
def set_milestones(
    duty_id: Id, body: MilestonesBody, request: Request, session: DB, who: Office
) -> list[MilestoneRead]:
    """设置节点 of a major duty (督查室): replaces the user-set milestones."""
    check_duty(request, session, who, duty_id)
    assert who.account is not None
    rows = service.set_milestones(
        session=session, duty_id=duty_id, milestones=body.milestones, actor=who.account.name, now=who.now
    )
    return [MilestoneRead.model_validate(m) for m in rows]


@router.post("/duties/{duty_id}/milestones/{name}/done", response_model=MilestoneRead)
def complete_milestone(duty_id: Id, name: str, request: Request, session: DB, who: AnyUser) -> MilestoneRead:
    """节点完成: by the lead unit's officer or the 督查室."""
    if who.role not in ("office", "unit"):
        raise ApiError(403, "只有牵头单位或督查室可以确认节点完成", None)
    check_duty(request, session, who, duty_id, lead_only=True)
    assert who.account is not None
    m = service.complete_milestone(
        session=session, duty_id=duty_id, name=name, actor=who.account.name, now=who.now
    )
    return MilestoneRead.model_validate(m)


@router.get("/duties/{duty_id}/events", response_model=list[EventRead])
@remembered()
def duty_events(duty_id: Id, request: Request, session: Session, who: AnyUser) -> list[EventRead]:
    """The event history of a duty (its own, its progress reports', its assignment's)."""
    check_duty(request, session, who, duty_id)
    return queries.duty_events(session=session, duty_id=duty_id)
