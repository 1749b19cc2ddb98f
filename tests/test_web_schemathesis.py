"""The chat API against its own OpenAPI file, with schemathesis (bounded: well under a minute).

Schemathesis loads the file the app serves, generates requests for both
operations, sends them to the app in-process and checks every response:
documented status, JSON body matching the schema, and never a server error.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from navigator import create_app

# Schemathesis collects its tests from a schema loaded at import time, so the app is made here,
# over a state database of its own that the operating system cleans up.
_STATE = tempfile.mkdtemp(prefix="navigator-schemathesis-")
APP = create_app({"TESTING": True, "NAVIGATOR_STATE_DB": str(Path(_STATE) / "state.db"),
                  "NAVIGATOR_SECRET_KEY": "test-secret"})
schema = schemathesis.openapi.from_wsgi("/openapi/chat.yaml", APP)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_chat_api_keeps_to_its_openapi_file(case: schemathesis.Case) -> None:
    case.call_and_validate()


def test_the_served_file_is_the_shipped_file() -> None:
    shipped = Path(__file__).resolve().parent.parent / "navigator" / "static" / "openapi" / "chat.yaml"
    served = APP.test_client().get("/openapi/chat.yaml").get_data(as_text=True)
    assert shipped.read_text(encoding="utf-8") == served
