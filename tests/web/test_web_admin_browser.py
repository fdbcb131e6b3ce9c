"""账户管理 as the office uses it, in a real headless Chromium: disable a unit account (it can no
longer sign in), reset a password (a common one refused next to the field, the typed text kept),
enable it again and sign in with the new password; a unit account gets 403 on the page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from duban.accounts.service import create_user
from tests.web.browser_support import PASSWORD, chromium, live_server, login, no_horizontal_scroll, shot

pytestmark = pytest.mark.browser

NOW = datetime(2023, 6, 15, 2, 0, tzinfo=UTC)
OFFICE = "督查室王芳"
UNIT_USER = "发改委刘洋"
OTHER_UNIT_USER = "教育局陈静"
UNIT = "市发展和改革委员会"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    def people(s) -> None:
        create_user(session=s, name=OFFICE, role="office", password=PASSWORD, now=NOW)
        create_user(session=s, name=UNIT_USER, role="unit", unit=UNIT, password=PASSWORD, now=NOW)
        create_user(session=s, name=OTHER_UNIT_USER, role="unit", unit=UNIT, password=PASSWORD, now=NOW)

    with live_server(tmp_path_factory.mktemp("admin"), NOW, people) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def _try_login(browser, base: str, name: str, password: str) -> str:
    """Sign in in a fresh context; the URL the browser ends on."""
    ctx = browser.new_context(locale="zh-CN")
    page = ctx.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    url = page.url
    ctx.close()
    return url


def _note(page, text: str) -> bool:
    """Wait for the note after an action (the form is sent in the background, then the page reloads)."""
    page.locator("p.note", has_text=text).wait_for()
    return True


def test_office_disables_and_resets_a_unit_account(server: str, browser) -> None:
    ctx, page = login(browser, server, OFFICE)
    page.click("nav a[href='/admin/users']")
    page.wait_for_url(f"{server}/admin/users")
    card = page.locator(f"li.user[data-name='{UNIT_USER}']")
    assert UNIT in card.inner_text() and "启用" in card.locator(".state").inner_text()

    card.locator("button", has_text="停用").click()
    assert _note(page, f"已停用用户 {UNIT_USER}")
    card = page.locator(f"li.user[data-name='{UNIT_USER}']")
    assert card.locator(".state").inner_text() == "已停用"
    assert _try_login(browser, server, UNIT_USER, PASSWORD).startswith(f"{server}/login")

    # a common password is refused next to the field, and what was typed stays
    card.locator("summary").click()
    box = card.locator("form[action$='/password'] input[name=password]")
    box.fill("woaini1314520")
    card.locator("button", has_text="重置密码").click()
    error = card.locator(".field-error")
    error.wait_for()
    assert "常见" in error.inner_text()
    assert box.input_value() == "woaini1314520"
    shot(page, "admin-users-error")

    box.fill("Fagaiwei-2023-new")
    card.locator("button", has_text="重置密码").click()
    assert _note(page, f"已重置用户 {UNIT_USER} 的密码")
    page.locator(f"li.user[data-name='{UNIT_USER}'] button", has_text="启用").click()
    assert _note(page, f"已启用用户 {UNIT_USER}")
    assert _try_login(browser, server, UNIT_USER, PASSWORD).startswith(f"{server}/login")  # the old one
    assert _try_login(browser, server, UNIT_USER, "Fagaiwei-2023-new") == f"{server}/board"
    ctx.close()


def test_a_unit_account_gets_403_and_no_link(server: str, browser) -> None:
    ctx, page = login(browser, server, OTHER_UNIT_USER)
    assert page.locator("nav a[href='/admin/users']").count() == 0
    r = page.goto(f"{server}/admin/users")
    assert r is not None and r.status == 403
    ctx.close()


def test_the_page_fits_a_phone(server: str, browser) -> None:
    ctx, page = login(browser, server, OFFICE, phone=True)
    page.goto(f"{server}/admin/users")
    assert no_horizontal_scroll(page)
    shot(page, "admin-users-phone")
    ctx.close()
