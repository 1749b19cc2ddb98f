"""Live handoff at the edges: the channels' dialogue hands conversations to people; operators answer.

The dialogue flags a handoff (the resident asked for a person) and counts
misses; this module watches its replies on the web chat and SMS, queues the
conversation during staffed hours and tells the resident the expected wait.
While a person has the conversation, the resident's messages go to the
transcript for them instead of to navigator.  Operators take, reply and
release through the console; the web chat polls ``/api/chat/live`` for replies,
and SMS replies go out at once through Twilio's REST API.
"""
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from twilio.base.exceptions import TwilioException

from ..dialogue import Dialogue, Line, Reply
from ..handoff import Handoff, Queue, staffed
from ..i18n import _
from ..state import StateStore
from . import web_send
from .operator import bp, current_user, refuse
from .operator_search import directory
from .sms import dialogue_for
from .web import conversation_key

log = logging.getLogger(__name__)
public = Blueprint("operator_live", __name__)
MAX_REPLY = 1000
_WRAPPED = "_navigator_handoff"
_STOP_WORDS = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit"}


def queue() -> Queue:
    """Return the handoff queue of the app's state database."""
    found = current_app.extensions.get("navigator_handoff")
    if found is None:
        found = Queue(current_app.config["NAVIGATOR_STATE_DB"])
        current_app.extensions["navigator_handoff"] = found
    return found


def _minutes(handoff: Handoff, now: datetime) -> int:
    return max(1, round(queue().expected_wait(handoff.id, now).total_seconds() / 60))


def _understood(store: StateStore, key: str, now: datetime) -> dict[str, Any]:
    conv = store.load(key, now)
    return {"needs": list(conv.needs), "municipality": conv.municipality, "age": conv.age,
            "for_whom": conv.for_whom, "language": conv.language, "results": list(conv.results[:5])}


def _contact() -> str | None:
    # Only the SMS webhook knows the number; it is needed to text the operator's replies.
    if request.endpoint != "sms.incoming":
        return None
    try:
        return web_send.canonical_number(request.form.get("From", ""))
    except web_send.SendRefused:
        return None


def _handed_over(dialogue: Dialogue, key: str, text: str, now: datetime, active: Handoff) -> Reply:
    """Pass a resident's message to the person who has (or will take) the conversation."""
    conv = dialogue.store.load(key, now)
    dialogue.store.log(key, "resident", text, now)
    # Keep the conversation alive while a person answers: navigator's idle timer must not end it.
    dialogue.store.save(conv, now)
    if active.channel == "sms":
        return Reply(conv.language, silent=True)  # the person answers by text; no automatic echo
    if active.status == "queued":
        line = _("A person will answer here soon. Expected wait: about %(minutes)s minutes.",
                 minutes=_minutes(active, now))
    else:
        line = _("Your message was passed to the person helping you.")
    return Reply(conv.language, (Line(line),))


def _in_crisis(dialogue: Dialogue, key: str, text: str, now: datetime) -> bool:
    language = dialogue.store.load(key, now).language
    return bool(dialogue.matcher(text, context={"conversation_language": language}).crisis)


def _handle_with_handoff(dialogue: Dialogue, original: Any, key: str, text: str, now: datetime | None = None) -> Reply:
    now = now or datetime.now(UTC)
    handoffs = queue()
    active = handoffs.active(key)
    if active is not None:
        if text.strip().lower() in _STOP_WORDS:
            handoffs.close(key, now)
        elif not _in_crisis(dialogue, key, text, now):
            return _handed_over(dialogue, key, text, now, active)
        # A crisis is answered with the crisis lines at once, never left waiting for a person;
        # the operator sees the message and the lines in the transcript.
    misses_before = dialogue.store.load(key, now).misses
    reply: Reply = original(key, text, now)
    if reply.silent or reply.crisis:
        return reply
    # The second miss in a row hands over once; a third, or a greeting after it, does not queue again.
    second_miss = misses_before < 2 <= dialogue.store.load(key, now).misses
    reason = "asked for a person" if reply.handoff_requested else "not understood twice" if second_miss else None
    if reason is None:
        return reply
    hours = str(current_app.config.get("NAVIGATOR_STAFFED_HOURS") or "")
    if not staffed(hours, now):
        # Nobody is in: the reply already gives 211; say when people answer here.
        line = Line(_("People on our team answer here %(hours)s.", hours=hours))
        return replace(reply, parts=(*reply.parts, line))
    channel = "web" if key.startswith("web:") else "sms"
    handoff = handoffs.enqueue(key, channel, reason, reply.language, _understood(dialogue.store, key, now),
                               _contact(), now)
    wait = _("A person from our team will answer here. Expected wait: about %(minutes)s minutes.",
             minutes=_minutes(handoff, now))
    log.info("conversation %s queued for a person (%s)", key[:12], reason)
    dialogue.store.log(key, "navigator", "[queued for a person]", now)
    return replace(reply, parts=(Line(wait), *reply.parts), handoff_requested=True)


def install(app: Flask) -> Dialogue:
    """Make the channels' dialogue hand conversations to people (once per app)."""
    dialogue = dialogue_for(app)
    if not getattr(dialogue, _WRAPPED, False):
        original = dialogue.handle

        def handle(key: str, text: str, now: datetime | None = None) -> Reply:
            return _handle_with_handoff(dialogue, original, key, text, now)

        dialogue.handle = handle  # type: ignore[method-assign]
        setattr(dialogue, _WRAPPED, True)
    return dialogue


def _before_channel_request() -> None:
    if request.endpoint in ("sms.incoming", "web.chat"):
        install(current_app._get_current_object())  # type: ignore[attr-defined]


# ---- the resident's side: the web chat polls for replies --------------------------------------

@public.get("/api/chat/live")
def resident_poll() -> ResponseReturnValue:
    """Return a web conversation's handoff status and the operator replies after ``after``."""
    key = conversation_key(request.args.get("conversation_id", ""))
    if key is None:
        return jsonify(error={"code": "unknown_conversation", "message": "This conversation does not exist."}), 404
    try:
        after = max(0, int(request.args.get("after", "0")))
    except ValueError:
        after = 0
    handoff = queue().by_key(key)
    if handoff is None:
        return jsonify(status="none", messages=[])
    messages = [{"id": m.id, "text": m.text, "at": m.at.isoformat()} for m in queue().messages(handoff.id, after)]
    return jsonify(status=handoff.status, messages=messages)


# ---- the operator's side ----------------------------------------------------------------------

def _row(handoff: Handoff, now: datetime) -> dict[str, Any]:
    user = current_user()
    return {
        "id": handoff.id, "channel": handoff.channel, "reason": handoff.reason, "status": handoff.status,
        "language": handoff.language, "understood": handoff.understood, "taken_by": handoff.taken_by,
        "mine": bool(user and handoff.taken_by == user.name),
        "waiting_minutes": int((now - handoff.queued_at).total_seconds() // 60),
    }


@bp.get("/live")
def live() -> ResponseReturnValue:
    """Show the conversations waiting for a person (the page polls for changes)."""
    return render_template("operator/live.html")


@bp.get("/api/live")
def api_queue() -> ResponseReturnValue:
    """List queued and taken conversations."""
    now = datetime.now(UTC)
    return jsonify(handoffs=[_row(h, now) for h in queue().open()])


def _conversation(handoff_id: int) -> Handoff | None:
    return queue().get(handoff_id)


@bp.get("/live/<int:handoff_id>")
def conversation(handoff_id: int) -> ResponseReturnValue:
    """Show one conversation: transcript, what navigator understood, take, reply, release."""
    handoff = _conversation(handoff_id)
    if handoff is None:
        return refuse(404, "There is no such conversation.")
    return render_template("operator/conversation.html", handoff=handoff)


@bp.get("/api/live/<int:handoff_id>")
def api_conversation(handoff_id: int) -> ResponseReturnValue:
    """Return one conversation's status, transcript and what navigator understood."""
    handoff = _conversation(handoff_id)
    if handoff is None:
        return refuse(404, "There is no such conversation.")
    store = dialogue_for(current_app._get_current_object()).store  # type: ignore[attr-defined]
    lines = [{"at": line.at.isoformat(), "role": line.role, "text": line.text} for line in store.transcript(handoff.key)]
    shown = directory().get_many(list(handoff.understood.get("results", [])))
    services = [{"id": s.id, "name": s.name} for s in shown.values()]
    return jsonify(handoff=_row(handoff, datetime.now(UTC)), transcript=lines, services=services)


@bp.post("/api/live/<int:handoff_id>/take")
def api_take(handoff_id: int) -> ResponseReturnValue:
    """Take a queued conversation; 409 when another operator took it first."""
    user = current_user()
    assert user is not None
    if not queue().take(handoff_id, user.name, datetime.now(UTC)):
        return refuse(409, "Someone else has already taken this conversation.")
    log.info("operator %s took handoff %d", user.name, handoff_id)
    return jsonify(taken=True)


@bp.post("/api/live/<int:handoff_id>/reply")
def api_reply(handoff_id: int) -> ResponseReturnValue:
    """Send the operator's reply to the resident."""
    user = current_user()
    assert user is not None
    handoff = _conversation(handoff_id)
    if handoff is None or handoff.status != "taken" or handoff.taken_by != user.name:
        return refuse(409, "Take the conversation before replying.")
    body = request.get_json(silent=True)
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_REPLY:
        return refuse(400, f"Write a reply of 1 to {MAX_REPLY} characters.")
    now = datetime.now(UTC)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if handoff.channel == "sms":
        if not handoff.contact or not web_send.available(app.config):
            return refuse(409, "This text conversation cannot be answered from here (Twilio is not set up).")
        try:
            web_send.twilio_client(app.config).messages.create(
                to=handoff.contact, from_=web_send.setting(app.config, "TWILIO_FROM_NUMBER"), body=text.strip())
        except (TwilioException, OSError) as exc:
            log.warning("Twilio refused an operator reply: %s", type(exc).__name__)
            return refuse(502, "The text could not be sent. Try again.")
    message = queue().add_message(handoff.id, user.name, text.strip(), now)
    dialogue_for(app).store.log(handoff.key, "operator", text.strip(), now)
    return jsonify(sent=True, id=message.id)


@bp.post("/api/live/<int:handoff_id>/release")
def api_release(handoff_id: int) -> ResponseReturnValue:
    """Hand the conversation back to navigator."""
    user = current_user()
    assert user is not None
    if not queue().release(handoff_id, user.name, datetime.now(UTC)):
        return refuse(409, "Only the operator who took this conversation can release it.")
    return jsonify(released=True)


def init_app(app: Flask) -> None:
    """Register the residents' polling route and watch the channels for handoffs."""
    app.register_blueprint(public)
    app.before_request(_before_channel_request)
