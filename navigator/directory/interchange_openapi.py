"""The HSDS 3.0 OpenAPI description, made self-contained for navigator's read-only API.

The spec's ``openapi.json`` points its responses at schema files on GitHub
and the schema files point at each other by file name.  Here every schema the
API needs becomes a ``#/components/schemas`` entry built from the shipped
copies, so the description works offline and tools can read it in one piece.
The copied file itself is never changed.
"""
from __future__ import annotations

import copy
import json
from typing import Any

from . import interchange_spec as spec

REMOTE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
# Remote compiled schemas this copy does not ship (each > 2 MB, generated), and their local equal.
COMPILED_EQUIVALENTS = {"compiled/service.json": "service", "compiled/organization.json": "organization",
                        "compiled/service_at_location.json": "service_at_location"}
# The spec describes GET /service_at_locations/{id} with the service schema, a slip
# upstream: the operation returns a service_at_location, as its summary says.
RESPONSE_FIXES = {"/service_at_locations/{id}": "service_at_location"}
# modified_after is declared with format "datetime", which JSON Schema does not know; "date-time" is meant.
FORMAT_FIXES = {"datetime": "date-time"}


def _component(ref: str) -> str:
    """Return the components/schemas name for a schema file reference."""
    name = ref.removeprefix(REMOTE)
    if name in COMPILED_EQUIVALENTS:
        return COMPILED_EQUIVALENTS[name]
    return name.removeprefix("compiled/").removesuffix(".json")


def _rewrite(node: Any) -> Any:
    """Point every file reference in ``node`` at its components/schemas entry."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and not value.startswith("#"):
                out[key] = f"#/components/schemas/{_component(value)}"
            elif key == "format" and isinstance(value, str):
                out[key] = FORMAT_FIXES.get(value, value)
            else:
                out[key] = _rewrite(value)
        return out
    if isinstance(node, list):
        return [_rewrite(item) for item in node]
    return node


def openapi_document(server_url: str | None = None) -> dict[str, Any]:
    """Return the HSDS OpenAPI description with every schema bundled in; optionally name the server."""
    doc = json.loads((spec.SCHEMA_DIR / "openapi.json").read_text(encoding="utf-8"))
    doc = _rewrite(doc)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for path in sorted(spec.SCHEMA_DIR.glob("*.json")):
        if path.name != "openapi.json":
            schemas[path.stem] = _rewrite(copy.deepcopy(spec.object_schema(path.stem)))
    for path in sorted((spec.SCHEMA_DIR / "compiled").glob("*_list.json")):
        schemas[path.stem] = _rewrite(json.loads(path.read_text(encoding="utf-8")))
    for route, name in RESPONSE_FIXES.items():
        content = doc["paths"][route]["get"]["responses"]["200"]["content"]["application/json"]
        content["schema"] = {"$ref": f"#/components/schemas/{name}"}
    doc["info"] = {"title": "navigator HSDS 3.0 API (read-only)", "version": "3.0",
                   "description": "Halton Region community services in the Human Services Data Specification.",
                   "license": {"name": "CC BY-SA 4.0 (the HSDS specification)",
                               "url": "https://creativecommons.org/licenses/by-sa/4.0/"}}
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return dict(doc)
