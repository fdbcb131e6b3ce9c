"""docs/web.md cannot drift: every API route is listed, every listed route exists, the commands run."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from duban.cli import main
from duban.web.app import route_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "web.md"


def test_every_api_route_is_documented_and_every_documented_route_exists(app):
    text = DOC.read_text(encoding="utf-8")
    served = set(route_table(app))
    listed = set(re.findall(r"`(GET|POST|PUT|DELETE) (/api/[^`\s]+)`", text))
    api = {(m, p) for m, p in served if p.startswith("/api/")}
    assert api - listed == set(), "API routes missing from docs/web.md"
    assert listed - served == set(), "docs/web.md lists routes the app does not serve"
    pages = set(re.findall(r"\| `(/[a-z][^`]*)`", text))
    paths = {p for _m, p in served}
    assert len(pages) >= 6
    for cell in pages:
        assert cell in paths, cell


def test_documented_commands_exist():
    text = DOC.read_text(encoding="utf-8")
    for command in ("users add", "serve"):
        assert f"duban {command}" in text
        r = CliRunner().invoke(main, [*command.split(), "--help"])
        assert r.exit_code == 0, r.output
    for option in ("--role", "--unit", "--password-stdin", "--host", "--port", "--database-url"):
        assert option in text
