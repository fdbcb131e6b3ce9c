"""docs/cases.md stays true: every command it shows exists with the options it uses."""

from __future__ import annotations

import re
import shlex

from click.testing import CliRunner

from duban.cli import main
from tests.conftest import ROOT


def test_commands_in_docs_exist() -> None:
    text = (ROOT / "docs" / "cases.md").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith("duban cases ")]
    assert len(lines) >= 2
    runner = CliRunner()
    for line in lines:
        words = shlex.split(line)[1:]
        command = words[:2]
        result = runner.invoke(main, [*command, "--help"])
        assert result.exit_code == 0, line
        for option in (w for w in words if w.startswith("-")):
            assert re.search(rf"(^|[\s,]){re.escape(option)}([\s,]|$)", result.output, re.M), (line, option)
