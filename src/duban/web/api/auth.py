"""API accounts: exchange name and password for a bearer token; who am I."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from duban.accounts.service import HashBusy, authenticate, create_api_token
from duban.web import throttle
from duban.web.deps import DB, AnyUser, state_of
from duban.web.errors import ApiError
from duban.web.schemas import MeRead, Problem, TokenBody, TokenRead

router = APIRouter(tags=["accounts"], responses={401: {"model": Problem}, 422: {"model": Problem}})


@router.post("/auth/token", response_model=TokenRead)
def issue_token(body: TokenBody, request: Request, session: DB) -> TokenRead | JSONResponse:
    """A bearer token for API clients (send as ``Authorization: Bearer …``), valid for
    ``token_days``; too many failures answer 429 with Retry-After."""
    st = state_of(request)
    wait = throttle.login_wait(request, session, body.name)
    if wait:
        raise ApiError(429, f"登录失败次数过多，请 {int(wait) + 1} 秒后再试", "password",
                       headers={"Retry-After": str(int(wait) + 1)})  # fmt: skip
    try:
        account = authenticate(session=session, name=body.name, password=body.password, now=st.clock(),
                               address=throttle.client_address(request))  # fmt: skip
    except HashBusy as exc:
        raise ApiError(503, str(exc), None, headers={"Retry-After": "5"}) from exc
    if account is None:
        throttle.login_failed(request, session, body.name)
        # answered, not raised: the failure's count and event are committed with this request
        return JSONResponse({"detail": "用户名或密码错误", "field": "password"}, status_code=401)
    throttle.login_ok(session, body.name)
    token = create_api_token(
        session=session,
        account=account,
        now=st.clock(),
        label=body.label,
        lifetime=timedelta(days=st.settings.token_days),
    )
    return TokenRead(token=token)


@router.get("/me", response_model=MeRead)
async def me(who: AnyUser) -> MeRead:
    """The signed-in account (no read: answered on the event loop)."""
    a = who.account
    assert a is not None
    return MeRead(id=a.id, name=a.name, role=a.role, unit=a.unit_name)
