"""The fixed things navigator says: welcome, help, crisis lines, a person, misses.

Phone numbers come from directory records (found by name in ``Hotlines``),
never typed here; the only number written in code is 911.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time

from .dialogue_reply import Line
from .i18n import TIMEZONE, _, ngettext
from .models import Service
from .render.text import main_phone

# Record names, as the directory's sources spell them, of the lines every resident may need.
_NAMES = {
    "988": "988 Suicide Crisis Helpline",
    "distress": "Distress Centre Halton",
    "coast": "COAST Halton",
    "211": "211 Ontario",
}
# 211 Ontario's chat and text hours, from its record ("chat Mon-Fri 7 a.m.-9 p.m. ET").
_211_CHAT = (time(7), time(21))
_PARENS = re.compile(r"\s*\([^)]*\)")


@dataclass(frozen=True)
class Hotlines:
    """The directory records behind the crisis and 211 lines (None when missing)."""

    line_988: Service | None = None
    distress: Service | None = None
    coast: Service | None = None
    line_211: Service | None = None

    @classmethod
    def from_services(cls, services: Iterable[Service]) -> Hotlines:
        """Pick the records by name from all the directory's services."""
        found: dict[str, Service] = {}
        for service in services:
            for slot, name in _NAMES.items():
                if service.name.startswith(name) and slot not in found:
                    found[slot] = service
        return cls(found.get("988"), found.get("distress"), found.get("coast"), found.get("211"))


def welcome(retention_days: int) -> list[Line]:
    """Say what navigator does, that it is not for emergencies, languages and privacy."""
    return [
        Line(_("Hi! I can help you find community services in Halton. Tell me what you need.")),
        Line(_("This is not an emergency service. In an emergency, call 911.")),
        Line(_("For another language, send its name, like FRANÇAIS or ESPAÑOL.")),
        privacy(retention_days),
    ]


def short_welcome(retention_days: int) -> list[Line]:
    """Say the essentials of the welcome in one line, after a first message that had a need."""
    return [
        Line(
            ngettext(
                "Not for emergencies: call 911. We delete messages after %(days)s day. Send HELP for info.",
                "Not for emergencies: call 911. We delete messages after %(days)s days. Send HELP for info.",
                retention_days,
                days=retention_days,
            )
        )
    ]


def privacy(retention_days: int) -> Line:
    """Say what is kept and for how long."""
    return Line(
        ngettext(
            "We keep your messages for %(days)s day, then delete them. We never keep your phone number.",
            "We keep your messages for %(days)s days, then delete them. We never keep your phone number.",
            retention_days,
            days=retention_days,
        )
    )


def help_lines(retention_days: int, lines: Hotlines) -> list[Line]:
    """Explain what this is, how to stop, and where else to get help."""
    out = [
        Line(_("I find community services in Halton. Tell me what you need, like food, rent or someone to talk to.")),
        Line(_("In an emergency, call 911.")),
    ]
    phone = main_phone(lines.line_211) if lines.line_211 else None
    if phone:
        out.append(Line(_("To talk to a person, call or text %(phone)s.", phone=phone)))
    out.append(Line(_("Send RESTART to start over, SAFE to hide topics, STOP to end messages.")))
    out.append(privacy(retention_days))
    return out


def _name(service: Service) -> str:
    return _PARENS.sub("", service.name).strip()


def safety_lines(lines: Hotlines) -> list[Line]:
    """Give 911 and 988 in two lines: for a message with a few crisis words, too few to call it a crisis."""
    out = [Line(_("If you or someone else is in danger now, call 911."))]
    phone = main_phone(lines.line_988) if lines.line_988 else None
    if phone:
        out.append(Line(_("Call or text %(phone)s to talk to someone now.", phone=phone)))
    return out


def crisis_lines(lines: Hotlines) -> list[Line]:
    """Give 911, 988 and the local 24/7 crisis lines, from their directory records."""
    out = safety_lines(lines)
    for service in (lines.distress, lines.coast):
        phone = main_phone(service) if service else None
        if service is None or phone is None:
            continue
        if service.open_24_7:
            out.append(Line(_("%(name)s, 24/7: %(phone)s", name=_name(service), phone=phone)))
        else:
            out.append(Line(_("%(name)s: %(phone)s", name=_name(service), phone=phone)))
    out.append(Line(_("When you are ready, I can help you find other services too.")))
    return out


def person_lines(lines: Hotlines, now: datetime) -> list[Line]:
    """Offer 211: phone all day, chat and text on weekdays, saying which is open now."""
    service = lines.line_211
    phone = main_phone(service) if service else None
    if service is None or phone is None:
        return [Line(_("I cannot connect you to a person right now. In an emergency, call 911."))]
    out = [Line(_("To talk to a person, call %(phone)s. Phone lines are open 24 hours, 7 days a week.", phone=phone))]
    local = now.astimezone(TIMEZONE)
    opens, closes = _211_CHAT
    if local.isoweekday() <= 5 and opens <= local.time() < closes:
        out.append(Line(_("Chat and text with 211 are open now, until %(time)s.", time=closes)))
    else:
        out.append(Line(_("Chat and text with 211 are closed now. They open weekdays %(opens)s to %(closes)s.",
                          opens=opens, closes=closes)))
    if service.website:
        out.append(Line(_("Chat: %(url)s", url=service.website)))
    return out


def miss_lines(misses: int, lines: Hotlines) -> list[Line]:
    """Ask to say it another way; after a second miss, offer 211 and a person."""
    if misses <= 1:
        return [
            Line(_("Sorry, I did not understand. Can you say it another way?")),
            Line(_('For example: "I need food", "help with rent" or "my mom needs a ride".')),
        ]
    phone = main_phone(lines.line_211) if lines.line_211 else None
    if phone is None:
        return [Line(_("Sorry, I still did not understand. Send HELP to see what I can do."))]
    return [
        Line(_("Sorry, I still did not understand.")),
        Line(_("You can call or text %(phone)s to talk to a person. They help in many languages.", phone=phone)),
        Line(_("Or tell me again in a few words, like FOOD or HOUSING.")),
    ]
