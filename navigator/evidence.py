"""Find the phrases, patterns and negative cues of one language in a message.

A phrase is found when its words appear in order, each word meeting one of
the keys a message word can stand for (``PhraseIndex.keys``); ``*`` skips up to
three words.  A negative cue cancels every hit of its own need that shares a word
with it; of a need's hits on overlapping words only the heaviest counts.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable

from .clauses import Clauses
from .normalise import fold_accents
from .phrase_index import Entry, PhraseIndex

log = logging.getLogger(__name__)

_GAP = 3  # words a `*` stands for


def evidence(
    index: PhraseIndex, raw_words: list[str], norm: str, clauses: Callable[[], Clauses] | None = None,
) -> list[tuple[str, float, str, bool, str]]:
    """Return (need, weight, why, exact, text) for every phrase and pattern the message shows.

    ``exact`` says the words matched as written, not through a stem or a typo; ``text`` is
    the phrase or pattern as listed.
    ``clauses`` numbers the message's clauses, for ``clause_negative`` cues; it is
    called only when such a cue is found.
    """
    if not (index.first or index.patterns):
        return []
    # The cross-language crisis check: most messages share no word with its phrases or cues.
    no_phrase = index.exact and index.starters.isdisjoint(map(fold_accents, raw_words))
    if no_phrase and not index.patterns:
        return []
    keysets = [] if index.cjk or no_phrase else [index.keys(w) for w in raw_words]
    occurrences = [] if no_phrase else _occurrences(index, keysets, norm)
    words = norm.split()
    # Words or, in Chinese and Korean, characters: where negations are sought beside a match.
    sequence: str | list[str] = norm.replace(" ", "") if index.cjk and index.negations else words

    def negated(entry: Entry, spots: frozenset[tuple[str, int]]) -> bool:
        """Tell whether a negation of the entry's need stands just before or after it."""
        negations = index.negations.get(entry.need)
        return negations is not None and _negated(negations, spots, sequence)

    # A negative cue turned around is no cue: "not joking", 농담 아니고.
    cues = [(entry, spots) for entry, spots in occurrences if entry.negative and not negated(entry, spots)]
    cancelled: dict[str, set[tuple[str, int]]] = {}  # need -> the words its negative cues cover
    for entry, spots in cues:
        if not entry.clause:
            cancelled.setdefault(entry.need, set()).update(spots)
    # (need, clause) pairs where a clause_negative cue silences that need.
    silenced: set[tuple[str, int]] = set()
    numbered: Clauses | None = None
    if clauses is not None:
        for entry, spots in cues:
            if entry.clause:
                numbered = numbered or clauses()
                silenced |= {(entry.need, numbered.of(spot)) for spot in spots}
    out: dict[int, tuple[str, float, str, bool, str]] = {}

    def blocked(entry: Entry, spots: frozenset[tuple[str, int]]) -> bool:
        """Return whether a negative cue, or a negation just before or after it, cancels this hit."""
        if not spots.isdisjoint(cancelled.get(entry.need, ())) or negated(entry, spots):
            return True
        return numbered is not None and any((entry.need, numbered.of(spot)) in silenced for spot in spots)

    # A phrase found where no negative cue blocks it counts once: found again it adds nothing.
    hits: list[tuple[Entry, frozenset[tuple[str, int]], bool]] = []
    counted: set[int] = set()
    for entry, spots in occurrences:
        if entry.negative or id(entry) in counted:
            continue
        if not blocked(entry, spots):
            counted.add(id(entry))
        hits.append((entry, spots, index.cjk or _as_written(entry, spots, words)))
    corrected = " ".join(index.correct(w) for w in norm.split()) if index.pattern_initials else norm
    for number in index.patterns_to_try(norm, corrected):
        need, source, weight, origin, _literals = index.patterns[number]
        regex = index.regex(source)
        text = norm
        found = regex.search(norm)
        if found is None and corrected != norm:
            text, found = corrected, regex.search(corrected)
        if found:
            entry = Entry(need, (), source, weight, origin)
            hits.append((entry, _pattern_spots(found, text, index.cjk), text is norm))
    # The same words are one piece of evidence: of a need's phrases that overlap
    # (turn 21, turned 21, when i turn 21), only the heaviest counts; of equal weights the
    # one matched as written, then the one listed first (the same answer in every process).
    taken: dict[str, set[tuple[str, int]]] = {}
    for entry, spots, exact in sorted(hits, key=lambda hit: (-hit[0].weight, not hit[2], _line(hit[0].source))):
        if blocked(entry, spots):
            log.debug("negative cue cancels %r (%s)", entry.text, entry.source)
        elif not spots & taken.setdefault(entry.need, set()):
            taken[entry.need] |= spots
            out[id(entry)] = (entry.need, entry.weight, f"{index.lang} {entry.text!r} ({entry.source})", exact, entry.text)
    return list(out.values())


def _occurrences(index: PhraseIndex, keysets: list[frozenset[str]], norm: str) -> list[tuple[Entry, frozenset[tuple[str, int]]]]:
    """List each phrase and cue found in the message, with the positions it covers, once per start."""
    found = []
    if index.cjk:
        squashed = norm.replace(" ", "")
        # Korean separates words with spaces: a phrase found across one must have a space there too
        # (이혼 "divorce" is not in 부모님이 혼자 "parents alone"). Chinese has no spaces to respect.
        spaces = _space_positions(norm) if index.lang == "ko" else frozenset()
        for j, char in enumerate(squashed):
            for entry in index.table.get(char, ()):
                end = j + len(entry.text)
                if squashed.startswith(entry.text, j) and (not spaces or _spaces_fit(entry, j, end, spaces)):
                    found.append((entry, frozenset(("c", k) for k in range(j, end))))
        return found
    singles, heads, table = index.single_starts, index.pair_heads, index.table
    last = len(keysets) - 1
    for i, keys in enumerate(keysets):
        starts: list[str | tuple[str, str]] = [key for key in keys if key in singles]
        if i < last:
            starts += [(key, second) for key in keys if key in heads for second in keysets[i + 1]]
        if not starts:
            continue
        tried: set[int] = set()
        for start in starts:
            for entry in table.get(start, ()):
                if id(entry) in tried:
                    continue
                tried.add(id(entry))
                used = _follow(entry.words, 1, keysets, i + 1, (i,)) if len(entry.words) > 1 else (i,)
                if used:
                    found.append((entry, frozenset(("t", k) for k in used)))
    return found


def _negated(
    negations: tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]],
    spots: frozenset[tuple[str, int]], text: str | list[str],
) -> bool:
    """Tell whether the words just before or just after a hit turn it around ("don t" want to die).

    ``text`` is the message's words, or in Chinese and Korean its characters without spaces.
    """
    positions = [k for _kind, k in spots]
    first, after = min(positions), max(positions) + 1
    before_words, after_words = negations
    if isinstance(text, str):
        return any(text.endswith(w[0], 0, first) for w in before_words) or any(
            text.startswith(w[0], after) for w in after_words)
    return any(first >= len(w) and tuple(text[first - len(w):first]) == w for w in before_words) or any(
        tuple(text[after:after + len(w)]) == w for w in after_words)


def _space_positions(norm: str) -> frozenset[int]:
    """Return where, in ``norm`` without spaces, each word after the first begins."""
    positions, at = set(), 0
    for word in norm.split()[:-1]:
        at += len(word)
        positions.add(at)
    return frozenset(positions)


def _spaces_fit(entry: Entry, start: int, end: int, spaces: frozenset[int]) -> bool:
    """Tell whether every space of the message inside a match is a space of the phrase too."""
    inside = [k for k in spaces if start < k < end]
    if not inside:
        return True
    allowed, at = set(), start
    for piece in entry.surface[:-1]:
        at += len(piece)
        allowed.add(at)
    return all(k in allowed for k in inside)


def _pattern_spots(found: re.Match[str], text: str, cjk: bool) -> frozenset[tuple[str, int]]:
    """Return the positions a pattern match covers, counted as its language's phrases count them.

    Words by number; in Chinese and Korean characters without spaces, so a negative cue
    there can cancel a pattern as it cancels a phrase.
    """
    if cjk:
        first = len(text[:found.start()].replace(" ", ""))
        size = max(len(found.group(0).replace(" ", "")), 1)
        return frozenset(("c", k) for k in range(first, first + size))
    first = text.count(" ", 0, found.start())
    last = text.count(" ", 0, max(found.end() - 1, found.start()))
    return frozenset(("t", k) for k in range(first, last + 1))


def _as_written(entry: Entry, spots: frozenset[tuple[str, int]], words: list[str]) -> bool:
    """Return whether a phrase hit matched every word as written (no stem, no typo)."""
    positions = sorted(k for _kind, k in spots)
    written = [w for w in entry.surface if w]
    return len(positions) == len(written) and all(
        k < len(words) and words[k] == w for k, w in zip(positions, written, strict=True)
    )


def _follow(words: tuple[frozenset[str], ...], j: int, keysets: list[frozenset[str]], pos: int, used: tuple[int, ...]) -> tuple[int, ...] | None:
    """Match the rest of a phrase from word ``j`` at message position ``pos``; return positions used."""
    if j == len(words):
        return used
    if not words[j]:
        # Consecutive `*` are one gap of up to three words each: trying their sum once, shortest
        # first, finds what trying each in turn would, without trying every combination.
        gaps = 1
        while j + gaps < len(words) and not words[j + gaps]:
            gaps += 1
        for skip in range(_GAP * gaps + 1):
            found = _follow(words, j + gaps, keysets, pos + skip, used)
            if found:
                return found
        return None
    if pos < len(keysets) and words[j] & keysets[pos]:
        return _follow(words, j + 1, keysets, pos + 1, used + (pos,))
    return None


def _line(source: str) -> tuple[str, int]:
    """Order ``file.yaml:12`` sources by file, then line number."""
    name, _, line = source.rpartition(":")
    return (name, int(line)) if line.isdigit() else (source, 0)
