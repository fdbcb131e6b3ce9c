"""Reading an uploaded report (txt/docx/pdf) with the reader, and what a person must confirm:
the cleaner's notes and the figures the reader flagged. A preview is kept in memory under a
random token until it is confirmed (at most ``MAX_PENDING`` at a time).
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from pathlib import PurePath
from typing import Any

from duban.reading.model import Plan
from duban.web.errors import ApiError
from duban.web.schemas import FlaggedFigure, NoteView, UploadPreview

ALLOWED = (".txt", ".docx", ".pdf")
MAX_BYTES = 20 * 1024 * 1024
MAX_PENDING = 20


def read_upload(data: bytes, filename: str, year: int | None) -> Plan:
    """The plan of an uploaded file; a wrong type, an empty or too large file is refused by name."""
    import duban

    name = PurePath(filename or "").name
    if not name:
        raise ApiError(422, "请选择要上传的报告文件", "file")
    if not name.lower().endswith(ALLOWED):
        raise ApiError(422, f"{name}: 只支持 txt、docx、pdf 文件", "file")
    if not data:
        raise ApiError(422, f"{name}: 文件是空的", "file")
    if len(data) > MAX_BYTES:
        raise ApiError(413, f"{name}: 文件超过 {MAX_BYTES // 1024 // 1024} MB", "file")
    if year is not None and not 1949 <= year <= 2100:
        raise ApiError(422, f"年份 {year} 无效", "year")
    return duban.read_report(data, year, name=name)


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


def keep(pending: OrderedDict[str, Any], plan: Plan) -> str:
    """Store a plan awaiting confirmation; returns its token."""
    token = secrets.token_urlsafe(16)
    pending[token] = plan
    while len(pending) > MAX_PENDING:
        pending.popitem(last=False)
    return token


def take(pending: OrderedDict[str, Any], token: str) -> Plan:
    """The plan awaiting confirmation under ``token`` (removed), or a clear error."""
    plan = pending.pop(token, None)
    if plan is None:
        raise ApiError(404, "上传预览已过期或不存在，请重新上传", "token")
    assert isinstance(plan, Plan)
    return plan
