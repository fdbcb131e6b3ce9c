"""docs/architecture.md and the import-linter contracts in pyproject.toml say the same thing: every
package under src/duban is on the map, and the layers the page lists are the contract's."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"][
    "contracts"
]


def test_every_package_is_on_the_map():
    packages = {p.parent.name for p in (ROOT / "src" / "duban").glob("*/__init__.py")}
    packages -= {"samples", "migrations"}
    mapped = set(re.findall(r"^\| `duban\.([a-z_]+)` \|", PAGE, flags=re.M))
    assert mapped == packages


def test_the_layers_on_the_page_are_the_contracts():
    layers = next(c for c in CONTRACTS if c["type"] == "layers")["layers"]
    short = [" | ".join(m.removeprefix("duban.") for m in layer.split(" | ")) for layer in layers]
    line = next(x for x in PAGE.splitlines() if x.startswith("- **layers**"))
    line += next(x for x in PAGE.splitlines()[PAGE.splitlines().index(line) + 1 :])
    shown = re.findall(r"`([a-z_ |]+)`", line)
    assert shown == short


def test_the_pure_packages_are_forbidden_everything_else():
    for name in ("reading", "clock"):
        contract = next(c for c in CONTRACTS if c.get("id") == f"{name}-pure")
        assert contract["source_modules"] == [f"duban.{name}"]
        others = {f"duban.{p.parent.name}" for p in (ROOT / "src" / "duban").glob("*/__init__.py")}
        others |= {"duban.db", "duban.config"}
        assert others - {f"duban.{name}", "duban.samples", "duban.migrations"} == set(
            contract["forbidden_modules"]
        )
