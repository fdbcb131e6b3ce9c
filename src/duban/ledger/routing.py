"""Routing: which unit should lead an item, decided by rules kept as data (``rules/routing.yaml``).

A rule names a unit, keywords (matched in the item's own words: text, metric, quote; 2 points
each) and section words (matched in the title of the section the item sits in; 1 point each).
The best-scoring rule wins; on equal scores the longer matched words win (乡村振兴 over 乡村), then
the rule listed first; no match → None (a person decides). The scoring is the reader's
(:class:`duban.reading.leads.Router`), so a task read and a duty routed get the same unit.

A government may keep its own rules (its ``routing_rules`` setting, inherited down the chain of
governments): :func:`rules_for` gives a plan's government the rules it uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import yaml
from sqlalchemy.orm import Session

from duban.ledger.errors import LedgerError
from duban.reading.leads import Router, RouteRule
from duban.units import governments

DEFAULT_RULES = Path(__file__).resolve().parent / "rules" / "routing.yaml"


@dataclass(frozen=True)
class Rule:
    unit: str
    keywords: tuple[str, ...]
    sections: tuple[str, ...]
    co_units: tuple[str, ...] = ()


@dataclass(frozen=True)
class RouteResult:
    """The unit a rule chose, the rule's position and the words that matched."""

    unit: str
    rule: int
    score: int
    matched: tuple[str, ...]
    co_units: tuple[str, ...] = ()

    @property
    def rule_name(self) -> str:
        return f"routing#{self.rule + 1}:{self.unit}"


class Routable(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def metric(self) -> str | None: ...
    @property
    def quote(self) -> str: ...
    @property
    def section_title(self) -> str | None: ...


def parse_rules(data: object, *, source: str = "routing rules") -> tuple[Rule, ...]:
    """Rules from parsed YAML; a malformed rule raises LedgerError naming its position."""
    items = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise LedgerError(f"{source}: 应有非空的 rules 列表")
    out: list[Rule] = []
    for n, rec in enumerate(items, start=1):
        if not isinstance(rec, dict) or not isinstance(rec.get("unit"), str) or not rec["unit"].strip():
            raise LedgerError(f"{source}: 第 {n} 条规则缺少 unit")
        words: dict[str, tuple[str, ...]] = {}
        for key in ("keywords", "sections", "co_units"):
            value = rec.get(key) or []
            if not isinstance(value, list) or not all(isinstance(w, str | int | float) for w in value):
                raise LedgerError(f"{source}: 第 {n} 条规则（{rec['unit']}）的 {key} 应为词语列表")
            words[key] = tuple(str(w) for w in value if str(w).strip())
        if not words["keywords"] and not words["sections"]:
            raise LedgerError(f"{source}: 第 {n} 条规则（{rec['unit']}）没有任何关键词")
        out.append(Rule(unit=rec["unit"].strip(), **words))
    return tuple(out)


def load_rules(path: Path | None = None) -> tuple[Rule, ...]:
    """The rules of ``path`` (default: the shipped ``rules/routing.yaml``)."""
    return _load_rules(Path(path) if path is not None else DEFAULT_RULES)


def rules_for(*, session: Session, government_id: int | None) -> tuple[Rule, ...]:
    """The rules a government routes by: its own ``routing_rules`` setting, else its parent's, …,
    else the shipped rules. A malformed setting raises LedgerError naming the government."""
    value, origin = governments.setting(session=session, government_id=government_id, key="routing_rules")
    if origin is None:
        return load_rules()
    return parse_rules(value, source=f"政府「{origin}」的设置 routing_rules")


@lru_cache(maxsize=8)
def _load_rules(path: Path) -> tuple[Rule, ...]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LedgerError(f"{path}: 无法读取分办规则 ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise LedgerError(f"{path}: YAML 格式错误: {exc}") from exc
    return parse_rules(data, source=str(path))


@lru_cache(maxsize=8)
def _router(rules: tuple[Rule, ...]) -> Router:
    return Router(RouteRule(r.unit, r.keywords, r.sections) for r in rules)


def route(*, rules: tuple[Rule, ...], item: Routable) -> RouteResult | None:
    """The lead unit the rules give ``item``, or None when no rule matches (the reader's scoring)."""
    own = " ".join(x for x in (item.text, item.metric or "", item.quote) if x)
    got = _router(rules).best(text=own, section_title=item.section_title)
    if got is None:
        return None
    rule = rules[got.rule]
    return RouteResult(rule.unit, got.rule, got.score, got.matched, rule.co_units)
