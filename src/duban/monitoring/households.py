"""Households under watch: found by hand or by an import (农户自主申报 / 干部走访排查 / 部门筛查预警),
new risks (a cleared household returns to monitoring), the list, one household's page data with
its ID number and phone masked unless the viewer must visit, and which units may see it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from duban.audit import service as audit
from duban.clock.calendar import local_date
from duban.db import FIRST_DAY
from duban.monitoring.models import HouseholdRiskRow, HouseholdRow, MeasureRow
from duban.monitoring.rules import (
    STATUS_LABELS,
    MonitoringError,
    check_id_number,
    check_income,
    check_phone,
    load_rules,
    mask_id,
    mask_phone,
)
from duban.units.service import resolve_unit, unit_names

MAX_MEMBERS = 30


@dataclass
class HouseholdIn:
    """What is needed to put a household on the list (from a form, the API or a workbook row)."""

    county: str
    township: str
    village: str
    head_name: str
    id_number: str
    household_type: str
    risks: list[str]
    members: int = 1
    phone: str = ""
    found_by: str = "干部走访排查"
    found_on: date | None = None
    income_per_person: float | None = None
    resp_unit: str = ""
    visitor: str = ""
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _text(value: str, field_name: str, label: str, limit: int = 50) -> str:
    v = (value or "").strip()
    if not v:
        raise MonitoringError(f"{label}不能为空", field=field_name)
    if len(v) > limit:
        raise MonitoringError(f"{label}太长（最多 {limit} 个字）", field=field_name)
    return v


def check_choice(value: str, choices: tuple[str, ...], field_name: str, label: str) -> str:
    """``value`` if it is one of ``choices``, else an error naming the field and the choices."""
    v = (value or "").strip()
    if v not in choices:
        raise MonitoringError(f"{label}「{value}」应为 {'、'.join(choices)} 之一", field=field_name)
    return v


def check_risks(risks: list[str]) -> list[str]:
    """The risks, each one of the rules' (at least one, no repeats)."""
    rules = load_rules()
    out: list[str] = []
    for r in risks:
        v = check_choice(r, rules.risks, "risks", "风险类型")
        if v not in out:
            out.append(v)
    if not out:
        raise MonitoringError("至少要有一项风险类型", field="risks")
    return out


def _unit_id(session: Session, name: str) -> int | None:
    if not name.strip():
        return None
    unit = resolve_unit(session=session, name=name.strip())
    if unit is None:
        raise MonitoringError(f"帮扶责任单位「{name}」不存在", field="resp_unit")
    return unit.id


def validate(session: Session, data: HouseholdIn) -> dict[str, Any]:
    """The checked columns of a new household (errors name the field)."""
    rules = load_rules()
    if isinstance(data.members, bool) or not 1 <= int(data.members) <= MAX_MEMBERS:
        raise MonitoringError(f"家庭人口应为 1 到 {MAX_MEMBERS} 人", field="members")
    income = check_income(data.income_per_person)
    return {
        "county": _text(data.county, "county", "县（市、区）"),
        "township": _text(data.township, "township", "乡镇"),
        "village": _text(data.village, "village", "村"),
        "head_name": _text(data.head_name, "head_name", "户主姓名"),
        "id_number": check_id_number(data.id_number),
        "phone": check_phone(data.phone or ""),
        "members": int(data.members),
        "household_type": check_choice(data.household_type, rules.types, "household_type", "监测对象类别"),
        "found_by": check_choice(data.found_by, rules.found_by, "found_by", "识别方式"),
        "income_per_person": income,
        "resp_unit_id": _unit_id(session, data.resp_unit),
        "visitor": (data.visitor or "").strip()[:50],
    }


def find_by_id_number(session: Session, id_number: str) -> HouseholdRow | None:
    """The household whose head has this ID number, if any."""
    return session.scalar(select(HouseholdRow).where(HouseholdRow.id_number == id_number))


def create_household(
    *, session: Session, data: HouseholdIn, actor: str, now: datetime, places: Collection[str] | None = None
) -> HouseholdRow:
    """Put a household on the list with its risks (409 when its ID number is already there;
    ``places``: its county or township must be one of them)."""
    cols = validate(session, data)
    check_place(cols["county"], cols["township"], places)
    risks = check_risks(data.risks)
    found = find_by_id_number(session, cols["id_number"])
    if found is not None:
        raise MonitoringError(
            f"身份证号 {mask_id(cols['id_number'])} 已在监测名单中（户 {found.id}）",
            field="id_number",
            status=409,
        )
    today = local_date(now)
    found_on = data.found_on or today
    if not FIRST_DAY <= found_on <= today:
        raise MonitoringError(f"识别日期 {found_on} 应在 {FIRST_DAY} 到今天之间", field="found_on")
    row = HouseholdRow(
        **cols,
        found_on=found_on,
        status="monitoring",
        risk_changed_at=now,
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit.record_change(session, row, actor=actor, now=now, entity="household", action="create", before=None,
                        after=masked_snapshot(row))  # fmt: skip
    for risk in risks:
        _add_risk_row(session, row, risk, data.found_by, data.note, actor, now)
    return row


def masked_snapshot(row: HouseholdRow) -> dict[str, Any]:
    """A household's columns for the events log, ID number and phone masked."""
    snap = audit.snapshot(row) or {}
    return {**snap, "id_number": mask_id(row.id_number), "phone": mask_phone(row.phone)}


def _add_risk_row(
    session: Session, row: HouseholdRow, risk: str, found_by: str, note: str, actor: str, now: datetime
) -> HouseholdRiskRow:
    r = HouseholdRiskRow(household_id=row.id, risk=risk, found_by=found_by, note=note[:500], added_at=now)
    session.add(r)
    session.flush()
    audit.record_change(
        session, r, actor=actor, now=now, entity="household_risk", action="create", before=None
    )
    return r


def add_risk(
    *,
    session: Session,
    household_id: int,
    risks: list[str],
    found_by: str,
    note: str,
    actor: str,
    now: datetime,
) -> HouseholdRow:
    """New risks for a household: a cleared one returns to monitoring (返回监测); the risk clock restarts."""
    row = get_household(session=session, household_id=household_id)
    found_by = check_choice(found_by, load_rules().found_by, "found_by", "识别方式")
    risks = check_risks(risks)
    with audit.changing(session, row, actor=actor, now=now, entity="household", action="add_risk",
                        snap=masked_snapshot) as notes:  # fmt: skip
        notes["risks"] = risks
        if row.status == "cleared":
            row.status, row.cleared_at = "returned", None
        row.risk_changed_at = now
    for risk in risks:
        _add_risk_row(session, row, risk, found_by, note, actor, now)
    return row


def get_household(*, session: Session, household_id: int) -> HouseholdRow:
    """The household, or a 404 error naming it."""
    row = session.get(HouseholdRow, household_id)
    if row is None:
        raise MonitoringError(f"监测户 {household_id} 不存在", field="household_id", status=404)
    return row


def household_units(*, session: Session, household_id: int) -> set[int]:
    """The units working on a household: those with a measure on it, and its 帮扶责任单位."""
    units = set(session.scalars(select(MeasureRow.unit_id).where(MeasureRow.household_id == household_id)))
    resp = session.scalar(select(HouseholdRow.resp_unit_id).where(HouseholdRow.id == household_id))
    return units | ({resp} if resp is not None else set())


def place_filter(places: Collection[str]) -> Any:
    """A WHERE clause: the households whose county or township is one of ``places`` (the names of
    an account's governments, its 辖区)."""
    names = sorted(places)
    return or_(HouseholdRow.county.in_(names), HouseholdRow.township.in_(names))


def check_place(county: str, township: str, places: Collection[str] | None) -> None:
    """MonitoringError (field ``county``) unless the county or township is one of ``places``."""
    if places is not None and county not in places and township not in places:
        raise MonitoringError(f"「{county}{township}」不在本级辖区内", field="county")


def in_places(row: HouseholdRow, places: Collection[str] | None) -> bool:
    """Whether a household lies in ``places`` (None: everywhere)."""
    return places is None or row.county in places or row.township in places


def unit_filter(unit_id: int) -> Any:
    """A WHERE clause: the households a unit works on (a measure of its own, or its 帮扶责任单位)."""
    mine = select(MeasureRow.household_id).where(MeasureRow.unit_id == unit_id)
    return or_(HouseholdRow.id.in_(mine), HouseholdRow.resp_unit_id == unit_id)


def list_households(
    *,
    session: Session,
    unit_id: int | None = None,
    township: str | None = None,
    status: str | None = None,
    risk: str | None = None,
    limit: int = 200,
    offset: int = 0,
    places: Collection[str] | None = None,
) -> list[HouseholdRow]:
    """Households on the list (a unit officer's ``unit_id``: only theirs; ``places``: only those
    counties' and townships'), by place then id."""
    stmt = select(HouseholdRow)
    if unit_id is not None:
        stmt = stmt.where(unit_filter(unit_id))
    if places is not None:
        stmt = stmt.where(place_filter(places))
    if township:
        stmt = stmt.where(HouseholdRow.township == township)
    if status:
        stmt = stmt.where(HouseholdRow.status == status)
    if risk:
        stmt = stmt.where(
            HouseholdRow.id.in_(select(HouseholdRiskRow.household_id).where(HouseholdRiskRow.risk == risk))
        )
    stmt = stmt.order_by(HouseholdRow.county, HouseholdRow.township, HouseholdRow.village, HouseholdRow.id)
    return list(session.scalars(stmt.limit(limit).offset(offset)))


def risks_of(*, session: Session, ids: list[int]) -> dict[int, list[str]]:
    """Each household's risks (distinct, in the order found)."""
    out: dict[int, list[str]] = {i: [] for i in ids}
    rows = session.execute(
        select(HouseholdRiskRow.household_id, HouseholdRiskRow.risk)
        .where(HouseholdRiskRow.household_id.in_(ids))
        .order_by(HouseholdRiskRow.id)
    )
    for hid, risk in rows:
        if risk not in out[hid]:
            out[hid].append(risk)
    return out


def summary(row: HouseholdRow, *, full: bool, risks: list[str], resp_unit: str | None) -> dict[str, Any]:
    """A household's line: ID number and phone whole only when ``full``."""
    return {
        "id": row.id,
        "county": row.county,
        "township": row.township,
        "village": row.village,
        "head_name": row.head_name,
        "id_number": row.id_number if full else mask_id(row.id_number),
        "phone": row.phone if full else mask_phone(row.phone),
        "members": row.members,
        "household_type": row.household_type,
        "found_by": row.found_by,
        "found_on": row.found_on.isoformat(),
        "income_per_person": row.income_per_person,
        "status": row.status,
        "status_label": STATUS_LABELS[row.status],
        "risks": risks,
        "resp_unit": resp_unit,
        "visitor": row.visitor,
        "masked": not full,
    }


def summaries(*, session: Session, rows: list[HouseholdRow], full: Any) -> list[dict[str, Any]]:
    """The lines of ``rows``; ``full(row)`` says whether the viewer sees the whole ID and phone."""
    risks = risks_of(session=session, ids=[r.id for r in rows])
    names = unit_names(session=session, ids=[r.resp_unit_id for r in rows])
    return [
        summary(r, full=full(r), risks=risks[r.id], resp_unit=names.get(r.resp_unit_id or 0)) for r in rows
    ]


def log_view(
    *,
    session: Session,
    household_id: int,
    actor: str,
    now: datetime,
    role: str | None,
    path: str,
    masked: bool,
    action: str = "view",
) -> None:
    """Write the event of one view of a household's page or record (who, where, masked or not);
    an export of the list is ``action="export"`` on household 0."""
    audit.record(session, actor=actor, now=now, entity="household", entity_id=household_id, action=action,
                 before=None, after={"role": role, "path": path, "masked": masked})  # fmt: skip
