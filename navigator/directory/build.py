"""Build directory.db from data/*services*.csv and data/needs.yaml, deterministically.

Same input gives the same rows: ids are uuid5 of a fixed namespace and the
source record, rows go in file and line order, and the build date is the
newest ``retrieved`` date of the sources rather than the clock.
"""
from __future__ import annotations

import csv
import hashlib
import os
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils
import yaml

from .parse import (
    ICAL_DAYS,
    parse_address,
    parse_ages,
    parse_areas,
    parse_hours,
    parse_languages,
    parse_phones,
    parse_website,
    phone_type,
    states_free,
    states_wheelchair,
)
from .schema import create_schema

NAMESPACE = uuid.UUID("5b0e7c36-2f1d-5c8e-9d53-6a1f0e4b7a21")
COLUMNS = ("name", "organization", "needs", "municipality", "address", "phone", "website", "hours",
           "languages", "eligibility", "description", "source", "retrieved")
NEEDS_TAXONOMY = "navigator needs"
FEATURES_TAXONOMY = "navigator features"
FEATURES = {
    "wheelchair-accessible": "The service states that its location is wheelchair accessible.",
    "closed-on-holidays": "The service closes on Ontario statutory holidays.",
}
UPDATED_BY = "navigator directory build"
# HSDS requires a previous value on every change record, and a CSV package reads an
# empty one as missing; a record's first appearance has none, and says so.
NO_PREVIOUS_VALUE = "(none)"


class BuildError(ValueError):
    """A source record that cannot be built, naming the file, line and field."""


@dataclass(frozen=True)
class BuildReport:
    out: Path
    services: int
    built: str
    sources: tuple[str, ...]


def make_id(kind: str, *parts: str) -> str:
    """Return the stable uuid5 of one record of ``kind`` identified by ``parts``."""
    # uuid.uuid5 spelt out: the same value, without building a UUID object per row.
    digest = bytearray(hashlib.sha1(NAMESPACE.bytes + "\x1f".join((kind, *parts)).encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def source_files(data_dir: Path) -> list[Path]:
    """List the service CSVs to build from, in a fixed order."""
    return sorted(data_dir.glob("*services*.csv"))


def load_needs(path: Path) -> list[dict[str, Any]]:
    """Read the need codes of needs.yaml."""
    needs = yaml.safe_load(path.read_text(encoding="utf-8"))["needs"]
    return [n for n in needs if isinstance(n, dict) and n.get("code")]


def read_records(files: list[Path], codes: set[str]) -> list[tuple[str, int, dict[str, str]]]:
    """Read every record as (file name, line, fields), checking columns and need codes."""
    records = []
    for path in files:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = set(COLUMNS) - set(reader.fieldnames or ())
            if missing:
                raise BuildError(f"{path.name}: missing columns {', '.join(sorted(missing))}")
            for row in reader:
                line = reader.line_num
                fields = {c: (row.get(c) or "").strip() for c in COLUMNS}
                for field in ("name", "organization", "needs", "retrieved"):
                    if not fields[field]:
                        raise BuildError(f"{path.name}:{line}: field {field!r} is empty")
                unknown = [c for c in _split(fields["needs"]) if c not in codes]
                if unknown:
                    raise BuildError(f"{path.name}:{line}: field 'needs' has unknown codes {unknown}")
                records.append((path.name, line, fields))
    return records


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def _taxonomy_rows(needs: list[dict[str, Any]], rows: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """Add the needs and features taxonomies; return term ids by code."""
    terms: dict[str, str] = {}
    for name, description, entries in (
        (NEEDS_TAXONOMY, "Needs a Halton resident can bring to navigator (data/needs.yaml).",
         [(n["code"], n.get("name") or n["code"], n.get("covers") or "") for n in needs]),
        (FEATURES_TAXONOMY, "Facts about access that navigator filters on.",
         [(code, code.replace("-", " "), text) for code, text in FEATURES.items()]),
    ):
        taxonomy_id = make_id("taxonomy", name)
        rows["taxonomy"].append({"id": taxonomy_id, "name": name, "description": description})
        for code, term_name, term_description in entries:
            terms[code] = make_id("taxonomy_term", name, code)
            rows["taxonomy_term"].append({
                "id": terms[code], "code": code, "name": term_name, "description": term_description,
                "language": "en", "taxonomy_id": taxonomy_id,
            })
    return terms


def _schedule_rows(service_id: str, text: str) -> list[dict[str, Any]]:
    parsed = parse_hours(text)
    if parsed.open_24_7:
        groups = {("00:00", "23:59"): list(range(1, 8))}
    else:
        groups = defaultdict(list)
        for window in parsed.windows:
            groups[(window.opens.strftime("%H:%M"), window.closes.strftime("%H:%M"))].append(window.weekday)
    if not groups:
        # Unreadable hours stay in the source's own words, never guessed.
        return [{"id": make_id("schedule", service_id, "text"), "service_id": service_id, "description": text}]
    return [
        {
            "id": make_id("schedule", service_id, opens, closes), "service_id": service_id,
            "freq": "WEEKLY", "wkst": "MO", "byday": ",".join(ICAL_DAYS[d - 1] for d in sorted(days)),
            "opens_at": opens, "closes_at": closes, "description": text,
        }
        for (opens, closes), days in sorted(groups.items(), key=lambda g: (min(g[1]), g[0]))
    ]


def _service_rows(fields: dict[str, str], terms: dict[str, str], rows: dict[str, list[dict[str, Any]]],
                  organizations: set[str], where: str) -> None:
    """Add the rows of one source record to ``rows``."""
    service_id = make_id("service", fields["name"], fields["organization"])
    organization_id = make_id("organization", fields["organization"])
    if organization_id not in organizations:
        organizations.add(organization_id)
        # The description is filled once every service of the organization is known.
        rows["organization"].append({"id": organization_id, "name": fields["organization"]})
    minimum_age, maximum_age = parse_ages(fields["eligibility"])
    languages, interpretation = parse_languages(fields["languages"])
    try:
        url, email = parse_website(fields["website"])
    except ValueError as exc:
        raise BuildError(f"{where}: field 'website': {exc}") from None
    rows["service"].append({
        "id": service_id, "organization_id": organization_id, "name": fields["name"],
        "description": fields["description"], "url": url, "email": email, "status": "active",
        "interpretation_services": interpretation, "eligibility_description": fields["eligibility"] or None,
        "minimum_age": minimum_age, "maximum_age": maximum_age, "assured_date": fields["retrieved"],
    })
    for code in _split(fields["needs"]):
        rows["attribute"].append(_attribute(service_id, terms[code], "need"))
    if parse_hours(fields["hours"]).closed_on_holidays:
        rows["attribute"].append(_attribute(service_id, terms["closed-on-holidays"], "feature"))
    if states_wheelchair(fields["description"], fields["address"]):
        rows["attribute"].append(_attribute(service_id, terms["wheelchair-accessible"], "feature"))
    try:
        areas = parse_areas(fields["municipality"])
    except ValueError as exc:
        raise BuildError(f"{where}: field 'municipality': {exc}") from None
    for slug, words in areas:
        rows["service_area"].append(
            {"id": make_id("service_area", service_id, slug), "service_id": service_id, "name": slug,
             "description": words})
    for i, phone in enumerate(parse_phones(fields["phone"])):
        rows["phone"].append({
            "id": make_id("phone", service_id, str(i)), "service_id": service_id, "number": phone.number,
            "extension": int(phone.extension) if phone.extension else None,
            "type": phone_type(phone.description), "description": phone.description,
        })
    for code, name in languages:
        rows["language"].append(
            {"id": make_id("language", service_id, code), "service_id": service_id, "name": name, "code": code})
    if fields["hours"]:
        rows["schedule"].extend(_schedule_rows(service_id, fields["hours"]))
    if fields["address"]:
        location_id = make_id("location", service_id)
        rows["location"].append({
            "id": location_id, "location_type": "physical", "organization_id": organization_id,
            "name": fields["name"], "description": fields["address"],
        })
        rows["service_at_location"].append(
            {"id": make_id("service_at_location", service_id, location_id), "service_id": service_id,
             "location_id": location_id})
        address = parse_address(fields["address"])
        # HSDS requires a postal code on an address row; where the source gives none,
        # the location's description carries the source's words instead of a guess.
        if address is not None and address["postal_code"]:
            rows["address"].append({"id": make_id("address", location_id), "location_id": location_id,
                                    "address_type": "physical", **address})
    if states_free(fields["description"], fields["eligibility"]):
        rows["cost_option"].append(
            {"id": make_id("cost_option", service_id), "service_id": service_id, "option": "Free",
             "currency": "CAD", "amount": 0.0})
    for field_name, value in (("source", fields["source"]), ("retrieved", fields["retrieved"]),
                              ("last_verified", fields["retrieved"])):
        rows["metadata"].append({
            "id": make_id("metadata", service_id, field_name), "resource_id": service_id,
            "resource_type": "service", "last_action_date": fields["retrieved"], "last_action_type": "create",
            "field_name": field_name, "previous_value": NO_PREVIOUS_VALUE, "replacement_value": value,
            "updated_by": UPDATED_BY,
        })


def _describe_organizations(rows: dict[str, list[dict[str, Any]]]) -> None:
    """Describe each organization by the services its sources list, the only thing they state about it."""
    names: dict[str, list[str]] = defaultdict(list)
    for service in rows["service"]:
        names[service["organization_id"]].append(service["name"])
    for organization in rows["organization"]:
        organization["description"] = "Provides: " + "; ".join(names[organization["id"]])


def _attribute(service_id: str, term_id: str, link_type: str) -> dict[str, Any]:
    return {"id": make_id("attribute", service_id, term_id), "link_id": service_id,
            "taxonomy_term_id": term_id, "link_type": link_type, "link_entity": "service"}


def _insert(db: sqlite_utils.Database, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert plain rows with one prepared statement (sqlite-utils' per-value checks cost minutes at scale)."""
    columns = list(db.table(table).columns_dict)
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    db.conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})',
                        ([row.get(c) for c in columns] for row in rows))


def fingerprint(files: list[Path]) -> str:
    """Return a SHA-256 over the names and bytes of the source files."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def build(out: Path, data_dir: Path, needs_path: Path | None = None) -> BuildReport:
    """Rebuild the directory database at ``out`` from the CSVs in ``data_dir``."""
    needs_path = needs_path or data_dir / "needs.yaml"
    needs = load_needs(needs_path)
    files = source_files(data_dir)
    if not files:
        raise BuildError(f"{data_dir}: no *services*.csv files")
    records = read_records(files, {n["code"] for n in needs})
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    terms = _taxonomy_rows(needs, rows)
    organizations: set[str] = set()
    services: dict[str, str] = {}
    for name, line, fields in records:
        where = f"{name}:{line}"
        service_id = make_id("service", fields["name"], fields["organization"])
        if service_id in services:
            raise BuildError(f"{where}: field 'name' repeats the service of {services[service_id]}")
        services[service_id] = where
        _service_rows(fields, terms, rows, organizations, where)
    _describe_organizations(rows)
    built = max(fields["retrieved"] for _, _, fields in records)
    tmp = out.with_name(out.name + ".tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite_utils.Database(tmp)
    # A crash mid-build leaves only the temporary file, so durability is not needed here.
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    create_schema(db)
    # Indexes and full-text triggers are laid down after the rows: far faster than row by row.
    deferred = db.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
        " ORDER BY type, name"
    ).fetchall()
    for kind, name, _ in deferred:
        db.execute(f'DROP {kind.upper()} "{name}"')
    with db.conn:
        for table in ("taxonomy", "taxonomy_term", "organization", "service", "location",
                      "service_at_location", "address", "phone", "schedule", "service_area", "language",
                      "cost_option", "attribute", "metadata"):
            _insert(db, table, rows[table])
        db.table("meta").insert_all([
            {"key": "built", "value": built},
            {"key": "hsds_version", "value": "3.0"},
            {"key": "services", "value": str(len(rows["service"]))},
            {"key": "source_files", "value": ";".join(p.name for p in files)},
            {"key": "source_fingerprint", "value": fingerprint([*files, needs_path])},
        ])
    for _, _, sql in deferred:
        db.execute(sql)
    # One rebuilt, merged full-text index: the same content gives the same index segments.
    db.execute("INSERT INTO service_fts(service_fts) VALUES ('rebuild')")
    db.execute("INSERT INTO service_fts(service_fts) VALUES ('optimize')")
    db.execute("PRAGMA journal_mode = DELETE")
    db.execute("VACUUM")
    db.close()
    os.replace(tmp, out)
    return BuildReport(out=out, services=len(rows["service"]), built=built, sources=tuple(p.name for p in files))
