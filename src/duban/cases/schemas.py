"""Pydantic schemas of the case hub: ``CaseCreate`` (what intake accepts), ``CaseRead`` (what a view
shows, the phone masked unless the viewer must call back).

ORM rows live in :mod:`duban.cases.models`; these are the shapes that cross the service boundary.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from duban.cases.models import CASE_TYPES, CHANNELS, CaseRow
from duban.cases.rules import phone_for

MAX_CONTENT = 4000


class CaseCreate(BaseModel):
    """A new case as a channel hands it in."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    channel: str
    case_type: str = "求助"
    urgent: bool = False
    title: str = Field(default="", max_length=200)
    content: str = Field(min_length=1, max_length=MAX_CONTENT)
    citizen_name: str | None = Field(default=None, max_length=100)
    citizen_phone: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=300)
    address_id: str | None = Field(default=None, max_length=100)
    zipcode: str | None = Field(default=None, max_length=20)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    media_url: str | None = Field(default=None, max_length=500)
    service_code: str | None = Field(default=None, max_length=40)
    category: str | None = Field(default=None, max_length=100)
    source: str = Field(default="duban", max_length=40)
    external_id: str | None = Field(default=None, max_length=80)
    received_at: datetime | None = None
    item_id: int | None = None
    publish: bool = False
    """The citizen agreed to publish the case (coarsened) on Open311's anonymous list."""

    @field_validator("channel")
    @classmethod
    def _channel(cls, v: str) -> str:
        if v not in CHANNELS:
            raise ValueError(f"渠道应为 {'/'.join(CHANNELS)} 之一")
        return v

    @field_validator("case_type")
    @classmethod
    def _case_type(cls, v: str) -> str:
        if v not in CASE_TYPES:
            raise ValueError(f"工单类型应为 {'/'.join(CASE_TYPES)} 之一")
        return v

    @field_validator("received_at")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            raise ValueError("受理时间须带时区")
        return v


class CaseRead(BaseModel):
    """A case as a person sees it (the phone masked unless their role calls back)."""

    id: int
    channel: str
    case_type: str
    urgent: bool
    status: str
    title: str
    content: str
    category: str | None
    confidence: float | None
    review: str
    suggested_unit_id: int | None
    service_code: str | None
    citizen_name: str | None
    citizen_phone: str | None
    address: str | None
    lat: float | None
    lon: float | None
    unit_id: int | None
    owner_unit_id: int | None
    parent_id: int | None
    item_id: int | None
    received_at: datetime
    due_date: date | None
    settled_at: datetime | None
    reply: str | None
    satisfaction: str | None
    extension_state: str | None
    light: str | None
    track_code: str | None = None
    """The citizen's tracking code (查询码), to read out over the phone."""
    publish: bool = False

    @classmethod
    def of(cls, row: CaseRow, *, role: str | None) -> CaseRead:
        """The view of ``row`` for a viewer of ``role``."""
        data: dict[str, Any] = {name: getattr(row, name) for name in cls.model_fields}
        data["citizen_phone"] = phone_for(row.citizen_phone, role)
        return cls(**data)
