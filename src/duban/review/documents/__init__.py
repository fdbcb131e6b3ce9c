"""The review's documents: the xlsx, Word, CSV and Markdown files an office hands its leaders.

- promises (issue 10): :func:`write_promises_xlsx`, :func:`write_promises_docx`,
  :func:`write_promises_csv`, :func:`write_promises_md` take :class:`duban.review.model.Promise`.
- a plan's year-end review (issue 11): :class:`PlanReview` of :class:`DutyOutcome` records,
  written by :func:`write_plan_review_docx` (关于XX年政府工作报告落实情况的报告),
  :func:`write_plan_review_xlsx` and :func:`write_plan_review_md`; a bad record raises :class:`DocumentError` naming the duty.
"""

from duban.review.documents.errors import DocumentError
from duban.review.documents.plan import (
    DutyOutcome,
    PlanReview,
    check_review,
    write_plan_review_md,
    write_plan_review_xlsx,
)
from duban.review.documents.plan_docx import write_plan_review_docx
from duban.review.documents.promises import (
    write_promises_csv,
    write_promises_docx,
    write_promises_md,
    write_promises_xlsx,
)
from duban.review.documents.text import DUTY_VERDICT_LABELS, figure_text
from duban.review.documents.wording import load_wording

__all__ = [
    "DUTY_VERDICT_LABELS",
    "DocumentError",
    "DutyOutcome",
    "PlanReview",
    "check_review",
    "figure_text",
    "load_wording",
    "write_plan_review_docx",
    "write_plan_review_md",
    "write_plan_review_xlsx",
    "write_promises_csv",
    "write_promises_docx",
    "write_promises_md",
    "write_promises_xlsx",
]
