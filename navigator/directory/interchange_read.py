"""Read HSDS 3.0 input — a CSV data package folder or JSON service documents — into flat records.

Each record remembers where it came from (file and CSV line, or JSON path) so
that every later check can say exactly where a problem is.  Nested JSON
objects become records of their own table, with the link to their parent
filled in from the nesting when the document leaves it out.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import interchange_spec as spec
from .interchange_errors import Problem


@dataclass
class Record:
    """One HSDS object as read, before its values are checked."""

    table: str
    values: dict[str, Any]
    file: str
    where: str  # "line 3" or a JSON path
    from_json: bool = False
    derived: set[str] = field(default_factory=set)  # link columns filled from the nesting


def read(path: Path) -> tuple[list[Record], list[Problem]]:
    """Read a CSV package folder (or its datapackage.json) or a JSON file of service documents."""
    if not path.exists():
        return [], [Problem(str(path), "", "", "no such file or folder")]
    if path.is_dir():
        return read_csv_package(path)
    if path.name == "datapackage.json":
        return read_csv_package(path.parent)
    if path.suffix.lower() == ".csv":
        return [], [Problem(path.name, "", "", "an HSDS CSV package is a folder: import the folder it is in")]
    return read_json(path)


def read_csv_package(folder: Path) -> tuple[list[Record], list[Problem]]:
    """Read every table of an HSDS CSV package; a missing table file means an empty table."""
    records: list[Record] = []
    problems: list[Problem] = []
    present = [t for t in spec.tables() if (folder / t.path).is_file()]
    if not present:
        names = ", ".join(t.path for t in spec.tables()[:3])
        return [], [Problem(str(folder), "", "", f"not an HSDS CSV package: none of {names}, ... found")]
    for t in present:
        file_records, file_problems = _read_csv(folder / t.path, t)
        records += file_records
        problems += file_problems
    return records, problems


def _read_csv(path: Path, t: spec.Table) -> tuple[list[Record], list[Problem]]:
    records: list[Record] = []
    problems: list[Problem] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            header = next(reader, None)
            if header is None:
                return [], [Problem(path.name, "", "", "the file is empty (no header row)")]
            missing = [f.name for f in t.fields if f.required and f.name not in header]
            problems += [Problem(path.name, "line 1", name, "required column is missing") for name in missing]
            line = reader.line_num
            for row in reader:
                start, line = line + 1, reader.line_num  # a quoted value may span lines
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    problems.append(Problem(path.name, f"line {start}", "",
                                            f"has {len(row)} values for {len(header)} columns"))
                    continue
                values = {k: v for k, v in zip(header, row, strict=True) if k not in missing}
                records.append(Record(t.name, values, path.name, f"line {start}"))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        problems.append(Problem(path.name, "", "", f"cannot be read: {exc}"))
    return records, problems


def read_json(path: Path) -> tuple[list[Record], list[Problem]]:
    """Read one service document or a list of them from a JSON file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(path.name, "", "", f"cannot be read: {exc}")]
    except json.JSONDecodeError as exc:
        return [], [Problem(path.name, f"line {exc.lineno}", "", f"is not valid JSON: {exc.msg}")]
    documents = [("$", data)] if isinstance(data, dict) else None
    if isinstance(data, list):
        documents = [(f"$[{i}]", doc) for i, doc in enumerate(data)]
    if documents is None:
        return [], [Problem(path.name, "$", "", "expected a service document or a list of them")]
    records: list[Record] = []
    problems: list[Problem] = []
    for where, doc in documents:
        _flatten(doc, "service", where, path.name, None, records, problems)
        problems += _schema_problems(path.name, where, doc)
    return records, problems


def _schema_problems(file: str, where: str, doc: Any) -> list[Problem]:
    """Check a document against the HSDS service JSON schema."""
    found = []
    for error in spec.validator("service").iter_errors(doc):
        path = where + error.json_path[1:]
        if error.validator == "required":
            missing = str(error.message).split("'")[1]
            found.append(Problem(file, path, missing, "required field is missing"))
            continue
        parent, _, name = path.rpartition(".")
        if name.endswith("]") or not parent:
            found.append(Problem(file, path, "", error.message))
        else:
            found.append(Problem(file, parent, name, error.message))
    return found


def _flatten(
    obj: Any,
    table: str,
    where: str,
    file: str,
    parent: tuple[str, dict[str, Any], spec.Child] | None,
    records: list[Record],
    problems: list[Problem],
) -> str | None:
    """Add ``obj`` and its nested objects as records; return its id."""
    if not isinstance(obj, dict):
        problems.append(Problem(file, where, "", f"expected an HSDS {table} object"))
        return None
    columns = spec.table(table).columns
    record = Record(table, {k: v for k, v in obj.items() if k in columns}, file, where, from_json=True)
    if parent is not None:
        parent_table, parent_values, child = parent
        if child.many:
            _derive(record, child.column, parent_values.get("id"))
            if table in spec.POLYMORPHIC_LINKS:
                _derive(record, spec.POLYMORPHIC_LINKS[table][1], parent_table)
        elif table == "program":
            # A service's program belongs to the service's organization.
            _derive(record, "organization_id", parent_values.get("organization_id"))
    records.append(record)
    nested = spec.children(table)
    # One-to-one objects first: their ids are link columns the many-children may copy.
    for child in sorted(nested, key=lambda c: c.many):
        if child.property not in obj or obj[child.property] is None:
            continue
        value, path = obj[child.property], f"{where}.{child.property}"
        if not child.many:
            child_id = _flatten(value, child.table, path, file, (table, record.values, child), records, problems)
            _derive(record, child.column, child_id)
        elif not isinstance(value, list):
            problems.append(Problem(file, where, child.property, "expected a list"))
        else:
            for i, item in enumerate(value):
                _flatten(item, child.table, f"{path}[{i}]", file, (table, record.values, child), records, problems)
    return obj.get("id") if isinstance(obj.get("id"), str) else None


def _derive(record: Record, column: str, value: Any) -> None:
    """Fill a link column from the nesting unless the document states it."""
    if value is not None and record.values.get(column) in (None, ""):
        record.values[column] = value
        record.derived.add(column)
