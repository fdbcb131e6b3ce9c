"""Text helpers shared by the cases modules: cleaning, reading message CSVs, char shingles.

Owns the one place where a citizen-message CSV is decoded (UTF-8 with or without BOM, then
GB18030) and its columns checked, so every command reports a bad file the same way: file, row,
column and what is wrong. Pure: no database, no wall clock.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
_SPACE = re.compile(r"\s+")
_HOTLINE_ALIASES = {
    "留言主题": "subject",
    "留言详情": "detail",
    "留言编号": "id",
    "留言时间": "time",
    "一级分类": "label",
}


class CaseInputError(ValueError):
    """A user's file is unusable; the message names file, row and column."""


def clean_text(text: str | None) -> str:
    """Collapse runs of whitespace (the hotline export pads details with tabs and newlines).

    >>> clean_text("  A市\\n\\t\\tA3区  路灯 ")
    'A市 A3区 路灯'
    """
    if not text:
        return ""
    return _SPACE.sub(" ", text).strip()


def decode_bytes(data: bytes, *, name: str) -> str:
    """Decode a file's bytes: strict UTF-8 (BOM allowed), else GB18030, else a clear error."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise CaseInputError(
            f"{name}: 无法识别文件编码（第 {exc.start} 字节处），请另存为 UTF-8 或 GB18030 编码的 CSV"
        ) from None


@dataclass(frozen=True)
class CsvTable:
    """A decoded CSV: its path, the header as written, and rows keyed by canonical column names."""

    path: str
    header: list[str]
    rows: list[dict[str, str]]


def read_csv(path: str | Path) -> CsvTable:
    """Read a message CSV; hotline column names (留言主题, 留言详情, …) are also accepted."""
    p = Path(path)
    name = str(p)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise CaseInputError(f"{name}: 无法读取文件（{exc.strerror}）") from None
    text = decode_bytes(data, name=name)
    if not text.strip():
        raise CaseInputError(f"{name}: 文件为空，缺少表头行")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise CaseInputError(f"{name}: 无法解析 CSV 表头（{exc}）") from None
    keys = [_HOTLINE_ALIASES.get(h.strip(), h.strip()) for h in header]
    rows: list[dict[str, str]] = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            rows.append({k: (values[i] if i < len(values) else "") for i, k in enumerate(keys)})
    except csv.Error as exc:
        raise CaseInputError(f"{name}: 第 {reader.line_num} 行 CSV 格式错误（{exc}）") from None
    return CsvTable(path=name, header=header, rows=rows)


def row_text(row: dict[str, str]) -> tuple[str, str]:
    """A row's (subject, detail): from ``subject``/``detail`` or else from ``text``."""
    if "subject" in row or "detail" in row:
        return clean_text(row.get("subject")), clean_text(row.get("detail"))
    return "", clean_text(row.get("text"))


def require_text_columns(table: CsvTable) -> None:
    """Fail clearly when a table has neither ``text`` nor ``subject``+``detail``."""
    cols = (
        set(table.rows[0])
        if table.rows
        else {_HOTLINE_ALIASES.get(h.strip(), h.strip()) for h in table.header}
    )
    if "text" in cols or ("subject" in cols and "detail" in cols):
        return
    raise CaseInputError(
        f"{table.path}: 缺少文本列：需要 text 列，或 subject 与 detail 两列（现有列：{', '.join(table.header)}）"
    )


def char_shingles(text: str, *, k: int = 3) -> set[str]:
    """The set of k-character shingles of a text with spaces and punctuation removed.

    >>> sorted(char_shingles("路灯不亮了", k=3))
    ['不亮了', '灯不亮', '路灯不']
    """
    s = _PUNCT.sub("", text)
    if len(s) <= k:
        return {s} if s else set()
    return {s[i : i + k] for i in range(len(s) - k + 1)}


_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def char_bigrams(text: str) -> set[str]:
    """Character bigrams of the Chinese/alphanumeric content of a text."""
    return char_shingles(text, k=2)


def jaccard(a: Sequence[str] | set[str], b: Sequence[str] | set[str]) -> float:
    """Jaccard similarity of two collections of strings (0 when both are empty).

    >>> jaccard({"a", "b"}, {"b", "c"})
    0.3333333333333333
    """
    sa, sb = set(a), set(b)
    if not sa and not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


_TIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%d",
)


def parse_time(value: str) -> datetime:
    """Parse the hotline's times (2019/2/28 11:25:05 or 2019-04-08 08:37:20) as Beijing time.

    >>> parse_time("2019/2/28 11:25:05").isoformat()
    '2019-02-28T11:25:05+08:00'
    """
    text = value.strip()
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=BEIJING)
        except ValueError:
            continue
    raise ValueError(f"无法识别的时间：{value!r}")
