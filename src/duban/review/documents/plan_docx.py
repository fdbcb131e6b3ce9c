"""The year-end review as the Word report an office sends: 关于XX年政府工作报告重点任务落实情况的报告.

Portrait body in the shape of a 公文: the issuing office in red, 文号, red line, title, 主送,
an opening paragraph, 一、总体情况 (tables by section and by lead unit with text bars),
二、各板块落实情况, 三、存在的问题, 四、下一步工作, 落款; then a landscape 附件: the duties of each
section in the report's order, one table each.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from duban.review.documents import word
from duban.review.documents.plan import (
    TALLY_HEADERS,
    DutyOutcome,
    DutyTally,
    PlanReview,
    check_review,
    duty_cells,
    sections,
    table_title,
    tally_by,
    title_lines,
)
from duban.review.documents.text import chinese_number, date_text, share_text

DUTY_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 1.1),
    ("任务", 4.8),
    ("目标值", 2.3),
    ("完成值", 2.8),
    ("结论", 1.8),
    ("牵头单位", 2.4),
    ("佐证材料", 3.6),
    ("原文", 4.9),
)


def _counts_text(t: DutyTally) -> str:
    """已完成12项、基本完成3项、未完成1项、滞后2项 (leaving out the verdicts with none)."""
    parts = [
        f"{label}{t.counts[k]}项"
        for k, label in zip(t.counts, TALLY_HEADERS[1:5], strict=True)
        if t.counts[k]
    ]
    return "、".join(parts) or "无"


def _date(d: Any, year: int) -> str:
    return date_text(d.year, d.month, d.day) if d else date_text(year)


def _caption(doc: Any, text: str) -> None:
    para = word.paragraph(doc, text, font=word.H1_FONT, size=word.Pt(14), align="center", indent=False)
    para.paragraph_format.space_before = word.Pt(6)
    para.paragraph_format.keep_with_next = True


def _tally_table(doc: Any, head: str, tallies: list[DutyTally]) -> None:
    widths = (3.8, 1.5, 1.5, 1.9, 1.5, 1.2, 1.6, 2.6)
    word.table(
        doc,
        columns=list(zip((head, *TALLY_HEADERS), widths, strict=True)),
        rows=[t.cells() for t in tallies],
        centred=TALLY_HEADERS,
        bars=[t.share for t in tallies],
        bar_column="图示",
        size=word.Pt(10),
    )


def _header(doc: Any, review: PlanReview) -> None:
    """发文机关标志 in red, 文号, the red line, the title and 主送."""
    word.paragraph(doc)
    word.paragraph(
        doc,
        review.issuer,
        font=word.TITLE_FONT,
        size=word.Pt(30),
        align="center",
        indent=False,
        colour=word.RED,
    ).paragraph_format.line_spacing = word.Pt(44)
    word.paragraph(doc)
    word.paragraph(doc, review.number or f"〔{review.year}〕X号", align="center", indent=False)
    word.rule(doc)
    word.paragraph(doc)
    title = word.paragraph(doc, align="center", indent=False)
    title.paragraph_format.line_spacing = word.Pt(36)
    for n, line in enumerate(title_lines(review)):
        run = title.add_run()
        if n:
            run.add_break()
        run.add_text(line)
        word.set_font(run, word.TITLE_FONT, word.SIZE_TITLE)
    word.paragraph(doc)
    word.paragraph(doc, f"{review.place}人民政府：", indent=False)


def _opening(doc: Any, review: PlanReview, total: DutyTally) -> None:
    as_of = _date(review.as_of, review.year) if review.as_of else f"{review.year}年底"
    word.paragraph(
        doc,
        f"为推动《{review.title}》确定的各项任务落到实处，{review.issuer}将报告明确的{total.total}项重点任务"
        f"逐项分解到牵头单位，建立督办台账，实行清单化管理、全过程跟踪。截至{as_of}，{total.total}项任务中，"
        f"{_counts_text(total)}，完成率{share_text(total.counts['done'], total.total)}。现将有关情况报告如下：",
    )


def _sections_part(
    doc: Any, groups: list[tuple[str, list[DutyOutcome]]], by_section: list[DutyTally]
) -> None:
    word.heading(doc, "二、各板块落实情况", level=1)
    for n, ((name, items), t) in enumerate(zip(groups, by_section, strict=False), 1):
        word.heading(doc, f"（{chinese_number(n)}）{_strip_number(name)}", level=2)
        units = list(dict.fromkeys(o.lead_unit for o in items))
        lead = "、".join(units) if len(units) <= 3 else f"{'、'.join(units[:2])}等{len(units)}个单位"
        text = f"该板块共{t.total}项任务，由{lead}牵头，{_counts_text(t)}，完成率{share_text(t.counts['done'], t.total)}。"
        shown = [o for o in items if o.verdict == "done" and o.actual_text][:3]
        if shown:
            text += "其中，" + "；".join(_achieved(o) for o in shown) + "。"
        if t.behind:
            text += f"未完成或滞后{t.behind}项，具体见第三部分。"
        word.paragraph(doc, text)


def _achieved(o: DutyOutcome) -> str:
    """建成高标准农田，完成21.2万亩（目标20.8万亩); the target left out when the task states it.

    >>> _achieved(DutyOutcome("s", "全年建成高标准农田20.8万亩", "20.8万亩", "21.2万亩", "done", "u"))
    '全年建成高标准农田20.8万亩，完成21.2万亩'
    >>> _achieved(DutyOutcome("s", "改造农村公路", "≥300公里", "310公里", "done", "u"))
    '改造农村公路，完成310公里（目标≥300公里）'
    """
    task = _short(o.task)
    figures = [f.strip("≥≤ ") for f in o.target_text.split("；") if f.strip("≥≤ ")]
    stated = any(f.removesuffix("左右") in task for f in figures)
    aim = f"（目标{o.target_text}）" if figures and not stated else ""
    return f"{task}，完成{o.actual_text}{aim}"


def _problems_part(doc: Any, outcomes: list[DutyOutcome], total: DutyTally) -> None:
    word.heading(doc, "三、存在的问题", level=1)
    lagging = [o for o in outcomes if o.verdict in ("not_done", "behind")]
    if not lagging:
        word.paragraph(doc, "各项重点任务均已完成或基本完成，未发现未完成或滞后的任务。")
    else:
        word.paragraph(doc, f"从督办情况看，仍有{len(lagging)}项任务未完成或进度滞后，主要是：")
        for i, o in enumerate(lagging, 1):
            got = f"完成情况：{o.actual_text}" if o.actual_text else "未报送完成情况"
            aim = f"目标{o.target_text}；" if o.target_text else ""
            word.paragraph(
                doc, f"{i}．{_short(o.task, 40)}（牵头单位：{o.lead_unit}）。{aim}{got}；{o_label(o)}。"
            )
    word.heading(doc, "四、下一步工作", level=1)
    if total.behind:
        word.paragraph(
            doc,
            f"对未完成和滞后的{total.behind}项任务，将逐项列出清单，督促牵头单位分析原因、明确措施和完成时限，"
            "纳入下一年度督办台账持续跟踪，对推进不力的按程序提请通报；对已完成的任务，督促牵头单位做好佐证材料归档，"
            "巩固工作成效。",
        )
    else:
        word.paragraph(doc, "督促各牵头单位做好佐证材料归档，巩固工作成效，并做好下一年度任务的分解落实。")
    word.paragraph(doc, "特此报告。")


def o_label(o: DutyOutcome) -> str:
    """The verdict's words for the problems list."""
    return {"not_done": "未完成年度目标", "behind": "进度滞后"}.get(o.verdict, "")


def _strip_number(name: str) -> str:
    """A section heading without its own number, so the report numbers sections itself.

    >>> _strip_number("（一）坚持工业强市"), _strip_number("二、民生"), _strip_number("生态")
    ('坚持工业强市', '民生', '生态')
    """
    import re

    return (
        re.sub(r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十\d]+[、.．])\s*", "", name)
        or name
    )


def _short(text: str, size: int = 24) -> str:
    """A task cut to ``size`` characters with an ellipsis, at the first clause end if sooner.

    >>> _short("推进高标准农田建设，全年建成20.8万亩", 12), _short("建成通航产业园区")
    ('推进高标准农田建设', '建成通航产业园区')
    """
    head = text.split("，")[0].split("。")[0]
    return head if len(head) <= size else head[:size] + "……"


def _signature(doc: Any, review: PlanReview) -> None:
    word.paragraph(doc)
    word.paragraph(doc, f"附件：{table_title(review)}", indent=True)
    word.paragraph(doc)
    word.paragraph(doc)
    for text in (review.issuer, _date(review.signed, review.year)):
        para = word.paragraph(doc, text, align="right", indent=False)
        para.paragraph_format.right_indent = word.Pt(64)


def _annex(doc: Any, review: PlanReview, groups: list[tuple[str, list[DutyOutcome]]]) -> None:
    word.new_section(doc, landscape=True)
    word.paragraph(doc, "附件", font=word.H1_FONT, indent=False)
    title = word.paragraph(
        doc, table_title(review), font=word.TITLE_FONT, size=word.Pt(18), align="center", indent=False
    )
    title.paragraph_format.space_after = word.Pt(6)
    first = 1
    for n, (name, items) in enumerate(groups, 1):
        head = word.paragraph(
            doc, f"（{chinese_number(n)}）{_strip_number(name)}", font=word.H2_FONT, indent=False
        )
        head.paragraph_format.keep_with_next = True
        rows = []
        for i, o in enumerate(items, first):
            c = duty_cells(o)
            rows.append(
                [
                    str(i),
                    c["任务"],
                    c["目标值"],
                    c["完成值"],
                    c["结论"],
                    c["牵头单位"],
                    c["佐证材料"],
                    c["原文"],
                ]
            )
        first += len(items)
        word.table(
            doc,
            columns=DUTY_COLUMNS,
            rows=rows,
            verdict_keys=[o.verdict for o in items],
            verdict_column="结论",
            size=word.Pt(9),
            centred=("序号", "结论"),
        )


def write_plan_review_docx(review: PlanReview, path_or_stream: str | Path | IO[bytes]) -> None:
    """Write the year-end report of a plan's duties as a .docx (DocumentError on a bad record)."""
    outcomes = check_review(review)
    groups = sections(outcomes)
    by_section = tally_by(outcomes, "section")
    by_unit = tally_by(outcomes, "lead_unit")
    total = by_section[-1]
    doc = word.new_document()
    _header(doc, review)
    _opening(doc, review, total)
    word.heading(doc, "一、总体情况", level=1)
    word.paragraph(
        doc,
        f"报告确定的重点任务分属{len(groups)}个板块、由{len(by_unit) - 1}个单位牵头。"
        f"{total.total}项任务中，{_counts_text(total)}。各板块、各牵头单位完成情况见表1、表2。",
    )
    _caption(doc, "表1　各板块重点任务落实情况")
    _tally_table(doc, "板块", [_renamed(t) for t in by_section])
    _caption(doc, "表2　各牵头单位重点任务落实情况")
    _tally_table(doc, "牵头单位", by_unit)
    _sections_part(doc, groups, by_section)
    _problems_part(doc, outcomes, total)
    _signature(doc, review)
    _annex(doc, review, groups)
    doc.save(path_or_stream)


def _renamed(t: DutyTally) -> DutyTally:
    return DutyTally(_strip_number(t.label), t.counts)
