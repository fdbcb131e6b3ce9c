"""The lexicon YAML files load, have their keys, and their patterns compile."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import pytest
import yaml


def load(name: str) -> dict[str, Any]:
    text = resources.files("duban.cases").joinpath(f"lexicon/{name}").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    assert data["version"] == 1
    return data


def test_places_lexicon() -> None:
    data = load("places.yaml")
    re.compile(data["admin"])
    for key in ("suffixes", "not_places", "generic_endings", "organisation_suffixes", "person_titles"):
        items = data[key]
        assert items and all(isinstance(s, str) and s for s in items), key
        assert len(items) == len(set(items)), f"{key} has repeats"
    assert isinstance(data["stop_chars"], str) and isinstance(data["surnames"], str)


def test_replies_lexicon() -> None:
    data = load("replies.yaml")
    for key in ("result_words", "not_result", "boilerplate"):
        assert data[key] and all(isinstance(s, str) and s for s in data[key]), key
    for pattern in data["result_patterns"]:
        re.compile(pattern)
    # a phrase that is not a result must not itself count as one
    assert not set(data["not_result"]) & set(data["result_words"])


@pytest.mark.parametrize(
    "label", ["城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生"]
)
def test_units_lexicon(label: str) -> None:
    data = load("units.yaml")
    assert data["units"][label].startswith("市") and data["default"]
