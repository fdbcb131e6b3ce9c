"""The monitoring list (防止返贫监测帮扶): households under watch, their risks, the assistance
measures assigned to units and the visits.

Revision ID: 0530
Revises: 0500
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0530"
down_revision = "0500"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    name = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{name}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county", sa.String(length=50), nullable=False),
        sa.Column("township", sa.String(length=50), nullable=False),
        sa.Column("village", sa.String(length=50), nullable=False),
        sa.Column("head_name", sa.String(length=50), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("household_type", sa.String(length=20), nullable=False),
        sa.Column("found_by", sa.String(length=20), nullable=False),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("income_per_person", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("resp_unit_id", sa.Integer(), nullable=True),
        sa.Column("visitor", sa.String(length=50), nullable=False),
        sa.Column("risk_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("members >= 1", name=op.f("ck_households_members")),
        sa.CheckConstraint(
            "status IN ('monitoring', 'cleared', 'returned')", name=op.f("ck_households_status")
        ),
        _fk("households", "resp_unit_id", "units.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
        sa.UniqueConstraint("id_number", name=op.f("uq_households_id_number")),
    )
    op.create_index("ix_households_place", "households", ["county", "township", "village"], unique=False)
    op.create_index(op.f("ix_households_resp_unit_id"), "households", ["resp_unit_id"], unique=False)
    op.create_index(op.f("ix_households_status"), "households", ["status"], unique=False)
    op.create_table(
        "household_risks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("risk", sa.String(length=20), nullable=False),
        sa.Column("found_by", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        _fk("household_risks", "household_id", "households.id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_risks")),
    )
    op.create_index(
        op.f("ix_household_risks_household_id"), "household_risks", ["household_id"], unique=False
    )
    op.create_index(op.f("ix_household_risks_risk"), "household_risks", ["risk"], unique=False)
    op.create_table(
        "household_measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("measure_type", sa.String(length=20), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        _fk("household_measures", "household_id", "households.id", ondelete="CASCADE"),
        _fk("household_measures", "unit_id", "units.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_measures")),
    )
    op.create_index(
        op.f("ix_household_measures_household_id"), "household_measures", ["household_id"], unique=False
    )
    op.create_index(op.f("ix_household_measures_unit_id"), "household_measures", ["unit_id"], unique=False)
    op.create_table(
        "household_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("visitor", sa.String(length=50), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("income_per_person", sa.Float(), nullable=True),
        sa.Column("risk_resolved", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        _fk("household_visits", "household_id", "households.id", ondelete="CASCADE"),
        _fk("household_visits", "unit_id", "units.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_visits")),
    )
    op.create_index(
        op.f("ix_household_visits_household_id"), "household_visits", ["household_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("household_visits")
    op.drop_table("household_measures")
    op.drop_table("household_risks")
    op.drop_index(op.f("ix_households_status"), table_name="households")
    op.drop_index(op.f("ix_households_resp_unit_id"), table_name="households")
    op.drop_index("ix_households_place", table_name="households")
    op.drop_table("households")
