"""Bad input gets a 4xx naming the field, never a 500 (issue 12): a JSON body nested 200,000
deep, dates at the ends of the calendar, ids past what the database holds, NUL bytes, invalid
UTF-8 in a form, deadlines in year 1, figures that are not finite, names of 10,000 characters.
Each case was a 500 or was stored before the door check (``duban.web.input_guard``) and the
bounded types (``duban.db.Id``, ``Day``, ``Figure``, ``ShortText``).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from duban.cases.models import CaseRow
from duban.config import Settings
from duban.db import make_engine, session_scope
from tests.web.web_factories import UNIT_A

HUGE_ID = str(2**64)


def _cases(settings: Settings) -> int:
    with session_scope(make_engine(settings)) as s:
        return int(s.scalar(select(func.count()).select_from(CaseRow)) or 0)


def test_a_json_body_nested_200000_deep_is_422(clients):
    office = clients.api("office")
    body = b"[" * 200_000
    key = clients.world.tokens["office"]
    r = office.post(f"/open311/v2/requests.json?api_key={key}", content=body,
                    headers={"content-type": "application/json"})  # fmt: skip
    assert r.status_code in (400, 422) and "嵌套过深" in r.json()[0]["description"]
    r = office.post("/api/cases", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422 and "嵌套过深" in r.json()["detail"]


@pytest.mark.parametrize(
    "params",
    [{"start_date": "0001-01-01T00:00:00+14:00"}, {"end_date": "9999-12-31T23:59:59-12:00"}],
)
@pytest.mark.parametrize("path", ["requests.json", "servicerequestupdates.json"])
def test_open311_dates_at_the_ends_of_the_calendar_are_400(clients, params, path):
    r = clients.anon().get(f"/open311/v2/{path}", params=params)
    assert r.status_code == 400
    assert next(iter(params)) in r.json()[0]["description"]


@pytest.mark.parametrize(
    "path",
    [f"/api/duties/{HUGE_ID}", f"/api/cases/{HUGE_ID}", f"/api/plans/{HUGE_ID}", f"/api/items/{HUGE_ID}",
     f"/api/duties/{2**31}", f"/api/events?entity_id={HUGE_ID}", f"/api/board?plan_id={HUGE_ID}",
     f"/duties/{HUGE_ID}", f"/cases/{HUGE_ID}", f"/plans/{HUGE_ID}"],
)  # fmt: skip
def test_ids_past_what_the_database_holds_are_422(clients, path):
    r = clients.api("office").get(path)
    assert r.status_code == 422, r.text
    if path.startswith("/api/"):
        assert r.json()["field"] in ("duty_id", "case_id", "plan_id", "item_id", "entity_id")


def test_open311_ids_past_the_database_are_400(clients):
    r = clients.anon().get(f"/open311/v2/requests/{2**40}.json")
    assert r.status_code in (400, 404)
    r = clients.anon().get("/open311/v2/requests.json", params={"service_request_id": str(2**40)})
    assert r.status_code in (200, 400)


def test_a_nul_byte_in_any_text_is_refused(clients, settings):
    before = _cases(settings)
    office = clients.api("office")
    r = office.post("/api/cases", json={"content": "路灯\x00不亮"})
    assert r.status_code == 422 and r.json()["field"] == "content"
    r = office.get("/api/board", params={"q": "a\x00b"})
    assert r.status_code == 422 and r.json()["field"] == "q"
    key = clients.world.tokens["office"]
    r = clients.anon().post("/open311/v2/requests.json", data={"api_key": key, "service_code": "streetlight",
                                                                "description": "a\x00b", "lat": "40", "long": "113"})  # fmt: skip
    assert r.status_code == 400 and "description" in r.json()[0]["description"]
    assert _cases(settings) == before


def test_invalid_utf8_in_a_form_is_refused_not_stored(clients, settings):
    before = _cases(settings)
    anon = clients.anon()
    form = anon.get("/report")
    token = anon.cookies.get("duban_report_csrf")
    assert form.status_code == 200 and token
    body = b"title=%FF%FE&content=%E8%B7%AF%E7%81%AF&csrf_token=" + token.encode()
    r = anon.post("/report", content=body, headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 422 and "title" in r.text and "UTF-8" in r.text
    assert _cases(settings) == before


def test_a_due_day_in_year_one_is_422(clients):
    w = clients.world
    r = clients.api("office").put(f"/api/duties/{w.duty_a}/due", json={"due": "0001-01-01"})
    assert r.status_code == 422 and r.json()["field"] == "due" and "2000-01-01" in r.json()["detail"]
    r = clients.api("office").put(f"/api/duties/{w.duty_a}/milestones",
                                  json={"milestones": [{"name": "开工", "due": "9999-01-01"}]})  # fmt: skip
    assert r.status_code == 422 and r.json()["field"] == "milestones.0.due"
    browser, csrf = clients.browser("office")
    r = browser.post(f"/duties/{w.duty_a}/due", data={"due": "0001-01-01", "csrf_token": csrf})
    assert r.status_code == 422


@pytest.mark.parametrize("figure", ["1e309", "NaN", "-Infinity"])
def test_figures_that_are_not_finite_are_422(clients, figure):
    w = clients.world
    unit = clients.api("unit_a")
    r = unit.post(f"/api/duties/{w.duty_a}/progress", content=f'{{"text": "进展", "figure": {figure}}}',
                  headers={"content-type": "application/json"})  # fmt: skip
    assert r.status_code == 422, r.text
    browser, csrf = clients.browser("unit_a")
    r = browser.post(
        f"/duties/{w.duty_a}/progress", data={"text": "进展", "figure": figure, "csrf_token": csrf}
    )
    assert r.status_code == 422 and "figure" in r.text
    assert unit.get(f"/api/duties/{w.duty_a}/progress").json()["total"] == 0


def test_a_leader_name_of_10000_characters_is_422(clients):
    w = clients.world
    r = clients.api("office").post(
        f"/api/items/{w.item_free}/assign", json={"unit": UNIT_A, "leader": "长" * 10_000}
    )
    assert r.status_code == 422 and r.json()["field"] == "leader" and "100" in r.json()["detail"]
