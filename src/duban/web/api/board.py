"""API of the board: the board view (cached until the ledger changes), running the clock now,
and the plans' public headline targets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from duban.ledger.board import BoardFilter
from duban.ledger.schemas import BoardView, TickReport
from duban.ledger.tick import tick
from duban.web import queries
from duban.web.board_view import board_answer, board_filter, compute_board
from duban.web.deps import DB, AnyUser, Office, Public, state_of
from duban.web.guards import scoped, unit_scope
from duban.web.read_cache import remembered
from duban.web.schemas import HeadlineTarget, Problem

router = APIRouter(
    responses={
        401: {"model": Problem},
        403: {"model": Problem},
        404: {"model": Problem},
        422: {"model": Problem},
    },
)


@router.get("/board", response_model=BoardView, tags=["board"])
async def board(
    request: Request,
    who: AnyUser,
    f: Annotated[BoardFilter, Depends(board_filter)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """督办看板: lights by unit and section, open duties (overdue first), completion by month."""
    st = state_of(request)
    key = ("json", unit_scope(who), scoped(who, f), limit)

    def compute() -> bytes:
        return compute_board(st, who, f, limit).model_dump_json().encode()

    return Response(await board_answer(st, who, key, compute), media_type="application/json")


@router.post("/tick", response_model=TickReport, tags=["board"])
def run_tick(request: Request, session: DB, who: Office) -> TickReport:
    """Run the clock now: lights and due actions of every open duty."""
    st = state_of(request)
    return tick(session=session, calendar=st.calendar, policy=st.policy, now=who.now)


@router.get("/public/headlines", response_model=list[HeadlineTarget], tags=["public"])
@remembered()
def public_headlines(session: Session, who: Public) -> list[HeadlineTarget]:
    """The plans' headline targets (主要预期目标), for anyone."""
    return queries.headline_targets(session=session)
