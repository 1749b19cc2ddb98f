"""Helpers the operator-console tests share: an app with accounts, and a logged-in client."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from navigator import create_app
from navigator.directory.build import COLUMNS, build
from navigator.settings import DATA_DIR
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


# Fictional records (555-01xx numbers) for tests that need facts the shipped directory lacks.
RECORDS = [
    {"name": "Ramp Street Pantry", "organization": "Test Pantry Society", "needs": "food", "municipality": "Milton",
     "address": "1 Test St, Milton ON", "phone": "905-555-0101", "hours": "Mon-Fri 9 a.m.-5 p.m.",
     "languages": "English and French", "eligibility": "Milton residents",
     "description": "Free groceries at a wheelchair accessible entrance.", "source": "test", "retrieved": "2024-01-15"},
    {"name": "Stairs Lane Food Cupboard", "organization": "Test Cupboard", "needs": "food", "municipality": "Milton",
     "address": "2 Test St, Milton ON", "phone": "", "hours": "", "languages": "", "eligibility": "",
     "description": "Groceries once a week.", "source": "test", "retrieved": "2025-11-01"},
    {"name": "Oakville Seniors Friendly Calls", "organization": "Test Seniors Network", "needs": "isolation-seniors",
     "municipality": "", "address": "", "phone": "905-555-0103 ext. 4", "hours": "Mon-Thu 10 a.m.-2 p.m.",
     "languages": "English, Punjabi and Urdu", "eligibility": "Adults 55+",
     "description": "Friendly phone calls for isolated seniors.", "source": "test", "retrieved": "2026-01-10"},
]


def small_directory(folder: Path) -> Path:
    """Build a three-service directory from RECORDS through the normal build; return its path."""
    import csv

    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    with (data / "test_services.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(RECORDS)
    out = folder / "directory.db"
    build(out, data, DATA_DIR / "needs.yaml")
    return out


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
