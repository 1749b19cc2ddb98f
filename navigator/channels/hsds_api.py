"""Read-only HSDS 3.0 API under ``/hsds/``: the directory as the Open Referral standard serves it.

Paths, parameters, paging and payloads follow the spec's ``openapi.json``
(served bundled at ``/hsds/openapi.json``).  Search and filters that need data
navigator does not hold (postcode, proximity) are accepted and ignored.
Unknown ids answer 404 with a JSON error.
"""
from __future__ import annotations

import math
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlite_utils
from flask import Blueprint, Flask, current_app, g, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest, HTTPException, NotFound, ServiceUnavailable

from ..directory.interchange_export import HSDSReader
from ..directory.interchange_openapi import openapi_document

bp = Blueprint("hsds_api", __name__, url_prefix="/hsds")

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500
HSDS_PROFILE = "https://docs.openreferral.org/en/v3.0/"
# One-to-one objects a list item carries, per the spec's compiled *_list.json schemas.
LIST_NESTING = {"service": ("organization", "program"), "service_at_location": ("location", "service")}


def _reader() -> HSDSReader:
    """Open the directory read-only, once per request."""
    if "hsds_reader" not in g:
        path = Path(current_app.config["NAVIGATOR_DIRECTORY"])
        if not path.is_file():
            raise ServiceUnavailable("the directory database is not available")
        conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        g.hsds_reader = HSDSReader(sqlite_utils.Database(conn))
    reader: HSDSReader = g.hsds_reader
    return reader


@bp.teardown_request
def _close(_: BaseException | None) -> None:
    reader = g.pop("hsds_reader", None)
    if reader is not None:
        reader.db.close()


@dataclass
class _Where:
    """SQL conditions gathered from query parameters, joined with "and"."""

    clauses: list[str] = field(default_factory=list)
    args: list[Any] = field(default_factory=list)

    def add(self, clause: str, *args: Any) -> None:
        self.clauses.append(clause)
        self.args.extend(args)

    @property
    def sql(self) -> str | None:
        return " and ".join(self.clauses) or None


def _flag(name: str) -> bool:
    return request.args.get(name, "").strip().lower() in ("true", "1", "yes")


def _page(table: str, where: _Where, item: Any = None) -> ResponseReturnValue:
    """Answer one page of ``table`` rows matching ``where``, each shaped by ``item``."""
    reader = _reader()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    per_page = min(MAX_PER_PAGE, max(1, request.args.get("per_page", DEFAULT_PER_PAGE, type=int) or 1))
    total = reader.count(table, where.sql, where.args)
    total_pages = math.ceil(total / per_page)
    rows = []
    if page <= total_pages:  # also keeps huge page numbers away from SQLite's integer range
        rows = reader.select(table, where.sql, where.args, limit=per_page, offset=(page - 1) * per_page)
    contents = [item(row) for row in rows] if item else rows
    return jsonify(
        total_items=total, total_pages=total_pages, page_number=page, page=page, per_page=per_page,
        size=len(contents), first_page=page == 1, last_page=page >= total_pages, empty=not contents,
        contents=contents,
    )


def _one(table: str, row_id: str) -> dict[str, Any]:
    doc = _reader().document(table, row_id)
    if doc is None:
        raise NotFound(f"no {table} with id {row_id}")
    return doc


def _list_item(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """Return a row with the one-to-one objects its list schema carries, without their children."""
    reader = _reader()
    item = dict(row)
    for name in LIST_NESTING.get(table, ()):
        linked = reader.get(name, row[f"{name}_id"]) if row.get(f"{name}_id") else None
        if linked is not None:
            item[name] = linked
    return item


def _search(where: _Where, columns: tuple[str, ...], table: str | None = None, id_column: str = "id") -> None:
    """Add a case-insensitive substring search over ``columns`` (of ``table``) when ``search`` is given."""
    text = request.args.get("search", "").strip()
    if not text:
        return
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    match = " or ".join(f"[{c}] like ? escape '\\'" for c in columns)
    clause = f"({match})" if table is None else f"{id_column} in (select id from [{table}] where {match})"
    where.add(clause, *[pattern] * len(columns))


def _service_filters(where: _Where, id_column: str = "id") -> None:
    """Add the spec's service filters: taxonomy term, taxonomy, organization, modified after."""
    if term := request.args.get("taxonomy_term_id"):
        where.add(f"{id_column} in (select link_id from attribute where taxonomy_term_id = ?)", term)
    if taxonomy := request.args.get("taxonomy_id"):
        where.add(f"{id_column} in (select a.link_id from attribute a join taxonomy_term t "
                  "on t.id = a.taxonomy_term_id where t.taxonomy_id = ?)", taxonomy)
    if organization := request.args.get("organization_id"):
        where.add(f"{id_column} in (select id from service where organization_id = ?)", organization)
    if after := request.args.get("modified_after"):
        moment = parse_moment(after)
        if moment is None:
            raise BadRequest(f"modified_after {after!r} is not an ISO 8601 date and time")
        reader = _reader()
        # Compared in Python: stored times may carry different UTC offsets.
        modified = reader.select("service", "last_modified is not null") if reader.has_column(
            "service", "last_modified") else []
        ids = [row["id"] for row in modified if _modified_since(row["last_modified"], moment)]
        where.add(f"{id_column} in ({', '.join('?' * len(ids)) or 'null'})", *ids)


def _modified_since(stamp: str, moment: datetime) -> bool:
    parsed = parse_moment(stamp)
    return parsed is not None and parsed >= moment


_MOMENT = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[Tt ](\d{2}:\d{2})(?::(\d{2})(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$")


def parse_moment(text: str) -> datetime | None:
    """Read an RFC 3339 / ISO 8601 date or date-time as an aware UTC datetime (naive means UTC)."""
    m = _MOMENT.match(text.strip())
    if not m:
        return None
    day, clock, seconds, fraction, zone = m.groups()
    # A leap second (":60") reads as the last ordinary second; fractions beyond microseconds are cut.
    seconds = min(int(seconds or 0), 59)
    iso = f"{day}T{clock or '00:00'}:{seconds:02d}{(fraction or '')[:7]}"
    zone = "+00:00" if zone in (None, "Z", "z") else zone
    try:
        moment = datetime.fromisoformat(iso + zone)
    except ValueError:
        return None
    return moment.astimezone(UTC)


@bp.get("/")
def meta() -> ResponseReturnValue:
    """Say which HSDS version and profile this API serves, and where its OpenAPI file is."""
    return jsonify(version="3.0", profile=HSDS_PROFILE,
                   openapi_url=url_for("hsds_api.openapi", _external=True))


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """Serve the HSDS OpenAPI description, bundled, with this server as its base."""
    return jsonify(openapi_document(url_for("hsds_api.meta", _external=True).rstrip("/")))


@bp.get("/services")
def services() -> ResponseReturnValue:
    """List services: one-to-one fields, or fully nested with ``full=true``."""
    where = _Where()
    _search(where, ("name", "alternate_name", "description"))
    _service_filters(where)
    full, reader = _flag("full"), _reader()
    return _page("service", where, lambda row: reader.nest("service", row) if full else _list_item("service", row))


@bp.get("/services/<id>")
def service(id: str) -> ResponseReturnValue:
    """Return one fully nested service."""
    return jsonify(_one("service", id))


@bp.get("/organizations")
def organizations() -> ResponseReturnValue:
    """List organizations: basic fields, or fully nested with ``full=true``."""
    where = _Where()
    _search(where, ("name", "alternate_name", "description"))
    full, reader = _flag("full"), _reader()
    return _page("organization", where,
                 lambda row: _with_services(reader.nest("organization", row)) if full else row)


def _with_services(doc: dict[str, Any]) -> dict[str, Any]:
    """Add the organization's services: basic fields, or fully nested with ``full_service=true``."""
    reader = _reader()
    rows = reader.rows("service", {"organization_id": doc["id"]})
    doc["services"] = [reader.nest("service", r) if _flag("full_service") else r for r in rows]
    return doc


@bp.get("/organizations/<id>")
def organization(id: str) -> ResponseReturnValue:
    """Return one fully nested organization with its services."""
    return jsonify(_with_services(_one("organization", id)))


@bp.get("/service_at_locations")
def service_at_locations() -> ResponseReturnValue:
    """List services at locations, with their location and service."""
    where = _Where()
    _search(where, ("name", "alternate_name", "description"), table="service", id_column="service_id")
    _service_filters(where, id_column="service_id")
    full, reader = _flag("full"), _reader()
    return _page("service_at_location", where,
                 lambda row: reader.nest("service_at_location", row) if full
                 else _list_item("service_at_location", row))


@bp.get("/service_at_locations/<id>")
def service_at_location(id: str) -> ResponseReturnValue:
    """Return one fully nested service at a location."""
    return jsonify(_one("service_at_location", id))


@bp.get("/taxonomies")
def taxonomies() -> ResponseReturnValue:
    """List taxonomies."""
    where = _Where()
    _search(where, ("name", "description"))
    return _page("taxonomy", where)


@bp.get("/taxonomies/<id>")
def taxonomy(id: str) -> ResponseReturnValue:
    """Return one taxonomy."""
    return jsonify(_one("taxonomy", id))


@bp.get("/taxonomy_terms")
def taxonomy_terms() -> ResponseReturnValue:
    """List taxonomy terms, optionally of one taxonomy, one parent, or only top-level ones."""
    where = _Where()
    _search(where, ("name", "code", "description"))
    if taxonomy_id := request.args.get("taxonomy_id"):
        where.add("taxonomy_id = ?", taxonomy_id)
    if parent_id := request.args.get("parent_id"):
        where.add("parent_id = ?", parent_id)
    if _flag("top_only"):
        where.add("parent_id is null")
    return _page("taxonomy_term", where)


@bp.get("/taxonomy_terms/<id>")
def taxonomy_term(id: str) -> ResponseReturnValue:
    """Return one taxonomy term with its taxonomy."""
    return jsonify(_one("taxonomy_term", id))


def _json_error(error: HTTPException) -> ResponseReturnValue:
    """Answer an HSDS API error as JSON."""
    return jsonify(error=error.name, message=error.description), error.code or 500


bp.register_error_handler(NotFound, _json_error)
bp.register_error_handler(BadRequest, _json_error)
bp.register_error_handler(ServiceUnavailable, _json_error)


def init_app(app: Flask) -> None:
    """Register the read-only HSDS API."""
    app.register_blueprint(bp)
