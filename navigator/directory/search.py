"""``open_directory(path)``: a read-only, cached view of one directory.db, with search.

One ``Directory`` per path and process; each thread gets its own read-only
SQLite connection, so a Flask app under threads or forked workers is safe.
"""
from __future__ import annotations

import itertools
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..models import MUNICIPALITIES, WIDER_AREAS, Service, ServiceHit
from .facets import NO_AREA, Facet, FacetIndex, load_facets
from .parse import AREA_SLUGS
from .rank import Query, rest_key, why
from .read import load_all, load_services
from .text import TextHits, TextSearch

log = logging.getLogger(__name__)
_CACHE_SIZE = 4096
_SEARCHES = 1024  # searches kept (each a page of results): the needs and towns residents ask for repeat
EDIT_CHECK_SECONDS = 0.5  # how soon an edit saved by another process is seen


class DirectoryError(Exception):
    """The directory cannot be opened or a search cannot be understood."""


@dataclass(frozen=True)
class DirectoryInfo:
    """How many services a directory holds and when its sources were last retrieved."""

    services: int
    built: str


def _town(municipality: str | None) -> str | None:
    if municipality is None or not municipality.strip():
        return None
    slug = AREA_SLUGS.get(municipality.strip().lower(), municipality.strip().lower())
    if slug in WIDER_AREAS:
        return None
    if slug not in MUNICIPALITIES:
        raise DirectoryError(f"unknown municipality {municipality!r}; expected one of {', '.join(MUNICIPALITIES)}")
    return slug


class Directory:
    """A read-only HSDS directory database and the searches over it."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise DirectoryError(f"{path}: no directory database (run `navigator directory build`)")
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._index: FacetIndex | None = None
        self._services: dict[str, Service] = {}
        self._searches: dict[tuple[Any, ...], list[ServiceHit]] = {}
        self._text = TextSearch()
        try:
            meta = dict(self._conn().execute("SELECT key, value FROM meta").fetchall())
            count = self._conn().execute("SELECT count(*) FROM service").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise DirectoryError(f"{path}: not a navigator directory database ({exc})") from None
        self._info = DirectoryInfo(services=int(count), built=str(meta.get("built", "")))

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.conn, self._local.pid = conn, os.getpid()
            self._local.version = conn.execute("PRAGMA data_version").fetchone()[0]
        return conn

    def _check_for_edits(self) -> None:
        """Forget what is kept in memory when another connection (an operator's edit, in any process) changed the file.

        Asked at most every ``EDIT_CHECK_SECONDS`` per thread: a reply's several reads cost one look.
        """
        conn = self._conn()
        moment = time.monotonic()
        if moment - getattr(self._local, "checked", -EDIT_CHECK_SECONDS) < EDIT_CHECK_SECONDS:
            return
        self._local.checked = moment
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._local.version:
            self._local.version = version
            self.forget()

    def forget(self) -> None:
        """Drop the services, search facts and searches kept in memory; the next read loads them afresh."""
        with self._lock:
            self._services.clear()
            self._searches.clear()
            self._index = None
            self._text.forget()

    def info(self) -> DirectoryInfo:
        """Return the service count and build date."""
        return self._info

    def get(self, service_id: str) -> Service | None:
        """Return one service by id, or None."""
        return self.get_many([service_id]).get(service_id)

    def get_many(self, service_ids: list[str]) -> dict[str, Service]:
        """Return the services found for ``service_ids``, reading the uncached ones together."""
        self._check_for_edits()
        found = {i: self._services[i] for i in service_ids if i in self._services}
        missing = [i for i in service_ids if i not in found]
        if missing:
            loaded = load_services(self._conn(), missing)
            with self._lock:
                if len(self._services) + len(loaded) > _CACHE_SIZE:
                    self._services.clear()
                self._services.update(loaded)
            found.update(loaded)
        return found

    def services(self) -> Iterator[Service]:
        """Yield every service in source order."""
        for _, service in load_all(self._conn()):
            yield service

    def facets(self) -> FacetIndex:
        """Return the in-memory search facts, reading them on first use."""
        with self._lock:
            if self._index is None:
                self._index = load_facets(self._conn())
            return self._index

    def search(
        self,
        *,
        needs: Iterable[str] = (),
        municipality: str | None = None,
        language: str | None = None,
        age: int | None = None,
        open_at: datetime | None = None,
        now: datetime | None = None,
        text: str | None = None,
        free: bool | None = None,
        wheelchair: bool | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[ServiceHit]:
        """Return services ranked for a resident's needs and situation, each saying why.

        ``open_at`` keeps only services open then (or of unknown hours); ``now``
        only ranks those open now first.  Neither reads the clock, so the same
        search gives the same answer, and searches without them are kept and
        answered from memory until the file changes.
        """
        self._check_for_edits()
        needs = tuple(needs)  # read once: it may be a generator
        key = None
        if open_at is None and now is None:
            key = (needs, municipality, language, age, text, free, wheelchair, limit, offset)
            kept = self._searches.get(key)
            if kept is not None:
                return list(kept)
        found = self._search(needs, municipality, language, age, open_at, now, text, free, wheelchair, limit, offset)
        if key is not None:
            with self._lock:
                if len(self._searches) >= _SEARCHES:
                    self._searches.clear()
                self._searches[key] = found
        return list(found)

    def _search(
        self, needs: Iterable[str], municipality: str | None, language: str | None, age: int | None,
        open_at: datetime | None, now: datetime | None, text: str | None, free: bool | None,
        wheelchair: bool | None, limit: int, offset: int,
    ) -> list[ServiceHit]:
        query = Query(
            needs=tuple(dict.fromkeys(needs)), municipality=_town(municipality), language=language or None,
            age=age, open_at=open_at, now=now, free=free, wheelchair=wheelchair,
        )
        index = self.facets()
        wanted = max(0, offset) + max(0, limit)
        hits: TextHits | None = None
        text_scores: dict[int, float] | None = None
        # Text alone ranks by bm25 first, so only the best few hundred matches can make the page.
        text_limit = None if query.needs else max(wanted * 5, 50)
        while True:
            if text and text.strip():
                hits = self._text.search(self._conn(), text, text_limit)
                text_scores = {index.by_rowid[r]: s for r, s in hits.scores.items() if r in index.by_rowid}
            if query.needs:
                ranked = _rank_by_needs(query, index, text_scores, wanted)
            else:
                ranked = _rank_plain(query, index, text_scores, wanted)
            if hits is None or text_limit is None or len(ranked) >= wanted or len(hits.scores) < text_limit:
                break
            text_limit = None  # filters removed too many of the best matches: rank them all
        page = ranked[offset:wanted]
        services = self.get_many([facet.id for _, facet in page])
        results = []
        for key, facet in page:
            service = services.get(facet.id)
            if service is None:  # the file changed under us; skip rather than fail the reply
                continue
            score = round(1.0 / (1.0 + key[0] + 0.1 * key[1]), 4) if query.needs else round(-key[0], 4)
            results.append(ServiceHit(service, score, why(facet, query, hits.note if hits else None)))
        log.debug("search %s text=%r: %d hits", query, text, len(results))
        return results


# With needs: (needs group, area, language, age, open, text score, static order);
# without: (text score, area, language, age, open, name, index).
Key = tuple[Any, ...]


def _subsets(needs: tuple[str, ...]) -> list[tuple[int, ...]]:
    """Order need positions: more needs first, then earlier needs first."""
    positions = range(min(len(needs), 6))  # six needs already make 63 groups
    return [c for size in range(len(positions), 0, -1) for c in itertools.combinations(positions, size)]


def _rank_by_needs(query: Query, index: FacetIndex, text_scores: dict[int, float] | None,
                   wanted: int) -> list[tuple[Key, Facet]]:
    """Rank by needs matched, then area, then the rest, stopping once a page is certain."""
    member_sets = [index.by_need.get(n, frozenset()) for n in query.needs[:6]]
    town = query.town
    collected: list[tuple[Key, Facet]] = []
    for group, subset in enumerate(_subsets(query.needs)):
        required = frozenset.intersection(*(member_sets[p] for p in subset[1:])) if len(subset) > 1 else None
        excluded = frozenset().union(*(member_sets[p] for p in range(len(member_sets)) if p not in subset))
        # The lists of the subset's first need are already in (centrality, name) order.
        buckets = index.ordered.get((query.needs[subset[0]], town))
        if buckets is None:
            continue
        for area, bucket in enumerate(buckets):
            found: list[tuple[Key, Facet]] = []
            best = 0
            for order, i in enumerate(bucket):
                if i in excluded or (required is not None and i not in required):
                    continue
                if text_scores is not None and i not in text_scores:
                    continue
                facet = index.facets[i]
                rest = rest_key(facet, query)
                if rest is None:
                    continue
                score = text_scores[i] if text_scores is not None else 0.0
                found.append(((group, area, *rest, score, order), facet))
                if text_scores is None and not any(rest):
                    best += 1
                    # Nothing later in this bucket can beat a run of perfect fits in static order.
                    if best >= wanted - len(collected):
                        break
            found.sort(key=lambda kf: kf[0])
            collected.extend(found)
            # Later buckets and groups rank strictly lower, so a full page can stop here.
            if len(collected) >= wanted:
                return collected
    return collected


def _rank_plain(query: Query, index: FacetIndex, text_scores: dict[int, float] | None,
                wanted: int) -> list[tuple[Key, Facet]]:
    """Rank without needs: by text relevance when there is text, else by area."""
    if text_scores is not None:
        collected: list[tuple[Key, Facet]] = []
        for i, score in text_scores.items():
            facet = index.facets[i]
            area = facet.area_ranks[query.town]
            rest = rest_key(facet, query) if area is not None else None
            if rest is not None:
                collected.append(((score, area, *rest, facet.name, facet.index), facet))
        return sorted(collected, key=lambda kf: kf[0])
    buckets: list[list[Facet]] = [[] for _ in range(NO_AREA + 1)]
    for facet in index.facets:
        rank = facet.area_ranks[query.town]
        if rank is not None:
            buckets[rank].append(facet)
    collected = []
    for area, bucket in enumerate(buckets):
        for facet in bucket:
            rest = rest_key(facet, query)
            if rest is not None:
                collected.append(((0, area, *rest, facet.name, facet.index), facet))
        if len(collected) >= wanted:
            break
    return sorted(collected, key=lambda kf: kf[0])


_OPEN: dict[str, tuple[tuple[int, int, int], Directory]] = {}
_OPEN_LOCK = threading.Lock()


def open_directory(path: str | os.PathLike[str]) -> Directory:
    """Open the directory at ``path`` read-only, reusing it while the file is unchanged."""
    resolved = Path(path).resolve()
    try:
        stat = resolved.stat()
    except FileNotFoundError:
        raise DirectoryError(f"{resolved}: no directory database (run `navigator directory build`)") from None
    # A rebuild replaces the file (new inode), so the cached view is dropped with it.
    stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    # Keyed by path alone: a worker forked after loading keeps the search facts it
    # shares with its parent, and opens its own connection (see Directory._conn).
    key = str(resolved)
    with _OPEN_LOCK:
        cached = _OPEN.get(key)
        if cached is None or cached[0] != stamp:
            cached = (stamp, Directory(resolved))
            _OPEN[key] = cached
        return cached[1]
