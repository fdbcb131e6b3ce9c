"""The review's pages: the public promise tracker, a place's record and the office's overview."""

from __future__ import annotations

from sqlalchemy import select

from duban.audit.models import EventRow
from duban.config import Settings
from duban.db import make_engine, session_scope
from duban.ledger import service
from duban.ledger.models import DutyRow
from duban.review.store import save_review, summaries, year_review
from tests.web.web_factories import NOW, make_review


def _save(settings: Settings, year: int, **kw) -> None:
    engine = make_engine(settings)
    try:
        with session_scope(engine) as s:
            save_review(
                session=s, promises=make_review(year=year, **kw), source="test", actor="测试", now=NOW
            )
    finally:
        engine.dispose()


def test_tracker_shows_a_running_year_with_the_offices_progress(clients, world, settings):
    engine = make_engine(settings)
    with session_scope(engine) as s:
        item = next(i for i in service.plan_items(session=s, plan_id=world.plan_id) if i.headline)
        assignment = service.assign(session=s, item_id=item.id, unit="市统计局", actor="test", now=NOW)
        duty = s.scalars(select(DutyRow).where(DutyRow.item_id == assignment.item_id)).one()
        service.add_progress(
            session=s, duty_id=duty.id, text="一季度增长5.8%", figure=5.8, share=25, actor="test", now=NOW
        )
    engine.dispose()
    html = clients.anon().get("/public").text
    assert "政府承诺追踪" in html and "进行中" in html
    assert "一季度增长5.8%" in html and "进度 25%" in html
    assert html.count("全市地区生产总值增长6%左右。") == 0  # the target's quote, not its whole paragraph


def test_tracker_shows_the_verdict_once_the_year_is_reviewed(clients, settings):
    _save(settings, 2023)
    r = clients.anon().get("/public")
    assert r.status_code == 200
    assert "已复盘" in r.text and "已实现" in r.text and "次年报告" in r.text
    assert "status-running" not in r.text


def test_place_page_has_every_year_with_both_quotes_and_a_chart(clients, settings):
    _save(settings, 2023)
    r = clients.anon().get("/public/places/示例市")
    assert r.status_code == 200
    for text in ("2023 年目标", "2022 年目标", "未实现", "无法核实", "待研判", "城镇新增就业实际41000人"):
        assert text in r.text
    assert 'id="series-charts"' in r.text and "gdp_growth" not in r.text  # charts carry names, not ids
    assert "地区生产总值增长" in r.text


def test_search_finds_places_and_says_when_none_match(clients, settings):
    _save(settings, 2021, place="样例县")
    c = clients.anon()
    assert "样例县" in c.get("/public", params={"q": "样例"}).text
    assert "示例市</a>" not in c.get("/public", params={"q": "样例"}).text
    assert "没有找到“大同”的复盘记录" in c.get("/public", params={"q": "大同"}).text


def test_unknown_place_is_a_404_page(clients):
    r = clients.anon().get("/public/places/无此市")
    assert r.status_code == 404 and "没有“无此市”的复盘记录" in r.text


def test_office_overview_counts_share_met(clients):
    c, _ = clients.browser("office")
    r = c.get("/review")
    assert r.status_code == 200
    # 2022: met 1, missed 1 → 50.0 %
    assert "50.0%" in r.text and 'id="share-chart"' in r.text


def test_saving_again_replaces_the_year_and_is_audited(settings):
    _save(settings, 2022)
    engine = make_engine(settings)
    try:
        with session_scope(engine) as s:
            assert len(year_review(session=s, place="示例市", year=2022)) == 4
            (summary,) = summaries(session=s, place="示例市")
            assert summary.counts == {"met": 1, "missed": 1, "ambiguous": 1, "unverifiable": 1}
            events = list(s.scalars(select(EventRow).where(EventRow.entity == "review")))
            assert [e.action for e in events] == ["review_saved", "review_saved"]
            assert events[-1].before == {"place": "示例市", "year": 2022, "verdicts": summary.counts}
    finally:
        engine.dispose()
