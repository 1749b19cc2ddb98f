"""The intents loader: what it accepts, what it refuses (file, line, problem), and every file's examples."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from navigator import settings
from navigator.intents import Example, IntentError, load_intents
from navigator.matcher import get_matcher

GOOD = """\
need: housing
ask: municipality
languages:
  en:
    phrases:
      - shelter
      - homeless: 2
      - kicked * out: 2
    patterns:
      - 'no (place|where) to (stay|sleep)': 2
    negative:
      - shelter dog
    question: Which town are you in?
  fr:
    phrases:
      - sans abri: 2
examples:
  - lang: en
    text: we are homeless
    expect: [housing]
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads(tmp_path: Path) -> None:
    write(tmp_path, "housing.yaml", GOOD)
    intents = load_intents(tmp_path)
    need = intents.needs["housing"]
    assert ("housing", "municipality", {"en": "Which town are you in?"}) == (need.code, need.ask, need.questions)
    assert [("shelter", 1.0), ("homeless", 2.0), ("kicked * out", 2.0), ("sans abri", 2.0)] == [
        (p.text, p.weight) for p in intents.phrases
    ]
    assert ("kicked", "*", "out") == intents.phrases[2].words
    assert "housing.yaml:6" == intents.phrases[0].source
    assert ["shelter dog"] == [n.text for n in intents.negatives]
    assert [Example("housing.yaml", 18, "en", "we are homeless", ("housing",), ())] == intents.examples


BROKEN = [
    ("bad YAML", "need: housing\nlanguages: [\n", 3, "bad YAML"),
    ("unknown need", "need: hosuing\n", 1, "unknown need code 'hosuing'"),
    ("unknown language", "need: housing\nlanguages:\n  xx:\n    phrases: [a]\n", 3, "unknown language 'xx'"),
    ("unknown key", "need: housing\nlanguages:\n  en:\n    phrase: [a]\n", 4, "unknown key 'phrase'"),
    ("unknown top key", "need: housing\nneeds: x\n", 2, "unknown key 'needs'"),
    ("bad pattern", "need: housing\nlanguages:\n  en:\n    patterns:\n      - 'no (place'\n", 5, "does not compile"),
    ("bad weight", "need: housing\nlanguages:\n  en:\n    phrases:\n      - shelter: lots\n", 5, "must be a number"),
    ("bad ask", "need: housing\nask: town\n", 2, "ask must be one of"),
    ("takes_over unknown", "need: housing\ntakes_over:\n  need: nope\n  when: young\n", 3, "unknown need code 'nope'"),
    ("takes_over list", "need: housing\ntakes_over:\n  need: [food, nope]\n  when: young\n", 3, "unknown need code 'nope'"),
    ("takes_over when", "need: housing\ntakes_over:\n  need: food\n  when: old\n", 4, "takes_over.when must be one of"),
    ("example unknown need", "need: housing\nexamples:\n  - lang: en\n    text: hi\n    expect: [nope]\n", 5, "unknown need code 'nope'"),
    ("phrase of punctuation", "need: housing\nlanguages:\n  en:\n    phrases:\n      - '!!'\n", 5, "no words to match"),
    ("wrong file name", "need: food\n", 1, "must live in food.yaml"),
    ("clause cue of gaps", "need: housing\nlanguages:\n  en:\n    clause_negative: ['* ago']\n", 4, "starts or ends with *"),
    ("negation with a gap", "need: housing\nlanguages:\n  en:\n    negation_before:\n      - do * not\n", 5, "without *"),
    ("negation of punctuation", "need: housing\nlanguages:\n  en:\n    negation_after: ['?']\n", 4, "must be words"),
]


def test_negations_load_with_their_side_and_words(tmp_path: Path) -> None:
    write(tmp_path, "crisis.yaml", "need: crisis\nlanguages:\n  en:\n    negation_before: [\"don't\"]\n  ko:\n    negation_after: [지 않]\n")
    found = [(n.need, n.lang, n.side, n.words, n.source) for n in load_intents(tmp_path).negations]
    assert [("crisis", "en", "before", ("don", "t"), "crisis.yaml:4"), ("crisis", "ko", "after", ("지", "않"), "crisis.yaml:6")] == found


def test_clause_negative_cues_load_apart(tmp_path: Path) -> None:
    write(tmp_path, "housing.yaml", "need: housing\nlanguages:\n  en:\n    clause_negative: [years ago]\n    negative: [dog]\n")
    intents = load_intents(tmp_path)
    assert (["years ago"], ["dog"]) == ([c.text for c in intents.clause_negatives], [n.text for n in intents.negatives])


@pytest.mark.parametrize(("case", "text", "line", "problem"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_files_name_file_line_and_problem(tmp_path: Path, case: str, text: str, line: int, problem: str) -> None:
    path = write(tmp_path, "housing.yaml", text)
    with pytest.raises(IntentError) as caught:
        load_intents(tmp_path)
    assert (str(path), line) == (caught.value.path, caught.value.line), case
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"{path}:{line}: ")


def test_special_files_are_checked_too(tmp_path: Path) -> None:
    write(tmp_path, "places.yaml", "municipalities:\n  hamilton: [hamilton]\n")
    with pytest.raises(IntentError, match=r"places.yaml:2: unknown municipality 'hamilton'"):
        load_intents(tmp_path)
    (tmp_path / "places.yaml").unlink()
    write(tmp_path, "people.yaml", "languages:\n  en:\n    age: ['\\d+ years']\n")
    with pytest.raises(IntentError, match=r"people.yaml:3: an age pattern must have exactly one group"):
        load_intents(tmp_path)
    (tmp_path / "people.yaml").unlink()
    write(tmp_path, "conversation.yaml", "numbers:\n  en: [one, two]\n")
    with pytest.raises(IntentError, match=r"conversation.yaml:2: numbers.en must list the words for 1 to 9"):
        load_intents(tmp_path)


def test_a_phrase_under_two_needs_is_reported(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write(tmp_path, "housing.yaml", "need: housing\nlanguages:\n  en:\n    phrases: [eviction]\n")
    write(tmp_path, "legal.yaml", "need: legal\nlanguages:\n  en:\n    phrases: [Eviction, tribunal]\n")
    with caplog.at_level(logging.WARNING):
        intents = load_intents(tmp_path)
    assert ["legal.yaml:4: phrase 'Eviction' (en) is also listed under housing at housing.yaml:4"] == intents.warnings
    assert intents.warnings[0] in caplog.text


def test_a_phrase_listed_twice_in_its_own_need_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "housing.yaml", "need: housing\nlanguages:\n  en:\n    phrases:\n      - eviction: 2\n      - Éviction: 3\n")
    assert ["housing.yaml:6: phrase 'Éviction' (en) is listed twice in housing, also at housing.yaml:5"] == load_intents(tmp_path).warnings


def test_an_empty_list_key_lists_nothing(tmp_path: Path) -> None:
    write(tmp_path, "housing.yaml", "need: housing\nlanguages:\n  en:\n    phrases: [shelter]\n    negative:\n")
    assert [] == load_intents(tmp_path).negatives


# Every example of every shipped intents file, checked against the shipped matcher.
SHIPPED = load_intents(settings.INTENTS_DIR)


@pytest.mark.parametrize(
    "example", SHIPPED.examples, ids=[f"{e.file}:{e.line}" for e in SHIPPED.examples]
)
def test_intent_examples(example: Example) -> None:
    found = get_matcher().match(example.text, lang=example.lang).need_codes
    if example.expect:
        assert example.expect[0] == (found[:1] or ("nothing",))[0], f"{example.text!r} gave {found}"
        for code in example.expect[1:]:
            assert code in found[:3], f"{example.text!r} gave {found}"
    for code in example.reject:
        assert code not in found, f"{example.text!r} gave {found}"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\b(rent|lease)\b", ("lease", "rent")),
        (r"\b(favou?rs?|sex) .{0,40}\b(rent|lease)\b", ("lease", "rent")),  # the more selective part
        (r"no (place|where) to (stay|sleep)", ("place", "where")),
        (r"(?:took|swallowed) (all|a bunch of) (my )?pills", ("pills",)),
        (r"(a|)x", ("x",)),  # an empty branch requires nothing
        (r"(?i)pills", ()),
        (r"\w+ \d+", (" ",)),
    ],
)
def test_a_pattern_runs_only_where_one_of_its_literals_is(pattern: str, expected: tuple[str, ...]) -> None:
    import re

    from navigator.literals import required_literals

    assert expected == required_literals(re.compile(pattern))
