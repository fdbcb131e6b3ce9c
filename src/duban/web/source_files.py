"""The console's side of the sources of duties: a source list uploaded (checked like the 台账),
the source and replies of a duty as the duty page and the API show them."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from fastapi import UploadFile
from pydantic import BaseModel
from sqlalchemy.orm import Session

from duban.ledger import service
from duban.ledger.sources import SourceImport, import_source, load_sources, source_of
from duban.web.deps import Who
from duban.web.errors import ApiError
from duban.web.ledger_files import MAX_BYTES
from duban.web.sandbox import Limits
from duban.web.uploads import check_zip, read_in_child


class ReplyView(BaseModel):
    round: int
    due: date
    extensions: int
    text: str | None
    replied_at: datetime | None
    replied_by: str | None
    satisfaction: str | None
    opinion: str | None
    rated_at: datetime | None


class DutySource(BaseModel):
    """Where a duty comes from, its own fields by their Chinese headers, and its reply rounds."""

    duty_id: int
    source: str
    label: str
    fields: dict[str, Any]
    replies: list[ReplyView]
    ratings: list[str]


class ImportResult(BaseModel):
    plan_id: int
    created: bool
    source: str
    rows: int
    assigned: int
    needs_person: list[int]


def import_upload(
    *, session: Session, who: Who, source: str, file: UploadFile, limits: Limits
) -> SourceImport:
    """Import an uploaded source list (xlsx, read in a child process within ``limits``; all or
    nothing) for ``who``'s government; a bad file is a 4xx naming it."""
    assert who.account is not None
    src = source_of(source)
    name = PurePath(file.filename or "").name
    data = file.file.read(MAX_BYTES + 1)
    if not name.lower().endswith(".xlsx"):
        raise ApiError(422, f"{name or '未选择文件'}: 请上传 .xlsx 清单", "file")
    if not data or len(data) > MAX_BYTES:
        raise ApiError(422, f"{name}: 文件为空或超过 20 MB", "file")
    check_zip(data, name)
    sheets = read_in_child(kind="sheets", data=data, name=name, limits=limits)
    return import_source(
        session=session, source=src, rows=sheets[0][1] if sheets else [], name=name,
        actor=who.account.name, now=who.now, government_id=who.account.government_id,
    )  # fmt: skip


def import_note(r: SourceImport, label: str) -> str:
    """The note after an import."""
    if not r.created:
        return f"{r.plan.doc} 已导入过（计划 {r.plan.id}），未重复导入。"
    text = f"已导入{label} {r.rows} 项：已交办 {len(r.assigned)} 项"
    return text + (f"，待人工分办 {len(r.needs_person)} 项。" if r.needs_person else "。")


def duty_source(*, session: Session, duty_id: int) -> DutySource:
    """The source view of a duty (its list's fields under their headers, its reply rounds)."""
    item = service.get_duty(session=session, duty_id=duty_id).item
    return source_view(
        session=session, duty_id=duty_id, source_kind=item.plan.source_kind, source_fields=item.source_fields
    )


def source_view(
    *, session: Session, duty_id: int, source_kind: str, source_fields: dict[str, Any] | None
) -> DutySource:
    """:func:`duty_source` of a duty already read (its plan's source kind, its item's own fields):
    only the reply rounds are read."""
    src = load_sources().get(source_kind) or load_sources()["report"]
    fields = {src.field_label(k): v for k, v in (source_fields or {}).items()}
    return DutySource(
        duty_id=duty_id,
        source=src.key,
        label=src.label,
        fields=fields,
        replies=[
            ReplyView.model_validate(r, from_attributes=True)
            for r in service.replies(session=session, duty_id=duty_id)
        ],
        ratings=list(src.reply.ratings) if src.reply else [],
    )
