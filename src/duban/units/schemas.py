"""Pydantic schemas of units: ``UnitCreate`` (an entry of a unit file) and ``UnitRead``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

UnitKind = Literal["部门", "县区", "开发区"]


class UnitCreate(BaseModel):
    """One unit as a unit file gives it."""

    name: str = Field(min_length=1, max_length=100)
    short_name: str | None = None
    kind: UnitKind = "部门"
    parent: str | None = None
    aliases: list[str] = Field(default_factory=list)


class UnitRead(BaseModel):
    """A stored unit."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    short_name: str | None
    kind: str
    parent_id: int | None
