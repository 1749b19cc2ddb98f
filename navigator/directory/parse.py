"""Read the structure out of a source record's own words: hours, phones, ages, languages, areas.

Each parser keeps only what the text states; anything it cannot read is left
to the caller to keep verbatim (schedule description, interpretation text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from functools import lru_cache

from ..models import Hours, Phone

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

# "24 hours a day" says the whole service never closes; a bare "24 hours" may
# describe one part ("automated menu 24 hours") and yields to stated windows.
_24_7_STRONG = re.compile(r"24/7|24 hours a day|365 days a year", re.IGNORECASE)
_24_7_WEAK = re.compile(r"24 hours|24-hour", re.IGNORECASE)
_HOLIDAYS_CLOSED = re.compile(
    r"(closed|no service) (on )?(statutory |stat |public )?(holidays|long weekends)", re.IGNORECASE
)
_DAY = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?"
_CLOCK = r"(?:\d{1,2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?|noon|midnight)"
_WINDOW = re.compile(
    rf"(?P<first>{_DAY})(?:\s*(?:-|–|to)\s*(?P<last>{_DAY}))?"
    rf"(?:\s+and\s+(?P<also>{_DAY}))?(?:\s+and\s+holidays)?"
    rf"[\s,]+(?:[a-z]+\s+)?(?:approx\.\s*)?(?P<opens>{_CLOCK})\s*(?:-|–|to)\s*(?P<closes>{_CLOCK})",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ParsedHours:
    """What a source's hours text says, in structured form."""

    windows: tuple[Hours, ...] = ()
    open_24_7: bool = False
    closed_on_holidays: bool = False


def _clock(text: str) -> tuple[int, int, str | None]:
    """Split "9:30 a.m." into (9, 30, "a")."""
    if text.strip().lower() in ("noon", "midnight"):
        return (12, 0, "p") if text.strip().lower() == "noon" else (12, 0, "a")
    m = re.match(r"(\d{1,2})(?::(\d{2}))?\s*(?:([ap])\.?m\.?)?", text.strip(), re.IGNORECASE)
    assert m is not None
    return int(m.group(1)), int(m.group(2) or 0), (m.group(3) or "").lower() or None


def _to24(hour: int, meridiem: str | None) -> int:
    if meridiem == "p" and hour < 12:
        return hour + 12
    if meridiem == "a" and hour == 12:
        return 0
    return hour


def parse_window(opens: str, closes: str) -> tuple[time, time]:
    """Turn "9-5", "5:00-7:00 p.m." or "9 a.m.-4:30 p.m." into two local times."""
    oh, om, omer = _clock(opens)
    ch, cm, cmer = _clock(closes)
    if cmer is None and omer is None:
        # Bare office hours ("Mon 9-5", "Tue 1-7"): an afternoon close reads as p.m.
        if ch <= oh or ch <= 7:
            cmer = "p"
        omer = "p" if oh <= 7 and ch <= 7 else "a"
    elif omer is None:
        # "5:00-7:00 p.m." shares the meridiem unless that would open after closing.
        omer = cmer if _to24(oh, cmer) <= _to24(ch, cmer) else "a"
    return time(_to24(oh, omer) % 24, om), time(_to24(ch, cmer) % 24, cm)


def _day_index(word: str) -> int:
    return DAYS.index(word[:3].lower())


@lru_cache(maxsize=4096)
def parse_hours(text: str | None) -> ParsedHours:
    """Read weekly windows, 24/7 and holiday closures from an hours text; never guess."""
    if not text or not text.strip():
        return ParsedHours()
    closed_on_holidays = bool(_HOLIDAYS_CLOSED.search(text))
    if _24_7_STRONG.search(text):
        return ParsedHours(open_24_7=True, closed_on_holidays=closed_on_holidays)
    windows: list[Hours] = []
    for m in _WINDOW.finditer(text):
        first = _day_index(m.group("first"))
        last = _day_index(m.group("last")) if m.group("last") else first
        opens, closes = parse_window(m.group("opens"), m.group("closes"))
        span = range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
        if m.group("also"):
            span = [*span, _day_index(m.group("also"))]
        windows.extend(Hours(weekday=d + 1, opens=opens, closes=closes) for d in span)
    if not windows and _24_7_WEAK.search(text):
        return ParsedHours(open_24_7=True, closed_on_holidays=closed_on_holidays)
    return ParsedHours(
        windows=tuple(sorted(set(windows), key=lambda h: (h.weekday, h.opens))),
        closed_on_holidays=closed_on_holidays,
    )


_NUMBER = re.compile(
    r"(?P<number>(?:1-)?\d{3}-\d{3}-\d{4}|\b\d-\d-\d\b|\b[2-9]11\b)(?:\s*ext\.?\s*(?P<ext>\d+))?",
    re.IGNORECASE,
)


def _label(text: str) -> str:
    text = re.sub(r"^[\s,;()]*(?:or\b)?[\s,;()]*", "", text)
    return re.sub(r"[\s,;(]*$", "", text).strip(" ()") if text else ""


def phone_type(description: str | None) -> str:
    """Return the RFC 6350 phone type HSDS expects for a phone's description."""
    words = (description or "").lower()
    if "tty" in words:
        return "textphone"
    if words.startswith("text"):
        return "text"
    return "voice"


def parse_phones(text: str | None) -> tuple[Phone, ...]:
    """Split "905-...; Milton 905-... ext. 4" into phones with their descriptions."""
    phones: list[Phone] = []
    # Semicolons inside brackets belong to a label: "(Town of Oakville; memberships)".
    for segment in re.split(r";(?![^(]*\))", text or ""):
        found = list(_NUMBER.finditer(segment))
        previous_label = ""
        for i, m in enumerate(found):
            start = found[i - 1].end() if i else 0
            prefix = _label(segment[start : m.start()])
            suffix = _label(segment[m.end() :]) if i == len(found) - 1 else ""
            # "311 or 905-825-6000": the second number shares the first one's label.
            label = " ".join(p for p in (prefix, suffix) if p) or (previous_label if i else "")
            previous_label = label
            phones.append(Phone(number=m.group("number"), extension=m.group("ext"), description=label or None))
    return tuple(phones)


_AGE_RANGE = re.compile(r"\b(?:aged?|ages|youth|children)?\s*(\d{1,2})\s*(?:-|–|to)\s*(\d{1,2})\b", re.IGNORECASE)
_AGE_MIN = re.compile(
    r"\b(?:aged?|ages)\s+(\d{1,2})\s*(?:\+|and over|and older|or older)|\b(\d{2})\s*\+|\b(?:aged? )?over (\d{2})\b", re.IGNORECASE
)
_AGE_MAX = re.compile(r"\b(?:up )?to age (\d{1,2})\b", re.IGNORECASE)


def parse_ages(text: str | None) -> tuple[int | None, int | None]:
    """Return the widest (minimum_age, maximum_age) an eligibility text states."""
    lows: list[int] = []
    highs: list[int] = []
    for m in _AGE_RANGE.finditer(text or ""):
        low, high = int(m.group(1)), int(m.group(2))
        if low < high:
            lows.append(low)
            highs.append(high)
    for m in _AGE_MIN.finditer(text or ""):
        lows.append(int(m.group(1) or m.group(2) or m.group(3)))
    for m in _AGE_MAX.finditer(text or ""):
        highs.append(int(m.group(1)))
    # An open-ended "16 and over" widens the top as well: no upper limit stated.
    has_open_top = bool(_AGE_MIN.search(text or ""))
    return (min(lows) if lows else None, None if has_open_top or not highs else max(highs))


LANGUAGE_NAMES = {
    "english": "en", "french": "fr", "arabic": "ar", "chinese": "zh-Hans", "mandarin": "zh-Hans",
    "cantonese": "yue", "punjabi": "pa", "urdu": "ur", "spanish": "es", "portuguese": "pt",
    "polish": "pl", "tagalog": "tl", "filipino": "tl", "hindi": "hi", "korean": "ko",
    "cree": "cr", "ojibway": "oj", "ojibwe": "oj", "inuktut": "iu", "asl": "ase",
}
_INTERPRETATION = re.compile(r"interpret|many languages|\d+ languages|preferred language", re.IGNORECASE)


def parse_languages(text: str | None) -> tuple[tuple[tuple[str, str], ...], str | None]:
    """Return ((code, name), ...) named in a languages text, and any interpretation note."""
    named: dict[str, str] = {}
    for word in re.findall(r"[A-Za-z]+", text or ""):
        code = LANGUAGE_NAMES.get(word.lower())
        if code and code not in named:
            named[code] = word
    interpretation = (text or "").strip() if _INTERPRETATION.search(text or "") else None
    # "Indigenous languages" names a family, not an offer to interpret any language.
    if interpretation and re.search(r"\d+ indigenous languages", interpretation, re.IGNORECASE):
        interpretation = None
    return tuple(named.items()), interpretation


AREA_SLUGS = {
    "burlington": "burlington", "oakville": "oakville", "milton": "milton",
    "halton hills": "halton-hills", "halton-hills": "halton-hills", "georgetown": "halton-hills",
    "acton": "halton-hills", "halton-wide": "halton", "halton": "halton", "ontario": "ontario",
    "canada": "canada",
}


def parse_areas(text: str | None) -> tuple[tuple[str, str], ...]:
    """Return (slug, source words) for each municipality in "Milton;Halton Hills"."""
    areas: list[tuple[str, str]] = []
    for part in (text or "").split(";"):
        words = part.strip()
        slug = AREA_SLUGS.get(words.lower())
        if slug is None and words:
            raise ValueError(f"unknown municipality {words!r}")
        if slug and slug not in [a for a, _ in areas]:
            areas.append((slug, words))
    return tuple(areas)


_FREE_ANYWHERE = re.compile(r"free of charge|at no cost|no charge|no fees?\b", re.IGNORECASE)


def states_free(description: str | None, eligibility: str | None) -> bool:
    """Say whether a record's own words state the service itself is free of charge."""
    # "a free clothing room" inside a description is not a statement about the whole service.
    return bool(
        re.match(r"\s*free\b", description or "", re.IGNORECASE)
        or re.search(r"(?<!toll-)\bfree\b", eligibility or "", re.IGNORECASE)
        or _FREE_ANYWHERE.search(f"{description or ''} {eligibility or ''}")
    )


_WHEELCHAIR = re.compile(r"wheelchair[- ]accessible|accessible (entrance|building)", re.IGNORECASE)


def states_wheelchair(*texts: str | None) -> bool:
    """Say whether a record's own words state wheelchair access."""
    return any(_WHEELCHAIR.search(t or "") for t in texts)


_ADDRESS = re.compile(
    r"^(?P<address_1>\d+[A-Za-z]? [^,;()]+?)(?:, (?P<address_2>(?:Unit|Suite|Apt\.?) [^,;()]+))?"
    r", (?P<city>Burlington|Oakville|Milton|Georgetown|Acton|Halton Hills)(?:, (?P<state_province>ON))?"
    r"(?: (?P<postal_code>[A-Z]\d[A-Z] \d[A-Z]\d))?\s*(?:\([^()]*\))?$"
)


def parse_address(text: str | None) -> dict[str, str | None] | None:
    """Split one plain street address into HSDS address fields; None for anything else."""
    m = _ADDRESS.match((text or "").strip())
    if m is None:
        return None
    # Every Halton town is in Ontario, so the province is stated by the town itself.
    return {**m.groupdict(), "state_province": "ON", "country": "CA"}


_WEBSITE = re.compile(r"^(?P<url>[^\s()]+)(?:\s*\((?P<note>[^()]*)\))?$")
_EMAIL = re.compile(r"[^@\s;,()]+@[^@\s;,()]+\.[A-Za-z]{2,}")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def parse_website(text: str | None) -> tuple[str | None, str | None]:
    """Split "www.x.ca (email a@x.ca)" into an absolute web address and the email it states."""
    words = (text or "").strip()
    if not words:
        return None, None
    m = _WEBSITE.match(words)
    if m is None:
        raise ValueError(f"not one web address with an optional note in brackets: {words!r}")
    url = m.group("url")
    # HSDS wants an absolute URI; a bare "www.milton.ca" gets https, as browsers now assume.
    if not _SCHEME.match(url):
        url = "https://" + url
    email = _EMAIL.search(m.group("note") or "")
    return url, email.group(0) if email else None
