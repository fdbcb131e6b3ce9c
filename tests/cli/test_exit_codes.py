"""The exit-code rule of docs/cli.md, walked over every command: 2 = the command line's form is
wrong (click's usage errors, shown in Chinese), 1 = what the command was given is unusable or
refused. Never a traceback, always a Chinese line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from duban.cli import main
from tests.cli.test_docs import LEAVES

CANNOT_PAIR = {"duban review promises", "duban review series", "duban review archive"}
"""Reports that cannot be reviewed together are a usage error (exit 2), as issue 10 asks."""
CJK = re.compile(r"[\u4e00-\u9fff]")


def _bad_input(tmp: Path) -> dict[str, tuple[list[str], str | None]]:
    """For every command: arguments whose content is wrong (and stdin)."""
    db = ["--database-url", f"sqlite:///{tmp / 'duban.sqlite3'}"]
    junk = tmp / "junk.txt"
    junk.write_text("这不是一份报告。\n" * 200, encoding="utf-8")
    broken_db = ["--database-url", f"sqlite:///{junk}"]  # a file that is not a database
    empty = tmp / "empty"
    empty.mkdir()
    missing = str(tmp / "missing.txt")
    return {
        "duban read": ([missing], None),
        "duban review promises": ([str(junk), str(junk)], None),
        "duban review load": ([str(junk), *db], None),
        "duban review series": ([str(junk)], None),
        "duban review archive": ([str(empty), "-o", str(tmp / "a.csv")], None),
        "duban review plan": (["--plan", "999", "--format", "md", "-o", str(tmp / "p.md"), *db], None),
        "duban sensors listen": (["--mqtt", "http://127.0.0.1:1", "--topic", "city/#", "--seconds", "1", *db], None),
        "duban db upgrade": (broken_db, None),
        "duban plan load": ([missing, *db], None),
        "duban plan list": (broken_db, None),
        "duban plan show": (["999", *db], None),
        "duban assign": (["--item", "999", "--unit", "不存在的局", *db], None),
        "duban progress add": (["999", "--text", "开工", *db], None),
        "duban tick": (broken_db, None),
        "duban board": (broken_db, None),
        "duban export xlsx": (["-o", str(tmp / "x.xlsx"), *broken_db], None),
        "duban import xlsx": ([missing, *db], None),
        "duban import source": ([str(junk), "--source", "提案", *db], None),
        "duban reply add": (["999", "--text", "已答复", *db], None),
        "duban reply rate": (["999", "--satisfaction", "满意", *db], None),
        "duban reply extend": (["999", "--due", "2026-07-01", "--reason", "调研", *db], None),
        "duban sources": (broken_db, None),
        "duban calendar show": (["1800"], None),
        "duban calendar load": ([missing], None),
        "duban units load": ([missing, *db], None),
        "duban cases train": ([str(junk), "-o", str(tmp / "m.bin")], None),
        "duban cases classify": ([str(junk), "--model", missing, "-o", str(tmp / "c.csv")], None),
        "duban cases intake": ([missing, *db], None),
        "duban cases vectors": (["--unlabelled", str(junk), "-o", str(tmp / "v.kv")], None),
        "duban cases retrain": (["--model", str(junk), *db], None),
        "duban cases import-311": ([missing, "--mapping", "不存在的映射", *db], None),
        "duban cases tick": (broken_db, None),
        "duban cases rates": (broken_db, None),
        "duban cases report": (["--month", "2023-03", "-o", str(tmp / "r.xlsx"), *broken_db], None),
        "duban serve": (["--host", "0.0.0.0", *db], None),
        "duban users add": (["甲", "--role", "unit", "--unit", "不存在的局", "--password-stdin", *db], "a-long-password-1\n"),
        "duban demo": (["--no-serve", *broken_db], None),
        "duban users list": (broken_db, None),
        "duban users disable": (["没有这个人", *db], None),
        "duban users enable": (["没有这个人", *db], None),
        "duban users reset-password": (["没有这个人", "--password-stdin", *db], "a-long-password-1\n"),
        "duban users revoke-tokens": (["没有这个人", *db], None),
        "duban users set-role": (["没有这个人", "--role", "leader", *db], None),
        "duban monitoring import": ([str(junk), *db], None),
        "duban monitoring export": (["-o", str(tmp / "m.xlsx"), *broken_db], None),
        "duban monitoring list": (broken_db, None),
        "duban monitoring board": (broken_db, None),
        "duban monitoring clear": (["999", *db], None),
        "duban governments add": (["甲县", "--level", "县", "--parent", "不存在的市", *db], None),
        "duban governments list": (broken_db, None),
        "duban governments set": (["不存在的市", "extra_workdays", "[]", *db], None),
        "duban governments settings": (["不存在的市", *db], None),
        "duban governments units": (["不存在的市", "市教育局", *db], None),
        "duban governments user": (["没有这个人", "不存在的市", *db], None),
        "duban ledger hand-down": (["999", "--to", "甲县", *db], None),
    }  # fmt: skip


@pytest.mark.parametrize("path", sorted(" ".join(p) for p in LEAVES))
def test_a_usage_error_exits_2_in_chinese(path: str) -> None:
    result = CliRunner().invoke(main, [*path.split()[1:], "--没有这个选项"])
    assert result.exit_code == 2, result.output
    assert "没有选项" in result.output and "Error" not in result.output and "Usage" not in result.output


def test_every_command_has_a_bad_input_case(tmp_path: Path) -> None:
    assert set(_bad_input(tmp_path)) == {" ".join(p) for p in LEAVES}


@pytest.mark.parametrize("path", sorted(" ".join(p) for p in LEAVES))
def test_bad_input_exits_1_with_a_chinese_line(path: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("DUBAN_SECRET_KEY", raising=False)
    args, stdin = _bad_input(tmp_path)[path]
    result = CliRunner().invoke(main, [*path.split()[1:], *args], input=stdin)
    assert result.exit_code == (2 if path in CANNOT_PAIR else 1), (result.output, result.exception)
    assert "Traceback" not in result.output and CJK.search(result.output), result.output
