"""Open311 request updates (``POST servicerequestupdates``) mapped onto the case flow.

An update carries a description and, optionally, the status its sender wants: ``closed`` or
``open``. A status is applied only when the sender's account may take that step on the case in
the console (the access table, :mod:`duban.access`: ``open311_steps`` names the console action
a status stands for), and only through :func:`duban.cases.flow.transition`:

- ``closed`` on an open case is 办结 (settle), the description being the reply to the citizen:
  the office, or a unit officer on a case of their own unit; the flow allows it from 办理 only.
- ``open`` on a closed case is 回访不满意 → 重办 (reopen), the description being the reason: the
  office or a 12345 operator (those who follow cases up); the flow allows it from 办结 only.

A step the flow does not allow from where the case is raises :class:`UpdateRefused` before
anything is written. Every other update — no status, the status the case already has, or a
status asked by an account that may not take that step (a citizen's app reporting "fixed", a
leader) — is kept as a comment with the case's real status and an event ``comment``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from duban import access
from duban.audit import service as audit
from duban.cases import flow
from duban.cases.flow import STATUS_LABELS, FlowError
from duban.cases.models import CaseRow, CaseStatus, CaseUpdateRow
from duban.cases.open311.serialize import open311_status
from duban.cases.rules import CaseError

STEP_HINTS = {
    "closed": "只有“办理”中的工单可以办结",
    "open": "只有已办结、尚未回访的工单可以因不满意转重办",
}


class UpdateRefused(CaseError):
    """A status the flow does not allow from the case's current status; nothing was stored."""


def may_change(*, row: CaseRow, wanted: str, role: str | None, unit_id: int | None) -> bool:
    """Whether an account of ``role`` (and ``unit_id``) may move ``row`` to the Open311 ``wanted``."""
    action = access.open311_action(wanted)
    if action is None or not access.may(role, action):
        return False
    return access.on_own_unit(role, unit_id, (row.unit_id, row.owner_unit_id))


def _last_update(session: Session, case_id: int) -> CaseUpdateRow:
    return session.scalars(
        select(CaseUpdateRow)
        .where(CaseUpdateRow.case_id == case_id)
        .order_by(CaseUpdateRow.id.desc())
        .limit(1)
    ).one()


def post_update(
    *,
    session: Session,
    case_id: int,
    description: str,
    status: str | None,
    media_url: str | None,
    actor: str,
    role: str | None,
    unit_id: int | None,
    now: datetime,
) -> CaseUpdateRow:
    """Apply one Open311 update: a settle or reopen when allowed (see the module), else a comment."""
    row = flow.get_case(session=session, case_id=case_id)
    current = open311_status(row.status)
    if (
        status is not None
        and status != current
        and may_change(row=row, wanted=status, role=role, unit_id=unit_id)
    ):
        target = CaseStatus.SETTLED if status == "closed" else CaseStatus.REOPENED
        try:
            flow.check_transition(row.status, target)
        except FlowError:
            raise UpdateRefused(
                f"工单 {row.id} 当前为“{STATUS_LABELS[CaseStatus(row.status)]}”，不能改为 {status}："
                f"按办理流程{STEP_HINTS[status]}",
                "status",
            ) from None
        if target is CaseStatus.SETTLED:
            flow.transition(
                session=session, case_id=row.id, target=target, actor=actor, now=now, reply=description
            )
        else:
            flow.transition(
                session=session, case_id=row.id, target=target, actor=actor, now=now,
                satisfaction="不满意", reason=description,
            )  # fmt: skip
        update = _last_update(session, row.id)  # the one the flow wrote
        if target is CaseStatus.REOPENED:
            update.description = f"{update.description}：{description}"
        update.media_url = media_url
        session.flush()
        return update
    update = CaseUpdateRow(
        case_id=row.id, at=now, status=current, description=description, media_url=media_url, actor=actor
    )
    session.add(update)
    session.flush()
    audit.record(
        session, actor=actor, now=now, entity="case", entity_id=row.id, action="comment", before=None,
        after={
            "update_id": update.id, "status": current, "description": description, "media_url": media_url,
            "status_asked": status if status != current else None,
        },
    )  # fmt: skip
    return update
