"""The plan page as an office uses it, in a real headless Chromium: the 待分办 list and bulk
assignment, the note after the action, and a refused form that keeps what was typed and says
what is wrong next to the field."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from duban import read_report
from duban.accounts.service import create_user
from duban.ledger import service
from tests.web.browser_support import chromium, live_server, login, no_horizontal_scroll, shot

pytestmark = pytest.mark.browser

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "duban" / "samples" / "示例市2023年政府工作报告.txt"
NOW = datetime(2023, 6, 15, 2, 0, tzinfo=UTC)
OFFICE = "督查室王芳"
UNIT = "市发展和改革委员会"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    def people(s) -> None:
        create_user(session=s, name=OFFICE, role="office", password="browser-pass-1", now=NOW)
        service.load_plan(session=s, plan=read_report(SAMPLE), actor="test", now=NOW)

    with live_server(tmp_path_factory.mktemp("office"), NOW, people) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def test_bulk_assignment_with_a_note_and_errors_next_to_the_field(server: str, browser) -> None:
    ctx, page = login(browser, server, OFFICE)
    page.goto(f"{server}/plans/1")
    pending = page.locator("#unassigned input[name=item_ids]")
    total = pending.count()
    assert total > 2
    assert page.locator("details.review-part").get_attribute("open") is None  # the review folded away

    # a unit that does not exist: the message next to the field, the ticks and the text kept
    pending.nth(0).check()
    pending.nth(1).check()
    page.fill("#unassigned input[name=unit]", "不存在的局")
    page.click("#unassigned button")
    error = page.locator("#unassigned .field-error")
    error.wait_for()
    assert "不存在" in error.inner_text()
    assert page.input_value("#unassigned input[name=unit]") == "不存在的局"
    assert pending.nth(0).is_checked() and pending.nth(1).is_checked()

    # the right unit: one POST, a note on the next page, two fewer to assign
    page.fill("#unassigned input[name=unit]", UNIT)
    page.click("#unassigned button")
    page.locator(".note").wait_for()
    assert f"已将 2 个事项交办给{UNIT}" in page.locator(".note").inner_text()
    assert page.locator("#unassigned input[name=item_ids]").count() == total - 2
    page.reload()
    assert page.locator(".note").count() == 0  # shown once
    ctx.close()


def test_a_refused_assignment_keeps_the_typed_co_units(server: str, browser) -> None:
    ctx, page = login(browser, server, OFFICE)
    page.goto(f"{server}/plans/1")
    box = page.locator("details.assign-box").first
    box.locator("summary").click()
    box.locator("input[name=unit]").fill(UNIT)
    box.locator("input[name=co_units]").fill("市教育局、没有这个局")
    box.locator("button").click()
    error = box.locator(".field-error")
    error.wait_for()
    assert "配合单位「没有这个局」不存在" in error.inner_text()
    assert box.locator("input[name=co_units]").input_value() == "市教育局、没有这个局"
    ctx.close()


def test_the_plan_page_on_a_phone(server: str, browser) -> None:
    ctx, page = login(browser, server, OFFICE, phone=True)
    page.goto(f"{server}/plans/1")
    assert no_horizontal_scroll(page)
    shot(page, "plan-phone")
    ctx.close()
