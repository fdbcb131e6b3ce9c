"""The console's remembered reads (:mod:`duban.web.read_cache`): an answer asked again at the same
data version is sent with no SQL statement; any write (through this server, another process, a
browser's or an API client's) is seen; what is kept is per account, never an error and never a
page showing a one-time note.
"""

from __future__ import annotations

import time
from datetime import timedelta

from duban.accounts.service import SESSION_LIFETIME, end_session
from duban.db import session_scope
from duban.ledger import service
from duban.web.cache import TTLCache
from tests.web.test_web_query_counts import counted
from tests.web.web_factories import NOW

ROUTES = (
    "/api/duties/{a}",
    "/api/duties/{a}/events",
    "/api/duties/{a}/progress",
    "/api/items/{item}",
    "/api/plans",
    "/api/units",
    "/api/events",
    "/api/cases",
    "/duties/{a}",
    "/plans",
    "/cases",
    "/review",
)


def _outside_progress(app, duty_id: int, text: str) -> None:
    """A write by another process (a second worker, the CLI): straight into the database."""
    with session_scope(app.state.console.engine) as s:
        service.add_progress(session=s, duty_id=duty_id, text=text, share=40, actor="发改委李四", now=NOW)


def test_asked_again_the_same_bytes_without_a_statement(app, clients):
    w = clients.world
    office = clients.api("office")
    office.get("/api/me")  # the token lookup
    for path in ROUTES:
        path = path.format(a=w.duty_a, item=w.item_a)
        first = office.get(path)
        with counted(app) as again:
            second = office.get(path)
        assert first.status_code == second.status_code == 200, (path, first.text[:200])
        assert first.content == second.content, path
        assert again == [], (path, again)


def test_an_api_clients_own_write_is_seen_at_once(app, clients):
    w = clients.world
    unit = clients.api("unit_a")
    assert unit.get(f"/api/duties/{w.duty_a}/progress").json()["total"] == 0
    r = unit.post(f"/api/duties/{w.duty_a}/progress", json={"text": "已完成选址", "share": 20})
    assert r.status_code == 201
    assert unit.get(f"/api/duties/{w.duty_a}/progress").json()["total"] == 1
    assert "已完成选址" in unit.get(f"/duties/{w.duty_a}").text


def test_an_api_client_sees_another_processes_write_at_once(app, clients):
    """The database's change signal (:mod:`duban.web.changes`) says a commit happened: the version
    is read again, whatever ``version_every`` says."""
    w = clients.world
    app.state.console.version_every = 3600.0
    office = clients.api("office")
    assert office.get(f"/api/duties/{w.duty_a}").json()["progress"] == []
    _outside_progress(app, w.duty_a, "另一进程写入的进展")
    progress = office.get(f"/api/duties/{w.duty_a}").json()["progress"]
    assert [p["text"] for p in progress] == ["另一进程写入的进展"]


def test_after_a_write_the_version_is_read_without_a_statement_on_sqlite(app, clients):
    """After a commit every request needs the new version first: on SQLite the change watch reads
    it (on the event loop), not a query in a thread that all waiting requests await."""
    w = clients.world
    st = app.state.console
    before = st.data_version()
    _outside_progress(app, w.duty_a, "另一进程写入的进展")
    with counted(app) as read:
        after = st.data_version()
    assert after != before and read == []


def test_without_a_change_signal_within_the_version_interval(app, clients):
    w = clients.world
    st = app.state.console
    st._watch = (None,)  # a database that gives no signal
    st.version_every = 0.2
    office = clients.api("office")
    assert office.get(f"/api/duties/{w.duty_a}").json()["progress"] == []
    _outside_progress(app, w.duty_a, "另一进程写入的进展")
    assert office.get(f"/api/duties/{w.duty_a}").json()["progress"] == []  # as read a moment ago
    time.sleep(0.25)
    progress = office.get(f"/api/duties/{w.duty_a}").json()["progress"]
    assert [p["text"] for p in progress] == ["另一进程写入的进展"]


def test_a_browser_sees_another_processes_write_at_once(app, clients):
    """No interval for people: a browser's session check and version are read again once anything
    is committed; asked again with nothing committed, a page costs no statement at all."""
    w = clients.world
    app.state.console.version_every = 3600.0
    browser, _csrf = clients.browser("office")
    assert "另一进程写入的进展" not in browser.get(f"/duties/{w.duty_a}").text
    with counted(app) as again:
        assert browser.get(f"/duties/{w.duty_a}").status_code == 200
    assert again == [], again  # the session's check kept too
    board_before = browser.get("/api/board").json()["totals"]
    _outside_progress(app, w.duty_a, "另一进程写入的进展")
    assert "另一进程写入的进展" in browser.get(f"/duties/{w.duty_a}").text
    assert browser.get("/api/board").json()["totals"] == board_before  # no light changed, but recomputed


def test_a_session_ended_elsewhere_is_refused_at_once(app, clients):
    """A logout on another worker, or an account disabled from the CLI, holds on the next request
    although the session's check was kept."""
    w = clients.world
    browser, _csrf = clients.browser("unit_a")
    assert browser.get(f"/duties/{w.duty_a}").status_code == 200
    with session_scope(app.state.console.engine) as s:  # another process ends it
        assert end_session(session=s, token=w.sessions["unit_a"][0])
    r = browser.get(f"/duties/{w.duty_a}")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert browser.get("/api/me").status_code == 401


def test_a_kept_session_check_still_expires(app, clients):
    w = clients.world
    st = app.state.console
    browser, _csrf = clients.browser("office")
    assert browser.get(f"/duties/{w.duty_a}").status_code == 200
    st.clock = lambda: NOW + SESSION_LIFETIME + timedelta(seconds=1)  # nothing committed meanwhile
    assert browser.get("/api/me").status_code == 401


def test_kept_per_account(app, clients):
    w = clients.world
    office, unit_a, unit_b = clients.api("office"), clients.api("unit_a"), clients.api("unit_b")
    assert office.get(f"/api/duties/{w.duty_a}").status_code == 200
    assert unit_a.get(f"/api/duties/{w.duty_a}").status_code == 200
    assert unit_b.get(f"/api/duties/{w.duty_a}").status_code == 404  # not office's kept answer
    # a unit officer's plan tree holds only its unit's items, whatever the office read before
    whole = office.get(f"/api/plans/{w.plan_id}/items").json()["total"]
    mine = unit_a.get(f"/api/plans/{w.plan_id}/items").json()["total"]
    assert 0 < mine < whole


def test_refusals_are_not_kept_and_each_is_logged(app, clients):
    w = clients.world
    office, unit_b = clients.api("office"), clients.api("unit_b")

    def denied() -> int:
        events = office.get("/api/events", params={"action": "access_denied", "limit": 1000}).json()
        return sum(1 for e in events["items"] if e["entity_id"] == w.duty_a)

    before = denied()
    for _ in range(2):
        assert unit_b.get(f"/api/duties/{w.duty_a}/events").status_code == 404
    assert denied() == before + 2


def test_a_page_with_a_note_is_not_kept(app, clients):
    w = clients.world
    browser, csrf = clients.browser("unit_a")
    browser.get(f"/duties/{w.duty_a}")  # kept without a note
    r = browser.post(
        f"/duties/{w.duty_a}/progress", data={"text": "已开工", "share": "10", "csrf_token": csrf}
    )
    assert r.status_code == 303
    shown = browser.get(r.headers["location"])
    assert 'class="note"' in shown.text and "已开工" in shown.text
    assert 'class="note"' not in browser.get(f"/duties/{w.duty_a}").text  # shown once


def test_cache_bounded_in_bytes():
    class Sized:
        def __init__(self, size: int) -> None:
            self.size = size

    cache = TTLCache(ttl=60, size=100, budget=1000, weigh=lambda value: value.size)
    for k in range(5):
        cache.put(k, Sized(300))
    assert cache.weight <= 1000
    assert [cache.get(k) is not None for k in range(5)] == [False, False, True, True, True]
    cache.put(4, Sized(100))  # replacing an entry counts its new size only
    assert cache.weight == 700


NOT_REMEMBERED = {
    "/openapi.json": "the schema, FastAPI's own",
    "/docs": "a static page",
    "/healthz": "no read",
    "/api/me": "the account only, no read",
    "/": "a redirect",
    "/login": "the sign-in form sets its CSRF cookie",
    "/upload": "a form",
    "/cases/new": "a form",
    "/monitoring/new": "a form",
    "/api/board": "the board's own cache (stale-while-revalidate)",
    "/api/duties": "the board's own cache",
    "/board": "the board's own cache",
    "/api/duties/{duty_id}/evidence/{evidence_id}": "a file",
    "/duties/{duty_id}/evidence/{evidence_id}": "a file",
    "/api/ledger.xlsx": "a file",
    "/ledger.xlsx": "a file",
    "/api/cases/report.xlsx": "a file",
    "/cases/report.xlsx": "a file",
    "/api/monitoring/export.xlsx": "a file, and its export is logged",
    "/api/monitoring/households/{household_id}": "each view of a household is logged",
    "/monitoring/{household_id}": "each view of a household is logged",
    "/cases/model": "the category model's page, read from its file",
    "/admin/users": "accounts: rare, and no stale answer wanted",
    "/report": "the citizens' form (its CSRF cookie)",
    "/track": "citizens' lookups count against their rate limit",
    "/track/{token}": "citizens' lookups count against their rate limit",
}


def test_every_read_is_remembered_or_says_why_not(app):
    """A new GET route is remembered (``@remembered``) or named here with the reason."""
    from fastapi.routing import iter_route_contexts

    gets = {
        str(ctx.path): ctx
        for ctx in iter_route_contexts(app.routes)
        if "GET" in (getattr(ctx, "methods", None) or ()) and not str(ctx.path).startswith("/open311/")
    }
    remembered = {p for p, ctx in gets.items() if getattr(ctx.endpoint, "remembered_per", None)}
    assert remembered.isdisjoint(NOT_REMEMBERED), remembered & set(NOT_REMEMBERED)
    assert set(gets) - remembered - set(NOT_REMEMBERED) == set()
    assert set(NOT_REMEMBERED) <= set(gets)  # no stale entry here
    assert {"/api/duties/{duty_id}", "/duties/{duty_id}", "/cases/{case_id}", "/review"} <= remembered


def test_hotline_answers_are_at_most_a_minute_old_and_expire_spread_out():
    """A per-minute answer is kept for a minute of its path's own (begun at a second given by the
    path), so the hotline's pages do not all expire in the same second."""
    from datetime import UTC, datetime

    from duban.web.read_cache import _moment

    t0 = datetime(2023, 3, 1, 9, 0, 0, tzinfo=UTC)
    paths = [f"/cases/{n}?" for n in range(200)]
    for path in paths[:20]:
        minutes = [_moment(t0 + timedelta(seconds=s), "minute", path) for s in range(0, 121)]
        changes = [s for s in range(1, 121) if minutes[s] != minutes[s - 1]]
        assert len(changes) == 2 and changes[1] - changes[0] == 60, (path, changes)  # a minute each
    second_of_expiry = {
        next(
            s
            for s in range(1, 61)
            if _moment(t0 + timedelta(seconds=s), "minute", p) != _moment(t0, "minute", p)
        )
        for p in paths
    }
    assert len(second_of_expiry) > 30  # spread over the minute, not all at :00
    assert _moment(t0, "day", "/duties/1?") == _moment(t0 + timedelta(hours=1), "day", "/duties/2?")


def test_hotline_answers_are_kept_for_the_day_and_hot_spots_for_a_minute(app, clients):
    """The case hub's lights and rates count whole Beijing days, so its answers are kept until the
    data changes or the day does (recomputed every minute, 500 case pages made the case page's
    p99 1.5× `/healthz`'s under load); the hot spots' window ends at the minute and moves with it."""
    st = app.state.console
    w = clients.world
    office = clients.api("office")
    kept = ("/api/cases", "/cases", f"/api/cases/{w.cases['received']}", "/api/cases/rates")
    for path in (*kept, "/api/cases/hot"):
        assert office.get(path).status_code == 200, path
    st.clock = lambda: NOW + timedelta(hours=5)  # 15:00 Beijing time, the same day
    for path in kept:
        with counted(app) as later:
            assert office.get(path).status_code == 200
        assert later == [], path
    with counted(app) as hot:
        assert office.get("/api/cases/hot").status_code == 200
    assert hot  # a new window
    st.clock = lambda: NOW + timedelta(hours=15)  # 01:00 the next day: a light may have turned
    for path in kept:
        with counted(app) as next_day:
            assert office.get(path).status_code == 200
        assert next_day, path


def test_kept_answers_cost_the_garbage_collector_nothing(app, clients):
    """A kept answer is a plain tuple of bytes and strings, which the collector stops tracking:
    thousands of them add nothing to its full collections (as objects they paused every request
    for tens of milliseconds once the cache was full)."""
    import gc

    w = clients.world
    office = clients.api("office")
    for path in (f"/api/duties/{w.duty_a}", "/api/plans", "/plans", "/api/units"):
        assert office.get(path).status_code == 200
    for _ in range(5):  # a tuple is untracked in a pass that finds its items untracked already
        gc.collect()
    entries = list(app.state.console.read_cache._data.items())
    assert len(entries) >= 4
    tracked = [key for key, entry in entries if gc.is_tracked(key) or gc.is_tracked(entry)]
    assert tracked == []
