"""The console's doors: anonymous users, CSRF, roles, cookies, rate limits, passwords never in clear."""
from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from flask import Flask
from test_operator_fixtures import PASSWORDS, Console, login_token, make_app


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_app(tmp_path)


def console_routes(app: Flask) -> list[tuple[str, str]]:
    """Every (method, concrete path) of the console but its login page."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("operator.") or rule.endpoint == "operator.login":
            continue
        path = re.sub(r"<int:[^>]+>", "1", rule.rule)
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "some-id", path)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


def test_the_console_has_pages_and_an_api(app: Flask) -> None:
    paths = {path for _, path in console_routes(app)}
    assert "/operator/" in paths
    assert "/operator/logout" in paths
    assert any(p.startswith("/operator/api/") for p in paths)


def test_every_console_route_refuses_anonymous_users(app: Flask) -> None:
    client = app.test_client()
    for method, path in console_routes(app):
        response = client.open(path, method=method)
        if path.startswith("/operator/api/"):
            assert 401 == response.status_code, (method, path)
            assert response.is_json and response.json["error"]["code"] == 401
        else:
            assert 302 == response.status_code, (method, path)
            assert response.headers["Location"].startswith("/operator/login?next="), (method, path)


def test_a_post_without_the_csrf_token_is_refused_even_when_logged_in(app: Flask) -> None:
    client = app.test_client()
    console = Console(client, "eddie")
    for method, path in console_routes(app):
        if method != "POST":
            continue
        response = client.post(path, data={"anything": "1"})
        assert 400 == response.status_code, path
        response = client.post(path, json={}, headers={"X-CSRFToken": "forged"})
        assert 400 == response.status_code, path
    assert 200 == console.get("/operator/").status_code


def test_a_login_without_the_csrf_token_is_refused(app: Flask) -> None:
    response = app.test_client().post("/operator/login", data={"name": "olive", "password": PASSWORDS["olive"]})
    assert 400 == response.status_code


def test_the_sms_webhook_and_chat_api_need_no_csrf_token(app: Flask) -> None:
    client = app.test_client()
    assert 200 == client.post("/api/chat", json={"message": "hello"}).status_code
    # Unsigned: refused by the signature check (403), not by CSRF (400).
    assert 403 == client.post("/sms", data={"Body": "hi", "From": "+19055550123"}).status_code


def test_the_session_cookie_is_secure_httponly_and_lax(app: Flask) -> None:
    client = app.test_client()
    token = login_token(client)
    response = client.post("/operator/login", data={"name": "olive", "password": PASSWORDS["olive"],
                                                    "csrf_token": token})
    cookie = response.headers["Set-Cookie"]
    assert 302 == response.status_code
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_wrong_password_is_refused_and_logins_are_rate_limited(app: Flask) -> None:
    client = app.test_client()
    token = login_token(client)
    for _ in range(5):
        response = client.post("/operator/login", data={"name": "olive", "password": "nope", "csrf_token": token})
        assert 401 == response.status_code
        assert "do not match" in response.get_data(as_text=True)
    response = client.post("/operator/login", data={"name": "olive", "password": PASSWORDS["olive"],
                                                    "csrf_token": token})
    assert 429 == response.status_code
    assert "Too many failed attempts" in response.get_data(as_text=True)


def test_passwords_never_reach_the_logs(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    token = login_token(client)
    client.post("/operator/login", data={"name": "olive", "password": "wrong-secret-99", "csrf_token": token})
    client.post("/operator/login", data={"name": "olive", "password": PASSWORDS["olive"], "csrf_token": token})
    assert "logged in" in caplog.text
    assert "wrong-secret-99" not in caplog.text and PASSWORDS["olive"] not in caplog.text


def test_login_redirects_only_inside_the_console(app: Flask) -> None:
    client = app.test_client()
    for target, expected in (("/operator/?q=food", "/operator/?q=food"), ("https://evil.example/", "/operator/"),
                             ("//evil.example/operator", "/operator/")):
        token = login_token(client)
        response = client.post("/operator/login?next=" + target, data={
            "name": "olive", "password": PASSWORDS["olive"], "csrf_token": token})
        assert expected == response.headers["Location"], target
        client.post("/operator/logout", data={"csrf_token": login_token(client)})


def test_logout_ends_the_session(app: Flask) -> None:
    client = app.test_client()
    console = Console(client, "olive")
    assert 302 == console.post("/operator/logout").status_code
    assert 302 == client.get("/operator/").status_code


def test_console_pages_are_not_cached_nor_framed(app: Flask) -> None:
    response = Console(app.test_client(), "olive").get("/operator/")
    assert "no-store" == response.headers["Cache-Control"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(("name", "status"), [("olive", 403), ("eddie", 403), ("ada", 200)])
def test_only_admins_see_the_accounts(app: Flask, name: str, status: int) -> None:
    response = Console(app.test_client(), name).get("/operator/users")
    assert status == response.status_code
    if status == 200:
        page = response.get_data(as_text=True)
        assert "<td>olive</td><td>operator</td>" in page and "<td>ada</td><td>admin</td>" in page
        assert "scrypt" not in page
