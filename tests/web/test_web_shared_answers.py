"""Answers one server's workers share (:mod:`duban.web.shared_answers`): the first worker to need
the board at a data version computes it, the others read it; workers asking at once compute it
once; a directory that is not the server user's alone is not used; an answer is computed again
when the data moves, when it is old, and after a failed computation.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from duban.web.app import create_app
from duban.web.shared_answers import KEEP_SECONDS, SharedAnswers, canonical
from tests.web.conftest import Clients
from tests.web.test_web_query_counts import counted
from tests.web.web_factories import NOW


def _counting(log: list[str], text: bytes):
    def compute() -> bytes:
        log.append("computed")
        return text

    return compute


def test_a_second_worker_reads_the_first_workers_answer(tmp_path):
    first, second = SharedAnswers(tmp_path / "shared"), SharedAnswers(tmp_path / "shared")
    log: list[str] = []
    assert first.answer((7, None), ("page", 1), _counting(log, "看板 A".encode())) == "看板 A".encode()
    assert second.answer((7, None), ("page", 1), _counting(log, b"never")) == "看板 A".encode()
    assert log == ["computed"]
    # another version, another key: computed again
    assert second.answer((8, None), ("page", 1), _counting(log, b"v8")) == b"v8"
    assert first.answer((7, None), ("page", 2), _counting(log, b"p2")) == b"p2"
    assert log == ["computed"] * 3


def _worker(directory: str, out: str, started: str) -> None:
    def compute() -> bytes:
        with open(out + ".log", "a") as fh:
            fh.write(f"{os.getpid()}\n")
        time.sleep(0.5)
        return f"看板 {os.getpid()}".encode()

    Path(started).touch()
    while len(list(Path(started).parent.glob("started-*"))) < 2:  # both ready, then at once
        time.sleep(0.005)
    value = SharedAnswers(Path(directory)).answer((3, None), ("page", 1), compute)
    Path(f"{out}.{os.getpid()}").write_bytes(value)


def test_workers_asking_at_once_compute_once(tmp_path):
    ctx = multiprocessing.get_context("spawn")  # children of this process: one server run
    out = str(tmp_path / "answer")
    procs = [
        ctx.Process(target=_worker, args=(str(tmp_path / "shared"), out, str(tmp_path / f"started-{k}")))
        for k in range(2)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    computed = Path(out + ".log").read_text().split()
    assert len(computed) == 1  # the other waited for its answer
    answers = {p.read_bytes() for p in tmp_path.glob("answer.[0-9]*")}
    assert answers == {f"看板 {computed[0]}".encode()}


def test_a_directory_not_the_users_alone_is_not_used(tmp_path, caplog):
    open_dir = tmp_path / "open"
    open_dir.mkdir()
    open_dir.chmod(0o777)
    shared = SharedAnswers(open_dir)
    assert shared.directory is None
    assert "shared answers off" in caplog.text
    log: list[str] = []
    for _ in range(2):
        assert shared.answer((1, None), "k", _counting(log, b"x")) == b"x"
    assert log == ["computed", "computed"]
    assert list(open_dir.iterdir()) == []
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    assert SharedAnswers(link).directory is None  # a symbolic link is not taken for the directory


def test_made_private_when_missing(tmp_path):
    shared = SharedAnswers(tmp_path / "a" / "shared")
    assert shared.directory is not None
    assert (shared.directory.stat().st_mode & 0o777) == 0o700


def test_an_old_answer_is_computed_again(tmp_path):
    shared = SharedAnswers(tmp_path / "shared", max_age=300.0)
    log: list[str] = []
    shared.answer((1, None), "k", _counting(log, b"old"))
    (answer,) = (tmp_path / "shared").glob("*.answer")
    past = time.time() - 301
    os.utime(answer, (past, past))
    assert shared.answer((1, None), "k", _counting(log, b"new")) == b"new"
    assert log == ["computed", "computed"]


def test_a_failed_computation_leaves_nothing_and_the_next_asker_computes(tmp_path):
    shared = SharedAnswers(tmp_path / "shared")

    def broken() -> bytes:
        raise RuntimeError("数据库断开")

    with pytest.raises(RuntimeError, match="数据库断开"):
        shared.answer((1, None), "k", broken)
    assert list((tmp_path / "shared").glob("*.answer")) == []
    log: list[str] = []
    assert SharedAnswers(tmp_path / "shared").answer((1, None), "k", _counting(log, b"ok")) == b"ok"
    assert log == ["computed"]


def test_old_files_are_removed(tmp_path):
    shared = SharedAnswers(tmp_path / "shared")
    shared.answer((1, None), "old", _counting([], b"old"))
    past = time.time() - KEEP_SECONDS - 1
    for path in (tmp_path / "shared").iterdir():
        os.utime(path, (past, past))
    shared._pruned = float("-inf")  # a minute has passed since the last look
    shared.answer((2, None), "new", _counting([], b"new"))
    left = sorted(p.suffix for p in (tmp_path / "shared").iterdir())
    assert left == [".answer", ".lock"]  # the new answer's files only


def test_the_name_is_the_same_in_every_process():
    """``repr`` of a set follows the process's hash seed; the name must not."""
    code = (
        "from duban.ledger.board import BoardFilter; from duban.web.shared_answers import canonical;"
        "print(canonical(('page', BoardFilter(unit='发改委', governments=frozenset({None, 3, 1})),"
        " frozenset({'甲', '乙', '丙', 'x', 'y'}))))"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(seen) == 1
    assert canonical(frozenset({"b", "a"})) == "{'a', 'b'}"


def test_a_second_worker_answers_the_board_from_the_first_ones(app, clients, settings, world):
    """Two workers of one server on one database: the board page, the board API and the duty list
    the first computed are the second's without a board query; a write is seen by both."""
    second = create_app(settings, clock=lambda: NOW)
    other = Clients(second, world)
    try:
        paths = ("/board", "/api/board", "/api/duties")
        browser, _csrf = clients.browser("office")
        office_api = clients.api("office")
        firsts = {p: (browser if p == "/board" else office_api).get(p) for p in paths}
        assert all(r.status_code == 200 for r in firsts.values())
        browser2, _ = other.browser("office")
        api2 = other.api("office")
        for path in paths:
            with counted(second) as statements:
                again = (browser2 if path == "/board" else api2).get(path)
            assert again.status_code == 200
            assert again.content == firsts[path].content, path
            assert not [s for s in statements if "GROUP BY" in s or "ORDER BY" in s], (path, statements)
        # a write through the first worker: the second sees it on its next ask
        w = world
        before = api2.get("/api/duties").json()
        unit = clients.api("unit_a")
        assert (
            unit.post(f"/api/duties/{w.duty_a}/progress", json={"text": "已开工", "share": 10}).status_code
            == 201
        )
        after = api2.get("/api/duties").json()
        status = {r["duty_id"]: r["status"] for r in after["items"]}
        assert {r["duty_id"]: r["status"] for r in before["items"]} != status
        assert status[w.duty_a] == "in_progress"
    finally:
        other.close()
        second.state.console.dispose()


def test_the_default_directory_is_beside_a_sqlite_file_else_temporary(tmp_path):
    from duban.web.shared_answers import default_directory

    assert default_directory(f"sqlite:///{tmp_path}/duban.sqlite3") == tmp_path / "duban.sqlite3-shared"
    for url in ("sqlite://", "sqlite:///:memory:", "postgresql+psycopg://duban@db/duban"):
        other = default_directory(url)
        assert other.name.startswith(f"duban-shared-{os.getuid()}-")
    assert default_directory("postgresql+psycopg://a@db/one") != default_directory(
        "postgresql+psycopg://a@db/two"
    )
