"""HSDS 3.0 export and import: valid output, the spec's examples, round trips, located errors, atomicity."""
from __future__ import annotations

import copy
import csv
import hashlib
import json
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from navigator.cli import main
from navigator.directory import interchange, open_directory
from navigator.directory import interchange_spec as spec
from navigator.directory.build import build
from navigator.directory.interchange import ImportError_
from navigator.settings import DATA_DIR

EXAMPLES = spec.SPEC_DIR / "examples"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory as ``navigator directory build`` makes it from data/."""
    out = tmp_path_factory.mktemp("built") / "directory.db"
    build(out, DATA_DIR)
    return out


def fill_hsds_gaps(db: Path) -> None:
    """Fill, for a test, the gaps that keep the built directory from being strict HSDS.

    The build leaves organization descriptions and metadata previous values empty
    and keeps web addresses without a scheme; HSDS requires the first two and
    checks the third.
    """
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("update organization set description = 'Provider: ' || name where description = ''")
        conn.execute("update metadata set previous_value = '(none)' where previous_value = ''")
        conn.execute("update service set url = null where url like '% %'")
        conn.execute("update service set url = 'https://' || url where url not like 'http%'")


@pytest.fixture(scope="module")
def complete(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built directory with its HSDS gaps filled."""
    out = tmp_path_factory.mktemp("complete") / "directory.db"
    shutil.copyfile(built, out)
    fill_hsds_gaps(out)
    return out


def _validate_package(folder: Path) -> list[tuple[str, str, str]]:
    from frictionless import validate

    report = validate(str(folder / "datapackage.json"))
    return [(task.name, error.type, getattr(error, "field_name", "")) for task in report.tasks
            for error in task.errors]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# Export


def test_every_exported_document_validates_against_the_hsds_schemas(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "services.json"
    count = interchange.export_json(built, out)
    documents = json.loads(out.read_text(encoding="utf-8"))
    assert count == len(documents) == open_directory(built).info().services
    validator = spec.validator("service")
    errors = [(doc["name"], e.json_path, e.message) for doc in documents for e in validator.iter_errors(doc)]
    assert errors == []
    first = documents[0]
    assert {"organization", "attributes", "metadata"} <= set(first)
    assert first["attributes"][0]["taxonomy_term"]["taxonomy_detail"]["name"] == "navigator needs"


def test_export_nests_locations_with_addresses_phones_and_schedules(tmp_path: Path) -> None:
    db = tmp_path / "example.db"
    interchange.import_path(EXAMPLES / "service_full.json", db)
    [doc] = interchange.service_documents(db)
    location = doc["service_at_locations"][0]["location"]
    assert location["addresses"][0]["postal_code"] == "ABC 1234"
    assert location["phones"][0]["number"] == '"+44 1234 234567"'
    assert doc["schedules"][0]["opens_at"] == "10:00:00"
    assert doc["organization"]["programs"][0]["name"] == "Community Mental Health Support"


def test_export_is_deterministic(built: Path, tmp_path: Path) -> None:
    interchange.export_json(built, tmp_path / "a.json")
    interchange.export_json(built, tmp_path / "b.json")
    interchange.export_csv(built, tmp_path / "a")
    interchange.export_csv(built, tmp_path / "b")
    assert _digest(tmp_path / "a.json") == _digest(tmp_path / "b.json")
    for file in (tmp_path / "a").iterdir():
        assert _digest(file) == _digest(tmp_path / "b" / file.name), file.name


def test_csv_export_is_a_valid_hsds_data_package(complete: Path, tmp_path: Path) -> None:
    rows = interchange.export_csv(complete, tmp_path / "package")
    assert rows > 0
    assert sorted(p.name for p in (tmp_path / "package").iterdir()) == sorted(
        [t.path for t in spec.tables()] + ["datapackage.json"])
    assert (tmp_path / "package" / "datapackage.json").read_bytes() == spec.DATAPACKAGE.read_bytes()
    assert _validate_package(tmp_path / "package") == []


def test_csv_export_of_the_built_directory_is_a_valid_hsds_data_package(built: Path, tmp_path: Path) -> None:
    interchange.export_csv(built, tmp_path / "package")
    assert _validate_package(tmp_path / "package") == []


def test_export_of_a_missing_database_is_a_directory_error(tmp_path: Path) -> None:
    with pytest.raises(interchange.DirectoryError, match="no such directory database"):
        interchange.export_json(tmp_path / "nope.db", tmp_path / "out.json")


# Round trips


def test_json_export_import_export_is_identical_and_keeps_every_service(built: Path, tmp_path: Path) -> None:
    interchange.export_json(built, tmp_path / "first.json")
    report = interchange.import_path(tmp_path / "first.json", tmp_path / "imported.db")
    interchange.export_json(tmp_path / "imported.db", tmp_path / "second.json")
    assert (tmp_path / "first.json").read_text() == (tmp_path / "second.json").read_text()
    before = {s.id: s for s in open_directory(built).services()}
    after = {s.id: s for s in open_directory(tmp_path / "imported.db").services()}
    assert report.services == len(before)
    assert after == before
    assert open_directory(tmp_path / "imported.db").info() == open_directory(built).info()
    for query in ({"text": "food bank"}, {"needs": ("housing",), "municipality": "oakville"}):
        expected = [hit.service.id for hit in open_directory(built).search(**query)]
        assert [hit.service.id for hit in open_directory(tmp_path / "imported.db").search(**query)] == expected
        assert expected


def test_csv_export_import_export_is_identical(complete: Path, tmp_path: Path) -> None:
    interchange.export_csv(complete, tmp_path / "first")
    interchange.import_path(tmp_path / "first", tmp_path / "imported.db")
    interchange.export_csv(tmp_path / "imported.db", tmp_path / "second")
    for file in sorted((tmp_path / "first").iterdir()):
        assert file.read_text() == (tmp_path / "second" / file.name).read_text(), file.name
    assert interchange.service_documents(complete) == interchange.service_documents(tmp_path / "imported.db")


@pytest.mark.parametrize("example", ["csv", "service_full.json"])
def test_the_spec_examples_import_unchanged_and_round_trip(example: str, tmp_path: Path) -> None:
    report = interchange.import_path(EXAMPLES / example, tmp_path / "one.db")
    assert report.services == 1
    [doc] = interchange.service_documents(tmp_path / "one.db")
    assert doc["id"] == SERVICE_ID
    assert list(spec.validator("service").iter_errors(doc)) == []
    interchange.export_json(tmp_path / "one.db", tmp_path / "one.json")
    interchange.export_csv(tmp_path / "one.db", tmp_path / "one")
    assert _validate_package(tmp_path / "one") == []
    interchange.import_path(tmp_path / "one.json", tmp_path / "two.db")
    interchange.export_json(tmp_path / "two.db", tmp_path / "two.json")
    assert (tmp_path / "one.json").read_text() == (tmp_path / "two.json").read_text()


def test_links_to_records_the_spec_examples_leave_out_are_dropped_with_warnings(tmp_path: Path) -> None:
    report = interchange.import_path(EXAMPLES / "csv", tmp_path / "one.db")
    assert sorted((w.file, w.where, w.field) for w in report.warnings) == [
        ("contacts.csv", "line 2", "organization_id"),
        ("contacts.csv", "line 2", "service_at_location_id"),
        ("locations.csv", "line 2", "organization_id"),
        ("organizations.csv", "line 2", "parent_organization_id"),
        ("taxonomy_terms.csv", "line 2", "parent_id"),
        ("taxonomy_terms.csv", "line 2", "taxonomy_id"),
    ]
    assert "refers to organization 985e4a42-bd9f-4edc-911d-0243a4640aca, which is not in the import" in str(
        next(w for w in report.warnings if w.file == "locations.csv"))


def test_json_import_merges_an_object_listed_in_several_places(tmp_path: Path) -> None:
    interchange.import_path(EXAMPLES / "service_full.json", tmp_path / "one.db")
    with closing(sqlite3.connect(tmp_path / "one.db")) as conn:
        phones = conn.execute("select id, service_id, location_id, organization_id, contact_id, "
                              "service_at_location_id from phone").fetchall()
    assert phones == [("1554f2e2-a373-45db-a3fa-9fc48a61c15e", SERVICE_ID, "3a19ff88-4620-4d17-9830-ac1d859eb5d5",
                       "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", "1e7efce3-639b-4880-940c-b95cd30cdb50",
                       "e94c9f38-1e8f-4564-91d4-d53501ab1765")]


def test_fields_the_core_schema_lacks_survive_an_import(tmp_path: Path) -> None:
    interchange.import_path(EXAMPLES / "service_full.json", tmp_path / "one.db")
    [doc] = interchange.service_documents(tmp_path / "one.db")
    assert (doc["wait_time"], doc["last_modified"], doc["organization"]["tax_status"]) == (
        "wait_time", "2023-03-15T10:30:45.123Z", "tax_status")


# Bad input: every problem names the file, the line or JSON path, and the field


def _csv_package(tmp_path: Path, edits: list[tuple[str, int, str, str]]) -> Path:
    """Copy the spec's CSV example and set (file, data row index, field, value) cells."""
    folder = tmp_path / "package"
    shutil.copytree(EXAMPLES / "csv", folder)
    for file, index, field, value in edits:
        with (folder / file).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
            fieldnames = list(rows[0])
        while len(rows) <= index:
            rows.append(dict(rows[-1], id=f"00000000-0000-4000-8000-{len(rows):012d}"))
        rows[index][field] = value
        with (folder / file).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames)
            writer.writeheader()
            writer.writerows(rows)
    return folder


def _problems(path: Path, tmp_path: Path) -> list[str]:
    with pytest.raises(ImportError_) as caught:
        interchange.import_path(path, tmp_path / "target.db")
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("services.csv", 0, "status", ""), "services.csv line 2, field 'status': required field is missing"),
        (("addresses.csv", 0, "city", ""), "addresses.csv line 2, field 'city': required field is missing"),
        (("service_at_location.csv", 0, "location_id", "0e3a3b9c-5b7e-4a8e-9a55-3d6a3c0f7a11"),
         ("service_at_location.csv line 2, field 'location_id': refers to location "
         "0e3a3b9c-5b7e-4a8e-9a55-3d6a3c0f7a11, which is not in the import")),
        (("services.csv", 0, "organization_id", "0e3a3b9c-5b7e-4a8e-9a55-3d6a3c0f7a11"),
         ("services.csv line 2, field 'organization_id': refers to organization "
         "0e3a3b9c-5b7e-4a8e-9a55-3d6a3c0f7a11, which is not in the import")),
        (("schedules.csv", 0, "opens_at", "25:00"),
         "schedules.csv line 2, field 'opens_at': '25:00' is not a time (HH:MM:SS)"),
        (("schedules.csv", 0, "closes_at", "6pm"),
         "schedules.csv line 2, field 'closes_at': '6pm' is not a time (HH:MM:SS)"),
        (("schedules.csv", 0, "freq", "DAILY"),
         "schedules.csv line 2, field 'freq': 'DAILY' is not one of: WEEKLY, MONTHLY"),
        (("locations.csv", 0, "location_type", "building"),
         "locations.csv line 2, field 'location_type': 'building' is not one of: physical, postal, virtual"),
        (("phones.csv", 0, "id", "phone-1"), "phones.csv line 2, field 'id': 'phone-1' is not a UUID"),
        (("services.csv", 0, "minimum_age", "twelve"),
         "services.csv line 2, field 'minimum_age': 'twelve' is not a number"),
        (("cost_options.csv", 0, "valid_from", "2020-13-01"),
         "cost_options.csv line 2, field 'valid_from': '2020-13-01' is not a date (YYYY-MM-DD)"),
        (("phones.csv", 1, "id", "1554f2e2-a373-45db-a3fa-9fc48a61c15e"),
         "phones.csv line 3, field 'id': 1554f2e2-a373-45db-a3fa-9fc48a61c15e is used twice (first at line 2)"),
    ],
)
def test_bad_csv_input_is_reported_where_it_is(edit: tuple[str, int, str, str], expected: str,
                                               tmp_path: Path) -> None:
    assert _problems(_csv_package(tmp_path, [edit]), tmp_path) == [expected]


def test_csv_line_numbers_count_values_that_span_lines(tmp_path: Path) -> None:
    folder = _csv_package(tmp_path, [("services.csv", 0, "description", "first line\nsecond line\nthird"),
                                     ("services.csv", 1, "status", "open")])
    assert _problems(folder, tmp_path) == [
        "services.csv line 5, field 'status': 'open' is not one of: active, inactive, defunct, temporarily closed"]


def test_every_problem_is_collected_not_just_the_first(tmp_path: Path) -> None:
    folder = _csv_package(tmp_path, [("services.csv", 0, "status", "open"),
                                     ("schedules.csv", 0, "opens_at", "noon"),
                                     ("addresses.csv", 0, "country", "")])
    assert _problems(folder, tmp_path) == [
        "services.csv line 2, field 'status': 'open' is not one of: active, inactive, defunct, temporarily closed",
        "schedules.csv line 2, field 'opens_at': 'noon' is not a time (HH:MM:SS)",
        "addresses.csv line 2, field 'country': required field is missing",
    ]


def test_problems_stop_at_a_limit_and_say_how_many_more(tmp_path: Path) -> None:
    folder = _csv_package(tmp_path, [("languages.csv", i, "id", f"language-{i}") for i in range(60)])
    with pytest.raises(ImportError_) as caught:
        interchange.import_path(folder, tmp_path / "target.db")
    assert (len(caught.value.problems), caught.value.total) == (50, 60)
    assert str(caught.value).startswith("HSDS import failed with 60 problems:\nlanguages.csv line 2, field 'id'")
    assert str(caught.value).endswith("... and 10 more problems")


def test_a_missing_required_column_is_reported_once(tmp_path: Path) -> None:
    folder = _csv_package(tmp_path, [])
    text = (folder / "taxonomies.csv").read_text(encoding="utf-8").replace("id,name,", "id,title,", 1)
    (folder / "taxonomies.csv").write_text(text, encoding="utf-8")
    assert _problems(folder, tmp_path) == ["taxonomies.csv line 1, field 'name': required column is missing"]


def _full(**changes: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    doc = copy.deepcopy(json.loads((EXAMPLES / "service_full.json").read_text(encoding="utf-8")))
    for change in changes.values():
        change(doc)
    return doc


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["service_at_locations"][0]["location"]["addresses"][0].pop("city"),
         "doc.json at $.service_at_locations[0].location.addresses[0].city: required field is missing"),
        (lambda d: d.pop("name"), "doc.json at $.name: required field is missing"),
        (lambda d: d["attributes"][0].update(taxonomy_term=None,
                                             taxonomy_term_id="0e3a3b9c-5b7e-4a8e-9a55-3d6a3c0f7a11"),
         ("doc.json at $.attributes[0].taxonomy_term_id: refers to taxonomy_term "
         "0e3a3b9c-5b7e-4a8e-9a55-3d6a3c0f7a11, which is not in the import")),
        (lambda d: d["schedules"][0].update(opens_at="10am"),
         "doc.json at $.schedules[0].opens_at: '10am' is not a time (HH:MM:SS)"),
        (lambda d: d.update(status="open"),
         "doc.json at $.status: 'open' is not one of: active, inactive, defunct, temporarily closed"),
        (lambda d: d["service_areas"][0].update(id="area-1"),
         "doc.json at $.service_areas[0].id: 'area-1' is not a UUID"),
        (lambda d: d["phones"][0].update(number="555-0100"),
         ("doc.json at $.phones[0].number: '555-0100' conflicts with '\"+44 1234 234567\"' for the same phone "
         "at $.organization.contacts[0].phones[0]")),
        (lambda d: d.update(phones={"id": "x"}), "doc.json at $.phones: expected a list"),
    ],
)
def test_bad_json_input_is_reported_at_its_json_path(change: Callable[[dict[str, Any]], None], expected: str,
                                                     tmp_path: Path) -> None:
    doc = _full(change=change)
    (tmp_path / "doc.json").write_text(json.dumps(doc), encoding="utf-8")
    assert expected in _problems(tmp_path / "doc.json", tmp_path)


def test_json_paths_index_into_a_list_of_documents(tmp_path: Path) -> None:
    second = {"id": "b2f6a0c4-2d0e-4c1e-9d55-0f7c1b1c3a77", "name": "Second", "status": "paused",
              "organization_id": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"}
    (tmp_path / "docs.json").write_text(json.dumps([_full(), second]), encoding="utf-8")
    assert _problems(tmp_path / "docs.json", tmp_path) == [
        "docs.json at $[1].status: 'paused' is not one of: active, inactive, defunct, temporarily closed"]


@pytest.mark.parametrize(
    ("write", "expected"),
    [
        (lambda p: p.joinpath("doc.json").write_text("[{\"id\": ", encoding="utf-8"),
         "doc.json line 1: is not valid JSON: Expecting value"),
        (lambda p: p.joinpath("doc.json").write_bytes(b"\xff\xfe not utf-8"), "doc.json: cannot be read:"),
        (lambda p: p.joinpath("doc.json").write_text("42", encoding="utf-8"),
         "doc.json at $: expected a service document or a list of them"),
    ],
)
def test_unreadable_json_is_an_import_error(write: Callable[[Path], Any], expected: str, tmp_path: Path) -> None:
    write(tmp_path)
    [problem] = _problems(tmp_path / "doc.json", tmp_path)
    assert problem.startswith(expected)


def test_unreadable_csv_and_missing_paths_are_import_errors(tmp_path: Path) -> None:
    folder = _csv_package(tmp_path, [])
    header = (folder / "services.csv").read_bytes().splitlines()[0]
    (folder / "services.csv").write_bytes(header + b"\n\xff\xff\n")
    [problem] = _problems(folder, tmp_path)
    assert problem.startswith("services.csv: cannot be read:")
    assert _problems(tmp_path / "absent", tmp_path) == [f"{tmp_path / 'absent'}: no such file or folder"]
    assert _problems(folder / "services.csv", tmp_path) == [
        "services.csv: an HSDS CSV package is a folder: import the folder it is in"]
    (tmp_path / "empty").mkdir()
    [problem] = _problems(tmp_path / "empty", tmp_path)
    assert "not an HSDS CSV package" in problem


# Atomicity


def _folder_state(folder: Path) -> dict[str, str]:
    return {p.name: _digest(p) for p in folder.iterdir() if p.is_file()}


def test_a_failing_import_leaves_the_target_untouched(built: Path, tmp_path: Path) -> None:
    target = tmp_path / "live" / "directory.db"
    target.parent.mkdir()
    shutil.copyfile(built, target)
    before = _folder_state(target.parent)
    folder = _csv_package(tmp_path, [("services.csv", 0, "status", "")])
    with pytest.raises(ImportError_):
        interchange.import_path(folder, target)
    assert _folder_state(target.parent) == before


def test_a_failure_while_writing_leaves_the_target_untouched(built: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "directory.db"
    shutil.copyfile(built, target)
    before = _folder_state(tmp_path)

    def broken(*_: Any) -> int:
        raise RuntimeError("disk trouble")

    monkeypatch.setattr(interchange, "link_needs", broken)
    with pytest.raises(RuntimeError, match="disk trouble"):
        interchange.import_path(EXAMPLES / "service_full.json", target)
    assert _folder_state(tmp_path) == before


def test_a_successful_import_replaces_the_target(built: Path, tmp_path: Path) -> None:
    target = tmp_path / "directory.db"
    shutil.copyfile(built, target)
    interchange.import_path(EXAMPLES / "service_full.json", target)
    assert [s.id for s in open_directory(target).services()] == [SERVICE_ID]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["directory.db"]


# Need links


def test_terms_matching_a_need_code_give_navigator_need_links(tmp_path: Path) -> None:
    doc = _full()
    term = doc["attributes"][0]["taxonomy_term"]
    term.update(code="BD-1800.2000", name="Food Banks")
    second = copy.deepcopy(doc["attributes"][0])
    second["id"] = "5d7f4a38-3c36-4f44-9f1e-1c8a2b7d8e90"
    second["taxonomy_term"].update(id="7a0c5f2e-8d4b-4f0a-9b6e-2e1d3c4b5a69", code="housing", name="Housing help")
    doc["attributes"].append(second)
    (tmp_path / "doc.json").write_text(json.dumps(doc), encoding="utf-8")
    report = interchange.import_path(tmp_path / "doc.json", tmp_path / "one.db")
    assert report.needs_linked == 1
    assert open_directory(tmp_path / "one.db").get(SERVICE_ID).needs == ("housing",)


# Command line


def test_cli_exports_and_imports(built: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["directory", "export", "--db", str(built), "--format", "csv",
                                  str(tmp_path / "package")])
    assert result.exit_code == 0, result.output
    assert "rows in an HSDS 3.0 data package" in result.output
    result = runner.invoke(main, ["directory", "import", str(EXAMPLES / "service_full.json"),
                                  "--into", str(tmp_path / "one.db")])
    assert result.exit_code == 0, result.output
    assert "1 services" in result.output
    assert "parent_organization_id: refers to organization" in result.output  # the warning, on stderr


def test_cli_turns_import_problems_into_a_clean_error(tmp_path: Path) -> None:
    folder = _csv_package(tmp_path, [("schedules.csv", 0, "opens_at", "25:00")])
    result = CliRunner().invoke(main, ["directory", "import", str(folder), "--into", str(tmp_path / "t.db")])
    assert result.exit_code == 1
    assert "Error: HSDS import failed with 1 problem:\nschedules.csv line 2, field 'opens_at'" in result.output
    assert not (tmp_path / "t.db").exists()


@pytest.mark.parametrize(
    ("table", "field", "raw", "from_json", "expected"),
    [
        ("schedule", "opens_at", "09:00", False, "09:00:00"),
        ("schedule", "opens_at", "09:00:00-05:00", False, "09:00:00-05:00"),
        ("location", "latitude", "43.5", False, 43.5),
        ("location", "latitude", "100", False, 100),
        ("location", "latitude", 100.0, True, 100),
        ("organization", "description", "", True, ""),
        ("organization", "description", "", False, None),
    ],
)
def test_values_are_read_in_one_canonical_form(table: str, field: str, raw: Any, from_json: bool,
                                               expected: Any) -> None:
    from navigator.directory.interchange_check import convert

    f = next(f for f in spec.table(table).fields if f.name == field)
    assert convert(f, raw, from_json) == (expected, None)
