"""API of the console's records: the units, the events log and the 台账 workbook (export, and
import of an edited one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from duban.db import Id
from duban.ledger.schemas import ImportReport
from duban.units.schemas import UnitRead
from duban.units.service import all_units
from duban.web import ledger_files, queries
from duban.web.deps import DB, AnyUser, Office, OfficeOrLeader, state_of
from duban.web.guards import own_level
from duban.web.reach import event_reach
from duban.web.read_cache import remembered
from duban.web.sandbox import Limits
from duban.web.schemas import EventList, Problem

router = APIRouter(
    responses={
        401: {"model": Problem},
        403: {"model": Problem},
        404: {"model": Problem},
        422: {"model": Problem},
    },
)


@router.get("/units", response_model=list[UnitRead], tags=["units"])
@remembered()
def units(session: Session, who: AnyUser) -> list[UnitRead]:
    """Every responsible unit."""
    return [UnitRead.model_validate(u) for u in all_units(session=session)]


@router.get("/events", response_model=EventList, tags=["events"])
@remembered()
def events(
    session: Session,
    who: OfficeOrLeader,
    entity: str | None = None,
    entity_id: Id | None = None,
    action: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> EventList:
    """The events log, newest first (office and leaders): those of the account's 辖区."""
    items, total = queries.event_list(
        session=session, entity=entity, entity_id=entity_id, action=action, limit=limit, offset=offset,
        where=event_reach(who),
    )  # fmt: skip
    return EventList(items=items, total=total)


@router.get("/ledger.xlsx", tags=["ledger"], response_class=Response)
def export_ledger(request: Request, session: DB, who: OfficeOrLeader, by_unit: bool = False) -> Response:
    """The 台账 as an Excel workbook (one row per duty; one sheet per unit with ``by_unit``)."""
    data = ledger_files.export_bytes(
        session=session, by_unit=by_unit, calendar=state_of(request).calendar, now=who.now,
        governments=who.governments,
    )  # fmt: skip
    return Response(
        data,
        media_type=ledger_files.XLSX_TYPE,
        headers={"Content-Disposition": "attachment; filename*=UTF-8''%E5%8F%B0%E8%B4%A6.xlsx"},
    )


@router.post("/ledger/import", response_model=ImportReport, tags=["ledger"])
def import_ledger(
    file: Annotated[UploadFile, File()], request: Request, session: DB, who: Office
) -> ImportReport:
    """Apply an edited 台账: new 进展情况 become progress reports; any bad row rejects the whole file."""
    assert who.account is not None
    return ledger_files.import_bytes(
        session=session,
        data=file.file.read(ledger_files.MAX_BYTES + 1),
        filename=file.filename or "",
        actor=who.account.name,
        governments=own_level(who),
        now=who.now,
        limits=Limits.of(state_of(request).settings),
    )
