"""The web side of idempotency keys (:mod:`duban.accounts.idempotency`): read the
``Idempotency-Key`` header (or a form's hidden field, or Open311's ``device_id`` + ``client_token``),
claim it in the request's transaction before anything is created, and store or replay the answer.

A key is 1–200 printable ASCII characters (else 422). The same key with the same body from the same
caller on the same route gets the first answer (status and body) and creates nothing; with another
body, 422 「幂等键已用于另一请求」.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from duban.accounts import idempotency as keys
from duban.web.deps import Who
from duban.web.errors import ApiError
from duban.web.throttle import client_address

HEADER = "Idempotency-Key"
_KEY = re.compile(rf"^[\x20-\x7e]{{1,{keys.MAX_KEY}}}$")  # the column's length
BAD_KEY = f"{HEADER} 应为 1 到 {keys.MAX_KEY} 个可打印字符（字母、数字、符号）"


def header_key(request: Request) -> str | None:
    """The request's ``Idempotency-Key`` (None when not sent); a malformed one is a 422."""
    raw = request.headers.get(HEADER)
    return None if raw is None else checked(raw)


def checked(key: str) -> str:
    """``key`` when it is 1–200 printable characters, else a 422 naming the header."""
    if not _KEY.match(key):
        raise ApiError(422, BAD_KEY, HEADER)
    return key


def scope_of(request: Request, who: Who) -> str:
    """Whose keys these are: the signed-in account, else the client address."""
    if who.account is not None:
        return f"user:{who.account.id}"
    return f"addr:{client_address(request)}"


@dataclass
class Pending:
    """A claimed key; :meth:`json` / :meth:`redirect` store the answer and return it."""

    session: Session
    row: keys.IdempotencyRow | None

    def json(self, payload: Any, status: int = 200) -> JSONResponse:
        resp = JSONResponse(jsonable_encoder(payload), status_code=status)
        self.store(resp)
        return resp

    def redirect(self, location: str, status: int = 303) -> RedirectResponse:
        resp = RedirectResponse(location, status_code=status)
        if self.row is not None:
            keys.finish(
                session=self.session, row=self.row, status=status, media_type="redirect", body=location
            )
        return resp

    def store(self, resp: Response) -> None:
        if self.row is not None:
            body = bytes(resp.body).decode("utf-8")
            keys.finish(
                session=self.session, row=self.row, status=resp.status_code,
                media_type=resp.media_type or "application/json", body=body,
            )  # fmt: skip


def replay(answer: keys.Answer) -> Response:
    """The first request's answer again."""
    if answer.media_type == "redirect":
        resp: Response = RedirectResponse(answer.body, status_code=answer.status)
    else:
        resp = Response(answer.body, status_code=answer.status, media_type=answer.media_type)
    resp.headers["Idempotent-Replayed"] = "true"
    return resp


def begin(
    request: Request,
    session: Session,
    *,
    who: Who,
    payload: Any,
    key: str | None = None,
) -> Pending | Response:
    """Claim the key (``key`` when the caller found one elsewhere — a form's hidden field, Open311's
    ``device_id`` + ``client_token`` —, else the header's) for this caller and route: a
    :class:`Pending` to answer through, or the stored answer to return as is. No key: a Pending
    that stores nothing."""
    key = header_key(request) if key is None else checked(key)
    if key is None:
        return Pending(session, None)
    route = f"{request.method} {request.url.path}"
    try:
        got = keys.claim(
            session=session, scope=scope_of(request, who), route=route, key=key,
            digest=keys.body_hash(payload), now=who.now,
        )  # fmt: skip
    except keys.KeyReused:
        raise ApiError(422, keys.OTHER_REQUEST, HEADER) from None
    if isinstance(got, keys.Answer):
        return replay(got)
    return Pending(session, got)
