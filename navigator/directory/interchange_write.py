"""Write checked HSDS rows into a directory database, all or nothing.

The rows go into a fresh database next to the target, which replaces the
target (``os.replace``) only once everything is written; on any error the
target is left exactly as it was.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import sqlite_utils

from .schema import TABLES, create_schema


def write_atomically(
    target: Path,
    rows: dict[str, dict[str, dict[str, Any]]],
    meta: dict[str, str],
    extend: Callable[[sqlite_utils.Database], None] | None = None,
) -> None:
    """Replace the database at ``target`` with one holding ``rows``; ``extend`` may add more first."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".importing", dir=target.parent)
    os.close(handle)
    tmp = Path(name)
    try:
        db = sqlite_utils.Database(tmp)
        try:
            # A failed import throws this file away, so it needs no journal until it is complete.
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            create_schema(db)
            # Self-references (a parent organization) may come after the row that names them.
            db.execute("PRAGMA defer_foreign_keys = ON")
            with db.conn:
                for table_name in _insert_order():
                    table_rows = list(rows.get(table_name, {}).values())
                    if table_rows:
                        db.table(table_name).insert_all(table_rows, batch_size=500)
                if extend is not None:
                    extend(db)
                db.table("meta").upsert_all([{"key": k, "value": v} for k, v in meta.items()], pk="key")
            # Merge the full-text index the triggers filled, as the build does.
            db.execute("INSERT INTO service_fts(service_fts) VALUES ('optimize')")
            db.execute("PRAGMA journal_mode = DELETE")
        finally:
            db.close()
        _flush(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _flush(path: Path) -> None:
    """Make sure the finished file is on disk before it replaces the target."""
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _insert_order() -> Iterable[str]:
    """Tables in the core schema's creation order: every table after the ones it points at."""
    return [name for name, _, _ in TABLES]

