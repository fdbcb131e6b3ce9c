"""The reader's rule files: ``reading/lexicon/*.yaml``, read from the installed package.

Every module of the reader that keeps its words or patterns as data reads its file through
:func:`load_yaml` and compiles what it needs once (each caches its own result).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml


def load_yaml(name: str) -> dict[str, Any]:
    """The parsed file ``lexicon/NAME`` (e.g. ``"quantities.yaml"``) of the reading package."""
    text = resources.files("duban.reading").joinpath(f"lexicon/{name}").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data
