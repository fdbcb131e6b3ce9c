"""The public promise tracker and a place's record in headless Chromium, at desktop and phone width."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from duban.ledger import service
from duban.review.store import save_review
from tests.web.browser_support import chromium, live_server, no_horizontal_scroll, shot
from tests.web.web_factories import make_plan, make_review

pytestmark = pytest.mark.browser

NOW = datetime(2024, 3, 20, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A 2024 plan still running, and the reviews of 示例市's 2022 and 2023 plan years."""

    def fill(s) -> None:
        service.load_plan(session=s, plan=make_plan(year=2024), actor="test", now=NOW)
        for year in (2022, 2023):
            save_review(session=s, promises=make_review(year=year), source="test", actor="test", now=NOW)

    with live_server(tmp_path_factory.mktemp("review-browser"), NOW, fill) as base:
        yield base


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_a_citizen_follows_the_promises(server: str, width: int) -> None:
    with chromium() as browser:
        ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        page = ctx.new_page()
        page.goto(f"{server}/public")
        running = page.locator("li.promise.running")
        assert running.count() == 1 and "进行中" in running.inner_text()
        assert "示例市 2024 年" in page.inner_text("main")
        assert no_horizontal_scroll(page)
        shot(page, f"public-tracker-{width}")

        page.fill("#q", "示例")
        page.click("form.search button")
        page.click("ul.place-list a")
        page.wait_for_url(f"{server}/public/places/*")
        main = page.inner_text("main")
        assert "2023 年目标" in main and "2022 年目标" in main
        assert page.locator("li.promise.missed").count() == 2
        page.wait_for_selector("#series-charts[data-drawn]")
        assert (
            page.locator("#series-charts .metric-chart svg").count() >= 3
        )  # one chart per metric with results
        assert no_horizontal_scroll(page)
        shot(page, f"public-place-{width}")
        ctx.close()
