"""The forms a word can take: stems, dictionary lemmas, and misspellings within reach.

Phrases and messages meet on these: a message word matches a phrase word when
they share a stem (``evicted``, ``evict``), a lemma (``obsèdent``, ``obsède``),
or when one is a typo or two away from the other (``homless``).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import cast

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

from .normalise import fold_accents

_STEMMERS = {
    "en": "english", "fr": "french", "es": "spanish", "pt": "portuguese", "pl": "polish",
    "ar": "arabic", "hi": "hindi",
}


# Urdu and Punjabi inflect by endings that snowball has no stemmer for: plural,
# oblique and gender (اکیلا اکیلی اکیلے, ਸ਼ਰਾਬ ਸ਼ਰਾਬੀ).  One ending is cut, longest first, from
# words long enough: shorter ones are mostly little words whose cut form is another
# word (کیسے "how", کیس "case").  Gurmukhi writes vowels as signs of their own, so its
# words count more characters.
_ENDINGS = {
    "ur": ("یوں", "ئیں", "یاں", "وں", "یں", "ے", "ی", "ا", "ہ"),
    "pa": ("ੀਆਂ", "ਿਆਂ", "ੀਆ", "ਿਆ", "ਾਂ", "ੇਂ", "ੋਂ", "ਾ", "ੀ", "ੇ"),
}

_SHORTEST = {"ur": 5, "pa": 4}


def _cut_ending(endings: tuple[str, ...], shortest: int) -> Callable[[str], str]:
    def stem(word: str) -> str:
        for ending in endings:
            if len(word) >= shortest and word.endswith(ending) and len(word) - len(ending) >= 2:
                return word[: -len(ending)]
        return word

    return stem


def make_stemmer(lang: str, known: Mapping[str, str] | None = None) -> Callable[[str], str]:
    """Return the word-stem function for ``lang``: snowball, simplemma for Tagalog, else identity.

    ``known`` holds stems already computed (``simplemma_answers``): they are not asked again.
    """
    if known:
        ask = make_stemmer(lang)
        return lambda word: known.get(word) or ask(word)
    if lang in _STEMMERS:
        # snowballstemmer hands out PyStemmer's C stemmers when installed: 10x faster.
        stem = cast(Callable[[str], str], snowballstemmer.stemmer(_STEMMERS[lang]).stemWord)
    elif lang in _ENDINGS:
        stem = _cut_ending(_ENDINGS[lang], _SHORTEST[lang])
    elif lang == "tl":

        def stem(word: str) -> str:
            # Imported at the first Tagalog word, not at start-up: simplemma takes
            # 0.3 s to import and most processes never meet Tagalog.
            import simplemma

            # A "word" of combining marks alone is empty once its accents are folded; simplemma refuses "".
            return str(simplemma.lemmatize(word, lang="tl")) if word else word
    else:
        return str
    return lru_cache(maxsize=50000)(stem)


# Where simplemma is used: French words gain their dictionary lemma, Tagalog words
# are stemmed by it.  Loading it takes most of a cold start, so its answers for the
# intents' words are computed once (``simplemma_answers``) and cached apart.
SIMPLEMMA_LANGUAGES = ("fr", "tl")


def simplemma_answers(words: Mapping[str, Iterable[str]]) -> dict[str, dict[str, str]]:
    """Return what simplemma says of the phrase words of each language: French lemma table, Tagalog stems."""
    answers = {"fr": lemma_table("fr", words.get("fr", ())), "tl": {}}
    stem = make_stemmer("tl")
    for word in words.get("tl", ()):
        answers["tl"][word] = stem(word)
        answers["tl"][fold_accents(word)] = stem(fold_accents(word))
    return answers


def lemma_table(lang: str, words: Iterable[str]) -> dict[str, str]:
    """Map every form simplemma knows of the lemmas of ``words`` to that lemma, accents folded.

    Built once when the intents compile, so matching never loads simplemma's
    dictionary (a second to load for French; Polish, Spanish and Portuguese take
    10 to 30 times longer and hundreds of MB, so they rely on the stemmer alone).
    """
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    forms = DefaultDictionaryFactory().get_dictionary(lang)
    wanted = {forms.get(word, word) for word in words}
    table = {fold_accents(lemma): fold_accents(lemma) for lemma in wanted}
    raw = getattr(forms, "_dict", None)
    if isinstance(raw, dict):
        # simplemma keeps its forms as bytes and decodes each one read: comparing the
        # bytes reads the quarter-million French forms three times faster.
        encoded = {lemma.encode() for lemma in wanted}
        pairs: Iterable[tuple[str, str]] = ((f.decode(), lemma.decode()) for f, lemma in raw.items() if lemma in encoded)
    else:
        pairs = ((f, lemma) for f, lemma in forms.items() if lemma in wanted)
    for form, lemma in pairs:
        table.setdefault(fold_accents(form), fold_accents(lemma))
    return table


def max_typos(length: int) -> int:
    """Allow one typo from five letters, two from eight."""
    return 0 if length < 5 else 1 if length < 8 else 2


def by_initial(words: Iterable[str]) -> dict[str, list[str]]:
    """Group words by their first letter, each group sorted: where ``near`` looks."""
    groups: dict[str, list[str]] = {}
    for word in sorted(set(words)):
        groups.setdefault(word[0], []).append(word)
    return groups


def near(word: str, groups: dict[str, list[str]]) -> list[str]:
    """Return the words of ``groups`` a typo or two from ``word``, nearest first.

    Typos seldom hit the first letter, and words that differ there are often
    different words (nanay, sanay), so only words with the same first letter are
    compared.  Both words must be long enough to forgive the distance between
    them; OSA counts a swap of two neighbouring letters as one typo (anxeity).
    """
    limit = max_typos(len(word))
    found = process.extract(word, groups.get(word[0], ()), scorer=OSA.distance, score_cutoff=limit, limit=None)
    return [candidate for candidate, distance, _ in found if distance <= max_typos(len(candidate))]
