"""The small per-service facts search filters and ranks on, held in memory per process."""
from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass

from ..models import MUNICIPALITIES, Hours
from .read import load_all

# Index 0 is "no town given"; 1..4 follow models.MUNICIPALITIES.
TOWNS: tuple[str | None, ...] = (None, *MUNICIPALITIES)
NO_AREA = 4  # rank of a service whose service area is not stated


@dataclass(frozen=True, slots=True)
class Facet:
    """What search needs of one service, without its texts."""

    index: int
    rowid: int
    id: str
    name: str
    needs: tuple[str, ...]
    areas: tuple[str, ...]
    languages: tuple[str, ...]
    language_bases: frozenset[str]  # "zh" for "zh-Hans": what a resident's language is compared with
    interpretation: bool
    minimum_age: int | None
    maximum_age: int | None
    hours: tuple[Hours, ...]
    open_24_7: bool
    closed_on_holidays: bool
    free: bool | None
    wheelchair: bool | None
    area_ranks: tuple[int | None, ...]  # by TOWNS index; None excludes the service


def area_rank(areas: tuple[str, ...], town: str | None) -> int | None:
    """Rank how closely ``areas`` fit ``town``: its own services, then Halton, Ontario, Canada."""
    ranks = []
    for area in areas:
        if area == "halton":
            ranks.append(1 if town else 0)
        elif area == "ontario":
            ranks.append(2)
        elif area == "canada":
            ranks.append(3)
        elif town is None or area == town:
            ranks.append(0 if town else 1)
    if ranks:
        return min(ranks)
    # A service only for other towns is no answer for this one.
    return None if areas else NO_AREA


@dataclass
class FacetIndex:
    """All facets of one directory, with services listed per need."""

    facets: list[Facet]
    by_rowid: dict[int, int]
    by_need: dict[str, frozenset[int]]
    # (need, TOWNS index) -> one list per area rank, each sorted by how central the
    # need is to the service, then name: the static tail of the ranking key.
    ordered: dict[tuple[str, int], list[list[int]]]


def _ordered(facets: list[Facet], by_need: dict[str, set[int]]) -> dict[tuple[str, int], list[list[int]]]:
    ordered = {}
    for need, members in by_need.items():
        in_order = sorted(members, key=lambda i: (facets[i].needs.index(need), facets[i].name, i))
        for town in range(len(TOWNS)):
            buckets: list[list[int]] = [[] for _ in range(NO_AREA + 1)]
            for i in in_order:
                rank = facets[i].area_ranks[town]
                if rank is not None:
                    buckets[rank].append(i)
            ordered[(need, town)] = buckets
    return ordered


def load_facets(conn: sqlite3.Connection) -> FacetIndex:
    """Read every service once and keep the facts search uses."""
    facets: list[Facet] = []
    by_need: dict[str, set[int]] = defaultdict(set)
    # Phones, addresses and sources play no part in ranking, so they are not read here.
    for row, service in load_all(conn, ("terms", "areas", "languages", "schedules", "costs")):
        index = len(facets)
        areas = service.service_areas
        facets.append(Facet(
            index=index, rowid=row["rowid"], id=service.id, name=service.name, needs=service.needs,
            areas=areas, languages=service.languages,
            language_bases=frozenset(code.split("-")[0].lower() for code in service.languages),
            interpretation=bool(row["interpretation_services"]),
            minimum_age=service.minimum_age, maximum_age=service.maximum_age,
            hours=service.hours,  # shared between services with the same schedule (read._read_hours)
            open_24_7=service.open_24_7, closed_on_holidays=service.closed_on_holidays,
            free=service.free, wheelchair=service.wheelchair_accessible,
            area_ranks=tuple(area_rank(areas, town) for town in TOWNS),
        ))
        for need in service.needs:
            by_need[need].add(index)
    return FacetIndex(
        facets=facets,
        by_rowid={f.rowid: f.index for f in facets},
        by_need={need: frozenset(members) for need, members in by_need.items()},
        ordered=_ordered(facets, by_need),
    )
