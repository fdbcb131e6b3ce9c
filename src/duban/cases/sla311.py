"""SLA statistics of a 311 export read by :mod:`duban.cases.city311`: per service type, the share
closed by the due date and the median days to close. Pure: no database.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass

from duban.cases.city311 import Record311


@dataclass(frozen=True)
class SlaLine:
    """SLA figures of one service type (or of all, ``service_type == "全部"``)."""

    service_type: str
    requests: int
    with_due: int
    closed: int
    closed_by_due: int
    share_by_due: float | None
    median_days_to_close: float | None


def _sla_line(name: str, recs: list[Record311]) -> SlaLine:
    with_due = [r for r in recs if r.due is not None]
    closed = [r for r in recs if r.closed is not None]
    by_due = [r for r in with_due if r.closed is not None and r.due is not None and r.closed <= r.due]
    days = [(r.closed - r.created).total_seconds() / 86400 for r in closed if r.closed is not None]
    return SlaLine(
        service_type=name,
        requests=len(recs),
        with_due=len(with_due),
        closed=len(closed),
        closed_by_due=len(by_due),
        share_by_due=len(by_due) / len(with_due) if with_due else None,
        median_days_to_close=statistics.median(days) if days else None,
    )


def sla_stats(records: list[Record311], *, min_requests: int = 1) -> list[SlaLine]:
    """Per service type (most requests first, then the total): share of requests with a due date
    closed by it, and the median days from creation to closure."""
    by_type: dict[str, list[Record311]] = defaultdict(list)
    for r in records:
        by_type[r.service_type].append(r)
    lines = [_sla_line(t, rs) for t, rs in by_type.items() if len(rs) >= min_requests]
    lines.sort(key=lambda x: (-x.requests, x.service_type))
    return [*lines, _sla_line("全部", records)]
