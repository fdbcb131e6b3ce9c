"""The plan page as an office uses it, notes after actions, the business date, the month picker,
the board's phone labels and the 台账 import's 牵头单位 (issue 11 item 5, issue 12's first-time user)."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from duban.audit.models import EventRow
from duban.config import Settings, SettingsError
from duban.db import make_engine, session_scope
from duban.ledger.models import AssignmentRow, PlanRow
from duban.web import create_app
from duban.web.notes import COOKIE
from tests.web.web_factories import UNIT_A, UNIT_B


def _items(clients) -> dict[str, int]:
    office = clients.api("office")
    items = office.get(f"/api/plans/{clients.world.plan_id}/items").json()["items"]
    return {i["ref"]: i["id"] for i in items}


def _engine(clients):
    return make_engine(Settings(database_url=f"sqlite:///{clients.world.path}"))


def test_a_note_after_an_action_is_shown_once(clients):
    w = clients.world
    office, csrf = clients.browser("office")
    r = office.post(f"/items/{w.item_free}/assign", data={"unit": UNIT_A, "csrf_token": csrf})
    assert r.status_code == 303 and COOKIE in r.cookies
    page = office.get(f"/plans/{w.plan_id}").text
    assert f'class="note" role="status">已交办给{UNIT_A}。' in page
    assert "已交办给" not in office.get(f"/plans/{w.plan_id}").text  # shown once


def test_a_forged_note_is_not_shown(clients):
    office, _ = clients.browser("office")
    office.cookies.set(COOKIE, "InjectedText.forged")
    assert 'class="note"' not in office.get("/plans").text


def test_every_duty_action_carries_a_note(clients):
    w = clients.world
    unit, csrf = clients.browser("unit_a")
    r = unit.post(
        f"/duties/{w.duty_a}/progress", data={"text": "开工 30 个", "share": "25", "csrf_token": csrf}
    )
    assert r.status_code == 303
    assert "进展已报送。" in unit.get(f"/duties/{w.duty_a}").text
    r = unit.post(f"/duties/{w.duty_a}/closure-request", data={"text": "全部完成", "csrf_token": csrf})
    assert "已申请办结" in unit.get(f"/duties/{w.duty_a}").text
    office, ocsrf = clients.browser("office")
    r = office.post(
        f"/duties/{w.duty_a}/review", data={"decision": "return", "reason": "佐证不足", "csrf_token": ocsrf}
    )
    assert "已退回牵头单位。" in office.get(f"/duties/{w.duty_a}").text


def test_the_tick_shows_what_it_did_on_the_board(clients):
    office, csrf = clients.browser("office")
    r = office.post("/tick", data={"csrf_token": csrf})
    assert r.status_code == 303
    board = office.get("/board").text
    assert re.search(r'class="note" role="status">督办时钟已运行：评估 \d+ 项', board)


def test_tick_note_names_failures_and_provisional_years():
    from datetime import UTC, datetime

    from duban.ledger.schemas import TickReport
    from duban.web.pages.board import tick_note

    report = TickReport(
        now=datetime(2023, 3, 1, tzinfo=UTC), evaluated=5, failed=[7, 9], errors=["事项 7: 日历缺 2031 年"],
        provisional_years=[2031],
    )  # fmt: skip
    note = tick_note(report)
    assert "2 项未能评估（事项 7、9）" in note and "日历缺 2031 年" in note
    assert "2031 年的工作日历为暂定" in note


def test_the_plan_page_puts_the_plan_first_and_folds_the_review(clients):
    w = clients.world
    office, _ = clients.browser("office")
    html = office.get(f"/plans/{w.plan_id}").text
    review = html.index('<details class="card review-part"')
    assert html.index("扩大有效投资") < review  # the plan part first
    assert html.index("粮食产量35亿斤") > review  # last year's results folded away, at the end
    assert html.count("全市<mark>地区生产总值增长6%左右</mark>。") == 1  # each sentence once


def test_each_sentence_once_with_all_its_figures(clients):
    w = clients.world
    with session_scope(_engine(clients)) as s:
        from duban.ledger.models import ItemRow

        rows = list(s.scalars(select(ItemRow).where(ItemRow.plan_id == w.plan_id)))
        head = next(r for r in rows if r.headline)
        twin = ItemRow(**{c.name: getattr(head, c.name) for c in ItemRow.__table__.columns if c.name != "id"})
        text = "全市地区生产总值增长6%左右，居民收入增长7%。"
        head.text = twin.text = text
        twin.ref, twin.quote, twin.metric, twin.value = "q9", "居民收入增长7%", "居民收入增长", 7.0
        s.add(twin)
    office, _ = clients.browser("office")
    html = office.get(f"/plans/{w.plan_id}").text
    assert html.count("全市<mark>地区生产总值增长6%左右</mark>，<mark>居民收入增长7%</mark>。") == 1
    assert html.count('<div class="sentence">') == 5  # 3 tasks, the headline sentence once, 1 review


def test_the_plan_page_shows_the_file_name_not_the_servers_path(clients):
    w = clients.world
    with session_scope(_engine(clients)) as s:
        s.get(PlanRow, w.plan_id).source = "/srv/duban/var/uploads/ab12/示例市2023年政府工作报告.txt"
    html = clients.browser("office")[0].get(f"/plans/{w.plan_id}").text
    assert "来源 示例市2023年政府工作报告.txt" in html
    assert "/srv/duban" not in html


def test_bulk_assignment_from_the_unassigned_list(clients):
    w = clients.world
    items = _items(clients)
    office, csrf = clients.browser("office")
    html = office.get(f"/plans/{w.plan_id}").text
    pending = html[html.index('id="unassigned"') : html.index("</section>", html.index('id="unassigned"'))]
    assert f'value="{items["t3"]}"' in pending and f'value="{items["q1"]}"' in pending
    assert f'value="{items["t1"]}"' not in pending  # already assigned
    engine = _engine(clients)
    with session_scope(engine) as s:
        before = s.scalar(select(func.count()).select_from(EventRow).where(EventRow.action == "assign"))
    r = office.post(
        f"/plans/{w.plan_id}/bulk-assign",
        data={"unit": UNIT_B, "item_ids": [str(items["t3"]), str(items["q1"])], "csrf_token": csrf},
    )
    assert r.status_code == 303
    with session_scope(engine) as s:
        leads = {a.item_id: a.lead_unit.name for a in s.scalars(select(AssignmentRow))}
        after = s.scalar(select(func.count()).select_from(EventRow).where(EventRow.action == "assign"))
    assert leads[items["t3"]] == UNIT_B and leads[items["q1"]] == UNIT_B
    assert after == before + 2  # an event each
    html = office.get(f"/plans/{w.plan_id}").text
    assert f"已将 2 个事项交办给{UNIT_B}。" in html and 'id="unassigned"' not in html


def test_bulk_assignment_is_all_or_nothing(clients):
    w = clients.world
    items = _items(clients)
    office, csrf = clients.browser("office")
    r = office.post(
        f"/plans/{w.plan_id}/bulk-assign",
        data={"unit": UNIT_B, "item_ids": [str(items["t3"]), str(items["q2"])], "csrf_token": csrf},
    )
    assert r.status_code == 400 and "不交办" in r.text  # q2 is last year's result: not assignable
    r = office.post(
        f"/plans/{w.plan_id}/bulk-assign",
        data={"unit": UNIT_B, "item_ids": [str(items["t3"]), "99999"], "csrf_token": csrf},
    )
    assert r.status_code == 422 and "99999" in r.text
    with session_scope(_engine(clients)) as s:
        assert s.scalar(select(AssignmentRow).where(AssignmentRow.item_id == items["t3"])) is None
    r = office.post(f"/plans/{w.plan_id}/bulk-assign", data={"unit": UNIT_B, "csrf_token": csrf})
    assert r.status_code == 422 and "请至少勾选" in r.text


def test_the_rankings_month_picker_is_chinese(clients):
    html = clients.browser("office")[0].get("/cases/rates?month=2022-11").text
    assert 'type="month"' not in html
    assert '<option value="2023-03" selected>' not in html
    assert '<option value="2022-11" selected>2022年11月</option>' in html
    assert '<option value="2023-03">2023年3月</option>' in html


def test_the_boards_rows_keep_their_labels_on_a_phone(clients):
    html = clients.browser("office")[0].get("/board").text
    rows = html[html.index('id="open-duties"') :]
    for label in ("牵头单位", "时限", "逾期", "状态"):
        assert f'data-label="{label}"' in rows
    css = clients.anon().get("/static/app.css").text
    assert "content: attr(data-label)" in css


def test_a_changed_lead_unit_in_the_ledger_is_refused(clients):
    w = clients.world
    office = clients.api("office")
    wb = load_workbook(io.BytesIO(office.get("/api/ledger.xlsx").content))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    col = header.index("牵头单位") + 1
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col).value == UNIT_A)
    ws.cell(row, col).value = UNIT_B
    buf = io.BytesIO()
    wb.save(buf)
    r = office.post("/api/ledger/import", files={"file": ("台账.xlsx", buf.getvalue(), "x")})
    assert r.status_code == 422
    assert f"第 {row} 行" in r.text or f'"row":{row}' in r.text.replace(" ", "")
    assert "改派" in r.text
    with session_scope(_engine(clients)) as s:
        a = s.scalar(select(AssignmentRow).where(AssignmentRow.item_id == w.item_a))
        assert a is not None and a.lead_unit.name == UNIT_A


def test_the_business_date_setting_fixes_the_consoles_day(settings):
    s = Settings.from_env({"DUBAN_BUSINESS_DATE": "2023-12-29"}, database_url=settings.database_url)
    assert s.business_date == date(2023, 12, 29)
    assert Settings.from_env(s.to_env()) == s
    app = create_app(s.with_(secret_key=settings.secret_key))
    from duban.clock.calendar import local_date

    assert local_date(app.state.console.clock()) == date(2023, 12, 29)
    with pytest.raises(SettingsError, match="DUBAN_BUSINESS_DATE"):
        Settings.from_env({"DUBAN_BUSINESS_DATE": "去年年底"})


def test_a_form_error_names_the_field_in_chinese(clients):
    w = clients.world
    unit, csrf = clients.browser("unit_a")
    r = unit.post(f"/duties/{w.duty_a}/progress", data={"text": "开工", "share": "150", "csrf_token": csrf})
    assert r.status_code == 422
    assert "完成比例：不能大于 100" in r.text and "字段 share" not in r.text
    assert 'data-field="share"' in r.text
    api = clients.api("unit_a")
    r = api.post(f"/api/duties/{w.duty_a}/progress", json={"text": "开工", "share": 150})
    assert r.status_code == 422 and r.json()["field"] == "share"
    assert r.json()["detail"] == "完成比例：不能大于 100"


def test_a_note_waits_for_the_page_the_browser_opens(clients):
    w = clients.world
    office, csrf = clients.browser("office")
    office.post(f"/items/{w.item_free}/assign", data={"unit": UNIT_A, "csrf_token": csrf})
    background = office.get(f"/plans/{w.plan_id}", headers={"Sec-Fetch-Dest": "empty"})
    assert "已交办给" not in background.text  # a script's request (forms.js) leaves the note
    assert "已交办给" in office.get(f"/plans/{w.plan_id}", headers={"Sec-Fetch-Dest": "document"}).text
