"""The case hub's service: the public API other domains (web, cli) use, gathered in one place.

Intake (:mod:`~duban.cases.intake`), the flow (:mod:`~duban.cases.flow`), the rates
(:mod:`~duban.cases.rates`), the clock tick (:mod:`~duban.cases.tick`), and the rules, errors and
phone masking (:mod:`~duban.cases.rules`).
"""

from __future__ import annotations

from duban.cases.flow import (
    TRANSITIONS,
    accept,
    archive,
    cases_for_item,
    confirm_category,
    decide_extension,
    dispatch,
    follow_up,
    get_case,
    link_case_to_item,
    redo,
    request_extension,
    return_case,
    settle,
    start,
    transition,
)
from duban.cases.intake import IntakeReport, intake, intake_many, load_classifier
from duban.cases.rates import RateRow, bulletin_xlsx, rankings, rankings_json, unit_rates
from duban.cases.rules import (
    CaseError,
    CaseNotFound,
    HubRules,
    can_see_phone,
    load_rules,
    mask_phone,
    phone_for,
)
from duban.cases.tick import CaseTickReport, tick_cases

__all__ = [
    "TRANSITIONS",
    "CaseError",
    "CaseNotFound",
    "CaseTickReport",
    "HubRules",
    "IntakeReport",
    "RateRow",
    "accept",
    "archive",
    "bulletin_xlsx",
    "can_see_phone",
    "cases_for_item",
    "confirm_category",
    "decide_extension",
    "dispatch",
    "follow_up",
    "get_case",
    "intake",
    "intake_many",
    "link_case_to_item",
    "load_classifier",
    "load_rules",
    "mask_phone",
    "phone_for",
    "rankings",
    "rankings_json",
    "redo",
    "request_extension",
    "return_case",
    "settle",
    "start",
    "tick_cases",
    "transition",
    "unit_rates",
]
