"""Reading an uploaded report (txt/md/html/docx/pdf) with the reader, and what a person must confirm:
the cleaner's notes and the figures the reader flagged. Between preview and confirmation the
uploaded bytes wait in ``settings.upload_dir`` under a random token (a file, so every server
worker finds it; at most ``MAX_PENDING``, none older than ``MAX_AGE`` seconds); confirming reads
them again — the reader is deterministic, so the plan loaded is the one previewed. The reader
runs in a child process with time, memory and work limits (:mod:`duban.web.sandbox`).
"""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path, PurePath
from typing import Any

from duban.reading.model import Plan, ReadError
from duban.web import sandbox
from duban.web.errors import ApiError
from duban.web.schemas import FlaggedFigure, NoteView, UploadPreview

ALLOWED = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
MAX_BYTES = 20 * 1024 * 1024
MAX_PENDING = 20
MAX_AGE = 24 * 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


MAX_UNPACKED = 64 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 2000


def check_zip(data: bytes, name: str) -> None:
    """A .docx or .xlsx (a zip) whose unpacked size, member count or packing ratio is out of
    proportion to its size is refused with 413 before any reader opens it (a zip bomb).

    >>> import io, zipfile
    >>> buf = io.BytesIO()
    >>> with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    ...     z.writestr("word/document.xml", b"0" * 20_000_000)
    >>> check_zip(buf.getvalue(), "bomb.docx")
    Traceback (most recent call last):
    duban.web.errors.ApiError: 413: bomb.docx: 解压后过大（压缩比超过 100 倍），拒绝读取
    """
    import io
    import zipfile

    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ApiError(422, f"{name}: 不是有效的 docx/xlsx 文件（无法解压）", "file") from None
    if len(members) > MAX_MEMBERS:
        raise ApiError(413, f"{name}: 压缩包内文件过多（最多 {MAX_MEMBERS} 个）", "file")
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED:
        raise ApiError(413, f"{name}: 解压后超过 {MAX_UNPACKED // 1024 // 1024} MB，拒绝读取", "file")
    if unpacked > 1024 * 1024 and unpacked > MAX_RATIO * len(data):
        raise ApiError(413, f"{name}: 解压后过大（压缩比超过 {MAX_RATIO} 倍），拒绝读取", "file")


def read_upload(data: bytes, filename: str, year: int | None, limits: sandbox.Limits) -> Plan:
    """The plan of an uploaded file, read in a child process within ``limits``; a wrong type, an
    empty, too large, too costly or unreadable file is refused (413/422) by name."""
    name = PurePath(filename or "").name
    if not name:
        raise ApiError(422, "请选择要上传的报告文件", "file")
    if not name.lower().endswith(ALLOWED):
        raise ApiError(422, f"{name}: 只支持 txt、md、html、docx、pdf 文件", "file")
    if not data:
        raise ApiError(422, f"{name}: 文件是空的", "file")
    if len(data) > MAX_BYTES:
        raise ApiError(413, f"{name}: 文件超过 {MAX_BYTES // 1024 // 1024} MB", "file")
    if name.lower().endswith(".docx"):
        check_zip(data, name)
    if year is not None and not 1949 <= year <= 2100:
        raise ApiError(422, f"年份 {year} 无效", "year")
    return read_in_child(kind="report", data=data, name=name, limits=limits, year=year)


def read_in_child(
    *, kind: str, data: bytes, name: str, limits: sandbox.Limits, year: int | None = None
) -> Any:
    """What :func:`duban.web.sandbox.run` returns, its refusals as ``ApiError`` on the field ``file``."""
    try:
        return sandbox.run(kind=kind, data=data, name=name, limits=limits, year=year)
    except sandbox.UploadRefused as exc:
        headers = {"Retry-After": "5"} if exc.status == 503 else None
        raise ApiError(exc.status, str(exc), "file", headers=headers) from None
    except ReadError as exc:
        raise ApiError(422, str(exc), "file") from None


def preview(plan: Plan, token: str | None) -> UploadPreview:
    """What the reader found and what a person should check before loading."""
    return UploadPreview(
        token=token,
        file=plan.doc,
        title=plan.title,
        place=plan.place,
        year=plan.year,
        quantities=len(plan.quantities),
        targets=len(plan.targets),
        tasks=len(plan.tasks),
        headline=len(plan.headline_targets),
        notes=[NoteView(kind=n.kind, line=n.line, text=n.text, detail=n.detail) for n in plan.notes],
        flagged=[
            FlaggedFigure(
                metric=q.metric, value=q.value, unit=q.unit, quote=q.quote, line=q.line, flags=list(q.flags)
            )
            for q in plan.quantities
            if q.flags
        ],
    )


def keep(folder: Path, data: bytes, filename: str, year: int | None) -> str:
    """Keep an upload awaiting confirmation; returns its token. Old and surplus ones are dropped."""
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(16)
    (folder / f"{token}.bin").write_bytes(data)
    (folder / f"{token}.json").write_text(json.dumps({"filename": filename, "year": year}), encoding="utf-8")
    _prune(folder)
    return token


def _prune(folder: Path) -> None:
    kept = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    now = time.time()
    for n, meta in enumerate(kept):
        if n >= MAX_PENDING or now - meta.stat().st_mtime > MAX_AGE:
            meta.unlink(missing_ok=True)
            meta.with_suffix(".bin").unlink(missing_ok=True)


def take(folder: Path, token: str, limits: sandbox.Limits) -> Plan:
    """The plan of the upload kept under ``token`` (then forgotten), or a clear error."""
    meta = folder / f"{token}.json"
    if not _TOKEN.fullmatch(token) or not meta.is_file():
        raise ApiError(404, "上传预览已过期或不存在，请重新上传", "token")
    info = json.loads(meta.read_text(encoding="utf-8"))
    data = meta.with_suffix(".bin").read_bytes()
    meta.unlink(missing_ok=True)
    meta.with_suffix(".bin").unlink(missing_ok=True)
    return read_upload(data, info["filename"], info["year"], limits)
