"""Every source of duties: a plan's source kind (政府工作报告, 上级交办, 领导批示, 会议议定事项,
人大代表建议, 政协委员提案), a listed item's own fields, and the replies (答复) of suggestions and
proposals with the deputy's or member's satisfaction.

Revision ID: 0540
Revises: 0530
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0540"
down_revision = "0530"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.add_column(
            sa.Column("source_kind", sa.String(length=20), nullable=False, server_default="report")
        )
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("source_fields", sa.JSON(), nullable=False, server_default="{}"))
    op.create_table(
        "duty_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("duty_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("extensions", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replied_by", sa.String(length=100), nullable=True),
        sa.Column("satisfaction", sa.String(length=10), nullable=True),
        sa.Column("opinion", sa.Text(), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rated_by", sa.String(length=100), nullable=True),
        sa.CheckConstraint(
            "satisfaction IS NULL OR satisfaction IN ('满意', '基本满意', '不满意')",
            name=op.f("ck_duty_replies_satisfaction"),
        ),
        sa.ForeignKeyConstraint(
            ["duty_id"], ["duties.id"], name=op.f("fk_duty_replies_duty_id_duties"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_replies")),
        sa.UniqueConstraint("duty_id", "round", name=op.f("uq_duty_replies_duty_id")),
    )
    op.create_index("ix_duty_replies_duty_id", "duty_replies", ["duty_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_duty_replies_duty_id", table_name="duty_replies")
    op.drop_table("duty_replies")
    with op.batch_alter_table("items") as batch:
        batch.drop_column("source_fields")
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("source_kind")
