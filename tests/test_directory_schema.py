"""The HSDS 3.0 schema: tables and field names, foreign keys and their indexes, full-text index."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sqlite_utils

from navigator.directory.schema import TABLES, create_schema

SHARED_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "hsds" / "v3.0" / "schema" / "simple" / "schema.csv"


@pytest.fixture
def db() -> sqlite_utils.Database:
    database = sqlite_utils.Database(memory=True)
    create_schema(database)
    return database


def test_core_tables_use_hsds_field_names(db: sqlite_utils.Database) -> None:
    assert db.table("service").columns_dict.keys() >= {
        "id", "organization_id", "name", "alternate_name", "description", "url", "email", "status",
        "eligibility_description", "minimum_age", "maximum_age", "assured_date", "fees_description",
    }
    assert list(db.table("phone").columns_dict) == [
        "id", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id",
        "number", "extension", "type", "description",
    ]
    assert {"byday", "opens_at", "closes_at", "description", "freq"} <= db.table("schedule").columns_dict.keys()
    for table in ("organization", "service", "location", "service_at_location", "address", "phone", "schedule",
                  "language", "service_area", "taxonomy", "taxonomy_term", "attribute", "contact",
                  "cost_option", "metadata", "meta"):
        assert db.table(table).exists(), table


def test_every_foreign_key_is_declared_and_indexed(db: sqlite_utils.Database) -> None:
    for name, _, foreign_keys in TABLES:
        table = db.table(name)
        declared = {(fk.column, fk.other_table) for fk in table.foreign_keys}
        assert declared == set(foreign_keys), name
        indexed = {ix.columns[0] for ix in table.indexes}
        assert {col for col, _ in foreign_keys} <= indexed, name
    assert ["link_id", "taxonomy_term_id"] in [ix.columns for ix in db.table("attribute").indexes]


def test_full_text_index_follows_service_rows(db: sqlite_utils.Database) -> None:
    db.table("service").insert({"id": "s1", "name": "Food bank", "description": "Groceries", "status": "active"})
    found = db.execute("SELECT rowid FROM service_fts WHERE service_fts MATCH 'groceries'").fetchall()
    assert found == [(1,)]


def test_create_schema_twice_changes_nothing(db: sqlite_utils.Database) -> None:
    before = db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    create_schema(db)
    assert db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == before


@pytest.mark.skipif(not SHARED_SCHEMA.exists(), reason="no shared HSDS specification here")
def test_tables_carry_every_field_of_the_hsds_simple_schema(db: sqlite_utils.Database) -> None:
    with SHARED_SCHEMA.open(encoding="utf-8") as handle:
        spec = [r for r in csv.DictReader(handle) if r["type"] not in ("array", "")]
    missing = [f"{r['table_name']}.{r['name']}" for r in spec
               if r["name"] not in db.table(r["table_name"]).columns_dict]
    assert missing == []
