""""Text this to the caller": the real Twilio client, its transport replaced, the exact request asserted."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from test_operator_fixtures import Console, make_app
from test_web_api import RecordingHttpClient  # Twilio's transport, recorded

from navigator.channels.sms import dialogue_for
from navigator.directory import open_directory
from navigator.render import web as render_web
from navigator.render.sms import segments
from navigator.settings import SHIPPED_DIRECTORY
from navigator.state import number_key

SID = "AC" + "fedcba9876543210" * 2
SENDER = "+12895550199"
CALLER = "905-555-0147"  # 555-01xx numbers are reserved for fiction


def sent(transport: RecordingHttpClient) -> list[dict[str, Any]]:
    """Return the requests Twilio's client made, without its version-dependent headers."""
    return [{k: v for k, v in r.items() if k != "headers"} for r in transport.requests]


@pytest.fixture
def transport() -> RecordingHttpClient:
    return RecordingHttpClient()


@pytest.fixture
def app(tmp_path: Path, transport: RecordingHttpClient) -> Flask:
    return make_app(tmp_path, TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN="op-token", TWILIO_FROM_NUMBER=SENDER,
                    NAVIGATOR_TWILIO_HTTP_CLIENT=transport)


def service_ids(*names: str) -> list[str]:
    by_name = {s.name: s.id for s in open_directory(SHIPPED_DIRECTORY).services()}
    return [by_name[n] for n in names]


def test_chosen_services_are_texted_in_the_callers_language(app: Flask, transport: RecordingHttpClient) -> None:
    console = Console(app.test_client(), "olive")
    ids = service_ids("Distress Centre Halton", "Burlington Food Bank")
    response = console.post_json("/operator/api/send", {"phone": CALLER, "language": "fr", "services": ids})
    assert 200 == response.status_code, response.get_data(as_text=True)
    directory = open_directory(SHIPPED_DIRECTORY)
    expected = render_web.text_message([directory.get(i) for i in ids], "fr", False)
    assert [{
        "method": "POST",
        "uri": f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json",
        "data": {"To": "+19055550147", "From": SENDER, "Body": expected.body},
        "auth": (SID, "op-token"),
    }] == sent(transport)
    assert "Distress Centre Halton" in expected.body and segments(expected.body) <= 3
    assert {"sent": True, "to": "(905) ***-**47", "segments": expected.segments,
            "held_for_more": len(expected.rest)} == response.json


def test_what_does_not_fit_waits_behind_more(app: Flask, transport: RecordingHttpClient) -> None:
    console = Console(app.test_client(), "olive")
    ids = [s.id for s in list(open_directory(SHIPPED_DIRECTORY).services())[:5]]
    response = console.post_json("/operator/api/send", {"phone": CALLER, "language": "ar", "services": ids})
    assert 200 == response.status_code
    directory = open_directory(SHIPPED_DIRECTORY)
    expected = render_web.text_message([directory.get(i) for i in ids], "ar", False)
    assert expected.body == transport.requests[0]["data"]["Body"] and segments(expected.body) <= 3
    key = number_key("test-secret", "+19055550147")
    assert len(expected.rest) == response.json["held_for_more"]
    assert expected.rest == dialogue_for(app).store.load(key, datetime.now(UTC)).overflow


def test_a_number_that_sent_stop_is_never_texted(app: Flask, transport: RecordingHttpClient) -> None:
    dialogue_for(app).store.set_opt_out(number_key("test-secret", "+19055550147"), True, datetime.now(UTC))
    console = Console(app.test_client(), "olive")
    response = console.post_json("/operator/api/send", {"phone": CALLER, "services": service_ids("Burlington Food Bank")})
    assert 403 == response.status_code and [] == transport.requests


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"phone": CALLER, "services": []}, 400, "at least one service"),
    ({"phone": CALLER, "services": ["x"] * 6}, 400, "at most 5"),
    ({"phone": CALLER, "services": ["no-such-id"]}, 404, "no longer in the directory"),
    ({"phone": "12", "services": ["no-such-id"]}, 400, "mobile number"),
    ({"phone": "1-800-555-0199", "services": ["no-such-id"]}, 400, ""),
    ({"phone": CALLER, "services": ["x"], "language": "xx"}, 400, "language must be one of"),
])
def test_bad_sends_are_refused_and_nothing_goes_out(app: Flask, transport: RecordingHttpClient, body: dict,
                                                    status: int, message: str) -> None:
    response = Console(app.test_client(), "olive").post_json("/operator/api/send", body)
    assert status == response.status_code
    assert message in response.json["error"]["message"]
    assert [] == transport.requests


def test_a_twilio_refusal_is_a_502_with_advice(tmp_path: Path) -> None:
    failing = RecordingHttpClient(status=400)
    app = make_app(tmp_path, TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN="op-token", TWILIO_FROM_NUMBER=SENDER,
                   NAVIGATOR_TWILIO_HTTP_CLIENT=failing)
    response = Console(app.test_client(), "olive").post_json(
        "/operator/api/send", {"phone": CALLER, "services": service_ids("Burlington Food Bank")})
    assert 502 == response.status_code and 1 == len(failing.requests)


def test_without_twilio_settings_sending_is_not_offered(tmp_path: Path) -> None:
    console = Console(make_app(tmp_path).test_client(), "olive")
    assert "Texting is not set up" in console.get("/operator/").get_data(as_text=True)
    response = console.post_json("/operator/api/send", {"phone": CALLER, "services": ["x"]})
    assert 404 == response.status_code
