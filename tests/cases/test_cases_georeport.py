"""A real Open311 client (``georeport`` from PyPI) reads our server, served by uvicorn on a
loopback port, in JSON and in XML — as a city's app would."""

from __future__ import annotations

import socket
import threading
import time
from datetime import datetime

import pytest
import uvicorn
from sqlalchemy import select

from duban.accounts.service import create_api_token, create_user
from duban.cases.models import CaseRow
from duban.db import session_scope
from tests.cases.conftest import NOW
from tests.cases.test_cases_open311 import GOOD, build_app

georeport = pytest.importorskip("georeport", reason="pip install georeport (the PyPI Open311 client)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(db, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for var in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(build_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/open311/v2"
    srv.should_exit = True
    thread.join(5)


def test_georeport_client_reads_our_server(db, server):
    import requests

    with session_scope(db) as s:
        account = create_user(session=s, name="app", role="office", password="secret-pass-1", now=NOW)
        key = create_api_token(session=s, account=account, now=NOW)
    # the client only reads; a citizen's app posts with plain HTTP, as the spec describes
    posted = requests.post(f"{server}/requests.json", data={**GOOD, "api_key": key}, timeout=5)
    assert posted.status_code == 200, posted.text
    # the client reads without a key, so it sees the public list: the citizen agreed to publish
    # (the /report form's box; Open311 posts carry no consent) and the public id is the 查询码
    with session_scope(db) as s:
        case = s.get(CaseRow, int(posted.json()[0]["service_request_id"]))
        assert case is not None and case.track_code
        case.publish = True
        rid = case.track_code

    for fmt in ("json", "xml"):
        client = georeport.GeoReport(server, api_key=key, output_format=fmt)
        services = client.get_service_list()
        codes = [s["service_code"] for s in services]
        assert "streetlight" in codes and "heating" in codes
        definition = client.get_service_definition("streetlight")
        assert definition["service_code"] == "streetlight"
        one = client.get_service_request(rid)
        assert one["service_request_id"] == rid and one["status"] == "open"
        assert datetime.fromisoformat(one["requested_datetime"]) == NOW
        many = client.get_service_requests(service_code="streetlight", status="open")
        many = [many] if isinstance(many, dict) else many  # xmltodict gives a dict for a single item
        assert [r["service_request_id"] for r in many] == [rid]
    with session_scope(db) as s:
        assert s.scalars(select(CaseRow.channel)).all() == ["open311"]
