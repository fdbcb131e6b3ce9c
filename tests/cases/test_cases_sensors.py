"""The sensor intake's rules (duban.cases.sensors) on SQLite and PostgreSQL, and the HTTP endpoint
taking the same path: repeats add to the open case, a clear notes the recovery, a flapping sensor
stays one case inside the hold-off, a settled case takes no more repeats."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from duban.accounts.service import create_api_token, create_user
from duban.audit.models import EventRow
from duban.cases.models import CaseRow
from duban.cases.rules import CaseError
from duban.cases.sensors import (
    SensorAlarm,
    SensorMessageError,
    SensorRules,
    load_sensor_rules,
    parse_message,
    take_alarm,
)
from duban.db import session_scope
from tests.cases.conftest import NOW
from tests.cases.test_cases_open311 import build_app

T0 = NOW - timedelta(minutes=20)


def alarm(
    n: int, *, sensor: str = "WL-0931", state: str = "alarm", minutes: float = 0, **extra
) -> SensorAlarm:
    return SensorAlarm.model_validate(
        {
            "alarm_id": f"{sensor}-{n}", "sensor_id": sensor, "kind": "积水", "level": "urgent", "value": 30 + n,
            "threshold": 20, "unit": "cm", "address": "御河东路下穿通道", "state": state,
            "at": (T0 + timedelta(minutes=minutes)).isoformat(), **extra,
        }
    )  # fmt: skip


def take(db, calendar, policy, msg: SensorAlarm, rules: SensorRules | None = None):
    with session_scope(db) as s:
        return take_alarm(
            session=s, alarm=msg, actor="test", now=NOW, calendar=calendar, policy=policy, rules=rules
        )  # fmt: skip


def sensor_cases(db) -> int:
    with session_scope(db) as s:
        return s.scalar(select(func.count()).select_from(CaseRow).where(CaseRow.source == "sensor"))


def notes(db, case_id: int) -> list[tuple[str, int, str]]:
    with session_scope(db) as s:
        rows = s.scalars(
            select(EventRow)
            .where(EventRow.entity == "case", EventRow.entity_id == case_id, EventRow.action.like("sensor_%"))
            .order_by(EventRow.id)
        )
        return [(e.action, e.after["count"], e.after["state"]) for e in rows]


def test_repeats_make_one_case_with_a_count_and_a_second_sensor_a_second(db, calendar, policy):
    got = [take(db, calendar, policy, alarm(n, minutes=n)) for n in range(1, 7)]
    assert [g.outcome for g in got] == ["opened"] + ["repeat"] * 5
    assert {g.case_id for g in got} == {got[0].case_id} and got[-1].count == 6
    assert notes(db, got[0].case_id) == [("sensor_alarm", 1, "alarm")] + [
        ("sensor_repeat", n, "alarm") for n in range(2, 7)
    ]
    other = take(db, calendar, policy, alarm(1, sensor="YG-17", kind="烟感"))
    assert other.outcome == "opened" and other.case_id != got[0].case_id
    assert sensor_cases(db) == 2
    with session_scope(db) as s:
        row = s.get(CaseRow, got[0].case_id)
        assert (row.external_id, row.urgent, row.category) == ("WL-0931-1", True, "设备告警")
        assert row.content == "设备 WL-0931 报告积水，读数 31cm（阈值 20cm）"


def test_redelivery_is_a_duplicate_and_changes_nothing(db, calendar, policy):
    first = take(db, calendar, policy, alarm(1))
    with session_scope(db) as s:
        events = s.scalar(select(func.count()).select_from(EventRow))
    again = take(db, calendar, policy, alarm(1))
    assert (again.outcome, again.case_id, again.count) == ("duplicate", first.case_id, 1)
    with session_scope(db) as s:
        assert s.scalar(select(func.count()).select_from(EventRow)) == events


def test_clear_notes_recovery_and_a_clear_without_an_alarm_opens_nothing(db, calendar, policy):
    lone = take(db, calendar, policy, alarm(1, state="clear"))
    assert (lone.outcome, lone.case_id) == ("no_case", None)
    assert sensor_cases(db) == 0
    first = take(db, calendar, policy, alarm(1))
    clear = take(db, calendar, policy, alarm(2, state="clear", minutes=3))
    assert (clear.outcome, clear.case_id) == ("cleared", first.case_id)
    assert notes(db, first.case_id)[-1] == ("sensor_clear", 1, "clear")
    assert take(db, calendar, policy, alarm(3, state="clear", minutes=4)).outcome == "no_case"


def test_flapping_sensor_stays_one_case_inside_the_holdoff(db, calendar, policy):
    rules = SensorRules(holdoff_minutes=30)
    outcomes = []
    for n in range(5):  # alarm, clear, alarm, clear … a minute apart
        outcomes.append(take(db, calendar, policy, alarm(n, minutes=2 * n), rules))
        outcomes.append(take(db, calendar, policy, alarm(n, state="clear", minutes=2 * n + 1), rules))
    assert sensor_cases(db) == 1
    assert [o.outcome for o in outcomes] == ["opened", "cleared"] + ["reopened", "cleared"] * 4
    with session_scope(db) as s:
        last = s.scalars(select(EventRow).order_by(EventRow.id.desc()).limit(1)).one()
        assert (last.after["count"], last.after["flaps"]) == (5, 4)
    # past the hold-off after the last clear: a new case
    later = take(db, calendar, policy, alarm(9, minutes=9 + 31), rules)
    assert later.outcome == "opened" and sensor_cases(db) == 2


def test_a_settled_case_takes_no_more_repeats(db, calendar, policy):
    first = take(db, calendar, policy, alarm(1))
    with session_scope(db) as s:
        s.get(CaseRow, first.case_id).status = "settled"
    again = take(db, calendar, policy, alarm(2, minutes=1))
    assert again.outcome == "opened" and again.case_id != first.case_id


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"\xff\xfe", "UTF-8"),
        (b"{not json", "不是有效的 JSON"),
        (b"[1, 2]", "应为 JSON 对象"),
        (b'{"sensor_id": "X", "kind": "k", "at": "2026-03-03T10:00:00+08:00"}', "字段 alarm_id"),
        (b'{"alarm_id": "a", "sensor_id": "X", "kind": "k", "at": "2026-03-03T10:00:00"}', "须带时区"),
        (b'{"alarm_id": "a", "sensor_id": "X", "kind": "k", "state": "gone", "at": "2026-03-03T10:00:00Z"}',
         "字段 state"),
    ],
)  # fmt: skip
def test_bad_messages_name_the_reason(payload, reason):
    with pytest.raises(SensorMessageError, match=reason):
        parse_message(payload)


def test_holdoff_is_read_from_the_hub_rules_and_checked(tmp_path):
    assert load_sensor_rules().holdoff_minutes == 30
    bad = tmp_path / "hub.yaml"
    bad.write_text("sensors:\n  holdoff_minutes: soon\n", encoding="utf-8")
    with pytest.raises(CaseError, match=r"sensors\.holdoff_minutes"):
        load_sensor_rules(bad)


def test_http_endpoint_takes_the_same_path(db):
    with session_scope(db) as s:
        account = create_user(session=s, name="gateway", role="gateway", password="secret-pass-1", now=NOW)
        key = create_api_token(session=s, account=account, now=NOW, label="gw")
    headers = {"Authorization": f"Bearer {key}"}
    body = alarm(1).model_dump(mode="json")
    with TestClient(build_app(db)) as client:
        first = client.post("/api/sensors/alarms", json=body, headers=headers).json()
        repeat = client.post(
            "/api/sensors/alarms", json=alarm(2, minutes=1).model_dump(mode="json"), headers=headers
        )
        clear = client.post(
            "/api/sensors/alarms",
            json=alarm(3, state="clear", minutes=2).model_dump(mode="json"),
            headers=headers,
        )
        bad = client.post("/api/sensors/alarms", json={**body, "state": "gone"}, headers=headers)
    assert first["outcome"] == "opened"
    assert repeat.json()["outcome"] == "repeat" and repeat.json()["case_id"] == first["case_id"]
    assert clear.json()["outcome"] == "cleared" and clear.json()["case_id"] == first["case_id"]
    assert bad.status_code == 422
    assert sensor_cases(db) == 1
