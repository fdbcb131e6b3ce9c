"""Validation of GeoReport v2 input: the POST request arguments (form-encoded or JSON), the
attributes of the service definition, a POST update's arguments, and the GET filters. Every
problem becomes one entry of the spec's error list (code 400 and a description naming the
argument); nothing is stored when there is any. Pure: no database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from duban.cases.open311.catalog import Attribute, Service
from duban.cases.schemas import MAX_CONTENT, CaseCreate
from duban.clock.calendar import SHANGHAI

LIMITS = {
    "address_string": 300,
    "address_id": 100,
    "first_name": 50,
    "last_name": 50,
    "phone": 40,
    "email": 200,
    "media_url": 500,
    "device_id": 100,
    "client_token": 100,
    "account_id": 100,
    "jurisdiction_id": 100,
    "api_key": 200,
    "description": MAX_CONTENT,
    "service_code": 40,
    "zipcode": 20,
}
KNOWN = {*LIMITS, "lat", "long", "attribute"}
_ATTR = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class Posted:
    """A valid POST: the case to take in (or the errors found)."""

    case: CaseCreate | None = None
    errors: list[str] = field(default_factory=list)


def collect(items: list[tuple[str, Any]]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """Split raw arguments into plain ones and ``attribute[code]`` values (lists kept for ``[]``)."""
    plain: dict[str, Any] = {}
    attrs: dict[str, list[Any]] = {}
    for key, value in items:
        m = _ATTR.match(key)
        if m:
            attrs.setdefault(m.group(1), []).append(value)
        elif key == "attribute" and isinstance(value, Mapping):
            for code, v in value.items():
                attrs.setdefault(str(code), []).extend(v if isinstance(v, list) else [v])
        else:
            plain[key] = value
    return plain, attrs


def _number(name: str, value: Any, low: float, high: float, errors: list[str]) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        errors.append(f"{name} 应为数字，实为 {value!r}")
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        errors.append(f"{name} 应为数字，实为 {value!r}")
        return None
    if not low <= x <= high:
        errors.append(f"{name} 应在 {low:g} 到 {high:g} 之间，实为 {x:g}")
        return None
    return x


def _attribute(a: Attribute, values: list[Any], errors: list[str]) -> str | None:
    """The checked value(s) of one attribute, as the text appended to the case."""
    name = f"attribute[{a.code}]"
    if not values or all(v in (None, "") for v in values):
        if a.required:
            errors.append(f"{name}（{a.description}）为必填项")
        return None
    if any(not isinstance(v, str | int | float) or isinstance(v, bool) for v in values):
        errors.append(f"{name} 的值类型不对：应为字符串或数字")
        return None
    texts = [str(v).strip() for v in values]
    if a.datatype != "multivaluelist" and len(texts) > 1:
        errors.append(f"{name} 只能有一个值")
        return None
    keys = dict(a.values)
    if a.datatype in ("singlevaluelist", "multivaluelist"):
        bad = [t for t in texts if t not in keys]
        if bad:
            errors.append(f"{name} 的取值 {bad[0]!r} 不在可选值 {'/'.join(keys)} 中")
            return None
        return "、".join(keys[t] for t in texts)
    text = texts[0]
    if a.datatype == "number":
        try:
            float(text)
        except ValueError:
            errors.append(f"{name} 应为数字，实为 {text!r}")
            return None
    elif a.datatype == "datetime":
        try:
            datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            errors.append(f"{name} 应为日期时间（如 2026-03-03T10:00:00+08:00），实为 {text!r}")
            return None
    limit = 4000 if a.datatype == "text" else 200
    if len(text) > limit:
        errors.append(f"{name} 过长：最多 {limit} 个字符，实为 {len(text)}")
        return None
    return text


def validate_post(
    plain: Mapping[str, Any], attrs: Mapping[str, list[Any]], services: Mapping[str, Service]
) -> Posted:
    """Check a POST requests body against the spec and the service definition."""
    errors: list[str] = []
    for key, value in plain.items():
        if key in LIMITS and value is not None and not isinstance(value, str):
            errors.append(f"{key} 应为字符串，实为 {type(value).__name__}")
    strings = {k: v.strip() for k, v in plain.items() if isinstance(v, str) and k in LIMITS}
    for key, value in strings.items():
        if len(value) > LIMITS[key]:
            errors.append(f"{key} 过长：最多 {LIMITS[key]} 个字符，实为 {len(value)}")
    code = strings.get("service_code", "")
    service = services.get(code)
    if "service_code" not in plain:
        errors.append("缺少 service_code（服务代码）")
    elif service is None and isinstance(plain.get("service_code"), str):
        errors.append(f"service_code {code!r} 不存在：请先调用 GET services 查看可用的服务代码")
    lat = _number("lat", plain.get("lat"), -90, 90, errors)
    lon = _number("long", plain.get("long"), -180, 180, errors)
    if (lat is None) != (lon is None) and not any("lat" in e or "long" in e for e in errors):
        errors.append("lat 与 long 须同时给出")
    has_place = (
        (lat is not None and lon is not None) or strings.get("address_string") or strings.get("address_id")
    )
    if not has_place and not any(e.startswith(("lat", "long")) for e in errors):
        errors.append("缺少位置：须给出 lat 和 long，或 address_string，或 address_id 之一")
    email = strings.get("email")
    if email and not _EMAIL.match(email):
        errors.append(f"email {email!r} 不是有效的电子邮件地址")
    media = strings.get("media_url")
    if media and not media.startswith(("http://", "https://")):
        errors.append("media_url 应为 http:// 或 https:// 开头的网址")
    details: list[str] = []
    if service is not None:
        known = {a.code for a in service.attributes}
        for extra in sorted(set(attrs) - known):
            errors.append(f"attribute[{extra}] 不是服务 {service.code} 定义的属性")
        for a in service.attributes:
            got = _attribute(a, list(attrs.get(a.code, [])), errors)
            if got is not None:
                details.append(f"{a.description}：{got}")
    if errors or service is None:
        return Posted(errors=errors or ["请求无效"])
    description = strings.get("description") or service.name
    content = description + ("\n【" + "；".join(details) + "】" if details else "")
    if len(content) > MAX_CONTENT:
        return Posted(errors=[f"description 连同属性过长：最多 {MAX_CONTENT} 个字符"])
    name = " ".join(x for x in (strings.get("last_name"), strings.get("first_name")) if x) or None
    return Posted(
        case=CaseCreate(
            channel="open311",
            case_type=service.case_type,
            title=service.name,
            content=content,
            citizen_name=name,
            citizen_phone=strings.get("phone") or None,
            address=strings.get("address_string") or None,
            address_id=strings.get("address_id") or None,
            zipcode=strings.get("zipcode") or None,
            lat=lat,
            lon=lon,
            media_url=media or None,
            service_code=service.code,
            category=service.category,
        )
    )


@dataclass
class PostedUpdate:
    """A valid POST servicerequestupdates: the request, the text, the media and the status asked
    for (``open``/``closed``, or None for a plain comment) — or the errors found."""

    case_id: int = 0
    description: str = ""
    media_url: str | None = None
    status: str | None = None
    errors: list[str] = field(default_factory=list)


UPDATE_STATUSES = ("open", "closed")


def validate_update(plain: Mapping[str, Any]) -> PostedUpdate:
    """Check a POST servicerequestupdates body: ``service_request_id``, ``description``, and the
    optional ``media_url`` and ``status`` (``open`` or ``closed``, any case)."""
    errors: list[str] = []
    rid, text, media = plain.get("service_request_id"), plain.get("description"), plain.get("media_url")
    status = plain.get("status")
    if not isinstance(rid, str | int) or isinstance(rid, bool) or not str(rid).strip().isdigit():
        errors.append("service_request_id 应为数字编号")
    elif len(str(rid).strip()) > 12:
        errors.append("service_request_id 过长")
    if not isinstance(text, str) or not text.strip():
        errors.append("缺少 description（更新内容）")
    elif len(text.strip()) > LIMITS["description"]:
        errors.append(f"description 过长：最多 {LIMITS['description']} 个字符，实为 {len(text.strip())}")
    if media is not None and (
        not isinstance(media, str)
        or not media.startswith(("http://", "https://"))
        or len(media) > LIMITS["media_url"]
    ):
        errors.append(f"media_url 应为 http:// 或 https:// 开头、不超过 {LIMITS['media_url']} 个字符的网址")
    wanted: str | None = None
    if status is not None and status != "":
        if not isinstance(status, str) or status.strip().lower() not in UPDATE_STATUSES:
            errors.append(f"status 应为 open 或 closed，实为 {status!r}")
        else:
            wanted = status.strip().lower()
    if errors:
        return PostedUpdate(errors=errors)
    assert isinstance(text, str)
    return PostedUpdate(
        case_id=int(str(rid).strip()),
        description=text.strip(),
        media_url=media if isinstance(media, str) else None,
        status=wanted,
    )


FIRST_YEAR, LAST_YEAR = 2000, 2100


def parse_when(name: str, value: str | None, errors: list[str]) -> datetime | None:
    """A W3C datetime filter (``2026-03-01T00:00:00Z``; a bare date means Beijing midnight)."""
    if not value:
        return None
    try:
        ts = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        errors.append(f"{name} 应为 W3C 日期时间（如 2026-03-01T00:00:00Z），实为 {value!r}")
        return None
    ts = ts if ts.tzinfo else ts.replace(tzinfo=SHANGHAI)
    try:
        year = ts.astimezone(UTC).year
    except OverflowError:  # 0001-01-01T00:00+14:00 is before the first day a datetime can hold
        year = 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        errors.append(f"{name} 应在 {FIRST_YEAR} 年至 {LAST_YEAR} 年之间，实为 {value!r}")
        return None
    return ts


def split_list(value: str | None) -> list[str]:
    """A comma-delimited filter as a list.

    >>> split_list("1, 2,,3"), split_list(None)
    (['1', '2', '3'], [])
    """
    return [v.strip() for v in (value or "").split(",") if v.strip()]
