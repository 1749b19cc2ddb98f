"""Search over a small directory built for the test: ranking, filters, hours, holidays, spelling."""
from __future__ import annotations

import csv
import shutil
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from navigator import settings
from navigator.directory import Directory, DirectoryError, open_directory, open_status
from navigator.directory.build import COLUMNS, build
from navigator.directory.hours import TORONTO
from navigator.models import Hours, Service
from navigator.settings import DATA_DIR

# name, needs, municipality, phone, hours, languages, eligibility, description
SERVICES = [
    ("Milton Food Bank", "food", "Milton", "905-555-0101", "Mon-Fri 9 a.m.-5 p.m.", "",
     "", "Groceries for Milton families."),
    ("Halton Food Line", "food;income", "Halton-wide", "905-555-0102", "Mon-Fri 9 a.m.-5 p.m.",
     "English, French and Punjabi", "", "Food hampers and help with income across Halton."),
    ("Halton Community Meals", "food", "Halton-wide", "905-555-0109", "", "", "",
     "Community meals in church halls."),
    ("Oakville Pantry", "food", "Oakville", "905-555-0103", "Mon-Sat 10 a.m.-2 p.m.", "",
     "", "Food pantry for Oakville."),
    ("Ontario Food Helpline", "food", "Ontario", "1-800-555-0104", "24/7",
     "More than 100 languages", "", "Free province-wide helpline about food programs."),
    ("Youth Drop-in Milton", "food;youth-mental-health", "Milton", "905-555-0105",
     "Mon 9-5; Thu 5-9 p.m.; closed long weekends", "", "Youth aged 12 to 24",
     "Drop-in with snacks and a counsellor for youth."),
    ("Seniors Lunch Club", "food;isolation-seniors", "Milton", "905-555-0106", "", "",
     "Adults 55+", "Wheelchair accessible lunch club for seniors."),
    ("Night Shelter Burlington", "housing", "Burlington", "905-555-0107",
     "Mon-Sun 8 p.m.-8 a.m.", "", "", "Overnight shelter beds."),
    ("Counselling Centre", "mental-health", "Halton-wide", "905-555-0108",
     "Mon-Fri 9 a.m.-noon; Mon-Fri 1-5 p.m.", "", "", "Free short-term counselling for adults."),
]


@pytest.fixture(scope="module")
def fixture_dir(tmp_path_factory: pytest.TempPathFactory) -> Directory:
    data = tmp_path_factory.mktemp("data")
    shutil.copy(DATA_DIR / "needs.yaml", data / "needs.yaml")
    with (data / "test_services.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        for name, needs, town, phone, hours, languages, eligibility, description in SERVICES:
            writer.writerow({
                "name": name, "organization": name + " Inc.", "needs": needs, "municipality": town,
                "address": "", "phone": phone, "website": "", "hours": hours, "languages": languages,
                "eligibility": eligibility, "description": description, "source": "https://example.org",
                "retrieved": "2026-11-01",
            })
    out = data / "directory.db"
    build(out, data)
    return open_directory(out)


def names(hits: list) -> list[str]:
    return [h.service.name for h in hits]


def test_town_ranks_local_then_halton_then_province_and_excludes_other_towns(fixture_dir: Directory) -> None:
    hits = fixture_dir.search(needs=["food"], municipality="milton")
    assert names(hits) == [
        "Milton Food Bank", "Seniors Lunch Club", "Youth Drop-in Milton", "Halton Community Meals",
        "Halton Food Line", "Ontario Food Helpline",
    ]
    assert "Oakville Pantry" not in names(hits)
    assert hits[0].why == ("matches food", "serves Milton")
    assert hits[-1].why == ("matches food", "serves all of Ontario")


def test_more_requested_needs_rank_first_and_earlier_needs_before_later(fixture_dir: Directory) -> None:
    hits = fixture_dir.search(needs=["income", "food"], municipality="Milton")
    assert names(hits)[0] == "Halton Food Line"  # both needs
    hits = fixture_dir.search(needs=["youth-mental-health", "mental-health"])
    assert names(hits) == ["Youth Drop-in Milton", "Counselling Centre"]


def test_language_ranks_within_an_area_services_offering_it_first(fixture_dir: Directory) -> None:
    assert names(fixture_dir.search(needs=["food"]))[:2] == ["Halton Community Meals", "Halton Food Line"]
    hits = fixture_dir.search(needs=["food"], language="pa")
    assert names(hits)[:2] == ["Halton Food Line", "Halton Community Meals"]
    assert hits[0].why == ("matches food", "serves all of Halton", "offers pa")
    assert hits[1].why[-1] == "does not state pa"
    helpline = fixture_dir.search(needs=["food"], municipality="oakville", language="ko")[-1]
    assert (helpline.service.name, helpline.why[-1]) == ("Ontario Food Helpline", "interpreters available")


def test_age_excludes_services_for_other_ages_and_prefers_a_stated_fit(fixture_dir: Directory) -> None:
    assert names(fixture_dir.search(needs=["food"], municipality="milton", age=15)) == [
        "Youth Drop-in Milton", "Milton Food Bank", "Halton Community Meals", "Halton Food Line",
        "Ontario Food Helpline",
    ]
    assert "Youth Drop-in Milton" not in names(fixture_dir.search(needs=["food"], age=40))
    assert names(fixture_dir.search(needs=["food"], municipality="milton", age=70))[0] == "Seniors Lunch Club"


def test_open_at_excludes_closed_services_and_keeps_unknown_hours_last(fixture_dir: Directory) -> None:
    thursday_evening = datetime(2026, 11, 26, 18, 0, tzinfo=TORONTO)
    hits = fixture_dir.search(needs=["food"], municipality="milton", open_at=thursday_evening)
    # Area comes before opening hours; unknown hours follow known-open ones within an area.
    assert names(hits) == [
        "Youth Drop-in Milton", "Seniors Lunch Club", "Halton Community Meals", "Ontario Food Helpline",
    ]
    assert [h.why[-1] for h in hits] == [
        "open at that time", "hours not stated", "hours not stated", "open at that time",
    ]


def test_overnight_window_is_open_after_midnight(fixture_dir: Directory) -> None:
    early_tuesday = datetime(2026, 11, 24, 3, 0)
    assert names(fixture_dir.search(needs=["housing"], open_at=early_tuesday)) == ["Night Shelter Burlington"]
    assert fixture_dir.search(needs=["housing"], open_at=datetime(2026, 11, 24, 12, 0)) == []


def test_statutory_holiday_closes_services_that_close_on_holidays(fixture_dir: Directory) -> None:
    # Monday 2026-09-07 is Labour Day; an ordinary Monday a week later is open.
    labour_day = datetime(2026, 9, 7, 10, 0)
    youth = fixture_dir.search(needs=["youth-mental-health"], open_at=labour_day)
    assert youth == []
    assert names(fixture_dir.search(needs=["youth-mental-health"], open_at=datetime(2026, 9, 14, 10, 0))) == [
        "Youth Drop-in Milton"
    ]


def test_free_and_wheelchair_filters(fixture_dir: Directory) -> None:
    assert names(fixture_dir.search(free=True)) == ["Counselling Centre", "Ontario Food Helpline"]
    assert names(fixture_dir.search(needs=["food"], wheelchair=True)) == ["Seniors Lunch Club"]


def test_free_text_ranks_by_bm25_and_corrects_spelling(fixture_dir: Directory) -> None:
    hits = fixture_dir.search(text="food")
    # "Food" in the name weighs more than in the description alone.
    assert set(names(hits)[:3]) == {"Milton Food Bank", "Halton Food Line", "Ontario Food Helpline"}
    assert names(hits)[3:] == ["Oakville Pantry"]
    assert hits[0].score > hits[3].score
    assert names(fixture_dir.search(text="counselling")) == ["Counselling Centre"]
    misspelt = fixture_dir.search(text="I need conseling")
    assert names(misspelt) == ["Counselling Centre"]
    assert "read 'conseling' as 'counselling'" in misspelt[0].why
    assert fixture_dir.search(text="xylophone") == []


def test_unknown_town_is_a_domain_error(fixture_dir: Directory) -> None:
    with pytest.raises(DirectoryError, match="unknown municipality 'Toronto'"):
        fixture_dir.search(needs=["food"], municipality="Toronto")


def test_limit_and_offset_page_through_the_same_order(fixture_dir: Directory) -> None:
    everything = names(fixture_dir.search(needs=["food"], limit=20))
    assert names(fixture_dir.search(needs=["food"], limit=2, offset=2)) == everything[2:4]


def test_get_returns_the_full_service(fixture_dir: Directory) -> None:
    hit = fixture_dir.search(needs=["youth-mental-health"])[0]
    service = fixture_dir.get(hit.service.id)
    assert service == hit.service
    assert service is not None
    assert (service.minimum_age, service.maximum_age) == (12, 24)
    assert service.closed_on_holidays is True
    assert service.hours == (
        Hours(1, time(9), time(17)),
        Hours(4, time(17), time(21)),
    )
    assert service.hours_text == "Mon 9-5; Thu 5-9 p.m.; closed long weekends"
    assert fixture_dir.get("no-such-id") is None
    assert len(list(fixture_dir.services())) == len(SERVICES)


def _service(**fields: object) -> Service:
    return Service(id="x", name="x", organization="x", description="", needs=(), **fields)  # type: ignore[arg-type]


def test_open_status_says_when_it_closes_and_next_opens() -> None:
    office = _service(hours=tuple(Hours(d, time(9), time(17)) for d in range(1, 6)))
    friday_noon = datetime(2026, 11, 27, 12, 0, tzinfo=TORONTO)
    status = open_status(office, friday_noon)
    assert (status.is_open, status.closes_at) == (True, datetime(2026, 11, 27, 17, 0, tzinfo=TORONTO))
    status = open_status(office, datetime(2026, 11, 27, 18, 0, tzinfo=TORONTO))
    assert (status.is_open, status.opens_at) == (False, datetime(2026, 11, 30, 9, 0, tzinfo=TORONTO))


def test_open_status_skips_holidays_and_handles_24_7_and_unknown() -> None:
    office = _service(hours=tuple(Hours(d, time(9), time(17)) for d in range(1, 6)), closed_on_holidays=True)
    christmas_eve_evening = datetime(2026, 12, 24, 18, 0)
    # Christmas (Fri) is a holiday and Boxing Day (Sat) is observed on Monday 28th.
    assert open_status(office, christmas_eve_evening).opens_at == datetime(2026, 12, 29, 9, 0, tzinfo=TORONTO)
    assert open_status(_service(open_24_7=True), christmas_eve_evening).is_open is True
    assert open_status(_service(), christmas_eve_evening).is_open is None


def test_utc_times_are_read_in_toronto_time() -> None:
    office = _service(hours=(Hours(4, time(9), time(17)),))
    # 21:30 UTC on a November Thursday is 16:30 in Toronto.
    assert open_status(office, datetime(2026, 11, 26, 21, 30, tzinfo=UTC)).is_open is True


def test_open_directory_is_cached_per_path_and_reopens_after_a_rebuild(tmp_path: Path, fixture_dir: Directory) -> None:
    copy = tmp_path / "copy.db"
    shutil.copy(fixture_dir.path, copy)
    first = open_directory(copy)
    assert open_directory(str(copy)) is first
    copy.unlink()
    shutil.copy(fixture_dir.path, copy)
    assert open_directory(copy) is not first
    with pytest.raises(DirectoryError, match="no directory database"):
        open_directory(tmp_path / "missing.db")


def test_searches_from_many_threads_agree(fixture_dir: Directory) -> None:
    from concurrent.futures import ThreadPoolExecutor

    queries = [{"needs": ["food"], "municipality": town} for town in ("milton", "oakville", "burlington")] * 20
    expected = [names(fixture_dir.search(**q)) for q in queries]  # type: ignore[arg-type]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda q: names(fixture_dir.search(**q)), queries))
    assert got == expected


def test_text_with_needs_keeps_only_services_matching_both(fixture_dir: Directory) -> None:
    assert names(fixture_dir.search(needs=["food"], text="seniors")) == ["Seniors Lunch Club"]
    assert fixture_dir.search(needs=["housing"], text="seniors") == []


def test_a_forked_worker_opens_its_own_connection(fixture_dir: Directory) -> None:
    import os

    fixture_dir.search(needs=["food"])
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child answers through the pipe and leaves without running pytest's teardown
        try:
            answer = ",".join(names(open_directory(fixture_dir.path).search(needs=["housing"])))
            os.write(write, answer.encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    assert os.read(read, 1000).decode() == "Night Shelter Burlington"
    os.close(read)


def test_imported_schedules_with_offsets_24_00_and_bad_times_are_read_safely(tmp_path: Path) -> None:
    import sqlite_utils

    from navigator.directory.schema import create_schema

    db = sqlite_utils.Database(tmp_path / "imported.db")
    create_schema(db)
    db.table("service").insert_all([
        {"id": "always", "name": "Always", "status": "active"},
        {"id": "office", "name": "Office", "status": "active"},
    ])
    db.table("schedule").insert_all([
        {"id": "a", "service_id": "always", "byday": "MO,TU,WE,TH,FR,SA,SU", "opens_at": "00:00",
         "closes_at": "24:00"},
        {"id": "o1", "service_id": "office", "byday": "MO", "opens_at": "09:00-05:00", "closes_at": "17:00-05:00"},
        {"id": "o2", "service_id": "office", "byday": "TU", "opens_at": "9am", "closes_at": "5pm",
         "description": "Tuesdays 9am to 5pm"},
    ])
    db.table("meta").insert({"key": "built", "value": "2026-11-01"})
    db.close()
    imported = open_directory(tmp_path / "imported.db")
    always, office = imported.get("always"), imported.get("office")
    assert always is not None and office is not None
    assert always.open_24_7 is True
    assert office.hours == (Hours(1, time(9), time(17)),)
    assert office.hours_text == "Tuesdays 9am to 5pm"


def test_now_ranks_open_services_first_without_excluding_closed_ones(fixture_dir: Directory) -> None:
    thursday_evening = datetime(2026, 11, 26, 18, 0, tzinfo=TORONTO)
    hits = fixture_dir.search(needs=["food"], municipality="milton", now=thursday_evening)
    assert names(hits) == [
        "Youth Drop-in Milton", "Seniors Lunch Club", "Milton Food Bank", "Halton Community Meals",
        "Halton Food Line", "Ontario Food Helpline",
    ]
    assert [h.why[-1] for h in hits[:3]] == ["open now", "hours not stated", "closed now"]


def test_a_file_that_is_not_a_directory_is_a_domain_error(tmp_path: Path) -> None:
    stray = tmp_path / "notes.db"
    stray.write_text("not sqlite at all")
    with pytest.raises(DirectoryError, match="not a navigator directory database"):
        open_directory(stray)


def test_needs_may_be_given_as_a_generator() -> None:
    # Two fresh views, so the second search is not answered from the first one's memory.
    wanted = [h.service.id for h in Directory(settings.SHIPPED_DIRECTORY).search(needs=["food"], municipality="milton")]
    assert wanted
    given = Directory(settings.SHIPPED_DIRECTORY).search(needs=(n for n in ["food"]), municipality="milton")
    assert wanted == [h.service.id for h in given]
