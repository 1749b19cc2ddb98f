"""The web chat's JSON API, pages and "send these to my phone" through the real Twilio client."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from twilio.http import HttpClient
from twilio.http.response import Response as TwilioResponse

from navigator import create_app, web_i18n
from navigator.channels.sms import dialogue_for
from navigator.channels.web import conversation_key
from navigator.models import LANGUAGES
from navigator.render.sms import segments
from navigator.state import number_key

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "web-test-auth-token"
SENDER = "+12895550100"
RESIDENT = "905-555-0123"  # 555-01xx numbers are reserved for fiction


def chat(client: FlaskClient, message: str, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/chat", json={"message": message, **fields})
    assert response.status_code == 200, response.get_data(as_text=True)
    return dict(response.get_json())


# ---- bad input: every case a JSON 4xx, never a 500 ----

BAD_REQUESTS = [
    # (description, kwargs for client.post, status, error code)
    ("not JSON", {"data": "{not json", "content_type": "application/json"}, 400, "invalid_json"),
    ("a JSON list", {"json": ["hello"]}, 400, "invalid_json"),
    ("form encoded", {"data": {"message": "hello"}}, 415, "unsupported_media_type"),
    ("text/plain", {"data": "hello", "content_type": "text/plain"}, 415, "unsupported_media_type"),
    ("no message", {"json": {}}, 400, "missing_message"),
    ("blank message", {"json": {"message": "   "}}, 400, "missing_message"),
    ("message not a string", {"json": {"message": 42}}, 400, "missing_message"),
    ("1001 characters", {"json": {"message": "a" * 1001}}, 400, "message_too_long"),
    ("unknown language", {"json": {"message": "hi", "lang": "xx"}}, 400, "invalid_lang"),
    ("language not a string", {"json": {"message": "hi", "lang": 3}}, 400, "invalid_lang"),
    ("regional tag", {"json": {"message": "hi", "lang": "fr-CA"}}, 400, "invalid_lang"),
    ("language null", {"json": {"message": "hi", "lang": None}}, 400, "invalid_lang"),
    ("conversation id null", {"json": {"message": "hi", "conversation_id": None}}, 400, "invalid_conversation_id"),
    ("forged conversation id", {"json": {"message": "hi", "conversation_id": "abc.0123"}}, 404, "unknown_conversation"),
    ("id without signature", {"json": {"message": "hi", "conversation_id": "abc"}}, 404, "unknown_conversation"),
    ("id not a string", {"json": {"message": "hi", "conversation_id": 7}}, 400, "invalid_conversation_id"),
    ("huge body", {"json": {"message": "hi", "padding": "x" * 20000}}, 413, "request_entity_too_large"),
]


@pytest.mark.parametrize(("case", "kwargs", "status", "code"), BAD_REQUESTS, ids=[c[0] for c in BAD_REQUESTS])
def test_bad_chat_requests_get_json_4xx(client: FlaskClient, case: str, kwargs: dict[str, Any], status: int,
                                        code: str) -> None:
    response = client.post("/api/chat", **kwargs)
    assert (status, "application/json") == (response.status_code, response.mimetype)
    assert code == response.get_json()["error"]["code"]
    assert response.get_json()["error"]["message"]


@pytest.mark.parametrize("method", ["get", "put", "delete", "patch"])
def test_other_methods_get_json_405(client: FlaskClient, method: str) -> None:
    response = getattr(client, method)("/api/chat")
    assert (405, "application/json") == (response.status_code, response.mimetype)
    assert {"OPTIONS", "POST"} == set(response.headers["Allow"].split(", "))


def test_a_message_of_exactly_1000_characters_is_accepted(client: FlaskClient) -> None:
    assert chat(client, "food " + "a" * 995)["conversation_id"]


def test_an_id_signed_with_another_secret_is_unknown(client: FlaskClient, tmp_path: Path) -> None:
    other = create_app({"TESTING": True, "NAVIGATOR_STATE_DB": str(tmp_path / "other.db"),
                        "NAVIGATOR_SECRET_KEY": "another-secret"}).test_client()
    foreign = chat(other, "hello")["conversation_id"]
    response = client.post("/api/chat", json={"message": "hello", "conversation_id": foreign})
    assert 404 == response.status_code


# ---- answers ----

def test_results_come_as_cards_with_tap_to_call_links(client: FlaskClient) -> None:
    data = chat(client, "I need food in Milton")
    assert ["food"] == data["needs"][:1]
    assert not data["crisis"]
    cards = data["reply"]["cards"]
    assert 1 <= len(cards) <= 3
    assert [card["id"] for card in cards] == data["services"]
    assert [1, 2, 3][: len(cards)] == [card["number"] for card in cards]
    phones = [phone for card in cards for phone in card["phones"]]
    assert phones
    for phone in phones:
        assert re.fullmatch(r"tel:(\+1\d{10}(;ext=\d+)?|\d{3})", phone["tel"]), phone
        assert phone["display"] in phone["call_label"]
    assert all(card["details"] for card in cards)


def test_the_transcript_keeps_what_the_chat_showed(app: Flask, client: FlaskClient) -> None:
    data = chat(client, "I need food in Milton")
    with app.app_context():
        key = conversation_key(data["conversation_id"])
    assert key is not None
    resident, navigator = dialogue_for(app).store.transcript(key)[-2:]
    assert ("resident", "I need food in Milton") == (resident.role, resident.text)
    first = data["reply"]["cards"][0]
    assert navigator.text.startswith(data["reply"]["text"])
    assert f"1. {first['name']} {first['phones'][0]['display']}" in navigator.text.splitlines()


def test_the_conversation_continues_with_its_id(client: FlaskClient) -> None:
    first = chat(client, "I need food")
    assert first["reply"]["text"].startswith("Which town")
    # The town question offers the four towns as quick replies.
    assert ["Burlington", "Oakville", "Milton", "Halton Hills"] == [q["label"] for q in first["reply"]["quick_replies"]]
    second = chat(client, "Oakville", conversation_id=first["conversation_id"])
    assert first["conversation_id"] == second["conversation_id"]
    assert second["reply"]["cards"]
    assert "food" in second["needs"]


def test_more_results_is_a_quick_reply_that_shows_the_next_cards(client: FlaskClient) -> None:
    first = chat(client, "I need a lawyer")
    assert [1, 2, 3] == [card["number"] for card in first["reply"]["cards"]]
    assert [{"label": "More results", "message": "MORE"}] == first["reply"]["quick_replies"]
    more = chat(client, "MORE", conversation_id=first["conversation_id"])
    assert 4 == more["reply"]["cards"][0]["number"]
    assert not set(more["services"]) & set(first["services"])


@pytest.mark.parametrize(("value", "expected"), [
    ("fr-CA", "fr"), ("zh-CN", "zh-Hans"), ("zh-Hans", "zh-Hans"), ("zh_Hans", "zh-Hans"), ("zh-TW", None),
    ("fil", "tl"), ("pa-IN", "pa"), ("EN", "en"), ("de", None), ("", None), (None, None),
])
def test_language_tags_from_browsers_map_to_the_twelve(value: str | None, expected: str | None) -> None:
    assert expected == web_i18n.normalise_tag(value)


def test_a_crisis_message_gets_the_crisis_lines_first(client: FlaskClient) -> None:
    data = chat(client, "I want to kill myself")
    assert data["crisis"]
    assert "crisis" == data["needs"][0]
    assert data["reply"]["text"].startswith("If you or someone else is in danger now, call 911.")
    assert "9-8-8" in data["reply"]["text"] or "988" in data["reply"]["text"]


def test_lang_sets_the_language_and_direction(client: FlaskClient) -> None:
    arabic = chat(client, "أحتاج طعام في ميلتون", lang="ar")
    assert ("ar", "rtl") == (arabic["language"], arabic["dir"])
    french = chat(client, "j'ai besoin de nourriture", lang="fr")
    assert ("fr", "ltr") == (french["language"], french["dir"])


def test_safe_toggles_discreet_mode(client: FlaskClient) -> None:
    on = chat(client, "SAFE")
    assert on["safe"]
    off = chat(client, "SAFE", conversation_id=on["conversation_id"])
    assert not off["safe"]


def test_stop_on_the_web_does_not_silence_the_chat(client: FlaskClient) -> None:
    first = chat(client, "hello")
    stopped = chat(client, "STOP", conversation_id=first["conversation_id"])
    assert stopped["reply"]["text"].startswith("This chat does not send you texts")
    after = chat(client, "I need food in Milton", conversation_id=first["conversation_id"])
    assert after["reply"]["cards"]


def test_an_idle_conversation_says_it_restarted(app: Flask, client: FlaskClient) -> None:
    first = chat(client, "I need food in Milton")
    assert not first["restarted"]
    # Purging as of two hours from now removes the conversation, as an idle one would be.
    dialogue_for(app).store.purge(datetime.now(UTC) + timedelta(hours=2))
    again = chat(client, "hello", conversation_id=first["conversation_id"])
    assert again["restarted"]
    assert not chat(client, "thanks", conversation_id=first["conversation_id"])["restarted"]


# ---- pages ----

def test_the_chat_page_carries_csp_frame_ancestors_from_settings(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "NAVIGATOR_STATE_DB": str(tmp_path / "s.db"),
                      "NAVIGATOR_FRAME_ANCESTORS": "'self' https://www.example.org"})
    response = app.test_client().get("/chat")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://www.example.org" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    config = json.loads(re.search(r'id="chat-config">(.*?)</script>', response.get_data(as_text=True)).group(1))
    assert ["http://localhost", "https://www.example.org"] == config["origins"]


def test_frame_ancestors_cannot_be_used_to_inject_directives(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "NAVIGATOR_STATE_DB": str(tmp_path / "s.db"),
                      "NAVIGATOR_FRAME_ANCESTORS": "https://a.example; script-src *"})
    csp = app.test_client().get("/chat").headers["Content-Security-Policy"]
    assert csp.endswith("; frame-ancestors 'none'")
    assert 1 == csp.count("script-src")


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("ur", "rtl"), ("ko", "ltr"), ("zh-Hans", "ltr")])
def test_the_chat_page_sets_lang_and_dir(client: FlaskClient, lang: str, direction: str) -> None:
    html = client.get(f"/chat?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in html


def test_the_chat_page_follows_accept_language(client: FlaskClient) -> None:
    html = client.get("/chat", headers={"Accept-Language": "pa-IN,pa;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="pa" dir="ltr">' in html


def test_the_language_menu_names_each_language_in_itself(client: FlaskClient) -> None:
    html = client.get("/chat").get_data(as_text=True)
    for tag, name in [("fr", "français"), ("ar", "العربية"), ("pa", "ਪੰਜਾਬੀ"), ("ko", "한국어"), ("hi", "हिन्दी")]:
        assert f'value="{tag}" lang="{tag}"' in html
        assert name in html
    assert len(LANGUAGES) == html.count("<option ")


def test_labels_json_serves_each_language(client: FlaskClient) -> None:
    data = client.get("/chat/labels.json?lang=ur").get_json()
    assert ("ur", "rtl") == (data["lang"], data["dir"])
    assert {"send", "quick_exit", "restarted", "consent"} <= set(data["labels"])
    assert 6 == len(data["needs"])


def test_widget_js_carries_labels_for_all_languages(client: FlaskClient) -> None:
    response = client.get("/widget.js")
    assert "text/javascript" == response.mimetype
    source = response.get_data(as_text=True)
    data = json.loads(re.search(r"var DATA = (\{.*?\});\n", source).group(1))
    assert set(LANGUAGES) == set(data["labels"])
    assert ["ar", "ur"] == data["rtl"]
    assert "NAVIGATOR_DATA" not in source


def test_the_demo_page_says_the_data_is_a_sample(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "sample data" in html and "re-verified" in html
    assert 'src="/widget.js" data-lang="en"' in html


def test_the_openapi_file_is_served_and_names_both_operations(client: FlaskClient) -> None:
    response = client.get("/openapi/chat.yaml")
    spec = yaml.safe_load(response.get_data(as_text=True))
    assert spec["openapi"].startswith("3.")
    assert {"/api/chat", "/api/chat/send"} == set(spec["paths"])


# ---- send these to my phone ----

class RecordingHttpClient(HttpClient):  # type: ignore[misc]
    """Twilio's HTTP layer replaced at the transport: records each request, answers as Twilio would."""

    def __init__(self, status: int = 201) -> None:
        super().__init__(logger=None, is_async=False)
        self.status = status
        self.requests: list[dict[str, Any]] = []

    def request(self, method: str, uri: str, params: Any = None, data: Any = None, headers: Any = None,
                auth: Any = None, timeout: Any = None, allow_redirects: bool = False) -> TwilioResponse:
        self.requests.append({"method": method, "uri": uri, "data": dict(data or {}), "auth": auth,
                              "headers": dict(headers or {})})
        if self.status >= 400:
            body = {"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": self.status}
        else:
            body = {"sid": "SM" + "0" * 32, "status": "queued", "to": (data or {}).get("To"),
                    "from": (data or {}).get("From"), "body": (data or {}).get("Body"), "account_sid": SID}
        return TwilioResponse(self.status, json.dumps(body))


@pytest.fixture
def twilio_http() -> RecordingHttpClient:
    return RecordingHttpClient()


@pytest.fixture
def sending_app(tmp_path: Path, twilio_http: RecordingHttpClient) -> Flask:
    return create_app({
        "TESTING": True,
        "NAVIGATOR_STATE_DB": str(tmp_path / "state.db"),
        "NAVIGATOR_SECRET_KEY": "test-secret",
        "TWILIO_ACCOUNT_SID": SID,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_FROM_NUMBER": SENDER,
        "NAVIGATOR_TWILIO_HTTP_CLIENT": twilio_http,
    })


def results_conversation(client: FlaskClient, message: str = "I need food in Milton") -> dict[str, Any]:
    data = chat(client, message)
    assert data["reply"]["cards"] and data["can_send"]
    return data


def send(client: FlaskClient, conversation_id: str, phone: str = RESIDENT, confirm: Any = True) -> Any:
    return client.post("/api/chat/send", json={"conversation_id": conversation_id, "phone": phone, "confirm": confirm})


def test_without_twilio_settings_sending_is_hidden_and_refused(client: FlaskClient) -> None:
    data = chat(client, "I need food in Milton")
    assert (False, False) == (data["can_send"], data["offer_send"])
    response = send(client, data["conversation_id"])
    assert (404, "not_available") == (response.status_code, response.get_json()["error"]["code"])
    page = json.loads(re.search(r'id="chat-config">(.*?)</script>', client.get("/chat").get_data(as_text=True)).group(1))
    assert page["can_send"] is False


def test_send_makes_exactly_the_request_twilio_expects(sending_app: Flask, twilio_http: RecordingHttpClient) -> None:
    client = sending_app.test_client()
    data = results_conversation(client)
    response = send(client, data["conversation_id"])
    assert 200 == response.status_code, response.get_json()
    assert {"sent": True, "to": "(905) ***-**23", "remaining": 2} == {k: response.get_json()[k]
                                                                     for k in ("sent", "to", "remaining")}
    [request] = twilio_http.requests
    assert "POST" == request["method"]
    assert f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json" == request["uri"]
    assert (SID, TOKEN) == request["auth"]
    assert {"To", "From", "Body"} == set(request["data"])
    assert ("+19055550123", SENDER) == (request["data"]["To"], request["data"]["From"])
    body = request["data"]["Body"]
    assert body.startswith("The services you asked for:")
    for card in data["reply"]["cards"]:
        assert card["phones"][0]["display"] in body
    assert segments(body) <= 3
    assert segments(body) == response.get_json()["segments"]


def test_helping_someone_else_is_offered_the_text(sending_app: Flask) -> None:
    data = chat(sending_app.test_client(), "my mom needs food in Oakville")
    assert data["offer_send"] and data["can_send"]
    assert not chat(sending_app.test_client(), "I need food in Oakville")["offer_send"]


def test_send_at_most_three_times(sending_app: Flask, twilio_http: RecordingHttpClient) -> None:
    client = sending_app.test_client()
    cid = results_conversation(client)["conversation_id"]
    assert [200, 200, 200, 429] == [send(client, cid).status_code for _ in range(4)]
    assert 3 == len(twilio_http.requests)
    assert "limit_reached" == send(client, cid).get_json()["error"]["code"]


def test_a_number_that_sent_stop_is_refused(sending_app: Flask, twilio_http: RecordingHttpClient) -> None:
    client = sending_app.test_client()
    cid = results_conversation(client)["conversation_id"]
    dialogue_for(sending_app).store.set_opt_out(number_key("test-secret", "+19055550123"), True, datetime.now(UTC))
    response = send(client, cid, phone="(905) 555-0123")
    assert (403, "opted_out") == (response.status_code, response.get_json()["error"]["code"])
    assert [] == twilio_http.requests


SEND_REFUSALS = [
    ("not confirmed", {"confirm": False}, 400, "not_confirmed"),
    ("confirm as a string", {"confirm": "yes"}, 400, "not_confirmed"),
    ("not a number", {"phone": "call me"}, 400, "invalid_phone"),
    ("too short", {"phone": "555-0123"}, 400, "invalid_phone"),
    ("outside North America", {"phone": "+44 20 7946 0958"}, 400, "invalid_phone"),
    ("toll free", {"phone": "1-800-555-0199"}, 400, "invalid_phone"),
    ("missing phone", {"phone": None}, 400, "invalid_phone"),
]


@pytest.mark.parametrize(("case", "change", "status", "code"), SEND_REFUSALS, ids=[c[0] for c in SEND_REFUSALS])
def test_send_refusals(sending_app: Flask, twilio_http: RecordingHttpClient, case: str, change: dict[str, Any],
                       status: int, code: str) -> None:
    client = sending_app.test_client()
    body = {"conversation_id": results_conversation(client)["conversation_id"], "phone": RESIDENT, "confirm": True}
    response = client.post("/api/chat/send", json={**body, **change})
    assert (status, code) == (response.status_code, response.get_json()["error"]["code"])
    assert [] == twilio_http.requests


def test_send_needs_results_and_a_known_conversation(sending_app: Flask, twilio_http: RecordingHttpClient) -> None:
    client = sending_app.test_client()
    greeted = chat(client, "hello")
    assert not greeted["can_send"]
    assert (409, "no_results") == (send(client, greeted["conversation_id"]).status_code,
                                   send(client, greeted["conversation_id"]).get_json()["error"]["code"])
    assert 404 == send(client, "forged.id").status_code
    assert 400 == client.post("/api/chat/send", json={"phone": RESIDENT, "confirm": True}).status_code
    assert 415 == client.post("/api/chat/send", data={"phone": RESIDENT}).status_code
    assert [] == twilio_http.requests


def test_a_twilio_error_is_a_502_and_does_not_use_up_a_send(tmp_path: Path) -> None:
    failing = RecordingHttpClient(status=400)
    app = create_app({"TESTING": True, "NAVIGATOR_STATE_DB": str(tmp_path / "state.db"),
                      "TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_FROM_NUMBER": SENDER,
                      "NAVIGATOR_TWILIO_HTTP_CLIENT": failing})
    client = app.test_client()
    cid = results_conversation(client)["conversation_id"]
    assert [502, 502, 502, 502] == [send(client, cid).status_code for _ in range(4)]
    assert 4 == len(failing.requests)


def test_send_in_discreet_mode_names_no_topic(sending_app: Flask, twilio_http: RecordingHttpClient) -> None:
    client = sending_app.test_client()
    cid = chat(client, "SAFE")["conversation_id"]
    data = chat(client, "my husband hits me, I need a safe place in Oakville", conversation_id=cid)
    assert "abuse-violence" == data["needs"][0]
    assert data["reply"]["cards"]
    assert all(card["description"] is None and card["website"] is None for card in data["reply"]["cards"])
    assert 200 == send(client, cid).status_code
    body = twilio_http.requests[0]["data"]["Body"]
    assert body.startswith("Here are some numbers you can call:")
    assert not re.search(r"shelter|abuse|violence|women", body, re.IGNORECASE), body


def test_a_chat_turn_reads_its_conversation_once_and_stores_it_in_one_transaction(app: Flask, client: FlaskClient) -> None:
    cid = chat(client, "hi")["conversation_id"]
    statements: list[str] = []
    dialogue_for(app).store.connection().set_trace_callback(statements.append)  # type: ignore[attr-defined]
    chat(client, "I need food in Oakville", conversation_id=cid, lang="en")
    reads = [s for s in statements if s.startswith("SELECT") and "conversation" in s]
    transactions = [s for s in statements if s.startswith(("BEGIN", "COMMIT"))]
    assert 1 == len(reads)
    assert ["BEGIN IMMEDIATE", "COMMIT"] == transactions
