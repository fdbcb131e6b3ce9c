"""Benchmark the console under load: 10,000 duties, 50 concurrent clients, a bounded run per endpoint.

Builds a temporary SQLite ledger (units and a 10,000-task plan through the ledger's service; the
assignments and duties in bulk, then one ``tick`` so every duty has a light; 500 citizens' cases
through the case hub's intake), starts the real server the way a city runs it — ``duban serve
--workers N`` in a child process on a free loopback port — and drives it with 50 concurrent
keep-alive connections (a minimal asyncio HTTP/1.1 client, and ``wrk`` if installed) for
``--seconds`` per endpoint: ``GET /healthz`` (a trivial FastAPI endpoint of the same app: the
reference), then every console GET route with a line each (pages and API reads: the board, the
duty list, a random duty among 500's details, page, progress, pace, events and evidence, items,
plans, units, the event log, the case hub's list, case, hot spots and rates, the review; not the
file downloads), asked with an API token, and the duty page and the cases page asked with a
browser's session asking for gzip as browsers do (its check is kept until the database's change signal moves); then
the board page again while a unit officer reports progress (every write makes the cached boards
stale, so the board is recomputed under load). Before a route's run every one of its paths is
asked once (the steady state of a working day: the pages have been opened before; the cost of a
first ask is the in-process column). Prints p50/p99 latency and requests per second, the ratios
to the reference (target: every console route's p99 ≤ 1.5× the reference's), and for each route
the SQL statements and CPU per request measured through the app in this process, asked for the
first time (every cache forgotten) and asked again (SQLAlchemy's ``before_cursor_execute``). The
tokens are issued on the wall clock the server runs on (API tokens expire). Target: board page
p99 < 100 ms at 50 clients. ``--only TEXT`` runs the routes whose line holds TEXT; ``--repeat N`` measures
the board under writes N times, each against a run of the reference just before it (a p99 varies
from run to run), and prints the ratios and their median; ``--paired`` runs the reference again
after every route and sets the route's p99 against that run's.

Figures: docs/web.md ("Speed").

usage: python bench/serve.py [--duties N] [--clients N] [--seconds S] [--workers 1,2] [--only TEXT] [--repeat N] [--paired]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from itsdangerous import URLSafeSerializer
from sqlalchemy import insert, select

from duban.accounts.service import create_api_token, create_user, start_session
from duban.cases.intake import intake_many
from duban.cases.schemas import CaseCreate
from duban.clock.calendar import WorkCalendar
from duban.clock.policy import load_policy
from duban.config import Settings
from duban.db import make_engine, session_scope, upgrade
from duban.ledger import service
from duban.ledger.models import AssignmentRow, DutyRow, ItemRow
from duban.ledger.tick import tick
from duban.reading.model import Plan, Section, Task
from duban.units.models import UnitRow
from duban.units.service import DEFAULT_UNITS, load_units

NOW = datetime(2023, 9, 15, 2, 0, tzinfo=UTC)  # 10:00 Beijing time
STATUSES = ["assigned", "deployed", "in_progress", "in_progress", "closure_requested", "returned", "closed"]


def synthetic_plan(n: int) -> Plan:
    sections = [
        Section(
            id="2", level=1, number="二", title="2023年工作安排", part_kind="plan", start=0, end=n, line=1
        )
    ]
    sections += [
        Section(id=f"2.{k}", level=2, number=f"({k})", title=f"第{k}板块重点任务", part_kind="plan", start=0,
                end=n, line=1, parent="2")
        for k in range(1, 11)
    ]  # fmt: skip
    tasks = [
        Task(id=f"t{i}", section=f"2.{i % 10 + 1}", text=f"推进第{i}项重点工作，年内完成建设任务", action="推进",
             object="重点工作", start=i, end=i + 1, line=i + 2)
        for i in range(n)
    ]  # fmt: skip
    return Plan(doc="基准市-2023", title="基准市2023年政府工作报告", year=2023, place="基准市", source="bench",
                checksum=f"bench-{n}", source_format="txt", encoding="utf-8", text="", sections=sections,
                tasks=tasks)  # fmt: skip


def bench_cases(n: int) -> list[CaseCreate]:
    """``n`` citizens' cases over the last three weeks (the cases list, hot spots and rates)."""
    rng = random.Random(11)
    places, words = (
        ["和平路", "新建南路", "御河东路", "魏都大道", "开源街"],
        ["路灯不亮", "井盖缺失", "噪音扰民", "垃圾未清运"],
    )
    return [
        CaseCreate(channel="hotline_web", case_type="投诉", content=f"{p}{rng.randint(1, 300)}号附近{w}（第{i}件）",
                   address=f"{p}{rng.randint(1, 300)}号", source="bench", external_id=f"S{i}",
                   received_at=NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 20)))
        for i in range(n)
        for p, w in [(rng.choice(places), rng.choice(words))]
    ]  # fmt: skip


def build(db: Path, n: int) -> tuple[str, str, list[int], str]:
    """Fill the database; returns an office and a unit officer's bearer tokens, that unit's duties
    and the office's browser session (``cookie:`` and the signed cookie)."""
    rng = random.Random(7)
    engine = make_engine(Settings(database_url=f"sqlite:///{db}"))
    upgrade(engine)
    t0 = datetime(2023, 1, 3, 2, 0, tzinfo=UTC)
    with session_scope(engine) as s:
        load_units(session=s, path=DEFAULT_UNITS, actor="bench", now=t0)
        plan, _ = service.load_plan(session=s, plan=synthetic_plan(n), actor="bench", now=t0)
        units = list(s.scalars(select(UnitRow.id)))
        items = list(s.scalars(select(ItemRow.id).where(ItemRow.plan_id == plan.id).order_by(ItemRow.id)))
        assignments, duties = [], []
        for k, item_id in enumerate(items):
            assigned = t0 + timedelta(days=rng.randint(0, 60))
            status = rng.choice(STATUSES)
            feedback = assigned + timedelta(days=rng.randint(1, 30)) if status != "assigned" else None
            closed = (
                feedback + timedelta(days=rng.randint(10, 120)) if status == "closed" and feedback else None
            )
            assignments.append({"item_id": item_id, "lead_unit_id": units[k % len(units)], "assigned_at": assigned,
                                "assigned_by": "bench"})  # fmt: skip
            duties.append({"item_id": item_id, "status": status, "major": k % 20 == 0,
                           "due": date(2023, rng.randint(3, 12), 28), "assigned_at": assigned,
                           "deployed_at": feedback, "first_feedback_at": feedback, "last_feedback_at": feedback,
                           "closure_requested_at": closed or (feedback if status == "closure_requested" else None),
                           "closed_at": closed, "overdue_workdays": 0})  # fmt: skip
        s.execute(insert(AssignmentRow), assignments)
        s.execute(insert(DutyRow), duties)
        tick(session=s, calendar=WorkCalendar.default(), policy=load_policy("13710"), now=NOW)
        account = create_user(session=s, name="基准督查室", role="office", password="bench-password", now=NOW)
        token = create_api_token(
            session=s, account=account, now=datetime.now(UTC), label="bench"
        )  # the server runs on the wall clock
        first_unit = s.scalar(select(UnitRow.name).where(UnitRow.id == units[0]))
        officer = create_user(
            session=s, name="基准责任单位", role="unit", unit=first_unit, password="bench-password", now=NOW
        )
        unit_token = create_api_token(session=s, account=officer, now=datetime.now(UTC), label="bench")
        browser, _csrf = start_session(session=s, account=account, now=datetime.now(UTC))
        intake_many(session=s, cases=bench_cases(max(50, n // 20)), actor="bench", now=NOW,
                    calendar=WorkCalendar.default(), policy=load_policy("hotline"))  # fmt: skip
        own = list(
            s.scalars(
                select(DutyRow.id)
                .join(AssignmentRow, AssignmentRow.item_id == DutyRow.item_id)
                .where(
                    AssignmentRow.lead_unit_id == units[0], DutyRow.status.in_(["deployed", "in_progress"])
                )
            )
        )
    engine.dispose()
    cookie = URLSafeSerializer("bench-secret", salt="duban-session").dumps(browser)
    return token, unit_token, own, f"cookie:{cookie}"


def start_server(db: Path, port: int, workers: int, tmp: Path) -> subprocess.Popen[bytes]:
    """``duban serve --workers N`` as a city would run it (real CLI, real uvicorn, real workers)."""
    env = {**os.environ, "DUBAN_SECRET_KEY": "bench-secret", "DUBAN_UPLOAD_DIR": str(tmp / "uploads")}
    cmd = [sys.executable, "-c", "from duban.cli import main; main()", "serve", "--port", str(port),
           "--workers", str(workers), "--database-url", f"sqlite:///{db}"]  # fmt: skip
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def writer(port: int, token: str, duty_ids: list[int], per_second: float, seconds: float) -> int:
    """A unit officer reporting progress ``per_second`` times a second; returns the writes made."""
    reader, w = await asyncio.open_connection("127.0.0.1", port)
    stop = time.perf_counter() + seconds
    made = 0
    rng = random.Random(5)
    try:
        while time.perf_counter() < stop:
            body = b'{"text": "bench progress", "share": 50}'
            w.write(
                (f"POST /api/duties/{rng.choice(duty_ids)}/progress HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(body)}\r\n\r\n").encode() + body
            )  # fmt: skip
            await w.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                (int(line[15:]) for line in head.split(b"\r\n") if line[:15].lower() == b"content-length:"), 0
            )
            await reader.readexactly(length)
            made += head[9:12] == b"201"
            await asyncio.sleep(1 / per_second)
    finally:
        w.close()
    return made


async def load_while_writing(
    port: int, token: str, unit_token: str, duty_ids: list[int], clients: int, seconds: float
) -> tuple[list[float], int, int]:
    (lat, errors), made = await asyncio.gather(
        load(port, token, ["/board"], clients, seconds), writer(port, unit_token, duty_ids, 2.0, seconds)
    )
    return lat, errors, made


def console_routes(duties: int) -> list[tuple[str, list[str]]]:
    """Every console GET route (pages and API reads; not the file downloads), the reference first."""
    rng = random.Random(3)

    def some(pattern: str, top: int) -> list[str]:
        return [pattern.format(i) for i in rng.sample(range(1, top + 1), min(500, top))]

    cases = max(50, duties // 20)
    return [
        ("reference GET /healthz", ["/healthz"]),
        ("board page GET /board", ["/board"]),
        ("board API GET /api/board", ["/api/board"]),
        ("duty list API GET /api/duties", ["/api/duties"]),
        ("duty API GET /api/duties/{id}", some("/api/duties/{}", duties)),
        ("duty page GET /duties/{id}", some("/duties/{}", duties)),
        ("progress API …/{id}/progress", some("/api/duties/{}/progress", duties)),
        ("pace API …/{id}/pace", some("/api/duties/{}/pace", duties)),
        ("events API …/{id}/events", some("/api/duties/{}/events", duties)),
        ("evidence API …/{id}/evidence", some("/api/duties/{}/evidence", duties)),
        ("item API GET /api/items/{id}", some("/api/items/{}", duties)),
        ("plans page GET /plans", ["/plans"]),
        ("plans API GET /api/plans", ["/api/plans"]),
        ("units API GET /api/units", ["/api/units"]),
        ("me API GET /api/me", ["/api/me"]),
        ("event log API GET /api/events", ["/api/events"]),
        ("cases page GET /cases", ["/cases"]),
        ("cases API GET /api/cases", ["/api/cases"]),
        ("case page GET /cases/{id}", some("/cases/{}", cases)),
        ("case API GET /api/cases/{id}", some("/api/cases/{}", cases)),
        ("hot spots page GET /cases/hot", ["/cases/hot"]),
        ("rates page GET /cases/rates", ["/cases/rates"]),
        ("review page GET /review", ["/review"]),
        (BROWSER + "duty page", some("/duties/{}", duties)),
        (BROWSER + "cases page", ["/cases"]),
    ]


BROWSER = "browser session: "
"""Routes asked with the office's browser session (its check reads the data's version too)."""


async def in_process(
    db: Path, token: str, browser: str, runs: list[tuple[str, list[str]]], tmp: Path, n: int = 30
) -> dict[str, tuple[float, float, float, float]]:
    """(SQL statements, CPU ms) per request of each route, through the app in this process: asked
    for the first time (every cache of the console forgotten before each request) and asked again
    (the same requests at once after); SQLAlchemy's ``before_cursor_execute`` counts the statements."""
    from sqlalchemy import event

    from duban.web.app import create_app
    from duban.web.shared_answers import SharedAnswers

    settings = Settings(database_url=f"sqlite:///{db}", secret_key="bench-secret", upload_dir=tmp / "uploads")
    app = create_app(settings)
    st = app.state.console
    st.shared = SharedAnswers(None)  # a first ask computes: no other worker's answer to read
    seen = [0]
    event.listen(st.engine, "before_cursor_execute", lambda *_: seen.__setitem__(0, seen[0] + 1))
    out: dict[str, tuple[float, float, float, float]] = {}
    transport = httpx.ASGITransport(app=app)
    bearer, cookie = {"Authorization": f"Bearer {token}"}, {"Cookie": f"duban_session={browser[7:]}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        await client.get("/api/me", headers=bearer)  # the token's lookup, cached
        for name, paths in runs:
            headers = cookie if name.startswith(BROWSER) else bearer
            for path in paths[:3]:  # warm: templates compiled, statements cached
                r = await client.get(path, headers=headers)
                if r.status_code != 200:
                    print(f"  {path}: {r.status_code} {r.text[:120]}", file=sys.stderr)
            chosen = [paths[k % len(paths)] for k in range(3, 3 + n)]
            first, again = [0.0, 0.0], [0.0, 0.0]
            for path in chosen:
                for cache in (st.read_cache, st.board_cache, st.duty_cache):
                    cache.bump()
                for sums in (first, again):
                    seen[0], cpu = 0, time.process_time()
                    await client.get(path, headers=headers)
                    sums[0] += seen[0]
                    sums[1] += time.process_time() - cpu
            out[name] = (first[0] / n, first[1] / n * 1000, again[0] / n, again[1] / n * 1000)
    st.dispose()
    return out


async def touch(port: int, token: str, paths: list[str], clients: int = 8, passes: int = 1) -> None:
    """Ask for every path ``passes`` times on new connections (the steady state: each page has been
    opened before; every worker keeps its own cache, and a connection lands on any of them)."""
    for _ in range(passes - 1):
        await touch(port, token, paths, clients)
    queue = list(paths)

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while queue:
                path = queue.pop()
                await _get(reader, writer, get_request(port, path, token))
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(clients)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_request(port: int, path: str, token: str) -> bytes:
    """A GET of ``path`` with a bearer token, or with a browser's signed session cookie
    (``cookie:``…) and asking for gzip, as a browser does."""
    if token.startswith("cookie:"):
        headers = f"Cookie: duban_session={token[7:]}\r\nAccept-Encoding: gzip, deflate"
    else:
        headers = f"Authorization: Bearer {token}"
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}\r\n\r\n".encode()


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """One GET on a kept-alive connection; returns the status (the body is read and dropped)."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return status


async def load(
    port: int, token: str, paths: list[str], clients: int, seconds: float
) -> tuple[list[float], int]:
    """``clients`` concurrent keep-alive connections requesting random ``paths`` for ``seconds``.

    A minimal HTTP/1.1 client (asyncio streams), so that the load generator spends little of the
    machine's CPU that the server also needs; returns (latencies, errors).
    """
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    rng = random.Random(1)

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < stop:
                t = time.perf_counter()
                try:
                    status = await _get(reader, writer, get_request(port, rng.choice(paths), token))
                except (OSError, asyncio.IncompleteReadError):
                    errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    continue
                latencies.append(time.perf_counter() - t)
                if status != 200:
                    errors += 1
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, errors


def wrk(port: int, token: str, path: str, clients: int, seconds: float) -> tuple[float, float, float] | None:
    """The same load from ``wrk`` (a C client that leaves the server more of the 2 cores), if installed.

    Returns (req/s, p50 ms, p99 ms), or None when wrk is not on the machine.
    """
    exe = shutil.which("wrk")
    if exe is None:
        return None
    url = f"http://127.0.0.1:{port}{path}"
    base = [exe, "-t1", f"-c{clients}", "-H", f"Authorization: Bearer {token}", "--latency"]
    subprocess.run([*base, "-d1s", url], capture_output=True, check=False)  # warm-up
    out = subprocess.run(
        [*base, f"-d{max(1, int(seconds))}s", url], capture_output=True, text=True, check=False
    ).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, flags=re.M)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return (float(rps.group(1)) if rps else float("nan"), ms("50%"), ms("99%"))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duties", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--workers", default="1,2", help="worker counts to measure, comma-separated")
    ap.add_argument("--only", default="", help="only the routes whose line contains this (and the reference)")
    ap.add_argument(
        "--repeat", type=int, default=1, help="runs of the board page while a unit officer writes"
    )
    ap.add_argument("--paired", action="store_true", help="a run of the reference after every route's")
    args = ap.parse_args()
    counts = [int(w) for w in args.workers.split(",") if w.strip()]
    per_request: dict[str, tuple[float, float, float, float]] = {}
    verdicts: list[str] = []
    with tempfile.TemporaryDirectory(prefix="duban-bench-") as tmp:
        db = Path(tmp) / "bench.sqlite3"
        t = time.perf_counter()
        token, unit_token, own, browser = build(db, args.duties)
        print(f"built {args.duties} duties in {time.perf_counter() - t:.1f} s")
        routes = [r for r in console_routes(args.duties) if r[0].startswith("reference") or args.only in r[0]]
        per_request = asyncio.run(in_process(db, token, browser, routes, Path(tmp)))
        for workers in counts:
            port = free_port()
            proc = start_server(db, port, workers, Path(tmp))
            base = f"http://127.0.0.1:{port}"
            try:
                deadline = time.monotonic() + 60
                while True:
                    try:
                        if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    if time.monotonic() > deadline or proc.poll() is not None:
                        print("server did not start", file=sys.stderr)
                        return 1
                    time.sleep(0.2)
                runs = routes
                results: dict[str, tuple[float, float, float]] = {}
                load1 = os.getloadavg()[0]
                print(f"\n== {workers} worker(s): {args.clients} clients, {args.seconds:g} s per endpoint,"
                      f" {args.duties} duties; {os.cpu_count()} cores, load average {load1:.1f} before the run")  # fmt: skip
                print(
                    f"{'endpoint':38} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
                )
                next_to: dict[str, float] = {}  # --paired: each route's own reference p99

                def reference_p99(port: int = port) -> float:
                    """A run of the reference now (after a warm-up), printed; its p99."""
                    asyncio.run(load(port, token, ["/healthz"], args.clients, 1.0))
                    ref_lat, _errors = asyncio.run(
                        load(port, token, ["/healthz"], args.clients, args.seconds)
                    )
                    print(f"{'  reference GET /healthz again':38} {len(ref_lat):9d}"
                          f" {len(ref_lat) / args.seconds:8.0f} {pct(ref_lat, 0.5):8.1f} {pct(ref_lat, 0.99):8.1f}")  # fmt: skip
                    return pct(ref_lat, 0.99)

                for name, paths in runs:
                    who = browser if name.startswith(BROWSER) else token
                    asyncio.run(touch(port, who, paths, passes=4 * workers))  # the steady state
                    asyncio.run(load(port, who, paths, args.clients, 1.0))  # warm-up
                    lat, errors = asyncio.run(load(port, who, paths, args.clients, args.seconds))
                    rps = len(lat) / args.seconds
                    results[name] = (rps, pct(lat, 0.5), pct(lat, 0.99))
                    print(
                        f"{name:38} {len(lat):9d} {rps:8.0f} {pct(lat, 0.5):8.1f} {pct(lat, 0.99):8.1f} {errors:7d}"
                    )
                    if args.paired and not name.startswith("reference"):
                        next_to[name] = reference_p99()
                # with --repeat, each run of the board under writes is set against a run of the
                # reference just before it (one reference's p99 alone varies by ±30 % from run to run)
                paired: list[float] = []
                for k in range(args.repeat if args.only in "board page, writes meanwhile" else 0):
                    ref_p99 = reference_p99() if k else results["reference GET /healthz"][2]
                    lat, errors, made = asyncio.run(
                        load_while_writing(port, token, unit_token, own, args.clients, args.seconds)
                    )
                    name = f"board page, {made} writes meanwhile" + (
                        f" (run {k + 1})" if args.repeat > 1 else ""
                    )
                    results[name] = (len(lat) / args.seconds, pct(lat, 0.5), pct(lat, 0.99))
                    paired.append(results[name][2] / ref_p99)
                    next_to[name] = ref_p99
                    r = results[name]
                    print(f"{name:38} {len(lat):9d} {r[0]:8.0f} {r[1]:8.1f} {r[2]:8.1f} {errors:7d}")
                ref = results["reference GET /healthz"]
                if len(paired) > 1:
                    ratios = sorted(paired)
                    print(f"board page while writing, p99 ÷ the reference run just before it, {len(ratios)} runs: "
                          f"{', '.join(f'{x:.2f}' for x in ratios)}× (median {ratios[len(ratios) // 2]:.2f}×)")  # fmt: skip
                print("ratios to the reference (req/s ÷ ref, p99 ÷ ref: with --paired each route's p99 ÷ the"
                      " reference run right after it; target p99 ≤ 1.5×), and in-process"
                      " SQL statements and CPU per request asked first (nothing cached) and asked again"
                      " (the reference's CPU includes the client's):")  # fmt: skip
                for name, (rps, _p50, p99) in results.items():
                    q1, cpu1, q2, cpu2 = per_request.get(name, (float("nan"),) * 4)
                    print(f"  {name:38} {rps / ref[0]:6.2f}× throughput  {p99 / next_to.get(name, ref[2]):6.2f}× p99"
                          f"  first {q1:5.1f} queries {cpu1:6.2f} ms CPU   again {q2:4.1f} queries"
                          f" {cpu2:5.2f} ms CPU")  # fmt: skip
                wrk_results = {
                    name: wrk(port, token, paths[0], args.clients, args.seconds) for name, paths in runs[:4]
                }
                if all(v is not None for v in wrk_results.values()):
                    print(f"the same with wrk ({args.clients} connections, a C client):")
                    for name, v in wrk_results.items():
                        assert v is not None
                        print(f"{name:38} {'':9} {v[0]:8.0f} {v[1]:8.1f} {v[2]:8.1f}")
                if "board page GET /board" in results:
                    board_p99 = results["board page GET /board"][2]
                    verdict = "met" if board_p99 < 100 else "NOT met"
                    verdicts.append(f"{workers} worker(s): {verdict} ({board_p99:.1f} ms, asyncio client)")
            finally:
                proc.terminate()
                proc.wait(20)
    print(f"\ntarget board page p99 < 100 ms at {args.clients} clients:")
    for verdict_line in verdicts:
        print("  " + verdict_line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
