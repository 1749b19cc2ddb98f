"""Shared fixtures: the app over a temporary state database, its client and CLI runner.

Area-specific fixtures live in the test modules that use them.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from navigator import create_app


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """The app over the shipped directory and a fresh state database."""
    app = create_app(
        {
            "TESTING": True,
            "NAVIGATOR_STATE_DB": str(tmp_path / "state.db"),
            "NAVIGATOR_SECRET_KEY": "test-secret",
            "TWILIO_AUTH_TOKEN": "test-auth-token",
        }
    )
    yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
