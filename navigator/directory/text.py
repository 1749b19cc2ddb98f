"""Free-text search: FTS5 with bm25, falling back to rapidfuzz for misspelt words."""
from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from .schema import FTS_COLUMNS

_STOPWORDS = frozenset(
    ["a", "an", "and", "are", "at", "be", "by", "can", "do", "for", "from", "have", "help", "how", "i", "in", "is", "it", "me", "my", "need", "of", "on", "or", "please", "the", "to", "we", "what", "where", "with", "you", "your"]
)
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class TextHits:
    """Service rowids with bm25 scores (lower is better) and a note on how they were found."""

    scores: dict[int, float]
    note: str | None = None


def words(text: str) -> list[str]:
    """Split a query into the lower-case words worth searching for."""
    found = [w.lower() for w in _WORD.findall(text)]
    kept = [w for w in found if w not in _STOPWORDS and len(w) > 1]
    return kept or found


class TextSearch:
    """FTS5 queries over one directory, with a vocabulary for spelling correction."""

    def __init__(self) -> None:
        self._vocabulary: list[str] | None = None
        self._lock = threading.Lock()

    def forget(self) -> None:
        """Drop the vocabulary; the next correction reads it afresh."""
        with self._lock:
            self._vocabulary = None

    def _match(self, conn: sqlite3.Connection, terms: list[str], joiner: str, limit: int | None) -> dict[int, float]:
        query = f" {joiner} ".join('"' + t.replace('"', '""') + '"' for t in terms)
        # ``rank`` is bm25 with the column weights stored by schema.create_schema.
        sql = "SELECT rowid, rank FROM service_fts WHERE service_fts MATCH ? ORDER BY rank"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return dict(conn.execute(sql, (query,)).fetchall())

    def _exists(self, conn: sqlite3.Connection, term: str) -> bool:
        # No ORDER BY: ranking every match of a common word only to see that there is one is slow.
        query = '"' + term.replace('"', '""') + '"'
        return conn.execute("SELECT 1 FROM service_fts WHERE service_fts MATCH ? LIMIT 1", (query,)).fetchone() is not None

    def vocabulary(self, conn: sqlite3.Connection) -> list[str]:
        """Return every word of the searchable service texts (read once per directory)."""
        with self._lock:
            if self._vocabulary is None:
                seen: set[str] = set()
                columns = ", ".join(FTS_COLUMNS)
                for row in conn.execute(f"SELECT {columns} FROM service"):
                    for value in row:
                        # Numbers and codes are never misspelt words; leaving them out keeps this small.
                        seen.update(w.lower() for w in _WORD.findall(value or "") if len(w) > 2 and w.isalpha())
                self._vocabulary = sorted(seen)
            return self._vocabulary

    def correct(self, conn: sqlite3.Connection, terms: list[str]) -> list[tuple[str, str]]:
        """Return (typed, meant) for each word not in the directory that is close to one that is."""
        vocabulary = self.vocabulary(conn)
        fixes = []
        for term in terms:
            # A word the index finds (perhaps through its stem: "bank" for "banks") is not misspelt.
            if len(term) < 3 or self._exists(conn, term):
                continue
            best = process.extractOne(term, vocabulary, scorer=fuzz.ratio, score_cutoff=75)
            if best is not None:
                fixes.append((term, best[0]))
        return fixes

    def search(self, conn: sqlite3.Connection, text: str, limit: int | None = None) -> TextHits:
        """Find services for ``text``: all words, else with spelling corrected, else any word."""
        terms = words(text)
        if not terms:
            return TextHits({})
        hits = self._match(conn, terms, "AND", limit)
        if hits:
            return TextHits(hits, f"text matches {' '.join(terms)!r}")
        fixes = self.correct(conn, terms)
        note = "read " + ", ".join(f"{typed!r} as {meant!r}" for typed, meant in fixes) if fixes else None
        if fixes:
            fixed = dict(fixes)
            terms = [fixed.get(t, t) for t in terms]
            hits = self._match(conn, terms, "AND", limit)
            if hits:
                return TextHits(hits, note)
        if len(terms) > 1:
            hits = self._match(conn, terms, "OR", limit)
            if hits:
                return TextHits(hits, note or f"text matches part of {' '.join(terms)!r}")
        return TextHits({})
