"""Answers of the console's reads, kept until the data changes.

Every change to the database writes an event (:mod:`duban.audit`), so the newest event id is the
version of everything the console shows, also for changes made by another worker or process (a
tick from cron, the MQTT gateway). A GET route decorated with :func:`remembered` answers from the
cache when the same account asked for the same path and query at the same version (and, for
answers about a window that ends now, within the same minute); else it runs as written, in a worker
thread with its own session, and its answer is kept if it is a plain 200.

The version is read again only once the database's change signal has moved
(:mod:`duban.web.changes`; a browser's request reads it with its session check,
:mod:`duban.web.deps`), so everyone's writes are seen at once; without a signal an API client's
request takes it as this process last read it, at most ``version_every`` (1 s) old
(:meth:`ConsoleState.data_version`). A kept answer is sent from the event loop, with no thread,
session or query of its own.

What is kept is per account (an answer holds what its 辖区 and role may see, and a page its
session's CSRF token), never an error, a page showing a one-time note or an answer that sets a
cookie. The cache is bounded in bytes (least recently used first out).
"""

from __future__ import annotations

import functools
import inspect
import zlib
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal, get_type_hints

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from pydantic import TypeAdapter
from starlette.responses import Response

from duban.clock.calendar import local_date
from duban.db import session_scope
from duban.web import notes
from duban.web.deps import Who, state_of
from duban.web.state import ConsoleState

Per = Literal["day", "minute"]


# A kept answer: its body and the headers to send it with, as a plain tuple of bytes and strings.
# The garbage collector stops tracking such a tuple, so thousands of kept answers add nothing to
# its full collections (as objects, 4,509 answers were 9,018 objects walked by each; the cache
# weighs them with web.cache.answer_weight).
Answer = tuple[bytes, tuple[tuple[str, str], ...]]


def _send(answer: Answer) -> Response:
    return Response(answer[0], headers=dict(answer[1]))


_DROP = {"content-length", "set-cookie"}


def _answer(resp: Response) -> Answer | None:
    """The answer to keep from ``resp``; None when it must not be kept."""
    if resp.status_code != 200 or "set-cookie" in resp.headers:
        return None
    body = resp.body
    if not isinstance(body, bytes):
        return None
    return bytes(body), tuple((k, v) for k, v in resp.headers.items() if k not in _DROP)


def _moment(now: datetime, per: Per, path: str) -> object:
    """What of ``now`` an answer is kept for: its Beijing day (the lights change at midnight), or
    a minute — each path's own minute, begun at a second of its own, so the answers do not all
    expire in the same second (500 case pages kept per minute and recomputed at once made the
    case page's p99 5× `/healthz`'s); a per-minute answer is at most a minute old."""
    if per == "day":
        return local_date(now)
    return (now.timestamp() + zlib.crc32(path.encode()) % 60) // 60


def remembered(per: Per = "day") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a GET route (a plain ``def`` taking ``who``, and ``session`` when it reads the
    database) so that its answers are kept until the data changes. ``per``: what of "now" the
    answer depends on besides the data — the Beijing day (both the duties' and the hotline's
    clocks count whole days: lights, overdue, rates) or the minute (a window that ends now: the
    hot spots of the last N days). The decorated route is ``async``: a kept answer is
    sent from the event loop; the route itself runs in a worker thread, with a session of its own."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        sig = inspect.signature(fn)
        assert "who" in sig.parameters, f"{fn.__name__}: a remembered route names its account 'who'"
        wants_session = "session" in sig.parameters
        wants_request = "request" in sig.parameters
        hints = get_type_hints(fn, include_extras=True)  # FastAPI reads the wrapper's, not fn's module
        params = [
            p.replace(annotation=hints.get(p.name, p.annotation))
            for p in sig.parameters.values()
            if p.name not in ("session", "request")
        ]
        params.insert(
            0, inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)
        )
        returns = hints.get("return", Response)
        encode = _encoder(returns)

        def call(request: Request, kwargs: dict[str, Any]) -> Response:
            args = dict(kwargs)
            if wants_request:
                args["request"] = request
            if not wants_session:
                return encode(fn(**args))
            with session_scope(state_of(request).engine) as session:
                return encode(fn(session=session, **args))

        @functools.wraps(fn)
        async def endpoint(request: Request, **kwargs: Any) -> Response:
            st = state_of(request)
            who: Who = kwargs["who"]
            if request.cookies.get(notes.COOKIE):  # the page shows the note once: not kept
                return await run_in_threadpool(call, request, kwargs)
            account = who.account
            key = (
                fn.__module__,
                fn.__qualname__,
                request.url.path,
                request.url.query,
                account.id if account else None,
                who.csrf,
                _moment(who.now, per, f"{request.url.path}?{request.url.query}"),
            )
            # exact when read with a browser's session, else as this process last read it
            version = getattr(request.state, "data_version", None) or await st.data_version_async()
            request.state.data_version = version  # for the caches the route keeps itself (cached_duty)
            hit: Answer | None = st.read_cache.get((*key, version))
            if hit is not None:
                return _send(hit)
            answer = await run_in_threadpool(_serve, st, (*key, version), lambda: call(request, kwargs))
            return answer if isinstance(answer, Response) else _send(answer)

        # the route's own return type stays its response model (OpenAPI), though a Response is sent
        endpoint.__signature__ = sig.replace(parameters=params, return_annotation=returns)  # type: ignore[attr-defined]
        endpoint.__annotations__ = {p.name: p.annotation for p in params} | {"return": returns}
        endpoint.remembered_per = per  # type: ignore[attr-defined]  # (tests list the remembered routes)
        return endpoint

    return wrap


def _serve(st: ConsoleState, key: tuple[object, ...], call: Callable[[], Response]) -> Answer | Response:
    """The kept answer for ``key``, or ``call()``'s (kept when it may be; one caller computes it
    while the others asking for the same key wait)."""
    made: list[Response] = []

    def compute() -> Answer | None:
        resp = call()
        made.append(resp)
        return _answer(resp)

    answer: Answer | None = st.read_cache.get_or_compute(key, compute)
    if made:  # computed here: send what was made (it may not have been kept)
        return made[0]
    assert answer is not None
    return answer


def _encoder(returns: Any) -> Callable[[Any], Response]:
    """How a route's return value becomes the bytes FastAPI would send: a Response as it is, else
    validated and dumped as its return type (as FastAPI does with a response model)."""
    raw = isinstance(returns, type) and issubclass(returns, Response)
    ta: TypeAdapter[Any] | None = None if raw else TypeAdapter(returns)

    def encode(value: Any) -> Response:
        if isinstance(value, Response):
            return value
        assert ta is not None, "a route typed as returning a Response returned something else"
        body = ta.dump_json(ta.validate_python(value, from_attributes=True), by_alias=True)
        return Response(body, media_type="application/json")

    return encode
