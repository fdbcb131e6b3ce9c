"""API for the monitoring list (防止返贫监测帮扶): households (list, found by hand, one household
with its measures, visits and clearance checks), measures assigned and done, visits, new risks,
风险消除, the board, and the county workbook in and out.

Access, masking and view logging go through :mod:`duban.web.monitoring_view`; the rules are the
domain's (:mod:`duban.monitoring`). Errors are the console's ``{detail, field}``.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import PurePath
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Query, Request, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from duban.db import Day, Id
from duban.monitoring import board, clearance, households, measures, visits, workbook
from duban.monitoring.models import HOUSEHOLD_STATUSES
from duban.monitoring.rules import MAX_INCOME
from duban.web import monitoring_view as mv
from duban.web.deps import DB, AnyUser, Who, state_of
from duban.web.errors import ApiError
from duban.web.guards import unit_scope
from duban.web.ledger_files import MAX_BYTES, XLSX_TYPE
from duban.web.reach import places_of
from duban.web.read_cache import remembered
from duban.web.sandbox import Limits
from duban.web.schemas import Problem
from duban.web.uploads import check_zip, read_in_child

router = APIRouter(
    tags=["monitoring"],
    responses={k: {"model": Problem} for k in (401, 403, 404, 409, 422)},
)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class HouseholdBody(_Body):
    """A household found by hand (农户自主申报 or 干部走访排查)."""

    county: str = Field(min_length=1, max_length=50)
    township: str = Field(min_length=1, max_length=50)
    village: str = Field(min_length=1, max_length=50)
    head_name: str = Field(min_length=1, max_length=50)
    id_number: str = Field(min_length=1, max_length=18)
    phone: str = Field(default="", max_length=20)
    members: int = Field(default=1, ge=1, le=households.MAX_MEMBERS)
    household_type: str = Field(max_length=20)
    risks: list[str] = Field(min_length=1, max_length=12)
    found_by: str = Field(default="干部走访排查", max_length=20)
    found_on: Day | None = None
    income_per_person: float | None = Field(default=None, ge=0, le=MAX_INCOME)
    resp_unit: str = Field(default="", max_length=100)
    visitor: str = Field(default="", max_length=50)
    note: str = Field(default="", max_length=500)


class MeasureBody(_Body):
    measure_type: str = Field(max_length=20)
    unit: str = Field(min_length=1, max_length=100)
    content: str = Field(min_length=1, max_length=1000)


class NoteBody(_Body):
    note: str = Field(default="", max_length=2000)


class VisitBody(_Body):
    visited_on: Day
    visitor: str = Field(min_length=1, max_length=50)
    income_per_person: float | None = Field(default=None, ge=0, le=MAX_INCOME)
    risk_resolved: bool = False
    note: str = Field(default="", max_length=2000)


class RiskBody(_Body):
    risks: list[str] = Field(min_length=1, max_length=12)
    found_by: str = Field(default="干部走访排查", max_length=20)
    note: str = Field(default="", max_length=500)


def actor(who: Who) -> str:
    assert who.account is not None
    return who.account.name


@router.get("/monitoring/households")
@remembered()
def list_households(
    session: Session,
    who: AnyUser,
    township: Annotated[str | None, Query(max_length=50)] = None,
    status: Annotated[str | None, Query(pattern="^(" + "|".join(HOUSEHOLD_STATUSES) + ")$")] = None,
    risk: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[dict[str, Any]]:
    """Households on the list (a unit officer: only theirs); ID numbers and phones masked unless the viewer visits."""
    rows = households.list_households(session=session, unit_id=unit_scope(who), township=township, status=status,
                                      risk=risk, limit=limit, offset=offset, places=places_of(session, who))  # fmt: skip
    return households.summaries(session=session, rows=rows, full=mv.full_for(who))


@router.post("/monitoring/households", status_code=201)
def create_household(body: HouseholdBody, session: DB, who: AnyUser) -> dict[str, Any]:
    """Put a household on the list by hand (office)."""
    mv.require_action(who, "create")
    data = households.HouseholdIn(**body.model_dump())
    row = households.create_household(
        session=session, data=data, actor=actor(who), now=who.now, places=places_of(session, who)
    )
    return {"id": row.id, "status": row.status}


@router.get("/monitoring/households/{household_id}")
def get_household(household_id: Id, request: Request, session: DB, who: AnyUser) -> dict[str, Any]:
    """One household with its measures (lights), visits and the clearance checks; the view is logged."""
    row = mv.check_household(request, session, who, household_id)
    return mv.detail(request, session, who, row, state_of(request))


@router.post("/monitoring/households/{household_id}/measures", status_code=201)
def assign_measure(
    household_id: Id, body: MeasureBody, request: Request, session: DB, who: AnyUser
) -> dict[str, Any]:
    """Assign a measure to a unit; its deadline comes from the working-day clock."""
    mv.require_action(who, "assign_measure")
    row = measures.assign_measure(session=session, household_id=household_id, measure_type=body.measure_type,
                                  unit=body.unit, content=body.content, calendar=state_of(request).calendar,
                                  actor=actor(who), now=who.now)  # fmt: skip
    return {"id": row.id, "due_date": row.due_date.isoformat()}


@router.post("/monitoring/measures/{measure_id}/done")
def finish_measure(
    measure_id: Id, body: NoteBody, request: Request, session: DB, who: AnyUser
) -> dict[str, Any]:
    """Mark a measure done with a note (its unit's officer or the office)."""
    mv.require_action(who, "finish_measure")
    mv.check_measure(request, session, who, measure_id)
    row = measures.finish_measure(
        session=session, measure_id=measure_id, note=body.note, actor=actor(who), now=who.now
    )
    return {"id": row.id, "done_at": row.done_at}


@router.post("/monitoring/households/{household_id}/visits", status_code=201)
def record_visit(
    household_id: Id, body: VisitBody, request: Request, session: DB, who: AnyUser
) -> dict[str, Any]:
    """Record a visit (the visiting unit's officer or the office)."""
    mv.require_action(who, "visit")
    mv.check_household(request, session, who, household_id)
    row = visits.record_visit(session=session, household_id=household_id, visited_on=body.visited_on,
                              visitor=body.visitor, unit_id=unit_scope(who), income_per_person=body.income_per_person,
                              risk_resolved=body.risk_resolved, note=body.note, actor=actor(who), now=who.now)  # fmt: skip
    return {"id": row.id}


@router.post("/monitoring/households/{household_id}/risks")
def add_risk(household_id: Id, body: RiskBody, request: Request, session: DB, who: AnyUser) -> dict[str, Any]:
    """New risks for a household; a cleared one returns to monitoring (返回监测)."""
    mv.require_action(who, "add_risk")
    mv.check_household(request, session, who, household_id)
    row = households.add_risk(session=session, household_id=household_id, risks=body.risks, found_by=body.found_by,
                              note=body.note, actor=actor(who), now=who.now)  # fmt: skip
    return {"id": row.id, "status": row.status}


@router.post("/monitoring/households/{household_id}/clear")
def clear_risk(
    household_id: Id, body: NoteBody, request: Request, session: DB, who: AnyUser
) -> dict[str, Any]:
    """标注风险消除 when every condition of the rules holds (409 naming the unmet ones otherwise)."""
    mv.require_action(who, "clear")
    row = clearance.clear_risk(
        session=session, household_id=household_id, note=body.note, actor=actor(who), now=who.now
    )
    return {"id": row.id, "status": row.status}


@router.get("/monitoring/board")
@remembered()
def get_board(session: Session, who: AnyUser) -> dict[str, Any]:
    """Counts by township and by risk, with overdue measures and visits (a unit officer: their households)."""
    return asdict(
        board.build_board(
            session=session, now=who.now, unit_id=unit_scope(who), places=places_of(session, who)
        )
    )


@router.post("/monitoring/import")
def import_list(
    file: Annotated[UploadFile, File()],
    request: Request,
    session: DB,
    who: AnyUser,
    found_by: Annotated[str, Query(max_length=20)] = "部门筛查预警",
) -> dict[str, Any]:
    """Import a county's list or a department's screening list (.xlsx, all or nothing)."""
    mv.require_action(who, "import")
    rows = read_sheet(request, file)
    report = workbook.import_sheet(
        session=session,
        rows=rows,
        found_by=found_by,
        actor=actor(who),
        now=who.now,
        places=places_of(session, who),
    )
    return asdict(report)


def read_sheet(request: Request, file: UploadFile) -> workbook.Rows:
    """The first worksheet's rows of an uploaded workbook (a .xlsx of at most 20 MB, a sane zip),
    read in the sandboxed child as every uploaded file is."""
    name = PurePath(file.filename or "").name
    data = file.file.read(MAX_BYTES + 1)
    if not name.lower().endswith(".xlsx"):
        raise ApiError(422, f"{name or '未选择文件'}: 请上传 .xlsx 文件", "file")
    if not data or len(data) > MAX_BYTES:
        raise ApiError(422, f"{name}: 文件为空或超过 20 MB", "file")
    check_zip(data, name)
    sheets = read_in_child(kind="sheets", data=data, name=name, limits=Limits.of(state_of(request).settings))
    if not sheets:
        raise ApiError(422, f"{name}: 工作簿中没有工作表", "file")
    rows: workbook.Rows = sheets[0][1]
    return rows


@router.get("/monitoring/export.xlsx", response_class=Response)
def export_list(session: DB, who: AnyUser) -> Response:
    """The list as a workbook (the import's headers), masked as the viewer sees it; the export is logged."""
    mv.require_action(who, "export")
    data = workbook.export_workbook(
        session=session, unit_id=unit_scope(who), full=mv.full_for(who), places=places_of(session, who)
    )
    households.log_view(session=session, household_id=0, actor=actor(who), now=who.now, role=who.role,
                        path="/api/monitoring/export.xlsx", masked=who.role != "office", action="export")  # fmt: skip
    name = quote("监测对象.xlsx")
    return Response(
        data, media_type=XLSX_TYPE, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"}
    )
