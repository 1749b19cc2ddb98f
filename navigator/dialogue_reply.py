"""The channel-independent reply of the dialogue, which renderers format."""
from __future__ import annotations

from dataclasses import dataclass

from .i18n import Msg
from .models import Service


@dataclass(frozen=True)
class Line:
    """One line of text: a lazy message, or text already in the resident's language."""

    text: Msg | str


@dataclass(frozen=True)
class Card:
    """A result in a list: its number, name, phone, what it offers, open now or not."""

    number: int
    service: Service
    open_now: Msg | None = None
    discreet: bool = False


@dataclass(frozen=True)
class Details:
    """Everything about one result: address, hours, who it is for, languages, cost."""

    service: Service
    open_now: Msg | None = None
    discreet: bool = False


Part = Line | Card | Details


@dataclass(frozen=True)
class Reply:
    """What navigator answers to one message, before it is rendered for a channel."""

    language: str
    parts: tuple[Part, ...] = ()
    quick_replies: tuple[Msg, ...] = ()
    crisis: bool = False
    needs: tuple[str, ...] = ()
    services: tuple[Service, ...] = ()
    # Set when the resident asked for a person; an operator console can take the handoff.
    handoff_requested: bool = False
    # Set after STOP and while opted out: the channel must send nothing at all.
    silent: bool = False
    # Set when the conversation had expired and this message started a new one.
    restarted: bool = False
