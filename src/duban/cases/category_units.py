"""The usual lead unit (牵头单位) of each first-level category, from ``lexicon/units.yaml``: what
intake suggests when the hub's own ``category_units`` names none, and what ``duban cases train``
prints beside each category."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def _units() -> dict[str, Any]:
    text = resources.files("duban.cases").joinpath("lexicon/units.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def suggest_unit(label: str) -> str:
    """The usual lead unit (牵头单位) for a first-level category.

    >>> suggest_unit("环境保护")
    '市生态环境局'
    """
    data = _units()
    return str(data["units"].get(label, data["default"]))
