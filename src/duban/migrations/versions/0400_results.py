"""Results against targets: a task item's targets, a progress report's 完成值, evidence files (佐证材料).

Revision ID: 0400
Revises: 0300
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0400"
down_revision = "0300"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("targets", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("progress_reports") as batch:
        batch.add_column(sa.Column("results", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("duty_id", sa.Integer(), nullable=False),
        sa.Column("progress_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("media_type", sa.String(length=120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('pdf', 'docx', 'xlsx', 'jpg', 'png')", name=op.f("ck_evidence_files_kind")
        ),
        sa.ForeignKeyConstraint(
            ["duty_id"], ["duties.id"], name=op.f("fk_evidence_files_duty_id_duties"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["progress_id"],
            ["progress_reports.id"],
            name=op.f("fk_evidence_files_progress_id_progress_reports"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_files")),
    )
    op.create_index("ix_evidence_files_duty_id", "evidence_files", ["duty_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_evidence_files_duty_id", table_name="evidence_files")
    op.drop_table("evidence_files")
    with op.batch_alter_table("progress_reports") as batch:
        batch.drop_column("results")
    with op.batch_alter_table("items") as batch:
        batch.drop_column("targets")
