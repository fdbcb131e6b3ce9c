"""Accounts hardening: the sensor gateway's role, API tokens that expire, the shared throttle
counts, the citizens' publication consent and short tracking code, and an append-only events
table (triggers refuse UPDATE and DELETE on SQLite and PostgreSQL).

Revision ID: 0430
Revises: 0400
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0430"
down_revision = "0400"
branch_labels = None
depends_on = None

OLD = "role IN ('office', 'unit', 'leader', 'operator')"
NEW = "role IN ('office', 'unit', 'leader', 'operator', 'gateway')"
APPEND_ONLY = "events are append-only (审计日志只能追加)"


def _replace_check(sql: str) -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_users_role"), sql)


def upgrade() -> None:
    _replace_check(NEW)
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("publish", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("track_code", sa.String(length=8), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_cases_track_code"), ["track_code"])
    op.create_table(
        "throttle_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_throttle_hits")),
    )
    op.create_index("ix_throttle_hits_lookup", "throttle_hits", ["scope", "key", "at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
        )
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER events_no_{verb.lower()} BEFORE {verb} ON events "
                "FOR EACH ROW EXECUTE FUNCTION events_append_only()"
            )
        op.execute(
            "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
            "FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER events_no_{verb.lower()} BEFORE {verb} ON events "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in ("update", "delete", "truncate"):
            op.execute(f"DROP TRIGGER events_no_{name} ON events")
        op.execute("DROP FUNCTION events_append_only()")
    else:
        for name in ("update", "delete"):
            op.execute(f"DROP TRIGGER events_no_{name}")
    op.drop_index("ix_throttle_hits_lookup", table_name="throttle_hits")
    op.drop_table("throttle_hits")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_cases_track_code"), type_="unique")
        batch_op.drop_column("track_code")
        batch_op.drop_column("publish")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
    op.execute("DELETE FROM users WHERE role = 'gateway'")
    _replace_check(OLD)
