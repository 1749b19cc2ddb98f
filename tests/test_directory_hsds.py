"""The built directory is strict HSDS 3.0 as built: no gap left for an export to fill."""
from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import sqlite_utils

from navigator.directory import interchange
from navigator.directory import interchange_spec as spec
from navigator.directory.build import NO_PREVIOUS_VALUE, build
from navigator.directory.parse import parse_website
from navigator.directory.schema import TABLES, create_schema
from navigator.settings import DATA_DIR


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("built") / "directory.db"
    build(out, DATA_DIR)
    return out


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


def test_every_required_field_of_the_data_package_is_filled(built: Path) -> None:
    empty = [
        (t.name, f.name, row_id)
        for t in spec.tables() for f in t.fields if f.required
        for (row_id,) in _rows(built, f'SELECT id FROM "{t.name}" WHERE "{f.name}" IS NULL OR "{f.name}" = \'\'')
    ]
    assert empty == []


def test_organizations_are_described_by_the_services_their_sources_list(built: Path) -> None:
    described = dict(_rows(built, "SELECT name, description FROM organization"))
    assert described["Distress Centre Halton"] == "Provides: Distress Centre Halton"
    services = _rows(built, "SELECT s.name FROM service s JOIN organization o ON o.id = s.organization_id"
                            " WHERE o.name = 'Town of Halton Hills' ORDER BY s.rowid")
    assert described["Town of Halton Hills"] == "Provides: " + "; ".join(name for (name,) in services)


def test_first_records_say_they_have_no_previous_value(built: Path) -> None:
    assert _rows(built, "SELECT DISTINCT last_action_type, previous_value FROM metadata") == [
        ("create", NO_PREVIOUS_VALUE)]


def test_every_web_address_is_absolute(built: Path) -> None:
    urls = [url for (url,) in _rows(built, "SELECT url FROM service WHERE url IS NOT NULL")]
    assert [u for u in urls if not u.startswith(("https://", "http://")) or " " in u] == []
    assert "https://www.one-Link.ca" in urls


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("www.milton.ca", ("https://www.milton.ca", None)),
        ("https://lso.ca/public-resources", ("https://lso.ca/public-resources", None)),
        ("http://example.ca/a?b=c", ("http://example.ca/a?b=c", None)),
        ("hopeforwellness.ca (online chat)", ("https://hopeforwellness.ca", None)),
        ("https://tribunalsontario.ca/ltb/ (email LTB@ontario.ca)", ("https://tribunalsontario.ca/ltb/", "LTB@ontario.ca")),
        ("", (None, None)),
    ],
)
def test_parse_website(text: str, expected: tuple[str | None, str | None]) -> None:
    assert parse_website(text) == expected


def test_a_website_that_is_not_one_address_is_refused() -> None:
    with pytest.raises(ValueError, match="not one web address"):
        parse_website("www.a.ca or www.b.ca")


def test_tables_carry_every_field_of_the_data_package_in_its_order() -> None:
    db = sqlite_utils.Database(memory=True)
    create_schema(db)
    assert {t.name: list(db.table(t.name).columns_dict) for t in spec.tables()} == {
        t.name: list(t.columns) for t in spec.tables()}
    assert {name for name, _, _ in TABLES} == {t.name for t in spec.tables()}


def test_csv_export_is_valid_and_round_trips_unchanged(built: Path, tmp_path: Path) -> None:
    from frictionless import validate

    interchange.export_csv(built, tmp_path / "first")
    report = validate(str(tmp_path / "first" / "datapackage.json"))
    assert [(task.name, error.type) for task in report.tasks for error in task.errors] == []
    imported = interchange.import_path(tmp_path / "first", tmp_path / "imported.db")
    assert imported.warnings == ()
    interchange.export_csv(tmp_path / "imported.db", tmp_path / "second")
    for file in sorted((tmp_path / "first").iterdir()):
        assert file.read_text() == (tmp_path / "second" / file.name).read_text(), file.name
    assert interchange.service_documents(tmp_path / "imported.db") == interchange.service_documents(built)


def test_json_export_round_trips_unchanged_without_warnings(built: Path, tmp_path: Path) -> None:
    interchange.export_json(built, tmp_path / "first.json")
    imported = interchange.import_path(tmp_path / "first.json", tmp_path / "imported.db")
    assert imported.warnings == ()
    interchange.export_json(tmp_path / "imported.db", tmp_path / "second.json")
    assert (tmp_path / "second.json").read_text() == (tmp_path / "first.json").read_text()
