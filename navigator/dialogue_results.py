"""Results for the conversation's needs: search, one clarifying question, pages, details."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .dialogue_reply import Card, Details, Line, Part, Reply
from .i18n import Msg, _
from .models import MUNICIPALITIES, Service
from .render.text import open_line
from .state import Conversation

if TYPE_CHECKING:
    from .dialogue import Directory

PAGE_SIZE = 3
KEPT_RESULTS = 9  # three pages; after that 211 knows more than a list does
# Ages that fall in different eligibility bands (child, teen, young adult, adult, senior).
_SAMPLE_AGES = (8, 15, 20, 40, 70)
TOWN_QUESTION = _("Which town are you in? Burlington, Oakville, Milton or Halton Hills?")
FEW_RESULTS = _("You can call or text 2-1-1 for more help.")


class Results:
    """Find, page and describe services for a conversation."""

    page_size = PAGE_SIZE

    def __init__(self, directory: Directory, open_status: Callable[[Service, datetime], Any]) -> None:
        self.directory = directory
        self.open_status = open_status

    def _search(self, conv: Conversation, municipality: str | None, age: int | None) -> list[str]:
        hits = self.directory.search(needs=conv.needs, municipality=municipality, age=age, limit=KEPT_RESULTS)
        return [hit.service.id for hit in hits]

    def question(self, conv: Conversation) -> str | None:
        """Return the one question worth asking (town or age), or None when the answer would not matter."""
        if conv.asked or "crisis" in conv.needs:
            return None
        top = set(self._search(conv, conv.municipality, conv.age)[:PAGE_SIZE])
        if conv.municipality is None:
            for town in MUNICIPALITIES:
                if set(self._search(conv, town, conv.age)[:PAGE_SIZE]) != top:
                    return "municipality"
        if conv.age is None:
            for age in _SAMPLE_AGES:
                if set(self._search(conv, conv.municipality, age)[:PAGE_SIZE]) != top:
                    return "age"
        return None

    def first(self, conv: Conversation, now: datetime) -> tuple[Reply, Conversation]:
        """Answer new needs with the first page of results, or with one clarifying question."""
        asked = self.question(conv)
        if asked is not None:
            conv = replace(conv, pending=asked, asked=(*conv.asked, asked))
            return Reply(conv.language, (Line(_question(asked, conv.for_whom)),), needs=conv.needs), conv
        ids = tuple(self._search(conv, conv.municipality, conv.age))
        conv = replace(conv, results=ids, page=0, pending=None)
        if not ids:
            text = _("I did not find a service for that in Halton. You can call or text 2-1-1 for more help.")
            return Reply(conv.language, (Line(text),), needs=conv.needs), conv
        return self._page(conv, 0, now), conv

    def next_page(self, conv: Conversation, now: datetime) -> tuple[Reply, Conversation]:
        """Show the next page of the last results."""
        start = conv.page + PAGE_SIZE
        if not conv.results or start >= len(conv.results):
            text = _("There are no more results. Tell me about something else, or send HELP.")
            return Reply(conv.language, (Line(text),), needs=conv.needs), conv
        conv = replace(conv, page=start)
        return self._page(conv, start, now), conv

    def _page(self, conv: Conversation, start: int, now: datetime) -> Reply:
        services = [s for s in (self.directory.get(i) for i in conv.results[start : start + PAGE_SIZE]) if s]
        parts: list[Part] = [Line(self._header(conv))]
        for offset, service in enumerate(services):
            status = self.open_status(service, now)
            parts.append(Card(start + offset + 1, service, open_line(service, status, now), conv.safe))
        first, last = start + 1, start + len(services)
        more = start + PAGE_SIZE < len(conv.results)
        if len(conv.results) < PAGE_SIZE:
            # A short list is all the directory has here: 211 knows programs it does not.
            parts.append(Line(FEW_RESULTS))
        parts.append(Line(_footer(first, last, more)))
        quick = tuple(Msg(str(n)) for n in range(first, last + 1)) + ((_("MORE"),) if more else ())
        return Reply(conv.language, tuple(parts), quick_replies=quick, needs=conv.needs, services=tuple(services))

    @staticmethod
    def _header(conv: Conversation) -> Msg:
        if conv.safe:
            return _("Here are some numbers you can call:")
        if conv.guessed:
            return _("I am not sure I understood. These services may help:")
        if conv.for_whom == "child":
            return _("Here are services that can help you and your child:")
        if conv.for_whom not in (None, "self"):
            return _("Here are services you can pass on to them:")
        return _("Here are services that can help:")

    def details(self, conv: Conversation, service_id: str, now: datetime) -> Reply:
        """Describe one result: address, hours, who it is for, languages, cost, website."""
        service = self.directory.get(service_id)
        if service is None:
            return Reply(conv.language, (Line(_("Sorry, that service is no longer listed.")),))
        status = open_line(service, self.open_status(service, now), now)
        footer = _("Reply MORE for more results, or tell me about something else.")
        parts: tuple[Part, ...] = (Details(service, status, conv.safe), Line(footer))
        return Reply(conv.language, parts, needs=conv.needs, services=(service,))


def _question(asked: str, for_whom: str | None) -> Msg:
    if asked == "municipality":
        return TOWN_QUESTION
    if for_whom in (None, "self"):
        return _("How old are you?")
    return _("How old is the person who needs help?")


def _footer(first: int, last: int, more: bool) -> Msg:
    if first == last:
        if more:
            return _("Reply %(first)s for details, MORE for more, or tell me about something else.", first=first)
        return _("Reply %(first)s for details, or tell me about something else.", first=first)
    if more:
        return _("Reply %(first)s-%(last)s for details, MORE for more, or tell me about something else.",
                 first=first, last=last)
    return _("Reply %(first)s-%(last)s for details, or tell me about something else.", first=first, last=last)
