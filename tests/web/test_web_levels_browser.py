"""Levels of government in a real headless Chromium: the city's office hands a duty down to a
county on the duty page, sees the roll-up by government on the board; the county's office
assigns the handed-down duty to its own unit, and the city sees the county's unit and progress
on its duty page; the pages work at phone width."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from duban.accounts.service import create_user
from duban.ledger import service
from duban.ledger.models import DutyRow
from duban.units import governments
from duban.units.service import load_units, require_unit
from tests.web.browser_support import PASSWORD, chromium, live_server, login, no_horizontal_scroll, shot
from tests.web.web_factories import UNIT_A, make_plan

pytestmark = pytest.mark.browser

NOW = datetime(2023, 3, 15, 2, 0, tzinfo=UTC)
CITY_OFFICE = "示例市督查室刘一"
COUNTY_OFFICE = "甲县督查室陈二"
COUNTY_UNIT = "甲县住房和城乡建设局"
IDS: dict[str, int] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("levels")
    units = Path(folder) / "county_units.yaml"
    units.write_text(f"units:\n  - {{name: {COUNTY_UNIT}, kind: 部门}}\n", encoding="utf-8")

    def people(s) -> None:
        kw = {"session": s, "actor": "test", "now": NOW}
        governments.add_government(name="示例市", level="市", **kw)
        governments.add_government(name="甲县", level="县", parent="示例市", **kw)
        load_units(session=s, path=units, actor="test", now=NOW)
        county_unit = require_unit(session=s, name=COUNTY_UNIT)
        governments.attach_units(session=s, government="甲县", units=[county_unit], actor="test", now=NOW)
        plan, _ = service.load_plan(session=s, plan=make_plan(), actor="test", now=NOW)
        items = {i.ref: i for i in service.plan_items(session=s, plan_id=plan.id)}
        service.assign(session=s, item_id=items["t1"].id, unit=UNIT_A, actor="test", now=NOW)
        IDS["duty"] = s.query(DutyRow).one().id
        create_user(
            session=s, name=CITY_OFFICE, role="office", government="示例市", password=PASSWORD, now=NOW
        )
        create_user(
            session=s, name=COUNTY_OFFICE, role="office", government="甲县", password=PASSWORD, now=NOW
        )

    with live_server(folder, NOW, people) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def test_a_hand_down_and_the_roll_up_board(server: str, browser) -> None:
    ctx, page = login(browser, server, CITY_OFFICE)
    page.goto(f"{server}/duties/{IDS['duty']}")
    page.select_option("#hand-down select[name=to]", "甲县")
    page.click("#hand-down button")
    page.locator(".note").wait_for()
    assert "已下交甲县" in page.locator(".note").inner_text()
    row = page.locator("#levels-children tbody tr")
    assert row.count() == 1 and "甲县" in row.inner_text() and "待交办" in row.inner_text()
    child = int(row.locator("a").inner_text().lstrip("#"))
    page.goto(f"{server}/board")
    rolled = page.locator("#board-governments tbody tr")
    assert rolled.count() == 2
    assert "本级" in page.locator("tr[data-government=示例市]").inner_text()
    assert page.locator("tr[data-government=甲县] td[data-label=督办事项]").inner_text() == "1"
    shot(page, "levels-board")

    county_ctx, county = login(browser, server, COUNTY_OFFICE, phone=True)
    county.goto(f"{server}/duties/{IDS['duty']}")
    assert "不存在" in county.content()  # the city's duty is above the county's subtree
    county.goto(f"{server}/duties/{child}")
    assert "下交" not in county.locator("#levels").inner_text() or county.locator("#hand-down").count() == 0
    county.fill("#levels-assign input[name=unit]", COUNTY_UNIT)
    county.click("#levels-assign button")
    county.locator(".note").wait_for()
    assert no_horizontal_scroll(county)
    shot(county, "levels-county-duty-phone")
    county_ctx.close()

    page.goto(f"{server}/duties/{IDS['duty']}")
    assert COUNTY_UNIT in page.locator("#levels-children").inner_text()
    ctx.close()
