"""The case hub tables: cases (工单), dispatches (派单记录), applied case actions, citizen updates.

Revision ID: 0200
Revises: 0100
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0200"
down_revision = "0100"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("external_id", sa.String(length=80), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("case_type", sa.String(length=10), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("review", sa.String(length=20), nullable=False),
        sa.Column("suggested_unit_id", sa.Integer(), nullable=True),
        sa.Column("service_code", sa.String(length=40), nullable=True),
        sa.Column("citizen_name", sa.String(length=100), nullable=True),
        sa.Column("citizen_phone", sa.String(length=40), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("address_id", sa.String(length=100), nullable=True),
        sa.Column("zipcode", sa.String(length=20), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("media_url", sa.String(length=500), nullable=True),
        sa.Column("token", sa.String(length=40), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("owner_unit_id", sa.Integer(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("followed_up_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("satisfaction", sa.String(length=10), nullable=True),
        sa.Column("settled_in_time", sa.Boolean(), nullable=True),
        sa.Column("returned_count", sa.Integer(), nullable=False),
        sa.Column("reopened_count", sa.Integer(), nullable=False),
        sa.Column("extension_state", sa.String(length=20), nullable=True),
        sa.Column("extension_workdays", sa.Integer(), nullable=False),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("light", sa.String(length=10), nullable=True),
        sa.Column("overdue_workdays", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "case_type IN ('咨询', '求助', '投诉', '举报', '建议')", name=op.f("ck_cases_case_type")
        ),
        sa.CheckConstraint(
            "channel IN ('hotline_phone', 'hotline_web', 'hotline_app', 'police_110', 'chengguan', 'grid', 'enterprise', 'sensor', 'open311', 'import')",
            name=op.f("ck_cases_channel"),
        ),
        sa.CheckConstraint(
            "extension_state IS NULL OR extension_state IN ('requested', 'approved', 'rejected')",
            name=op.f("ck_cases_extension_state"),
        ),
        sa.CheckConstraint("review IN ('auto', 'needs_review', 'confirmed')", name=op.f("ck_cases_review")),
        sa.CheckConstraint(
            "satisfaction IS NULL OR satisfaction IN ('满意', '基本满意', '不满意')",
            name=op.f("ck_cases_satisfaction"),
        ),
        sa.CheckConstraint(
            "status IN ('received', 'dispatched', 'accepted', 'returned', 'in_progress', 'settled', 'followed_up', 'reopened', 'archived')",
            name=op.f("ck_cases_status"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_cases_item_id_items"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["owner_unit_id"], ["units.id"], name=op.f("fk_cases_owner_unit_id_units")),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["cases.id"], name=op.f("fk_cases_parent_id_cases"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["suggested_unit_id"], ["units.id"], name=op.f("fk_cases_suggested_unit_id_units")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_cases_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("source", "external_id", name="uq_cases_source_external_id"),
        sa.UniqueConstraint("token", name=op.f("uq_cases_token")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(
            "ix_cases_rates",
            [
                "month",
                "owner_unit_id",
                "due_date",
                "settled_at",
                "settled_in_time",
                "satisfaction",
                "reopened_count",
            ],
            unique=False,
        )
        batch_op.create_index("ix_cases_received_at", ["received_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_service_code"), ["service_code"], unique=False)
        batch_op.create_index("ix_cases_status", ["status"], unique=False)

    op.create_table(
        "case_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_actions_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_actions")),
        sa.UniqueConstraint("case_id", "key", name=op.f("uq_case_actions_case_id")),
    )
    op.create_table(
        "case_dispatches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("response_due", sa.Date(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_in_time", sa.Boolean(), nullable=True),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_dispatches_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_case_dispatches_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_dispatches")),
    )
    with op.batch_alter_table("case_dispatches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_dispatches_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_case_dispatches_rates", ["month", "unit_id", "accepted_in_time", "returned_at"], unique=False
        )

    op.create_table(
        "case_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("media_url", sa.String(length=500), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_updates_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_updates")),
    )
    with op.batch_alter_table("case_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_updates_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_updates_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_updates_case_id"))
        batch_op.drop_index(batch_op.f("ix_case_updates_at"))

    op.drop_table("case_updates")
    with op.batch_alter_table("case_dispatches", schema=None) as batch_op:
        batch_op.drop_index("ix_case_dispatches_rates")
        batch_op.drop_index(batch_op.f("ix_case_dispatches_case_id"))

    op.drop_table("case_dispatches")
    op.drop_table("case_actions")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_status")
        batch_op.drop_index(batch_op.f("ix_cases_service_code"))
        batch_op.drop_index("ix_cases_received_at")
        batch_op.drop_index("ix_cases_rates")
        batch_op.drop_index(batch_op.f("ix_cases_parent_id"))
        batch_op.drop_index(batch_op.f("ix_cases_item_id"))

    op.drop_table("cases")
