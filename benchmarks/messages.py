"""Residents' messages for the load benchmarks: as varied as real traffic, never one list replayed.

Half the messages are the short replies every conversation is made of after
its first message (a result number, MORE, a town, hi, help); they repeat
across residents in real traffic too.  The other half describe a need in
one of the twelve languages, put together from parts (who writes, for whom,
where, how old) so that nearly every one is a message the app has not seen:
nothing the app keeps in memory can answer them without doing the work.
"""
from __future__ import annotations

import random

SHORT_REPLIES = (
    "1", "2", "3", "more", "MORE", "Oakville", "Burlington", "Milton", "Halton Hills", "hi", "help",
    "yes", "ok thanks", "talk to a person", "FR", "español",
)
_ENGLISH_NEEDS = (
    "need food", "can't pay my rent", "need a job", "need a family doctor", "am so lonely",
    "need a lawyer for my landlord", "drink too much", "need daycare", "got an eviction notice",
    "need a ride to my appointments", "feel anxious all the time", "need help with my disability benefits",
)
_OPENERS = ("", "hi ", "hello, ", "please help, ", "i ", "we ", "hey so i ")
_PLACES = ("", " in Milton", " in Oakville", " in Burlington", " in Halton Hills", " near Georgetown", " in acton")
_FOR_WHOM = ("", " for my mom", " for me and my 2 kids", " for my client", " for my dad who lives alone")
# Needs in the other languages: (message, language, the word for "in" before a town).
_OTHER_LANGUAGES = (
    ("je n'ai plus rien à manger", "fr", " à"), ("necesito comida", "es", " en"), ("أحتاج طعام لعائلتي", "ar", " في"),
    ("我需要食物", "zh-Hans", " 在"), ("ਮੈਨੂੰ ਖਾਣਾ ਚਾਹੀਦਾ ਹੈ", "pa", ""), ("potrzebuję jedzenia", "pl", " w"),
    ("preciso de comida", "pt", " em"), ("kailangan ko ng pagkain", "tl", " sa"), ("음식이 필요해요", "ko", ""),
    ("मुझे खाना चाहिए", "hi", ""), ("je cherche un logement", "fr", " à"), ("no puedo pagar la renta", "es", " en"),
    ("مجھے کھانا چاہیے", "ur", ""), ("estou muito sozinha", "pt", " em"), ("szukam pracy", "pl", " w"),
    ("我想找工作", "zh-Hans", " 在"),
)
_TOWNS = ("Milton", "Oakville", "Burlington", "Halton Hills")


def need_message(rng: random.Random) -> tuple[str, str]:
    """Return (message, language) describing a need, put together from parts."""
    if rng.random() < 0.6:
        text = f"{rng.choice(_OPENERS)}{rng.choice(_ENGLISH_NEEDS)}{rng.choice(_FOR_WHOM)}{rng.choice(_PLACES)}"
        if rng.random() < 0.9:
            text += f", i am {rng.randrange(16, 90)}"
        return text, "en"
    base, lang, before_town = rng.choice(_OTHER_LANGUAGES)
    town = f"{before_town} {rng.choice(_TOWNS)}" if rng.random() < 0.7 else ""
    return f"{base}{town} {rng.randrange(1, 100)} {rng.choice(('', '!', '?', '...'))}".strip(), lang


def message(rng: random.Random) -> tuple[str, str]:
    """Return one resident message and its language: a short reply or a need, half and half."""
    if rng.random() < 0.5:
        return rng.choice(SHORT_REPLIES), "en"
    return need_message(rng)


def warm_messages() -> list[tuple[str, str]]:
    """Every language's need once and every short reply: what a worker loads before the measure."""
    return [(base, lang) for base, lang, _ in _OTHER_LANGUAGES] + [(r, "en") for r in SHORT_REPLIES] + [
        (f"i {need}", "en") for need in _ENGLISH_NEEDS
    ]


def distinct_share(messages: list[str]) -> float:
    """Return the share of messages that are not a repeat of an earlier one."""
    return len(set(messages)) / len(messages) if messages else 0.0
