"""Normalisation: one table of (message, language, expected words)."""
from __future__ import annotations

import pytest

from navigator.normalise import (
    collapse_doubles,
    fold_accents,
    fold_pattern,
    normalise,
    squash,
)

CASES = [
    # case folding, punctuation, NFKC (full-width letters)
    ("HELP!!! Now.", "en", "help now"),
    ("ＳＴＯＰ", "en", "stop"),
    # accents folded in Latin script, including Polish ł
    ("Éviction à Montréal", "fr", "eviction a montreal"),
    ("Pomóż, zgwałcił", "pl", "pomoz zgwalcil"),
    ("Straße", "en", "strasse"),
    ("ma sœur", "fr", "ma soeur"),
    # SMS shorthand, English only where the word is ambiguous elsewhere
    ("pls help me w/ rent tmrw", "en", "please help me with rent tomorrow"),
    ("can u help, idk what to do bc im scared", "en", "can you help i dont know what to do because i m scared"),
    ("u lekarza", "pl", "u lekarza"),
    ("y yo q hago", "es", "y yo que hago"),
    ("stp aidez moi", "fr", "s il te plait aidez moi"),
    ("vc pode me ajudar", "pt", "voce pode me ajudar"),
    # ages written the SMS way
    ("my 15yo son", "en", "my 15 year old son"),
    ("she's 9 y/o", "en", "shes 9 year old"),
    # French elision splits, English apostrophes join
    ("l'obsèdent, j'ai peur", "fr", "l obsedent j ai peur"),
    ("don't, can't", "en", "don t can t"),
    # English 's before a verb in -ing is "is"; a possessive, or he's/she's, stays one word
    ("my husband’s hitting me, dad's gonna", "en", "my husband is hitting me dad is going to"),
    ("my son's school, he's hitting", "en", "my sons school hes hitting"),
    ("l'homme's going", "fr", "l hommes going"),
    # repeated letters squeezed to two
    ("pleeeease hellllp", "en", "pleease hellp"),
    # emoji: words for the few that carry one, nothing for the rest
    ("🔪 at the door 😭", "en", "knife at the door"),
    ("need 🍞", "en", "need food"),
    # hyphens separate
    ("2-bedroom nag-retire", "tl", "2 bedroom nag retire"),
    # digits of other scripts become ASCII
    ("عمره ٨ سنين", "ar", "عمره 8 سنين"),
    ("१४ साल", "hi", "14 साल"),
    # Arabic: harakat and tatweel gone, alef forms unified; Urdu letters kept, but ھ and ہ are one
    ("أَهْلـــاً إلى", "ar", "اهلا الي"),
    ("میں ٹھیک ہوں", "ur", "میں ٹہیک ہوں"),
    # Devanagari and Gurmukhi keep their vowel signs
    ("मेरी बेटी", "hi", "मेरी बेटी"),
    ("ਮਿਲਟਨ ਵਿੱਚ", "pa", "ਮਿਲਟਨ ਵਿਚ"),
    # ...but the marks everyday typing drops or swaps are folded: nukta, addak, chandrabindu
    ("ख़ुदकुशी हाँ", "hi", "खुदकुशी हां"),
    ("ਮੱਦਦ ਖ਼ੁਦਕੁਸ਼ੀ", "pa", "ਮਦਦ ਖੁਦਕੁਸੀ"),
    # Urdu typed on an Arabic keyboard: Arabic kaf, yeh and heh read as Urdu's, in Urdu only
    ("مجهے كهانا چاهيے", "ur", "مجہے کہانا چاہیے"),
    ("مجھے کھانا چاہیے", "ur", "مجہے کہانا چاہیے"),
    ("كيف", "ar", "كيف"),
    # Chinese or Korean against Latin letters split there
    ("我需要food帮助", "zh-Hans", "我需要 food 帮助"),
    # Traditional characters read as Simplified, the form the intents are written in
    ("我被房東趕出去了，想自殺", "zh-Hans", "我被房东赶出去了 想自杀"),
    ("밀턴에 살아요", "ko", "밀턴에 살아요"),
    # an answering emoji is a word alone, nothing beside words (it would add English to them)
    ("👍", "pt", "yes"),
    ("valeu!! 👍", "pt", "valeu"),
    ("🔪 at the door", "en", "knife at the door"),
    # control characters and zero-width characters are not words
    ("help\x00\x07me\u200b", "en", "help me"),
    ("", "en", ""),
]


@pytest.mark.parametrize(("text", "lang", "expected"), CASES)
def test_normalise(text: str, lang: str, expected: str) -> None:
    assert expected == normalise(text, lang)


def test_unfolded_words_line_up_with_folded_ones() -> None:
    text = "Mąż zmarł, nie stać mnie na spłatę domu 15yo pls"
    folded = normalise(text, "pl").split()
    kept = normalise(text, "pl", fold=False).split()
    assert [fold_accents(w) for w in kept] == folded
    assert "mąż" in kept


def test_patterns_are_folded_like_messages_but_keep_their_syntax() -> None:
    assert r"prestamo\b(?! خ| ا)[A-Z]\S+" == fold_pattern(r"préstamo\b(?! خ| أ)[A-Z]\S+")
    assert "खुदकुशी" == fold_pattern("ख़ुदकुशी")


def test_helpers() -> None:
    assert "helo" == collapse_doubles("helloo")
    assert "我需要帮助" == squash("我需要 帮助")
    assert "zolw" == fold_accents("żółw")
