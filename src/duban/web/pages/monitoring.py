"""Pages: 防返贫监测 — the board by township and by risk with the household list, a household's
page (masked identity unless the viewer visits; every view logged) with the forms for what the
viewer may do, the form for a household found by hand, and the county workbook's upload.

Every write goes through the same domain functions as the JSON API (:mod:`duban.monitoring`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from duban.db import Id
from duban.monitoring import board, clearance, households, measures, visits, workbook
from duban.monitoring.models import HOUSEHOLD_STATUSES
from duban.monitoring.rules import STATUS_LABELS, MonitoringError, check_income
from duban.units.service import all_unit_names
from duban.web import monitoring_view as mv
from duban.web import notes
from duban.web.api.monitoring import actor, read_sheet
from duban.web.deps import DB, AnyUser, state_of
from duban.web.guards import unit_scope
from duban.web.reach import places_of
from duban.web.read_cache import remembered
from duban.web.render import page

router = APIRouter(include_in_schema=False)

ACTION_NOTES = {
    "measure": "帮扶措施已落实到责任单位。",
    "finish": "帮扶措施已办结。",
    "visit": "走访已登记。",
    "risk": "新风险已登记。",
    "clear": "已标注风险消除。",
}


@router.get("/monitoring")
@remembered()
def monitoring_page(
    request: Request,
    session: Session,
    who: AnyUser,
    township: Annotated[str | None, Query(max_length=50)] = None,
    status: Annotated[str | None, Query(pattern="^(" + "|".join(HOUSEHOLD_STATUSES) + ")?$")] = None,
    risk: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    unit = unit_scope(who)
    places = places_of(session, who)
    rows = households.list_households(session=session, unit_id=unit, township=township or None,
                                      status=status or None, risk=risk or None, places=places)  # fmt: skip
    b = board.build_board(session=session, now=who.now, unit_id=unit, places=places)
    return page(request, "monitoring.html", items=households.summaries(session=session, rows=rows, full=mv.full_for(who)),
                board=b, f={"township": township or "", "status": status or "", "risk": risk or ""},
                status_labels=STATUS_LABELS, late_visits=set(b.overdue_visit_ids),
                may_create=mv.access.monitoring_may(who.role, "create"),
                may_export=mv.access.monitoring_may(who.role, "export"), **mv.choices())  # fmt: skip


@router.get("/monitoring/new")
def new_household_page(request: Request, session: DB, who: AnyUser) -> Response:
    mv.require_action(who, "create")
    return page(request, "household_new.html", units=all_unit_names(session=session), **mv.choices())


@router.post("/monitoring/new")
def new_household(
    request: Request,
    session: DB,
    who: AnyUser,
    county: Annotated[str, Form(min_length=1, max_length=50)],
    township: Annotated[str, Form(min_length=1, max_length=50)],
    village: Annotated[str, Form(min_length=1, max_length=50)],
    head_name: Annotated[str, Form(min_length=1, max_length=50)],
    id_number: Annotated[str, Form(min_length=1, max_length=18)],
    household_type: Annotated[str, Form(max_length=20)],
    risks: Annotated[list[str], Form(min_length=1, max_length=12)],
    phone: Annotated[str, Form(max_length=20)] = "",
    members: Annotated[int, Form(ge=1, le=households.MAX_MEMBERS)] = 1,
    found_by: Annotated[str, Form(max_length=20)] = "干部走访排查",
    found_on: Annotated[str, Form(max_length=10)] = "",
    income_per_person: Annotated[str, Form(max_length=20)] = "",
    resp_unit: Annotated[str, Form(max_length=100)] = "",
    visitor: Annotated[str, Form(max_length=50)] = "",
) -> Response:
    mv.require_action(who, "create")
    try:
        found = date.fromisoformat(found_on.strip()) if found_on.strip() else None
    except ValueError:
        raise MonitoringError("识别日期应为 YYYY-MM-DD", field="found_on") from None
    data = households.HouseholdIn(county=county, township=township, village=village, head_name=head_name,
                                  id_number=id_number, household_type=household_type, risks=risks, phone=phone,
                                  members=members, found_by=found_by, found_on=found,
                                  income_per_person=_income(income_per_person), resp_unit=resp_unit, visitor=visitor)  # fmt: skip
    row = households.create_household(session=session, data=data, actor=actor(who), now=who.now,
                                      places=places_of(session, who))  # fmt: skip
    return notes.redirect(request, f"/monitoring/{row.id}", f"已纳入监测：户 {row.id}（{row.head_name}）。")


@router.post("/monitoring/import")
def import_page(
    request: Request,
    session: DB,
    who: AnyUser,
    file: Annotated[UploadFile, File()],
    found_by: Annotated[str, Form(max_length=20)] = "部门筛查预警",
) -> Response:
    mv.require_action(who, "import")
    report = workbook.import_sheet(session=session, rows=read_sheet(request, file), found_by=found_by,
                                   actor=actor(who), now=who.now, places=places_of(session, who))  # fmt: skip
    note = (f"导入 {report.rows} 行：新纳入 {len(report.created)} 户，匹配已有户并登记新风险 {len(report.matched)} 户，"
            f"无变化 {len(report.unchanged)} 户。")  # fmt: skip
    return notes.redirect(request, "/monitoring", note)


@router.get("/monitoring/{household_id}")
def household_page(household_id: Id, request: Request, session: DB, who: AnyUser) -> Response:
    row = mv.check_household(request, session, who, household_id)
    d = mv.detail(request, session, who, row, state_of(request))
    units = all_unit_names(session=session) if "assign_measure" in d["actions"] else []
    return page(request, "household.html", h=d, units=units, today=who.now.date().isoformat(), **mv.choices())


def _income(raw: str) -> float | None:
    raw = raw.strip().replace(",", "")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise MonitoringError(f"「{raw}」应为数字（元）", field="income_per_person") from None
    return check_income(value)


@router.post("/monitoring/{household_id}/action")
def household_action(
    household_id: Id,
    request: Request,
    session: DB,
    who: AnyUser,
    action: Annotated[str, Form(max_length=20)],
    measure_type: Annotated[str, Form(max_length=20)] = "",
    unit: Annotated[str, Form(max_length=100)] = "",
    content: Annotated[str, Form(max_length=1000)] = "",
    measure_id: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    visited_on: Annotated[str, Form(max_length=10)] = "",
    visitor: Annotated[str, Form(max_length=50)] = "",
    income_per_person: Annotated[str, Form(max_length=20)] = "",
    risk_resolved: Annotated[bool, Form()] = False,
    risks: Annotated[list[str] | None, Form(max_length=12)] = None,
    found_by: Annotated[str, Form(max_length=20)] = "干部走访排查",
) -> Response:
    """One form per action on the household page; ``action`` names which."""
    kind = {"measure": "assign_measure", "finish": "finish_measure", "visit": "visit", "risk": "add_risk",
            "clear": "clear"}.get(action)  # fmt: skip
    if kind is None:
        raise MonitoringError(f"未知操作「{action}」", field="action")
    mv.require_action(who, kind)
    mv.check_household(request, session, who, household_id)
    by, now = actor(who), who.now
    if action == "measure":
        measures.assign_measure(session=session, household_id=household_id, measure_type=measure_type, unit=unit,
                                content=content, calendar=state_of(request).calendar, actor=by, now=now)  # fmt: skip
    elif action == "finish":
        if not measure_id.strip().isdigit():
            raise MonitoringError("须指明办结哪一项措施", field="measure_id")
        m = mv.check_measure(request, session, who, int(measure_id))
        if m.household_id != household_id:
            raise MonitoringError(f"帮扶措施 {measure_id} 不属于此户", field="measure_id", status=404)
        measures.finish_measure(session=session, measure_id=m.id, note=note, actor=by, now=now)
    elif action == "visit":
        try:
            day = date.fromisoformat(visited_on.strip())
        except ValueError:
            raise MonitoringError("走访日期应为 YYYY-MM-DD", field="visited_on") from None
        visits.record_visit(session=session, household_id=household_id, visited_on=day, visitor=visitor,
                            unit_id=unit_scope(who), income_per_person=_income(income_per_person),
                            risk_resolved=risk_resolved, note=note, actor=by, now=now)  # fmt: skip
    elif action == "risk":
        households.add_risk(session=session, household_id=household_id, risks=risks or [], found_by=found_by,
                            note=note, actor=by, now=now)  # fmt: skip
    else:
        clearance.clear_risk(session=session, household_id=household_id, note=note, actor=by, now=now)
    return notes.redirect(request, f"/monitoring/{household_id}", ACTION_NOTES[action])
