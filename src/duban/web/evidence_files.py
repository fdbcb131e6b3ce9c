"""Evidence files (佐证材料) over HTTP: read an upload with a size cap, send a stored file back."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import UploadFile
from fastapi.responses import Response

from duban.ledger.evidence import MAX_BYTES
from duban.ledger.models import EvidenceRow
from duban.web.errors import ApiError


async def read_limited(file: UploadFile) -> bytes:
    """The upload's bytes; 413 with the file's name past the 10 MB limit (read no further)."""
    data = await file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ApiError(413, f"佐证材料「{file.filename}」: 超过 10 MB 上限", "file")
    return data


def evidence_response(row: EvidenceRow) -> Response:
    """The stored file as a download with its type, checksum and (UTF-8) name."""
    return Response(
        row.content,
        media_type=row.media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.name)}",
            "X-Content-Type-Options": "nosniff",
            "X-Checksum-SHA256": row.sha256,
        },
    )
