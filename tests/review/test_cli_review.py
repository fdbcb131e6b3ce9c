"""``duban review promises``: formats, and one clear line with exit 2 for pairs it cannot review."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from duban.cli import main
from tests.conftest import FIXTURES

HAND = FIXTURES / "review"
EARLIER, LATER = str(HAND / "2023.md"), str(HAND / "2024.md")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_jsonl_has_the_gold_fields() -> None:
    result = run("review", "promises", EARLIER, LATER, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0]["place"] == "样例市" and rows[0]["year"] == 2023
    for key in ("metric", "metric_id", "headline", "target", "actual", "verdict", "reason"):
        assert key in rows[0]
    assert set(rows[0]["target"]) >= {"value", "value_high", "unit", "bound", "quote", "line"}
    assert {r["verdict"] for r in rows} <= {"met", "missed", "unverifiable", "ambiguous"}


def test_csv_md_and_table(tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    assert run("review", "promises", EARLIER, LATER, "--format", "csv", "-o", str(out)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0]["metric"] == "地区生产总值" and rows[0]["verdict_label"] == "未实现"
    md = run("review", "promises", EARLIER, LATER, "--format", "md")
    assert md.exit_code == 0 and "| 地区生产总值 |" in md.stdout
    table = run("review", "promises", EARLIER, LATER)
    assert table.exit_code == 0 and "已实现" in table.stdout


def test_same_report_twice() -> None:
    result = run("review", "promises", EARLIER, EARLIER)
    assert result.exit_code == 2
    assert "同一份报告" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_not_consecutive() -> None:
    result = run("review", "promises", LATER, EARLIER)
    assert result.exit_code == 2 and "下一年" in result.stderr


def test_not_a_report(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello world\n" * 20, encoding="utf-8")
    result = run("review", "promises", EARLIER, str(junk))
    assert result.exit_code == 2 and "notes.txt" in result.stderr
    assert "Traceback" not in result.output


def test_series_panel_and_rows() -> None:
    table = run("review", "series", str(HAND))
    assert table.exit_code == 0, table.output
    assert "样例市历年目标与结果" in table.stdout and "2023" in table.stdout
    rows = run("review", "series", str(HAND), "--format", "jsonl")
    assert [json.loads(line)["year"] for line in rows.stdout.splitlines()][:1] == [2023]


def test_series_needs_one_place_and_two_years() -> None:
    result = run("review", "series", EARLIER)
    assert result.exit_code == 2 and "两份报告" in result.stderr


def test_archive_writes_one_row_per_place_year_metric(tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    result = run("review", "archive", str(FIXTURES / "review"), "--jobs", "1", "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert {(r["place"], r["year"]) for r in rows} == {("样例市", "2023")}
    assert len({r["metric"] for r in rows}) == len(rows)
    assert "1 个地方，2 份报告，1 对相邻年度" in result.stderr
    bad = run("review", "archive", str(FIXTURES / "review"), "-o", str(tmp_path / "all.xlsx"))
    assert bad.exit_code != 0 and "csv" in bad.output
