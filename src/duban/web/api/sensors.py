"""Sensor alarms (感知设备告警) as cases: ``POST /api/sensors/alarms`` (the console mounts this
``router`` under ``/api``). A bearer token of a sensor gateway's account (role ``gateway``) is required, any other gets
403; the intake rules (the same ``alarm_id``
twice makes one case, repeats, clear, flapping) are :func:`duban.cases.sensors.take_alarm`, shared
with the MQTT listener.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from duban.cases.sensors import SENSOR_CATEGORY, SensorAlarm, take_alarm
from duban.web import idempotency
from duban.web.deps import DB, Gateway, state_of

router = APIRouter(tags=["感知设备告警"])
__all__ = ["SENSOR_CATEGORY", "SensorAlarm", "router"]


class AlarmAccepted(BaseModel):
    """The case made from an alarm (``duplicate`` when the alarm was already taken in)."""

    case_id: int | None
    duplicate: bool
    due_date: str | None
    outcome: str = "opened"
    """opened / repeat / reopened (flapping) / cleared / duplicate / no_case (a clear with no open alarm)."""


@router.post("/sensors/alarms", response_model=AlarmAccepted)
def post_alarm(alarm: SensorAlarm, request: Request, session: DB, who: Gateway) -> Response:
    """Take in one sensor alarm or clear by the same intake as the MQTT listener (紧急 for level=urgent); only a ``gateway`` account.
    An ``Idempotency-Key`` header makes a retry return the first answer."""
    state = state_of(request)
    pending = idempotency.begin(request, session, who=who, payload=alarm.model_dump())
    if not isinstance(pending, idempotency.Pending):
        return pending
    got = take_alarm(
        session=session,
        alarm=alarm,
        actor=f"设备网关:{who.account.name if who.account else '?'}",
        now=state.clock(),
        calendar=state.calendar,
        policy=state.case_policy,
        unit_cache=state.case_units,
    )
    answer = AlarmAccepted(
        case_id=got.case_id, duplicate=got.outcome == "duplicate", due_date=got.due_date, outcome=got.outcome
    )
    return pending.json(answer)
