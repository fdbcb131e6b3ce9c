"""The reader's one entry point: a report (path, bytes or text) in, a :class:`Plan` out.

decode → clean → structure → quantities, then tasks (cut from the plan part by ``cut``, each
carrying the quantities inside it); each step is its own module, and this one only wires them
and names the result (doc, place, year, checksum).
"""

from __future__ import annotations

import hashlib
import os
import re
from bisect import bisect_right
from pathlib import Path

from duban.reading.clean import clean
from duban.reading.decode import Decoded, decode_bytes, decode_path
from duban.reading.headline import find_headline_block
from duban.reading.model import PartKind, Plan, ReadError
from duban.reading.origin import detect_place, detect_year, speaker_level
from duban.reading.periods import assign_periods
from duban.reading.quantities import extract_quantities
from duban.reading.structure import SectionIndex, paragraph_kinds, segment
from duban.reading.tasks import extract_tasks
from duban.reading.textual import text_targets

_CJK = re.compile("[\u4e00-\u9fff]")
Source = str | bytes | os.PathLike[str]


def _load(source: Source, name: str | None) -> tuple[Decoded, str, bytes]:
    """Decode the source; returns the decoded text, the document's name and the raw bytes."""
    if isinstance(source, bytes):
        label = name or "<bytes>"
        return decode_bytes(source, name=label), label, source
    if isinstance(source, str) and ("\n" in source or len(source) > 255):
        data = source.encode("utf-8")
        return Decoded(text=source, source_format="text", encoding="utf-8"), name or "<text>", data
    path = Path(source)
    decoded = decode_path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:  # pragma: no cover - decode_path read it a moment ago
        raise ReadError(path.name, f"无法读取：{exc.strerror}") from exc
    return decoded, name or path.name, data


def _stem(label: str) -> str:
    stem = Path(label).stem if label not in ("<bytes>", "<text>") else label.strip("<>")
    return stem


def _title(text: str, place: str, year: int | None) -> str:
    """The report's own title line, or one made from its place and year (a scrape may lack it)."""
    for line in text.splitlines()[:12]:
        line = line.strip().lstrip("#").strip()
        if "政府工作报告" in line and len(line) <= 40:
            return line
    return f"{place}{year or ''}{'年' if year else ''}政府工作报告"


def read_report(source: Source, year: int | None = None, *, name: str | None = None) -> Plan:
    """Read a work report into a Plan.

    ``source`` is a path (txt in any Chinese encoding, docx, pdf, html), the file's bytes (give
    ``name`` so its format and year can be told), or the report's text itself. ``year`` overrides
    the plan year found in the text or the file name. Raises :class:`ReadError` for a file that
    cannot be read, with the file's name and the reason.
    """
    decoded, label, data = _load(source, name)
    cleaned = clean(decoded.text)
    text = cleaned.text
    if len(_CJK.findall(text, 0, 20000)) < 20:
        raise ReadError(label, "没有可读的中文正文")
    doc = _stem(label)
    plan_year = year or detect_year(text, doc)
    sections = segment(text, line_of=cleaned.line_of, year=plan_year)
    index = SectionIndex(sections)

    overrides = paragraph_kinds(text, sections)
    override_starts = [a for a, _, _ in overrides]

    def kind_at(offset: int) -> PartKind:
        """The part's kind, unless the paragraph opens by naming its time (outside "other" parts)."""
        sec = index.at(offset)
        i = bisect_right(override_starts, offset) - 1
        if i >= 0 and offset < overrides[i][1] and (sec is None or sec.part_kind != "other"):
            return overrides[i][2]
        return sec.part_kind if sec else "other"

    def section_at(offset: int) -> str | None:
        sec = index.at(offset)
        return sec.id if sec else None

    headline = find_headline_block(text, sections)
    quantities = extract_quantities(
        text,
        kind_at=kind_at,
        section_at=section_at,
        line_of=cleaned.line_of,
        headline_span=headline,
    )
    assign_periods(text, quantities, year=plan_year, sections=sections, kind_at=kind_at)
    place = detect_place(text, label)
    if not place and not isinstance(source, bytes) and label == Path(source).name:
        place = detect_place("", str(source))  # read from a path: its folder may name the place
    tasks = extract_tasks(
        text,
        sections,
        year=plan_year,
        line_of=cleaned.line_of,
        quantities=quantities,
        headline=headline,
        place=place or speaker_level(text),
    )
    return Plan(
        doc=doc,
        title=_title(text, place, plan_year),
        year=plan_year,
        place=place,
        source=label if isinstance(source, bytes) or label.startswith("<") else str(source),
        checksum=hashlib.sha256(data).hexdigest()[:16],
        source_format=decoded.source_format,
        encoding=decoded.encoding,
        text=text,
        notes=list(cleaned.notes),
        sections=sections,
        quantities=quantities,
        tasks=tasks,
        text_targets=text_targets(text, quantities, line_of=cleaned.line_of, section_at=section_at),
        line_starts=list(cleaned.line_starts),
    )
