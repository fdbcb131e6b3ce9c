"""A proposal list in a real headless Chromium: the office uploads it on 来源清单 (a bad list is
refused with its row and column next to the field), the unit replies on the duty page, the
office records 不满意 (重办), the unit replies again, the office records 满意 and the duty is
closed; the pages work at phone width."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from duban.accounts.service import create_user
from tests.ledger.source_lists import PROPOSAL_HEADERS, bad_proposal_list, xlsx
from tests.web.browser_support import PASSWORD, chromium, live_server, login, no_horizontal_scroll, shot

pytestmark = pytest.mark.browser

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
OFFICE = "督查室王芳"
UNIT_OFFICER = "教育局李明"
UNIT = "市教育局"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    def people(s) -> None:
        create_user(session=s, name=OFFICE, role="office", password=PASSWORD, now=NOW)
        create_user(session=s, name=UNIT_OFFICER, role="unit", unit=UNIT, password=PASSWORD, now=NOW)

    with live_server(tmp_path_factory.mktemp("sources"), NOW, people) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def _upload(page, path) -> None:
    page.select_option("#source-import-form select[name=source]", "proposal")
    page.set_input_files("#source-import-form input[name=file]", str(path))
    page.click("#source-import-form button")


def test_a_proposal_list_from_upload_to_satisfaction(server: str, browser, tmp_path) -> None:
    bad = tmp_path / "坏提案清单.xlsx"
    bad.write_bytes(bad_proposal_list())
    good = tmp_path / "提案清单.xlsx"
    good.write_bytes(
        xlsx(PROPOSAL_HEADERS, (("T001", "王委员", "关于加快新建幼儿园缓解入园难的提案", None),))
    )

    ctx, page = login(browser, server, OFFICE)
    page.goto(f"{server}/sources")
    _upload(page, bad)
    page.wait_for_selector("text=第 3 行「委员」列：不能为空")
    _upload(page, good)
    page.locator(".note").wait_for()
    assert "已导入政协委员提案 1 项：已交办 1 项" in page.locator(".note").inner_text()
    page.goto(f"{server}/board?source=proposal")
    page.locator("#open-duties a").first.click()
    page.wait_for_selector("#duty-source")
    duty_url = page.url
    assert "政协委员提案 · 提案号 T001 · 委员 王委员" in page.locator("#duty-source").inner_text()
    assert "时限 2026-06-02" in page.locator("#reply-rounds").inner_text()  # three months on

    unit_ctx, unit = login(browser, server, UNIT_OFFICER, phone=True)
    unit.goto(duty_url)
    unit.fill("#reply-form textarea[name=text]", "已新建幼儿园3所")
    unit.click("#reply-form button")
    unit.locator(".note").wait_for()
    assert "第 1 次答复已提交" in unit.locator(".note").inner_text()
    assert no_horizontal_scroll(unit)
    shot(unit, "sources-reply-phone")

    page.goto(duty_url)
    page.select_option("#satisfaction-form select[name=satisfaction]", "不满意")
    page.fill("#satisfaction-form textarea[name=opinion]", "学位仍不足")
    page.click("#satisfaction-form button")
    page.locator(".note").wait_for()
    assert "已退回重办" in page.locator(".note").inner_text()
    assert "重办 1 次" in page.locator("#replies h2").inner_text()

    unit.goto(duty_url)
    unit.fill("#reply-form textarea[name=text]", "新增学位600个")
    unit.click("#reply-form button")
    unit.locator(".note").wait_for()

    page.goto(duty_url)
    page.select_option("#satisfaction-form select[name=satisfaction]", "满意")
    page.click("#satisfaction-form button")
    page.locator(".note").wait_for()
    assert "已销号办结" in page.locator(".note").inner_text()
    assert page.locator("#duty-status").inner_text() == "已销号"
    assert page.locator("#reply-rounds li").count() == 2
    shot(page, "sources-closed")
    page.goto(f"{server}/sources")
    row = page.locator("#source-counts tr[data-source=proposal]").inner_text()
    assert "不满意 1" in row and "满意 1" in row
    unit_ctx.close()
    ctx.close()
