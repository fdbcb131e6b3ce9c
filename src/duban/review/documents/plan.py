"""The year-end review of a plan's duties (issue 11): its input records, its counts, and its xlsx.

The ledger fills :class:`PlanReview` with one :class:`DutyOutcome` per duty, in the report's
order; the Word report is built from the same record by :mod:`.plan_docx`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from duban.review.documents.errors import DocumentError
from duban.review.documents.text import DUTY_VERDICT_LABELS, DUTY_VERDICTS, bar_text, share_text
from duban.review.documents.wording import Wording, load_wording


@dataclass(frozen=True)
class DutyOutcome:
    """One duty at the year's end: what it promised, what was reported, the verdict and its proof."""

    section: str  # the plan's section heading, e.g. "（一）坚持工业强市"
    task: str  # the duty as the office states it
    target_text: str  # 目标值 in words ("20.8万亩", "6月底前建成"), "" when the duty has no figure
    actual_text: str  # 完成值 as reported, "" when nothing was reported
    verdict: str  # done | mostly_done | not_done | behind (or their labels 已完成 / 基本完成 / 未完成 / 滞后)
    lead_unit: str  # 牵头单位
    evidence: list[str] = field(default_factory=list)  # 佐证材料: file names or descriptions
    quote: str = ""  # the report's sentence the duty came from


@dataclass(frozen=True)
class PlanReview:
    """A plan's year: its title, place and year, and every duty's outcome in the report's order."""

    title: str  # the plan as published, e.g. "2023年大同市政府工作报告"
    place: str
    year: int
    outcomes: list[DutyOutcome]
    office: str = ""  # 发文机关; "" → wording.yaml's issuer ("{place}人民政府督查室")
    number: str = ""  # 文号; "" → wording.yaml's placeholder ("〔{year}〕X号")
    signed: date | None = None  # 成文日期; None → "{year}年X月X日" for the office to fill
    as_of: date | None = None  # the date the figures stand at; None → wording.yaml's as_of ("{year}年底")


def verdict_key(value: str) -> str | None:
    """done / mostly_done / not_done / behind from a key or its label; None when it is neither.

    >>> verdict_key("基本完成"), verdict_key("behind"), verdict_key("进行中")
    ('mostly_done', 'behind', None)
    """
    if value in DUTY_VERDICT_LABELS:
        return value
    return next((k for k, label in DUTY_VERDICT_LABELS.items() if label == value.strip()), None)


def check_review(review: PlanReview) -> list[DutyOutcome]:
    """The outcomes with verdict keys normalised; DocumentError naming the first bad duty otherwise."""
    if not review.place.strip():
        raise DocumentError("年度落实情况：缺少地区（place）")
    if not review.outcomes:
        raise DocumentError(f"{review.place}{review.year}年度落实情况：没有任何任务，无法生成报告")
    out: list[DutyOutcome] = []
    for n, o in enumerate(review.outcomes, 1):
        key = verdict_key(o.verdict)
        where = f"年度落实情况第{n}项（{o.task[:20] or '无任务内容'}）"
        if key is None:
            allowed = "、".join(f"{label}（{k}）" for k, label in DUTY_VERDICT_LABELS.items())
            raise DocumentError(f"{where}：结论「{o.verdict}」无法识别，应为 {allowed} 之一")
        if not o.task.strip():
            raise DocumentError(f"{where}：任务内容（task）为空")
        out.append(
            DutyOutcome(
                o.section.strip() or "其他工作",
                o.task.strip(),
                o.target_text,
                o.actual_text,
                key,
                o.lead_unit.strip() or "未明确",
                list(o.evidence),
                o.quote,
            )
        )
    return out


@dataclass(frozen=True)
class DutyTally:
    """Verdict counts of one section or one lead unit."""

    label: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        """How many duties it holds."""
        return sum(self.counts.values())

    @property
    def share(self) -> float | None:
        """已完成 ÷ 任务数, None for an empty group."""
        return self.counts["done"] / self.total if self.total else None

    @property
    def behind(self) -> int:
        """Duties not done or behind: the ones the office follows up."""
        return self.counts["not_done"] + self.counts["behind"]

    def cells(self) -> list[str]:
        """名称, 任务数, a count per verdict, 完成率 (已完成 ÷ 任务数) and its bar."""
        done = self.counts["done"]
        counts = [str(self.counts[v]) for v in DUTY_VERDICTS]
        return [
            self.label,
            str(self.total),
            *counts,
            share_text(done, self.total),
            bar_text(done, self.total),
        ]


DUTY_HEADERS: tuple[str, ...] = ("序号", "任务", "目标值", "完成值", "结论", "牵头单位", "佐证材料", "原文")
TALLY_HEADERS: tuple[str, ...] = ("任务数", *DUTY_VERDICT_LABELS.values(), "完成率", "图示")


def tally_by(outcomes: Sequence[DutyOutcome], attr: str) -> list[DutyTally]:
    """Counts per section or per lead unit (``attr``), in order of first appearance, with a 合计 row."""
    groups: dict[str, dict[str, int]] = {}
    for o in outcomes:
        counts = groups.setdefault(getattr(o, attr), dict.fromkeys(DUTY_VERDICTS, 0))
        counts[o.verdict] += 1
    total = dict.fromkeys(DUTY_VERDICTS, 0)
    for o in outcomes:
        total[o.verdict] += 1
    return [DutyTally(k, v) for k, v in groups.items()] + [DutyTally("合计", total)]


def sections(outcomes: Sequence[DutyOutcome]) -> list[tuple[str, list[DutyOutcome]]]:
    """The outcomes grouped by section, sections in the report's order (their first appearance)."""
    groups: dict[str, list[DutyOutcome]] = {}
    for o in outcomes:
        groups.setdefault(o.section, []).append(o)
    return list(groups.items())


def duty_cells(o: DutyOutcome) -> dict[str, str]:
    """One duty's table cells: 任务, 目标值, 完成值, 结论, 牵头单位, 佐证材料, 原文."""
    evidence = (
        "\n".join(f"{i}. {e}" for i, e in enumerate(o.evidence, 1))
        if len(o.evidence) > 1
        else "".join(o.evidence)
    )
    return {
        "任务": o.task,
        "目标值": o.target_text or "—",
        "完成值": o.actual_text or "（未报送）",
        "结论": DUTY_VERDICT_LABELS[o.verdict],
        "牵头单位": o.lead_unit,
        "佐证材料": evidence or "—",
        "原文": o.quote,
    }


def document_title(review: PlanReview, wording: Wording) -> str:
    """关于大同市2023年政府工作报告重点任务落实情况的报告 (the title's lines joined)."""
    return "".join(wording.lines("title", place=review.place, year=review.year))


def table_title(review: PlanReview, wording: Wording) -> str:
    """大同市2023年政府工作报告重点任务落实情况表 (the 附件's title and the xlsx's)."""
    return wording.say("annex_title", place=review.place, year=review.year)


def write_plan_review_xlsx(
    review: PlanReview, path_or_stream: str | Path | IO[bytes], *, wording: str | Path | None = None
) -> None:
    """An xlsx: sheet 落实情况 (a coloured row per duty), sheets 按板块 and 按单位 (counts, 完成率)."""
    from openpyxl import Workbook

    from duban.review.documents.sheet import write_table

    outcomes = check_review(review)
    words = load_wording(wording)
    wb = Workbook()
    ws = wb.active
    ws.title = "落实情况"
    rows: list[list[Any]] = []
    for i, o in enumerate(outcomes, 1):
        c = duty_cells(o)
        rows.append(
            [
                i,
                o.section,
                c["任务"],
                c["目标值"],
                c["完成值"],
                c["结论"],
                c["牵头单位"],
                c["佐证材料"],
                c["原文"],
            ]
        )
    widths = (
        ("序号", 6),
        ("板块", 18),
        ("任务", 40),
        ("目标值", 14),
        ("完成值", 18),
        ("结论", 10),
        ("牵头单位", 16),
        ("佐证材料", 24),
        ("原文", 50),
    )
    write_table(
        ws,
        title=table_title(review, words),
        columns=widths,
        rows=rows,
        verdict_keys=[o.verdict for o in outcomes],
        verdict_column="结论",
    )
    for name, attr, head in (("按板块", "section", "板块"), ("按单位", "lead_unit", "牵头单位")):
        sheet = wb.create_sheet(name)
        columns = [(head, 30), *((h, 10) for h in TALLY_HEADERS[:-2]), ("完成率", 16)]
        tallies = tally_by(outcomes, attr)
        write_table(
            sheet,
            title=f"{review.place}{review.year}年重点任务落实情况（{name}）",
            columns=columns,
            rows=[[t.label, t.total, *t.counts.values(), t.share] for t in tallies],
            note="完成率＝已完成÷任务数。",
            percent_column="完成率",
        )
    wb.save(path_or_stream)


def write_plan_review_md(review: PlanReview, out: IO[str], *, wording: str | Path | None = None) -> None:
    """Markdown: the report's title, the counts by section and by unit, then each section's duties."""
    outcomes = check_review(review)
    out.write(f"# {document_title(review, load_wording(wording))}\n\n")

    def row(cells: Sequence[Any]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|").replace("\n", "；") for c in cells) + " |\n"

    for head, attr in (("板块", "section"), ("牵头单位", "lead_unit")):
        out.write(
            f"## 按{head}\n\n" + row((head, *TALLY_HEADERS)) + "|---" * (len(TALLY_HEADERS) + 1) + "|\n"
        )
        out.writelines(row(t.cells()) for t in tally_by(outcomes, attr))
        out.write("\n")
    n = 0
    for name, items in sections(outcomes):
        out.write(f"## {name}\n\n" + row(DUTY_HEADERS) + "|---" * len(DUTY_HEADERS) + "|\n")
        for o in items:
            n += 1
            out.write(row([n, *duty_cells(o).values()]))
        out.write("\n")
