"""Each government's clock: the deployment's calendar with the days a government adds (its
``extra_holidays`` and ``extra_workdays`` settings) and the deployment's policy unless the
government names its own (its ``policy`` setting: a built-in policy's name, or a policy in a
policy file's form). Each setting is the government's own, else its parent's, … (see
:func:`duban.units.governments.setting`). A duty runs on the clock of its plan's government; a
duty of a plan without a government, or of a government that sets neither, on the deployment's.

The tick reads the governments once (:func:`government_clocks`); a single duty's reads go through
:func:`duty_clock_rules`. Governments that set the same days share one calendar.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from duban.clock.calendar import WorkCalendar
from duban.clock.policy import Policy, PolicyError, policy_from
from duban.ledger.errors import LedgerError
from duban.ledger.models import DutyRow, ItemRow, PlanRow
from duban.units.models import GovernmentRow

DAY_KEYS = ("extra_workdays", "extra_holidays")


@dataclass(frozen=True)
class Clocks:
    """The deployment's calendar and policy and, by government id, those of the governments that
    set their own."""

    calendar: WorkCalendar
    policy: Policy | None = None  # None: only the days were asked for
    calendars: Mapping[int, WorkCalendar] = field(default_factory=dict)
    policies: Mapping[int, Policy] = field(default_factory=dict)

    @property
    def varied(self) -> bool:
        """Whether any government's clock differs from the deployment's."""
        return bool(self.calendars or self.policies)

    def calendar_of(self, government_id: int | None) -> WorkCalendar:
        """The days a duty of ``government_id``'s plan counts on."""
        return self.calendar if government_id is None else self.calendars.get(government_id, self.calendar)

    def policy_of(self, government_id: int | None) -> Policy:
        """The policy a duty of ``government_id``'s plan runs on."""
        assert self.policy is not None, "government_clocks was given no policy"
        return self.policy if government_id is None else self.policies.get(government_id, self.policy)


def government_clocks(
    *, connection: Connection | Session, calendar: WorkCalendar, policy: Policy | None = None
) -> Clocks:
    """Every government's clock, from one read of the governments (``policy`` None: the days
    only). LedgerError names a government whose stored days or policy are unusable."""
    rows = connection.execute(select(GovernmentRow.id, GovernmentRow.parent_id, GovernmentRow.settings)).all()
    parent = {gid: pid for gid, pid, _ in rows}
    settings: dict[int, dict[str, Any]] = {gid: dict(s or {}) for gid, _, s in rows}
    shared_days: dict[tuple[tuple[date, ...], tuple[date, ...]], WorkCalendar] = {}
    shared_policies: dict[str, Policy] = {}
    calendars: dict[int, WorkCalendar] = {}
    policies: dict[int, Policy] = {}
    for gid in parent:
        on, off = (_days(connection, *_inherited(gid, key, parent, settings), key) for key in DAY_KEYS)
        if on or off:
            if (on, off) not in shared_days:
                shared_days[(on, off)] = calendar.with_days(workdays=on, holidays=off)
            calendars[gid] = shared_days[(on, off)]
        if policy is None:
            continue
        origin, value = _inherited(gid, "policy", parent, settings)
        if origin is not None:
            key = json.dumps(value, ensure_ascii=False, sort_keys=True)
            if key not in shared_policies:
                shared_policies[key] = _policy(connection, origin, value)
            policies[gid] = shared_policies[key]
    return Clocks(calendar, policy, calendars, policies)


def _inherited(
    gid: int, key: str, parent: Mapping[int, int | None], settings: Mapping[int, Mapping[str, Any]]
) -> tuple[int | None, Any]:
    """(the government whose setting ``gid`` uses, its value): its own, else the nearest
    ancestor's; (None, None) when none sets it."""
    at: int | None = gid
    walked: set[int] = set()
    while at is not None and at not in walked:
        walked.add(at)
        if key in settings.get(at, {}):
            return at, settings[at][key]
        at = parent.get(at)
    return None, None


def _name(connection: Connection | Session, gid: int) -> str:
    return str(connection.scalar(select(GovernmentRow.name).where(GovernmentRow.id == gid)))


def _days(connection: Connection | Session, origin: int | None, value: Any, key: str) -> tuple[date, ...]:
    if origin is None:
        return ()
    try:
        return tuple(sorted(date.fromisoformat(str(d)) for d in value or ()))
    except (TypeError, ValueError):
        raise LedgerError(
            f"政府「{_name(connection, origin)}」的设置 {key} 含有无效日期（应为 YYYY-MM-DD 的列表），"
            f"请用 duban governments set 改正"
        ) from None


def _policy(connection: Connection | Session, origin: int, value: Any) -> Policy:
    try:
        return policy_from(value, f"政府「{_name(connection, origin)}」的设置 policy")
    except PolicyError as exc:
        raise LedgerError(f"{exc}，请用 duban governments set 改正") from None


def duty_government(*, connection: Connection | Session, duty_id: int) -> int | None:
    """The government of a duty's plan (None: the root's)."""
    found: int | None = connection.scalar(
        select(PlanRow.government_id)
        .join(ItemRow, ItemRow.plan_id == PlanRow.id)
        .join(DutyRow, DutyRow.item_id == ItemRow.id)
        .where(DutyRow.id == duty_id)
    )
    return found


def duty_clock_rules(
    *, session: Session, duty_id: int, calendar: WorkCalendar, policy: Policy
) -> tuple[WorkCalendar, Policy]:
    """The days and the policy one duty runs on (two small reads; the deployment's when its plan
    has no government)."""
    government_id = duty_government(connection=session, duty_id=duty_id)
    if government_id is None:
        return calendar, policy
    clocks = government_clocks(connection=session, calendar=calendar, policy=policy)
    return clocks.calendar_of(government_id), clocks.policy_of(government_id)
