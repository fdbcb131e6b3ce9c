"""Notes after an action (交办成功, 已报送 …): a short Chinese sentence carried across the
redirect in a signed cookie and shown once on the next page, instead of a silent reload."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.responses import Response

COOKIE = "duban_note"
MAX_CHARS = 300


def _signer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(request.app.state.console.settings.secret_key, salt="duban-note")


def redirect(request: Request, url: str, note: str) -> Response:
    """A 303 to ``url`` that carries ``note`` for the next page (signed, shown once)."""
    resp = RedirectResponse(url, status_code=303)
    resp.set_cookie(
        COOKIE, _signer(request).dumps(note[:MAX_CHARS]), max_age=120, httponly=True, samesite="lax"
    )
    return resp


def _background(request: Request) -> bool:
    """A request made by a page's script (a form sent by static/forms.js follows its redirect in
    the background): the note waits for the page the browser then opens."""
    dest = request.headers.get("sec-fetch-dest")
    return dest is not None and dest != "document"


def take(request: Request) -> str | None:
    """The note carried to this request, if any and if its signature holds."""
    if _background(request):
        return None
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        note = _signer(request).loads(raw)
    except BadSignature:
        return None
    return note if isinstance(note, str) else None


def forget(request: Request, resp: Response) -> None:
    """Clear the note cookie on ``resp`` once the note has been shown."""
    if request.cookies.get(COOKIE) and not _background(request):
        resp.delete_cookie(COOKIE, httponly=True, samesite="lax")
