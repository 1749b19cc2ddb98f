"""Find who a message is about: an age, whom the help is for, and whether they are young.

Words and age patterns come from intents/people.yaml, per language; English
cues are tried on every message, as for needs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .intents import FOR_WHOM
from .normalise import normalise

YOUNG_BELOW = 18


@dataclass(frozen=True)
class Person:
    age: int | None = None
    for_whom: str | None = None
    young: bool = False
    why: tuple[str, ...] = ()


def _alternation(words: list[str], lang: str) -> re.Pattern[str] | None:
    """Compile words into one regex: whole words, or anywhere for scripts without spaces."""
    forms = sorted({normalise(w, lang) for w in words if normalise(w, lang)}, key=len, reverse=True)
    if not forms:
        return None
    body = "|".join(map(re.escape, forms))
    if lang in ("zh-Hans", "ko"):
        return re.compile(f"(?:{body})")
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


class PeopleFinder:
    """Recognise ages and for-whom cues in normalised messages."""

    def __init__(self, people: dict[str, dict[str, list[Any]]]) -> None:
        self.ages: dict[str, list[tuple[re.Pattern[str], str | None]]] = {}
        self.cues: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
        for lang, entry in people.items():
            self.ages[lang] = list(entry.get("age", []))
            cues = []
            for name in ("young",) + FOR_WHOM:
                regex = _alternation(entry.get(name, []), lang)
                if regex:
                    cues.append((name, regex))
            self.cues[lang] = cues

    def find(self, text: str, lang: str) -> Person:
        """Return the age, for-whom and youth cues found in normalised ``text``."""
        langs = [lang] if lang == "en" else [lang, "en"]
        age = None
        age_whom = None
        why: list[str] = []
        for code in langs:
            for regex, whom_of_age in self.ages.get(code, []):
                found = regex.search(text)
                if found and found.group(1).isdigit() and 0 < int(found.group(1)) < 120:
                    age, age_whom = int(found.group(1)), whom_of_age
                    why.append(f"age {age} ({found.group(0)!r})")
                    break
            if age is not None:
                break
        young = age is not None and age < YOUNG_BELOW
        first: dict[str, int] = {}
        for code in langs:
            for name, regex in self.cues.get(code, []):
                found = regex.search(text)
                if found:
                    first[name] = min(first.get(name, len(text)), found.start())
                    if name == "young":
                        young = True
                        why.append(f"young ({found.group(0)!r})")
        whom = None
        others = first.keys() - {"young", "self"}
        # A worker asking for a client speaks for the client wherever the word falls;
        # "self" counts only when no one else is named ("I am worried about my son").
        if "client" in others:
            whom = "client"
        elif others:
            whom = min(others, key=lambda n: first[n])
        elif age_whom:
            whom = age_whom
        elif "self" in first or age is not None:
            whom = "self"
        if whom:
            why.append(f"for {whom}")
        return Person(age, whom, young, tuple(why))

