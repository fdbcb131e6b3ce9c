"""Console fixtures: a copy of the template database per test, the app built from settings with
a fixed clock, and TestClients signed in by bearer token or by browser session (with CSRF).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from duban.config import Settings
from duban.web import create_app
from duban.web.deps import SESSION_COOKIE
from tests.web.web_factories import NOW, SECRET, World, build_template


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> World:
    path = tmp_path_factory.mktemp("template") / "duban.sqlite3"
    return build_template(path)


@pytest.fixture
def world(template: World, tmp_path: Path) -> World:
    """This test's own database file (a copy of the template)."""
    path = tmp_path / "duban.sqlite3"
    shutil.copyfile(template.path, path)
    return replace(template, path=path)


@pytest.fixture
def settings(world: World) -> Settings:
    return Settings(
        database_url=f"sqlite:///{world.path}", secret_key=SECRET, upload_dir=world.path.parent / "uploads"
    )


@pytest.fixture
def app(settings: Settings):
    return create_app(settings, clock=lambda: NOW)


class Clients:
    """A TestClient per role key, by bearer token (``api``) or by session cookie (``browser``)."""

    def __init__(self, app, world: World) -> None:
        self.app, self.world = app, world
        self._open: list[TestClient] = []

    def _client(self) -> TestClient:
        c = TestClient(self.app, follow_redirects=False)
        c.__enter__()
        self._open.append(c)
        return c

    def anon(self) -> TestClient:
        return self._client()

    def api(self, role: str) -> TestClient:
        c = self._client()
        c.headers["Authorization"] = f"Bearer {self.world.tokens[role]}"
        return c

    def browser(self, role: str) -> tuple[TestClient, str]:
        """A client with the role's session cookie, and its CSRF token."""
        c = self._client()
        token, csrf = self.world.sessions[role]
        c.cookies.set(SESSION_COOKIE, self.app.state.console.signer.dumps(token))
        return c, csrf

    def close(self) -> None:
        for c in self._open:
            c.__exit__(None, None, None)


@pytest.fixture
def clients(app, world: World) -> Iterator[Clients]:
    cs = Clients(app, world)
    yield cs
    cs.close()
