"""What the browser tests share: Debian's chromium under Playwright, the real app served by
uvicorn on a free loopback port (in a thread), sign-in, screenshots under ``out/screenshots/``.

Under ``CI=true`` a missing chromium fails instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy.orm import Session

from duban.config import Settings
from duban.db import make_engine, session_scope, upgrade
from duban.units.service import DEFAULT_UNITS, load_units
from duban.web import create_app

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "out" / "screenshots"
PASSWORD = "browser-pass-1"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (apt-get install chromium fonts-noto-cjk)")
        pytest.skip("chromium not installed")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(folder: Path, now: datetime, people: Callable[[Session], None]) -> Iterator[str]:
    """A migrated SQLite database in ``folder`` with the shipped units and ``people(session)``'s
    accounts, the real app on it under uvicorn with a fixed clock; yields its base URL."""
    db = folder / "duban.sqlite3"
    settings = Settings(
        database_url=f"sqlite:///{db}", secret_key="browser-test-secret", upload_dir=folder / "up"
    )
    engine = make_engine(settings)
    upgrade(engine)
    with session_scope(engine) as s:
        load_units(session=s, path=DEFAULT_UNITS, actor="test", now=now)
        people(s)
    engine.dispose()
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, clock=lambda: now), host="127.0.0.1", port=port, log_level="warning"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator[object]:
    exe = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def login(browser, base: str, name: str, *, phone: bool = False):
    viewport = {"width": 375, "height": 812} if phone else {"width": 1280, "height": 900}
    ctx = browser.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=1)
    page = ctx.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/board")
    return ctx, page


def shot(page, name: str, *, full: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def no_horizontal_scroll(page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))
