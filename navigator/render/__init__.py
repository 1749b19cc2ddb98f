"""Renderers: turn a dialogue Reply into text for a channel, in the resident's language."""
from __future__ import annotations

from ..dialogue_reply import Card, Details, Line, Reply
from ..i18n import Translator, translator
from .text import card_lines, details_lines


def reply_lines(reply: Reply, tr: Translator | None = None, compact: bool = False) -> list[str]:
    """Render every part of a reply as blocks of plain text; ``compact`` leaves out what results offer."""
    tr = tr or translator(reply.language)
    lines: list[str] = []
    for part in reply.parts:
        if isinstance(part, Line):
            lines.append(tr.render(part.text))
        elif isinstance(part, Card):
            card = card_lines(part.number, part.service, part.open_now, part.discreet, tr, compact)
            lines.append("\n".join(card))
        elif isinstance(part, Details):
            lines.append("\n".join(details_lines(part.service, part.open_now, part.discreet, tr)))
    return lines
