"""Console routes for search while a caller waits: the page, the search API, a full record."""
from __future__ import annotations

import copy
from datetime import UTC, datetime
from functools import cache
from typing import Any

from flask import current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from .. import settings
from ..directory import Directory, open_directory, open_status
from ..directory.build import load_needs
from ..i18n import Translator
from ..models import LANGUAGES, MUNICIPALITIES
from ..render.text import format_phone, hours_lines, open_line
from ..web_i18n import own_name
from . import operator_query as query
from . import web_send
from .operator import bp, refuse


@cache
def need_names() -> dict[str, str]:
    """Return the name of every need code, in needs.yaml order."""
    return {n["code"]: str(n.get("name") or n["code"]) for n in load_needs(settings.DATA_DIR / "needs.yaml")}


def directory() -> Directory:
    """Return the app's directory (reopened when the file changed)."""
    return open_directory(current_app.config["NAVIGATOR_DIRECTORY"])


def matcher() -> query.Matcher:
    """Return the app's matcher, without the service search the console runs itself."""
    found = current_app.extensions.get("navigator_operator_matcher")
    if found is None:
        from .. import matcher as matching

        shared = matching.get_matcher(current_app.config["NAVIGATOR_INTENTS"], current_app.config["NAVIGATOR_DIRECTORY"])
        # A shallow copy shares the compiled intents; without a directory it ranks no services,
        # which the console would throw away for its own filtered search.
        found = copy.copy(shared)
        found.directory = None
        current_app.extensions["navigator_operator_matcher"] = found
    return found.match


def choices() -> dict[str, Any]:
    """Return the options of the console's filter menus."""
    return {
        "needs": need_names(),
        "municipalities": {m: m.replace("-", " ").title() for m in MUNICIPALITIES},
        "languages": {tag: own_name(tag) for tag in LANGUAGES},
        "can_send": web_send.available(current_app.config),
    }


@bp.get("/")
def console() -> ResponseReturnValue:
    """Show the console: one search box, filters and results."""
    return render_template("operator/console.html", **choices())


@bp.get("/api/search")
def api_search() -> ResponseReturnValue:
    """Search the directory for the console; answer what was understood and the results."""
    try:
        filters = query.parse_filters(request.args, set(need_names()))
    except query.QueryError as exc:
        return refuse(400, str(exc))
    now = datetime.now(UTC)
    filters, found = query.understand(filters, matcher())
    hits, relaxed = query.search(directory(), filters, now)
    tr = Translator("en")
    return jsonify(
        understood={
            "needs": list(filters.needs), "municipality": filters.municipality, "age": filters.age,
            "crisis": bool(found and found.crisis), "language": found.language if found else None,
        },
        chips=query.chips(filters, found, need_names()),
        relaxed=relaxed,
        results=[query.summary(hit, now, tr) for hit in hits],
    )


def record_context(service_id: str) -> dict[str, Any] | None:
    """Return everything the full record page shows, or None for an unknown id."""
    service = directory().get(service_id)
    if service is None:
        return None
    now = datetime.now(UTC)
    tr = Translator("en")
    line = open_line(service, open_status(service, now), now)
    return {
        "service": service,
        "phones": [(format_phone(p), p.description) for p in service.phones],
        "hours": hours_lines(service, tr),
        "open_text": tr.render(line) if line is not None else "Hours not known",
        "need_names": [need_names().get(c, c) for c in service.needs],
        "service_languages": {tag: own_name(tag) if tag in LANGUAGES else tag for tag in service.languages},
    }


@bp.get("/service/<service_id>")
def record(service_id: str) -> ResponseReturnValue:
    """Show one service in full, with its change history."""
    from ..directory.edit import history

    context = record_context(service_id)
    if context is None:
        return refuse(404, "There is no service with that id.")
    changes = history(current_app.config["NAVIGATOR_DIRECTORY"], service_id)
    return render_template("operator/service.html", history=changes, **context, **choices())
