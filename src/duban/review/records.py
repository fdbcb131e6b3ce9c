"""Reviews read back from JSON Lines: what ``duban review promises --format jsonl`` and
``duban review archive -o X.jsonl`` write (the gold format of ``shared/gold/README.md``).

Every line is checked before anything is returned, so a bad file stores nothing; an error names
the file, the line and the field.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from duban.review.model import VERDICTS, Actual, Promise, Target

BOUNDS = ("about", "at_least", "at_most", "exact")


class PromiseFormatError(ValueError):
    """A line that is not a promise; ``str()`` names the file, the line and the field."""


def _number(value: Any, where: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PromiseFormatError(f"{where}: 应为数字或 null")
    return float(value)


def _text(d: dict[str, Any], key: str, where: str, *, limit: int = 2000, required: bool = True) -> str:
    value = d.get(key, "" if not required else None)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise PromiseFormatError(f"{where}.{key}: 应为非空文本")
    if len(value) > limit or "\x00" in value:
        raise PromiseFormatError(f"{where}.{key}: 文本过长或含非法字符")
    return value


def promise_from_dict(d: Any, where: str) -> Promise:
    """One promise from its JSON object (raises :class:`PromiseFormatError` naming ``where``)."""
    if not isinstance(d, dict):
        raise PromiseFormatError(f"{where}: 应为 JSON 对象")
    year = d.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 1949 <= year <= 2100:
        raise PromiseFormatError(f"{where}.year: 应为 1949–2100 的年份")
    verdict = d.get("verdict")
    if verdict not in VERDICTS:
        raise PromiseFormatError(f"{where}.verdict: 应为 {'/'.join(VERDICTS)} 之一")
    t = d.get("target")
    if not isinstance(t, dict):
        raise PromiseFormatError(f"{where}.target: 应为 JSON 对象")
    bound = t.get("bound") or "exact"
    if bound not in BOUNDS:
        raise PromiseFormatError(f"{where}.target.bound: 应为 {'/'.join(BOUNDS)} 之一")
    target = Target(
        value=_number(t.get("value"), f"{where}.target.value"),
        value_high=_number(t.get("value_high"), f"{where}.target.value_high"),
        unit=_text(t, "unit", f"{where}.target", limit=40, required=False),
        bound=bound,
        quote=_text(t, "quote", f"{where}.target"),
        line=t.get("line") if isinstance(t.get("line"), int) else None,
        change=t.get("change") if isinstance(t.get("change"), str) else None,
    )
    a = d.get("actual")
    actual = None
    if a is not None:
        if not isinstance(a, dict):
            raise PromiseFormatError(f"{where}.actual: 应为 JSON 对象或 null")
        actual = Actual(
            value=_number(a.get("value"), f"{where}.actual.value"),
            unit=_text(a, "unit", f"{where}.actual", limit=40, required=False),
            quote=_text(a, "quote", f"{where}.actual"),
            line=a.get("line") if isinstance(a.get("line"), int) else None,
            change=a.get("change") if isinstance(a.get("change"), str) else None,
        )
    return Promise(
        place=_text(d, "place", where, limit=100),
        year=year,
        metric=_text(d, "metric", where, limit=200),
        metric_id=d.get("metric_id") if isinstance(d.get("metric_id"), str) and d.get("metric_id") else None,
        headline=bool(d.get("headline")),
        target=target,
        actual=actual,
        verdict=verdict,
        reason=_text(d, "reason", where, required=False),
        metric_words=_text(d, "metric_words", where, limit=200, required=False),
        scope=d.get("scope") if isinstance(d.get("scope"), str) and d.get("scope") else None,
    )


def read_jsonl(path: Path) -> list[Promise]:
    """Every promise of a JSON Lines file, or an error naming the first bad line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PromiseFormatError(f"{path.name}: 无法读取：{exc.strerror}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PromiseFormatError(f"{path.name}: 不是 UTF-8 文本（第 {exc.start} 字节）") from exc
    out: list[Promise] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path.name} 第{n}行"
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise PromiseFormatError(f"{where}: 不是有效的 JSON") from exc
        out.append(promise_from_dict(obj, where))
    if not out:
        raise PromiseFormatError(f"{path.name}: 文件中没有复盘记录")
    return out
