"""Request dependencies: the database session, who is asking (cookie session or bearer token),
role checks and the CSRF check on every form POST.

A browser session is a server-side row (:mod:`duban.accounts`); its cookie holds the token signed
with the settings' secret (itsdangerous), so a forged cookie is refused without a lookup. A POST
made with a session must carry its CSRF token (form field ``csrf_token`` or header
``X-CSRF-Token``); a POST made with a bearer token needs none.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from itsdangerous import BadSignature
from sqlalchemy.orm import Session

from duban.accounts.service import Account, account_of, live_session, token_account
from duban.audit import service as audit
from duban.db import session_scope
from duban.web.cache import kept
from duban.web.errors import ApiError, LoginRequired
from duban.web.state import ConsoleState

SESSION_COOKIE = "duban_session"
LOGIN_CSRF_COOKIE = "duban_login_csrf"


def state_of(request: Request) -> ConsoleState:
    """The console's state object."""
    st: ConsoleState = request.app.state.console
    return st


def db(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back on error."""
    with session_scope(state_of(request).engine) as session:
        yield session


DB = Annotated[Session, Depends(db, scope="function")]


@dataclass(frozen=True)
class Who:
    """The account behind a request, how it signed in, and its session's CSRF token."""

    account: Account | None
    via: str | None  # "cookie" | "bearer" | None
    csrf: str | None
    now: datetime

    @property
    def role(self) -> str | None:
        return self.account.role if self.account else None

    @property
    def governments(self) -> frozenset[int | None] | None:
        """The governments whose duties and plans the account sees (its 辖区); None: all of them."""
        return self.account.governments if self.account else None


def _credential(request: Request) -> tuple[str, str] | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return ("bearer", auth[7:].strip())
    raw = request.cookies.get(SESSION_COOKIE)
    return ("cookie", raw) if raw else None


def _token_lookup(
    st: ConsoleState, token: str, now: datetime
) -> tuple[Account | None, str | None, str | None]:
    with session_scope(st.engine) as session:
        account = token_account(session=session, token=token, now=now)
    if account is None:
        raise ApiError(401, "Bearer 令牌无效或已撤销", "authorization")
    return account, "bearer", None


@dataclass(frozen=True)
class _Checked:
    """A browser session's check, trusted while the change watch stands at ``generation`` and
    this process has written nothing (``epoch``), until the session expires."""

    generation: object
    epoch: int
    expires_at: datetime
    found: tuple[Account | None, str | None, object]


def _session_lookup(
    st: ConsoleState, token: str, now: datetime, epoch: int, generation: object | None
) -> tuple[Account | None, str | None, object]:
    """(account, CSRF token, the data's version) of a browser session, in one statement: the
    session (a logout or a deactivation holds at once on every worker) and the version (for the
    remembered reads, :mod:`duban.web.read_cache`); the account's unit and governments are read
    again only when the version has moved. Kept by token while nothing is committed."""
    with st.engine.connect() as conn:
        dialect = conn.dialect.name
        live = live_session(connection=conn, token=token, now=now, also=audit.version_columns(dialect),
                            also_key=f"version:{dialect}", params={"window": audit.LATE_WINDOW})  # fmt: skip
        if live is None:
            return None, None, None
        user_id, csrf, expires_at, values = live
        version = st.observe(audit.version_of(values), epoch, generation)
        account: Account | None = st.account_cache.get((user_id, version))
        if account is None:
            with Session(bind=conn) as session:
                account = account_of(session=session, user_id=user_id)
            st.account_cache.put((user_id, version), account)
    found = (account, csrf, version)
    if generation is not None:
        st.session_cache.put(token, _Checked(generation, epoch, expires_at, found))
    return found


async def _session(st: ConsoleState, token: str, now: datetime) -> tuple[Account | None, str | None, object]:
    """A browser session's check: kept from an earlier request when the database's change signal
    says nothing has been committed since (no statement, no thread), else one statement."""
    epoch, generation = st.epoch, st.generation()
    if generation is not None:
        kept_check: _Checked | None = st.session_cache.get(token)
        if (
            kept_check is not None
            and kept_check.generation == generation
            and kept_check.epoch == epoch
            and kept_check.expires_at > now
        ):
            return kept_check.found
    return await run_in_threadpool(_session_lookup, st, token, now, epoch, generation)


async def optional_user(request: Request) -> Who:
    """Who is asking, possibly nobody. A browser session is looked up again once anything has been
    committed anywhere (:mod:`duban.web.changes`), so a logout on one worker ends it on all at
    once. A bearer token's lookup is kept likewise (without a change watch, a few seconds), then
    made again by one request while the others asking with the same token meanwhile go on with
    the previous lookup."""
    st = state_of(request)
    now = st.clock()
    credential = _credential(request)
    found: tuple[Account | None, str | None, str | None] = (None, None, None)
    if credential is not None and credential[0] == "cookie":
        try:
            token = st.signer.loads(credential[1])
        except BadSignature:
            token = None
        if isinstance(token, str):
            account, csrf, version = await _session(st, token, now)
            if account is not None:
                found = (account, "cookie", csrf)
                request.state.data_version = version
    elif credential is not None:  # one lookup at a time per token (after a write, not one per request)
        st.tokens_current()
        token = credential[1]
        found = await kept(st.auth_cache, credential, lambda: _token_lookup(st, token, now))
    who = Who(found[0], found[1], found[2], now)
    request.state.who = who
    return who


async def _check_csrf(request: Request, who: Who) -> None:
    if request.method in ("GET", "HEAD", "OPTIONS") or who.via != "cookie":
        return
    sent = request.headers.get("x-csrf-token")
    if not sent:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
    if not sent or not who.csrf or not secrets.compare_digest(sent, who.csrf):
        raise ApiError(403, "CSRF 校验失败：请刷新页面后重试", "csrf_token")


MACHINE_ROLES = ("gateway",)  # accounts of devices: only the routes that name them


def require(*roles: str) -> Callable[..., object]:
    """A dependency: a signed-in user whose role is one of ``roles`` (when none given: every
    person's role, not a device's)."""

    async def dep(request: Request, who: Annotated[Who, Depends(optional_user)]) -> Who:
        if who.account is None:
            raise LoginRequired()
        await _check_csrf(request, who)
        if (roles and who.account.role not in roles) or (not roles and who.account.role in MACHINE_ROLES):
            if who.account.role == "unit":
                from duban.web.guards import log_if_foreign

                log_if_foreign(request, who)
            raise ApiError(403, "当前角色无权执行此操作", None)
        return who

    return dep


AnyUser = Annotated[Who, Depends(require())]
Office = Annotated[Who, Depends(require("office"))]
Unit = Annotated[Who, Depends(require("unit"))]
OfficeOrLeader = Annotated[Who, Depends(require("office", "leader"))]
Gateway = Annotated[Who, Depends(require("gateway"))]
Public = Annotated[Who, Depends(optional_user)]
