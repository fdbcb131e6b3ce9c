"""duban (督办): a city government's year from work report to result.

Data flows left to right: ``reading`` (report → plan) → ``ledger`` (duties) → ``clock``
(working-day deadlines and lights) → ``review``; citizen ``cases`` join the same clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from duban.reading.model import Plan

__all__ = ["__version__", "read_report"]


def read_report(source: Any, year: int | None = None, *, name: str | None = None) -> Plan:
    """Read a work report (a path, bytes or text) into a :class:`~duban.reading.model.Plan`."""
    from duban.reading.api import read_report as _read

    return _read(source, year=year, name=name)
