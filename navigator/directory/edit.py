"""Validated edits of directory records, with their history as HSDS metadata rows."""
from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Change:
    """One recorded change of one field: who, when, what it was and what it became."""

    when: str
    who: str
    action: str
    field: str
    previous: str
    new: str


def history(path: str | Path, service_id: str) -> list[Change]:
    """Return the changes recorded for a service, newest first."""
    with closing(sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)) as db:
        rows = db.execute(
            "SELECT last_action_date, updated_by, last_action_type, field_name, previous_value, replacement_value"
            " FROM metadata WHERE resource_type = 'service' AND resource_id = ? ORDER BY rowid DESC",
            (service_id,),
        ).fetchall()
    return [Change(*(str(v or "") for v in row)) for row in rows]
