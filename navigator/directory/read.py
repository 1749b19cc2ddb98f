"""Turn HSDS rows back into ``models.Service``: one by id, or all of them in one pass."""
from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, time
from functools import lru_cache
from typing import Any

from ..models import Hours, Phone, Service
from .build import FEATURES_TAXONOMY, NEEDS_TAXONOMY
from .parse import ICAL_DAYS

Row = dict[str, Any]

# (part, SQL selecting a service_id column then the part's fields), in source order.
PARTS: dict[str, str] = {
    "terms": "SELECT a.link_id AS service_id, t.code, x.name AS taxonomy FROM attribute a"
             " JOIN taxonomy_term t ON t.id = a.taxonomy_term_id JOIN taxonomy x ON x.id = t.taxonomy_id"
             " WHERE a.link_entity = 'service'{where} ORDER BY a.rowid",
    "phones": "SELECT service_id, number, extension, description FROM phone WHERE 1{where} ORDER BY rowid",
    "areas": "SELECT service_id, name FROM service_area WHERE 1{where} ORDER BY rowid",
    "languages": "SELECT service_id, code FROM language WHERE 1{where} ORDER BY rowid",
    "schedules": "SELECT service_id, byday, opens_at, closes_at, description FROM schedule"
                 " WHERE 1{where} ORDER BY rowid",
    "costs": "SELECT service_id, option, amount FROM cost_option WHERE 1{where} ORDER BY rowid",
    "addresses": "SELECT sal.service_id, l.description, a.address_1, a.address_2, a.city, a.state_province,"
                 " a.postal_code FROM service_at_location sal JOIN location l ON l.id = sal.location_id"
                 " LEFT JOIN address a ON a.location_id = l.id WHERE 1{where} ORDER BY sal.rowid",
    "sources": "SELECT resource_id AS service_id, replacement_value FROM metadata"
               " WHERE resource_type = 'service' AND field_name = 'source'{where} ORDER BY rowid",
}
_KEY = {"terms": "a.link_id", "addresses": "sal.service_id", "sources": "resource_id"}
SERVICE_SQL = ("SELECT s.rowid AS rowid, s.*, o.name AS organization_name FROM service s"
               " LEFT JOIN organization o ON o.id = s.organization_id")


def _rows(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
    cursor = conn.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})")
_WHOLE_DAY = {(time(0, 0), time(23, 59)), (time(0, 0), time(0, 0))}


def _clock(text: str) -> time | None:
    # HSDS allows an offset suffix ("09:00-05:00"); local time is what the resident reads.
    m = _CLOCK.match(text.strip())
    if m is None or int(m.group(1)) > 24 or int(m.group(2)) > 59:
        return None
    # "24:00" (end of day) in imported data means the last minute of the day.
    return time(23, 59) if int(m.group(1)) == 24 else time(int(m.group(1)), int(m.group(2)))


def _hours(schedules: list[Row]) -> tuple[tuple[Hours, ...], bool, str | None]:
    key = tuple((r["byday"], r["opens_at"], r["closes_at"], r["description"]) for r in schedules)
    return _read_hours(key)


@lru_cache(maxsize=4096)
def _read_hours(
    schedules: tuple[tuple[str | None, str | None, str | None, str | None], ...],
) -> tuple[tuple[Hours, ...], bool, str | None]:
    # Cached: many services share a schedule, and a large directory is read whole at start-up.
    windows: list[Hours] = []
    for byday, opens_at, closes_at, _ in schedules:
        if not (byday and opens_at and closes_at):
            continue
        opens, closes = _clock(opens_at), _clock(closes_at)
        if opens is None or closes is None:
            continue  # unreadable times stay visible in the schedule's description
        for day in byday.split(","):
            if day.strip().upper() in ICAL_DAYS:
                windows.append(Hours(ICAL_DAYS.index(day.strip().upper()) + 1, opens, closes))
    always = {w.weekday for w in windows if (w.opens, w.closes) in _WHOLE_DAY} == set(range(1, 8))
    text = next((description for *_, description in schedules if description), None)
    return (() if always else tuple(sorted(windows, key=lambda w: (w.weekday, w.opens)))), always, text


def _address(rows: list[Row]) -> str | None:
    for row in rows:
        if row["description"]:
            return str(row["description"])
        parts = [row["address_1"], row["address_2"], row["city"],
                 " ".join(p for p in (row["state_province"], row["postal_code"]) if p)]
        if row["address_1"]:
            return ", ".join(p for p in parts if p)
    return None


def assemble(service: Row, parts: dict[str, list[Row]]) -> Service:
    """Build a ``Service`` from its service row and its child rows by part."""
    terms = parts.get("terms", [])
    features = {t["code"] for t in terms if t["taxonomy"] == FEATURES_TAXONOMY}
    hours, always, hours_text = _hours(parts.get("schedules", []))
    costs = parts.get("costs", [])
    amounts = [c["amount"] for c in costs if c["amount"] is not None]
    sources = parts.get("sources", [])
    assured = service.get("assured_date")
    return Service(
        id=service["id"],
        name=service["name"] or "",
        organization=service.get("organization_name") or "",
        description=service["description"] or "",
        needs=tuple(dict.fromkeys(t["code"] for t in terms if t["taxonomy"] == NEEDS_TAXONOMY)),
        phones=tuple(
            Phone(p["number"], None if p["extension"] is None else str(p["extension"]), p["description"])
            for p in parts.get("phones", [])
        ),
        website=service["url"],
        email=service["email"],
        address=_address(parts.get("addresses", [])),
        service_areas=tuple(dict.fromkeys(a["name"] for a in parts.get("areas", []) if a["name"])),
        languages=tuple(dict.fromkeys(lang["code"] for lang in parts.get("languages", []) if lang["code"])),
        eligibility=service["eligibility_description"],
        minimum_age=None if service["minimum_age"] is None else int(service["minimum_age"]),
        maximum_age=None if service["maximum_age"] is None else int(service["maximum_age"]),
        hours=hours,
        open_24_7=always,
        closed_on_holidays="closed-on-holidays" in features,
        hours_text=hours_text,
        cost=service["fees_description"] or (costs[0]["option"] if costs else None),
        free=(all(a == 0 for a in amounts) if amounts else None),
        wheelchair_accessible=True if "wheelchair-accessible" in features else None,
        source=sources[0]["replacement_value"] if sources else None,
        last_verified=date.fromisoformat(assured[:10]) if assured else None,
    )


def load_services(conn: sqlite3.Connection, service_ids: list[str]) -> dict[str, Service]:
    """Read several services and their child rows, one query per table."""
    if not service_ids:
        return {}
    marks = ", ".join("?" for _ in service_ids)
    params = tuple(service_ids)
    grouped: dict[str, dict[str, list[Row]]] = {}
    for part, sql in PARTS.items():
        by_service: dict[str, list[Row]] = defaultdict(list)
        for row in _rows(conn, sql.format(where=f" AND {_KEY.get(part, 'service_id')} IN ({marks})"), params):
            by_service[row["service_id"]].append(row)
        grouped[part] = by_service
    found = {}
    for service in _rows(conn, SERVICE_SQL + f" WHERE s.id IN ({marks})", params):
        found[service["id"]] = assemble(service, {part: grouped[part].get(service["id"], []) for part in PARTS})
    return found


def load_service(conn: sqlite3.Connection, service_id: str) -> Service | None:
    """Read one service and its child rows by id."""
    return load_services(conn, [service_id]).get(service_id)


def load_all(conn: sqlite3.Connection, parts: tuple[str, ...] = tuple(PARTS)) -> Iterator[tuple[Row, Service]]:
    """Yield (service row, service) for every service, reading each table once.

    ``parts`` limits the child tables read; services then lack the others' fields.
    """
    grouped: dict[str, dict[str, list[Row]]] = {}
    for part in parts:
        by_service: dict[str, list[Row]] = defaultdict(list)
        for row in _rows(conn, PARTS[part].format(where="")):
            by_service[row["service_id"]].append(row)
        grouped[part] = by_service
    # Service rows one at a time: with every description in memory at once, loading 60,000
    # services would leave the process that much bigger for good.
    cursor = conn.execute(SERVICE_SQL + " ORDER BY s.rowid")
    names = [c[0] for c in cursor.description]
    for values in cursor:
        service = dict(zip(names, values))
        yield service, assemble(service, {part: grouped[part].get(service["id"], []) for part in parts})
