"""Check HSDS records against the spec and turn them into clean table rows.

Types, formats and enumerations come from the HSDS data package.  Records of
the same id (a phone listed under a service and under its location) are
merged; conflicting values are problems.  References to records missing from
the input are problems when the field is required; optional ones (the spec's
own examples point at parents they do not ship) are dropped with a warning.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from . import interchange_spec as spec
from .interchange_errors import Problem
from .interchange_read import Record

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# HSDS times may carry a UTC offset ("09:00:00-05:00"), kept as written.
_TIME = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


@dataclass
class Checked:
    """Rows ready to write, by table then id, and what was dropped on the way."""

    rows: dict[str, dict[str, dict[str, Any]]]
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def canonical_number(value: float) -> float | int:
    """Return ``value`` as an int when it is whole, so 100 and 100.0 read the same."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def convert(f: spec.Field, raw: Any, from_json: bool) -> tuple[Any, str | None]:
    """Return the value of field ``f`` in canonical form, or an explanation of what is wrong."""
    # CSV cannot tell an empty value from a missing one; JSON can, and "" is kept.
    if raw is None or (raw == "" and not from_json):
        return None, None
    if f.type == "number":
        if from_json:
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                return None, f"{raw!r} is not a number"
            return canonical_number(raw), None
        text = str(raw).strip()
        if not _NUMBER.match(text):
            return None, f"{raw!r} is not a number"
        return canonical_number(float(text) if any(c in text for c in ".eE") else int(text)), None
    if not isinstance(raw, str):
        return None, f"{raw!r} is not text"
    value = raw
    if f.type == "date":
        if not _DATE.match(value) or not _parses(date.fromisoformat, value):
            return None, f"{raw!r} is not a date (YYYY-MM-DD)"
    elif f.type == "datetime":
        if len(value) < 19 or value[10] not in "T " or not _parses(datetime.fromisoformat, value):
            return None, f"{raw!r} is not a date and time (YYYY-MM-DDTHH:MM:SS)"
    elif f.type == "time":
        m = _TIME.match(value)
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59 or int(m.group(3) or 0) > 59:
            return None, f"{raw!r} is not a time (HH:MM:SS)"
        value = f"{m.group(1)}:{m.group(2)}:{m.group(3) or '00'}{m.group(4) or ''}"
    elif f.format == "uuid" and not _UUID.match(value):
        return None, f"{raw!r} is not a UUID"
    if f.enum and value not in f.enum:
        return None, f"{raw!r} is not one of: {', '.join(f.enum)}"
    return value, None


def format_warning(f: spec.Field, value: Any) -> str | None:
    """Say what is wrong with an email or URI value, which is kept as written.

    Addresses like "www.example.ca" are common in real directories and still
    useful to a resident, so they do not stop an import.
    """
    if not isinstance(value, str):
        return None
    if f.format == "email" and not _EMAIL.match(value):
        return f"{value!r} is not an email address; kept as written"
    if f.format == "uri" and (not urlsplit(value).scheme or any(c.isspace() for c in value)):
        return f"{value!r} is not an absolute URI; kept as written"
    return None


def _parses(parser: Any, value: str) -> bool:
    try:
        parser(value)
    except ValueError:
        return False
    return True


def check(records: list[Record]) -> Checked:
    """Convert, merge and cross-check records; collect every problem rather than the first."""
    result = Checked({t.name: {} for t in spec.tables()})
    origins: dict[tuple[str, str], Record] = {}
    for record in records:
        t = spec.table(record.table)
        values: dict[str, Any] = {}
        warnings = []
        for f in t.fields:
            value, error = convert(f, record.values.get(f.name), record.from_json)
            if error:
                result.problems.append(Problem(record.file, record.where, f.name, error))
            warning = format_warning(f, value)
            if warning:
                warnings.append(Problem(record.file, record.where, f.name, warning))
            values[f.name] = value
        if values["id"] is None:
            if record.values.get("id") in (None, ""):
                result.problems.append(Problem(record.file, record.where, "id", "required field is missing"))
            continue
        key = (record.table, values["id"])
        if key not in origins:
            origins[key] = record
            result.rows[record.table][values["id"]] = values
            result.warnings += warnings  # once per record, however often a document repeats it
        else:
            _merge(result, origins[key], record, values)
    _check_required(result, origins)
    _check_unique(result, origins)
    _check_references(result, origins)
    return result


def _merge(result: Checked, first: Record, record: Record, values: dict[str, Any]) -> None:
    """Fold a second occurrence of an id into the first; differing values are problems."""
    if not (first.from_json and record.from_json):
        result.problems.append(Problem(record.file, record.where, "id",
                                       f"{values['id']} is used twice (first at {first.where})"))
        return
    kept = result.rows[record.table][values["id"]]
    for name, value in values.items():
        if value is None:
            continue
        if kept[name] is None:
            kept[name] = value
        elif kept[name] != value:
            result.problems.append(Problem(record.file, record.where, name,
                                           f"{value!r} conflicts with {kept[name]!r} for the same "
                                           f"{record.table} at {first.where}"))


def _check_required(result: Checked, origins: dict[tuple[str, str], Record]) -> None:
    for t in spec.tables():
        for row_id, row in result.rows[t.name].items():
            origin = origins[(t.name, row_id)]
            for f in t.fields:
                if not f.required or row[f.name] is not None:
                    continue
                raw = origin.values.get(f.name)
                if raw not in (None, ""):
                    continue  # malformed, and already reported as such
                if not origin.from_json and f.name not in origin.values:
                    continue  # the whole column is missing, reported once for the file
                result.problems.append(Problem(origin.file, origin.where, f.name, "required field is missing"))


def _check_unique(result: Checked, origins: dict[tuple[str, str], Record]) -> None:
    # Only a warning: HSDS marks a program's organization_id and a term's code unique,
    # which real directories (several programs, several taxonomies) break harmlessly.
    for t in spec.tables():
        for f in t.fields:
            if not f.unique or f.name == "id":
                continue
            seen: dict[Any, str] = {}
            for row_id, row in result.rows[t.name].items():
                value = row[f.name]
                if value is None:
                    continue
                if value in seen:
                    origin = origins[(t.name, row_id)]
                    first = origins[(t.name, seen[value])].where
                    result.warnings.append(Problem(origin.file, origin.where, f.name,
                                                   f"{value!r} should be unique but is also at {first}"))
                else:
                    seen[value] = row_id


def _check_references(result: Checked, origins: dict[tuple[str, str], Record]) -> None:
    for t in spec.tables():
        required = {f.name for f in t.fields if f.required}
        for column, other in t.references:
            for row_id, row in result.rows[t.name].items():
                target = row[column]
                if target is None or target in result.rows[other]:
                    continue
                origin = origins[(t.name, row_id)]
                message = f"refers to {other} {target}, which is not in the import"
                if column in required:
                    result.problems.append(Problem(origin.file, origin.where, column, message))
                else:
                    result.warnings.append(Problem(origin.file, origin.where, column, message + "; link dropped"))
                    row[column] = None
