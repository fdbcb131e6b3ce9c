"""The year-end report's sentences as data (``wording.yaml``), loaded once and checked.

Each sentence may use only the placeholders :data:`FIELDS` allows it; a city's own file with a
missing sentence, a wrong shape or an unknown placeholder is refused with one line naming the file
and the key.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from duban.review.documents.errors import DocumentError

# Each sentence's allowed placeholders; lists name their length instead.
FIELDS: dict[str, frozenset[str]] = {
    k: frozenset(v.split())
    for k, v in {
        "issuer": "place",
        "number": "year",
        "title": "place year",
        "addressee": "place",
        "as_of": "year",
        "opening": "title issuer total as_of counts rate",
        "headings": "",
        "overview": "sections units total counts",
        "captions": "",
        "section": "total lead counts rate",
        "section_done": "items",
        "section_lagging": "behind",
        "problems": "behind",
        "problems_none": "",
        "problem": "n task unit target actual verdict",
        "problem_target": "target",
        "problem_actual": "actual",
        "problem_no_actual": "",
        "problem_verdicts": "",
        "next_steps": "behind",
        "next_steps_none": "",
        "closing": "",
        "annex_title": "place year",
        "annex_line": "annex_title",
    }.items()
}
LISTS = {"title": 2, "headings": 4, "captions": 2}
MAPS = {"problem_verdicts": ("not_done", "behind")}


@dataclass(frozen=True)
class Wording:
    """The loaded sentences; :meth:`say` fills one."""

    source: str
    texts: dict[str, Any]

    def say(self, key: str, **values: Any) -> str:
        """The sentence ``key`` with its placeholders filled."""
        return str(self.texts[key]).format(**values)

    def lines(self, key: str, **values: Any) -> list[str]:
        """A list entry (title, headings, captions) with its placeholders filled."""
        return [str(line).format(**values) for line in self.texts[key]]


def _join(text: Any) -> Any:
    """A sentence written over several lines, joined without spaces (Chinese has none)."""
    return "".join(line.strip() for line in text.splitlines()) if isinstance(text, str) else text


def _check(source: str, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise DocumentError(f"{source}：应为「键: 句子」的 YAML 映射")
    missing = [k for k in FIELDS if k not in data]
    if missing:
        raise DocumentError(f"{source}：缺少 {'、'.join(missing)}")
    texts: dict[str, Any] = {}
    for key, allowed in FIELDS.items():
        value = data[key]
        if key in LISTS:
            ok = (
                isinstance(value, list)
                and len(value) == LISTS[key]
                and all(isinstance(v, str) for v in value)
            )
            if not ok:
                raise DocumentError(f"{source}：{key} 应为 {LISTS[key]} 个句子的列表")
            parts = [_join(v) for v in value]
        elif key in MAPS:
            if not isinstance(value, dict) or set(value) != set(MAPS[key]):
                raise DocumentError(f"{source}：{key} 应有且只有 {'、'.join(MAPS[key])} 两项")
            parts = [_join(v) for v in value.values()]
            value = {k: _join(v) for k, v in value.items()}
        elif isinstance(value, str):
            parts = [_join(value)]
        else:
            raise DocumentError(f"{source}：{key} 应为一句文字")
        for part in parts:
            try:
                used = {name for _, name, _, _ in string.Formatter().parse(part) if name is not None}
            except ValueError as exc:
                raise DocumentError(f"{source}：{key} 的花括号不成对（{exc}）") from exc
            unknown = sorted(used - allowed)
            if unknown:
                can = "、".join(sorted(allowed)) or "无"
                raise DocumentError(f"{source}：{key} 用了未知的占位符 {'、'.join(unknown)}（可用：{can}）")
        texts[key] = parts if key in LISTS else value if key in MAPS else parts[0]
    return texts


@cache
def _load(path: str | None) -> Wording:
    if path is None:
        source = "duban/review/documents/wording.yaml"
        text = resources.files("duban.review.documents").joinpath("wording.yaml").read_text(encoding="utf-8")
    else:
        source = path
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DocumentError(f"{path}：无法读取措辞文件（{exc.__class__.__name__}）") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DocumentError(f"{source}：不是有效的 YAML（{str(exc).splitlines()[0]}）") from exc
    return Wording(source, _check(source, data))


def load_wording(path: str | Path | None = None) -> Wording:
    """The report's sentences: the packaged wording.yaml, or a city's own file at ``path``."""
    return _load(None if path is None else str(path))
