"""The dialogue: one resident message in, one channel-independent Reply out.

``Dialogue.answer(key, text)`` loads the conversation, asks the matcher what
the message means, takes one step (keywords, crisis, results, details, MORE,
a clarifying question, or a miss) and returns a ``Turn`` whose ``Reply`` a
renderer formats for SMS or the web; ``Dialogue.record(turn)`` then stores the
turn in one transaction.  ``handle()`` does both.  A ``Handover`` (live
handoff to people) is consulted on every message when one is given.  No
Flask, no Twilio.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from . import dialogue_lines as say
from .dialogue_reply import Card, Details, Line, Reply
from .dialogue_results import Results
from .i18n import _, own_name
from .models import MUNICIPALITIES, Match, Service, ServiceHit
from .render import reply_lines
from .state import Conversation, StateStore

__all__ = ["Card", "Details", "Dialogue", "Handover", "Line", "Reply", "Turn"]

Matcher = Callable[..., Match]
# Keywords residents send in English whatever their language (STOP, MORE, 2, HELP, OK).
_PURGE_EVERY = timedelta(hours=1)
_NEUTRAL_WORDS = frozenset({"stop", "start", "more", "number", "help", "safe", "restart", "yes", "no"})
# A message this short that names a town or an age says only that ("Oakville", "I'm 70 now");
# a longer one says something else too, which navigator did not understand.
_UPDATE_WORDS, _UPDATE_CHARS = 5, 40


class Directory(Protocol):
    """The part of ``navigator.directory.Directory`` the dialogue uses."""

    def get(self, service_id: str) -> Service | None: ...

    def search(
        self, *, needs: Iterable[str] = (), municipality: str | None = None, age: int | None = None, limit: int = 10
    ) -> list[ServiceHit]: ...

    def services(self) -> Iterator[Service]: ...


def _default_matcher(text: str, lang: str | None = None, context: Any = None) -> Match:
    from . import match

    return match(text, lang=lang, context=context)


def _default_open_status(service: Service, at: datetime) -> Any:
    from .directory.hours import open_status

    return open_status(service, at)


class Handover(Protocol):
    """Live handoff to people, consulted on every message (``channels.operator_live.LiveHandoff``)."""

    def held(self, conv: Conversation, text: str, found: Match, now: datetime) -> Reply | None:
        """Return the reply while a person has the conversation; None lets navigator answer."""

    def after(self, before: Conversation, conv: Conversation, reply: Reply, contact: str | None,
              now: datetime) -> tuple[Reply, tuple[str, ...]]:
        """Queue the conversation for a person when the turn calls for it; return the reply and transcript notes."""


@dataclass(frozen=True)
class Turn:
    """One message answered but not yet stored: the channel renders ``reply``, then ``Dialogue.record`` stores it."""

    key: str
    now: datetime
    reply: Reply
    conversation: Conversation  # as this turn leaves it
    save: bool = True  # False leaves the stored conversation untouched (an opted-out resident)
    heard: str | None = None  # the resident's message, for the transcript
    answered: bool = False  # whether the reply goes into the transcript
    opt_out: bool | None = None  # STOP (True) or START (False) to record
    notes: tuple[str, ...] = ()  # navigator's transcript lines after the reply
    new: bool = False  # no stored conversation was resumed (a first message, or one after expiry)


class Dialogue:
    """Conversation steps over a state store, a directory and a matcher."""

    def __init__(
        self,
        store: StateStore,
        directory: Directory,
        matcher: Matcher | None = None,
        open_status: Callable[[Service, datetime], Any] | None = None,
        retention_days: int = 30,
        handoff: Handover | None = None,
    ) -> None:
        self.store = store
        self.matcher = matcher or _default_matcher
        self.results = Results(directory, open_status or _default_open_status)
        self.hotlines = say.Hotlines.from_services(directory.services())
        self.retention_days = retention_days
        self.handoff = handoff
        self._purge_checked: datetime | None = None

    def handle(self, key: str, text: str, now: datetime | None = None, *, contact: str | None = None) -> Reply:
        """Answer one message from the conversation ``key`` and store the turn."""
        turn = self.answer(key, text, now, contact=contact)
        self.record(turn)
        return turn.reply

    def answer(self, key: str, text: str, now: datetime | None = None, *, contact: str | None = None,
               language: str | None = None) -> Turn:
        """Answer one message, storing nothing yet; ``language`` is one the resident chose on the page."""
        now = now or datetime.now(UTC)
        self._purge_now_and_then(now)
        loaded = self.store.load(key, now)
        conv = loaded if language is None else replace(loaded, language=language, language_chosen=True)
        # Only the conversation's language: a short reply keeps it, a longer one may switch it.
        # Town and age stay out so that a message's own town or age is told apart from the past.
        found = self.matcher(text, context={"conversation_language": conv.language})
        fresh = loaded.last_active is None
        if self.handoff is not None:
            held = self.handoff.held(conv, text, found, now)
            if held is not None:
                return Turn(key, now, held, conv, heard=text, new=fresh)
        if conv.opted_out:
            if found.intent != "start":
                return Turn(key, now, Reply(language=conv.language, silent=True), conv, save=False, new=fresh)
            back = (Line(_("You will get messages from us again.")), Line(_("What do you need help with?")))
            conv = replace(conv, opted_out=False)
            reply = replace(Reply(conv.language, back), restarted=conv.restarted)
            return Turn(key, now, reply, conv, heard=text, answered=True, opt_out=False, new=fresh)
        if found.intent == "stop":
            # Carriers confirm the opt-out themselves; navigator sends nothing more.
            conv = replace(conv, overflow=(), pending=None)
            return Turn(key, now, Reply(language=conv.language, silent=True), conv, opt_out=True, new=fresh)
        language = found.language_choice or found.language or conv.language
        if found.intent in _NEUTRAL_WORDS and len(text.split()) <= 1:
            # One-word keywords (STOP, MORE, 2, HELP) are shared across languages: they say nothing of it.
            language = conv.language
        before = conv
        conv = replace(conv, language=language, overflow=conv.overflow if found.intent == "more" else ())
        step, conv = self._step(conv, found, now)
        if found.crisis_hint and not step.crisis:
            # A few crisis words, too few to be sure: 911 and 988 come first all the same.
            step = replace(step, parts=(*say.safety_lines(self.hotlines), *step.parts))
        if not conv.welcomed and not step.crisis:
            # The whole welcome would push the answer behind MORE; its essentials fit in one line.
            step = replace(step, parts=(*step.parts, *say.short_welcome(self.retention_days)))
            conv = replace(conv, welcomed=True)
        reply = replace(step, language=conv.language, restarted=conv.restarted)
        notes: tuple[str, ...] = ()
        if self.handoff is not None:
            reply, notes = self.handoff.after(before, conv, reply, contact, now)
        return Turn(key, now, reply, conv, heard=text, answered=True, notes=notes, new=fresh)

    def record(self, turn: Turn, shown: str | None = None, rest: Sequence[str] = ()) -> None:
        """Store a turn in one transaction; ``shown`` is the reply as sent, ``rest`` the text kept for MORE."""
        if not turn.save and turn.opt_out is None:
            return
        key, now = turn.key, turn.now
        said = (shown if shown is not None else "\n".join(reply_lines(turn.reply))) if turn.answered else ""
        with self.store.transaction():
            if turn.opt_out is not None:
                self.store.set_opt_out(key, turn.opt_out, now)
            if turn.save:
                conv = replace(turn.conversation, restarted=False, overflow=tuple(rest) or turn.conversation.overflow)
                self.store.save(conv, now)
            if turn.heard is not None:
                self.store.log(key, "resident", turn.heard, now)
            if turn.answered:
                self.store.log(key, "navigator", said, now)
            for note in turn.notes:
                self.store.log(key, "navigator", note, now)

    def _purge_now_and_then(self, now: datetime) -> None:
        # Old message content goes without a separate job to forget to run: each worker looks once an
        # hour, and only the worker that claims the hour in the database purges.
        if self._purge_checked is not None and timedelta(0) <= now - self._purge_checked <= _PURGE_EVERY:
            return
        self._purge_checked = now
        if self.store.purge_due(now, _PURGE_EVERY):
            self.store.purge(now)

    def keep_overflow(self, key: str, texts: list[str], now: datetime | None = None) -> None:
        """Keep rendered text that did not fit, to send when the resident replies MORE."""
        now = now or datetime.now(UTC)
        conv = self.store.load(key, now)
        self.store.save(replace(conv, overflow=tuple(texts)), now)

    def _step(self, conv: Conversation, m: Match, now: datetime) -> tuple[Reply, Conversation]:
        lang = conv.language
        if m.guessed and (m.intent or (conv.needs and not conv.guessed)):
            # A guess gives way to what the message plainly says ("thanks", "yes") and to needs
            # the conversation is sure of (an answer to "Which town?" is not a new need).
            m = replace(m, needs=(), guessed=False)
        if m.crisis:
            others = tuple(code for code in m.need_codes if code != "crisis")
            conv = replace(conv, needs=others or conv.needs, guessed=conv.guessed and not others, pending=None, misses=0)
            return Reply(lang, tuple(say.crisis_lines(self.hotlines)), crisis=True, needs=m.need_codes), conv
        if m.intent == "restart":
            conv = Conversation(key=conv.key, language=lang, language_chosen=conv.language_chosen,
                                welcomed=True, safe=conv.safe)
            return Reply(lang, (Line(_("OK, let's start over. What do you need help with?")),)), conv
        if m.intent == "help":
            return Reply(lang, tuple(say.help_lines(self.retention_days, self.hotlines))), conv
        if m.intent == "person":
            return Reply(lang, tuple(say.person_lines(self.hotlines, now)), handoff_requested=True), conv
        if m.intent == "safe":
            return self._safe(conv)
        if m.intent == "more":
            return self._more(conv, now)
        if conv.pending and conv.needs and not m.needs and m.intent not in ("greeting", "thanks", "language"):
            return self._answer(conv, m, now)
        if m.intent == "number" and m.number is not None and conv.results and not m.needs:
            return self._details(conv, m.number, now)
        if m.language_choice and len(m.text.split()) <= 2:
            return self._language(conv, m.language_choice)
        if m.needs:
            conv = replace(
                conv, needs=m.need_codes, guessed=m.guessed, asked=(), pending=None, misses=0,
                municipality=m.municipality or conv.municipality,
                age=m.age if m.age is not None else conv.age, for_whom=m.for_whom or conv.for_whom,
            )
            return self.results.first(conv, now)
        if conv.needs and (m.municipality or m.age is not None) and _only_an_update(m.text):
            # A new town or age for the same needs: the results change with it.
            return self._answer(conv, m, now)
        if m.language_choice:
            return self._language(conv, m.language_choice)
        if not conv.welcomed and m.intent in (None, "greeting"):
            conv = replace(conv, welcomed=True)
            return Reply(lang, tuple(say.welcome(self.retention_days))), conv
        if m.intent == "greeting":
            return Reply(lang, (Line(_("Hi! What do you need help with? For example: food, rent or someone to talk to.")),)), conv
        if m.intent == "thanks":
            return Reply(lang, (Line(_("You're welcome. Send a message any time you need help.")),)), conv
        if m.intent in ("yes", "no", "start"):
            return Reply(lang, (Line(_("What do you need help with? Send HELP to see what I can do.")),)), conv
        conv = replace(conv, misses=conv.misses + 1)
        return Reply(lang, tuple(say.miss_lines(conv.misses, self.hotlines))), conv

    def _answer(self, conv: Conversation, m: Match, now: datetime) -> tuple[Reply, Conversation]:
        """Take the answer to the pending question (or skip it) and show the results."""
        town, age = m.municipality, m.age
        # The town question lists the towns in MUNICIPALITIES order, so "2" means Oakville.
        if conv.pending == "municipality" and town is None and m.number and 1 <= m.number <= len(MUNICIPALITIES):
            town = MUNICIPALITIES[m.number - 1]
        if conv.pending == "age" and age is None:
            digits = m.text.strip()
            age = m.number if m.number is not None else int(digits) if digits.isdigit() and len(digits) < 4 else None
        conv = replace(conv, municipality=town or conv.municipality, age=age if age is not None else conv.age,
                       pending=None, misses=0)
        return self.results.first(conv, now)

    def _language(self, conv: Conversation, choice: str) -> tuple[Reply, Conversation]:
        # The language's own name for itself: the resident may not read the previous one.
        name = own_name(choice)
        conv = replace(conv, language=choice, language_chosen=True)
        text = _("OK, I will write in %(language)s. What do you need help with?", language=name)
        return Reply(choice, (Line(text),)), conv

    def _safe(self, conv: Conversation) -> tuple[Reply, Conversation]:
        conv = replace(conv, safe=not conv.safe)
        if conv.safe:
            text = _("Discreet mode is on: I will only send names and numbers. Send SAFE again to turn it off.")
        else:
            text = _("Discreet mode is off.")
        return Reply(conv.language, (Line(text),)), conv

    def _more(self, conv: Conversation, now: datetime) -> tuple[Reply, Conversation]:
        if conv.overflow:
            parts = tuple(Line(text) for text in conv.overflow)
            return Reply(conv.language, parts), replace(conv, overflow=())
        return self.results.next_page(conv, now)

    def _details(self, conv: Conversation, number: int, now: datetime) -> tuple[Reply, Conversation]:
        shown = conv.results[: conv.page + self.results.page_size]
        if not 1 <= number <= len(shown):
            text = _("Please reply with a number from 1 to %(last)s.", last=len(shown))
            return Reply(conv.language, (Line(text),)), conv
        return self.results.details(conv, shown[number - 1], now), conv


def _only_an_update(text: str) -> bool:
    """Tell whether a message is short enough to be only a town or an age for the same needs."""
    return len(text.split()) <= _UPDATE_WORDS and len(text) <= _UPDATE_CHARS
