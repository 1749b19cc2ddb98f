"""GET /healthz reports the directory being served."""
from __future__ import annotations

from flask.testing import FlaskClient

from navigator.directory import open_directory
from navigator.settings import SHIPPED_DIRECTORY


def test_healthz_reports_service_count_and_build_date(client: FlaskClient) -> None:
    info = open_directory(SHIPPED_DIRECTORY).info()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "services": info.services, "built": info.built}
    assert info.services > 60
    assert info.built[:4].isdigit()
