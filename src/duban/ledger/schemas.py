"""Pydantic schemas of the ledger (what the console and the CLI exchange), one ladder per noun:
``XCreate`` (input) / ``XUpdate`` (partial input) / ``XRead`` (output, from ORM rows) / ``XPage``.

The ORM models are in :mod:`duban.ledger.models`; service results (TickReport, Board, …) are
here too so that web and CLI render the same values.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from duban.db import Day

ItemKind = Literal["target", "achievement", "task"]
Grade = Literal["优秀", "良好", "合格", "不合格"]


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# ---- plans and items ------------------------------------------------------------------------
class PlanRead(_Read):
    id: int
    place: str
    level: str
    year: int
    title: str
    doc: str
    source: str
    checksum: str
    loaded_at: datetime
    loaded_by: str
    source_kind: str = "report"  # ledger/rules/sources.yaml: report, handed_down, …, proposal


class ItemCreate(BaseModel):
    ref: str
    kind: ItemKind
    text: str
    metric: str | None = None
    change: str | None = None
    value: float | None = None
    value_high: float | None = None
    unit: str | None = None
    bound: str | None = None
    deadline: date | None = None
    deadline_text: str | None = None
    section_path: str | None = None
    section_title: str | None = None
    quote: str = ""
    start: int = 0
    end: int = 0
    line: int = 0
    headline: bool = False
    flags: list[str] = Field(default_factory=list)
    counts: list[str] = Field(default_factory=list)
    targets: list[dict[str, Any]] = Field(default_factory=list)


class ItemRead(ItemCreate):
    model_config = ConfigDict(from_attributes=True)
    id: int
    plan_id: int
    source_fields: dict[str, Any] = {}  # a listed item's own fields (文号, 代表, 提案号…)


class ItemPage(BaseModel):
    items: list[ItemRead]
    total: int


# ---- assignments, duties --------------------------------------------------------------------
class AssignmentRead(_Read):
    id: int
    item_id: int
    lead_unit_id: int
    leader: str | None
    assigned_at: datetime
    assigned_by: str
    rule: str | None


class DutyRead(_Read):
    id: int
    item_id: int
    status: str
    major: bool
    due: date
    assigned_at: datetime
    deployed_at: datetime | None
    first_feedback_at: datetime | None
    last_feedback_at: datetime | None
    closure_requested_at: datetime | None
    closed_at: datetime | None
    returned_at: datetime | None
    return_reason: str | None
    grade: str | None
    light: str | None
    overdue_workdays: int
    next_due: date | None


class MilestoneCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    due: Day


class MilestoneRead(_Read):
    id: int
    duty_id: int
    name: str
    due: date
    done_at: datetime | None


# ---- progress -------------------------------------------------------------------------------
class ProgressRead(_Read):
    id: int
    duty_id: int
    reported_at: datetime
    text: str
    figure: float | None
    share: int | None
    evidence: str | None
    actor: str
    results: list[dict[str, Any]] = Field(default_factory=list)


class ResultCreate(BaseModel):
    """A 完成值 for one of the duty's targets (its index in the item's ``targets``)."""

    target: int
    value: float
    unit: str


class EvidenceRead(_Read):
    id: int
    duty_id: int
    progress_id: int | None
    name: str
    kind: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


class ProgressPage(BaseModel):
    items: list[ProgressRead]
    total: int


# ---- events ---------------------------------------------------------------------------------
class EventRead(_Read):
    id: int
    at: datetime
    actor: str
    entity: str
    entity_id: int
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


# ---- service results ------------------------------------------------------------------------
class TickReport(BaseModel):
    """What one tick did: duties evaluated, actions newly recorded, lights that changed."""

    now: datetime
    evaluated: int = 0
    new_actions: int = 0
    light_changes: int = 0
    actions_by_kind: dict[str, int] = Field(default_factory=dict)
    errors: list[str] = Field(default_factory=list)
    failed: list[int] = Field(default_factory=list)
    """Every duty that could not be evaluated (``errors`` says why, for the first few)."""
    provisional_years: list[int] = Field(default_factory=list)
    """暂定 calendar years some evaluation depended on (the tick's dates there are provisional)."""


class UnitLights(BaseModel):
    unit: str
    green: int = 0
    yellow: int = 0
    red: int = 0
    grey: int = 0
    total: int = 0


class SectionLights(BaseModel):
    section: str
    green: int = 0
    yellow: int = 0
    red: int = 0
    grey: int = 0
    total: int = 0


class BoardRow(BaseModel):
    duty_id: int
    plan_id: int
    unit: str
    section: str
    text: str
    due: date
    overdue_workdays: int
    light: str
    status: str


class CompletionPoint(BaseModel):
    month: str
    assigned: int
    closed: int
    rate: float


class BoardView(BaseModel):
    """Lights by unit and by section, open duties (overdue first), completion over time."""

    now: datetime
    totals: dict[str, int]
    units: list[UnitLights]
    sections: list[SectionLights]
    rows: list[BoardRow]
    rows_total: int
    series: list[CompletionPoint]


class OverdueRow(BaseModel):
    duty_id: int
    unit: str
    text: str
    due: date
    overdue_workdays: int
    light: str | None
    status: str


class Board(BaseModel):
    """Lights by lead unit and the overdue list (most days overdue first)."""

    now: datetime
    units: list[UnitLights]
    overdue: list[OverdueRow]
    totals: dict[str, int]


class OpenDutyRow(BaseModel):
    duty_id: int
    plan_id: int
    unit: str | None
    text: str
    status: str
    due: date
    light: str | None
    last_feedback_at: datetime | None


class ImportCellError(BaseModel):
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"工作表「{self.sheet}」第 {self.row} 行「{self.column}」列: {self.message}"


class ImportReport(BaseModel):
    rows: int = 0
    unchanged: int = 0
    progress_added: int = 0
    due_changed: int = 0
