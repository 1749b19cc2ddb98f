"""POST /sms: signatures, duplicate deliveries, hashed keys, opt-outs, never a 500."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse
from werkzeug.test import TestResponse

from navigator import create_app
from navigator.channels.sms import dialogue_for, twiml
from navigator.cli import main
from navigator.state import number_key

TOKEN = "test-auth-token"
NUMBER = "+19055550123"
EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def signed_post(
    client: FlaskClient, params: dict[str, str], url: str = "http://localhost/sms", token: str = TOKEN,
    sign: dict[str, str] | None = None, **kwargs: Any,
) -> TestResponse:
    """Post ``params`` to /sms with the signature Twilio would send for ``url`` (over ``sign`` if given)."""
    signature = RequestValidator(token).compute_signature(url, sign if sign is not None else params)
    headers = {"X-Twilio-Signature": signature, **kwargs.pop("headers", {})}
    return client.post("/sms", data=params, headers=headers, **kwargs)


def text(body: str, sid: str = "SM0001", number: str = NUMBER) -> dict[str, str]:
    return {"MessageSid": sid, "From": number, "To": "+12895550100", "Body": body, "NumMedia": "0"}


def rows(app: Flask, table: str) -> list[tuple[Any, ...]]:
    """Return a state table's rows; none when the store was never even opened."""
    path = Path(app.config["NAVIGATOR_STATE_DB"])
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        return db.execute(f"SELECT * FROM {table}").fetchall()


def test_a_signed_text_gets_twiml_with_a_reply(client: FlaskClient) -> None:
    response = signed_post(client, text("hi"))
    assert 200 == response.status_code
    assert "application/xml" == response.mimetype
    body = response.get_data(as_text=True)
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>')
    assert "911" in body


@pytest.mark.parametrize(
    "send",
    [
        pytest.param(lambda c: c.post("/sms", data=text("hi")), id="missing"),
        pytest.param(lambda c: signed_post(c, text("hi"), token="forged-token"), id="forged"),
        pytest.param(lambda c: signed_post(c, text("hi"), url="https://elsewhere.example/sms"), id="other-url"),
        pytest.param(lambda c: signed_post(c, text("hi there"), sign=text("hi")), id="tampered-body"),
        pytest.param(lambda c: signed_post(c, {**text("hi"), "Extra": "1"}, sign=text("hi")), id="added-field"),
    ],
)
def test_unsigned_or_forged_requests_are_refused_without_touching_state(
    app: Flask, client: FlaskClient, send: Callable[[FlaskClient], TestResponse]
) -> None:
    assert 403 == send(client).status_code
    assert [] == rows(app, "conversation") == rows(app, "transcript") == rows(app, "delivery")


def test_no_auth_token_refuses_everything(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "NAVIGATOR_STATE_DB": str(tmp_path / "s.db"), "TWILIO_AUTH_TOKEN": ""})
    assert 403 == signed_post(app.test_client(), text("hi"), token="").status_code


def test_the_auth_token_is_read_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "token-from-env")
    app = create_app({"TESTING": True, "NAVIGATOR_STATE_DB": str(tmp_path / "s.db")})
    assert 200 == signed_post(app.test_client(), text("hi"), token="token-from-env").status_code
    assert 403 == signed_post(app.test_client(), text("hi", sid="SM2")).status_code


def test_public_url_is_the_url_checked(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "NAVIGATOR_STATE_DB": str(tmp_path / "s.db"), "TWILIO_AUTH_TOKEN": TOKEN,
                      "NAVIGATOR_PUBLIC_URL": "https://navigator.example.org/"})
    client = app.test_client()
    assert 403 == signed_post(client, text("hi")).status_code
    assert 200 == signed_post(client, text("hi"), url="https://navigator.example.org/sms").status_code


def test_proxy_fix_trusts_forwarded_scheme_and_host(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "NAVIGATOR_STATE_DB": str(tmp_path / "s.db"), "TWILIO_AUTH_TOKEN": TOKEN,
                      "NAVIGATOR_PROXY_FIX": 1})
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "navigator.example.org"}
    client = app.test_client()
    ok = signed_post(client, text("hi"), url="https://navigator.example.org/sms", headers=forwarded)
    assert 200 == ok.status_code
    assert 403 == signed_post(client, text("hi", sid="SM2"), headers=forwarded).status_code


def test_a_repeated_delivery_is_answered_once_with_the_same_reply(app: Flask, client: FlaskClient) -> None:
    first = signed_post(client, text("I need food in Oakville", sid="SMdup")).get_data(as_text=True)
    again = signed_post(client, text("I need food in Oakville", sid="SMdup")).get_data(as_text=True)
    assert first == again
    key = number_key("test-secret", NUMBER)
    resident_lines = [line for line in dialogue_for(app).store.transcript(key) if line.role == "resident"]
    assert 1 == len(resident_lines)


def test_conversations_are_keyed_by_hmac_and_the_number_is_never_stored(app: Flask, client: FlaskClient) -> None:
    signed_post(client, text("I need food", sid="SM1"))
    signed_post(client, text("Milton", sid="SM2"))
    assert [(number_key("test-secret", NUMBER),)] == [row[:1] for row in rows(app, "conversation")]
    stored = b"".join(p.read_bytes() for p in Path(app.config["NAVIGATOR_STATE_DB"]).parent.glob("state.db*"))
    for form in (b"9055550123", b"905-555-0123", b"905) 555-0123", b"555-0123", b"5550123"):
        assert form not in stored


def test_stop_answers_nothing_until_start(client: FlaskClient) -> None:
    assert EMPTY == signed_post(client, text("STOP", sid="SM1")).get_data(as_text=True)
    assert EMPTY == signed_post(client, text("I need food", sid="SM2")).get_data(as_text=True)
    back = signed_post(client, text("START", sid="SM3")).get_data(as_text=True)
    assert "<Message>" in back


def test_a_failure_in_the_core_still_answers_politely(app: Flask, client: FlaskClient) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("matcher down")

    dialogue_for(app).matcher = broken
    response = signed_post(client, text("hi"))
    assert 200 == response.status_code
    assert "Sorry, something went wrong" in response.get_data(as_text=True)


def test_ask_continues_one_conversation_per_sender(tmp_path: Path) -> None:
    runner = CliRunner()
    state = str(tmp_path / "ask.db")
    first = runner.invoke(main, ["ask", "I need food", "--from", NUMBER, "--state", state])
    assert 0 == first.exit_code, first.output
    assert "Which town are you in?" in first.output and "segment(s)" in first.output
    second = runner.invoke(main, ["ask", "Oakville", "--from", NUMBER, "--state", state])
    assert "Fare Share Food Bank" in second.output


@given(st.text(max_size=300))
def test_twiml_is_what_twilio_would_write(body: str) -> None:
    expected = MessagingResponse()
    if body:
        expected.message(body)
    assert str(expected) == twiml(body).get_data(as_text=True)


def test_a_text_is_stored_in_one_transaction_with_the_reply_to_its_delivery(app: Flask, client: FlaskClient) -> None:
    signed_post(client, text("hi", sid="SM1"))  # the first message opens the connection and claims the purge
    statements: list[str] = []
    dialogue_for(app).store.connection().set_trace_callback(statements.append)  # type: ignore[attr-defined]
    signed_post(client, text("I need food in Oakville", sid="SM2"))
    writes = [" ".join(s.split()[:3]) for s in statements if s.split()[0] in ("BEGIN", "COMMIT", "INSERT", "UPDATE", "DELETE")]
    assert ["BEGIN IMMEDIATE", "INSERT INTO conversation", "INSERT INTO transcript", "INSERT INTO transcript",
            "INSERT OR IGNORE", "COMMIT"] == writes
    assert any(s.startswith("INSERT OR IGNORE INTO delivery") and "'SM2'" in s for s in statements)
