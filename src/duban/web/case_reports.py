"""The console's case reports: hot topics among recent cases (cached like the board) and the
month and day the rates are counted at."""

from __future__ import annotations

import importlib
import re
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from duban.cases.models import CaseRow
from duban.clock.calendar import local_date
from duban.db import session_scope
from duban.web.deps import Who
from duban.web.errors import ApiError
from duban.web.reach import reach_clause
from duban.web.state import ConsoleState

# The hot topics' module and the libraries it clusters with (and what they import on their
# first run): ~1,000 modules, imported by ConsoleState.warm so that they are frozen with the rest
# of the start-up objects (web.app's lifespan). Imported by the first ask of the hot spots
# instead, they were ~67,000 objects (16,500 functions: scipy.stats, numpy, sklearn, narwhals)
# that every full collection of the garbage collector walked for the rest of the server's life: a
# server held 99,000 tracked objects after every console route was asked once, 32,500 with them
# frozen (bench/serve.py's ledger). That first ask also waited ~1 s for them. They cost each
# worker ~1.2 s and ~105 MB at start, which a worker paid anyway once it answered the hot spots.
HOT_LIBRARIES = (
    "duban.cases.hot",
    "numpy",
    "scipy.sparse",
    "scipy.cluster.hierarchy",  # imported by sklearn's clustering when it first runs
    "sklearn.cluster",
    "sklearn.feature_extraction.text",
    "sklearn.preprocessing",
    "jieba",  # the words (duban.cases.classify_features); it imports pkg_resources
)


def import_hot_libraries() -> None:
    """Import :data:`HOT_LIBRARIES` (at start: :meth:`ConsoleState.warm`)."""
    for name in HOT_LIBRARIES:
        importlib.import_module(name)


def hot(st: ConsoleState, who: Who, *, days: int, top: int) -> list[dict[str, Any]]:
    """Hot topics among the cases received in the last ``days`` days (cases.hot over up to 5,000
    stored cases). Clustering takes a while, so the answer is kept (like the board) until the
    ledger's version changes, for the current minute's window."""
    st.data_version()  # forgets the kept answers if the data has moved
    key = ("hot", days, top, who.now.replace(second=0, microsecond=0), who.governments)

    def compute() -> list[dict[str, Any]]:
        with session_scope(st.engine) as session:
            return _hot(session, who, days=days, top=top)

    found: list[dict[str, Any]] = st.board_cache.get_or_compute(key, compute)
    return found


def _hot(session: Session, who: Who, *, days: int, top: int) -> list[dict[str, Any]]:
    from duban.cases.hot import HotMessage, hot_topics  # sklearn loads only when asked

    since = who.now - timedelta(days=days)
    reach = reach_clause(who)
    rows = session.execute(
        select(CaseRow.id, CaseRow.title, CaseRow.content, CaseRow.received_at)
        .where(CaseRow.received_at >= since, CaseRow.received_at <= who.now)
        .where(reach if reach is not None else true())
        .order_by(CaseRow.received_at.desc())
        .limit(5000)
    ).all()
    msgs = [HotMessage(id=str(i), subject=t or "", detail=c or "", at=at) for i, t, c, at in rows]
    topics = hot_topics(msgs, now=who.now, window_days=days, top=top)
    return [
        {
            "label": t.label,
            "keywords": t.keywords,
            "heat": t.heat,
            "count": t.count,
            "places": t.places,
            "mentions": t.mentions,
            "case_ids": [int(i) for i in t.message_ids],
            "first_at": t.first_at,
            "last_at": t.last_at,
        }
        for t in topics
    ]


def month_of(now: datetime, month: str | None) -> str:
    """The month asked for (YYYY-MM) or the current Beijing month; a bad value names ``month``."""
    if month is None or month == "":
        return local_date(now).strftime("%Y-%m")
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise ApiError(422, f"月份：「{month}」不是月份（应为 2026-03 这样的年月）", "month")
    return month


def month_choices(now: datetime, chosen: str, count: int = 24) -> list[tuple[str, str]]:
    """(YYYY-MM, 「2023年7月」) for the ``count`` months up to now's, newest first, and the chosen one.

    >>> from datetime import UTC
    >>> month_choices(datetime(2023, 2, 1, tzinfo=UTC), "2020-05", 3)
    [('2023-02', '2023年2月'), ('2023-01', '2023年1月'), ('2022-12', '2022年12月'), ('2020-05', '2020年5月')]
    """
    today = local_date(now)
    y, m = today.year, today.month
    keys: list[str] = []
    for _ in range(count):
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    if chosen not in keys:
        keys.append(chosen)
    return [(k, f"{int(k[:4])}年{int(k[5:])}月") for k in keys]


def as_of(now: datetime) -> date:
    """The day the rates are counted at."""
    return local_date(now)
