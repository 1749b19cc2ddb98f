"""The web chat's JSON API: ``POST /api/chat`` and ``POST /api/chat/send`` (pages: web_pages.py).

A conversation id is a random token and its HMAC under the secret key, so an
id navigator never issued is refused (404) without a look-up, and an issued
one whose conversation was purged is recognised as restarted, never resumed
silently.  Every error of the JSON API is a JSON object with a 4xx status.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    request,
)
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from .. import web_i18n
from ..dialogue_reply import Line, Reply
from ..i18n import _
from ..models import LANGUAGES
from ..render import web as render_web
from . import web_send
from .sms import dialogue_for

log = logging.getLogger(__name__)
bp = Blueprint("web", __name__)
MAX_MESSAGE = 1000
_API_PREFIX = "/api/chat"
_NOTHING_TO_STOP = _("This chat does not send you texts, so there is nothing to stop. What do you need help with?")


class ApiError(Exception):
    """A refused API request: HTTP status, a stable code and a message for people."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str) -> Response:
    """Return a JSON error the chat page and API clients can both read."""
    response = jsonify(error={"code": code, "message": message})
    response.status_code = status
    return response


def _sign(token: str) -> str:
    secret = str(current_app.config["NAVIGATOR_SECRET_KEY"]).encode()
    return hmac.new(secret, b"web-conversation:" + token.encode(), hashlib.sha256).hexdigest()[:32]


def new_conversation_id() -> str:
    """Issue a conversation id: a random token and its signature."""
    token = secrets.token_urlsafe(18)
    return f"{token}.{_sign(token)}"


def conversation_key(conversation_id: str) -> str | None:
    """Return the state-store key of an id navigator issued, or None for any other id."""
    token, dot, signature = conversation_id.partition(".")
    if not dot or not token or len(conversation_id) > 100:
        return None
    # Bytes, not str: compare_digest refuses non-ASCII strings, and ids come from anyone.
    if not hmac.compare_digest(signature.encode(), _sign(token).encode()):
        return None
    return f"web:{token}"


def json_body() -> dict[str, Any]:
    """Return the request's JSON object, or raise the ApiError that says what is wrong."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "Send the request as application/json.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "The request body must be a JSON object.")
    return body


def _conversation(body: dict[str, Any]) -> tuple[str, str, bool]:
    """Return (conversation id, store key, whether the id was issued before)."""
    if "conversation_id" not in body:
        cid = new_conversation_id()
        key = conversation_key(cid)
        assert key is not None
        return cid, key, False
    cid = body["conversation_id"]
    if not isinstance(cid, str):
        raise ApiError(400, "invalid_conversation_id", "conversation_id must be a string.")
    key = conversation_key(cid)
    if key is None:
        raise ApiError(404, "unknown_conversation", "This conversation does not exist. Start a new one.")
    return cid, key, True


def _language(body: dict[str, Any]) -> str | None:
    if "lang" not in body:
        return None
    tag = body["lang"]
    if tag not in LANGUAGES:
        raise ApiError(400, "invalid_lang", "lang must be one of: " + ", ".join(LANGUAGES) + ".")
    return str(tag)


def _message(body: dict[str, Any]) -> str:
    message = body.get("message")
    if not isinstance(message, str) or not message.strip():
        raise ApiError(400, "missing_message", "message must be a non-empty string.")
    if len(message) > MAX_MESSAGE:
        raise ApiError(400, "message_too_long", f"message must be at most {MAX_MESSAGE} characters.")
    return message


@bp.post("/api/chat")
def chat() -> ResponseReturnValue:
    """Answer one message of the web chat."""
    body = json_body()
    message, lang = _message(body), _language(body)
    cid, key, known = _conversation(body)
    dialogue = dialogue_for(current_app._get_current_object())  # type: ignore[attr-defined]
    turn = dialogue.answer(key, message, datetime.now(UTC), language=lang)
    if turn.reply.silent:
        # STOP is a carrier's opt-out for texts; the web chat sends none, so it only clears the list.
        turn = replace(turn, reply=Reply(turn.reply.language, (Line(_NOTHING_TO_STOP),)), opt_out=False)
    reply, after = turn.reply, turn.conversation
    rendered = render_web.render(reply)
    dialogue.record(turn, shown=render_web.transcript_text(rendered))  # what the chat showed
    # An issued id with no stored conversation was idle past the limit and purged.
    restarted = reply.restarted or (known and turn.new)
    sending = web_send.available(current_app.config)
    helping = after.for_whom not in (None, "self")
    if after.pending == "municipality" and not rendered["quick_replies"]:
        rendered["quick_replies"] = render_web.town_replies()
    return jsonify(
        conversation_id=cid,
        language=reply.language,
        dir=web_i18n.direction(reply.language),
        reply=rendered,
        needs=list(reply.needs),
        crisis=reply.crisis,
        services=[service.id for service in reply.services],
        restarted=bool(restarted),
        safe=after.safe,
        can_send=sending and bool(after.results),
        offer_send=sending and helping and bool(reply.services),
        handoff=reply.handoff_requested,
    )


@bp.post("/api/chat/send")
def send() -> ResponseReturnValue:
    """Text the conversation's last results to a phone number the resident confirmed."""
    if not web_send.available(current_app.config):
        raise ApiError(404, "not_available", "Sending texts is not set up on this server.")
    body = json_body()
    _cid, key, known = _conversation(body)
    if not known:
        raise ApiError(400, "missing_conversation_id", "conversation_id is required.")
    if body.get("confirm") is not True:
        raise ApiError(400, "not_confirmed", "Tick the box to confirm you want these texted to you.")
    phone = body.get("phone")
    if not isinstance(phone, str) or not phone.strip() or len(phone) > 40:
        raise ApiError(400, "invalid_phone", "phone must be a phone number.")
    dialogue = dialogue_for(current_app._get_current_object())  # type: ignore[attr-defined]
    try:
        sent = web_send.send_results(current_app.config, dialogue, key, phone, datetime.now(UTC))
    except web_send.SendRefused as refused:
        raise ApiError(refused.status, refused.code, str(refused)) from refused
    return jsonify(sent=True, to=sent.masked, remaining=sent.remaining, segments=sent.segments)


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> ResponseReturnValue:
    return error_response(error.status, error.code, error.message)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> ResponseReturnValue:
    if not request.path.startswith(_API_PREFIX):
        return error
    name = (error.name or "error").lower().replace(" ", "_")
    return error_response(error.code or 400, name, error.description or error.name or "Error")


@bp.before_request
def _limit_body() -> None:
    # A message is at most 1000 characters; nothing bigger than a few of them is ever read.
    if request.path.startswith(_API_PREFIX):
        request.max_content_length = 16 * 1024


def _method_not_allowed(error: MethodNotAllowed) -> ResponseReturnValue:
    # Routing refuses the method before any blueprint is chosen, so this handler is the app's.
    if not request.path.startswith(_API_PREFIX):
        return error
    response = error_response(405, "method_not_allowed", "Use POST with a JSON body.")
    response.headers["Allow"] = ", ".join(sorted(error.valid_methods or ["POST"]))
    return response


def init_app(app: Flask) -> None:
    """Register the web chat: its API, its pages and its languages."""
    from . import web_pages

    web_i18n.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(web_pages.bp)
    app.register_error_handler(MethodNotAllowed, _method_not_allowed)
