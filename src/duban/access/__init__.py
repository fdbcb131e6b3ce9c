"""Who may do what (access rules): the roles, who sees a citizen's whole phone, the case actions
each role may take and the Open311 status steps, read from ``roles.yaml`` once. A shared room below the domains: the console's pages,
its JSON API and the Open311 server all ask here, so no role table is copied anywhere.

Which *rows* an account may see (a unit officer: their unit's duties and cases) is decided by the
domains' own data (a duty's lead and co-units, a case's unit); :func:`on_own_unit` is the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

ACCESS_FILE = Path(__file__).resolve().parent / "roles.yaml"


class AccessTableError(ValueError):
    """The access table is malformed; ``str()`` names the file and the entry."""


@dataclass(frozen=True)
class AccessTable:
    """The roles, the case actions' roles and the Open311 steps (status → case action)."""

    roles: dict[str, str]
    case_actions: dict[str, frozenset[str]]
    open311_steps: dict[str, str]
    see_citizen_phone: frozenset[str] = frozenset()


def _load(path: Path) -> AccessTable:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise AccessTableError(f"{path}: 应为映射（roles, case_actions, open311_steps）")
    roles = data.get("roles")
    if not isinstance(roles, dict) or not roles:
        raise AccessTableError(f"{path}: roles 应为 角色: 名称 的映射")
    actions: dict[str, frozenset[str]] = {}
    for action, allowed in (data.get("case_actions") or {}).items():
        unknown = set(allowed or []) - set(roles)
        if not isinstance(allowed, list) or unknown:
            raise AccessTableError(f"{path}: case_actions.{action}: 未知角色 {sorted(unknown)}")
        actions[str(action)] = frozenset(allowed)
    steps = {str(k): str(v) for k, v in (data.get("open311_steps") or {}).items()}
    for status, action in steps.items():
        if action not in actions:
            raise AccessTableError(f"{path}: open311_steps.{status}: 未知操作 {action!r}")
    phone = data.get("see_citizen_phone") or []
    if not isinstance(phone, list) or set(phone) - set(roles):
        raise AccessTableError(
            f"{path}: see_citizen_phone: 应为角色列表，未知角色 {sorted(set(phone) - set(roles))}"
        )
    return AccessTable({str(k): str(v) for k, v in roles.items()}, actions, steps, frozenset(phone))


@cache
def load_access(path: Path = ACCESS_FILE) -> AccessTable:
    """The access table (read once)."""
    return _load(path)


ROLES: tuple[str, ...] = tuple(load_access().roles)
ROLE_LABELS: dict[str, str] = dict(load_access().roles)
CASE_ACTION_ROLES: dict[str, frozenset[str]] = dict(load_access().case_actions)
"""Which roles may take each case action (the leader takes none)."""


def may(role: str | None, action: str) -> bool:
    """Whether ``role`` may take the case ``action``.

    >>> may("operator", "dispatch"), may("leader", "dispatch"), may(None, "settle")
    (True, False, False)
    """
    return role in CASE_ACTION_ROLES.get(action, frozenset())


def on_own_unit(role: str | None, own_unit: int | None, units: tuple[int | None, ...]) -> bool:
    """Whether an account may act on a row of ``units``: every role but a unit officer, who must
    belong to one of them.

    >>> on_own_unit("office", None, (3,)), on_own_unit("unit", 3, (3, None)), on_own_unit("unit", 4, (3,))
    (True, True, False)
    """
    if role != "unit":
        return True
    return own_unit is not None and own_unit in units


def sees_citizen_phone(role: str | None) -> bool:
    """Whether ``role`` sees a citizen's whole phone (those who must call back).

    >>> sees_citizen_phone("operator"), sees_citizen_phone("unit"), sees_citizen_phone("leader"), sees_citizen_phone(None)
    (True, True, False, False)
    """
    return role in load_access().see_citizen_phone


def open311_action(status: str) -> str | None:
    """The case action an Open311 status update stands for (``closed`` → settle), or None.

    >>> open311_action("closed"), open311_action("open"), open311_action("pending")
    ('settle', 'follow_up', None)
    """
    return load_access().open311_steps.get(status)


@dataclass(frozen=True)
class MonitoringAccess:
    """The ``monitoring`` section: who sees whole ID numbers, who visits, each action's roles."""

    see_identity: frozenset[str]
    visitor_roles: frozenset[str]
    actions: dict[str, frozenset[str]]


@cache
def monitoring_access(path: Path = ACCESS_FILE) -> MonitoringAccess:
    """The monitoring list's access rules (read once; a mistake names the entry)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    section = data.get("monitoring")
    roles = set((data.get("roles") or {}).keys())
    if not isinstance(section, dict):
        raise AccessTableError(f"{path}: monitoring 应为映射（see_identity, visitor_roles, actions）")

    def role_list(where: str, raw: object) -> frozenset[str]:
        if not isinstance(raw, list) or set(raw) - roles:
            unknown = sorted(set(raw) - roles) if isinstance(raw, list) else raw
            raise AccessTableError(f"{path}: monitoring.{where}: 应为角色列表，未知角色 {unknown}")
        return frozenset(raw)

    actions = {str(k): role_list(f"actions.{k}", v) for k, v in (section.get("actions") or {}).items()}
    return MonitoringAccess(
        role_list("see_identity", section.get("see_identity") or []),
        role_list("visitor_roles", section.get("visitor_roles") or []),
        actions,
    )


def monitoring_may(role: str | None, action: str) -> bool:
    """Whether ``role`` may take the monitoring ``action``.

    >>> monitoring_may("office", "clear"), monitoring_may("unit", "clear"), monitoring_may("unit", "visit")
    (True, False, True)
    """
    return role in monitoring_access().actions.get(action, frozenset())


def sees_household_identity(role: str | None, *, visits: bool) -> bool:
    """Whether ``role`` sees a household's whole ID number and phone (``visits``: the account's
    unit is the household's 帮扶责任单位).

    >>> sees_household_identity("office", visits=False), sees_household_identity("unit", visits=True)
    (True, True)
    >>> sees_household_identity("unit", visits=False), sees_household_identity("leader", visits=True)
    (False, False)
    """
    rules = monitoring_access()
    return role in rules.see_identity or (visits and role in rules.visitor_roles)
