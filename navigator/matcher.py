"""Match a message against the intents: needs with scores, crisis, place, person, conversation words.

Everything is precomputed when the intents load (``Matcher.__init__``): each
language's phrases are compiled into a ``PhraseIndex`` (navigator/phrase_index.py)
and found in a message by ``navigator.evidence``; this module scores and ranks
the needs and gathers the rest.  ``match()`` keeps one ``Matcher`` per
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
from collections.abc import Mapping
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from . import settings
from .clauses import split_clauses
from .compiled_cache import fingerprint, load_or_build
from .conversation import Conversation
from .evidence import evidence
from .intents import IntentSet, load_intents, load_need_codes
from .language import SOUTH_ASIAN, detect, dominant_script
from .models import LANGUAGES, Match, NeedScore, ServiceHit
from .normalise import fold_accents, normalise
from .people import PeopleFinder, Person
from .phrase_index import LATIN, PhraseIndex, phrase_vocabulary
from .places import PlaceFinder, load_fsa
from .spelling import SIMPLEMMA_LANGUAGES, simplemma_answers

log = logging.getLogger(__name__)

# Messages longer than this are cut: no resident writes more, and it bounds the cost.
MAX_CHARS = 2000
THRESHOLD = 1.0
# Evidence too weak to count on its own: when nothing else is found, the strongest such need
# is offered as a guess (the reply says it is not sure), rather than no answer at all.
GUESS = 0.5
# Messages understood and kept per process (the table is emptied when full): about 3 MB at most,
# and room for every short reply that repeats (a number, MORE, a town, a greeting).
UNDERSTOOD = 1024
# When two needs score the same, the more specific one leads (eval/README.md).
SPECIFICITY = (
    "crisis", "youth-leaving-care", "sexual-assault", "youth-mental-health", "isolation-seniors",
    "older-adult-support", "abuse-violence", "substance-use", "disability", "child-care",
    "transportation", "health", "food", "housing", "legal", "newcomers", "employment", "income",
    "mental-health",
)
# The crisis words tried word for word beyond the message's language: its script's other
# languages, and for Latin letters also Hindi, Urdu, Punjabi and Arabic as typed in them
# (a Hinglish or Arabizi crisis message is often read as English, Tagalog or Portuguese).
_ROMANISED = ("hi", "ur", "pa", "ar")
_SAME_SCRIPT = {**{lang: LATIN + _ROMANISED for lang in LATIN}, "ar": ("ar", "ur"), "ur": ("ar", "ur")}


class Matcher:
    """Every intents file compiled for matching, plus the directory to rank services."""

    def __init__(
        self, intents: IntentSet, fsa: dict[str, str | None], directory: Any = None, need_order: list[str] | None = None,
        simplemma: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        """Compile ``intents``; ``simplemma`` may give ``spelling.simplemma_answers`` already computed."""
        # The phrase lists now live in the indexes; the rest (needs, questions, places,
        # people, conversation words) stays here for the dialogue to read.
        self.intents = dataclasses.replace(intents, phrases=[], negatives=[], patterns=[])
        self.indexes = {lang: PhraseIndex(lang, intents, simplemma=simplemma) for lang in LANGUAGES}
        # Crisis phrases of every language that shares the message's script are tried
        # too: a Spanish cry for help detected as Portuguese must still be heard.
        crisis_only = dataclasses.replace(
            intents,
            phrases=[p for p in intents.phrases if p.need == "crisis"],
            negatives=[p for p in intents.negatives if p.need == "crisis"],
            clause_negatives=[p for p in intents.clause_negatives if p.need == "crisis"],
            patterns=[p for p in intents.patterns if p.need == "crisis"],
        )
        # Words match as written there: stems of one language meet unrelated words of
        # another ("suicide" and Spanish "suicidarme" share a Spanish stem).
        self.crisis_indexes = {lang: PhraseIndex(lang, crisis_only, exact=True) for lang in LATIN + _ROMANISED}
        self.clause_cues = bool(intents.clause_negatives)
        self.conversation = Conversation(intents)
        self.places = PlaceFinder(intents.places, intents.outside, fsa)
        self.people = PeopleFinder(intents.people)
        self.directory = directory
        order = need_order or list(intents.needs)
        rank = {code: i for i, code in enumerate(SPECIFICITY)}
        self.tie_rank = {code: (rank.get(code, len(rank)), i) for i, code in enumerate(order)}
        # need -> [(the need its evidence moves to, when)], from each need file's takes_over.
        self.takeovers: dict[str, list[tuple[str, str]]] = {}
        for intent in intents.needs.values():
            for other in intent.takes_over:
                self.takeovers.setdefault(other, []).append((intent.code, intent.takes_over_when))
        self._understood: dict[tuple[Any, ...], Match] = {}  # what match() read, by message and context
        # Each word's languages, once for its phrases and once more for its conversation words.
        known: dict[str, list[str]] = {}
        for lang, index in self.indexes.items():
            for word in index.vocab:
                known.setdefault(word, []).append(lang)
        for lang, vocab in self.conversation.words.items():
            for word in vocab:
                known.setdefault(word, []).append(lang)
        self.known_words = {word: tuple(langs) for word, langs in known.items()}

    def lexicon(self, words: list[str]) -> dict[str, float]:
        """Count, per language, the words its intents know (a language-detection tie-breaker)."""
        counts = dict.fromkeys(self.indexes, 0.0)
        for word in words:
            for lang in self.known_words.get(word, ()):
                counts[lang] = counts.get(lang, 0.0) + 1
        return counts

    def __getstate__(self) -> dict[str, Any]:
        # What was understood belongs to one process's traffic, never to the compiled cache.
        return {k: v for k, v in self.__dict__.items() if k != "_understood"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._understood = {}

    def match(self, text: str, lang: str | None = None, context: Mapping[str, Any] | Any = None,
              services: bool = True) -> Match:
        """Understand one message (see the module docstring for ``context``).

        ``services=False`` skips ranking the directory, for a caller (the dialogue)
        that searches it itself.  The same message in the same context is
        understood once: replies such as "1", "MORE" or a town repeat across
        conversations, and the matcher depends on nothing else.
        """
        context = _as_mapping(context)
        lang = _LANGUAGE_ALIASES.get(lang.lower(), lang) if isinstance(lang, str) else None
        text = text[:MAX_CHARS]
        key = (text, lang, *(context.get(k) for k in _CONTEXT_KEYS))
        understood = self._understood
        try:
            found = understood.get(key)
        except TypeError:  # a context value that cannot be a key: understand it afresh
            found, key = None, ()
        if found is None:
            found = self._understand(text, lang, context)
            if key:
                if len(understood) >= UNDERSTOOD:
                    understood.clear()
                understood[key] = found
        if not services:
            return found
        return dataclasses.replace(found, services=self._services(found.needs, found.municipality, found.language, found.age))

    def _understand(self, text: str, lang: str | None, context: Mapping[str, Any]) -> Match:
        """Read one message: language, needs, crisis, place, person and conversation words (no services)."""
        why: list[str] = []
        plain = normalise(text)
        choice = self.conversation.language_choice(plain)
        if lang in LANGUAGES:
            language, how = str(lang), "language given by the caller"
        elif choice:
            language, how = choice, f"language chosen in the message ({choice})"
        elif context.get("language") in LANGUAGES:
            language, how = str(context["language"]), "language chosen earlier in the conversation"
        elif said := self.conversation.whole_message_language(plain):
            language, how = said, f"the whole message is {said} conversation words"
        else:
            fallback = context.get("conversation_language")
            detection = detect(text, fallback if fallback in LANGUAGES else "en", self.lexicon, plain.split())
            language, how = detection.language, detection.reason
        why.append(f"language {language}: {how}")
        raw_words = normalise(text, language, fold=False).split()
        if language == "tl":
            raw_words = [self._taglish(word) for word in raw_words]
        norm = " ".join(map(fold_accents, raw_words))
        person = self.people.find(norm, language)
        needs, crisis_evidence, crisis_why = self._needs(text, raw_words, norm, language, _who_is_young(person))
        crisis = bool(needs) and needs[0].code == "crisis"
        guessed = bool(needs) and needs[0].score < THRESHOLD
        if crisis:
            why.append("crisis: answer with emergency and crisis lines first")
        elif crisis_evidence > 0:
            why.append(f"crisis words too weak to be sure ({crisis_evidence:g}), 911 and 988 first: {'; '.join(crisis_why)}")
        place = self.places.find(norm)
        municipality = place.municipality if place else context.get("municipality")
        if place:
            why.append(place.why)
        age = person.age if person.age is not None else context.get("age")
        why.extend(person.why)
        intent, number, why_intent = self.conversation.intent(norm, language, has_needs=bool(needs) and not guessed)
        if guessed:
            why.append(f"{needs[0].code}: a guess from weak evidence")
        if choice:
            intent = "language"
        if intent:
            why.append(why_intent)
        return Match(
            text=text, language=language, needs=needs, crisis=crisis, municipality=municipality,
            age=age, for_whom=person.for_whom, intent=intent, number=number,
            language_choice=choice, why=tuple(why), crisis_hint=not crisis and crisis_evidence > 0, guessed=guessed,
        )

    def _taglish(self, word: str) -> str:
        """Return the English word inside a Tagalog-affixed one ("nirape", "naevict"), or ``word``.

        Taglish puts Tagalog verb prefixes on English words; written with a hyphen they
        split anyway (na-evict), written together only the English phrases' own words are
        taken out (by their stem: naevict is evict, as in evicted), so Tagalog words that
        merely start alike stay whole.
        """
        english = self.indexes["en"]
        if word in self.indexes["tl"].vocab:
            return word
        for prefix in _TAGALOG_PREFIXES:
            rest = word[len(prefix):]
            # Only a word no other language's phrases use: Tagalog, Spanish or Hindi words
            # inside (nawala: wala, nakaandar: andar) stay as they are.
            if word.startswith(prefix) and len(rest) >= 4 and english.knows(rest) and not any(
                    rest in index.vocab for lang, index in self.indexes.items() if lang != "en"):
                return rest
        return word

    def _needs(self, text: str, raw_words: list[str], norm: str, language: str,
               young: frozenset[str]) -> tuple[tuple[NeedScore, ...], float, tuple[str, ...]]:
        """Score every need from the message's language and English; rank them; give the crisis score and its evidence."""
        langs = [language] if language == "en" else [language, "en"]
        if language in SOUTH_ASIAN and dominant_script(text) == "latin":
            # Romanised Hindi, Urdu and Punjabi share their words: Latin-script phrases
            # listed under any of the three count for all three.
            langs[1:1] = [lang for lang in SOUTH_ASIAN if lang != language]
        scores: dict[str, float] = {}
        as_written: dict[str, float] = {}
        reasons: dict[str, list[str]] = {}
        # Clauses are found once, and only when a clause_negative cue is.
        clauses = cache(lambda: split_clauses(text, language, raw_words)) if self.clause_cues else None
        found = [item for lang in langs for item in evidence(self.indexes[lang], raw_words, norm, clauses)]
        if sum(item[1] for item in found if item[0] == "crisis") < THRESHOLD:
            for lang in _SAME_SCRIPT.get(language, ()):
                if lang not in langs:
                    found += evidence(self.crisis_indexes[lang], raw_words, norm, clauses)
        seen: set[tuple[str, str]] = set()
        for need, weight, reason, exact, said in found:
            if (need, said) in seen:
                continue  # the same phrase listed under several languages (romanised Hindi, Urdu, Punjabi) counts once
            seen.add((need, said))
            for _hop in range(2):  # isolation-seniors -> mental-health -> youth-mental-health at most
                target = next((code for code, when in self.takeovers.get(need, ()) if when in young), None)
                if target is None:
                    break
                reason = f"{reason}, moved to {target}: young person"
                need = target
            scores[need] = scores.get(need, 0.0) + weight
            as_written[need] = as_written.get(need, 0.0) + (weight if exact else 0.0)
            reasons.setdefault(need, []).append(reason)
        # Ties go to the need whose words were written as its phrases say, then to
        # the more specific need.
        def order(code: str) -> tuple[bool, float, float, tuple[int, int]]:
            return (code != "crisis", -scores[code], -as_written[code], self.tie_rank.get(code, (99, 99)))

        ranked = sorted((code for code, score in scores.items() if score >= THRESHOLD), key=order)
        if not ranked:
            weak = sorted((code for code, score in scores.items() if code != "crisis" and score >= GUESS), key=order)
            ranked = weak[:1]
        for code in ranked:
            log.debug("need %s scored %.1f: %s", code, scores[code], "; ".join(reasons[code]))
        ranked_scores = tuple(NeedScore(code, round(scores[code], 2), tuple(reasons[code])) for code in ranked)
        return ranked_scores, scores.get("crisis", 0.0), tuple(reasons.get("crisis", ()))

    def _services(self, needs: tuple[NeedScore, ...], municipality: str | None, language: str, age: int | None) -> tuple[ServiceHit, ...]:
        """Rank directory entries for the matched needs (none when there is no directory)."""
        if self.directory is None or not needs:
            return ()
        hits = self.directory.search(
            needs=tuple(n.code for n in needs), municipality=municipality, language=language, age=age, limit=10
        )
        return tuple(hits)


def _who_is_young(person: Person) -> frozenset[str]:
    """Return the takes_over conditions the message's person meets ("young", "under 25")."""
    met = set()
    if person.young:
        met |= {"young", "under 25"}
    # A stated age counts when it is likely the age of the one the message is about, not the
    # writer's beside someone else ("I'm 22 and my grandma is lonely").
    elif person.young_adult or (person.age is not None and person.age < 25 and person.for_whom in (None, "self", "child")):
        met.add("under 25")
    return frozenset(met)


# Tagalog verb prefixes put on English words, longest first.
_TAGALOG_PREFIXES = ("nakaka", "pinag", "naka", "pina", "nag", "mag", "ni", "na")
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
CACHE_DIR = settings.PROJECT_ROOT / "instance" / "matcher-cache"
# The modules whose code builds, or is pickled into, a compiled Matcher: a change
# to any of them must never meet a cache written by the old code.
ENGINE_MODULES = (
    "matcher", "phrase_index", "evidence", "spelling", "conversation", "compiled_cache", "intents", "clauses", "literals",
    "normalise", "places", "people", "language", "models", "settings",
)


def compile_matcher(intents_path: Path, cache_dir: Path | None = None, use_cache: bool = True) -> Matcher:
    """Load and compile the intents (directory not attached), through the on-disk cache when possible."""
    needs_path = settings.DATA_DIR / "needs.yaml"
    fsa_path = settings.DATA_DIR / "halton_fsa.csv"

    cache_dir = cache_dir or CACHE_DIR
    here = Path(__file__).parent
    # One cache file per intents folder: a test's folder never evicts the shipped one's.
    folder = hashlib.sha256(str(intents_path.resolve()).encode()).hexdigest()[:12]

    def build() -> Matcher:
        intents = load_intents(intents_path, needs_path)
        simplemma = None
        if use_cache:
            # simplemma's answers depend only on the phrase words: an edit that adds none,
            # or a change to other engine code, does not load simplemma again.
            words = {lang: phrase_vocabulary(intents, lang) for lang in SIMPLEMMA_LANGUAGES}
            key = fingerprint([here / "spelling.py"], f"{version('simplemma')}{words}".encode())
            simplemma = load_or_build(cache_dir, f"simplemma-{folder}", key, lambda: simplemma_answers(words))
        return Matcher(intents, load_fsa(fsa_path), None, load_need_codes(needs_path), simplemma)

    if not use_cache:
        return build()
    inputs = sorted(intents_path.glob("*.yaml")) + [needs_path, fsa_path] + [here / f"{m}.py" for m in ENGINE_MODULES]
    return load_or_build(cache_dir, folder, fingerprint(inputs), build)


def get_matcher(intents_dir: Path | str | None = None, directory: Path | str | None = None) -> Matcher:
    """Return the matcher for these paths, loading intents and directory once per process."""
    asked = (str(intents_dir or settings.INTENTS_DIR), str(directory or settings.SHIPPED_DIRECTORY))
    found = _MATCHERS.get(asked)  # the paths as given: no file-system look-up on every message
    if found is None:
        intents_path, directory_path = Path(asked[0]), Path(asked[1])
        key = (str(intents_path.resolve()), str(directory_path.resolve()))
        if key not in _MATCHERS:
            matcher = compile_matcher(intents_path)
            matcher.directory = open_shipped_directory(directory_path)
            _MATCHERS[key] = matcher
        found = _MATCHERS[asked] = _MATCHERS[key]
    return found


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
