"""Match a message against the intents: needs with scores, crisis, place, person, conversation words.

Everything is precomputed when the intents load (``Matcher.__init__``): each
language's phrases are indexed by the stem of their first word, and the
vocabulary has a deletion index for misspellings, so a message costs a few
dictionary look-ups per word.  ``match()`` keeps one ``Matcher`` per
(intents folder, directory) pair for the life of the process.

``context`` (a mapping, or an object with these attributes; every key optional):

- ``language``: a language the resident chose explicitly; it wins over detection.
- ``conversation_language``: the language of the conversation so far; very
  short messages ("food", "ok") keep it.  Defaults to English.
- ``municipality`` and ``age``: what the conversation already knows; the
  message's own place or age wins.
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import pickle
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import snowballstemmer
from rapidfuzz.distance import OSA

from . import settings
from .intents import IntentSet, Phrase, load_intents, load_need_codes, phrase_words
from .language import detect
from .models import LANGUAGES, Match, NeedScore, ServiceHit
from .normalise import collapse_doubles, fold_accents, normalise
from .people import PeopleFinder
from .places import PlaceFinder, load_fsa

log = logging.getLogger(__name__)

# Messages longer than this are cut: no resident writes more, and it bounds the cost.
MAX_CHARS = 2000
THRESHOLD = 1.0
# When two needs score the same, the more specific one leads (eval/README.md).
SPECIFICITY = (
    "crisis", "youth-leaving-care", "sexual-assault", "youth-mental-health", "isolation-seniors",
    "older-adult-support", "abuse-violence", "substance-use", "disability", "child-care",
    "transportation", "health", "food", "housing", "legal", "newcomers", "employment", "income",
    "mental-health",
)


_STEMMERS = {
    "en": "english", "fr": "french", "es": "spanish", "pt": "portuguese", "pl": "polish",
    "ar": "arabic", "hi": "hindi",
}
# Arabic and Urdu attach conjunctions, prepositions and the article to the word.
_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل", "ف")
_CJK = ("zh-Hans", "ko")
_GAP = 3  # words a `*` stands for
_LATIN = ("en", "fr", "es", "pt", "pl", "tl")
_LEMMATISED = ("fr",)
_SAME_SCRIPT = {**{lang: _LATIN for lang in _LATIN}, "ar": ("ar", "ur"), "ur": ("ar", "ur")}
# The words a pattern spells out: letters left after escapes such as \b and \d are removed.
_ESCAPE_RE = re.compile(r"\\[a-zA-Z]")
_PATTERN_WORD_RE = re.compile(r"[^\W\d_]{5,}")
_KEY_CACHE = 20000


def _make_stemmer(lang: str) -> Callable[[str], str]:
    """Return the word-stem function for ``lang``: snowball, simplemma for Tagalog, else identity."""
    if lang in _STEMMERS:
        # snowballstemmer hands out PyStemmer's C stemmers when installed: 10x faster.
        stem = cast(Callable[[str], str], snowballstemmer.stemmer(_STEMMERS[lang]).stemWord)
    elif lang == "tl":
        import simplemma  # 0.2 s to import: only where Tagalog is matched

        def stem(word: str) -> str:
            return str(simplemma.lemmatize(word, lang="tl"))
    else:
        return str
    return lru_cache(maxsize=50000)(stem)


def _lemma_table(lang: str, words: Iterable[str]) -> dict[str, str]:
    """Map every form simplemma knows of the lemmas of ``words`` to that lemma, accents folded.

    Built once when the intents compile, so matching never loads simplemma's
    dictionary (a second to load for French; Polish, Spanish and Portuguese take
    10 to 30 times longer and hundreds of MB, so they rely on the stemmer alone).
    """
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    forms = DefaultDictionaryFactory().get_dictionary(lang)
    wanted = {forms.get(word, word) for word in words}
    table = {fold_accents(lemma): fold_accents(lemma) for lemma in wanted}
    for form, lemma in forms.items():
        if lemma in wanted:
            table.setdefault(fold_accents(form), fold_accents(lemma))
    return table


def _max_typos(length: int) -> int:
    """Allow one typo from five letters, two from eight."""
    return 0 if length < 5 else 1 if length < 8 else 2


def _deletes(word: str, depth: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


@dataclass(frozen=True, eq=False)
class _Entry:
    """A phrase, negative cue or pattern ready to match."""

    need: str
    words: tuple[frozenset[str], ...]  # acceptable keys per word; empty set for a `*` gap
    text: str
    weight: float
    source: str
    negative: bool = False
    surface: tuple[str, ...] = ()  # the words as written (folded), "" for a gap


class PhraseIndex:
    """One language's phrases, indexed by the keys of their first word."""

    def __init__(self, lang: str, intents: IntentSet, exact: bool = False) -> None:
        self.lang = lang
        self.exact = exact  # words match as written: no stems, no typos
        self.cjk = lang in _CJK
        self.stem = _make_stemmer(lang)
        # Entries by the key of their first word, or of their first two words when
        # the second is not a gap: a message word then meets only the phrases it can start.
        self.first: dict[str | tuple[str, str], list[_Entry]] = {}
        self.negatives: dict[str | tuple[str, str], list[_Entry]] = {}
        self.vocab: dict[str, frozenset[str]] = {}  # folded word -> its keys
        self.collapsed: dict[str, str] = {}
        self.typos: dict[str, str] = {}
        self.pattern_words: set[str] = set()
        self.pattern_typos: dict[str, str] = {}
        self._corrections: dict[str, str] = {}
        self.near_words: dict[str, frozenset[str]] = {}
        self._keys: dict[str, frozenset[str]] = {}
        # Patterns are kept as text and compiled on first use: most never run, since
        # their literal is absent, and a pickled regex is recompiled on every start.
        self.patterns = [(p.need, p.regex.pattern, p.weight, p.source, p.literal) for p in intents.patterns if p.lang == lang]
        self._regexes: dict[str, re.Pattern[str]] = {}
        items = [(p, neg) for p, neg in [(p, False) for p in intents.phrases] + [(p, True) for p in intents.negatives] if p.lang == lang]
        self.lemmas: dict[str, str] = {}
        if lang in _LEMMATISED and not exact and items:
            words = {w for p, _neg in items for w in normalise(p.text.replace("*", " "), lang, fold=False).split()}
            self.lemmas = _lemma_table(lang, words)
        for phrase, negative in items:
            self._add(phrase, negative)
        self.known_keys = {k for keys in self.vocab.values() for k in keys}
        self.starters = {k if isinstance(k, str) else k[0] for k in self.first}
        # Misspellings are sought among the phrases' words and their stems, so that a
        # typo in an inflected form ("evictd") still finds its stem ("evict").
        self.near_words = dict(self.vocab)
        for key in self.known_keys:
            if len(key) >= 5 and key.isalpha():
                self.near_words.setdefault(key, frozenset({key}))
        if lang in _LATIN and not exact:
            typos: dict[str, set[str]] = {}
            for word in self.near_words:
                if word.isalpha():
                    for variant in _deletes(word, _max_typos(len(word))):
                        typos.setdefault(variant, set()).add(word)
            # One string per entry rather than a set: a tenth of the objects to unpickle.
            self.typos = {variant: " ".join(words) for variant, words in typos.items()}
            # Patterns cannot stem or forgive typos, so a misspelt word is corrected to the
            # pattern word it is near before patterns run on the corrected text.
            pattern_typos: dict[str, set[str]] = {}
            for _need, source, *_rest in self.patterns:
                for word in _PATTERN_WORD_RE.findall(_ESCAPE_RE.sub(" ", source)):
                    self.pattern_words.add(word)
                    for variant in _deletes(word, _max_typos(len(word))):
                        pattern_typos.setdefault(variant, set()).add(word)
            self.pattern_typos = {variant: " ".join(words) for variant, words in pattern_typos.items()}

    def __getstate__(self) -> dict[str, Any]:
        # Stemmers are C objects: rebuilt on load.  The per-word cache starts empty.
        return {k: v for k, v in self.__dict__.items() if k not in ("stem", "_keys", "_regexes", "_corrections")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.stem = _make_stemmer(self.lang)
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

    def _add(self, phrase: Phrase, negative: bool) -> None:
        if self.cjk:
            squashed = "".join(w for w in phrase.words if w != "*")
            entry = _Entry(phrase.need, (), squashed, phrase.weight, phrase.source, negative)
            (self.negatives if negative else self.first).setdefault(squashed[0], []).append(entry)
            return
        words: list[frozenset[str]] = []
        for i, part in enumerate(phrase.text.split("*")):
            if i:
                words.append(frozenset())
            for raw in normalise(part, self.lang, fold=False).split():
                keys = self._word_keys(raw)
                words.append(keys)
                self.vocab[fold_accents(raw)] = self.vocab.get(fold_accents(raw), frozenset()) | keys
                self.collapsed.setdefault(collapse_doubles(fold_accents(raw)), fold_accents(raw))
        surface = tuple("" if w == "*" else w for w in phrase_words(phrase.text, self.lang))
        entry = _Entry(phrase.need, tuple(words), phrase.text, phrase.weight, phrase.source, negative, surface)
        table = self.negatives if negative else self.first
        for key in words[0]:
            if len(words) > 1 and words[1]:
                for second in words[1]:
                    table.setdefault((key, second), []).append(entry)
            else:
                table.setdefault(key, []).append(entry)

    def known(self, words: list[str]) -> int:
        """Count the words of a normalised message that this language's phrases use."""
        return sum(1 for w in words if w in self.vocab)

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

    def correct(self, word: str) -> str:
        """Return the pattern word ``word`` is a typo of, or ``word`` itself."""
        if word in self.pattern_words or len(word) < 5 or not word.isalpha():
            return word
        done = self._corrections.get(word)
        if done is not None:
            return done
        limit = _max_typos(len(word))
        best, best_distance = word, limit + 1
        for variant in _deletes(word, limit):
            for candidate in self.pattern_typos.get(variant, "").split():
                distance = OSA.distance(word, candidate)
                if candidate[0] == word[0] and distance < best_distance and distance <= _max_typos(len(candidate)):
                    best, best_distance = candidate, distance
        if len(self._corrections) < _KEY_CACHE:
            self._corrections[word] = best
        return best

    def _near(self, word: str) -> set[str]:
        """Keys of vocabulary words one or two typos (or a doubled letter) away from ``word``."""
        found: set[str] = set()
        single = self.collapsed.get(collapse_doubles(word))
        if single:
            found |= self.vocab[single]
        if not self.typos or not word.isalpha() or len(word) < 5:
            return found
        limit = _max_typos(len(word))
        candidates: set[str] = set()
        for variant in _deletes(word, limit):
            if variant in self.typos:
                candidates.update(self.typos[variant].split())
        for candidate in candidates:
            # Typos seldom hit the first letter, and words that differ there are often
            # different words (nanay, sanay).  OSA counts a swap of two neighbouring
            # letters as one typo (anxeity).
            if candidate[0] == word[0] and OSA.distance(word, candidate) <= min(limit, _max_typos(len(candidate))):
                found |= self.near_words[candidate]
        return found

    def evidence(self, raw_words: list[str], norm: str) -> list[tuple[str, float, str, bool]]:
        """Return (need, weight, why, exact) for every phrase and pattern the message shows.

        ``exact`` says the words matched as written, not through a stem or a typo.
        """
        if not (self.first or self.patterns):
            return []
        if self.exact and not self.patterns and self.starters.isdisjoint(map(fold_accents, raw_words)):
            return []  # the cross-language crisis check: most messages share no word with it
        keysets = [] if self.cjk else [self.keys(w) for w in raw_words]
        cancelled: set[tuple[str, int]] = set()
        for _entry, spots in self._hits(self.negatives, keysets, norm, None):
            cancelled |= spots
        out: dict[int, tuple[str, float, str, bool]] = {}
        words = norm.split()
        hits = [
            (entry, spots, self.cjk or _as_written(entry, spots, words))
            for entry, spots in self._hits(self.first, keysets, norm, cancelled)
        ]
        corrected = " ".join(self.correct(w) for w in norm.split()) if self.pattern_typos else norm
        for need, source, weight, origin, literal in self.patterns:
            if literal not in norm and literal not in corrected:
                continue
            regex = self._regexes.get(source)
            if regex is None:
                regex = self._regexes[source] = re.compile(source)
            text = norm
            found = regex.search(norm)
            if found is None and corrected != norm:
                text, found = corrected, regex.search(corrected)
            if found:
                first = text.count(" ", 0, found.start())
                last = text.count(" ", 0, max(found.end() - 1, found.start()))
                entry = _Entry(need, (), source, weight, origin)
                hits.append((entry, frozenset(("t", k) for k in range(first, last + 1)), text is norm))
        # The same words are one piece of evidence: of a need's phrases that overlap
        # (turn 21, turned 21, when i turn 21), only the heaviest counts.
        taken: dict[str, set[tuple[str, int]]] = {}
        for entry, spots, exact in sorted(hits, key=lambda hit: -hit[0].weight):
            if spots & cancelled:
                log.debug("negative cue cancels %r (%s)", entry.text, entry.source)
            elif not spots & taken.setdefault(entry.need, set()):
                taken[entry.need] |= spots
                out[id(entry)] = (entry.need, entry.weight, f"{self.lang} {entry.text!r} ({entry.source})", exact)
        return list(out.values())

    def _hits(
        self, index: dict[str | tuple[str, str], list[_Entry]], keysets: list[frozenset[str]], norm: str,
        cancelled: set[tuple[str, int]] | None,
    ) -> Iterator[tuple[_Entry, frozenset[tuple[str, int]]]]:
        """Yield each phrase of ``index`` found in the message, with the positions it covers.

        With ``cancelled`` given, a phrase found outside those positions is yielded once
        and no more: found again elsewhere it adds nothing.  Without it (negative cues)
        every occurrence is yielded, since each cancels what it overlaps.
        """
        counted: set[int] = set()
        if self.cjk:
            squashed = norm.replace(" ", "")
            for j, char in enumerate(squashed):
                for entry in index.get(char, ()):
                    if id(entry) not in counted and squashed.startswith(entry.text, j):
                        spots = frozenset(("c", k) for k in range(j, j + len(entry.text)))
                        if cancelled is not None and not spots & cancelled:
                            counted.add(id(entry))
                        yield entry, spots
            return
        for i, keys in enumerate(keysets):
            tried: set[int] = set()
            starts: list[str | tuple[str, str]] = list(keys)
            if i + 1 < len(keysets):
                starts += [(key, second) for key in keys for second in keysets[i + 1]]
            for start in starts:
                for entry in index.get(start, ()):
                    if id(entry) in tried or id(entry) in counted:
                        continue
                    tried.add(id(entry))
                    used = _follow(entry.words, 1, keysets, i + 1, (i,)) if len(entry.words) > 1 else (i,)
                    if used:
                        spots = frozenset(("t", k) for k in used)
                        if cancelled is not None and not spots & cancelled:
                            counted.add(id(entry))
                        yield entry, spots


def _as_written(entry: _Entry, spots: frozenset[tuple[str, int]], words: list[str]) -> bool:
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
        for skip in range(_GAP + 1):
            found = _follow(words, j + 1, keysets, pos + skip, used)
            if found:
                return found
        return None
    if pos < len(keysets) and words[j] & keysets[pos]:
        return _follow(words, j + 1, keysets, pos + 1, used + (pos,))
    return None


# Conversation words, in the order they win when a message has several.
_PRIORITY = (
    "stop", "start", "safe", "person", "help", "restart", "more", "no", "yes", "thanks",
    "greeting", "off-topic",
)
# These count even beside a need ("I need food, can I talk to a person").
_BESIDE_NEEDS = ("stop", "start", "safe", "person")
# "option 2", "number 3", "opción 1": the number is the message.
_NUMBER_FILLER = frozenset(
    ["option", "number", "choice", "no", "num", "opcion", "opcao", "numero", "numer", "opcja", "pick", "please"]
)
_FILLER = frozenset(["please", "in", "speak", "language", "langue", "idioma", "por", "favor", "i", "want", "prefer", "je", "veux", "parler"])


class Conversation:
    """The words of the conversation itself: yes/no, numbers, STOP, language names..."""

    def __init__(self, intents: IntentSet) -> None:
        self.whole: dict[str, dict[str, str]] = {}
        self.anywhere: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
        self.words: dict[str, set[str]] = {}
        for lang, table in intents.whole_message.items():
            for intent, texts in table.items():
                for text in texts:
                    norm = normalise(text, lang)
                    self.whole.setdefault(lang, {}).setdefault(norm, intent)
                    self.words.setdefault(lang, set()).update(norm.split())
        for lang, table in intents.anywhere.items():
            for intent, texts in table.items():
                forms = sorted({normalise(t, lang) for t in texts} - {""}, key=len, reverse=True)
                body = "|".join(map(re.escape, forms))
                regex = re.compile(body if lang in _CJK else rf"(?<!\w)(?:{body})(?!\w)")
                self.anywhere.setdefault(lang, []).append((intent, regex))
                self.words.setdefault(lang, set()).update(w for f in forms for w in f.split())
        self.numbers = {str(n): n for n in range(1, 10)}
        for lang, words in intents.numbers.items():
            for n, word in enumerate(words, start=1):
                self.numbers.setdefault(normalise(word, lang), n)
        self.names: dict[str, str] = {}
        for lang, names in intents.language_names.items():
            for name in names:
                self.names.setdefault(normalise(name), lang)

    def known(self, words: list[str]) -> dict[str, int]:
        """Count, per language, the message words that are conversation words."""
        return {lang: sum(1 for w in words if w in vocab) for lang, vocab in self.words.items()}

    def language_choice(self, plain: str) -> str | None:
        """Return the language a message names on its own ("français", "FR", "in Spanish please")."""
        if plain in self.names:
            return self.names[plain]
        rest = " ".join(w for w in plain.split() if w not in _FILLER)
        return self.names.get(rest) if rest else None

    def intent(self, norm: str, lang: str, has_needs: bool) -> tuple[str | None, int | None, str]:
        """Return the conversation intent of a normalised message, its number, and why."""
        bare = " ".join(w for w in norm.split() if w not in _NUMBER_FILLER) or norm
        if bare in self.numbers:
            return "number", self.numbers[bare], f"number {self.numbers[bare]}"
        order = [lang, "en"] + [x for x in self.whole if x not in (lang, "en")]
        for code in order:
            intent = self.whole.get(code, {}).get(norm)
            if intent:
                return intent, None, f"conversation word {norm!r} ({code}): {intent}"
        found: dict[str, str] = {}
        for code in dict.fromkeys([lang, "en"]):
            for intent, regex in self.anywhere.get(code, []):
                hit = regex.search(norm)
                if hit and intent not in found:
                    found[intent] = f"conversation phrase {hit.group(0)!r} ({code}): {intent}"
        for intent in _PRIORITY:
            if intent in found and (not has_needs or intent in _BESIDE_NEEDS):
                return intent, None, found[intent]
        return None, None, ""


class Matcher:
    """Every intents file compiled for matching, plus the directory to rank services."""

    def __init__(self, intents: IntentSet, fsa: dict[str, str | None], directory: Any = None, need_order: list[str] | None = None) -> None:
        # The phrase lists now live in the indexes; the rest (needs, questions, places,
        # people, conversation words) stays here for the dialogue to read.
        self.intents = dataclasses.replace(intents, phrases=[], negatives=[], patterns=[])
        self.indexes = {lang: PhraseIndex(lang, intents) for lang in LANGUAGES}
        # Crisis phrases of every language that shares the message's script are tried
        # too: a Spanish cry for help detected as Portuguese must still be heard.
        crisis_only = dataclasses.replace(
            intents,
            phrases=[p for p in intents.phrases if p.need == "crisis"],
            negatives=[p for p in intents.negatives if p.need == "crisis"],
            patterns=[p for p in intents.patterns if p.need == "crisis"],
        )
        # Words match as written there: stems of one language meet unrelated words of
        # another ("suicide" and Spanish "suicidarme" share a Spanish stem).
        self.crisis_indexes = {lang: PhraseIndex(lang, crisis_only, exact=True) for lang in _LATIN + ("ar", "ur")}
        self.conversation = Conversation(intents)
        self.places = PlaceFinder(intents.places, intents.outside, fsa)
        self.people = PeopleFinder(intents.people)
        self.directory = directory
        order = need_order or list(intents.needs)
        rank = {code: i for i, code in enumerate(SPECIFICITY)}
        self.tie_rank = {code: (rank.get(code, len(rank)), i) for i, code in enumerate(order)}
        self.takeovers = {n.takes_over: n.code for n in intents.needs.values() if n.takes_over}

    def lexicon(self, words: list[str]) -> dict[str, float]:
        """Count, per language, the words its intents know (a language-detection tie-breaker)."""
        counts = {lang: float(index.known(words)) for lang, index in self.indexes.items()}
        for lang, n in self.conversation.known(words).items():
            counts[lang] = counts.get(lang, 0.0) + n
        return counts

    def match(self, text: str, lang: str | None = None, context: Mapping[str, Any] | Any = None) -> Match:
        """Understand one message (see the module docstring for ``context``)."""
        context = _as_mapping(context)
        lang = _LANGUAGE_ALIASES.get(lang.lower(), lang) if isinstance(lang, str) else None
        text = text[:MAX_CHARS]
        why: list[str] = []
        plain = normalise(text)
        choice = self.conversation.language_choice(plain)
        if lang in LANGUAGES:
            language, how = str(lang), "language given by the caller"
        elif choice:
            language, how = choice, f"language chosen in the message ({choice})"
        elif context.get("language") in LANGUAGES:
            language, how = str(context["language"]), "language chosen earlier in the conversation"
        else:
            fallback = context.get("conversation_language")
            detection = detect(text, fallback if fallback in LANGUAGES else "en", self.lexicon, plain.split())
            language, how = detection.language, detection.reason
        why.append(f"language {language}: {how}")
        raw_words = normalise(text, language, fold=False).split()
        norm = " ".join(map(fold_accents, raw_words))
        person = self.people.find(norm, language)
        needs = self._needs(raw_words, norm, language, person.young)
        crisis = bool(needs) and needs[0].code == "crisis"
        if crisis:
            why.append("crisis: answer with emergency and crisis lines first")
        place = self.places.find(norm)
        municipality = place.municipality if place else context.get("municipality")
        if place:
            why.append(place.why)
        age = person.age if person.age is not None else context.get("age")
        why.extend(person.why)
        intent, number, why_intent = self.conversation.intent(norm, language, has_needs=bool(needs))
        if choice:
            intent = "language"
        if intent:
            why.append(why_intent)
        services = self._services(needs, municipality, language, age)
        return Match(
            text=text, language=language, needs=needs, crisis=crisis, municipality=municipality,
            age=age, for_whom=person.for_whom, intent=intent, number=number,
            language_choice=choice, services=services, why=tuple(why),
        )

    def _needs(self, raw_words: list[str], norm: str, language: str, young: bool) -> tuple[NeedScore, ...]:
        """Score every need from the message's language and English; rank them."""
        langs = [language] if language == "en" else [language, "en"]
        scores: dict[str, float] = {}
        as_written: dict[str, float] = {}
        reasons: dict[str, list[str]] = {}
        found = [item for lang in langs for item in self.indexes[lang].evidence(raw_words, norm)]
        if sum(item[1] for item in found if item[0] == "crisis") < THRESHOLD:
            for lang in _SAME_SCRIPT.get(language, ()):
                if lang not in langs:
                    found += self.crisis_indexes[lang].evidence(raw_words, norm)
        for need, weight, reason, exact in found:
            target = self.takeovers.get(need) if young else None
            if target:
                reason = f"{reason}, moved to {target}: young person"
                need = target
            scores[need] = scores.get(need, 0.0) + weight
            as_written[need] = as_written.get(need, 0.0) + (weight if exact else 0.0)
            reasons.setdefault(need, []).append(reason)
        # Ties go to the need whose words were written as its phrases say, then to
        # the more specific need.
        ranked = sorted(
            (code for code, score in scores.items() if score >= THRESHOLD),
            key=lambda code: (code != "crisis", -scores[code], -as_written[code], self.tie_rank.get(code, (99, 99))),
        )
        for code in ranked:
            log.debug("need %s scored %.1f: %s", code, scores[code], "; ".join(reasons[code]))
        return tuple(NeedScore(code, round(scores[code], 2), tuple(reasons[code])) for code in ranked)

    def _services(self, needs: tuple[NeedScore, ...], municipality: str | None, language: str, age: int | None) -> tuple[ServiceHit, ...]:
        """Rank directory entries for the matched needs (none when there is no directory)."""
        if self.directory is None or not needs:
            return ()
        hits = self.directory.search(
            needs=tuple(n.code for n in needs), municipality=municipality, language=language, age=age, limit=10
        )
        return tuple(hits)


_LANGUAGE_ALIASES = {"zh": "zh-Hans", "zh-cn": "zh-Hans", "zh-hans": "zh-Hans", **{code.lower(): code for code in LANGUAGES}}
_CONTEXT_KEYS = ("language", "conversation_language", "municipality", "age")


def _as_mapping(context: Any) -> Mapping[str, Any]:
    """Read ``context`` as a mapping, or from the attributes of a state object."""
    if context is None:
        return {}
    if isinstance(context, Mapping):
        return context
    return {key: getattr(context, key) for key in _CONTEXT_KEYS if getattr(context, key, None) is not None}


def open_shipped_directory(path: Path) -> Any:
    """Open the directory database, or return None when there is none (services are then empty)."""
    from .directory import DirectoryError, open_directory

    try:
        return open_directory(path)
    except DirectoryError as exc:
        log.warning("no services in replies: %s", exc)
        return None


_MATCHERS: dict[tuple[str, str], Matcher] = {}
# Compiling every intents file takes seconds; a pickle of the result loads in a
# fraction of one.  It is keyed by the bytes of every input and of the engine's
# own code, so an edited phrase or module is never served stale.
CACHE_DIR = settings.PROJECT_ROOT / "instance" / "matcher-cache"
_ENGINE_MODULES = ("matcher", "intents", "normalise", "places", "people")


def _fingerprint(intents_path: Path, data_files: list[Path]) -> str:
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for path in sorted(intents_path.glob("*.yaml")) + data_files + [here / f"{m}.py" for m in _ENGINE_MODULES]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def compile_matcher(intents_path: Path, cache_dir: Path | None = None, use_cache: bool = True) -> Matcher:
    """Load and compile the intents (directory not attached), through the on-disk cache when possible."""
    needs_path = settings.DATA_DIR / "needs.yaml"
    fsa_path = settings.DATA_DIR / "halton_fsa.csv"
    cached = None
    cache_dir = cache_dir or CACHE_DIR
    if use_cache:
        # One cache file per intents folder: a test's folder never evicts the shipped one's.
        folder = hashlib.sha256(str(intents_path.resolve()).encode()).hexdigest()[:12]
        cached = cache_dir / f"{folder}-{_fingerprint(intents_path, [needs_path, fsa_path])}.pickle"
        try:
            with cached.open("rb") as handle:
                return cast(Matcher, pickle.load(handle))
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass
    intents = load_intents(intents_path, needs_path)
    compiled = Matcher(intents, load_fsa(fsa_path), None, load_need_codes(needs_path))
    if cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(pickle.dumps(compiled, protocol=pickle.HIGHEST_PROTOCOL))
            partial.replace(cached)
            for stale in cached.parent.glob(f"{folder}-*.pickle"):
                if stale != cached:
                    stale.unlink(missing_ok=True)
        except OSError as exc:  # a read-only install still works, only slower to start
            log.info("matcher cache not written: %s", exc)
    return compiled


def get_matcher(intents_dir: Path | str | None = None, directory: Path | str | None = None) -> Matcher:
    """Return the matcher for these paths, loading intents and directory once per process."""
    intents_path = Path(intents_dir or settings.INTENTS_DIR)
    directory_path = Path(directory or settings.SHIPPED_DIRECTORY)
    key = (str(intents_path.resolve()), str(directory_path.resolve()))
    if key not in _MATCHERS:
        matcher = compile_matcher(intents_path)
        matcher.directory = open_shipped_directory(directory_path)
        _MATCHERS[key] = matcher
    return _MATCHERS[key]


def match(
    text: str,
    lang: str | None = None,
    context: Mapping[str, Any] | Any = None,
    *,
    intents_dir: Path | str | None = None,
    directory: Path | str | None = None,
) -> Match:
    """Understand one resident message: language, needs, crisis, place, person, services."""
    return get_matcher(intents_dir, directory).match(text, lang=lang, context=context)
