"""Docs that cannot drift: the settings table matches the code, the CLI session in docs/ledger.md runs."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from duban.cli import main
from duban.config import SETTING_NAMES, Settings
from tests.ledger.conftest import url_of
from tests.ledger.test_ledger_cli import REPORT

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_settings_table_matches_the_code():
    text = (DOCS / "settings.md").read_text("utf-8")
    rows = re.findall(r"^\| `(\w+)` \| `(DUBAN_\w+)` \|", text, flags=re.M)
    assert [name for name, _ in rows] == list(SETTING_NAMES)
    assert dict(rows) == Settings.ENV


def test_settings_from_env_and_overrides():
    s = Settings.from_env(
        {"DUBAN_DATABASE_URL": "sqlite:///a.db", "DUBAN_ECHO_SQL": "yes"}, database_url="sqlite:///b.db"
    )
    assert (s.database_url, s.echo_sql) == ("sqlite:///b.db", True)
    assert not hasattr(s, "timezone")  # working days are counted in Asia/Shanghai by the clock itself
    import pytest

    from duban.config import SettingsError

    with pytest.raises(SettingsError, match="DUBAN_ECHO_SQL"):
        Settings.from_env({"DUBAN_ECHO_SQL": "maybe"})


def test_the_cli_session_in_the_docs_runs(db, tmp_path, monkeypatch):
    text = (DOCS / "ledger.md").read_text("utf-8")
    block = re.search(r"```console\n(.*?)```", text, flags=re.S)
    assert block is not None
    commands = [shlex.split(line[2:]) for line in block.group(1).splitlines() if line.startswith("$ ")]
    assert len(commands) >= 10
    monkeypatch.chdir(tmp_path)
    (tmp_path / "某市-2023.txt").write_text(REPORT, "utf-8")
    runner = CliRunner()
    for argv in commands:
        assert argv[0] == "duban"
        result = runner.invoke(main, [*argv[1:], "--database-url", url_of(db)])
        assert result.exit_code == 0, (argv, result.output)
