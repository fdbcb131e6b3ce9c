"""The console's throttles, counted in the database (:mod:`duban.accounts.throttle`) so they hold
across every worker of ``duban serve --workers N``: the citizens' ``/report`` limit
(``report_rate``) and the login throttle by account and by address, with growing delays answered
as 429 + Retry-After (never slept in the request thread), checked before any password is hashed.

The client address is the peer's, or — when the peer is one of ``trusted_proxies`` — the last
address in X-Forwarded-For that is not itself a trusted proxy.
"""

from __future__ import annotations

import ipaddress
import time
from functools import cache

from fastapi import Request
from sqlalchemy.orm import Session

from duban.accounts import throttle as counts
from duban.web.deps import state_of

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _networks(setting: str) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in setting.split(",") if p.strip())


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(request: Request) -> str:
    """The client's address (X-Forwarded-For is believed only from a trusted proxy)."""
    peer = request.client.host if request.client else "-"
    networks = _networks(state_of(request).settings.trusted_proxies)
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop[:100]
    return hops[0][:100] if hops else peer


def report_wait(request: Request, session: Session) -> float:
    """Seconds this address must wait before its next ``/report`` (0: it may submit now)."""
    rate = state_of(request).report_rate
    if rate is None:
        return 0.0
    return counts.window_wait(
        session=session,
        scope="report",
        key=client_address(request),
        limit=rate[0],
        window=rate[1],
        now=time.time(),
    )


def report_hit(request: Request, session: Session) -> None:
    """Count one ``/report`` submission of this address."""
    rate = state_of(request).report_rate
    if rate is not None:
        counts.hit(
            session=session, scope="report", key=client_address(request), now=time.time(), window=rate[1]
        )


def login_wait(request: Request, session: Session, name: str) -> float:
    """Seconds before this account or address may try a password again (0: now)."""
    now = time.time()
    return max(
        counts.backoff_wait(session=session, scope="login_user", key=name.strip()[:200], now=now),
        counts.backoff_wait(session=session, scope="login_addr", key=client_address(request), now=now),
    )


def login_failed(request: Request, session: Session, name: str) -> None:
    """Count a failed login against the account and the address."""
    now = time.time()
    counts.hit(
        session=session, scope="login_user", key=name.strip()[:200], now=now, window=counts.LOGIN_WINDOW
    )
    counts.hit(
        session=session, scope="login_addr", key=client_address(request), now=now, window=counts.LOGIN_WINDOW
    )


def login_ok(session: Session, name: str) -> None:
    """A good login clears the account's failures (the address's stay)."""
    counts.clear(session=session, scope="login_user", key=name.strip()[:200])
