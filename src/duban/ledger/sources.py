"""Every source of duties as data (``rules/sources.yaml``) and the import of a source's list.

A source (上级交办, 领导批示, 会议议定事项, 人大代表建议, 政协委员提案; the work report is the
first) names its clock policy, its list's columns (Chinese headers) and, for suggestions and
proposals, its reply rule. A list is loaded like a report: one plan (``plans.source_kind``) whose
rows are task items (their own fields in ``items.source_fields``), assigned by the 承办单位 column
or else by the same routing rules as a report's tasks. The whole file is checked before anything
is written: any bad row refuses the file, naming the row and the column.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from duban.audit import service as audit
from duban.clock.calendar import local_date
from duban.ledger.errors import LedgerError
from duban.ledger.models import ItemRow, PlanRow
from duban.ledger.routing import Rule, route, rules_for
from duban.units.service import resolve_unit

SOURCES_FILE = Path(__file__).resolve().parent / "rules" / "sources.yaml"
REPORT = "report"
SUPERVISION = "13710"
"""The clock every source's duties run on: the supervision policy of their government (its
``policy`` setting, else the deployment's, 13710 unless a deployment sets its own). It is the only
clock for duties that ships (``hotline`` is for cases), so a source may name no other."""
KINDS = ("text", "date", "units")
MAX_ERRORS = 30


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str
    required: bool = False


@dataclass(frozen=True)
class ReplyRule:
    """A suggestion's or proposal's reply: months to answer, months to answer again, the ratings."""

    months: int
    redo_months: int
    ratings: tuple[str, ...]
    reopen: tuple[str, ...]


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    short: str
    clock: str
    columns: tuple[Column, ...] = ()
    reply: ReplyRule | None = None

    def field_label(self, field: str) -> str:
        """The header of ``field`` in this source's list (the field itself when it has none)."""
        return next((c.header for c in self.columns if c.field == field), field)


class SourceImportError(LedgerError):
    """A list with bad rows; nothing was imported. ``errors`` are one line each (row, column, problem)."""

    def __init__(self, name: str, errors: list[str]) -> None:
        self.errors = errors
        lines = "\n".join(f"  {e}" for e in errors)
        super().__init__(f"{name}: 有 {len(errors)} 处错误，未导入任何内容:\n{lines}", "file")


def parse_sources(data: object, *, origin: str = "sources.yaml") -> dict[str, Source]:
    """The sources of parsed YAML; a malformed entry raises LedgerError naming it."""
    items = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(items, dict) or REPORT not in items:
        raise LedgerError(f"{origin}: 应有 sources 映射，且含 {REPORT}")
    out: dict[str, Source] = {}
    for key, rec in items.items():
        if not isinstance(rec, dict) or not all(
            isinstance(rec.get(k), str) for k in ("label", "short", "clock")
        ):
            raise LedgerError(f"{origin}: 来源 {key} 须有 label、short、clock")
        if rec["clock"] != SUPERVISION:
            raise LedgerError(
                f"{origin}: 来源 {key} 的 clock「{rec['clock']}」无效：督办事项只走 {SUPERVISION} 时钟"
                "（各级政府可用设置 policy 调整）"
            )
        columns = []
        for n, c in enumerate(rec.get("columns") or [], start=1):
            if (
                not isinstance(c, dict)
                or c.get("kind") not in KINDS
                or not c.get("header")
                or not c.get("field")
            ):
                raise LedgerError(
                    f"{origin}: 来源 {key} 第 {n} 列须有 header、field 和 kind（{'/'.join(KINDS)}）"
                )
            columns.append(Column(str(c["header"]), str(c["field"]), c["kind"], bool(c.get("required"))))
        if key != REPORT and not any(c.field == "text" and c.required for c in columns):
            raise LedgerError(f"{origin}: 来源 {key} 须有必填的事项内容列（field: text）")
        reply = None
        if (r := rec.get("reply")) is not None:
            try:
                reply = ReplyRule(
                    int(r["months"]), int(r["redo_months"]), tuple(r["ratings"]), tuple(r["reopen"])
                )
            except (KeyError, TypeError, ValueError):
                raise LedgerError(
                    f"{origin}: 来源 {key} 的 reply 须有 months、redo_months、ratings、reopen"
                ) from None
            if reply.months < 1 or reply.redo_months < 1 or not set(reply.reopen) < set(reply.ratings):
                raise LedgerError(f"{origin}: 来源 {key} 的答复规则无效")
        out[str(key)] = Source(str(key), rec["label"], rec["short"], rec["clock"], tuple(columns), reply)
    return out


@lru_cache(maxsize=4)
def load_sources(path: Path = SOURCES_FILE) -> dict[str, Source]:
    """The sources of ``path`` (default: the shipped ``rules/sources.yaml``), by key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LedgerError(f"{path}: 无法读取来源规则 ({exc})") from exc
    return parse_sources(data, origin=str(path))


def source_of(name: str) -> Source:
    """The source called ``name`` (its key, label or short name: proposal, 政协委员提案, 提案)."""
    wanted = name.strip()
    for s in load_sources().values():
        if wanted in (s.key, s.label, s.short):
            return s
    names = "、".join(s.short for s in load_sources().values() if s.key != REPORT)
    raise LedgerError(f"来源「{name}」不存在（应为 {names} 之一）", "source")


def source_label(key: str | None) -> str:
    """The Chinese name of a source key (政府工作报告 for a report or an unknown key)."""
    return load_sources().get(key or REPORT, load_sources()[REPORT]).label


# ---- reading a list -------------------------------------------------------------------------
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


def _cell_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    m = _DATE.fullmatch(text)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        pass
    raise ValueError(f"「{text}」不是日期（应为 2026-06-30 这样的日期）")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@dataclass
class ListedRow:
    """One checked row of a list: its number in the sheet and its fields."""

    line: int
    fields: dict[str, Any]


Rows = list[tuple[Any, ...]]
"""A worksheet's rows of cell values, the header row first."""


def sheet_rows(data: bytes, name: str) -> Rows:
    """The first worksheet's rows of an xlsx list read in this process (the CLI; the console reads
    uploads in a child process); SourceImportError for a file that is not a workbook."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a file that is not a workbook
        raise SourceImportError(name, ["不是有效的 xlsx 工作簿"]) from None
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    return rows


def read_list(*, session: Session, source: Source, rows: Rows, name: str) -> list[ListedRow]:
    """A source's list (its first sheet's rows), checked; any bad cell raises SourceImportError
    (all of them)."""
    if not source.columns:
        raise LedgerError(f"来源「{source.label}」不以清单导入", "source")
    if not rows:
        raise SourceImportError(name, ["工作表为空"])
    headers = [_text(h) for h in rows[0]]
    known = {c.header: c for c in source.columns}
    errors: list[str] = []
    for h in headers:
        if h and h not in known:
            errors.append(f"第 1 行：未知的列「{h}」（{source.label}清单的列为 {'、'.join(known)}）")
    errors += [
        f"第 1 行：缺少必填列「{c.header}」" for c in source.columns if c.required and c.header not in headers
    ]
    if errors:
        raise SourceImportError(name, errors)
    position = {h: i for i, h in enumerate(headers) if h}
    out: list[ListedRow] = []
    seen_refs: dict[str, int] = {}
    known_units: dict[str, bool] = {}
    for line, values in enumerate(rows[1:], start=2):
        if all(_text(v) == "" for v in values):
            continue
        fields: dict[str, Any] = {}
        for c in source.columns:
            i = position.get(c.header)
            raw = values[i] if i is not None and i < len(values) else None
            text = _text(raw)
            where = f"第 {line} 行「{c.header}」列"
            if not text:
                if c.required:
                    errors.append(f"{where}：不能为空")
                continue
            if c.kind == "date":
                try:
                    fields[c.field] = _cell_date(raw).isoformat()
                except ValueError as exc:
                    errors.append(f"{where}：{exc}")
            elif c.kind == "units":
                names = [n.strip() for n in re.split(r"[、,，;；]", text) if n.strip()]
                for n in names:
                    if n not in known_units:  # a list names the same few units row after row
                        known_units[n] = resolve_unit(session=session, name=n) is not None
                    if not known_units[n]:
                        errors.append(f"{where}：单位「{n}」不存在")
                fields[c.field] = names
            else:
                fields[c.field] = text
        ref = fields.get("ref")
        if ref is not None:
            if ref in seen_refs:
                errors.append(
                    f"第 {line} 行「{source.field_label('ref')}」列：「{ref}」与第 {seen_refs[ref]} 行重复"
                )
            seen_refs[ref] = line
        out.append(ListedRow(line, fields))
        if len(errors) >= MAX_ERRORS:
            break
    if not out and not errors:
        errors.append("清单没有任何事项行")
    if errors:
        raise SourceImportError(name, errors[:MAX_ERRORS])
    return out


@dataclass
class SourceImport:
    plan: PlanRow
    created: bool
    rows: int
    assigned: list[int]
    needs_person: list[int]


def import_source(
    *,
    session: Session,
    source: Source,
    rows: Rows,
    name: str,
    actor: str,
    now: datetime,
    rules: tuple[Rule, ...] | None = None,
    place: str = "",
    government_id: int | None = None,
) -> SourceImport:
    """Load a source's list (its first sheet's rows, :func:`sheet_rows`) as a plan of items (of
    ``government_id``, None: the root's), assigned by 承办单位 or by the routing rules (None: the
    government's own, :func:`duban.ledger.routing.rules_for`)."""
    from duban.ledger.service import assign  # the one way an item becomes a duty

    listed = read_list(session=session, source=source, rows=rows, name=name)
    # the same rows again (the file saved anew, or renamed) are recognised: the checksum is of the content
    content = json.dumps([source.key, [r.fields for r in listed]], ensure_ascii=False, sort_keys=True)
    checksum = hashlib.sha256(content.encode()).hexdigest()
    existing = session.scalar(select(PlanRow).where(PlanRow.checksum == checksum))
    if existing is not None:
        return SourceImport(existing, False, len(existing.items), [], [])
    today = local_date(now)
    if not place:  # the government the office works for: that of its latest work report
        latest = session.scalar(
            select(PlanRow.place)
            .where(PlanRow.source_kind == REPORT, PlanRow.place != "")
            .order_by(PlanRow.id.desc())
            .limit(1)
        )
        place = latest or "本级政府"
    plan = PlanRow(
        place=place,
        level="市",
        year=today.year,
        title=f"{source.label}清单（{name}）",
        doc=name,
        source=name,
        source_format="xlsx",
        source_kind=source.key,
        checksum=checksum,
        government_id=government_id,
        loaded_at=now,
        loaded_by=actor,
    )
    session.add(plan)
    session.flush()
    items = []
    for r in listed:
        f = r.fields
        own = {k: v for k, v in f.items() if k not in ("text", "unit", "co_units", "due")}
        items.append(
            ItemRow(
                plan_id=plan.id,
                ref=str(f.get("ref") or f"r{r.line}"),
                kind="task",
                text=f["text"],
                metric=None,
                deadline=date.fromisoformat(f["due"]) if f.get("due") else None,
                deadline_text=f.get("due"),
                section_path=None,
                section_title=source.label,
                quote=f["text"],
                start=0,
                end=0,
                line=r.line,
                headline=False,
                flags=[],
                counts=[],
                targets=[],
                source_fields=own,
            )
        )
    session.add_all(items)
    session.flush()
    after = audit.snapshot(plan) or {}
    after["items"] = len(items)
    audit.record_change(
        session, plan, actor=actor, now=now, entity="plan", action="import_source", before=None, after=after
    )
    if rules is None:
        rules = rules_for(session=session, government_id=government_id)
    assigned: list[int] = []
    needs_person: list[int] = []
    for item, r in zip(items, listed, strict=True):
        units = r.fields.get("unit") or []
        co = list(r.fields.get("co_units") or [])
        rule_name: str | None = "承办单位列"
        if units:
            lead, co = units[0], units[1:] + co
        else:
            got = route(rules=rules, item=item)
            if got is None:
                needs_person.append(item.id)
                continue
            lead, co, rule_name = got.unit, co or list(got.co_units), got.rule_name
        assign(session=session, item_id=item.id, unit=lead, co_units=co, actor=actor, now=now, rule=rule_name)
        assigned.append(item.id)
    return SourceImport(plan, True, len(items), assigned, needs_person)
