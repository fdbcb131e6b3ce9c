"""The CLI docs cannot drift: every command is in docs/cli.md, every command shown in the
README and docs/cli.md exists with the options it uses."""

from __future__ import annotations

import re
import shlex

import click
import pytest

from duban.cli import main
from tests.conftest import ROOT

CLI_DOC = ROOT / "docs" / "cli.md"
SHOWN_IN = [ROOT / "README.md", CLI_DOC]


def _leaves(cmd: click.Command, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], click.Command]]:
    if isinstance(cmd, click.Group):
        out = []
        for name, sub in sorted(cmd.commands.items()):
            out.extend(_leaves(sub, (*path, name)))
        return out
    return [(path, cmd)]


LEAVES = dict(_leaves(main, ("duban",)))


def _resolve(words: list[str]) -> tuple[tuple[str, ...], click.Command]:
    cmd: click.Command = main
    path = ["duban"]
    for w in words:
        if not isinstance(cmd, click.Group) or w not in cmd.commands:
            break
        cmd = cmd.commands[w]
        path.append(w)
    return tuple(path), cmd


def _shown_commands() -> list[tuple[str, str]]:
    found = []
    for doc in SHOWN_IN:
        for line in doc.read_text(encoding="utf-8").splitlines():
            m = re.match(r"^\$ (duban .*?)(?:\s+#.*)?$", line.strip())
            if m:
                found.append((doc.name, m.group(1)))
    return found


@pytest.mark.parametrize("path", sorted(" ".join(p) for p in LEAVES))
def test_every_command_has_a_reference_entry(path: str) -> None:
    assert f"### `{path}`" in CLI_DOC.read_text(encoding="utf-8")


def test_reference_lists_no_command_that_is_gone() -> None:
    headings = re.findall(r"^### `(duban[^`]*)`", CLI_DOC.read_text(encoding="utf-8"), flags=re.M)
    assert set(headings) == {" ".join(p) for p in LEAVES}


@pytest.mark.parametrize(("doc", "line"), _shown_commands(), ids=lambda v: v if len(v) < 40 else v[:40])
def test_shown_commands_exist_with_their_options(doc: str, line: str) -> None:
    words = shlex.split(line)[1:]
    path, cmd = _resolve(words)
    assert path in LEAVES, f"{doc}: `{line}` is not a command"
    known = {opt for p in cmd.params for opt in (*p.opts, *p.secondary_opts)}
    used = {w.split("=")[0] for w in words if w.startswith("-") and w != "-"}
    assert used <= known, f"{doc}: `{line}` uses unknown options {used - known}"


def test_readme_opens_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text(encoding="utf-8")[:400]
    assert "make demo" in head and "make test" in head
