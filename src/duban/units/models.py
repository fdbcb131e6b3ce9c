"""The units tables: responsible units (部门/县区/开发区) with their hierarchy, and their aliases.

Every domain names units through :mod:`duban.units.service`; only that module writes these rows.
The tables are created by migration ``0001`` (table names ``units`` and ``unit_aliases``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from duban.db import Base, in_values

UNIT_KINDS: tuple[str, ...] = ("部门", "县区", "开发区")
GOVERNMENT_LEVELS: tuple[str, ...] = ("省", "市", "县", "乡")


class GovernmentRow(Base):
    """A government of the deployment (省/市/县/乡) under its parent; units, accounts and plans
    belong to one. ``settings`` holds what it sets for itself (routing rules, extra calendar
    days); what it does not set it inherits from the level above (docs/levels.md)."""

    __tablename__ = "governments"
    __table_args__ = (CheckConstraint(in_values("level", GOVERNMENT_LEVELS), name="level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    level: Mapped[str] = mapped_column(String(10))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("governments.id"), index=True)
    code: Mapped[str | None] = mapped_column(String(20))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")


class UnitRow(Base):
    """A responsible unit: a city department (部门), a county/district (县区) or a zone (开发区)."""

    __tablename__ = "units"
    __table_args__ = (CheckConstraint(in_values("kind", UNIT_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(10))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    government_id: Mapped[int | None] = mapped_column(ForeignKey("governments.id"), index=True)

    parent: Mapped[UnitRow | None] = relationship(remote_side="UnitRow.id")
    aliases: Mapped[list[UnitAliasRow]] = relationship(back_populates="unit", cascade="all, delete-orphan")


class UnitAliasRow(Base):
    """Another name a unit goes by (市发改委 = 市发展和改革委员会); unique across all units."""

    __tablename__ = "unit_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(100), unique=True)

    unit: Mapped[UnitRow] = relationship(back_populates="aliases")
