"""The door check every request passes before a handler sees it: text the database could not
store or a parser could not survive is refused with 4xx naming the field, never a 500.

- the query string and form bodies (``application/x-www-form-urlencoded``): each name and value
  must be valid UTF-8 (refused, not stored as U+FFFD) and free of NUL bytes (PostgreSQL refuses
  them in text);
- JSON bodies: parsed once here with a depth limit (a ``[``×200,000 body is 422, not a
  RecursionError), no NaN or Infinity, no number too large to be finite, no NUL in any string;
- a body larger than ``MAX_BODY`` (uploads, multipart, are the upload code's business) is 413.

The body read here is handed on unchanged, so handlers parse it as before.
"""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 1024 * 1024
MAX_DEPTH = 32


class InputRefused(Exception):
    """A request refused at the door: status, a Chinese message and the field at fault."""

    def __init__(self, status: int, message: str, field: str | None) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


def check_pairs(raw: bytes, where: str) -> None:
    """Each ``name=value`` of a query string or a form body: valid UTF-8, no NUL.

    >>> check_pairs(b"a=1&b=%E4%B8%AD", "query")
    >>> check_pairs(b"title=%FF%FE", "form")
    Traceback (most recent call last):
    duban.web.input_guard.InputRefused: 字段 title: 不是有效的 UTF-8 文字
    """
    for pair in raw.split(b"&"):
        if not pair:
            continue
        name_raw, _, value_raw = pair.partition(b"=")
        name_b = unquote_to_bytes(name_raw.replace(b"+", b" "))
        value_b = unquote_to_bytes(value_raw.replace(b"+", b" "))
        try:
            name = name_b.decode("utf-8")
        except UnicodeDecodeError:
            raise InputRefused(400, f"{where} 中的参数名不是有效的 UTF-8 文字", None) from None
        try:
            value_b.decode("utf-8")
        except UnicodeDecodeError:
            raise InputRefused(422, f"字段 {name}: 不是有效的 UTF-8 文字", name) from None
        if b"\x00" in name_b or b"\x00" in value_b:
            raise InputRefused(422, f"字段 {name}: 不能含空字符（NUL）", name)


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def check_json(body: bytes) -> None:
    """A JSON body: parseable, at most ``MAX_DEPTH`` deep, finite numbers, no NUL in strings.

    >>> check_json(b'{"a": [1, "x"]}')
    >>> check_json(b'{"figure": 1e309}')
    Traceback (most recent call last):
    duban.web.input_guard.InputRefused: 字段 figure: 应为有限的数（不能是 NaN 或无穷大）
    """
    if not body.strip():
        return
    depth = peak = 0
    in_string = escaped = False
    for byte in body:  # the nesting depth, before the parser recurses into it
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > MAX_DEPTH:
                raise InputRefused(422, f"请求体嵌套过深：最多 {MAX_DEPTH} 层", None)
            peak = max(peak, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    try:
        doc = json.loads(body, parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise InputRefused(422, "请求体不是有效的 UTF-8 文字", None) from None
    except (ValueError, RecursionError):
        raise InputRefused(422, "请求体不是有效的 JSON（NaN、Infinity 也不是）", None) from None
    stack: list[tuple[str | None, Any]] = [(None, doc)]
    while stack:
        name, value = stack.pop()
        if isinstance(value, dict):
            for k, v in value.items():
                if "\x00" in k:
                    raise InputRefused(422, "请求体的字段名不能含空字符（NUL）", None)
                stack.append((k if name is None else f"{name}.{k}", v))
        elif isinstance(value, list):
            stack.extend((f"{name}.{i}" if name else str(i), v) for i, v in enumerate(value))
        elif isinstance(value, str) and "\x00" in value:
            raise InputRefused(422, f"字段 {name}: 不能含空字符（NUL）", name)
        elif isinstance(value, float) and not math.isfinite(value):
            raise InputRefused(422, f"字段 {name}: 应为有限的数（不能是 NaN 或无穷大）", name)


class InputGuard:
    """ASGI middleware applying the checks above; answers in the shape the path expects."""

    def __init__(self, app: ASGIApp, refuse: Any) -> None:
        self.app, self.refuse = app, refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            if "\x00" in scope["path"]:
                raise InputRefused(404, "页面或资源不存在", None)
            check_pairs(scope.get("query_string", b""), "查询参数")
            ctype = dict(scope["headers"]).get(b"content-type", b"").split(b";")[0].strip().lower()
            body_kind = {b"application/json": "json", b"application/x-www-form-urlencoded": "form"}.get(ctype)
            if body_kind is not None and scope["method"] not in ("GET", "HEAD"):
                body = await _read(receive)
                if body_kind == "json":
                    check_json(body)
                else:
                    check_pairs(body, "表单")
                receive = _replay(body, receive)
        except InputRefused as exc:
            await self.refuse(Request(scope), exc)(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _read(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise InputRefused(413, f"请求体过大：最多 {MAX_BODY // 1024} KB", None)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body once, then the connection's own messages (a disconnect when it comes)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
