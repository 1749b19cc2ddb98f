"""Render a Reply for the web chat: text, result cards with tap-to-call links, quick replies.

Also the labels of the chat's controls and of the loader's button, so the
browser never carries English of its own, and the text message that "send
these to my phone" delivers (the SMS channel's segment rules).
"""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any

import phonenumbers
from babel import Locale, UnknownLocaleError

from ..dialogue_reply import Card, Details, Line, Reply
from ..i18n import Msg, Translator, _, translator
from ..models import Phone, Service
from . import sms as render_sms
from .text import (
    details_lines,
    display_name,
    format_phone,
    is_discreet,
    short_description,
)

# Quick replies for the needs residents bring most: what the button says is what is sent.
COMMON_NEEDS: tuple[tuple[str, Msg], ...] = (
    ("food", _("I need food")),
    ("housing", _("Help with housing or rent")),
    ("income", _("Help paying bills")),
    ("mental-health", _("Someone to talk to")),
    ("older-adult-support", _("Help at home for a senior")),
    ("legal", _("Legal help")),
)

# Every label of the chat page and the loader, by the key the page and chat.js use.
LABELS: dict[str, Msg] = {
    "title": _("Find community services in Halton"),
    "open_chat": _("Chat: find help"),
    "close": _("Close chat"),
    "quick_exit": _("Quick exit"),
    "quick_exit_hint": _("Leaves this site now. Press Esc twice to do the same."),
    "language": _("Language"),
    "safe": _("Discreet mode"),
    "safe_hint": _("Shows only names and phone numbers."),
    "emergency": _("This chat is not for emergencies. In an emergency, call 911."),
    "log": _("Conversation"),
    "suggestions": _("Common needs"),
    "message": _("Your message"),
    "send": _("Send"),
    "you": _("You"),
    "navigator": _("Navigator"),
    "operator": _("Person from our team"),
    "details": _("Details"),
    "website": _("Website"),
    "more": _("More results"),
    "sending": _("Sending..."),
    "error": _("Sorry, something went wrong. Please try again, or call 2-1-1."),
    "too_long": _("Please keep your message under 1000 characters."),
    "restarted": _("Your conversation was idle for a while, so it started over."),
    "idle": _("This conversation has been idle for a while. Your next message will start a new one."),
    "send_title": _("Send these to my phone"),
    "send_offer": _("Helping someone else? I can text this list to your phone so you can pass it on."),
    "phone": _("Mobile number"),
    "phone_hint": _("A Canadian mobile number, like 905-555-0123."),
    "consent": _("Yes, text me these services."),
    "send_text": _("Text me"),
    "sent": _("Sent. Check your phone."),
    "consent_needed": _("Tick the box to confirm you want these texted to you."),
    "opted_out": _("This number has asked not to get texts from us."),
    "send_failed": _("The text could not be sent. Please try again later."),
    "send_limit": _("You can have the list texted up to 3 times."),
    "sample_data": _("Sample data: check with the service before you go."),
}


def labels(tr: Translator) -> dict[str, str]:
    """Return every chat label in the translator's language."""
    return {key: tr.render(msg) for key, msg in LABELS.items()}


def common_needs(tr: Translator) -> list[dict[str, str]]:
    """Return the quick replies for common needs: label, message sent and need code."""
    return [{"need": code, "label": tr.render(msg), "message": tr.render(msg)} for code, msg in COMMON_NEEDS]


@lru_cache(maxsize=4096)
def tel_uri(phone: Phone) -> str | None:
    """Return a ``tel:`` link for a phone number, short codes like 2-1-1 included, or None."""
    try:
        parsed = phonenumbers.parse(phone.number, "CA")
        if phonenumbers.is_valid_number(parsed):
            uri = "tel:" + phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
            return uri + (f";ext={phone.extension}" if phone.extension else "")
    except phonenumbers.NumberParseException:
        pass
    digits = "".join(ch for ch in phone.number if ch.isdigit())
    # Three-digit N11 codes (211, 311, 811, 911) and 988 are real numbers to dial.
    return f"tel:{digits}" if len(digits) == 3 else None


def _phones(service: Service, discreet: bool, tr: Translator) -> list[dict[str, str | None]]:
    out: list[dict[str, str | None]] = []
    for phone in service.phones:
        label = phone.description
        if discreet and label and not is_discreet(label):
            label = None
        display = _display_phone(phone)
        name = display_name(service, discreet) or tr.gettext("this service")
        out.append({
            "display": display,
            "tel": tel_uri(phone),
            "label": label,
            "call_label": tr.gettext("Call %(name)s at %(phone)s", name=name, phone=display),
        })
    return out


# Validating and formatting numbers is slow and the directory's numbers repeat: do each once.
_display_phone = lru_cache(maxsize=4096)(format_phone)


def _nameable(tag: str) -> bool:
    try:
        Locale.parse(tag, sep="-")
    except (ValueError, TypeError, UnknownLocaleError):
        return False
    return True


@lru_cache(maxsize=4096)
def _details(service: Service, open_now: Msg | None, discreet: bool, lang: str) -> tuple[str, ...]:
    """Return a service's details lines, formatted once per language, status and mode (Babel is slow)."""
    tr = translator(lang)
    try:
        lines = details_lines(service, open_now, discreet, tr)
    except UnknownLocaleError:
        # A language tag Babel cannot name (e.g. "ase", ASL) must not lose the whole card.
        known = tuple(tag for tag in service.languages if _nameable(tag))
        lines = details_lines(replace(service, languages=known), open_now, discreet, tr)
    # The first line is the name, already on the card.
    return tuple(lines[1:])


def card(number: int | None, service: Service, open_now: Msg | None, discreet: bool, tr: Translator,
         expanded: bool = False) -> dict[str, Any]:
    """Return one result as a card: name, phones, what it offers, if it is open, its details."""
    name = display_name(service, discreet) or tr.gettext("Service %(number)s", number=number or 1)
    details = _details(service, open_now, discreet, tr.lang)
    return {
        "id": service.id,
        "number": number,
        "name": name,
        "phones": _phones(service, discreet, tr),
        "description": None if discreet else short_description(service, 160),
        "open_now": tr.render(open_now) if open_now is not None else None,
        "website": None if discreet else service.website,
        "details": list(details),
        "expanded": expanded,
    }


def render(reply: Reply, tr: Translator | None = None) -> dict[str, Any]:
    """Render a reply as the ``reply`` object of the chat API."""
    tr = tr or translator(reply.language)
    lines: list[str] = []
    cards: list[dict[str, Any]] = []
    for part in reply.parts:
        if isinstance(part, Line):
            lines.append(tr.render(part.text))
        elif isinstance(part, Card):
            cards.append(card(part.number, part.service, part.open_now, part.discreet, tr))
        elif isinstance(part, Details):
            cards.append(card(None, part.service, part.open_now, part.discreet, tr, expanded=True))
    quick = []
    for msg in reply.quick_replies:
        text = tr.render(msg)
        if text.isdigit():
            # Each card has its own details button; numbered replies are for SMS.
            continue
        if msg.singular == "MORE":
            # The English keyword works in every language; the button says it in the resident's.
            quick.append({"label": tr.render(LABELS["more"]), "message": "MORE"})
        else:
            quick.append({"label": text, "message": text})
    return {"text": "\n".join(line for line in lines if line), "cards": cards, "quick_replies": quick}


def transcript_text(rendered: dict[str, Any]) -> str:
    """Return a rendered reply as the transcript keeps it: its text, and each card's name and first phone."""
    lines = [rendered["text"]] if rendered["text"] else []
    for shown in rendered["cards"]:
        phone = shown["phones"][0]["display"] if shown["phones"] else ""
        number = f"{shown['number']}. " if shown["number"] is not None else ""
        lines.append(f"{number}{shown['name']} {phone}".rstrip())
    return "\n".join(lines)


def town_replies() -> list[dict[str, str]]:
    """Return quick replies for the town question: the four municipalities, by their names."""
    names = ("Burlington", "Oakville", "Milton", "Halton Hills")
    return [{"label": name, "message": name} for name in names]


def text_message(services: list[Service], language: str, discreet: bool) -> render_sms.SmsReply:
    """Render results as the text "send these to my phone" delivers, within the SMS segment limit."""
    tr = translator(language)
    header = _("Here are some numbers you can call:") if discreet else _("The services you asked for:")
    parts: list[Line | Card] = [Line(header)]
    # Opening hours change before the resident reads the text, so they are left out.
    parts.extend(Card(number, service, None, discreet) for number, service in enumerate(services, 1))
    return render_sms.render(Reply(language, tuple(parts)), tr)
