"""Render a Reply as one SMS of at most three segments, the rest kept behind MORE.

Segments are counted as carriers count them: GSM-7 text takes 160 septets in
one segment or 153 per part of a longer message, and the extension characters
(``^{}\\[~]|€`` and form feed) take two septets that never straddle parts;
anything outside GSM-7 sends the whole message as UCS-2: 70 UTF-16 units, or 67
per part, a surrogate pair never split.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..dialogue_reply import Card, Details, Line, Reply
from ..i18n import Translator, translator
from . import reply_lines

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€\f")
MAX_SEGMENTS = 3
# No-break spaces (French "24/7 :", Babel's times) would force UCS-2; a plain space reads the same.
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})
# A phone number (with an extension) is one unbreakable token when lines are split.
_PHONE = re.compile(r"(?:\+?1[ -])?\(?\d{3}\)?[ -]\d{3}-\d{4}(?: ext\. \d+)?|\d-\d-\d")


_GSM7 = frozenset(GSM_BASIC | GSM_EXTENSION)
# The characters that take two units: GSM-7's extension table, or UTF-16 surrogate pairs in UCS-2.
_DOUBLE_GSM = re.compile("[" + re.escape("".join(sorted(GSM_EXTENSION))) + "]")
_DOUBLE_UCS2 = re.compile("[\U00010000-\U0010FFFF]")


def is_gsm7(text: str) -> bool:
    """Tell whether ``text`` can be sent in the GSM-7 alphabet."""
    return _GSM7.issuperset(text)


def segments(text: str) -> int:
    """Count the SMS segments a carrier bills for ``text``."""
    gsm = is_gsm7(text)
    single, part = (160, 153) if gsm else (70, 67)
    doubles = (_DOUBLE_GSM if gsm else _DOUBLE_UCS2).findall(text)
    if len(text) + len(doubles) <= single:
        return 1
    if not doubles:
        return -(-len(text) // part)
    # A two-unit character never straddles two parts: walk the text when there are some.
    wide, count, used = set(doubles), 1, 0
    for ch in text:
        size = 2 if ch in wide else 1
        if used + size > part:
            count, used = count + 1, 0
        used += size
    return count


def _words(line: str) -> list[str]:
    # Glue each phone number into one token so a split never falls inside it.
    glued = _PHONE.sub(lambda m: m.group(0).replace(" ", "\u0000"), line)
    return [word.replace("\u0000", " ") for word in glued.split(" ")]


@dataclass(frozen=True)
class SmsReply:
    """The text to send now, its segment count, and the text kept behind MORE."""

    body: str
    segments: int
    rest: tuple[str, ...] = ()


def fit(blocks: list[str], more_hint: str, max_segments: int = MAX_SEGMENTS) -> SmsReply:
    """Pack whole blocks (a result is one block) into ``max_segments``; keep the rest for MORE.

    A block is only cut when nothing has been sent yet, first between its
    lines, then between words, so a result is never torn in two needlessly.
    """
    blocks = [block.strip("\n") for block in blocks if block.strip()]
    body = "\n".join(blocks)
    if segments(body) <= max_segments:
        return SmsReply(body, segments(body) if body else 0)
    sent: list[str] = []
    for index, block in enumerate(blocks):
        if segments("\n".join([*sent, block, more_hint])) <= max_segments:
            sent.append(block)
            continue
        rest = blocks[index:]
        if not sent:
            head, tail = _cut(block, more_hint, max_segments)
            sent.append(head)
            rest = ([tail] if tail else []) + blocks[index + 1 :]
        text = "\n".join([*sent, more_hint])
        return SmsReply(text, segments(text), ("\n".join(rest),))
    return SmsReply(body, segments(body))


def _cut(block: str, hint: str, max_segments: int) -> tuple[str, str]:
    lines = block.split("\n")
    taken: list[str] = []
    for index, line in enumerate(lines):
        if segments("\n".join([*taken, line, hint])) <= max_segments:
            taken.append(line)
            continue
        if taken:
            return "\n".join(taken), "\n".join(lines[index:])
        head, tail = _split_line(line, [], hint, max_segments)
        return head, "\n".join([tail, *lines[index + 1 :]]).strip("\n")
    return "\n".join(taken), ""


def _split_line(line: str, sent: list[str], hint: str, max_segments: int) -> tuple[str, str]:
    words = _words(line)
    taken: list[str] = []
    for count in range(1, len(words) + 1):
        head = " ".join(words[:count])
        if segments("\n".join([*sent, head, hint])) > max_segments:
            break
        taken = words[:count]
    return " ".join(taken), " ".join(words[len(taken) :])


def render(reply: Reply, tr: Translator | None = None) -> SmsReply:
    """Render a reply for SMS: at most three segments, the rest kept behind MORE."""
    if reply.silent:
        return SmsReply("", 0)
    tr = tr or translator(reply.language)
    hint = tr.gettext("Reply MORE for the rest.")
    blocks = [block.translate(_SPACES) for block in reply_lines(reply, tr)]
    full = fit(blocks, hint)
    if not full.rest:
        return full
    if reply.crisis:
        return _crisis(blocks, hint)
    if any(isinstance(part, Card) for part in reply.parts):
        # Three results rarely fit in UCS-2 (70 characters a segment): names and numbers come first.
        compact = [block.translate(_SPACES) for block in reply_lines(reply, tr, compact=True)]
        whole = fit(compact, hint)
        if not whole.rest:
            return whole
        footer = _footer_block(reply)
        without_footer = fit([b for i, b in enumerate(compact) if i != footer], hint)
        # When only the "Reply 1-3 for details" line would spill, leave it out rather than page it:
        # MORE then shows the next results, as the resident expects.
        return without_footer if not without_footer.rest else whole
    return full


def _footer_block(reply: Reply) -> int | None:
    """Return the block index of the "Reply 1-3 for details" line that follows the last result card."""
    rendered = [part for part in reply.parts if isinstance(part, (Line, Card, Details))]
    cards = [i for i, part in enumerate(rendered) if isinstance(part, Card)]
    if cards and cards[-1] + 1 < len(rendered) and isinstance(rendered[cards[-1] + 1], Line):
        return cards[-1] + 1
    return None


def _crisis(blocks: list[str], hint: str) -> SmsReply:
    # Every crisis number goes out now: drop the closing line first, then allow one more segment.
    essential = blocks[:-1]
    for limit in (MAX_SEGMENTS, MAX_SEGMENTS + 1):
        out = fit(essential, hint, limit)
        if not out.rest:
            return out
    return fit(essential, hint, MAX_SEGMENTS + 1)
