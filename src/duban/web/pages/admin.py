"""Page: 账户管理 (``/admin/users``, the office only) — every account with its role, unit, state,
last sign-in and live API tokens, and forms to add one, disable or enable it, reset its password,
change its role and unit, and revoke its tokens.

An office of a government manages the accounts of its subtree (辖区) only: the others are not
listed and answer 404 (logged); an account it adds belongs to its government, and a unit
officer's unit must be one of the subtree's. Without this a county office could reset the
province office's password and sign in as it.

Every action is one call of :mod:`duban.accounts.service` in the request's transaction (with its
``user`` event naming the office account), answered by a note after the redirect; a refused input
comes back as the Chinese message next to its field, the form as it was typed (``static/forms.js``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from duban.access import ROLES
from duban.accounts import service
from duban.accounts.models import UserRow
from duban.accounts.overview import user_name, user_overview
from duban.accounts.service import AccountError
from duban.db import Id
from duban.units.models import GovernmentRow
from duban.units.service import all_unit_names
from duban.web import notes
from duban.web.deps import DB, Office, Who
from duban.web.errors import ApiError
from duban.web.guards import log_denied
from duban.web.render import page

router = APIRouter(include_in_schema=False)

URL = "/admin/users"
Name = Annotated[str, Form(min_length=1, max_length=100)]
Password = Annotated[str, Form(max_length=200)]
Role = Annotated[str, Form(max_length=20)]
UnitName = Annotated[str, Form(max_length=100)]


def _actor(who: Who) -> str:
    assert who.account is not None
    return who.account.name


def _name(request: Request, session: DB, who: Who, user_id: int) -> str:
    """The name of a user the office may manage (404, logged when it exists outside the 辖区)."""
    try:
        return user_name(session=session, user_id=user_id, governments=who.governments)
    except AccountError as exc:
        if who.governments is not None and session.get(UserRow, user_id) is not None:
            log_denied(request, who, entity="user", entity_id=user_id)
        raise ApiError(404, str(exc), "user_id") from None


def _own_government(session: DB, who: Who) -> str | None:
    """The name of the office's government (the one an account it adds belongs to)."""
    gid = who.account.government_id if who.account else None
    row = session.get(GovernmentRow, gid) if gid is not None else None
    return row.name if row is not None else None


def _not_self(who: Who, name: str, what: str) -> None:
    if who.account is not None and who.account.name == name:
        raise ApiError(409, f"不能{what}自己的账户，请由另一位督查室用户操作", None)


@router.get(URL)
def users_page(request: Request, session: DB, who: Office) -> Response:
    return page(
        request,
        "admin_users.html",
        users=user_overview(session=session, now=who.now, governments=who.governments),
        units=all_unit_names(session=session, governments=who.governments),
        roles=list(ROLES),
    )


@router.post(URL)
def add_user(
    request: Request,
    session: DB,
    who: Office,
    name: Name,
    role: Role,
    password: Password,
    unit: UnitName = "",
) -> Response:
    account = service.create_user(
        session=session, name=name, role=role, password=password, unit=unit.strip() or None, now=who.now,
        actor=_actor(who), government=_own_government(session, who) if role != "unit" else None,
        within=who.governments,
    )  # fmt: skip
    return notes.redirect(request, URL, f"已添加用户 {account.name}。")


@router.post(URL + "/{user_id}/active")
def set_active(
    request: Request, session: DB, who: Office, user_id: Id, active: Annotated[bool, Form()] = False
) -> Response:
    name = _name(request, session, who, user_id)
    if not active:
        _not_self(who, name, "停用")
    service.set_active(session=session, name=name, active=active, now=who.now, actor=_actor(who))
    note = f"已启用用户 {name}。" if active else f"已停用用户 {name}：其会话已结束，令牌不再可用。"
    return notes.redirect(request, URL, note)


@router.post(URL + "/{user_id}/password")
def reset_password(request: Request, session: DB, who: Office, user_id: Id, password: Password) -> Response:
    name = _name(request, session, who, user_id)
    service.set_password(session=session, name=name, password=password, now=who.now, actor=_actor(who))
    return notes.redirect(request, URL, f"已重置用户 {name} 的密码，其会话已结束。")


@router.post(URL + "/{user_id}/role")
def set_role(
    request: Request, session: DB, who: Office, user_id: Id, role: Role, unit: UnitName = ""
) -> Response:
    name = _name(request, session, who, user_id)
    if role != "office":
        _not_self(who, name, "降低")
    account = service.set_role(
        session=session, name=name, role=role, unit=unit.strip() or None, now=who.now, actor=_actor(who),
        within=who.governments,
    )  # fmt: skip
    where = f"（{account.unit_name}）" if account.unit_name else ""
    return notes.redirect(request, URL, f"用户 {name} 的角色已改为 {account.role}{where}。")


@router.post(URL + "/{user_id}/revoke-tokens")
def revoke_tokens(request: Request, session: DB, who: Office, user_id: Id) -> Response:
    name = _name(request, session, who, user_id)
    n = service.revoke_tokens(session=session, name=name, now=who.now, actor=_actor(who))
    return notes.redirect(request, URL, f"已吊销用户 {name} 的 {n} 个 API 令牌。")
