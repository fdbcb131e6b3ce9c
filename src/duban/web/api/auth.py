"""API accounts: exchange name and password for a bearer token; who am I."""

from __future__ import annotations

from fastapi import APIRouter, Request

from duban.accounts.service import authenticate, create_api_token
from duban.web.deps import DB, AnyUser, state_of
from duban.web.errors import ApiError
from duban.web.schemas import MeRead, Problem, TokenBody, TokenRead

router = APIRouter(tags=["accounts"], responses={401: {"model": Problem}, 422: {"model": Problem}})


@router.post("/auth/token", response_model=TokenRead)
def issue_token(body: TokenBody, request: Request, session: DB) -> TokenRead:
    """A bearer token for API clients (send as ``Authorization: Bearer …``)."""
    account = authenticate(session=session, name=body.name, password=body.password)
    if account is None:
        raise ApiError(401, "用户名或密码错误", "password")
    token = create_api_token(
        session=session, account=account, now=state_of(request).clock(), label=body.label
    )
    return TokenRead(token=token)


@router.get("/me", response_model=MeRead)
def me(who: AnyUser) -> MeRead:
    """The signed-in account."""
    a = who.account
    assert a is not None
    return MeRead(id=a.id, name=a.name, role=a.role, unit=a.unit_name)
