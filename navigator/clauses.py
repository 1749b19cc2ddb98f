"""Split a message into clauses, so that a cue can speak for the clause it sits in.

A clause ends at sentence punctuation or a comma, and a new one starts at a
word that turns to another time or thought ("but", "now", "tonight", "and").
``clause_negative`` cues (intents/README.md) cancel their need's phrases in
their own clause only: in "I took pills years ago, tonight I have them ready"
the cue "years ago" speaks for the first clause and not for the second.
Boundaries are generous on purpose: a clause too short only lets a phrase
count, one too long could silence a cry for help.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .normalise import fold_accents, normalise

_PUNCTUATION_RE = re.compile(r"[.!?;:,\n\r…。！？；：，、،؛؟۔।॥]+")
# Words that start another clause, accents folded as normalise() leaves them.
_BREAK_WORDS = {
    "en": {"but", "and", "now", "tonight", "today", "again", "though", "however", "yet", "anymore", "since"},
    "fr": {"mais", "et", "maintenant", "soir", "aujourd", "encore", "pourtant", "depuis"},
    "es": {"pero", "y", "ahora", "hoy", "noche", "otra", "aunque", "desde"},
    "pt": {"mas", "e", "agora", "hoje", "noite", "novo", "embora", "desde"},
    "pl": {"ale", "i", "a", "teraz", "dzis", "dzisiaj", "znowu", "jednak", "od"},
    "tl": {"pero", "at", "ngayon", "kaso", "mamaya", "ulit", "kahit"},
    "hi": {"लेकिन", "पर", "मगर", "और", "अब", "आज", "फिर"},
    "ur": {"لیکن", "مگر", "اور", "اب", "آج", "پھر"},
    "pa": {"ਪਰ", "ਲੇਕਿਨ", "ਅਤੇ", "ਤੇ", "ਹੁਣ", "ਅੱਜ", "ਫਿਰ"},
    "ar": {"لكن", "بس", "الان", "اليوم", "وبعدين", "والان"},
}
# As normalise() leaves them (Urdu پھر is پہر there).
_BREAK_WORDS = {lang: {normalise(word, lang, fold=False) for word in words} for lang, words in _BREAK_WORDS.items()}
# Chinese and Korean write these inside words: the text is cut before them.
_CJK_BREAK_RE = re.compile(r"(?=但是|可是|不过|现在|今天|今晚|하지만|그런데|근데|지금|오늘)")


@dataclass(frozen=True)
class Clauses:
    """The clause number of each normalised word, and of each character once spaces are removed."""

    words: tuple[int, ...]
    chars: tuple[int, ...]

    def of(self, spot: tuple[str, int]) -> int:
        """Return the clause of a phrase position: ("t", word) or ("c", character)."""
        kind, k = spot
        ids = self.chars if kind == "c" else self.words
        return ids[k] if k < len(ids) else -1 - k


def split_clauses(text: str, lang: str, words: list[str]) -> Clauses:
    """Number the clauses of ``text``, whose normalised words (accents kept) are ``words``."""
    chunks = [piece for part in _PUNCTUATION_RE.split(text) for piece in _CJK_BREAK_RE.split(part)]
    chunk_of: list[int] = []
    for n, chunk in enumerate(chunks):
        chunk_of.extend([n] * len(normalise(chunk, lang, fold=False).split()))
    if len(chunk_of) != len(words):
        # The pieces do not line up with the words (a shorthand cut in two): every word is
        # its own clause, so a cue cancels no more than the words it covers.
        chunk_of = list(range(len(words)))
    breaks = _BREAK_WORDS.get(lang, set()) | _BREAK_WORDS["en"]
    clause, by_word, by_char = 0, [], []
    for i, word in enumerate(words):
        # A one-letter word keeps its accent: Portuguese "é" (is) is not "e" (and).
        if i and (chunk_of[i] != chunk_of[i - 1] or (word if len(word) == 1 else fold_accents(word)) in breaks):
            clause += 1
        by_word.append(clause)
        by_char.extend([clause] * len(fold_accents(word)))
    return Clauses(tuple(by_word), tuple(by_char))
