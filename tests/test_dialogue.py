"""The dialogue's steps, over a small directory built from real records and a matcher built for the test."""
from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from navigator.dialogue import Dialogue
from navigator.dialogue_reply import Card, Details, Line, Reply
from navigator.directory import open_directory, open_status
from navigator.directory.build import build
from navigator.i18n import Translator, _, ngettext
from navigator.models import Match, NeedScore
from navigator.render import reply_lines
from navigator.settings import DATA_DIR
from navigator.state import SQLiteStore

MONDAY_10AM = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 in Toronto
SATURDAY_10PM = datetime(2026, 3, 8, 3, 0, tzinfo=UTC)
RECORDS = (
    "988 Suicide Crisis Helpline", "Distress Centre Halton", "COAST Halton (Crisis Outreach and Support Team)",
    "211 Ontario", "Burlington Food Bank", "Fare Share Food Bank", "Infant Food Bank",
    "Salvation Army Milton food bank", "Acton Foodshare", "Halton Women's Place 24-hour crisis lines and shelters",
    "Assaulted Women's Helpline",
)
# The words this test's matcher knows: enough to drive every step.
NEEDS = {"food": "food", "hungry": "food", "hits me": "abuse-violence", "kill myself": "crisis"}
INTENTS = {"hi": "greeting", "more": "more", "stop": "stop", "start": "start", "help": "help",
           "safe": "safe", "restart": "restart", "talk to a person": "person", "thanks": "thanks", "no": "no"}
TOWNS = ("burlington", "oakville", "milton")


def fake_match(text: str, lang: str | None = None, context: Any = None) -> Match:
    """Understand a message with the small word lists above."""
    lower = text.lower().strip()
    needs = tuple(NeedScore(code, 2.0) for word, code in NEEDS.items() if word in lower)
    guessed = not needs and "peckish" in lower  # weak evidence: a guess
    needs = needs or ((NeedScore("food", 0.5),) if guessed else ())
    language = "fr" if lower in ("français", "j'ai faim") else (context or {}).get("conversation_language", "en")
    return Match(
        text=text, language=language, needs=needs, crisis=any(n.code == "crisis" for n in needs),
        municipality=next((t for t in TOWNS if t in lower), None),
        for_whom="parent" if "my mom" in lower else None,
        intent="number" if lower.isdigit() else "language" if lower == "français" else INTENTS.get(lower.split(",")[0]),
        number=int(lower) if lower.isdigit() else None,
        language_choice="fr" if lower == "français" else None,
        crisis_hint="can't go on" in lower, guessed=guessed,
    )


@pytest.fixture(scope="module")
def directory_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    with (DATA_DIR / "halton_services.csv").open(encoding="utf-8") as source:
        reader = csv.DictReader(source)
        rows = [row for row in reader if row["name"] in RECORDS]
        with (folder / "halton_services.csv").open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [])
            writer.writeheader()
            writer.writerows(rows)
    build(folder / "directory.db", folder, DATA_DIR / "needs.yaml")
    return folder / "directory.db"


@pytest.fixture
def dialogue(tmp_path: Path, directory_path: Path) -> Iterator[Dialogue]:
    store = SQLiteStore(tmp_path / "state.db", idle_minutes=30, retention_days=30)
    yield Dialogue(store, open_directory(str(directory_path)), fake_match, open_status, retention_days=30)


class Chat:
    """One resident talking to the dialogue, a minute between messages."""

    def __init__(self, dialogue: Dialogue, at: datetime = MONDAY_10AM) -> None:
        self.dialogue, self.at = dialogue, at

    def say(self, text: str) -> Reply:
        self.at += timedelta(minutes=1)
        return self.dialogue.handle("resident-1", text, self.at)


def text_of(reply: Reply) -> str:
    return "\n".join(reply_lines(reply))


def test_first_contact_welcomes_with_purpose_911_languages_and_privacy(dialogue: Dialogue) -> None:
    text = text_of(Chat(dialogue).say("hi"))
    for expected in ("community services in Halton", "not an emergency service", "911", "FRANÇAIS",
                     "30 days", "never keep your phone number"):
        assert expected in text


def test_a_need_with_a_town_gets_results_at_once(dialogue: Dialogue) -> None:
    reply = Chat(dialogue).say("I need food in Burlington")
    cards = [p for p in reply.parts if isinstance(p, Card)]
    assert "Burlington Food Bank" == cards[0].service.name
    assert ("food",) == reply.needs
    text = text_of(reply)
    assert "1. Burlington Food Bank (905) 637-2273" in text
    assert "Open now, until 12:45 PM" in text
    assert re.search(r"Reply 1(-\d)? for details", text)
    assert "call 911" in text  # the short welcome, since this was the first message


def test_one_question_only_when_the_town_changes_the_results(dialogue: Dialogue) -> None:
    chat = Chat(dialogue)
    asked = chat.say("I'm hungry")
    assert "Which town are you in?" in text_of(asked) and not asked.services
    answered = chat.say("oakville")
    assert "Fare Share Food Bank" == answered.services[0].name
    assert all("Burlington" not in s.name for s in answered.services)


def test_no_question_when_every_answer_gives_the_same_results(dialogue: Dialogue) -> None:
    reply = Chat(dialogue).say("my partner hits me")
    assert reply.services and "Which town" not in text_of(reply)


def test_details_more_and_pages(dialogue: Dialogue) -> None:
    chat = Chat(dialogue)
    chat.say("food")
    first = chat.say("no")  # no town given: every food service, three at a time
    assert 3 == len(first.services) and "MORE for more" in text_of(first)
    details = chat.say("1")
    part = next(p for p in details.parts if isinstance(p, Details))
    assert part.service == first.services[0]
    assert "Information checked November 2026" in text_of(details)
    second = chat.say("more")
    assert 4 == next(p for p in second.parts if isinstance(p, Card)).number
    assert not set(second.services) & set(first.services)
    assert second.services[0] == next(p for p in chat.say("4").parts if isinstance(p, Details)).service


def test_crisis_pre_empts_with_lines_from_the_records_then_the_conversation_goes_on(dialogue: Dialogue) -> None:
    chat = Chat(dialogue)
    results = chat.say("food in milton")
    crisis = chat.say("I want to kill myself")
    text = text_of(crisis)
    assert crisis.crisis
    for expected in ("call 911", "9-8-8", "Distress Centre Halton, 24/7: (905) 849-4541",
                     "COAST Halton, 24/7: (877) 825-9011"):
        assert expected in text
    after = chat.say("1")
    assert results.services[0] == next(p for p in after.parts if isinstance(p, Details)).service


def test_a_few_crisis_words_bring_911_and_988_first_and_the_results_still_follow(dialogue: Dialogue) -> None:
    chat = Chat(dialogue)
    chat.say("hi")
    hinted = chat.say("I can't go on, I need food in Milton")
    assert not hinted.crisis
    first, second, *_ = text_of(hinted).splitlines()
    assert "If you or someone else is in danger now, call 911." == first
    assert "Call or text 9-8-8 to talk to someone now." == second
    assert any(isinstance(p, Card) for p in hinted.parts)
    assert "call 911" not in text_of(chat.say("I need food in Milton"))


def test_safe_mode_names_no_topic(dialogue: Dialogue) -> None:
    chat = Chat(dialogue)
    assert "Discreet mode is on" in text_of(chat.say("safe"))
    reply = chat.say("he hits me")
    text = text_of(reply) + text_of(chat.say("1"))
    assert reply.services and re.search(r"\(905\) \d{3}-\d{4}", text)
    assert not re.search(r"abus|assault|violen|shelter|women|crisis", text, re.IGNORECASE)


def test_results_for_someone_else_are_framed_for_passing_on(dialogue: Dialogue) -> None:
    assert "you can pass on" in text_of(Chat(dialogue).say("my mom needs food in oakville"))


def test_two_misses_offer_211_and_a_person(dialogue: Dialogue) -> None:
    chat = Chat(dialogue)
    chat.say("hi")
    assert "say it another way" in text_of(chat.say("blue sky"))
    second = text_of(chat.say("green grass"))
    assert "call or text 2-1-1 to talk to a person" in second


@pytest.mark.parametrize(
    ("at", "expected"),
    [(MONDAY_10AM, "Chat and text with 211 are open now, until 9:00 PM."),
     (SATURDAY_10PM, "Chat and text with 211 are closed now. They open weekdays 7:00 AM to 9:00 PM.")],
)
def test_asking_for_a_person_offers_211_and_flags_a_handoff(dialogue: Dialogue, at: datetime, expected: str) -> None:
    reply = Chat(dialogue, at).say("talk to a person")
    assert reply.handoff_requested
    assert "call 2-1-1. Phone lines are open 24 hours" in text_of(reply) and expected in text_of(reply)


def test_stop_silences_everything_until_start(dialogue: Dialogue) -> None:
    chat = Chat(dialogue)
    chat.say("hi")
    assert chat.say("stop").silent
    assert chat.say("food in oakville").silent
    back = chat.say("start")
    assert not back.silent and "You will get messages from us again." in text_of(back)
    lines = [line.text for line in dialogue.store.transcript("resident-1")]
    assert "food in oakville" not in lines and "start" in lines


def test_language_choice_sticks_to_later_replies(dialogue: Dialogue) -> None:
    chat = Chat(dialogue)
    assert "fr" == chat.say("français").language
    assert "fr" == chat.say("food in oakville").language


def test_restart_forgets_the_needs_and_an_idle_conversation_starts_over(dialogue: Dialogue) -> None:
    chat = Chat(dialogue)
    chat.say("food in oakville")
    assert "start over" in text_of(chat.say("restart"))
    conv = dialogue.store.load("resident-1", chat.at)
    assert ((), ()) == (conv.needs, conv.results)
    assert not any(isinstance(p, Details) for p in chat.say("1").parts)
    chat.say("food in oakville")
    chat.at += timedelta(minutes=45)
    assert chat.say("hi").restarted


def test_translator_uses_the_catalog_and_falls_back_to_english(tmp_path: Path) -> None:
    catalog = Catalog(locale="fr")
    catalog.add("Open now", "Ouvert maintenant")
    catalog.add(("%(n)s result", "%(n)s results"), ("%(n)s résultat", "%(n)s résultats"))
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as out:
        write_mo(out, catalog)
    french = Translator("fr", tmp_path)
    assert "Ouvert maintenant" == french.render(_("Open now"))
    assert "2 résultats" == french.render(ngettext("%(n)s result", "%(n)s results", 2, n=2))
    assert "Closed now" == french.render(_("Closed now"))
    assert "mars 2026" == french.month(MONDAY_10AM.date())
    assert "5:00 PM" == Translator("en").time(datetime(2026, 3, 2, 17).time())


def test_old_message_content_is_purged_as_conversations_go_on(dialogue: Dialogue) -> None:
    chat = Chat(dialogue)
    chat.say("food in oakville")
    chat.at += timedelta(days=31)
    chat.say("hi")
    assert ["hi"] == [line.text for line in dialogue.store.transcript("resident-1") if line.role == "resident"]


class Desk:
    """A handover that holds one conversation and notes every reply it sees."""

    def __init__(self) -> None:
        self.holding: set[str] = set()
        self.seen: list[tuple[int, int]] = []

    def held(self, conv: Any, text: str, found: Match, now: datetime) -> Reply | None:
        return Reply(conv.language, (Line("passed on"),)) if conv.key in self.holding and not found.crisis else None

    def after(self, before: Any, conv: Any, reply: Reply, contact: str | None, now: datetime) -> tuple[Reply, tuple[str, ...]]:
        self.seen.append((before.misses, conv.misses))
        return replace(reply, parts=(Line(f"desk for {contact}"), *reply.parts)), ("[noted]",)


def test_the_handover_sees_every_turn_and_holds_a_conversation_for_a_person(dialogue: Dialogue) -> None:
    desk = Desk()
    dialogue.handoff = desk
    dialogue.handle("resident-1", "hi", MONDAY_10AM)
    missed = dialogue.handle("resident-1", "qwzx", MONDAY_10AM, contact="+19055550123")
    assert "desk for +19055550123" == text_of(missed).split("\n")[0] and [(0, 0), (0, 1)] == desk.seen
    desk.holding.add("resident-1")
    assert "passed on" == text_of(dialogue.handle("resident-1", "hungry", MONDAY_10AM))
    assert 2 == len(desk.seen) and () == dialogue.store.load("resident-1", MONDAY_10AM).needs  # navigator did not answer
    assert dialogue.handle("resident-1", "I want to kill myself", MONDAY_10AM).crisis  # a crisis is never held
    lines = [(line.role, line.text.split("\n")[0]) for line in dialogue.store.transcript("resident-1")]
    assert [("resident", "qwzx"), ("navigator", "desk for +19055550123"), ("navigator", "[noted]"),
            ("resident", "hungry"), ("resident", "I want to kill myself")] == lines[3:8]


def test_a_short_list_points_to_211_for_more(dialogue: Dialogue) -> None:
    chat = Chat(dialogue)
    short = chat.say("my partner hits me")  # two records in this directory
    assert 2 == len(short.services)
    assert "You can call or text 2-1-1 for more help." in text_of(short)
    chat.say("food")
    full = chat.say("no")
    assert 3 == len(full.services) and "2-1-1" not in text_of(full)


def test_a_new_town_alone_moves_the_results_but_a_long_message_with_a_town_is_not_understood(dialogue: Dialogue) -> None:
    chat = Chat(dialogue)
    chat.say("food in milton")
    moved = chat.say("burlington")
    assert "Burlington Food Bank" == moved.services[0].name
    other = chat.say("my neighbour keeps playing loud music at night and i cant sleep, we live in oakville")
    assert not other.services and "did not understand" in text_of(other)


def test_a_guess_says_it_is_not_sure_and_gives_way_to_plain_words(dialogue: Dialogue) -> None:
    chat = Chat(dialogue)
    reply = chat.say("a bit peckish in burlington")
    assert ("food",) == reply.needs
    assert "I am not sure I understood. These services may help:" in text_of(reply)
    assert "Burlington Food Bank" in text_of(reply)
    # the next need is understood: the usual header again
    assert "Here are services that can help:" in text_of(chat.say("hungry in burlington"))
    # thanks beside a weak word is thanks, not a new list
    assert "You're welcome" in text_of(chat.say("thanks, peckish"))
    # a guess does not replace needs the conversation is sure of: the town question is answered
    other = Chat(dialogue)
    other.dialogue.handle("resident-2", "hungry", other.at)
    reply = other.dialogue.handle("resident-2", "peckish, burlington", other.at + timedelta(minutes=1))
    assert "Here are services that can help:" in text_of(reply)
