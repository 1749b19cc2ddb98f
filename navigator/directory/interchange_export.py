"""Read a directory database as HSDS 3.0: canonical rows, nested documents, tables.

Values are read through the spec's field types so the same data always reads
the same way (whole numbers as integers, times as HH:MM:SS), which is what
makes export -> import -> export give identical output.  Rows come in the
order they were stored (the source's order, which ranking reads: a service's
first need is its main one); nested objects follow the HSDS JSON schemas.
"""
from __future__ import annotations

import re
from typing import Any

import sqlite_utils

from . import interchange_spec as spec
from .interchange_check import canonical_number

_SHORT_TIME = re.compile(r"^\d{2}:\d{2}$")


def canonical(f: spec.Field, value: Any) -> Any:
    """Return a stored value in the form HSDS gives it."""
    if value is None:
        return None
    if f.type == "number":
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                return value
        return canonical_number(value)
    value = str(value)
    if f.type == "time" and _SHORT_TIME.match(value):
        return value + ":00"
    return value


class HSDSReader:
    """Read HSDS rows and nested objects out of a directory database."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self._columns = {t.name: set(db.table(t.name).columns_dict) for t in spec.tables()}

    def _row(self, table: str, raw: dict[str, Any]) -> dict[str, Any]:
        fields = spec.table(table).fields
        values = ((f.name, canonical(f, raw.get(f.name))) for f in fields)
        return {name: value for name, value in values if value is not None}

    def rows(self, table: str, where: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Return the rows of ``table`` whose columns equal ``where``'s values, in stored order."""
        where = where or {}
        if any(column not in self._columns[table] for column in where):
            return []  # a column the database lacks holds no values to match
        clause = " and ".join(f"[{column}] = ?" for column in where) or None
        return self.select(table, clause, list(where.values()))

    def select(self, table: str, clause: str | None = None, args: list[Any] | None = None,
               limit: int | None = None, offset: int | None = None) -> list[dict[str, Any]]:
        """Return the rows of ``table`` matching an SQL ``clause``, in stored order."""
        raws = self.db.table(table).rows_where(clause, args or [], order_by="rowid", limit=limit, offset=offset)
        return [self._row(table, raw) for raw in raws]

    def count(self, table: str, clause: str | None = None, args: list[Any] | None = None) -> int:
        """Return how many rows of ``table`` match an SQL ``clause``."""
        sql = f"select count(*) from [{table}]" + (f" where {clause}" if clause else "")
        return int(self.db.execute(sql, args or []).fetchone()[0])

    def has_column(self, table: str, column: str) -> bool:
        """Say whether the database stores ``column`` of ``table``."""
        return column in self._columns[table]

    def get(self, table: str, row_id: str) -> dict[str, Any] | None:
        """Return one row by id, or None."""
        found = self.rows(table, {"id": row_id})
        return found[0] if found else None

    def nest(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        """Return ``row`` with its nested objects, as in an HSDS JSON document."""
        doc = dict(row)
        for child in spec.children(table):
            if child.many:
                found = self.rows(child.table, {child.column: row["id"]})
                if found:
                    doc[child.property] = [self.nest(child.table, item) for item in found]
            elif row.get(child.column):
                one = self.get(child.table, row[child.column])
                if one is not None:
                    doc[child.property] = self.nest(child.table, one)
        return doc

    def document(self, table: str, row_id: str) -> dict[str, Any] | None:
        """Return the fully nested HSDS object ``table`` with ``row_id``, or None."""
        row = self.get(table, row_id)
        return None if row is None else self.nest(table, row)

    def service_documents(self) -> list[dict[str, Any]]:
        """Return every service as a fully nested HSDS 3.0 service document, in stored order."""
        return [self.nest("service", row) for row in self.rows("service")]
