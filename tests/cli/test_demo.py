"""``duban demo`` as ``make demo`` runs it (without the server): read, ledger, year, board."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from duban.cli import main


def test_demo_reads_routes_plays_the_year_and_shows_the_board(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    result = CliRunner().invoke(main, ["demo", "--no-serve", "--until", "2023-03-31", "--database-url", url])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "主要预期目标" in out and "地区生产总值" in out  # the plan was read
    assert "需人工交办" in out and "进展报告" in out  # routed and played
    assert "各单位红黄绿灯" in out and "逾期" in out  # the board
    assert (tmp_path / "demo.sqlite3").stat().st_size > 0


def test_demo_rejects_a_bad_date() -> None:
    result = CliRunner().invoke(main, ["demo", "--no-serve", "--until", "2023-13-01"])
    assert result.exit_code == 2
    assert "不是日期" in result.output
