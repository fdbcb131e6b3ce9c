"""Every level of government in one deployment: the ``governments`` tree (省/市/县/乡), the
government of each unit, user and plan, and the parent of a handed-down duty (下交).

A database with data gets one default government made from it (named after its newest plan's
place, else "本级政府") and every unit, user and plan is back-filled to it, so a one-government
deployment keeps working unchanged.

Revision ID: 0550
Revises: 0540
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0550"
down_revision = "0540"
branch_labels = None
depends_on = None

LEVELS = ("省", "市", "县", "乡")
TABLES = ("units", "users", "plans")


def upgrade() -> None:
    op.create_table(
        "governments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=20), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False, server_default="{}"),
        sa.CheckConstraint("level IN ('省', '市', '县', '乡')", name=op.f("ck_governments_level")),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["governments.id"], name=op.f("fk_governments_parent_id_governments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_governments")),
        sa.UniqueConstraint("name", name=op.f("uq_governments_name")),
    )
    op.create_index("ix_governments_parent_id", "governments", ["parent_id"], unique=False)
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("government_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(
                batch.f(f"fk_{table}_government_id_governments"), "governments", ["government_id"], ["id"]
            )
            batch.create_index(f"ix_{table}_government_id", ["government_id"], unique=False)
    with op.batch_alter_table("duties") as batch:
        batch.add_column(sa.Column("parent_duty_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_duties_parent_duty_id_duties"), "duties", ["parent_duty_id"], ["id"]
        )
        batch.create_index("ix_duties_parent_duty_id", ["parent_duty_id"], unique=False)
    _default_government()


def _default_government() -> None:
    conn = op.get_bind()
    has_data = any(conn.execute(sa.text(f"SELECT 1 FROM {t} LIMIT 1")).first() for t in TABLES)
    if not has_data:
        return
    newest = conn.execute(
        sa.text("SELECT place, level FROM plans ORDER BY year DESC, id DESC LIMIT 1")
    ).first()
    name, level = (newest[0], newest[1]) if newest else ("本级政府", "市")
    level = level if level in LEVELS else "市"
    conn.execute(
        sa.text("INSERT INTO governments (name, level, settings) VALUES (:name, :level, '{}')"),
        {"name": name, "level": level},
    )
    gid = conn.execute(sa.text("SELECT id FROM governments WHERE name = :name"), {"name": name}).scalar_one()
    for table in TABLES:
        conn.execute(sa.text(f"UPDATE {table} SET government_id = :g"), {"g": gid})


def downgrade() -> None:
    with op.batch_alter_table("duties") as batch:
        batch.drop_index("ix_duties_parent_duty_id")
        batch.drop_constraint(batch.f("fk_duties_parent_duty_id_duties"), type_="foreignkey")
        batch.drop_column("parent_duty_id")
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_government_id")
            batch.drop_constraint(batch.f(f"fk_{table}_government_id_governments"), type_="foreignkey")
            batch.drop_column("government_id")
    op.drop_index("ix_governments_parent_id", table_name="governments")
    op.drop_table("governments")
