"""The plan a work report becomes: plain typed values, no database, no web.

Everything the reader finds carries its span in the cleaned text (``start``/``end``,
character offsets) and the 1-based line of the original file it came from (``line``), so
any figure or task can be traced back to the sentence that said it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

QuantityKind = Literal["target", "achievement"]
Bound = Literal["about", "at_least", "at_most", "exact"]
PartKind = Literal["review", "plan", "other"]
# The time a figure speaks of: the report's plan year, the year before it (the review's results),
# a span of years (五年来, 年均, 累计, 十四五), or a later goal year (到2025年); None when unknown.
Period = Literal["plan_year", "last_year", "span", "goal_year"]
# What a figure measures: a rate of change, a level or count, a share (占…比重), a share of the
# plan (完成年计划的118.2%), or a rank.
Measure = Literal["growth", "level", "share", "share_of_plan", "rank"]


class ReadError(Exception):
    """A file that cannot be read as a report; ``str()`` names the file and the reason."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


@dataclass(frozen=True)
class CleaningNote:
    """One thing the cleaner changed: what kind, where in the original, what it removed."""

    kind: str  # continuation_mark | running_header | broken_word | duplicate_passage | page_chrome | punctuation | whitespace
    line: int  # 1-based line in the original text
    text: str  # the text removed or changed (shortened for display)
    detail: str = ""  # a human sentence in Chinese, e.g. "删除报纸转版标记"


@dataclass
class Section:
    """A node of the report's tree: a part (一、), a section ((一)) or a lead sentence."""

    id: str  # "1", "1.2", "1.2.3"
    level: int  # 1 part, 2 section, 3 lead sentence (做强能源产业。)
    number: str  # "一", "(二)", "" for a lead sentence
    title: str
    part_kind: PartKind
    start: int
    end: int
    line: int
    parent: str | None = None


@dataclass
class Quantity:
    """A tracked figure: a target of the plan period or a reported achievement.

    Fields follow ``shared/gold/README.md``: value has its magnitude folded in (4.5万人 →
    45000, unit 人), value_high is the upper end of a range, bound is about/at_least/
    at_most/exact, unit is "rank" for an ordinal place. ``period``, ``measure``, ``metric_id``
    and ``scope`` are filled from ``lexicon/periods.yaml`` and ``lexicon/metrics.yaml``;
    ``metric`` keeps the report's own words.
    """

    kind: QuantityKind
    metric: str
    change: str | None
    value: float
    value_high: float | None
    unit: str
    bound: Bound
    quote: str
    start: int
    end: int
    line: int
    section: str | None = None
    headline: bool = False
    flags: list[str] = field(default_factory=list)
    sentence: str = ""
    period: Period | None = None
    measure: Measure | None = None
    metric_id: str | None = None
    scope: str | None = None  # 城镇 / 农村 / 同口径 … as the vocabulary names it


@dataclass
class TextTarget:
    """A headline target stated without a figure ("居民收入增长与经济增长同步", "完成省下达任务").

    Emitted beside the quantities as a ``target`` item whose ``value`` is null.
    """

    metric: str
    bound: Bound
    quote: str
    start: int
    end: int
    line: int
    section: str | None = None
    metric_id: str | None = None
    scope: str | None = None
    headline: bool = True
    period: Period = "plan_year"


@dataclass
class Deadline:
    """When a task is due: the words the report used and the date they mean in its year."""

    text: str
    due: date | None


@dataclass
class Task:
    """A commitment clause in the plan part (推动/加快/建成/启动/力争…)."""

    id: str
    section: str | None
    text: str
    action: str
    object: str
    start: int
    end: int
    line: int
    projects: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    counts: list[str] = field(default_factory=list)  # the figures in the clause as written, e.g. "20.8万亩"
    deadline: Deadline | None = None
    group: str | None = None  # the lead sentence the task falls under (做强能源产业)
    targets: list[Quantity] = field(default_factory=list)  # the plan-period figures inside its span
    lead: str | None = None  # the unit a routing rule gives it (None: a person decides)
    headline: bool = False  # the 主要预期目标 paragraph, one task carrying all its figures


@dataclass
class Plan:
    """A whole report read: its text after cleaning, its tree, its figures and its tasks."""

    doc: str
    title: str
    year: int | None
    place: str
    source: str
    checksum: str
    source_format: str
    encoding: str | None
    text: str
    notes: list[CleaningNote] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    text_targets: list[TextTarget] = field(default_factory=list)
    line_starts: list[int] = field(default_factory=list)  # cleaned offset → original line lookup

    @property
    def targets(self) -> list[Quantity]:
        return [q for q in self.quantities if q.kind == "target"]

    @property
    def achievements(self) -> list[Quantity]:
        return [q for q in self.quantities if q.kind == "achievement"]

    @property
    def headline_targets(self) -> list[Quantity]:
        return [q for q in self.quantities if q.headline]

    def section(self, section_id: str | None) -> Section | None:
        for s in self.sections:
            if s.id == section_id:
                return s
        return None

    def to_dict(self, *, with_text: bool = False) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings); the cleaned text only on request."""
        d = asdict(self)
        d.pop("line_starts", None)
        if not with_text:
            d.pop("text", None)
        for t in d["tasks"]:
            if t["deadline"] and t["deadline"]["due"] is not None:
                t["deadline"]["due"] = t["deadline"]["due"].isoformat()
        return d
