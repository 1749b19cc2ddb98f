"""SMS segments counted as carriers count them, and replies fitted into three of them."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from navigator.dialogue_reply import Card, Line, Reply
from navigator.i18n import Msg, _
from navigator.models import Phone, Service
from navigator.render import sms
from navigator.render.sms import fit, is_gsm7, segments


@pytest.mark.parametrize(
    ("expected", "text"),
    [
        (1, "a" * 160),
        (2, "a" * 161),
        (2, "a" * 306),
        (3, "a" * 307),
        (1, "€" * 80),  # extension characters take two septets
        (2, "€" * 81),
        (1, "é" * 160),  # é is in the GSM-7 basic set
        (1, "ш" * 70),  # any non-GSM character makes the message UCS-2
        (2, "ш" * 71),
        (2, "ш" * 134),
        (3, "ш" * 135),
        (1, "a" * 69 + "ш"),
        (1, "😀" * 35),  # outside the BMP: two UTF-16 units each
        (2, "😀" * 36),
        (2, "a" * 152 + "a" + "a" * 152),
        (3, "a" * 152 + "€" + "a" * 152),  # the escape pair never straddles two parts
        (0, ""),
    ],
)
def test_segments(expected: int, text: str) -> None:
    assert expected == (segments(text) if text else 0)


def _segments_one_unit_at_a_time(text: str) -> int:
    """Carriers' count, the plain way: every character's units, a new part when the next does not fit."""
    gsm = all(ch in sms.GSM_BASIC or ch in sms.GSM_EXTENSION for ch in text)
    units = [(2 if ch in sms.GSM_EXTENSION else 1) if gsm else (2 if ord(ch) > 0xFFFF else 1) for ch in text]
    single, part = (160, 153) if gsm else (70, 67)
    if sum(units) <= single:
        return 1
    count, used = 1, 0
    for size in units:
        if used + size > part:
            count, used = count + 1, 0
        used += size
    return count


@given(st.lists(st.sampled_from(["a", "é", "€", "[", "ш", "😀", "\n", " ", "7"]), min_size=1, max_size=700).map("".join))
def test_segments_agree_with_counting_one_unit_at_a_time(text: str) -> None:
    assert _segments_one_unit_at_a_time(text) == segments(text)


def test_gsm7_detection() -> None:
    assert is_gsm7("Call (905) 849-4541, Ça va? [ok] {x} ~ |")
    assert not is_gsm7("Open now, until 5:00\u202fPM")
    assert not is_gsm7("اتصل الآن")


def test_a_short_reply_is_sent_whole() -> None:
    assert sms.SmsReply("one\ntwo", 1) == fit(["one", "two"], "MORE")


def _blocks(count: int, word: str) -> list[str]:
    return [f"{i}. {word} Service (905) 849-4541\n{' '.join([word] * 12)}" for i in range(1, count + 1)]


@pytest.mark.parametrize("word", ["Food", "طعام", "食物食物"])
def test_long_replies_fit_three_segments_and_keep_the_rest(word: str) -> None:
    blocks = _blocks(8, word)
    out = fit(blocks, "Reply MORE for the rest.")
    assert out.segments == segments(out.body) <= 3
    assert out.body.endswith("Reply MORE for the rest.")
    assert out.rest
    sent = out.body.removesuffix("Reply MORE for the rest.").strip().split("\n")
    # Nothing lost, nothing repeated, and whole results on each side.
    assert "\n".join(blocks) == "\n".join([*sent, *out.rest])
    assert sent[-1].startswith(word) and out.rest[0].split("\n")[0][0].isdigit()


def test_one_huge_line_is_cut_between_words_never_inside_a_phone_number() -> None:
    line = " ".join(f"word{i} (905) 849-45{i:02d}" for i in range(60))
    out = fit([line], "MORE")
    assert out.segments <= 3
    head = out.body.removesuffix("\nMORE")
    tail = out.rest[0]
    assert line == f"{head} {tail}"
    assert head.split(" ")[-1].startswith("849-") and tail.split(" ")[0].startswith("word")


def test_render_turns_a_reply_into_text_and_a_silent_reply_into_nothing() -> None:
    service = Service(
        id="s1", name="Burlington Food Bank (BFB)", organization="Burlington Food Bank",
        description="Free groceries for Burlington residents. Bring ID.", needs=("food",),
        phones=(Phone("905-639-0848"),),
    )
    reply = Reply("en", (Line(_("Here are services that can help:")), Card(1, service, _("Open now"))))
    out = sms.render(reply)
    assert "Here are services that can help:\n1. Burlington Food Bank (905) 639-0848\n" \
        "Free groceries for Burlington residents. Open now" == out.body
    assert (1, ()) == (out.segments, out.rest)
    assert sms.SmsReply("", 0) == sms.render(Reply("en", silent=True))


def test_a_crisis_reply_never_holds_a_number_behind_more() -> None:
    lines = [Line(f"Ligne de crise numéro {i} êtes : (905) 849-45{i:02d}") for i in range(5)]
    reply = Reply("fr", (*lines, Line("Quand vous serez prête, je peux vous aider à trouver autre chose.")), crisis=True)
    out = sms.render(reply)
    assert () == out.rest and out.segments <= 4
    assert all(f"(905) 849-45{i:02d}" in out.body for i in range(5))


def test_no_break_spaces_do_not_force_ucs2() -> None:
    out = sms.render(Reply("fr", (Line("Distress Centre Halton, 24/7\u00a0: (905) 849-4541"),)))
    assert is_gsm7(out.body) and "24/7 : (905)" in out.body


def _three_results(footer: str) -> Reply:
    # Korean text makes the message UCS-2 (67 characters a part): the descriptions cannot fit.
    cards = tuple(
        Card(n, Service(id=f"s{n}", name=f"Food Bank {n}", organization="Org", description="Free groceries every week",
                        needs=("food",), phones=(Phone(f"905-639-08{n:02d}"),)), Msg("지금 열려 있어요"))
        for n in (1, 2, 3)
    )
    return Reply("ko", (Line(Msg("도움이 되는 서비스:")), *cards, Line(Msg(footer))))


def test_results_too_long_in_full_are_sent_compact_with_their_footer() -> None:
    out = sms.render(_three_results("1-3 답장: 자세히"))
    assert () == out.rest and out.segments <= 3
    assert "Free groceries" not in out.body  # compact: names, numbers and hours
    assert all(f"(905) 639-08{n:02d}" in out.body for n in (1, 2, 3))
    assert out.body.endswith("1-3 답장: 자세히")


def test_a_footer_that_alone_would_spill_is_left_out_not_paged() -> None:
    out = sms.render(_three_results("1-3 답장: 자세히 " + "다른 것도 말씀해 주세요 " * 5))
    assert () == out.rest and "답장" not in out.body
    assert all(f"(905) 639-08{n:02d}" in out.body for n in (1, 2, 3))
