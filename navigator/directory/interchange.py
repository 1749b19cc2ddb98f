"""HSDS 3.0 interchange: export the directory as JSON or a CSV data package, import either.

- ``export_json(db_path, out)``: a list of fully nested service documents.
- ``export_csv(db_path, folder)``: one CSV per HSDS table plus the HSDS ``datapackage.json``.
- ``import_path(path, into)``: read a CSV package folder or JSON service documents, check
  everything, and replace the database at ``into`` only if all of it is good.

Problems are raised as ``ImportError_`` listing each one with its file, line
or JSON path, and field.
"""
from __future__ import annotations

import csv
import hashlib
import json
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlite_utils

from ..settings import DATA_DIR
from . import interchange_spec as spec
from .interchange_check import check
from .interchange_errors import DirectoryError, ImportError_, Problem
from .interchange_export import HSDSReader
from .interchange_needs import link_needs
from .interchange_read import read
from .interchange_write import write_atomically

__all__ = ["DirectoryError", "ImportError_", "ImportReport", "Problem", "export_csv", "export_json",
           "import_path", "service_documents"]


@dataclass(frozen=True)
class ImportReport:
    """What an import wrote, and what it kept going past."""

    into: Path
    services: int
    rows: int
    needs_linked: int
    warnings: tuple[Problem, ...] = ()


def _open(db_path: Path) -> sqlite_utils.Database:
    if not Path(db_path).is_file():
        raise DirectoryError(f"{db_path}: no such directory database")
    return sqlite_utils.Database(db_path)


def service_documents(db_path: Path) -> list[dict[str, Any]]:
    """Return every service of the database as an HSDS 3.0 service document."""
    db = _open(db_path)
    try:
        return HSDSReader(db).service_documents()
    finally:
        db.close()


def export_json(db_path: Path, out: Path) -> int:
    """Write the directory as a JSON list of HSDS 3.0 service documents; return how many."""
    documents = service_documents(db_path)
    out.write_text(json.dumps(documents, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(documents)


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def export_csv(db_path: Path, folder: Path) -> int:
    """Write the directory as an HSDS 3.0 Tabular Data Package in ``folder``; return the row count."""
    db = _open(db_path)
    total = 0
    try:
        reader = HSDSReader(db)
        folder.mkdir(parents=True, exist_ok=True)
        for t in spec.tables():
            rows = reader.rows(t.name)
            with (folder / t.path).open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(t.columns)
                writer.writerows([_cell(row.get(c)) for c in t.columns] for row in rows)
            total += len(rows)
    finally:
        db.close()
    # The spec's own descriptor, unchanged: the package is HSDS exactly, not a variant of it.
    shutil.copyfile(spec.DATAPACKAGE, folder / "datapackage.json")
    return total


def _fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def _newest_date(rows: dict[str, dict[str, dict[str, Any]]]) -> str:
    """Return the newest verification or change date in the data: when its sources were last read."""
    dates = [r["assured_date"] for r in rows["service"].values() if r["assured_date"]]
    dates += [r["last_modified"][:10] for r in rows["service"].values() if r["last_modified"]]
    dates += [r["last_action_date"] for r in rows["metadata"].values() if r["last_action_date"]]
    return max(dates, default=date.today().isoformat())


def import_path(path: Path, into: Path, needs_path: Path | None = None) -> ImportReport:
    """Import an HSDS 3.0 CSV package or JSON file into the database at ``into``, atomically."""
    records, problems = read(Path(path))
    if any(not p.where for p in problems):
        # A file that cannot be read at all would only echo as missing references below.
        raise ImportError_(problems)
    checked = check(records)
    # The field checks come first so their wording wins over the JSON schema's for the same spot.
    problems = _unique_problems(checked.problems + problems)
    if problems:
        raise ImportError_(problems)
    linked = 0

    def extend(db: sqlite_utils.Database) -> None:
        nonlocal linked
        linked = link_needs(db, needs_path or DATA_DIR / "needs.yaml")

    services = len(checked.rows["service"])
    meta = {
        "built": _newest_date(checked.rows),
        "hsds_version": "3.0",
        "services": str(services),
        "source_files": Path(path).name,
        "source_fingerprint": _fingerprint(Path(path)),
    }
    try:
        write_atomically(Path(into), checked.rows, meta, extend)
    except sqlite3.Error as exc:
        raise ImportError_([Problem(str(into), "", "", f"the database refused the data: {exc}")]) from exc
    return ImportReport(
        into=Path(into),
        services=services,
        rows=sum(len(rows) for rows in checked.rows.values()),
        needs_linked=linked,
        warnings=tuple(checked.warnings),
    )


def _unique_problems(problems: list[Problem]) -> list[Problem]:
    """Drop a problem found twice at the same place (by the JSON schema and by the field checks)."""
    seen: set[tuple[str, str, str]] = set()
    kept = []
    for problem in problems:
        key = (problem.file, problem.where, problem.field)
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return kept
