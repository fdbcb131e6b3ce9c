"""``duban users`` beyond add (list, disable, enable, reset-password, set-role, revoke-tokens) and
the throttles counted in the database, tried against ``duban serve --workers 2`` for real."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from duban.accounts.service import authenticate, token_account
from duban.audit.models import EventRow
from duban.cli import main
from duban.config import Settings
from duban.db import make_engine, session_scope
from tests.web.web_factories import NOW, PASSWORD, UNIT_B, USERS


def run(args: list[str], stdin: str = "") -> object:
    return CliRunner().invoke(main, args, input=stdin)


def test_users_commands_change_accounts_with_events(world):
    url = f"sqlite:///{world.path}"
    leader = USERS["leader"][0]
    r = run(["users", "list", "--database-url", url])
    assert r.exit_code == 0 and leader in r.output and "启用" in r.output and "令牌 1" in r.output
    r = run(["users", "disable", leader, "--actor", "管理员甲", "--database-url", url])
    assert r.exit_code == 0, r.output
    engine = make_engine(Settings(database_url=url))
    with session_scope(engine) as s:
        assert authenticate(session=s, name=leader, password=PASSWORD) is None
        assert token_account(session=s, token=world.tokens["leader"], now=NOW) is None
    assert "停用" in run(["users", "list", "--database-url", url]).output
    assert run(["users", "enable", leader, "--database-url", url]).exit_code == 0
    r = run(["users", "reset-password", leader, "--password-stdin", "--database-url", url], "123456789\n")
    assert r.exit_code == 1 and "密码至少 10 位" in r.output
    r = run(["users", "reset-password", leader, "--password-stdin", "--database-url", url], "woaini5201314\n")
    assert r.exit_code == 1 and "常见" in r.output
    r = run(
        ["users", "reset-password", leader, "--password-stdin", "--database-url", url], "new-long-pass-7\n"
    )
    assert r.exit_code == 0, r.output
    r = run(["users", "set-role", leader, "--role", "unit", "--database-url", url])
    assert r.exit_code == 1 and "须指定所属单位" in r.output
    r = run(["users", "set-role", leader, "--role", "unit", "--unit", UNIT_B, "--database-url", url])
    assert r.exit_code == 0 and UNIT_B in r.output
    r = run(["users", "revoke-tokens", USERS["office"][0], "--database-url", url])
    assert r.exit_code == 0 and "1 个令牌" in r.output
    assert run(["users", "disable", "无此人", "--database-url", url]).exit_code == 1
    with session_scope(engine) as s:
        acc = authenticate(session=s, name=leader, password="new-long-pass-7")
        assert acc is not None and acc.role == "unit" and acc.unit_name == UNIT_B
        assert token_account(session=s, token=world.tokens["office"], now=NOW) is None
        actions = list(
            s.scalars(select(EventRow.action).where(EventRow.entity == "user").order_by(EventRow.id))
        )
        assert actions[-5:] == ["disable", "enable", "reset_password", "set_role", "token_revoke"]
        assert s.scalar(select(EventRow.actor).where(EventRow.action == "disable")) == "管理员甲"
    engine.dispose()


def _serve(world, tmp_path: Path, extra: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DUBAN_SECRET_KEY": "workers-test-secret",
        "DUBAN_UPLOAD_DIR": str(tmp_path / "up"),
        **extra,
    }
    cmd = [sys.executable, "-c", "from duban.cli import main; main()", "serve", "--port", str(port),
           "--workers", "2", "--database-url", f"sqlite:///{world.path}"]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(proc.stdout.read().decode() if proc.stdout else "server did not start")
        time.sleep(0.2)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="two worker processes")
def test_throttles_hold_across_two_workers(world, tmp_path):
    proc, base = _serve(world, tmp_path, {"DUBAN_REPORT_RATE": "2/600"})
    try:
        codes = []
        for i in range(8):  # a new connection each time: the kernel spreads them over both workers
            with httpx.Client(base_url=base, timeout=20) as c:
                form = c.get("/report").text
                csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
                r = c.post(
                    "/report", data={"title": f"路灯不亮{i}", "content": "晚上没有路灯", "csrf_token": csrf}
                )
                codes.append(r.status_code)
        assert codes[:2] == [303, 303] and set(codes[2:]) == {429}, codes
        name = USERS["office"][0]
        logins = []
        for _ in range(6):
            with httpx.Client(base_url=base, timeout=20) as c:
                logins.append(c.post("/api/auth/token", json={"name": name, "password": "wrong-password-x"}))
        assert [r.status_code for r in logins] == [401] * 5 + [429]
        assert int(logins[-1].headers["Retry-After"]) >= 1
    finally:
        proc.terminate()
        proc.wait(20)
