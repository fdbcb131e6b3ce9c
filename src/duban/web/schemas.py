"""Schemas the console adds to the ledger's (the board's are in the ledger): duty details with
the clock, plan trees, upload previews, accounts. Ledger rows are read with the ledger's own ``*Read``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from duban.db import Day, Figure, ShortText
from duban.ledger.schemas import (
    BoardRow,
    DutyRead,
    EventRead,
    ItemRead,
    MilestoneCreate,
    MilestoneRead,
    PlanRead,
    ProgressRead,
    ResultCreate,
)

LightName = Literal["green", "yellow", "red", "grey"]


class Problem(BaseModel):
    """Every error the API returns."""

    detail: str
    field: str | None = None


class ClockMilestone(BaseModel):
    key: str
    label: str
    due: date
    done_at: datetime | None
    state: str


class DutyClockView(BaseModel):
    light: str
    overdue_workdays: int
    next_due: ClockMilestone | None
    milestones: list[ClockMilestone]
    error: str | None = None


class DutyDetail(BaseModel):
    duty: DutyRead
    item: ItemRead
    plan_id: int
    unit: str
    co_units: list[str]
    leader: str | None
    clock: DutyClockView
    milestones: list[MilestoneRead]
    progress: list[ProgressRead]


class DutyListPage(BaseModel):
    items: list[BoardRow]
    total: int


class PlanItemView(BaseModel):
    item: ItemRead
    unit: str | None
    duty_id: int | None
    status: str | None
    light: str | None


class PlanSectionView(BaseModel):
    path: str
    title: str
    items: list[PlanItemView]


class PlanTree(BaseModel):
    plan: PlanRead
    sections: list[PlanSectionView]


class AssignBody(BaseModel):
    unit: str = Field(min_length=1, max_length=100)
    co_units: list[ShortText] = Field(default_factory=list, max_length=50)
    leader: ShortText | None = None
    major: bool = False


class AutoAssignResult(BaseModel):
    assigned: list[int]
    needs_person: list[int]


class ProgressBody(BaseModel):
    text: str = Field(min_length=1, max_length=5000)
    figure: Figure | None = None
    share: int | None = Field(default=None, ge=0, le=100)
    evidence: str | None = Field(default=None, max_length=2000)
    results: list[ResultCreate] = Field(default_factory=list, max_length=50)  # 完成值, one per target


class PaceView(BaseModel):
    """序时进度: share done and share of the period gone (0–1), and its reading."""

    done: float | None
    elapsed: float
    key: str
    label: str


class ClosureBody(BaseModel):
    text: str | None = Field(default=None, max_length=5000)


class DueBody(BaseModel):
    due: Day


class MilestonesBody(BaseModel):
    milestones: list[MilestoneCreate] = Field(max_length=50)


class ReviewBody(BaseModel):
    decision: Literal["approve", "return"]
    reason: str | None = Field(default=None, max_length=2000)
    grade: Literal["优秀", "良好", "合格", "不合格"] | None = None


class TokenBody(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)
    label: str = Field(default="", max_length=100)


class TokenRead(BaseModel):
    token: str
    token_type: str = "bearer"


class MeRead(BaseModel):
    id: int
    name: str
    role: str
    unit: str | None


class FlaggedFigure(BaseModel):
    metric: str
    value: float
    unit: str
    quote: str
    line: int
    flags: list[str]


class NoteView(BaseModel):
    kind: str
    line: int
    text: str
    detail: str


class UploadPreview(BaseModel):
    token: str | None
    file: str
    title: str
    place: str
    year: int | None
    quantities: int
    targets: int
    tasks: int
    headline: int
    notes: list[NoteView]
    flagged: list[FlaggedFigure]


class PlanLoaded(BaseModel):
    plan: PlanRead
    created: bool
    items: int


class HeadlineTarget(BaseModel):
    plan_id: int
    place: str
    year: int
    metric: str | None
    text: str
    quote: str
    value: float | None
    value_high: float | None
    unit: str | None
    bound: str | None
    change: str | None


class EventList(BaseModel):
    items: list[EventRead]
    total: int


def as_dict(model: BaseModel) -> dict[str, Any]:
    """A JSON-ready dict of a model."""
    return model.model_dump(mode="json")
