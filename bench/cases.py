"""Benchmark of the case hub: bulk intake (duplicate search included) vs raw inserts, Open311 POST
latency at 100 requests/s on loopback, and the rates/rankings query over 1,000,000 cases — on
SQLite and on PostgreSQL.

    .venv/bin/python bench/cases.py                 # everything (PostgreSQL when a URL is set)
    .venv/bin/python bench/cases.py --cases 1000000 --intake 20000 --post-seconds 10

PostgreSQL: ``DUBAN_BENCH_POSTGRES_URL`` (or ``DUBAN_TEST_POSTGRES_URL``); a schema is made for the
run and dropped afterwards. Targets: ≥ 2,000 cases/s bulk, POST p99 < 50 ms, rankings < 2 s.
Prints figures and ratios; never part of the test run.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.engine import make_url

from duban.cases.intake import intake_many
from duban.cases.models import CaseRow, DispatchRow
from duban.cases.rates import rankings, unit_rates
from duban.cases.schemas import CaseCreate
from duban.clock.calendar import WorkCalendar
from duban.clock.policy import load_policy
from duban.config import Settings
from duban.db import make_engine, session_scope, upgrade
from duban.units.models import UnitRow
from duban.units.service import DEFAULT_UNITS, load_units

NOW = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
TARGET_BULK, TARGET_P99_MS, TARGET_RANK_S = 2000, 50.0, 2.0
CHANNELS = ["hotline_phone", "hotline_web", "hotline_app", "grid", "chengguan", "police_110", "enterprise"]
TYPES = ["咨询", "求助", "投诉", "举报", "建议"]
PLACES = ["平城区和平路", "云冈区新平旺", "新荣区花园屯", "云州区西坪", "经开区文兴路", "平城区御河东路"]
WORDS = ["路灯不亮", "井盖缺失", "噪音扰民", "拖欠工资", "供暖不热", "垃圾未清运", "占道经营", "道路坑洼"]


def pg_url() -> str | None:
    return os.environ.get("DUBAN_BENCH_POSTGRES_URL") or os.environ.get("DUBAN_TEST_POSTGRES_URL")


@contextmanager
def database(kind: str, tmp: Path) -> Iterator[Engine]:
    """A fresh migrated database with the shipped units (SQLite file, or a PostgreSQL schema)."""
    if kind == "sqlite":
        engine = make_engine(
            Settings(database_url=f"sqlite:///{tmp / f'bench-{uuid.uuid4().hex[:6]}.sqlite3'}")
        )
        admin, schema = None, None
    else:
        base = pg_url()
        assert base
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        scoped = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        engine = make_engine(Settings(database_url=scoped.render_as_string(hide_password=False)))
    try:
        upgrade(engine)
        with session_scope(engine) as s:
            load_units(session=s, path=DEFAULT_UNITS, actor="bench", now=NOW)
        yield engine
    finally:
        engine.dispose()
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def fake_cases(n: int, seed: int = 7) -> list[CaseCreate]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        place, word = rnd.choice(PLACES), rnd.choice(WORDS)
        out.append(
            CaseCreate(
                channel=rnd.choice(CHANNELS),
                case_type=rnd.choice(TYPES),
                content=f"{place}{rnd.randint(1, 300)}号附近{word}，请尽快处理（第{i}件）",
                citizen_phone=f"13{rnd.randint(100000000, 999999999)}",
                address=f"{place}{rnd.randint(1, 300)}号",
                source="bench",
                external_id=f"B{i}",
                received_at=NOW - timedelta(minutes=rnd.randint(0, 60 * 24 * 20)),
            )
        )
    return out


def bench_intake(kind: str, tmp: Path, n: int) -> tuple[float, float, int, int]:
    """(cases/s through intake_many, rows/s of a raw executemany of the same rows, duplicates linked,
    stored cases before the batch).

    A quarter as many cases again, received before the batch, are taken in first (not timed), so
    the batch's duplicate search finds stored cases in its window as well as its own.
    """
    every = sorted(fake_cases(n + n // 4), key=lambda c: c.received_at or NOW)
    stored, cases = every[: n // 4], every[n // 4 :]
    calendar, policy = WorkCalendar.default(), load_policy("hotline")
    with database(kind, tmp) as engine:
        with session_scope(engine) as s:
            intake_many(session=s, cases=stored, actor="bench", now=NOW, calendar=calendar, policy=policy)
        t = time.perf_counter()
        with session_scope(engine) as s:
            rep = intake_many(
                session=s, cases=cases, actor="bench", now=NOW, calendar=calendar, policy=policy
            )
        intake_rate = rep.created / (time.perf_counter() - t)
        with session_scope(engine) as s:
            rows = [
                {c.name: getattr(r, c.name) for c in CaseRow.__table__.columns if c.name != "id"}
                for r in s.query(CaseRow).limit(n)
            ]
        for r in rows:
            r["source"], r["external_id"], r["token"], r["parent_id"] = "raw", None, None, None
        t = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(insert(CaseRow), rows)
        raw_rate = len(rows) / (time.perf_counter() - t)
    return intake_rate, raw_rate, rep.duplicates, len(stored)


# ---- POST latency ---------------------------------------------------------------------------------
SERVER = """
import sys, uvicorn
from duban.config import Settings
from duban.web import create_app
app = create_app(Settings(database_url=sys.argv[1]))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_post(kind: str, tmp: Path, seconds: float, rate: float = 100.0) -> tuple[float, float, int, int]:
    """(p50 ms, p99 ms, requests, errors) of POST requests.json at ``rate`` per second."""
    import httpx

    from duban.accounts.service import create_api_token, create_user

    with database(kind, tmp) as engine:
        with session_scope(engine) as s:
            account = create_user(session=s, name="bench", role="office", password="bench-pass-1", now=NOW)
            key = create_api_token(session=s, account=account, now=NOW)
        port = _free_port()
        url = engine.url.render_as_string(hide_password=False)
        proc = subprocess.Popen([sys.executable, "-c", SERVER, url, str(port)])
        try:
            base = f"http://127.0.0.1:{port}/open311/v2"
            with httpx.Client(timeout=5, trust_env=False) as client:
                deadline = time.monotonic() + 20
                while True:
                    try:
                        client.get(f"{base}/services.json")
                        break
                    except httpx.TransportError:
                        if time.monotonic() > deadline:
                            raise
                        time.sleep(0.1)
                rnd = random.Random(3)
                lat: list[float] = []
                errors = 0
                n = int(seconds * rate)
                start = time.perf_counter()
                for i in range(n):
                    due = start + i / rate
                    pause = due - time.perf_counter()
                    if pause > 0:
                        time.sleep(pause)
                    body = {
                        "api_key": key,
                        "service_code": rnd.choice(["pothole", "garbage", "heating"]),
                        "lat": f"{40 + rnd.random() / 10:.5f}",
                        "long": f"{113 + rnd.random() / 10:.5f}",
                        "description": f"第{i}件：{rnd.choice(WORDS)}",
                    }
                    t = time.perf_counter()
                    r = client.post(f"{base}/requests.json", data=body)
                    lat.append((time.perf_counter() - t) * 1000)
                    errors += r.status_code != 200
        finally:
            proc.terminate()
            proc.wait(10)
    lat.sort()
    return statistics.median(lat), lat[min(len(lat) - 1, int(len(lat) * 0.99))], len(lat), errors


# ---- rates over a million cases --------------------------------------------------------------------
def _generate(n: int, unit_ids: list[int], seed: int = 11) -> tuple[list[tuple], list[tuple]]:
    """Case and dispatch rows (as tuples in :data:`CASE_COLS` / :data:`DISPATCH_COLS` order)."""
    rnd = random.Random(seed)
    cases, dispatches = [], []
    base = datetime(2025, 1, 1, tzinfo=UTC)
    hours = 24 * 420
    stamp = [base + timedelta(hours=h) for h in range(hours + 24 * 30)]  # every hour, made once
    day = [t.date() for t in stamp]
    month = [(t + timedelta(hours=8)).strftime("%Y-%m") for t in stamp]
    sats = [None, "满意", "满意", "基本满意", "不满意"]
    randrange, choice, random_ = rnd.randrange, rnd.choice, rnd.random
    for i in range(1, n + 1):
        h = randrange(hours)
        unit = choice(unit_ids)
        due = day[h + 24 * choice((3, 14, 21))]
        s_h = h + 24 * randrange(26) + randrange(8) if random_() < 0.9 else None
        settled = None if s_h is None else stamp[s_h]
        in_time = None if s_h is None else day[s_h] <= due
        sat = choice(sats) if settled else None
        status = "archived" if settled and sat else "settled" if settled else "in_progress"
        cases.append(
            (i, "bench", "hotline_phone", "投诉", False, status, "t", "c", "auto", stamp[h], month[h], due, settled,
             in_time, sat, 1 if sat == "不满意" else 0, unit, unit, stamp[h])
        )  # fmt: skip
        a_h = h + choice((1, 5, 30, 80))
        dispatches.append(
            (i, unit, month[h], stamp[h], day[h + 24], stamp[a_h], day[a_h] <= day[h + 24], None)
        )
    return cases, dispatches


CASE_COLS = (
    "id", "source", "channel", "case_type", "urgent", "status", "title", "content", "review", "received_at",
    "month", "due_date", "settled_at", "settled_in_time", "satisfaction", "reopened_count", "unit_id",
    "owner_unit_id", "updated_at",
)  # fmt: skip
DISPATCH_COLS = (
    "case_id",
    "unit_id",
    "month",
    "dispatched_at",
    "response_due",
    "accepted_at",
    "accepted_in_time",
    "returned_at",
)
DEFAULTS = "returned_count, extension_workdays, overdue_workdays"


_TEXT: dict[object, str] = {}


def _sqlite_value(v: object) -> object:
    """SQLite's stored form of a value (as SQLAlchemy writes it), cached: the values repeat."""
    if isinstance(v, date):
        got = _TEXT.get(v)
        if got is None:
            got = v.strftime("%Y-%m-%d %H:%M:%S.000000") if isinstance(v, datetime) else v.isoformat()
            _TEXT[v] = got
        return got
    return v


def bulk_load(engine: Engine, n: int) -> float:
    """Fill ``cases`` and ``case_dispatches`` with ``n`` rows each, fast; returns seconds taken."""
    with session_scope(engine) as s:
        unit_ids = [u for (u,) in s.query(UnitRow.id).all()]
    cases, dispatches = _generate(n, unit_ids)
    t = time.perf_counter()
    # the usual bulk-load order: drop the secondary indexes, load, build them again
    indexes = [*CaseRow.__table__.indexes, *DispatchRow.__table__.indexes]
    with engine.begin() as conn:
        for index in indexes:
            index.drop(conn)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cols = ", ".join(CASE_COLS) + ", " + DEFAULTS
        if engine.dialect.name == "sqlite":
            marks = ", ".join("?" for _ in CASE_COLS) + ", 0, 0, 0"
            cur.executemany(
                f"INSERT INTO cases ({cols}) VALUES ({marks})", ([_sqlite_value(v) for v in r] for r in cases)
            )
            dmarks = ", ".join("?" for _ in DISPATCH_COLS)
            cur.executemany(
                f"INSERT INTO case_dispatches ({', '.join(DISPATCH_COLS)}) VALUES ({dmarks})",
                ([_sqlite_value(v) for v in r] for r in dispatches),
            )
        else:
            with cur.copy(f"COPY cases ({', '.join(CASE_COLS)}, {DEFAULTS}) FROM STDIN") as copy:
                for r in cases:
                    copy.write_row((*r, 0, 0, 0))
            with cur.copy(f"COPY case_dispatches ({', '.join(DISPATCH_COLS)}) FROM STDIN") as copy:
                for r in dispatches:
                    copy.write_row(r)
            cur.execute("SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))")
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as conn:
        for index in indexes:
            index.create(conn)
        conn.execute(text("ANALYZE"))
    return time.perf_counter() - t


def bench_rates(kind: str, tmp: Path, n: int) -> tuple[float, float, float, int]:
    """(load s, all-months rates s, one month rankings s, groups) over ``n`` cases."""
    with database(kind, tmp) as engine:
        load_s = bulk_load(engine, n)
        with session_scope(engine) as s:
            t = time.perf_counter()
            rows = unit_rates(session=s, as_of=date(2026, 3, 1))
            all_s = time.perf_counter() - t
            t = time.perf_counter()
            rankings(session=s, month="2025-06", as_of=date(2026, 3, 1))
            rank_s = time.perf_counter() - t
    return load_s, all_s, rank_s, len(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=1_000_000, help="cases for the rates query")
    ap.add_argument("--intake", type=int, default=20_000, help="cases for the bulk intake")
    ap.add_argument("--post-seconds", type=float, default=10.0)
    ap.add_argument("--only", choices=["intake", "post", "rates"], default=None)
    args = ap.parse_args()
    kinds = ["sqlite", *(["postgres"] if pg_url() else [])]
    if not pg_url():
        print("PostgreSQL: 未设置 DUBAN_BENCH_POSTGRES_URL / DUBAN_TEST_POSTGRES_URL，只测 SQLite")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for kind in kinds:
            print(f"== {kind}")
            if args.only in (None, "intake"):
                rate, raw, linked, stored = bench_intake(kind, tmp, args.intake)
                print(
                    f"bulk intake   {rate:10,.0f} cases/s   raw executemany {raw:10,.0f} rows/s   "
                    f"ratio {rate / raw:.2f}   target ≥ {TARGET_BULK:,}: {'OK' if rate >= TARGET_BULK else 'MISSED'}   "
                    f"({args.intake:,} cases onto {stored:,} stored; {linked:,} duplicates linked)"
                )
            if args.only in (None, "post"):
                p50, p99, n, errors = bench_post(kind, tmp, args.post_seconds)
                print(
                    f"POST latency  p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   ({n} requests at 100/s, {errors} errors)   "
                    f"target p99 < {TARGET_P99_MS:.0f} ms: {'OK' if p99 < TARGET_P99_MS and not errors else 'MISSED'}"
                )
            if args.only in (None, "rates"):
                load_s, all_s, rank_s, groups = bench_rates(kind, tmp, args.cases)
                print(
                    f"rates         {args.cases:,} cases loaded in {load_s:.1f} s;  all months {all_s:.2f} s "
                    f"({groups} unit-months);  one month's rankings {rank_s:.2f} s   "
                    f"target < {TARGET_RANK_S:.0f} s: {'OK' if max(all_s, rank_s) < TARGET_RANK_S else 'MISSED'}"
                )


if __name__ == "__main__":
    main()
