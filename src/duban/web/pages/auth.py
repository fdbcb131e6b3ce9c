"""Pages: 登录 / 退出 and the home redirect (the public 公开 pages are in :mod:`.review`)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from duban.accounts.service import HashBusy, authenticate, end_session, start_session
from duban.audit import service as audit
from duban.web import throttle
from duban.web.deps import DB, LOGIN_CSRF_COOKIE, SESSION_COOKIE, AnyUser, Public, state_of
from duban.web.render import page

router = APIRouter(include_in_schema=False)


def secure_cookie(request: Request) -> bool:
    """Cookies are ``Secure`` over HTTPS and whenever the ``secure_cookies`` setting is on."""
    return request.url.scheme == "https" or state_of(request).settings.secure_cookies


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/board"


@router.get("/")
def home(who: Public) -> Response:
    return RedirectResponse("/board" if who.account else "/public", status_code=303)


@router.get("/login")
def login_form(request: Request, who: Public, next: str | None = None) -> Response:
    token = secrets.token_urlsafe(24)
    resp = page(request, "login.html", login_csrf=token, next=_safe_next(next), error=None)
    resp.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        max_age=3600,
        secure=secure_cookie(request),
    )
    return resp


@router.post("/login")
def login(
    request: Request,
    session: DB,
    who: Public,
    name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/board",
) -> Response:
    st = state_of(request)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not csrf_token or not secrets.compare_digest(cookie, csrf_token):
        return page(
            request,
            "login.html",
            status=403,
            login_csrf=cookie,
            next=_safe_next(next),
            error="页面已过期，请重新登录",
        )
    wait = throttle.login_wait(request, session, name)
    if wait:
        resp = page(request, "login.html", status=429, login_csrf=cookie, next=_safe_next(next),
                    error=f"登录失败次数过多，请 {int(wait) + 1} 秒后再试")  # fmt: skip
        resp.headers["Retry-After"] = str(int(wait) + 1)
        return resp
    try:
        account = authenticate(session=session, name=name, password=password, now=st.clock(),
                               address=throttle.client_address(request))  # fmt: skip
    except HashBusy:
        resp = page(request, "login.html", status=503, login_csrf=cookie, next=_safe_next(next),
                    error="登录繁忙，请稍后再试")  # fmt: skip
        resp.headers["Retry-After"] = "5"
        return resp
    if account is None:
        throttle.login_failed(request, session, name)
        return page(
            request,
            "login.html",
            status=401,
            login_csrf=cookie,
            next=_safe_next(next),
            error="用户名或密码错误",
        )
    throttle.login_ok(session, name)
    token, _csrf = start_session(session=session, account=account, now=st.clock())
    resp = RedirectResponse(_safe_next(next), status_code=303)
    resp.set_cookie(
        SESSION_COOKIE,
        st.signer.dumps(token),
        httponly=True,
        samesite="lax",
        secure=secure_cookie(request),
        max_age=12 * 3600,
    )
    resp.delete_cookie(LOGIN_CSRF_COOKIE)
    return resp


@router.post("/logout")
def logout(request: Request, session: DB, who: AnyUser) -> Response:
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        token = state_of(request).signer.loads(raw)
        end_session(session=session, token=token)
    if who.account is not None:
        audit.record(session, actor=who.account.name, now=who.now, entity="user", entity_id=who.account.id,
                     action="logout", before=None, after=None)  # fmt: skip
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE)
    return resp
