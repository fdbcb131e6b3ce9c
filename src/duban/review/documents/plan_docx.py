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
)
from duban.review.documents.text import chinese_number, date_text, share_text
from duban.review.documents.wording import Wording, load_wording

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


def _header(doc: Any, review: PlanReview, w: Wording) -> None:
    """发文机关标志 in red, 文号, the red line, the title and 主送."""
    word.paragraph(doc)
    word.paragraph(
        doc,
        _issuer(review, w),
        font=word.TITLE_FONT,
        size=word.Pt(30),
        align="center",
        indent=False,
        colour=word.RED,
    ).paragraph_format.line_spacing = word.Pt(44)
    word.paragraph(doc)
    word.paragraph(doc, review.number or w.say("number", year=review.year), align="center", indent=False)
    word.rule(doc)
    word.paragraph(doc)
    title = word.paragraph(doc, align="center", indent=False)
    title.paragraph_format.line_spacing = word.Pt(36)
    for n, line in enumerate(w.lines("title", place=review.place, year=review.year)):
        run = title.add_run()
        if n:
            run.add_break()
        run.add_text(line)
        word.set_font(run, word.TITLE_FONT, word.SIZE_TITLE)
    word.paragraph(doc)
    word.paragraph(doc, w.say("addressee", place=review.place), indent=False)


def _issuer(review: PlanReview, w: Wording) -> str:
    return review.office or w.say("issuer", place=review.place)


def _rate(t: DutyTally) -> str:
    return share_text(t.counts["done"], t.total)


def _sections_part(
    doc: Any, w: Wording, groups: list[tuple[str, list[DutyOutcome]]], by_section: list[DutyTally]
) -> None:
    word.heading(doc, w.texts["headings"][1], level=1)
    for n, ((name, items), t) in enumerate(zip(groups, by_section, strict=False), 1):
        word.heading(doc, f"（{chinese_number(n)}）{_strip_number(name)}", level=2)
        units = list(dict.fromkeys(o.lead_unit for o in items))
        lead = "、".join(units) if len(units) <= 3 else f"{'、'.join(units[:2])}等{len(units)}个单位"
        text = w.say("section", total=t.total, lead=lead, counts=_counts_text(t), rate=_rate(t))
        shown = [o for o in items if o.verdict == "done" and o.actual_text][:3]
        if shown:
            text += w.say("section_done", items="；".join(_achieved(o) for o in shown))
        if t.behind:
            text += w.say("section_lagging", behind=t.behind)
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


def _problems_part(doc: Any, w: Wording, outcomes: list[DutyOutcome], total: DutyTally) -> None:
    word.heading(doc, w.texts["headings"][2], level=1)
    lagging = [o for o in outcomes if o.verdict in ("not_done", "behind")]
    if not lagging:
        word.paragraph(doc, w.say("problems_none"))
    else:
        word.paragraph(doc, w.say("problems", behind=len(lagging)))
    for i, o in enumerate(lagging, 1):
        target = w.say("problem_target", target=o.target_text) if o.target_text else ""
        actual = (
            w.say("problem_actual", actual=o.actual_text) if o.actual_text else w.say("problem_no_actual")
        )
        verdict = w.texts["problem_verdicts"][o.verdict]
        text = w.say(
            "problem",
            n=i,
            task=_short(o.task, 40),
            unit=o.lead_unit,
            target=target,
            actual=actual,
            verdict=verdict,
        )
        word.paragraph(doc, text)
    word.heading(doc, w.texts["headings"][3], level=1)
    word.paragraph(
        doc, w.say("next_steps", behind=total.behind) if total.behind else w.say("next_steps_none")
    )
    word.paragraph(doc, w.say("closing"))


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


def _signature(doc: Any, review: PlanReview, w: Wording) -> None:
    word.paragraph(doc)
    word.paragraph(doc, w.say("annex_line", annex_title=table_title(review, w)), indent=True)
    word.paragraph(doc)
    word.paragraph(doc)
    for text in (_issuer(review, w), _date(review.signed, review.year)):
        para = word.paragraph(doc, text, align="right", indent=False)
        para.paragraph_format.right_indent = word.Pt(64)


def _annex(doc: Any, review: PlanReview, w: Wording, groups: list[tuple[str, list[DutyOutcome]]]) -> None:
    word.new_section(doc, landscape=True)
    word.paragraph(doc, "附件", font=word.H1_FONT, indent=False)
    title = word.paragraph(
        doc, table_title(review, w), font=word.TITLE_FONT, size=word.Pt(18), align="center", indent=False
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


def write_plan_review_docx(
    review: PlanReview, path_or_stream: str | Path | IO[bytes], *, wording: str | Path | None = None
) -> None:
    """Write the year-end report of a plan's duties as a .docx (DocumentError on a bad record or wording)."""
    outcomes = check_review(review)
    w = load_wording(wording)
    groups = sections(outcomes)
    by_section = tally_by(outcomes, "section")
    by_unit = tally_by(outcomes, "lead_unit")
    total = by_section[-1]
    doc = word.new_document()
    _header(doc, review, w)
    as_of = _date(review.as_of, review.year) if review.as_of else w.say("as_of", year=review.year)
    opening = w.say(
        "opening",
        title=review.title,
        issuer=_issuer(review, w),
        total=total.total,
        as_of=as_of,
        counts=_counts_text(total),
        rate=_rate(total),
    )
    word.paragraph(doc, opening)
    word.heading(doc, w.texts["headings"][0], level=1)
    overview = w.say(
        "overview",
        sections=len(groups),
        units=len(by_unit) - 1,
        total=total.total,
        counts=_counts_text(total),
    )
    word.paragraph(doc, overview)
    _caption(doc, w.texts["captions"][0])
    _tally_table(doc, "板块", [_renamed(t) for t in by_section])
    _caption(doc, w.texts["captions"][1])
    _tally_table(doc, "牵头单位", by_unit)
    _sections_part(doc, w, groups, by_section)
    _problems_part(doc, w, outcomes, total)
    _signature(doc, review, w)
    _annex(doc, review, w, groups)
    doc.save(path_or_stream)


def _renamed(t: DutyTally) -> DutyTally:
    return DutyTally(_strip_number(t.label), t.counts)
