"""The plan page's shape: the plan part first, last year's review part apart (folded away), each
sentence once with all its figures, and the 待分办 list (assignable items without a lead unit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PureWindowsPath

from markupsafe import Markup, escape

from duban.web.schemas import PlanItemView, PlanTree

REVIEW_KINDS = frozenset({"achievement"})


@dataclass
class SentenceView:
    """One sentence of the report with every item (figure, task) read from it."""

    text: str
    items: list[PlanItemView] = field(default_factory=list)

    @property
    def marked(self) -> Markup:
        """The sentence with every item's quote marked (each once, in order)."""
        return mark_all(self.text, [v.item.quote for v in self.items])


@dataclass
class SectionView:
    title: str
    anchor: str
    sentences: list[SentenceView]
    count: int


def mark_all(text: str, quotes: list[str | None]) -> Markup:
    """``text`` with each quote marked at its first place not already marked.

    >>> str(mark_all("增长5%左右，新增就业1万人。", ["增长5%左右", "新增就业1万人", None]))
    '<mark>增长5%左右</mark>，<mark>新增就业1万人</mark>。'
    """
    spans: list[tuple[int, int]] = []
    for q in quotes:
        if not q:
            continue
        start = 0
        while (i := text.find(q, start)) >= 0:
            if all(i >= b or i + len(q) <= a for a, b in spans):
                spans.append((i, i + len(q)))
                break
            start = i + 1
    out, pos = Markup(""), 0
    for a, b in sorted(spans):
        out += escape(text[pos:a]) + Markup("<mark>") + escape(text[a:b]) + Markup("</mark>")
        pos = b
    return out + escape(text[pos:])


def _sentences(items: list[PlanItemView]) -> list[SentenceView]:
    by_text: dict[str, SentenceView] = {}
    for v in items:
        by_text.setdefault(v.item.text, SentenceView(text=v.item.text)).items.append(v)
    return list(by_text.values())


def split_sections(tree: PlanTree) -> tuple[list[SectionView], list[SectionView]]:
    """(plan part, review part): a section whose items are all last year's results is review."""
    plan: list[SectionView] = []
    review: list[SectionView] = []
    for n, s in enumerate(tree.sections, 1):
        view = SectionView(
            title=s.title, anchor=f"sec-{n}", sentences=_sentences(s.items), count=len(s.items)
        )
        is_review = all(v.item.kind in REVIEW_KINDS for v in s.items)
        (review if is_review else plan).append(view)
    return plan, review


def unassigned(tree: PlanTree) -> list[PlanItemView]:
    """待分办: the plan's targets and tasks that have no lead unit yet."""
    return [v for s in tree.sections for v in s.items if v.item.kind not in REVIEW_KINDS and v.unit is None]


def file_name(source: str | None) -> str:
    """The file name of a plan's source, never the server's path.

    >>> file_name("/srv/duban/data/reports/大同市2023年政府工作报告.txt")
    '大同市2023年政府工作报告.txt'
    >>> file_name("C:\\\\报告\\\\a.docx")
    'a.docx'
    """
    return PureWindowsPath(source or "").name


def auto_note(result: tuple[list[int], list[int]]) -> str:
    """The note after 按规则自动交办."""
    assigned, needs_person = result
    text = f"按规则交办了 {len(assigned)} 个事项。"
    if needs_person:
        text += f"{len(needs_person)} 个事项没有匹配的规则，见「待分办」。"
    return text
