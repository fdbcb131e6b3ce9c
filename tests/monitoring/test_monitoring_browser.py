"""The monitoring list in a real headless Chromium: the office puts a household found by a
cadre's visit on the list and assigns a health measure to a unit; 风险消除 is refused naming the
unmet conditions; the unit's officer (at phone width) records two visits and finishes the measure;
the office clears the risk by the rules. The leader sees the ID number masked, another unit's
officer cannot open the household, and a department's screening list is imported. Screenshots
(desktop and a 375px phone) go to ``out/screenshots/``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from duban.accounts.service import create_user
from tests.monitoring.factories import id_number, workbook_bytes
from tests.web.browser_support import PASSWORD, chromium, live_server, login, no_horizontal_scroll, shot

pytestmark = pytest.mark.browser

NOW = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # 10:00 Beijing time, a working Tuesday
OFFICE, UNIT_OFFICER, OTHER, LEADER = "督查室周敏", "卫健委李华", "教育局王芳", "市长刘强"
UNIT = "市卫生健康委员会"
ID = id_number(31, birth="19690815")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    def people(s) -> None:
        create_user(session=s, name=OFFICE, role="office", password=PASSWORD, now=NOW)
        create_user(session=s, name=UNIT_OFFICER, role="unit", unit=UNIT, password=PASSWORD, now=NOW)
        create_user(session=s, name=OTHER, role="unit", unit="市教育局", password=PASSWORD, now=NOW)
        create_user(session=s, name=LEADER, role="leader", password=PASSWORD, now=NOW)

    with live_server(tmp_path_factory.mktemp("monitoring-browser"), NOW, people) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def act(page, form: str, **fields: str) -> None:
    """Fill a household page form and submit it; wait for the page to come back."""
    for name, value in fields.items():
        el = page.locator(f"#{form} [name={name}]")
        if el.evaluate("e => e.tagName") == "SELECT":
            el.select_option(value)
        elif el.evaluate("e => e.type") == "checkbox":
            el.check()
        else:
            el.fill(value)
    with page.expect_navigation():
        page.click(f"#{form} button")


def test_a_household_from_found_to_cleared_in_the_browser(server: str, browser) -> None:
    base = server
    # the office puts a household on the list by hand
    octx, office = login(browser, base, OFFICE)
    office.goto(f"{base}/monitoring")
    office.click("#new-household")
    for name, value in {"county": "阳高县", "township": "龙泉镇", "village": "东小村", "head_name": "张福田",
                        "id_number": ID, "phone": "13903520111", "members": "4", "found_on": "2025-07-15",
                        "income_per_person": "6200", "resp_unit": UNIT, "visitor": "李华"}.items():  # fmt: skip
        office.fill(f"#household-form [name={name}]", value)
    office.select_option("#household-form [name=household_type]", "边缘易致贫户")
    office.check("#household-form input[name=risks][value=因病]")
    with office.expect_navigation():
        office.click("#household-form button")
    assert "已纳入监测" in office.inner_text(".note")
    household_url = office.url
    assert office.inner_text("#household-id-number") == ID  # the office sees it whole
    # 风险消除 is refused, naming the unmet conditions, and the page stays
    office.click("#clear-form button")
    error = office.locator("#clear-form .field-error")
    error.wait_for()
    assert "未满足" in error.inner_text() and "帮扶措施全部办结（尚未落实任何帮扶措施）" in error.inner_text()
    act(office, "measure-form", measure_type="健康帮扶", unit=UNIT, content="落实大病保险和医疗救助")
    assert "帮扶措施已落实" in office.inner_text(".note")
    assert "2026-03-17" in office.inner_text("#measure-list")  # 10 working days on the clock
    shot(office, "monitoring-household-office")

    # the unit's officer, on a phone: the household is on their list, they visit and finish
    uctx, unit = login(browser, base, UNIT_OFFICER, phone=True)
    unit.goto(f"{base}/monitoring")
    assert "张福田" in unit.inner_text("#household-list")
    unit.click("#household-list a")
    assert unit.inner_text("#household-id-number") == ID  # the visiting unit sees it whole
    act(unit, "visit-form", visited_on="2025-08-01", income_per_person="8200", note="务工收入稳定")
    assert "走访已登记" in unit.inner_text(".note")
    act(unit, "visit-form", income_per_person="8600", risk_resolved="true", note="病情稳定，医疗费用已报销")
    with unit.expect_navigation():
        unit.fill(".finish-form input[name=note]", "住院费用报销 3.6 万元")
        unit.click(".finish-form button")
    assert "已办结" in unit.inner_text(".note") and "办结" in unit.inner_text("#measure-list")
    assert "✘" not in unit.inner_text("#clear-checks")  # every condition now holds
    assert unit.locator("#clear-form").count() == 0  # only the office clears
    shot(unit, "monitoring-household-phone")
    assert no_horizontal_scroll(unit)
    unit.goto(f"{base}/monitoring")
    shot(unit, "monitoring-board-phone")
    assert no_horizontal_scroll(unit)

    # the office clears the risk by the rules
    office.goto(household_url)
    act(office, "clear-form", note="收入稳定，风险已化解")
    assert office.inner_text("#household-status") == "风险已消除"

    # the leader sees the ID number masked; another unit's officer cannot open the household
    lctx, leader = login(browser, base, LEADER)
    leader.goto(household_url)
    assert leader.inner_text("#household-id-number") == ID[:4] + "*" * 10 + ID[-4:]
    assert leader.inner_text("#household-phone") == "139****0111"
    assert leader.locator("#masked-note").count() == 1
    leader.goto(f"{base}/monitoring")
    assert "1" in leader.inner_text("#monitoring-totals") and "城关镇" not in leader.inner_text(
        "#board-township"
    )
    shot(leader, "monitoring-board-leader")
    xctx, other = login(browser, base, OTHER)
    resp = other.goto(household_url)
    assert resp is not None and resp.status == 404 and "张福田" not in other.content()

    # a department's screening list: the known household gets a new risk, a stranger is put on the list
    headers = ["身份证号", "户主姓名", "县（市、区）", "乡镇", "村", "预警类型", "监测对象类别"]
    rows = [[ID, "张福田", "阳高县", "龙泉镇", "东小村", "支出骤增", None],
            [id_number(32), "李秀英", "阳高县", "龙泉镇", "西关村", "因灾", "突发严重困难户"]]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "医保局大额医疗费用预警名单.xlsx"
        path.write_bytes(workbook_bytes(rows, headers=headers))
        office.goto(f"{base}/monitoring")
        office.set_input_files("#import-form input[name=file]", str(path))
        with office.expect_navigation():
            office.click("#import-form button")
    assert "新纳入 1 户，匹配已有户并登记新风险 1 户" in office.inner_text(".note")
    office.goto(household_url)
    assert office.inner_text("#household-status") == "返回监测"
    assert "支出骤增" in office.inner_text("#household-risks")
    office.goto(f"{base}/monitoring")
    shot(office, "monitoring-board-office")
    for ctx in (octx, uctx, lctx, xctx):
        ctx.close()
