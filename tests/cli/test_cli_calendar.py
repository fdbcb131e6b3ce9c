"""The clock that does not stop, as a user runs it: a tick at 2026-12-28 on a 2026 plan says 2027
is 暂定, ``duban calendar load`` shows then stores the 2027 notice (an event, 暂定 → 正式), and one
duty that cannot be evaluated is named while every other duty is still ticked."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select, update

from duban.audit.models import EventRow
from duban.cli import main
from duban.config import Settings
from duban.db import make_engine, session_scope, upgrade
from duban.ledger import service
from duban.ledger.models import DutyRow
from tests.ledger.ledger_factories import load

NOTICE_2027 = Path(__file__).resolve().parents[1] / "clock" / "notices" / "2027-invented.txt"
ASSIGNED = datetime(2026, 12, 21, 1, 0, tzinfo=UTC)  # 09:00 Beijing, Monday 21 December 2026


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A database holding a 2026 plan whose tasks were all assigned on 2026-12-21; its own calendar folder."""
    monkeypatch.setenv("DUBAN_CALENDAR_DIR", str(tmp_path / "calendar"))
    monkeypatch.delenv("DUBAN_HOLIDAY_FILE", raising=False)
    database_url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    engine = make_engine(Settings(database_url=database_url))
    upgrade(engine)
    assert run(database_url, "units", "load").exit_code == 0
    with session_scope(engine) as s:
        plan = load(s, now=ASSIGNED, year=2026)
        for item in plan.items:
            if item.kind == "task":
                service.assign(session=s, item_id=item.id, unit="市能源局", actor="督查室", now=ASSIGNED)
    engine.dispose()
    return database_url


def run(database_url: str, *args: str) -> Result:
    result = CliRunner().invoke(main, [*args, "--database-url", database_url])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def _duties(database_url: str) -> list[DutyRow]:
    engine = make_engine(Settings(database_url=database_url))
    with session_scope(engine) as s:
        rows = list(s.scalars(select(DutyRow).order_by(DutyRow.id)))
        s.expunge_all()
    engine.dispose()
    return rows


def test_a_tick_into_2027_runs_and_says_2027_is_provisional_until_the_notice_is_loaded(url: str) -> None:
    r = run(url, "tick", "--at", "2026-12-28")
    duties = _duties(url)
    assert r.exit_code == 0, r.output
    assert f"评估 {len(duties)} 项" in r.output and "（含暂定日历：2027年）" in r.output
    assert all(d.light in {"green", "yellow", "red"} for d in duties)

    shown = CliRunner().invoke(main, ["calendar", "show", "2027"])
    assert shown.exit_code == 0 and "暂定" in shown.output and "春节：2027-02-05" in shown.output
    assert "（含暂定日历：2027年）" in run(url, "board", "--at", "2027-01-05").output
    assert "暂定" not in run(url, "board", "--at", "2026-12-28").output  # nothing shown reaches 2027

    r = run(url, "calendar", "load", str(NOTICE_2027))
    assert r.exit_code == 0 and "尚未保存" in r.output and "与当前暂定日历相比，11 天有变化" in r.output
    assert "暂定" in CliRunner().invoke(main, ["calendar", "show", "2027"]).output  # nothing stored yet

    r = run(url, "calendar", "load", str(NOTICE_2027), "--confirm", "--actor", "督查室")
    assert r.exit_code == 0, r.output
    assert "2027年：暂定 → 正式" in r.output and "由暂定转为正式的年份：2027" in r.output
    engine = make_engine(Settings(database_url=url))
    with session_scope(engine) as s:
        ev = s.scalars(select(EventRow).where(EventRow.action == "calendar_load")).one()
        assert (ev.entity, ev.entity_id, ev.actor) == ("calendar", 2027, "督查室")
        assert ev.before["provisional"] is True and "2027-01-31" in ev.after["workdays"]
    engine.dispose()
    shown = CliRunner().invoke(main, ["calendar", "show", "2027"])
    assert (
        "暂定" not in shown.output and "春节：2027-02-05（周五） 至 2027-02-12（周五），共8天" in shown.output
    )

    r = run(url, "tick", "--at", "2026-12-28")
    assert r.exit_code == 0 and "暂定" not in r.output
    assert "暂定" not in run(url, "board", "--at", "2027-01-05").output


def test_one_duty_that_cannot_be_evaluated_is_named_and_the_others_are_ticked(url: str) -> None:
    first, *others = _duties(url)
    engine = make_engine(Settings(database_url=url))
    with session_scope(engine) as s:  # a mistyped assignment date, past the calendar's horizon
        s.execute(
            update(DutyRow)
            .where(DutyRow.id == first.id)
            .values(assigned_at=datetime(2062, 12, 21, 1, tzinfo=UTC))
        )
    engine.dispose()
    r = run(url, "tick", "--at", "2026-12-28")
    assert r.exit_code == 1
    assert f"评估 {len(others)} 项" in r.output
    assert f"督办事项 {first.id}: 工作日历不含" in r.output
    assert f"共 1 项未能计算（督办事项 {first.id}）" in r.output
    assert all(d.light is not None for d in _duties(url) if d.id != first.id)


def test_a_notice_that_cannot_be_read_exits_1_naming_the_line(tmp_path: Path, url: str) -> None:
    bad = tmp_path / "通知.txt"
    bad.write_text(
        "国务院办公厅关于2027年部分节假日安排的通知\n二、春节：2月5日（周六）至12日放假。\n", encoding="utf-8"
    )
    r = run(url, "calendar", "load", str(bad), "--confirm")
    assert r.exit_code == 1 and "第 2 行" in r.output and "星期六" in r.output
    assert not (tmp_path / "calendar").exists()
    r = run(url, "calendar", "load", str(tmp_path / "missing.txt"))
    assert r.exit_code == 1 and "文件不存在" in r.output
