"""``duban demo``: the main job on the built-in default — what ``make demo`` runs.

Reads the sample report the project wrote itself (示例市2023年政府工作报告), loads it into a
fresh SQLite ledger, routes it to units, plays the sample year on the working-day clock
(progress, 催办, 通报, closures), shows the board, reviews the year's targets against the next
year's sample report (示例市2024年政府工作报告), and serves the console with demo accounts.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from duban.config import Settings
    from duban.reading.model import Plan

SAMPLE_NAME = "示例市2023年政府工作报告.txt"
NEXT_NAME = "示例市2024年政府工作报告.txt"  # the next year's report: it gives 2023's results
DEFAULT_DB = Path("var") / "demo.sqlite3"
DEMO_ACCOUNTS = (
    ("督查室", "office", None),
    ("市长", "leader", None),
    ("话务员", "operator", None),
    ("能源局", "unit", "市能源局"),
    ("农业农村局", "unit", "市农业农村局"),
    ("住建局", "unit", "市住房和城乡建设局"),
)


def _sample_path(name: str = SAMPLE_NAME) -> Path:
    from importlib import resources

    return Path(str(resources.files("duban.samples").joinpath(name)))


@click.command("demo")
@click.option("--database-url", default=None, help="数据库 URL（默认 var/demo.sqlite3，每次重建）")
@click.option("--serve/--no-serve", default=True, show_default=True, help="结束后启动网页控制台。")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="网页控制台端口")
@click.option("--until", "until", default="2023-12-29", show_default=True, help="模拟到哪一天（含）。")
def demo_command(database_url: str | None, serve: bool, port: int, until: str) -> None:
    """演示：读取示例报告 → 建台账 → 自动交办 → 按工作日推演全年 → 督办看板 → 网页控制台。"""
    from duban import read_report
    from duban.cli.read import _write
    from duban.clock.calendar import SHANGHAI, WorkCalendar
    from duban.clock.policy import load_policy
    from duban.config import Settings
    from duban.db import make_engine, session_scope, upgrade
    from duban.ledger import service
    from duban.ledger.demo import simulate_year
    from duban.ledger.tick import board

    console = Console()
    try:
        end = date.fromisoformat(until)
    except ValueError as exc:
        raise click.BadParameter(f"不是日期：{until}（格式 2023-12-29）", param_hint="--until") from exc

    if database_url is None:
        DEFAULT_DB.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DEFAULT_DB}{suffix}").unlink(missing_ok=True)
        database_url = f"sqlite:///{DEFAULT_DB.resolve()}"
    settings = Settings.from_env(database_url=database_url)

    console.rule("1. 读取示例报告")
    plan = read_report(_sample_path())
    _write([plan], "table", None)

    console.rule("2. 建台账、自动交办、按工作日推演")
    engine = make_engine(settings)
    upgrade(engine)
    calendar = WorkCalendar.load(settings.holiday_file, stored=settings.calendar_dir)
    policy = load_policy(settings.policy)
    assigned_at = datetime.combine(date(plan.year or 2023, 1, 16), time(9, 0), SHANGHAI).astimezone(UTC)
    with session_scope(engine) as session:
        row, _created = service.load_plan(session=session, plan=plan, actor="demo", now=assigned_at)
        summary = simulate_year(
            session=session,
            plan_id=row.id,
            calendar=calendar,
            policy=policy,
            start=assigned_at.date(),
            end=end,
        )
    console.print(
        f"工作日 {summary.working_days} 天；任务 {summary.duties} 项（{summary.needs_person} 项需人工交办）；"
        f"进展报告 {summary.progress_reports} 条；申请办结 {summary.closure_requests} 次，退回 {summary.returned} 次，"
        f"销号 {summary.closed} 项，未办结 {summary.still_open} 项"
    )
    console.print("催办/通报：" + "，".join(f"{k} {v}" for k, v in sorted(summary.actions.items())))
    console.print("评级：" + "，".join(f"{k} {v}" for k, v in sorted(summary.grades.items())))

    console.rule(f"3. 督办看板（{end.isoformat()}）")
    at = datetime.combine(end, time(18, 0), SHANGHAI).astimezone(UTC)
    with session_scope(engine) as session:
        b = board(session=session, now=at)
        from rich.table import Table

        table = Table(title="各单位红黄绿灯")
        for col in ("单位", "绿", "黄", "红", "已办结", "合计"):
            table.add_column(col)
        for unit in sorted(b.units, key=lambda u: (-u.red, -u.yellow, u.unit))[:15]:
            table.add_row(
                unit.unit, str(unit.green), str(unit.yellow), str(unit.red), str(unit.grey), str(unit.total)
            )
        console.print(table)
        console.print(f"逾期 {len(b.overdue)} 项（13710 的“0”：未办结事项全部在案）")

    console.rule("4. 热线工单：样例来件走完受理、派单、办结、回访")
    from duban.cli.demo_hotline import play_hotline

    hotline = play_hotline(engine=engine, calendar=calendar, until=end)
    labels = {"followed": "已回访", "reopened": "回访不满意重办", "settled": "已办结待回访",
              "in_progress": "办理中", "returned": "被退回待改派", "open": "待派单"}  # fmt: skip
    console.print(
        f"工单 {hotline.cases} 件：" + "，".join(f"{labels[k]} {v}" for k, v in hotline.by_outcome.items())
    )

    console.rule("5. 防返贫监测：样例 8 户的识别、帮扶、走访和风险消除")
    from duban.monitoring.board import build_board
    from duban.monitoring.rules import STATUS_LABELS
    from duban.monitoring.sample import play_sample

    with session_scope(engine) as session:
        statuses = play_sample(session=session, calendar=calendar, until=end)
        watch = build_board(session=session, now=at)
    console.print(
        "监测户 "
        + "，".join(f"{STATUS_LABELS[k]} {v}" for k, v in sorted(statuses.items()))
        + f"；超期措施 {watch.total.overdue_measures} 项，超期未走访 {watch.total.overdue_visits} 户"
    )

    console.rule("6. 复盘：2024年报告对照2023年目标")
    _review(plan, engine, console)
    engine.dispose()

    if not serve:
        return
    console.rule(f"7. 网页控制台（业务日期 {end.isoformat()}）")
    _serve(console_settings(settings, end), port, console)


def console_settings(settings: Settings, end: date) -> Settings:
    """The demo console's settings: its clock at the last day played (the business date), so the
    board, the duty pages and 运行督办时钟 see the year as the demo left it."""
    return settings.with_(business_date=end)


def _review(plan: Plan, engine: Engine, console: Console) -> None:
    """Review the sample's targets against the next year's sample report and store the review."""
    from collections import Counter

    from duban import read_report
    from duban.db import session_scope
    from duban.review import promises
    from duban.review.model import VERDICT_LABELS
    from duban.review.store import save_review

    reviewed = promises(plan, read_report(_sample_path(NEXT_NAME)))
    when = datetime.combine(date((plan.year or 2023) + 1, 1, 15), time(9, 0), UTC)
    with session_scope(engine) as session:
        save_review(
            session=session, promises=reviewed, source=f"{SAMPLE_NAME} → {NEXT_NAME}", actor="demo", now=when
        )
    counts: Counter[str] = Counter(p.verdict for p in reviewed)
    heads = [p for p in reviewed if p.headline]
    console.print(
        f"目标 {len(reviewed)} 项（主要指标 {len(heads)} 项）："
        + "，".join(f"{label} {counts.get(v, 0)}" for v, label in VERDICT_LABELS.items())
    )
    for p in heads[:6]:
        got = p.actual.quote if p.actual else "—"
        console.print(f"  {VERDICT_LABELS[p.verdict]}  {p.target.quote} → {got}", soft_wrap=True)
    console.print("公开页 /public 显示各项目标的兑现情况，/review 显示各地实现比例。")


def _serve(settings: Settings, port: int, console: Console) -> None:
    import uvicorn

    from duban.accounts.service import create_user
    from duban.db import make_engine, session_scope
    from duban.web import create_app

    engine = make_engine(settings)
    password = secrets.token_urlsafe(9)
    with session_scope(engine) as session:
        for name, role, unit in DEMO_ACCOUNTS:
            create_user(
                session=session, name=name, role=role, unit=unit, password=password, now=datetime.now(UTC)
            )
    engine.dispose()
    console.print(f"打开 http://127.0.0.1:{port}/  （按 Ctrl+C 结束）")
    console.print(f"演示账号（密码均为 [bold]{password}[/bold]）：")
    for name, role, unit in DEMO_ACCOUNTS:
        console.print(f"  {name:<8} {role:<7} {unit or ''}")
    uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="warning")


def register(main: click.Group) -> None:
    """Add ``duban demo`` to the root group."""
    main.add_command(demo_command)
