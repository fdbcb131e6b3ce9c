"""Duty policies as data: the deadlines (steps), escalation (催办, 通报) and warning thresholds.

Owns :class:`Step`, :class:`Policy` and :func:`load_policy`. Built-in policies live as YAML in
``duban/clock/policies/`` (``13710`` for supervised duties, ``hotline`` for citizen cases with a
limit per case type); a user may pass the path of their own file. Every field is validated and
a bad file is reported with its path and the field at fault, never with a traceback.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

import yaml

__all__ = ["BUILTIN_POLICIES", "Policy", "PolicyError", "Step", "builtin_policy_names", "load_policy"]

Applies = Literal["all", "general", "major"]
_APPLIES: tuple[Applies, ...] = ("all", "general", "major")


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Step:
    """One deadline of a policy: ``workdays`` working days, or ``months`` calendar months, after assignment.

    ``applies_to`` limits a step to general (一般) or major (重大) items; both counts ``None``
    means the limit comes from the policy's ``case_limits`` by case type.
    """

    key: str
    label: str
    workdays: int | None
    months: int | None
    applies_to: Applies = "all"

    def applies(self, *, major: bool) -> bool:
        """Whether this step is a milestone for a major (or general) item."""
        return self.applies_to == "all" or (self.applies_to == "major") == major


@dataclass(frozen=True)
class Policy:
    """A duty policy: steps, escalation after a miss, report interval and the yellow-light thresholds."""

    name: str
    steps: tuple[Step, ...]
    remind_after_workdays: int
    circular_after_workdays: int
    report_interval_months: int | None
    yellow_share: float
    yellow_workdays_before: int
    label: str = ""
    case_limits: tuple[tuple[str, int], ...] = ()

    def step(self, key: str) -> Step | None:
        """The step with this key, if any."""
        return next((s for s in self.steps if s.key == key), None)

    def case_limit(self, case_type: str) -> int:
        """Working days allowed for a case type (``case_limits``); a clear error for an unknown type."""
        for name, limit in self.case_limits:
            if name == case_type:
                return limit
        known = "、".join(name for name, _ in self.case_limits) or "无"
        raise PolicyError(f"策略 {self.name} 没有工单类型“{case_type}”的办理时限（已有：{known}）")


BUILTIN_POLICIES = "duban.clock.policies"


def builtin_policy_names() -> list[str]:
    """Names of the policies shipped with duban (``13710``, ``hotline``)."""
    folder = resources.files(BUILTIN_POLICIES)
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_policy(name_or_path: str | Path) -> Policy:
    """A built-in policy by name (``"13710"``, ``"hotline"``) or a policy YAML file by path."""
    text, where = _policy_text(name_or_path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"第 {mark.line + 1} 行" if mark is not None else "某处"
        problem = getattr(exc, "problem", None) or "语法错误"
        raise PolicyError(f"策略文件 {where} {line}：YAML 格式错误（{problem}）") from None
    return _build(data, where)


def policy_from(value: Any, where: str) -> Policy:
    """A policy kept as data elsewhere (a government's ``policy`` setting): a built-in policy's
    name, or a mapping in a policy file's form; PolicyError names ``where`` and the field."""
    if isinstance(value, str):
        if value not in builtin_policy_names():
            raise PolicyError(
                f"{where}：没有名为“{value}”的内置督办策略（可用：{'、'.join(builtin_policy_names())}）"
            )
        return load_policy(value)
    return _build(value, where)


def _policy_text(name_or_path: str | Path) -> tuple[str, str]:
    if (
        isinstance(name_or_path, str)
        and not name_or_path.endswith((".yaml", ".yml"))
        and "/" not in name_or_path
    ):
        names = builtin_policy_names()
        if name_or_path not in names:
            raise PolicyError(
                f"没有名为“{name_or_path}”的内置督办策略（可用：{'、'.join(names)}），或请给出策略文件路径"
            )
        resource = resources.files(BUILTIN_POLICIES) / f"{name_or_path}.yaml"
        return resource.read_text(encoding="utf-8"), f"{name_or_path}.yaml（内置）"
    path = Path(name_or_path)
    try:
        return path.read_text(encoding="utf-8-sig"), str(path)
    except FileNotFoundError:
        raise PolicyError(f"策略文件 {path} 不存在") from None
    except UnicodeDecodeError:
        raise PolicyError(f"策略文件 {path} 不是 UTF-8 编码") from None
    except OSError as exc:
        raise PolicyError(f"策略文件 {path} 无法读取：{exc.strerror}") from None


_FIELDS = {
    "name",
    "label",
    "steps",
    "remind_after_workdays",
    "circular_after_workdays",
    "report_interval_months",
    "yellow_share",
    "yellow_workdays_before",
    "case_limits",
}
_STEP_FIELDS = {"key", "label", "workdays", "months", "applies_to"}


def _build(data: Any, where: str) -> Policy:
    def fail(field: str, problem: str) -> PolicyError:
        return PolicyError(f"策略文件 {where} 字段 {field}：{problem}")

    if not isinstance(data, dict):
        raise PolicyError(f"策略文件 {where}：顶层应为映射（name、steps、remind_after_workdays ……）")
    unknown = sorted(set(map(str, data)) - _FIELDS)
    if unknown:
        raise fail(unknown[0], f"未知字段（允许：{'、'.join(sorted(_FIELDS))}）")

    def count(field: str, value: Any, *, optional: bool = False, minimum: int = 0) -> int | None:
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail(field, f"应为整数，实为 {value!r}")
        if value < minimum:
            raise fail(field, f"应不小于 {minimum}，实为 {value}")
        return value

    def required(field: str) -> Any:
        if field not in data:
            raise fail(field, "缺少此字段")
        return data[field]

    name = required("name")
    if name is None or not str(name).strip():
        raise fail("name", "不能为空")
    raw_steps = required("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise fail("steps", "应为非空的步骤列表")
    case_limits = _case_limits(data.get("case_limits"), fail)
    steps: list[Step] = []
    for i, raw in enumerate(raw_steps):
        at = f"steps[{i}]"
        if not isinstance(raw, dict):
            raise fail(at, "应为映射（key、label、workdays 或 months）")
        extra = sorted(set(map(str, raw)) - _STEP_FIELDS)
        if extra:
            raise fail(f"{at}.{extra[0]}", f"未知字段（允许：{'、'.join(sorted(_STEP_FIELDS))}）")
        key = raw.get("key")
        if not isinstance(key, str) or not key.strip() or ":" in key:
            raise fail(f"{at}.key", f"应为不含冒号的非空字符串，实为 {key!r}")
        if any(s.key == key for s in steps):
            raise fail(f"{at}.key", f"与前面的步骤重名：{key}")
        workdays = count(f"{at}.workdays", raw.get("workdays"), optional=True)
        months = count(f"{at}.months", raw.get("months"), optional=True, minimum=1)
        if workdays is not None and months is not None:
            raise fail(at, "workdays 与 months 只能给一个")
        if workdays is None and months is None and not case_limits:
            raise fail(at, "应给出 workdays 或 months（或在策略中给出 case_limits 按工单类型取时限）")
        applies = raw.get("applies_to", "all")
        if applies not in _APPLIES:
            raise fail(f"{at}.applies_to", f"应为 all、general 或 major，实为 {applies!r}")
        steps.append(
            Step(
                key=key,
                label=str(raw.get("label") or key),
                workdays=workdays,
                months=months,
                applies_to=cast(Applies, applies),
            )
        )
    share = required("yellow_share")
    if isinstance(share, bool) or not isinstance(share, int | float) or not math.isfinite(share):
        raise fail("yellow_share", f"应为 0 到 1 之间的小数，实为 {share!r}")
    if not 0 < share <= 1:
        raise fail("yellow_share", f"应在 0 到 1 之间（如 0.8），实为 {share}")
    return Policy(
        name=str(name),
        label=str(data.get("label") or name),
        steps=tuple(steps),
        remind_after_workdays=cast(
            int, count("remind_after_workdays", required("remind_after_workdays"), minimum=1)
        ),
        circular_after_workdays=cast(
            int, count("circular_after_workdays", required("circular_after_workdays"), minimum=1)
        ),
        report_interval_months=count(
            "report_interval_months", required("report_interval_months"), optional=True, minimum=1
        ),
        yellow_share=float(share),
        yellow_workdays_before=cast(int, count("yellow_workdays_before", required("yellow_workdays_before"))),
        case_limits=case_limits,
    )


def _case_limits(raw: Any, fail: Any) -> tuple[tuple[str, int], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not raw:
        raise fail("case_limits", "应为“工单类型: 工作日数”的映射")
    limits: list[tuple[str, int]] = []
    for case_type, limit in raw.items():
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise fail(f"case_limits.{case_type}", f"应为不小于 0 的整数（工作日），实为 {limit!r}")
        limits.append((str(case_type), limit))
    return tuple(limits)
