"""What the console's one search box asks for, and the results it shows.

A description ("caller's mother is 82, alone since husband died, lives in
Acton") goes through the matcher: the needs, town and age it understands
become filters the operator can change.  Keywords the matcher cannot place
search the directory's text, misspellings tolerated.  No Flask here.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from ..directory import Directory, open_status
from ..i18n import Translator
from ..models import (
    LANGUAGES,
    MUNICIPALITIES,
    WIDER_AREAS,
    Hours,
    Match,
    Service,
    ServiceHit,
)
from ..render.text import format_phone, hours_lines, open_line

Matcher = Callable[..., Match]
PAGE = 20
# A short query may be a service's own name: its text matches come first.
_NAME_WORDS = 6
_NAME_HITS = 3
_NAME_LIKENESS = 85  # rapidfuzz partial ratio of the typed text to a service's name


class QueryError(ValueError):
    """A filter value the console cannot search with."""


@dataclass(frozen=True)
class Filters:
    """Everything one console search asks for."""

    text: str = ""
    needs: tuple[str, ...] = ()
    municipality: str | None = None
    language: str | None = None
    age: int | None = None
    open_now: bool = False
    free: bool = False
    wheelchair: bool = False
    # Which of needs, municipality and age the operator set; the others come from the matcher.
    given: frozenset[str] = field(default_factory=frozenset)


def _flag(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "on", "yes")


def parse_filters(args: Mapping[str, str], need_codes: set[str]) -> Filters:
    """Read a search from query arguments; a present-but-empty filter means "none"."""
    given = set()
    needs: tuple[str, ...] = ()
    if "needs" in args:
        given.add("needs")
        needs = tuple(dict.fromkeys(c.strip() for c in args["needs"].split(",") if c.strip()))
        unknown = [c for c in needs if c not in need_codes]
        if unknown:
            raise QueryError(f"unknown need codes: {', '.join(unknown)}")
    municipality = None
    if "municipality" in args:
        given.add("municipality")
        municipality = args["municipality"].strip() or None
        if municipality is not None and municipality not in MUNICIPALITIES:
            raise QueryError(f"municipality must be one of: {', '.join(MUNICIPALITIES)}")
    age = None
    if "age" in args:
        given.add("age")
        raw = args["age"].strip()
        if raw:
            if not raw.isdigit() or int(raw) > 120:
                raise QueryError("age must be a whole number from 0 to 120")
            age = int(raw)
    language = (args.get("language") or "").strip() or None
    if language is not None and language not in LANGUAGES:
        raise QueryError(f"language must be one of: {', '.join(LANGUAGES)}")
    text = (args.get("q") or "").strip()[:500]
    return Filters(text=text, needs=needs, municipality=municipality, language=language, age=age,
                   open_now=_flag(args.get("open_now")), free=_flag(args.get("free")),
                   wheelchair=_flag(args.get("wheelchair")), given=frozenset(given))


def understand(filters: Filters, matcher: Matcher) -> tuple[Filters, Match | None]:
    """Fill the filters the operator left to the matcher from what it reads in the text."""
    if not filters.text:
        return filters, None
    found = matcher(filters.text, lang=None)
    needs = filters.needs if "needs" in filters.given else tuple(c for c in found.need_codes if c != "crisis")
    town = filters.municipality if "municipality" in filters.given else found.municipality
    age = filters.age if "age" in filters.given else found.age
    return replace(filters, needs=needs, municipality=town, age=age), found


def search(directory: Directory, filters: Filters, now: datetime, limit: int = PAGE) -> tuple[list[ServiceHit], list[str]]:
    """Run the console search; with no results, drop the town, then the age, and say so."""
    hits = _search(directory, filters, now, limit)
    relaxed: list[str] = []
    for name, loosened in (("municipality", replace(filters, municipality=None)),
                           ("age", replace(filters, municipality=None, age=None))):
        if hits or getattr(filters, name) is None:
            continue
        relaxed.append(name)
        hits = _search(directory, loosened, now, limit)
    return hits, relaxed if hits else []


def _search(directory: Directory, filters: Filters, now: datetime, limit: int) -> list[ServiceHit]:
    """Search by needs when there are any, else by words; a short text's name matches come first."""
    common: dict[str, Any] = {
        "municipality": filters.municipality, "language": filters.language, "age": filters.age,
        "open_at": now if filters.open_now else None, "free": True if filters.free else None,
        "wheelchair": True if filters.wheelchair else None,
    }
    if not filters.needs:
        return directory.search(text=filters.text or None, limit=limit, **common)
    hits = directory.search(needs=filters.needs, limit=limit, **common)
    if filters.text and len(filters.text.split()) <= _NAME_WORDS:
        # A service the operator named comes first: searched without filters (filtered text
        # search ranks every match, too slow on a large directory), then checked against them.
        named = [h for h in directory.search(text=filters.text, limit=_NAME_HITS)
                 if _all_words(h) and _named(filters.text, h.service) and _fits(h.service, filters, now)]
        seen = {h.service.id for h in named}
        hits = (named + [h for h in hits if h.service.id not in seen])[:limit]
    return hits


def _all_words(hit: ServiceHit) -> bool:
    # Every word matched, as typed or as corrected ("read 'salvaton' as 'salvation'").
    return any((w.startswith("text matches ") and not w.startswith("text matches part")) or w.startswith("read ")
               for w in hit.why)


def _named(text: str, service: Service) -> bool:
    return fuzz.partial_ratio(text.lower(), service.name.lower()) >= _NAME_LIKENESS


def _fits(service: Service, filters: Filters, now: datetime) -> bool:
    """Tell whether a service passes the filters the directory search would apply."""
    areas, town, age = service.service_areas, filters.municipality, filters.age
    return (
        (town is None or not areas or town in areas or any(a in WIDER_AREAS for a in areas))
        and (not filters.free or service.free is True)
        and (not filters.wheelchair or service.wheelchair_accessible is True)
        and (not filters.open_now or open_status(service, now).is_open is not False)
        and (age is None or ((service.minimum_age or 0) <= age <= (service.maximum_age or 200)))
    )


def _status_text(service: Service, now: datetime, tr: Translator) -> tuple[bool | None, str]:
    status = open_status(service, now)
    line = open_line(service, status, now)
    return status.is_open, tr.render(line) if line is not None else "Hours not known"


@lru_cache(maxsize=1024)
def _hours(hours: tuple[Hours, ...], open_24_7: bool, text: str | None, lang: str) -> list[str]:
    # Many services share a schedule; formatting times in a locale is the slow part of a result row.
    shape = Service(id="", name="", organization="", description="", needs=(), hours=hours,
                    open_24_7=open_24_7, hours_text=text)
    return hours_lines(shape, Translator(lang))


def summary(hit: ServiceHit, now: datetime, tr: Translator) -> dict[str, Any]:
    """Return what a result row shows: name, organization, phones, hours, open now."""
    service = hit.service
    is_open, status = _status_text(service, now, tr)
    return {
        "id": service.id,
        "name": service.name,
        "organization": service.organization,
        "phones": [
            {"display": format_phone(p), "description": p.description} for p in service.phones
        ],
        "hours": _hours(service.hours, service.open_24_7, service.hours_text, tr.lang),
        "open_now": is_open,
        "open_text": status,
        "areas": list(service.service_areas),
        "languages": list(service.languages),
        "free": service.free,
        "wheelchair": service.wheelchair_accessible,
        "why": list(hit.why),
    }


def chips(filters: Filters, found: Match | None, need_names: Mapping[str, str]) -> list[dict[str, Any]]:
    """List the understood needs, town and age as chips the operator can remove or change."""
    made: list[dict[str, Any]] = []
    for code in filters.needs:
        made.append({"kind": "needs", "value": code, "label": need_names.get(code, code)})
    if filters.municipality:
        made.append({"kind": "municipality", "value": filters.municipality,
                     "label": filters.municipality.replace("-", " ").title()})
    if filters.age is not None:
        made.append({"kind": "age", "value": str(filters.age), "label": f"Age {filters.age}"})
    for chip in made:
        chip["from_text"] = chip["kind"] not in filters.given and found is not None
    return made
