"""Text under cleaning that remembers where each character came from.

Cleaning only deletes characters or swaps one for one, so a piecewise map (cleaned start,
original start) stays exact: :class:`Buffer` keeps it while the passes of
:mod:`duban.reading.clean` work, and :class:`Cleaned` carries it out so any figure or task can
name the original line it came from.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

from duban.reading.model import CleaningNote

_NEWLINES = re.compile(r"\r\n|\r|\n")


@dataclass
class Cleaned:
    """The cleaned text, what was changed, and the map back to the original lines."""

    text: str
    notes: list[CleaningNote]
    line_starts: list[int]  # line_starts[k]: first cleaned offset from original line k+1 on
    # (cleaned start, original start) of each run of characters that were contiguous in the original
    segments: list[tuple[int, int]] = field(repr=False, default_factory=list)

    def line_of(self, offset: int) -> int:
        """The 1-based line of the original text that the cleaned character at offset came from."""
        if not self.text:
            return 1
        offset = min(max(offset, 0), len(self.text) - 1)
        return max(1, bisect_right(self.line_starts, offset))

    def source_offset(self, offset: int) -> int:
        """The offset in the original text of the cleaned character at offset."""
        if not self.text:
            return 0
        offset = min(max(offset, 0), len(self.text) - 1)
        return _to_origin(self.segments, offset)


def _to_origin(segments: list[tuple[int, int]], pos: int) -> int:
    k = bisect_right(segments, (pos, float("inf"))) - 1
    start, origin = segments[k]
    return origin + pos - start


def shorten(s: str, n: int = 30) -> str:
    """``s`` on one line, at most ``n`` characters (for a cleaning note)."""
    s = s.replace("\n", "⏎")
    return s if len(s) <= n else s[: n - 1] + "…"


class Buffer:
    """Text under cleaning and a piecewise map of its characters back to the original.

    ``segments`` holds (current start, original start) of each run of characters that were
    contiguous in the original; cleaning only deletes characters or swaps one for one, so
    the map stays exact and ordered.
    """

    def __init__(self, raw: str) -> None:
        self.text = raw
        self.segments: list[tuple[int, int]] = [(0, 0)]
        if "\r" in raw:
            self.raw_line_starts = [0] + [m.end() for m in _NEWLINES.finditer(raw)]
        else:
            self.raw_line_starts = [0, *accumulate(len(line) + 1 for line in raw.split("\n")[:-1])]
        self.notes: list[CleaningNote] = []

    def origin(self, pos: int) -> int:
        return _to_origin(self.segments, min(max(pos, 0), max(len(self.text) - 1, 0)))

    def line(self, pos: int) -> int:
        return bisect_right(self.raw_line_starts, self.origin(pos))

    def note(self, kind: str, pos: int, text: str, detail: str) -> None:
        self.notes.append(CleaningNote(kind=kind, line=self.line(pos), text=shorten(text), detail=detail))

    def substitute(self, new_text: str) -> None:
        assert len(new_text) == len(self.text)
        self.text = new_text

    def delete(self, spans: list[tuple[int, int]]) -> None:
        if not spans:
            return
        parts: list[str] = []
        kept: list[tuple[int, int]] = []  # kept intervals in current offsets
        pos = 0
        for start, end in sorted(spans):
            start = max(start, pos)
            if end <= start:
                continue
            if start > pos:
                parts.append(self.text[pos:start])
                kept.append((pos, start))
            pos = end
        if pos < len(self.text):
            parts.append(self.text[pos:])
            kept.append((pos, len(self.text)))
        self.text = "".join(parts)
        segs = self.segments
        bounds = [s for s, _ in segs[1:]] + [1 << 62]
        new: list[tuple[int, int]] = []
        out = 0
        for a, b in kept:
            k = bisect_right(segs, (a, 1 << 62)) - 1
            while a < b:
                seg_start, seg_origin = segs[k]
                piece_end = min(b, bounds[k])
                origin = seg_origin + a - seg_start
                if not new or new[-1][1] + out - new[-1][0] != origin:
                    new.append((out, origin))
                out += piece_end - a
                a = piece_end
                k += 1
        self.segments = new or [(0, 0)]

    def line_starts(self) -> list[int]:
        """For each original line, the first cleaned offset whose character comes from it or later."""
        segs = self.segments
        origins = [o for _, o in segs]
        ends = [s for s, _ in segs[1:]] + [len(self.text)]
        out = []
        for o in self.raw_line_starts:
            k = bisect_right(origins, o) - 1
            if k < 0:
                out.append(0)
                continue
            start, origin = segs[k]
            out.append(start + o - origin if start + o - origin < ends[k] else ends[k])
        return out
