"""Benchmark a province's size on PostgreSQL: tick, board p99 at 50 clients, monthly case rates.

Builds, in a throwaway schema of the PostgreSQL at ``--database-url`` (or
``DUBAN_BENCH_POSTGRES_URL`` / ``DUBAN_TEST_POSTGRES_URL``), one province's platform: 1 province,
11 cities, 120 counties (``governments``), ``--units`` units per government, 110,000 duties (one
plan per government, its items, assignments and duties), 1,000,000 progress reports, 10,000,000
citizens' cases (and as many dispatches) — every count times ``--scale`` (0.01 for a smoke run) —
by PostgreSQL COPY (the load time is printed). Then, each beside a raw read of the same database
in the same run, and the ratio:

- a full ``tick`` (target < 20 s) — reference: a raw SELECT of the columns the tick reads (every
  open duty's clock columns and every progress report's time of the open duties);
- the board page's p99 at ``--clients`` clients against ``duban serve --workers 2`` (a child
  process) for a city office's account and a county office's (target < 300 ms) — reference:
  ``GET /healthz`` p99 in the same run;
- one month's case rates and rankings (``unit_rates`` + ``rankings``; target < 5 s) — reference:
  a raw ``GROUP BY`` count of the same month's cases.

usage: python bench/scale.py [--scale 0.01] [--seconds 5] [--database-url URL]
Never part of the test run. Measured 2026-12-06 at --scale 1 on the shared 2-core machine: tick
17.0 s, rates 0.77 s, board p99 118 ms (city) / 74 ms (county) without another test suite running
(20.1 s, 1.07 s, 192 / 329 ms with one); docs/scale.md has the table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from array import array
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from serve import free_port, load, pct  # bench/serve.py: the minimal asyncio HTTP client
from sqlalchemy import Engine, create_engine, make_url, text

from duban.accounts.service import create_api_token, create_user
from duban.cases.models import CaseRow, DispatchRow
from duban.cases.rates import rankings, unit_rates
from duban.clock.calendar import WorkCalendar
from duban.clock.policy import load_policy
from duban.config import Settings
from duban.db import make_engine, session_scope, upgrade
from duban.ledger.board import BoardFilter, board_view
from duban.ledger.tick import tick
from duban.units.governments import subtree_ids

NOW = datetime(2026, 9, 15, 1, 0, tzinfo=UTC)  # 09:00 Beijing time
YEAR, MONTH = 2026, "2026-06"
TARGET_TICK_S, TARGET_P99_MS, TARGET_RATES_S = 20.0, 300.0, 5.0
STATUSES = ["assigned", "deployed", "in_progress", "in_progress", "in_progress", "closure_requested", "returned",
            "closed", "closed"]  # fmt: skip
CASE_COLS = (
    "id", "source", "channel", "case_type", "urgent", "status", "title", "content", "review", "received_at",
    "month", "due_date", "settled_at", "settled_in_time", "satisfaction", "reopened_count", "unit_id",
    "owner_unit_id", "updated_at", "returned_count", "extension_workdays", "overdue_workdays",
)  # fmt: skip
DISPATCH_COLS = (
    "case_id",
    "unit_id",
    "month",
    "dispatched_at",
    "response_due",
    "accepted_at",
    "accepted_in_time",
)


def governments() -> list[tuple[int, str, str, int | None]]:
    """(id, name, level, parent) of 1 province, 11 cities and 120 counties (11 each, one city 10)."""
    out: list[tuple[int, str, str, int | None]] = [(1, "基准省", "省", None)]
    for c in range(11):
        out.append((2 + c, f"基准省第{c + 1}市", "市", 1))
    for k in range(120):
        out.append((13 + k, f"第{k % 11 + 1}市第{k // 11 + 1}县", "县", 2 + k % 11))
    return out


def copy(cur: object, table: str, cols: tuple[str, ...], rows: Iterator[tuple[object, ...]]) -> int:
    """COPY ``rows`` into ``table``; returns the rows written."""
    n = 0
    columns = ", ".join(f'"{c}"' for c in cols)
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as cp:  # type: ignore[attr-defined]
        for r in rows:
            cp.write_row(r)
            n += 1
    return n


def build(engine: Engine, scale: float, units_per_gov: int, seed: int = 7) -> dict[str, int]:
    """Fill the schema by COPY; returns the rows written per table."""
    rng = random.Random(seed)
    govs = governments()
    n_duties, n_reports, n_cases = (
        max(len(govs), round(x * scale)) for x in (110_000, 1_000_000, 10_000_000)
    )
    t0 = datetime(YEAR, 1, 5, 1, 0, tzinfo=UTC)
    units = {g[0]: [g[0] * 1000 + u for u in range(units_per_gov)] for g in govs}
    all_units = [u for us in units.values() for u in us]
    counts: dict[str, int] = {}
    # the usual bulk-load order for the big tables: drop their secondary indexes, load, build them again
    indexes = [*CaseRow.__table__.indexes, *DispatchRow.__table__.indexes]
    with engine.begin() as conn:
        for index in indexes:
            index.drop(conn)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        counts["governments"] = copy(cur, "governments", ("id", "name", "level", "parent_id", "settings"),
                                     ((*g, "{}") for g in govs))  # fmt: skip
        counts["units"] = copy(cur, "units", ("id", "name", "kind", "government_id"),
                               ((u, f"{g[1]}单位{u % 1000 + 1}", "部门", g[0]) for g in govs for u in units[g[0]]))  # fmt: skip
        plan_cols = ("id", "place", "level", "year", "title", "doc", "source", "source_format", "source_kind",
                     "checksum", "government_id", "loaded_at", "loaded_by")  # fmt: skip
        counts["plans"] = copy(cur, "plans", plan_cols,
                               ((g[0], g[1], g[2], YEAR, f"{g[1]}{YEAR}年政府工作报告", f"{g[1]}-{YEAR}", "bench", "txt",
                                 "report", f"bench-{g[0]}", g[0], t0, "bench") for g in govs))  # fmt: skip
        duties: list[tuple[int, int, datetime]] = []  # (id, government, assigned_at)

        def items() -> Iterator[tuple[object, ...]]:
            for i in range(1, n_duties + 1):
                gov = govs[i % len(govs)][0]
                due = date(YEAR, 12, 31) if rng.random() < 0.5 else date(YEAR, rng.randint(3, 12), 28)
                duties.append((i, gov, t0 + timedelta(days=rng.randint(0, 120), hours=rng.randint(0, 8))))
                yield (
                    i,
                    gov,
                    f"t{i}",
                    "task",
                    f"推进第{i}项重点工作，年内完成建设任务",
                    "",
                    0,
                    1,
                    i,
                    False,
                    "[]",
                    "[]",
                    due,
                )

        counts["items"] = copy(cur, "items", ("id", "plan_id", "ref", "kind", "text", "quote", "start", "end", "line",
                                              "headline", "flags", "counts", "deadline"), items())  # fmt: skip
        counts["assignments"] = copy(cur, "assignments", ("id", "item_id", "lead_unit_id", "assigned_at", "assigned_by"),
                                     ((i, i, rng.choice(units[g]), at, "bench") for i, g, at in duties))  # fmt: skip

        def duty_rows() -> Iterator[tuple[object, ...]]:
            for i, _g, at in duties:
                status = rng.choice(STATUSES)
                fb = (
                    at + timedelta(days=rng.randint(1, 20))
                    if status not in ("assigned", "deployed")
                    else None
                )
                asked = (
                    fb + timedelta(days=rng.randint(20, 120))
                    if fb and status in ("closure_requested", "closed")
                    else None
                )
                yield (i, i, status, rng.random() < 0.1, date(YEAR, rng.randint(3, 12), 28), at,
                       at + timedelta(days=1) if status != "assigned" else None, fb, fb, asked,
                       asked + timedelta(days=3) if asked and status == "closed" else None, 0)  # fmt: skip

        counts["duties"] = copy(cur, "duties", ("id", "item_id", "status", "major", "due", "assigned_at", "deployed_at",
                                                "first_feedback_at", "last_feedback_at", "closure_requested_at",
                                                "closed_at", "overdue_workdays"), duty_rows())  # fmt: skip
        counts["progress_reports"] = copy(cur, "progress_reports", ("duty_id", "reported_at", "text", "share", "actor"),
                                          ((d[0], d[2] + timedelta(days=rng.randint(1, 250)), "按计划推进",
                                            rng.randint(0, 100), "bench")
                                           for k in range(n_reports) for d in [duties[k % n_duties]]))  # fmt: skip
        counts["cases"], counts["case_dispatches"] = load_cases(cur, n_cases, all_units, rng)
        for table in ("governments", "units", "plans", "items", "assignments", "duties", "cases"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as conn:
        for index in indexes:
            index.create(conn)
    # VACUUM as autovacuum would soon after: sets the visibility map, so index-only scans (the
    # rates' covering index) read as they do in a steady database, not as right after a bulk load
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return counts


def load_cases(cur: object, n: int, unit_ids: list[int], rng: random.Random) -> tuple[int, int]:
    """``n`` cases over the year to the tick, each dispatched once (streamed: never all in memory)."""
    base = datetime(YEAR - 1, 10, 1, tzinfo=UTC)
    hours = 24 * 340
    stamp = [base + timedelta(hours=h) for h in range(hours + 24 * 30)]
    day = [t.date() for t in stamp]
    month = [(t + timedelta(hours=8)).strftime("%Y-%m") for t in stamp]
    sats = [None, "满意", "满意", "基本满意", "不满意"]
    hours_of, units_of = array("i"), array("i")  # each case's hour and unit, for its dispatch (compact)

    def cases() -> Iterator[tuple[object, ...]]:
        for i in range(1, n + 1):
            h, unit = rng.randrange(hours), rng.choice(unit_ids)
            hours_of.append(h)
            units_of.append(unit)
            due = day[h + 24 * rng.choice((3, 14, 21))]
            s_h = h + 24 * rng.randrange(26) + rng.randrange(8) if rng.random() < 0.9 else None
            settled = None if s_h is None else stamp[s_h]
            sat = rng.choice(sats) if settled else None
            status = "archived" if settled and sat else "settled" if settled else "in_progress"
            yield (i, "bench", "hotline_phone", "投诉", False, status, "t", "c", "auto", stamp[h], month[h], due, settled,
                   None if s_h is None else day[s_h] <= due, sat, 1 if sat == "不满意" else 0, unit, unit, stamp[h],
                   0, 0, 0)  # fmt: skip

    written = copy(cur, "cases", CASE_COLS, cases())

    def dispatches() -> Iterator[tuple[object, ...]]:
        for i, (h, unit) in enumerate(zip(hours_of, units_of, strict=True), start=1):
            a_h = h + rng.choice((1, 5, 30, 80))
            yield (i, unit, month[h], stamp[h], day[h + 24], stamp[a_h], day[a_h] <= day[h + 24])

    return written, copy(cur, "case_dispatches", DISPATCH_COLS, dispatches())


def raw_read(engine: Engine, *statements: str) -> float:
    """Seconds to run ``statements`` as plain SQL and fetch every row (a reference beside duban's)."""
    with engine.connect() as conn:
        t = time.perf_counter()
        for sql in statements:
            conn.exec_driver_sql(sql).fetchall()
        return time.perf_counter() - t


def raw_tick_read(engine: Engine) -> float:
    """Seconds to read what the tick reads, raw: open duties' clock columns and their reports' times."""
    return raw_read(
        engine,
        "SELECT id, assigned_at, major, status, due, deployed_at, first_feedback_at, last_feedback_at,"
        " closure_requested_at, closed_at, light, overdue_workdays, next_due FROM duties"
        " WHERE status <> 'closed' ORDER BY id",
        "SELECT p.duty_id, p.reported_at FROM progress_reports p JOIN duties d ON d.id = p.duty_id"
        " WHERE d.status <> 'closed'",
    )


def accounts(engine: Engine) -> dict[str, str]:
    """Bearer tokens of a city office's and a county office's accounts (on the wall clock)."""
    out = {}
    with session_scope(engine) as s:
        for label, gov in (("city office (市)", "基准省第1市"), ("county office (县)", "第1市第1县")):
            acct = create_user(session=s, name=f"{gov}督查室", role="office", password="bench-password",
                               now=NOW, government=gov)  # fmt: skip
            out[label] = create_api_token(session=s, account=acct, now=datetime.now(UTC), label="bench")
    return out


def board_p99(
    url: str, tokens: dict[str, str], clients: int, seconds: float
) -> dict[str, tuple[float, float, int, int]]:
    """(p50 ms, p99 ms, requests, errors) of /healthz and of the board page per account, served by
    ``duban serve --workers 2`` in a child process."""
    import subprocess

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="duban-scale-") as tmp:
        env = {
            **os.environ,
            "DUBAN_SECRET_KEY": "bench-secret",
            "DUBAN_UPLOAD_DIR": str(Path(tmp) / "uploads"),
        }
        cmd = [sys.executable, "-c", "from duban.cli import main; main()", "serve", "--port", str(port),
               "--workers", "2", "--database-url", url]  # fmt: skip
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out: dict[str, tuple[float, float, int, int]] = {}
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("duban serve did not start")
                time.sleep(0.3)
            runs = [("reference GET /healthz", next(iter(tokens.values())), "/healthz")]
            runs += [(f"board page GET /board, {label}", token, "/board") for label, token in tokens.items()]
            for name, token, path in runs:
                asyncio.run(load(port, token, [path], clients, 1.0))  # warm-up (caches, connections)
                lat, errors = asyncio.run(load(port, token, [path], clients, seconds))
                out[name] = (pct(lat, 0.5), pct(lat, 0.99), len(lat), errors)
        finally:
            proc.terminate()
            proc.wait(30)
    return out


def measure(engine: Engine, url: str, args: argparse.Namespace) -> None:
    upgrade(engine)
    t = time.perf_counter()
    counts = build(engine, args.scale, args.units)
    built = time.perf_counter() - t
    print(f"== scale {args.scale:g}: loaded by COPY in {built:.1f} s (indexes and VACUUM ANALYZE included)")
    print("   " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))

    raw_s = raw_tick_read(engine)
    calendar, policy = WorkCalendar.default(), load_policy("13710")
    t, cpu = time.perf_counter(), time.process_time()
    with session_scope(engine) as s:  # the commit is part of the tick
        r = tick(session=s, calendar=calendar, policy=policy, now=NOW)
    tick_s, tick_cpu = time.perf_counter() - t, time.process_time() - cpu
    t = time.perf_counter()
    with session_scope(engine) as s:
        again = tick(session=s, calendar=calendar, policy=policy, now=NOW)
    again_s = time.perf_counter() - t
    print(f"full tick      {tick_s:8.2f} s  evaluated {r.evaluated:,}, new actions {r.new_actions:,}, light "
          f"changes {r.light_changes:,}  {'OK' if tick_s < TARGET_TICK_S else 'OVER'} (target < {TARGET_TICK_S:g} s)")  # fmt: skip
    print(f"  (CPU of this process {tick_cpu:.2f} s; the same tick again, nothing to do: {again_s:.2f} s, "
          f"{again.new_actions} new actions)")  # fmt: skip
    print(f"  raw read     {raw_s:8.2f} s  open duties' clock columns + their progress times;  ratio "
          f"{tick_s / raw_s:.1f}×")  # fmt: skip

    raw_rates = raw_read(
        engine, f"SELECT owner_unit_id, count(*) FROM cases WHERE month = '{MONTH}' GROUP BY owner_unit_id"
    )
    with session_scope(engine) as s:
        t = time.perf_counter()
        rows = unit_rates(session=s, as_of=NOW.date(), month=MONTH)
        ranked = rankings(session=s, month=MONTH, as_of=NOW.date())
        rates_s = time.perf_counter() - t
    print(f"rates {MONTH}  {rates_s:8.2f} s  unit_rates + rankings: {len(rows):,} unit rows, {len(ranked):,} "
          f"rankings  {'OK' if rates_s < TARGET_RATES_S else 'OVER'} (target < {TARGET_RATES_S:g} s)")  # fmt: skip
    print(f"  raw GROUP BY {raw_rates:8.2f} s  count(*) of the month's cases by unit;  ratio "
          f"{rates_s / raw_rates:.1f}×")  # fmt: skip

    raw_board = raw_read(engine, "SELECT status, light, count(*) FROM duties GROUP BY status, light")
    for label, gov in (("province (省)", 1), ("city (市)", 2), ("county (县)", 13)):
        with session_scope(engine) as s:
            t = time.perf_counter()
            scope = frozenset(subtree_ids(session=s, government_id=gov))
            board_view(session=s, now=NOW, filters=BoardFilter(governments=scope))
            took = time.perf_counter() - t
        print(f"board computed {took:8.2f} s  uncached, {label} subtree ({len(scope)} governments);  raw "
              f"GROUP BY status, light {raw_board:.2f} s, ratio {took / raw_board:.1f}×")  # fmt: skip

    tokens = accounts(engine)
    load1 = os.getloadavg()[0]
    res = board_p99(url, tokens, args.clients, args.seconds)
    print(f"board, duban serve --workers 2, {args.clients} clients, {args.seconds:g} s each "
          f"(load average {load1:.1f} before):")  # fmt: skip
    ref = res["reference GET /healthz"][1]
    for name, (p50, p99, n, errors) in res.items():
        verdict = "" if name.startswith("reference") else (
            f"  {p99 / ref:.1f}× ref  {'OK' if p99 < TARGET_P99_MS else 'OVER'} (target < {TARGET_P99_MS:g} ms)")  # fmt: skip
        print(f"  {name:40} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  {n:6d} requests  {errors} errors{verdict}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="times a province's counts (0.01: smoke)")
    ap.add_argument("--units", type=int, default=30, help="units per government")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=10.0, help="seconds of load per board run")
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--keep", action="store_true", help="keep the schema (its name is printed)")
    args = ap.parse_args()
    url = (
        args.database_url
        or os.environ.get("DUBAN_BENCH_POSTGRES_URL")
        or os.environ.get("DUBAN_TEST_POSTGRES_URL")
    )
    if not url or not url.startswith("postgresql"):
        print("(scale bench skipped: it needs PostgreSQL, --database-url or DUBAN_TEST_POSTGRES_URL)")
        return 0
    schema = f"scale_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        scoped_url = scoped.render_as_string(hide_password=False)
        engine = make_engine(Settings(database_url=scoped_url))
        measure(engine, scoped_url, args)
        engine.dispose()
    finally:
        if args.keep:
            print(f"schema kept: {schema}")
        else:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
