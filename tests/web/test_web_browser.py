"""The console in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

The real app runs under uvicorn on a free loopback port; people sign in as each role and do the
real things: the office uploads a report and assigns a task, the unit reports progress and asks
for closure, the office reviews and closes it, and the board changes. Screenshots of the main
pages (desktop and a 375px phone) go to ``out/screenshots/``. Under ``CI=true`` a missing
chromium fails the test instead of skipping it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from duban.accounts.service import create_user
from tests.web.browser_support import PASSWORD, chromium, live_server, login, no_horizontal_scroll, shot

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "src" / "duban" / "samples" / "示例市2023年政府工作报告.txt"
FALLBACK = Path(__file__).resolve().parent / "fixtures" / "小河市2024年政府工作报告.txt"
NOW = datetime(2023, 6, 15, 2, 0, tzinfo=UTC)  # 10:00 Beijing time
OFFICE, UNIT_OFFICER, LEADER = "督查室周敏", "发改委陈刚", "市长刘强"
UNIT = "市发展和改革委员会"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app under uvicorn on loopback, with a migrated database and one user per role."""

    def people(s) -> None:
        create_user(session=s, name=OFFICE, role="office", password=PASSWORD, now=NOW)
        create_user(session=s, name=UNIT_OFFICER, role="unit", unit=UNIT, password=PASSWORD, now=NOW)
        create_user(session=s, name=LEADER, role="leader", password=PASSWORD, now=NOW)

    with live_server(tmp_path_factory.mktemp("browser"), NOW, people) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def test_a_year_of_supervision_in_the_browser(server: str, browser) -> None:
    base = server
    report = SAMPLE if SAMPLE.exists() else FALLBACK

    # public page: no login needed, nothing loaded yet
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    anon = ctx.new_page()
    anon.goto(f"{base}/public")
    assert "尚未导入" in anon.inner_text("main")
    anon.goto(f"{base}/board")
    assert anon.url.startswith(f"{base}/login")
    ctx.close()

    login_phone = browser.new_context(viewport={"width": 375, "height": 700}).new_page()
    login_phone.goto(f"{base}/login")
    shot(login_phone, "login-phone")
    assert no_horizontal_scroll(login_phone)

    # 督查室: upload the report, check the notes and flagged figures, load it
    octx, office = login(browser, base, OFFICE)
    office.goto(f"{base}/upload")
    office.set_input_files("input[name=file]", str(report))
    office.click("#upload-form button")
    office.wait_for_selector("#confirm-form")
    assert "清洗记录" in office.inner_text("main") and "存疑数字" in office.inner_text("main")
    shot(office, "upload-preview-desktop")
    office.check("input[name=checked]")
    office.click("#confirm-form button.primary")
    office.wait_for_url(f"{base}/plans/*")
    plan_url = office.url
    assert office.locator("li.sentence-group mark").count() > 10  # sentences with their figures highlighted
    shot(office, "plan-desktop", full=False)

    # assign the first task to the unit by hand
    office.locator("li.kind-task details.assign-box summary").first.click()  # the form is folded
    form = office.locator("li.kind-task form.assign").first
    item_id = form.get_attribute("action").split("/")[2]  # type: ignore[union-attr]
    form.locator("input[name=unit]").fill(UNIT)
    form.locator("input[name=major]").check()
    with office.expect_navigation():
        form.locator("button").click()
    assert f"已交办给{UNIT}" in office.inner_text(".note")
    item = office.locator(f"#item-{item_id}")
    assert UNIT in item.inner_text()
    duty_href = item.locator("a[href^='/duties/']").get_attribute("href")
    assert duty_href
    office.goto(f"{base}/board")
    office.click("form[action='/tick'] button")
    office.wait_for_url(f"{base}/board")
    open_rows = office.locator("#open-duties tbody tr")
    assert open_rows.count() == 1
    office.wait_for_selector("#completion-chart[data-drawn='1']")

    # 责任单位: sees the duty, reports progress, asks for closure
    uctx, unit = login(browser, base, UNIT_OFFICER)
    assert unit.locator("#open-duties tbody tr").count() == 1
    unit.click("#open-duties tbody tr a")
    unit.wait_for_url(f"{base}{duty_href}")
    assert "时钟节点" in unit.inner_text("main")
    assert unit.locator(".timeline li").count() >= 3
    unit.fill("#progress-form textarea[name=text]", "已完成项目前期手续，完成投资 40%")
    unit.fill("#progress-form input[name=share]", "40")
    unit.click("#progress-form button")
    unit.wait_for_selector("#progress-list li")
    assert "完成投资 40%" in unit.inner_text("#progress-list")
    assert unit.inner_text("#duty-status") == "推进中"
    unit.fill("#closure-form textarea[name=text]", "全部完工，已通过验收")
    unit.click("#closure-form button")
    unit.wait_for_selector("#duty-status:has-text('申请办结')")
    shot(unit, "duty-unit-desktop")
    # another unit's duty is not there for this officer
    assert unit.goto(f"{base}/plans").status == 200

    # phone-sized views of the unit officer
    pctx, phone = login(browser, base, UNIT_OFFICER, phone=True)
    shot(phone, "board-phone")
    assert no_horizontal_scroll(phone)
    phone.goto(plan_url)
    shot(phone, "plan-phone", full=False)
    assert no_horizontal_scroll(phone)
    phone.goto(f"{base}{duty_href}")
    shot(phone, "duty-phone")
    assert no_horizontal_scroll(phone)
    pctx.close()

    # 督查室 reviews: first 退回 with a reason, then the unit reports again, then 销号 with a grade
    office.goto(f"{base}{duty_href}")
    office.fill("#review-form textarea[name=reason]", "缺少验收报告")
    office.click("#review-form button[value=return]")
    office.wait_for_selector("#duty-status:has-text('已退回')")
    unit.goto(f"{base}{duty_href}")
    assert "缺少验收报告" in unit.inner_text("main")
    unit.fill("#progress-form textarea[name=text]", "已补充验收报告")
    unit.click("#progress-form button")
    unit.wait_for_selector("#closure-form")
    unit.click("#closure-form button")
    unit.wait_for_selector("#duty-status:has-text('申请办结')")
    office.goto(f"{base}{duty_href}")
    office.select_option("#review-form select[name=grade]", "良好")
    office.click("#review-form button[value=approve]")
    office.wait_for_selector("#duty-status:has-text('已销号')")
    assert office.inner_text("#duty-grade") in ("良好", "合格", "不合格")
    history = office.inner_text("#event-list")
    for word in ("交办", "反馈进展", "申请办结", "退回", "销号"):
        assert word in history
    shot(office, "duty-office-desktop")

    # the board changed: nothing open, the closed duty counted
    office.goto(f"{base}/board")
    assert office.locator("#open-duties tbody tr").count() == 0
    assert "没有未销号" in office.inner_text("main")
    office.select_option("select[name=light]", "grey")
    office.wait_for_url("**/board?*light=grey*")  # htmx swapped the body and pushed the filter
    assert office.locator("#by-unit tbody tr").count() == 1
    assert office.inner_text(".tile.grey b") == "1"
    shot(office, "board-desktop")

    # leader reads everything, cannot review
    lctx, leader = login(browser, base, LEADER)
    leader.goto(plan_url)
    assert leader.locator("form.assign").count() == 0
    leader.goto(f"{base}{duty_href}")
    assert leader.locator("#review-form").count() == 0
    lctx.close()

    # public page now shows the headline targets; logout ends the session
    pub = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
    pub.goto(f"{base}/public")
    assert pub.locator("li.target").count() >= 1
    shot(pub, "public-phone")
    unit.click("header form[action='/logout'] button")
    unit.wait_for_url(f"{base}/login")
    unit.goto(f"{base}/board")
    assert "/login" in unit.url
    uctx.close()
    octx.close()
