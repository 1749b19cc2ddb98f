"""Console search: a description read into filters, keywords with typos, filters, the full record."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from test_operator_fixtures import Console, make_app, small_directory

from navigator.channels import operator_query as query
from navigator.directory import open_directory, open_status
from navigator.models import Match, NeedScore
from navigator.settings import SHIPPED_DIRECTORY

NEEDS = {"food", "housing", "isolation-seniors", "crisis"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return make_app(tmp_path_factory.mktemp("search"))


@pytest.fixture(scope="module")
def console(app: Flask) -> Console:
    return Console(app.test_client(), "olive")


def search(console: Console, **args: str) -> dict:
    response = console.get("/operator/api/search", query_string=args)
    assert 200 == response.status_code, response.get_data(as_text=True)
    return response.json


def test_a_description_becomes_need_town_and_age_chips(console: Console) -> None:
    body = search(console, q="senior isolated in Milton, 80 years old")
    assert {"needs": ["isolation-seniors"], "municipality": "milton", "age": 80} == {
        k: body["understood"][k] for k in ("needs", "municipality", "age")}
    assert [("needs", "isolation-seniors"), ("municipality", "milton"), ("age", "80")] == [
        (c["kind"], c["value"]) for c in body["chips"]]
    assert all(c["from_text"] for c in body["chips"])
    first = body["results"][0]
    assert {"id", "name", "organization", "phones", "hours", "open_now", "open_text"} <= set(first)
    assert "isolation-seniors" in open_directory(SHIPPED_DIRECTORY).get(first["id"]).needs


def test_a_chip_the_operator_changes_wins_over_the_text(console: Console) -> None:
    body = search(console, q="senior isolated in Milton, 80 years old", municipality="oakville", needs="food", age="")
    assert ["food"] == body["understood"]["needs"] and "oakville" == body["understood"]["municipality"]
    assert body["understood"]["age"] is None
    assert not any(c["from_text"] for c in body["chips"])
    directory = open_directory(SHIPPED_DIRECTORY)
    for row in body["results"]:
        service = directory.get(row["id"])
        assert "food" in service.needs
        assert set(service.service_areas) & {"oakville", "halton", "ontario", "canada"} or not service.service_areas


def test_keywords_with_typos_find_the_service_by_name(console: Console) -> None:
    body = search(console, q="Distres Centr Halton", needs="")
    assert "Distress Centre Halton" == body["results"][0]["name"]


@pytest.mark.parametrize(("flag", "check"), [
    ("free", lambda s, now: s.free is True),
    ("open_now", lambda s, now: open_status(s, now).is_open is not False),
])
def test_each_filter_holds_for_every_result(console: Console, flag: str, check) -> None:
    body = search(console, q="food", **{flag: "1"})
    now = datetime.now(UTC)
    directory = open_directory(SHIPPED_DIRECTORY)
    assert body["results"], flag
    for row in body["results"]:
        assert check(directory.get(row["id"]), now), (flag, row["name"])


def test_the_language_filter_ranks_services_in_that_language_first(tmp_path: Path) -> None:
    directory = open_directory(small_directory(tmp_path))
    hits, _ = query.search(directory, query.Filters(needs=("food",), language="fr"), datetime.now(UTC))
    assert [("Ramp Street Pantry", "offers fr"), ("Stairs Lane Food Cupboard", "does not state fr")] == [
        (h.service.name, h.why[-1]) for h in hits]
    hits, _ = query.search(directory, query.Filters(needs=("isolation-seniors", "food"), language="pa"),
                           datetime.now(UTC))
    assert "offers pa" in hits[0].why


@pytest.mark.parametrize(("args", "message"), [
    ({"needs": "spaceships"}, "unknown need codes: spaceships"),
    ({"municipality": "toronto"}, "municipality must be one of"),
    ({"age": "old"}, "age must be a whole number"),
    ({"language": "xx"}, "language must be one of"),
])
def test_bad_filters_are_refused_with_a_reason(console: Console, args: dict, message: str) -> None:
    response = console.get("/operator/api/search", query_string={"q": "food", **args})
    assert 400 == response.status_code
    assert message in response.json["error"]["message"]


def test_the_full_record_shows_everything_and_unknown_ids_are_404(console: Console) -> None:
    body = search(console, q="Distress Centre Halton", needs="")
    page = console.get(f"/operator/service/{body['results'][0]['id']}").get_data(as_text=True)
    assert "<h1>Distress Centre Halton</h1>" in page
    for phone in body["results"][0]["phones"]:
        assert phone["display"] in page
    assert "History" in page
    assert 404 == console.get("/operator/service/no-such-id").status_code


def test_the_console_page_has_the_search_box_and_filters(console: Console) -> None:
    page = console.get("/operator/").get_data(as_text=True)
    for needle in ('id="q"', 'id="f-municipality"', 'id="f-language"', 'id="f-age"', 'id="f-open"', 'id="f-free"',
                   'id="f-wheelchair"', 'value="isolation-seniors"'):
        assert needle in page


def fake_matcher(text: str, lang: str | None = None) -> Match:
    return Match(text=text, language="en", needs=(NeedScore("crisis", 1.0), NeedScore("housing", 0.8)),
                 crisis=True, municipality="burlington", age=40)


def test_understand_fills_only_what_the_operator_left_open() -> None:
    filters = query.parse_filters({"q": "help", "age": "12"}, NEEDS)
    filled, found = query.understand(filters, fake_matcher)
    assert found is not None and found.crisis
    assert (("housing",), "burlington", 12) == (filled.needs, filled.municipality, filled.age)
    chips = query.chips(filled, found, {"housing": "Housing"})
    assert [("needs", "housing", True), ("municipality", "burlington", True), ("age", "12", False)] == [
        (c["kind"], c["value"], c["from_text"]) for c in chips]


def test_with_no_results_the_town_is_dropped_and_reported(tmp_path: Path) -> None:
    directory = open_directory(small_directory(tmp_path))
    hits, relaxed = query.search(directory, query.Filters(needs=("food",), municipality="oakville"), datetime.now(UTC))
    assert ["municipality"] == relaxed and 2 == len(hits)
    hits, relaxed = query.search(directory, query.Filters(needs=("food",), municipality="milton"), datetime.now(UTC))
    assert [] == relaxed and 2 == len(hits)
    hits, relaxed = query.search(directory, query.Filters(needs=("legal",), municipality="milton"), datetime.now(UTC))
    assert ([], []) == (hits, relaxed)


def test_the_wheelchair_filter_keeps_only_accessible_services(tmp_path: Path) -> None:
    directory = open_directory(small_directory(tmp_path))
    hits, _ = query.search(directory, query.Filters(needs=("food",), wheelchair=True), datetime.now(UTC))
    assert ["Ramp Street Pantry"] == [h.service.name for h in hits]
    hits, _ = query.search(directory, query.Filters(needs=("food",)), datetime.now(UTC))
    assert {"Ramp Street Pantry", "Stairs Lane Food Cupboard"} == {h.service.name for h in hits}


def test_a_named_service_comes_first_only_when_it_passes_the_filters(tmp_path: Path) -> None:
    directory = open_directory(small_directory(tmp_path))
    named = query.Filters(text="Stairs Lane Food Cupboard", needs=("food",))
    hits, _ = query.search(directory, named, datetime.now(UTC))
    assert "Stairs Lane Food Cupboard" == hits[0].service.name
    hits, _ = query.search(directory, replace(named, free=True), datetime.now(UTC))
    assert ["Ramp Street Pantry"] == [h.service.name for h in hits]
