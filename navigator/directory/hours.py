"""Is a service open at a moment, and when does it close or next open (America/Toronto)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays

from ..models import Hours

TORONTO = ZoneInfo("America/Toronto")


class Scheduled(Protocol):
    """Anything with a service's schedule fields (``models.Service`` or a search facet)."""

    @property
    def hours(self) -> tuple[Hours, ...]: ...
    @property
    def open_24_7(self) -> bool: ...
    @property
    def closed_on_holidays(self) -> bool: ...


# Not frozen: renderers describe it with a Protocol of plain (settable) attributes.
@dataclass
class OpenStatus:
    """Open or not (None when the hours are not known), with the next change."""

    is_open: bool | None
    closes_at: datetime | None = None  # end of the current window; None when open 24/7
    opens_at: datetime | None = None  # start of the next window when closed


@lru_cache(maxsize=64)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("CA", subdiv="ON", years=year)


def is_holiday(day: date) -> bool:
    """Say whether ``day`` is an Ontario statutory holiday."""
    return day in _holidays(day.year)


def local(at: datetime) -> datetime:
    """Return ``at`` in Toronto time; a naive time is taken as already local."""
    return at.replace(tzinfo=TORONTO) if at.tzinfo is None else at.astimezone(TORONTO)


def _intervals(service: Scheduled, first: date, days: int) -> list[tuple[datetime, datetime]]:
    """List the concrete opening intervals starting on ``first`` and the days after it."""
    found = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        if service.closed_on_holidays and is_holiday(day):
            continue
        for window in service.hours:
            if window.weekday != day.isoweekday():
                continue
            start = datetime.combine(day, window.opens, tzinfo=TORONTO)
            end = datetime.combine(day, window.closes, tzinfo=TORONTO)
            if end <= start:  # runs past midnight
                end += timedelta(days=1)
            found.append((start, end))
    found.sort()
    merged: list[tuple[datetime, datetime]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def is_open(service: Scheduled, at: datetime) -> bool | None:
    """Say whether ``service`` is open at ``at``; None when its hours are not known."""
    at = local(at)
    if service.open_24_7:
        return not (service.closed_on_holidays and is_holiday(at.date()))
    if not service.hours:
        return None
    # Yesterday's window may run past midnight into today.
    return any(start <= at < end for start, end in _intervals(service, at.date() - timedelta(days=1), 2))


def open_status(service: Scheduled, at: datetime) -> OpenStatus:
    """Say whether ``service`` is open at ``at``, when it closes, or when it next opens."""
    at = local(at)
    if service.open_24_7:
        if not (service.closed_on_holidays and is_holiday(at.date())):
            return OpenStatus(True)
        day = at.date() + timedelta(days=1)
        while is_holiday(day):
            day += timedelta(days=1)
        return OpenStatus(False, opens_at=datetime.combine(day, datetime.min.time(), tzinfo=TORONTO))
    if not service.hours:
        return OpenStatus(None)
    # Two weeks ahead covers a weekly schedule even around a run of holidays.
    intervals = _intervals(service, at.date() - timedelta(days=1), 16)
    for start, end in intervals:
        if start <= at < end:
            return OpenStatus(True, closes_at=end)
        if start > at:
            return OpenStatus(False, opens_at=start)
    return OpenStatus(False)
