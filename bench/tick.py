"""Benchmark the ledger's tick and board: 10,000 duties, 100,000 progress reports.

Prints the time of a full tick (the first one, which records actions and lights for everything),
of a repeated tick at the same moment (nothing to do), and of the board query, on SQLite and —
when DUBAN_BENCH_POSTGRES_URL or DUBAN_TEST_POSTGRES_URL is set — on PostgreSQL (in a throwaway
schema). As a reference it prints the raw row-read rate of the same database (SELECT * over
progress_reports) and the ratios. Target: a full tick under 2 s. Wall time and this process's CPU time are both printed (on a
shared machine the CPU time is the steadier figure; PostgreSQL's own work shows only in wall time).
The rows are written with bulk
inserts (not the service) so that building the data set does not dominate the run.

usage: python bench/tick.py [--duties N] [--reports N]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, insert, make_url, select, text
from sqlalchemy.orm import Session

from duban.clock.calendar import WorkCalendar
from duban.clock.evaluate import DutySnapshot, evaluate
from duban.clock.policy import load_policy
from duban.config import Settings
from duban.db import make_engine, session_scope, upgrade
from duban.ledger.models import ActionRow, AssignmentRow, DutyRow, ItemRow, PlanRow, ProgressRow
from duban.ledger.tick import board, duty_clock, tick
from duban.units.models import UnitRow

NOW = datetime(2023, 9, 15, 9, 0, tzinfo=UTC)
STATUSES = [
    "assigned",
    "deployed",
    "in_progress",
    "in_progress",
    "in_progress",
    "closure_requested",
    "returned",
    "closed",
]


def build(engine: Engine, duties: int, reports: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    t0 = datetime(2023, 1, 3, 2, 0, tzinfo=UTC)
    with session_scope(engine) as s:
        s.execute(insert(UnitRow), [{"id": i + 1, "name": f"单位{i + 1}", "kind": "部门"} for i in range(40)])
        s.execute(
            insert(PlanRow),
            [
                {
                    "id": 1,
                    "place": "基准市",
                    "level": "市",
                    "year": 2023,
                    "title": "基准",
                    "doc": "bench",
                    "source": "bench",
                    "checksum": "bench",
                    "loaded_at": t0,
                    "loaded_by": "bench",
                    "source_format": "",
                }
            ],
        )
        items, assigns, rows = [], [], []
        for i in range(1, duties + 1):
            assigned = t0 + timedelta(days=rng.randint(0, 180))
            due = (
                date(2023, 12, 31)
                if rng.random() < 0.5
                else (assigned + timedelta(days=rng.randint(5, 200))).date()
            )
            status = rng.choice(STATUSES)
            items.append(
                {
                    "id": i,
                    "plan_id": 1,
                    "ref": f"t{i}",
                    "kind": "task",
                    "text": f"基准任务{i}",
                    "quote": "",
                    "start": 0,
                    "end": 0,
                    "line": 1,
                    "headline": False,
                    "flags": [],
                    "counts": [],
                    "deadline": due,
                }
            )
            assigns.append(
                {
                    "id": i,
                    "item_id": i,
                    "lead_unit_id": 1 + i % 40,
                    "assigned_at": assigned,
                    "assigned_by": "bench",
                }
            )
            fb = (
                assigned + timedelta(days=rng.randint(1, 10))
                if status not in ("assigned", "deployed")
                else None
            )
            rows.append(
                {
                    "id": i,
                    "item_id": i,
                    "status": status,
                    "major": rng.random() < 0.1,
                    "due": due,
                    "assigned_at": assigned,
                    "overdue_workdays": 0,
                    "deployed_at": assigned + timedelta(days=1) if status != "assigned" else None,
                    "first_feedback_at": fb,
                    "last_feedback_at": fb,
                    "closure_requested_at": fb + timedelta(days=30)
                    if status in ("closure_requested", "closed") and fb
                    else None,
                    "closed_at": fb + timedelta(days=33) if status == "closed" and fb else None,
                }
            )
        s.execute(insert(ItemRow), items)
        s.execute(insert(AssignmentRow), assigns)
        s.execute(insert(DutyRow), rows)
        batch = []
        for k in range(reports):
            duty = rows[k % duties]
            batch.append(
                {
                    "duty_id": duty["id"],
                    "reported_at": duty["assigned_at"] + timedelta(days=rng.randint(1, 250)),
                    "text": "按计划推进",
                    "share": rng.randint(0, 100),
                    "actor": "bench",
                }
            )
            if len(batch) == 20000:
                s.execute(insert(ProgressRow), batch)
                batch = []
        if batch:
            s.execute(insert(ProgressRow), batch)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def _snapshots(s: Session) -> list[DutySnapshot]:
    """The clock snapshots tick builds, for timing the clock on its own."""
    open_ = DutyRow.status != "closed"
    done: dict[int, set[str]] = defaultdict(set)
    for duty_id, key in s.execute(select(ActionRow.duty_id, ActionRow.key)):
        done[duty_id].add(key)
    feedback: dict[int, list[datetime]] = defaultdict(list)
    for duty_id, at in s.execute(select(ProgressRow.duty_id, ProgressRow.reported_at)):
        feedback[duty_id].append(at)
    return [
        duty_clock(d, (), frozenset(done[d.id]), tuple(feedback[d.id]))
        for d in s.scalars(select(DutyRow).where(open_))
    ]


def measure(name: str, engine: Engine, duties: int, reports: int) -> dict[str, float]:
    upgrade(engine)
    t = time.perf_counter()
    build(engine, duties, reports)
    built = time.perf_counter() - t
    calendar, policy = WorkCalendar.default(), load_policy("13710")
    out: dict[str, float] = {"build": built}
    t, c = time.perf_counter(), time.process_time()
    with session_scope(engine) as s:  # the commit is part of the tick
        r = tick(session=s, calendar=calendar, policy=policy, now=NOW)
    out["tick"], out["tick_cpu"] = time.perf_counter() - t, time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    with session_scope(engine) as s:
        again = tick(session=s, calendar=calendar, policy=policy, now=NOW)
    out["tick_again"], out["tick_again_cpu"] = time.perf_counter() - t, time.process_time() - c
    with session_scope(engine) as s:
        t = time.perf_counter()
        b = board(session=s, now=NOW)
        out["board"] = time.perf_counter() - t
    with session_scope(engine) as s:
        clocks = _snapshots(s)
    t, c = time.perf_counter(), time.process_time()
    for clock in clocks:
        evaluate(clock, policy, calendar, NOW)
    out["clock"], out["clock_cpu"] = time.perf_counter() - t, time.process_time() - c
    with engine.connect() as conn:
        t = time.perf_counter()
        n = len(conn.exec_driver_sql("SELECT * FROM progress_reports").fetchall())
        out["raw_read"] = time.perf_counter() - t
    rate = n / out["raw_read"]
    print(f"\n== {name}: {duties:,} duties, {reports:,} progress reports (built in {built:.1f} s)")
    print(
        f"full tick        {out['tick']:7.3f} s  (CPU of this process {out['tick_cpu']:.3f} s)  "
        f"evaluated {r.evaluated:,}, new actions {r.new_actions:,}, light changes {r.light_changes:,}  "
        f"{'OK' if out['tick'] < 2 else 'OVER'} (target < 2 s)"
    )
    print(
        f"tick again       {out['tick_again']:7.3f} s  (CPU {out['tick_again_cpu']:.3f} s)  "
        f"new actions {again.new_actions}, light changes {again.light_changes}"
    )
    print(
        f"clock alone      {out['clock']:7.3f} s  (CPU {out['clock_cpu']:.3f} s)  evaluate() over the same snapshots"
    )
    print(f"board            {out['board']:7.3f} s  {len(b.units)} units, {len(b.overdue):,} overdue")
    print(f"raw SELECT *     {out['raw_read']:7.3f} s  {rate:,.0f} rows/s over progress_reports")
    print(
        f"ratios           tick/raw-read {out['tick'] / out['raw_read']:.1f}×, "
        f"board/raw-read {out['board'] / out['raw_read']:.2f}×, "
        f"tick time per duty {1e6 * out['tick'] / duties:.0f} µs"
    )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duties", type=int, default=10_000)
    ap.add_argument("--reports", type=int, default=100_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(Settings(database_url=f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"))
        measure("SQLite", engine, args.duties, args.reports)
        engine.dispose()
    url = os.environ.get("DUBAN_BENCH_POSTGRES_URL") or os.environ.get("DUBAN_TEST_POSTGRES_URL")
    if not url:
        print("\n(PostgreSQL skipped: set DUBAN_BENCH_POSTGRES_URL)")
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        engine = make_engine(Settings(database_url=scoped.render_as_string(hide_password=False)))
        measure("PostgreSQL", engine, args.duties, args.reports)
        engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
