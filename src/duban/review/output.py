"""Promises as text: JSON lines (the gold format), CSV, Markdown and a terminal table.

The xlsx and docx an office hands its leaders come from ``duban.review.documents``; the CLI
picks the writer by format from ``TEXT_WRITERS`` and, for those two, from that module.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from duban.reading.output import human_number
from duban.review.model import VERDICT_LABELS, Promise
from duban.review.rules import rules

BOUND_WORDS = {"about": "左右", "at_least": "以上", "at_most": "以内", "exact": ""}
CSV_FIELDS = (
    "place", "year", "metric", "metric_id", "headline", "target_value", "target_value_high", "target_unit",
    "target_bound", "target_quote", "target_line", "actual_value", "actual_unit", "actual_quote", "actual_line",
    "verdict", "verdict_label", "reason", "metric_words", "scope",
)  # fmt: skip


def _num(v: float | None) -> str:
    if v is None:
        return ""
    return f"{int(v)}" if float(v).is_integer() and abs(v) < 2**53 else f"{v:g}"


def target_text(p: Promise) -> str:
    """The target as a person writes it: 8.5%左右, 4.2万人, or its words when it has no figure."""
    t = p.target
    if t.value is None:
        return t.quote
    if t.unit == "rank":
        return f"第{human_number(t.value)}{BOUND_WORDS.get(t.bound, '') and '以内'}"
    high = f"—{human_number(t.value_high)}" if t.value_high is not None else ""
    return f"{human_number(t.value)}{high}{t.unit}{BOUND_WORDS.get(t.bound, '')}"


def actual_text(p: Promise) -> str:
    """The result as written, its words when it has no figure, "—" when there is none."""
    if p.actual is None:
        return "—"
    if p.actual.value is None:
        return p.actual.quote
    if p.actual.unit == "rank":
        return f"第{human_number(p.actual.value)}"
    falls = p.actual.change in rules().decline_changes and p.actual.value
    value = -p.actual.value if falls else p.actual.value
    return f"{human_number(value)}{p.actual.unit}"  # as a signed growth: 下降4.7% is -4.7%


def flat_row(p: Promise) -> dict[str, Any]:
    """One promise as a flat row (CSV and spreadsheets)."""
    a = p.actual
    return {
        "place": p.place,
        "year": p.year,
        "metric": p.metric,
        "metric_id": p.metric_id or "",
        "headline": p.headline,
        "target_value": _num(p.target.value),
        "target_value_high": _num(p.target.value_high),
        "target_unit": p.target.unit,
        "target_bound": p.target.bound,
        "target_quote": p.target.quote,
        "target_line": p.target.line or "",
        "actual_value": _num(a.value) if a else "",
        "actual_unit": a.unit if a else "",
        "actual_quote": a.quote if a else "",
        "actual_line": (a.line or "") if a else "",
        "verdict": p.verdict,
        "verdict_label": VERDICT_LABELS[p.verdict],
        "reason": p.reason,
        "metric_words": p.metric_words,
        "scope": p.scope or "",
    }


def write_jsonl(promises: Iterable[Promise], out: TextIO) -> None:
    """One promise a line in the gold format of shared/gold/README.md."""
    for p in promises:
        out.write(json.dumps(p.to_dict(), ensure_ascii=False) + "\n")


def write_csv(promises: Iterable[Promise], out: TextIO) -> None:
    """A CSV with a header row (UTF-8; Excel opens it with the BOM the CLI writes to files)."""
    w = csv.DictWriter(out, fieldnames=CSV_FIELDS)
    w.writeheader()
    for p in promises:
        w.writerow(flat_row(p))


def write_markdown(promises: Iterable[Promise], out: TextIO) -> None:
    """A Markdown table per place and year, with the quotes."""
    rows = list(promises)
    if not rows:
        return
    out.write(f"# {rows[0].place}{rows[0].year}年政府工作报告目标落实情况\n\n")
    out.write("| 指标 | 主要目标 | 目标 | 结果 | 结论 | 说明 | 目标原文 | 结果原文 |\n")
    out.write("| --- | --- | --- | --- | --- | --- | --- | --- |\n")
    for p in rows:
        cells = [
            p.metric,
            "是" if p.headline else "",
            target_text(p),
            actual_text(p),
            VERDICT_LABELS[p.verdict],
            p.reason,
            p.target.quote,
            p.actual.quote if p.actual else "",
        ]
        out.write("| " + " | ".join(c.replace("|", "｜") for c in cells) + " |\n")
    counts = {v: sum(1 for p in rows if p.verdict == v) for v in VERDICT_LABELS}
    out.write("\n" + "，".join(f"{VERDICT_LABELS[v]} {n} 项" for v, n in counts.items()) + "\n")


def print_table(promises: Iterable[Promise], console: Any) -> None:
    """A rich table for the terminal."""
    from rich.table import Table

    rows = list(promises)
    title = f"{rows[0].place}{rows[0].year}年目标落实情况" if rows else "目标落实情况"
    table = Table(title=title, show_lines=False)
    for head in ("指标", "目标", "结果", "结论", "说明"):
        table.add_column(head)
    colours = {"met": "green", "missed": "red", "unverifiable": "yellow", "ambiguous": "magenta"}
    for p in rows:
        name = ("★ " if p.headline else "") + p.metric
        verdict = f"[{colours[p.verdict]}]{VERDICT_LABELS[p.verdict]}[/]"
        table.add_row(name, target_text(p), actual_text(p), verdict, p.reason)
    console.print(table)


def _cell(p: Promise) -> str:
    return f"{target_text(p)} → {actual_text(p)}（{VERDICT_LABELS[p.verdict]}）"


def print_panel(table: dict[str, dict[int, Promise]], console: Any) -> None:
    """A place's series: one row per metric, one column per plan year, target → result (verdict)."""
    from rich.table import Table

    years = sorted({y for row in table.values() for y in row})
    place = next((p.place for row in table.values() for p in row.values()), "")
    out = Table(title=f"{place}历年目标与结果")
    out.add_column("指标")
    for y in years:
        out.add_column(str(y))
    for metric, row in table.items():
        out.add_row(metric, *(_cell(row[y]) if y in row else "" for y in years))
    console.print(out)


def write_panel_markdown(table: dict[str, dict[int, Promise]], out: TextIO) -> None:
    """The series panel as a Markdown table."""
    years = sorted({y for row in table.values() for y in row})
    out.write("| 指标 | " + " | ".join(str(y) for y in years) + " |\n")
    out.write("| --- |" + " --- |" * len(years) + "\n")
    for metric, row in table.items():
        cells = [_cell(row[y]).replace("|", "｜") if y in row else "" for y in years]
        out.write(f"| {metric} | " + " | ".join(cells) + " |\n")


TEXT_WRITERS: dict[str, Callable[[Iterable[Promise], TextIO], None]] = {
    "jsonl": write_jsonl,
    "csv": write_csv,
    "md": write_markdown,
}
