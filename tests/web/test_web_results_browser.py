"""A unit officer reports a 完成值 and uploads evidence (佐证材料) in a real headless Chromium;
a wrong unit is refused with the field named; the file comes back from the duty page; the phone
page does not scroll sideways."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from duban.accounts.service import create_user
from duban.ledger import service
from tests.ledger.ledger_factories import make_plan
from tests.web.browser_support import PASSWORD, chromium, live_server, login, no_horizontal_scroll

pytestmark = pytest.mark.browser

NOW = datetime(2023, 3, 15, 2, 0, tzinfo=UTC)
UNIT, OFFICER = "市农业农村局", "农业局李明"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
IDS: dict[str, int] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    def people(s) -> None:
        create_user(session=s, name=OFFICER, role="unit", unit=UNIT, password=PASSWORD, now=NOW)
        plan, _ = service.load_plan(session=s, plan=make_plan(), actor="test", now=NOW)
        item = next(i for i in plan.items if i.ref == "t2")  # 建设高标准农田20万亩
        service.assign(session=s, item_id=item.id, unit=UNIT, actor="督查室", now=NOW)
        IDS["duty"] = item.duty.id if item.duty else 0

    with live_server(tmp_path_factory.mktemp("results"), NOW, people) as base:
        yield base


def test_unit_reports_a_result_and_uploads_evidence(server: str, tmp_path: Path) -> None:
    with chromium() as browser:
        _ctx, page = login(browser, server, OFFICER, phone=True)
        page.goto(f"{server}/duties/{IDS['duty']}")
        assert "20万亩" in page.inner_text("#duty-targets")
        assert page.inner_text("#duty-pace").startswith("达进度")

        # a wrong unit: refused, the field named, nothing stored
        page.fill("#progress-form textarea[name=text]", "已建成一部分")
        page.fill("#progress-form input[name=result_value_0]", "3")
        page.fill("#progress-form input[name=result_unit_0]", "个")
        page.click("#progress-form button.primary")
        page.wait_for_selector("#progress-form .field-error")  # the form is sent in the background
        assert "不是同一类计量单位" in page.inner_text("#progress-form")
        assert (
            page.input_value("#progress-form textarea[name=text]") == "已建成一部分"
        )  # what was typed stays

        page.goto(f"{server}/duties/{IDS['duty']}")
        assert "尚无进展反馈" in page.inner_text("main")
        scan = tmp_path / "验收单.pdf"
        scan.write_bytes(PDF)
        page.fill("#progress-form textarea[name=text]", "已建成高标准农田12万亩")
        page.fill("#progress-form input[name=result_value_0]", "12")
        page.fill("#progress-form input[name=result_unit_0]", "万亩")
        page.set_input_files("#progress-form input[type=file]", str(scan))
        page.click("#progress-form button.primary")
        page.wait_for_selector("#progress-list >> text=完成值：12万亩")
        assert "完成值：12万亩" in page.inner_text("#progress-list")
        assert "验收单.pdf" in page.inner_text("#evidence-list")
        assert page.inner_text("#duty-pace").startswith("超进度")  # 60 % done in mid-March
        assert no_horizontal_scroll(page)
        with page.expect_download() as got:
            page.click("#evidence-list a")
        assert Path(got.value.path()).read_bytes() == PDF
