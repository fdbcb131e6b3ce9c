"""The app factory: ``create_app(settings)`` builds the console; ``uvicorn`` serves it.

Nothing connects at import time or in the factory: the engine is made on the first request and
disposed at shutdown. Every successful write request invalidates the board cache.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from duban import __version__
from duban.config import Settings
from duban.db import thread_limit
from duban.web import errors
from duban.web.compress import LEVEL, MINIMUM_SIZE, GzipMemo, RememberedGzip
from duban.web.input_guard import InputGuard, InputRefused
from duban.web.state import ConsoleState, business_clock, utc_now

HERE = Path(__file__).resolve().parent


# Content-Security-Policy: scripts and styles only from this site (no inline script: every page's
# JavaScript is a file under /static), no framing by other sites, no plugins.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SAFE_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", CSP.encode()),
]


SWAGGER = "/static/vendor/swagger-ui-5.36.0"
SWAGGER_PAGE = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>督办系统 duban — 接口文档</title><link rel="stylesheet" href="{SWAGGER}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div><script src="{SWAGGER}/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script></body></html>
"""


class _WriteWatch:
    """ASGI middleware: a successful write request makes the caches stale; safe default headers."""

    def __init__(self, app: ASGIApp, state: ConsoleState) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        writes = scope["method"] not in ("GET", "HEAD", "OPTIONS")
        status: list[int] = []

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                if writes and message["status"] < 400:
                    self.state.written()
                headers = list(message.get("headers", []))
                headers.extend(SAFE_HEADERS)
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            # a write that failed before answering may have committed part of its work; a refused
            # one (4xx: a 405, a failed login, a bad form) changed nothing and keeps the caches
            if writes and (not status or status[0] >= 500):
                self.state.written()


OPEN311_PREFIX = "/open311/v2"


def _refusal(request: Request, exc: InputRefused) -> Response:
    """The answer to a request refused at the door, in the shape its path answers errors."""
    if request.url.path.startswith(OPEN311_PREFIX):  # the spec's shape; a bad argument is a 400 there
        from duban.cases.open311.serialize import error_doc

        exc.status = 400 if exc.status == 422 else exc.status

        fmt = "xml" if request.url.path.endswith(".xml") else "json"
        if fmt == "xml":
            from duban.cases.open311.serialize import to_xml

            body = to_xml("errors", [error_doc(exc.status, exc.message)])
            return Response(body, status_code=exc.status, media_type="text/xml; charset=utf-8")
        return JSONResponse([error_doc(exc.status, exc.message)], status_code=exc.status)
    return errors.error_response(request, exc.status, exc.message, exc.field)


def create_app(settings: Settings, *, clock: Callable[[], datetime] | None = None) -> FastAPI:
    """The console for ``settings`` (``clock`` gives "now"; tests pass a fixed one)."""
    if clock is None:
        clock = business_clock(settings.business_date) if settings.business_date else utc_now
    state = ConsoleState(settings=settings, clock=clock)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Before the first request, not during it (under load the first ones waited ~2 s): FastAPI
        # builds an included router's routes on their first request, on the event loop; the
        # console's calendar, policies, templates.
        route_table(_app)
        state.warm()
        # Everything imported and built at start-up lives as long as the server: keep the cyclic
        # collector from walking it again on every pass (fewer, shorter pauses under load).
        gc.collect()
        gc.freeze()
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = thread_limit(settings)
        yield
        gc.unfreeze()
        state.dispose()

    app = FastAPI(
        title="督办系统 duban",
        version=__version__,
        description="政府工作报告 → 台账 → 督办时钟。JSON 接口：错误统一为 {detail, field}。",
        lifespan=lifespan,
        docs_url=None,  # served below from the vendored Swagger UI, not from a CDN
        redoc_url=None,
    )
    app.state.console = state
    errors.install(app)

    app.add_middleware(InputGuard, refuse=_refusal)
    app.add_middleware(_WriteWatch, state=state)
    # Pages are 20–80 KB of Chinese text; a phone on a slow network gets them gzipped (~1/8): a
    # page sent again from memory (web.compress), anything else (files, streams) by Starlette's.
    app.state.gzip_memo = GzipMemo()
    app.add_middleware(RememberedGzip, memo=app.state.gzip_memo)
    app.add_middleware(GZipMiddleware, minimum_size=MINIMUM_SIZE, compresslevel=LEVEL)

    from duban.web.api import auth as api_auth
    from duban.web.api import board as api_board
    from duban.web.api import cases as api_cases
    from duban.web.api import duties as api_duties
    from duban.web.api import levels as api_levels
    from duban.web.api import monitoring as api_monitoring
    from duban.web.api import plans as api_plans
    from duban.web.api import records as api_records
    from duban.web.api import sources as api_sources
    from duban.web.pages import admin as pages_admin
    from duban.web.pages import auth as pages_auth
    from duban.web.pages import board as pages_board
    from duban.web.pages import case_model as pages_case_model
    from duban.web.pages import cases as pages_cases
    from duban.web.pages import duty as pages_duty
    from duban.web.pages import levels as pages_levels
    from duban.web.pages import monitoring as pages_monitoring
    from duban.web.pages import plan_review as pages_plan_review
    from duban.web.pages import plans as pages_plans
    from duban.web.pages import public_cases as pages_public_cases
    from duban.web.pages import review as pages_review
    from duban.web.pages import sources as pages_sources
    from duban.web.pages import upload as pages_upload

    for module in (
        api_auth,
        api_plans,
        api_duties,
        api_board,
        api_records,
        api_cases,
        api_sources,
        api_monitoring,
        api_levels,
    ):
        app.include_router(module.router, prefix="/api")
    for module in (
        pages_auth,
        pages_board,
        pages_plan_review,
        pages_plans,
        pages_duty,
        pages_upload,
        pages_case_model,  # before pages_cases: /cases/model is not a /cases/{case_id}
        pages_cases,
        pages_public_cases,
        pages_review,
        pages_admin,
        pages_sources,
        pages_monitoring,
        pages_levels,
    ):
        app.include_router(module.router)
    from duban.web import open311
    from duban.web.api import sensors

    app.include_router(open311.router, prefix=OPEN311_PREFIX)
    app.include_router(sensors.router, prefix="/api")
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        """The API reference: Swagger UI from /static/vendor (no CDN), started by a static script."""
        return HTMLResponse(SWAGGER_PAGE)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        """For a load balancer or a process manager: the process answers (no database call).
        On the event loop, not the thread pool: a trivial answer should not queue for a thread
        (as a plain ``def`` it was slower than the console's cached pages under load, which made
        it a lenient reference for bench/serve.py)."""
        return {"status": "ok", "version": __version__}

    return app


def app_from_env() -> FastAPI:
    """The console for ``Settings.from_env()``: the factory each worker process of
    ``duban serve --workers N`` calls (``uvicorn duban.web.app:app_from_env --factory``)."""
    return create_app(Settings.from_env())


def route_table(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route the app serves (mounts as ("MOUNT", path)), in order."""
    from fastapi.routing import iter_route_contexts

    out: list[tuple[str, str]] = []
    for ctx in iter_route_contexts(app.routes):
        methods = getattr(ctx, "methods", None)
        path = str(ctx.path)
        if methods:
            out.extend((str(m), path) for m in sorted(methods) if m != "HEAD")
        else:
            out.append(("MOUNT", path))
    return out
