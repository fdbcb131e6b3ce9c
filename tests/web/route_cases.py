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

from tests.web.web_factories import CASE_IDS, CASE_TOKENS, PASSWORD, PDF_BYTES, UNIT_A, USERS, World

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPORT = FIXTURES / "小河市2024年政府工作报告.txt"
ROLES = ("office", "leader", "unit_a")

# Framework routes (OpenAPI, docs, static files): no case of their own, checked elsewhere.
FRAMEWORK = {
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("MOUNT", "/static"),
}


def evidence_file() -> dict[str, Any]:
    return {"file": ("验收照片.pdf", PDF_BYTES, "application/pdf")}


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
    setup: str | None = None  # what test_web_routes.run_setup() does first (as the right role)
    owned: bool = False  # path holds a duty/item of UNIT_A: another unit's officer must be refused

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


def default_params(world: World) -> dict[str, Any]:
    return {
        "plan_id": world.plan_id,
        "duty_id": world.duty_a,
        "item_id": world.item_a,
        "evidence_id": world.evidence_a,
    }


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
    Case("PUT", "/api/duties/{duty_id}/due", "office", 200, Req(json={"due": "2023-11-30"}),
         bad=Req(json={"due": "年底"}), bad_field="due", allowed=OFFICE, owned=True),
    Case("PUT", "/api/duties/{duty_id}/milestones", "office", 200,
         Req(json={"milestones": [{"name": "完成招标", "due": "2023-05-31"}]}),
         bad=Req(json={"milestones": [{"name": "", "due": "2023-05-31"}]}), bad_field="milestones.0.name",
         allowed=OFFICE, owned=True),
    Case("POST", "/api/duties/{duty_id}/milestones/{name}/done", "unit_a", 200, Req(params={"name": "完成招标"}),
         bad=Req(params={"name": "不存在的节点"}), bad_status=404, allowed=("office", "unit_a"),
         setup="milestones", owned=True),
    Case("GET", "/api/duties/{duty_id}/pace", "leader", 200, bad=Req(params={"duty_id": 999}), bad_status=404,
         bad_field="duty_id", owned=True),
    Case("GET", "/api/duties/{duty_id}/evidence", "office", 200, bad=Req(params={"duty_id": 999}), bad_status=404,
         bad_field="duty_id", owned=True),
    Case("POST", "/api/duties/{duty_id}/evidence", "unit_a", 201, Req(files=evidence_file),
         bad=Req(files=lambda: {"file": ("照片.png", PDF_BYTES, "image/png")}), bad_status=400, bad_field="file",
         allowed=UNIT, owned=True),
    Case("GET", "/api/duties/{duty_id}/evidence/{evidence_id}", "office", 200,
         bad=Req(params={"evidence_id": 999}), bad_status=404, owned=True),
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
    Case("GET", "/healthz", "anon", 200, public=True),
    Case("POST", "/login", "anon", 303, Req(form={"name": USERS["office"][0], "password": PASSWORD}),
         bad=Req(form={"name": USERS["office"][0]}), bad_field="password", public=True, setup="login_csrf"),
    Case("POST", "/logout", "office", 303),
    Case("GET", "/public", "anon", 200, bad=Req(query={"q": "长" * 51}), bad_field="q", public=True),
    Case("GET", "/public/places/{place}", "anon", 200, Req(params={"place": "示例市"}),
         bad=Req(params={"place": "无此市"}), bad_status=404, bad_field="place", public=True),
    Case("GET", "/review", "leader", 200, bad=Req(query={"q": "长" * 51}), bad_field="q"),
    Case("GET", "/board", "unit_a", 200, bad=Req(query={"light": "blue"}), bad_field="light"),
    Case("POST", "/tick", "office", 303, allowed=OFFICE),
    Case("GET", "/plans", "leader", 200),
    Case("GET", "/plans/{plan_id}", "unit_a", 200, bad=Req(params={"plan_id": 999}), bad_status=404),
    Case("POST", "/items/{item_id}/assign", "office", 303, Req(form={"unit": UNIT_A}),
         bad=Req(form={"unit": "不存在的局"}), bad_field="unit", allowed=OFFICE, owned=True),
    Case("POST", "/plans/{plan_id}/auto-assign", "office", 303, allowed=OFFICE),
    Case("POST", "/plans/{plan_id}/bulk-assign", "office", 303, Req(form={"unit": UNIT_A}),
         bad=Req(form={"unit": "不存在的局"}), bad_field="unit", allowed=OFFICE, setup="free_item"),
    Case("GET", "/duties/{duty_id}", "unit_a", 200, bad=Req(params={"duty_id": 999}), bad_status=404,
         bad_field="duty_id", owned=True),
    Case("POST", "/duties/{duty_id}/progress", "unit_a", 303, Req(form=PROGRESS),
         bad=Req(form={"text": "进展", "share": "许多"}), bad_field="share", allowed=UNIT, owned=True),
    Case("POST", "/duties/{duty_id}/closure-request", "unit_a", 303, Req(form={"text": "全部完成"}),
         bad=Req(form={"text": "长" * 5001}), bad_field="text", allowed=UNIT, setup="progress",
         owned=True),
    Case("POST", "/duties/{duty_id}/review", "office", 303, Req(form={"decision": "return", "reason": "佐证不足"}),
         bad=Req(form={"decision": "maybe"}), bad_field="decision", allowed=OFFICE, setup="closure", owned=True),
    Case("POST", "/duties/{duty_id}/due", "office", 303, Req(form={"due": "2023-11-30"}),
         bad=Req(form={"due": "年底"}), bad_field="due", allowed=OFFICE, owned=True),
    Case("POST", "/duties/{duty_id}/milestones", "office", 303, Req(form={"milestones": "完成招标 2023-05-31"}),
         bad=Req(form={"milestones": "完成招标 五月底"}), bad_field="milestones", allowed=OFFICE, owned=True),
    Case("POST", "/duties/{duty_id}/milestones/done", "unit_a", 303, Req(form={"name": "完成招标"}),
         bad=Req(form={"name": "不存在的节点"}), bad_status=404, allowed=("office", "unit_a"),
         setup="milestones", owned=True),
    Case("GET", "/duties/{duty_id}/evidence/{evidence_id}", "unit_a", 200, bad=Req(params={"evidence_id": 999}),
         bad_status=404, owned=True),
    Case("GET", "/plans/{plan_id}/review", "leader", 200, bad=Req(query={"format": "pdf"}), bad_field="format",
         allowed=READERS),
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
    # 账户管理 (the office only); user 4 is 教育局王五 (unit_b), whom no case signs in as the actor
    Case("GET", "/admin/users", "office", 200, allowed=OFFICE),
    Case("POST", "/admin/users", "office", 303,
         Req(form={"name": "新用户甲", "role": "unit", "unit": UNIT_A, "password": "Duban-new-2023"}),
         bad=Req(form={"name": "新用户乙", "role": "leader", "password": "123456"}), bad_status=400,
         bad_field="password", allowed=OFFICE),
    Case("POST", "/admin/users/{user_id}/active", "office", 303, Req(params={"user_id": 4}, form={"active": "false"}),
         bad=Req(params={"user_id": 999}, form={"active": "false"}), bad_status=404, bad_field="user_id",
         allowed=OFFICE),
    Case("POST", "/admin/users/{user_id}/password", "office", 303,
         Req(params={"user_id": 4}, form={"password": "Duban-reset-2023"}),
         bad=Req(params={"user_id": 4}, form={"password": "short"}), bad_status=400, bad_field="password",
         allowed=OFFICE),
    Case("POST", "/admin/users/{user_id}/role", "office", 303, Req(params={"user_id": 4}, form={"role": "leader"}),
         bad=Req(params={"user_id": 4}, form={"role": "king"}), bad_status=400, bad_field="role", allowed=OFFICE),
    Case("POST", "/admin/users/{user_id}/revoke-tokens", "office", 303, Req(params={"user_id": 4}, form={}),
         bad=Req(params={"user_id": 999}, form={}), bad_status=404, bad_field="user_id", allowed=OFFICE),
]  # fmt: skip


# ---- the case hub (工单): the template's cases are in CASE_STATES, one per state of the flow --------
class TrackToken:
    """The citizen token of the template's ``received`` case (known once the template is built)."""

    def __str__(self) -> str:
        return CASE_TOKENS["received"]


def on(state: str, **kw: Any) -> Req:
    """A request about the template's case in ``state``."""
    return Req(params={"case_id": CASE_IDS[state]}, **kw)


OFFICE_UNIT = ("office", "unit_a")
ALL_CASES = on("dispatched")
CASES += [
    # ---- API: cases
    Case("GET", "/api/cases", "office", 200, bad=Req(query={"status": "done"}), bad_field="status"),
    Case("POST", "/api/cases", "office", 201, Req(json={"content": "幸福路路灯不亮", "citizen_phone": "13900001111"}),
         bad=Req(json={"content": ""}), bad_field="content", allowed=OFFICE),
    Case("GET", "/api/cases/hot", "leader", 200, bad=Req(query={"days": 0}), bad_field="days", allowed=READERS),
    Case("GET", "/api/cases/rates", "unit_a", 200, bad=Req(query={"month": "2023-13"}), bad_field="month"),
    Case("GET", "/api/cases/report.xlsx", "leader", 200, bad=Req(query={"month": "三月"}), bad_field="month"),
    Case("GET", "/api/cases/{case_id}", "unit_a", 200, ALL_CASES, bad=Req(params={"case_id": 999}),
         bad_status=404, bad_field="case_id"),
    Case("POST", "/api/cases/{case_id}/dispatch", "office", 200, on("received", json={"unit": UNIT_A}),
         bad=on("received", json={"unit": "火星局"}), bad_field="unit", allowed=OFFICE),
    Case("POST", "/api/cases/{case_id}/accept", "unit_a", 200, on("dispatched"), bad=on("in_progress"),
         bad_status=409, bad_field="status", allowed=OFFICE_UNIT),
    Case("POST", "/api/cases/{case_id}/return", "unit_a", 200, on("dispatched", json={"reason": "不属于本单位职责"}),
         bad=on("dispatched", json={"reason": ""}), bad_field="reason", allowed=OFFICE_UNIT),
    Case("POST", "/api/cases/{case_id}/start", "unit_a", 200, on("accepted"), bad=on("dispatched"),
         bad_status=409, bad_field="status", allowed=OFFICE_UNIT),
    Case("POST", "/api/cases/{case_id}/settle", "unit_a", 200, on("in_progress", json={"reply": "已修复"}),
         bad=on("in_progress", json={}), bad_field="reply", allowed=OFFICE_UNIT),
    Case("POST", "/api/cases/{case_id}/follow-up", "office", 200, on("settled", json={"satisfaction": "满意"}),
         bad=on("settled", json={"satisfaction": "很好"}), bad_field="satisfaction", allowed=OFFICE),
    Case("POST", "/api/cases/{case_id}/redo", "unit_a", 200, on("reopened"), bad=on("settled"), bad_status=409,
         bad_field="status", allowed=OFFICE_UNIT),
    Case("POST", "/api/cases/{case_id}/archive", "office", 200, on("followed_up"), bad=on("received"),
         bad_status=409, bad_field="status", allowed=OFFICE),
    Case("POST", "/api/cases/{case_id}/extension", "unit_a", 200, on("accepted", json={"workdays": 3, "reason": "需协调"}),
         bad=on("accepted", json={"workdays": 0, "reason": "需协调"}), bad_field="workdays", allowed=OFFICE_UNIT),
    Case("POST", "/api/cases/{case_id}/extension/decision", "office", 200, on("extension", json={"approve": True}),
         bad=on("extension", json={"approve": "也许"}), bad_field="approve", allowed=OFFICE),
    Case("POST", "/api/cases/{case_id}/category", "office", 200, on("review", json={"category": "市容环卫"}),
         bad=on("review", json={"category": ""}), bad_field="category", allowed=OFFICE),
    Case("POST", "/api/cases/{case_id}/link", "office", 200, on("received", json={"item_id": None}),
         bad=on("received", json={"item_id": 99999}), bad_field="item_id", allowed=OFFICE),
    # ---- pages: cases, and the citizens' report and track pages
    Case("GET", "/cases", "unit_a", 200, bad=Req(query={"channel": "pigeon"}), bad_field="channel"),
    Case("GET", "/cases/new", "office", 200, allowed=OFFICE),
    Case("POST", "/cases/new", "office", 303, Req(form={"content": "幸福路路灯不亮", "address": "幸福路"}),
         bad=Req(form={"title": "路灯"}), bad_field="content", allowed=OFFICE),
    Case("GET", "/cases/hot", "office", 200, bad=Req(query={"days": 0}), bad_field="days", allowed=READERS),
    Case("GET", "/cases/rates", "leader", 200, bad=Req(query={"month": "2023-3"}), bad_field="month"),
    Case("GET", "/cases/report.xlsx", "unit_a", 200, bad=Req(query={"month": "x"}), bad_field="month"),
    Case("GET", "/cases/{case_id}", "unit_a", 200, ALL_CASES, bad=Req(params={"case_id": 999}), bad_status=404,
         bad_field="case_id"),
    Case("POST", "/cases/{case_id}/action", "unit_a", 303, on("dispatched", form={"action": "accept"}),
         bad=on("dispatched", form={"action": "return"}), bad_field="reason", allowed=OFFICE_UNIT),
    Case("GET", "/cases/model", "office", 200, allowed=OFFICE),
    Case("POST", "/cases/model/retrain", "office", 303, Req(form={}), bad=Req(form={"force": "maybe"}),
         bad_field="force", allowed=OFFICE, setup="case_model"),
    Case("GET", "/report", "anon", 200, public=True),
    Case("POST", "/report", "anon", 303, Req(form={"title": "路灯不亮", "content": "幸福路路灯不亮"}),
         bad=Req(form={"title": "路灯不亮"}), bad_field="content", public=True, setup="report_csrf"),
    Case("GET", "/track/{token}", "anon", 200, Req(params={"token": TrackToken()}),
         bad=Req(params={"token": "22222222"}), bad_status=404, bad_field="code", public=True),
    Case("GET", "/track", "anon", 200, bad=Req(query={"code": "22222223"}), bad_status=400, bad_field="code",
         public=True),
]  # fmt: skip


# ---- sources of duties (上级交办 … 政协委员提案): a proposal list, its replies ------------------------
def proposal_file() -> dict[str, Any]:
    """A one-row proposal list whose 承办单位 is UNIT_A."""
    from tests.ledger.source_lists import PROPOSAL_HEADERS, xlsx

    data = xlsx(PROPOSAL_HEADERS, (("T100", "王委员", "关于加快新建幼儿园的提案", UNIT_A),))
    return {"file": ("提案清单.xlsx", data, "application/octet-stream")}


RATE = {"satisfaction": "不满意", "opinion": "学位仍不足"}
EXTEND = {"due": "2023-08-31", "reason": "需实地调研"}
CASES += [
    Case("GET", "/api/board/sources", "unit_a", 200),
    Case("GET", "/api/board/sources/ranking", "leader", 200, bad=Req(query={"source": "议案"}), bad_field="source"),
    Case("POST", "/api/sources/import", "office", 201, Req(form={"source": "提案"}, files=proposal_file),
         bad=Req(form={"source": "议案"}, files=proposal_file), bad_status=400, bad_field="source", allowed=OFFICE),
    Case("GET", "/api/duties/{duty_id}/replies", "unit_a", 200, bad=Req(params={"duty_id": 999}), bad_status=404,
         bad_field="duty_id",
         owned=True),
    Case("POST", "/api/duties/{duty_id}/reply", "unit_a", 200, Req(json={"text": "已新建幼儿园3所"}),
         bad=Req(json={"text": ""}), bad_field="text", allowed=UNIT, setup="proposal", owned=True),
    Case("POST", "/api/duties/{duty_id}/satisfaction", "office", 200, Req(json=RATE),
         bad=Req(json={"satisfaction": "很好"}), bad_field="satisfaction", allowed=OFFICE, setup="replied", owned=True),
    Case("POST", "/api/duties/{duty_id}/extension", "office", 200, Req(json=EXTEND),
         bad=Req(json={"due": "八月", "reason": "调研"}), bad_field="due", allowed=OFFICE, setup="proposal",
         owned=True),
    Case("GET", "/sources", "leader", 200),
    Case("POST", "/sources/import", "office", 303, Req(form={"source": "proposal"}, files=proposal_file),
         bad=Req(form={"source": "议案"}, files=proposal_file), bad_status=400, bad_field="source", allowed=OFFICE),
    Case("POST", "/duties/{duty_id}/reply", "unit_a", 303, Req(form={"text": "已新建幼儿园3所"}),
         bad=Req(form={"text": "长" * 5001}), bad_field="text", allowed=UNIT, setup="proposal", owned=True),
    Case("POST", "/duties/{duty_id}/satisfaction", "office", 303, Req(form=RATE),
         bad=Req(form={"satisfaction": "很好"}), bad_field="satisfaction", allowed=OFFICE, setup="replied",
         owned=True),
    Case("POST", "/duties/{duty_id}/extension", "office", 303, Req(form=EXTEND),
         bad=Req(form={"due": "八月", "reason": "调研"}), bad_field="due", allowed=OFFICE, setup="proposal",
         owned=True),
]  # fmt: skip

# ---- levels of government (省/市/县/乡): the tree, a duty's levels, hand-down, the roll-up ------------
DOWN = {"to": "甲县"}
CASES += [
    Case("GET", "/api/governments", "unit_a", 200),
    Case("GET", "/api/board/governments", "leader", 200, allowed=READERS),
    Case("GET", "/api/duties/{duty_id}/levels", "leader", 200, bad=Req(params={"duty_id": 999}), bad_status=404,
         bad_field="duty_id", owned=True),
    Case("POST", "/api/duties/{duty_id}/hand-down", "office", 201, Req(json=DOWN),
         bad=Req(json={"to": "火星县"}), bad_status=400, bad_field="to", allowed=OFFICE, setup="counties",
         owned=True),
    Case("POST", "/duties/{duty_id}/hand-down", "office", 303, Req(form=DOWN),
         bad=Req(form={"to": "火星县"}), bad_status=400, bad_field="to", allowed=OFFICE, setup="counties",
         owned=True),
]  # fmt: skip

BY_ID = {c.id: c for c in CASES}


def upload_token(html: str) -> str:
    m = re.search(r'name="token" value="([^"]+)"', html)
    assert m, "upload preview page has no token"
    return m.group(1)


# ---- 防返贫监测 (the monitoring list): API and pages ----------------------------------------------
def _monitoring_cases() -> list[Case]:
    from tests.monitoring.factories import id_number, workbook_bytes
    from tests.web.monitoring_world import HOUSEHOLD_IDS, MEASURE_IDS

    def hh(name: str, **kw: Any) -> Req:
        return Req(params={"household_id": HOUSEHOLD_IDS[name]}, **kw)

    def xlsx() -> dict[str, Any]:
        row = [
            "样例县",
            "城关镇",
            "西村",
            "李四",
            id_number(77),
            "13900001111",
            3,
            "突发严重困难户",
            "因灾",
            5200,
        ]
        return {"file": ("监测对象.xlsx", workbook_bytes([row]), "application/octet-stream")}

    def txt() -> dict[str, Any]:
        return {"file": ("名单.txt", "李四".encode(), "text/plain")}

    new = {
        "county": "样例县",
        "township": "城关镇",
        "village": "西村",
        "head_name": "李四",
        "id_number": id_number(88),
        "household_type": "突发严重困难户",
        "risks": ["因灾"],
        "phone": "13900001111",
        "members": 3,
    }
    visit = {"visited_on": "2023-03-01", "visitor": "驻村干部", "income_per_person": 8200}
    return [
        Case("GET", "/api/monitoring/households", "office", 200, bad=Req(query={"status": "done"}), bad_field="status"),
        Case("POST", "/api/monitoring/households", "office", 201, Req(json=new),
             bad=Req(json={**new, "id_number": "140121197001010000"}), bad_field="id_number", allowed=OFFICE),
        Case("GET", "/api/monitoring/households/{household_id}", "unit_a", 200, hh("mine"),
             bad=Req(params={"household_id": 999}), bad_status=404, bad_field="household_id"),
        Case("POST", "/api/monitoring/households/{household_id}/measures", "office", 201,
             hh("mine", json={"measure_type": "就业帮扶", "unit": UNIT_A, "content": "公益岗位"}),
             bad=hh("mine", json={"measure_type": "画饼", "unit": UNIT_A, "content": "公益岗位"}),
             bad_field="measure_type", allowed=OFFICE),
        Case("POST", "/api/monitoring/measures/{measure_id}/done", "unit_a", 200,
             Req(params={"measure_id": MEASURE_IDS["mine"]}, json={"note": "已报销医疗费"}),
             bad=Req(params={"measure_id": MEASURE_IDS["mine"]}, json={"note": ""}), bad_field="note",
             allowed=OFFICE_UNIT),
        Case("POST", "/api/monitoring/households/{household_id}/visits", "unit_a", 201, hh("mine", json=visit),
             bad=hh("mine", json={**visit, "visited_on": "昨天"}), bad_field="visited_on", allowed=OFFICE_UNIT),
        Case("POST", "/api/monitoring/households/{household_id}/risks", "unit_a", 200, hh("mine", json={"risks": ["因灾"]}),
             bad=hh("mine", json={"risks": ["因懒"]}), bad_field="risks", allowed=OFFICE_UNIT),
        Case("POST", "/api/monitoring/households/{household_id}/clear", "office", 200, hh("ready", json={}),
             bad=hh("mine", json={}), bad_status=409, bad_field="status", allowed=OFFICE),
        Case("GET", "/api/monitoring/board", "leader", 200),
        Case("POST", "/api/monitoring/import", "office", 200, Req(files=xlsx), bad=Req(files=txt), bad_field="file",
             allowed=OFFICE),
        Case("GET", "/api/monitoring/export.xlsx", "office", 200, allowed=READERS),
        Case("GET", "/monitoring", "unit_a", 200, bad=Req(query={"status": "done"}), bad_field="status"),
        Case("GET", "/monitoring/new", "office", 200, allowed=OFFICE),
        Case("POST", "/monitoring/new", "office", 303, Req(form=new),
             bad=Req(form={**new, "id_number": "12345"}), bad_field="id_number", allowed=OFFICE),
        Case("POST", "/monitoring/import", "office", 303, Req(files=xlsx), bad=Req(files=txt), bad_field="file",
             allowed=OFFICE),
        Case("GET", "/monitoring/{household_id}", "unit_a", 200, hh("mine"), bad=Req(params={"household_id": 999}),
             bad_status=404, bad_field="household_id"),
        Case("POST", "/monitoring/{household_id}/action", "unit_a", 303, hh("mine", form={"action": "visit", **visit}),
             bad=hh("mine", form={"action": "visit", **visit, "visited_on": "x"}), bad_field="visited_on",
             allowed=OFFICE_UNIT),
    ]  # fmt: skip


CASES += _monitoring_cases()
BY_ID = {c.id: c for c in CASES}
