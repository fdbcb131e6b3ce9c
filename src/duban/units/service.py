"""Units (部门/县区/开发区), their hierarchy and aliases: loading from YAML/CSV, resolving names and
looking units up by id — the one place every domain (ledger, cases, accounts, web) asks about units.

A unit file is YAML (``units: [{name, short, kind, parent, aliases}]``) or CSV with the header
``name,short_name,kind,parent,aliases`` (aliases separated by ``|`` or ``；``). The default list for
a typical prefecture-level city ships in ``units/units.yaml``. Loading is an upsert by
name, so loading the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from duban.audit import service as audit
from duban.units.governments import in_governments
from duban.units.models import UnitAliasRow, UnitRow
from duban.units.schemas import UnitCreate

DEFAULT_UNITS = Path(__file__).resolve().parent / "units.yaml"


class UnitError(ValueError):
    """A unit file or unit name that cannot be used; ``str()`` is one Chinese sentence."""


@dataclass(frozen=True)
class UnitsLoaded:
    """What :func:`load_units` did."""

    created: int
    updated: int
    unchanged: int
    aliases_added: int


def normalize_name(name: str) -> str:
    """A unit name with whitespace and full-width spaces removed.

    >>> normalize_name(" 市 发改委\\u3000")
    '市发改委'
    """
    return re.sub(r"[\s\u3000]+", "", name)


def read_unit_file(path: Path) -> list[UnitCreate]:
    """Parse a YAML or CSV unit file; a bad entry raises UnitError naming file, entry and field."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UnitError(f"{path}: 无法读取单位文件 ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise UnitError(f"{path}: 单位文件不是 UTF-8 编码") from exc
    entries: list[tuple[str, dict[str, Any]]] = []
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(raw))
        missing = {"name", "kind"} - set(reader.fieldnames or [])
        if missing:
            raise UnitError(f"{path}: CSV 表头缺少列 {', '.join(sorted(missing))}")
        for n, rec in enumerate(reader, start=2):
            aliases = [a.strip() for a in re.split(r"[|；;]", rec.get("aliases") or "") if a.strip()]
            entries.append(
                (
                    f"第 {n} 行",
                    {
                        "name": (rec.get("name") or "").strip(),
                        "short_name": (rec.get("short_name") or "").strip() or None,
                        "kind": (rec.get("kind") or "").strip(),
                        "parent": (rec.get("parent") or "").strip() or None,
                        "aliases": aliases,
                    },
                )
            )
    else:
        try:
            data = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise UnitError(f"{path}: YAML 格式错误: {exc}") from exc
        items = data.get("units") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise UnitError(f"{path}: 应为单位列表（顶层 units: [...]）")
        for n, rec in enumerate(items, start=1):
            if not isinstance(rec, dict):
                raise UnitError(f"{path}: 第 {n} 项不是映射")
            rec = dict(rec)
            if "short" in rec:
                rec["short_name"] = rec.pop("short")
            entries.append((f"第 {n} 项", rec))
    out: list[UnitCreate] = []
    for where, rec in entries:
        try:
            out.append(UnitCreate.model_validate(rec))
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or "?"
            raise UnitError(f"{path}: {where} 字段「{field}」: {err['msg']}") from exc
    return out


def load_units(*, session: Session, path: Path, actor: str, now: datetime) -> UnitsLoaded:
    """Upsert the units (and aliases, hierarchy) of a YAML/CSV file by name."""
    specs = read_unit_file(Path(path))
    names = [normalize_name(s.name) for s in specs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise UnitError(f"{path}: 单位重复: {', '.join(dupes)}")
    existing = {
        u.name: u for u in session.scalars(select(UnitRow).options(selectinload(UnitRow.aliases))).all()
    }
    created = updated = unchanged = 0
    rows: dict[str, UnitRow] = {}
    new_rows: list[UnitRow] = []
    changed: list[tuple[UnitRow, dict[str, Any] | None]] = []
    for spec, name in zip(specs, names, strict=True):
        row = existing.get(name)
        if row is None:
            row = UnitRow(name=name, short_name=spec.short_name, kind=spec.kind)
            new_rows.append(row)
            created += 1
        elif (row.short_name, row.kind) != (spec.short_name, spec.kind):
            changed.append((row, audit.snapshot(row)))
            row.short_name, row.kind = spec.short_name, spec.kind
            updated += 1
        else:
            unchanged += 1
        rows[name] = row
    session.add_all(new_rows)
    session.flush()
    all_units = {**existing, **rows}
    # hierarchy: parents may be any unit in the file or already stored
    for spec, name in zip(specs, names, strict=True):
        if spec.parent is None:
            continue
        parent = all_units.get(normalize_name(spec.parent)) or resolve_unit(session=session, name=spec.parent)
        if parent is None:
            raise UnitError(f"{path}: 单位「{name}」的上级「{spec.parent}」不存在")
        row = rows[name]
        if row.parent_id != parent.id:
            if row not in new_rows and all(row is not r for r, _ in changed):
                changed.append((row, audit.snapshot(row)))
            row.parent_id = parent.id
    session.flush()
    for row in new_rows:
        audit.record_change(session, row, actor=actor, now=now, entity="unit", action="create", before=None)
    for row, before in changed:
        audit.record_change(session, row, actor=actor, now=now, entity="unit", action="update", before=before)
    taken = {a.alias: a.unit_id for a in session.scalars(select(UnitAliasRow)).all()}
    new_aliases: list[UnitAliasRow] = []
    for spec, name in zip(specs, names, strict=True):
        row = rows[name]
        wanted = [spec.short_name] if spec.short_name else []
        wanted += spec.aliases
        for alias in dict.fromkeys(normalize_name(a) for a in wanted):
            if not alias or alias == name:
                continue
            owner = taken.get(alias)
            if owner == row.id:
                continue
            if owner is not None or alias in all_units:
                raise UnitError(f"{path}: 别名「{alias}」（单位「{name}」）已被其他单位使用")
            new_aliases.append(UnitAliasRow(unit_id=row.id, alias=alias))
            taken[alias] = row.id
    session.add_all(new_aliases)
    session.flush()
    for a in new_aliases:
        audit.record_change(
            session,
            a,
            actor=actor,
            now=now,
            entity="unit_alias",
            action="create",
            before=None,
        )
    return UnitsLoaded(created=created, updated=updated, unchanged=unchanged, aliases_added=len(new_aliases))


def resolve_unit(*, session: Session, name: str) -> UnitRow | None:
    """The unit called ``name`` (its full name, an alias or its short name), or None."""
    key = normalize_name(name)
    if not key:
        return None
    row = session.scalar(select(UnitRow).where(UnitRow.name == key))
    if row is not None:
        return row
    row = session.scalar(select(UnitRow).join(UnitAliasRow).where(UnitAliasRow.alias == key))
    if row is not None:
        return row
    return session.scalar(select(UnitRow).where(UnitRow.short_name == key).limit(1))


def require_unit(*, session: Session, name: str) -> UnitRow:
    """Like :func:`resolve_unit`, but an unknown name raises UnitError."""
    row = resolve_unit(session=session, name=name)
    if row is None:
        raise UnitError(f"单位「{name}」不存在（请先用 duban units load 导入单位，或检查别名）")
    return row


@dataclass(frozen=True)
class UnitRef:
    """A unit's id, name and kind (what lists and reports show)."""

    id: int
    name: str
    kind: str


def get_unit(*, session: Session, unit_id: int) -> UnitRow | None:
    """The unit with this id, or None."""
    return session.get(UnitRow, unit_id)


def unit_refs(*, session: Session, ids: Iterable[int | None]) -> dict[int, UnitRef]:
    """Unit id → :class:`UnitRef` for the ids given (None and unknown ids are left out)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(UnitRow.id, UnitRow.name, UnitRow.kind).where(UnitRow.id.in_(wanted)))
    return {uid: UnitRef(uid, name, kind) for uid, name, kind in rows}


def unit_names(*, session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Unit id → name for the ids given."""
    return {uid: ref.name for uid, ref in unit_refs(session=session, ids=ids).items()}


def all_units(*, session: Session) -> list[UnitRow]:
    """Every unit, departments first then counties and zones, in load order."""
    return list(session.scalars(select(UnitRow).order_by(UnitRow.kind, UnitRow.id)))


def all_unit_names(*, session: Session, governments: frozenset[int | None] | None = None) -> list[str]:
    """Every unit's name, in the order of :func:`all_units` (for pickers); with ``governments``
    (an account's 辖区, None among them: units without a government), only theirs."""
    q = select(UnitRow.name).order_by(UnitRow.kind, UnitRow.id)
    if governments is not None:
        q = q.where(in_governments(governments, UnitRow.government_id))
    return list(session.scalars(q))


def unit_id_of(*, session: Session, name: str) -> int | None:
    """The id of a unit by its exact full name, or None."""
    return session.scalar(select(UnitRow.id).where(UnitRow.name == name))


def unit_count(*, session: Session) -> int:
    """How many units are stored."""
    return session.scalar(select(func.count()).select_from(UnitRow)) or 0
