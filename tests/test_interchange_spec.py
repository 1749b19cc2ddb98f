"""The shipped HSDS 3.0 spec files: unmodified copies, read the way the spec means them."""
from __future__ import annotations

from pathlib import Path

import pytest

from navigator.directory import interchange_spec as spec
from navigator.settings import PROJECT_ROOT

SHARED = PROJECT_ROOT.parent / "shared" / "hsds" / "v3.0"


def _files(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


@pytest.mark.skipif(not SHARED.is_dir(), reason="the reference copy ../shared is not on this machine")
def test_spec_files_equal_the_reference_copy() -> None:
    copied = _files(spec.SPEC_DIR)
    assert copied, "no spec files shipped"
    for relative in copied:
        assert (spec.SPEC_DIR / relative).read_bytes() == (SHARED / relative).read_bytes(), relative


def test_every_file_the_brief_names_is_shipped() -> None:
    shipped = {str(p) for p in _files(spec.SPEC_DIR)}
    for name in ("datapackage.json", "schema/openapi.json", "schema/service.json",
                 "schema/compiled/service_with_definitions.json", "schema/compiled/service_list.json",
                 "examples/service_full.json", "examples/csv/datapackage.json", "examples/csv/services.csv"):
        assert name in shipped
    assert len([p for p in shipped if p.startswith("schema/") and p.count("/") == 1]) == 22  # 21 + openapi


def test_tables_follow_the_data_package() -> None:
    names = [t.name for t in spec.tables()]
    assert len(names) == 21
    service = spec.table("service")
    assert service.path == "services.csv"
    status = next(f for f in service.fields if f.name == "status")
    assert (status.required, status.enum) == (True, ("active", "inactive", "defunct", "temporarily closed"))
    assert ("organization_id", "organization") in service.references
    assert ("parent_organization_id", "organization") in spec.table("organization").references


def test_nesting_comes_from_the_json_schemas() -> None:
    by_property = {c.property: c for c in spec.children("service")}
    assert (by_property["phones"].table, by_property["phones"].many, by_property["phones"].column) == (
        "phone", True, "service_id")
    assert (by_property["organization"].many, by_property["organization"].column) == (False, "organization_id")
    assert by_property["attributes"].column == "link_id"
    assert {c.property: c.column for c in spec.children("taxonomy_term")}["taxonomy_detail"] == "taxonomy_id"


def test_validator_resolves_references_by_file_name_and_checks_formats() -> None:
    validator = spec.validator("service")
    good = {"id": "ac148810-d857-441c-9679-408f346de14b", "name": "x", "status": "active",
            "phones": [{"id": "1554f2e2-a373-45db-a3fa-9fc48a61c15e", "number": "905-555-0100"}]}
    assert list(validator.iter_errors(good)) == []
    bad = {**good, "phones": [{"id": "not-a-uuid", "number": 5}]}
    assert sorted(e.json_path for e in validator.iter_errors(bad)) == ["$.phones[0].id", "$.phones[0].number"]
