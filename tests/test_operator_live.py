"""Live handoff end to end: web chat and SMS residents queued, an operator takes, replies, releases."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from test_operator_fixtures import Console, make_app
from test_operator_send import RecordingHttpClient, sent
from twilio.request_validator import RequestValidator

from navigator.channels.operator_live import LiveHandoff, queue
from navigator.channels.sms import dialogue_for
from navigator.dialogue import Line, Reply
from navigator.directory.hours import TORONTO
from navigator.handoff import Queue
from navigator.i18n import Translator
from navigator.models import Match
from navigator.state import Conversation

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "live-auth-token"
RESIDENT = "+19055550166"
ALWAYS = "Mon-Sun 00:00-23:59"


@pytest.fixture
def transport() -> RecordingHttpClient:
    return RecordingHttpClient()


@pytest.fixture
def app(tmp_path: Path, transport: RecordingHttpClient) -> Flask:
    return make_app(tmp_path, NAVIGATOR_STAFFED_HOURS=ALWAYS, TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN=TOKEN,
                    TWILIO_FROM_NUMBER="+12895550100", NAVIGATOR_TWILIO_HTTP_CLIENT=transport)


def chat(client: FlaskClient, message: str, cid: str | None = None) -> dict[str, Any]:
    body = {"message": message, **({"conversation_id": cid} if cid else {})}
    response = client.post("/api/chat", json=body)
    assert 200 == response.status_code, response.get_data(as_text=True)
    return dict(response.json)


def sms(client: FlaskClient, body: str, sid: str) -> str:
    params = {"MessageSid": sid, "From": RESIDENT, "To": "+12895550100", "Body": body, "NumMedia": "0"}
    signature = RequestValidator(TOKEN).compute_signature("http://localhost/sms", params)
    response = client.post("/sms", data=params, headers={"X-Twilio-Signature": signature})
    assert 200 == response.status_code
    return response.get_data(as_text=True)


def queued(console: Console) -> list[dict[str, Any]]:
    return list(console.get("/operator/api/live").json["handoffs"])


def test_a_web_resident_who_asks_for_a_person_is_answered_by_an_operator(app: Flask) -> None:
    resident = app.test_client()
    first = chat(resident, "I need food in Milton")
    cid = first["conversation_id"]
    answer = chat(resident, "I want to talk to a person", cid)
    assert answer["reply"]["text"].startswith(
        "A person from our team will answer here. Expected wait: about 5 minutes.")
    olive, eddie = Console(app.test_client(), "olive"), Console(app.test_client(), "eddie")
    [waiting] = queued(olive)
    assert ("web", "asked for a person", "queued", ["food"], "milton") == (
        waiting["channel"], waiting["reason"], waiting["status"], waiting["understood"]["needs"],
        waiting["understood"]["municipality"])
    hid = waiting["id"]
    assert 200 == olive.post_json(f"/operator/api/live/{hid}/take", {}).status_code
    assert 409 == eddie.post_json(f"/operator/api/live/{hid}/take", {}).status_code
    assert 409 == eddie.post_json(f"/operator/api/live/{hid}/reply", {"text": "Hi"}).status_code
    assert 200 == olive.post_json(f"/operator/api/live/{hid}/reply", {"text": "Hi, I am Olive. How can I help?"}).status_code
    polled = resident.get("/api/chat/live", query_string={"conversation_id": cid}).json
    assert "taken" == polled["status"]
    assert ["Hi, I am Olive. How can I help?"] == [m["text"] for m in polled["messages"]]
    after = polled["messages"][-1]["id"]
    assert [] == resident.get("/api/chat/live", query_string={"conversation_id": cid, "after": after}).json["messages"]
    # While a person has the conversation, the resident's words go to them, not to navigator.
    answer = chat(resident, "My rent is late too", cid)
    assert "Your message was passed to the person helping you." == answer["reply"]["text"]
    seen = olive.get(f"/operator/api/live/{hid}").json
    assert seen["services"] and all(s["name"] for s in seen["services"])  # the food results shown before
    transcript = seen["transcript"]
    assert [("resident", "My rent is late too"), ("operator", "Hi, I am Olive. How can I help?")] == [
        (line["role"], line["text"]) for line in transcript][-1:-3:-1]
    assert 409 == eddie.post_json(f"/operator/api/live/{hid}/release", {}).status_code
    assert 200 == olive.post_json(f"/operator/api/live/{hid}/release", {}).status_code
    assert [] == queued(olive)
    answer = chat(resident, "I need food in Milton", cid)
    assert "passed to the person" not in answer["reply"]["text"] and answer["services"]


def test_two_misses_queue_the_conversation(app: Flask) -> None:
    resident = app.test_client()
    cid = chat(resident, "hello")["conversation_id"]
    answer = chat(resident, "qwzx vbnm", cid)
    assert "Sorry, I did not understand" in answer["reply"]["text"]
    assert [] == queued(Console(app.test_client(), "olive"))
    answer = chat(resident, "plok trrf", cid)
    assert "A person from our team will answer here" in answer["reply"]["text"]
    olive = Console(app.test_client(), "olive")
    [waiting] = queued(olive)
    assert "not understood twice" == waiting["reason"]
    olive.post_json(f"/operator/api/live/{waiting['id']}/take", {})
    olive.post_json(f"/operator/api/live/{waiting['id']}/release", {})
    # Back with navigator: a greeting does not send the conversation to the queue again.
    assert "A person from our team" not in chat(resident, "hello", cid)["reply"]["text"]
    assert [] == queued(olive)


def test_outside_staffed_hours_the_resident_gets_211_and_the_hours(tmp_path: Path) -> None:
    # A day that is not today in Toronto: nobody is in.
    other_day = (datetime.now(TORONTO) + timedelta(days=3)).strftime("%a")
    hours = f"{other_day} 09:00-17:00"
    app = make_app(tmp_path, NAVIGATOR_STAFFED_HOURS=hours)
    answer = chat(app.test_client(), "I want to talk to a person")
    text = answer["reply"]["text"]
    assert "211" in text and f"People on our team answer here {hours}." in text
    assert "Expected wait" not in text
    assert [] == queued(Console(app.test_client(), "olive"))


def test_an_sms_resident_gets_the_operators_reply_by_twilio(app: Flask, transport: RecordingHttpClient) -> None:
    resident = app.test_client()
    assert "Expected wait: about 5 minutes" in sms(resident, "I want to talk to a person", "SM1")
    olive = Console(app.test_client(), "olive")
    [waiting] = queued(olive)
    assert "sms" == waiting["channel"] and "contact" not in waiting
    olive.post_json(f"/operator/api/live/{waiting['id']}/take", {})
    assert 200 == olive.post_json(f"/operator/api/live/{waiting['id']}/reply", {"text": "Hello from Olive"}).status_code
    assert [{"method": "POST", "uri": f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json",
             "data": {"To": RESIDENT, "From": "+12895550100", "Body": "Hello from Olive"},
             "auth": (SID, TOKEN)}] == sent(transport)
    # The resident's next text goes to Olive; Twilio gets an empty answer, not an automatic echo.
    assert '<?xml version="1.0" encoding="UTF-8"?><Response />' == sms(resident, "thanks, where is it?", "SM2")
    lines = olive.get(f"/operator/api/live/{waiting['id']}").json["transcript"]
    assert ("resident", "thanks, where is it?") == (lines[-1]["role"], lines[-1]["text"])


def test_stop_during_a_handoff_closes_it_and_opts_out(app: Flask) -> None:
    resident = app.test_client()
    sms(resident, "I want to talk to a person", "SM1")
    assert '<?xml version="1.0" encoding="UTF-8"?><Response />' == sms(resident, "STOP", "SM2")
    assert [] == queued(Console(app.test_client(), "olive"))


def test_the_chat_page_polls_for_replies_and_forged_ids_are_refused(app: Flask) -> None:
    client = app.test_client()
    assert '"live_url": "/api/chat/live"' in client.get("/chat").get_data(as_text=True)
    assert 404 == client.get("/api/chat/live", query_string={"conversation_id": "forged.abc"}).status_code
    cid = chat(client, "hello")["conversation_id"]
    assert {"status": "none", "messages": []} == client.get("/api/chat/live", query_string={"conversation_id": cid}).json


def test_the_live_pages_render_for_operators(app: Flask) -> None:
    resident = app.test_client()
    chat(resident, "I want to talk to a person")
    olive = Console(app.test_client(), "olive")
    hid = queued(olive)[0]["id"]
    assert 'id="queue"' in olive.get("/operator/live").get_data(as_text=True)
    page = olive.get(f"/operator/live/{hid}").get_data(as_text=True)
    assert 'id="transcript"' in page and 'id="take"' in page
    assert 404 == olive.get("/operator/live/999").status_code


def test_a_crisis_during_a_handoff_gets_the_crisis_lines_at_once(app: Flask) -> None:
    resident = app.test_client()
    cid = chat(resident, "I want to talk to a person")["conversation_id"]
    answer = chat(resident, "I want to kill myself", cid)
    assert answer["crisis"] and "9-8-8" in answer["reply"]["text"]
    olive = Console(app.test_client(), "olive")
    [waiting] = queued(olive)
    lines = [line["text"] for line in olive.get(f"/operator/api/live/{waiting['id']}").json["transcript"]]
    assert "I want to kill myself" in lines and any("9-8-8" in line for line in lines)


def test_the_dialogue_consults_the_live_handoff_through_its_hook_over_one_connection(app: Flask) -> None:
    dialogue = dialogue_for(app)
    assert "handle" not in vars(dialogue)  # the class's own method, not a replacement
    assert isinstance(dialogue.handoff, LiveHandoff)
    with app.app_context():
        assert dialogue.store.connection() is queue()._connection()  # type: ignore[attr-defined]


def test_the_expected_wait_says_minute_or_minutes_by_each_languages_plural_rules(tmp_path: Path) -> None:
    now = datetime(2026, 3, 2, 15, 0, tzinfo=TORONTO)
    handoffs = Queue(tmp_path / "state.db")
    # One earlier conversation taken after 30 seconds: each place in the queue waits about a minute.
    earlier = handoffs.enqueue("web:earlier", "web", "asked for a person", "en", {}, None, now - timedelta(hours=1))
    assert handoffs.take(earlier.id, "olive", now - timedelta(hours=1) + timedelta(seconds=30))
    live = LiveHandoff(handoffs, ALWAYS)

    def ask(key: str, lang: str) -> str:
        conv = Conversation(key, language=lang)
        reply, _notes = live.after(conv, conv, Reply(lang, handoff_requested=True), None, now)
        first = reply.parts[0]
        assert isinstance(first, Line)
        return Translator(lang).render(first.text)

    def waiting(key: str, lang: str) -> str:
        held = live.held(Conversation(key, language=lang), "halo?", Match("halo?", lang), now)
        assert held is not None and isinstance(held.parts[0], Line)
        return Translator(lang).render(held.parts[0].text)

    assert "Expected wait: about 1 minute." in ask("web:en", "en")
    # Second in the queue: 2 minutes, Polish 'few' form; Arabic 3 minutes takes the 3-10 plural.
    assert "około 2 minut." in ask("web:pl", "pl")
    assert "حوالي 3 دقائق." in ask("web:ar", "ar")
    handoffs.close("web:en", now)
    assert "około 1 minuty." in waiting("web:pl", "pl")
    assert "حوالي 2 دقيقة." in waiting("web:ar", "ar")
    assert "Expected wait: about 3 minutes." in ask("web:en2", "en")
