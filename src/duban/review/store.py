"""Reviews kept in the database: the service functions over the ``promises`` table.

A review (the :class:`~duban.review.model.Promise` records of one place and plan year) is saved
whole: saving a place-year again replaces its rows in the same transaction and leaves one
event in the audit log with the verdict counts before and after. The console's review pages and
the public promise tracker read from here; ``duban review load`` and ``duban review promises
--save`` write here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from duban.audit.service import record
from duban.review.model import Actual, Promise, Target
from duban.review.models import PromiseRow


@dataclass(frozen=True)
class SaveReport:
    """What :func:`save_review` did: the place-years replaced and the rows written."""

    place_years: list[tuple[str, int]]
    written: int
    replaced: int


@dataclass(frozen=True)
class YearSummary:
    """The verdict counts of one place's plan year."""

    place: str
    year: int
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def verifiable(self) -> int:
        return self.counts.get("met", 0) + self.counts.get("missed", 0)

    @property
    def share_met(self) -> float | None:
        """Met over met + missed (None when nothing could be verified)."""
        return self.counts.get("met", 0) / self.verifiable if self.verifiable else None


def _row(p: Promise, position: int, source: str, actor: str, now: datetime) -> PromiseRow:
    a = p.actual
    return PromiseRow(
        place=p.place,
        year=p.year,
        position=position,
        metric=p.metric[:200],
        metric_id=p.metric_id,
        metric_words=p.metric_words[:200],
        scope=p.scope,
        headline=p.headline,
        target_value=p.target.value,
        target_value_high=p.target.value_high,
        target_unit=p.target.unit,
        target_bound=p.target.bound,
        target_change=p.target.change,
        target_quote=p.target.quote,
        target_line=p.target.line,
        has_actual=a is not None,
        actual_value=a.value if a else None,
        actual_unit=a.unit if a else None,
        actual_change=a.change if a else None,
        actual_quote=a.quote if a else None,
        actual_line=a.line if a else None,
        verdict=p.verdict,
        reason=p.reason,
        source=source[:300],
        saved_at=now,
        saved_by=actor,
    )


def to_promise(row: PromiseRow) -> Promise:
    """The record a stored row holds."""
    actual = (
        Actual(
            value=row.actual_value,
            unit=row.actual_unit or "",
            quote=row.actual_quote or "",
            line=row.actual_line,
        )
        if row.has_actual
        else None
    )
    return Promise(
        place=row.place,
        year=row.year,
        metric=row.metric,
        metric_id=row.metric_id,
        headline=row.headline,
        target=Target(
            value=row.target_value,
            value_high=row.target_value_high,
            unit=row.target_unit,
            bound=row.target_bound,
            quote=row.target_quote,
            line=row.target_line,
            change=row.target_change,
        ),
        actual=actual,
        verdict=row.verdict,  # type: ignore[arg-type]
        reason=row.reason,
        metric_words=row.metric_words,
        scope=row.scope,
    )


def save_review(
    *, session: Session, promises: Iterable[Promise], source: str, actor: str, now: datetime
) -> SaveReport:
    """Store reviews, replacing every place-year they cover; one audit event per place-year."""
    groups: dict[tuple[str, int], list[Promise]] = defaultdict(list)
    for p in promises:
        groups[(p.place, p.year)].append(p)
    written = replaced = 0
    for (place, year), items in groups.items():
        old = list(
            session.scalars(select(PromiseRow).where(PromiseRow.place == place, PromiseRow.year == year))
        )
        before = dict(Counter(r.verdict for r in old)) if old else None
        session.execute(delete(PromiseRow).where(PromiseRow.place == place, PromiseRow.year == year))
        rows = [_row(p, i, source, actor, now) for i, p in enumerate(items)]
        session.add_all(rows)
        session.flush()
        record(
            session,
            actor=actor,
            now=now,
            entity="review",
            entity_id=rows[0].id,
            action="review_saved",
            before={"place": place, "year": year, "verdicts": before} if before else None,
            after={
                "place": place,
                "year": year,
                "verdicts": dict(Counter(p.verdict for p in items)),
                "source": source,
            },
        )
        written += len(rows)
        replaced += len(old)
    return SaveReport(place_years=sorted(groups), written=written, replaced=replaced)


def summaries(*, session: Session, query: str | None = None, place: str | None = None) -> list[YearSummary]:
    """Verdict counts per place and year (newest year first), optionally for places matching ``query``."""
    stmt = select(PromiseRow.place, PromiseRow.year, PromiseRow.verdict, func.count()).group_by(
        PromiseRow.place, PromiseRow.year, PromiseRow.verdict
    )
    if query:
        stmt = stmt.where(PromiseRow.place.contains(query.strip(), autoescape=True))
    if place is not None:
        stmt = stmt.where(PromiseRow.place == place)
    acc: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
    for pl, yr, verdict, n in session.execute(stmt):
        acc[(pl, yr)][verdict] = int(n)
    return [
        YearSummary(place=pl, year=yr, counts=c)
        for (pl, yr), c in sorted(acc.items(), key=lambda kv: (kv[0][0], -kv[0][1]))
    ]


def places(
    *, session: Session, query: str | None = None, limit: int = 200
) -> list[tuple[str, list[YearSummary]]]:
    """The places with a stored review (matching ``query``), each with its years newest first."""
    by_place: dict[str, list[YearSummary]] = defaultdict(list)
    for s in summaries(session=session, query=query):
        by_place[s.place].append(s)
    return sorted(by_place.items())[:limit]


def place_reviews(*, session: Session, place: str) -> dict[int, list[Promise]]:
    """Every stored promise of one place by plan year (oldest first), in review order."""
    rows = session.scalars(
        select(PromiseRow).where(PromiseRow.place == place).order_by(PromiseRow.year, PromiseRow.position)
    )
    out: dict[int, list[Promise]] = defaultdict(list)
    for r in rows:
        out[r.year].append(to_promise(r))
    return dict(out)


def year_review(*, session: Session, place: str, year: int) -> list[Promise]:
    """The stored promises of one place-year, in review order (empty when not reviewed)."""
    rows = session.scalars(
        select(PromiseRow)
        .where(PromiseRow.place == place, PromiseRow.year == year)
        .order_by(PromiseRow.position)
    )
    return [to_promise(r) for r in rows]
