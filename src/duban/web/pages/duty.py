"""Page: 任务详情 — a duty's clock (milestones as a timeline, light, next due), progress, events,
and the forms: report progress and request closure (unit), review / 退回 / grade (office).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from duban.clock.calendar import CalendarGap
from duban.db import Day, Figure, Id
from duban.ledger import service
from duban.ledger.results import result_words, target_words
from duban.ledger.schemas import MilestoneCreate
from duban.ledger.workflow import GRADES
from duban.web import notes, queries
from duban.web.api.levels import levels_view
from duban.web.cases_view import linked_cases
from duban.web.deps import DB, AnyUser, Office, Unit, state_of
from duban.web.errors import ApiError
from duban.web.evidence_files import evidence_response, read_limited
from duban.web.guards import check_duty
from duban.web.read_cache import remembered
from duban.web.render import page
from duban.web.source_files import source_view

router = APIRouter(include_in_schema=False)


def _back(request: Request, duty_id: int, note: str) -> Response:
    return notes.redirect(request, f"/duties/{duty_id}", note)


@router.get("/duties/{duty_id}")
@remembered()
def duty_page(duty_id: Id, request: Request, session: Session, who: AnyUser) -> Response:
    facts, _json = queries.cached_duty(request, who, duty_id)
    detail = facts.detail
    history = queries.duty_events(session=session, duty_id=duty_id, item_id=detail.item.id)
    cases = linked_cases(session, who, detail.item.id)
    # A unit officer is the lead unit's or a co-unit's (配合单位: reports progress, no closure).
    lead = who.role != "unit" or facts.role_of(who.account.unit_id if who.account else None) == "lead"
    try:
        pace = queries.detail_pace(facts=facts, now=who.now)
    except CalendarGap:
        pace = None
    return page(
        request,
        "duty.html",
        d=detail,
        history=list(reversed(history)),
        grades=GRADES,
        cases=cases,
        lead=lead,
        pace=pace,
        evidence=service.list_evidence(session=session, duty_id=duty_id),
        target_words=target_words,
        result_words=result_words,
        src=source_view(
            session=session,
            duty_id=duty_id,
            source_kind=facts.source_kind,
            source_fields=detail.item.source_fields,
        ),
        levels=levels_view(session, who, facts),
    )


@router.post("/duties/{duty_id}/progress")
async def progress_page(
    duty_id: Id,
    request: Request,
    session: DB,
    who: Unit,
    text: Annotated[str, Form(min_length=1, max_length=5000)],
    share: Annotated[int | None, Form(ge=0, le=100)] = None,
    figure: Annotated[Figure | None, Form()] = None,
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    check_duty(request, session, who, duty_id)
    assert who.account is not None
    form = await request.form()
    results = []
    for key, value in form.multi_items():
        if key.startswith("result_value_") and isinstance(value, str) and value.strip():
            n = key.removeprefix("result_value_")
            if not n.isdigit():
                raise ApiError(422, f"字段 {key} 无法识别", key)
            unit = form.get(f"result_unit_{n}")
            results.append(
                {"target": int(n), "value": value.strip(), "unit": unit if isinstance(unit, str) else ""}
            )
    uploads = [(f.filename or "", await read_limited(f)) for f in files or [] if f.filename]
    # one transaction: the report and its files are stored together or not at all
    p = service.add_progress(
        session=session,
        duty_id=duty_id,
        text=text,
        share=share,
        figure=figure,
        results=results,
        actor=who.account.name,
        now=who.now,
    )
    for name, content in uploads:
        service.add_evidence(
            session=session,
            duty_id=duty_id,
            progress_id=p.id,
            name=name,
            content=content,
            actor=who.account.name,
            now=who.now,
        )
    return _back(
        request, duty_id, "进展已报送。" if not uploads else f"进展已报送，佐证材料 {len(uploads)} 份。"
    )


@router.get("/duties/{duty_id}/evidence/{evidence_id}")
def evidence_page(duty_id: Id, evidence_id: Id, request: Request, session: DB, who: AnyUser) -> Response:
    check_duty(request, session, who, duty_id)
    return evidence_response(service.get_evidence(session=session, duty_id=duty_id, evidence_id=evidence_id))


@router.post("/duties/{duty_id}/closure-request")
def closure_page(
    duty_id: Id,
    request: Request,
    session: DB,
    who: Unit,
    text: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    check_duty(request, session, who, duty_id, lead_only=True)
    assert who.account is not None
    service.request_closure(
        session=session, duty_id=duty_id, actor=who.account.name, now=who.now, text=text or None
    )
    return _back(request, duty_id, "已申请办结，等待督查室审核。")


@router.post("/duties/{duty_id}/review")
def review_page(
    duty_id: Id,
    request: Request,
    session: DB,
    who: Office,
    decision: Annotated[Literal["approve", "return"], Form()],
    reason: Annotated[str, Form(max_length=2000)] = "",
    grade: Annotated[str, Form()] = "",
) -> Response:
    check_duty(request, session, who, duty_id)
    if decision == "return" and not reason.strip():
        raise ApiError(422, "退回须写明理由", "reason")
    if grade and grade not in GRADES:
        raise ApiError(422, f"评定等次应为 {'/'.join(GRADES)} 之一", "grade")
    st = state_of(request)
    assert who.account is not None
    service.review_closure(
        session=session,
        duty_id=duty_id,
        decision=decision,
        reason=reason or None,
        grade=grade or None,
        actor=who.account.name,
        now=who.now,
        calendar=st.calendar,
        policy=st.policy,
    )
    return _back(request, duty_id, "已销号。" if decision == "approve" else "已退回牵头单位。")


@router.post("/duties/{duty_id}/due")
def due_page(
    duty_id: Id, request: Request, session: DB, who: Office, due: Annotated[Day, Form()]
) -> Response:
    check_duty(request, session, who, duty_id)
    assert who.account is not None
    service.set_due(session=session, duty_id=duty_id, due=due, actor=who.account.name, now=who.now)
    return _back(request, duty_id, f"时限已调整为 {due.isoformat()}。")


def parse_milestones(text: str) -> list[MilestoneCreate]:
    """One milestone a line, ``名称 YYYY-MM-DD`` (the date last); a bad line is named.

    >>> [(m.name, str(m.due)) for m in parse_milestones("完成招标 2023-05-31\\n\\n主体完工 2023-10-31")]
    [('完成招标', '2023-05-31'), ('主体完工', '2023-10-31')]
    """
    out: list[MilestoneCreate] = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        name, _, when = line.rpartition(" ")
        try:
            due = date.fromisoformat(when.strip())
        except ValueError:
            raise ApiError(422, f"节点第 {n} 行「{line}」: 应为「名称 YYYY-MM-DD」", "milestones") from None
        if not name.strip():
            raise ApiError(422, f"节点第 {n} 行「{line}」: 缺少节点名称", "milestones")
        out.append(MilestoneCreate(name=name.strip()[:200], due=due))
    return out


@router.post("/duties/{duty_id}/milestones")
def milestones_page(
    duty_id: Id,
    request: Request,
    session: DB,
    who: Office,
    milestones: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    check_duty(request, session, who, duty_id)
    assert who.account is not None
    service.set_milestones(
        session=session,
        duty_id=duty_id,
        milestones=parse_milestones(milestones),
        actor=who.account.name,
        now=who.now,
    )
    return _back(request, duty_id, "节点已设置。")


@router.post("/duties/{duty_id}/milestones/done")
def milestone_done_page(
    duty_id: Id,
    request: Request,
    session: DB,
    who: AnyUser,
    name: Annotated[str, Form(min_length=1, max_length=200)],
) -> Response:
    if who.role not in ("office", "unit"):
        raise ApiError(403, "只有牵头单位或督查室可以确认节点完成", None)
    check_duty(request, session, who, duty_id, lead_only=True)
    assert who.account is not None
    service.complete_milestone(
        session=session, duty_id=duty_id, name=name, actor=who.account.name, now=who.now
    )
    return _back(request, duty_id, f"节点「{name}」已完成。")
