"""Page: 年终复盘 of a plan — each duty's target, reported result, verdict (已完成 / 基本完成 / 未完成 /
滞后), lead unit, evidence and sentence, with counts by section and unit; the same report as a
Word, Excel or Markdown download (``?format=docx|xlsx|md``). Office and leaders.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from duban.db import Id
from duban.review.documents import (
    DUTY_VERDICT_LABELS,
    check_review,
    write_plan_review_docx,
    write_plan_review_md,
    write_plan_review_xlsx,
)
from duban.review.plan_review import plan_review
from duban.web.deps import OfficeOrLeader
from duban.web.guards import check_plan
from duban.web.read_cache import remembered
from duban.web.render import page

router = APIRouter(include_in_schema=False)

MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown; charset=utf-8",
}


@router.get("/plans/{plan_id}/review")
@remembered()
def plan_review_page(
    plan_id: Id,
    request: Request,
    session: Session,
    who: OfficeOrLeader,
    format: Annotated[Literal["docx", "xlsx", "md"] | None, Query(description="下载格式")] = None,
) -> Response:
    check_plan(request, session, who, plan_id)
    review = plan_review(session=session, plan_id=plan_id, now=who.now)
    if format is not None:
        out = io.BytesIO()
        if format == "md":
            text = io.StringIO()
            write_plan_review_md(review, text)
            out.write(text.getvalue().encode("utf-8"))
        else:
            (write_plan_review_docx if format == "docx" else write_plan_review_xlsx)(review, out)
        name = quote(f"{review.title}落实情况.{format}")
        return Response(
            out.getvalue(),
            media_type=MEDIA[format],
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
        )
    outcomes = check_review(review)
    sections: dict[str, Counter[str]] = {}
    units: dict[str, Counter[str]] = {}
    for o in outcomes:
        sections.setdefault(o.section, Counter())[o.verdict] += 1
        units.setdefault(o.lead_unit, Counter())[o.verdict] += 1
    return page(
        request,
        "plan_review.html",
        review=review,
        outcomes=outcomes,
        plan_id=plan_id,
        sections=sections,
        units=units,
        labels=DUTY_VERDICT_LABELS,
        totals=Counter(o.verdict for o in outcomes),
    )
