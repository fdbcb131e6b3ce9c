"""The ledger's tables (SQLAlchemy 2 typed ORM): plans, items, units, assignments, duties,
milestones, progress reports and applied actions. Units live in :mod:`duban.units`, the
events log in :mod:`duban.audit`.

Only :mod:`duban.ledger.service` (and its helpers in this package) write these rows; other
domains go through the service. The schema is created by the migrations in
``duban/migrations/versions`` (a test checks the two agree).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from duban.db import Base, UTCDateTime, in_values
from duban.ledger.workflow import GRADES, STATUSES
from duban.units.models import UnitRow

ITEM_KINDS: tuple[str, ...] = ("target", "achievement", "task")


class PlanRow(Base):
    """A work report loaded into the ledger; ``checksum`` makes a second load recognisable."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    place: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(20))  # 市/省/国家…
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    doc: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(500))
    source_format: Mapped[str] = mapped_column(String(20), default="")
    # where the duties come from (ledger/rules/sources.yaml): report (政府工作报告), handed_down
    # (上级交办), instruction (领导批示), meeting (会议议定事项), suggestion (建议), proposal (提案)
    source_kind: Mapped[str] = mapped_column(String(20), default="report", server_default="report")
    checksum: Mapped[str] = mapped_column(String(128), unique=True)
    government_id: Mapped[int | None] = mapped_column(ForeignKey("governments.id"), index=True)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    loaded_by: Mapped[str] = mapped_column(String(100))

    items: Mapped[list[ItemRow]] = relationship(back_populates="plan", order_by="ItemRow.id")


class ItemRow(Base):
    """One quantity (target/achievement) or task of a plan, with where the report said it."""

    __tablename__ = "items"
    __table_args__ = (CheckConstraint(in_values("kind", ITEM_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    ref: Mapped[str] = mapped_column(String(40))  # the reader's task id or "q<n>" for a quantity
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)  # the task clause, or the sentence of a figure
    metric: Mapped[str | None] = mapped_column(String(200))
    change: Mapped[str | None] = mapped_column(String(40))
    value: Mapped[float | None] = mapped_column(Float)
    value_high: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(40))
    bound: Mapped[str | None] = mapped_column(String(20))
    deadline: Mapped[date | None] = mapped_column(Date)
    deadline_text: Mapped[str | None] = mapped_column(String(100))
    section_path: Mapped[str | None] = mapped_column(String(40))
    section_title: Mapped[str | None] = mapped_column(String(300))
    quote: Mapped[str] = mapped_column(Text, default="")
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    line: Mapped[int] = mapped_column(Integer)
    headline: Mapped[bool] = mapped_column(Boolean, default=False)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    counts: Mapped[list[str]] = mapped_column(JSON, default=list)  # a task's figures as written (20.8万亩)
    # a task's targets (the reader's quantity fields: metric, metric_id, change, value, value_high,
    # unit, bound, quote); [] for a quantity item, whose own fields are its target
    targets: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    # a listed item's own fields by its source's columns (交办单位, 文号, 代表, 建议号…), {} for a report's
    source_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")

    plan: Mapped[PlanRow] = relationship(back_populates="items")
    assignment: Mapped[AssignmentRow | None] = relationship(back_populates="item", uselist=False)
    duty: Mapped[DutyRow | None] = relationship(back_populates="item", uselist=False)


class AssignmentRow(Base):
    """Who carries an item: the lead unit (牵头), co-units (配合) and the leader (责任领导)."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), unique=True)
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    leader: Mapped[str | None] = mapped_column(String(100))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assigned_by: Mapped[str] = mapped_column(String(100))
    rule: Mapped[str | None] = mapped_column(String(100))  # the routing rule, None when set by hand

    item: Mapped[ItemRow] = relationship(back_populates="assignment")
    lead_unit: Mapped[UnitRow] = relationship(foreign_keys=[lead_unit_id])
    co_units: Mapped[list[AssignmentCoUnitRow]] = relationship(
        cascade="all, delete-orphan", order_by="AssignmentCoUnitRow.position"
    )


class AssignmentCoUnitRow(Base):
    """A co-unit (配合单位) of an assignment, in the order given."""

    __tablename__ = "assignment_co_units"
    __table_args__ = (UniqueConstraint("assignment_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    unit: Mapped[UnitRow] = relationship()


class DutyRow(Base):
    """The supervised duty of one assigned item: workflow status, due date, clock timestamps."""

    __tablename__ = "duties"
    __table_args__ = (
        CheckConstraint(in_values("status", STATUSES), name="status"),
        CheckConstraint(f"grade IS NULL OR {in_values('grade', GRADES)}", name="grade"),
        Index("ix_duties_status_light", "status", "light"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), unique=True)
    # the duty of the government above this one was handed down from (下交), None when its own
    parent_duty_id: Mapped[int | None] = mapped_column(ForeignKey("duties.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="assigned")
    major: Mapped[bool] = mapped_column(Boolean, default=False)
    due: Mapped[date] = mapped_column(Date)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deployed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closure_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    return_reason: Mapped[str | None] = mapped_column(Text)
    grade: Mapped[str | None] = mapped_column(String(10))
    # what the last tick saw (cached for the board)
    light: Mapped[str | None] = mapped_column(String(10))
    overdue_workdays: Mapped[int] = mapped_column(Integer, default=0)
    next_due: Mapped[date | None] = mapped_column(Date)
    evaluated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    item: Mapped[ItemRow] = relationship(back_populates="duty")
    milestones: Mapped[list[MilestoneRow]] = relationship(
        back_populates="duty", cascade="all, delete-orphan", order_by="MilestoneRow.due"
    )
    progress: Mapped[list[ProgressRow]] = relationship(
        back_populates="duty", cascade="all, delete-orphan", order_by="ProgressRow.reported_at"
    )


class MilestoneRow(Base):
    """A user-set intermediate date of a major duty (节点)."""

    __tablename__ = "milestones"
    __table_args__ = (UniqueConstraint("duty_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    duty_id: Mapped[int] = mapped_column(ForeignKey("duties.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    due: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    duty: Mapped[DutyRow] = relationship(back_populates="milestones")


class ProgressRow(Base):
    """A progress report (进展反馈) of a duty."""

    __tablename__ = "progress_reports"
    __table_args__ = (
        CheckConstraint("share IS NULL OR (share >= 0 AND share <= 100)", name="share"),
        Index("ix_progress_reports_duty_reported", "duty_id", "reported_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    duty_id: Mapped[int] = mapped_column(ForeignKey("duties.id", ondelete="CASCADE"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    text: Mapped[str] = mapped_column(Text)
    figure: Mapped[float | None] = mapped_column(Float)
    share: Mapped[int | None] = mapped_column(Integer)
    evidence: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    # 完成值: one {target, value, unit, value_in_target_unit} per target of the duty reported on
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")

    duty: Mapped[DutyRow] = relationship(back_populates="progress")


SATISFACTION: tuple[str, ...] = ("满意", "基本满意", "不满意")


class ReplyRow(Base):
    """One round of a suggestion's or proposal's reply (答复): due, text, the deputy's satisfaction."""

    __tablename__ = "duty_replies"
    __table_args__ = (
        UniqueConstraint("duty_id", "round"),
        CheckConstraint(
            f"satisfaction IS NULL OR {in_values('satisfaction', SATISFACTION)}", name="satisfaction"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    duty_id: Mapped[int] = mapped_column(ForeignKey("duties.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(Integer)  # 1, then 2, 3… for each 重办 after 不满意
    due: Mapped[date] = mapped_column(Date)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replied_by: Mapped[str | None] = mapped_column(String(100))
    satisfaction: Mapped[str | None] = mapped_column(String(10))
    opinion: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rated_by: Mapped[str | None] = mapped_column(String(100))


EVIDENCE_KINDS: tuple[str, ...] = ("pdf", "docx", "xlsx", "jpg", "png")


class EvidenceRow(Base):
    """An evidence file (佐证材料) of a duty, its content kept in the database."""

    __tablename__ = "evidence_files"
    __table_args__ = (CheckConstraint(in_values("kind", EVIDENCE_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    duty_id: Mapped[int] = mapped_column(ForeignKey("duties.id", ondelete="CASCADE"), index=True)
    progress_id: Mapped[int | None] = mapped_column(ForeignKey("progress_reports.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ActionRow(Base):
    """A clock action applied by tick (催办 remind / 通报 circular / report_due); once per key."""

    __tablename__ = "actions"
    __table_args__ = (UniqueConstraint("duty_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    duty_id: Mapped[int] = mapped_column(ForeignKey("duties.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    milestone: Mapped[str | None] = mapped_column(String(200))
    due: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime())
