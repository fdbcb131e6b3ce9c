"""GeoReport v2 documents in JSON and XML: services, a service definition, requests, tokens,
the POST answer, request updates and the error list. One dict form per document; the XML is
written from the same dicts, so the two formats cannot drift apart.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from duban.cases import privacy
from duban.cases.flow import OPEN_STATUSES
from duban.cases.models import CaseRow, CaseUpdateRow
from duban.cases.open311.catalog import Service, service_for_category
from duban.clock.calendar import SHANGHAI, WorkCalendar

# XML: the root element and the element of each list item, per document kind
XML_ROOTS: dict[str, tuple[str, str]] = {
    "services": ("services", "service"),
    "requests": ("service_requests", "request"),
    "posted": ("service_requests", "request"),
    "tokens": ("service_requests", "request"),
    "updates": ("service_request_updates", "request_update"),
    "errors": ("errors", "error"),
}


def w3c(ts: datetime | None) -> str | None:
    """An aware timestamp in W3C format, Beijing time (``2026-03-03T10:00:00+08:00``)."""
    return None if ts is None else ts.astimezone(SHANGHAI).isoformat(timespec="seconds")


def service_doc(s: Service) -> dict[str, Any]:
    """One entry of ``services``."""
    return {
        "service_code": s.code,
        "service_name": s.name,
        "description": s.description or None,
        "metadata": s.metadata,
        "type": "realtime",
        "keywords": s.keywords or None,
        "group": s.group or None,
    }


def definition_doc(s: Service) -> dict[str, Any]:
    """``services/{code}``: the service definition with its attributes."""
    attrs = []
    for a in s.attributes:
        item: dict[str, Any] = {
            "variable": a.variable,
            "code": a.code,
            "datatype": a.datatype,
            "required": a.required,
            "datatype_description": None,
            "order": a.order,
            "description": a.description,
        }
        if a.values:
            item["values"] = [{"key": k, "name": n} for k, n in a.values]
        attrs.append(item)
    return {"service_code": s.code, "attributes": attrs}


def open311_status(status: str) -> str:
    """open or closed, as a citizen's client sees our flow."""
    return "open" if status in OPEN_STATUSES else "closed"


def request_doc(
    row: CaseRow, *, services: Mapping[str, Service], units: Mapping[int, str], calendar: WorkCalendar | None
) -> dict[str, Any]:
    """One service request."""
    service = services.get(row.service_code or "") or service_for_category(row.category)
    unit_id = row.owner_unit_id or row.unit_id
    expected = None
    if row.due_date is not None and calendar is not None:
        expected = w3c(calendar.end_of_workday(row.due_date))
    elif row.due_date is not None:
        expected = w3c(datetime.combine(row.due_date, datetime.min.time(), tzinfo=SHANGHAI))
    return {
        "service_request_id": str(row.id),
        "status": open311_status(row.status),
        "status_notes": row.reply,
        "service_name": service.name if service else row.category,
        "service_code": row.service_code or (service.code if service else "other"),
        "description": row.content,
        "agency_responsible": units.get(unit_id) if unit_id is not None else None,
        "service_notice": None,
        "requested_datetime": w3c(row.received_at),
        "updated_datetime": w3c(row.updated_at),
        "expected_datetime": expected,
        "address": row.address,
        "address_id": row.address_id,
        "zipcode": row.zipcode,
        "lat": row.lat,
        "long": row.lon,
        "media_url": row.media_url,
    }


def public_request_doc(
    row: CaseRow, *, services: Mapping[str, Service], units: Mapping[int, str], calendar: WorkCalendar | None
) -> dict[str, Any]:
    """One request as the anonymous list shows it (:mod:`duban.cases.privacy`): the tracking code
    as its id, the address coarsened, the coordinates rounded, numbers and names masked."""
    doc = request_doc(row, services=services, units=units, calendar=calendar)
    doc.update(
        service_request_id=row.track_code,
        description=privacy.mask_text(row.content),
        status_notes=privacy.mask_text(row.reply),
        address=privacy.coarse_address(row.address),
        address_id=None,
        lat=privacy.round_coordinate(row.lat),
        long=privacy.round_coordinate(row.lon),
        media_url=None,
    )
    return doc


def public_update_doc(u: CaseUpdateRow, track_code: str | None) -> dict[str, Any]:
    """One update as the anonymous list shows it: the request's tracking code, the text masked."""
    doc = update_doc(u)
    doc.update(service_request_id=track_code, description=privacy.mask_text(u.description), media_url=None)
    return doc


def posted_doc(row: CaseRow) -> dict[str, Any]:
    """The answer to ``POST requests``: the new id, its token and a notice."""
    due = row.due_date.isoformat() if isinstance(row.due_date, date) else "—"
    return {
        "service_request_id": str(row.id),
        "token": row.token,
        "service_notice": f"已受理，承诺办结日期 {due}",
        "account_id": None,
    }


def token_doc(row: CaseRow) -> dict[str, Any]:
    """``tokens/{token}``: the request id a token stands for."""
    return {"service_request_id": str(row.id), "token": row.token}


def update_doc(u: CaseUpdateRow) -> dict[str, Any]:
    """One entry of ``servicerequestupdates``."""
    return {
        "update_id": str(u.id),
        "service_request_id": str(u.case_id),
        "status": u.status,
        "updated_datetime": w3c(u.at),
        "description": u.description,
        "media_url": u.media_url,
    }


def error_doc(code: int, description: str) -> dict[str, Any]:
    """One entry of the error list."""
    return {"code": code, "description": description}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(tag: str, value: Any) -> ET.Element:
    el = ET.Element(tag)
    if isinstance(value, Mapping):
        for k, v in value.items():
            el.append(_element(k, v))
    elif isinstance(value, list):
        child = tag[:-1] if tag.endswith("s") else "item"  # attributes → attribute, values → value
        for v in value:
            el.append(_element(child, v))
    else:
        el.text = _text(value)
    return el


def to_xml(kind: str, docs: Iterable[Mapping[str, Any]] | Mapping[str, Any]) -> str:
    """The XML form of a document list (``kind`` in :data:`XML_ROOTS`) or of a service definition."""
    if kind == "definition":
        assert isinstance(docs, Mapping)
        root = _element("service_definition", docs)
    else:
        root_tag, item_tag = XML_ROOTS[kind]
        root = ET.Element(root_tag)
        for d in docs:
            root.append(_element(item_tag, d))
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")
