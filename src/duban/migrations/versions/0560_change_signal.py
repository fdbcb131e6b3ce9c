"""The change signal on PostgreSQL: every transaction that records an event or ends a browser
session sends ``NOTIFY duban_changes`` (its schema as the payload: one database may hold several
deployments) when it commits, so that each console worker knows without a query whether what it
keeps is still current (:mod:`duban.web.changes`). Nothing on SQLite, which counts its commits
itself (``PRAGMA data_version``).

Revision ID: 0560
Revises: 0550
"""

from __future__ import annotations

from alembic import op

revision = "0560"
down_revision = "0550"
branch_labels = None
depends_on = None

# (trigger, table, event): one notification per statement; PostgreSQL sends one per transaction
TRIGGERS = (("events_notify", "events", "INSERT"), ("user_sessions_notify", "user_sessions", "DELETE"))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE FUNCTION duban_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN PERFORM pg_notify('duban_changes', TG_TABLE_SCHEMA); RETURN NULL; END $$"
    )
    for name, table, verb in TRIGGERS:
        op.execute(
            f"CREATE TRIGGER {name} AFTER {verb} ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION duban_notify_change()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table, _verb in TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON {table}")
    op.execute("DROP FUNCTION duban_notify_change()")
