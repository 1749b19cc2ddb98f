"""Live handoff: the channels' dialogue hands conversations to people; operators answer.

``init_app`` registers ``LiveHandoff``, which the channels' dialogue consults
on every message with what it already loaded and matched (one indexed look-up,
nothing more).  A conversation is queued when the resident asks for a person
or navigator fails to understand twice, during staffed hours; outside them the
reply says when people answer.  While a person has the conversation, the
resident's messages go to the transcript for them instead of to navigator,
except a crisis, answered with the crisis lines at once.  Operators take,
reply and release through the console; the web chat polls ``/api/chat/live``
for replies, and SMS replies go out at once through Twilio's REST API.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from twilio.base.exceptions import TwilioException

from ..dialogue import Dialogue, Line, Reply
from ..handoff import Handoff, Queue, staffed
from ..i18n import _, ngettext
from ..models import Match
from ..state import Conversation, StateStore
from . import web_send
from .operator import bp, current_user, refuse
from .operator_search import directory
from .sms import dialogue_for, on_handoff
from .web import conversation_key

log = logging.getLogger(__name__)
public = Blueprint("operator_live", __name__)
MAX_REPLY = 1000
_QUEUE = "navigator_handoff"
_STOP_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit"})
QUEUED_NOTE = "[queued for a person]"


def queue() -> Queue:
    """Return the handoff queue of the app's state database."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return _queue(app, dialogue_for(app).store)


def _queue(app: Flask, store: StateStore) -> Queue:
    found: Queue | None = app.extensions.get(_QUEUE)
    if found is None:
        # The store's own connections when it has them: one per thread for state and handoffs alike.
        found = Queue(app.config["NAVIGATOR_STATE_DB"], getattr(store, "connection", None))
        app.extensions[_QUEUE] = found
    return found


def _understood(conv: Conversation) -> dict[str, Any]:
    return {"needs": list(conv.needs), "municipality": conv.municipality, "age": conv.age,
            "for_whom": conv.for_whom, "language": conv.language, "results": list(conv.results[:5])}


class LiveHandoff:
    """The dialogue's handover to people, over the handoff queue of the state database (no Flask in it)."""

    def __init__(self, queue: Queue, staffed_hours: str, contact: Callable[[str], str | None] = lambda _: None) -> None:
        self.queue = queue
        self.staffed_hours = staffed_hours
        # Turns what the channel knows of the resident (the SMS sender) into a number to text, or None.
        self.contact = contact

    def held(self, conv: Conversation, text: str, found: Match, now: datetime) -> Reply | None:
        """Return the reply while a person has the conversation; None lets navigator answer."""
        active = self.queue.active(conv.key)
        if active is None:
            return None
        if text.strip().lower() in _STOP_WORDS:
            self.queue.close(conv.key, now)
            return None
        if found.crisis:
            # Never left waiting for a person; the operator sees the message and the lines in the transcript.
            return None
        if active.channel == "sms":
            return Reply(conv.language, silent=True)  # the person answers by text; no automatic echo
        if active.status == "queued":
            minutes = self._minutes(active, now)
            line = ngettext("A person will answer here soon. Expected wait: about %(minutes)s minute.",
                            "A person will answer here soon. Expected wait: about %(minutes)s minutes.",
                            minutes, minutes=minutes)
        else:
            line = _("Your message was passed to the person helping you.")
        return Reply(conv.language, (Line(line),))

    def after(self, before: Conversation, conv: Conversation, reply: Reply, contact: str | None,
              now: datetime) -> tuple[Reply, tuple[str, ...]]:
        """Queue the conversation for a person when the turn calls for it; return the reply and transcript notes."""
        if reply.silent or reply.crisis:
            return reply, ()
        # The second miss in a row hands over once; a third, or a greeting after it, does not queue again.
        second_miss = before.misses < 2 <= conv.misses
        reason = "asked for a person" if reply.handoff_requested else "not understood twice" if second_miss else None
        if reason is None:
            return reply, ()
        if not staffed(self.staffed_hours, now):
            # Nobody is in: the reply already gives 211; say when people answer here.
            line = Line(_("People on our team answer here %(hours)s.", hours=self.staffed_hours))
            return replace(reply, parts=(*reply.parts, line)), ()
        channel = "web" if conv.key.startswith("web:") else "sms"
        number = self.contact(contact) if contact and channel == "sms" else None
        handoff = self.queue.enqueue(conv.key, channel, reason, reply.language, _understood(conv), number, now)
        minutes = self._minutes(handoff, now)
        wait = ngettext("A person from our team will answer here. Expected wait: about %(minutes)s minute.",
                        "A person from our team will answer here. Expected wait: about %(minutes)s minutes.",
                        minutes, minutes=minutes)
        log.info("conversation %s queued for a person (%s)", conv.key[:12], reason)
        return replace(reply, parts=(Line(wait), *reply.parts), handoff_requested=True), (QUEUED_NOTE,)

    def _minutes(self, handoff: Handoff, now: datetime) -> int:
        return max(1, round(self.queue.expected_wait(handoff.id, now).total_seconds() / 60))


def _sms_contact(sender: str) -> str | None:
    # The number is needed to text the operator's replies; a number Twilio could not text is not kept.
    try:
        return web_send.canonical_number(sender)
    except web_send.SendRefused:
        return None


def live_handoff(app: Flask, dialogue: Dialogue) -> LiveHandoff:
    """Build the live handoff the app's dialogue consults on every message."""
    hours = str(app.config.get("NAVIGATOR_STAFFED_HOURS") or "")
    return LiveHandoff(_queue(app, dialogue.store), hours, _sms_contact)


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
    """Register the residents' polling route and hand the channels' conversations to people."""
    app.register_blueprint(public)
    on_handoff(app, live_handoff)
