"""The words of the conversation itself: yes/no, numbers, STOP, language names, off-topic.

From intents/conversation.yaml: ``whole_message`` words count only when they are
the whole message ("stop" alone, not "stop drinking"), ``anywhere`` phrases
wherever they appear.  Beside a need only stop, start, safe and person count.
"""
from __future__ import annotations

import re

from .intents import IntentSet
from .normalise import normalise
from .phrase_index import CJK

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
                regex = re.compile(body if lang in CJK else rf"(?<!\w)(?:{body})(?!\w)")
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

    def whole_message_language(self, plain: str) -> str | None:
        """Return the one language whose conversation words are this whole message ("valeu gente", "ok ji thank you").

        Not English: English words are used in every language ("thanks" in a French conversation
        stays French).
        """
        langs = [lang for lang, table in self.whole.items() if plain in table]
        return langs[0] if len(langs) == 1 and langs[0] != "en" else None

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
