"""The HSDS 3.0 tables in SQLite, with the exact field names of the standard.

Every field of every table of the HSDS 3.0 data package (``datapackage.json``),
in its order, is a column, so an import loses nothing; array and object fields
of the JSON schema become the child tables that point back with ``*_id``
columns.  ``meta`` is navigator's own key/value table (build date,
source fingerprint) and ``service_fts`` the full-text index over services.
"""
from __future__ import annotations

import sqlite_utils

S, N, I = str, float, int  # HSDS "string", "number" (decimal) and whole-number fields

# (table, [(column, type)], [(column, referenced table)]) in creation order:
# a table is created after every table its foreign keys point at.
TABLES: tuple[tuple[str, tuple[tuple[str, type], ...], tuple[tuple[str, str], ...]], ...] = (
    (
        "organization",
        (("id", S), ("name", S), ("alternate_name", S), ("description", S), ("email", S),
         ("website", S), ("tax_status", S), ("tax_id", S), ("year_incorporated", I), ("legal_status", S),
         ("logo", S), ("uri", S), ("parent_organization_id", S)),
        (("parent_organization_id", "organization"),),
    ),
    (
        "program",
        (("id", S), ("organization_id", S), ("name", S), ("alternate_name", S), ("description", S)),
        (("organization_id", "organization"),),
    ),
    ("taxonomy", (("id", S), ("name", S), ("description", S), ("uri", S), ("version", S)), ()),
    (
        "taxonomy_term",
        (("id", S), ("code", S), ("name", S), ("description", S), ("parent_id", S), ("taxonomy", S),
         ("language", S), ("taxonomy_id", S), ("term_uri", S)),
        (("parent_id", "taxonomy_term"), ("taxonomy_id", "taxonomy")),
    ),
    (
        "service",
        (("id", S), ("organization_id", S), ("program_id", S), ("name", S), ("alternate_name", S),
         ("description", S), ("url", S), ("email", S), ("status", S), ("interpretation_services", S),
         ("application_process", S), ("fees_description", S), ("wait_time", S), ("fees", S),
         ("accreditations", S), ("eligibility_description", S), ("minimum_age", I), ("maximum_age", I),
         ("assured_date", S), ("assurer_email", S), ("licenses", S), ("alert", S),
         # HSDS "datetime": ISO 8601 text, as SQLite keeps dates.
         ("last_modified", S)),
        (("organization_id", "organization"), ("program_id", "program")),
    ),
    (
        "location",
        (("id", S), ("location_type", S), ("url", S), ("organization_id", S), ("name", S),
         ("alternate_name", S), ("description", S), ("transportation", S), ("latitude", N),
         ("longitude", N), ("external_identifier", S), ("external_identifier_type", S)),
        (("organization_id", "organization"),),
    ),
    (
        "service_at_location",
        (("id", S), ("service_id", S), ("location_id", S), ("description", S)),
        (("service_id", "service"), ("location_id", "location")),
    ),
    (
        "contact",
        (("id", S), ("organization_id", S), ("service_id", S), ("service_at_location_id", S),
         ("location_id", S), ("name", S), ("title", S), ("department", S), ("email", S)),
        (("organization_id", "organization"), ("service_id", "service"),
         ("service_at_location_id", "service_at_location"), ("location_id", "location")),
    ),
    (
        "phone",
        (("id", S), ("location_id", S), ("service_id", S), ("organization_id", S), ("contact_id", S),
         ("service_at_location_id", S), ("number", S), ("extension", I), ("type", S),
         ("description", S)),
        (("location_id", "location"), ("service_id", "service"), ("organization_id", "organization"),
         ("contact_id", "contact"), ("service_at_location_id", "service_at_location")),
    ),
    (
        "address",
        (("id", S), ("location_id", S), ("attention", S), ("address_1", S), ("address_2", S),
         ("city", S), ("region", S), ("state_province", S), ("postal_code", S), ("country", S),
         ("address_type", S)),
        (("location_id", "location"),),
    ),
    (
        "schedule",
        (("id", S), ("service_id", S), ("location_id", S), ("service_at_location_id", S),
         ("valid_from", S), ("valid_to", S), ("dtstart", S), ("timezone", N), ("until", S),
         ("count", S), ("wkst", S), ("freq", S), ("interval", I), ("byday", S), ("byweekno", S),
         # Comma-separated lists in iCal, so text although HSDS calls them numbers.
         ("bymonthday", S), ("byyearday", S),
         ("description", S), ("opens_at", S), ("closes_at", S), ("schedule_link", S),
         ("attending_type", S), ("notes", S)),
        (("service_id", "service"), ("location_id", "location"),
         ("service_at_location_id", "service_at_location")),
    ),
    (
        "funding",
        (("id", S), ("organization_id", S), ("service_id", S), ("source", S)),
        (("organization_id", "organization"), ("service_id", "service")),
    ),
    (
        "service_area",
        (("id", S), ("service_id", S), ("name", S), ("description", S), ("extent", S),
         ("extent_type", S), ("uri", S)),
        (("service_id", "service"),),
    ),
    (
        "required_document",
        (("id", S), ("service_id", S), ("document", S), ("uri", S)),
        (("service_id", "service"),),
    ),
    (
        "language",
        (("id", S), ("service_id", S), ("location_id", S), ("phone_id", S), ("name", S), ("code", S),
         ("note", S)),
        (("service_id", "service"), ("location_id", "location"), ("phone_id", "phone")),
    ),
    (
        "accessibility",
        (("id", S), ("location_id", S), ("description", S), ("details", S), ("url", S)),
        (("location_id", "location"),),
    ),
    (
        "cost_option",
        (("id", S), ("service_id", S), ("valid_from", S), ("valid_to", S), ("option", S),
         ("currency", S), ("amount", N), ("amount_description", S)),
        (("service_id", "service"),),
    ),
    (
        "organization_identifier",
        (("id", S), ("organization_id", S), ("identifier_scheme", S), ("identifier_type", S),
         ("identifier", S)),
        (("organization_id", "organization"),),
    ),
    (
        # link_id points at whichever table link_entity names, so it has no foreign key.
        "attribute",
        (("id", S), ("link_id", S), ("taxonomy_term_id", S), ("link_type", S), ("link_entity", S),
         ("value", S)),
        (("taxonomy_term_id", "taxonomy_term"),),
    ),
    (
        # resource_id points at whichever table resource_type names.
        "metadata",
        (("id", S), ("resource_id", S), ("resource_type", S), ("last_action_date", S),
         ("last_action_type", S), ("field_name", S), ("previous_value", S), ("replacement_value", S),
         ("updated_by", S)),
        (),
    ),
    (
        "meta_table_description",
        (("id", S), ("name", S), ("language", S), ("character_set", S)),
        (),
    ),
)

# Columns searched by words; the order is the bm25 weight order in search.py.
FTS_COLUMNS = ("name", "alternate_name", "description", "eligibility_description")
# bm25 weights per FTS column: a word in the name counts most, then alternate name.
FTS_WEIGHTS = (10.0, 5.0, 1.0, 2.0)
# Porter stemming so "counselling" finds "counsellor"; accents folded for French/Spanish words.
FTS_TOKENIZE = "porter unicode61 remove_diacritics 2"


def create_schema(db: sqlite_utils.Database) -> None:
    """Create every HSDS 3.0 table, its foreign-key indexes, ``meta`` and the FTS index."""
    db.execute("PRAGMA foreign_keys = ON")
    for name, columns, foreign_keys in TABLES:
        table = db.table(name)
        if table.exists():
            continue
        # Self-references cannot be declared before the table exists, so
        # they are declared through raw SQL after the columns are laid out.
        table.create(
            dict(columns),
            pk="id",
            not_null={"id"},
            foreign_keys=[(col, other, "id") for col, other in foreign_keys if other != name],
        )
        for col, other in foreign_keys:
            if other == name:
                table.add_foreign_key(col, other, "id")
        for col, _ in foreign_keys:
            table.create_index([col], if_not_exists=True)
    db.table("attribute").create_index(["link_id", "taxonomy_term_id"], if_not_exists=True)
    db.table("attribute").create_index(["taxonomy_term_id", "link_id"], if_not_exists=True)
    db.table("metadata").create_index(["resource_id"], if_not_exists=True)
    db.table("taxonomy_term").create_index(["taxonomy_id", "code"], if_not_exists=True)
    if not db.table("meta").exists():
        db.table("meta").create({"key": str, "value": str}, pk="key")
    if not db.table("service_fts").exists():
        db.table("service").enable_fts(list(FTS_COLUMNS), tokenize=FTS_TOKENIZE, create_triggers=True)
        # Stored with the index so ``ORDER BY rank`` applies the weights without recomputing bm25.
        weights = ", ".join(str(w) for w in FTS_WEIGHTS)
        db.execute(f"INSERT INTO service_fts(service_fts, rank) VALUES ('rank', 'bm25({weights})')")
