"""The MQTT listener against a real broker: Debian's ``mosquitto`` on a free loopback port, from a
config file the test writes (persistence on, in tmp). Messages are published with paho-mqtt; the
listener runs in a thread, bounded in time. Under ``CI=true`` a missing mosquitto fails."""

from __future__ import annotations

import getpass
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from click.testing import CliRunner
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import select

from duban.cases.models import CaseRow
from duban.cases.mqtt import BrokerAddress, ListenOptions, ListenReport, listen
from duban.cli import main
from duban.config import Settings
from duban.db import make_engine, session_scope
from tests.cases.conftest import NOW, url_of

T0 = NOW - timedelta(minutes=20)


def mosquitto_binary() -> str:
    found = shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if os.access("/usr/sbin/mosquitto", os.X_OK) else None
    )
    if found is None:
        message = "mosquitto is not installed (apt-get install mosquitto; .ci/run installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Broker:
    """A mosquitto process on 127.0.0.1:port; ``restart`` stops it and starts it on the same port."""

    def __init__(self, tmp: Path, extra: str = "") -> None:
        self.binary = mosquitto_binary()
        self.port = free_port()
        self.dir = tmp
        data = tmp / "mosquitto"
        data.mkdir()
        self.config = tmp / "mosquitto.conf"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\n{extra or 'allow_anonymous true'}\npersistence true\n"
            f"persistence_location {data}/\nlog_dest file {tmp / 'mosquitto.log'}\n"
            # as root mosquitto drops to its own user, which cannot write in our temporary directory
            + (f"user {getpass.getuser()}\n" if os.geteuid() == 0 else ""),
            encoding="utf-8",
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([self.binary, "-c", str(self.config)], stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"mosquitto did not listen on {self.port}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        time.sleep(0.5)
        self.start()


@pytest.fixture
def broker(tmp_path) -> Iterator[Broker]:
    b = Broker(tmp_path)
    b.start()
    yield b
    b.stop()


def message(n: int, *, sensor: str = "WL-0931", state: str = "alarm", minutes: float = 0) -> bytes:
    return json.dumps(
        {
            "alarm_id": f"{sensor}-{n}", "sensor_id": sensor, "kind": "积水", "level": "normal", "state": state,
            "value": 25 + n, "threshold": 20, "unit": "cm", "at": (T0 + timedelta(minutes=minutes)).isoformat(),
        }, ensure_ascii=False
    ).encode()  # fmt: skip


def publish(port: int, items: list[tuple[str, bytes]], auth: tuple[str, str] | None = None) -> None:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"pub-{time.monotonic_ns()}")
    if auth:
        client.username_pw_set(*auth)
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        for topic, payload in items:
            client.publish(topic, payload, qos=1).wait_for_publish(timeout=5)
    finally:
        client.disconnect()
        client.loop_stop()


class Listening:
    """The listener in a thread (stops by itself after ``seconds``)."""

    def __init__(self, db: Any, calendar: Any, policy: Any, port: int, seconds: float = 40) -> None:
        self.stop = threading.Event()
        self.report: ListenReport | None = None
        options = ListenOptions(
            broker=BrokerAddress("127.0.0.1", port, False), topic="city/sensors/#",
            client_id=f"duban-test-{port}", seconds=seconds, max_backoff=2,
        )  # fmt: skip

        def run() -> None:
            self.report = listen(
                options=options, sessions=lambda: session_scope(db), calendar=calendar, policy=policy,
                clock=lambda: NOW, stop=self.stop,
            )  # fmt: skip

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def finish(self) -> ListenReport:
        self.stop.set()
        self.thread.join(timeout=15)
        assert self.report is not None
        return self.report


def wait_for(check: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("condition not reached in time")


def cases(db) -> dict[str, int]:
    with session_scope(db) as s:
        rows = s.execute(select(CaseRow.external_id, CaseRow.id).where(CaseRow.source == "sensor"))
        return {str(e): int(i) for e, i in rows}


def test_repeats_clear_flapping_and_a_bad_message_over_a_real_broker(db, calendar, policy, broker, caplog):
    caplog.set_level(logging.INFO, logger="duban.sensors")
    run = Listening(db, calendar, policy, broker.port)
    wait_for(lambda: "已订阅" in caplog.text)
    items = [("city/sensors/WL-0931", message(n, minutes=n)) for n in range(1, 7)]
    items.append(("city/sensors/YG-17", message(1, sensor="YG-17")))
    items.append(("city/sensors/WL-0931", message(7, state="clear", minutes=8)))
    items.append(("city/sensors/bad", b'{"alarm_id": "x", "sensor_id": "Z"'))
    items.append(("city/sensors/MC-3", message(1, sensor="MC-3", minutes=10)))
    for n in range(4):  # a flapping sensor: clear and alarm again every minute
        items.append(("city/sensors/FL-1", message(n, sensor="FL-1", minutes=2 * n)))
        items.append(("city/sensors/FL-1", message(n, sensor="FL-1", state="clear", minutes=2 * n + 1)))
    publish(broker.port, items)
    wait_for(lambda: "FL-1 clear → cleared" in caplog.text and caplog.text.count("FL-1 clear") == 4)
    report = run.finish()
    assert sorted(cases(db)) == ["FL-1-0", "MC-3-1", "WL-0931-1", "YG-17-1"]
    assert report.outcomes == {"opened": 4, "repeat": 5, "cleared": 5, "reopened": 3}
    assert report.bad == 1 and report.failed == 0
    assert "主题 city/sensors/bad" in caplog.text and "不是有效的 JSON" in caplog.text
    assert '\'{"alarm_id": "x", "sensor_id": "Z"\'' in caplog.text  # the first bytes


def test_a_broker_restart_while_listening_is_survived(db, calendar, policy, broker, caplog):
    caplog.set_level(logging.INFO, logger="duban.sensors")
    run = Listening(db, calendar, policy, broker.port)
    wait_for(lambda: caplog.text.count("已订阅") == 1)
    publish(broker.port, [("city/sensors/WL-1", message(1, sensor="WL-1"))])
    wait_for(lambda: "WL-1-1" in cases(db))
    broker.restart()
    # published at once, before the listener's back-off lets it reconnect: the broker keeps it in the
    # listener's persistent session (saved across the restart) and delivers it on reconnect
    publish(broker.port, [("city/sensors/WL-2", message(1, sensor="WL-2"))])
    wait_for(lambda: "WL-2-1" in cases(db))
    wait_for(lambda: caplog.text.count("已订阅") == 2)
    publish(broker.port, [("city/sensors/WL-3", message(1, sensor="WL-3"))])
    wait_for(lambda: "WL-3-1" in cases(db))
    report = run.finish()
    assert report.connects == 2 and report.outcomes == {"opened": 3}
    assert "将按退避重连" in caplog.text


def test_cli_listens_until_max_messages(db, broker, caplog):
    caplog.set_level(logging.INFO, logger="duban.sensors")
    result: dict[str, Any] = {}

    def run() -> None:
        result["r"] = CliRunner().invoke(
            main,
            ["sensors", "listen", "--mqtt", f"mqtt://127.0.0.1:{broker.port}", "--topic", "city/sensors/#",
             "--client-id", f"cli-{broker.port}", "--max-messages", "2", "--seconds", "30",
             "--database-url", url_of(db)],
        )  # fmt: skip

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    wait_for(lambda: "已订阅" in caplog.text)
    publish(broker.port, [("city/sensors/a", b"oops"), ("city/sensors/a", message(1, sensor="CLI-1"))])
    thread.join(timeout=30)
    out = result["r"]
    assert out.exit_code == 0, out.output
    assert "处理消息 2 条（opened 1）" in out.output and "无效 1 条" in out.output
    assert list(cases(db)) == ["CLI-1-1"]


def test_cli_rejects_a_bad_broker_address(db):
    out = CliRunner().invoke(main, ["sensors", "listen", "--mqtt", "http://x", "--database-url", url_of(db)])
    assert out.exit_code == 1 and "mqtt://主机:端口" in out.output


def test_the_command_as_a_service_stops_cleanly_on_sigterm(db, broker):
    env = {**os.environ, "DUBAN_DATABASE_URL": url_of(db), "DUBAN_MQTT_PASSWORD": ""}
    duban = Path(sys.executable).parent / "duban"
    log = broker.dir / "listener.log"
    proc = subprocess.Popen(
        [str(duban), "sensors", "listen", "--mqtt", f"mqtt://127.0.0.1:{broker.port}", "--client-id", "svc",
         "--seconds", "60"],
        env=env, stdout=subprocess.PIPE, stderr=log.open("w"), text=True,
    )  # fmt: skip
    try:
        wait_for(lambda: "已订阅" in log.read_text(encoding="utf-8"))
        publish(broker.port, [("city/sensors/x", message(1, sensor="SVC-1"))])
        wait_for(lambda: "SVC-1-1" in cases(db))
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, log.read_text(encoding="utf-8")
    assert "处理消息 1 条（opened 1）" in out and "连接 1 次" in out


def test_a_message_not_stored_is_not_acknowledged_and_comes_again(
    db, calendar, policy, broker, caplog, tmp_path
):
    """Acknowledged only after commit: while the database cannot store it (no tables yet) the message
    stays unacknowledged; the listener reconnects after a back-off, the broker delivers it again and
    it becomes a case."""
    caplog.set_level(logging.INFO, logger="duban.sensors")
    empty = make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'empty.sqlite3'}"))
    target = [empty]
    stop = threading.Event()
    reports: list[ListenReport] = []
    options = ListenOptions(
        broker=BrokerAddress("127.0.0.1", broker.port, False), topic="city/sensors/#", client_id="ack-test",
        seconds=40, max_backoff=2,
    )  # fmt: skip
    thread = threading.Thread(
        target=lambda: reports.append(
            listen(options=options, sessions=lambda: session_scope(target[0]), calendar=calendar, policy=policy,
                   clock=lambda: NOW, stop=stop)
        ),
        daemon=True,
    )  # fmt: skip
    thread.start()
    try:
        wait_for(lambda: "已订阅" in caplog.text)
        publish(broker.port, [("city/sensors/ACK", message(1, sensor="ACK"))])
        wait_for(lambda: "未能入库" in caplog.text)
        assert cases(db) == {}
        target[0] = db  # the database is back; the listener reconnects by itself to get the message again
        wait_for(lambda: "ACK-1" in cases(db))
    finally:
        stop.set()
        thread.join(timeout=15)
        empty.dispose()
    assert reports[0].failed >= 1 and reports[0].outcomes == {"opened": 1} and reports[0].connects >= 2


def test_username_and_password_from_the_environment(db, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="duban.sensors")
    binary = mosquitto_binary()  # skips (fails under CI) first when there is no broker
    passwd = tmp_path / "passwd"
    tool = shutil.which("mosquitto_passwd") or str(Path(binary).parent.parent / "bin" / "mosquitto_passwd")
    subprocess.run([tool, "-b", "-c", str(passwd), "gateway", "s3cret-pw"], check=True)
    broker = Broker(tmp_path, extra=f"allow_anonymous false\npassword_file {passwd}")
    broker.start()
    try:
        base = ["sensors", "listen", "--mqtt", f"mqtt://127.0.0.1:{broker.port}", "--username", "gateway",
                "--database-url", url_of(db)]  # fmt: skip
        wrong = CliRunner().invoke(main, [*base, "--seconds", "2"], env={"DUBAN_MQTT_PASSWORD": "wrong"})
        assert wrong.exit_code == 0 and "连接 0 次" in wrong.output
        assert "连接 MQTT 代理失败" in caplog.text
        result: dict[str, Any] = {}
        thread = threading.Thread(
            target=lambda: result.update(
                r=CliRunner().invoke(main, [*base, "--max-messages", "1", "--seconds", "30"],
                                     env={"DUBAN_MQTT_PASSWORD": "s3cret-pw"})
            ),
            daemon=True,
        )  # fmt: skip
        thread.start()
        wait_for(lambda: "已订阅" in caplog.text)
        publish(broker.port, [("city/sensors/p", message(1, sensor="PW-1"))], auth=("gateway", "s3cret-pw"))
        thread.join(timeout=30)
    finally:
        broker.stop()
    assert result["r"].exit_code == 0 and "opened 1" in result["r"].output
    assert list(cases(db)) == ["PW-1-1"]


def make_ca_and_server(tmp: Path) -> tuple[Path, Path, Path]:
    """A throw-away CA and a server certificate for localhost / 127.0.0.1 (openssl)."""
    ca_key, ca, key, csr, cert = (
        tmp / n for n in ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem")
    )
    ext = tmp / "san.cnf"
    ext.write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n", encoding="utf-8")
    run = lambda *a: subprocess.run(["openssl", *a], check=True, capture_output=True)  # noqa: E731
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=duban test CA",
        "-keyout", str(ca_key), "-out", str(ca))  # fmt: skip
    run(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        str(key),
        "-out",
        str(csr),
    )
    run("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial", "-days", "2",
        "-extfile", str(ext), "-out", str(cert))  # fmt: skip
    return ca, cert, key


def test_tls_with_a_ca_file(db, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="duban.sensors")
    mosquitto_binary()
    if shutil.which("openssl") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("openssl is not installed (.ci/run installs it)", pytrace=False)
        pytest.skip("openssl is not installed")
    ca, cert, key = make_ca_and_server(tmp_path)
    broker = Broker(tmp_path, extra=f"allow_anonymous true\ncafile {ca}\ncertfile {cert}\nkeyfile {key}")
    broker.start()
    try:
        base = [
            "sensors",
            "listen",
            "--mqtt",
            f"mqtt://localhost:{broker.port}",
            "--database-url",
            url_of(db),
        ]
        plain = CliRunner().invoke(
            main, [*base, "--seconds", "2"]
        )  # no TLS against a TLS listener: no connection
        assert plain.exit_code == 0 and "连接 0 次" in plain.output
        result: dict[str, Any] = {}
        thread = threading.Thread(
            target=lambda: result.update(
                r=CliRunner().invoke(
                    main, [*base, "--tls-ca", str(ca), "--max-messages", "1", "--seconds", "30"]
                )
            ),
            daemon=True,
        )
        thread.start()
        wait_for(lambda: "已订阅" in caplog.text)
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="tls-pub")
        client.tls_set(ca_certs=str(ca))
        client.connect("localhost", broker.port)
        client.loop_start()
        client.publish("city/sensors/t", message(1, sensor="TLS-1"), qos=1).wait_for_publish(timeout=5)
        client.disconnect()
        client.loop_stop()
        thread.join(timeout=30)
    finally:
        broker.stop()
    assert result["r"].exit_code == 0 and "opened 1" in result["r"].output
    assert list(cases(db)) == ["TLS-1-1"]
