"""Detect which of the twelve languages a message is written in.

Script first (Arabic script is Arabic or Urdu, Gurmukhi Punjabi, Devanagari
Hindi, Hangul Korean, Han Chinese); Latin script goes to lingua restricted to
the six Latin-script languages we serve, with the intents' own words as the
tie-breaker.  Very short messages keep the conversation's language.

lingua in low-accuracy mode was chosen over py3langid on the development set's
142 Latin-script messages: 141 right against 140, 0.2 ms against 0.08 ms a
message, but 0.06 s and about 15 MB to load against 0.8 s and about 120 MB.
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .normalise import normalise

log = logging.getLogger(__name__)

LATIN_LANGUAGES = ("en", "fr", "es", "pt", "pl", "tl")
_SCRIPT_LANGUAGE = {"gurmukhi": "pa", "devanagari": "hi", "hangul": "ko", "han": "zh-Hans"}
# Letters Urdu writes and Arabic does not (and the Arabic-only ones), and the
# commonest function words of each: the letters alone are not enough because
# some Arabic dialects borrow گ چ پ and Urdu writers sometimes type on Arabic keyboards.
_URDU_LETTERS = set("ٹڈڑںےہھیک")
# Letters Arabic never writes: they stay when Urdu is typed on an Arabic keyboard (مجهے كهانا چاهيے).
_URDU_ONLY_LETTERS = set("ٹڈڑںےۓ")
_ARABIC_LETTERS = set("يكةىأإ")
_URDU_WORDS = {"ہے", "ہیں", "ہوں", "تھا", "تھی", "کے", "کی", "کا", "میں", "نہیں", "اور", "سے", "کو", "یہ", "وہ", "کیا", "کوئی", "مجھے", "میرا", "میری", "میرے", "ہم", "آپ", "بھی", "لیے", "لئے", "گیا", "گئی", "رہا", "رہی", "کر", "کرتا", "کرتی", "کہ", "جب", "تک", "پر", "ہو"}
_ARABIC_WORDS = {"في", "من", "على", "إلى", "الى", "أن", "ان", "هذا", "هذه", "لا", "ما", "هل", "عن", "مع", "كان", "انا", "أنا", "بدي", "شو", "ممكن", "كيف", "وين", "ليش", "عندي", "هو", "هي", "التي", "الذي", "لي", "كل", "بس", "عشان", "لما", "اللي", "مش", "ماذا", "أين", "اين"}
# The commonest short words of each Latin-script language (accents folded, as
# normalise() leaves them).  lingua's low-accuracy mode guesses wildly on short
# texts ("I am homeless" -> Portuguese); these words steady it.
_FUNCTION_WORDS = {
    "en": {"i", "m", "me", "my", "the", "and", "to", "is", "a", "an", "in", "for", "of", "you", "we", "it", "what", "how", "can", "need", "with", "have", "not", "dont", "do", "are", "be", "this", "that", "at", "on", "our", "he", "she", "they", "his", "her", "im", "am", "was", "will", "would", "there", "please"},
    "fr": {"je", "j", "le", "la", "les", "de", "des", "et", "est", "pas", "mon", "ma", "mes", "pour", "un", "une", "il", "elle", "on", "nous", "vous", "que", "qui", "dans", "avec", "ne", "suis", "ai", "pis", "du", "au", "aux", "ce", "cest", "sur", "mais", "tres"},
    "es": {"yo", "el", "la", "los", "las", "de", "que", "y", "en", "mi", "mis", "por", "para", "es", "un", "una", "con", "no", "estoy", "tengo", "me", "se", "lo", "del", "al", "muy", "pero", "como", "esta", "hay", "necesito"},
    "pt": {"eu", "o", "os", "as", "de", "que", "e", "em", "meu", "minha", "para", "com", "um", "uma", "nao", "estou", "tenho", "voce", "ele", "ela", "do", "da", "no", "na", "mas", "muito", "esta", "preciso"},
    "pl": {"i", "w", "nie", "sie", "na", "ze", "jest", "z", "do", "to", "mam", "jestem", "mnie", "mi", "moj", "moja", "jak", "czy", "co", "po", "ale", "o", "za", "juz", "bo", "tak"},
    "tl": {"ang", "ng", "sa", "na", "ko", "po", "ako", "mga", "hindi", "ay", "si", "ni", "kami", "siya", "niya", "ba", "pa", "lang", "naman", "yung", "may", "wala", "kasi", "nga", "ito", "ano"},
}
EVIDENCE_WEIGHT = 0.25
# Hindi, Urdu and Punjabi written in Latin letters ("mera ghar nahi hai"): words
# that are not also everyday words of a Latin-script language we serve (Tagalog
# "ko", "ka", "wala", "gaya" and French "par", "se" are left out on purpose).
_ROMANISED_WORDS = {
    "mera", "meri", "mere", "mujhe", "mujhko", "hai", "hain", "nahi", "nahin", "nhi", "kya", "koi", "kuch",
    "bahut", "bohot", "ghar", "chahiye", "chahie", "karna", "karo", "raha", "rahi", "rahe", "gayi", "hoga",
    "tha", "thi", "yeh", "woh", "aur", "lekin", "bhi", "abhi", "kaise", "kahan", "kyun", "kyunki", "sakta",
    "sakti", "sakte", "hamara", "hamare", "humara", "apna", "apni", "apne", "paise", "naukri", "madad", "mein",
    "aap", "hum", "bacha", "bachche", "bacche", "pareshan", "zaroorat", "jarurat", "kiraya", "khana", "gaya",
    "gaye", "wala", "wale", "wali", "liye", "baat", "karni", "neend", "marna", "jeena", "aakhri", "bojh",
    "khatam", "kood", "jaunga", "jaungi", "awaaz", "dawai", "zyada", "khud", "raat", "aaj", "mehngai", "rona",
    "thak", "diya", "diye", "kiya", "kiye", "liya", "karne", "karke", "khali", "wapas", "mujhse", "humein",
    "hume", "unko", "usko", "isko", "kab", "kaun", "kitna", "kitne", "jana", "jaana", "sirf", "accha", "acha",
    "theek", "thik", "pata", "kuchh", "logon", "kaam", "bimar", "ilaj", "pareshani", "takleef", "dard", "bhook",
    "rehna", "rehne", "jagah", "makaan", "makan", "kirayedar", "maalik", "kiraye", "bhai", "ji",
}
# The words Punjabi has and Hindi and Urdu do not.
_ROMANISED_PUNJABI = {"mainu", "tuhanu", "sanu", "kithe", "vich", "hega", "karda", "kardi", "hunda", "hundi",
                      "tusi", "tussi", "assi", "saada", "saadi", "tuhada", "kiven", "rehnda", "rehndi", "aunda",
                      "aundi", "naal", "gall", "ditta", "ditti", "kadd", "kol", "kita", "kiti", "kitiyan", "ch",
                      "bhen", "bhra", "agge", "thalle", "peenda", "peendi", "karaan", "karin", "chaddni", "layian",
                      "chukkeya", "laina", "chaunda", "chaundi", "saanu", "sannu", "chahida", "chahidi", "tuhade",
                      "ohna", "ehna", "kithon", "kadon", "kinna", "ohde", "ehde", "nu", "vi", "ton", "kive",
                      "kiddan", "lai", "milda", "mildi", "bachda", "bachdi", "rehnge", "veer", "bebe", "bapu",
                      "hale", "rondi", "ronda", "bolan", "sakeya", "walyan", "menu", "tainu", "ohnu", "ehnu",
                      "kehnda", "kehndi", "janda", "jandi", "karde", "hunde", "sakda", "sakdi", "chahide",
                      "gurdwara", "akal", "kinne", "vaje", "khulda", "khuldi"}
# Romanised Hindi and Urdu share most words; these lean one way.  Urdu writers spell the
# flapped r as "r" (khara, jhagra, larki, parhai) where Hindi writers write "d" (khada, jhagda,
# ladki, padhai), and Pakistani spelling ends words in "y" (hy, mujhy); each side also has
# words of its own register (shohar, khudkushi / pati, aatmahatya).
_ROMANISED_URDU = {
    "masjid", "namaz", "khuda", "shukriya", "shukria", "meherbani", "janab", "ammi", "abbu", "aapi", "baji",
    "khala", "phuppo", "urdu", "allah", "inshallah", "mashallah", "alhamdulillah", "shohar", "shauhar",
    "khudkushi", "khudkashi", "walida", "walid", "waldain", "mulazmat", "sehat", "mashwara", "nuqsan",
    "khara", "khari", "kharay", "jhagra", "jhagray", "kapre", "kapray", "larki", "larka", "larkay", "parhai",
    "parhna", "parhta", "parhti", "barha", "barhta", "barh", "chhor", "chhora", "chora", "thora", "thori",
    "bohat", "buhat", "hy", "mujhy", "tumhy", "pohnch", "pohncha", "pohnchaungi", "pohanch", "jazakallah",
    # Pakistani spelling of -e endings as -ay (bachay, chhotay; Hindi writers: bacche, chhote)
    "bachay", "chhotay", "chotay", "baray", "kamray", "hamaray", "tumharay", "meray", "teray", "unkay",
    "uskay", "iskay", "karay", "jaye", "wakeel", "masla", "masail", "imdad", "darkhwast", "taleem", "hukumat",
    "taqreeban", "begum",
}
_ROMANISED_HINDI = {
    "pati", "patni", "mahila", "sahayata", "kripya", "dhanyavad", "dhanyawad", "aatmahatya", "atmahatya",
    "bhagwan", "namaste", "mandir", "parivar", "turant", "pitaji", "mataji", "didi", "bhaiya", "swasthya",
    "khada", "khadi", "jhagda", "jhagde", "kapde", "ladki", "ladka", "ladke", "padhai", "padhna", "padhta",
    "padhti", "badha", "badhta", "chhod", "chhoda", "thoda", "thodi", "pahunch", "pahuncha",
    "vakil", "samasya", "samay", "shiksha", "sarkari", "upchar", "chinta",
}
_ROMANISED_WORDS |= _ROMANISED_PUNJABI | _ROMANISED_URDU | _ROMANISED_HINDI
SOUTH_ASIAN = ("hi", "ur", "pa")
# Arabic typed in Latin letters ("Arabizi"): digits stand for Arabic sounds (3 ع, 7 ح, 2 ء, 5 خ)
# inside words, beside a few very common words of the dialects.
_ARABIZI_DIGITS = re.compile(r"[a-z][2357]|[2357][a-z]")


def _arabizi(word: str) -> bool:
    """Tell an Arabizi word ("3ayez", "hala2") from codes such as postal codes (L7L 3K9) and "25th"."""
    if word in _ARABIZI_WORDS:
        return True
    return len(word) >= 4 and sum(c.isalpha() for c in word) >= 3 and bool(_ARABIZI_DIGITS.search(word))
_ARABIZI_WORDS = {"ana", "enta", "enti", "inta", "inti", "mesh", "msh", "mish", "3am", "wein", "fein", "shu", "shou",
                  "leh", "ya3ni", "kteer", "awi", "keda", "kida", "hala2", "delwa2ti", "3ayez", "3ayza", "bidi",
                  "baddi", "habibi", "yalla", "inshallah", "wallah", "ma3", "3ala", "ahlan"}
# Tagalog's particles and pronouns carry its grammar through English nouns ("need ko ng daycare,
# may subsidy ba?"): English has none of these words.  The weaker ones count beside them.
_TAGALOG_STRONG = {"po", "ng", "mga", "naman", "yung", "kasi", "nga", "ako", "hindi", "wala", "siya", "niya",
                   "kami", "namin", "natin", "ninyo", "kayo", "sila", "nila", "opo", "ho"}
_TAGALOG_WEAK = {"sa", "ko", "ba", "lang", "ang", "na", "pa", "may", "si", "ni", "ay"}

# The opening of a message shows its language; reading more only costs time.
DETECT_CHARS = 500
# A short message says too little about its language.
SHORT_WORDS = 2
SHORT_LETTERS = 12

Lexicon = Callable[[list[str]], dict[str, float]]


@dataclass(frozen=True)
class Detection:
    """The detected language and the rule that decided it."""

    language: str
    reason: str


def script_of(char: str) -> str | None:
    """Return the script of one character, or None for digits, punctuation and marks."""
    code = ord(char)
    if char.isascii():
        return "latin" if char.isalpha() else None
    if 0xC0 <= code < 0x250 or 0x1E00 <= code < 0x1F00:
        return "latin" if char.isalpha() else None
    if 0x600 <= code < 0x700 or 0x750 <= code < 0x780 or 0xFB50 <= code < 0xFE00 or 0xFE70 <= code < 0xFF00:
        return "arabic" if char.isalpha() else None
    if 0x900 <= code < 0x980:
        return "devanagari"
    if 0xA00 <= code < 0xA80:
        return "gurmukhi"
    if 0xAC00 <= code < 0xD7B0 or 0x1100 <= code < 0x1200 or 0x3130 <= code < 0x3190:
        return "hangul"
    if 0x4E00 <= code < 0xA000 or 0x3400 <= code < 0x4DC0 or 0xF900 <= code < 0xFB00:
        return "han"
    return None


_SCRIPT_RES = {
    "latin": re.compile(r"[a-zA-Z\u00c0-\u024f\u1e00-\u1eff]"),
    "arabic": re.compile(r"[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc]"),
    "devanagari": re.compile(r"[\u0900-\u097f]"),
    "gurmukhi": re.compile(r"[\u0a00-\u0a7f]"),
    "hangul": re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]"),
    "han": re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]"),
}


def script_counts(text: str) -> Counter[str]:
    """Count the letters of ``text`` by script."""
    counts: Counter[str] = Counter()
    for script, regex in _SCRIPT_RES.items():
        found = len(regex.findall(text))
        if found:
            counts[script] = found
    return counts


def dominant_script(text: str) -> str | None:
    """Return the main script, counting non-Latin letters thrice (English loanwords are common)."""
    counts = script_counts(text)
    if not counts:
        return None
    weighted = {s: n * (1 if s == "latin" else 3) for s, n in counts.items()}
    return max(weighted, key=lambda s: weighted[s])


def arabic_or_urdu(text: str) -> tuple[str | None, str]:
    """Decide between Arabic and Urdu from letters and function words; None if no evidence."""
    urdu = sum(1 for c in text if c in _URDU_LETTERS) + 2 * sum(1 for c in text if c in _URDU_ONLY_LETTERS)
    arabic = sum(1 for c in text if c in _ARABIC_LETTERS)
    words = [w.strip("،؟.!?,") for w in text.split()]
    urdu += 3 * sum(1 for w in words if w in _URDU_WORDS)
    arabic += 3 * sum(1 for w in words if w in _ARABIC_WORDS)
    arabic += sum(1 for w in words if w.startswith("ال") and len(w) > 3)
    why = f"arabic-script evidence ur={urdu} ar={arabic}"
    if urdu == arabic:
        return None, why
    return ("ur" if urdu > arabic else "ar"), why


@lru_cache(maxsize=1)
def _lingua() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    languages = {
        Language.ENGLISH: "en", Language.FRENCH: "fr", Language.SPANISH: "es",
        Language.PORTUGUESE: "pt", Language.POLISH: "pl", Language.TAGALOG: "tl",
    }
    detector = LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()
    return detector, languages


def warm_up() -> None:
    """Load the Latin-script detector now rather than on the first message."""
    _lingua()


def latin_scores(text: str) -> dict[str, float]:
    """Return lingua's confidence for each Latin-script language."""
    detector, languages = _lingua()
    return {languages[c.language]: c.value for c in detector.compute_language_confidence_values(text)}


def is_short(words: list[str]) -> bool:
    """Return whether a message is too short to show its language."""
    return len(words) <= SHORT_WORDS and sum(map(len, words)) <= SHORT_LETTERS


def romanised_south_asian(words: list[str], fallback: str) -> Detection | None:
    """Detect Hindi, Urdu or Punjabi written in Latin letters, when their own words dominate.

    Romanised Hindi and Urdu are written alike: the words that lean one way decide,
    then the conversation's language, then Hindi; Punjabi has words of its own.
    """
    found = [w for w in words if w in _ROMANISED_WORDS]
    latin = max(sum(1 for w in words if w in vocab) for vocab in _FUNCTION_WORDS.values())
    if len(set(found)) < 2 or len(found) <= latin:
        return None
    if any(w in _ROMANISED_PUNJABI for w in found):
        choice = "pa"
    else:
        urdu = sum(1 for w in words if w in _ROMANISED_URDU)
        hindi = sum(1 for w in words if w in _ROMANISED_HINDI)
        choice = "ur" if urdu > hindi else "hi" if hindi > urdu else fallback if fallback in ("hi", "ur") else "hi"
    return Detection(choice, f"latin script: romanised {choice} ({len(found)} words against {latin})")


def detect(text: str, fallback: str = "en", lexicon: Lexicon | None = None, words: list[str] | None = None) -> Detection:
    """Detect the language of ``text``; ``fallback`` is the conversation's language so far.

    ``words`` may pass ``normalise(text).split()`` when the caller has it already.
    """
    text = text[:DETECT_CHARS]
    script = dominant_script(text)
    if script is None:
        return Detection(fallback, "no letters: conversation language")
    if script in _SCRIPT_LANGUAGE:
        return Detection(_SCRIPT_LANGUAGE[script], f"{script} script")
    if script == "arabic":
        choice, why = arabic_or_urdu(text)
        if choice is None:
            choice = fallback if fallback in ("ar", "ur") else "ar"
        return Detection(choice, why)
    words = words if words is not None else normalise(text).split()
    known = lexicon(words) if lexicon else {}
    if is_short(text.split()):
        # English words are tried in every language, so only another language that
        # knows more of the words than any other (merci, hola, kkk ok) moves a short
        # message away from the conversation's language.
        ranked = sorted(((n, lang) for lang, n in known.items() if n > 0), reverse=True)
        top = ranked[0][0] if ranked else 0.0
        tied = [lang for n, lang in ranked if n == top]
        if ranked and known.get(fallback, 0) < top and "en" not in tied and set(tied) <= set(LATIN_LANGUAGES):
            if len(tied) == 1:
                return Detection(tied[0], "short message: words of one language")
            # Words several close languages share ("fui", "me"): the detector picks among them.
            scores = latin_scores(text)
            choice = max(tied, key=lambda lang: scores.get(lang, 0.0))
            return Detection(choice, "short message: words of close languages, detector chose")
        return Detection(fallback, "short message: conversation language")
    romanised = romanised_south_asian(words, fallback)
    if romanised:
        return romanised
    arabizi = sum(1 for w in words if _arabizi(w))
    if arabizi >= 2:
        return Detection("ar", f"latin script: Arabic in Latin letters ({arabizi} words)")
    # Function words and the intents' own words count beside the detector.
    evidence = {lang: EVIDENCE_WEIGHT * (known.get(lang, 0.0) + sum(1 for w in words if w in _FUNCTION_WORDS[lang]))
                for lang in LATIN_LANGUAGES}
    first, second = sorted(evidence.values(), reverse=True)[:2]
    if first - second > 1.0:
        # The detector's confidences add up to 1: they cannot overturn a lead this large.
        scores = evidence
    else:
        scores = latin_scores(text)
        for lang in scores:
            scores[lang] += evidence[lang]
    best = max(scores, key=lambda lang: scores[lang])
    if best == "en":
        strong = sum(1 for w in words if w in _TAGALOG_STRONG)
        if strong and strong + sum(1 for w in words if w in _TAGALOG_WEAK) >= 2:
            return Detection("tl", f"latin script: English words in Tagalog grammar ({strong} particles)")
    return Detection(best, f"latin script: detector {best} {scores[best]:.2f}")
