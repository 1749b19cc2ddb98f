""""Text this to the caller": the chosen services by SMS, in the caller's language.

The text follows the SMS channel's segment rules (render/sms.py through
render/web.text_message); what does not fit waits behind MORE in that
number's own SMS conversation.  A number that sent STOP is never texted.
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from flask import current_app, jsonify, request
from flask.typing import ResponseReturnValue
from twilio.base.exceptions import TwilioException

from ..models import LANGUAGES
from ..render import web as render_web
from ..state import number_key
from . import web_send
from .operator import bp, current_user, refuse
from .operator_search import directory
from .sms import dialogue_for

log = logging.getLogger(__name__)
MAX_SERVICES = 5


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@bp.post("/api/send")
def api_send() -> ResponseReturnValue:
    """Text the chosen services to the caller's number."""
    config = current_app.config
    if not web_send.available(config):
        return refuse(404, "Sending texts is not set up on this server (Twilio settings are missing).")
    body = _body()
    ids = body.get("services")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        return refuse(400, "Choose at least one service to text.")
    if len(ids) > MAX_SERVICES:
        return refuse(400, f"Choose at most {MAX_SERVICES} services: a text must stay short.")
    language = body.get("language", "en")
    if language not in LANGUAGES:
        return refuse(400, "language must be one of: " + ", ".join(LANGUAGES))
    phone = body.get("phone")
    if not isinstance(phone, str) or len(phone) > 40:
        return refuse(400, "Enter the caller's mobile number.")
    try:
        number = web_send.canonical_number(phone)
    except web_send.SendRefused as refused:
        return refuse(refused.status, str(refused))
    found = directory().get_many(ids)
    services = [found[i] for i in ids if i in found]
    if len(services) != len(ids):
        return refuse(404, "A chosen service is no longer in the directory. Search again.")
    dialogue = dialogue_for(current_app._get_current_object())  # type: ignore[attr-defined]
    key = number_key(str(config["NAVIGATOR_SECRET_KEY"]), number)
    if dialogue.store.is_opted_out(key):
        return refuse(403, "This number asked us not to text it (STOP). The caller can text START first.")
    text = render_web.text_message(services, language, False)
    try:
        web_send.twilio_client(config).messages.create(
            to=number, from_=web_send.setting(config, "TWILIO_FROM_NUMBER"), body=text.body)
    except (TwilioException, OSError) as exc:
        log.warning("Twilio refused an operator text: %s", type(exc).__name__)
        return refuse(502, "The text could not be sent. Check the number, or read the details to the caller.")
    now = datetime.now(UTC)
    if text.rest:
        dialogue.keep_overflow(key, list(text.rest), now)
    user = current_user()
    log.info("operator %s texted %d services", user.name if user else "-", len(services))
    return jsonify(sent=True, to=web_send.masked(number), segments=text.segments, held_for_more=len(text.rest))
