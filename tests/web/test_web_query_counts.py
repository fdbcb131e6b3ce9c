"""SQL statements per request on the console's hot routes: a bound that does not grow with the
ledger (the number of progress reports of a duty, the number of duties on the board).

Counted with SQLAlchemy's ``before_cursor_execute`` event on the console's own engine, after one
warm-up request (the bearer token's lookup is kept until something is committed). A write straight into the
database, as another process would make it, is seen at once through the database's change signal
(:mod:`duban.web.changes`, :mod:`tests.web.test_web_read_cache`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from sqlalchemy import event

from duban.db import session_scope
from duban.ledger import service
from duban.ledger.schemas import MilestoneCreate
from tests.web.web_factories import NOW, UNIT_A

DUTY_API_QUERIES = 5
"""The duty API read afresh: the ledger's version; the duty with its item, assignment and lead unit;
co-units; milestones; progress. Asked again with nothing committed since: none."""


@contextmanager
def counted(app) -> Iterator[list[str]]:
    """The SQL statements the app's engine runs inside the block."""
    engine = app.state.console.engine
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _report(app, duty_id: int, n: int) -> None:
    with session_scope(app.state.console.engine) as s:
        for k in range(n):
            service.add_progress(
                session=s,
                duty_id=duty_id,
                text=f"第{k + 1}次进展",
                share=min(100, 3 * k),
                actor="发改委李四",
                now=NOW + timedelta(hours=k + 1),
            )
        service.set_milestones(
            session=s,
            duty_id=duty_id,
            milestones=[MilestoneCreate(name=f"节点{k}", due=date(2023, k + 3, 28)) for k in range(6)],
            actor="督查室张三",
            now=NOW,
        )


def test_duty_api_queries_do_not_grow_with_its_progress(app, clients):
    w = clients.world
    office, unit, other = clients.api("office"), clients.api("unit_a"), clients.api("unit_b")
    for client in (office, unit, other):
        client.get("/api/me")  # warm-up: the token lookups
    with counted(app) as few:
        assert office.get(f"/api/duties/{w.duty_b}").status_code == 200
    _report(app, w.duty_a, 30)
    for client in (office, unit):
        client.get("/api/me")  # the tokens looked up again (something was committed)
    with counted(app) as many:
        r = office.get(f"/api/duties/{w.duty_a}")
    assert r.status_code == 200 and len(r.json()["progress"]) == 30
    assert len(r.json()["milestones"]) == 6 and r.json()["unit"] == UNIT_A
    assert len(many) == len(few) <= DUTY_API_QUERIES, many
    with counted(app) as again:  # the same answer for the lead unit's officer, from one query
        assert unit.get(f"/api/duties/{w.duty_a}").content == r.content
    assert again == [], again  # nothing committed since (the change watch): not even the version
    # the row guard holds for a remembered answer: another unit's officer gets 404 (logged)
    assert other.get(f"/api/duties/{w.duty_a}").status_code == 404
    events = office.get("/api/events", params={"action": "access_denied"}).json()["items"]
    assert any(e["entity_id"] == w.duty_a for e in events)
    # a write is seen at once: the version changed
    assert unit.post(f"/api/duties/{w.duty_a}/progress", json={"text": "第31次进展"}).status_code == 201
    assert len(office.get(f"/api/duties/{w.duty_a}").json()["progress"]) == 31


def test_duty_page_queries_do_not_grow_with_its_progress(app, clients):
    w = clients.world
    office = clients.api("office")
    office.get("/api/me")  # warm-up: the token lookup
    with counted(app) as few:
        assert office.get(f"/duties/{w.duty_b}").status_code == 200
    _report(app, w.duty_a, 30)
    office.get("/api/me")  # the token looked up again (something was committed)
    with counted(app) as many:
        page = office.get(f"/duties/{w.duty_a}")
    assert page.status_code == 200 and "第30次进展" in page.text
    # 8 for the duty itself; then the source card's replies and the 上下级 card's government and
    # children (the duty, its item and plan come from the cached read): 11 today, the bound is looser
    assert len(many) == len(few) <= 21, many
    with counted(app) as again:  # the duty's reads remembered: the version, events, cases, evidence
        assert office.get(f"/duties/{w.duty_a}").status_code == 200
    assert len(again) <= 4 + 13, again  # + the source and 上下级 cards' reads (above)


def test_progress_and_pace_come_from_the_duty_read(app, clients):
    w = clients.world
    unit, other = clients.api("unit_a"), clients.api("unit_b")
    _report(app, w.duty_a, 3)
    detail = unit.get(f"/api/duties/{w.duty_a}").json()
    with counted(app) as seen:
        progress = unit.get(f"/api/duties/{w.duty_a}/progress").json()
        pace = unit.get(f"/api/duties/{w.duty_a}/pace").json()
    assert seen == [], seen  # both from the duty's remembered read: nothing committed since
    assert progress == {"items": detail["progress"], "total": 3}
    assert pace["done"] == 0.06 and pace["key"]
    for path in ("progress", "pace"):
        assert other.get(f"/api/duties/{w.duty_a}/{path}").status_code == 404


def test_board_and_duty_list_are_read_once_until_the_ledger_changes(app, clients):
    w = clients.world
    office = clients.api("office")
    for path in ("/api/board", "/api/duties", "/board"):
        first = office.get(path)
        with counted(app) as again:
            second = office.get(path)
        assert first.status_code == second.status_code == 200 and first.content == second.content
        assert again == [], (path, again)  # from the cache: no statement at all
    unit = clients.api("unit_a")
    assert (
        unit.post(f"/api/duties/{w.duty_a}/progress", json={"text": "已开工", "share": 10}).status_code == 201
    )
    with counted(app) as recomputed:
        listed = office.get("/api/duties").json()
    assert recomputed, "a write makes the cached list stale"
    assert any(row["duty_id"] == w.duty_a for row in listed["items"])
