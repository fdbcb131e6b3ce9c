"""The table of every route the console serves: how to call it, who may, what a bad call is.

``tests/web/test_web_routes.py`` checks that this table and ``app.routes`` name the same routes,
so a new route without a case fails the suite.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.web.web_factories import PASSWORD, UNIT_A, USERS, World

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPORT = FIXTURES / "小河市2024年政府工作报告.txt"
ROLES = ("office", "leader", "unit_a")

# Framework routes (OpenAPI, docs, static files): no case of their own, checked elsewhere.
FRAMEWORK = {
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
    ("MOUNT", "/static"),
}


def report_file() -> dict[str, Any]:
    return {"file": (REPORT.name, REPORT.read_bytes(), "text/plain")}


@dataclass(frozen=True)
class Req:
    """What to send: path parameters, a JSON body, form fields, files, query."""

    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    form: dict[str, Any] | None = None
    files: Callable[[], dict[str, Any]] | None = None
    query: dict[str, Any] | None = None


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    ok_role: str  # role key, or "anon" for public routes
    ok_status: int
    ok: Req = Req()
    bad: Req | None = None  # bad input → 4xx naming ``bad_field``
    bad_status: int = 422
    bad_field: str | None = None
    allowed: tuple[str, ...] = ROLES  # roles let in (others: 403)
    public: bool = False
    setup: str | None = None  # a name from SETUPS run first (as the right role)
    owned: bool = False  # path holds a duty/item of UNIT_A: another unit's officer must be refused

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


def default_params(world: World) -> dict[str, Any]:
    return {"plan_id": world.plan_id, "duty_id": world.duty_a, "item_id": world.item_a}


OFFICE = ("office",)
UNIT = ("unit_a",)
READERS = ("office", "leader")
PROGRESS = {"text": "已完成项目前期手续，开工 30 个", "share": 25}

CASES: list[Case] = [
    # ---- API: accounts
    Case("POST", "/api/auth/token", "anon", 200, Req(json={"name": USERS["office"][0], "password": PASSWORD}),
         bad=Req(json={"name": USERS["office"][0]}), bad_field="password", public=True),
    Case("GET", "/api/me", "office", 200),
    # ---- API: plans and items
    Case("GET", "/api/plans", "office", 200),
    Case("GET", "/api/plans/{plan_id}", "office", 200, bad=Req(params={"plan_id": "abc"}), bad_field="plan_id"),
    Case("GET", "/api/plans/{plan_id}/items", "office", 200, bad=Req(params={"plan_id": 999}), bad_status=404),
    Case("POST", "/api/plans/preview", "office", 200, Req(files=report_file), bad=Req(form={"year": "2024"}),
         bad_field="file", allowed=OFFICE),
    Case("POST", "/api/plans", "office", 201, Req(files=report_file),
         bad=Req(files=lambda: {"file": ("a.exe", b"MZ", "application/octet-stream")}), bad_field="file",
         allowed=OFFICE),
    Case("POST", "/api/plans/{plan_id}/auto-assign", "office", 200, bad=Req(params={"plan_id": 999}),
         bad_status=404, allowed=OFFICE),
    Case("GET", "/api/items/{item_id}", "office", 200, bad=Req(params={"item_id": 999}), bad_status=404,
         bad_field="item_id", owned=True),
    Case("POST", "/api/items/{item_id}/assign", "office", 200, Req(json={"unit": UNIT_A}),
         bad=Req(json={"unit": "不存在的局"}), bad_field="unit", allowed=OFFICE, owned=True),
    # ---- API: duties
    Case("GET", "/api/duties", "office", 200, bad=Req(query={"light": "purple"}), bad_field="light"),
    Case("GET", "/api/duties/{duty_id}", "office", 200, bad=Req(params={"duty_id": "x"}), bad_field="duty_id",
         owned=True),
    Case("GET", "/api/duties/{duty_id}/progress", "unit_a", 200, bad=Req(params={"duty_id": 999}),
         bad_status=404, bad_field="duty_id", owned=True),
    Case("POST", "/api/duties/{duty_id}/progress", "unit_a", 201, Req(json=PROGRESS),
         bad=Req(json={"text": "进展", "share": 120}), bad_field="share", allowed=UNIT, owned=True),
    Case("POST", "/api/duties/{duty_id}/closure-request", "unit_a", 200, Req(json={"text": "全部完成"}),
         bad=Req(json={"text": 5}), bad_field="text", allowed=UNIT, setup="progress", owned=True),
    Case("POST", "/api/duties/{duty_id}/review", "office", 200, Req(json={"decision": "approve", "grade": "良好"}),
         bad=Req(json={"decision": "return"}), bad_field="reason", allowed=OFFICE, setup="closure", owned=True),
    Case("GET", "/api/duties/{duty_id}/events", "leader", 200, owned=True),
    # ---- API: board, units, events, clock, public, ledger files
    Case("GET", "/api/board", "leader", 200, bad=Req(query={"status": "done"}), bad_field="status"),
    Case("GET", "/api/units", "unit_a", 200),
    Case("GET", "/api/events", "leader", 200, bad=Req(query={"limit": 0}), bad_field="limit", allowed=READERS),
    Case("POST", "/api/tick", "office", 200, allowed=OFFICE),
    Case("GET", "/api/public/headlines", "anon", 200, public=True),
    Case("GET", "/api/ledger.xlsx", "office", 200, allowed=READERS),
    Case("POST", "/api/ledger/import", "office", 200, Req(files=lambda: {"file": ("台账.xlsx", b"", "x")}),
         bad=Req(files=lambda: {"file": ("台账.txt", b"abc", "text/plain")}), bad_field="file", allowed=OFFICE,
         setup="export"),
    # ---- pages
    Case("GET", "/", "anon", 303, public=True),
    Case("GET", "/login", "anon", 200, public=True),
    Case("POST", "/login", "anon", 303, Req(form={"name": USERS["office"][0], "password": PASSWORD}),
         bad=Req(form={"name": USERS["office"][0]}), bad_field="password", public=True, setup="login_csrf"),
    Case("POST", "/logout", "office", 303),
    Case("GET", "/public", "anon", 200, public=True),
    Case("GET", "/board", "unit_a", 200, bad=Req(query={"light": "blue"}), bad_field="light"),
    Case("POST", "/tick", "office", 303, allowed=OFFICE),
    Case("GET", "/plans", "leader", 200),
    Case("GET", "/plans/{plan_id}", "unit_a", 200, bad=Req(params={"plan_id": 999}), bad_status=404),
    Case("POST", "/items/{item_id}/assign", "office", 303, Req(form={"unit": UNIT_A}),
         bad=Req(form={"unit": "不存在的局"}), bad_field="unit", allowed=OFFICE, owned=True),
    Case("POST", "/plans/{plan_id}/auto-assign", "office", 303, allowed=OFFICE),
    Case("GET", "/duties/{duty_id}", "unit_a", 200, bad=Req(params={"duty_id": 999}), bad_status=404,
         bad_field="duty_id", owned=True),
    Case("POST", "/duties/{duty_id}/progress", "unit_a", 303, Req(form=PROGRESS),
         bad=Req(form={"text": "进展", "share": "许多"}), bad_field="share", allowed=UNIT, owned=True),
    Case("POST", "/duties/{duty_id}/closure-request", "unit_a", 303, Req(form={"text": "全部完成"}),
         bad=Req(form={"text": "长" * 5001}), bad_field="text", allowed=UNIT, setup="progress",
         owned=True),
    Case("POST", "/duties/{duty_id}/review", "office", 303, Req(form={"decision": "return", "reason": "佐证不足"}),
         bad=Req(form={"decision": "maybe"}), bad_field="decision", allowed=OFFICE, setup="closure", owned=True),
    Case("GET", "/upload", "office", 200, allowed=OFFICE),
    Case("POST", "/upload", "office", 200, Req(files=report_file),
         bad=Req(files=lambda: {"file": ("空.txt", b"", "text/plain")}), bad_field="file", allowed=OFFICE),
    Case("POST", "/upload/confirm", "office", 303, Req(form={"checked": "true"}),
         bad=Req(form={"token": "nope", "checked": "true"}), bad_status=404, bad_field="token", allowed=OFFICE,
         setup="upload"),
    Case("GET", "/ledger.xlsx", "leader", 200, allowed=READERS),
    Case("POST", "/ledger/import", "office", 200, Req(files=lambda: {"file": ("台账.xlsx", b"", "x")}),
         bad=Req(files=lambda: {"file": ("台账.csv", b"a,b", "text/csv")}), bad_field="file", allowed=OFFICE,
         setup="export"),
]  # fmt: skip

BY_ID = {c.id: c for c in CASES}


def upload_token(html: str) -> str:
    m = re.search(r'name="token" value="([^"]+)"', html)
    assert m, "upload preview page has no token"
    return m.group(1)
