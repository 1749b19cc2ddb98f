"""Every setting navigator reads, declared once: name, default, help.

The app factory reads each from the environment (``NAVIGATOR_*``) unless a
test or caller passes it in ``create_app(config)``.  Defaults run with no
setup: the shipped directory, a state database in the instance folder.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_DIRECTORY = PROJECT_ROOT / "directory.db"
INTENTS_DIR = PROJECT_ROOT / "intents"
DATA_DIR = PROJECT_ROOT / "data"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    cast: type = str


SETTINGS: tuple[Setting, ...] = (
    Setting("DIRECTORY", str(SHIPPED_DIRECTORY), "Path to the HSDS directory database."),
    Setting("INTENTS", str(INTENTS_DIR), "Folder of intent files (needs and conversation words)."),
    Setting("STATE_DB", "", "Path to the conversation-state database; empty means instance/state.db."),
    Setting("SECRET_KEY", "dev-only-change-me", "Secret for sessions and for hashing phone numbers."),
    Setting("PUBLIC_URL", "", "Public base URL Twilio signs (set behind a TLS proxy)."),
    Setting("PROXY_FIX", 0, "Number of trusted proxies in front of the app (enables ProxyFix).", int),
    Setting("CONVERSATION_IDLE_MINUTES", 30, "Minutes of silence before a conversation starts over.", int),
    Setting("RETENTION_DAYS", 30, "Days message content is kept before the purge deletes it.", int),
    Setting("FRAME_ANCESTORS", "'self'", "Sites allowed to embed the web chat (CSP frame-ancestors)."),
    Setting("TWILIO_ACCOUNT_SID", "", "Twilio account SID for outgoing texts (empty hides sending)."),
    Setting("TWILIO_AUTH_TOKEN", "", "Twilio auth token; validates /sms webhook signatures."),
    Setting("TWILIO_FROM_NUMBER", "", "Number outgoing texts are sent from."),
    Setting("STAFFED_HOURS", "Mon-Fri 09:00-17:00", "When operators take live handoffs."),
    Setting("EXIT_URL", "https://www.google.ca/", "Neutral page the web chat's quick exit opens."),
)

_ENV_NAMES = {
    # Twilio's own variable names are what operators already have in their secrets.
    "TWILIO_ACCOUNT_SID": "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN": "TWILIO_AUTH_TOKEN",
    "TWILIO_FROM_NUMBER": "TWILIO_FROM_NUMBER",
}


def env_name(setting: Setting) -> str:
    """Return the environment variable that sets ``setting``."""
    return _ENV_NAMES.get(setting.name, f"NAVIGATOR_{setting.name}")


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Read every setting from the environment, falling back to its default.

    The app's config keys are the environment variables' names, so
    ``create_app({"TWILIO_AUTH_TOKEN": ...})`` and the environment agree.
    """
    environ = dict(os.environ) if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        name = env_name(setting)
        raw = environ.get(name)
        values[name] = setting.default if raw is None else setting.cast(raw)
    return values
