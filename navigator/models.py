"""Plain frozen dataclasses passed between the steps of the pipeline.

message -> normalise -> detect language -> match intents -> rank directory
entries -> dialogue step -> render for the channel -> translate

These are the contracts between modules: the directory returns ``Service``
and ``ServiceHit``; the matcher returns ``Match``; the dialogue and the
renderers read both.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

# Municipality slugs used everywhere (intents, directory service areas, eval).
MUNICIPALITIES = ("burlington", "oakville", "milton", "halton-hills")
# Wider service areas, from most to least local.
WIDER_AREAS = ("halton", "ontario", "canada")

# The twelve languages a resident can use (BCP 47 tags as in the eval set).
LANGUAGES = ("en", "fr", "ar", "zh-Hans", "pa", "ur", "es", "pt", "pl", "tl", "hi", "ko")


@dataclass(frozen=True, slots=True)
class Phone:
    number: str  # as the source states it, e.g. "905-849-4541"
    extension: str | None = None
    description: str | None = None  # e.g. "Milton/Halton Hills", "text"


@dataclass(frozen=True, slots=True)
class Hours:
    """One opening window of an HSDS schedule row, local time (America/Toronto)."""

    weekday: int  # 1 = Monday ... 7 = Sunday (ISO)
    opens: time
    closes: time  # closes <= opens means the window runs past midnight


@dataclass(frozen=True, slots=True)
class Service:
    """A directory service with everything a resident or operator is shown."""

    id: str
    name: str
    organization: str
    description: str
    needs: tuple[str, ...]
    phones: tuple[Phone, ...] = ()
    website: str | None = None
    email: str | None = None
    address: str | None = None
    service_areas: tuple[str, ...] = ()  # municipality slugs or WIDER_AREAS
    languages: tuple[str, ...] = ()  # language tags offered, e.g. ("en", "fr", "pa")
    eligibility: str | None = None
    minimum_age: int | None = None
    maximum_age: int | None = None
    hours: tuple[Hours, ...] = ()
    open_24_7: bool = False
    closed_on_holidays: bool = False
    hours_text: str | None = None  # the source's own words when not structured
    cost: str | None = None
    free: bool | None = None
    wheelchair_accessible: bool | None = None
    source: str | None = None
    last_verified: date | None = None


@dataclass(frozen=True, slots=True)
class ServiceHit:
    """A service found by a search, with its score and why it was chosen."""

    service: Service
    score: float
    why: tuple[str, ...] = ()


@dataclass(frozen=True)
class NeedScore:
    code: str
    score: float
    why: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """What navigator understood from one message."""

    text: str
    language: str
    needs: tuple[NeedScore, ...] = ()
    crisis: bool = False
    municipality: str | None = None
    age: int | None = None
    for_whom: str | None = None  # "self", "child", "parent", "partner", "client", "other"
    # Conversation words recognised in the message: "greeting", "thanks", "yes",
    # "no", "more", "restart", "person", "stop", "start", "help", "safe",
    # "off-topic", "language" (with language_choice), "number" (with number).
    intent: str | None = None
    number: int | None = None
    language_choice: str | None = None
    services: tuple[ServiceHit, ...] = ()
    why: tuple[str, ...] = field(default=())
    # Some crisis words, too few to call it a crisis: the reply still says 911 and 988 first.
    crisis_hint: bool = False
    # The only need is a guess from evidence too weak to count alone: the reply says so.
    guessed: bool = False

    @property
    def need_codes(self) -> tuple[str, ...]:
        """Return the matched need codes, best first."""
        return tuple(n.code for n in self.needs)
