"""SMS length in every language: representative conversations through the real dialogue and renderer.

Each of the twelve languages runs the same conversation (welcome, results for
several needs, details, MORE, crisis, help, a person) over the shipped
directory, once in the morning and once in the evening (when results say when
they open).  Every text must fit the renderer's limit (three segments; UCS-2
counts 70, or 67 a part), must be written in the resident's language, and must
never split a phone number between what is sent and what waits behind MORE.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from navigator.dialogue import Dialogue, Line
from navigator.directory import open_directory
from navigator.i18n import Translator
from navigator.models import LANGUAGES
from navigator.render import reply_lines, sms
from navigator.settings import SHIPPED_DIRECTORY
from navigator.state import SQLiteStore

# What a resident writes, in each language: a greeting, three needs with a town, a crisis, a person.
TURNS = {
    "en": {
        "hi": "hi",
        "food": "I need food for my family in Milton",
        "rent": "I can't pay my rent in Oakville",
        "talk": "I need someone to talk to, I live in Burlington",
        "crisis": "I want to kill myself",
        "person": "talk to a person",
    },
    "fr": {
        "hi": "bonjour",
        "food": "j'ai besoin de nourriture pour ma famille à Milton",
        "rent": "je ne peux pas payer mon loyer à Oakville",
        "talk": "j'ai besoin de parler à quelqu'un, je suis déprimé, j'habite à Burlington",
        "crisis": "je veux mourir, je vais me tuer ce soir",
        "person": "parler à une personne",
    },
    "es": {
        "hi": "hola",
        "food": "necesito comida para mi familia en Milton",
        "rent": "no puedo pagar el alquiler en Oakville",
        "talk": "estoy muy deprimida y necesito hablar con alguien, vivo en Burlington",
        "crisis": "quiero morir, me voy a matar",
        "person": "hablar con una persona",
    },
    "pt": {
        "hi": "olá",
        "food": "preciso de comida para minha família em Milton",
        "rent": "não consigo pagar o aluguel em Oakville",
        "talk": "estou muito deprimida e preciso falar com alguém, moro em Burlington",
        "crisis": "quero morrer, vou me matar",
        "person": "falar com uma pessoa",
    },
    "pl": {
        "hi": "dzień dobry",
        "food": "potrzebuję jedzenia dla rodziny w Milton",
        "rent": "nie mogę zapłacić czynszu w Oakville",
        "talk": "mam depresję i potrzebuję z kimś porozmawiać, mieszkam w Burlington",
        "crisis": "chcę umrzeć, zabiję się",
        "person": "porozmawiać z człowiekiem",
    },
    "tl": {
        "hi": "kumusta",
        "food": "kailangan ko ng pagkain para sa pamilya ko sa Milton",
        "rent": "hindi ko kayang bayaran ang upa ko sa Oakville",
        "talk": "malungkot ako palagi at kailangan ko ng makakausap, taga Burlington ako",
        "crisis": "gusto ko nang mamatay, papatayin ko ang sarili ko",
        "person": "makausap ang tao",
    },
    "ar": {
        "hi": "مرحبا",
        "food": "أحتاج طعام لعائلتي في ميلتون",
        "rent": "لا أستطيع دفع الإيجار في أوكفيل",
        "talk": "أنا مكتئب وأحتاج أن أتكلم مع أحد، أسكن في بيرلينغتون",
        "crisis": "أريد أن أموت",
        "person": "أتكلم مع شخص",
    },
    "ur": {
        "hi": "السلام علیکم",
        "food": "مجھے اپنے خاندان کے لیے کھانا چاہیے، ملٹن میں",
        "rent": "میں اوک ویل میں کرایہ نہیں دے سکتا",
        "talk": "میں بہت اداس ہوں، کسی سے بات کرنی ہے، برلنگٹن",
        "crisis": "میں مرنا چاہتا ہوں، خودکشی کر لوں گا",
        "person": "کسی انسان سے بات",
    },
    "hi": {
        "hi": "नमस्ते",
        "food": "मुझे मिल्टन में अपने परिवार के लिए खाना चाहिए",
        "rent": "मैं ओकविल में किराया नहीं दे पा रहा हूँ",
        "talk": "मैं बहुत उदास हूँ, किसी से बात करनी है, बर्लिंगटन में रहता हूँ",
        "crisis": "मैं मरना चाहता हूँ, आत्महत्या कर लूँगा",
        "person": "किसी इंसान से बात",
    },
    "pa": {
        "hi": "ਸਤ ਸ੍ਰੀ ਅਕਾਲ",
        "food": "ਮੈਨੂੰ ਮਿਲਟਨ ਵਿੱਚ ਆਪਣੇ ਪਰਿਵਾਰ ਲਈ ਖਾਣਾ ਚਾਹੀਦਾ ਹੈ",
        "rent": "ਮੈਂ ਓਕਵਿਲ ਵਿੱਚ ਕਿਰਾਇਆ ਨਹੀਂ ਦੇ ਸਕਦਾ",
        "talk": "ਮੈਂ ਬਹੁਤ ਉਦਾਸ ਹਾਂ, ਕਿਸੇ ਨਾਲ ਗੱਲ ਕਰਨੀ ਹੈ, ਬਰਲਿੰਗਟਨ",
        "crisis": "ਮੈਂ ਮਰਨਾ ਚਾਹੁੰਦਾ ਹਾਂ, ਖੁਦਕੁਸ਼ੀ ਕਰ ਲਵਾਂਗਾ",
        "person": "ਕਿਸੇ ਇਨਸਾਨ ਨਾਲ ਗੱਲ",
    },
    "zh-Hans": {
        "hi": "你好",
        "food": "我在米尔顿，家里需要食物",
        "rent": "我在奥克维尔付不起房租",
        "talk": "我很抑郁，想找人聊聊，我住在伯灵顿",
        "crisis": "我想自杀",
        "person": "我想和真人说话",
    },
    "ko": {
        "hi": "안녕하세요",
        "food": "밀턴인데 푸드뱅크가 필요해요",
        "rent": "오크빌에서 집세를 못 내고 있어요",
        "talk": "너무 우울해서 누군가와 이야기하고 싶어요, 벌링턴에 살아요",
        "crisis": "죽고 싶어요, 자살할 거예요",
        "person": "상담원 연결",
    },
}

# Monday 10:00 and Thursday 20:00 in Halton: results open now, then closed until tomorrow.
STARTS = {"morning": "2026-03-02T10:00:00-05:00", "evening": "2026-03-05T20:00:00-05:00"}
# The conversation, as turn names: messages from TURNS, or keywords sent as they are.
SCRIPT = ("hi", "food", "1", "MORE", "rent", "34", "2", "talk", "crisis", "HELP", "person", "MORE")


@pytest.fixture(scope="module")
def directory() -> Any:
    return open_directory(str(SHIPPED_DIRECTORY))


def check_fits(where: str, tag: str, reply: Any, out: sms.SmsReply) -> None:
    """Check the segment limit, the language, and that every phone number is whole somewhere."""
    assert out.segments <= sms.MAX_SEGMENTS, f"{where}: {out.segments} segments\n{out.body}"
    assert out.segments == sms.segments(out.body), where
    assert reply.language == tag, f"{where}: answered in {reply.language}"
    full = "\n".join(reply_lines(reply))
    sent = [out.body, *out.rest]
    for number in sms._PHONE.findall(full):
        assert any(number in part for part in sent), f"{where}: {number} split\n{out.body}\n--\n{out.rest}"
    for number in sms._PHONE.findall(out.body):
        # A number in the text sent must be one the reply holds, not the head of a longer one.
        assert number in full, f"{where}: {number} is a fragment"




@pytest.mark.parametrize("when", sorted(STARTS))
@pytest.mark.parametrize("tag", LANGUAGES)
def test_every_reply_fits_three_segments_in_every_language(tag: str, when: str, tmp_path: Path,
                                                           directory: Any) -> None:
    dialogue = Dialogue(SQLiteStore(tmp_path / "state.db"), directory)
    at = datetime.fromisoformat(STARTS[when])
    for number, name in enumerate(SCRIPT, 1):
        at += timedelta(minutes=1)
        reply = dialogue.handle(f"sms:{tag}", TURNS[tag].get(name, name), at)
        out = sms.render(reply)
        if out.rest:
            dialogue.keep_overflow(f"sms:{tag}", list(out.rest), at)
        where = f"{tag} {when} turn {number} ({name})"
        check_fits(where, tag, reply, out)
        if tag != "en" and any(not isinstance(part, Line) or not isinstance(part.text, str) for part in reply.parts):
            # Written from the catalog, not the English source strings (MORE resends text already written).
            assert out.body != sms.render(reply, Translator("en")).body, f"{where}: English\n{out.body}"


@pytest.mark.parametrize("tag", LANGUAGES)
def test_a_first_message_with_a_need_fits_with_the_short_welcome(tag: str, tmp_path: Path, directory: Any) -> None:
    dialogue = Dialogue(SQLiteStore(tmp_path / "state.db"), directory)
    at = datetime.fromisoformat(STARTS["evening"])
    reply = dialogue.handle(f"sms:{tag}", TURNS[tag]["food"], at)
    out = sms.render(reply)
    check_fits(f"{tag} first message", tag, reply, out)
    # The welcome's essentials (not for emergencies, call 911) go out now or behind MORE, never lost.
    assert any("911" in part for part in (out.body, *out.rest)), out.body


@pytest.mark.parametrize("tag", LANGUAGES)
def test_a_crisis_reply_gives_every_line_at_once(tag: str, tmp_path: Path, directory: Any) -> None:
    dialogue = Dialogue(SQLiteStore(tmp_path / "state.db"), directory)
    reply = dialogue.handle(f"sms:{tag}", TURNS[tag]["crisis"], datetime.fromisoformat(STARTS["evening"]))
    out = sms.render(reply)
    assert reply.crisis, tag
    check_fits(f"{tag} crisis", tag, reply, out)
    # Numbers first and nothing behind MORE: someone in crisis must not have to ask for the rest.
    assert () == out.rest, out.body
    for number in ("911", "9-8-8", "(905) 849-4541", "(877) 825-9011"):
        assert number in out.body, f"{tag}: {number} missing\n{out.body}"
