"""API for plans and items: list, tree, upload (preview or load), assign, auto-assign."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from sqlalchemy.orm import Session

from duban.db import Id
from duban.ledger import service
from duban.ledger.models import ItemRow
from duban.ledger.schemas import AssignmentRead, ItemPage, ItemRead, PlanRead
from duban.units.service import resolve_unit
from duban.web import queries, sandbox, uploads
from duban.web.deps import DB, AnyUser, Office, state_of
from duban.web.errors import ApiError
from duban.web.guards import check_item, check_plan, unit_scope, visible_plans
from duban.web.read_cache import remembered
from duban.web.schemas import AssignBody, AutoAssignResult, PlanLoaded, PlanTree, Problem, UploadPreview

router = APIRouter(
    tags=["plans"],
    responses={
        401: {"model": Problem},
        403: {"model": Problem},
        404: {"model": Problem},
        422: {"model": Problem},
    },
)


@router.get("/plans", response_model=list[PlanRead])
@remembered()
def list_plans(session: Session, who: AnyUser) -> list[PlanRead]:
    """Every plan loaded, newest first."""
    return [PlanRead.model_validate(p) for p in visible_plans(who, service.list_plans(session=session))]


@router.get("/plans/{plan_id}", response_model=PlanTree)
@remembered()
def get_plan(plan_id: Id, request: Request, session: Session, who: AnyUser) -> PlanTree:
    """A plan's tree of sections and items (a unit officer sees only their unit's items)."""
    check_plan(request, session, who, plan_id)
    return queries.plan_tree(session=session, plan_id=plan_id, scope_unit=unit_scope(who))


@router.get("/plans/{plan_id}/items", response_model=ItemPage)
@remembered()
def plan_items(plan_id: Id, request: Request, session: Session, who: AnyUser) -> ItemPage:
    """A plan's items, flat (a unit officer sees only their unit's items)."""
    check_plan(request, session, who, plan_id)
    tree = queries.plan_tree(session=session, plan_id=plan_id, scope_unit=unit_scope(who))
    items = [v.item for s in tree.sections for v in s.items]
    return ItemPage(items=items, total=len(items))


@router.post("/plans/preview", response_model=UploadPreview)
def preview_plan(
    file: Annotated[UploadFile, File(description="报告 txt/docx/pdf")],
    request: Request,
    who: Office,
    year: Annotated[int | None, Form(ge=1949, le=2100)] = None,
) -> UploadPreview:
    """Read a report without loading it: cleaning notes and flagged figures to check."""
    limits = sandbox.Limits.of(state_of(request).settings)
    plan = uploads.read_upload(file.file.read(uploads.MAX_BYTES + 1), file.filename or "", year, limits)
    return uploads.preview(plan, None)


@router.post("/plans", response_model=PlanLoaded, status_code=201)
def upload_plan(
    file: Annotated[UploadFile, File(description="报告 txt/docx/pdf")],
    request: Request,
    session: DB,
    who: Office,
    year: Annotated[int | None, Form(ge=1949, le=2100)] = None,
) -> PlanLoaded:
    """Read a report and load it as a plan (the same file twice returns the first load)."""
    limits = sandbox.Limits.of(state_of(request).settings)
    plan = uploads.read_upload(file.file.read(uploads.MAX_BYTES + 1), file.filename or "", year, limits)
    assert who.account is not None
    row, created = service.load_plan(
        session=session,
        plan=plan,
        actor=who.account.name,
        now=who.now,
        government_id=who.account.government_id,
    )
    items = len(service.plan_items(session=session, plan_id=row.id))
    return PlanLoaded(plan=PlanRead.model_validate(row), created=created, items=items)


@router.post("/plans/{plan_id}/auto-assign", response_model=AutoAssignResult)
def auto_assign(plan_id: Id, request: Request, session: DB, who: Office) -> AutoAssignResult:
    """Assign every unassigned target and task of a plan by the routing rules."""
    assert who.account is not None
    check_plan(request, session, who, plan_id)
    done, left = service.auto_assign(session=session, plan_id=plan_id, actor=who.account.name, now=who.now)
    return AutoAssignResult(assigned=done, needs_person=left)


@router.get("/items/{item_id}", response_model=ItemRead)
@remembered()
def get_item(item_id: Id, request: Request, session: Session, who: AnyUser) -> ItemRead:
    """One item (a unit officer: only their unit's)."""
    check_item(request, session, who, item_id)
    return ItemRead.model_validate(session.get(ItemRow, item_id))


@router.post("/items/{item_id}/assign", response_model=AssignmentRead)
def assign_item(item_id: Id, body: AssignBody, request: Request, session: DB, who: Office) -> AssignmentRead:
    """交办: give an item its lead unit (and co-units, leader); makes or updates its duty."""
    check_item(request, session, who, item_id)
    for field, names in (("unit", [body.unit]), ("co_units", body.co_units)):
        for name in names:
            if resolve_unit(session=session, name=name) is None:
                raise ApiError(422, f"字段 {field}: 单位「{name}」不存在", field)
    assert who.account is not None
    a = service.assign(
        session=session,
        item_id=item_id,
        unit=body.unit,
        co_units=body.co_units,
        leader=body.leader,
        major=body.major,
        actor=who.account.name,
        now=who.now,
    )
    return AssignmentRead.model_validate(a)
