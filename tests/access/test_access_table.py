"""The access table (``access/roles.yaml``): loaded once, every entry names known roles and
actions, and a malformed table is refused naming its entry."""

from __future__ import annotations

import pytest
from sqlalchemy import CheckConstraint

from duban import access
from duban.accounts.models import UserRow
from duban.web.cases_view import ACTION_LABELS


def test_the_table_names_every_case_action_the_console_labels():
    assert set(access.CASE_ACTION_ROLES) == set(ACTION_LABELS)
    assert set(access.ROLES) == {"office", "unit", "leader", "operator", "gateway"}
    for action, roles in access.CASE_ACTION_ROLES.items():
        assert roles <= set(access.ROLES), action
        assert "office" in roles and "leader" not in roles, action  # the office may all, the leader reads
        assert "gateway" not in roles, action  # a device takes no case action


def test_who_sees_the_phone_are_those_who_call_back():
    assert {r for r in access.ROLES if access.sees_citizen_phone(r)} == {"operator", "office", "unit"}


def test_the_users_role_check_is_the_tables_roles():
    checks = [c for c in UserRow.__table__.constraints if isinstance(c, CheckConstraint)]
    check = next(c for c in checks if "role IN" in str(c.sqltext))
    assert all(f"'{r}'" in str(check.sqltext) for r in access.ROLES)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("roles: {office: 督查室}\ncase_actions: {settle: [office, mayor]}\n", "case_actions.settle: 未知角色"),
        ("roles: {office: 督查室}\ncase_actions: {settle: [office]}\nopen311_steps: {closed: close}\n",
         "open311_steps.closed: 未知操作"),
        ("- office\n", "应为映射"),
        ("roles: {office: 督查室}\nsee_citizen_phone: [office, citizen]\n", "see_citizen_phone"),
    ],
    ids=["unknown-role", "unknown-action", "not-a-mapping", "unknown-phone-role"],
)  # fmt: skip
def test_a_malformed_table_is_refused_naming_the_entry(tmp_path, text, message):
    path = tmp_path / "roles.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(access.AccessTableError, match=message):
        access.load_access(path)
