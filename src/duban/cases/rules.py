"""The case hub's rules (``cases/hub.yaml``), its errors and phone masking.

The rules are data: limits, thresholds, which roles see a citizen's full phone number (those who
must call back), the category → unit suggestions. Imports nothing else from the case hub.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from duban import access

HUB_RULES = Path(__file__).resolve().parent / "hub.yaml"


class CaseError(ValueError):
    """A request about cases that cannot be carried out; ``str()`` is one Chinese sentence."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class CaseNotFound(CaseError):
    """No case with that id."""


@dataclass(frozen=True)
class HubRules:
    """The case hub's rules, loaded from ``hub.yaml``."""

    policy: str = "hotline"
    response_workdays: int = 1
    review_below: float = 0.6
    dedupe_days: int = 3
    dedupe_similarity: float = 0.6
    min_volume: int = 30
    list_size: int = 3
    weights: dict[str, float] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)
    category_units: dict[str, str] = field(default_factory=dict)


def _number(data: dict[str, Any], key: str, where: str, kind: type) -> Any:
    value = data[key]
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (kind is int and not isinstance(value, int))
    ):
        raise CaseError(f"规则文件 {where} 字段 {key}：应为数字，实为 {value!r}", key)
    return value


@lru_cache(maxsize=8)
def load_rules(path: Path = HUB_RULES) -> HubRules:
    """The hub rules from ``path`` (default: the shipped ``hub.yaml``); a bad field is named."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CaseError(f"规则文件 {path} 无法读取：{exc}") from None
    if not isinstance(data, dict):
        raise CaseError(f"规则文件 {path}：顶层应为映射")
    ranking = data.get("ranking") or {}
    return HubRules(
        policy=str(data.get("policy", "hotline")),
        response_workdays=_number(data, "response_workdays", str(path), int),
        review_below=float(_number(data, "review_below", str(path), float)),
        dedupe_days=_number(data, "dedupe_days", str(path), int),
        dedupe_similarity=float(_number(data, "dedupe_similarity", str(path), float)),
        min_volume=_number(ranking, "min_volume", f"{path} ranking", int),
        list_size=_number(ranking, "list_size", f"{path} ranking", int),
        weights={str(k): float(v) for k, v in (ranking.get("weights") or {}).items()},
        channels={str(k): str(v) for k, v in (data.get("channels") or {}).items()},
        category_units={str(k): str(v) for k, v in (data.get("category_units") or {}).items()},
    )


_PHONE = re.compile(r"\d")


def mask_phone(phone: str | None) -> str | None:
    """A phone number with the middle hidden: the first 3 and last 4 digits stay.

    >>> mask_phone("13812341234")
    '138****1234'
    >>> mask_phone("0352-1234567")
    '035****4567'
    >>> mask_phone("12345"), mask_phone(None), mask_phone("")
    ('*****', None, '')
    """
    if phone is None or phone == "":
        return phone
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 13 and digits.startswith("86"):  # +86 mobile
        digits = digits[2:]
    if len(digits) < 8:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def can_see_phone(role: str | None) -> bool:
    """Whether a role must call the citizen back (12345 operators, the office, the handling unit):
    the access table's ``see_citizen_phone``.

    >>> can_see_phone("operator"), can_see_phone("unit"), can_see_phone("leader"), can_see_phone(None)
    (True, True, False, False)
    """
    return access.sees_citizen_phone(role)


def phone_for(phone: str | None, role: str | None) -> str | None:
    """The phone as ``role`` may see it: whole for those who call back, masked for everyone else."""
    return phone if can_see_phone(role) else mask_phone(phone)
