"""Clean a decoded report: the text the rest of the reader works on, and where it came from.

Owns the cleaning of scraped or converted work reports: newspaper continuation marks,
running headers inside a sentence, words broken across lines, passages spliced in twice,
web page chrome, full-width digits and letters, and stray whitespace. Every change is a
deletion or a one-for-one character substitution, so each character of the cleaned text
keeps the offset it had in the original; ``Cleaned.line_of`` turns a cleaned offset into
the 1-based line of the original text. The patterns live in ``lexicon/clean.yaml``.

>>> c = clean("(上接第一版)全年新增企业37家,战略性新兴产业培\\n\\n育任务仍然迫切。")
>>> c.text
'全年新增企业37家,战略性新兴产业培育任务仍然迫切。'
>>> c.line_of(c.text.index("育"))
3
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from itertools import accumulate

from duban.reading.lexicon_file import load_yaml
from duban.reading.offsets import Buffer, Cleaned

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = "，。、；：！？“”‘’（）《》〈〉【】—…·"
# a line that ends with one of these ends mid-sentence
_OPEN_END = f"[{CJK}A-Za-z0-9，,、（(“‘《〈「『—\\-]"
_OPEN_END_RE = re.compile(_OPEN_END)
_STARTS_CLOSED = re.compile(r"[，,。.、；;：:！!？?）)”’》〉」』%]")
_NEWLINES = re.compile(r"\r\n|\r|\n")
_LONE_CR = re.compile(r"\r(?!\n)")
_CR_BEFORE_LF = re.compile(r"\r(?=\n)")
_INVISIBLE = re.compile("[\ufeff\u200b-\u200d\u2060\u00ad\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")
_SPACE_LIKE = re.compile("[\t\u00a0\u2002-\u200a\u202f\u205f\u3000]")
_FULL_WIDTH = re.compile("[０-９Ａ-Ｚａ-ｚ％．／]")
_SPACES = re.compile(" +")
_LATIN_AFTER_DIGITS = re.compile(r"[\d.]+[A-Za-z]")  # 5G, 3D: a Latin token keeps its space
# a scan's decimal point read as 。: "增长12。2%", "241。7亿元" (not "全省第2。188个行政村" nor "1/4。10家")
_DECIMAL_STOP = re.compile(r"(?<![\d.第/])(\d{1,6})。(\d{1,3})(?=[%亿万千元个吨斤亩人户家项所座倍])")
_BLANK_RUN = re.compile(r"\n\n(\n+)")
_NOT_CJK = re.compile(f"[^{CJK}]+")
_SCRAPER_KEY = re.compile(r"#+\s*[A-Za-z_ ]{1,20}[:：]")
_SCRAPER_TITLE = re.compile(r"#+\s*")
_CLAUSE = re.compile(r"[^，,。；;！？!?：:\n]*[，,。；;！？!?：:\n]|[^，,。；;！？!?：:\n]+")
_TITLE_END = re.compile(r"(?:报告|報告|会议上|會議上|讲话|講話)$")
_SENTENCE_PUNCT = re.compile(r"[。！？；!?;]")

PROSE_CJK = 40  # a line with this many CJK characters is report prose, not page chrome
CHROME_MAX = 80  # chrome lines are shorter than this
NEAR_GAP = 200  # a repeat starting within this many characters of its first copy is a splice
FAR_RUN = 120  # a repeat this long is a splice wherever it is
DUP_MIN = 30  # shorter repeats are left alone
TITLE_MAX = 30  # a line this short without a comma or a stop, a blank line after it, is a title


@dataclass(frozen=True)
class _Lexicon:
    continuation: re.Pattern[str]
    header_inside: re.Pattern[str]
    header_anywhere: re.Pattern[str]
    chrome_anywhere: re.Pattern[str]
    chrome_edges: re.Pattern[str]
    chrome_label: re.Pattern[str]
    breadcrumb: re.Pattern[str]
    page_end: re.Pattern[str]
    chrome_paragraph: re.Pattern[str]
    chrome_hint: re.Pattern[str]
    heading: re.Pattern[str]


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


@cache
def lexicon() -> _Lexicon:
    """The cleaning patterns from lexicon/clean.yaml, compiled once."""
    raw = load_yaml("clean.yaml")
    return _Lexicon(
        continuation=re.compile(raw["continuation_mark"]),
        header_inside=_alternation(raw["running_header"]["inside_sentence"]),
        header_anywhere=_alternation(raw["running_header"]["anywhere"]),
        chrome_anywhere=_alternation(raw["chrome_anywhere"]),
        chrome_edges=_alternation(raw["chrome_edges"]),
        chrome_label=re.compile(raw["chrome_label"]),
        breadcrumb=re.compile(raw["breadcrumb"]),
        page_end=_alternation(raw["page_end"]),
        chrome_paragraph=_alternation(raw["chrome_paragraph"]["patterns"]),
        chrome_hint=re.compile(raw["chrome_paragraph"]["hint"]),
        heading=_alternation(raw["heading"]),
    )


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line, end excluding the newline."""
    out = []
    pos = 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _normalize(buf: Buffer) -> None:
    """Line breaks to \\n, invisible and control characters out, odd spaces to plain spaces."""
    buf.substitute(_LONE_CR.sub("\n", buf.text))
    buf.delete([(m.start(), m.end()) for m in _CR_BEFORE_LF.finditer(buf.text)])
    spans = [(m.start(), m.end()) for m in _INVISIBLE.finditer(buf.text)]
    if spans:
        buf.note("whitespace", spans[0][0], "", f"删除不可见字符或控制字符{sum(e - s for s, e in spans)}个")
        buf.delete(spans)
    buf.substitute(_SPACE_LIKE.sub(" ", buf.text))


_FRONT_MATTER = re.compile(r"\A---\n((?:[A-Za-z_]+:[^\n]*\n){1,12})---\n")
_FRONT_LINE = re.compile(r"^([A-Za-z_]+:[ \t]*)[^\n]*\n?", re.M)
_BOLD = re.compile(r"(\*\*)([^\n*]{1,300}?)\*\*")


def _markdown(buf: Buffer) -> None:
    """Markdown as published: front matter's fences and keys out, "**一、…**" bold marks out."""
    spans: list[tuple[int, int]] = []
    if fm := _FRONT_MATTER.match(buf.text):  # keep the title's words, drop the rest (source: URL …)
        spans += [(0, 4), (fm.end(1), fm.end())]
        for k in _FRONT_LINE.finditer(fm.group(1)):
            a, b = fm.start(1) + k.start(), fm.start(1) + k.end()
            spans.append((a, a + len(k.group(1))) if k.group(1).startswith("title:") else (a, b))
    for m in _BOLD.finditer(buf.text):  # **一、2023年工作回顾**, **（一）…。**正文
        spans += [(m.start(1), m.end(1)), (m.end(2), m.end(2) + 2)]
    if spans:
        buf.note("page_chrome", spans[0][0], "**", "删除 Markdown 标记（文首元数据、加粗标题）")
        buf.delete(spans)


_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,6}|#x[0-9a-fA-F]{2,5});")


def _entities(buf: Buffer) -> None:
    """HTML entities a scrape left in the text (6&permil;, &mdash;) to their characters."""
    found = [(m, html.unescape(m.group())) for m in _ENTITY.finditer(buf.text)]
    found = [(m, c) for m, c in found if len(c) == 1]  # a known entity: one character
    if not found:
        return
    buf.note("punctuation", found[0][0].start(), found[0][0].group(), f"HTML 实体改为字符，共{len(found)}处")
    text = list(buf.text)
    for m, c in found:
        text[m.start()] = c
    buf.substitute("".join(text))
    buf.delete([(m.start() + 1, m.end()) for m, _ in found])


_GROUPED = re.compile(r"(?<![\d.])\d{1,3}(?: \d{3})+(?![\d.])")


def _digit_groups(buf: Buffer) -> None:
    """Thousands set apart by spaces (38 103套, 1 029亿元) written as one number."""
    found = list(_GROUPED.finditer(buf.text))
    if not found:
        return
    buf.note("punctuation", found[0].start(), found[0].group(), f"数字中的千位空格删除，共{len(found)}处")
    buf.delete(
        [(m.start() + i, m.start() + i + 1) for m in found for i, ch in enumerate(m.group()) if ch == " "]
    )


def _half_width(buf: Buffer) -> None:
    """Full-width digits, letters, ％, ． and ／ to half-width; commas and brackets stay."""
    _substitute_all(
        buf, _FULL_WIDTH, lambda m: chr(ord(m.group()) - 0xFEE0), "全角数字、字母和符号改为半角，共{}处"
    )


def _decimal_stops(buf: Buffer) -> None:
    """A decimal point scanned as 。 between digits, before a unit, back to a point."""
    _substitute_all(buf, _DECIMAL_STOP, lambda m: f"{m[1]}.{m[2]}", "数字中误作句号的小数点改为“.”，共{}处")


def _substitute_all(
    buf: Buffer, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str], detail: str
) -> None:
    """One-for-one character substitutions of every match, noted once with their count."""
    first = pattern.search(buf.text)
    if first is None:
        return
    count = len(pattern.findall(buf.text))
    buf.note("punctuation", first.start(), first.group(), detail.format(count))
    buf.substitute(pattern.sub(repl, buf.text))


def _continuation_marks(buf: Buffer) -> None:
    spans = []
    for m in lexicon().continuation.finditer(buf.text):
        buf.note("continuation_mark", m.start(), m.group(), "删除报纸转版标记")
        spans.append((m.start(), m.end()))
    buf.delete(spans)


def _cjk_count(s: str, limit: int = 200) -> int:
    """Chinese characters among the first limit characters of s."""
    return len(_NOT_CJK.sub("", s[:limit]))


def _head_end(texts: list[str]) -> int:
    """Index of the first line of report prose: the page head is what comes before it."""
    for i, t in enumerate(texts):
        if t.startswith("各位代表") or _cjk_count(t) >= PROSE_CJK:
            return i
    return 0


def _is_heading(s: str) -> bool:
    return bool(lexicon().heading.match(s)) and len(s) <= 60 and "。" not in s[:-1]


def _page_lines(buf: Buffer) -> None:
    """Scraper headers, page chrome and running headers that stand on lines of their own."""
    lex = lexicon()
    lines = _lines(buf.text)
    texts = [buf.text[s:e].strip(" ") for s, e in lines]
    spans: list[tuple[int, int]] = []
    removed = [False] * len(lines)

    def drop(i: int, kind: str, detail: str) -> None:
        s, e = lines[i]
        removed[i] = True
        buf.note(kind, s, texts[i], detail)
        spans.append((s, e + 1))

    # the scraper's own header block: "# title", "# source: …"
    for i, t in enumerate(texts):
        if not t:
            continue
        if not t.startswith("#"):
            break
        if _SCRAPER_KEY.match(t):
            drop(i, "page_chrome", "删除抓取工具写入的文件头")
        else:
            m = _SCRAPER_TITLE.match(buf.text, lines[i][0])
            if m:
                buf.note("page_chrome", m.start(), m.group(), "删除标题前的抓取标记")
                spans.append((m.start(), m.end()))

    head_end = _head_end(texts)
    prose = [i for i, t in enumerate(texts) if _cjk_count(t) >= PROSE_CJK]
    tail_start = prose[-1] + 1 if prose else len(lines)
    page_end = next((i for i in range(tail_start, len(lines)) if lex.page_end.fullmatch(texts[i])), None)
    if page_end is not None:
        for i in range(page_end, len(lines)):
            if texts[i]:
                drop(i, "page_chrome", "删除网页正文之后的页面内容")

    def neighbour(i: int, step: int) -> int | None:
        j = i + step
        while 0 <= j < len(lines):
            if texts[j] and not removed[j]:
                return j
            j += step
        return None

    for i, t in enumerate(texts):
        if not t or removed[i] or len(t) > CHROME_MAX:
            continue
        at_edge = i < head_end or i >= tail_start
        if lex.chrome_anywhere.fullmatch(t) or lex.breadcrumb.fullmatch(t):
            drop(i, "page_chrome", "删除网页上的按钮、导航或版权行")
        elif lex.header_anywhere.fullmatch(t):
            drop(i, "running_header", "删除报纸版面的页眉行")
        elif at_edge and lex.chrome_label.fullmatch(t):
            drop(i, "page_chrome", "删除网页页头或页尾的杂项")
            j = neighbour(i, 1)
            if (
                j is not None
                and j < head_end
                and len(texts[j]) <= 30
                and not _SENTENCE_PUNCT.search(texts[j])
            ):
                drop(j, "page_chrome", "删除网页页头或页尾的杂项")
        elif at_edge and lex.chrome_edges.fullmatch(t):
            drop(i, "page_chrome", "删除网页页头或页尾的杂项")
        elif at_edge and len(t) <= 20 and not _SENTENCE_PUNCT.search(t) and _between_crumbs(texts, i):
            drop(i, "page_chrome", "删除网页导航路径")
        elif lex.header_inside.fullmatch(t):
            p, n = neighbour(i, -1), neighbour(i, 1)
            inside = (
                p is not None
                and n is not None
                and i > head_end
                and _OPEN_END_RE.fullmatch(texts[p][-1]) is not None
                and not _is_heading(texts[n])
                and not _is_heading(texts[p])
                and _cjk_count(texts[p]) >= PROSE_CJK
            )
            if inside:
                drop(i, "running_header", "删除插在句子中间的页眉")
    buf.delete(spans)


def _between_crumbs(texts: list[str], i: int) -> bool:
    """A breadcrumb item: a short line with a lone > just before or after it."""
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(texts) and not texts[j]:
            j += step
        if 0 <= j < len(texts) and re.fullmatch(r"[>›»＞/]", texts[j]):
            return True
    return False


def _cjkish(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or ch in _CJK_PUNCT


def _whitespace(buf: Buffer, *, final: bool = False) -> None:
    """Spaces at line ends and starts, between Chinese characters and beside digits in Chinese text
    out; blank-line runs to one."""
    text = buf.text
    spans: list[tuple[int, int]] = []
    counts = {"行尾空格": 0, "行首空格": 0, "汉字间空格": 0, "数字旁空格": 0, "多余空行": 0}
    for m in _SPACES.finditer(text):
        s, e = m.span()
        before = text[s - 1] if s else "\n"
        after = text[e] if e < len(text) else "\n"
        if after == "\n":
            counts["行尾空格"] += 1
        elif before == "\n":
            counts["行首空格"] += 1
        elif _cjkish(before) and _cjkish(after):
            counts["汉字间空格"] += 1
        elif (before.isdigit() and (after.isdigit() or after in "%‰" or _cjkish(after))) or (
            _cjkish(before) and after.isdigit() and not _LATIN_AFTER_DIGITS.match(text, e)
        ):
            counts["数字旁空格"] += 1  # a scan's "增长 1 1 %", "控制在 8 ‰以内"
        else:
            continue
        spans.append((s, e))
    buf.delete(spans)
    blank = [(m.start(1), m.end(1)) for m in _BLANK_RUN.finditer(buf.text)]
    lead = len(buf.text) - len(buf.text.lstrip("\n"))
    trail = len(buf.text) - len(buf.text.rstrip("\n"))
    if lead:
        blank.append((0, lead))
    if trail and trail < len(buf.text):
        blank.append((len(buf.text) - trail, len(buf.text)))
    counts["多余空行"] = len(blank)
    if (spans or blank) and not final:
        detail = "，".join(f"{k}{v}处" for k, v in counts.items() if v)
        first = spans[0][0] if spans else blank[0][0]
        buf.note("whitespace", first, "", f"整理空白：{detail}")
    buf.delete(_merge(blank))


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _join_broken_lines(buf: Buffer) -> None:
    """Join a line that stops mid-sentence to the line that carries the sentence on."""
    lines = _lines(buf.text)
    texts = [buf.text[s:e] for s, e in lines]
    spans = []
    head_end = _head_end(texts)
    continued = False  # the current line carries on a sentence from the line before
    i = 0
    while i < len(lines):
        t = texts[i]
        j = i + 1
        if j < len(lines) and not texts[j] and j + 1 < len(lines):
            j += 1  # one blank line between the halves
        if not t or j >= len(lines) or not texts[j]:
            continued = False
            i += 1
            continue
        n = texts[j]
        closed_start = bool(_STARTS_CLOSED.match(n))
        join = False
        if closed_start:
            join = not _is_heading(t)
        elif _OPEN_END_RE.fullmatch(t[-1]) and not _is_heading(t) and not _is_heading(n) and i >= head_end:
            starts_para = not continued
            title_like = (
                len(t) < 15
                or (len(t) < PROSE_CJK and not re.search("[，,、]", t))
                or (
                    j == i + 2 and len(t) <= TITLE_MAX and not re.search("[，,。；;]", t)
                )  # a blank line after
                or bool(_TITLE_END.search(t))
                or bool(lexicon().header_inside.fullmatch(t))
            )
            join = not (starts_para and title_like) or t[-1] in "，,、"
        if join:
            spans.append((lines[i][1], lines[j][0]))
            buf.note("broken_word", lines[i][1], t[-4:] + "⏎" + n[:4], "合并被断行拆开的句子")
        continued = join
        i = j
    buf.delete(spans)


def _chrome_paragraphs(buf: Buffer) -> None:
    """Paragraphs that are a site's licence or copyright text, once broken lines are joined."""
    lex = lexicon()
    if not lex.chrome_hint.search(buf.text):
        return
    spans = []
    pos = 0
    for block in buf.text.split("\n\n"):
        if len(block) <= 500 and lex.chrome_paragraph.fullmatch(block.replace("\n", "")):
            buf.note("page_chrome", pos, block, "删除网页的版权或许可说明")
            spans.append((pos, pos + len(block)))
        elif lex.chrome_hint.search(block):
            for s, e in _lines(block):
                t = block[s:e]
                if t and len(t) <= 500 and lex.chrome_paragraph.fullmatch(t):
                    buf.note("page_chrome", pos + s, t, "删除网页的版权或许可说明")
                    spans.append((pos + s, pos + e))
        pos += len(block) + 2
    buf.delete(spans)


def _bigrams(s: str) -> set[str]:
    return {s[k : k + 2] for k in range(len(s) - 1)}


def _fit(text: str, start: int, end: int) -> float:
    """How well text[start:end] fits the paragraph around it (share of shared bigrams)."""
    p0 = text.rfind("\n", 0, start) + 1
    p1 = text.find("\n", end)
    p1 = len(text) if p1 < 0 else p1
    context = _bigrams(text[p0:start]) | _bigrams(text[end:p1])
    own = _bigrams(text[start:end])
    return len(own & context) / len(own) if own else 0.0


def _duplicates(buf: Buffer) -> None:
    """Drop a run of clauses of DUP_MIN+ characters that the scrape spliced in a second time."""
    text = buf.text
    pieces = _CLAUSE.findall(text)
    keys = [p.strip() for p in pieces]
    counts = Counter(keys)
    repeated = [i for i, key in enumerate(keys) if counts[key] > 1 and len(key) >= 6]
    if not repeated:
        return
    ends = list(accumulate(map(len, pieces)))
    starts = [e - len(p) for p, e in zip(pieces, ends, strict=True)]
    seen: dict[str, list[int]] = {}
    spans: list[tuple[int, int]] = []
    resume = 0
    for i in repeated:
        if i < resume:
            continue
        key = keys[i]
        best = 0
        p = 0
        for p in reversed(seen.get(key, [])):
            k = 0
            while i + k < len(keys) and p + k < i and keys[p + k] == keys[i + k]:
                k += 1
            run = ends[i + k - 1] - starts[i]
            gap = starts[i] - ends[p + k - 1]
            if run >= DUP_MIN and (gap <= NEAR_GAP or (run >= FAR_RUN and k >= 3)):
                best = k
                break
        seen.setdefault(key, []).append(i)
        if not best:
            continue
        k = best
        first = (starts[p], ends[p + k - 1])
        second = (starts[i], ends[i + k - 1])
        drop, keep = second, first
        if second[0] - first[1] > NEAR_GAP and _fit(text, *first) < _fit(text, *second):
            drop, keep = first, second  # far apart: the copy that does not fit its paragraph is the splice
        line_start = text.rfind("\n", 0, drop[0]) + 1
        lead = drop[0] - line_start
        if 0 < lead <= 60 and text[line_start : drop[0]] == text[max(0, keep[0] - lead) : keep[0]]:
            drop = (line_start, drop[1])  # the repeat began mid-clause at the start of its line
        end = drop[1]
        if drop[0] > 0 and text[drop[0] - 1] != "\n":
            while end > drop[0] and text[end - 1] in "\n \t":
                end -= 1  # spliced in mid-line: keep the break after it, the next line may be a heading
        drop = (drop[0], end)
        spans.append(drop)
        buf.note(
            "duplicate_passage",
            drop[0],
            text[drop[0] : drop[1]],
            f"删除重复拼接的段落（与第{buf.line(keep[0])}行重复，共{drop[1] - drop[0]}字）",
        )
        for q in range(i + 1, i + k):
            seen.setdefault(keys[q], []).append(q)
        resume = i + k
    buf.delete(_merge(spans))


def clean(raw: str) -> Cleaned:
    """Clean a decoded report; every surviving character keeps its original line."""
    buf = Buffer(raw)
    _entities(buf)
    _normalize(buf)
    _markdown(buf)
    _half_width(buf)
    _digit_groups(buf)
    _decimal_stops(buf)
    _continuation_marks(buf)
    _page_lines(buf)
    _whitespace(buf)
    _join_broken_lines(buf)
    _chrome_paragraphs(buf)
    _duplicates(buf)
    _whitespace(buf, final=True)
    notes = sorted(buf.notes, key=lambda n: n.line)
    return Cleaned(text=buf.text, notes=notes, line_starts=buf.line_starts(), segments=buf.segments)
