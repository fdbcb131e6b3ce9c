"""Tasks against hand-cut keys, scored the way ``../shared/tools/score_tasks.py`` scores them.

Two keys: ``../shared/gold/datong-2023.tasks.jsonl`` (a real city report, cut by a 督查室) and
``tests/fixtures/gold/示例市-2023.tasks.jsonl`` (the project's own sample, cut by hand by the
same convention for its 主要预期目标 and sections （一）（二）; predictions after （二） are left out).
A predicted task matches a key task when their texts' character bigrams (spaces and punctuation
removed) have a Jaccard of at least 0.5, one-to-one, most similar first; soft key tasks count
neither way.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from duban.reading.api import read_report
from duban.reading.model import Plan
from duban.reading.output import task_row
from tests.conftest import FIXTURES, ROOT, shared_path

PUNCT = re.compile(r"[\s，。；：、！？“”‘’（）《》()\"',.;:!?\[\]【】—…·*#]")
SAMPLE = ROOT / "src" / "duban" / "samples" / "示例市2023年政府工作报告.txt"


def _grams(text: str) -> set[str]:
    t = PUNCT.sub("", text)
    return {t[i : i + 2] for i in range(len(t) - 1)} or ({t} if t else set())


def _figures(targets: list[dict[str, Any]]) -> set[tuple[float, str]]:
    return {
        (round(float(t["value"]), 9), str(t.get("unit") or "")) for t in targets if t.get("value") is not None
    }


def score(key: list[dict[str, Any]], pred: list[dict[str, Any]]) -> dict[str, float]:
    """Precision, recall, F1, and over matched key tasks the share with the right due and figures."""
    kg = [_grams(k["quote"]) for k in key]
    pg = [_grams(p["text"]) for p in pred]
    pairs = sorted(
        ((len(a & b) / len(a | b), i, j) for i, a in enumerate(kg) for j, b in enumerate(pg) if a and b),
        reverse=True,
    )
    match: dict[int, int] = {}
    used: set[int] = set()
    for s, i, j in pairs:
        if s >= 0.5 and i not in match and j not in used:
            match[i] = j
            used.add(j)
    hard = [i for i, k in enumerate(key) if not k.get("soft")]
    tp = sum(i in match for i in hard)
    fp = len(pred) - tp - sum(1 for i, k in enumerate(key) if k.get("soft") and i in match)
    p, r = tp / max(1, tp + fp), tp / max(1, len(hard))
    matched = [i for i in hard if i in match]
    with_fig = [i for i in matched if _figures(key[i]["targets"])]
    return {
        "P": p,
        "R": r,
        "F1": 2 * p * r / (p + r) if p + r else 0.0,
        "due": sum((key[i].get("due") or None) == pred[match[i]]["due"] for i in matched)
        / max(1, len(matched)),
        "figures": sum(_figures(key[i]["targets"]) <= _figures(pred[match[i]]["targets"]) for i in with_fig)
        / max(1, len(with_fig)),
    }


def _load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _tasks(plan: Plan, *, before: int | None = None) -> list[dict[str, Any]]:
    return [task_row(plan, t) for t in plan.tasks if before is None or t.start < before]


def test_scorer_counts_what_it_should() -> None:
    key = [
        {
            "quote": "全年建成高标准农田20.8万亩",
            "due": "2023-12-31",
            "targets": [{"value": 208000, "unit": "亩"}],
        },
        {"quote": "加快建设综合性农产品集散中心", "due": None, "targets": []},
        {"quote": "持续深化财税改革，确保取得实效", "soft": True, "targets": []},
    ]
    pred = [
        {"text": "全年建成高标准农田20.8万亩", "due": None, "targets": []},
        {"text": "营商环境明显改善", "due": None, "targets": []},
    ]
    assert score(key, pred) == {"P": 0.5, "R": 0.5, "F1": 0.5, "due": 0.0, "figures": 0.0}


def test_datong_key() -> None:
    key = _load(shared_path("gold", "datong-2023.tasks.jsonl"))
    plan = read_report(shared_path("corpus", "reports", "datong-2023.txt"))
    s = score(key, _tasks(plan))
    assert s["F1"] >= 0.85 and s["due"] >= 0.90 and s["figures"] >= 0.90, s


def test_sample_key() -> None:
    key = _load(FIXTURES / "gold" / "示例市-2023.tasks.jsonl")
    plan = read_report(SAMPLE)
    assert all(k["quote"] in plan.text for k in key)
    s = score(key, _tasks(plan, before=plan.text.index("（三）坚持深化改革")))
    assert s["F1"] >= 0.85 and s["due"] >= 0.90 and s["figures"] >= 0.90, s


@pytest.mark.parametrize("name", ["datong-2023.tasks.jsonl"])
def test_key_shape(name: str) -> None:
    for row in [*_load(shared_path("gold", name)), *_load(FIXTURES / "gold" / "示例市-2023.tasks.jsonl")]:
        assert {"doc", "n", "section", "group", "quote", "targets", "due", "lead", "soft"} <= set(row)
        assert row["due"] is None or re.fullmatch(r"\d{4}-\d\d-\d\d", row["due"])
