"""Idempotency keys on Open311 ``POST requests`` (SQLite and PostgreSQL): a retry with the same key
returns the first answer and stores nothing; the same key with another body is 422; ``device_id`` +
``client_token`` count as the key; two concurrent requests with one key make exactly one case."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from duban.accounts import idempotency
from duban.accounts.idempotency import IdempotencyRow
from duban.accounts.service import create_api_token, create_user
from duban.cases.models import CaseRow
from duban.db import session_scope
from tests.cases.conftest import NOW
from tests.cases.test_cases_open311 import GOOD, build_app

URL = "/open311/v2/requests.json"


@pytest.fixture
def key(db) -> str:
    with session_scope(db) as s:
        account = create_user(session=s, name="open311-app", role="office", password="secret-pass-1", now=NOW)
        return create_api_token(session=s, account=account, now=NOW, label="open311")


@pytest.fixture
def client(db) -> Iterator[TestClient]:
    with TestClient(build_app(db)) as c:
        yield c


def cases(db) -> int:
    with session_scope(db) as s:
        return int(s.scalar(select(func.count()).select_from(CaseRow)) or 0)


def test_retry_with_the_header_returns_the_first_answer(db, client, key):
    body = {**GOOD, "api_key": key}
    first = client.post(URL, data=body, headers={"Idempotency-Key": "retry-1"})
    assert first.status_code == 200, first.text
    again = client.post(URL, data=body, headers={"Idempotency-Key": "retry-1"})
    assert (again.status_code, again.json()) == (200, first.json())
    assert again.headers["idempotent-replayed"] == "true"
    assert cases(db) == 1
    other = client.post(URL, data={**body, "description": "另一件事"}, headers={"Idempotency-Key": "retry-1"})
    assert other.status_code == 422 and other.json()[0]["description"] == "幂等键已用于另一请求"
    assert cases(db) == 1
    fresh = client.post(URL, data=body, headers={"Idempotency-Key": "retry-2"})
    assert fresh.status_code == 200 and fresh.json() != first.json()
    plain = client.post(URL, data=body)  # no key: every post is a new request
    assert plain.status_code == 200 and cases(db) == 3


def test_device_id_and_client_token_count_as_the_key(db, client, key):
    body = {**GOOD, "api_key": key, "device_id": "phone-7", "client_token": "c-0001"}
    first = client.post(URL, data=body)
    again = client.post(URL, json=body)  # the same arguments, sent as JSON this time
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and cases(db) == 1
    other_device = client.post(URL, data={**body, "device_id": "phone-8"})
    assert other_device.json() != first.json() and cases(db) == 2


def test_bad_keys_are_422_in_chinese(db, client, key):
    body = {**GOOD, "api_key": key}
    for bad in ("x" * 201, "tab\there", "中文键"):
        r = client.post(URL, data=body, headers={"Idempotency-Key": bad.encode("utf-8")})
        assert r.status_code == 422, (bad, r.text)
        assert "Idempotency-Key 应为 1 到 200 个可打印字符" in r.json()[0]["description"]
    empty = client.post(URL, data=body, headers={"Idempotency-Key": ""})
    assert empty.status_code == 422
    assert cases(db) == 0


def test_concurrent_requests_with_one_key_make_one_case(db, key):
    app = build_app(db)
    body = {**GOOD, "api_key": key}
    answers: list[tuple[int, str]] = []
    start = threading.Barrier(6)

    def send() -> None:
        with TestClient(app) as c:
            start.wait()
            r = c.post(URL, data=body, headers={"Idempotency-Key": "same-key"})
            answers.append((r.status_code, r.text))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(answers) == 6
    assert {a for a in answers} == {answers[0]} and answers[0][0] == 200
    assert cases(db) == 1


def test_keys_expire_after_a_day(db, client, key):
    body = {**GOOD, "api_key": key}
    assert client.post(URL, data=body, headers={"Idempotency-Key": "old"}).status_code == 200
    with session_scope(db) as s:
        row = s.scalar(select(IdempotencyRow))
        assert row is not None and row.route == "POST /open311/v2/requests.json" and row.status == 200
        row.created_at = NOW - timedelta(hours=25)
    again = client.post(URL, data=body, headers={"Idempotency-Key": "old"})
    assert again.status_code == 200 and cases(db) == 2  # an expired key no longer holds
    with session_scope(db) as s:
        s.add(IdempotencyRow(scope="user:1", route="POST /x", key="k", body_hash="h", status=201,
                             media_type="application/json", response="{}", created_at=NOW - timedelta(days=2)))  # fmt: skip
    with session_scope(db) as s:
        assert idempotency.purge(session=s, now=NOW) == 1
        assert s.scalar(select(func.count()).select_from(IdempotencyRow)) == 1


def test_duban_tick_purges_expired_keys(db, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from duban.cli import main
    from tests.cases.conftest import url_of

    monkeypatch.setenv("DUBAN_CALENDAR_DIR", str(tmp_path / "calendar"))
    with session_scope(db) as s:
        for n, age in enumerate((timedelta(hours=30), timedelta(hours=1))):
            s.add(IdempotencyRow(scope="user:1", route="POST /api/cases", key=f"k{n}", body_hash="h", status=201,
                                 media_type="application/json", response="{}", created_at=NOW - age))  # fmt: skip
    r = CliRunner().invoke(main, ["tick", "--at", NOW.isoformat(), "--database-url", url_of(db)])
    assert r.exit_code == 0, r.output
    assert "清理过期幂等键 1 条" in r.output
    with session_scope(db) as s:
        assert list(s.scalars(select(IdempotencyRow.key))) == ["k1"]


def test_a_sensor_alarm_retried_with_its_key_gets_the_first_answer(db, client):
    from tests.cases.test_cases_open311 import account_key

    headers = {"Authorization": f"Bearer {account_key(db, '网关1', 'gateway')}", "Idempotency-Key": "gw-42"}
    alarm = {"alarm_id": "A-9", "sensor_id": "WL-1", "kind": "积水", "level": "urgent", "value": 30,
             "threshold": 20, "unit": "cm", "at": "2026-03-03T09:40:00+08:00"}  # fmt: skip
    first = client.post("/api/sensors/alarms", json=alarm, headers=headers)
    again = client.post("/api/sensors/alarms", json=alarm, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and first.json()["outcome"] == "opened"  # not "duplicate"
    other = client.post("/api/sensors/alarms", json={**alarm, "alarm_id": "A-10"}, headers=headers)
    assert other.status_code == 422 and other.json()["detail"] == "幂等键已用于另一请求"
    assert cases(db) == 1
