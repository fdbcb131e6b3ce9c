"""Page action of the levels of government: hand a duty down (下交) from its page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from duban.db import Id
from duban.ledger import levels
from duban.web import notes
from duban.web.deps import DB, Office
from duban.web.guards import check_duty

router = APIRouter(include_in_schema=False)


@router.post("/duties/{duty_id}/hand-down")
def hand_down_page(
    duty_id: Id,
    request: Request,
    session: DB,
    who: Office,
    to: Annotated[str, Form(min_length=1, max_length=100)],
) -> Response:
    check_duty(request, session, who, duty_id)
    assert who.account is not None
    child = levels.hand_down(
        session=session, duty_id=duty_id, to=to.strip(), actor=who.account.name, now=who.now
    )
    return notes.redirect(request, f"/duties/{duty_id}", f"已下交{to.strip()}（督办事项 {child.id}）。")
