"""Console routes for editors: edit a record, mark it verified, list stale records."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from ..directory import edit
from ..directory.hours import TORONTO
from ..directory.parse import ICAL_DAYS
from ..models import Service
from .operator import bp, current_user, editor_required, refuse
from .operator_search import directory
from .sms import dialogue_for

BLANK_ROWS = 2  # empty rows under the existing ones, to add a phone or an opening window


def _today() -> date:
    return datetime.now(TORONTO).date()


def _rows(form: MultiDict[str, str], prefix: str, names: tuple[str, ...]) -> list[dict[str, Any]]:
    """Read numbered rows (``phone-0-number``...) in order, skipping rows left wholly empty."""
    rows = []
    index = 0
    while any(f"{prefix}-{index}-{n}" in form for n in names):
        row: dict[str, Any] = {}
        for name in names:
            key = f"{prefix}-{index}-{name}"
            row[name] = form.getlist(key) if name == "days" else form.get(key, "").strip()
        if any(row.values()):
            rows.append(row)
        index += 1
    return rows


def form_values(form: MultiDict[str, str]) -> dict[str, Any]:
    """Turn the posted edit form into the structure ``directory.edit`` validates."""
    return {
        "phones": _rows(form, "phone", ("number", "extension", "description")),
        "hours": _rows(form, "hours", ("days", "opens", "closes")),
        "eligibility": form.get("eligibility", ""),
        "minimum_age": form.get("minimum_age", "").strip(),
        "maximum_age": form.get("maximum_age", "").strip(),
        "languages": form.getlist("languages"),
        "service_areas": form.getlist("service_areas"),
    }


def _values_of(service: Service) -> dict[str, Any]:
    """Return the form's starting values: the record as it is now."""
    windows: dict[tuple[str, str], list[str]] = {}
    for h in service.hours:
        windows.setdefault((h.opens.strftime("%H:%M"), h.closes.strftime("%H:%M")), []).append(ICAL_DAYS[h.weekday - 1])
    hours = [{"days": days, "opens": o, "closes": c} for (o, c), days in windows.items()]
    if service.open_24_7:
        hours = [{"days": list(ICAL_DAYS), "opens": "00:00", "closes": "23:59"}]
    return {
        "phones": [{"number": p.number, "extension": p.extension or "", "description": p.description or ""}
                   for p in service.phones],
        "hours": hours,
        "eligibility": service.eligibility or "",
        "minimum_age": "" if service.minimum_age is None else str(service.minimum_age),
        "maximum_age": "" if service.maximum_age is None else str(service.maximum_age),
        "languages": list(service.languages),
        "service_areas": list(service.service_areas),
    }


def _page(service: Service, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> ResponseReturnValue:
    blank_phone = {"number": "", "extension": "", "description": ""}
    blank_window = {"days": [], "opens": "", "closes": ""}
    values = {**values, "phones": [*values["phones"], *[blank_phone] * BLANK_ROWS],
              "hours": [*values["hours"], *[blank_window] * BLANK_ROWS]}
    html = render_template("operator/edit.html", service=service, values=values, errors=errors,
                           days=ICAL_DAYS, language_codes=edit.LANGUAGE_CODES, areas=edit.AREAS)
    return html, status


def _after_write() -> None:
    # The rest of the app reads the directory through caches; they must see the edit now.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    edit.refresh_all(app.config["NAVIGATOR_DIRECTORY"], also=[dialogue_for(app).results.directory])


@bp.route("/service/<service_id>/edit", methods=["GET", "POST"])
@editor_required
def edit_record(service_id: str) -> ResponseReturnValue:
    """Show the edit form; on POST save every change or none, with per-field errors."""
    service = directory().get(service_id)
    if service is None:
        return refuse(404, "There is no service with that id.")
    if request.method == "GET":
        return _page(service, _values_of(service), {})
    values = form_values(request.form)
    user = current_user()
    assert user is not None
    try:
        changes = edit.apply(current_app.config["NAVIGATOR_DIRECTORY"], service_id, values, user.name, _today())
    except edit.EditInvalid as invalid:
        return _page(service, values, invalid.errors, 422)
    _after_write()
    flash(f"Saved {len(changes)} change{'s' if len(changes) != 1 else ''}." if changes else "Nothing changed.")
    return redirect(url_for("operator.record", service_id=service_id))


@bp.post("/service/<service_id>/verify")
@editor_required
def verify(service_id: str) -> ResponseReturnValue:
    """Record that the whole record was checked today."""
    user = current_user()
    assert user is not None
    try:
        edit.mark_verified(current_app.config["NAVIGATOR_DIRECTORY"], service_id, user.name, _today())
    except edit.UnknownService:
        return refuse(404, "There is no service with that id.")
    _after_write()
    flash("Marked verified today.")
    return redirect(url_for("operator.record", service_id=service_id))


@bp.get("/stale")
@editor_required
def stale() -> ResponseReturnValue:
    """List records that need checking."""
    records = edit.stale(current_app.config["NAVIGATOR_DIRECTORY"], _today())
    return render_template("operator/stale.html", records=records)
