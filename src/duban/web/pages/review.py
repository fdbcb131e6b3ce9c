"""Pages of the review: the public promise tracker, a place's record, and the office's overview.

``/public`` (no login) lists each plan's headline targets with their status and searches the
places whose reviews are stored; ``/public/places/{place}`` shows one place's promises year by
year with a chart per metric; ``/review`` (signed in) shows the share of targets met by place and
year. The data come from :mod:`duban.review.tracker` and :mod:`duban.review.store`.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from duban.review.model import VERDICT_LABELS
from duban.review.panel import panels
from duban.review.store import place_reviews, places, summaries
from duban.review.tracker import tracked_plans
from duban.web.deps import AnyUser, Public
from duban.web.errors import ApiError
from duban.web.read_cache import remembered
from duban.web.render import page

router = APIRouter(include_in_schema=False)

SearchText = Annotated[str | None, Query(max_length=50, description="地名关键字")]


@router.get("/public")
@remembered()
def public(request: Request, session: Session, who: Public, q: SearchText = None) -> Response:
    """The promise tracker: every plan's headline targets, then the reviewed places."""
    query = (q or "").strip() or None
    return page(
        request,
        "public.html",
        plans=tracked_plans(session=session),
        places=places(session=session, query=query),
        q=query or "",
        verdict_labels=VERDICT_LABELS,
    )


@router.get("/public/places/{place}")
@remembered()
def public_place(request: Request, session: Session, who: Public, place: str) -> Response:
    """One place's record: each plan year's promises with both quotes, and a chart per metric."""
    by_year = place_reviews(session=session, place=place[:100])
    if not by_year:
        raise ApiError(404, f"没有“{place[:100]}”的复盘记录", field="place")
    every = [p for year in sorted(by_year) for p in by_year[year]]
    charts = [p.as_chart() for p in panels(every) if any(v is not None for v in p.actuals)]
    return page(
        request,
        "public_place.html",
        place=place,
        years=sorted(by_year.items(), reverse=True),
        summaries=summaries(session=session, place=place[:100]),
        charts=json.dumps(charts[:12], ensure_ascii=False),
        verdict_labels=VERDICT_LABELS,
    )


@router.get("/review")
@remembered()
def review_overview(request: Request, session: Session, who: AnyUser, q: SearchText = None) -> Response:
    """The office's overview: share of targets met by place and year."""
    query = (q or "").strip() or None
    rows = summaries(session=session, query=query)
    chart = {
        "labels": [f"{s.place}{s.year}" for s in rows[:40]],
        "share": [round(100 * s.share_met, 1) if s.share_met is not None else None for s in rows[:40]],
    }
    return page(
        request,
        "review.html",
        rows=rows,
        q=query or "",
        chart=json.dumps(chart, ensure_ascii=False),
        verdict_labels=VERDICT_LABELS,
    )
