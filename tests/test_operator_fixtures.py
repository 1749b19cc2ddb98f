"""Helpers the operator-console tests share: an app with accounts, and a logged-in client."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from navigator import create_app
from navigator.users import Users

PASSWORDS = {"olive": "operator-pass-1", "eddie": "editor-pass-22", "ada": "admin-pass-333"}
ROLES = {"olive": "operator", "eddie": "editor", "ada": "admin"}
_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


def make_app(tmp_path: Path, **config: Any) -> Flask:
    """Create the app over a fresh state database with one account of each role."""
    app = create_app({
        "TESTING": True,
        "NAVIGATOR_STATE_DB": str(tmp_path / "state.db"),
        "NAVIGATOR_SECRET_KEY": "test-secret",
        "TWILIO_AUTH_TOKEN": "test-auth-token",
        **config,
    })
    accounts = Users(app.config["NAVIGATOR_STATE_DB"])
    for name, password in PASSWORDS.items():
        accounts.add(name, ROLES[name], password)
    return app


class Console:
    """A test client logged in to the console, sending its CSRF token as the console's script does."""

    def __init__(self, client: FlaskClient, name: str) -> None:
        self.client = client
        self.token = login_token(client)
        response = client.post("/operator/login", data={"name": name, "password": PASSWORDS[name],
                                                        "csrf_token": self.token})
        assert response.status_code == 302, response.get_data(as_text=True)
        # The session changed at login; the page now carries the token of the new session.
        self.token = page_token(client.get("/operator/"))

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        """GET a console path."""
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        """POST a form with the CSRF token."""
        return self.client.post(path, data={"csrf_token": self.token, **(data or {})}, **kwargs)

    def post_json(self, path: str, body: Any) -> TestResponse:
        """POST JSON with the X-CSRFToken header."""
        return self.client.post(path, json=body, headers={"X-CSRFToken": self.token})


def page_token(response: TestResponse) -> str:
    """Return the CSRF token a console page carries."""
    found = _TOKEN.search(response.get_data(as_text=True))
    assert found, "no csrf-token meta tag"
    return found.group(1)


def login_token(client: FlaskClient) -> str:
    """Load the login page and return its CSRF token."""
    return page_token(client.get("/operator/login"))
