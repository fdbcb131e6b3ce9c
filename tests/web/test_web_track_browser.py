"""The citizens' tracking code in a real headless Chromium at phone width: report with consent →
the code is shown → type it on /track → the status shows; a typo in the code gives 「查询码有误，请核对」.
Screenshots go to ``out/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from duban.cases import track_code
from tests.web.browser_support import chromium, live_server, no_horizontal_scroll, shot

pytestmark = pytest.mark.browser

NOW = datetime(2023, 6, 15, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(tmp_path_factory.mktemp("track-browser"), NOW, lambda s: None) as base:
        yield base


def test_report_with_consent_then_look_the_code_up(server: str) -> None:
    with chromium() as browser:
        ctx = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")  # type: ignore[attr-defined]
        page = ctx.new_page()
        page.goto(f"{server}/report")
        page.fill("#report-form input[name=title]", "东门井盖缺失")
        page.fill(
            "#report-form textarea[name=content]", "我叫王五，电话13700001234，东门井盖缺失，夜里很危险。"
        )
        page.fill("#report-form input[name=address]", "平城区新建南路街道和平路3号")
        assert not page.is_checked("#report-publish")
        assert "地址只显示到街道/社区" in page.inner_text("#report-form")
        page.check("#report-publish")
        shot(page, "track-report-consent-phone")
        assert no_horizontal_scroll(page)
        with page.expect_navigation():
            page.click("#report-form button")
        code = page.inner_text("#track-code").strip()
        assert track_code.is_valid(code)
        assert "同意公开" in page.inner_text("#track-publish")
        assert "13700001234" not in page.inner_text("main")

        page.goto(f"{server}/track")
        page.fill("#track-input", code.lower())
        shot(page, "track-lookup-phone")
        assert no_horizontal_scroll(page)
        with page.expect_navigation():
            page.click("#track-form button")
        assert "处理中" in page.inner_text("#track-status")
        assert page.inner_text("#track-code").strip() == code

        typo = code[:2] + next(c for c in track_code.ALPHABET if c != code[2]) + code[3:]
        page.goto(f"{server}/track")
        page.fill("#track-input", typo)
        with page.expect_navigation():
            page.click("#track-form button")
        assert page.inner_text("#track-error") == "查询码有误，请核对"
        assert page.input_value("#track-input") == typo
        shot(page, "track-typo-phone")
        ctx.close()
