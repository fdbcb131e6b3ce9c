"""The classifier's training files: a labelled message CSV (``label`` plus ``text`` or
``subject``+``detail``) and a city's category tree (a taxonomy CSV, 一级分类,二级分类,三级分类).
A bad file raises :class:`~duban.cases.textutil.CaseInputError` naming the file and the row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import add
from pathlib import Path

import numpy as np

from duban.cases.textutil import CaseInputError, clean_text, read_csv, require_text_columns, row_text


@dataclass(frozen=True)
class LabelledText:
    """One training example: subject (may be empty), detail or whole text, and its label."""

    subject: str
    detail: str
    label: str


@dataclass(frozen=True)
class Taxonomy:
    """A city's category tree as term → top-level groups (e.g. 公共汽车 → 城乡建设).

    ``groups`` are the top-level categories in file order; each term maps to the indexes of the
    groups it is filed under. Terms shorter than two characters and 其他 are left out.
    """

    groups: tuple[str, ...]
    terms: dict[str, tuple[int, ...]]
    # The terms by their first two characters, derived from ``terms``.
    heads: dict[str, list[tuple[str, tuple[int, ...]]]] = field(init=False, repr=False, compare=False)

    def counts(self, text: str) -> np.ndarray:
        """log(1 + number of distinct terms in ``text``) for each group.

        >>> t = Taxonomy(("城乡建设", "交通运输"), {"公共汽车": (0,), "出租车": (1,)})
        >>> t.counts("公共汽车和出租车").round(3).tolist()
        [0.693, 0.693]
        """
        out = np.zeros(len(self.groups))
        # Only the terms whose first two characters (a one-character term: that character)
        # occur in the text are searched for.
        for head in self.heads.keys() & set(text).union(map(add, text, text[1:])):
            for term, groups in self.heads[head]:
                if term in text:
                    for g in groups:
                        out[g] += 1
        return np.log1p(out)

    def __post_init__(self) -> None:
        heads: dict[str, list[tuple[str, tuple[int, ...]]]] = {}
        for term, groups in self.terms.items():
            heads.setdefault(term[:2], []).append((term, groups))
        object.__setattr__(self, "heads", heads)


def read_taxonomy(path: str | Path) -> Taxonomy:
    """A taxonomy CSV: first column the top-level category, the other columns its sub-levels
    (the hotline's 一级分类,二级分类,三级分类 layout)."""
    table = read_csv(path)
    if not table.rows or len(table.header) < 2:
        raise CaseInputError(f"{table.path}: 分类体系文件需要至少两列（一级分类及其下级分类）且有数据行")
    groups: list[str] = []
    terms: dict[str, set[int]] = {}
    for n, row in enumerate(table.rows, start=1):
        values = [clean_text(v) for v in row.values()]
        if not values[0]:
            raise CaseInputError(f"{table.path}: 第 {n} 条记录的 {table.header[0]} 列为空")
        if values[0] not in groups:
            groups.append(values[0])
        g = groups.index(values[0])
        for term in values[1:]:
            if len(term) >= 2 and term != "其他":
                terms.setdefault(term, set()).add(g)
    if not terms:
        raise CaseInputError(f"{table.path}: 分类体系文件没有可用的下级分类名称")
    return Taxonomy(tuple(groups), {t: tuple(sorted(g)) for t, g in terms.items()})


def read_labelled_csv(path: str | Path) -> list[LabelledText]:
    """Labelled texts from a CSV with ``label`` and ``text`` or ``subject``+``detail``."""
    table = read_csv(path)
    if not table.rows:
        raise CaseInputError(f"{table.path}: 文件没有数据行")
    require_text_columns(table)
    if "label" not in table.rows[0]:
        raise CaseInputError(f"{table.path}: 缺少 label 列（现有列：{', '.join(table.header)}）")
    out = []
    for n, row in enumerate(table.rows, start=1):
        label = clean_text(row.get("label"))
        if not label:
            raise CaseInputError(f"{table.path}: 第 {n} 条记录的 label 列为空")
        subject, detail = row_text(row)
        if not subject and not detail:
            raise CaseInputError(f"{table.path}: 第 {n} 条记录没有文本（subject/detail/text 均为空）")
        out.append(LabelledText(subject=subject, detail=detail, label=label))
    return out
