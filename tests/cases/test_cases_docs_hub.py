"""The case hub's docs cannot drift: the flow table, the channels, the commands and the Open311
service table are read back from the Markdown and compared with the code and data."""

from __future__ import annotations

import re
from pathlib import Path

import click

from duban.cases.flow import TRANSITIONS
from duban.cases.models import CHANNELS
from duban.cases.open311.catalog import load_services
from duban.cases.rules import load_rules
from duban.cli import cases as cases_cli

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _rows(text: str, header: str) -> list[list[str]]:
    """The body rows of the Markdown table whose header line starts with ``header``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    out = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        out.append([c.strip().strip("`") for c in line.strip("|").split("|")])
    return out


def test_flow_table_matches_transitions():
    rows = _rows((DOCS / "cases-hub.md").read_text(encoding="utf-8"), "| from | to | action |")
    assert {(a, b): c for a, b, c in rows} == {(a.value, b.value): act for (a, b), act in TRANSITIONS.items()}


def test_channel_table_matches_channels_and_labels():
    rows = _rows((DOCS / "cases-hub.md").read_text(encoding="utf-8"), "| channel | 渠道 |")
    assert [r[0] for r in rows] == list(CHANNELS)
    labels = load_rules().channels
    assert all(r[1].startswith(labels[r[0]]) for r in rows)


def test_documented_commands_exist():
    text = (DOCS / "cases-hub.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^duban cases ([a-z0-9-]+)", text, flags=re.M))
    root = click.Group("duban")
    cases_cli.register(root)
    group = root.commands["cases"]
    assert isinstance(group, click.Group)
    documented |= set(
        re.findall(r"^duban cases ([a-z0-9-]+)", (DOCS / "cases.md").read_text("utf-8"), flags=re.M)
    )
    assert documented == set(group.commands)


def test_open311_service_table_matches_catalogue():
    rows = _rows((DOCS / "open311.md").read_text(encoding="utf-8"), "| service_code |")
    services = load_services()
    assert [r[0] for r in rows] == list(services)
    assert all(
        (s.name, s.category, s.case_type) == tuple(r[1:])
        for r, s in zip(rows, services.values(), strict=True)
    )
