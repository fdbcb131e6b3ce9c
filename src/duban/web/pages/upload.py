"""Page: 上传报告 — upload txt/docx/pdf, check the reader's cleaning notes and flagged figures,
then load the plan.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from duban.ledger import service
from duban.web import notes, sandbox, uploads
from duban.web.deps import DB, Office, state_of
from duban.web.errors import ApiError
from duban.web.render import page

router = APIRouter(include_in_schema=False)


@router.get("/upload")
def upload_form(request: Request, who: Office) -> Response:
    return page(request, "upload.html", preview=None)


@router.post("/upload")
def upload_preview(
    request: Request,
    who: Office,
    file: Annotated[UploadFile, File()],
    year: Annotated[int | None, Form(ge=1949, le=2100)] = None,
) -> Response:
    data = file.file.read(uploads.MAX_BYTES + 1)
    plan = uploads.read_upload(data, file.filename or "", year, sandbox.Limits.of(state_of(request).settings))
    token = uploads.keep(state_of(request).settings.upload_dir, data, file.filename or "", year)
    return page(request, "upload.html", preview=uploads.preview(plan, token))


@router.post("/upload/confirm")
def upload_confirm(
    request: Request,
    session: DB,
    who: Office,
    token: Annotated[str, Form(min_length=1)],
    checked: Annotated[bool, Form()] = False,
) -> Response:
    if not checked:
        raise ApiError(422, "请先核对清洗记录和存疑数字，并勾选“已核对”", "checked")
    settings = state_of(request).settings
    plan = uploads.take(settings.upload_dir, token, sandbox.Limits.of(settings))
    assert who.account is not None
    row, created = service.load_plan(
        session=session,
        plan=plan,
        actor=who.account.name,
        now=who.now,
        government_id=who.account.government_id,
    )
    note = f"计划「{row.title}」已导入。" if created else f"计划「{row.title}」已存在，未重复导入。"
    return notes.redirect(request, f"/plans/{row.id}", note)
