"""The Open311 service catalogue (``services.yaml``): service codes, their definitions (attributes)
and the category and case type each maps to. Loaded once and validated; a bad entry is named.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from duban.cases.models import CASE_TYPES
from duban.cases.rules import CaseError

SERVICES = Path(__file__).resolve().parent / "services.yaml"
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")


@dataclass(frozen=True)
class Attribute:
    """One attribute of a service definition."""

    code: str
    description: str
    datatype: str
    required: bool
    order: int
    values: tuple[tuple[str, str], ...] = ()
    variable: bool = True


@dataclass(frozen=True)
class Service:
    """One Open311 service (a type of request) and what it means here."""

    code: str
    name: str
    description: str
    group: str
    keywords: str
    category: str
    case_type: str
    attributes: tuple[Attribute, ...]

    @property
    def metadata(self) -> bool:
        """Whether clients should fetch the service definition (it has attributes)."""
        return bool(self.attributes)


@lru_cache(maxsize=4)
def load_services(path: Path = SERVICES) -> dict[str, Service]:
    """The catalogue by service code."""
    where = str(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CaseError(f"服务目录 {where} 无法读取：{exc}") from None
    items = data.get("services") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise CaseError(f"服务目录 {where}：应为 services: [...] 列表")
    out: dict[str, Service] = {}
    for i, raw in enumerate(items):
        at = f"services[{i}]"
        if not isinstance(raw, dict):
            raise CaseError(f"服务目录 {where} 字段 {at}：应为映射")

        def need(key: str, raw: dict[str, Any] = raw, at: str = at) -> str:
            value = raw.get(key)
            if not isinstance(value, str) or not value.strip():
                raise CaseError(f"服务目录 {where} 字段 {at}.{key}：不能为空")
            return value.strip()

        code = need("code")
        if code in out:
            raise CaseError(f"服务目录 {where} 字段 {at}.code：重复的服务代码 {code}")
        case_type = need("case_type")
        if case_type not in CASE_TYPES:
            raise CaseError(f"服务目录 {where} 字段 {at}.case_type：应为 {'/'.join(CASE_TYPES)} 之一")
        attrs: list[Attribute] = []
        for j, a in enumerate(raw.get("attributes") or [], start=1):
            aat = f"{at}.attributes[{j - 1}]"
            if not isinstance(a, dict) or a.get("datatype") not in DATATYPES:
                raise CaseError(f"服务目录 {where} 字段 {aat}.datatype：应为 {'/'.join(DATATYPES)} 之一")
            values = a.get("values") or {}
            if a["datatype"].endswith("valuelist") and not values:
                raise CaseError(f"服务目录 {where} 字段 {aat}.values：列表型属性须给出可选值")
            attrs.append(
                Attribute(
                    code=str(a.get("code")),
                    description=str(a.get("description") or ""),
                    datatype=a["datatype"],
                    required=bool(a.get("required", False)),
                    order=j,
                    values=tuple((str(k), str(v)) for k, v in values.items()),
                )
            )
        out[code] = Service(
            code=code,
            name=need("name"),
            description=str(raw.get("description") or ""),
            group=str(raw.get("group") or ""),
            keywords=str(raw.get("keywords") or ""),
            category=need("category"),
            case_type=case_type,
            attributes=tuple(attrs),
        )
    return out


def service_for_category(category: str | None) -> Service | None:
    """The first service whose category is ``category`` (for cases that came by other channels)."""
    if category is None:
        return None
    return next((s for s in load_services().values() if s.category == category), None)
