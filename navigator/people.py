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
    young_adult: bool = False  # a student or a young adult: under 25, maybe over 18
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
            for name in ("young", "young_adult") + FOR_WHOM:
                regex = _alternation(entry.get(name, []), lang)
                if regex:
                    cues.append((name, regex))
            self.cues[lang] = cues

    def find(self, text: str, lang: str) -> Person:
        """Return the age, for-whom and youth cues found in normalised ``text``."""
        langs = [lang] if lang == "en" else [lang, "en"]
        ages = self._ages(text, langs)
        why = [f"age {age} ({said!r})" for age, _whom, said in ages[:1]]
        first: dict[str, int] = {}
        young_word = None
        for code in langs:
            for name, regex in self.cues.get(code, []):
                found = regex.search(text)
                if found:
                    first[name] = min(first.get(name, len(text)), found.start())
                    if name == "young" and young_word is None:
                        young_word = found.group(0)
        whom = None
        others = first.keys() - {"young", "young_adult", "self"}
        age_whom = next((w for _a, w, _s in ages if w), None)
        # A worker asking for a client speaks for the client wherever the word falls;
        # "self" counts only when no one else is named ("I am worried about my son").
        if "client" in others:
            whom = "client"
        elif others:
            whom = min(others, key=lambda n: first[n])
        elif age_whom:
            whom = age_whom
        elif "self" in first or ages:
            whom = "self"
        young = any(age < YOUNG_BELOW for age, _w, _s in ages)
        if young:
            why.append("young (under 18)")
        elif young_word is not None and whom not in ("parent", "partner"):
            # A youth word beside a parent or a partner is about something else ("she taught high school").
            # An adult age said of the person the message is about outweighs a youth word
            # ("my son is 20, the kid never leaves his room"); a parent's own age does not
            # ("I'm 45 and my teen is anxious").
            adult = [a for a, w, _s in ages if w is None or w == whom]
            if adult:
                why.append(f"adult ({adult[0]}) despite {young_word!r}")
            else:
                young = True
                why.append(f"young ({young_word!r})")
        # Not when the message is about a parent, a partner or a client: the student is then the writer.
        young_adult = "young_adult" in first and whom not in ("parent", "partner", "client")
        if young_adult and not young:
            why.append("young adult")
        if whom:
            why.append(f"for {whom}")
        age = ages[0][0] if ages else None
        return Person(age, whom, young, young_adult, tuple(why))

    def _ages(self, text: str, langs: list[str]) -> list[tuple[int, str | None, str]]:
        """Every age said in ``text``: (years, whom the pattern names, the words), earliest first."""
        found: dict[int, tuple[int, str | None, str]] = {}
        for code in langs:
            for regex, whom in self.ages.get(code, []):
                for match in regex.finditer(text):
                    digits = match.group(1)
                    if digits and digits.isdigit() and 0 < int(digits) < 120 and match.start(1) not in found:
                        found[match.start(1)] = (int(digits), whom, match.group(0))
        return [found[start] for start in sorted(found)]
