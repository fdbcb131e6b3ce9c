"""Governments (省/市/县/乡) in one deployment: the tree, who is under whom, and the settings a
government inherits from the level above (its own value, else its parent's, … else none).

A row whose ``government_id`` is NULL (a unit, user or plan made before any government existed, or
in a one-government deployment) belongs to the root government. An account of government G sees
G's subtree (辖区): :func:`visible_ids`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from duban.audit import service as audit
from duban.units.models import GOVERNMENT_LEVELS, GovernmentRow, UnitRow

SETTING_KEYS: tuple[str, ...] = ("routing_rules", "extra_workdays", "extra_holidays", "policy")
"""What a government may set for itself (docs/levels.md); the rest is the deployment's."""


class GovernmentError(ValueError):
    """A government name, level or setting that cannot be used; ``str()`` is one Chinese sentence."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class GovernmentNode:
    """A government in the tree, with its depth (0 for the root)."""

    id: int
    name: str
    level: str
    parent_id: int | None
    code: str | None
    depth: int


def _rows(session: Session) -> list[GovernmentRow]:
    return list(session.scalars(select(GovernmentRow).order_by(GovernmentRow.id)))


def find_government(*, session: Session, name: str) -> GovernmentRow | None:
    """The government called ``name`` (exact), or None."""
    return session.scalar(select(GovernmentRow).where(GovernmentRow.name == name.strip()))


def require_government(*, session: Session, name: str) -> GovernmentRow:
    """Like :func:`find_government`, but an unknown name raises GovernmentError."""
    row = find_government(session=session, name=name)
    if row is None:
        raise GovernmentError(f"政府「{name}」不存在（duban governments list 可查看）", "government")
    return row


def get_government(*, session: Session, government_id: int) -> GovernmentRow | None:
    """The government with this id, or None."""
    return session.get(GovernmentRow, government_id)


def add_government(
    *,
    session: Session,
    name: str,
    level: str,
    actor: str,
    now: datetime,
    parent: str | None = None,
    code: str | None = None,
) -> GovernmentRow:
    """Add a government under ``parent`` (one level below it); without a parent, the root."""
    name = name.strip()
    if not name:
        raise GovernmentError("政府名称不能为空", "name")
    if level not in GOVERNMENT_LEVELS:
        raise GovernmentError(f"层级「{level}」无效，应为 {'/'.join(GOVERNMENT_LEVELS)} 之一", "level")
    if find_government(session=session, name=name) is not None:
        raise GovernmentError(f"政府「{name}」已存在", "name")
    parent_row = require_government(session=session, name=parent) if parent else None
    if parent_row is None:
        top = root(session=session)
        if top is not None:
            raise GovernmentError(f"已有顶级政府「{top.name}」，请用 --parent 指定上级", "parent")
    elif GOVERNMENT_LEVELS.index(level) <= GOVERNMENT_LEVELS.index(parent_row.level):
        raise GovernmentError(
            f"「{name}」（{level}）不能隶属于「{parent_row.name}」（{parent_row.level}）", "level"
        )
    row = GovernmentRow(name=name, level=level, parent_id=parent_row.id if parent_row else None, code=code)
    row.settings = {}
    session.add(row)
    session.flush()
    audit.record_change(session, row, actor=actor, now=now, entity="government", action="create", before=None)
    return row


def tree(*, session: Session) -> list[GovernmentNode]:
    """Every government, each followed by its subtree (depth-first, by id)."""
    rows = _rows(session)
    children: dict[int | None, list[GovernmentRow]] = {}
    for r in rows:
        children.setdefault(r.parent_id, []).append(r)
    out: list[GovernmentNode] = []

    def walk(parent: int | None, depth: int) -> None:
        for r in children.get(parent, []):
            out.append(GovernmentNode(r.id, r.name, r.level, r.parent_id, r.code, depth))
            walk(r.id, depth + 1)

    walk(None, 0)
    return out


def subtree_ids(*, session: Session, government_id: int) -> set[int]:
    """The ids of a government and everything under it (its 辖区)."""
    parents: dict[int, int | None] = {
        gid: pid for gid, pid in session.execute(select(GovernmentRow.id, GovernmentRow.parent_id))
    }
    out = {government_id}
    changed = True
    while changed:
        changed = False
        for gid, pid in parents.items():
            if pid in out and gid not in out:
                out.add(gid)
                changed = True
    return out


def root(*, session: Session) -> GovernmentRow | None:
    """The root government (the one without a parent), or None when there is none."""
    return session.scalar(
        select(GovernmentRow).where(GovernmentRow.parent_id.is_(None)).order_by(GovernmentRow.id).limit(1)
    )


def root_id(*, session: Session) -> int | None:
    """The root government's id (the one without a parent), or None when there is none."""
    return session.scalar(
        select(GovernmentRow.id).where(GovernmentRow.parent_id.is_(None)).order_by(GovernmentRow.id).limit(1)
    )


def in_governments(ids: frozenset[int | None], column: Any) -> ColumnElement[bool]:
    """SQL: ``column`` (a government id: a plan's, a unit's) is one of ``ids`` (None among them: a
    row without a government, which is the root's)."""
    named = sorted(i for i in ids if i is not None)
    cond: ColumnElement[bool] = column.in_(named) if named else false()
    return or_(cond, column.is_(None)) if None in ids else cond


def visible_ids(*, session: Session, government_id: int | None) -> set[int | None] | None:
    """The government ids an account of ``government_id`` sees (None among them: rows without a
    government, which are the root's); None when it sees everything (no government)."""
    if government_id is None:
        return None
    out: set[int | None] = set(subtree_ids(session=session, government_id=government_id))
    if government_id == root_id(session=session):
        out.add(None)
    return out


def chain(*, session: Session, government_id: int) -> list[GovernmentRow]:
    """The government, its parent, … up to the root."""
    out: list[GovernmentRow] = []
    row = session.get(GovernmentRow, government_id)
    while row is not None and row not in out:
        out.append(row)
        row = session.get(GovernmentRow, row.parent_id) if row.parent_id is not None else None
    return out


def setting(*, session: Session, government_id: int | None, key: str) -> tuple[Any, str | None]:
    """(value, the government it comes from): its own setting, else its parent's, … else (None, None)."""
    if key not in SETTING_KEYS:
        raise GovernmentError(f"设置项「{key}」无效，应为 {'/'.join(SETTING_KEYS)} 之一", "key")
    if government_id is None:
        return None, None
    for row in chain(session=session, government_id=government_id):
        if key in (row.settings or {}):
            return row.settings[key], row.name
    return None, None


def set_setting(
    *, session: Session, name: str, key: str, value: Any, actor: str, now: datetime
) -> GovernmentRow:
    """Set (or with ``value`` None, drop) one of a government's own settings. Days are checked
    here; the routing rules' and the policy's forms are the ledger's and the clock's (the CLI
    checks them before calling)."""
    if key not in SETTING_KEYS:
        raise GovernmentError(f"设置项「{key}」无效，应为 {'/'.join(SETTING_KEYS)} 之一", "key")
    if key in ("extra_workdays", "extra_holidays") and value is not None:
        value = _days(key, value)
    row = require_government(session=session, name=name)
    with audit.changing(session, row, actor=actor, now=now, entity="government", action="update"):
        settings = dict(row.settings or {})
        if value is None:
            settings.pop(key, None)
        else:
            settings[key] = value
        row.settings = settings
    return row


def _days(key: str, value: Any) -> list[str]:
    """A list of ISO dates, sorted; GovernmentError naming the first bad one."""
    if not isinstance(value, list):
        raise GovernmentError(f'设置项 {key} 应为日期列表，如 ["2027-03-01"]', "value")
    out: set[str] = set()
    for n, day in enumerate(value, start=1):
        try:
            out.add(date.fromisoformat(str(day)).isoformat())
        except ValueError:
            raise GovernmentError(
                f"设置项 {key} 的第 {n} 个日期「{day}」无效，应为 YYYY-MM-DD", "value"
            ) from None
    return sorted(out)


def attach_units(
    *, session: Session, government: str, units: list[UnitRow], actor: str, now: datetime
) -> int:
    """Make ``units`` belong to ``government``; how many changed."""
    row = require_government(session=session, name=government)
    changed = 0
    for unit in units:
        if unit.government_id != row.id:
            with audit.changing(session, unit, actor=actor, now=now, entity="unit", action="update"):
                unit.government_id = row.id
            changed += 1
    return changed
