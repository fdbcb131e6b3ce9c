"""What the clock takes and gives: the duty snapshot and the evaluation, with their milestones and actions.

Owns :class:`DutySnapshot` (the snapshot the ledger builds from its rows), :class:`Milestone`,
:class:`Action`, :class:`Evaluation` and :func:`add_months`; :mod:`duban.clock.evaluate` holds the
rules that turn one into the other.
"""

from __future__ import annotations

import calendar as _gregorian
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

__all__ = [
    "REPORT",
    "REPORT_DEADLINE",
    "Action",
    "ActionKind",
    "DutySnapshot",
    "Evaluation",
    "Light",
    "Milestone",
    "MilestoneState",
    "add_months",
]

Light = Literal["green", "yellow", "red", "closed"]
MilestoneState = Literal["done", "done_late", "open", "overdue"]
ActionKind = Literal["remind", "circular", "report_due"]

REPORT_DEADLINE = "report_deadline"
"""Key of the milestone made from the report's own deadline (``DutySnapshot.due``)."""
REPORT = "report"
"""The ``milestone`` of periodic report_due actions."""


@dataclass(frozen=True)
class DutySnapshot:
    """A snapshot of one duty, built by the ledger from its rows (all datetimes aware)."""

    id: int
    assigned_at: datetime
    major: bool
    status: str  # "assigned", "deployed", "in_progress", "closure_requested", "closed", "returned"
    due: date | None
    deployed_at: datetime | None
    first_feedback_at: datetime | None
    last_feedback_at: datetime | None
    closure_requested_at: datetime | None
    closed_at: datetime | None
    milestones: tuple[tuple[str, date, datetime | None], ...] = ()
    done_actions: frozenset[str] = frozenset()
    case_type: str | None = None
    """For policies with ``case_limits`` (hotline): the case type that sets the settle limit."""
    feedback_at: tuple[datetime, ...] = ()
    """Every feedback time, when the ledger has them; first/last feedback are used in any case."""


@dataclass(frozen=True)
class Milestone:
    """One deadline of a duty and where it stands today."""

    key: str
    label: str
    due: date
    done_at: datetime | None
    state: MilestoneState
    provisional: bool = False
    """The due date was counted through a 暂定 (provisional) calendar year."""


@dataclass(frozen=True)
class Action:
    """An escalation now due; ``key`` is unique and stable, so the ledger records it once applied."""

    key: str
    kind: ActionKind
    milestone: str
    due: date
    reason: str
    provisional: bool = False
    """The due date was counted through a 暂定 (provisional) calendar year."""


@dataclass(frozen=True)
class Evaluation:
    """The light, the milestones, the actions due and not yet applied, and the next deadline."""

    light: Light
    milestones: tuple[Milestone, ...]
    actions: tuple[Action, ...]
    next_due: Milestone | None
    overdue_workdays: int
    provisional_years: tuple[int, ...] = ()
    """The 暂定 calendar years any date or count of this evaluation passed through (empty: none)."""

    @property
    def provisional(self) -> bool:
        """Whether anything in this evaluation depends on a 暂定 calendar year."""
        return bool(self.provisional_years)


def add_months(d: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end.

    >>> add_months(date(2023, 1, 31), 1)
    datetime.date(2023, 2, 28)
    """
    index = d.month - 1 + months
    year, month = d.year + index // 12, index % 12 + 1
    return date(year, month, min(d.day, _gregorian.monthrange(year, month)[1]))
