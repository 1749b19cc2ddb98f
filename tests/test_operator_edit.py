"""Record editing: validated like the import, all or nothing, history as HSDS metadata, readers see it."""
from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from test_operator_fixtures import Console, make_app, small_directory

from navigator.channels.sms import dialogue_for
from navigator.directory import edit, open_directory, search

TODAY = date(2026, 3, 2)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return small_directory(tmp_path)


def service_id(db: Path, name: str) -> str:
    return next(s.id for s in open_directory(db).services() if s.name == name)


def metadata(db: Path, sid: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT last_action_date, last_action_type, field_name, previous_value, replacement_value,"
                            " updated_by FROM metadata WHERE resource_id = ? AND updated_by != "
                            "'navigator directory build' ORDER BY rowid", (sid,)).fetchall()


@pytest.mark.parametrize(("form", "errors"), [
    ({"phones": [{"number": "905-555-01"}]}, {"phones.0.number": "is not a North American phone number"}),
    ({"phones": [{"number": ""}]}, {"phones.0.number": "enter a phone number"}),
    ({"phones": [{"number": "905-555-0101", "extension": "four"}]}, {"phones.0.extension": "is not a number"}),
    ({"hours": [{"days": ["MO"], "opens": "9am", "closes": "17:00"}]}, {"hours.0.opens": "is not a time"}),
    ({"hours": [{"days": ["XX"], "opens": "09:00", "closes": "25:00"}]},
     {"hours.0.days": "days are MO", "hours.0.closes": "is not a time"}),
    ({"hours": [{"days": [], "opens": "09:00", "closes": "09:00"}]},
     {"hours.0.days": "choose at least one day", "hours.0.closes": "closes at the time it opens"}),
    ({"minimum_age": "12", "maximum_age": "5"}, {"maximum_age": "below the minimum age"}),
    ({"minimum_age": "200", "maximum_age": ""}, {"minimum_age": "from 0 to 120"}),
    ({"minimum_age": "ten", "maximum_age": ""}, {"minimum_age": "is not a number"}),
    ({"languages": ["fr", "klingon"]}, {"languages": "unknown klingon"}),
    ({"service_areas": ["milton", "toronto"]}, {"service_areas": "unknown toronto"}),
])
def test_each_invalid_value_is_named_by_its_field(form: dict[str, Any], errors: dict[str, str]) -> None:
    with pytest.raises(edit.EditInvalid) as invalid:
        edit.validate(form)
    assert set(errors) == set(invalid.value.errors)
    for key, words in errors.items():
        assert words in invalid.value.errors[key], key


def test_valid_values_are_cleaned_into_the_sources_style() -> None:
    clean = edit.validate({
        "phones": [{"number": "(905) 555-0147", "extension": "12", "description": "Intake"},
                   {"number": "1 800 555 0199"}, {"number": "211"}],
        "hours": [{"days": ["FR", "MO"], "opens": "9:00", "closes": "17:30"}],
        "minimum_age": "55", "maximum_age": "", "languages": ["fr", "pa"], "service_areas": "milton,halton",
    })
    assert ["905-555-0147", "1-800-555-0199", "211"] == [p["number"] for p in clean["phones"]]
    assert 12 == clean["phones"][0]["extension"]
    assert [{"byday": "MO,FR", "opens_at": "09:00", "closes_at": "17:30"}] == clean["hours"]
    assert (55, None) == clean["ages"]
    assert ["milton", "halton"] == clean["service_areas"]


def test_one_invalid_field_saves_nothing(db: Path) -> None:
    sid = service_id(db, "Ramp Street Pantry")
    with pytest.raises(edit.EditInvalid):
        edit.apply(db, sid, {"eligibility": "Everyone", "phones": [{"number": "12345"}]}, "eddie", TODAY)
    assert [] == metadata(db, sid)
    service = open_directory(db).get(sid)
    assert ("905-555-0101", "Milton residents") == (service.phones[0].number, service.eligibility)


def test_changes_are_saved_together_and_recorded_as_hsds_metadata(db: Path) -> None:
    sid = service_id(db, "Ramp Street Pantry")
    changes = edit.apply(db, sid, {
        "phones": [{"number": "905 555 0102", "description": "Main"}],
        "hours": [{"days": ["MO", "TU", "WE", "TH", "FR"], "opens": "09:00", "closes": "17:00"}],  # unchanged
        "eligibility": "Halton residents", "minimum_age": "", "maximum_age": "",
        "languages": ["en"], "service_areas": ["milton", "halton-hills"],
    }, "eddie", TODAY)
    assert [
        ("2026-03-02", "update", "phone", "905-555-0101", "905-555-0102 (Main)", "eddie"),
        ("2026-03-02", "update", "eligibility_description", "Milton residents", "Halton residents", "eddie"),
        ("2026-03-02", "update", "language", "en, fr", "en", "eddie"),
        ("2026-03-02", "update", "service_area", "milton", "milton, halton-hills", "eddie"),
    ] == metadata(db, sid)
    assert [c.field for c in changes] == ["phone", "eligibility_description", "language", "service_area"]
    fresh = open_directory(db).get(sid)
    assert ("905-555-0102", "Main") == (fresh.phones[0].number, fresh.phones[0].description)
    assert (("en",), ("milton", "halton-hills")) == (fresh.languages, fresh.service_areas)
    assert [c.field for c in edit.history(db, sid)][:4] == ["service_area", "language", "eligibility_description",
                                                            "phone"]


def test_the_edited_eligibility_is_found_by_text_search(db: Path) -> None:
    sid = service_id(db, "Stairs Lane Food Cupboard")
    edit.apply(db, sid, {"eligibility": "Veterans and their families"}, "eddie", TODAY)
    directory = open_directory(db)
    edit.refresh(directory)
    assert [sid] == [h.service.id for h in directory.search(text="veterans")]


def test_an_open_directory_sees_an_edit_made_through_another_connection(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As a worker process sees an edit saved by another: no refresh, only the file's change
    # (looked for at every read here, not every half second).
    monkeypatch.setattr(search, "EDIT_CHECK_SECONDS", 0.0)
    directory = open_directory(db)
    sid = service_id(db, "Stairs Lane Food Cupboard")
    assert [] == directory.search(text="veterans")
    needs = directory.search(needs=["food"], limit=10)
    edit.apply(db, sid, {"eligibility": "Veterans and their families", "phones": [{"number": "905 555 0199"}]}, "eddie", TODAY)
    assert [sid] == [h.service.id for h in directory.search(text="veterans")]
    assert "905-555-0199" == directory.get(sid).phones[0].number
    assert [h.service.id for h in needs] == [h.service.id for h in directory.search(needs=["food"], limit=10)]


def test_mark_verified_sets_the_assured_date_and_clears_the_stale_reason(db: Path) -> None:
    sid = service_id(db, "Ramp Street Pantry")
    assert ("not verified in 12 months",) == next(s.reasons for s in edit.stale(db, TODAY) if s.id == sid)
    edit.mark_verified(db, sid, "eddie", TODAY)
    assert sid not in {s.id for s in edit.stale(db, TODAY)}
    assert ("2026-03-02", "verify", "assured_date", "2024-01-15", "2026-03-02", "eddie") == metadata(db, sid)[-1]
    with pytest.raises(edit.UnknownService):
        edit.mark_verified(db, "no-such-id", "eddie", TODAY)


def test_stale_records_are_listed_with_their_reasons(db: Path) -> None:
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE schedule SET valid_to = '2025-12-31' WHERE service_id = ?",
                     (service_id(db, "Oakville Seniors Friendly Calls"),))
    found = {s.name: s.reasons for s in edit.stale(db, TODAY)}
    assert {
        "Ramp Street Pantry": ("not verified in 12 months",),
        "Stairs Lane Food Cupboard": ("no phone",),
        "Oakville Seniors Friendly Calls": ("no service area", "hours in the past"),
    } == found


# ---- through the console ----------------------------------------------------------------------

@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_app(tmp_path, NAVIGATOR_DIRECTORY=str(small_directory(tmp_path / "dir")))


def test_operators_cannot_edit_records(app: Flask) -> None:
    sid = service_id(Path(app.config["NAVIGATOR_DIRECTORY"]), "Ramp Street Pantry")
    console = Console(app.test_client(), "olive")
    assert 403 == console.get(f"/operator/service/{sid}/edit").status_code
    assert 403 == console.post(f"/operator/service/{sid}/edit", {"eligibility": "x"}).status_code
    assert 403 == console.post(f"/operator/service/{sid}/verify").status_code
    assert 403 == console.get("/operator/stale").status_code
    assert "Edit this record" not in console.get(f"/operator/service/{sid}").get_data(as_text=True)
    assert [] == metadata(Path(app.config["NAVIGATOR_DIRECTORY"]), sid)


def edit_form(**changes: str) -> dict[str, str]:
    form = {"phone-0-number": "905-555-0101", "phone-0-extension": "", "phone-0-description": "",
            "phone-1-number": "", "phone-1-extension": "", "phone-1-description": "",
            "hours-0-opens": "09:00", "hours-0-closes": "17:00", "eligibility": "Milton residents",
            "minimum_age": "", "maximum_age": "", "languages": "en", "service_areas": "milton"}
    form.update(changes)
    return form


def test_an_editor_sees_field_errors_then_saves_and_readers_see_the_change(app: Flask) -> None:
    path = Path(app.config["NAVIGATOR_DIRECTORY"])
    sid = service_id(path, "Ramp Street Pantry")
    console = Console(app.test_client(), "eddie")
    # The dialogue's own directory is loaded before the edit, as in a running app.
    assert "905-555-0101" == dialogue_for(app).results.directory.get(sid).phones[0].number
    form = edit_form(**{"phone-0-number": "905-555-01"})
    response = console.client.post(f"/operator/service/{sid}/edit",
                                   data={**form, "csrf_token": console.token, "hours-0-days": ["MO", "TU"]})
    page = response.get_data(as_text=True)
    assert 422 == response.status_code
    assert "Nothing was saved" in page and 'id="err-phones-0-number"' in page and 'aria-invalid="true"' in page
    assert 'value="905-555-01"' in page  # what the editor typed is kept
    response = console.client.post(f"/operator/service/{sid}/edit", data={
        **edit_form(**{"phone-0-number": "905-555-0177"}), "csrf_token": console.token,
        "hours-0-days": ["MO", "TU", "WE", "TH", "FR"], "languages": ["en", "fr"]})
    assert 302 == response.status_code
    record = console.get(f"/operator/service/{sid}").get_data(as_text=True)
    assert "Saved 1 change." in record
    assert "<td>eddie</td><td>phone</td><td>905-555-0101</td><td>905-555-0177</td>" in record
    assert "905-555-0177" == dialogue_for(app).results.directory.get(sid).phones[0].number
    found = console.get("/operator/api/search", query_string={"q": "Ramp Street Pantry", "needs": ""}).json
    assert "(905) 555-0177" == found["results"][0]["phones"][0]["display"]


def test_an_editor_marks_a_record_verified_and_sees_the_stale_list(app: Flask) -> None:
    path = Path(app.config["NAVIGATOR_DIRECTORY"])
    sid = service_id(path, "Ramp Street Pantry")
    console = Console(app.test_client(), "eddie")
    assert "Ramp Street Pantry" in console.get("/operator/stale").get_data(as_text=True)
    assert 302 == console.post(f"/operator/service/{sid}/verify").status_code
    assert "Marked verified today." in console.get(f"/operator/service/{sid}").get_data(as_text=True)
    assert "Ramp Street Pantry" not in console.get("/operator/stale").get_data(as_text=True)
