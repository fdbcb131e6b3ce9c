"""The 12345 hotline operator (话务员) joins the account roles: the users.role CHECK is widened.

Revision ID: 0210
Revises: 0200
"""

from __future__ import annotations

from alembic import op

revision = "0210"
down_revision = "0200"
branch_labels = None
depends_on = None

OLD = "role IN ('office', 'unit', 'leader')"
NEW = "role IN ('office', 'unit', 'leader', 'operator')"


def _replace_check(sql: str) -> None:
    # batch mode: SQLite copies the table with the new constraint; PostgreSQL alters it in place
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_users_role"), sql)


def upgrade() -> None:
    _replace_check(NEW)


def downgrade() -> None:
    op.execute("DELETE FROM users WHERE role = 'operator'")
    _replace_check(OLD)
