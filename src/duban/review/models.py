"""The review's table: ``promises``, one row per target of a place's plan year with the result
the next report gave and its verdict. Written and read only through :mod:`duban.review.store`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from duban.db import Base, UTCDateTime, in_values
from duban.review.model import VERDICTS


class PromiseRow(Base):
    """One target of a place's plan year with the result the next report gave and its verdict."""

    __tablename__ = "promises"
    __table_args__ = (
        CheckConstraint(in_values("verdict", VERDICTS), name="verdict"),
        Index("ix_promises_place_year", "place", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    place: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)  # order in the review: headline targets first
    metric: Mapped[str] = mapped_column(String(200))
    metric_id: Mapped[str | None] = mapped_column(String(80))
    metric_words: Mapped[str] = mapped_column(String(200), default="")  # the report's own words
    scope: Mapped[str | None] = mapped_column(String(40))
    headline: Mapped[bool] = mapped_column(Boolean, default=False)
    target_value: Mapped[float | None] = mapped_column(Float)
    target_value_high: Mapped[float | None] = mapped_column(Float)
    target_unit: Mapped[str] = mapped_column(String(40), default="")
    target_bound: Mapped[str] = mapped_column(String(20), default="exact")
    target_change: Mapped[str | None] = mapped_column(String(20))
    target_quote: Mapped[str] = mapped_column(Text, default="")
    target_line: Mapped[int | None] = mapped_column(Integer)
    actual_value: Mapped[float | None] = mapped_column(Float)
    actual_unit: Mapped[str | None] = mapped_column(String(40))
    actual_change: Mapped[str | None] = mapped_column(String(20))
    actual_quote: Mapped[str | None] = mapped_column(Text)
    actual_line: Mapped[int | None] = mapped_column(Integer)
    has_actual: Mapped[bool] = mapped_column(Boolean, default=False)
    verdict: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(300), default="")  # the two reports, "EARLIER → LATER"
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime())
    saved_by: Mapped[str] = mapped_column(String(100))
