"""Intake (受理): a case from any channel becomes a row with its due date on the working-day clock,
a category and a suggested unit (from the classifier, when the city has a model file), a link to
its near-duplicate parent, and a ``create`` event. ``intake_many`` does the same in bulk, duplicate
search included (:mod:`duban.cases.duplicates`): each case, in order of receipt, is linked to
stored cases and to the batch's own earlier ones by the same rules as a single intake.

Classification goes through a :class:`Classifier` (anything with ``classify(text) -> (label,
confidence) | None``); :func:`load_classifier` wraps ``duban.cases.classify`` for a model file.
Without a model the category stays empty and the case is marked ``needs_review``.
"""

from __future__ import annotations

import importlib
import operator
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from duban.audit import service as audit
from duban.cases.auto_dispatch import auto_dispatch, threshold_of
from duban.cases.category_units import suggest_unit
from duban.cases.duplicates import find_parent, link_batch
from duban.cases.flow import case_snapshot, due_date_for
from duban.cases.models import CaseRow, CaseStatus
from duban.cases.rules import CaseError, HubRules, load_rules
from duban.cases.schemas import CaseCreate
from duban.cases.track_code import new_codes
from duban.clock.calendar import WorkCalendar, local_date
from duban.clock.policy import Policy
from duban.units.service import resolve_unit


class Classifier(Protocol):
    """What intake needs of a classifier: a label and a confidence for one text, or None."""

    def classify(self, text: str) -> tuple[str, float] | None: ...


@dataclass
class ModelClassifier:
    """The city's trained model (:class:`duban.cases.classify.CaseModel`) as a :class:`Classifier`."""

    model: Any

    def classify(self, text: str) -> tuple[str, float] | None:
        got = self.model.predict([text])
        return (got[0].label, float(got[0].confidence)) if got else None

    def auto_threshold(self) -> float | None:
        """The model's auto-dispatch threshold (智能派单), None for a model without one."""
        auto = getattr(self.model, "auto", None)
        return None if auto is None else float(auto.threshold)


def load_classifier(path: Path | str | None) -> Classifier | None:
    """The city's category model file (``duban cases train`` writes it); None when no path is given."""
    if path is None:
        return None
    path = Path(path)
    if not path.exists():
        raise CaseError(f"分类模型文件 {path} 不存在", "model")
    classify = importlib.import_module("duban.cases.classify")  # sklearn and jieba load only when used
    try:
        return ModelClassifier(classify.CaseModel.load(path))
    except ValueError as exc:  # the model module's CaseInputError names the file and the problem
        raise CaseError(str(exc), "model") from None


@dataclass(frozen=True)
class IntakeReport:
    """What :func:`intake_many` did."""

    created: int
    skipped_existing: int
    needs_review: int
    ids: tuple[int, ...]
    duplicates: int = 0
    """How many of the new cases were linked to a parent (a stored case or one of the batch)."""
    auto_dispatched: int = 0
    """How many went to their unit without an operator (智能派单)."""


def _text(data: CaseCreate) -> str:
    return f"{data.title} {data.content}".strip()


def _classify(
    data: CaseCreate, classifier: Classifier | None, rules: HubRules
) -> tuple[str | None, float | None, str]:
    """(category, confidence, review state) for a new case."""
    if data.category:
        return data.category, None, "confirmed"
    if classifier is None:
        return None, None, "needs_review"
    got = classifier.classify(_text(data))
    if got is None:
        return None, None, "needs_review"
    label, conf = got
    return label, conf, ("auto" if conf >= rules.review_below else "needs_review")


def _suggest_unit(
    session: Session, category: str | None, rules: HubRules, cache: dict[str, int | None]
) -> int | None:
    if category is None:
        return None
    if category not in cache:
        name = rules.category_units.get(category)
        if name is None:
            name = suggest_unit(category)
        unit = resolve_unit(session=session, name=name) if name else None
        cache[category] = unit.id if unit is not None else None
    return cache[category]


def _row(
    data: CaseCreate,
    *,
    received_at: datetime,
    due: date,
    category: str | None,
    confidence: float | None,
    review: str,
    unit_id: int | None,
    parent_id: int | None,
    now: datetime,
    status: str = CaseStatus.RECEIVED.value,
    month: str | None = None,
    token: str | None = None,
    track_code: str | None = None,
) -> dict[str, Any]:
    return {
        "source": data.source,
        "external_id": data.external_id,
        "channel": data.channel,
        "case_type": data.case_type,
        "urgent": data.urgent,
        "status": status,
        "title": data.title or data.content[:30],
        "content": data.content,
        "category": category,
        "confidence": confidence,
        "review": review,
        "suggested_unit_id": unit_id,
        "service_code": data.service_code,
        "citizen_name": data.citizen_name,
        "citizen_phone": data.citizen_phone,
        "address": data.address,
        "address_id": data.address_id,
        "zipcode": data.zipcode,
        "lat": data.lat,
        "lon": data.lon,
        "media_url": data.media_url,
        "token": token or uuid.uuid4().hex[:24],
        "track_code": track_code,
        "publish": data.publish,
        "parent_id": parent_id,
        "item_id": data.item_id,
        "received_at": received_at,
        "month": month or local_date(received_at).strftime("%Y-%m"),
        "due_date": due,
        "updated_at": now,
        "returned_count": 0,
        "reopened_count": 0,
        "extension_workdays": 0,
        "overdue_workdays": 0,
    }


EVENT_FIELDS = (
    "source",
    "external_id",
    "channel",
    "case_type",
    "urgent",
    "status",
    "category",
    "review",
    "due_date",
    "parent_id",
)
"""The columns a bulk ``create`` event keeps (the single intake keeps the whole masked row)."""
_EVENT_VALUES = operator.itemgetter(*EVENT_FIELDS)


def _event_after(row: dict[str, Any]) -> dict[str, Any]:
    """A bulk ``create`` event's ``after``: :data:`EVENT_FIELDS`, the due date as an ISO string."""
    after = dict(zip(EVENT_FIELDS, _EVENT_VALUES(row), strict=True))
    if after["due_date"] is not None:
        after["due_date"] = after["due_date"].isoformat()
    return after


def insert_cases(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert case rows in bulk and return their ids in order (each row needs its unique ``token``).

    A plain Core executemany (RETURNING goes row by row on SQLite, and psycopg re-parses every batch
    of a RETURNING insert; the ORM's bulk path adds its own work per row), then the ids are looked
    up by token.
    """
    if not rows:
        return []
    session.execute(insert(CaseRow.metadata.tables[CaseRow.__tablename__]), rows)
    by_token: dict[str, int] = {}
    tokens = [r["token"] for r in rows]
    for start in range(0, len(tokens), 500):
        chunk = tokens[start : start + 500]
        by_token.update(
            (str(t), int(i))
            for i, t in session.execute(select(CaseRow.id, CaseRow.token).where(CaseRow.token.in_(chunk)))
        )
    return [by_token[t] for t in tokens]


def intake(
    *,
    session: Session,
    data: CaseCreate,
    actor: str,
    now: datetime,
    calendar: WorkCalendar,
    policy: Policy,
    classifier: Classifier | None = None,
    rules: HubRules | None = None,
    unit_cache: dict[str, int | None] | None = None,
) -> CaseRow:
    """受理 one case: due date, category and suggested unit, duplicate parent, and a ``create`` event.

    ``unit_cache`` (category → unit id) may be kept by a long-running caller such as the web app.
    """
    rules = rules or load_rules()
    received_at = data.received_at or now
    if data.external_id is not None:
        dup = session.scalar(
            select(CaseRow.id).where(CaseRow.source == data.source, CaseRow.external_id == data.external_id)
        )
        if dup is not None:
            raise CaseError(
                f"来源 {data.source} 的编号 {data.external_id} 已受理（工单 {dup}）", "external_id"
            )
    due = due_date_for(
        case_type=data.case_type,
        urgent=data.urgent,
        received=local_date(received_at),
        calendar=calendar,
        limits=policy,
    )
    category, confidence, review = _classify(data, classifier, rules)
    unit_id = _suggest_unit(session, category, rules, {} if unit_cache is None else unit_cache)
    parent = find_parent(session=session, data=data, category=category, received_at=received_at, rules=rules)
    row = CaseRow(
        **_row(
            data,
            received_at=received_at,
            due=due,
            category=category,
            confidence=confidence,
            review=review,
            unit_id=unit_id,
            parent_id=parent,
            now=now,
            track_code=new_codes(session, 1)[0],
        )
    )
    session.add(row)
    session.flush()
    audit.record(
        session, actor=actor, now=now, entity="case", entity_id=row.id, action="create",
        before=None, after=case_snapshot(row),
    )  # fmt: skip
    auto_dispatch(
        session=session,
        rows=[row],
        threshold=threshold_of(classifier),
        actor=actor,
        now=now,
        calendar=calendar,
    )
    return row


def intake_many(
    *,
    session: Session,
    cases: Sequence[CaseCreate],
    actor: str,
    now: datetime,
    calendar: WorkCalendar,
    policy: Policy,
    classifier: Classifier | None = None,
    rules: HubRules | None = None,
) -> IntakeReport:
    """受理 many cases in a few statements, duplicates linked; existing source ids are skipped."""
    rules = rules or load_rules()
    existing: set[tuple[str, str]] = set()
    keyed = {(c.source, c.external_id) for c in cases if c.external_id is not None}
    if keyed:
        sources = {s for s, _ in keyed}
        for src, ext in session.execute(
            select(CaseRow.source, CaseRow.external_id).where(
                CaseRow.source.in_(sources), CaseRow.external_id.is_not(None)
            )
        ):
            existing.add((str(src), str(ext)))
    dues: dict[tuple[date, str, bool], date] = {}
    months: dict[date, str] = {}
    tokens = os.urandom(12 * len(cases)).hex()  # one draw for the batch, 24 hex digits a case
    codes = new_codes(session, len(cases))
    units: dict[str, int | None] = {}
    rows: list[dict[str, Any]] = []
    taken: list[tuple[CaseCreate, datetime, str | None]] = []
    skipped = 0
    seen: set[tuple[str, str]] = set()
    for data in cases:
        if data.external_id is not None:
            key = (data.source, data.external_id)
            if key in existing or key in seen:
                skipped += 1
                continue
            seen.add(key)
        received_at = data.received_at or now
        day = local_date(received_at)
        dkey = (day, data.case_type, data.urgent)
        if dkey not in dues:
            dues[dkey] = due_date_for(
                case_type=data.case_type, urgent=data.urgent, received=day, calendar=calendar, limits=policy
            )
            months[day] = day.strftime("%Y-%m")
        category, confidence, review = _classify(data, classifier, rules)
        n = len(rows)
        taken.append((data, received_at, category))
        rows.append(
            _row(
                data,
                received_at=received_at,
                due=dues[dkey],
                category=category,
                confidence=confidence,
                review=review,
                unit_id=_suggest_unit(session, category, rules, units),
                parent_id=None,
                now=now,
                month=months[day],
                token=tokens[24 * n : 24 * n + 24],
                track_code=codes[n],
            )
        )
    parents = link_batch(session=session, batch=taken, rules=rules)
    # parents first: a case linked to one of the batch is inserted once that one has its id
    first = [i for i, p in enumerate(parents) if not isinstance(p, str)]
    later = [i for i, p in enumerate(parents) if isinstance(p, str)]
    for i in first:
        rows[i]["parent_id"] = parents[i]
    ids: list[int] = [0] * len(rows)
    for i, cid in zip(first, insert_cases(session, [rows[i] for i in first]), strict=True):
        ids[i] = cid
    for i in later:
        rows[i]["parent_id"] = ids[int(str(parents[i])[1:])]
    for i, cid in zip(later, insert_cases(session, [rows[i] for i in later]), strict=True):
        ids[i] = cid
    audit.record_many(
        session,
        [
            {
                "at": now,
                "actor": actor,
                "entity": "case",
                "entity_id": cid,
                "action": "create",
                "before": None,
                "after": _event_after(r),
            }
            for cid, r in zip(ids, rows, strict=True)
        ],
    )
    threshold, sent = threshold_of(classifier), 0
    if threshold is not None:
        auto = [cid for cid, r in zip(ids, rows, strict=True) if r["review"] == "auto"]
        loaded: dict[int, CaseRow] = {}
        for start in range(0, len(auto), 500):  # a query per 500 cases, not one per case
            chunk = auto[start : start + 500]
            loaded.update((r.id, r) for r in session.scalars(select(CaseRow).where(CaseRow.id.in_(chunk))))
        sent = auto_dispatch(
            session=session,
            rows=[loaded[cid] for cid in auto],
            threshold=threshold,
            actor=actor,
            now=now,
            calendar=calendar,
        )
    return IntakeReport(
        created=len(rows),
        skipped_existing=skipped,
        needs_review=sum(1 for r in rows if r["review"] == "needs_review"),
        ids=tuple(ids),
        duplicates=sum(1 for p in parents if p is not None),
        auto_dispatched=sent,
    )
