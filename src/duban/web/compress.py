"""Gzipped answers, remembered: a page sent again is not compressed again.

Browsers ask for gzip, and the console's pages are 20–80 KB of Chinese text, so every page a
browser gets is compressed (~1/8 of its size). Most of them are kept answers
(:mod:`duban.web.read_cache`, the boards), sent again and again as the very same ``bytes``
object; compressing such a body at level 5 cost about as much again as sending it from the
cache (the 80 KB board page: 0.47 ms). This middleware keeps each body's gzipped bytes, keyed by
the body itself (a ``bytes`` object keeps its hash once computed, and a kept answer compares
equal to itself by identity first), least recently used first out within :data:`MAX_BYTES`. It
handles GETs answered in one piece with a text or JSON type; anything else (a write's answer, a
file download, a stream, an answer already encoded) goes on to Starlette's ``GZipMiddleware``
around it, which leaves what this one encoded alone.
"""

from __future__ import annotations

import gzip
from collections import OrderedDict

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MINIMUM_SIZE = 2048  # below this gzip hardly pays (as the outer GZipMiddleware's minimum)
LEVEL = 5
MAX_BYTES = 32 * 1024 * 1024  # bodies and their gzipped bytes kept, per worker
_TYPES = ("text/", "application/json", "application/javascript")


class GzipMemo:
    """Bodies and their gzipped bytes, least recently used first out within ``max_bytes``."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._kept: OrderedDict[bytes, bytes] = OrderedDict()

    def gzipped(self, body: bytes) -> bytes:
        """``body`` gzipped (as ``gzip.compress`` at :data:`LEVEL`), from memory when seen before."""
        found = self._kept.get(body)
        if found is not None:
            self._kept.move_to_end(body)
            self.hits += 1
            return found
        self.misses += 1
        packed = gzip.compress(body, compresslevel=LEVEL, mtime=0)
        weight = len(body) + len(packed)
        if weight <= self.max_bytes:
            self._kept[body] = packed
            self.size += weight
            while self.size > self.max_bytes:
                old, old_packed = self._kept.popitem(last=False)
                self.size -= len(old) + len(old_packed)
        return packed


class RememberedGzip:
    """ASGI middleware: a one-piece text or JSON answer to a GET of at least :data:`MINIMUM_SIZE`
    bytes is sent gzipped to a client that accepts gzip, from ``memo`` when its body was sent before."""

    def __init__(self, app: ASGIApp, memo: GzipMemo) -> None:
        self.app = app
        self.memo = memo

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"  # a write's answer is sent once: Starlette's gzips it
            or "gzip" not in Headers(scope=scope).get("accept-encoding", "")
        ):
            await self.app(scope, receive, send)
            return
        start: Message | None = None  # held until the body says whether it comes in one piece

        async def send_gzipped(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if start is None:
                await send(message)
                return
            body: bytes = message.get("body", b"")
            if message["type"] == "http.response.body" and _compressible(start, body, message):
                headers = MutableHeaders(raw=start["headers"])
                packed = self.memo.gzipped(body)
                headers["Content-Encoding"] = "gzip"
                headers["Content-Length"] = str(len(packed))
                headers.add_vary_header("Accept-Encoding")
                message = {**message, "body": packed}
            await send(start)
            start = None
            await send(message)

        await self.app(scope, receive, send_gzipped)


def _compressible(start: Message, body: bytes, message: Message) -> bool:
    if message.get("more_body", False) or len(body) < MINIMUM_SIZE:
        return False
    headers = Headers(raw=start["headers"])
    return "content-encoding" not in headers and headers.get("content-type", "").startswith(_TYPES)
