"""The rates (三率 and more) by unit and month, the rankings within a unit class, and the monthly
通报 (a red and a black list) as xlsx and as JSON for the console.

Everything is counted in SQL (two GROUP BY queries: one over ``cases`` by the owning unit, one over
``case_dispatches`` by the dispatched unit), so a million cases take well under two seconds.

- 响应率  dispatches signed for (签收) by the response limit / dispatches
- 退回率  dispatches returned / dispatches
- 解决率  cases settled and never reopened / cases due (due date passed, or settled)
- 满意率  (满意 + 基本满意) / cases followed up
- 按时办结率  settled by the due date / settled
- 重办率  cases reopened at least once / settled
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from duban.cases.models import CaseRow, DispatchRow
from duban.cases.rules import HubRules, load_rules
from duban.units.service import unit_refs

RATE_LABELS: dict[str, str] = {
    "response_rate": "响应率",
    "resolution_rate": "解决率",
    "satisfaction_rate": "满意率",
    "on_time_rate": "按时办结率",
    "return_rate": "退回率",
    "reopen_rate": "重办率",
}


@dataclass
class RateRow:
    """One unit's counts and rates for one month (a rate is None when its denominator is 0)."""

    unit_id: int
    unit: str
    unit_kind: str
    month: str
    cases: int
    due: int
    resolved: int
    settled: int
    on_time: int
    rated: int
    satisfied: int
    reopened: int
    dispatches: int
    responded: int
    returned: int
    response_rate: float | None = None
    resolution_rate: float | None = None
    satisfaction_rate: float | None = None
    on_time_rate: float | None = None
    return_rate: float | None = None
    reopen_rate: float | None = None
    score: float | None = None
    rank: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def _share(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


def _one(cond: Any) -> Any:
    return func.sum(case((cond, 1), else_=0))


def unit_rates(
    *, session: Session, as_of: date, month: str | None = None, units: Select[Any] | None = None
) -> list[RateRow]:
    """Counts and rates per (unit, month); ``month`` ("2026-03") narrows to one month, ``units`` (a
    SELECT of unit ids, such as a government's) to those units."""
    c = CaseRow
    case_q = select(
        c.owner_unit_id,
        c.month,
        func.count(),
        _one((c.due_date <= as_of) | c.settled_at.is_not(None)),
        _one(c.settled_at.is_not(None) & (c.reopened_count == 0)),
        func.count(c.settled_at),
        _one(c.settled_in_time.is_(True)),
        func.count(c.satisfaction),
        _one(c.satisfaction.in_(("满意", "基本满意"))),
        _one(c.reopened_count > 0),
    ).where(c.owner_unit_id.is_not(None))
    d = DispatchRow
    disp_q = select(
        d.unit_id, d.month, func.count(), _one(d.accepted_in_time.is_(True)), func.count(d.returned_at)
    )
    if month is not None:
        case_q = case_q.where(c.month == month)
        disp_q = disp_q.where(d.month == month)
    if units is not None:
        case_q = case_q.where(c.owner_unit_id.in_(units))
        disp_q = disp_q.where(d.unit_id.in_(units))
    case_q = case_q.group_by(c.month, c.owner_unit_id)  # the order of ix_cases_rates
    disp_q = disp_q.group_by(d.month, d.unit_id)  # the order of ix_case_dispatches_rates

    rows: dict[tuple[int, str], list[int]] = {}
    for unit_id, m, *counts in session.execute(case_q):
        rows[(unit_id, m)] = [int(x or 0) for x in counts] + [0, 0, 0]
    for unit_id, m, n, responded, returned in session.execute(disp_q):
        slot = rows.setdefault((unit_id, m), [0] * 8 + [0, 0, 0])
        slot[8:11] = [int(n or 0), int(responded or 0), int(returned or 0)]
    named = {
        uid: (ref.name, ref.kind) for uid, ref in unit_refs(session=session, ids={k[0] for k in rows}).items()
    }
    out: list[RateRow] = []
    for (unit_id, m), v in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        name, kind = named.get(unit_id, (f"单位{unit_id}", ""))
        r = RateRow(unit_id, name, kind, m, *v)
        r.response_rate = _share(r.responded, r.dispatches)
        r.return_rate = _share(r.returned, r.dispatches)
        r.resolution_rate = _share(r.resolved, r.due)
        r.satisfaction_rate = _share(r.satisfied, r.rated)
        r.on_time_rate = _share(r.on_time, r.settled)
        r.reopen_rate = _share(r.reopened, r.settled)
        out.append(r)
    return out


def score(row: RateRow, rules: HubRules) -> float | None:
    """The weighted score of the three rates (missing rates left out, the weights renormalised)."""
    parts = {
        "response": row.response_rate,
        "resolution": row.resolution_rate,
        "satisfaction": row.satisfaction_rate,
    }
    total = sum(rules.weights.get(k, 0.0) for k, v in parts.items() if v is not None)
    if total == 0:
        return None
    return sum(rules.weights.get(k, 0.0) * v for k, v in parts.items() if v is not None) / total


@dataclass(frozen=True)
class Ranking:
    """One unit class's ranking for a month: ranked rows, the red and black lists, and the units
    left out for too little volume."""

    month: str
    unit_kind: str
    ranked: list[RateRow]
    red: list[RateRow]
    black: list[RateRow]
    too_few: list[RateRow]


def rankings(
    *,
    session: Session,
    month: str,
    as_of: date,
    rules: HubRules | None = None,
    units: Select[Any] | None = None,
) -> list[Ranking]:
    """Rank units within each class (部门, 县区, 开发区) by score, only those with ≥ min_volume cases
    (``units``: among those units only, e.g. a county's own 通报)."""
    rules = rules or load_rules()
    rows = unit_rates(session=session, as_of=as_of, month=month, units=units)
    out: list[Ranking] = []
    for kind in sorted({r.unit_kind for r in rows}):
        mine = [r for r in rows if r.unit_kind == kind]
        eligible: list[RateRow] = []
        too_few: list[RateRow] = []
        for r in mine:
            r.score = score(r, rules)
            (eligible if r.cases >= rules.min_volume and r.score is not None else too_few).append(r)
        eligible.sort(key=lambda r: (-(r.score or 0.0), r.unit))
        for i, r in enumerate(eligible, start=1):
            r.rank = i
        n = min(rules.list_size, len(eligible) // 2)
        out.append(
            Ranking(
                month=month,
                unit_kind=kind,
                ranked=eligible,
                red=eligible[:n],
                black=list(reversed(eligible[-n:])) if n else [],
                too_few=too_few,
            )
        )
    return out


def rankings_json(rankings_: list[Ranking]) -> dict[str, Any]:
    """The rankings as JSON for the console."""
    return {
        "classes": [
            {
                "month": r.month,
                "unit_kind": r.unit_kind,
                "ranked": [x.as_dict() for x in r.ranked],
                "red": [x.unit for x in r.red],
                "black": [x.unit for x in r.black],
                "too_few": [x.unit for x in r.too_few],
            }
            for r in rankings_
        ]
    }


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def bulletin_xlsx(rankings_: list[Ranking], *, month: str, rules: HubRules | None = None) -> bytes:
    """The monthly 通报 workbook: one sheet per unit class with the ranking, a red and a black list."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    rules = rules or load_rules()
    wb = Workbook()
    wb.remove(wb.active)
    header = ["排名", "单位", "工单量", *RATE_LABELS.values(), "综合得分"]
    red_fill = PatternFill("solid", fgColor="FADBD8")
    black_fill = PatternFill("solid", fgColor="D5D8DC")
    if not rankings_:
        ws = wb.create_sheet("通报")
        ws.append([f"{month} 工单办理情况通报：本月无可统计的工单"])
    for r in rankings_:
        ws = wb.create_sheet(r.unit_kind or "其他")
        ws.append([f"{month} 12345 工单办理情况通报（{r.unit_kind}）"])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append(
            [f"参与排名须当月工单量不少于 {rules.min_volume} 件；综合得分 = 响应率、解决率、满意率加权"]
        )
        ws.append(header)
        for cell in ws[3]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center")
        red_ids = {x.unit_id for x in r.red}
        black_ids = {x.unit_id for x in r.black}
        for row in r.ranked:
            ws.append(
                [
                    row.rank,
                    row.unit,
                    row.cases,
                    *(_pct(getattr(row, k)) for k in RATE_LABELS),
                    _pct(row.score),
                ]
            )
            fill = red_fill if row.unit_id in red_ids else black_fill if row.unit_id in black_ids else None
            if fill is not None:
                for cell in ws[ws.max_row]:
                    cell.fill = fill
        ws.append([])
        ws.append(["红榜", "、".join(x.unit for x in r.red) or "无"])
        ws.append(["黑榜", "、".join(x.unit for x in r.black) or "无"])
        if r.too_few:
            ws.append(["工单量不足未排名", "、".join(x.unit for x in r.too_few)])
        ws.freeze_panes = "A4"
        ws.column_dimensions["B"].width = 28
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
