"""The review of promises as files an office hands its leaders: xlsx, Word, CSV and Markdown.

Each promise becomes one row under Chinese headers (地区, 年度, 指标, 是否主要指标, 目标值, 目标原文,
完成值, 完成原文, 结论, 说明), the 结论 cell coloured by verdict; a summary counts the verdicts
per place and year, headline targets apart, with the share met.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from duban.review.documents.text import chinese_number, figure_text, share_text
from duban.review.model import VERDICT_LABELS, VERDICTS, Promise

HEADERS: tuple[str, ...] = (
    "地区",
    "年度",
    "指标",
    "是否主要指标",
    "目标值",
    "目标原文",
    "完成值",
    "完成原文",
    "结论",
    "说明",
)
XLSX_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 6),
    ("地区", 10),
    ("年度", 7),
    ("指标", 18),
    ("是否主要指标", 8),
    ("目标值", 13),
    ("目标原文", 40),
    ("完成值", 13),
    ("完成原文", 48),
    ("结论", 10),
    ("说明", 36),
)
SUMMARY_HEADERS: tuple[str, ...] = ("范围", "指标数", *VERDICT_LABELS.values(), "实现率", "可核实实现率")


def promise_row(p: Promise) -> dict[str, Any]:
    """One promise as the ten columns, in words: values with unit and bound, 是/否, the verdict label."""
    t, a = p.target, p.actual
    target = figure_text(t.value, t.unit, t.bound, t.value_high) or "（无数值）"
    actual = "（未报告）" if a is None else figure_text(a.value, a.unit) or "（无数值，见原文）"
    return {
        "地区": p.place,
        "年度": p.year,
        "指标": p.metric,
        "是否主要指标": "是" if p.headline else "否",
        "目标值": target,
        "目标原文": t.quote,
        "完成值": actual,
        "完成原文": a.quote if a else "",
        "结论": VERDICT_LABELS.get(p.verdict, p.verdict),
        "说明": p.reason,
    }


@dataclass(frozen=True)
class Tally:
    """Verdict counts of one group of promises (a place and year, its headline targets, or all)."""

    label: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        """How many promises the group holds."""
        return sum(self.counts.values())

    @property
    def share(self) -> float | None:
        """已实现 ÷ 指标数, None for an empty group."""
        return self.counts["met"] / self.total if self.total else None

    @property
    def verifiable_share(self) -> float | None:
        """已实现 ÷ (已实现 + 未实现): the share met among the targets a result was found for."""
        judged = self.counts["met"] + self.counts["missed"]
        return self.counts["met"] / judged if judged else None

    def cells(self) -> list[Any]:
        """The summary row: 范围, 指标数, a count per verdict, 实现率, 可核实实现率."""
        met, missed = self.counts["met"], self.counts["missed"]
        return [
            self.label,
            self.total,
            *(self.counts[v] for v in VERDICTS),
            share_text(met, self.total),
            share_text(met, met + missed),
        ]


def verdict_counts(promises: Iterable[Promise]) -> dict[str, int]:
    """How many promises have each verdict, every verdict present (0 when none)."""
    counts: dict[str, int] = dict.fromkeys(VERDICTS, 0)
    for p in promises:
        counts[p.verdict] = counts.get(p.verdict, 0) + 1
    return counts


def tallies(promises: Sequence[Promise]) -> list[Tally]:
    """Per place and year: 合计, 主要指标, 其他指标; then 全部 when there is more than one place-year."""

    keys = list(dict.fromkeys((p.place, p.year) for p in promises))
    out: list[Tally] = []
    for place, year in keys:
        group = [p for p in promises if (p.place, p.year) == (place, year)]
        name = f"{place}{year}年"
        out.append(Tally(f"{name}　合计", verdict_counts(group)))
        out.append(Tally(f"{name}　主要指标", verdict_counts(p for p in group if p.headline)))
        out.append(Tally(f"{name}　其他指标", verdict_counts(p for p in group if not p.headline)))
    if len(keys) > 1:
        out.append(Tally("全部", verdict_counts(promises)))
    return out


def default_title(promises: Sequence[Promise]) -> str:
    """大同市2021年政府工作报告目标完成情况; 大同市2021—2022年… over years; …汇总 over places.

    >>> from duban.review.model import Target
    >>> t = Target(1, None, "%", "exact", "")
    >>> mk = lambda place, year: Promise(place, year, "", None, True, t, None, "unverifiable", "")
    >>> default_title([mk("大同市", 2021)]), default_title([mk("大同市", 2021), mk("大同市", 2022)])
    ('大同市2021年政府工作报告目标完成情况', '大同市2021—2022年政府工作报告目标完成情况')
    >>> default_title([mk("大同市", 2021), mk("朔州市", 2021)])
    '政府工作报告目标完成情况汇总'
    """
    places = sorted({p.place for p in promises})
    years = sorted({p.year for p in promises})
    if len(places) != 1:
        return "政府工作报告目标完成情况汇总"
    span = f"{years[0]}" if len(years) == 1 else f"{years[0]}—{years[-1]}"
    return f"{places[0]}{span}年政府工作报告目标完成情况"


def write_promises_csv(promises: Iterable[Promise], out: IO[str]) -> None:
    """CSV with the ten Chinese headers (UTF-8; open it in Excel via its import if it shows mojibake)."""
    writer = csv.DictWriter(out, fieldnames=list(HEADERS))
    writer.writeheader()
    for p in promises:
        writer.writerow(promise_row(p))


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def write_promises_md(promises: Sequence[Promise], out: IO[str], *, title: str | None = None) -> None:
    """Markdown: the title, the summary table, then one table row per promise."""
    out.write(f"# {title or default_title(promises)}\n\n")
    out.write("| " + " | ".join(SUMMARY_HEADERS) + " |\n|" + "---|" * len(SUMMARY_HEADERS) + "\n")
    for tally in tallies(promises):
        out.write("| " + " | ".join(_md(c) for c in tally.cells()) + " |\n")
    out.write("\n| " + " | ".join(HEADERS) + " |\n|" + "---|" * len(HEADERS) + "\n")
    for p in promises:
        out.write("| " + " | ".join(_md(v) for v in promise_row(p).values()) + " |\n")


def write_promises_xlsx(
    promises: Sequence[Promise], path_or_stream: str | Path | IO[bytes], *, title: str | None = None
) -> None:
    """An xlsx with sheet 目标完成情况 (one coloured row per promise) and sheet 汇总 (counts, share met)."""
    from openpyxl import Workbook

    from duban.review.documents.sheet import write_table

    promises = list(promises)
    title = title or default_title(promises)
    wb = Workbook()
    ws = wb.active
    ws.title = "目标完成情况"
    rows = [[i, *promise_row(p).values()] for i, p in enumerate(promises, 1)]
    write_table(
        ws,
        title=title,
        columns=XLSX_COLUMNS,
        rows=rows,
        verdict_keys=[p.verdict for p in promises],
        verdict_column="结论",
        note="结论：已实现（绿）、未实现（红）、无法核实（灰，下一年度报告未给出当年数值）、待研判（黄，需人工判断）。",
    )
    summary = wb.create_sheet("汇总")
    widths = (26, 8, 9, 9, 9, 9, 16, 14)
    write_table(
        summary,
        title=f"{title}（汇总）",
        columns=list(zip(SUMMARY_HEADERS, widths, strict=True)),
        rows=[[t.label, t.total, *t.counts.values(), t.share, t.verifiable_share] for t in tallies(promises)],
        note="实现率＝已实现÷指标数；可核实实现率＝已实现÷（已实现＋未实现）。",
        percent_column="实现率",
        percent_columns=("可核实实现率",),
    )
    wb.save(path_or_stream)


def write_promises_docx(
    promises: Sequence[Promise], path_or_stream: str | Path | IO[bytes], *, title: str | None = None
) -> None:
    """A landscape Word document: title, summary table, then per place and year a coloured table of promises."""
    from duban.review.documents import word

    promises = list(promises)
    title = title or default_title(promises)
    doc = word.new_document(landscape=True)
    word.paragraph(doc, title, font=word.TITLE_FONT, size=word.SIZE_TITLE, align="center", indent=False)
    word.paragraph(doc)
    counts = tallies(promises)
    overall = Tally("全部", verdict_counts(promises))
    met, total = overall.counts["met"], overall.total
    word.paragraph(
        doc,
        f"本表逐项对照上一年度政府工作报告确定的目标与下一年度政府工作报告公布的完成情况，共{total}项指标，"
        f"已实现{met}项、未实现{overall.counts['missed']}项、无法核实{overall.counts['unverifiable']}项、"
        f"待研判{overall.counts['ambiguous']}项，实现率{share_text(met, total)}。",
    )
    word.heading(doc, "一、总体情况", level=1)
    word.table(
        doc,
        columns=[*zip(SUMMARY_HEADERS, (6.4, 1.8, 1.9, 1.9, 1.9, 1.9, 2.2, 2.6), strict=True), ("图示", 4.0)],
        rows=[[str(c) for c in t.cells()] + [""] for t in counts],
        centred=SUMMARY_HEADERS[1:],
        bars=[t.share for t in counts],
        bar_column="图示",
    )
    word.heading(doc, "二、逐项对照", level=1)
    keys = list(dict.fromkeys((p.place, p.year) for p in promises))
    columns = (
        ("序号", 1.1),
        ("指标", 2.4),
        ("目标值", 1.8),
        ("目标原文", 4.6),
        ("完成值", 1.8),
        ("完成原文", 5.3),
        ("结论", 1.8),
        ("说明", 4.9),
    )
    for n, (place, year) in enumerate(keys, 1):
        group = [p for p in promises if (p.place, p.year) == (place, year)]
        if len(keys) > 1:
            word.heading(doc, f"（{chinese_number(n)}）{place}{year}年", level=2)
        rows = []
        for i, p in enumerate(group, 1):
            r = promise_row(p)
            metric = r["指标"] + ("\n（主要指标）" if p.headline else "")
            rows.append(
                [str(i), metric, r["目标值"], r["目标原文"], r["完成值"], r["完成原文"], r["结论"], r["说明"]]
            )
        word.table(
            doc,
            columns=columns,
            rows=rows,
            verdict_keys=[p.verdict for p in group],
            verdict_column="结论",
            size=word.Pt(9),
            centred=("序号", "目标值", "完成值", "结论"),
        )
    doc.save(path_or_stream)
