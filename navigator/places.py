"""Find the Halton municipality a message names: towns, neighbourhoods, landmarks, postal codes.

Names come from intents/places.yaml in every script; postal codes (or their
first three characters) from data/halton_fsa.csv.  A forward sortation area
shared by two towns (L0P) names no town.  Places outside Halton name nothing,
and never lend their letters to a misspelt Halton town ("Hamilton" is not "Milton");
everyday words never stand for one ("normal" is not "Norval").
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import OSA, Levenshtein

from .language import script_of
from .models import MUNICIPALITIES
from .normalise import normalise

_POSTAL_RE = re.compile(r"\b([a-z]\d[a-z])(?: ?\d[a-z]\d)?\b")
# Everyday words (en fr es pt pl tl, from simplemma's dictionaries) within a typo of a
# Halton name: "normal" is not Norval, "milion" (Polish) not Milton, "bronze" not Bronte.
# Re-check with tests/test_places.py when a one-word name of six letters or more is added.
_NOT_PLACES = frozenset({
    "action", "acorn", "million", "melton",
    "bonte", "bronce", "brone", "bronie", "bronke", "bronne", "bronse", "bronze", "brote", "broute",
    "narval", "nerval", "noival", "normal", "noval", "normale", "normals", "nornal",
    "milion", "millon", "milon", "milyon", "miston", "miton", "molton", "mitton",
})
# Below this length a name takes no substituted letter ("normal" for Norval): only a
# letter dropped, added or two swapped ("miltn", "miltonn", "mitlon").
_SUBSTITUTE_FROM = 7


@dataclass(frozen=True)
class Place:
    municipality: str
    why: str


def load_fsa(path: Path) -> dict[str, str | None]:
    """Read forward sortation areas: FSA -> municipality slug, None when shared by several."""
    out: dict[str, str | None] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            towns = [t.strip().lower().replace(" ", "-") for t in row["municipality"].split(";")]
            out[row["fsa"].strip().lower()] = towns[0] if len(towns) == 1 and towns[0] in MUNICIPALITIES else None
    return out


def _max_distance(length: int) -> int:
    return 0 if length < 5 else 1 if length < 9 else 2


class PlaceFinder:
    """Recognise Halton places in normalised messages."""

    def __init__(self, places: dict[str, list[str]], outside: Iterable[str], fsa: dict[str, str | None]) -> None:
        self.fsa = fsa
        # An Urdu message has Arabic's kaf, yeh and heh read as Urdu's: names are sought in both forms.
        self.outside = {normalise(name, lang) for name in outside for lang in (None, "ur")}
        # Outside names in other scripts are blanked before Halton names are sought.
        self.outside_runs = sorted(
            (n for n in self.outside if any(script_of(c) not in ("latin", None) for c in n)),
            key=len, reverse=True,
        )
        # Latin-script names are matched as whole words (with misspellings);
        # other scripts anywhere in the text, since prefixes and particles attach to them.
        self.words: dict[tuple[str, ...], str] = {}
        self.substrings: list[tuple[str, str]] = []
        for slug, names in places.items():
            for name in names:
                norm = normalise(name)
                if not norm:
                    continue
                if all(script_of(c) in ("latin", None) for c in norm):
                    self.words[tuple(norm.split())] = slug
                else:
                    self.substrings.extend((form, slug) for form in dict.fromkeys((norm, normalise(name, "ur"))))
        self.longest = max((len(k) for k in self.words), default=1)
        self.longest_outside = max((len(n.split()) for n in self.outside), default=1)
        # Misspellings are sought among one-word names of six letters or more with the
        # same first letter: short names (Acton) only match exactly, too many words are near them.
        self.by_initial: dict[str, list[tuple[str, str]]] = {}
        for key, slug in self.words.items():
            if len(key) == 1 and len(key[0]) >= 6:
                self.by_initial.setdefault(key[0][0], []).append((key[0], slug))

    def find(self, text: str) -> Place | None:
        """Return the first Halton place named in normalised ``text``, or None."""
        words = text.split()
        # An outside name is skipped whole: "Milton Keynes" does not hold Milton.
        outside = self._outside_words(words)
        for i in range(len(words)):
            for size in range(min(self.longest, len(words) - i), 0, -1) if i not in outside else ():
                key = tuple(words[i:i + size])
                if key in self.words:
                    return Place(self.words[key], f"place {' '.join(key)!r}")
        # Spaces are kept: squashing "ਹੈ ਮਿਲਟਨ" ("is Milton") would spell Hamilton.
        rest = text
        for name in self.outside_runs:
            rest = rest.replace(name, "|")
        for name, slug in self.substrings:
            if name in rest:
                return Place(slug, f"place {name!r}")
        for word in dict.fromkeys(w for i, w in enumerate(words) if i not in outside):
            place = self._fuzzy(word)
            if place:
                return place
        for match in _POSTAL_RE.finditer(text):
            fsa = match.group(1)
            town = self.fsa.get(fsa)
            if town:
                return Place(town, f"postal code {fsa.upper()}")
        return None

    def _outside_words(self, words: list[str]) -> set[int]:
        """Positions of the words that make up a name of several words outside Halton."""
        out: set[int] = set()
        for i in range(len(words)):
            for size in range(2, min(self.longest_outside, len(words) - i) + 1):
                if " ".join(words[i:i + size]) in self.outside:
                    out.update(range(i, i + size))
        return out

    def _fuzzy(self, word: str) -> Place | None:
        if len(word) < 5 or word in self.outside or word in _NOT_PLACES or not word.isalpha():
            return None
        for name, slug in self.by_initial.get(word[0], ()):
            limit = _max_distance(max(len(word), len(name)))
            if abs(len(word) - len(name)) > limit or OSA.distance(word, name) > limit:
                continue
            if len(name) < _SUBSTITUTE_FROM and len(word) == len(name) and Levenshtein.distance(word, name) < 2:
                continue
            return Place(slug, f"place {name!r} (spelt {word!r})")
        return None
