"""The console's side of the board: its query parameters (declared once, a dependency of the
API's ``/api/board`` and ``/api/duties`` and of the page), the cached board view, and the board's
answers kept for this worker and shared with the host's other workers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from duban.clock.calendar import local_date
from duban.db import Id, session_scope
from duban.ledger.board import LIGHTS, BoardFilter, board_view
from duban.ledger.schemas import BoardView
from duban.ledger.sources import load_sources
from duban.ledger.workflow import STATUSES
from duban.web.cache import kept
from duban.web.deps import Who
from duban.web.errors import ApiError
from duban.web.guards import scoped, unit_scope
from duban.web.state import ConsoleState


async def board_filter(
    plan_id: Id | None = None,
    unit: str | None = None,
    light: str | None = None,
    status: str | None = None,
    section: str | None = None,
    q: str | None = None,
    source: str | None = None,
) -> BoardFilter:
    """The board's filters from the query string (``Depends(board_filter)``); a bad value names its
    field (422), a blank one (an empty form select) is no filter."""
    if light and light not in LIGHTS:
        raise ApiError(422, f"字段 light: 应为 {'/'.join(LIGHTS)} 之一", "light")
    if status and status not in STATUSES:
        raise ApiError(422, f"字段 status: 应为 {'/'.join(STATUSES)} 之一", "status")
    if source and source not in load_sources():
        raise ApiError(422, f"字段 source: 应为 {'/'.join(load_sources())} 之一", "source")
    return BoardFilter(
        plan_id=plan_id,
        unit=unit or None,
        light=light or None,
        status=status or None,
        section=section or None,
        q=q,
        source=source or None,
    )


def compute_board(st: ConsoleState, who: Who, f: BoardFilter, limit: int) -> BoardView:
    """The board view, from the cache until the ledger changes (see ConsoleState.data_version)."""
    scope = unit_scope(who)
    f = scoped(who, f)

    def compute() -> BoardView:
        with session_scope(st.engine) as session:
            return board_view(session=session, now=who.now, scope_unit=scope, filters=f, limit=limit)

    view = st.board_cache.get_or_compute(("view", scope, f, limit), compute)
    assert isinstance(view, BoardView)
    return view


async def board_answer(
    st: ConsoleState, who: Who, key: tuple[Any, ...], compute: Callable[[], bytes]
) -> bytes:
    """A board answer (a page's HTML, an API's JSON) for ``key``: this worker's while the data has
    not moved; else the one another worker of this host computed at the same data version and day
    (:mod:`duban.web.shared_answers`); else ``compute()``'s, in a worker thread, left for them."""
    version = await st.data_version_async()  # forgets the boards kept if the data has moved

    def shared() -> bytes:  # only when this worker has no fresh one
        return st.shared.answer(version, (local_date(who.now), key), compute)

    value = await kept(st.board_cache, key, shared)
    assert isinstance(value, bytes)
    return value
