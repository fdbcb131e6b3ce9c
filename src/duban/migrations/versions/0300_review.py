"""The review's table: promises (a plan year's targets, the next report's results, verdicts).

Revision ID: 0300
Revises: 0210
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0300"
down_revision = "0210"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "promises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=200), nullable=False),
        sa.Column("metric_id", sa.String(length=80), nullable=True),
        sa.Column("metric_words", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=True),
        sa.Column("headline", sa.Boolean(), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=True),
        sa.Column("target_value_high", sa.Float(), nullable=True),
        sa.Column("target_unit", sa.String(length=40), nullable=False),
        sa.Column("target_bound", sa.String(length=20), nullable=False),
        sa.Column("target_change", sa.String(length=20), nullable=True),
        sa.Column("target_quote", sa.Text(), nullable=False),
        sa.Column("target_line", sa.Integer(), nullable=True),
        sa.Column("actual_value", sa.Float(), nullable=True),
        sa.Column("actual_unit", sa.String(length=40), nullable=True),
        sa.Column("actual_change", sa.String(length=20), nullable=True),
        sa.Column("actual_quote", sa.Text(), nullable=True),
        sa.Column("actual_line", sa.Integer(), nullable=True),
        sa.Column("has_actual", sa.Boolean(), nullable=False),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("saved_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint(
            "verdict IN ('met', 'missed', 'unverifiable', 'ambiguous')", name=op.f("ck_promises_verdict")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promises")),
    )
    op.create_index("ix_promises_place_year", "promises", ["place", "year"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_promises_place_year", table_name="promises")
    op.drop_table("promises")
