"""Load and check the intents folder: one file per need, plus conversation, places and people.

The format is described in intents/README.md.  Everything is checked when it is
loaded; a broken file raises ``IntentError`` naming the file, the line and what
is wrong.  A phrase listed under two needs in the same language is reported in
``IntentSet.warnings`` (and logged), not refused.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .literals import required_literals
from .models import LANGUAGES, MUNICIPALITIES
from .normalise import fold_accents, fold_pattern, normalise

log = logging.getLogger(__name__)

SPECIAL_FILES = ("conversation.yaml", "places.yaml", "people.yaml")
ASK_VALUES = ("municipality", "age", "none")
# When another need's evidence moves to this one: "young" is under 18 or a youth word from
# people.yaml; "under 25" also takes a stated age under 25 or a young-adult word (a student).
TAKEOVER_WHEN = ("young", "under 25")
NEED_KEYS = ("need", "ask", "languages", "examples", "takes_over")
LANGUAGE_KEYS = ("phrases", "patterns", "negative", "clause_negative", "negation_before", "negation_after", "question")
NEGATION_SIDES = ("before", "after")
EXAMPLE_KEYS = ("lang", "text", "expect", "reject")
CONVERSATION_INTENTS = (
    "greeting", "thanks", "yes", "no", "more", "restart", "person", "stop", "start", "help", "safe",
    "off-topic",
)
FOR_WHOM = ("self", "child", "parent", "partner", "client", "other")


# libyaml parses ten times faster than the pure-Python parser, and keeps line marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class IntentError(Exception):
    """An intents file that cannot be loaded, with the file and line at fault."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Phrase:
    """A phrase of a need (or a negative cue): normalised words, ``*`` for a gap."""

    need: str
    lang: str
    text: str
    words: tuple[str, ...]
    weight: float
    source: str
    written: tuple[str, ...] = ()  # the same words with their accents, for stemmers that need them


@dataclass(frozen=True)
class Pattern:
    need: str
    lang: str
    regex: re.Pattern[str]
    weight: float
    source: str
    literals: tuple[str, ...] = ()  # every match contains one: the regex runs only where one is found


@dataclass(frozen=True)
class Negation:
    """Words that, right before (or after) one of a need's phrases, say the opposite: "i don't want to die"."""

    need: str
    lang: str
    side: str  # "before" or "after" the phrase
    words: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Example:
    file: str
    line: int
    lang: str
    text: str
    expect: tuple[str, ...] = ()
    reject: tuple[str, ...] = ()


@dataclass(frozen=True)
class NeedIntent:
    code: str
    ask: str
    questions: dict[str, str]
    takes_over: tuple[str, ...] = ()  # the needs whose evidence moves here ...
    takes_over_when: str = "young"  # ... when the message is about such a person
    source: str = ""


@dataclass
class IntentSet:
    """Everything the intents folder says, checked."""

    needs: dict[str, NeedIntent] = field(default_factory=dict)
    phrases: list[Phrase] = field(default_factory=list)
    negatives: list[Phrase] = field(default_factory=list)
    clause_negatives: list[Phrase] = field(default_factory=list)  # cancel their need's phrases in their clause
    patterns: list[Pattern] = field(default_factory=list)
    negations: list[Negation] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    # conversation.yaml
    whole_message: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # lang -> intent -> texts
    anywhere: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    numbers: dict[str, list[str]] = field(default_factory=dict)  # lang -> words for 1..9
    language_names: dict[str, list[str]] = field(default_factory=dict)  # lang -> its names
    # places.yaml
    places: dict[str, list[str]] = field(default_factory=dict)  # municipality -> names
    outside: list[str] = field(default_factory=list)
    # people.yaml: lang -> {"age": [(regex, for_whom or None)], "young": [words], "<for_whom>": [words]}
    people: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def load_need_codes(path: Path) -> list[str]:
    """Return the need codes declared in data/needs.yaml."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [n["code"] for n in data["needs"]]


class _File:
    """One YAML file as a node tree, with helpers that fail with the file and line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            root = yaml.compose(path.read_text(encoding="utf-8"), Loader=_LOADER)
        except yaml.MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else None
            raise IntentError(path, line, f"bad YAML: {exc.problem}") from None
        if root is None:
            raise IntentError(path, None, "the file is empty")
        self.root: yaml.Node = root

    def fail(self, node: yaml.Node, problem: str) -> IntentError:
        return IntentError(self.path, node.start_mark.line + 1, problem)

    def where(self, node: yaml.Node) -> str:
        return f"{self.path.name}:{node.start_mark.line + 1}"

    def mapping(self, node: yaml.Node, what: str, keys: tuple[str, ...] | None = None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in node.value:
            name = str(key.value)
            if keys is not None and name not in keys:
                raise self.fail(key, f"unknown key {name!r} in {what} (expected one of {', '.join(keys)})")
            if name in out:
                raise self.fail(key, f"key {name!r} given twice in {what}")
            out[name] = (key, value)
        return out

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []  # a key left empty ("negative:") lists nothing
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{what} must be a list")
        return list(node.value)

    def scalar(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.value == "":
            raise self.fail(node, f"{what} must be a non-empty text")
        return str(node.value)

    def strings(self, node: yaml.Node, what: str) -> list[str]:
        return [self.scalar(n, what) for n in self.sequence(node, what)]

    def language(self, node: yaml.Node) -> str:
        lang = str(node.value)
        if lang not in LANGUAGES:
            raise self.fail(node, f"unknown language {lang!r} (expected one of {' '.join(LANGUAGES)})")
        return lang


def phrase_words(text: str, lang: str) -> tuple[str, ...]:
    """Normalise a phrase into words, keeping ``*`` gaps as words of their own."""
    return tuple(map(fold_accents, written_words(text, lang)))


def written_words(text: str, lang: str) -> tuple[str, ...]:
    """Normalise a phrase into words with their accents, ``*`` gaps kept (as a message's raw words)."""
    words: list[str] = []
    for i, part in enumerate(text.split("*")):
        if i:
            words.append("*")
        words.extend(normalise(part, lang, fold=False).split())
    return tuple(words)


def _weighted(f: _File, node: yaml.Node, what: str) -> tuple[str, float, yaml.Node]:
    """Read ``text`` or ``text: weight``."""
    if isinstance(node, yaml.MappingNode) and len(node.value) == 1:
        key, value = node.value[0]
        try:
            weight = float(value.value)
        except (TypeError, ValueError):
            raise f.fail(value, f"the weight of {key.value!r} must be a number") from None
        if weight <= 0:
            raise f.fail(value, f"the weight of {key.value!r} must be above 0")
        return f.scalar(key, what), weight, key
    return f.scalar(node, what), 1.0, node


def _load_need(f: _File, codes: list[str], out: IntentSet) -> None:
    top = f.mapping(f.root, "a need file", NEED_KEYS)
    if "need" not in top:
        raise f.fail(f.root, "missing key 'need'")
    code_node = top["need"][1]
    code = f.scalar(code_node, "need")
    if code not in codes:
        raise f.fail(code_node, f"unknown need code {code!r} (see data/needs.yaml)")
    if f.path.stem != code:
        raise f.fail(code_node, f"need {code!r} must live in {code}.yaml")
    ask = "none"
    if "ask" in top:
        ask = f.scalar(top["ask"][1], "ask")
        if ask not in ASK_VALUES:
            raise f.fail(top["ask"][1], f"ask must be one of {', '.join(ASK_VALUES)}")
    takes_over: tuple[str, ...] = ()
    when = "young"
    if "takes_over" in top:
        rule = f.mapping(top["takes_over"][1], "takes_over", ("need", "when"))
        if "need" not in rule or "when" not in rule:
            raise f.fail(top["takes_over"][1], "takes_over needs both 'need' and 'when'")
        need_node = rule["need"][1]
        # One need, or a list of them.
        nodes = f.sequence(need_node, "takes_over.need") if isinstance(need_node, yaml.SequenceNode) else [need_node]
        for node in nodes:
            other = f.scalar(node, "takes_over.need")
            if other not in codes:
                raise f.fail(node, f"unknown need code {other!r} in takes_over")
            takes_over += (other,)
        when = f.scalar(rule["when"][1], "takes_over.when")
        if when not in TAKEOVER_WHEN:
            raise f.fail(rule["when"][1], f"takes_over.when must be one of {', '.join(TAKEOVER_WHEN)}")
    questions: dict[str, str] = {}
    if "languages" in top:
        for lang_node, body in f.mapping(top["languages"][1], "languages").values():
            lang = f.language(lang_node)
            parts = f.mapping(body, f"languages.{lang}", LANGUAGE_KEYS)
            if "question" in parts:
                questions[lang] = f.scalar(parts["question"][1], "question")
            _load_phrases(f, code, lang, parts, out)
    for example in f.sequence(top["examples"][1], "examples") if "examples" in top else []:
        out.examples.append(_load_example(f, example, codes))
    out.needs[code] = NeedIntent(code, ask, questions, takes_over, when, f.path.name)


def _load_phrases(f: _File, code: str, lang: str, parts: dict[str, tuple[yaml.Node, yaml.Node]], out: IntentSet) -> None:
    lists = {"phrases": out.phrases, "negative": out.negatives, "clause_negative": out.clause_negatives}
    for kind, target in lists.items():
        for node in f.sequence(parts[kind][1], kind) if kind in parts else []:
            text, weight, at = _weighted(f, node, "phrase" if kind == "phrases" else "negative cue")
            written = written_words(text, lang)
            if not [w for w in written if w != "*"] or written[0] == "*" or written[-1] == "*":
                raise f.fail(at, f"phrase {text!r} has no words to match or starts or ends with *")
            words = tuple(map(fold_accents, written))
            phrase = Phrase(code, lang, text, words, weight, f.where(at), written)
            target.append(phrase)
    for side in NEGATION_SIDES:
        key = f"negation_{side}"
        for node in f.sequence(parts[key][1], key) if key in parts else []:
            text = f.scalar(node, "negation")
            words = phrase_words(text, lang)
            if not words or "*" in words:
                raise f.fail(node, f"negation {text!r} must be words, without *")
            out.negations.append(Negation(code, lang, side, words, f.where(node)))
    for node in f.sequence(parts["patterns"][1], "patterns") if "patterns" in parts else []:
        text, weight, at = _weighted(f, node, "pattern")
        try:
            # Patterns meet normalised text: their letters are folded the same way.
            regex = re.compile(fold_pattern(text, lang))
        except re.error as exc:
            raise f.fail(at, f"pattern {text!r} does not compile: {exc}") from None
        out.patterns.append(Pattern(code, lang, regex, weight, f.where(at), required_literals(regex)))


def _load_example(f: _File, node: yaml.Node, codes: list[str]) -> Example:
    parts = f.mapping(node, "an example", EXAMPLE_KEYS)
    for key in ("lang", "text"):
        if key not in parts:
            raise f.fail(node, f"an example needs {key!r}")
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("expect", "reject"):
        lists[key] = tuple(f.strings(parts[key][1], key)) if key in parts else ()
        for code_node in f.sequence(parts[key][1], key) if key in parts else []:
            if code_node.value not in codes:
                raise f.fail(code_node, f"unknown need code {code_node.value!r} in {key}")
    return Example(
        f.path.name, node.start_mark.line + 1, f.language(parts["lang"][1]),
        f.scalar(parts["text"][1], "text"), lists["expect"], lists["reject"],
    )


def _load_conversation(f: _File, out: IntentSet) -> None:
    top = f.mapping(f.root, "conversation.yaml", ("whole_message", "anywhere", "numbers", "language_names"))
    for section, target in (("whole_message", out.whole_message), ("anywhere", out.anywhere)):
        for lang_node, body in f.mapping(top[section][1], section).values() if section in top else []:
            lang = f.language(lang_node)
            intents = f.mapping(body, f"{section}.{lang}", CONVERSATION_INTENTS)
            target[lang] = {name: f.strings(v, name) for name, (_k, v) in intents.items()}
    for lang_node, body in f.mapping(top["numbers"][1], "numbers").values() if "numbers" in top else []:
        lang = f.language(lang_node)
        words = f.sequence(body, f"numbers.{lang}")
        if len(words) != 9:
            raise f.fail(body, f"numbers.{lang} must list the words for 1 to 9, in order")
        out.numbers[lang] = [f.scalar(w, "number") for w in words]
    for lang_node, body in f.mapping(top["language_names"][1], "language_names").values() if "language_names" in top else []:
        out.language_names[f.language(lang_node)] = f.strings(body, "language name")


def _load_places(f: _File, out: IntentSet) -> None:
    top = f.mapping(f.root, "places.yaml", ("municipalities", "outside"))
    for key, body in f.mapping(top["municipalities"][1], "municipalities").values() if "municipalities" in top else []:
        if key.value not in MUNICIPALITIES:
            raise f.fail(key, f"unknown municipality {key.value!r} (expected one of {', '.join(MUNICIPALITIES)})")
        out.places[str(key.value)] = f.strings(body, "place name")
    out.outside = f.strings(top["outside"][1], "place name") if "outside" in top else []


def _load_people(f: _File, out: IntentSet) -> None:
    top = f.mapping(f.root, "people.yaml", ("languages",))
    for lang_node, body in f.mapping(top["languages"][1], "languages").values() if "languages" in top else []:
        lang = f.language(lang_node)
        parts = f.mapping(body, f"languages.{lang}", ("age", "young", "young_adult") + FOR_WHOM)
        entry: dict[str, list[Any]] = {}
        for name, (_key, value) in parts.items():
            if name == "age":
                entry["age"] = []
                for node in f.sequence(value, "age"):
                    whom = None
                    if isinstance(node, yaml.MappingNode) and len(node.value) == 1:
                        node, whom_node = node.value[0]  # "pattern: child" says whom the age is about
                        whom = f.scalar(whom_node, "for whom")
                        if whom not in FOR_WHOM:
                            raise f.fail(whom_node, f"unknown for-whom {whom!r} (expected one of {', '.join(FOR_WHOM)})")
                    try:
                        regex = re.compile(fold_pattern(f.scalar(node, "age pattern")))
                    except re.error as exc:
                        raise f.fail(node, f"age pattern does not compile: {exc}") from None
                    if regex.groups != 1:
                        raise f.fail(node, "an age pattern must have exactly one group: the age")
                    entry["age"].append((regex, whom))
            else:
                entry[name] = f.strings(value, name)
        out.people[lang] = entry


def _report_duplicates(out: IntentSet) -> None:
    seen: dict[tuple[str, tuple[str, ...]], Phrase] = {}
    for phrase in out.phrases:
        key = (phrase.lang, phrase.words)
        first = seen.setdefault(key, phrase)
        if first is phrase:
            continue
        if first.need != phrase.need:
            message = (
                f"{phrase.source}: phrase {phrase.text!r} ({phrase.lang}) is also listed under "
                f"{first.need} at {first.source}"
            )
        else:
            # Only the heavier of the two counts: a reader cannot tell which weight is meant.
            message = f"{phrase.source}: phrase {phrase.text!r} ({phrase.lang}) is listed twice in {phrase.need}, also at {first.source}"
        out.warnings.append(message)
        log.warning("%s", message)


def load_intents(folder: Path | str, needs_path: Path | str | None = None) -> IntentSet:
    """Load and check every intents file in ``folder``."""
    from . import settings

    folder = Path(folder)
    codes = load_need_codes(Path(needs_path) if needs_path else settings.DATA_DIR / "needs.yaml")
    out = IntentSet()
    loaders = {"conversation.yaml": _load_conversation, "places.yaml": _load_places, "people.yaml": _load_people}
    for path in sorted(folder.glob("*.yaml")):
        f = _File(path)
        if path.name in loaders:
            loaders[path.name](f, out)
        else:
            _load_need(f, codes, out)
    _report_duplicates(out)
    return out
