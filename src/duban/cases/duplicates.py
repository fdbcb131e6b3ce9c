"""The duplicate search of intake (重复件): which stored case, or which earlier case of a batch, a
new case duplicates. Candidates are cases at the same place (address id, else address, else within
~100 m) of the same kind (category, else service code) received up to ``dedupe_days`` before;
:class:`duban.cases.similar.DuplicateIndex` decides which are near-identical. :func:`find_parent`
serves one case, :func:`link_batch` a whole batch with one query per 500 places.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duban.cases.models import CaseRow
from duban.cases.rules import HubRules
from duban.cases.schemas import CaseCreate
from duban.cases.similar import CaseText, DuplicateIndex

EPS = 0.001
"""About 100 m in latitude: cases with only a position are at the same place within this box."""

_COLUMNS = (
    CaseRow.id, CaseRow.parent_id, CaseRow.title, CaseRow.content, CaseRow.address, CaseRow.address_id,
    CaseRow.lat, CaseRow.lon, CaseRow.category, CaseRow.service_code, CaseRow.received_at,
)  # fmt: skip
"""What the duplicate search reads of a stored case."""


def _has_place(data: CaseCreate) -> bool:
    return bool(data.address or data.address_id or (data.lat is not None and data.lon is not None))


def _cell(x: float) -> int:
    return math.floor(x / EPS)


def _file_scopes(
    address_id: str | None, address: str | None, lat: float | None, lon: float | None
) -> list[Hashable]:
    """Every place key a case can be found by: its address id, its address, its map cell."""
    out: list[Hashable] = []
    if address_id:
        out.append(("id", address_id))
    if address:
        out.append(("address", address))
    if lat is not None and lon is not None:
        out.append(("cell", _cell(lat), _cell(lon)))
    return out


def _search_scopes(data: CaseCreate) -> list[Hashable]:
    """Where a new case looks: its address id, else its address, else the cells its ~100 m box touches."""
    if data.address_id:
        return [("id", data.address_id)]
    if data.address:
        return [("address", data.address)]
    if data.lat is None or data.lon is None:
        return []
    lats = range(_cell(data.lat - EPS), _cell(data.lat + EPS) + 1)
    lons = range(_cell(data.lon - EPS), _cell(data.lon + EPS) + 1)
    return [("cell", i, j) for i in lats for j in lons]


def _stored_text(r: Any) -> CaseText:
    return CaseText(id=str(r.id), text=f"{r.title} {r.content}", place=r.address, at=r.received_at)


def _new_text(key: str, data: CaseCreate, received_at: datetime) -> CaseText:
    return CaseText(id=key, text=f"{data.title} {data.content}".strip(), place=data.address, at=received_at)


def _index(rules: HubRules) -> DuplicateIndex:
    return DuplicateIndex(window_days=rules.dedupe_days, threshold=rules.dedupe_similarity, limit=200)


def find_parent(
    *, session: Session, data: CaseCreate, category: str | None, received_at: datetime, rules: HubRules
) -> int | None:
    """The case this one duplicates: same place and kind within ``dedupe_days``, near-identical text.

    Candidates come from SQL (same address id, else address, else within ~100 m; same category, else
    same service code; the newest 200); a :class:`duban.cases.similar.DuplicateIndex` decides which
    are near-identical. The parent is the earliest of them, or that case's own parent when it has one.
    """
    if not _has_place(data):
        return None
    since = received_at - timedelta(days=rules.dedupe_days)
    q = select(*_COLUMNS).where(CaseRow.received_at >= since, CaseRow.received_at <= received_at)
    if data.address_id:
        q = q.where(CaseRow.address_id == data.address_id)
    elif data.address:
        q = q.where(CaseRow.address == data.address)
    else:
        assert data.lat is not None and data.lon is not None
        q = q.where(
            CaseRow.lat.between(data.lat - EPS, data.lat + EPS),
            CaseRow.lon.between(data.lon - EPS, data.lon + EPS),
        )
    if category:
        q = q.where(CaseRow.category == category)
    elif data.service_code:
        q = q.where(CaseRow.service_code == data.service_code)
    found = session.execute(q.order_by(CaseRow.received_at.desc()).limit(200)).all()
    if not found:
        return None
    index = _index(rules)
    for r in found:
        index.add(_stored_text(r), scopes=["here"], root=str(r.parent_id or r.id))
    root = index.link(_new_text("new", data, received_at), search=["here"])
    return None if root is None else int(root)


def _chunks(values: Iterable[Any], size: int = 500) -> Iterable[list[Any]]:
    items = sorted(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _stored_near(
    session: Session, batch: Sequence[tuple[CaseCreate, datetime]], rules: HubRules
) -> list[Any]:
    """Stored cases a batch may duplicate: in its window, at the address ids, addresses or box it names."""
    placed = [(d, at) for d, at in batch if _has_place(d)]
    if not placed:
        return []
    since = min(at for _, at in placed) - timedelta(days=rules.dedupe_days)
    base = select(*_COLUMNS).where(
        CaseRow.received_at >= since, CaseRow.received_at <= max(at for _, at in placed)
    )
    ids = {d.address_id for d, _ in placed if d.address_id}
    addresses = {d.address for d, _ in placed if not d.address_id and d.address}
    points = [(d.lat, d.lon) for d, _ in placed if not (d.address_id or d.address)]
    queries = [base.where(CaseRow.address_id.in_(chunk)) for chunk in _chunks(ids)]
    queries += [base.where(CaseRow.address.in_(chunk)) for chunk in _chunks(addresses)]
    if points:
        lats = [p[0] for p in points if p[0] is not None]
        lons = [p[1] for p in points if p[1] is not None]
        queries.append(
            base.where(
                CaseRow.lat.between(min(lats) - EPS, max(lats) + EPS),
                CaseRow.lon.between(min(lons) - EPS, max(lons) + EPS),
            )
        )
    found: dict[int, Any] = {}
    for q in queries:
        found.update((r.id, r) for r in session.execute(q))
    return list(found.values())


def link_batch(
    *,
    session: Session,
    batch: Sequence[tuple[CaseCreate, datetime, str | None]],
    rules: HubRules,
) -> list[int | str | None]:
    """The parent of each case of a batch (``data``, received at, category): a stored case's id, the
    key ``"b<position>"`` of an earlier case of the batch, or None.

    The same rules as :func:`find_parent`, run over the stored cases of the batch's places and
    the batch itself in order of receipt, so a batch links as the same cases taken in one by one.
    """
    index = _index(rules)
    kinds: dict[str, tuple[str | None, str | None, float | None, float | None]] = {}
    for r in _stored_near(session, [(d, at) for d, at, _ in batch], rules):
        key = str(r.id)
        kinds[key] = (r.category, r.service_code, r.lat, r.lon)
        index.add(
            _stored_text(r),
            scopes=_file_scopes(r.address_id, r.address, r.lat, r.lon),
            root=str(r.parent_id or r.id),
        )
    out: list[int | str | None] = [None] * len(batch)
    for pos in sorted(range(len(batch)), key=lambda i: (batch[i][1], i)):
        data, at, category = batch[pos]
        if not _has_place(data):
            continue
        key = f"b{pos}"
        kinds[key] = (category, data.service_code, data.lat, data.lon)
        root = index.link(
            _new_text(key, data, at),
            search=_search_scopes(data),
            file_under=_file_scopes(data.address_id, data.address, data.lat, data.lon),
            keep=_keeper(data, category, kinds),
        )
        if root is not None:
            out[pos] = root if root.startswith("b") else int(root)
    return out


def _keeper(
    data: CaseCreate,
    category: str | None,
    kinds: dict[str, tuple[str | None, str | None, float | None, float | None]],
) -> Callable[[str], bool] | None:
    """The SQL filters of :func:`find_parent` as a test on a candidate's key: kind, and the box
    (None when there is nothing to test: no category, no service code, a named place)."""
    service = data.service_code
    box = None
    if not (data.address_id or data.address):
        assert data.lat is not None and data.lon is not None
        box = (data.lat - EPS, data.lat + EPS, data.lon - EPS, data.lon + EPS)
    if not (category or service or box):
        return None

    def keep(key: str) -> bool:
        cat, svc, lat, lon = kinds[key]
        if category:
            if cat != category:
                return False
        elif service and svc != service:
            return False
        if box is not None:
            return lat is not None and lon is not None and box[0] <= lat <= box[1] and box[2] <= lon <= box[3]
        return True

    return keep
