"""Every reading module imports on its own in a fresh interpreter (no import cycle hides behind
the order a test session happens to import them in)."""

from __future__ import annotations

import subprocess
import sys

import pytest

MODULES = ["api", "cut", "headline", "leads", "origin", "structure", "tasks", "trie"]


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_alone(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import duban.reading.{module}"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
