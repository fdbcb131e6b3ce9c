"""Property tests for the reader's front end: whatever comes in, only ReadError comes out."""

from __future__ import annotations

import contextlib
from bisect import bisect_right

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duban.reading.clean import clean
from duban.reading.decode import decode_bytes
from duban.reading.model import ReadError

# pieces a report scrape is made of, so random texts hit every cleaning rule
FRAGMENTS = [
    "各位代表：",
    "政府工作报告",
    "2023年政府工作报告",
    "大同日报 2023年2月1日 第3版",
    "(上接第一版)",
    "（下转第四版）",
    "一、2023年工作任务",
    "（一）坚持工业强市",
    "全市地区生产总值增长６．５％左右，",
    "城镇新增就业4.5万人。",
    "战略性新兴产业培",
    "育任务仍然相当迫切；",
    "全市城镇新增就业5.21万人，农村劳动力转移就业3.18万人，超额完成全年目标任务。",
    "下载",
    "【字号：",
    "】",
    "来源：",
    "首页",
    ">",
    "# source: https://example.org",
    "【关闭窗口】",
    "版权所有 晋ICP备123号",
    "本作品是中华人民共和国的法律，属于公有领域。",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    " ",
    "\u3000",
    "\t",
    "\ufeff",
    "\x00",
    "，",
    "。",
]

report_like = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=60).map("".join)
any_text = st.one_of(st.text(), report_like)


def _check(raw: str) -> None:
    c = clean(raw)
    starts = [0]
    for i, ch in enumerate(raw):
        if ch == "\n" or (ch == "\r" and raw[i + 1 : i + 2] != "\n"):
            starts.append(i + 1)
    lines = len(starts)
    assert len(c.line_starts) == lines
    for offset in (-5, 0, len(c.text) // 2, len(c.text) - 1, len(c.text), len(c.text) + 10):
        assert 1 <= c.line_of(offset) <= lines
    for i, ch in enumerate(c.text):
        o = c.source_offset(i)
        assert 0 <= o < len(raw)
        assert c.line_of(i) == bisect_right(starts, o)
        same = raw[o] == ch or ord(raw[o]) - 0xFEE0 == ord(ch) or (ch == "\n" and raw[o] == "\r") or ch == " "
        assert same, (i, ch, raw[o])
    assert all(1 <= n.line <= lines for n in c.notes)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_text)
def test_clean_never_raises_and_maps_back_exactly(raw: str) -> None:
    _check(raw)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4000), st.sampled_from(["a.txt", "b.docx", "c.pdf", "d.html", "e", "f.htm"]))
def test_decode_random_bytes_raises_only_read_error(data: bytes, name: str) -> None:
    try:
        decoded = decode_bytes(data, name=name)
    except ReadError as err:
        assert err.source == name
        return
    _check(decoded.text)


@settings(max_examples=200, deadline=None)
@given(any_text, st.sampled_from(["utf-8", "gb18030", "utf-16", "utf-8-sig"]))
def test_decode_then_clean_on_encoded_report_like_text(raw: str, encoding: str) -> None:
    try:
        data = raw.encode(encoding)
    except UnicodeEncodeError:
        return
    try:
        decoded = decode_bytes(data, name="fuzz.txt")
    except ReadError:
        return
    _check(decoded.text)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_bytes_that_look_like_pdf_or_docx_raise_only_read_error(tail: bytes) -> None:
    for head, name in (
        (b"%PDF-1.7\n", "x.pdf"),
        (b"PK\x03\x04", "x.docx"),
        (b"<html><meta charset=gb2312>", "x.html"),
    ):
        with contextlib.suppress(ReadError):
            decode_bytes(head + tail, name=name)
