"""``duban demo`` as ``make demo`` runs it (without the server): read, ledger, year, board."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from duban.cli import main


def test_demo_reads_routes_plays_the_year_and_shows_the_board(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    result = CliRunner().invoke(main, ["demo", "--no-serve", "--until", "2023-03-31", "--database-url", url])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "主要预期目标" in out and "地区生产总值" in out  # the plan was read
    assert "需人工交办" in out and "进展报告" in out  # routed and played
    assert "各单位红黄绿灯" in out and "逾期" in out  # the board
    assert "监测户 监测中 2；" in out  # the monitoring sample's households found by 2023-03-31
    assert (tmp_path / "demo.sqlite3").stat().st_size > 0


def test_demo_rejects_a_bad_date() -> None:
    result = CliRunner().invoke(main, ["demo", "--no-serve", "--until", "2023-13-01"])
    assert result.exit_code == 2
    assert "不是日期" in result.output


def test_demo_takes_the_hotline_sample_through_the_flow(tmp_path: Path) -> None:
    from sqlalchemy import select

    from duban.cases.models import CaseRow
    from duban.cli.demo_hotline import load_sample
    from duban.config import Settings
    from duban.db import make_engine, session_scope

    sample = load_sample()
    assert 20 <= len(sample) <= 40
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    result = CliRunner().invoke(main, ["demo", "--no-serve", "--until", "2023-05-31", "--database-url", url])
    assert result.exit_code == 0, result.output
    played = [c for c in sample if c["date"].isoformat() <= "2023-05-31"]
    assert f"工单 {len(played)} 件" in result.output
    engine = make_engine(Settings(database_url=url))
    with session_scope(engine) as s:
        rows = list(s.scalars(select(CaseRow).order_by(CaseRow.id)))
        statuses = {r.status for r in rows}
        assert len(rows) == len(played)
        assert {"followed_up", "reopened"} <= statuses  # 回访 done, and one 不满意 reopened
        assert all(r.unit_id is not None for r in rows)  # every one dispatched
        assert sum(r.satisfaction == "满意" for r in rows) >= 5
    engine.dispose()


def test_the_demo_console_runs_at_the_played_day(tmp_path: Path) -> None:
    from datetime import date

    from fastapi.testclient import TestClient

    from duban.accounts.service import create_api_token, create_user
    from duban.cli.demo import console_settings
    from duban.clock.calendar import local_date
    from duban.config import Settings
    from duban.db import make_engine, session_scope
    from duban.web import create_app

    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    result = CliRunner().invoke(main, ["demo", "--no-serve", "--until", "2023-03-31", "--database-url", url])
    assert result.exit_code == 0, result.output
    settings = console_settings(
        Settings(database_url=url, secret_key="demo-test-secret-" * 3), date(2023, 3, 31)
    )
    engine = make_engine(settings)
    with session_scope(engine) as s:
        account = create_user(
            session=s, name="督查室", role="office", password="demo-pass-123", now=local_now()
        )
        token = create_api_token(session=s, account=account, now=local_now(), label="test")
    engine.dispose()
    app = create_app(settings)
    assert local_date(app.state.console.clock()) == date(2023, 3, 31)
    with TestClient(app) as c:
        h = {"Authorization": f"Bearer {token}"}
        before = c.get("/api/board", headers=h).json()
        report = c.post("/api/tick", headers=h).json()
        after = c.get("/api/board", headers=h).json()
    assert report["failed"] == [] and report["light_changes"] == 0  # the tick agrees with the year played
    assert before["units"] == after["units"]


def local_now():
    from datetime import UTC, datetime

    return datetime(2023, 3, 31, 2, 0, tzinfo=UTC)
