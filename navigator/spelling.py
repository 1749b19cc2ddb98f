"""The forms a word can take: stems, dictionary lemmas, and misspellings within reach.

Phrases and messages meet on these: a message word matches a phrase word when
they share a stem (``evicted``, ``evict``), a lemma (``obsèdent``, ``obsède``),
or when one is a typo or two away from the other (``homless``).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import cast

import snowballstemmer

from .normalise import fold_accents

_STEMMERS = {
    "en": "english", "fr": "french", "es": "spanish", "pt": "portuguese", "pl": "polish",
    "ar": "arabic", "hi": "hindi",
}


def make_stemmer(lang: str) -> Callable[[str], str]:
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
    for form, lemma in forms.items():
        if lemma in wanted:
            table.setdefault(fold_accents(form), fold_accents(lemma))
    return table


def max_typos(length: int) -> int:
    """Allow one typo from five letters, two from eight."""
    return 0 if length < 5 else 1 if length < 8 else 2


def deletes(word: str, depth: int) -> set[str]:
    """Return ``word`` and every string made from it by deleting up to ``depth`` letters."""
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        out |= frontier
    return out
