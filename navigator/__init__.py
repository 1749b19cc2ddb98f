"""navigator: Halton's community-services directory and needs navigator.

The public API, and nothing else:

- ``create_app(config=None)``: the Flask app (SMS, web chat, operator console, HSDS API).
- ``match(text, lang=None, context=None)``: what a message needs, in which language,
  where, and which services fit.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from .models import Match

__all__ = ["create_app", "match"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the navigator web app (see ``navigator.app``)."""
    from .app import create_app as _create_app

    return _create_app(config)


def match(text: str, lang: str | None = None, context: Any = None) -> Match:
    """Understand one resident message (see ``navigator.matcher``)."""
    from .matcher import match as _match

    return _match(text, lang=lang, context=context)
