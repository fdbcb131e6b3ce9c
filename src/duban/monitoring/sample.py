"""The project's own sample of the monitoring list (``samples/示例市防返贫监测样例.yaml``), played
in date order through the same services as the console: households found, measures assigned and
done, visits, 风险消除 by the rules, new risks — each step with its event."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from duban.clock.calendar import SHANGHAI, WorkCalendar
from duban.monitoring import clearance, households, measures, visits
from duban.monitoring.models import HouseholdRow
from duban.monitoring.rules import MonitoringError

SAMPLE = "示例市防返贫监测样例.yaml"
ACTOR = "示例数据"
ORDER = ("create", "assign", "finish", "visit", "clear", "risk")


def sample_path() -> Path:
    """Where the sample is."""
    return Path(str(resources.files("duban.samples").joinpath(SAMPLE)))


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), SHANGHAI).astimezone(UTC)


def _steps(n: int, h: dict[str, Any]) -> list[tuple[date, int, int, str, Any]]:
    """(date, household, order, kind, payload) of one household's steps."""
    out: list[tuple[date, int, int, str, Any]] = [(h["found_on"], n, 0, "create", h)]
    for i, (kind, unit, content, on, done, note) in enumerate(h.get("measures") or []):
        out.append((on, n, 1, "assign", (i, kind, unit, content)))
        if done is not None:
            out.append((done, n, 2, "finish", (i, note)))
    for v in h.get("visits") or []:
        out.append((v[0], n, 3, "visit", (v[0], float(v[1]), bool(v[2]) if len(v) > 2 else False)))
    if h.get("clear"):
        out.append((h["clear"], n, 4, "clear", None))
    if h.get("new_risk"):
        out.append((h["new_risk"][0], n, 5, "risk", h["new_risk"]))
    return out


def _do(
    s: Session, cal: WorkCalendar, h: dict[str, Any], hid: dict[Any, int], n: int, kind: str, p: Any
) -> None:
    if kind == "create":
        data = households.HouseholdIn(county=h["county"], township=h["township"], village=h["village"],
                                      head_name=h["head_name"], id_number=str(h["id_number"]), phone=str(h["phone"]),
                                      members=h["members"], household_type=h["type"], risks=h["risks"],
                                      found_by=h["found_by"], found_on=h["found_on"], income_per_person=h["income"],
                                      resp_unit=h["resp_unit"], visitor=h["visitor"])  # fmt: skip
        hid[n] = households.create_household(session=s, data=data, actor=ACTOR, now=_at(h["found_on"])).id
    elif kind == "assign":
        i, measure_type, unit, content = p
        on = h["measures"][i][3]
        hid[(n, i)] = measures.assign_measure(session=s, household_id=hid[n], measure_type=measure_type, unit=unit,
                                              content=content, calendar=cal, actor=ACTOR, now=_at(on)).id  # fmt: skip
    elif kind == "finish":
        i, note = p
        measures.finish_measure(
            session=s, measure_id=hid[(n, i)], note=note, actor=ACTOR, now=_at(h["measures"][i][4], 16)
        )
    elif kind == "visit":
        on, income, resolved = p
        visits.record_visit(session=s, household_id=hid[n], visited_on=on, visitor=h["visitor"], unit_id=None,
                            income_per_person=income, risk_resolved=resolved, note="", actor=ACTOR, now=_at(on, 17))  # fmt: skip
    elif kind == "clear":
        clearance.clear_risk(
            session=s, household_id=hid[n], note="条件已满足", actor=ACTOR, now=_at(h["clear"])
        )
    else:
        on, risks, found_by, note = p
        households.add_risk(session=s, household_id=hid[n], risks=risks, found_by=found_by, note=note, actor=ACTOR,
                            now=_at(on))  # fmt: skip


def play_sample(
    *, session: Session, calendar: WorkCalendar, until: date, path: Path | None = None
) -> Counter[str]:
    """Play the sample's steps dated up to ``until``; returns the households by status."""
    data = yaml.safe_load((path or sample_path()).read_text(encoding="utf-8"))
    rows: list[dict[str, Any]] = data["households"]
    steps = sorted((s for n, h in enumerate(rows) for s in _steps(n, h)), key=lambda s: (s[0], s[2], s[1]))
    hid: dict[Any, int] = {}
    for day, n, _order, kind, payload in steps:
        if day > until:
            break
        try:
            _do(session, calendar, rows[n], hid, n, kind, payload)
        except MonitoringError as exc:
            raise MonitoringError(f"{SAMPLE} 第 {n + 1} 户 {day} {kind}：{exc}") from exc
    ids = [hid[n] for n in range(len(rows)) if n in hid]
    statuses = session.query(HouseholdRow.status).filter(HouseholdRow.id.in_(ids)).all() if ids else []
    return Counter(status for (status,) in statuses)
