"""The monitoring list's tables: households under watch (监测对象), their risks (风险), the
assistance measures assigned to units (帮扶措施) and the visits (走访).

Only the services of :mod:`duban.monitoring` write these rows, each change with its event in the
audit log. The schema is created by ``migrations/versions/0530_monitoring.py`` (a test checks the
two agree).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from duban.db import Base, UTCDateTime, in_values

HOUSEHOLD_STATUSES: tuple[str, ...] = ("monitoring", "cleared", "returned")


class HouseholdRow(Base):
    """One household under watch (监测户)."""

    __tablename__ = "households"
    __table_args__ = (
        CheckConstraint(in_values("status", HOUSEHOLD_STATUSES), name="status"),
        CheckConstraint("members >= 1", name="members"),
        Index("ix_households_place", "county", "township", "village"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county: Mapped[str] = mapped_column(String(50))
    township: Mapped[str] = mapped_column(String(50))
    village: Mapped[str] = mapped_column(String(50))
    head_name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    phone: Mapped[str] = mapped_column(String(20), default="")
    members: Mapped[int] = mapped_column(Integer)
    household_type: Mapped[str] = mapped_column(String(20))
    found_by: Mapped[str] = mapped_column(String(20))
    found_on: Mapped[date] = mapped_column(Date)
    income_per_person: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default="monitoring", index=True)
    resp_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    visitor: Mapped[str] = mapped_column(String(50), default="")
    risk_changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HouseholdRiskRow(Base):
    """A risk (致贫返贫风险) found for a household, and how it was found."""

    __tablename__ = "household_risks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    risk: Mapped[str] = mapped_column(String(20), index=True)
    found_by: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MeasureRow(Base):
    """An assistance measure (帮扶措施) assigned to a unit, timed on the working-day clock."""

    __tablename__ = "household_measures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    measure_type: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    content: Mapped[str] = mapped_column(Text)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_date: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(Text, default="")


class VisitRow(Base):
    """A visit (走访) to a household: who went, what income was stated, whether the risk is resolved."""

    __tablename__ = "household_visits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    visitor: Mapped[str] = mapped_column(String(50))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    income_per_person: Mapped[float | None] = mapped_column(Float)
    risk_resolved: Mapped[bool] = mapped_column(Boolean, server_default=false(), default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
