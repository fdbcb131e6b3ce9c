"""``duban serve --workers N``: uvicorn's supervisor, each worker listening on a socket of its own.

uvicorn's workers share one listening socket, and whichever worker is awake first accepts every
connection waiting (asyncio accepts up to 100 at a time). Forty connections opened together were
spread over two workers as 15/25, 11/29, 3/37, 16/24, 25/15 and 0/40 in six tries: one worker
served everyone while the other idled, and a page's p99 took the one worker's (the review page,
asked alone twice: 1.66× `/healthz`'s in one run, 1.02× in the next). On Linux each worker now binds a socket of
its own with ``SO_REUSEPORT``, and the kernel spreads new connections over the workers by a hash
of the client's address and port (nginx's ``reuseport``, gunicorn's ``--reuse-port``).

How: the supervisor binds a placeholder socket with ``SO_REUSEPORT`` (it holds the port and
reports "address in use" before any worker starts; it never listens, so no connection waits on
it) and hands it to uvicorn's :class:`~uvicorn.supervisors.Multiprocess`, which starts, watches,
restarts and stops the workers as usual. The placeholder pickles into a *new* socket bound the
same way in the worker that unpickles it, where uvicorn listens on it. The price: connections
still waiting in a worker's queue when that worker dies are reset, where a shared socket kept
them for the others. Elsewhere (no ``SO_REUSEPORT``) the workers share one socket as before.
"""

from __future__ import annotations

import socket
import sys
from typing import Any, TypeVar


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` with ``SO_REUSEADDR`` and ``SO_REUSEPORT``."""
    return _bound(socket.socket(_family(host), socket.SOCK_STREAM, socket.IPPROTO_TCP), host, port)


class PerWorkerSocket(socket.socket):
    """The supervisor's placeholder: a socket bound with ``SO_REUSEPORT`` that never listens,
    and that a worker receives (unpickles) as a new socket of its own on the same address."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:
        host, port = self.getsockname()[:2]
        return (reuse_port_socket, (host, port))

    @classmethod
    def bind_to(cls, host: str, port: int) -> PerWorkerSocket:
        return _bound(cls(_family(host), socket.SOCK_STREAM, socket.IPPROTO_TCP), host, port)


_S = TypeVar("_S", bound=socket.socket)


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _bound(sock: _S, host: str, port: int) -> _S:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def spreads_connections() -> bool:
    """Whether this system spreads connections over sockets bound with ``SO_REUSEPORT`` (Linux)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def run_workers(app: str, *, workers: int, host: str, port: int, **options: Any) -> None:
    """Serve the ASGI app factory ``app`` ("module:function") with ``workers`` processes."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    if not spreads_connections():
        uvicorn.run(app, factory=True, workers=workers, host=host, port=port, **options)
        return
    config = uvicorn.Config(app, factory=True, workers=workers, host=host, port=port, **options)
    try:
        placeholder = PerWorkerSocket.bind_to(host, port)
    except OSError as exc:
        raise SystemExit(f"无法监听 {host}:{port}：{exc.strerror or exc}") from None
    try:
        Multiprocess(config, sockets=[placeholder]).run()
    finally:
        placeholder.close()
