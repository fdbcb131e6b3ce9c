"""The child process that reads one uploaded file (started by :mod:`duban.web.sandbox`; the
server never imports this module, so it imports nothing of ``duban.web``).

It reads a job (a pickled dict: kind, name, year, limits, the file's bytes) from standard input,
limits its own address space (``RLIMIT_AS``) and CPU time, counts the work the file asks for
before any parser builds it (paragraphs of a report, cells and rows of a workbook, pages of a
PDF) and refuses a file past the caps, then parses it and writes a pickled answer to standard
output: ``("ok", value)``, ``("refused", status, message)`` or ``("read_error", source, reason)``.
Out of memory it exits with :data:`MEMORY_EXIT`.
"""

from __future__ import annotations

import io
import pickle
import re
import resource
import sys
import zipfile
from collections.abc import Iterator
from typing import Any

MEMORY_EXIT = 3
PAGES_PER_PARAGRAPHS = 50
"""A PDF may have one page per this many paragraphs of the cap (5,000 paragraphs: 100 pages)."""

_PARAGRAPH = re.compile(rb"<(?:\w+:)?p[\s/>]")
_CELL = re.compile(rb"<(?:\w+:)?(?:c|row|si)[\s/>]")
_HTML_BLOCK = re.compile(rb"<(?:p|br|div|li|tr|td|h[1-6])[\s/>]", re.IGNORECASE)


class Refused(Exception):
    """A file the child will not read: an HTTP status (413/422) and a Chinese sentence naming it."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _chunks(stream: Any, size: int = 1 << 20) -> Iterator[bytes]:
    """The stream in pieces cut just before a ``<``, so no tag is split between two pieces."""
    carry = b""
    while block := stream.read(size):
        buf = carry + block
        cut = buf.rfind(b"<")
        if cut <= 0 or len(buf) - cut > 4096:
            carry, cut = b"", len(buf)
        else:
            carry = buf[cut:]
        yield buf[:cut]
    if carry:
        yield carry


def count_tags(stream: Any, pattern: re.Pattern[bytes], cap: int) -> int:
    """How many tags ``pattern`` finds in the stream, counting no further than past ``cap``.

    >>> count_tags(io.BytesIO(b"<w:p>a</w:p><w:p/><w:pPr/>" * 3), _PARAGRAPH, 100)
    6
    """
    n = 0
    for piece in _chunks(stream):
        n += len(pattern.findall(piece))
        if n > cap:
            break
    return n


def _zip_count(data: bytes, members: Any, pattern: re.Pattern[bytes], cap: int) -> int:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return 0  # the parser says what is wrong with it
    n = 0
    with zf:
        for info in zf.infolist():
            if members(info.filename):
                with zf.open(info) as stream:
                    n += count_tags(stream, pattern, cap - n)
                if n > cap:
                    break
    return n


def prescan(kind: str, data: bytes, name: str, max_cells: int, max_paragraphs: int) -> None:
    """Refuse (413) a file that asks for more work than the caps, counted on its raw bytes."""
    low = name.lower()
    if kind == "sheets":
        n = _zip_count(data, lambda m: m.startswith(("xl/worksheets/", "xl/sharedStrings")), _CELL, max_cells)
        if n > max_cells:
            raise Refused(413, f"{name}: 单元格超过 {max_cells} 个，内容过多，拒绝读取")
        return
    if data.startswith(b"PK\x03\x04") or low.endswith(".docx"):
        n = _zip_count(
            data, lambda m: m.startswith("word/") and m.endswith(".xml"), _PARAGRAPH, max_paragraphs
        )
    elif data.startswith(b"%PDF") or low.endswith(".pdf"):
        pages = max(1, max_paragraphs // PAGES_PER_PARAGRAPHS)
        n = _pdf_pages(data)
        if n > pages:
            raise Refused(413, f"{name}: 超过 {pages} 页，内容过多，拒绝读取")
        return
    elif low.endswith((".html", ".htm")):
        n = count_tags(io.BytesIO(data), _HTML_BLOCK, max_paragraphs)
    else:
        n = data.count(b"\n")
    if n > max_paragraphs:
        raise Refused(
            413, f"{name}: 段落超过 {max_paragraphs} 个，内容过多，拒绝读取（一份工作报告通常只有几百段）"
        )


def _pdf_pages(data: bytes) -> int:
    try:
        import pypdf

        return len(pypdf.PdfReader(io.BytesIO(data)).pages)
    except Exception:  # a broken PDF: the reader names the problem
        return 0


def _sheets(data: bytes, name: str) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Every worksheet's title and rows of values (row 1 the header), read in streaming mode."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        out = []
        for ws in wb.worksheets:
            ws.reset_dimensions()  # a forged dimension must not pad every row
            out.append((ws.title, [tuple(row) for row in ws.iter_rows(values_only=True)]))
        wb.close()
    except MemoryError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise Refused(422, f"{name}: 不是有效的 Excel 工作簿（{type(exc).__name__}）") from exc
    return out


def _out_of_memory(exc: BaseException) -> bool:
    while exc is not None:
        if isinstance(exc, MemoryError):
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


def work(job: dict[str, Any]) -> tuple[Any, ...]:
    """The answer to one job (see the module's docstring)."""
    kind, name, data = job["kind"], job["name"], job["data"]
    try:
        prescan(kind, data, name, job["max_cells"], job["max_paragraphs"])
        if kind == "sheets":
            return ("ok", _sheets(data, name))
        from duban.reading.api import read_report
        from duban.reading.model import ReadError

        try:
            return ("ok", read_report(data, job["year"], name=name))
        except ReadError as exc:
            if _out_of_memory(exc):
                raise MemoryError from exc
            return ("read_error", exc.source, exc.reason)
    except Refused as exc:
        return ("refused", exc.status, str(exc))


def _limit(memory_mb: int, seconds: float) -> None:
    mem = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    cpu = int(seconds) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main() -> int:
    """Read the job from stdin, answer on stdout; exit :data:`MEMORY_EXIT` when out of memory."""
    job = pickle.load(sys.stdin.buffer)
    _limit(job["memory_mb"], job["seconds"])
    try:
        answer = work(job)
        del job
        out = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        return MEMORY_EXIT
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
