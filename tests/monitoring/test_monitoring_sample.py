"""The project's monitoring sample plays through the services to the year's end: one household
cleared by the rules, one returned to monitoring by a new risk, the overdue ones lit."""

from __future__ import annotations

from datetime import UTC, date, datetime

from duban.db import session_scope
from duban.monitoring.board import build_board
from duban.monitoring.households import list_households
from duban.monitoring.sample import play_sample


def test_the_sample_plays_to_the_years_end(db, calendar):
    with session_scope(db) as s:
        statuses = play_sample(session=s, calendar=calendar, until=date(2023, 12, 29))
        assert statuses == {"monitoring": 6, "cleared": 1, "returned": 1}
        names = {h.head_name: h.status for h in list_households(session=s)}
        assert names["张福田"] == "cleared" and names["李秀英"] == "returned"
        b = build_board(session=s, now=datetime(2023, 12, 29, 9, tzinfo=UTC))
        late = {h.id: h.head_name for h in list_households(session=s) if h.id in b.overdue_visit_ids}
        assert sorted(late.values()) == ["刘永强", "周小红", "赵桂兰"]
        assert b.total.overdue_measures == 1 and {r.name for r in b.by_township} == {
            "阳高县龙泉镇", "阳高县罗文皂镇", "云州区西坪镇", "云州区吉家庄乡"}  # fmt: skip


def test_the_sample_stops_at_the_day_asked(db, calendar):
    with session_scope(db) as s:
        assert play_sample(session=s, calendar=calendar, until=date(2023, 3, 31)) == {"monitoring": 2}
