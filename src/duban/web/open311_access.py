"""Who reads Open311 and what a POST's idempotency key is: an API key (``api_key`` or a bearer token)
of the office, an operator or a leader sees every case in full; anyone else only the published
cases (:mod:`duban.cases.privacy`). A POST's key is the ``Idempotency-Key`` header, else the body's
``device_id`` + ``client_token``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from fastapi import Request
from sqlalchemy import Select
from sqlalchemy.orm import Session

from duban.accounts.service import token_account
from duban.cases import privacy
from duban.cases.models import CaseRow
from duban.cases.open311.validate import LIMITS
from duban.web import idempotency
from duban.web.deps import state_of

Sel = TypeVar("Sel", bound=Select[*tuple[Any, ...]])
FULL_VIEW_ROLES = ("office", "operator", "leader")


class Refused(Exception):
    """An API key given on a GET that is no longer valid."""


def full_view(request: Request, session: Session, api_key: str | None) -> bool:
    """Whether the caller's API key (``api_key`` or a bearer token) may see every case in full."""
    auth = request.headers.get("authorization", "")
    token = api_key or (auth[7:].strip() if auth.lower().startswith("bearer ") else None)
    if not token:
        return False
    if len(token) > LIMITS["api_key"]:
        raise Refused()
    account = token_account(session=session, token=token, now=state_of(request).clock())
    if account is None:
        raise Refused()
    return account.role in FULL_VIEW_ROLES


def published(q: Sel) -> Sel:
    """Only what a citizen agreed to publish, never 举报 or a phone call's case."""
    rules = privacy.load_rules()
    return q.where(
        CaseRow.publish.is_(True),
        CaseRow.case_type.not_in(rules.never_case_types),
        CaseRow.channel.not_in(rules.never_channels),
    )


def idempotency_key(request: Request, plain: Mapping[str, Any]) -> str | None:
    """The ``Idempotency-Key`` header, else ``device_id`` + ``client_token`` from the body."""
    header = idempotency.header_key(request)
    if header is not None:
        return header
    device, token = plain.get("device_id"), plain.get("client_token")
    if isinstance(device, str) and isinstance(token, str) and device.strip() and token.strip():
        return idempotency.checked(f"{device.strip()}/{token.strip()}")
    return None
