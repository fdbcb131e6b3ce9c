"""Settings: one object built once at start-up (from the environment or arguments) and passed in.

Nothing here connects to anything; :func:`duban.db.make_engine` does that when asked. Every
field, its environment variable and its default are listed in ``docs/settings.md`` (a test
keeps the two in step).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

DEFAULT_DATABASE_URL = "sqlite:///./var/duban.sqlite3"
DEV_SECRET_KEY = "duban-dev-secret-change-me"
_PATHS = ("holiday_file", "calendar_dir", "upload_dir", "case_model", "shared_dir")


_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


class SettingsError(ValueError):
    """A setting that cannot be used; ``str()`` names the variable and what is wrong."""


@dataclass(frozen=True)
class Settings:
    """What the store, the clock and the console need to start."""

    database_url: str = DEFAULT_DATABASE_URL
    holiday_file: Path | None = None
    calendar_dir: Path = Path("./var/calendar")
    secret_key: str = DEV_SECRET_KEY
    policy: str = "13710"
    echo_sql: bool = False
    upload_dir: Path = Path("./var/uploads")
    case_model: Path | None = None
    report_rate: str = "5/600"
    business_date: date | None = None
    """The console's business date (the demo's played year): its clock shows this day, at the wall
    clock's time of day. None: today."""
    db_pool_size: int = 20
    trusted_proxies: str = ""
    token_days: int = 90
    secure_cookies: bool = False
    upload_seconds: float = 20.0
    upload_memory_mb: int = 1024
    upload_max_cells: int = 200_000
    upload_max_paragraphs: int = 5_000
    shared_dir: Path | None = None
    """Where one host's server workers leave the boards they compute for each other
    (:mod:`duban.web.shared_answers`). None: beside a SQLite file (``NAME-shared``), else under the
    system's temporary directory, named for the user and the database."""

    # environment variable for each field, in the order docs/settings.md lists them
    ENV: ClassVar[dict[str, str]] = {
        "database_url": "DUBAN_DATABASE_URL",
        "holiday_file": "DUBAN_HOLIDAY_FILE",
        "calendar_dir": "DUBAN_CALENDAR_DIR",
        "secret_key": "DUBAN_SECRET_KEY",
        "policy": "DUBAN_POLICY",
        "echo_sql": "DUBAN_ECHO_SQL",
        "upload_dir": "DUBAN_UPLOAD_DIR",
        "case_model": "DUBAN_CASE_MODEL",
        "report_rate": "DUBAN_REPORT_RATE",
        "business_date": "DUBAN_BUSINESS_DATE",
        "db_pool_size": "DUBAN_DB_POOL_SIZE",
        "trusted_proxies": "DUBAN_TRUSTED_PROXIES",
        "token_days": "DUBAN_TOKEN_DAYS",
        "secure_cookies": "DUBAN_SECURE_COOKIES",
        "upload_seconds": "DUBAN_UPLOAD_SECONDS",
        "upload_memory_mb": "DUBAN_UPLOAD_MEMORY_MB",
        "upload_max_cells": "DUBAN_UPLOAD_MAX_CELLS",
        "upload_max_paragraphs": "DUBAN_UPLOAD_MAX_PARAGRAPHS",
        "shared_dir": "DUBAN_SHARED_DIR",
    }

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``DUBAN_*`` variables; keyword overrides (e.g. CLI options) win when not None.

        >>> Settings.from_env({"DUBAN_DATABASE_URL": "sqlite:///x.db"}).database_url
        'sqlite:///x.db'
        >>> Settings.from_env({}, database_url=None).database_url
        'sqlite:///./var/duban.sqlite3'
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, var in cls.ENV.items():
            raw = env.get(var)
            if raw is None or raw == "":
                continue
            values[name] = _parse(name, var, raw)
        for name, value in overrides.items():
            if name not in cls.ENV:
                raise SettingsError(f"未知设置项: {name}")
            if value is not None:
                values[name] = Path(value) if name in _PATHS else value
                if name == "business_date" and isinstance(value, str):
                    values[name] = _parse(name, cls.ENV[name], value)
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The ``DUBAN_*`` variables that give these settings back through :meth:`from_env` (how
        ``duban serve --workers N`` hands its settings to the worker processes).

        >>> s = Settings(database_url="sqlite:///x.db", echo_sql=True)
        >>> Settings.from_env(s.to_env()) == s
        True
        """
        out: dict[str, str] = {}
        for name, var in self.ENV.items():
            value = getattr(self, name)
            if value is None:
                continue
            out[var] = ("true" if value else "false") if isinstance(value, bool) else str(value)
        return out

    def with_(self, **changes: Any) -> Settings:
        """A copy with some fields changed."""
        return replace(self, **changes)

    @property
    def uses_dev_secret(self) -> bool:
        """True while the built-in development secret is in use (never for a real deployment)."""
        return self.secret_key == DEV_SECRET_KEY


def parse_rate(text: str) -> tuple[int, float] | None:
    """A rate setting: ``"5/600"`` → (5, 600.0), five per ten minutes; ``"off"`` → None.

    >>> parse_rate("5/600"), parse_rate("off")
    ((5, 600.0), None)
    >>> parse_rate("5 per minute")
    Traceback (most recent call last):
    ValueError: 应为“次数/秒数”（如 5/600）或 off
    """
    if text.strip().lower() == "off":
        return None
    m = _RATE.match(text)
    if not m or int(m.group(1)) < 1 or int(m.group(2)) < 1:
        raise ValueError("应为“次数/秒数”（如 5/600）或 off")
    return int(m.group(1)), float(m.group(2))


def _parse(name: str, var: str, raw: str) -> Any:
    if name in _PATHS:
        return Path(raw)
    if name in ("echo_sql", "secure_cookies"):
        low = raw.strip().lower()
        if low in {"1", "true", "yes", "on"}:
            return True
        if low in {"0", "false", "no", "off"}:
            return False
        raise SettingsError(f"{var}={raw!r}: 应为 true/false")
    if name == "business_date":
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            raise SettingsError(f"{var}={raw!r}: 应为日期，如 2023-12-29") from None
    if name == "db_pool_size":
        if not raw.strip().isdigit() or not 1 <= int(raw) <= 500:
            raise SettingsError(f"{var}={raw!r}: 应为 1 到 500 之间的整数")
        return int(raw)
    if name == "token_days":
        if not raw.strip().isdigit() or not 1 <= int(raw) <= 3650:
            raise SettingsError(f"{var}={raw!r}: 应为 1 到 3650 之间的天数")
        return int(raw)
    if name in _UPLOAD_LIMITS:
        return _upload_limit(name, var, raw)
    if name == "trusted_proxies":
        import ipaddress

        for part in (p.strip() for p in raw.split(",")):
            try:
                if part:
                    ipaddress.ip_network(part, strict=False)
            except ValueError:
                raise SettingsError(
                    f"{var}={raw!r}: {part!r} 不是 IP 地址或网段（如 10.0.0.1 或 10.0.0.0/8）"
                ) from None
    if name == "report_rate":
        try:
            parse_rate(raw)
        except ValueError as exc:
            raise SettingsError(f"{var}={raw!r}: {exc}") from None
    return raw


_UPLOAD_LIMITS = {
    "upload_seconds": (1, 600, "秒数"),
    "upload_memory_mb": (32, 65536, "MB 数"),
    "upload_max_cells": (1000, 10_000_000, "单元格数"),
    "upload_max_paragraphs": (100, 10_000_000, "段落数"),
}


def _upload_limit(name: str, var: str, raw: str) -> float | int:
    """A limit on reading uploads: a whole number within its range (seconds may be a decimal)."""
    low, high, what = _UPLOAD_LIMITS[name]
    try:
        value = float(raw) if name == "upload_seconds" else int(raw.strip())
    except ValueError:
        value = -1
    if not low <= value <= high:
        raise SettingsError(f"{var}={raw!r}: 应为 {low} 到 {high} 之间的{what}")
    return value


SETTING_NAMES = tuple(f.name for f in fields(Settings))
