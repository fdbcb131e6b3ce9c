"""The monitoring rules as data (``rules.yaml``): types and their visit intervals, risks, how a
household is found, measure types and their clock policy, the income line and the conditions of
风险消除. Also the masks of ID numbers and phones and the domain's error."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from duban.clock.policy import Policy, load_policy

RULES_FILE = Path(__file__).resolve().parent / "rules.yaml"
CONDITION_KINDS = ("income_months", "measures_done", "visit_recent", "risk_resolved")
STATUS_LABELS = {"monitoring": "监测中", "cleared": "风险已消除", "returned": "返回监测"}
ID_NUMBER = re.compile(r"\d{17}[\dX]")
PHONE = re.compile(r"1\d{10}|0\d{2,3}-?\d{7,8}")
MAX_INCOME = 1e7


class MonitoringError(ValueError):
    """A refused request: ``status`` is the HTTP answer (404, 409, 422), ``field`` the field at fault."""

    def __init__(self, message: str, *, field: str | None = None, status: int = 422) -> None:
        super().__init__(message)
        self.field, self.status = field, status


@dataclass(frozen=True)
class Condition:
    """One condition of 风险消除."""

    kind: str
    label: str
    months: int = 0


@dataclass(frozen=True)
class MonitoringRules:
    """The rules of the monitoring list."""

    income_line: float
    visit_every_days: dict[str, int]
    risks: tuple[str, ...]
    found_by: tuple[str, ...]
    measures: tuple[str, ...]
    clearance: tuple[Condition, ...]
    policy: Policy

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(self.visit_every_days)


def _fail(path: Path, where: str, what: str) -> MonitoringError:
    return MonitoringError(f"规则文件 {path.name} 字段 {where}：{what}")


def _strings(data: dict[str, Any], key: str, path: Path) -> tuple[str, ...]:
    raw = data.get(key)
    if not isinstance(raw, list) or not raw or not all(isinstance(x, str) and x.strip() for x in raw):
        raise _fail(path, key, "应为非空的文字列表")
    if len(set(raw)) != len(raw):
        raise _fail(path, key, "有重复项")
    return tuple(raw)


def read_rules(path: Path) -> MonitoringRules:
    """Read and check a rules file; a mistake names the field."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise MonitoringError(f"规则文件 {path.name}：顶层应为映射")
    line = data.get("income_line")
    if isinstance(line, bool) or not isinstance(line, int | float) or line <= 0:
        raise _fail(path, "income_line", f"应为正数（元），实为 {line!r}")
    types = data.get("types")
    if not isinstance(types, dict) or not types:
        raise _fail(path, "types", "应为“类别: {visit_every_days: 天数}”的映射")
    every: dict[str, int] = {}
    for name, spec in types.items():
        days = spec.get("visit_every_days") if isinstance(spec, dict) else None
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise _fail(path, f"types.{name}.visit_every_days", f"应为正整数（天），实为 {days!r}")
        every[str(name)] = days
    conditions: list[Condition] = []
    for i, raw in enumerate(data.get("clearance") or []):
        kind = raw.get("kind") if isinstance(raw, dict) else None
        if kind not in CONDITION_KINDS:
            raise _fail(
                path, f"clearance[{i}].kind", f"应为 {'、'.join(CONDITION_KINDS)} 之一，实为 {kind!r}"
            )
        months = raw.get("months", 0)
        if kind == "income_months" and (
            isinstance(months, bool) or not isinstance(months, int) or months < 1
        ):
            raise _fail(path, f"clearance[{i}].months", f"应为正整数（月），实为 {months!r}")
        conditions.append(Condition(kind=kind, label=str(raw.get("label") or kind), months=int(months or 0)))
    if not conditions:
        raise _fail(path, "clearance", "应至少有一条风险消除条件")
    measures = _strings(data, "measures", path)
    policy = load_policy(path.parent / str(data.get("measures_policy") or "measures_policy.yaml"))
    missing = [m for m in measures if m not in dict(policy.case_limits)]
    if missing:
        raise _fail(path, "measures", f"措施类型 {'、'.join(missing)} 在时限策略 {policy.name} 中没有时限")
    return MonitoringRules(
        income_line=float(line),
        visit_every_days=every,
        risks=_strings(data, "risks", path),
        found_by=_strings(data, "found_by", path),
        measures=measures,
        clearance=tuple(conditions),
        policy=policy,
    )


@cache
def load_rules(path: Path = RULES_FILE) -> MonitoringRules:
    """The shipped rules (read once)."""
    return read_rules(path)


def mask_id(value: str | None) -> str | None:
    """An ID number with only its first and last four characters shown.

    >>> mask_id("140121198001011234")
    '1401**********1234'
    """
    if not value:
        return value
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)


def mask_phone(value: str | None) -> str | None:
    """A phone with its middle four digits hidden.

    >>> mask_phone("13812345678")
    '138****5678'
    """
    if not value:
        return value
    return value[:3] + "****" + value[7:] if len(value) >= 8 else "*" * len(value)


def check_id_number(value: str) -> str:
    """An 18-character resident ID number (last character a digit or X), check digit verified."""
    v = value.strip().upper()
    if not ID_NUMBER.fullmatch(v):
        raise MonitoringError(f"身份证号「{value}」应为 18 位（末位可为 X）", field="id_number")
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(v[:17], weights, strict=True)) % 11]
    if v[17] != check:
        raise MonitoringError(f"身份证号「{value}」校验位不对（应为 {check}）", field="id_number")
    return v


def check_income(value: float | None) -> float | None:
    """An income per person (元): none, or a number from 0 to 10 million."""
    if value is not None and not 0 <= value <= MAX_INCOME:
        raise MonitoringError("人均纯收入应为 0 到 1000 万元之间的数", field="income_per_person")
    return value


def check_phone(value: str) -> str:
    """A mobile (11 digits) or a fixed line (区号-号码)."""
    v = value.strip().replace(" ", "")
    if v and not PHONE.fullmatch(v):
        raise MonitoringError(f"联系电话「{value}」应为 11 位手机号或 区号-号码", field="phone")
    return v
