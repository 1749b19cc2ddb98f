"""Live handoff: conversations waiting for a person, in the state database.

A conversation enters the queue when the resident asks for a person or
navigator fails to understand twice, during staffed hours.  An operator takes
it (one UPDATE guarded by its status, so two operators can never both take
it), replies, and releases it back to navigator.  Operator replies wait here
until the channel delivers them (the web chat polls; SMS is sent at once).
The resident's number, needed to text SMS replies, is kept only while the
handoff is open.  No Flask here.
"""
from __future__ import annotations

import json
import sqlite3
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .directory.hours import is_open
from .directory.parse import parse_hours
from .models import Hours
from .state import Connections

DEFAULT_WAIT = timedelta(minutes=5)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS handoff (
    id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, channel TEXT NOT NULL, reason TEXT NOT NULL,
    status TEXT NOT NULL, language TEXT NOT NULL, understood TEXT NOT NULL, contact TEXT,
    queued_at TEXT NOT NULL, taken_by TEXT, taken_at TEXT, closed_at TEXT);
CREATE INDEX IF NOT EXISTS handoff_status ON handoff(status, queued_at);
CREATE TABLE IF NOT EXISTS handoff_message (
    id INTEGER PRIMARY KEY, handoff_id INTEGER NOT NULL, at TEXT NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS handoff_message_handoff ON handoff_message(handoff_id, id);
"""
_COLUMNS = "id, key, channel, reason, status, language, understood, contact, queued_at, taken_by, taken_at"


@dataclass(frozen=True)
class Handoff:
    """One conversation handed to people: waiting ("queued"), being answered ("taken") or "closed"."""

    id: int
    key: str
    channel: str  # "web" or "sms"
    reason: str  # "asked for a person" or "not understood twice"
    status: str
    language: str
    understood: dict[str, Any]
    contact: str | None
    queued_at: datetime
    taken_by: str | None = None
    taken_at: datetime | None = None


@dataclass(frozen=True)
class Message:
    id: int
    at: datetime
    author: str
    text: str


@dataclass(frozen=True)
class _Schedule:
    hours: tuple[Hours, ...]
    open_24_7: bool
    closed_on_holidays: bool


def staffed(spec: str, now: datetime) -> bool:
    """Tell whether ``now`` falls in the staffed hours, e.g. ``Mon-Fri 09:00-17:00``."""
    parsed = parse_hours(spec)
    return bool(is_open(_Schedule(parsed.windows, parsed.open_24_7, parsed.closed_on_holidays), now))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _when(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _handoff(row: tuple[Any, ...]) -> Handoff:
    return Handoff(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]), row[7],
                   datetime.fromisoformat(row[8]), row[9], _when(row[10]))


class Queue:
    """The handoff queue of one state database."""

    def __init__(self, path: str | Path, connection: Callable[[], sqlite3.Connection] | None = None) -> None:
        self.path = str(path)
        # The state store's connections when given: one connection per thread, and a write here joins
        # the turn's transaction when one is open.  Every write is one statement, atomic on its own.
        self._connection = connection or Connections(self.path)
        self._connection().executescript(_SCHEMA)

    def enqueue(self, key: str, channel: str, reason: str, language: str, understood: dict[str, Any],
                contact: str | None, now: datetime) -> Handoff:
        """Put the conversation in the queue (again, if an earlier handoff was closed)."""
        db = self._connection()
        db.execute(
            "INSERT INTO handoff (key, channel, reason, status, language, understood, contact, queued_at)"
            " VALUES (?, ?, ?, 'queued', ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET"
            " channel = excluded.channel, reason = excluded.reason, status = 'queued',"
            " language = excluded.language, understood = excluded.understood, contact = excluded.contact,"
            " queued_at = excluded.queued_at, taken_by = NULL, taken_at = NULL, closed_at = NULL"
            " WHERE handoff.status = 'closed'",
            (key, channel, reason, language, json.dumps(understood), contact, _iso(now)),
        )
        found = self.by_key(key)
        assert found is not None
        return found

    def by_key(self, key: str) -> Handoff | None:
        """Return the conversation's handoff, whatever its status."""
        db = self._connection()
        row = db.execute(f"SELECT {_COLUMNS} FROM handoff WHERE key = ?", (key,)).fetchone()
        return None if row is None else _handoff(row)

    def get(self, handoff_id: int) -> Handoff | None:
        """Return one handoff by id."""
        db = self._connection()
        row = db.execute(f"SELECT {_COLUMNS} FROM handoff WHERE id = ?", (handoff_id,)).fetchone()
        return None if row is None else _handoff(row)

    def active(self, key: str) -> Handoff | None:
        """Return the conversation's handoff while it is queued or taken."""
        found = self.by_key(key)
        return found if found is not None and found.status != "closed" else None

    def open(self) -> list[Handoff]:
        """List queued and taken handoffs, longest waiting first."""
        db = self._connection()
        rows = db.execute(f"SELECT {_COLUMNS} FROM handoff WHERE status != 'closed' ORDER BY queued_at, id")
        return [_handoff(row) for row in rows]

    def take(self, handoff_id: int, operator: str, now: datetime) -> bool:
        """Take a queued conversation; False when someone else took it first."""
        db = self._connection()
        changed = db.execute(
            "UPDATE handoff SET status = 'taken', taken_by = ?, taken_at = ? WHERE id = ? AND status = 'queued'",
            (operator, _iso(now), handoff_id),
        ).rowcount
        return changed == 1

    def release(self, handoff_id: int, operator: str, now: datetime) -> bool:
        """Hand the conversation back to navigator; only the operator who took it can."""
        db = self._connection()
        changed = db.execute(
            "UPDATE handoff SET status = 'closed', closed_at = ?, contact = NULL"
            " WHERE id = ? AND status = 'taken' AND taken_by = ?",
            (_iso(now), handoff_id, operator),
        ).rowcount
        return changed == 1

    def close(self, key: str, now: datetime) -> None:
        """Close the conversation's handoff whatever its state (the resident left or opted out)."""
        db = self._connection()
        db.execute("UPDATE handoff SET status = 'closed', closed_at = ?, contact = NULL"
                   " WHERE key = ? AND status != 'closed'", (_iso(now), key))

    def add_message(self, handoff_id: int, author: str, text: str, now: datetime) -> Message:
        """Keep an operator's reply for the channel to deliver."""
        db = self._connection()
        cursor = db.execute("INSERT INTO handoff_message (handoff_id, at, author, text) VALUES (?, ?, ?, ?)",
                            (handoff_id, _iso(now), author, text))
        assert cursor.lastrowid is not None
        return Message(cursor.lastrowid, now, author, text)

    def messages(self, handoff_id: int, after: int = 0) -> list[Message]:
        """Return the operator replies after message id ``after``, oldest first."""
        db = self._connection()
        rows = db.execute("SELECT id, at, author, text FROM handoff_message WHERE handoff_id = ? AND id > ?"
                          " ORDER BY id", (handoff_id, after)).fetchall()
        return [Message(r[0], datetime.fromisoformat(r[1]), r[2], r[3]) for r in rows]

    def expected_wait(self, handoff_id: int, now: datetime) -> timedelta:
        """Estimate the wait: the median recent wait to be taken, times the place in the queue."""
        db = self._connection()
        rows = db.execute("SELECT queued_at, taken_at FROM handoff WHERE taken_at IS NOT NULL AND taken_at >= ?"
                          " ORDER BY taken_at DESC LIMIT 20", (_iso(now - timedelta(days=7)),)).fetchall()
        place = db.execute("SELECT count(*) FROM handoff WHERE status = 'queued' AND id <= ?",
                           (handoff_id,)).fetchone()[0]
        waits = [(datetime.fromisoformat(t) - datetime.fromisoformat(q)).total_seconds() for q, t in rows]
        typical = timedelta(seconds=statistics.median(waits)) if waits else DEFAULT_WAIT
        return max(timedelta(minutes=1), typical) * max(1, int(place))
