"""``duban users add`` and ``duban serve`` as a person runs them; the accounts service's checks."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from duban.accounts.service import (
    AccountError,
    authenticate,
    create_api_token,
    create_user,
    end_session,
    revoke_api_token,
    session_account,
    start_session,
    token_account,
)
from duban.cli import main
from duban.config import Settings
from duban.db import current_revision, make_engine, session_scope
from tests.web.web_factories import NOW, UNIT_A


@pytest.fixture
def db_url(world) -> str:
    return f"sqlite:///{world.path}"


def run(args: list[str], stdin: str = "") -> object:
    return CliRunner().invoke(main, args, input=stdin)


def test_users_add_then_sign_in(db_url):
    r = run(["users", "add", "发改委孙七", "--role", "unit", "--unit", "发改委", "--password-stdin",
             "--database-url", db_url], "long-password-1\n")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "已创建用户 发改委孙七，角色 unit（市发展和改革委员会）" in r.output
    engine = make_engine(Settings(database_url=db_url))
    with session_scope(engine) as s:
        account = authenticate(session=s, name="发改委孙七", password="long-password-1")
        assert account is not None and account.unit_name == UNIT_A
        assert authenticate(session=s, name="发改委孙七", password="wrong-password") is None
    engine.dispose()


@pytest.mark.parametrize(
    "args,stdin,message",
    [
        (["--role", "unit", "--password-stdin"], "long-password-1\n", "须指定所属单位"),
        (["--role", "unit", "--unit", "火星局", "--password-stdin"], "long-password-1\n", "火星局"),
        (["--role", "office", "--unit", "发改委", "--password-stdin"], "long-password-1\n", "不属于某个单位"),
        (["--role", "office", "--password-stdin"], "short\n", "密码至少 10 位"),
        (["--role", "office"], "", "--password-stdin"),
        (["--role", "boss", "--password-stdin"], "long-password-1\n", "的值无效"),
    ],
    ids=["unit-without-unit", "unknown-unit", "office-with-unit", "short-password", "no-stdin", "bad-role"],
)
def test_users_add_refuses_bad_input(db_url, args, stdin, message):
    r = run(["users", "add", "某人", *args, "--database-url", db_url], stdin)
    assert r.exit_code != 0
    assert message in r.output
    assert "Traceback" not in r.output


def test_users_add_twice_is_refused(db_url):
    args = ["users", "add", "督查室张三", "--role", "office", "--password-stdin", "--database-url", db_url]
    r = run(args, "long-password-1\n")
    assert r.exit_code == 1 and "用户 督查室张三 已存在" in r.output


def test_users_add_migrates_a_new_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    r = run(
        ["users", "add", "市长", "--role", "leader", "--password-stdin", "--database-url", url],
        "long-password-1\n",
    )
    assert r.exit_code == 0, r.output
    engine = make_engine(Settings(database_url=url))
    assert current_revision(engine) is not None
    assert {"users", "user_sessions", "api_tokens"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_serve_help_and_refusal_of_dev_secret_off_loopback(db_url, monkeypatch):
    r = run(["serve", "--help"])
    assert r.exit_code == 0 and "--host" in r.output and "--port" in r.output
    monkeypatch.delenv("DUBAN_SECRET_KEY", raising=False)
    r = run(["serve", "--host", "0.0.0.0", "--database-url", db_url])
    assert r.exit_code == 1 and "DUBAN_SECRET_KEY" in r.output


def test_sessions_and_tokens_end(world):
    engine = make_engine(Settings(database_url=f"sqlite:///{world.path}"))
    with session_scope(engine) as s:
        with pytest.raises(AccountError) as err:
            create_user(session=s, name=" ", role="office", password="long-password-1", now=NOW)
        assert err.value.field == "name"
        account = authenticate(session=s, name="市长赵六", password="correct-horse-9")
        assert account is not None and account.role == "leader"
        token, csrf = start_session(session=s, account=account, now=NOW)
        assert session_account(session=s, token=token, now=NOW) == (account, csrf)
        from datetime import timedelta

        assert session_account(session=s, token=token, now=NOW + timedelta(hours=13)) is None  # expired
        assert end_session(session=s, token=token) is True
        assert session_account(session=s, token=token, now=NOW) is None
        api = create_api_token(session=s, account=account, now=NOW)
        assert token_account(session=s, token=api) == account
        assert revoke_api_token(session=s, token=api, now=NOW) is True
        assert token_account(session=s, token=api) is None
    engine.dispose()


def test_accounts_migration_matches_the_models(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import duban.accounts.models  # noqa: F401
    from duban.db import Base, downgrade, upgrade

    engine = make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'm.sqlite3'}"))
    upgrade(engine)
    mine = {"users", "user_sessions", "api_tokens"}

    def touches(diff: object) -> bool:
        text = repr(diff)
        return any(f"'{t}'" in text or f"table {t}" in text or f"Table('{t}'" in text for t in mine)

    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diffs if touches(d)] == []
    downgrade(engine, "0001")
    assert not (mine & set(inspect(engine).get_table_names()))
    upgrade(engine)
    assert mine <= set(inspect(engine).get_table_names())
    engine.dispose()


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _sockets(pid: int) -> set[str]:
    """The inodes of the sockets process ``pid`` holds."""
    out = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                out.add(target[8:-1])
    return out


def _established(port: int) -> set[str]:
    """The inodes of the established TCP connections to local ``port`` (IPv4)."""
    rows = (line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:])
    return {f[9] for f in rows if int(f[1].rsplit(":", 1)[1], 16) == port and f[3] == "01"}


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="counts worker processes through /proc")
def test_serve_with_two_workers_answers_from_both(world, tmp_path):
    """``duban serve --workers 2`` for real: two worker processes, one database, the same answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DUBAN_SECRET_KEY": "workers-test-secret",
        "DUBAN_UPLOAD_DIR": str(tmp_path / "uploads"),
    }
    cmd = [sys.executable, "-c", "from duban.cli import main; main()", "serve", "--port", str(port),
           "--workers", "2", "--database-url", f"sqlite:///{world.path}"]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        assert len(_children(proc.pid)) >= 2
        headers = {"Authorization": f"Bearer {world.tokens['office']}"}
        boards = [httpx.get(f"{base}/api/board", headers=headers, timeout=10) for _ in range(6)]
        assert {b.status_code for b in boards} == {200}
        # Each worker computed its own board (its own "now"); the ledger's answer is the same.
        assert len({json.dumps({**b.json(), "now": None}, sort_keys=True) for b in boards}) == 1
        # Connections opened together are spread over both workers (each listens on a socket of
        # its own, duban.web.workers): on one shared socket the first worker awake took most or
        # all of a burst (40/0, 37/3, …) while the other idled.
        workers = [pid for pid in _children(proc.pid) if _sockets(pid)]
        assert len(workers) == 2, workers
        for _burst in range(5):
            conns = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(40)]
            try:
                for c in conns:  # answered, so accepted by some worker
                    c.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                    assert c.recv(4096).startswith(b"HTTP/1.1 200")
                accepted = [len(_sockets(pid) & _established(port)) for pid in workers]
                assert sum(accepted) == 40 and min(accepted) >= 8, accepted
            finally:
                for c in conns:
                    c.close()
    finally:
        proc.terminate()
        proc.wait(20)
