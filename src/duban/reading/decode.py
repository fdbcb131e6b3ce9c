"""Turn a report file's bytes into text: plain text in any Chinese encoding, Word, PDF, web page.

Owns format sniffing (by content first, then by suffix), encoding detection (BOM, UTF-16 by
its NUL pattern, strict UTF-8, GB18030, then charset-normalizer), text extraction from .docx
(python-docx), .pdf (pdfplumber, falling back to pypdf) and .html (lxml, keeping the block
with the most Chinese text). Anything that cannot be read as a report raises
``ReadError(name, reason)`` with the reason in Chinese; no other exception escapes.

>>> decode_bytes("各位代表：现在，我代表市人民政府向大会报告工作。".encode("gb18030"), name="a.txt").encoding
'gb18030'
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from duban.reading.model import ReadError

MAX_BYTES = 100 * 1024 * 1024
MIN_CJK = 10  # fewer Chinese characters than this is not a report
MIN_CJK_SHARE = 0.2  # share of Chinese among the visible characters
MAX_CONTROL_SHARE = 0.01

_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")
_NOT_CJK = re.compile("[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_SPACES = re.compile(r"\s+")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta)\b", re.IGNORECASE | re.DOTALL
)
_GB_ALIASES = {
    "gb2312",
    "gbk",
    "gb_2312",
    "gb_2312-80",
    "x-gbk",
    "gb18030",
    "cp936",
    "euc-cn",
    "x-euc-cn",
    "hz-gb-2312",
}

_DROP_TAGS = [
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "aside",
    "noscript",
    "iframe",
    "form",
    "select",
    "button",
    "template",
    "svg",
]
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "table",
        "section",
        "article",
        "blockquote",
        "pre",
        "dd",
        "dt",
        "dl",
        "main",
        "center",
        "td",
        "th",
    ]
)
_PARA_TAGS = frozenset(["p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote"])
_INLINE_TAGS = frozenset(
    ["span", "font", "strong", "b", "a", "em", "i", "u", "sub", "sup", "small", "big", "label"]
)


@dataclass(frozen=True)
class Decoded:
    """A report file's text with what it was (txt, docx, pdf, html) and its text encoding."""

    text: str
    source_format: str
    encoding: str | None


def decode_path(path: Path) -> Decoded:
    """Read and decode a report file; a file that cannot be read raises ReadError naming it."""
    path = Path(path)
    name = path.name or str(path)
    try:
        if not path.exists():
            raise ReadError(name, f"文件不存在：{path}")
        if path.is_dir():
            raise ReadError(name, "这是一个文件夹，不是文件")
        if path.stat().st_size > MAX_BYTES:
            raise ReadError(name, f"文件太大（超过 {MAX_BYTES // 1024 // 1024} MB），不像一份工作报告")
        data = path.read_bytes()
    except ReadError:
        raise
    except PermissionError as exc:
        raise ReadError(name, "没有读取这个文件的权限") from exc
    except OSError as exc:
        raise ReadError(name, f"无法读取文件（{exc.strerror or type(exc).__name__}）") from exc
    return decode_bytes(data, name=name)


def decode_bytes(data: bytes, *, name: str) -> Decoded:
    """Decode a report's bytes; name (the file name) picks the format when content does not."""
    try:
        return _decode(data, name)
    except ReadError:
        raise
    except Exception as exc:  # a broken file must never surface as a traceback
        raise ReadError(name, f"无法读取文件内容（{type(exc).__name__}）") from exc


def _decode(data: bytes, name: str) -> Decoded:
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ReadError(name, "文件是空的")
    suffix = Path(name).suffix.lower()
    if data.startswith(b"%PDF") or (suffix == ".pdf" and b"%PDF" in data[:1024]):
        return Decoded(_check(_pdf_text(data, name), name), "pdf", None)
    if data.startswith(b"PK\x03\x04"):
        return Decoded(_check(_docx_text(data, name), name), "docx", None)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError(name, "这是旧版 Word（.doc）或其他 Office 二进制文件，请另存为 .docx 后再读")
    if suffix == ".pdf":
        raise ReadError(name, "PDF 文件已损坏（没有 PDF 文件头），无法读取")
    if suffix == ".docx":
        raise ReadError(name, "Word 文件已损坏（不是有效的 .docx 压缩包），无法读取")
    if suffix in {".html", ".htm", ".xhtml", ".shtml"} or _HTML_START.match(data[:4096]):
        text, encoding = _html_text(data, name)
        return Decoded(_check(text, name), "html", encoding)
    text, encoding = _text(data, name)
    return Decoded(_check(text, name), "txt", encoding)


def _cjk_count(text: str) -> int:
    return len(_NOT_CJK.sub("", text))


def _cjk_share(text: str) -> float:
    visible = len(_SPACES.sub("", text))
    return _cjk_count(text) / visible if visible else 0.0


def _check(text: str, name: str) -> str:
    """Refuse binary junk and text without enough Chinese to be a report."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise ReadError(name, "文件里没有文字")
    controls = len(_CONTROL.findall(text))
    if controls > max(2, MAX_CONTROL_SHARE * len(text)):
        raise ReadError(name, "内容不是可读的文本（控制字符或乱码过多，可能是二进制文件）")
    cjk = _cjk_count(text)
    if cjk < MIN_CJK or _cjk_share(text) < MIN_CJK_SHARE:
        raise ReadError(name, f"文件里中文太少（{cjk} 个汉字），不像一份工作报告")
    return text


def _utf16_by_nuls(data: bytes) -> str | None:
    """UTF-16 without a BOM: ASCII characters leave NULs on one side of each pair."""
    sample = data[:8192]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    nuls = even + odd
    if nuls < len(sample) * 0.02:
        return None
    if odd >= 0.9 * nuls:
        return "utf-16-le"
    if even >= 0.9 * nuls:
        return "utf-16-be"
    return None


def _text(data: bytes, name: str) -> tuple[str, str]:
    """Decode plain text: BOM, UTF-16 by NULs, strict UTF-8, GB18030, then charset-normalizer."""
    for bom, encoding in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding.replace("-sig", "")), encoding
            except UnicodeDecodeError as exc:
                raise ReadError(name, f"文件声明为 {encoding} 编码，但内容无法按此编码解码") from exc
    utf16 = _utf16_by_nuls(data)
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _cjk_share(text) >= 0.3:
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    for encoding in ("utf-16-le", "utf-16-be"):
        if len(data) % 2 == 0:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _cjk_share(text) >= 0.6 and not _CONTROL.search(text):
                return text, encoding
    return _detected(data, name)


def _detected(data: bytes, name: str) -> tuple[str, str]:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:
        best = None
    if best is None:
        raise ReadError(name, "无法识别文件的文字编码（可能不是文本文件）")
    encoding = str(best.encoding)
    text = str(best)
    try:
        gb = data.decode("gb18030")
        if _cjk_share(gb) >= _cjk_share(text):
            return gb, "gb18030"
    except UnicodeDecodeError:
        pass
    return text, encoding


# --- Word -------------------------------------------------------------------------------


def _docx_text(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ReadError(name, "Word 文件已损坏（压缩包无法打开），无法读取") from exc
    if "word/document.xml" not in names:
        raise ReadError(name, "这是一个压缩包，但不是 Word（.docx）文件")
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        _docx_blocks(document.element.body, document, lines)
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(name, "Word 文件已损坏，无法读取其中的文字") from exc
    return "\n".join(lines)


def _docx_blocks(container: Any, parent: Any, lines: list[str]) -> None:
    """Paragraphs and table cells in document order, one paragraph a line."""
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            lines.append(Paragraph(child, parent).text)
        elif child.tag == qn("w:tbl"):
            table = Table(child, parent)
            for row in table.rows:
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell repeats across the columns it spans
                        continue
                    seen.add(id(cell._tc))
                    _docx_blocks(cell._tc, cell, lines)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                _docx_blocks(content, parent, lines)


# --- PDF --------------------------------------------------------------------------------


def _pdf_text(data: bytes, name: str) -> str:
    for noisy in ("pdfminer", "pypdf"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    text: str | None = None
    try:
        import pdfplumber

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    except Exception:
        text = None
    if text is None or not text.strip():
        try:
            import pypdf

            reader = pypdf.PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                try:
                    reader.decrypt("")
                except Exception as exc:
                    raise ReadError(name, "PDF 文件已加密，无法读取") from exc
            fallback = "\n".join(page.extract_text() or "" for page in reader.pages)
            text = fallback if fallback.strip() or text is None else text
        except ReadError:
            raise
        except Exception as exc:
            if text is None:
                raise ReadError(name, "PDF 文件已损坏，无法打开") from exc
    if text is None:
        raise ReadError(name, "PDF 文件已损坏，无法打开")
    if not _CJK.search(text) and not re.search(r"\w", text):
        raise ReadError(name, "PDF 没有文字层（可能是扫描件），无法读取")
    return text


# --- web pages --------------------------------------------------------------------------


def _html_text(data: bytes, name: str) -> tuple[str, str]:
    text, encoding = _html_decode(data, name)
    import lxml.html
    from lxml import etree

    text = _XML_DECL.sub("", text, count=1)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ReadError(name, "网页内容为空或无法解析") from exc
    for el in root.iter(*_DROP_TAGS):
        if el.getparent() is not None:
            el.drop_tree()
    for el in root.iter(etree.Comment):
        if el.getparent() is not None:
            el.drop_tree()
    body = root.find("body")
    best = _article(root if body is None else body)
    return _block_text(best), encoding


def _html_decode(data: bytes, name: str) -> tuple[str, str]:
    """A page's text: BOM, then the charset its meta tag declares (GB names as GB18030)."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return _text(data, name)
    m = _META_CHARSET.search(data[:8192])
    if m:
        declared = m.group(1).decode("ascii", "replace").lower()
        encoding = "gb18030" if declared in _GB_ALIASES else declared
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            pass
    return _text(data, name)


def _cjk_len(s: str | None) -> int:
    return _cjk_count(s) if s else 0


def _article(body: Any) -> Any:
    """The element holding the article: the parent of the paragraphs with the most Chinese text."""
    scores: dict[Any, float] = {}
    for el in body.iter():
        if not isinstance(el.tag, str) or el.tag in _INLINE_TAGS:
            continue
        if el.tag in _PARA_TAGS:
            own = _cjk_len(el.text_content())
            target = el.getparent()
        else:
            own = _cjk_len(el.text) + sum(
                _cjk_len(c.tail) + (_cjk_len(c.text_content()) if c.tag in _INLINE_TAGS else 0) for c in el
            )
            target = el
        if not own or target is None:
            continue
        scores[target] = scores.get(target, 0) + own
        grand = target.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0) + 0.6 * own
    if not scores:
        return body
    return max(scores.items(), key=lambda kv: kv[1])[0]


def _block_text(el: Any) -> str:
    """An element's text with a line break around every block element."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        block = isinstance(node.tag, str) and node.tag in _BLOCK_TAGS
        if block:
            parts.append("\n")
        if node.text and isinstance(node.tag, str):
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(el)
    text = "".join(parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)
