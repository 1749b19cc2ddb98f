"""Give imported services navigator's need links where their own taxonomy terms say the same.

navigator finds services by the "navigator needs" taxonomy that the build
writes (one term per code of data/needs.yaml, linked to services by
attributes).  An imported directory uses its own taxonomy; a term whose code
or name is a need code ("food", "Mental Health") gets the service linked to
navigator's term as well.  Nothing else is inferred.
"""
from __future__ import annotations

import re
from pathlib import Path

import sqlite_utils

from .build import NEEDS_TAXONOMY, load_needs, make_id


def slug(text: str) -> str:
    """Return ``text`` as a need-code slug: "Mental Health" -> "mental-health"."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def link_needs(db: sqlite_utils.Database, needs_path: Path) -> int:
    """Add need links for services whose taxonomy terms match a need code; return how many."""
    needs = {n["code"]: n for n in load_needs(needs_path)}
    taxonomy_id = make_id("taxonomy", NEEDS_TAXONOMY)
    found = db.execute(
        """
        select distinct a.link_id, t.code, t.name
        from attribute a
        join taxonomy_term t on t.id = a.taxonomy_term_id
        join service s on s.id = a.link_id
        where t.taxonomy_id is null or t.taxonomy_id != ?
        order by a.link_id, t.id
        """,
        [taxonomy_id],
    ).fetchall()
    links: dict[tuple[str, str], str] = {}
    for service_id, code, name in found:
        for candidate in (slug(code or ""), slug(name or "")):
            if candidate in needs:
                links[(service_id, candidate)] = candidate
                break
    if not links:
        return 0
    db.table("taxonomy").insert(
        {"id": taxonomy_id, "name": NEEDS_TAXONOMY,
         "description": "Needs a Halton resident can bring to navigator (data/needs.yaml)."},
        ignore=True,
    )
    added = 0
    for (service_id, code) in sorted(links):
        need = needs[code]
        term_id = make_id("taxonomy_term", NEEDS_TAXONOMY, code)
        db.table("taxonomy_term").insert(
            {"id": term_id, "code": code, "name": need.get("name") or code,
             "description": need.get("covers") or "", "language": "en", "taxonomy_id": taxonomy_id},
            ignore=True,
        )
        attribute_id = make_id("attribute", service_id, term_id)
        if db.table("attribute").count_where("id = ?", [attribute_id]):
            continue
        db.table("attribute").insert({"id": attribute_id, "link_id": service_id, "taxonomy_term_id": term_id,
                                      "link_type": "need", "link_entity": "service"})
        added += 1
    return added
