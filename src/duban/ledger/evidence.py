"""Evidence files (佐证材料) of a duty: type and size limits checked on the content (not only the
name), stored in the database with their SHA-256, listed and read back. Every upload is an audit
event; who may see a file is the web's row guard (the duty's).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from duban.audit import service as audit
from duban.ledger.duties import get_duty
from duban.ledger.errors import LedgerError, NotFound
from duban.ledger.models import EvidenceRow, ProgressRow

MAX_BYTES = 10 * 1024 * 1024
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
}
EXTENSIONS = {"pdf": "pdf", "docx": "docx", "xlsx": "xlsx", "jpg": "jpg", "jpeg": "jpg", "png": "png"}


def sniff(content: bytes) -> str | None:
    """The kind the bytes are (pdf/docx/xlsx/jpg/png), whatever the file is called; None otherwise."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if content.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return None


def check_file(name: str, content: bytes) -> str:
    """The file's kind, or a LedgerError naming the file: wrong type, content unlike its name, too big."""
    shown = name or "（无文件名）"
    ext = EXTENSIONS.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None
    if ext is None:
        raise LedgerError(f"佐证材料「{shown}」: 只接受 pdf、docx、xlsx、jpg、png 文件", "file")
    if not content:
        raise LedgerError(f"佐证材料「{shown}」: 文件为空", "file")
    if len(content) > MAX_BYTES:
        raise LedgerError(
            f"佐证材料「{shown}」: 文件大小 {len(content) / 1048576:.1f} MB，超过 10 MB 上限", "file"
        )
    kind = sniff(content)
    if kind != ext:
        raise LedgerError(f"佐证材料「{shown}」: 文件内容不是 {ext} 格式", "file")
    return kind


def add_evidence(
    *,
    session: Session,
    duty_id: int,
    name: str,
    content: bytes,
    actor: str,
    now: datetime,
    progress_id: int | None = None,
) -> EvidenceRow:
    """Store one evidence file of a duty (checked by content) and log it."""
    get_duty(session=session, duty_id=duty_id)
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()[:255]
    kind = check_file(name, content)
    if progress_id is not None:
        p = session.get(ProgressRow, progress_id)
        if p is None or p.duty_id != duty_id:
            raise LedgerError(f"进展 {progress_id} 不属于督办事项 {duty_id}")
    row = EvidenceRow(
        duty_id=duty_id,
        progress_id=progress_id,
        name=name,
        kind=kind,
        media_type=MEDIA_TYPES[kind],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by=actor,
        uploaded_at=now,
    )
    session.add(row)
    session.flush()
    after = {k: getattr(row, k) for k in ("duty_id", "progress_id", "name", "kind", "size", "sha256")}
    audit.record(
        session,
        actor=actor,
        now=now,
        entity="evidence",
        entity_id=row.id,
        action="upload",
        before=None,
        after=after,
    )
    return row


def list_evidence(*, session: Session, duty_id: int) -> list[EvidenceRow]:
    """The evidence files of a duty, oldest first (content not loaded)."""
    return list(
        session.scalars(select(EvidenceRow).where(EvidenceRow.duty_id == duty_id).order_by(EvidenceRow.id))
    )


def get_evidence(*, session: Session, duty_id: int, evidence_id: int) -> EvidenceRow:
    """One evidence file of this duty, or NotFound."""
    row = session.get(EvidenceRow, evidence_id)
    if row is None or row.duty_id != duty_id:
        raise NotFound(f"督办事项 {duty_id} 没有佐证材料 {evidence_id}")
    return row
