"""API of the levels of government: the government tree, a duty's place in the chain (the duty it
was handed down from, its children's progress), hand-down (下交) and the board's roll-up by
government."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from duban.db import Id
from duban.ledger import levels
from duban.units import governments
from duban.web import queries
from duban.web.deps import DB, AnyUser, Office, OfficeOrLeader
from duban.web.guards import check_duty
from duban.web.queries import DutyFacts
from duban.web.read_cache import remembered
from duban.web.schemas import Problem

router = APIRouter(
    tags=["levels"],
    responses={
        401: {"model": Problem},
        403: {"model": Problem},
        404: {"model": Problem},
        422: {"model": Problem},
    },
)


class GovernmentView(BaseModel):
    id: int
    name: str
    level: str
    parent_id: int | None
    code: str | None
    depth: int


class HandDownBody(BaseModel):
    to: str = Field(min_length=1, max_length=100, description="下级政府名称")


class LevelsView(BaseModel):
    government: str | None
    parent: levels.LinkedDuty | None
    children: list[levels.LinkedDuty]
    hand_down_to: list[str]


@router.get("/governments", response_model=list[GovernmentView])
@remembered()
def list_governments(session: Session, who: AnyUser) -> list[GovernmentView]:
    """The governments the account sees (its 辖区), as a tree (depth-first)."""
    seen = who.governments
    return [
        GovernmentView(**n.__dict__)
        for n in governments.tree(session=session)
        if seen is None or n.id in seen
    ]


def levels_view(session: DB, who: AnyUser, facts: DutyFacts) -> LevelsView:
    """A duty's levels as the API and the page show them, from the duty already read."""
    seen = who.governments
    found = levels.levels_of(
        session=session,
        duty_id=facts.detail.duty.id,
        government_id=facts.government_id,
        parent_duty_id=facts.parent_duty_id,
        visible=set(seen) if seen is not None else None,
    )
    return LevelsView(
        government=found.government,
        parent=found.parent,
        children=found.children,
        hand_down_to=found.hand_down_to,
    )


@router.get("/duties/{duty_id}/levels", response_model=LevelsView)
@remembered()
def duty_levels(duty_id: Id, request: Request, session: Session, who: AnyUser) -> LevelsView:
    """Where a duty sits: its government, the duty above it (下交自) and its children's progress."""
    facts, _json = queries.cached_duty(request, who, duty_id)  # with the row guard
    return levels_view(session, who, facts)


@router.post("/duties/{duty_id}/hand-down", response_model=levels.LinkedDuty, status_code=201)
def hand_down(
    duty_id: Id, body: HandDownBody, request: Request, session: DB, who: Office
) -> levels.LinkedDuty:
    """下交: hand a duty down to a child government (its office then assigns it to its own units)."""
    check_duty(request, session, who, duty_id)
    assert who.account is not None
    child = levels.hand_down(
        session=session, duty_id=duty_id, to=body.to.strip(), actor=who.account.name, now=who.now
    )
    return levels.linked_duties(session, [child])[0]


@router.get("/board/governments", response_model=list[levels.GovernmentLights])
@remembered()
def board_governments(session: Session, who: OfficeOrLeader) -> list[levels.GovernmentLights]:
    """The board rolled up: the duties of the account's government (本级) and of each below it (下级)."""
    gid = who.account.government_id if who.account else None
    return levels.government_lights(session=session, government_id=gid)
