"""Each government's working days: the deployment's calendar with the days a government adds, its
``extra_holidays`` and ``extra_workdays`` settings (each its own, else its parent's, …; see
:func:`duban.units.governments.setting`). A duty counts on the calendar of its plan's government;
a duty of a plan without a government, or of a government that adds no days, on the deployment's.

The tick reads the governments once (:func:`government_calendars`); a single duty's reads go
through :func:`duty_calendar`. Governments that add the same days share one calendar.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from duban.clock.calendar import WorkCalendar
from duban.ledger.errors import LedgerError
from duban.ledger.models import DutyRow, ItemRow, PlanRow
from duban.units.models import GovernmentRow

DAY_KEYS = ("extra_workdays", "extra_holidays")


@dataclass(frozen=True)
class Calendars:
    """The deployment's calendar and, by government id, those of the governments that add days."""

    base: WorkCalendar
    own: Mapping[int, WorkCalendar] = field(default_factory=dict)

    def of(self, government_id: int | None) -> WorkCalendar:
        """The calendar a duty of ``government_id``'s plan counts on."""
        return self.base if government_id is None else self.own.get(government_id, self.base)


def government_calendars(*, connection: Connection | Session, base: WorkCalendar) -> Calendars:
    """Every government's calendar, from one read of the governments (LedgerError names a
    government whose stored days are not dates)."""
    rows = connection.execute(select(GovernmentRow.id, GovernmentRow.parent_id, GovernmentRow.settings)).all()
    parent = {gid: pid for gid, pid, _ in rows}
    settings: dict[int, dict[str, Any]] = {gid: dict(s or {}) for gid, _, s in rows}
    shared: dict[tuple[tuple[date, ...], tuple[date, ...]], WorkCalendar] = {}
    own: dict[int, WorkCalendar] = {}
    for gid in parent:
        on, off = (_inherited(gid, key, parent, settings, connection) for key in DAY_KEYS)
        if not on and not off:
            continue
        key = (on, off)
        if key not in shared:
            shared[key] = base.with_days(workdays=on, holidays=off)
        own[gid] = shared[key]
    return Calendars(base, own)


def _inherited(
    gid: int,
    key: str,
    parent: Mapping[int, int | None],
    settings: Mapping[int, Mapping[str, Any]],
    connection: Connection | Session,
) -> tuple[date, ...]:
    """The days of ``key`` that ``gid`` uses: its own, else the nearest ancestor's."""
    at: int | None = gid
    walked: set[int] = set()
    while at is not None and at not in walked:
        walked.add(at)
        if key in settings.get(at, {}):
            return _days(settings[at][key], at, key, connection)
        at = parent.get(at)
    return ()


def _days(value: Any, gid: int, key: str, connection: Connection | Session) -> tuple[date, ...]:
    try:
        return tuple(sorted(date.fromisoformat(str(d)) for d in value or ()))
    except (TypeError, ValueError):
        name = connection.scalar(select(GovernmentRow.name).where(GovernmentRow.id == gid))
        raise LedgerError(
            f"政府「{name}」的设置 {key} 含有无效日期（应为 YYYY-MM-DD 的列表），"
            f"请用 duban governments set 改正"
        ) from None


def duty_government(*, connection: Connection | Session, duty_id: int) -> int | None:
    """The government of a duty's plan (None: the root's)."""
    found: int | None = connection.scalar(
        select(PlanRow.government_id)
        .join(ItemRow, ItemRow.plan_id == PlanRow.id)
        .join(DutyRow, DutyRow.item_id == ItemRow.id)
        .where(DutyRow.id == duty_id)
    )
    return found


def duty_calendar(*, session: Session, duty_id: int, base: WorkCalendar) -> WorkCalendar:
    """The calendar one duty counts on (two small reads; the deployment's when its plan has no
    government)."""
    government_id = duty_government(connection=session, duty_id=duty_id)
    if government_id is None:
        return base
    return government_calendars(connection=session, base=base).of(government_id)
