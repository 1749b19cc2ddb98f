"""Formatting shared by every renderer: phone numbers, opening hours, neutral names."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol

import phonenumbers

from ..i18n import TIMEZONE, Msg, Translator, Weekday, _
from ..models import Phone, Service


class OpenStatus(Protocol):
    """What ``navigator.directory.hours.open_status`` returns."""

    is_open: bool | None
    closes_at: Any
    opens_at: Any


@lru_cache(maxsize=4096)
def format_phone(phone: Phone) -> str:
    """Format a phone number in national format, e.g. ``(905) 849-4541``."""
    try:
        parsed = phonenumbers.parse(phone.number, "CA")
    except phonenumbers.NumberParseException:
        return phone.number
    if not phonenumbers.is_valid_number(parsed):
        # Short codes such as 2-1-1 and 9-8-8 are shown as the source writes them.
        return phone.number
    text = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    if phone.extension and "ext" not in text:
        text += f" ext. {phone.extension}"
    return text


def main_phone(service: Service) -> str | None:
    """Return the first phone number of a service, formatted, or None."""
    return format_phone(service.phones[0]) if service.phones else None


# Words that name a sensitive topic: in discreet mode no text may contain them.
_TOPIC = re.compile(
    r"abus|assault|sexual|violen|shelter|rape|domestic|crisis|suicid|distress|addict|drug|alcohol|"
    r"gambl|homeless|victim|mental|lgbt|trans\b|women|abri|violence",
    re.IGNORECASE,
)
_PARENS = re.compile(r"\s*\(([^)]*)\)")


def is_discreet(text: str) -> bool:
    """Tell whether ``text`` names no sensitive topic."""
    return _TOPIC.search(text) is None


def neutral_name(service: Service) -> str | None:
    """Return a name for the service that does not say what it helps with, or None."""
    candidates = []
    for name in (service.name, service.organization):
        candidates.append(_PARENS.sub("", name).split(" - ")[0].strip())
        # An acronym in brackets ("(AWHL)") is often the only neutral name.
        candidates.extend(m for m in _PARENS.findall(name) if m.isupper() and " " not in m)
    for candidate in candidates:
        if candidate and is_discreet(candidate):
            return candidate
    return None


def display_name(service: Service, discreet: bool) -> str:
    """Return the name to show: the full name, or a neutral one in discreet mode."""
    if not discreet:
        return service.name
    return neutral_name(service) or ""


def open_line(service: Service, status: OpenStatus | None, now: datetime) -> Msg | None:
    """Say whether a service is open now, or None when its hours are unknown."""
    if service.open_24_7:
        return _("Open 24 hours, 7 days a week")
    if status is None or status.is_open is None:
        return None
    if status.is_open:
        if isinstance(status.closes_at, datetime):
            return _("Open now, until %(time)s", time=status.closes_at)
        return _("Open now")
    if isinstance(status.opens_at, datetime):
        opens = status.opens_at.astimezone(TIMEZONE)
        today = now.astimezone(TIMEZONE).date()
        if opens.date() == today:
            return _("Closed now. Opens at %(time)s", time=opens)
        if opens.date() == today + timedelta(days=1):
            return _("Closed now. Opens tomorrow at %(time)s", time=opens)
        return _("Closed now. Opens %(day)s at %(time)s", day=Weekday(opens.isoweekday()), time=opens)
    return _("Closed now")


def hours_lines(service: Service, tr: Translator) -> list[str]:
    """List the opening hours, one line per day that has any, in the resident's locale."""
    if service.open_24_7:
        return [tr.gettext("Open 24 hours, 7 days a week")]
    lines = []
    for day in range(1, 8):
        windows = [h for h in service.hours if h.weekday == day]
        if windows:
            spans = ", ".join(f"{tr.time(h.opens)}-{tr.time(h.closes)}" for h in windows)
            lines.append(f"{tr.weekday(day)} {spans}")
    if not lines and service.hours_text:
        # The source's own words, untranslated: better than nothing, never invented.
        lines.append(service.hours_text)
    return lines


def checked_line(verified: date | None) -> Msg | None:
    """Say when the record was last checked, e.g. ``Information checked March 2026``."""
    if verified is None:
        return None
    return _("Information checked %(month)s", month=verified)


def short_description(service: Service, limit: int = 70) -> str:
    """Return the first sentence of the description, cut at a word to ``limit`` characters."""
    first = re.split(r"(?<=[.;])\s", service.description.strip(), maxsplit=1)[0].rstrip(".;")
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "..."


def language_names(tags: tuple[str, ...], tr: Translator) -> str:
    """Name languages in the resident's locale, e.g. ``English, French``."""
    from babel import Locale, UnknownLocaleError

    names = []
    for tag in tags:
        try:
            # The tag's own locale, not the one replies are formatted in: "French", not "French (Canada)".
            name = Locale.parse(tag, sep="-").get_display_name(tr.locale)
        except (ValueError, TypeError, UnknownLocaleError):
            # Languages with no CLDR locale of their own (ASL is "ase") still have a name, if only in English.
            key = tag.replace("-", "_")
            name = tr.locale.languages.get(key) or Locale.parse("en").languages.get(key)
        names.append(name or tag)
    return ", ".join(names)


def card_lines(
    number: int, service: Service, open_now: Msg | None, discreet: bool, tr: Translator, compact: bool = False
) -> list[str]:
    """Render one result of a list: number, name and phone, then what it offers and if it is open."""
    name = display_name(service, discreet) or tr.gettext("Service %(number)s", number=number)
    if not discreet:
        # Brackets in names spell out acronyms; the details show the full name.
        name = _PARENS.sub("", name).strip() or name
    phone = main_phone(service)
    lines = [f"{number}. {name}" + (f" {phone}" if phone else "")]
    if discreet:
        return lines
    if compact:
        return lines + ([tr.render(open_now)] if open_now is not None else [])
    about = short_description(service, 60)
    if open_now is not None:
        about = f"{about}{'' if about.endswith('...') else '.'} {tr.render(open_now)}"
    lines.append(about)
    return lines


def details_lines(service: Service, open_now: Msg | None, discreet: bool, tr: Translator) -> list[str]:
    """Render everything about one result that the resident can act on."""
    lines = [display_name(service, discreet) or tr.gettext("This service")]
    for phone in service.phones:
        if phone.description and not (discreet and not is_discreet(phone.description)):
            lines.append(tr.gettext("%(label)s: %(phone)s", label=phone.description, phone=format_phone(phone)))
        else:
            lines.append(tr.gettext("Phone: %(phone)s", phone=format_phone(phone)))
    if service.address and not discreet:
        lines.append(tr.gettext("Address: %(address)s", address=service.address))
    if open_now is not None:
        lines.append(tr.render(open_now))
    hours = hours_lines(service, tr)
    if hours and not service.open_24_7:
        lines.append(tr.gettext("Hours: %(hours)s", hours="; ".join(hours)))
    if not discreet:
        lines.extend(_about(service, tr))
    checked = checked_line(service.last_verified)
    if checked is not None:
        lines.append(tr.render(checked))
    return lines


def _about(service: Service, tr: Translator) -> list[str]:
    lines = []
    if service.eligibility:
        lines.append(tr.gettext("Who it is for: %(who)s", who=service.eligibility))
    elif service.minimum_age is not None and service.maximum_age is not None:
        lines.append(tr.gettext("Ages %(min)s to %(max)s", min=service.minimum_age, max=service.maximum_age))
    elif service.minimum_age is not None:
        lines.append(tr.gettext("Ages %(min)s and up", min=service.minimum_age))
    if service.languages:
        lines.append(tr.gettext("Languages: %(languages)s", languages=language_names(service.languages, tr)))
    if service.cost:
        lines.append(tr.gettext("Cost: %(cost)s", cost=service.cost))
    elif service.free:
        lines.append(tr.gettext("Cost: free"))
    if service.website:
        lines.append(tr.gettext("Website: %(url)s", url=service.website))
    return lines
