"""Places: the shipped place names and postal prefixes, in every script, misspelt or not; everyday words are no places."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from navigator import settings
from navigator.intents import load_intents
from navigator.normalise import normalise
from navigator.places import PlaceFinder, load_fsa


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> PlaceFinder:
    folder = tmp_path_factory.mktemp("intents")
    shutil.copy(settings.INTENTS_DIR / "places.yaml", folder)
    intents = load_intents(folder)
    return PlaceFinder(intents.places, intents.outside, load_fsa(settings.DATA_DIR / "halton_fsa.csv"))


PLACES = [
    ("we live in Burlington", "burlington"),
    ("near joseph brant hospital", "burlington"),
    ("Aldershot area", "burlington"),
    ("in oakvile", "oakville"),  # misspelt
    ("Bronte please", "oakville"),
    ("glen abbey", "oakville"),
    ("Miltn", "milton"),
    ("campbellville", "milton"),
    ("georgetown", "halton-hills"),
    ("we are in Acton", "halton-hills"),
    ("Glen Williams", "halton-hills"),
    ("norval", "halton-hills"),
    # neighbourhoods, landmarks and streets in other scripts, with prefixes attached
    ("نحنا بأكتون", "halton-hills"),
    ("بمستشفى جوزيف برانت", "burlington"),
    ("저는 올더샷에 살아요", "burlington"),
    ("मैं ब्रॉन्टे में रहता हूँ", "oakville"),
    # a street found in one town; Guelph Line is in Burlington, Guelph is not in Halton
    ("the costco on guelph line", "burlington"),
    ("tracks at appleby go", "burlington"),
    ("my son goes to appleby college", "oakville"),
    ("limehouse", "halton-hills"),
    ("halton hills", "halton-hills"),
    ("burlingtn", "burlington"),
    ("نحن في ميلتون", "milton"),
    ("میں ملٹن میں رہتا ہوں", "milton"),
    ("اوکویل میں", "oakville"),
    ("ਮਿਲਟਨ ਵਿੱਚ", "milton"),
    ("मिल्टन में", "milton"),
    ("我住在米尔顿", "milton"),
    ("밀턴에 살아요", "milton"),
    ("奥克维尔", "oakville"),
    ("벌링턴", "burlington"),
    ("조지타운", "halton-hills"),
    # postal codes and their first three characters
    ("my postal code is L7L 4B2", "burlington"),
    ("l6h1a1", "oakville"),
    ("L9T", "milton"),
    ("L7G 2X3", "halton-hills"),
    ("L7J", "halton-hills"),
    # a Halton town named beside a place outside Halton still counts
    ("moving from Mississauga to Milton", "milton"),
    ("moved from Milton Keynes to Milton", "milton"),
    # typos: a letter dropped, added or two swapped
    ("mitlon", "milton"),
    ("oakvill", "oakville"),
    ("georgtown", "halton-hills"),
    ("norvall", "halton-hills"),
    ("tansly", "burlington"),
]

NOWHERE = [
    "I live in Hamilton",  # not Milton, though one letter is shared
    "moving to guelph",  # not Guelph Line
    "Mississauga",
    "toronto downtown",
    "halton",  # the Region alone names no town
    "L0P 1B0",  # shared rural prefix
    "I need action now",  # not Acton
    "해밀턴에 살아요",  # Hamilton in Korean holds the letters of Milton
    "میں ہیملٹن میں ہوں",
    "M5V 2T6",
    "",
    "Milton Keynes",  # England
    "Georgetown University",
]

# Everyday words within a typo of a Halton name, in the Latin-script languages
# (en fr es pt pl tl): none names a town.
EVERYDAY = [
    "is it normal to feel this numb",
    "c'est normal de se sentir comme ça",
    "¿es normal sentirse así?",
    "é normal me sentir assim",
    "czy to normalne",
    "normal lang ba ito",
    "I need help with my narval tattoo",  # narval (fr es pt): narwhal
    "a bronze medal",
    "una medalla de bronce",
    "o broto da planta",
    "nie mam broni",  # Polish: a weapon
    "pl bronie",
    "owe a million dollars",
    "jeden milion złotych",
    "un millón de dólares",
    "isang milyon",
    "le miston du quartier",
    "melton mowbray pie",
    "noval",
]


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_words_are_no_places(places: PlaceFinder, text: str) -> None:
    assert places.find(normalise(text)) is None



@pytest.mark.parametrize(("text", "expected"), PLACES)
def test_halton_places(places: PlaceFinder, text: str, expected: str) -> None:
    found = places.find(normalise(text))
    assert found is not None, text
    assert expected == found.municipality


@pytest.mark.parametrize("text", NOWHERE)
def test_no_halton_place(places: PlaceFinder, text: str) -> None:
    assert places.find(normalise(text)) is None


def test_fsa_file_marks_shared_prefixes() -> None:
    fsa = load_fsa(settings.DATA_DIR / "halton_fsa.csv")
    assert fsa["l0p"] is None
    assert "burlington" == fsa["l7l"]


def test_a_copy_of_shared_fsa_matches_when_present() -> None:
    shared = Path(settings.PROJECT_ROOT).parent / "shared" / "data" / "halton_fsa.csv"
    if not shared.exists():
        pytest.skip("no shared folder beside the project")
    assert shared.read_text(encoding="utf-8") == (settings.DATA_DIR / "halton_fsa.csv").read_text(encoding="utf-8")
