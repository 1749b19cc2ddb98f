"""Building directory.db: determinism, the shipped file against its sources, and the parsers."""
from __future__ import annotations

import csv
import shutil
import sqlite3
from datetime import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from navigator.cli import main
from navigator.directory import open_directory
from navigator.directory.build import COLUMNS, BuildError, build, make_id
from navigator.directory.parse import (
    parse_address,
    parse_ages,
    parse_areas,
    parse_hours,
    parse_languages,
    parse_phones,
)
from navigator.models import Hours, Phone
from navigator.settings import DATA_DIR, SHIPPED_DIRECTORY


def content(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in a stable order."""
    conn = sqlite3.connect(path)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    rows = {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    conn.close()
    return rows


def test_rebuild_matches_the_shipped_directory(tmp_path: Path) -> None:
    rebuilt = build(tmp_path / "directory.db", DATA_DIR)
    assert content(rebuilt.out) == content(SHIPPED_DIRECTORY), "run `navigator directory build` and commit"


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first = build(tmp_path / "a.db", DATA_DIR).out.read_bytes()
    assert build(tmp_path / "b.db", DATA_DIR).out.read_bytes() == first


def test_ids_are_uuid5_of_the_source_record() -> None:
    assert make_id("service", "Kids Help Phone", "Kids Help Phone") == make_id(
        "service", "Kids Help Phone", "Kids Help Phone"
    )
    assert make_id("service", "a", "b") != make_id("service", "a", "c")
    conn = sqlite3.connect(SHIPPED_DIRECTORY)
    ids = [r[0] for r in conn.execute("SELECT id FROM service")]
    conn.close()
    assert all(i[14] == "5" for i in ids)  # version nibble of a uuid5


def test_every_need_code_has_a_service() -> None:
    codes = [n["code"] for n in yaml.safe_load((DATA_DIR / "needs.yaml").read_text())["needs"]]
    directory = open_directory(SHIPPED_DIRECTORY)
    missing = [code for code in codes if not directory.search(needs=[code], limit=1)]
    assert missing == []


def test_build_date_is_the_newest_retrieved_date() -> None:
    newest = max(
        row["retrieved"]
        for path in DATA_DIR.glob("*services*.csv")
        for row in csv.DictReader(path.read_text(encoding="utf-8").splitlines())
    )
    assert open_directory(SHIPPED_DIRECTORY).info().built == newest


@pytest.mark.parametrize(
    ("name", "areas"),
    [("211 Ontario", ("ontario",)), ("988 Suicide Crisis Helpline", ("canada",)), ("Kids Help Phone", ("canada",))],
)
def test_national_lines_are_present_with_wide_service_areas(name: str, areas: tuple[str, ...]) -> None:
    found = [s for s in open_directory(SHIPPED_DIRECTORY).services() if s.name == name]
    assert [s.service_areas for s in found] == [areas]
    assert found[0].phones


def test_shipped_records_keep_their_source_and_date() -> None:
    services = list(open_directory(SHIPPED_DIRECTORY).services())
    assert all(s.source and s.last_verified for s in services)
    distress = next(s for s in services if s.name == "Distress Centre Halton")
    assert distress.phones == (
        Phone("905-849-4541"), Phone("905-877-1211", None, "Milton/Halton Hills"),
        Phone("905-681-1488", None, "Burlington"),
    )
    assert distress.open_24_7 is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24 hours a day, 7 days a week", (True, False, ())),
        ("Mon 9-5; Sat 9-12; closed long weekends",
         (False, True, ((1, time(9), time(17)), (6, time(9), time(12))))),
        ("Mondays 10 a.m.-2 p.m. and Thursdays 3-7 p.m. (as reported in 2016)",
         (False, False, ((1, time(10), time(14)), (4, time(15), time(19))))),
        ("Sat approx. 6:30 a.m.-1:30 a.m.", (False, False, ((6, time(6, 30), time(1, 30)),))),
        ("Saturday and Sunday 8:00 a.m.-noon", (False, False, ((6, time(8), time(12)), (7, time(8), time(12))))),
        ("Customer service Monday to Friday 8:30 a.m.-5:00 p.m.; automated menu 24 hours",
         (False, False, tuple((d, time(8, 30), time(17)) for d in range(1, 6)))),
        ("By appointment", (False, False, ())),
    ],
)
def test_parse_hours(text: str, expected: tuple[bool, bool, tuple[tuple[int, time, time], ...]]) -> None:
    parsed = parse_hours(text)
    windows = tuple((h.weekday, h.opens, h.closes) for h in parsed.windows)
    assert (parsed.open_24_7, parsed.closed_on_holidays, windows) == expected
    assert all(isinstance(h, Hours) for h in parsed.windows)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("905-338-2983 ext. 4897", (Phone("905-338-2983", "4897"),)),
        ("Text 647-694-4275", (Phone("647-694-4275", None, "Text"),)),
        ("2-1-1; toll-free 1-877-330-3213; TTY 1-888-340-1001",
         (Phone("2-1-1"), Phone("1-877-330-3213", None, "toll-free"), Phone("1-888-340-1001", None, "TTY"))),
        ("905-815-2000 (Town of Oakville; memberships)", (Phone("905-815-2000", None, "Town of Oakville; memberships"),)),
        ("Halton Region 311 or 905-825-6000",
         (Phone("311", None, "Halton Region"), Phone("905-825-6000", None, "Halton Region"))),
        ("", ()),
    ],
)
def test_parse_phones(text: str, expected: tuple[Phone, ...]) -> None:
    assert parse_phones(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Halton residents aged 16 and over", (16, None)),
        ("Youth aged 12-24; free", (12, 24)),
        ("Children and youth aged 5 to 17 and their families", (5, 17)),
        ("Adults 55+ (membership)", (55, None)),
        ("Infants and youth up to age 17; residential services up to age 21", (None, 21)),
        ("at least one adult with level 4+ English", (None, None)),
        ("Anyone in need", (None, None)),
    ],
)
def test_parse_ages(text: str, expected: tuple[int | None, int | None]) -> None:
    assert parse_ages(text) == expected


def test_parse_languages_and_areas() -> None:
    assert parse_languages("English and French; Cree on request") == (
        (("en", "English"), ("fr", "French"), ("cr", "Cree")), None
    )
    assert parse_languages("More than 150 languages") == ((), "More than 150 languages")
    assert parse_areas("Milton;Halton Hills") == (("milton", "Milton"), ("halton-hills", "Halton Hills"))
    assert parse_areas("Halton-wide") == (("halton", "Halton-wide"),)


def _write(data: Path, rows: list[dict[str, str]]) -> None:
    shutil.copy(DATA_DIR / "needs.yaml", data / "needs.yaml")
    with (data / "x_services.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def _row(**fields: str) -> dict[str, str]:
    base = dict.fromkeys(COLUMNS, "")
    base.update(name="A", organization="Org", needs="food", municipality="Milton", retrieved="2026-01-01")
    base.update(fields)
    return base


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (_row(needs="food;space-travel"), r"x_services.csv:2: field 'needs' has unknown codes \['space-travel'\]"),
        (_row(municipality="Toronto"), r"x_services.csv:2: field 'municipality': unknown municipality 'Toronto'"),
        (_row(retrieved=""), r"x_services.csv:2: field 'retrieved' is empty"),
        (_row(website="www.a.ca or www.b.ca"), r"x_services.csv:2: field 'website': not one web address"),
    ],
)
def test_bad_records_name_file_line_and_field(tmp_path: Path, row: dict[str, str], message: str) -> None:
    _write(tmp_path, [row])
    with pytest.raises(BuildError, match=message):
        build(tmp_path / "d.db", tmp_path)


def test_duplicate_service_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, [_row(), _row()])
    with pytest.raises(BuildError, match=r"x_services.csv:3: field 'name' repeats the service of x_services.csv:2"):
        build(tmp_path / "d.db", tmp_path)


def test_cli_build_and_check(tmp_path: Path) -> None:
    _write(tmp_path, [_row(phone="905-555-0100"), _row(name="B", municipality="", retrieved="2024-01-01")])
    runner = CliRunner()
    out = tmp_path / "d.db"
    result = runner.invoke(main, ["directory", "build", "--out", str(out), "--data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "2 services from x_services.csv; built 2026-01-01" in result.output
    result = runner.invoke(main, ["directory", "check", "--db", str(out), "--today", "2026-06-01", "--strict"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("B [") and lines[0].endswith(
        "not verified since 2024-01-01; no phone; no service area"
    )
    assert lines[-1] == "1 of 2 records need attention"


def test_cli_build_reports_bad_data_cleanly(tmp_path: Path) -> None:
    _write(tmp_path, [_row(needs="nope")])
    result = CliRunner().invoke(main, ["directory", "build", "--out", str(tmp_path / "d.db"), "--data", str(tmp_path)])
    assert result.exit_code == 1
    assert "Error: x_services.csv:2: field 'needs' has unknown codes ['nope']" in result.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1240 Speers Rd., Unit 6, Oakville, ON L6L 2X4",
         {"address_1": "1240 Speers Rd.", "address_2": "Unit 6", "city": "Oakville", "state_province": "ON",
          "postal_code": "L6L 2X4", "country": "CA"}),
        ("471 Pearl St., Burlington (Warren Y. Soper Family Centre)",
         {"address_1": "471 Pearl St.", "address_2": None, "city": "Burlington", "state_province": "ON",
          "postal_code": None, "country": "CA"}),
        ("Offices in Burlington, Milton and Oakville", None),
        ("Burlington office: 1445 Norjohn Court, Burlington, ON L7L 0E6; Milton office: 325 Main St. E.", None),
    ],
)
def test_parse_address_only_splits_one_plain_street_address(text: str, expected: dict[str, str | None] | None) -> None:
    assert parse_address(text) == expected


def test_shipped_address_keeps_the_source_words() -> None:
    services = {s.name: s for s in open_directory(SHIPPED_DIRECTORY).services()}
    assert services["Salvation Army Milton food bank"].address == "820 Nipissing Road, Milton, ON"
