"""``duban read`` as a user runs it: formats, batches, stdin, and clear failures."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from duban.cli import main
from tests.conftest import ROOT, shared_path

SAMPLE = ROOT / "src" / "duban" / "samples" / "示例市2023年政府工作报告.txt"


def run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def test_table_view_shows_headline_targets_and_counts() -> None:
    result = run("read", str(SAMPLE))
    assert result.exit_code == 0, result.output
    assert "主要预期目标" in result.output
    assert "地区生产总值" in result.output
    assert "示例市" in result.output


def test_json_document_has_tree_notes_items() -> None:
    result = run("read", "--format", "json", str(SAMPLE))
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["doc"] == "示例市2023年政府工作报告" and doc["year"] == 2023 and doc["place"] == "示例市"
    assert {s["part_kind"] for s in doc["sections"]} >= {"review", "plan"}
    assert doc["headline_targets"] >= 5
    text_free = [q for q in doc["quantities"] if q["quote"] not in SAMPLE.read_text(encoding="utf-8")]
    assert text_free == []  # every quote is a substring of the report (clean sample: unchanged text)
    due = [t["due"] for t in doc["tasks"] if t["due"]]
    assert due and all(d.startswith(("2023-", "2024-")) for d in due)


def test_jsonl_and_csv_agree() -> None:
    rows = [json.loads(x) for x in run("read", "--format", "jsonl", str(SAMPLE)).stdout.splitlines()]
    table = list(csv.DictReader(io.StringIO(run("read", "--format", "csv", str(SAMPLE)).stdout)))
    assert len(rows) == len(table)
    assert [r["kind"] for r in rows] == [r["kind"] for r in table]


def test_markdown(tmp_path: Path) -> None:
    out = tmp_path / "plan.md"
    assert run("read", "--format", "md", "-o", str(out), str(SAMPLE)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# ") and "## 主要预期目标" in text and "## 重点任务" in text


def test_xlsx_ledger(tmp_path: Path) -> None:
    out = tmp_path / "plan.xlsx"
    result = run("read", "--format", "xlsx", "-o", str(out), str(SAMPLE))
    assert result.exit_code == 0, result.output
    ws = load_workbook(out).worksheets[0]
    assert [c.value for c in ws[2]][:5] == ["序号", "所属板块", "任务内容", "目标值", "完成时限"]
    assert ws.freeze_panes == "A3"
    assert ws["C3"].value and ws["A3"].value == 1
    assert ws.max_row > 100


def test_xlsx_needs_output() -> None:
    result = run("read", "--format", "xlsx", str(SAMPLE))
    assert result.exit_code == 2 and "-o" in result.output


def test_stdin_gb18030(tmp_path: Path) -> None:
    data = SAMPLE.read_text(encoding="utf-8").encode("gb18030")
    result = run("read", "--format", "json", "--year", "2023", "-", input=data)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["targets"] > 50


def test_batch_goes_on_after_a_bad_file(tmp_path: Path) -> None:
    good = tmp_path / "a-2023.txt"
    good.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"")
    (tmp_path / "c.pdf").write_bytes(b"\x00\x01 not a pdf")
    result = run("read", "--format", "jsonl", str(tmp_path))
    assert result.exit_code == 1
    docs = {json.loads(x)["doc"] for x in result.stdout.splitlines()}
    assert docs == {"a-2023"}
    assert "b.txt" in result.stderr and "c.pdf" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("bad", ["missing.txt", "no/such/dir/*.txt"])
def test_missing_input_is_one_clear_line(bad: str) -> None:
    result = run("read", bad)
    assert result.exit_code == 1
    assert "无法读取" in result.stderr and "Traceback" not in result.output


def test_every_corpus_report_reads(tmp_path: Path) -> None:
    corpus = shared_path("corpus", "reports")
    docx = shared_path("corpus", "reports-docx")
    result = run("read", "--format", "jsonl", "-o", str(tmp_path / "all.jsonl"), str(corpus), str(docx))
    assert result.exit_code == 0, result.stderr[-2000:]
    n_files = len(list(corpus.glob("*.txt"))) + len(list(docx.glob("*.docx")))
    assert f"共 {n_files} 个文件：成功 {n_files}，失败 0" in result.stderr
    docs = {json.loads(x)["doc"] for x in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()}
    assert len(docs) >= 100  # nearly every report has figures or tasks (a few 1950s ones have neither)


def test_a_tree_of_markdown_reads_with_distinct_doc_ids(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    for folder, place in (("city/示例市", "示例市"), ("city/样例市", "样例市"), ("copy/示例市", "示例市")):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "2023.md").write_text(text.replace("示例市", place), encoding="utf-8")
    (tmp_path / "city" / "notes.csv").write_text("not a report", encoding="utf-8")
    result = run("read", "--format", "jsonl", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    docs = {json.loads(x)["doc"] for x in result.stdout.splitlines()}
    # place-year where only one file has it; the relative path where two copies share it
    assert docs == {"样例市-2023", "city/示例市/2023", "copy/示例市/2023"}
    assert "共 3 个文件：成功 3，失败 0" in result.stderr


def test_a_folder_without_reports_is_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("a,b", encoding="utf-8")
    result = run("read", str(tmp_path))
    assert result.exit_code == 1
    assert "没有找到可读的报告文件" in result.output and "Traceback" not in result.output


def test_a_single_file_keeps_its_stem_as_doc_id() -> None:
    rows = [json.loads(x) for x in run("read", "--format", "jsonl", str(SAMPLE)).stdout.splitlines()]
    assert {r["doc"] for r in rows} == {"示例市2023年政府工作报告"}
    tasks = [r for r in rows if r["kind"] == "task"]
    assert tasks and {"text", "due", "targets", "lead", "section", "group"} <= set(tasks[0])
    head = next(r for r in tasks if r["headline"])
    assert {(t["value"], t["unit"]) for t in head["targets"]} >= {(6, "%"), (40000, "人")}
