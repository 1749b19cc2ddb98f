"""The matcher over small intents written for the test, then over the shipped intents and directory."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from navigator import settings
from navigator.cli import main
from navigator.evaluate import evaluate, fts_predictor, fuzzy_predictor, load_rows
from navigator.intents import load_need_codes
from navigator.matcher import MAX_CHARS, Matcher, compile_matcher, get_matcher, match

INTENTS = {
    "crisis.yaml": """
need: crisis
languages:
  en:
    phrases: [kill myself: 3, suicide: 2, overdose: 1]
    negative: [suicide prevention training, overdose training]
  fr:
    phrases: [me suicider: 3]
  zh-Hans:
    phrases: [想死: 3]
""",
    "housing.yaml": """
need: housing
ask: municipality
languages:
  en:
    phrases: [shelter, homeless: 2, kicked * out: 2, evicted: 2, couch surfing]
    patterns: ['no (place|where) to (stay|sleep)': 2]
    negative: [shelter dog]
    question: Which town?
  fr:
    phrases: [sans abri: 2, expulsé: 2]
  ar:
    phrases: [سكن: 2]
  ur:
    phrases: [گھر نہیں: 2]
  zh-Hans:
    phrases: [无家可归: 2]
  ko:
    phrases: [집이 없어: 2]
  pl:
    phrases: [eksmisja: 2]
""",
    "legal.yaml": """
need: legal
languages:
  en:
    phrases: [eviction notice, lawyer: 2, tribunal: 2]
""",
    "mental-health.yaml": """
need: mental-health
takes_over:
  need: [isolation-seniors]
  when: under 25
languages:
  en:
    phrases: [depressed: 2, anxiety: 2, counselling]
""",
    "youth-mental-health.yaml": """
need: youth-mental-health
takes_over:
  need: mental-health
  when: young
languages:
  en:
    phrases: [bullied at school: 2]
""",
    "youth-leaving-care.yaml": """
need: youth-leaving-care
languages:
  en:
    phrases: [foster care]
""",
    "food.yaml": """
need: food
languages:
  en:
    phrases: [food bank: 2, groceries: 2]
""",
    "child-care.yaml": """
need: child-care
languages:
  pl:
    phrases: [żłobek: 2]
""",
    "isolation-seniors.yaml": """
need: isolation-seniors
languages:
  en:
    phrases: [lonely: 2, no one to talk to: 2]
""",
}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Matcher:
    folder = tmp_path_factory.mktemp("intents")
    for name, text in INTENTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    for name in ("conversation.yaml", "places.yaml", "people.yaml"):
        shutil.copy(settings.INTENTS_DIR / name, folder)
    return compile_matcher(folder, use_cache=False)


NEEDS = [
    # phrases, weights and the threshold
    ("we are homeless", "en", ("housing",)),
    ("is there a shelter", "en", ("housing",)),  # weight 1 alone reaches the threshold of 1
    # stemming: evict/evicted/evicting
    ("they are evicting us", "en", ("housing",)),
    # misspellings: one typo from five letters, two from eight
    ("im homless", "en", ("housing",)),
    ("evictd last week", "en", ("housing",)),  # a typo in an inflected form finds its stem
    ("so depresed", "en", ("mental-health",)),
    ("my anxeity is bad", "en", ("mental-health",)),
    # gaps: `*` is up to three words
    ("my dad kicked me out", "en", ("housing",)),
    ("my dad kicked me and my brother out", "en", ()),
    # patterns
    ("no where to sleep tonight", "en", ("housing",)),
    # negative cues cancel only what they overlap
    ("does the shelter dog need a home", "en", ()),
    ("suicide prevention training for staff", "en", ()),
    ("suicide prevention training helped, but now i want to kill myself", "en", ("crisis",)),
    # several needs, ranked by score; ties go to the more specific need
    ("evicted and my lawyer says go to the tribunal", "en", ("legal", "housing")),
    ("left foster care and couch surfing", "en", ("youth-leaving-care", "housing")),
    # crisis first, whatever else scores higher
    ("homeless and evicted and I want to kill myself", "en", ("crisis", "housing")),
    # accents folded in either direction; English phrases tried in French messages
    ("on a été expulse, on est sans-abri", "fr", ("housing",)),
    ("je veux me suicider", "fr", ("crisis",)),
    ("j'ai besoin d'un lawyer", "fr", ("legal",)),
    # Polish stems with or without diacritics
    ("dostałam eksmisję", "pl", ("housing",)),
    ("szukam żłobka", "pl", ("child-care",)),  # Polish mobile e: żłobek, żłobka
    # Chinese and Korean: anywhere in the text
    ("我现在无家可归了", "zh-Hans", ("housing",)),
    ("我真的想死", "zh-Hans", ("crisis",)),
    ("저는 집이 없어요", "ko", ("housing",)),
    # Arabic prefixes (و ب ل ف ال) are ignored
    ("ابحث عن مساعدة بالسكن", "ar", ("housing",)),
    ("میرا گھر نہیں ہے", "ur", ("housing",)),
    # takes_over: mental-health evidence moves to youth-mental-health for the young
    ("my 15 year old is depressed", "en", ("youth-mental-health",)),
    ("my son is in grade 9 and depressed", "en", ("youth-mental-health",)),
    ("I am 40 and depressed", "en", ("mental-health",)),
    # a young person's loneliness is a mental-health need: isolation-seniors moves to mental-health
    # under 25, and on to youth-mental-health for the young
    ("my grandpa is so lonely", "en", ("isolation-seniors",)),
    ("i m 20 and so lonely", "en", ("mental-health",)),
    ("my 15 year old is lonely at school", "en", ("youth-mental-health",)),
    ("i m 22 and my grandma has no one to talk to", "en", ("isolation-seniors",)),
    ("i m 70 and lonely", "en", ("isolation-seniors",)),
]


@pytest.mark.parametrize(("text", "lang", "expected"), NEEDS)
def test_needs(small: Matcher, text: str, lang: str, expected: tuple[str, ...]) -> None:
    assert expected == small.match(text, lang=lang).need_codes


def test_scores_and_why(small: Matcher) -> None:
    found = small.match("homeless, kicked out by my landlord", lang="en")
    assert [("housing", 4.0)] == [(n.code, n.score) for n in found.needs]
    assert any("homeless" in reason and "housing.yaml" in reason for reason in found.needs[0].why)
    assert found.why[0].startswith("language en")


def test_crisis_flag(small: Matcher) -> None:
    found = small.match("i want to kill myself")
    assert (True, ("crisis",)) == (found.crisis, found.need_codes)
    assert not small.match("a friend did suicide prevention training").crisis


def test_crisis_is_heard_in_a_misdetected_language_of_the_same_script(small: Matcher) -> None:
    # French crisis words in a message taken for Spanish (or any Latin-script language)
    assert small.match("je veux me suicider", lang="es").crisis
    # but not across scripts, and other needs stay with the detected language
    assert not small.match("我真的想死", lang="ko").crisis
    assert () == small.match("on est sans abri", lang="es").need_codes


CONVERSATION = [
    ("hi", "greeting", None, None),
    ("Thank you so much!", "thanks", None, None),
    ("STOP", "stop", None, None),
    ("stopall", "stop", None, None),
    ("Unsubscribe", "stop", None, None),
    ("ARRÊT", "stop", None, None),
    ("arret", "stop", None, None),
    ("please stop texting me", "stop", None, None),
    ("START", "start", None, None),
    ("unstop", "start", None, None),
    ("HELP", "help", None, None),
    ("info", "help", None, None),
    ("SAFE", "safe", None, None),
    ("more", "more", None, None),
    ("MENU", "restart", None, None),
    ("restart", "restart", None, None),
    ("can i talk to a person", "person", None, None),
    ("yes", "yes", None, None),
    ("oui", "yes", None, None),
    ("nope", "no", None, None),
    ("3", "number", 3, None),
    ("two", "number", 2, None),
    ("cinco", "number", 5, None),
    ("٣", "number", 3, None),
    ("option 4", "number", 4, None),
    ("#2", "number", 2, None),
    ("FR", "language", None, "fr"),
    ("français", "language", None, "fr"),
    ("Español", "language", None, "es"),
    ("한국어", "language", None, "ko"),
    ("ਪੰਜਾਬੀ", "language", None, "pa"),
    ("in spanish please", "language", None, "es"),
    ("can u help me with my math homework", "off-topic", None, None),
]


@pytest.mark.parametrize(("text", "intent", "number", "choice"), CONVERSATION)
def test_conversation_words(small: Matcher, text: str, intent: str, number: int | None, choice: str | None) -> None:
    found = small.match(text)
    assert (intent, number, choice, ()) == (found.intent, found.number, found.language_choice, found.need_codes)


def test_a_language_choice_sets_the_language(small: Matcher) -> None:
    assert "es" == small.match("español").language


def test_stop_inside_a_need_is_not_an_opt_out(small: Matcher) -> None:
    found = small.match("i want to stop being homeless")
    assert (None, ("housing",)) == (found.intent, found.need_codes)


def test_greeting_beside_a_need_is_the_need(small: Matcher) -> None:
    found = small.match("hi, we are homeless")
    assert (None, ("housing",)) == (found.intent, found.need_codes)


def test_context(small: Matcher) -> None:
    # a short message keeps the conversation's language; a chosen language wins
    assert "fr" == small.match("food", context={"conversation_language": "fr"}).language
    assert "pl" == small.match("I am homeless", context={"language": "pl"}).language
    # the caller's language wins over everything
    assert "ur" == small.match("homeless", lang="ur", context={"language": "pl"}).language
    # the place and age of the conversation fill in, the message's own win
    found = small.match("homeless", context={"municipality": "milton", "age": 70})
    assert ("milton", 70) == (found.municipality, found.age)
    found = small.match("homeless in oakville, i'm 19", context={"municipality": "milton", "age": 70})
    assert ("oakville", 19) == (found.municipality, found.age)


def test_context_may_be_an_object_and_language_tags_are_forgiven(small: Matcher) -> None:
    class State:
        language = None
        conversation_language = "fr"
        municipality = "burlington"

    found = small.match("food", context=State())
    assert ("fr", "burlington") == (found.language, found.municipality)
    assert "zh-Hans" == small.match("food", lang="zh").language
    assert "en" == small.match("food", lang="EN").language


def test_place_and_person(small: Matcher) -> None:
    found = small.match("my mom is homeless in Georgetown L7G")
    assert ("halton-hills", "parent") == (found.municipality, found.for_whom)


# Any input, however odd, is answered (how fast is a benchmark figure: benchmarks/match_bench.py).
ODD = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=2000),
    st.text(alphabet="\x00\x01\x07\x1b\n\t\r \u200b\u200d\ufeff", max_size=50),
    st.text(alphabet="😀😭🔪💊🏠🙏❤️👍🏽\u200d", max_size=100),
    st.lists(st.sampled_from(["help", "ਮਦਦ", "帮助", "مدد", "도움", "aide", "सहायता", "L7L", "4", "🙂", "!!", "milton"]), max_size=60).map(" ".join),
)


@given(ODD)
@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_input_is_matched(text: str) -> None:
    codes = load_need_codes(settings.DATA_DIR / "needs.yaml")
    found = get_matcher().match(text)
    assert found.language in settings_languages()
    assert all(need.code in codes for need in found.needs)
    assert found.crisis == (bool(found.needs) and found.needs[0].code == "crisis")


def settings_languages() -> tuple[str, ...]:
    from navigator.models import LANGUAGES

    return LANGUAGES


@pytest.mark.parametrize(
    "text",
    ["", "a" * 10000, ("help me find food " * 600)[:10000], "🙂" * 10000, "\x00" * 10000, ("ਮਦਦ 帮助 مدد " * 1000)[:10000]],
    ids=["empty", "letters", "words", "emoji", "nul", "mixed scripts"],
)
def test_long_and_empty_messages(text: str) -> None:
    found = get_matcher().match(text)
    # Only the first MAX_CHARS characters are read: the work per message is bounded.
    assert found.text == text[:MAX_CHARS] and len(found.text) <= MAX_CHARS
    assert found.language in settings_languages()


def test_services_from_the_shipped_directory() -> None:
    found = match("we need a food bank in oakville")
    assert "food" == found.need_codes[0]
    assert found.services, "the shipped directory has food services"
    assert all("food" in hit.service.needs for hit in found.services[:3])
    for hit in found.services:
        assert not hit.service.service_areas or set(hit.service.service_areas) & {"oakville", "halton", "ontario", "canada"}


def test_no_directory_means_no_services(tmp_path: Path) -> None:
    found = match("we need a food bank", directory=tmp_path / "missing.db")
    assert ("food", ()) == (found.need_codes[0], found.services)


def test_cli_match_readable() -> None:
    result = CliRunner().invoke(main, ["match", "my 15yo is being bullied at school in Milton"])
    assert 0 == result.exit_code, result.output
    assert "language:     en" in result.output
    assert "municipality: milton" in result.output
    assert "youth-mental-health" in result.output


def test_cli_match_jsonl() -> None:
    lines = "\n".join([
        json.dumps({"id": "a", "text": "i want to kill myself"}),
        "not json",
        json.dumps({"text": 5}),
        json.dumps(["text"]),
        json.dumps({"text": "food bank in burlington", "lang": "en"}),
        "",
    ])
    result = CliRunner().invoke(main, ["match", "--jsonl"], input=lines)
    assert 0 == result.exit_code, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert 5 == len(rows)
    assert ("a", ["crisis"], True) == (rows[0]["id"], rows[0]["needs"][:1], rows[0]["crisis"])
    assert [2, 3, 4] == [r["line"] for r in rows[1:4]]
    assert all("error" in r for r in rows[1:4])
    assert {"language", "needs", "crisis", "municipality", "services", "why"} <= rows[4].keys()
    assert "burlington" == rows[4]["municipality"]
    assert len(rows[4]["services"]) <= 5
    assert {"id", "name", "needs"} == set(rows[4]["services"][0])


def test_cli_match_needs_text() -> None:
    result = CliRunner().invoke(main, ["match"])
    assert 0 != result.exit_code
    assert "give a message" in result.output


LABELLED = [
    {"id": "t1", "text": "we need a food bank", "lang": "en", "needs": ["food"], "crisis": False, "municipality": None},
    {"id": "t2", "text": "i want to kill myself tonight", "lang": "en", "needs": ["crisis"], "crisis": True, "municipality": None},
    {"id": "t3", "text": "thanks!", "lang": "en", "needs": [], "crisis": False, "municipality": None},
    {"id": "t4", "text": "on cherche une banque alimentaire à Milton", "lang": "fr", "needs": ["food"], "crisis": False, "municipality": "milton"},
]


def test_cli_eval(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in LABELLED), encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(path), "--baseline", "all"])
    assert 0 == result.exit_code, result.output
    assert "need top-1       100.0%   (n=3)" in result.output
    assert "out of scope     100.0%   (n=1)" in result.output
    assert "== baseline: fts" in result.output and "== baseline: fuzzy" in result.output
    assert "targets: all met" in result.output


def test_cli_eval_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "hi"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(path)])
    assert 1 == result.exit_code
    assert "bad.jsonl:1: missing field 'lang'" in result.output


def test_evaluate_figures(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in LABELLED), encoding="utf-8")

    def always_food(text: str) -> object:
        from navigator.evaluate import Prediction

        return Prediction("en", ("food",), False, None)

    report = evaluate("food", load_rows(path), always_food)  # type: ignore[arg-type]
    assert 2 / 3 == report.figures["need_top1"]
    assert 0.0 == report.figures["crisis_recall"]
    assert 0.0 == report.figures["out_of_scope"]
    assert 0.75 == report.figures["language"]
    assert {"precision": 0.5, "recall": 1.0, "support": 2} == report.per_need["food"]
    assert ["t2", "t3", "t4"] == [m["id"] for m in report.misses]


def test_baselines_find_plain_words() -> None:
    needs = settings.DATA_DIR / "needs.yaml"
    assert "food" == fts_predictor(needs)("where is a food bank").needs[0]
    assert () == fts_predictor(needs)("!!").needs
    assert "housing" in fuzzy_predictor(needs)("emergency shelter homelessness").needs


def test_compiled_intents_are_cached_and_an_edit_is_picked_up(tmp_path: Path) -> None:
    folder, cache = tmp_path / "intents", tmp_path / "cache"
    folder.mkdir()
    (folder / "food.yaml").write_text("need: food\nlanguages:\n  en:\n    phrases: [food bank: 2]\n", encoding="utf-8")
    first = compile_matcher(folder, cache_dir=cache)
    [pickled] = _compiled(cache)
    again = compile_matcher(folder, cache_dir=cache)
    assert again is not first and ("food",) == again.match("where is the food bank").need_codes
    (folder / "food.yaml").write_text("need: food\nlanguages:\n  en:\n    phrases: [groceries: 2]\n", encoding="utf-8")
    edited = compile_matcher(folder, cache_dir=cache)
    assert () == edited.match("where is the food bank").need_codes
    assert [pickled] != _compiled(cache) and 1 == len(_compiled(cache))


def _compiled(cache: Path) -> list[Path]:
    return [p for p in cache.glob("*.pickle") if not p.name.startswith("simplemma-")]


def test_simplemma_answers_are_kept_until_the_french_or_tagalog_words_change(tmp_path: Path) -> None:
    folder, cache = tmp_path / "intents", tmp_path / "cache"
    folder.mkdir()
    food = "need: food\nlanguages:\n  en:\n    phrases: [{en}: 2]\n  fr:\n    phrases: [{fr}: 2]\n"
    (folder / "food.yaml").write_text(food.format(en="food bank", fr="il obsède"), encoding="utf-8")
    compile_matcher(folder, cache_dir=cache)
    [answers] = cache.glob("simplemma-*.pickle")
    (folder / "food.yaml").write_text(food.format(en="groceries", fr="il obsède"), encoding="utf-8")
    assert ("food",) == compile_matcher(folder, cache_dir=cache).match("need groceries").need_codes
    assert [answers] == list(cache.glob("simplemma-*.pickle"))
    (folder / "food.yaml").write_text(food.format(en="groceries", fr="mange"), encoding="utf-8")
    edited = compile_matcher(folder, cache_dir=cache)
    assert [answers] != list(cache.glob("simplemma-*.pickle")) and 1 == len(list(cache.glob("simplemma-*.pickle")))
    # the new French word has its dictionary forms: "mangeons" is a form of "manger"
    assert ("food",) == edited.match("ils mangeons", lang="fr").need_codes


def test_the_cache_key_covers_every_module_that_compiles_the_intents(small: Matcher) -> None:
    import subprocess
    import sys

    from navigator.matcher import ENGINE_MODULES

    # A fresh process: what compiling imports is what the cache must be keyed on.
    script = (
        "import sys; from pathlib import Path; from navigator import matcher, settings;"
        "matcher.compile_matcher(settings.INTENTS_DIR, use_cache=False);"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('navigator.'))))"
    )
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert "navigator.phrase_index" in loaded
    assert [] == [m for m in loaded if m.removeprefix("navigator.") not in ENGINE_MODULES]


def test_processes_compiling_at_once_share_one_whole_cache_file(tmp_path: Path) -> None:
    import subprocess
    import sys

    folder, cache = tmp_path / "intents", tmp_path / "cache"
    folder.mkdir()
    (folder / "food.yaml").write_text("need: food\nlanguages:\n  en:\n    phrases: [food bank: 2]\n", encoding="utf-8")
    script = (
        "import sys; from pathlib import Path; from navigator.matcher import compile_matcher;"
        "m = compile_matcher(Path(sys.argv[1]), cache_dir=Path(sys.argv[2]));"
        "print(m.match('where is the food bank').need_codes)"
    )
    runs = [subprocess.Popen([sys.executable, "-c", script, str(folder), str(cache)], stdout=subprocess.PIPE, text=True)
            for _ in range(4)]
    assert ["('food',)"] * 4 == [run.communicate(timeout=120)[0].strip() for run in runs]
    assert 1 == len(_compiled(cache))
    assert [] == [p.name for p in cache.iterdir() if not p.name.endswith(".pickle")]  # no temporary file left
    assert 0o644 == _compiled(cache)[0].stat().st_mode & 0o777  # readable by the server's user too


def test_a_damaged_cache_file_is_rebuilt_not_served(tmp_path: Path) -> None:
    folder, cache = tmp_path / "intents", tmp_path / "cache"
    folder.mkdir()
    (folder / "food.yaml").write_text("need: food\nlanguages:\n  en:\n    phrases: [food bank: 2]\n", encoding="utf-8")
    compile_matcher(folder, cache_dir=cache)
    [pickled] = _compiled(cache)
    pickled.write_bytes(pickled.read_bytes()[: pickled.stat().st_size // 2])
    assert ("food",) == compile_matcher(folder, cache_dir=cache).match("where is the food bank").need_codes
    assert compile_matcher(folder, cache_dir=cache).match("food bank").need_codes == ("food",)


def test_of_equal_overlapping_phrases_the_one_written_as_in_the_message_counts(tmp_path: Path) -> None:
    (tmp_path / "housing.yaml").write_text("need: housing\nlanguages:\n  en:\n    phrases: [evict: 2, evicted: 2]\n", encoding="utf-8")
    found = compile_matcher(tmp_path, use_cache=False).match("we were evicted", lang="en")
    assert [("housing", 2.0)] == [(n.code, n.score) for n in found.needs]
    assert ["en 'evicted' (housing.yaml:4)"] == list(found.needs[0].why)


CLAUSE_INTENTS = {
    "crisis.yaml": """
need: crisis
languages:
  en:
    phrases: [kill myself: 3, pills ready: 3]
    clause_negative: [years ago]
  zh-Hans:
    phrases: [自杀: 3]
    clause_negative: [年前]
""",
    "housing.yaml": "need: housing\nlanguages:\n  en:\n    phrases: [homeless: 2]\n",
}

CLAUSES = [
    ("i tried to kill myself years ago", "en", ()),
    ("years ago i tried to kill myself and i m fine", "en", ()),
    # another clause keeps its own voice, even for the same phrase
    ("i tried to kill myself years ago, tonight i will kill myself", "en", ("crisis",)),
    ("i tried to kill myself years ago but i have my pills ready", "en", ("crisis",)),
    ("years ago. i have the pills ready", "en", ("crisis",)),
    # a cue speaks for its own need only
    ("i was homeless years ago", "en", ("housing",)),
    ("三年前我自杀过", "zh-Hans", ()),
    ("三年前自杀过，今天又想自杀", "zh-Hans", ("crisis",)),
]


def compiled(folder: Path, files: dict[str, str]) -> Matcher:
    """Write an intents folder of ``files`` (name -> YAML) and compile it."""
    for name, body in files.items():
        (folder / name).write_text(body, encoding="utf-8")
    return compile_matcher(folder, use_cache=False)


@pytest.fixture(scope="module")
def clause_matcher(tmp_path_factory: pytest.TempPathFactory) -> Matcher:
    return compiled(tmp_path_factory.mktemp("clause-intents"), CLAUSE_INTENTS)


@pytest.mark.parametrize(("text", "lang", "expected"), CLAUSES)
def test_clause_negative_cues_silence_their_need_in_their_clause(
    clause_matcher: Matcher, text: str, lang: str, expected: tuple[str, ...],
) -> None:
    assert expected == clause_matcher.match(text, lang=lang).need_codes


NEGATION_INTENTS = {
    "crisis.yaml": """
need: crisis
languages:
  en:
    phrases: [want to die: 3, don't want to live: 3]
    patterns: ['\\bkill myself\\b': 3]
    clause_negative: [joking]
    negation_before: ["don't", not, not going to]
  zh-Hans:
    phrases: [想死: 3]
    negation_before: [不]
  ko:
    phrases: [죽고 싶: 3]
    negation_after: [지 않, 지는 않]
""",
    "mental-health.yaml": "need: mental-health\nlanguages:\n  en:\n    phrases: [want to die: 1]\n",
}

NEGATIONS = [
    ("i want to die", "en", ("crisis", "mental-health")),
    ("i don't want to die, i just need someone to talk to", "en", ("mental-health",)),  # its own need only
    ("i dont want to die", "en", ("mental-health",)),
    ("i m not going to kill myself", "en", ()),  # patterns too
    ("i don't want to live", "en", ("crisis",)),  # a negation inside the phrase is the phrase
    ("not today. i want to die", "en", ("crisis", "mental-health")),  # only right before the phrase
    ("i want to die just joking", "en", ("mental-health",)),
    ("i want to die i m not joking", "en", ("crisis", "mental-health")),  # a cue turned around is no cue
    ("我想死", "zh-Hans", ("crisis",)),
    ("我不想死", "zh-Hans", ()),
    ("죽고 싶어요", "ko", ("crisis",)),
    ("죽고 싶지는 않아요", "ko", ()),
    ("죽고 싶지 않아요", "ko", ()),
]


@pytest.fixture(scope="module")
def negation_matcher(tmp_path_factory: pytest.TempPathFactory) -> Matcher:
    return compiled(tmp_path_factory.mktemp("negation-intents"), NEGATION_INTENTS)


@pytest.mark.parametrize(("text", "lang", "expected"), NEGATIONS)
def test_a_negation_next_to_a_phrase_turns_it_around(negation_matcher: Matcher, text: str, lang: str, expected: tuple[str, ...]) -> None:
    assert expected == negation_matcher.match(text, lang=lang).need_codes


def test_a_whole_message_of_one_language_s_conversation_words_is_in_that_language() -> None:
    found = match("ok ji thank you")
    assert ("hi", "thanks") == (found.language, found.intent)
    # English conversation words are everyone's: the conversation keeps its language
    assert "fr" == match("thanks", context={"conversation_language": "fr"}).language


def test_traditional_chinese_meets_the_simplified_phrases() -> None:
    found = match("我覺得活著沒有意思，想自殺，住在奧克維爾")
    assert (True, "zh-Hans", "oakville") == (found.crisis, found.language, found.municipality)


def test_urdu_typed_on_an_arabic_keyboard_meets_the_urdu_phrases() -> None:
    found = match("مجهے ميلتون ميں كهانا چاهيے")
    assert ("ur", ("food",), "milton") == (found.language, found.need_codes[:1], found.municipality)


def test_clauses_line_up_with_the_words() -> None:
    from navigator.clauses import split_clauses
    from navigator.normalise import normalise

    text = "I took pills 2 years ago, tonight I have them. Help"
    words = normalise(text, "en", fold=False).split()
    assert [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2] == list(split_clauses(text, "en", words).words)
    # pieces that do not line up with the words: each word its own clause
    assert (0, 1, 2) == split_clauses("x", "en", ["a", "b", "c"]).words
    # Portuguese "e" (and) starts a clause; "é" (is) does not
    text = "o trabalho é sobre moradia e preciso de ajuda"
    words = normalise(text, "pt", fold=False).split()
    assert [0, 0, 0, 0, 0, 1, 1, 1, 1] == list(split_clauses(text, "pt", words).words)


def test_romanised_phrases_count_for_hindi_urdu_and_punjabi(tmp_path: Path) -> None:
    (tmp_path / "housing.yaml").write_text("need: housing\nlanguages:\n  hi:\n    phrases: [ghar nahi: 2]\n", encoding="utf-8")
    matcher = compile_matcher(tmp_path, use_cache=False)
    found = matcher.match("mera ghar nahi hai, kya karu", context={"conversation_language": "ur"})
    assert ("ur", ("housing",)) == (found.language, found.need_codes)
    assert "hi" == matcher.match("mera ghar nahi hai, kya karu").language


def test_a_romanised_phrase_listed_under_several_languages_counts_once(tmp_path: Path) -> None:
    (tmp_path / "housing.yaml").write_text(
        "need: housing\nlanguages:\n" + "".join(f"  {lang}:\n    phrases: [ghar nahi: 0.5]\n" for lang in ("hi", "ur", "pa")),
        encoding="utf-8")
    matcher = compile_matcher(tmp_path, use_cache=False)
    # 0.5 once is below the threshold (a guess); counted under all three languages it would be 1.5
    found = matcher.match("mera ghar nahi hai, kya karu", lang="hi")
    assert ([("housing", 0.5)], True) == ([(n.code, n.score) for n in found.needs], found.guessed)


GUESS_INTENTS = {
    "housing.yaml": "need: housing\nlanguages:\n  en:\n    phrases: [homeless: 2, landlord: 0.5, rent: 0.4]\n",
    "food.yaml": "need: food\nlanguages:\n  en:\n    phrases: [food bank: 2, hungry: 0.6]\n",
}

GUESSES = [
    ("we are homeless", ("housing",), False),
    ("my landlord again", ("housing",), True),  # weak evidence alone: a guess
    ("hungry and my landlord", ("food",), True),  # the stronger of two weak needs
    ("the rent", (), False),  # under the guess level: nothing
    ("homeless and hungry", ("housing",), False),  # weak evidence beside a need that counts is left out
]


@pytest.fixture(scope="module")
def guess_matcher(tmp_path_factory: pytest.TempPathFactory) -> Matcher:
    return compiled(tmp_path_factory.mktemp("guess-intents"), GUESS_INTENTS)


@pytest.mark.parametrize(("text", "expected", "guessed"), GUESSES)
def test_weak_evidence_alone_is_offered_as_a_guess(guess_matcher: Matcher, text: str, expected: tuple[str, ...], guessed: bool) -> None:
    found = guess_matcher.match(text, lang="en")
    assert (expected, guessed) == (found.need_codes, found.guessed)


def test_urdu_and_punjabi_endings_are_cut_from_long_words_only(tmp_path: Path) -> None:
    (tmp_path / "isolation-seniors.yaml").write_text(
        "need: isolation-seniors\nlanguages:\n  ur:\n    phrases: [اکیلا: 2]\n  pa:\n    phrases: [ਉਦਾਸ: 2]\n", encoding="utf-8")
    (tmp_path / "legal.yaml").write_text("need: legal\nlanguages:\n  ur:\n    phrases: [کیس: 2]\n", encoding="utf-8")
    matcher = compile_matcher(tmp_path, use_cache=False)
    assert ("isolation-seniors",) == matcher.match("امی اکیلی رہتی ہیں", lang="ur").need_codes
    assert ("isolation-seniors",) == matcher.match("ਮਾਂ ਬਹੁਤ ਉਦਾਸੀ ਵਿੱਚ ਹੈ", lang="pa").need_codes
    # کیسے ("how") is too short to lose its ending and become کیس ("case")
    assert () == matcher.match("یہ کیسے ہو گا", lang="ur").need_codes


def test_a_message_is_understood_once_per_context_and_services_are_ranked_each_time() -> None:
    matcher = get_matcher()
    first = matcher.match("ok merci", context={"conversation_language": "fr"}, services=False)
    assert first is matcher.match("ok merci", context={"conversation_language": "fr"}, services=False)
    assert first is not matcher.match("ok merci", context={"conversation_language": "en"}, services=False)
    assert () == first.services
    ranked = matcher.match("I need food in Milton")
    assert ranked.services and "food" in ranked.services[0].service.needs
    assert ranked.needs == matcher.match("I need food in Milton", services=False).needs


@pytest.mark.parametrize("lang", ["tl", "fr", "pl", "ar", None])
def test_a_word_of_combining_marks_alone_is_no_error(lang: str | None) -> None:
    # Folding accents leaves such a word empty; no stemmer may be asked about "".
    assert get_matcher().match("salamat po \u0301\u0301 \u0651", lang=lang).language


def test_a_few_crisis_words_are_a_hint_when_too_few_for_a_crisis() -> None:
    matcher = get_matcher()
    weak = matcher.match("honestly i can't go on like this")
    assert weak.crisis or weak.crisis_hint
    assert not (weak.crisis and weak.crisis_hint)
    plain = matcher.match("I need food in Milton")
    assert not (plain.crisis or plain.crisis_hint)


def test_a_negative_cue_cancels_its_pattern_in_the_cross_language_crisis_check(tmp_path: Path) -> None:
    # An English message read against the Spanish crisis phrases: the Spanish cue must still
    # cancel the Spanish pattern, though no Spanish phrase starts in the message.
    matcher = _small_with_crisis(tmp_path, """
need: crisis
languages:
  es:
    phrases: [me quiero morir: 3]
    patterns:
      - '\\bsuicid\\w*': 3
    negative: [prevencion del suicidio]
""")
    assert not matcher.match("our church runs a prevencion del suicidio workshop for staff", lang="en").crisis
    assert matcher.match("my friend says suicidarme tonight", lang="en").crisis


def test_a_chinese_negative_cue_cancels_the_pattern_it_overlaps(tmp_path: Path) -> None:
    # Chinese is matched by characters, not words: cue and pattern must count positions alike.
    matcher = _small_with_crisis(tmp_path, """
need: crisis
languages:
  zh-Hans:
    patterns:
      - '想死': 3
    negative: [加班加到想死]
""")
    assert not matcher.match("最近加班加到想死，有没有工作机会", lang="zh-Hans").crisis
    assert matcher.match("我真的想死", lang="zh-Hans").crisis


def _small_with_crisis(folder: Path, crisis_yaml: str) -> Matcher:
    """Compile the small intents above plus the given crisis.yaml."""
    for name, text in INTENTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    for name in ("conversation.yaml", "places.yaml", "people.yaml"):
        shutil.copy(settings.INTENTS_DIR / name, folder)
    (folder / "crisis.yaml").write_text(crisis_yaml, encoding="utf-8")
    return compile_matcher(folder, use_cache=False)


def test_taglish_prefixes_on_english_words() -> None:
    matcher = get_matcher()
    assert "sexual-assault" in matcher.match("nirape ako ng kapitbahay namin", lang="tl").need_codes
    assert "housing" in matcher.match("naevict kami sa apartment", lang="tl").need_codes
    # a Tagalog word that only starts like a prefix stays whole
    assert "maganda" == matcher._taglish("maganda") and "nakatira" == matcher._taglish("nakatira")
    # nor one whose rest is a word of another language's phrases (wala, andar)
    assert "nawala" == matcher._taglish("nawala") and "nakaandar" == matcher._taglish("nakaandar")


def test_romanised_crisis_words_count_in_a_message_read_as_english() -> None:
    # One Hinglish word among English-looking ones: the message is read as English, and
    # Hindi, Urdu and Punjabi crisis words typed in Latin letters are tried all the same.
    found = get_matcher().match("main sulfas di goli kha layi hai")
    assert "en" == found.language and found.crisis


def test_korean_phrases_do_not_straddle_a_space_they_lack(tmp_path: Path) -> None:
    (tmp_path / "legal.yaml").write_text("need: legal\nlanguages:\n  ko:\n    phrases: [이혼: 2]\n", encoding="utf-8")
    (tmp_path / "isolation-seniors.yaml").write_text(
        "need: isolation-seniors\nlanguages:\n  ko:\n    phrases: [혼자 사시: 2, 혼자 사세요: 2]\n", encoding="utf-8")
    matcher = compile_matcher(tmp_path, use_cache=False)
    # 이혼 ("divorce") spelt across 부모님이 혼자 ("parents alone") is no divorce
    assert ("isolation-seniors",) == matcher.match("부모님이 혼자 사세요", lang="ko").need_codes
    assert ("legal",) == matcher.match("이혼 소송 중이에요", lang="ko").need_codes
    # a phrase's own space may be left out by the resident
    assert ("isolation-seniors",) == matcher.match("혼자사시는 아버지", lang="ko").need_codes


def test_a_misspelt_ending_finds_its_stem_but_another_word_does_not() -> None:
    spanish, english = get_matcher().indexes["es"], get_matcher().indexes["en"]
    assert "evict" in english.keys("evictd")
    # "venden" (they sell) is one letter from "venen", the stem of "veneno" (poison), but does not begin with it
    assert "venen" not in spanish.keys("venden")
