"""Places: the shipped place names and postal prefixes, in every script, misspelt or not."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from navigator import settings
from navigator.intents import load_intents
from navigator.normalise import normalise
from navigator.people import PeopleFinder
from navigator.places import PlaceFinder, load_fsa


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> PlaceFinder:
    folder = tmp_path_factory.mktemp("intents")
    shutil.copy(settings.INTENTS_DIR / "places.yaml", folder)
    intents = load_intents(folder)
    return PlaceFinder(intents.places, intents.outside, load_fsa(settings.DATA_DIR / "halton_fsa.csv"))


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> PeopleFinder:
    folder = tmp_path_factory.mktemp("intents")
    shutil.copy(settings.INTENTS_DIR / "people.yaml", folder)
    return PeopleFinder(load_intents(folder).people)


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
]

NOWHERE = [
    "I live in Hamilton",  # not Milton, though one letter is shared
    "Mississauga",
    "toronto downtown",
    "halton",  # the Region alone names no town
    "L0P 1B0",  # shared rural prefix
    "I need action now",  # not Acton
    "해밀턴에 살아요",  # Hamilton in Korean holds the letters of Milton
    "میں ہیملٹن میں ہوں",
    "M5V 2T6",
    "",
]


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


PEOPLE = [
    ("my 14 yr old won't talk to us", "en", 14, "child", True),
    ("I'm 80 and alone", "en", 80, "self", False),
    ("my mom has dementia", "en", None, "parent", False),
    ("a client of mine needs a shelter", "en", None, "client", False),
    ("I'm a police officer, a woman here needs help", "en", None, "client", False),
    ("my son is in grade 9", "en", None, "child", True),
    ("mon fils de 12 ans", "fr", 12, "child", True),
    ("tengo 19 años", "es", 19, "self", False),
    ("minha mãe tem 75 anos", "pt", 75, "parent", False),
    ("córka ma 14 lat", "pl", 14, "child", True),
    ("anak ko po 4 taong gulang", "tl", 4, "child", True),
    ("ابني عمره ٨ سنين", "ar", 8, "child", True),
    ("میری بیٹی 15 سال کی ہے", "ur", 15, "child", True),
    ("मेरी बेटी 13 साल की है", "hi", 13, "child", True),
    ("ਮੇਰੀ ਮਾਂ 80 ਸਾਲ ਦੀ ਹੈ", "pa", 80, "parent", False),
    ("我儿子15岁", "zh-Hans", 15, "child", True),
    ("우리 아들이 16살이에요", "ko", 16, "child", True),
]


@pytest.mark.parametrize(("text", "lang", "age", "whom", "young"), PEOPLE)
def test_people(people: PeopleFinder, text: str, lang: str, age: int | None, whom: str, young: bool) -> None:
    found = people.find(normalise(text, lang), lang)
    assert (age, whom, young) == (found.age, found.for_whom, found.young)


def test_a_copy_of_shared_fsa_matches_when_present() -> None:
    shared = Path(settings.PROJECT_ROOT).parent / "shared" / "data" / "halton_fsa.csv"
    if not shared.exists():
        pytest.skip("no shared folder beside the project")
    assert shared.read_text(encoding="utf-8") == (settings.DATA_DIR / "halton_fsa.csv").read_text(encoding="utf-8")
