"""Page: 任务详情 — a duty's clock (milestones as a timeline, light, next due), progress, events,
and the forms: report progress and request closure (unit), review / 退回 / grade (office).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from duban.ledger import service
from duban.ledger.workflow import GRADES
from duban.web import queries
from duban.web.access import check_duty
from duban.web.deps import DB, AnyUser, Office, Unit, state_of
from duban.web.errors import ApiError
from duban.web.render import page

router = APIRouter(include_in_schema=False)


def _back(duty_id: int) -> Response:
    return RedirectResponse(f"/duties/{duty_id}", status_code=303)


@router.get("/duties/{duty_id}")
def duty_page(duty_id: int, request: Request, session: DB, who: AnyUser) -> Response:
    check_duty(request, session, who, duty_id)
    st = state_of(request)
    detail = queries.duty_detail(
        session=session, duty_id=duty_id, now=who.now, calendar=st.calendar, policy=st.policy
    )
    history = queries.duty_events(session=session, duty_id=duty_id)
    return page(request, "duty.html", d=detail, history=list(reversed(history)), grades=GRADES)


@router.post("/duties/{duty_id}/progress")
def progress_page(
    duty_id: int,
    request: Request,
    session: DB,
    who: Unit,
    text: Annotated[str, Form(min_length=1, max_length=5000)],
    share: Annotated[int | None, Form(ge=0, le=100)] = None,
    figure: Annotated[float | None, Form()] = None,
) -> Response:
    check_duty(request, session, who, duty_id)
    assert who.account is not None
    service.add_progress(
        session=session,
        duty_id=duty_id,
        text=text,
        share=share,
        figure=figure,
        actor=who.account.name,
        now=who.now,
    )
    return _back(duty_id)


@router.post("/duties/{duty_id}/closure-request")
def closure_page(
    duty_id: int,
    request: Request,
    session: DB,
    who: Unit,
    text: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    check_duty(request, session, who, duty_id)
    assert who.account is not None
    service.request_closure(
        session=session, duty_id=duty_id, actor=who.account.name, now=who.now, text=text or None
    )
    return _back(duty_id)


@router.post("/duties/{duty_id}/review")
def review_page(
    duty_id: int,
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
    return _back(duty_id)
