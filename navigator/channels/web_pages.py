"""The web chat's pages: the chat in an iframe, its loader, a demo host page, the API's OpenAPI file.

The chat page may be framed only by the sites in NAVIGATOR_FRAME_ANCESTORS
(CSP ``frame-ancestors``), and posts messages only to those origins.  Its
labels come from the server in the resident's language; the loader carries
its own few labels in all twelve languages, written in when it is served.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from .. import web_i18n
from ..i18n import Translator
from ..models import LANGUAGES
from ..render import web as render_web
from . import web_send
from .web import MAX_MESSAGE

bp = Blueprint("web_pages", __name__)
STATIC = Path(__file__).resolve().parent.parent / "static"
# Where quick exit goes: a neutral page that says nothing about why the resident was here.
_LIVE = "operator_live.resident_poll"
_ORIGIN = re.compile(r"https?://(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d{1,5})?/?")


def frame_ancestors() -> str:
    """Return the CSP frame-ancestors source list from NAVIGATOR_FRAME_ANCESTORS."""
    value = str(current_app.config.get("NAVIGATOR_FRAME_ANCESTORS") or "'self'")
    # Only 'self' and http(s) origins: a stray ";" or "*" must not open the chat to every site.
    parts = [part for part in value.replace(",", " ").split() if part == "'self'" or _ORIGIN.fullmatch(part)]
    return " ".join(parts) or "'none'"


def allowed_origins() -> list[str]:
    """List the origins the chat may post messages to: the frame-ancestors, 'self' spelt out."""
    own = request.host_url.rstrip("/")
    origins = []
    for part in frame_ancestors().split():
        if part == "'self'":
            origins.append(own)
        elif "://" in part:
            origins.append(part.rstrip("/"))
    return origins


def _security_headers(response: Response, framing: str, frames: str = "'none'") -> Response:
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        f"form-action 'self'; base-uri 'none'; frame-src {frames}; frame-ancestors {framing}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # A resident's host page must not learn from a referrer that the chat was used, nor the reverse.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _page_context(lang: str) -> dict[str, Any]:
    tr = Translator(lang)
    return {
        "lang": lang,
        "dir": web_i18n.direction(lang),
        "labels": render_web.labels(tr),
        "needs": render_web.common_needs(tr),
        "languages": web_i18n.language_menu(),
    }


@bp.get("/chat")
def chat_page() -> ResponseReturnValue:
    """Serve the chat itself, the page the loader opens in an iframe."""
    lang = web_i18n.select_language()
    context = _page_context(lang)
    config = {
        "api": url_for("web.chat"),
        "send_api": url_for("web.send"),
        "labels_url": url_for("web_pages.chat_labels"),
        # Replies from a person on the team, when the operator console is installed.
        "live_url": url_for(_LIVE) if _LIVE in current_app.view_functions else None,
        "lang": lang,
        "can_send": web_send.available(current_app.config),
        "origins": allowed_origins(),
        "max_message": MAX_MESSAGE,
        "idle_minutes": int(current_app.config.get("NAVIGATOR_CONVERSATION_IDLE_MINUTES") or 0),
        "exit_url": str(current_app.config["NAVIGATOR_EXIT_URL"]),
        "labels": context["labels"],
        "needs": context["needs"],
    }
    html = render_template("chat.html", config=config, **context)
    return _security_headers(Response(html, mimetype="text/html"), frame_ancestors())


@bp.get("/chat/labels.json")
def chat_labels() -> ResponseReturnValue:
    """Return the chat's labels and common needs in the language asked for."""
    lang = web_i18n.requested_language() or web_i18n.DEFAULT_LANGUAGE
    context = _page_context(lang)
    return jsonify(lang=lang, dir=context["dir"], labels=context["labels"], needs=context["needs"])


@lru_cache(maxsize=4)
def _loader(mtime: float) -> str:
    labels = {tag: render_web.labels(Translator(tag)) for tag in LANGUAGES}
    keep = ("open_chat", "close", "quick_exit", "title")
    table = {tag: {key: text[key] for key in keep} for tag, text in labels.items()}
    # The loader runs on other sites before the chat loads, so it carries its few labels itself.
    source = (STATIC / "widget.js").read_text(encoding="utf-8")
    data = json.dumps({"labels": table, "rtl": sorted(web_i18n.RTL_LANGUAGES)}, ensure_ascii=False)
    return source.replace("/*NAVIGATOR_DATA*/{}", data.replace("</", "<\\/"))


@bp.get("/widget.js")
def widget() -> ResponseReturnValue:
    """Serve the loader a host page adds with ``<script src=".../widget.js" data-lang="en">``."""
    body = _loader((STATIC / "widget.js").stat().st_mtime)
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/")
def demo() -> ResponseReturnValue:
    """Serve a demo host page that embeds the widget."""
    lang = web_i18n.select_language()
    html = render_template("demo.html", lang=lang, dir=web_i18n.direction(lang))
    # The demo embeds the chat exactly as a host site would: an iframe from this origin.
    return _security_headers(Response(html, mimetype="text/html"), "'self'", frames="'self'")


@bp.get("/openapi/chat.yaml")
def openapi() -> ResponseReturnValue:
    """Serve the OpenAPI 3 description of the chat API."""
    text = (STATIC / "openapi" / "chat.yaml").read_text(encoding="utf-8")
    return Response(text, mimetype="application/yaml")
