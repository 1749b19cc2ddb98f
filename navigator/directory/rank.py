"""Filter and order services for one query, and say why each was chosen.

Order when needs are given: more of the requested needs (earlier needs first),
then how closely the service area fits the town, then language, age fit and
open now; text relevance and how central the need is to the service break ties.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .facets import TOWNS, Facet
from .hours import is_open


@dataclass(frozen=True)
class Query:
    """A search, checked: need codes, town slug, language tag, age, filters."""

    needs: tuple[str, ...] = ()
    municipality: str | None = None
    language: str | None = None
    age: int | None = None
    open_at: datetime | None = None  # filter: only services open (or of unknown hours) then
    now: datetime | None = None  # rank: open now, then unknown hours, then closed
    free: bool | None = None
    wheelchair: bool | None = None

    @property
    def town(self) -> int:
        """Return the TOWNS index of the municipality (0 when none is given)."""
        return TOWNS.index(self.municipality)


def _base(tag: str) -> str:
    return tag.split("-")[0].lower()


def language_rank(facet: Facet, language: str | None) -> int:
    """Rank 0 when the service offers ``language``, 1 through interpreters, 2 otherwise."""
    if language is None:
        return 0
    wanted = _base(language)
    if wanted in facet.language_bases:
        return 0
    # Sources that name no language are English-language services.
    if wanted == "en" and not facet.languages:
        return 0
    return 1 if facet.interpretation else 2


def rest_key(facet: Facet, query: Query) -> tuple[int, ...] | None:
    """Return the key after needs and area (language, age, open), or None to exclude."""
    if query.free and facet.free is not True:
        return None
    if query.wheelchair and facet.wheelchair is not True:
        return None
    age_rank = 0
    if query.age is not None:
        low, high = facet.minimum_age, facet.maximum_age
        if (low is not None and query.age < low) or (high is not None and query.age > high):
            return None
        age_rank = 0 if (low is not None or high is not None) else 1
    open_rank = 0
    if query.open_at is not None:
        state = is_open(facet, query.open_at)
        if state is False:
            return None
        open_rank = 0 if state else 1
    elif query.now is not None:
        state = is_open(facet, query.now)
        open_rank = 0 if state else (1 if state is None else 2)
    return (language_rank(facet, query.language), age_rank, open_rank)


def need_centrality(facet: Facet, query: Query) -> int:
    """Return where the first requested need it matches sits in the service's own list."""
    for need in query.needs:
        if need in facet.needs:
            return facet.needs.index(need)
    return 0


AREA_NAMES = {"burlington": "Burlington", "oakville": "Oakville", "milton": "Milton",
              "halton-hills": "Halton Hills", "halton": "all of Halton", "ontario": "all of Ontario",
              "canada": "all of Canada"}


def area_note(facet: Facet, town: str | None) -> str:
    """Say which of the service's areas makes it fit ``town``."""
    if not facet.areas:
        return "service area not stated"
    if town in facet.areas:
        return "serves " + AREA_NAMES[town]
    for wider in ("halton", "ontario", "canada"):
        if wider in facet.areas:
            return "serves " + AREA_NAMES[wider]
    return "serves " + ", ".join(AREA_NAMES.get(a, a) for a in facet.areas)



def why(facet: Facet, query: Query, text_note: str | None = None) -> tuple[str, ...]:
    """Say in short phrases why ``facet`` was chosen for ``query``."""
    notes = []
    matched = [n for n in query.needs if n in facet.needs]
    if matched:
        notes.append("matches " + ", ".join(matched))
    if text_note:
        notes.append(text_note)
    notes.append(area_note(facet, query.municipality))
    if query.language:
        notes.append(("offers " + query.language, "interpreters available",
                      "does not state " + query.language)[language_rank(facet, query.language)])
    if query.age is not None and (facet.minimum_age is not None or facet.maximum_age is not None):
        low = "" if facet.minimum_age is None else str(facet.minimum_age)
        high = "+" if facet.maximum_age is None else f"-{facet.maximum_age}"
        notes.append(f"for ages {low}{high}" if low else f"for ages up to {facet.maximum_age}")
    if query.open_at is not None:
        notes.append("open at that time" if is_open(facet, query.open_at) else "hours not stated")
    elif query.now is not None:
        state = is_open(facet, query.now)
        notes.append("open now" if state else ("hours not stated" if state is None else "closed now"))
    if query.free:
        notes.append("free")
    if query.wheelchair:
        notes.append("wheelchair accessible")
    return tuple(notes)
