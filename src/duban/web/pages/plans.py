"""Pages: 计划 — the plans, a plan's tree with each item's sentence highlighted, assignment forms."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from duban.db import Id
from duban.ledger import service
from duban.ledger.models import ItemRow
from duban.units.service import all_unit_names, resolve_unit
from duban.web import ledger_files, notes, plan_view, queries
from duban.web.deps import DB, AnyUser, Office, OfficeOrLeader, state_of
from duban.web.errors import ApiError
from duban.web.guards import check_item, check_plan, own_level, unit_scope, visible_plans
from duban.web.read_cache import remembered
from duban.web.render import page
from duban.web.sandbox import Limits

router = APIRouter(include_in_schema=False)


@router.get("/plans")
@remembered()
def plans_page(request: Request, session: Session, who: AnyUser) -> Response:
    return page(
        request, "plans.html", plans=visible_plans(who, service.list_plans(session=session)), imported=None
    )


@router.get("/plans/{plan_id}")
@remembered()
def plan_page(plan_id: Id, request: Request, session: Session, who: AnyUser) -> Response:
    check_plan(request, session, who, plan_id)
    tree = queries.plan_tree(session=session, plan_id=plan_id, scope_unit=unit_scope(who))
    units = all_unit_names(session=session) if who.role == "office" else []
    plan_part, review_part = plan_view.split_sections(tree)
    return page(
        request,
        "plan.html",
        tree=tree,
        units=units,
        plan_part=plan_part,
        review_part=review_part,
        unassigned=plan_view.unassigned(tree),
        source_name=plan_view.file_name(tree.plan.source),
    )


@router.post("/plans/{plan_id}/bulk-assign")
def bulk_assign_page(
    plan_id: Id,
    request: Request,
    session: DB,
    who: Office,
    unit: Annotated[str, Form(max_length=100)] = "",
    item_ids: Annotated[list[int] | None, Form()] = None,
) -> Response:
    """待分办: many items to one lead unit in one POST, all or nothing, an event each."""
    check_plan(request, session, who, plan_id)
    if not unit.strip():
        raise ApiError(422, "请填写牵头单位", "unit")
    if resolve_unit(session=session, name=unit.strip()) is None:
        raise ApiError(422, f"单位「{unit}」不存在，请从列表中选择", "unit")
    if not item_ids:
        raise ApiError(422, "请至少勾选一个待分办事项", "item_ids")
    assert who.account is not None
    for item_id in dict.fromkeys(item_ids):
        item = session.get(ItemRow, item_id)
        if item is None or item.plan_id != plan_id:
            raise ApiError(422, f"事项 {item_id} 不属于本计划", "item_ids")
        service.assign(
            session=session, item_id=item_id, unit=unit.strip(), actor=who.account.name, now=who.now
        )
    count = len(dict.fromkeys(item_ids))
    return notes.redirect(
        request, f"/plans/{plan_id}#unassigned", f"已将 {count} 个事项交办给{unit.strip()}。"
    )


@router.post("/items/{item_id}/assign")
def assign_page(
    item_id: Id,
    request: Request,
    session: DB,
    who: Office,
    unit: Annotated[str, Form(min_length=1, max_length=100)],
    major: Annotated[bool, Form()] = False,
    co_units: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    check_item(request, session, who, item_id)
    if resolve_unit(session=session, name=unit) is None:
        raise ApiError(422, f"单位「{unit}」不存在，请从列表中选择", "unit")
    co = [name for name in re.split(r"[、，,;；\s]+", co_units) if name]
    for name in co:
        if resolve_unit(session=session, name=name) is None:
            raise ApiError(422, f"配合单位「{name}」不存在，请从列表中选择", "co_units")
    assert who.account is not None
    service.assign(
        session=session,
        item_id=item_id,
        unit=unit,
        co_units=co,
        major=major,
        actor=who.account.name,
        now=who.now,
    )
    item = session.get(ItemRow, item_id)
    assert item is not None
    return notes.redirect(request, f"/plans/{item.plan_id}#item-{item_id}", f"已交办给{unit}。")


@router.post("/plans/{plan_id}/auto-assign")
def auto_assign_page(plan_id: Id, request: Request, session: DB, who: Office) -> Response:
    assert who.account is not None
    check_plan(request, session, who, plan_id)
    result = service.auto_assign(session=session, plan_id=plan_id, actor=who.account.name, now=who.now)
    return notes.redirect(request, f"/plans/{plan_id}", plan_view.auto_note(result))


@router.get("/ledger.xlsx")
def export_page(request: Request, session: DB, who: OfficeOrLeader, by_unit: bool = False) -> Response:
    data = ledger_files.export_bytes(
        session=session, by_unit=by_unit, calendar=state_of(request).calendar, now=who.now,
        governments=who.governments,
    )  # fmt: skip
    return Response(
        data,
        media_type=ledger_files.XLSX_TYPE,
        headers={"Content-Disposition": "attachment; filename*=UTF-8''%E5%8F%B0%E8%B4%A6.xlsx"},
    )


@router.post("/ledger/import")
def import_page(request: Request, session: DB, who: Office, file: Annotated[UploadFile, File()]) -> Response:
    assert who.account is not None
    report = ledger_files.import_bytes(
        session=session,
        data=file.file.read(ledger_files.MAX_BYTES + 1),
        filename=file.filename or "",
        actor=who.account.name,
        now=who.now,
        limits=Limits.of(state_of(request).settings),
        governments=own_level(who),
    )
    plans = visible_plans(who, service.list_plans(session=session))
    return page(request, "plans.html", plans=plans, imported=report)
