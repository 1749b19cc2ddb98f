""""Send these to my phone": text a web conversation's last results through Twilio's REST API.

Only to a number the resident typed and confirmed, never to one that sent
STOP (opt-outs are keyed by the HMAC of the number, as the SMS channel keys
them), at most three times per conversation.  The text follows the SMS
channel's segment rules; what does not fit waits behind MORE in that
number's own SMS conversation.  No Flask here: the channel passes its config.
"""
from __future__ import annotations

import logging
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import phonenumbers
from twilio.base.exceptions import TwilioException
from twilio.rest import Client

from ..dialogue import Dialogue
from ..dialogue_results import PAGE_SIZE
from ..render import web as render_web
from ..state import number_key

log = logging.getLogger(__name__)
MAX_SENDS = 3
_SETTINGS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER")
# Numbers that cannot receive a text, or that would cost the resident to reach.
_REFUSED_TYPES = {
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.PREMIUM_RATE,
    phonenumbers.PhoneNumberType.SHARED_COST,
    phonenumbers.PhoneNumberType.PAGER,
    phonenumbers.PhoneNumberType.UAN,
    phonenumbers.PhoneNumberType.VOICEMAIL,
}
_SCHEMA = "CREATE TABLE IF NOT EXISTS web_text_sent (key TEXT PRIMARY KEY, count INTEGER NOT NULL, at TEXT NOT NULL)"


class SendRefused(Exception):
    """Why a text was not sent: HTTP status, a stable code and a message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


@dataclass(frozen=True)
class Sent:
    masked: str  # the number as the resident may see it again, e.g. "(905) ***-**23"
    remaining: int
    segments: int


def setting(config: Mapping[str, Any], name: str) -> str:
    """Read a Twilio setting (config keys are the environment variables' names)."""
    return str(config.get(name) or "")


def available(config: Mapping[str, Any]) -> bool:
    """Tell whether texts can be sent: account SID, auth token and sender number are all set."""
    return all(setting(config, name) for name in _SETTINGS)


def canonical_number(phone: str) -> str:
    """Return a North American number in E.164, or raise SendRefused."""
    try:
        parsed = phonenumbers.parse(phone, "CA")
    except phonenumbers.NumberParseException as exc:
        raise SendRefused(400, "invalid_phone", "That does not look like a phone number.") from exc
    if parsed.country_code != 1 or not phonenumbers.is_valid_number(parsed):
        raise SendRefused(400, "invalid_phone", "Enter a Canadian or US mobile number, like 905-555-0123.")
    if phonenumbers.number_type(parsed) in _REFUSED_TYPES:
        raise SendRefused(400, "invalid_phone", "That number cannot receive texts. Enter a mobile number.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def masked(number: str) -> str:
    """Hide all but the last two digits of a number, e.g. ``(905) ***-**23``."""
    national = phonenumbers.format_number(phonenumbers.parse(number, "CA"), phonenumbers.PhoneNumberFormat.NATIONAL)
    digits = sum(ch.isdigit() for ch in national)
    out, seen = [], 0
    for ch in national:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= 3 or seen > digits - 2 else "*")
        else:
            out.append(ch)
    return "".join(out)


def twilio_client(config: Mapping[str, Any]) -> Client:
    """Return a Twilio REST client; NAVIGATOR_TWILIO_HTTP_CLIENT replaces its transport in tests."""
    return Client(
        setting(config, "TWILIO_ACCOUNT_SID"),
        setting(config, "TWILIO_AUTH_TOKEN"),
        http_client=config.get("NAVIGATOR_TWILIO_HTTP_CLIENT"),
    )


def _reserve(path: str, key: str, now: datetime) -> int | None:
    """Count one more text for the conversation; None when it already had its three."""
    with closing(sqlite3.connect(path, timeout=10, isolation_level=None)) as db:
        db.execute(_SCHEMA)
        changed = db.execute(
            "INSERT INTO web_text_sent (key, count, at) VALUES (?, 1, ?) "
            "ON CONFLICT(key) DO UPDATE SET count = count + 1, at = excluded.at WHERE count < ?",
            (key, now.astimezone(UTC).isoformat(), MAX_SENDS),
        ).rowcount
        if not changed:
            return None
        row = db.execute("SELECT count FROM web_text_sent WHERE key = ?", (key,)).fetchone()
        return int(row[0])


def _release(path: str, key: str) -> None:
    with closing(sqlite3.connect(path, timeout=10, isolation_level=None)) as db:
        db.execute("UPDATE web_text_sent SET count = count - 1 WHERE key = ? AND count > 0", (key,))


def send_results(config: Mapping[str, Any], dialogue: Dialogue, key: str, phone: str, now: datetime) -> Sent:
    """Text the results last shown in conversation ``key`` to ``phone``."""
    number = canonical_number(phone)
    secret = str(config["NAVIGATOR_SECRET_KEY"])
    if dialogue.store.is_opted_out(number_key(secret, number)):
        raise SendRefused(403, "opted_out", "This number asked us not to text it (STOP). Text START to us first.")
    conv = dialogue.store.load(key, now)
    ids = conv.results[conv.page : conv.page + PAGE_SIZE]
    services = [s for s in (dialogue.results.directory.get(i) for i in ids) if s is not None]
    if not services:
        raise SendRefused(409, "no_results", "There are no results to send yet.")
    state_db = str(config["NAVIGATOR_STATE_DB"])
    count = _reserve(state_db, key, now)
    if count is None:
        raise SendRefused(429, "limit_reached", f"The list can be texted at most {MAX_SENDS} times.")
    text = render_web.text_message(services, conv.language, conv.safe)
    try:
        twilio_client(config).messages.create(to=number, from_=setting(config, "TWILIO_FROM_NUMBER"), body=text.body)
    except (TwilioException, OSError) as exc:
        _release(state_db, key)
        log.warning("Twilio refused a web text for conversation %s: %s", key[:12], type(exc).__name__)
        raise SendRefused(502, "send_failed", "The text could not be sent. Please try again later.") from exc
    if text.rest:
        dialogue.keep_overflow(number_key(secret, number), list(text.rest), now)
    log.info("texted %d results for web conversation %s", len(services), key[:12])
    return Sent(masked(number), MAX_SENDS - count, text.segments)
