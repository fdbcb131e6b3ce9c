"""The case hub's tables: cases (工单), their dispatches (派单记录), applied clock actions and
citizen-visible updates (Open311 ``servicerequestupdates``).

Only the case hub's service modules (:mod:`duban.cases.flow`, :mod:`duban.cases.intake`,
:mod:`duban.cases.city311`) write these rows; the rates (:mod:`duban.cases.rates`) read them with
SQL aggregates. The schema is created by ``migrations/versions/0200_cases.py`` (a test checks
the two agree). Every status change is also written to the ledger's events log.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from duban.db import Base, UTCDateTime, in_values


class CaseStatus(StrEnum):
    """The statuses of a case; the allowed moves between them are in :mod:`duban.cases.flow`."""

    RECEIVED = "received"  # 受理
    DISPATCHED = "dispatched"  # 派单
    ACCEPTED = "accepted"  # 签收
    RETURNED = "returned"  # 退回
    IN_PROGRESS = "in_progress"  # 办理
    SETTLED = "settled"  # 办结
    FOLLOWED_UP = "followed_up"  # 回访
    REOPENED = "reopened"  # 重办
    ARCHIVED = "archived"  # 归档


CASE_STATUSES: tuple[str, ...] = tuple(s.value for s in CaseStatus)
CASE_TYPES: tuple[str, ...] = ("咨询", "求助", "投诉", "举报", "建议")
CHANNELS: tuple[str, ...] = (
    "hotline_phone",
    "hotline_web",
    "hotline_app",
    "police_110",
    "chengguan",
    "grid",
    "enterprise",
    "sensor",
    "open311",
    "import",
)
SATISFACTION: tuple[str, ...] = ("满意", "基本满意", "不满意")
EXTENSION_STATES: tuple[str, ...] = ("requested", "approved", "rejected")
REVIEW_STATES: tuple[str, ...] = ("auto", "needs_review", "confirmed")


class CaseRow(Base):
    """One case (工单) from any channel, with its flow timestamps and what the rates need."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(in_values("status", CASE_STATUSES), name="status"),
        CheckConstraint(in_values("case_type", CASE_TYPES), name="case_type"),
        CheckConstraint(in_values("channel", CHANNELS), name="channel"),
        CheckConstraint(
            f"satisfaction IS NULL OR {in_values('satisfaction', SATISFACTION)}", name="satisfaction"
        ),
        CheckConstraint(
            f"extension_state IS NULL OR {in_values('extension_state', EXTENSION_STATES)}",
            name="extension_state",
        ),
        CheckConstraint(in_values("review", REVIEW_STATES), name="review"),
        UniqueConstraint("source", "external_id", name="uq_cases_source_external_id"),
        # covering index of the rates query: GROUP BY month, owner without touching the table
        Index(
            "ix_cases_rates",
            "month",
            "owner_unit_id",
            "due_date",
            "settled_at",
            "settled_in_time",
            "satisfaction",
            "reopened_count",
        ),
        Index("ix_cases_status", "status"),
        Index("ix_cases_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40), default="duban")
    external_id: Mapped[str | None] = mapped_column(String(80))
    channel: Mapped[str] = mapped_column(String(20))
    case_type: Mapped[str] = mapped_column(String(10))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.RECEIVED.value)
    title: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    # classification (分类) and routing suggestion; a person confirms when confidence is low
    category: Mapped[str | None] = mapped_column(String(100))
    confidence: Mapped[float | None] = mapped_column(Float)
    review: Mapped[str] = mapped_column(String(20), default="auto")
    suggested_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    service_code: Mapped[str | None] = mapped_column(String(40), index=True)
    # the citizen and the place
    citizen_name: Mapped[str | None] = mapped_column(String(100))
    citizen_phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(300))
    address_id: Mapped[str | None] = mapped_column(String(100))
    zipcode: Mapped[str | None] = mapped_column(String(20))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    media_url: Mapped[str | None] = mapped_column(String(500))
    token: Mapped[str | None] = mapped_column(String(40), unique=True)
    # the short tracking code read over the phone (8 characters, the last a check character) and
    # the citizen's consent to publish the case (coarsened) on Open311's anonymous list
    track_code: Mapped[str | None] = mapped_column(String(8), unique=True)
    publish: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # who: the current unit, and the first unit that signed for it (首接负责) which owns it
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"), index=True)
    # when (aware UTC); month = the Beijing month of receipt, kept for GROUP BY
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    month: Mapped[str] = mapped_column(String(7))
    due_date: Mapped[date | None] = mapped_column(Date)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reply: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[str | None] = mapped_column(String(10))
    settled_in_time: Mapped[bool | None] = mapped_column(Boolean)
    returned_count: Mapped[int] = mapped_column(Integer, default=0)
    reopened_count: Mapped[int] = mapped_column(Integer, default=0)
    # extension (延期), granted only on approval
    extension_state: Mapped[str | None] = mapped_column(String(20))
    extension_workdays: Mapped[int] = mapped_column(Integer, default=0)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    # what the last tick saw
    light: Mapped[str | None] = mapped_column(String(10))
    overdue_workdays: Mapped[int] = mapped_column(Integer, default=0)


class DispatchRow(Base):
    """One dispatch (派单) of a case to a unit: signed for (签收) in time, or returned (退回)."""

    __tablename__ = "case_dispatches"
    __table_args__ = (
        Index("ix_case_dispatches_rates", "month", "unit_id", "accepted_in_time", "returned_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    month: Mapped[str] = mapped_column(String(7))
    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime())
    response_due: Mapped[date] = mapped_column(Date)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_in_time: Mapped[bool | None] = mapped_column(Boolean)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    return_reason: Mapped[str | None] = mapped_column(Text)


class CaseActionRow(Base):
    """A clock action applied by the case tick (催办 / 通报); once per key and case."""

    __tablename__ = "case_actions"
    __table_args__ = (UniqueConstraint("case_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    due: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseUpdateRow(Base):
    """A citizen-visible update of a case (Open311 ``servicerequestupdates``)."""

    __tablename__ = "case_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[str] = mapped_column(String(10))  # open / closed, as Open311 says it
    description: Mapped[str] = mapped_column(Text, default="")
    media_url: Mapped[str | None] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(100))
