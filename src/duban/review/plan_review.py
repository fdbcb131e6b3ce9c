"""The year-end review of a plan (关于XX年政府工作报告重点任务落实情况的报告) filled from the ledger.

Each duty of the plan gets its 目标值, the reported 完成值 (its latest progress report), a verdict
by the review's verdict rules (:func:`duban.review.rules.judge`, the same rules as the promises),
its lead unit, its evidence files and the sentence it came from. The thresholds beyond the shared
rules (基本完成 at ≥ 90 % of target) are the ledger's data (``ledger/rules/results.yaml``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from duban.clock.calendar import local_date
from duban.ledger import service as ledger
from duban.ledger.board import section_of
from duban.ledger.results import result_rules, result_words, target_words
from duban.ledger.workflow import DutyStatus
from duban.review.documents import DutyOutcome, PlanReview
from duban.review.model import Actual, Target
from duban.review.rules import judge


def duty_verdict(
    *,
    targets: list[dict[str, Any]],
    results: list[dict[str, Any]],
    share: int | None,
    closed: bool,
    past_due: bool,
) -> str:
    """done / mostly_done / not_done / behind for one duty at year end (see docs/ledger.md)."""
    close = result_rules().mostly_done_share
    by_target = {r["target"]: r for r in results}
    verdicts: list[str] = []
    ratios: list[float] = []
    for i, t in enumerate(targets):
        r = by_target.get(i)
        if r is None or t.get("value") is None:
            continue
        target = Target(
            value=t["value"],
            value_high=t.get("value_high"),
            unit=t.get("unit") or "",
            bound=t.get("bound") or "exact",
            quote=t.get("quote") or "",
            change=t.get("change"),
        )
        actual = Actual(value=r["in_target_unit"], unit=t.get("unit") or "", quote="", change=t.get("change"))
        verdict, _reason = judge(target, actual)
        verdicts.append(verdict)
        if verdict == "missed" and t["value"]:
            ratios.append(r["in_target_unit"] / float(t["value"]))
    if verdicts:
        if all(v == "met" for v in verdicts):
            return "done"
        if all(v == "met" or v == "ambiguous" for v in verdicts) and closed:
            return "done"
        if ratios and all(x >= close for x in ratios):
            return "mostly_done"
    elif closed:
        return "done"
    elif share is not None and share >= close * 100:
        return "mostly_done"
    return "behind" if past_due and not closed else "not_done"


def plan_review(*, session: Session, plan_id: int | None, now: datetime) -> PlanReview:
    """The year-end review of a plan (the newest when ``plan_id`` is None); NotFound without one."""
    if plan_id is None:
        plans = ledger.list_plans(session=session)
        if not plans:
            raise ledger.NotFound("尚未载入任何计划")
        plan = plans[0]
    else:
        plan = ledger.get_plan(session=session, plan_id=plan_id)
    today = local_date(now)
    outcomes: list[DutyOutcome] = []
    for item in sorted(ledger.plan_items(session=session, plan_id=plan.id), key=lambda i: (i.start, i.id)):
        duty, a = item.duty, item.assignment
        if duty is None or a is None:
            continue
        last = ledger.latest_progress(session=session, duty_id=duty.id)
        results = list(last.results or []) if last else []
        closed = duty.status == DutyStatus.CLOSED.value
        verdict = duty_verdict(
            targets=item.targets or [],
            results=results,
            share=last.share if last else None,
            closed=closed,
            past_due=duty.due < today,
        )
        if item.targets:
            target = "；".join(target_words(t) for t in item.targets)
        elif item.value is not None:
            target = target_words(
                {f: getattr(item, f) for f in ("value", "value_high", "unit", "bound", "change")}
            )
        else:
            target = ""
        actual = "；".join(result_words(r) for r in results)
        if not actual and last is not None and last.share is not None:
            actual = f"完成{last.share}%"
        outcomes.append(
            DutyOutcome(
                section=section_of(item.section_title),
                task=item.text,
                target_text=target,
                actual_text=actual,
                verdict=verdict,
                lead_unit=a.lead_unit.name,
                evidence=[e.name for e in ledger.list_evidence(session=session, duty_id=duty.id)],
                quote=item.quote or item.text,
            )
        )
    if not outcomes:
        raise ledger.LedgerError(f"计划 {plan.id}（{plan.title}）尚无已分办的督办事项，无法生成年终报告")
    return PlanReview(title=plan.title, place=plan.place, year=plan.year, outcomes=outcomes, as_of=today)
