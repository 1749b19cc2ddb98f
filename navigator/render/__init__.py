"""Renderers: turn a dialogue Reply into text for a channel, in the resident's language."""
from __future__ import annotations

from ..dialogue_reply import Card, Details, Line, Reply
from ..i18n import Translator
from .text import card_lines, details_lines


def reply_lines(reply: Reply, tr: Translator | None = None) -> list[str]:
    """Render every part of a reply as lines of plain text, in order."""
    tr = tr or Translator(reply.language)
    lines: list[str] = []
    for part in reply.parts:
        if isinstance(part, Line):
            lines.append(tr.render(part.text))
        elif isinstance(part, Card):
            lines.append("\n".join(card_lines(part.number, part.service, part.open_now, part.discreet, tr)))
        elif isinstance(part, Details):
            lines.append("\n".join(details_lines(part.service, part.open_now, part.discreet, tr)))
    return lines
