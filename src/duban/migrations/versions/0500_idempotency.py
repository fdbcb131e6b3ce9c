"""Idempotency keys (幂等键) of creating POSTs, and the short tracking code (查询码) back-filled for
every case stored before intake gave one.

Revision ID: 0500
Revises: 0430
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from duban.cases.track_code import backfill_codes

revision = "0500"
down_revision = "0430"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=120), nullable=False),
        sa.Column("route", sa.String(length=120), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("body_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=60), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("scope", "route", "key", name="uq_idempotency_keys_scope"),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"], unique=False)
    bind = op.get_bind()
    cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("track_code", sa.String))
    existing = [
        r[0] for r in bind.execute(sa.select(cases.c.track_code).where(cases.c.track_code.is_not(None)))
    ]
    missing = [r[0] for r in bind.execute(sa.select(cases.c.id).where(cases.c.track_code.is_(None)))]
    if missing:
        codes = backfill_codes(existing, len(missing))
        bind.execute(
            cases.update().where(cases.c.id == sa.bindparam("cid")).values(track_code=sa.bindparam("code")),
            [{"cid": cid, "code": code} for cid, code in zip(missing, codes, strict=True)],
        )


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
