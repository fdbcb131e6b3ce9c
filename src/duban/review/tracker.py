"""The public promise tracker: each plan's headline targets with where they stand.

While a plan's year runs a headline target is 进行中 with the office's latest published progress
(the figure reached and the share done, from the ledger); once the next year's report has been
reviewed (:mod:`duban.review.store`) it is 已实现 / 未实现 / 无法核实 / 待研判 with the target's
and the result's quotes. Plans come from the ledger, reviews from the ``promises`` table.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from duban.ledger import service as ledger
from duban.review.model import VERDICT_LABELS, Promise
from duban.review.store import year_review

IN_PROGRESS = "进行中"


@dataclass(frozen=True)
class TrackedTarget:
    """One headline target on the tracker: its figure, status and the quotes behind it."""

    metric: str
    change: str | None
    value: float | None
    value_high: float | None
    unit: str | None
    bound: str | None
    quote: str
    status: str  # 进行中 or a verdict label
    verdict: str | None  # met / missed / unverifiable / ambiguous, None while in progress
    actual_quote: str | None = None
    reason: str | None = None
    progress_text: str | None = None
    progress_figure: float | None = None
    progress_share: int | None = None
    progress_at: datetime | None = None


@dataclass(frozen=True)
class TrackedPlan:
    """A plan's headline targets on the tracker."""

    plan_id: int
    place: str
    year: int
    title: str
    reviewed: bool
    targets: list[TrackedTarget]


def _match(metric: str | None, quote: str, reviewed: list[Promise]) -> Promise | None:
    """The stored promise of a ledger item: the same quote, else the same metric words."""
    for p in reviewed:
        if p.target.quote and (p.target.quote == quote or p.target.quote in quote or quote in p.target.quote):
            return p
    if metric:
        for p in reviewed:
            words = p.metric_words or p.metric
            if words == metric or words in metric or metric in words:
                return p
    return None


def tracked_plans(*, session: Session) -> list[TrackedPlan]:
    """Every plan in the ledger, newest first, with its headline targets' status."""
    out: list[TrackedPlan] = []
    for plan in ledger.list_plans(session=session):
        reviewed = [p for p in year_review(session=session, place=plan.place, year=plan.year) if p.headline]
        targets: list[TrackedTarget] = []
        for item in ledger.plan_items(session=session, plan_id=plan.id):
            if not (item.headline and item.kind == "target"):
                continue
            base = TrackedTarget(
                metric=item.metric or "",
                change=item.change,
                value=item.value,
                value_high=item.value_high,
                unit=item.unit,
                bound=item.bound,
                quote=item.quote,
                status=IN_PROGRESS,
                verdict=None,
            )
            promise = _match(item.metric, item.quote, reviewed) if reviewed else None
            if promise is not None:
                targets.append(
                    replace(
                        base,
                        status=VERDICT_LABELS[promise.verdict],
                        verdict=promise.verdict,
                        actual_quote=promise.actual.quote if promise.actual else None,
                        reason=promise.reason,
                    )
                )
                continue
            latest = ledger.latest_progress(session=session, duty_id=item.duty.id) if item.duty else None
            if latest is not None:
                base = replace(
                    base,
                    progress_text=latest.text,
                    progress_figure=latest.figure,
                    progress_share=latest.share,
                    progress_at=latest.reported_at,
                )
            targets.append(base)
        out.append(
            TrackedPlan(
                plan_id=plan.id,
                place=plan.place,
                year=plan.year,
                title=plan.title,
                reviewed=bool(reviewed),
                targets=targets,
            )
        )
    return out
