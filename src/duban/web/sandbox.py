"""Uploaded files are parsed in a child process with limits, never in the server.

A report to read (txt/md/html/docx/pdf) and a 台账 workbook to import are handed to a fresh
Python process (``web/upload_child.py``, started with ``-P`` and without the ``DUBAN_*``
variables, so it holds no database address or secret key) that limits its own address space
(``upload_memory_mb``) and CPU time, refuses a file whose paragraphs or cells pass the caps
(``upload_max_paragraphs``, ``upload_max_cells``) before a parser builds them, and is killed past
``upload_seconds`` of wall time. The server waits in a worker thread and receives only the
result (a :class:`~duban.reading.model.Plan`, or a workbook's values), so a hostile file costs
the child, not the server. At most :data:`SLOTS` children run at once per server process.

The child is a resource limit, not a privilege boundary: it runs as the server's user.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from duban.config import Settings
from duban.reading.model import ReadError

CHILD = Path(__file__).resolve().with_name("upload_child.py")
_BOOT = "import runpy, sys; runpy.run_path(sys.argv[1], run_name='__main__')"
MEMORY_EXIT = 3  # upload_child.MEMORY_EXIT (the child is not imported here)
SLOTS = 2
_slots = threading.BoundedSemaphore(SLOTS)


@dataclass(frozen=True)
class Limits:
    """What one upload may cost: wall time, memory, and the work counted on its raw bytes."""

    seconds: float = 20.0
    memory_mb: int = 1024
    max_cells: int = 200_000
    max_paragraphs: int = 5_000

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        """The limits the settings give (``upload_seconds`` …)."""
        return cls(
            seconds=settings.upload_seconds,
            memory_mb=settings.upload_memory_mb,
            max_cells=settings.upload_max_cells,
            max_paragraphs=settings.upload_max_paragraphs,
        )


class UploadRefused(Exception):
    """An upload the child would not or could not read: an HTTP status and a Chinese sentence."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}


def run(*, kind: str, data: bytes, name: str, limits: Limits, year: int | None = None) -> Any:
    """The child's result for one file (``kind`` "report": a Plan; "sheets": [(title, rows)]).

    Raises :class:`UploadRefused` (413 past a limit, 422 unreadable, 503 when every slot is busy)
    and :class:`~duban.reading.model.ReadError` for a report the reader cannot read."""
    job = {
        "kind": kind,
        "name": name,
        "year": year,
        "data": data,
        "seconds": limits.seconds,
        "memory_mb": limits.memory_mb,
        "max_cells": limits.max_cells,
        "max_paragraphs": limits.max_paragraphs,
    }
    if not _slots.acquire(timeout=limits.seconds):
        raise UploadRefused(503, "正在读取的上传文件较多，请稍后再试")
    try:
        proc = subprocess.run(
            [sys.executable, "-P", "-c", _BOOT, str(CHILD)],
            input=pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL),
            capture_output=True,
            timeout=limits.seconds,
            env=_env(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise UploadRefused(
            413, f"{name}: 读取超过 {limits.seconds:g} 秒仍未完成（内容过多或结构异常），已停止读取"
        ) from None
    finally:
        _slots.release()
    return _answer(proc, name, limits)


def _answer(proc: subprocess.CompletedProcess[bytes], name: str, limits: Limits) -> Any:
    code = proc.returncode
    if code == MEMORY_EXIT or code == -signal.SIGKILL:
        raise UploadRefused(413, f"{name}: 读取所需内存超过 {limits.memory_mb} MB，拒绝读取")
    if code == -signal.SIGXCPU:
        raise UploadRefused(
            413, f"{name}: 读取超过 {limits.seconds:g} 秒仍未完成（内容过多或结构异常），已停止读取"
        )
    if code != 0 or not proc.stdout:
        raise UploadRefused(422, f"{name}: 无法读取（读取进程异常退出，代码 {code}）")
    answer = pickle.loads(proc.stdout)  # written by our own child above
    if answer[0] == "ok":
        return answer[1]
    if answer[0] == "read_error":
        raise ReadError(answer[1], answer[2])
    raise UploadRefused(int(answer[1]), str(answer[2]))
