"""Golden conversations (tests/conversations/*.yaml) through the real matcher, directory and SMS renderer.

Each file is one resident's conversation: a start time and turns, each a
message sent and what the reply must show.  Adding a case needs no Python.
Keys of ``expect`` (all optional):

- ``contains`` / ``not_contains``: text that must (not) be in the SMS sent
- ``matches``: regular expressions the SMS must match
- ``services``: names the first results must start with, in order
- ``needs``: need codes the reply is about; ``language``: the reply's language
- ``crisis``, ``handoff``, ``silent``: flags of the reply (true or false)
- ``max_segments``: the SMS sent fits in this many segments (never more than 3; 4 for a crisis)
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from navigator.dialogue import Dialogue
from navigator.directory import open_directory
from navigator.render import sms
from navigator.settings import SHIPPED_DIRECTORY
from navigator.state import SQLiteStore

FOLDER = Path(__file__).parent / "conversations"
EXPECT_KEYS = {"contains", "not_contains", "matches", "services", "needs", "language", "crisis", "handoff",
               "silent", "max_segments"}


def load(path: Path) -> dict[str, Any]:
    """Read one conversation file and check its keys, naming the file and turn on error."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert {"description", "start", "turns"} <= set(data), f"{path.name}: needs description, start and turns"
    for number, turn in enumerate(data["turns"], 1):
        assert set(turn) <= {"send", "expect"} and "send" in turn, f"{path.name} turn {number}: send, expect"
        unknown = set(turn.get("expect") or {}) - EXPECT_KEYS
        assert not unknown, f"{path.name} turn {number}: unknown expect keys {sorted(unknown)}"
    return data


def check(where: str, expect: dict[str, Any], reply: Any, out: sms.SmsReply) -> None:
    body = out.body
    for text in expect.get("contains", []):
        assert text in body, f"{where}: {text!r} not in\n{body}"
    for text in expect.get("not_contains", []):
        assert text.lower() not in body.lower(), f"{where}: {text!r} in\n{body}"
    for pattern in expect.get("matches", []):
        assert re.search(pattern, body), f"{where}: /{pattern}/ not in\n{body}"
    names = [service.name for service in reply.services]
    for index, name in enumerate(expect.get("services", [])):
        assert index < len(names) and names[index].startswith(name), f"{where}: services {names}"
    for code in expect.get("needs", []):
        assert code in reply.needs, f"{where}: needs {reply.needs}"
    if "language" in expect:
        assert expect["language"] == reply.language, where
    for flag, attribute in (("crisis", "crisis"), ("handoff", "handoff_requested"), ("silent", "silent")):
        if flag in expect:
            assert expect[flag] == getattr(reply, attribute), f"{where}: {flag}"
    # A crisis reply may take a fourth segment rather than hold a crisis number behind MORE.
    cap = 4 if reply.crisis else 3
    assert out.segments <= min(expect.get("max_segments", cap), cap), f"{where}: {out.segments} segments"


@pytest.fixture(scope="module")
def directory() -> Any:
    return open_directory(str(SHIPPED_DIRECTORY))


@pytest.mark.parametrize("path", sorted(FOLDER.glob("*.yaml")), ids=lambda p: p.stem)
def test_conversation(path: Path, tmp_path: Path, directory: Any) -> None:
    data = load(path)
    dialogue = Dialogue(SQLiteStore(tmp_path / "state.db"), directory)
    at = datetime.fromisoformat(str(data["start"]))
    for number, turn in enumerate(data["turns"], 1):
        at += timedelta(minutes=1)
        reply = dialogue.handle("golden", str(turn["send"]), at)
        out = sms.render(reply)
        if out.rest:
            dialogue.keep_overflow("golden", list(out.rest), at)
        check(f"{path.name} turn {number} ({turn['send']!r})", turn.get("expect") or {}, reply, out)


def test_there_are_conversations_in_several_languages() -> None:
    languages = {turn["expect"]["language"] for path in FOLDER.glob("*.yaml")
                 for turn in load(path)["turns"] if "language" in (turn.get("expect") or {})}
    assert {"en", "fr", "es", "ar", "zh-Hans"} <= languages
