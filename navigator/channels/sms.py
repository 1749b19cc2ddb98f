"""``POST /sms``: the Twilio messaging webhook.

Every request must carry a valid ``X-Twilio-Signature`` over the URL Twilio
called and every form parameter; anything else gets 403 before any state is
touched.  Conversations are keyed by an HMAC of the sender's number.  A
repeated delivery of the same MessageSid gets the reply it got the first time.
Twilio never gets a 500: a failure inside the core becomes a polite reply.
"""
from __future__ import annotations

import gc
import hmac
import logging
import sqlite3
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime
from functools import lru_cache, partial

from flask import Blueprint, Flask, Response, abort, current_app, request
from twilio.request_validator import RequestValidator
from werkzeug.middleware.proxy_fix import ProxyFix

from ..dialogue import Dialogue, Handover
from ..i18n import Translator
from ..render import sms as render_sms
from ..state import SQLiteStore, number_key

log = logging.getLogger(__name__)
bp = Blueprint("sms", __name__)
_EXTENSION = "navigator_sms"
_HANDOFF = "navigator_sms_handoff"
_TWIML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>'
_TWIML_EMPTY = _TWIML_HEAD + "<Response />"


def signed_url() -> str:
    """Return the URL Twilio signed: NAVIGATOR_PUBLIC_URL when set, else this request's URL."""
    public = str(current_app.config.get("NAVIGATOR_PUBLIC_URL") or "").rstrip("/")
    path = request.script_root + request.path
    if not public:
        # The host as Twilio sent it (werkzeug's host_url would also rebuild and re-decode it).
        base = f"{request.scheme}://{request.host}{path}"
    elif public.endswith(path):
        base = public
    else:
        base = public + path
    query = request.query_string.decode("latin-1")
    return f"{base}?{query}" if query else base


def _signature_ok() -> bool:
    config = current_app.config
    # Twilio's own name (as tests pass it) or the prefixed name the environment settings use.
    token = str(config.get("TWILIO_AUTH_TOKEN") or "")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    validator, url = _validator(token), signed_url()
    # The URL as received is how Twilio signs it (with the port only when there is one): one
    # signature to compute.  Anything else gets RequestValidator's full check of both forms.
    if hmac.compare_digest(validator.compute_signature(url, request.form).encode(), signature.encode()):
        return True
    return bool(validator.validate(url, request.form, signature))


@lru_cache(maxsize=4)
def _validator(token: str) -> RequestValidator:
    return RequestValidator(token)


def dialogue_for(app: Flask) -> Dialogue:
    """Return the app's dialogue over its state store and directory, made once per process."""
    found = app.extensions.get(_EXTENSION)
    if found is None:
        from ..directory import open_directory
        from ..directory.hours import is_holiday
        from ..matcher import get_matcher

        config = app.config
        store = SQLiteStore(
            config["NAVIGATOR_STATE_DB"],
            idle_minutes=int(config["NAVIGATOR_CONVERSATION_IDLE_MINUTES"]),
            retention_days=int(config["NAVIGATOR_RETENTION_DAYS"]),
        )
        directory = open_directory(config["NAVIGATOR_DIRECTORY"])
        # The holiday calendar loads lazily and slowly (about a second): not on a resident's message.
        is_holiday(datetime.now(UTC).date())
        # The app's own intents; the dialogue ranks services itself, so the matcher need not.
        matcher = get_matcher(config["NAVIGATOR_INTENTS"], config["NAVIGATOR_DIRECTORY"])
        found = Dialogue(store, directory, matcher=partial(matcher.match, services=False),
                         retention_days=int(config["NAVIGATOR_RETENTION_DAYS"]))
        handoff = app.extensions.get(_HANDOFF)
        if handoff is not None:
            found.handoff = handoff(app, found)
        app.extensions[_EXTENSION] = found
        _settle()
    return found


_settled = False


def _settle() -> None:
    """Take what was just loaded out of the garbage collector's sight, once per process.

    The matcher and the directory live as long as the process; a full collection walked
    them all (about 90 ms), a pause every resident waiting at that moment felt.
    """
    global _settled
    if not _settled:
        gc.collect()
        gc.freeze()
        _settled = True


def on_handoff(app: Flask, factory: Callable[[Flask, Dialogue], Handover]) -> None:
    """Register the live handoff the app's dialogue will consult on every message, on SMS and the web alike."""
    app.extensions[_HANDOFF] = factory
    built = app.extensions.get(_EXTENSION)
    if built is not None:
        built.handoff = factory(app, built)


def twiml(text: str) -> Response:
    """Wrap a reply in TwiML; an empty reply sends no message at all."""
    # The same bytes as twilio's MessagingResponse (tests compare them), without building an XML tree.
    if not text:
        return Response(_TWIML_EMPTY, mimetype="application/xml")
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Response(f"{_TWIML_HEAD}<Response><Message>{escaped}</Message></Response>", mimetype="application/xml")


@bp.post("/sms")
def incoming() -> Response:
    """Answer one incoming text."""
    if not _signature_ok():
        log.warning("rejected /sms request with a missing or invalid signature")
        abort(403)
    dialogue = dialogue_for(current_app._get_current_object())  # type: ignore[attr-defined]
    sid = request.form.get("MessageSid", "")
    now = datetime.now(UTC)
    if sid:
        earlier = dialogue.store.delivered(sid)
        if earlier is not None:
            log.debug("repeated delivery of %s answered from the store", sid)
            return twiml(earlier)
    sender = request.form.get("From", "")
    key = number_key(current_app.config["NAVIGATOR_SECRET_KEY"], sender)
    return twiml(reply_text(dialogue, key, request.form.get("Body", ""), now, sid=sid, sender=sender))


def answer(dialogue: Dialogue, key: str, body: str, now: datetime, *, sid: str = "", sender: str = "") -> render_sms.SmsReply:
    """Run the dialogue, render its reply for SMS and store the turn, with any rest kept behind MORE."""
    turn = dialogue.answer(key, body, now, contact=sender or None)
    rendered = render_sms.render(turn.reply)
    # One transaction for the turn: conversation, transcript, and the reply to a repeated delivery.
    with dialogue.store.transaction():
        dialogue.record(turn, shown=rendered.body, rest=rendered.rest)  # the transcript keeps what was sent
        if sid:
            dialogue.store.remember_delivery(sid, rendered.body, now)
    return rendered


def reply_text(dialogue: Dialogue, key: str, body: str, now: datetime, *, sid: str = "", sender: str = "") -> str:
    """Return the SMS text to send; a failure becomes a polite reply, never an error."""
    try:
        return answer(dialogue, key, body, now, sid=sid, sender=sender).body
    except Exception:
        # Twilio must get an answer; the log says what failed but never the message or number.
        log.exception("the dialogue failed on an incoming text (conversation %s)", key[:8])
        sorry = Translator("en").gettext("Sorry, something went wrong on our side. Please try again soon.")
        if sid:
            with suppress(sqlite3.Error):  # the store may be what failed; the polite reply goes out regardless
                dialogue.store.remember_delivery(sid, sorry, now)
        return sorry


def init_app(app: Flask) -> None:
    """Register the webhook and, behind trusted proxies, ProxyFix."""
    proxies = int(app.config.get("NAVIGATOR_PROXY_FIX") or 0)
    if proxies > 0 and not app.config.get("_NAVIGATOR_PROXY_FIXED"):
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies, x_prefix=proxies
        )
        app.config["_NAVIGATOR_PROXY_FIXED"] = True
    app.register_blueprint(bp)
