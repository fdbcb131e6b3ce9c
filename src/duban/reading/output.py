"""A read plan written out: JSON and JSONL for machines, CSV, an xlsx 台账, Markdown, and
a terminal view. Every item row carries ``doc`` so a batch's output can be told apart.

The JSON shapes are documented in docs/formats.md (and checked by tests/reading/test_docs.py).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from duban.reading.model import Plan, Quantity, Task, TextTarget

FORMATS = ("table", "json", "jsonl", "csv", "xlsx", "md")

BOUND_WORDS = {"about": "左右", "at_least": "以上", "at_most": "以内", "exact": ""}
KIND_WORDS = {"target": "目标", "achievement": "成绩", "task": "任务"}


def _num(v: float | None) -> int | float | None:
    """45000.0 → 45000, 6.5 → 6.5 (JSON readers expect whole numbers whole)."""
    if v is None:
        return None
    return int(v) if float(v).is_integer() and abs(v) < 2**53 else v


def human_number(v: float) -> str:
    """A value with its magnitude put back: 160000000 → 1.6亿, 208000 → 20.8万, 6.5 → 6.5.

    >>> human_number(160000000), human_number(208000), human_number(6.5), human_number(15053)
    ('1.6亿', '20.8万', '6.5', '15053')
    """
    for word, size in (("万亿", 10**12), ("亿", 10**8), ("万", 10**4)):
        scaled = v / size
        if abs(v) >= size and round(scaled, 2) == scaled:
            return f"{scaled:g}{word}"
    return f"{_num(v)}"


def figure_text(q: Quantity) -> str:
    """A figure as a person writes it: 增长6.5%左右, 20.8万亩, 第1 for ranks."""
    if q.unit == "rank":
        return f"第{_num(q.value)}"
    value = human_number(q.value) + (f"—{human_number(q.value_high)}" if q.value_high is not None else "")
    return f"{q.change or ''}{value}{q.unit}{BOUND_WORDS[q.bound]}"


def quantity_row(plan: Plan, q: Quantity) -> dict[str, Any]:
    """One quantity as a JSON object (the gold format's fields, then provenance)."""
    sec = plan.section(q.section)
    return {
        "doc": plan.doc,
        "kind": q.kind,
        **target_fields(q),
        "headline": q.headline,
        "scope": q.scope,
        "flags": q.flags,
        "section": q.section,
        "section_title": sec.title if sec else None,
        "line": q.line,
    }


def text_target_row(plan: Plan, x: TextTarget) -> dict[str, Any]:
    """A target without a figure as a quantity row whose value is null."""
    sec = plan.section(x.section)
    return {
        "doc": plan.doc,
        "kind": "target",
        "metric": x.metric,
        "change": None,
        "value": None,
        "value_high": None,
        "unit": "",
        "bound": x.bound,
        "quote": x.quote,
        "headline": x.headline,
        "period": x.period,
        "measure": None,
        "metric_id": x.metric_id,
        "scope": x.scope,
        "flags": ["no_figure"],
        "section": x.section,
        "section_title": sec.title if sec else None,
        "line": x.line,
        "start": x.start,
        "end": x.end,
    }


def target_fields(q: Quantity) -> dict[str, Any]:
    """A task's figure: the quantity gold's fields and where it stands in the text."""
    return {
        "metric": q.metric,
        "change": q.change,
        "value": _num(q.value),
        "value_high": _num(q.value_high),
        "unit": q.unit,
        "bound": q.bound,
        "quote": q.quote,
        "metric_id": q.metric_id,
        "measure": q.measure,
        "period": q.period,
        "start": q.start,
        "end": q.end,
    }


def task_row(plan: Plan, t: Task) -> dict[str, Any]:
    """One task as a JSON object."""
    sec = plan.section(t.section)
    return {
        "doc": plan.doc,
        "kind": "task",
        "id": t.id,
        "text": t.text,
        "action": t.action,
        "object": t.object,
        "projects": t.projects,
        "places": t.places,
        "counts": t.counts,
        "deadline": t.deadline.text if t.deadline else None,
        "due": t.deadline.due.isoformat() if t.deadline and t.deadline.due else None,
        "targets": [target_fields(q) for q in t.targets],
        "lead": t.lead,
        "headline": t.headline,
        "section": t.section,
        "section_title": sec.title if sec else None,
        "group": t.group,
        "line": t.line,
        "start": t.start,
        "end": t.end,
    }


def item_rows(plan: Plan) -> Iterator[dict[str, Any]]:
    """Quantities then tasks, each as a flat JSON object."""
    for q in plan.quantities:
        yield quantity_row(plan, q)
    for x in plan.text_targets:
        yield text_target_row(plan, x)
    for t in plan.tasks:
        yield task_row(plan, t)


def plan_summary(plan: Plan) -> dict[str, Any]:
    """The plan's header: what was read, and counts."""
    return {
        "doc": plan.doc,
        "title": plan.title,
        "place": plan.place,
        "year": plan.year,
        "source": plan.source,
        "source_format": plan.source_format,
        "encoding": plan.encoding,
        "checksum": plan.checksum,
        "targets": len(plan.targets),
        "headline_targets": len(plan.headline_targets),
        "achievements": len(plan.achievements),
        "tasks": len(plan.tasks),
        "flagged": sum(1 for q in plan.quantities if q.flags),
        "cleaning_notes": len(plan.notes),
    }


def plan_json(plan: Plan) -> dict[str, Any]:
    """The whole plan as one JSON document."""
    return {
        **plan_summary(plan),
        "notes": [{"kind": n.kind, "line": n.line, "text": n.text, "detail": n.detail} for n in plan.notes],
        "sections": [
            {
                "id": s.id,
                "level": s.level,
                "number": s.number,
                "title": s.title,
                "part_kind": s.part_kind,
                "parent": s.parent,
                "line": s.line,
                "start": s.start,
                "end": s.end,
            }
            for s in plan.sections
        ],
        "quantities": [quantity_row(plan, q) for q in plan.quantities],
        "tasks": [task_row(plan, t) for t in plan.tasks],
    }


def write_json(plans: Iterable[Plan], out: io.TextIOBase | Any) -> None:
    """One plan → one JSON object; several → a JSON array."""
    docs = [plan_json(p) for p in plans]
    json.dump(docs[0] if len(docs) == 1 else docs, out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_jsonl(plans: Iterable[Plan], out: io.TextIOBase | Any) -> None:
    """One item (quantity or task) a line."""
    for plan in plans:
        for row in item_rows(plan):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


CSV_FIELDS = [
    "doc", "kind", "metric", "change", "value", "value_high", "unit", "bound", "headline", "flags",
    "id", "action", "object", "deadline", "due", "targets", "lead", "section", "section_title", "group",
    "line", "quote", "text", "period", "measure", "metric_id", "scope",
]  # fmt: skip


def write_csv(plans: Iterable[Plan], out: io.TextIOBase | Any) -> None:
    """Quantities and tasks in one table (UTF-8; Excel users: use xlsx)."""
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for plan in plans:
        by_id = {t.id: t for t in plan.tasks}
        for row in item_rows(plan):
            row = dict(row)
            row["flags"] = ";".join(row.get("flags") or [])
            if row["kind"] == "task":
                row["targets"] = "、".join(figure_text(q) for q in by_id[row["id"]].targets)
            writer.writerow(row)


def ledger_rows(plan: Plan) -> list[dict[str, Any]]:
    """The 台账 view of a plan: targets then tasks, with section, content, target value, deadline."""
    rows: list[dict[str, Any]] = []
    for q in plan.targets:
        sec = plan.section(q.section)
        rows.append(
            {
                "section": sec.title if sec else "",
                "content": q.quote,
                "target": figure_text(q),
                "due": f"{plan.year}-12-31" if plan.year else "",
                "kind": "主要预期目标" if q.headline else "量化目标",
                "flags": "、".join(q.flags),
                "line": q.line,
            }
        )
    for t in plan.tasks:
        sec = plan.section(t.section)
        rows.append(
            {
                "section": sec.title if sec else "",
                "content": t.text,
                "target": "、".join(figure_text(q) for q in t.targets) or "、".join(t.counts),
                "due": t.deadline.due.isoformat() if t.deadline and t.deadline.due else "",
                "kind": "重点任务",
                "flags": "",
                "line": t.line,
            }
        )
    return rows


def write_xlsx(plans: Iterable[Plan], path: Path) -> None:
    """An xlsx 台账 a supervision office recognises: 序号, 所属板块, 任务内容, 目标值, 完成时限."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin", color="999999")
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for plan in plans:
        title = (plan.doc or "计划")[:28]
        for bad in "[]:*?/\\":
            title = title.replace(bad, "_")
        ws = wb.create_sheet(title=title)
        ws.append([plan.title or plan.doc])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append(["序号", "所属板块", "任务内容", "目标值", "完成时限", "类别", "原文行", "需核实"])
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(horizontal="center", vertical="center")
        for i, row in enumerate(ledger_rows(plan), 1):
            ws.append(
                [
                    i,
                    row["section"],
                    row["content"],
                    row["target"],
                    row["due"],
                    row["kind"],
                    row["line"],
                    row["flags"],
                ]
            )
        for col, width in zip("ABCDEFGH", (6, 28, 60, 18, 12, 12, 8, 12), strict=True):
            ws.column_dimensions[col].width = width
        for r in ws.iter_rows(min_row=2):
            for cell in r:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        ws.freeze_panes = "A3"
        ws.auto_filter.ref = f"A2:H{ws.max_row}"
    wb.save(path)


def write_markdown(plans: Iterable[Plan], out: io.TextIOBase | Any) -> None:
    """A readable Markdown digest: headline targets, targets by section, tasks with deadlines."""
    for plan in plans:
        out.write(f"# {plan.title or plan.doc}\n\n")
        out.write(f"- 地区：{plan.place or '未知'}　年度：{plan.year or '未知'}　来源：`{plan.doc}`\n")
        out.write(f"- 目标 {len(plan.targets)} 项（主要预期目标 {len(plan.headline_targets)} 项），")
        out.write(f"上年成绩 {len(plan.achievements)} 项，任务 {len(plan.tasks)} 项\n\n")
        if plan.headline_targets:
            out.write("## 主要预期目标\n\n| 指标 | 目标 |\n|---|---|\n")
            for q in plan.headline_targets:
                out.write(f"| {q.metric} | {figure_text(q)} |\n")
            out.write("\n")
        for title, items in (("量化目标", plan.targets), ("上年成绩", plan.achievements)):
            if items:
                out.write(f"## {title}\n\n| 指标 | 数值 | 原文 |\n|---|---|---|\n")
                for q in items:
                    flag = " ⚠" if q.flags else ""
                    out.write(f"| {q.metric} | {figure_text(q)}{flag} | {q.quote} |\n")
                out.write("\n")
        if plan.tasks:
            out.write("## 重点任务\n\n| 编号 | 任务 | 时限 |\n|---|---|---|\n")
            for t in plan.tasks:
                due = t.deadline.due.isoformat() if t.deadline and t.deadline.due else ""
                out.write(f"| {t.id} | {t.text} | {due} |\n")
            out.write("\n")


def print_table(plan: Plan, console: Any) -> None:
    """The terminal view: what was read and cleaned, headline targets, targets, tasks."""
    from rich.table import Table

    s = plan_summary(plan)
    console.print(
        f"[bold]{plan.title or plan.doc}[/bold]  {plan.place or ''} {plan.year or ''}年  "
        f"（{plan.source_format}{'，' + plan.encoding if plan.encoding else ''}）"
    )
    console.print(
        f"目标 {s['targets']} 项（主要预期目标 {s['headline_targets']}），上年成绩 {s['achievements']} 项，"
        f"任务 {s['tasks']} 项，待核实 {s['flagged']} 项，清理 {s['cleaning_notes']} 处"
    )
    if plan.notes:
        kinds: dict[str, int] = {}
        for n in plan.notes:
            kinds[n.kind] = kinds.get(n.kind, 0) + 1
        console.print("清理：" + "，".join(f"{k} {v}" for k, v in kinds.items()))
    for title, items in (
        ("主要预期目标", plan.headline_targets),
        ("量化目标", [q for q in plan.targets if not q.headline]),
    ):
        if not items:
            continue
        table = Table(title=title, show_lines=False)
        for col in ("指标", "目标", "原文", "行"):
            table.add_column(col)
        for q in items:
            table.add_row(q.metric, figure_text(q) + (" ⚠" if q.flags else ""), q.quote, str(q.line))
        console.print(table)
    if plan.tasks:
        table = Table(title="重点任务（前 30 项）")
        for col in ("编号", "动作", "任务", "时限"):
            table.add_column(col)
        for t in plan.tasks[:30]:
            due = t.deadline.due.isoformat() if t.deadline and t.deadline.due else ""
            table.add_row(t.id, t.action, t.text, due)
        console.print(table)
