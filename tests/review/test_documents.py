"""The review's documents opened as their readers open them: openpyxl, python-docx, and the PDF
LibreOffice renders from the Word file (pdfplumber).

The plan review is ``plan_review_sample.json`` (a plan written for these tests); expected counts
are computed here from that file, not taken from the module under test.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from duban.review.documents import (
    DocumentError,
    DutyOutcome,
    PlanReview,
    figure_text,
    write_plan_review_docx,
    write_plan_review_md,
    write_plan_review_xlsx,
    write_promises_csv,
    write_promises_docx,
    write_promises_md,
    write_promises_xlsx,
)
from duban.review.documents.render import render_pdf
from duban.review.model import Actual, Promise, Target
from tests.conftest import ROOT, shared_path

SAMPLE = Path(__file__).with_name("plan_review_sample.json")
WORDING = ROOT / "src" / "duban" / "review" / "documents" / "wording.yaml"
HEADERS = ["地区", "年度", "指标", "是否主要指标", "目标值", "目标原文", "完成值", "完成原文", "结论", "说明"]
DUTY_HEADERS = ["序号", "任务", "目标值", "完成值", "结论", "牵头单位", "佐证材料", "原文"]
FILLS = {"已实现": "C6EFCE", "未实现": "FFC7CE", "无法核实": "E7E6E6", "待研判": "FFEB9C"}
DUTY_FILLS = {"已完成": "C6EFCE", "基本完成": "DDEBF7", "未完成": "FFC7CE", "滞后": "FFEB9C"}
LABELS = {"done": "已完成", "mostly_done": "基本完成", "not_done": "未完成", "behind": "滞后"}

FIGURES = [
    pytest.param((6.5, "%", "about"), "6.5%左右", id="rate-about"),
    pytest.param((208000, "亩", "at_least"), "≥20.8万亩", id="level-at-least-wan"),
    pytest.param((5.5, "%", "at_most"), "≤5.5%", id="cap"),
    pytest.param((9, "%", "exact"), "9%", id="exact"),
    pytest.param((2490000000, "斤", "at_least"), "≥24.9亿斤", id="yi"),
    pytest.param((15053, "户", "exact"), "15053户", id="not-round-stays-whole"),
    pytest.param((1, "个百分点", "about"), "1个百分点左右", id="points"),
    pytest.param((0, "%", "about"), "0%左右", id="flat"),
    pytest.param((None, "%", "exact"), "", id="no-value"),
]


@pytest.mark.parametrize(("args", "expected"), FIGURES)
def test_figure_text(args: tuple, expected: str) -> None:
    assert figure_text(*args) == expected


def test_figure_text_range() -> None:
    assert figure_text(6, "%", "about", value_high=6.5) == "6%—6.5%左右"
    assert figure_text(30000, "人", "exact", value_high=40000) == "3万—4万人"


def make_promises() -> list[Promise]:
    """One promise of each kind a review gives: met, missed, no result, ambiguous, no figure, qualitative."""
    t = Target
    return [
        Promise("甲市", 2024, "地区生产总值", "gdp", True, t(6.5, None, "%", "about", "地区生产总值增长6.5%左右"),
                Actual(6.1, "%", "地区生产总值增长6.1%"), "met", "6.1 ≥ 6.5−0.5"),
        Promise("甲市", 2024, "城镇新增就业", None, True, t(42000, None, "人", "at_least", "城镇新增就业4.2万人以上"),
                Actual(39800, "人", "城镇新增就业3.98万人"), "missed", "3.98万 < 4.2万"),
        Promise("甲市", 2024, "高标准农田", None, False, t(208000, None, "亩", "at_least", "建成高标准农田20.8万亩以上"),
                None, "unverifiable", "次年报告未给出当年数值"),
        Promise("甲市", 2024, "居民消费价格", "cpi", True, t(3, None, "%", "about", "居民消费价格涨幅3%左右"),
                Actual(0.2, "%", "居民消费价格上涨0.2%"), "ambiguous", "物价目标为上限性预期"),
        Promise("甲市", 2024, "居民收入", None, True, t(None, None, "", "exact", "居民收入增长与经济增长同步"),
                None, "unverifiable", "无数值目标"),
        Promise("甲市", 2024, "民生实事", None, False, t(10, None, "件", "exact", "办好十件民生实事"),
                Actual(None, "", "十件民生实事全部完成"), "met", "超额完成，无数值"),
    ]  # fmt: skip


def sample_review() -> PlanReview:
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    outcomes = [DutyOutcome(**o) for o in data.pop("outcomes")]
    return PlanReview(**data, outcomes=outcomes)


def header_row(ws, first: str = "序号") -> int:
    """The row holding the column headers (the one that starts with ``first``)."""
    return next(r for r in range(1, 6) if ws.cell(row=r, column=1).value == first)


# ---- promises -----------------------------------------------------------------------------------


def test_promises_xlsx_headers_values_colours(tmp_path: Path) -> None:
    path = tmp_path / "promises.xlsx"
    promises = make_promises()
    write_promises_xlsx(promises, path, title="甲市2024年目标完成情况")
    wb = load_workbook(path)
    ws = wb["目标完成情况"]
    assert ws["A1"].value == "甲市2024年目标完成情况"
    h = header_row(ws)
    names = [c.value for c in ws[h]]
    assert names == ["序号", *HEADERS]
    assert ws.freeze_panes == f"A{h + 1}"
    assert all(ws.column_dimensions[c].width >= 6 for c in "ABCDEFGHIJK")
    rows = [dict(zip(names, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=h + 1)]
    assert len(rows) == len(promises)
    assert [r["目标值"] for r in rows] == [
        "6.5%左右",
        "≥4.2万人",
        "≥20.8万亩",
        "3%左右",
        "（无数值）",
        "10件",
    ]
    assert [r["完成值"] for r in rows] == [
        "6.1%",
        "3.98万人",
        "（未报告）",
        "0.2%",
        "（未报告）",
        "（无数值，见原文）",
    ]
    assert [r["结论"] for r in rows] == ["已实现", "未实现", "无法核实", "待研判", "无法核实", "已实现"]
    assert [r["是否主要指标"] for r in rows] == ["是", "是", "否", "是", "是", "否"]
    assert rows[0]["目标原文"] == "地区生产总值增长6.5%左右" and rows[0]["完成原文"] == "地区生产总值增长6.1%"
    col = names.index("结论") + 1
    for r, row in enumerate(rows, h + 1):
        assert ws.cell(row=r, column=col).fill.fgColor.rgb[-6:] == FILLS[row["结论"]]
    assert ws.cell(row=h, column=1).font.bold


def test_promises_xlsx_summary_counts_and_share(tmp_path: Path) -> None:
    path = tmp_path / "promises.xlsx"
    write_promises_xlsx(make_promises(), path, title="t")
    ws = load_workbook(path)["汇总"]
    h = header_row(ws, "范围")
    names = [c.value for c in ws[h]]
    assert names[:6] == ["范围", "指标数", "已实现", "未实现", "无法核实", "待研判"]
    rows = {row[0].value: [c.value for c in row] for row in ws.iter_rows(min_row=h + 1)}
    total = rows["甲市2024年　合计"]
    assert total[1:6] == [6, 2, 1, 2, 1]
    assert total[names.index("实现率")] == pytest.approx(2 / 6)
    assert total[names.index("可核实实现率")] == pytest.approx(2 / 3)
    assert rows["甲市2024年　主要指标"][1] == 4 and rows["甲市2024年　其他指标"][1] == 2
    assert ws.cell(row=h + 1, column=names.index("实现率") + 1).number_format == "0.0%"
    assert ws.conditional_formatting, "the 实现率 column carries a data bar"


def run_fonts(doc) -> list[str | None]:
    """The w:eastAsia font of every run with text, in the body, tables and footers."""
    out = []
    parts = [doc.element.body, *(s.footer._element for s in doc.sections)]
    for part in parts:
        for run in part.iter(qn("w:r")):
            if not "".join(t.text or "" for t in run.iter(qn("w:t"))).strip():
                continue
            fonts = run.find(qn("w:rPr") + "/" + qn("w:rFonts"))
            out.append(None if fonts is None else fonts.get(qn("w:eastAsia")))
    return out


def cell_fill(cell) -> str | None:
    shd = cell._tc.find(qn("w:tcPr") + "/" + qn("w:shd"))
    return None if shd is None else shd.get(qn("w:fill"))


def test_promises_docx_table_colours_and_fonts(tmp_path: Path) -> None:
    path = tmp_path / "promises.docx"
    promises = make_promises()
    write_promises_docx(promises, path)
    doc = Document(str(path))
    assert doc.paragraphs[0].text == "甲市2024年政府工作报告目标完成情况"
    table = doc.tables[-1]
    head = [c.text for c in table.rows[0].cells]
    assert head == ["序号", "指标", "目标值", "目标原文", "完成值", "完成原文", "结论", "说明"]
    body = table.rows[1:]
    assert len(body) == len(promises)
    assert body[0].cells[2].text == "6.5%左右" and "（主要指标）" in body[0].cells[1].text
    for row in body:
        assert cell_fill(row.cells[6]) == FILLS[row.cells[6].text]
    fonts = run_fonts(doc)
    assert fonts and None not in fonts
    assert doc.sections[0].page_width > doc.sections[0].page_height


def test_promises_csv_and_markdown() -> None:
    promises = make_promises()
    out = io.StringIO()
    write_promises_csv(promises, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == HEADERS
    assert [r["结论"] for r in rows] == ["已实现", "未实现", "无法核实", "待研判", "无法核实", "已实现"]
    md = io.StringIO()
    write_promises_md(promises, md)
    text = md.getvalue()
    assert text.startswith("# 甲市2024年政府工作报告目标完成情况\n")
    assert "| 甲市2024年　合计 | 6 | 2 | 1 | 2 | 1 | 33.3% | 66.7% |" in text
    assert "| 甲市 | 2024 | 城镇新增就业 | 是 | ≥4.2万人 |" in text


# ---- the plan's year-end review -----------------------------------------------------------------


def test_plan_review_docx_reads_like_an_office_report(tmp_path: Path) -> None:
    review = sample_review()
    path = tmp_path / "review.docx"
    write_plan_review_docx(review, path)
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    assert "示例市人民政府督查室" in texts[:3]
    assert "〔2025〕X号" in texts
    assert "关于示例市2025年政府工作报告\n重点任务落实情况的报告" in texts
    verdicts = Counter(o.verdict for o in review.outcomes)
    opening = next(t for t in texts if t.startswith("为推动《2025年示例市政府工作报告》"))
    assert f"{len(review.outcomes)}项任务中" in opening
    assert f"已完成{verdicts['done']}项" in opening and f"滞后{verdicts['behind']}项" in opening
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、总体情况", "二、各板块落实情况", "三、存在的问题", "四、下一步工作"]
    sections = list(dict.fromkeys(o.section for o in review.outcomes))
    subheads = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert subheads == [f"（{n}）{s.split('）', 1)[1]}" for n, s in zip("一二三四", sections, strict=True)]
    # 表1 by section, 表2 by unit, then one annex table per section, in the report's order
    by_section, by_unit, *annex = doc.tables
    assert len(annex) == len(sections)
    assert [c.text for c in by_section.rows[-1].cells[:6]] == [
        "合计",
        str(len(review.outcomes)),
        *(str(verdicts[k]) for k in LABELS),
    ]
    units = Counter(o.lead_unit for o in review.outcomes)
    assert {r.cells[0].text: int(r.cells[1].text) for r in by_unit.rows[1:-1]} == dict(units)
    for table, section in zip(annex, sections, strict=True):
        assert [c.text for c in table.rows[0].cells] == DUTY_HEADERS
        duties = [o for o in review.outcomes if o.section == section]
        assert [r.cells[1].text for r in table.rows[1:]] == [o.task for o in duties]
        for row, o in zip(table.rows[1:], duties, strict=True):
            assert row.cells[4].text == LABELS[o.verdict]
            assert cell_fill(row.cells[4]) == DUTY_FILLS[LABELS[o.verdict]]
            assert row.cells[5].text == o.lead_unit
            for name in o.evidence:
                assert name in row.cells[6].text
    numbers = [r.cells[0].text for t in annex for r in t.rows[1:]]
    assert numbers == [str(n) for n in range(1, len(review.outcomes) + 1)]
    assert doc.sections[0].page_height > doc.sections[0].page_width
    assert doc.sections[-1].page_width > doc.sections[-1].page_height, "the 附件 table is landscape"


def test_plan_review_docx_sets_east_asian_fonts_on_every_run(tmp_path: Path) -> None:
    path = tmp_path / "review.docx"
    write_plan_review_docx(sample_review(), path)
    doc = Document(str(path))
    fonts = run_fonts(doc)
    assert None not in fonts
    assert {"仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体", "宋体"} <= set(fonts)
    by_text = {p.text: p.runs[0] for p in doc.paragraphs if p.runs}
    assert by_text["一、总体情况"]._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    body = next(r for t, r in by_text.items() if t.startswith("为推动"))
    assert body._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert body.font.size.pt == 16
    lang = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert lang.get(qn("w:eastAsia")) == "zh-CN"


def test_plan_review_xlsx(tmp_path: Path) -> None:
    review = sample_review()
    path = tmp_path / "review.xlsx"
    write_plan_review_xlsx(review, path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["落实情况", "按板块", "按单位"]
    ws = wb["落实情况"]
    h = header_row(ws)
    names = [c.value for c in ws[h]]
    assert names == ["序号", "板块", "任务", "目标值", "完成值", "结论", "牵头单位", "佐证材料", "原文"]
    rows = list(ws.iter_rows(min_row=h + 1, values_only=True))
    assert [r[2] for r in rows] == [o.task for o in review.outcomes]
    assert [r[5] for r in rows] == [LABELS[o.verdict] for o in review.outcomes]
    for r, o in enumerate(review.outcomes, h + 1):
        assert ws.cell(row=r, column=6).fill.fgColor.rgb[-6:] == DUTY_FILLS[LABELS[o.verdict]]
    units = wb["按单位"]
    hu = header_row(units, "牵头单位")
    counted = {row[0]: row[1] for row in units.iter_rows(min_row=hu + 1, values_only=True)}
    assert counted.pop("合计") == len(review.outcomes)
    assert counted == dict(Counter(o.lead_unit for o in review.outcomes))


@pytest.mark.parametrize(
    ("change", "words"),
    [
        pytest.param({"verdict": "进行中"}, ["第3项", "进行中", "已完成"], id="unknown-verdict"),
        pytest.param({"task": " "}, ["第3项", "任务内容"], id="empty-task"),
    ],
)
def test_a_bad_duty_is_named(tmp_path: Path, change: dict, words: list[str]) -> None:
    review = sample_review()
    bad = dict(review.outcomes[2].__dict__, **change)
    outcomes = [*review.outcomes[:2], DutyOutcome(**bad), *review.outcomes[3:]]
    broken = PlanReview(review.title, review.place, review.year, outcomes)
    for write, name in ((write_plan_review_docx, "r.docx"), (write_plan_review_xlsx, "r.xlsx")):
        with pytest.raises(DocumentError) as err:
            write(broken, tmp_path / name)
        assert all(w in str(err.value) for w in words)
        assert "\n" not in str(err.value)
        assert not (tmp_path / name).exists()


def test_verdict_labels_are_accepted_as_well_as_keys(tmp_path: Path) -> None:
    review = sample_review()
    labelled = [DutyOutcome(**dict(o.__dict__, verdict=LABELS[o.verdict])) for o in review.outcomes]
    a, b = tmp_path / "keys.xlsx", tmp_path / "labels.xlsx"
    write_plan_review_xlsx(review, a)
    write_plan_review_xlsx(PlanReview(review.title, review.place, review.year, labelled), b)
    rows = [list(load_workbook(p)["落实情况"].iter_rows(values_only=True)) for p in (a, b)]
    assert rows[0] == rows[1]


# ---- rendered ----------------------------------------------------------------------------------


def need_soffice() -> None:
    """LibreOffice must be there under CI; elsewhere its absence skips."""
    if shutil.which("soffice") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice (soffice) is missing under CI=true")
        pytest.skip("LibreOffice (soffice) not installed")


def test_plan_review_renders_to_pdf_with_chinese_text_and_noto_fonts(tmp_path: Path) -> None:
    import pdfplumber

    need_soffice()
    review = sample_review()
    docx = tmp_path / "review.docx"
    write_plan_review_docx(review, docx)
    pdf = render_pdf(docx=docx, outdir=tmp_path / "pdf")
    with pdfplumber.open(pdf) as doc:
        pages = ["".join((p.extract_text() or "").split()) for p in doc.pages]
        first = doc.pages[0]
        fonts = {c["fontname"].split("+")[-1] for p in doc.pages for c in p.chars}
        last = doc.pages[-1]
        fills = {
            tuple(round(v, 2) for v in r["non_stroking_color"] or ()) for p in doc.pages for r in p.rects
        }
        assert first.height > first.width and last.width > last.height
    assert "关于示例市2025年政府工作报告重点任务落实情况的报告" in pages[0]
    assert "示例市人民政府督查室" in pages[0]
    assert "一、总体情况" in "".join(pages)
    assert any("附件" in p and "重点任务落实情况表" in p for p in pages[1:])
    # table cells wrap, so each duty is looked for by the start of its task (its first line)
    assert all(o.task[:7] in "".join(pages) for o in review.outcomes)
    assert any("NotoSerifCJK" in f for f in fonts), fonts
    assert any("NotoSansCJK" in f for f in fonts), fonts
    green = tuple(round(int("C6EFCE"[i : i + 2], 16) / 255, 2) for i in (0, 2, 4))
    assert green in fills, "已完成 cells are filled green in the PDF"


def test_render_pdf_names_the_file_when_libreoffice_is_missing(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match=r"review\.docx.*LibreOffice"):
        render_pdf(docx=tmp_path / "review.docx", outdir=tmp_path, soffice="no-such-soffice-here")


# ---- on real promises: the 大同 key -----------------------------------------------------------


def test_datong_promises_key_as_workbook(tmp_path: Path) -> None:
    lines = shared_path("gold", "promises-datong.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    promises = []
    for d in records:
        t, a = d["target"], d["actual"]
        target = Target(t["value"], t["value_high"], t["unit"] or "", t["bound"], t["quote"])
        actual = Actual(a["value"], a["unit"] or "", a["quote"]) if a else None
        promises.append(
            Promise(d["place"], d["year"], d["metric"], None, d["headline"], target, actual, d["verdict"], "")
        )
    path = tmp_path / "datong.xlsx"
    write_promises_xlsx(promises, path)
    ws = load_workbook(path)["目标完成情况"]
    assert ws["A1"].value == "大同市2021—2022年政府工作报告目标完成情况"
    h = header_row(ws)
    rows = list(ws.iter_rows(min_row=h + 1, values_only=True))
    labels = {"met": "已实现", "missed": "未实现", "unverifiable": "无法核实", "ambiguous": "待研判"}
    assert [r[9] for r in rows] == [labels[d["verdict"]] for d in records]
    assert [r[6] for r in rows] == [d["target"]["quote"] for d in records]
    assert [r[8] for r in rows] == [(d["actual"] or {}).get("quote", "") or None for d in records]


def test_plan_review_markdown() -> None:
    review = sample_review()
    out = io.StringIO()
    write_plan_review_md(review, out)
    text = out.getvalue()
    assert text.startswith("# 关于示例市2025年政府工作报告重点任务落实情况的报告\n")
    sections = list(dict.fromkeys(o.section for o in review.outcomes))
    assert [line[3:] for line in text.splitlines() if line.startswith("## ")] == [
        "按板块",
        "按牵头单位",
        *sections,
    ]
    verdicts = Counter(o.verdict for o in review.outcomes)
    total = f"| 合计 | {len(review.outcomes)} | " + " | ".join(str(verdicts[k]) for k in LABELS) + " |"
    assert text.count(total) == 2
    first = review.outcomes[0]
    assert f"| 1 | {first.task} | {first.target_text} | {first.actual_text} | 已完成 |" in text


def test_an_empty_review_is_refused(tmp_path: Path) -> None:
    empty = PlanReview("2025年示例市政府工作报告", "示例市", 2025, [])
    with pytest.raises(DocumentError, match="示例市2025年度落实情况：没有任何任务"):
        write_plan_review_docx(empty, tmp_path / "r.docx")


def test_the_docs_name_every_function_header_and_message(tmp_path: Path) -> None:
    """docs/review-documents.md cannot drift: functions, column headers and the error line it shows."""
    import duban.review.documents as documents

    text = (ROOT / "docs" / "review-documents.md").read_text(encoding="utf-8")
    flat = " ".join(text.split())
    for name in documents.__all__:
        if callable(getattr(documents, name)) and name[0].islower():
            assert f"`{name}(" in text, name
    assert ", ".join(HEADERS) in text
    assert all(h in text for h in DUTY_HEADERS)
    review = sample_review()
    bad = DutyOutcome(**dict(review.outcomes[2].__dict__, verdict="进行中"))
    with pytest.raises(DocumentError) as err:
        write_plan_review_docx(
            PlanReview("t", "示例市", 2025, [*review.outcomes[:2], bad]), tmp_path / "x.docx"
        )
    assert str(err.value) in flat


def test_the_office_fills_its_name_number_and_dates(tmp_path: Path) -> None:
    from datetime import date

    review = sample_review()
    signed = PlanReview(
        review.title,
        review.place,
        review.year,
        review.outcomes,
        office="示例市人民政府办公室",
        number="示政办〔2026〕3号",
        signed=date(2026, 1, 15),
        as_of=date(2025, 12, 31),
    )
    path = tmp_path / "signed.docx"
    write_plan_review_docx(signed, path)
    texts = [p.text for p in Document(str(path)).paragraphs]
    assert texts.count("示例市人民政府办公室") == 2, "the red header and the signature"
    assert "示政办〔2026〕3号" in texts and "2026年1月15日" in texts
    assert "〔2025〕X号" not in texts and not any("X月X日" in t for t in texts)
    assert any("截至2025年12月31日" in t for t in texts)


def test_no_promises_still_make_valid_files(tmp_path: Path) -> None:
    write_promises_xlsx([], tmp_path / "empty.xlsx", title="空")
    write_promises_docx([], tmp_path / "empty.docx", title="空")
    assert load_workbook(tmp_path / "empty.xlsx")["目标完成情况"]["A1"].value == "空"
    assert "共0项指标" in "".join(p.text for p in Document(str(tmp_path / "empty.docx")).paragraphs)


def test_the_packaged_wording_loads_and_names_every_sentence() -> None:
    from duban.review.documents.wording import FIELDS, load_wording

    wording = load_wording()
    assert set(wording.texts) == set(FIELDS)
    assert all("\n" not in t and " " not in t for t in wording.texts.values() if isinstance(t, str))


def test_a_city_words_its_own_report(tmp_path: Path) -> None:
    import yaml

    data = yaml.safe_load(WORDING.read_text(encoding="utf-8"))
    data["issuer"] = "{place}人民政府办公室督查科"
    data["opening"] = "根据市政府安排，现将《{title}》{total}项重点任务落实情况报告如下："
    city = tmp_path / "city.yaml"
    city.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    path = tmp_path / "r.docx"
    write_plan_review_docx(sample_review(), path, wording=city)
    texts = [p.text for p in Document(str(path)).paragraphs]
    assert "示例市人民政府办公室督查科" in texts
    assert "根据市政府安排，现将《2025年示例市政府工作报告》14项重点任务落实情况报告如下：" in texts


@pytest.mark.parametrize(
    ("change", "words"),
    [
        pytest.param({"opening": "{mayor}同志："}, ["opening", "mayor", "可用"], id="unknown-placeholder"),
        pytest.param({"headings": ["一、总体情况"]}, ["headings", "4"], id="short-list"),
        pytest.param({"closing": None}, ["closing"], id="not-a-sentence"),
        pytest.param(
            {"problem_verdicts": {"behind": "滞后"}}, ["problem_verdicts", "not_done"], id="map-keys"
        ),
        pytest.param({"section": "{total"}, ["section", "花括号"], id="unbalanced-brace"),
    ],
)
def test_a_bad_wording_file_is_named(tmp_path: Path, change: dict, words: list[str]) -> None:
    import yaml

    data = yaml.safe_load(WORDING.read_text(encoding="utf-8"))
    data.update(change)
    city = tmp_path / "bad.yaml"
    city.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DocumentError) as err:
        write_plan_review_docx(sample_review(), tmp_path / "r.docx", wording=city)
    assert str(city) in str(err.value) and all(w in str(err.value) for w in words), str(err.value)
    assert "\n" not in str(err.value)
