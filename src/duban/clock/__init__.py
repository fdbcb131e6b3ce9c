"""The working-day clock (工作日时钟): calendar, duty policies as data, and evaluation. Pure.

``calendar`` knows which dates are working days in mainland China (seeded from
``chinesecalendar``, extendable by a holiday file or a State Council notice read by ``notice``;
years no official schedule covers are computed 暂定 by ``statutory``); ``policy`` loads deadline and escalation
rules from YAML (``13710``, ``hotline``); ``evaluate`` turns one duty snapshot and ``now`` into a
light and the actions now due. Imports nothing else from duban.
"""

from __future__ import annotations

from duban.clock.calendar import (
    SHANGHAI,
    CalendarGap,
    HolidayFileError,
    WorkCalendar,
    YearSchedule,
    local_date,
)
from duban.clock.evaluate import Action, DutySnapshot, Evaluation, Light, Milestone, add_months, evaluate
from duban.clock.policy import Policy, PolicyError, Step, load_policy

__all__ = [
    "SHANGHAI",
    "Action",
    "CalendarGap",
    "DutySnapshot",
    "Evaluation",
    "HolidayFileError",
    "Light",
    "Milestone",
    "Policy",
    "PolicyError",
    "Step",
    "WorkCalendar",
    "YearSchedule",
    "add_months",
    "evaluate",
    "load_policy",
    "local_date",
]
