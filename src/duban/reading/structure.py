"""The shape of a work report: sentences and the tree of parts, sections and lead sentences.

Owns ``split_sentences``, ``segment`` (the ``Section`` tree), ``SectionIndex``,
``part_at``/``kind_at`` and ``paragraph_kinds``. The plan year and place are
``duban.reading.origin``'s, the targets paragraph
``duban.reading.headline``'s. Input is the cleaned text (one ``str``, paragraphs separated by
"\\n"; Markdown's leading "#" and bold "**" around a heading line are looked through); the words
and heading shapes live in ``lexicon/structure.yaml``, with more headings in
``lexicon/headings.yaml``.

Decisions:

- ``split_sentences`` splits at 。！？；(and ASCII ; ! ?) and at every newline. ；ends a
  sentence too: in these reports a ；separates whole commitments ("…建成并网；加快推进…"), which is what the task
  reader wants. Inside “…”, 《…》, （…） and 「…」 nothing splits except a newline.
- Levels: 1 a part ("一、…", "第一部分", or an unnumbered heading line such as
  "2023年工作安排"), 2 a section ("（一）…", "(一)…", or "1." when the part has no （一）),
  3 a lead sentence ("做强能源产业。", "一是…"). Ids are the path in the tree: a lead directly
  under a part is "2.1" (level 3), under a section "2.1.3". Text before the first heading is a
  virtual part with id "0" and number "".
- ``part_kind``: review, plan or other from the part heading (other first, then review, then
  plan, then a year in it against the plan year). 政府自身建设 is "plan": it lists this year's
  duties of the government itself. An unnamed part after a review or plan part is plan (the
  national reports' "二、坚持实行扩大内需的方针"); an unnamed first part or the preamble is review
  when its body says 一年来/过去一年/去年, else other (preamble) or plan. Sections and leads
  inherit unless their own heading carries a narrower marker (``child_kind_markers``); the
  （一）（二） sections of a report without numbered parts get kinds the way parts do.
- The closing address (the last "各位代表！让我们…" paragraph with no heading after it) is a part
  "结束语" of kind other; after an appendix (附件, 名词解释) or a site's trailer no numbered part
  starts, so the appendix's own "四、…" lists stay in it.
- A bold line naming a year ("**2020年再出发征程任重道远**") opens a part, and so does a line on its
  own that names a year ("2014年加快全面建成小康社会进程"), or another time and a line of work
  ("今后五年的发展思路和主要任务"), or the government's own part ("推进政府自身建设"): the archive's
  bold marks are cleaned away. Under such a part "一、X，Y。body" is a section whose body is on its
  line. An unnamed first part whose opening names past years more than the plan year is review.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from duban.reading.deadlines import cn_number
from duban.reading.lexicon_file import load_yaml
from duban.reading.model import PartKind, Section
from duban.reading.origin import detect_year

_CN_NUM = "一二三四五六七八九十"
_KINDS: tuple[PartKind, ...] = ("other", "review", "plan")
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_LINE = re.compile(r"[^\n]+")
_SENT_MARK = re.compile(r"[。！？；;!?\n“”《》（）()「」]")
_OPEN = frozenset("“《（(「")
_CLOSE = frozenset("”》）)」")
_PART_RE = re.compile(rf"([{_CN_NUM}]{{1,3}})[、，．.]\s*(\S.*)")
_PART_WORD_RE = re.compile(rf"第([{_CN_NUM}]{{1,3}})部分[　\s：:、，]*(.*)")
_SECTION_RE = re.compile(rf"[（(]([{_CN_NUM}]{{1,3}})[）)]\s*(\S.*)")
_ARABIC_RE = re.compile(r"(\d{1,2})[.．、](?![\d%％])\s*(\S.*)")
_ORDINAL_LEAD_RE = re.compile(rf"([{_CN_NUM}])是([^，。；：,;:]+)")
_ORDINAL_LEAD_COMMA_RE = re.compile(rf"([{_CN_NUM}])是([^。；：;:！？]+，[^。；：;:！？]+)。(?=.)")
_ORDINAL_START = re.compile(r"[一二三四五六七八九十]{1,3}、")
_FIRST_STOP = re.compile(r"[。！？；：，,;:!?]")  # 、 lists inside a lead: 深化书香、音乐、博物馆之城建设。
_YEAR_RE = re.compile(r"((?:19|20)\d\d)年")
_VERSE = re.compile(r"[^。！？；：\d]{4,30}[。！？]")  # a quoted line of verse before the closing words
_TITLE_STOPS = re.compile(r"[，。；：！？,;:!?（(—《》-]")  # a titled part is no sentence nor a date line
_PAST_PLAN_WORDS = frozenset(("计划",))  # a plan word that a review's title may hold (“九五”计划开局良好)
_TITLE_YEAR_RE = re.compile(r"(?:19|20)\d\d年(?![\d一二三四五六七八九十]{1,2}月)")
_TITLE_END_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)$")  # 感恩前行笃行实干的2022
_BOLD_YEAR_RE = re.compile(  # not a date line: "**（2005年2月22日）**", "**——2020年1月6日在…**"
    r"\*\*[^，。；：,;:！？*\n（(—]{0,12}(?:19|20)\d\d年(?![\d一二三四五六七八九十]{1,2}月)[^，。；：,;:！？*\n]{2,24}\*\*"
)


@dataclass(frozen=True)
class _Rules:
    part_markers: dict[str, list[str]]
    child_markers: dict[str, list[str]]
    review_body: re.Pattern[str]
    unnumbered: re.Pattern[str]
    trailers: tuple[str, ...]
    appendix: re.Pattern[str]
    max_heading: int
    max_unnumbered: int
    max_lead: int
    min_lead: int
    lead_not_starting: tuple[str, ...]
    closing_starts: tuple[str, ...]
    closing_words: tuple[str, ...]
    max_closing_chars: int
    titled_times: re.Pattern[str]
    titled_topics: tuple[str, ...]
    titled_not: tuple[str, ...]
    government_part: re.Pattern[str]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    d = load_yaml("structure.yaml")
    h = load_yaml("headings.yaml")
    return _Rules(
        part_markers={k: list(v) for k, v in d["part_kind_markers"].items()},
        child_markers={k: list(v) for k, v in d["child_kind_markers"].items()},
        review_body=re.compile(
            "|".join(
                map(
                    re.escape, [*d["review_body_markers"], *load_yaml("headings.yaml")["review_body_markers"]]
                )
            )
        ),
        unnumbered=re.compile(
            "(?:"
            + ")|(?:".join([*d["unnumbered_headings"], *load_yaml("headings.yaml")["unnumbered_headings"]])
            + ")"
        ),
        trailers=tuple(d["trailer_lines"]),
        appendix=re.compile("(?:" + ")|(?:".join(load_yaml("headings.yaml")["appendix_headings"]) + ")"),
        max_heading=int(d["max_heading_chars"]),
        max_unnumbered=int(d["max_unnumbered_heading_chars"]),
        max_lead=int(d["max_lead_chars"]),
        min_lead=int(d["min_lead_chars"]),
        lead_not_starting=tuple(d["lead_not_starting"]),
        closing_starts=tuple(d["closing"]["starts"]),
        closing_words=tuple(d["closing"]["words"]),
        max_closing_chars=int(d["closing"]["max_chars"]),
        titled_times=re.compile(h["titled_part_times"]),
        titled_topics=tuple(h["titled_part_topics"]),
        titled_not=tuple(h["titled_part_not"]),
        government_part=re.compile(h["government_part"]),
    )


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end), end after the closing 。！？；; newlines always split.

    >>> t = "做强能源产业。力争“上半年建成；年底投产。”并网；\\n加快建设"
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['做强能源产业。', '力争“上半年建成；年底投产。”并网；', '加快建设']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    depth = 0
    for m in _SENT_MARK.finditer(text):
        ch = m.group()
        pos = m.start()
        if ch == "\n":
            _push(text, spans, start, pos)
            start, depth = pos + 1, 0
        elif ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0:
            _push(text, spans, start, pos + 1)
            start = pos + 1
    _push(text, spans, start, len(text))
    return spans


def _push(text: str, spans: list[tuple[int, int]], start: int, end: int) -> None:
    while start < end and text[start] in " \t\u3000\r":
        start += 1
    while end > start and text[end - 1] in " \t\u3000\r":
        end -= 1
    if end > start:
        spans.append((start, end))


@dataclass
class _Head:
    start: int
    level: int
    number: str
    title: str
    kind: PartKind | None


def _marker_kind(title: str, markers: dict[str, list[str]]) -> PartKind | None:
    for kind in _KINDS:
        if any(w in title for w in markers.get(kind, ())):
            return kind
    return None


def _part_kind(title: str, year: int | None) -> PartKind | None:
    markers = _rules().part_markers
    kind = _marker_kind(title, markers)
    if kind == "plan" and all(w in _PAST_PLAN_WORDS for w in markers["plan"] if w in title):
        years = [int(y) for y in _YEAR_RE.findall(title.translate(_FULLWIDTH))]
        if years and year is not None and max(years) < year:
            return "review"  # 1996年…取得显著成绩，实施“九五”计划开局良好: last year's plan
    if kind is not None:
        return kind
    m = _YEAR_RE.search(title.translate(_FULLWIDTH)) or _TITLE_END_YEAR_RE.search(title)
    if m and year is not None:
        return "review" if int(m[1]) < year else "plan"
    return None


def _opens_closing(line: str, starts: tuple[str, ...]) -> bool:
    """各位代表，让我们… — or a line of verse first: "年年后浪推前浪，江草江花处处鲜。各位代表，…"."""
    if line.startswith(starts):
        return True
    m = _VERSE.match(line)
    return m is not None and line.startswith(starts, m.end())


def _titled_part(line: str, r: _Rules) -> bool:
    """A line on its own that titles a part in words: a year, another time with a line of work, or
    the government's own part (``headings.yaml``'s ``titled_part_*`` and ``government_part``)."""
    if not 4 <= len(line) <= r.max_unnumbered or _TITLE_STOPS.search(line):
        return False
    if any(w in line for w in r.titled_not):
        return False
    if r.government_part.fullmatch(line):
        return True
    if _TITLE_YEAR_RE.search(line):
        return True  # 2014年加快全面建成小康社会进程: a year names the part's time, its kind follows
    return r.titled_times.search(line) is not None and any(w in line for w in r.titled_topics)


def _heading_title(body: str, limit: int) -> str:
    """The heading text of a line: up to its first 。 and at most ``limit`` characters."""
    cut = body.find("。")
    if cut != -1:
        body = body[:cut]
    return body.strip()[:limit]


def _scan(text: str) -> list[_Head]:
    """Find every heading line and lead sentence in document order."""
    r = _rules()
    heads: list[_Head] = []
    part_no = 0
    sec_no = 0
    has_paren = False
    closed = False  # after an appendix or a site's trailer no numbered part starts
    in_titled = False  # the current part was opened by a line of words, not a number
    lead_stop = r.lead_not_starting
    other_words = tuple(r.part_markers["other"])
    closing: tuple[int, int] | None = None  # (offset, heads so far) of the last 各位代表 paragraph
    for m in _LINE.finditer(text):
        raw = m.group()
        line = raw.lstrip(" \t\u3000#*")  # Markdown: "## 一、…", "**一、2023年工作回顾**"
        if not line:
            continue
        off = m.start() + len(raw) - len(line)
        line = line.rstrip().rstrip("*").rstrip()
        if _opens_closing(line, r.closing_starts) and not closed:
            closing = (off, len(heads))
        pm = _PART_RE.match(line) or _PART_WORD_RE.match(line)
        if pm and pm[2]:
            n = cn_number(pm[1])
            body = pm[2]
            inner = body.rstrip("。")
            if (
                len(body) <= r.max_heading
                and "。" not in inner
                and (n == part_no + 1 or (part_no == 0 and n <= 3))
                and not closed
            ):
                part_no, sec_no, has_paren = n, 0, False
                in_titled = False
                heads.append(_Head(off, 1, pm[1], _heading_title(body, r.max_heading), None))
                continue
            first, stop, rest = body.partition("。")
            if (
                in_titled
                and stop
                and rest.strip()
                and not has_paren
                and not closed
                and 0 < len(first) <= r.max_heading
                and (n == sec_no + 1 or (sec_no == 0 and n == 1))
            ):
                # under a part titled in words, "一、加快项目建设，努力扩大投资规模。把扩大投资…" is a
                # section whose heading is the first sentence and whose body follows on the line
                sec_no = n
                heads.append(_Head(off, 2, f"{pm[1]}、", first, None))
                continue
        short = line.rstrip("：:")
        if len(short) <= r.max_unnumbered and r.unnumbered.fullmatch(short):
            sec_no, has_paren, in_titled = 0, False, True
            closed = closed or any(w in short for w in other_words)
            heads.append(_Head(off, 1, "", short, None))
            continue
        if not closed and _titled_part(line, r):
            part_no, sec_no, has_paren, in_titled = 0, 0, False, True
            heads.append(_Head(off, 1, "", short, None))
            continue
        if _BOLD_YEAR_RE.fullmatch(raw.strip()) and len(line) <= r.max_unnumbered and not closed:
            # a bold line naming a year ("**2020年再出发征程任重道远**") opens a part: the numbered
            # parts after it count from 一 again
            part_no, sec_no, has_paren, in_titled = 0, 0, False, True
            heads.append(_Head(off, 1, "", line, None))
            continue
        if line.startswith(r.trailers) or (len(short) <= r.max_unnumbered and r.appendix.fullmatch(short)):
            closed = True
            heads.append(_Head(off, 1, "", line[:20], "other"))
            continue
        sm = _SECTION_RE.match(line)
        if sm:
            n = cn_number(sm[1])
            if n == sec_no + 1 or (sec_no == 0 and n == 1):
                sec_no, has_paren = n, True
                heads.append(_Head(off, 2, f"（{sm[1]}）", _heading_title(sm[2], r.max_heading), None))
                continue
        am = _ARABIC_RE.match(line)
        if am:
            if not has_paren:
                n = int(am[1])
                if n == sec_no + 1:
                    sec_no = n
                    heads.append(_Head(off, 2, f"{am[1]}.", _heading_title(am[2], r.max_heading), None))
                    continue
            else:
                heads.append(_Head(off, 3, f"{am[1]}.", _heading_title(am[2], r.max_lead * 2), None))
                continue
        om = _ORDINAL_LEAD_COMMA_RE.match(line)
        if om and len(om[2]) <= r.max_lead + 10 and not any(ch.isdigit() for ch in om[2]):
            # 一是大力推进结构调整，促进优势支柱产业升级。重点推进…: a lead of two clauses, its body after
            heads.append(_Head(off, 3, f"{om[1]}是", om[2].strip(), None))
            continue
        om = _ORDINAL_LEAD_RE.match(line)
        if om and len(om[2]) <= r.max_lead + 10:
            heads.append(_Head(off, 3, f"{om[1]}是", om[2].strip(), None))
            continue
        stop = _FIRST_STOP.search(line)
        if (
            stop
            and stop.group() == "。"
            and r.min_lead <= stop.start() <= r.max_lead
            and not line.startswith(lead_stop)
            and not _ORDINAL_START.match(line)  # 一、我们坚持稳中求进。…: a numbered line is no lead
        ):
            heads.append(_Head(off, 3, "", line[: stop.start()], None))
    if closing is not None:
        off, count = closing
        after = heads[count:]
        closing_end = next((h.start for h in after if h.level == 1), len(text))
        if not any(h.level == 2 and h.start < closing_end for h in after):
            tail = text[off:closing_end]
            if closing_end - off <= r.max_closing_chars and any(w in tail for w in r.closing_words):
                heads = [h for h in heads if not (off <= h.start < closing_end)]
                heads.insert(count, _Head(off, 1, "", "结束语", "other"))
    return heads


def segment(text: str, *, line_of: Callable[[int], int], year: int | None = None) -> list[Section]:
    """The report's tree: parts, sections and lead sentences with spans, parents and kinds.

    ``year`` is the plan year when the caller knows it (from the file name); else the text's.
    """
    r = _rules()
    year = year or detect_year(text, None)
    heads = _scan(text)
    first = heads[0].start if heads else len(text)
    if text[:first].strip(" \t\u3000\r\n#*"):  # not only the marks before a first heading
        lead = text[:first].lstrip()
        heads.insert(0, _Head(len(text[:first]) - len(lead), 1, "", "", None))
        preamble = True
    else:
        preamble = False
    if heads and heads[0].level != 1:
        heads.insert(0, _Head(0, 1, "", "", None))
        preamble = True

    sections: list[Section] = []
    stack: list[Section] = []
    counters: dict[str, int] = {}
    part_count = 0
    prev_part_kind: PartKind | None = None
    ends = _ends(heads, len(text))
    for i, h in enumerate(heads):
        while stack and stack[-1].level >= h.level:
            stack.pop()
        parent = stack[-1] if stack else None
        if h.level == 1:
            if i == 0 and preamble:
                sid = "0"
            else:
                part_count += 1
                sid = str(part_count)
            kind = h.kind or _part_kind(h.title, year)
            if kind is None:
                body = text[h.start : min(ends[i], h.start + 1500)]
                reviews = r.review_body.search(body) is not None
                if i == 0 and preamble:
                    kind = "review" if reviews else "other"
                elif prev_part_kind in ("review", "plan"):
                    kind = "plan"
                else:
                    kind = "review" if reviews or _mostly_past(body, year) else "plan"
            if not (i == 0 and preamble and kind == "other"):
                prev_part_kind = kind
        else:
            key = parent.id if parent else ""
            counters[key] = counters.get(key, 0) + 1
            sid = f"{key}.{counters[key]}" if key else str(counters[key])
            own = _marker_kind(h.title, r.child_markers)
            if own is None and h.level == 2 and parent is not None and parent.id == "0":
                # sections of a report without numbered parts (china-1985's （一）（二）) are
                # its parts: they get a kind the way parts do
                own = _part_kind(h.title, year)
                if own is None:
                    body = text[h.start : min(ends[i], h.start + 1500)]
                    if prev_part_kind in ("review", "plan"):
                        own = "plan"
                    elif r.review_body.search(body):
                        own = "review"
                if own is not None:
                    prev_part_kind = own
            kind = own or (parent.part_kind if parent else "other")
        sec = Section(
            id=sid,
            level=h.level,
            number=h.number,
            title=h.title,
            part_kind=kind,
            start=h.start,
            end=ends[i],
            line=line_of(h.start),
            parent=parent.id if parent else None,
        )
        sections.append(sec)
        stack.append(sec)
    return sections


def _mostly_past(body: str, year: int | None) -> bool:
    """Whether a part's opening names years before the plan year more often than the plan year
    and after ("2021年，全州地区生产总值…" in a first part titled 攻坚克难、砥砺奋进)."""
    if year is None:
        return False
    years = [int(y) for y in _YEAR_RE.findall(body.translate(_FULLWIDTH))]
    return sum(y < year for y in years) > sum(y >= year for y in years)


def _ends(heads: Sequence[_Head], size: int) -> list[int]:
    """Each node ends where the next node of the same or a higher level begins."""
    ends = [size] * len(heads)
    open_: list[int] = []  # indices of nodes still open, levels increasing
    for i, h in enumerate(heads):
        while open_ and heads[open_[-1]].level >= h.level:
            ends[open_.pop()] = h.start
        open_.append(i)
    return ends


class SectionIndex:
    """Fast deepest-section lookups over a fixed list of sections (sorted by start)."""

    def __init__(self, sections: Sequence[Section]) -> None:
        self.sections = sorted(sections, key=lambda s: (s.start, s.level))
        self.starts = [s.start for s in self.sections]
        self.by_id = {s.id: s for s in self.sections}

    def at(self, offset: int) -> Section | None:
        """The deepest section whose span holds ``offset``."""
        i = bisect.bisect_right(self.starts, offset) - 1
        if i < 0:
            return None
        node: Section | None = self.sections[i]
        while node is not None and not (node.start <= offset < node.end):
            node = self.by_id.get(node.parent) if node.parent else None
        return node


def part_at(sections: Sequence[Section], offset: int) -> Section | None:
    """The deepest section containing ``offset`` (None before the first or past the end)."""
    return SectionIndex(sections).at(offset)


def kind_at(sections: Sequence[Section], offset: int) -> PartKind:
    """The part kind at ``offset``; "other" outside every section."""
    sec = part_at(sections, offset)
    return sec.part_kind if sec else "other"


@lru_cache(maxsize=1)
def _openers() -> tuple[tuple[str, ...], tuple[str, ...]]:
    openers = load_yaml("structure.yaml").get("paragraph_kind_openers", {})
    return tuple(openers.get("review", ())), tuple(openers.get("plan", ()))


def paragraph_kinds(text: str, sections: Sequence[Section]) -> list[tuple[int, int, PartKind]]:
    """Paragraphs that say, in their first words, which time they speak of: (start, end, kind).

    A part on "十四五时期发展成就和十五五时期目标" mixes a look back and a look ahead; so can a plan
    part that opens with "过去五年…". A paragraph opening with a review word (这五年, 一年来) is
    review whatever its part, one opening with a plan word (今年, 新的一年) is plan; others follow
    their part (``kind_at``).
    """
    review, plan = _openers()
    out: list[tuple[int, int, PartKind]] = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        head = line.lstrip("\u3000 \u2014-")[:8]
        if head.startswith(review):
            out.append((start, end, "review"))
        elif head.startswith(plan):
            out.append((start, end, "plan"))
        start = end + 1
    return out
