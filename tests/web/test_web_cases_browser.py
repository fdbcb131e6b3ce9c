"""The case hub in a real headless Chromium: a citizen reports on the public page and tracks the
case; the 12345 operator takes a call (受理), confirms the category the model could not give and
dispatches (派单); the unit officer signs for it (签收), works on it (办理) and settles it with a
reply (办结); the operator calls back — 不满意 — so it is reopened (重办), settled again, followed up
and archived. The leader sees hot topics, the rates with the red and black lists, and the phone
masked. Screenshots (desktop and a 375px phone) go to ``out/screenshots/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from duban.accounts.service import create_user
from tests.web.browser_support import PASSWORD, chromium, live_server, login, no_horizontal_scroll, shot

pytestmark = pytest.mark.browser

NOW = datetime(2023, 6, 15, 2, 0, tzinfo=UTC)  # 10:00 Beijing time, a working Thursday
OPERATOR, UNIT_OFFICER, LEADER = "话务员孙丽", "城管局赵强", "市长刘强"
OFFICE = "督查室钱七"
UNIT = "市城市管理局"
CALLER_PHONE = "13912345678"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app under uvicorn on loopback, with units and an operator, a unit officer, a leader."""

    def people(s) -> None:
        create_user(session=s, name=OPERATOR, role="operator", password=PASSWORD, now=NOW)
        create_user(session=s, name=UNIT_OFFICER, role="unit", unit=UNIT, password=PASSWORD, now=NOW)
        create_user(session=s, name=LEADER, role="leader", password=PASSWORD, now=NOW)
        create_user(session=s, name=OFFICE, role="office", password=PASSWORD, now=NOW)

    with live_server(tmp_path_factory.mktemp("cases-browser"), NOW, people) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def act(page, form: str, **fields: str) -> None:
    """Fill a case page form and submit it; wait for the page to come back."""
    for name, value in fields.items():
        el = page.locator(f"#{form} [name={name}]")
        if el.evaluate("e => e.tagName") == "SELECT":
            el.select_option(value)
        else:
            el.fill(value)
    with page.expect_navigation():
        page.click(f"#{form} button")


def test_a_case_from_call_to_archive_in_the_browser(server: str, browser) -> None:
    base = server

    # a citizen reports on the public page (phone width) and gets a tracking page
    cctx = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    citizen = cctx.new_page()
    citizen.goto(f"{base}/public")
    citizen.click("a[href='/report']")
    citizen.fill("#report-form input[name=title]", "人民公园东门路灯不亮")
    citizen.fill("#report-form textarea[name=content]", "人民公园东门外的路灯一周没亮，晚上散步很不安全。")
    citizen.fill("#report-form input[name=address]", "人民公园东门")
    citizen.fill("#report-form input[name=citizen_phone]", "13700001234")
    shot(citizen, "case-report-phone")
    assert no_horizontal_scroll(citizen)
    with citizen.expect_navigation():
        citizen.click("#report-form button")
    assert "/track/" in citizen.url
    track_url = citizen.url
    assert citizen.locator("#track-phone").count() == 0 and "1234" not in citizen.inner_text("main")
    assert "处理中" in citizen.inner_text("#track-status")
    shot(citizen, "case-track-phone")
    assert no_horizontal_scroll(citizen)

    # the operator takes a call: 受理, the model has no category, so a person confirms it, then 派单
    octx, op = login(browser, base, OPERATOR)
    op.click("header a[href='/cases/new']")
    op.fill("#intake-form input[name=title]", "建设路井盖缺失")
    op.fill("#intake-form textarea[name=content]", "建设路与民主街交叉口井盖缺失，夜间很危险，请尽快处理。")
    op.fill("#intake-form input[name=address]", "建设路与民主街交叉口")
    op.fill("#intake-form input[name=citizen_name]", "李女士")
    op.fill("#intake-form input[name=citizen_phone]", CALLER_PHONE)
    with op.expect_navigation():
        op.click("#intake-form button")
    assert op.locator("#intake-done").count() == 1
    assert op.locator("#needs-review").count() == 1 and op.locator("#confirm-notice").count() == 1
    assert op.inner_text("#case-phone") == CALLER_PHONE  # the operator calls back
    case_url = op.url.split("?")[0]
    shot(op, "case-intake-desktop")
    act(op, "dispatch-form", category="市容环卫", unit=UNIT)
    assert op.inner_text("#case-status") == "派单"
    assert op.inner_text("#case-unit") == UNIT and "已确认" in op.inner_text("#case-category")

    # the unit officer: finds it in the list, 签收, 办理, 办结 with a reply
    uctx, unit = login(browser, base, UNIT_OFFICER)
    unit.click("header a[href='/cases']")
    assert unit.locator("#case-list tbody tr").count() == 1  # only their unit's case
    with unit.expect_navigation():
        unit.click("#case-list tbody tr a")
    assert unit.url == case_url
    assert unit.inner_text("#case-phone") == CALLER_PHONE  # the handling unit may call back
    act(unit, "accept-form")
    assert unit.inner_text("#case-status") == "签收"
    act(unit, "start-form")
    assert unit.inner_text("#case-status") == "办理"
    act(unit, "settle-form", reply="已补装井盖并设置警示标志。")
    assert unit.inner_text("#case-status") == "办结"
    assert "已补装井盖" in unit.inner_text("#case-reply")
    shot(unit, "case-unit-desktop")

    # the operator calls back: 不满意 → 重办; the unit works on it again and settles it
    op.goto(case_url)
    act(op, "follow-up-form", satisfaction="不满意")
    assert op.inner_text("#case-status") == "重办"
    unit.goto(case_url)
    act(unit, "redo-form")
    assert unit.inner_text("#case-status") == "办理"
    act(unit, "settle-form", reply="已更换加固井盖，并请居民监督。")
    op.goto(case_url)
    act(op, "follow-up-form", satisfaction="满意")
    assert op.inner_text("#case-status") == "回访"
    act(op, "archive-form")
    assert op.inner_text("#case-status") == "归档"
    timeline = op.inner_text("#case-timeline")
    for word in ("受理", "确认分类", "派单", "签收", "办理", "办结", "回访不满意", "重办", "回访", "归档"):
        assert word in timeline, word
    assert op.locator("#dispatches tbody tr").count() == 1
    shot(op, "case-operator-desktop")

    # the citizen's own case: dispatched, settled, and the reply shows on the tracking page
    op.goto(f"{base}/cases?q=人民公园")
    with op.expect_navigation():
        op.click("#case-list tbody tr a")
    act(op, "dispatch-form", category="市容环卫", unit=UNIT)
    citizen_case = op.url
    unit.goto(citizen_case)
    act(unit, "accept-form")
    act(unit, "start-form")
    act(unit, "settle-form", reply="路灯线路已修复，今晚恢复照明。")
    citizen.goto(track_url)
    assert "已办结" in citizen.inner_text("#track-status")
    assert "路灯线路已修复" in citizen.inner_text("#track-reply")
    shot(citizen, "case-track-settled-phone")

    # the unit officer on a phone: the list and a case fit the width
    pctx, phone = login(browser, base, UNIT_OFFICER, phone=True)
    phone.goto(f"{base}/cases")
    assert phone.locator("#case-list tbody tr").count() == 2
    shot(phone, "cases-phone")
    assert no_horizontal_scroll(phone)
    phone.goto(case_url)
    shot(phone, "case-phone")
    assert no_horizontal_scroll(phone)
    pctx.close()

    # the leader: reads the case with the phone masked, no forms; hot topics; rates and 通报
    lctx, leader = login(browser, base, LEADER)
    leader.goto(case_url)
    assert leader.inner_text("#case-phone") == "139****5678"
    assert leader.locator("#case-actions form").count() == 0
    leader.click("header a[href='/cases/hot']")
    assert leader.locator("#hot-topics .topic").count() >= 1
    shot(leader, "cases-hot-desktop")
    leader.click("header a[href='/cases/rates']")
    assert "红榜" in leader.inner_text("main") and "黑榜" in leader.inner_text("main")
    assert UNIT in leader.inner_text("main")
    shot(leader, "cases-rates-desktop")
    with leader.expect_download() as dl:
        leader.click("#bulletin-link")
    assert dl.value.suggested_filename.endswith(".xlsx")
    lctx.close()
    uctx.close()
    octx.close()
    cctx.close()


def test_the_model_page_on_a_phone(server: str, browser) -> None:
    """分类模型 at 375 px: no model configured here, so the page says so and the button is off."""
    ctx, page = login(browser, server, OFFICE, phone=True)
    page.goto(f"{server}/cases/model")
    assert "未配置分类模型文件" in page.inner_text("#model-info")
    assert page.locator("#retrain-form button").is_disabled()
    assert no_horizontal_scroll(page)
    shot(page, "cases-model-phone")
    ctx.close()
