"""Results against targets: a task's targets as stored, 完成值 checked against the target's unit
family, and 序时进度 (the share done against the share of the period gone, in working days).

The unit families, magnitudes and pace thresholds are data (``rules/results.yaml``). Pure
functions: no session; :mod:`duban.ledger.duties` and :mod:`duban.ledger.xlsx` call them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from duban.ledger.errors import LedgerError

if TYPE_CHECKING:
    from duban.clock.calendar import Days
    from duban.reading.model import Quantity

TARGET_FIELDS = ("metric", "metric_id", "change", "value", "value_high", "unit", "bound", "quote")
BOUND_WORDS = {"about": "左右", "at_least": "以上", "at_most": "以内", "exact": ""}
PACE_KEYS = ("done", "ahead", "on_track", "behind")


@dataclass(frozen=True)
class ResultRules:
    """The unit families, magnitudes and pace thresholds of ``rules/results.yaml``."""

    magnitudes: dict[str, float]
    families: dict[str, dict[str, float]]
    rate_units: tuple[str, ...]
    ahead: float
    behind: float
    yellow_gap: float
    labels: dict[str, str]
    mostly_done_share: float


def parse_result_rules(raw: dict[str, Any], *, source: str = "results.yaml") -> ResultRules:
    """Check and build the rules from parsed YAML; a LedgerError names the bad key."""
    try:
        pace = raw["pace"]
        labels = {str(k): str(v) for k, v in pace["labels"].items()}
        out = ResultRules(
            magnitudes={str(k): float(v) for k, v in raw["magnitudes"].items()},
            families={str(f): {str(u): float(x) for u, x in us.items()} for f, us in raw["families"].items()},
            rate_units=tuple(str(u) for u in raw["rate_units"]),
            ahead=float(pace["ahead"]),
            behind=float(pace["behind"]),
            yellow_gap=float(pace["yellow_gap"]),
            labels=labels,
            mostly_done_share=float(raw["verdict"]["mostly_done_share"]),
        )
    except KeyError as exc:
        raise LedgerError(f"{source}: 缺少字段 {exc.args[0]}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise LedgerError(f"{source}: 字段类型不对（{exc}）") from None
    if missing := [k for k in PACE_KEYS if k not in labels]:
        raise LedgerError(f"{source}: pace.labels 缺少 {', '.join(missing)}")
    if not 0 < out.mostly_done_share <= 1:
        raise LedgerError(f"{source}: verdict.mostly_done_share 应在 0 与 1 之间")
    return out


@cache
def result_rules() -> ResultRules:
    """The packaged rules (loaded once)."""
    text = resources.files("duban.ledger").joinpath("rules/results.yaml").read_text(encoding="utf-8")
    return parse_result_rules(yaml.safe_load(text))


# ---- targets --------------------------------------------------------------------------------
def target_record(q: Quantity) -> dict[str, Any]:
    """A reader's quantity as an item stores it among a task's targets."""
    return {f: getattr(q, f) for f in TARGET_FIELDS}


def _num(v: float) -> str:
    return f"{v:g}" if abs(v) < 1e15 else str(v)


def figure(value: float, unit: str) -> str:
    """A value in words with its magnitude put back: 208000 亩 → 20.8万亩, 6e9 元 → 60亿元."""
    if unit not in result_rules().rate_units:
        for word, factor in (("亿", 1e8), ("万", 1e4)):
            if abs(value) >= factor and word not in unit:
                return f"{round(value / factor, 4):g}{word}{unit}"
    return f"{round(value, 4):g}{unit}"


def target_words(t: dict[str, Any]) -> str:
    """One target as people write it: 20.8万亩, 6%左右, 5–6%."""
    unit = t.get("unit") or ""
    if t.get("value") is None:
        return t.get("metric") or ""
    text = figure(float(t["value"]), unit)
    if t.get("value_high") is not None:
        text = f"{figure(float(t['value']), '').rstrip()}–{figure(float(t['value_high']), unit)}"
    return f"{t.get('change') or ''}{text}{BOUND_WORDS.get(t.get('bound') or 'exact', '')}"


# ---- 完成值 ----------------------------------------------------------------------------------
def unit_factor(unit: str, target_unit: str, *, field: str) -> float:
    """The factor that turns a value in ``unit`` into ``target_unit``; LedgerError names the field."""
    r = result_rules()

    def split(u: str) -> tuple[float, str]:
        u = u.strip()
        for word, factor in sorted(r.magnitudes.items(), key=lambda kv: -len(kv[0])):
            if u.startswith(word) and len(u) > len(word):
                return factor, u[len(word) :]
        return 1.0, u

    if not unit.strip():
        raise LedgerError(f"{field}: 请填写计量单位（目标单位为「{target_unit or '无'}」）", "results")
    m1, base1 = split(unit)
    m2, base2 = split(target_unit)
    if base1 == base2:
        return m1 / m2
    for units in r.families.values():
        if base1 in units and base2 in units:
            return m1 * units[base1] / (m2 * units[base2])
    raise LedgerError(
        f"{field}: 单位「{unit}」与目标单位「{target_unit}」不是同一类计量单位，无法比较", "results"
    )


def check_results(targets: list[dict[str, Any]], results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Reported 完成值 ({target: index, value, unit}) checked and converted into each target's unit."""
    out: list[dict[str, Any]] = []
    seen: set[int] = set()
    for n, r in enumerate(results, start=1):
        idx = r.get("target")
        field = f"完成值第{n}项"
        if not isinstance(idx, int) or not 0 <= idx < len(targets):
            raise LedgerError(
                f"{field}: 目标序号 {idx!r} 不存在（本事项有 {len(targets)} 个目标）", "results"
            )
        if idx in seen:
            raise LedgerError(f"{field}: 目标 {idx + 1} 重复填报", "results")
        seen.add(idx)
        t = targets[idx]
        field = f"完成值「{t.get('metric') or target_words(t)}」"
        try:
            value = float(r.get("value"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise LedgerError(f"{field}: 数值「{r.get('value')}」不是数字", "results") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise LedgerError(f"{field}: 数值不是有限数", "results")
        unit = str(r.get("unit") or "")
        factor = unit_factor(unit, t.get("unit") or "", field=field)
        out.append({"target": idx, "value": value, "unit": unit.strip(), "in_target_unit": value * factor})
    return out


def result_words(r: dict[str, Any]) -> str:
    """A reported 完成值 as written: 12万亩."""
    return f"{r['value']:g}{r['unit']}"


# ---- 序时进度 --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pace:
    """序时进度 of a duty: share done and share of its period gone (0–1), and the reading."""

    done: float | None
    elapsed: float
    key: str  # done / ahead / on_track / behind
    label: str

    @property
    def gap(self) -> float:
        """How far the work trails the time (elapsed − done); negative when ahead."""
        return self.elapsed - (self.done or 0.0)


def share_done(
    targets: list[dict[str, Any]], results: list[dict[str, Any]], share: int | None
) -> float | None:
    """The share done: the mean of each amount target's 完成值 ÷ target value, else the reported share."""
    rates = result_rules().rate_units
    parts: list[float] = []
    for r in results:
        t = targets[r["target"]] if 0 <= r["target"] < len(targets) else None
        if (
            not t
            or t.get("value") in (None, 0)
            or (t.get("unit") or "") in rates
            or t.get("bound") == "at_most"
        ):
            continue
        parts.append(min(1.0, max(0.0, r["in_target_unit"] / float(t["value"]))))
    if parts:
        return sum(parts) / len(parts)
    return None if share is None else share / 100


def pace(
    *, done: float | None, start: date, due: date, today: date, calendar: Days, closed: bool = False
) -> Pace:
    """序时进度 of a duty from its share done and its period (start → due) on the calendar."""
    r = result_rules()
    total = calendar.workdays_between(start, due) if due > start else 0
    gone = calendar.workdays_between(start, min(max(today, start), due)) if total else 0
    elapsed = 1.0 if total <= 0 or today >= due else gone / total
    if closed or (done is not None and done >= 1.0 - 1e-9):
        key = "done"
    else:
        diff = (done or 0.0) - elapsed
        key = "ahead" if diff >= r.ahead else "on_track" if diff >= -r.behind else "behind"
    return Pace(done=done, elapsed=round(elapsed, 4), key=key, label=r.labels[key])
