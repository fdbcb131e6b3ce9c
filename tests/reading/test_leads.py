"""The reader's lead unit is the ledger's: same rules file, same scores, same tie-breaks."""

from __future__ import annotations

from dataclasses import dataclass

from duban.ledger.routing import load_rules, route
from duban.reading.api import read_report
from duban.reading.leads import RULES, route_lead
from tests.conftest import ROOT

SAMPLE = ROOT / "src" / "duban" / "samples" / "示例市2023年政府工作报告.txt"


@dataclass
class _Item:
    text: str
    metric: str | None
    quote: str
    section_title: str | None


def test_the_reader_reads_the_ledgers_rules_file() -> None:
    assert RULES == ROOT / "src" / "duban" / "ledger" / "rules" / "routing.yaml"


def test_every_task_of_the_sample_gets_the_ledgers_unit() -> None:
    rules = load_rules()
    plan = read_report(SAMPLE)
    sections = ["坚持工业强市", "坚持扩大内需 › 扩大有效投资", "乡村振兴", None]
    checked = 0
    for t in plan.tasks:
        for title in sections:
            ledger = route(rules=rules, item=_Item(t.text, None, t.text, title))
            assert route_lead(text=t.text, section_title=title) == (ledger.unit if ledger else None), (
                t.text,
                title,
            )
            checked += 1
    assert checked > 200
    assert sum(t.lead is not None for t in plan.tasks) > len(plan.tasks) * 0.8
