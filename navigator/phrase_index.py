"""One language's phrases, negative cues and patterns, compiled for fast look-up.

Each phrase is indexed by the keys (stems, lemmas) of its first word, or of its
first two words, so a message word meets only the phrases it can start.  The
vocabulary has a deletion index for misspellings, so a message costs a few
dictionary look-ups per word.  Finding the phrases of a message is
``navigator.evidence``; this module answers what one word can stand for.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .intents import IntentSet, Phrase
from .normalise import collapse_doubles, fold_accents
from .spelling import (
    SIMPLEMMA_LANGUAGES,
    by_initial,
    make_stemmer,
    near,
    simplemma_answers,
)

# Arabic and Urdu attach conjunctions, prepositions and the article to the word.
_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل", "ف")
CJK = ("zh-Hans", "ko")
LATIN = ("en", "fr", "es", "pt", "pl", "tl")
# The words a pattern spells out: letters left after escapes such as \b and \d are removed.
_ESCAPE_RE = re.compile(r"\\[a-zA-Z]")
_PATTERN_WORD_RE = re.compile(r"[^\W\d_]{5,}")
_KEY_CACHE = 20000


@dataclass(frozen=True, eq=False, slots=True)
class Entry:
    """A phrase, negative cue or pattern ready to match."""

    need: str
    words: tuple[frozenset[str], ...]  # acceptable keys per word; empty set for a `*` gap
    text: str
    weight: float
    source: str
    negative: bool = False
    surface: tuple[str, ...] = ()  # the words as written (folded), "" for a gap
    clause: bool = False  # a clause_negative cue: silences its need in its clause only


class PhraseIndex:
    """One language's phrases, indexed by the keys of their first word."""

    def __init__(
        self, lang: str, intents: IntentSet, exact: bool = False, simplemma: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        """Compile ``lang``'s phrases; ``simplemma`` may give ``simplemma_answers`` already computed."""
        self.lang = lang
        self.exact = exact  # words match as written: no stems, no typos
        self.cjk = lang in CJK
        self.first: dict[str | tuple[str, str], list[Entry]] = {}
        self.negatives: dict[str | tuple[str, str], list[Entry]] = {}
        self.clause_negatives: dict[str | tuple[str, str], list[Entry]] = {}
        tables = ((intents.phrases, self.first), (intents.negatives, self.negatives), (intents.clause_negatives, self.clause_negatives))
        items = [(p, table) for phrases, table in tables for p in phrases if p.lang == lang]
        if simplemma is None and lang in SIMPLEMMA_LANGUAGES and not exact and items:
            simplemma = simplemma_answers({lang: phrase_vocabulary(intents, lang)})
        answers = simplemma.get(lang, {}) if simplemma else {}
        self.stem = make_stemmer(lang, answers if lang == "tl" else None)
        self.vocab: dict[str, frozenset[str]] = {}  # folded word -> its keys
        self.collapsed: dict[str, str] = {}
        self.typo_words: dict[str, list[str]] = {}  # words a misspelling is sought among, by first letter
        self.pattern_words: set[str] = set()
        self.pattern_initials: dict[str, list[str]] = {}
        self._corrections: dict[str, str] = {}
        self.near_words: dict[str, frozenset[str]] = {}
        self._keys: dict[str, frozenset[str]] = {}
        # Patterns are kept as text and compiled on first use: most never run, since
        # none of their literals is there, and a pickled regex is recompiled on every start.
        self.patterns = [(p.need, p.regex.pattern, p.weight, p.source, p.literals) for p in intents.patterns if p.lang == lang]
        self._regexes: dict[str, re.Pattern[str]] = {}
        self._literal_finder = LiteralFinder(p[4] for p in self.patterns)
        # simplemma knows French forms the stemmer cuts differently (obsèdent, obsède).
        self.lemmas: dict[str, str] = dict(answers) if lang == "fr" and not exact else {}
        # need -> (words that negate its phrases just before them, just after them); in Chinese
        # and Korean the words are joined, as the message's characters are compared without spaces.
        self.negations: dict[str, tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]] = {}
        for negation in intents.negations:
            if negation.lang == lang:
                words = ("".join(negation.words),) if self.cjk else negation.words
                before, after = self.negations.get(negation.need, ((), ()))
                if negation.side == "before":
                    before += (words,)
                else:
                    after += (words,)
                self.negations[negation.need] = (before, after)
        self._phrase_keys: dict[str, frozenset[str]] = {}
        for phrase, table in items:
            self._add(phrase, table)
        del self._phrase_keys
        # Phrases and both kinds of cue in one table, so a message is walked once.
        self.table: dict[str | tuple[str, str], list[Entry]] = {}
        for _phrases, table in tables:
            for key, entries in table.items():
                self.table.setdefault(key, []).extend(entries)
        self.single_starts = {k for k in self.table if isinstance(k, str)}
        self.pair_heads = {k[0] for k in self.table if isinstance(k, tuple)}
        self.known_keys = {k for keys in self.vocab.values() for k in keys}
        # The words a phrase or a negative cue can start with.
        self.starters = {k if isinstance(k, str) else k[0] for table in tables for k in table[1]}
        # Misspellings are sought among the phrases' words and their stems, so that a
        # typo in an inflected form ("evictd") still finds its stem ("evict").
        self.near_words = dict(self.vocab)
        for key in self.known_keys:
            if len(key) >= 5 and key.isalpha():
                self.near_words.setdefault(key, frozenset({key}))
        if lang in LATIN and not exact:
            # Words under five letters forgive no typo: never worth comparing.
            self.typo_words = by_initial(w for w in self.near_words if w.isalpha() and len(w) >= 5)
            # Patterns cannot stem or forgive typos, so a misspelt word is corrected to the
            # pattern word it is near before patterns run on the corrected text.
            for _need, source, *_rest in self.patterns:
                self.pattern_words.update(_PATTERN_WORD_RE.findall(_ESCAPE_RE.sub(" ", source)))
            self.pattern_initials = by_initial(self.pattern_words)

    def __getstate__(self) -> dict[str, Any]:
        # Stemmers are C objects: rebuilt on load.  The per-word cache starts empty.
        return {k: v for k, v in self.__dict__.items() if k not in ("stem", "_keys", "_regexes", "_corrections")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.stem = make_stemmer(self.lang)
        self._keys = {}
        self._regexes = {}
        self._corrections = {}

    def _word_keys(self, raw: str) -> frozenset[str]:
        """Keys of one word: its stem with and without accents, so either spelling finds it."""
        folded = fold_accents(raw)
        if self.exact:
            return frozenset({folded})
        keys = {fold_accents(self.stem(raw)), self.stem(folded)}
        if self.lang == "pl":
            # Polish drops a mobile e in most forms (żłobek, żłobka; ojciec, ojca).
            keys |= {k[:-2] + k[-1] for k in keys if len(k) > 4 and k[-2:] in ("ek", "ec")}
        lemma = self.lemmas.get(folded)
        if lemma:
            # simplemma knows forms the stemmer cuts differently (obsèdent, obsède).
            keys.add(lemma)
        return frozenset(keys)

    def _add(self, phrase: Phrase, table: dict[str | tuple[str, str], list[Entry]]) -> None:
        """Index ``phrase`` in ``table`` by the keys of its first word, or of its first two.

        A message word then meets only the phrases it can start.
        """
        negative = table is not self.first
        clause = table is self.clause_negatives
        if self.cjk:
            pieces = tuple(w for w in phrase.words if w != "*")
            squashed = "".join(pieces)
            # The phrase's own words are kept: in Korean a match may not straddle a space the phrase lacks.
            entry = Entry(phrase.need, (), squashed, phrase.weight, phrase.source, negative, pieces, clause)
            table.setdefault(squashed[0], []).append(entry)
            return
        words: list[frozenset[str]] = []
        for raw, folded in zip(phrase.written, phrase.words, strict=True):
            if raw == "*":
                words.append(frozenset())
                continue
            keys = self._phrase_keys.get(raw)
            if keys is None:
                # One set per word, shared by every phrase using it: a smaller pickle.
                keys = self._phrase_keys[raw] = self._word_keys(raw)
            words.append(keys)
            known = self.vocab.get(folded)
            if known is None or not keys <= known:
                self.vocab[folded] = keys if known is None else known | keys
            self.collapsed.setdefault(collapse_doubles(folded), folded)
        surface = tuple("" if w == "*" else w for w in phrase.words)
        entry = Entry(phrase.need, tuple(words), phrase.text, phrase.weight, phrase.source, negative, surface, clause)
        for key in words[0]:
            if len(words) > 1 and words[1]:
                for second in words[1]:
                    table.setdefault((key, second), []).append(entry)
            else:
                table.setdefault(key, []).append(entry)

    def keys(self, raw: str) -> frozenset[str]:
        """Return every key a message word can stand for: stem, prefix-less stem, misspelt word."""
        cached = self._keys.get(raw)
        if cached is not None:
            return cached
        folded = fold_accents(raw)
        keys = set(self._word_keys(raw))
        if self.lang in ("ar", "ur") and not self.exact:
            for prefix in _PREFIXES:
                if folded.startswith(prefix) and len(folded) - len(prefix) >= 2:
                    keys |= self._word_keys(folded[len(prefix):])
        if not keys & self.known_keys and folded not in self.vocab and not self.exact:
            keys |= self._near(folded)
        result = frozenset(keys)
        if len(self._keys) < _KEY_CACHE:
            self._keys[raw] = result
        return result

    def knows(self, word: str) -> bool:
        """Tell whether the phrases use ``word`` or a word of the same stem (no misspellings)."""
        return word in self.vocab or not self.known_keys.isdisjoint(self._word_keys(word))

    def correct(self, word: str) -> str:
        """Return the pattern word ``word`` is a typo of, or ``word`` itself.

        A word this language's phrases use is a word, not a typo ("subsidio" is no "suicidio").
        """
        if word in self.pattern_words or len(word) < 5 or not word.isalpha() or word in self.vocab:
            return word
        done = self._corrections.get(word)
        if done is not None:
            return done
        found = near(word, self.pattern_initials)
        best = found[0] if found else word
        if len(self._corrections) < _KEY_CACHE:
            self._corrections[word] = best
        return best

    def _near(self, word: str) -> set[str]:
        """Keys of vocabulary words one or two typos (or a doubled letter) away from ``word``."""
        found: set[str] = set()
        single = self.collapsed.get(collapse_doubles(word))
        if single:
            found |= self.vocab[single]
        if not self.typo_words or not word.isalpha() or len(word) < 5:
            return found
        for candidate in near(word, self.typo_words):
            # A stem that is no phrase word of its own ("evict") stands for a misspelt ending
            # ("evictd"), so the word must begin with it: "venden" is no typo of "venen" (veneno).
            if candidate not in self.vocab and not word.startswith(candidate[:-1]):
                continue
            found |= self.near_words[candidate]
        return found

    def patterns_to_try(self, *texts: str) -> list[int]:
        """Return the numbers of the patterns whose required literals appear in one of ``texts``."""
        return self._literal_finder.find(texts)

    def regex(self, source: str) -> re.Pattern[str]:
        """Return the compiled pattern ``source``, compiling it on first use."""
        compiled = self._regexes.get(source)
        if compiled is None:
            compiled = self._regexes[source] = re.compile(source)
        return compiled


class LiteralFinder:
    """Find which of many items have one of their literals in a text, without testing each literal.

    Literals are indexed by their first three characters: the text's three-character
    pieces meet that index in one set intersection, and only the literals whose start
    is there are looked for.  An item with no literal is always returned.
    """

    def __init__(self, items: Any) -> None:
        """Index ``items``, an iterable of literal tuples numbered in order."""
        self.by_start: dict[str, list[tuple[str, int]]] = {}
        self.short: list[tuple[str, int]] = []  # literals under three characters
        self.always: list[int] = []
        for number, literals in enumerate(items):
            if not literals:
                self.always.append(number)
            for literal in literals:
                if len(literal) < _START:
                    self.short.append((literal, number))
                else:
                    self.by_start.setdefault(literal[:_START], []).append((literal, number))
        self.starts = frozenset(self.by_start)

    def find(self, texts: tuple[str, ...]) -> list[int]:
        """Return the numbers of the items with a literal in one of ``texts``, in order."""
        found = set(self.always)
        for text in dict.fromkeys(texts):
            found.update(n for literal, n in self.short if n not in found and literal in text)
            for start in self.starts.intersection(pieces(text)):
                found.update(n for literal, n in self.by_start[start] if n not in found and literal in text)
        return sorted(found)


@lru_cache(maxsize=64)
def pieces(text: str) -> frozenset[str]:
    """Return the three-character pieces of ``text`` (kept: every language's index asks for them)."""
    return frozenset(text[i:i + _START] for i in range(len(text) - _START + 1))


_START = 3  # characters a literal is indexed by


def phrase_vocabulary(intents: IntentSet, lang: str) -> list[str]:
    """Return the words (with accents) of ``lang``'s phrases and negative cues, sorted."""
    phrases = intents.phrases + intents.negatives + intents.clause_negatives
    return sorted({w for p in phrases if p.lang == lang for w in p.written if w != "*"})
