"""Auto-dispatch (智能派单) at intake and its recall.

A new case whose classification clears the model's auto-dispatch threshold (chosen at training
so that held-out messages above it keep the target precision, :mod:`duban.cases.classify_auto`)
and whose category has a unit is dispatched to that unit at once, by the ordinary flow: its
``dispatch`` event carries the reason ``智能派单（置信度 …）``. Cases below the threshold, without
a unit, or linked to a parent (a duplicate follows its parent) wait for an operator. Until the
unit signs for it, an operator can recall an auto-dispatched case: it goes to 退回 with the
reason and back to the review queue, and is dispatched again by hand (the flow's 重新派单).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from duban.audit import service as audit
from duban.cases.flow import FlowError, case_snapshot, get_case, transition
from duban.cases.models import CaseRow, CaseStatus
from duban.clock.calendar import WorkCalendar

AUTO_REASON = "智能派单"


def threshold_of(classifier: Any) -> float | None:
    """The classifier's auto-dispatch threshold, None when it has none (no auto-dispatch)."""
    get = getattr(classifier, "auto_threshold", None)
    return get() if callable(get) else None


def eligible(row: CaseRow, threshold: float | None) -> bool:
    """Whether a just-received case goes out without an operator."""
    return (
        threshold is not None
        and row.status == CaseStatus.RECEIVED.value
        and row.review == "auto"
        and row.confidence is not None
        and row.confidence >= threshold
        and row.suggested_unit_id is not None
        and row.parent_id is None
    )


def auto_dispatch(
    *,
    session: Session,
    rows: Sequence[CaseRow],
    threshold: float | None,
    actor: str,
    now: datetime,
    calendar: WorkCalendar,
) -> int:
    """Dispatch each eligible case to its suggested unit (event reason 智能派单 with the
    confidence); returns how many went out."""
    sent = 0
    for row in rows:
        if not eligible(row, threshold):
            continue
        assert row.confidence is not None and row.suggested_unit_id is not None and threshold is not None
        transition(
            session=session,
            case_id=row.id,
            target=CaseStatus.DISPATCHED,
            actor=actor,
            now=now,
            calendar=calendar,
            unit_id=row.suggested_unit_id,
            reason=f"{AUTO_REASON}（置信度 {row.confidence:.3f} ≥ 阈值 {threshold:.3f}）",
        )
        sent += 1
    return sent


def was_auto_dispatched(*, session: Session, case_id: int) -> bool:
    """Whether the case's latest dispatch was an auto-dispatch."""
    return auto_dispatched_in(audit.history(session=session, refs=[("case", case_id)], by_time=False))


def auto_dispatched_in(events: Sequence[Any]) -> bool:
    """Whether the latest dispatch among a case's events (in the order written) was automatic."""
    for event in reversed(events):
        if event.action in ("dispatch", "redispatch"):
            reason = (event.after or {}).get("reason")
            return isinstance(reason, str) and reason.startswith(AUTO_REASON)
    return False


def recall(*, session: Session, case_id: int, reason: str, actor: str, now: datetime) -> CaseRow:
    """召回 an auto-dispatched case the unit has not signed for: 退回 with the reason, and back to
    the operators' review queue."""
    row = get_case(session=session, case_id=case_id)
    if row.status != CaseStatus.DISPATCHED.value or not was_auto_dispatched(session=session, case_id=case_id):
        raise FlowError(f"工单 {case_id} 不是待签收的智能派单工单，无法召回", "status")
    text = (reason or "").strip()
    if not text:
        raise FlowError("召回须写明理由", "reason")
    row = transition(
        session=session,
        case_id=case_id,
        target=CaseStatus.RETURNED,
        actor=actor,
        now=now,
        reason=f"召回{AUTO_REASON}：{text}",
    )
    with audit.changing(
        session, row, actor=actor, now=now, entity="case", action="recall", snap=case_snapshot
    ) as notes:
        row.review = "needs_review"
        notes["reason"] = text
    return row
