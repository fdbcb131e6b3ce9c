"""The ``duban`` command: one click group, a module per domain.

Each domain module exposes ``register(main)`` and adds its commands to the root group;
user mistakes raise :class:`click.ClickException` (or ``UsageError``) so they print one
clear line and exit non-zero, never a traceback. Exit codes (docs/cli.md): 2 = the command
line's form is wrong (click's usage errors: unknown command or option, missing argument, a
value of the wrong form; our ``UsageError``/``BadParameter`` for the same); 1 = what the
command was given is unusable or refused (a file missing, unreadable or with bad rows, an
unknown unit or id, a refused change, some duties not evaluated). click's own messages are
shown in Chinese (:mod:`duban.cli.zh`).
"""

from __future__ import annotations

import click

from duban import __version__
from duban.cli import calendar as _calendar
from duban.cli import cases as _cases
from duban.cli import demo as _demo
from duban.cli import governments as _governments
from duban.cli import ledger as _ledger
from duban.cli import monitoring as _monitoring
from duban.cli import read as _read
from duban.cli import review as _review
from duban.cli import sensors as _sensors
from duban.cli import sources as _sources
from duban.cli import units as _units
from duban.cli import web as _web
from duban.cli import zh as _zh

_zh.install()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="duban")
def main() -> None:
    """督办 duban: 政府工作报告 → 台账 → 督办时钟 → 复盘；12345 工单同一时钟。"""


for _module in (
    _read,
    _review,
    _ledger,
    _calendar,
    _units,
    _cases,
    _monitoring,
    _sensors,
    _web,
    _demo,
    _sources,
    _governments,
):
    _module.register(main)
