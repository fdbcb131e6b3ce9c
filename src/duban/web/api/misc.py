"""API for the board, units, the events log, the clock tick and the public headline targets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from duban.db import session_scope
from duban.ledger.board import BoardFilter, board_view
from duban.ledger.schemas import BoardView, ImportReport, TickReport
from duban.ledger.tick import tick
from duban.units.schemas import UnitRead
from duban.units.service import all_units
from duban.web import ledger_files, queries
from duban.web.api.duties import board_filter
from duban.web.deps import DB, AnyUser, Office, OfficeOrLeader, Public, Who, state_of
from duban.web.guards import unit_scope
from duban.web.schemas import EventList, HeadlineTarget, Problem
from duban.web.state import ConsoleState

router = APIRouter(
    responses={
        401: {"model": Problem},
        403: {"model": Problem},
        404: {"model": Problem},
        422: {"model": Problem},
    },
)


def compute_board(st: ConsoleState, who: Who, f: BoardFilter, limit: int) -> BoardView:
    """The board view, from the cache until the ledger changes (see ConsoleState.fresh_boards)."""
    scope = unit_scope(who)

    def compute() -> BoardView:
        with session_scope(st.engine) as session:
            return board_view(session=session, now=who.now, scope_unit=scope, filters=f, limit=limit)

    view = st.board_cache.get_or_compute(("view", scope, f, limit), compute)
    assert isinstance(view, BoardView)
    return view


@router.get("/board", response_model=BoardView, tags=["board"])
async def board(
    request: Request,
    who: AnyUser,
    plan_id: int | None = None,
    unit: str | None = None,
    light: str | None = None,
    status: str | None = None,
    section: str | None = None,
    q: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """督办看板: lights by unit and section, open duties (overdue first), completion by month."""
    f = board_filter(plan_id, unit, light, status, section, q)
    st = state_of(request)
    st.fresh_boards()
    key = ("json", unit_scope(who), f, limit)
    body = st.board_cache.get(key, stale_ok=True)
    if body is None:

        def compute() -> bytes:
            return compute_board(st, who, f, limit).model_dump_json().encode()

        body = await run_in_threadpool(st.board_cache.get_or_compute, key, compute)
    return Response(body, media_type="application/json")


@router.get("/units", response_model=list[UnitRead], tags=["units"])
def units(session: DB, who: AnyUser) -> list[UnitRead]:
    """Every responsible unit."""
    return [UnitRead.model_validate(u) for u in all_units(session=session)]


@router.get("/events", response_model=EventList, tags=["events"])
def events(
    session: DB,
    who: OfficeOrLeader,
    entity: str | None = None,
    entity_id: int | None = None,
    action: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> EventList:
    """The events log, newest first (office and leaders)."""
    items, total = queries.event_list(
        session=session, entity=entity, entity_id=entity_id, action=action, limit=limit, offset=offset
    )
    return EventList(items=items, total=total)


@router.post("/tick", response_model=TickReport, tags=["board"])
def run_tick(request: Request, session: DB, who: Office) -> TickReport:
    """Run the clock now: lights and due actions of every open duty."""
    st = state_of(request)
    return tick(session=session, calendar=st.calendar, policy=st.policy, now=who.now)


@router.get("/public/headlines", response_model=list[HeadlineTarget], tags=["public"])
def public_headlines(session: DB, who: Public) -> list[HeadlineTarget]:
    """The plans' headline targets (主要预期目标), for anyone."""
    return queries.headline_targets(session=session)


@router.get("/ledger.xlsx", tags=["ledger"], response_class=Response)
def export_ledger(session: DB, who: OfficeOrLeader, by_unit: bool = False) -> Response:
    """The 台账 as an Excel workbook (one row per duty; one sheet per unit with ``by_unit``)."""
    data = ledger_files.export_bytes(session=session, by_unit=by_unit)
    return Response(
        data,
        media_type=ledger_files.XLSX_TYPE,
        headers={"Content-Disposition": "attachment; filename*=UTF-8''%E5%8F%B0%E8%B4%A6.xlsx"},
    )


@router.post("/ledger/import", response_model=ImportReport, tags=["ledger"])
def import_ledger(file: Annotated[UploadFile, File()], session: DB, who: Office) -> ImportReport:
    """Apply an edited 台账: new 进展情况 become progress reports; any bad row rejects the whole file."""
    assert who.account is not None
    return ledger_files.import_bytes(
        session=session,
        data=file.file.read(ledger_files.MAX_BYTES + 1),
        filename=file.filename or "",
        actor=who.account.name,
        now=who.now,
    )
