"""Normalise a message so that phrases and messages compare equal.

NFKC, case folding, Traditional Chinese as Simplified, accent folding for Latin letters, Arabic-script letter
variants unified, digits of every script made ASCII, SMS shorthand spelt out,
emoji read as words, letters repeated three times or more squeezed to two, and
punctuation turned into spaces.  Phrases in the intents files go through the
same function, so a phrase never needs accent-less or shorthand variants.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

# Shorthand that means the same in every language we serve.
_SMS_ALL = {
    "pls": "please", "plz": "please", "plse": "please", "idk": "i dont know",
    "tmrw": "tomorrow", "tmr": "tomorrow", "tmrrw": "tomorrow", "2day": "today",
    "2nite": "tonight", "thx": "thanks", "thnx": "thanks", "thnks": "thanks",
    "bc": "because", "cuz": "because", "coz": "because", "bcoz": "because",
    "ppl": "people", "asap": "as soon as possible", "msg": "message", "appt": "appointment",
    "govt": "government", "yrs": "years", "yr": "year", "mths": "months", "hrs": "hours",
}
# Shorthand that is a real word elsewhere ("u" is Polish, "y" Spanish, "yo" Spanish).
_SMS_BY_LANG: dict[str, dict[str, str]] = {
    "en": {
        "u": "you", "ur": "your", "r": "are", "ty": "thank you",
        "im": "i m", "dont": "don t", "cant": "can t", "wont": "won t", "didnt": "didn t",
        "doesnt": "doesn t", "isnt": "isn t", "ive": "i ve", "wanna": "want to",
        "gonna": "going to", "gotta": "got to", "abt": "about", "b4": "before",
        "rn": "right now", "bf": "boyfriend", "gf": "girlfriend", "nvm": "never mind",
        "w": "with", "wo": "without", "dr": "doctor", "sis": "sister", "bro": "brother",
        "okay": "ok", "k": "ok", "thanx": "thanks",
    },
    "fr": {
        "stp": "s il te plait", "svp": "s il vous plait", "pk": "pourquoi", "pq": "pourquoi",
        "jsp": "je sais pas", "slt": "salut", "bjr": "bonjour", "mrc": "merci", "mci": "merci",
        "tjrs": "toujours", "pcq": "parce que", "qqn": "quelqu un", "qqch": "quelque chose",
        "dsl": "desole", "bcp": "beaucoup", "jpp": "je peux plus", "ajd": "aujourd hui",
    },
    "es": {"q": "que", "xq": "porque", "pq": "porque", "tb": "tambien", "tmb": "tambien",
           "x": "por", "k": "que", "d": "de", "xfa": "por favor", "porfa": "por favor"},
    "pt": {"vc": "voce", "vcs": "voces", "tb": "tambem", "tbm": "tambem", "pq": "porque",
           "q": "que", "hj": "hoje", "td": "tudo", "obg": "obrigado", "blz": "beleza",
           "msm": "mesmo", "mt": "muito", "mto": "muito", "cmg": "comigo", "p": "para"},
    "pl": {"nwm": "nie wiem", "dzk": "dziekuje", "dzieki": "dziekuje", "pzdr": "pozdrawiam"},
    "tl": {"lng": "lang", "d2": "dito", "kc": "kasi", "aq": "ako", "nmn": "naman",
           "pls": "please", "sna": "sana", "mgkno": "magkano"},
}
# Emoji that carry a word; every other emoji is punctuation.  Feelings are left
# out on purpose: laughter or a crying face decides nothing about crisis.
_EMOJI = {
    "🔪": " knife ", "🔫": " gun ", "💊": " pills ", "🍞": " food ", "🥫": " food ",
    "🍎": " food ", "🍽": " food ", "🏠": " home ", "🏡": " home ", "🚌": " bus ",
    "🚗": " car ", "💵": " money ",
    "💰": " money ", "🏥": " hospital ", "🩺": " doctor ", "👶": " baby ", "🍼": " baby ",
}
_EMOJI_RE = re.compile("|".join(map(re.escape, _EMOJI)))
# Emoji that answer: words only when the message is nothing else ("👍" is yes), since beside
# words they would add English to a message in another language ("valeu 👍", "merci 🙏").
_REPLY_EMOJI = {"👍": "yes", "👎": "no", "🙏": "please"}
_REPLY_EMOJI_RE = re.compile("|".join(map(re.escape, _REPLY_EMOJI)))


def _emoji_words(text: str) -> str:
    """Read the emoji that carry a word as that word; answering emoji only when alone."""
    text = _EMOJI_RE.sub(lambda m: _EMOJI[m.group(0)], text)
    if _REPLY_EMOJI_RE.search(text):
        alone = not any(c.isalpha() for c in _REPLY_EMOJI_RE.sub("", text))
        text = _REPLY_EMOJI_RE.sub(lambda m: f" {_REPLY_EMOJI[m.group(0)]} " if alone else " ", text)
    return text


# French-style elision (l'homme, j'ai, qu'il) splits; other apostrophes join (dont).
_ELISION_RE = re.compile(r"\b(l|d|j|n|s|c|m|t|qu|jusqu|lorsqu|puisqu)['’‘`]")
_APOSTROPHE_RE = re.compile(r"['’‘`]")
# English "'s" before a verb in -ing is "is" ("my husband's hitting me"), not a possessive; he's,
# she's, it's... keep their one-word forms (hes, shes), which phrases and patterns are written with.
_IS_BEFORE_VERB_RE = re.compile(
    r"\b(?!(?:he|she|it|that|there|what|who|where|here|let)['’‘`])(\w+)['’‘`]s\s+(?=\w+ing\b|gonna\b)")
# "15yo", "15 y/o", "15yr old" become "15 year old" before punctuation goes.
_YEARS_OLD_RE = re.compile(r"(\d+)\s*(?:yo|y/o|y\.o\.?|yrs? old|years? old)\b")
_SLASH_WORDS_RE = re.compile(r"\b(?:w/o|b/c|w/)")
_SLASH_WORDS = {"w/o": " without ", "b/c": " because ", "w/": " with "}
_REPEAT_RE = re.compile(r"([^\W\d_])\1{2,}")
_SPACES_RE = re.compile(r"\s+")
# Chinese or Korean written against Latin letters or digits ("我需要food") splits there.
_CJK_EDGE_RE = re.compile(
    r"(?<=[\u3130-\u318f\u3400-\u9fff\uac00-\ud7af])(?=[a-z0-9])|(?<=[a-z0-9])(?=[\u3130-\u318f\u3400-\u9fff\uac00-\ud7af])"
)

# Arabic letters written several ways in everyday typing: one form each.  Urdu's
# own letters (ی ک ہ) stay distinct: the Arabic stemmer and the ar/ur choice need them.
_ARABIC_FOLD = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ـ": ""}
# Urdu typed on an Arabic keyboard uses Arabic's kaf, yeh and heh (مجهے كهانا for مجھے کھانا):
# in Urdu text they are read as Urdu's, and do-chashmi he (ھ) as the he an Arabic keyboard gives.
_URDU_FOLD = str.maketrans({"ك": "ک", "ي": "ی", "ه": "ہ", "ھ": "ہ"})


def _build_accents() -> dict[int, str]:
    """Map each accented Latin letter to its plain letters."""
    table: dict[int, str] = {}
    for code in list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
        if base != char:
            table[code] = base
    table.update({ord("ł"): "l", ord("ø"): "o", ord("đ"): "d", ord("ß"): "ss", ord("æ"): "ae", ord("œ"): "oe"})
    for code in range(0x300, 0x370):  # combining accents left after NFKC
        table[code] = ""
    return table


def _build_table() -> dict[int, str]:
    """Precompute the per-character mapping once: digits, Arabic forms, invisible characters."""
    table: dict[int, str] = {}
    for code in list(range(0x64B, 0x660)) + [0x670]:  # Arabic harakat and superscript alef
        table[code] = ""
    for start in (0x660, 0x6F0, 0x966, 0xA66):  # Arabic, Persian, Devanagari, Gurmukhi digits
        for i in range(10):
            table[start + i] = str(i)
    for src, dst in _ARABIC_FOLD.items():
        table[ord(src)] = dst
    # Devanagari and Gurmukhi marks that everyday typing often leaves out or swaps:
    # nukta (ज़/ज, ਸ਼/ਸ), Gurmukhi addak (ਮੱਦਦ/ਮਦਦ), chandrabindu for anusvara, tippi for bindi.
    table.update({0x093C: "", 0x0A3C: "", 0x0A71: "", 0x0901: "\u0902", 0x0A70: "\u0A02"})
    # Invisible format characters (ZWJ, ZWNJ, variation selectors) only split words.
    for code in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0xFE0E, 0xFE0F):
        table[code] = ""
    return table


_ACCENTS = _build_accents()
_TABLE = _build_table()
_TABLE_FOLDED = {**_TABLE, **_ACCENTS}


class _Separators(dict[int, str]):
    """A str.translate table that keeps letters, marks and digits and makes anything else a space.

    Filled as characters are met, so any script costs one look-up per character.
    """

    def __missing__(self, code: int) -> str:
        char = chr(code)
        kept = char if unicodedata.category(char)[0] in "LMN" else " "
        if len(self) < 100_000:
            self[code] = kept
        return kept


_SEPARATORS = _Separators()


def _separate(text: str) -> str:
    """Replace every character that is not a letter, mark or digit with a space."""
    return text.translate(_SEPARATORS)


def fold_pattern(source: str, lang: str | None = None) -> str:
    """Fold a regular expression's letters as ``lang``'s messages are folded (é, أ, ज़), leaving its syntax alone."""
    folded = unicodedata.normalize("NFKC", source).translate(_TABLE_FOLDED)
    return folded.translate(_URDU_FOLD) if lang == "ur" else folded


def fold_accents(word: str) -> str:
    """Return ``word`` with Latin accents removed ("pomóż" -> "pomoz")."""
    return word.translate(_ACCENTS)


# Chinese written in Traditional characters (Hong Kong, Taiwan) is read as Simplified, the
# form the intents are written in: 我覺得活著沒有意思 is 我觉得活着没有意思.
_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@lru_cache(maxsize=1)
def _to_simplified() -> Callable[[str], str]:
    import opencc  # loaded on the first Chinese message only

    return opencc.OpenCC("t2s").convert  # type: ignore[no-any-return]


def simplified(text: str) -> str:
    """Return ``text`` with Traditional Chinese characters turned Simplified (the rest untouched)."""
    return _to_simplified()(text) if _HAN_RE.search(text) else text


def normalise(text: str, lang: str | None = None, fold: bool = True) -> str:
    """Return ``text`` normalised for matching: words separated by single spaces.

    ``fold=False`` keeps Latin accents (for stemmers that need them) and changes
    nothing else, so the words line up one for one with the folded ones.
    """
    text = _emoji_words(simplified(unicodedata.normalize("NFKC", text).casefold()))
    text = text.translate(_TABLE_FOLDED if fold else _TABLE)
    if lang == "ur":
        text = text.translate(_URDU_FOLD)
    text = _YEARS_OLD_RE.sub(r"\1 year old", text)
    text = _SLASH_WORDS_RE.sub(lambda m: _SLASH_WORDS[m.group(0)], text)
    text = _ELISION_RE.sub(r"\1 ", text)
    if lang == "en":
        text = _IS_BEFORE_VERB_RE.sub(r"\1 is ", text)
    text = _APOSTROPHE_RE.sub("", text)
    text = _REPEAT_RE.sub(r"\1\1", text)
    text = _CJK_EDGE_RE.sub(" ", text)
    words = _separate(text).split()
    return " ".join(expand_shorthand(words, lang))


def expand_shorthand(words: list[str], lang: str | None) -> list[str]:
    """Spell out SMS shorthand in ``words`` for ``lang`` (English when unknown)."""
    local = _SMS_BY_LANG.get(lang or "en", {})
    out: list[str] = []
    for word in words:
        plain = fold_accents(word)
        out.extend((local.get(plain) or _SMS_ALL.get(plain) or word).split())
    return out


def tokens(text: str, lang: str | None = None) -> list[str]:
    """Return the normalised words of ``text``."""
    return normalise(text, lang).split()


def squash(text: str) -> str:
    """Return normalised text without spaces, for scripts written without them."""
    return _SPACES_RE.sub("", text)


def collapse_doubles(word: str) -> str:
    """Return ``word`` with every doubled letter written once ("helloo" -> "helo")."""
    return re.sub(r"(.)\1+", r"\1", word)
