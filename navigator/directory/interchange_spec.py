"""The HSDS 3.0 specification as navigator reads it: tables, fields, nesting, JSON schemas.

Everything comes from the unmodified spec files in ``hsds_spec/v3.0``: the
Tabular Data Package descriptor gives each table's fields, types, constraints
and foreign keys; the per-object JSON schemas give how objects nest in a
service document.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_DIR = Path(__file__).resolve().parent / "hsds_spec" / "v3.0"
SCHEMA_DIR = SPEC_DIR / "schema"
DATAPACKAGE = SPEC_DIR / "datapackage.json"

# Link columns whose target table is named in another column rather than by the column name.
POLYMORPHIC_LINKS = {"attribute": ("link_id", "link_entity"), "metadata": ("resource_id", "resource_type")}
# Self-references the data package leaves out but which are references all the same.
EXTRA_REFERENCES = (("organization", "parent_organization_id", "organization"),
                    ("taxonomy_term", "parent_id", "taxonomy_term"))


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # data package type: string, number, date, datetime, time
    format: str | None = None  # uuid, email, uri
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    name: str  # HSDS object name, also the SQLite table name
    path: str  # CSV file name in a data package
    fields: tuple[Field, ...]
    references: tuple[tuple[str, str], ...]  # (column, referenced table)

    @property
    def columns(self) -> tuple[str, ...]:
        """Return the field names in the order of the spec."""
        return tuple(f.name for f in self.fields)


@dataclass(frozen=True)
class Child:
    """A nested property of an HSDS object: an array of children or one linked object."""

    property: str  # e.g. "phones", "organization"
    table: str  # the nested object's table
    many: bool  # True: children point at the parent; False: the parent points at it
    column: str  # the link column: in the child when many, in the parent otherwise


@cache
def datapackage() -> dict[str, Any]:
    """Return the HSDS 3.0 Tabular Data Package descriptor."""
    return dict(json.loads(DATAPACKAGE.read_text(encoding="utf-8")))


@cache
def tables() -> tuple[Table, ...]:
    """Return every HSDS table in the order of the data package."""
    found = []
    for resource in datapackage()["resources"]:
        schema = resource["schema"]
        fields = tuple(
            Field(
                name=f["name"],
                type=f["type"],
                format=f.get("format"),
                required=bool(f.get("constraints", {}).get("required")),
                unique=bool(f.get("constraints", {}).get("unique")),
                enum=tuple(f.get("constraints", {}).get("enum", ())),
            )
            for f in schema["fields"]
        )
        refs = [(fk["fields"], fk["reference"]["resource"]) for fk in schema.get("foreignKeys", ())]
        refs += [(col, other) for name, col, other in EXTRA_REFERENCES if name == resource["name"]]
        found.append(Table(resource["name"], resource["path"], fields, tuple(refs)))
    return tuple(found)


def table(name: str) -> Table:
    """Return the HSDS table called ``name``."""
    for t in tables():
        if t.name == name:
            return t
    raise KeyError(name)


@cache
def object_schema(name: str) -> dict[str, Any]:
    """Return the per-object JSON schema of ``name`` (e.g. ``"service"``)."""
    return dict(json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8")))


@cache
def children(name: str) -> tuple[Child, ...]:
    """Return the nested properties of an HSDS object, in the order of its JSON schema."""
    found = []
    for prop, spec in object_schema(name).get("properties", {}).items():
        if spec.get("type") == "array" and "$ref" in spec.get("items", {}):
            child = spec["items"]["$ref"].removesuffix(".json")
            column = POLYMORPHIC_LINKS.get(child, (f"{name}_id",))[0]
            found.append(Child(prop, child, True, column))
        elif "$ref" in spec:
            child = spec["$ref"].removesuffix(".json")
            # taxonomy_term.taxonomy_detail is the taxonomy that taxonomy_id names.
            column = "taxonomy_id" if prop == "taxonomy_detail" else f"{prop}_id"
            found.append(Child(prop, child, False, column))
    return tuple(found)


@cache
def registry() -> Registry:
    """Return a referencing registry of every spec schema, keyed by file name."""
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")) + sorted((SCHEMA_DIR / "compiled").glob("*.json")):
        if path.name == "openapi.json":
            continue
        contents = json.loads(path.read_text(encoding="utf-8"))
        key = path.name if path.parent == SCHEMA_DIR else f"compiled/{path.name}"
        resources.append((key, Resource.from_contents(contents, default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Draft202012Validator:
    """Return a draft 2020-12 validator for the HSDS object ``name`` with formats checked."""
    return Draft202012Validator(
        object_schema(name), registry=registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
