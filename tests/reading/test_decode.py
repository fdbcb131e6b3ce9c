"""Decoding report files: encodings, Word, PDF, web pages, content sniffing and refusals."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

from duban.reading.clean import clean
from duban.reading.decode import Decoded, decode_bytes, decode_path
from duban.reading.model import ReadError

SAMPLE = (
    "大同市2023年政府工作报告\n"
    "各位代表：\n"
    "现在，我代表市人民政府向大会报告工作，请予审议，并请市政协委员和其他列席人员提出意见。\n"
    "一、2022年工作回顾\n"
    "全市地区生产总值增长4.4%，城镇新增就业5.21万人，空气质量综合指数同比下降3.1%。\n"
    "（一）坚持工业强市，推动现代化产业体系构建\n"
    "煤炭产量稳定在1.6亿吨以上；建成高标准农田20.8万亩。"
)
LINES = SAMPLE.split("\n")


ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "utf-16", "utf-16-le", "utf-16-be"]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_text_in_every_encoding_decodes_to_the_same_text(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(SAMPLE.encode(encoding))
    decoded = decode_path(path)
    assert decoded.text == SAMPLE
    assert decoded.source_format == "txt"
    assert decoded.encoding is not None


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("gbk", "gb18030"), ("utf-8-sig", "utf-8-sig"), ("utf-16-be", "utf-16-be")],
    ids=["utf-8", "gbk-as-gb18030", "bom", "utf-16-be-by-nuls"],
)
def test_encoding_names(encoding: str, expected: str) -> None:
    assert decode_bytes(SAMPLE.encode(encoding), name="a.txt").encoding == expected


def test_short_gb_text_is_not_taken_for_korean() -> None:
    """charset-normalizer calls short GB strings cp949; GB18030 is tried first."""
    text = "关于二〇二三年政府工作报告的决议全文"
    decoded = decode_bytes(text.encode("gbk"), name="short.txt")
    assert decoded.text == text
    assert decoded.encoding == "gb18030"


def test_gbk_only_characters_decode(tmp_path: Path) -> None:
    text = SAMPLE + "\n朱镕基同志、喆、堃、珺都在GBK而不在GB2312里。"
    path = tmp_path / "gbk.txt"
    path.write_bytes(text.encode("gbk"))
    assert decode_path(path).text == text


def make_docx(path: Path, *, paragraphs: list[str], table: list[list[str]] | None = None) -> None:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
        document.add_paragraph("表格之后的段落。")
    document.save(str(path))


def test_docx_paragraphs_in_order(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    make_docx(path, paragraphs=LINES)
    decoded = decode_path(path)
    assert decoded == Decoded(text=SAMPLE, source_format="docx", encoding=None)


def test_docx_table_cells_are_read_in_place(tmp_path: Path) -> None:
    path = tmp_path / "table.docx"
    make_docx(path, paragraphs=LINES, table=[["指标", "目标"], ["地区生产总值增长", "6.5%左右"]])
    text = decode_path(path).text
    assert text.startswith(SAMPLE + "\n")
    assert text.index("地区生产总值增长") < text.index("6.5%左右") < text.index("表格之后的段落。")


def make_pdf(path: Path, lines: list[str]) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path))
    c.setFont("STSong-Light", 11)
    y = 800
    for line in lines:
        c.drawString(40, y, line)
        y -= 18
    c.save()


def test_pdf_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    make_pdf(path, LINES)
    decoded = decode_path(path)
    assert decoded.source_format == "pdf"
    assert clean(decoded.text).text == SAMPLE


def test_scanned_pdf_without_text_layer_is_refused(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path))
    c.rect(50, 50, 400, 600, fill=1)
    c.save()
    with pytest.raises(ReadError) as err:
        decode_path(path)
    assert err.value.reason == "PDF 没有文字层（可能是扫描件），无法读取"
    assert "scan.pdf" in str(err.value)


PAGE = """<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>大同市人民政府 政府工作报告</title>
<style>.x {{ color: red }}</style>
<script>var note = "脚本里的中文不属于正文，不能出现在结果里";</script>
</head><body>
<header><div class="logo">大同市人民政府门户网站欢迎您</div></header>
<nav><a href="/">首页</a> &gt; <a href="/zw">政务公开</a> &gt; <a>政府工作报告</a></nav>
<div class="main">
  <aside><ul><li>热点新闻：全市冬季供暖工作会议召开</li><li>通知公告：关于春节假期安排的通知</li></ul></aside>
  <div class="article">
  {paragraphs}
  </div>
</div>
<footer><p>版权所有：大同市人民政府办公室 晋ICP备05001234号</p></footer>
</body></html>"""


def test_html_with_gb2312_meta_keeps_the_article(tmp_path: Path) -> None:
    text = SAMPLE + "\n朱镕基同志提出的要求，我们牢记在心。"  # 镕 is GBK, not GB2312
    html = PAGE.format(paragraphs="\n".join(f"<p>{line}</p>" for line in text.split("\n")))
    path = tmp_path / "report.html"
    path.write_bytes(html.encode("gbk"))
    decoded = decode_path(path)
    assert decoded.source_format == "html"
    assert decoded.encoding == "gb18030"
    assert decoded.text == text


def test_html_with_br_separated_paragraphs(tmp_path: Path) -> None:
    html = PAGE.format(paragraphs="<div>" + "<br/>".join(LINES) + "</div>")
    decoded = decode_bytes(html.encode("utf-8").replace(b"gb2312", b"utf-8"), name="page.htm")
    assert decoded.text == SAMPLE


def test_a_txt_that_is_really_a_docx_or_a_pdf_is_sniffed(tmp_path: Path) -> None:
    docx_path = tmp_path / "word.docx"
    make_docx(docx_path, paragraphs=LINES)
    pdf_path = tmp_path / "paper.pdf"
    make_pdf(pdf_path, LINES)
    as_docx = decode_bytes(docx_path.read_bytes(), name="renamed.txt")
    as_pdf = decode_bytes(pdf_path.read_bytes(), name="renamed.txt")
    assert (as_docx.source_format, as_docx.text) == ("docx", SAMPLE)
    assert as_pdf.source_format == "pdf"
    assert clean(as_pdf.text).text == SAMPLE


def test_a_txt_that_is_a_web_page_is_sniffed() -> None:
    html = (
        PAGE.format(paragraphs="".join(f"<p>{line}</p>" for line in LINES))
        .encode("utf-8")
        .replace(b"gb2312", b"utf-8")
    )
    decoded = decode_bytes(html, name="saved.txt")
    assert decoded.source_format == "html"
    assert decoded.text == SAMPLE


def corrupt_docx() -> bytes:
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("word/document.xml", "<w:document>这不是合法的XML")
        zf.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


BAD = [
    ("empty", "empty.txt", b""),
    ("only-spaces", "blank.txt", b" \n\r\n\t  \n"),
    ("random-bytes", "noise.txt", random.Random(7).randbytes(4096)),
    ("nuls", "nul.txt", b"\x00" * 1000),
    ("english", "english.txt", b"This is an English memo with no Chinese at all." * 20),
    ("too-little-chinese", "few.txt", ("报告" + "x" * 500).encode()),
    ("control-chars", "ctl.txt", ("政府工作报告" * 20 + "\x01\x02\x03\x04" * 20).encode()),
    ("bad-pdf", "broken.pdf", b"%PDF-1.4\n1 0 obj garbage"),
    ("pdf-suffix-no-header", "fake.pdf", "政府工作报告".encode() * 20),
    ("bad-docx-zip", "broken.docx", b"PK\x03\x04" + b"\x00" * 100),
    ("docx-suffix-not-zip", "fake.docx", "政府工作报告".encode() * 20),
    ("zip-not-docx", "archive.txt", b"PK\x05\x06" + b"\x00" * 18),
    ("corrupt-docx-xml", "corrupt.docx", corrupt_docx()),
    ("old-word", "old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500),
    ("bad-bom", "bom.txt", b"\xef\xbb\xbf" + b"\xff\xfe\xfd" * 20),
    ("empty-html", "page.html", b"<html><body><script>x=1</script></body></html>"),
]


@pytest.mark.parametrize(("name", "data"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_unreadable_input_raises_read_error_naming_the_file(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ReadError) as err:
        decode_path(path)
    assert str(err.value).startswith(f"{name}: ")
    assert err.value.source == name
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.value.reason)


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as err:
        decode_path(tmp_path / "nowhere.txt")
    assert "nowhere.txt" in str(err.value)
    assert "不存在" in err.value.reason


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "reports.txt"
    folder.mkdir()
    with pytest.raises(ReadError) as err:
        decode_path(folder)
    assert "reports.txt" in str(err.value)
    assert "文件夹" in err.value.reason
