"""Conversation state behind a small interface, with a SQLite default.

What is kept, and for how long: a conversation is keyed by an HMAC of the
resident's number (never the number itself) and holds only what the next step
needs (language, need codes, town, age, result ids, flags).  It starts over
after ``idle_minutes`` of silence.  A short transcript and the replies to
recent deliveries are message content: ``purge()`` deletes them after
``retention_days``.  Opt-outs (STOP) are kept, as the hashed key alone, so
they are honoured until the resident texts START.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import phonenumbers


def number_key(secret: str, number: str) -> str:
    """Return the conversation key for a phone number: HMAC-SHA256, hex."""
    try:
        parsed = phonenumbers.parse(number, "CA")
        canonical = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        canonical = "".join(number.split())
    return hmac.new(secret.encode(), canonical.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Conversation:
    """Everything the dialogue remembers between two messages of one resident."""

    key: str
    language: str = "en"
    language_chosen: bool = False  # an explicit choice is not undone by language detection
    welcomed: bool = False
    needs: tuple[str, ...] = ()
    municipality: str | None = None
    age: int | None = None
    for_whom: str | None = None
    results: tuple[str, ...] = ()  # service ids, best first
    page: int = 0  # index of the first result shown last
    asked: tuple[str, ...] = ()  # clarifying questions already asked for these needs
    pending: str | None = None  # the question waiting for an answer
    safe: bool = False
    misses: int = 0
    overflow: tuple[str, ...] = ()  # rendered text a channel kept behind MORE
    opted_out: bool = False
    restarted: bool = False  # this message arrived after the conversation had expired
    last_active: datetime | None = None


@dataclass(frozen=True)
class TranscriptLine:
    at: datetime
    role: str  # "resident" or "navigator"
    text: str


class StateStore(Protocol):
    """Where conversations, opt-outs, transcripts and delivered replies live."""

    def load(self, key: str, now: datetime) -> Conversation: ...

    def save(self, conversation: Conversation, now: datetime) -> None: ...

    def set_opt_out(self, key: str, opted_out: bool, now: datetime) -> None: ...

    def is_opted_out(self, key: str) -> bool: ...

    def log(self, key: str, role: str, text: str, now: datetime) -> None: ...

    def transcript(self, key: str) -> list[TranscriptLine]: ...

    def delivered(self, sid: str) -> str | None: ...

    def remember_delivery(self, sid: str, reply: str, now: datetime) -> None: ...

    def purge(self, now: datetime) -> int: ...

    def transaction(self) -> AbstractContextManager[object]: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversation (key TEXT PRIMARY KEY, state TEXT NOT NULL, last_active TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS opt_out (key TEXT PRIMARY KEY, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS transcript (
    id INTEGER PRIMARY KEY, key TEXT NOT NULL, at TEXT NOT NULL, role TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS transcript_key ON transcript(key, at);
CREATE INDEX IF NOT EXISTS transcript_at ON transcript(at);
CREATE TABLE IF NOT EXISTS delivery (sid TEXT PRIMARY KEY, reply TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS delivery_at ON delivery(at);
"""
_TRANSCRIPT_LINES = 40  # enough for an operator to follow; older lines are dropped


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class SQLiteStore:
    """The default store: one SQLite file in WAL mode, shared by worker processes."""

    def __init__(self, path: str | Path, idle_minutes: int = 30, retention_days: int = 30) -> None:
        self.path = str(path)
        self.idle = timedelta(minutes=idle_minutes)
        self.retention = timedelta(days=retention_days)
        self._local = threading.local()
        with self._db() as db:
            db.executescript(_SCHEMA)

    def _db(self) -> sqlite3.Connection:
        # One connection per thread and per process: a connection must not cross a fork.
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=10000")
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Group several writes into one commit (one lock, one WAL commit)."""
        db = self._db()
        if db.in_transaction:
            yield db
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def load(self, key: str, now: datetime) -> Conversation:
        """Return the resident's conversation, a fresh one if none or expired."""
        db = self._db()
        opted_out = self.is_opted_out(key)
        row = db.execute("SELECT state, last_active FROM conversation WHERE key = ?", (key,)).fetchone()
        if row is None:
            return Conversation(key=key, opted_out=opted_out)
        last = datetime.fromisoformat(row[1])
        if now - last > self.idle:
            return Conversation(key=key, opted_out=opted_out, restarted=True)
        data = json.loads(row[0])
        for name in ("needs", "results", "asked", "overflow"):
            data[name] = tuple(data.get(name, ()))
        data.pop("last_active", None)
        data.pop("restarted", None)
        data["opted_out"] = opted_out
        return Conversation(**{**data, "key": key, "last_active": last})

    def save(self, conversation: Conversation, now: datetime) -> None:
        """Store the conversation as of ``now``."""
        data = asdict(replace(conversation, last_active=None, restarted=False, opted_out=False))
        for name in ("key", "last_active", "restarted", "opted_out"):
            data.pop(name)
        self._db().execute(
            "INSERT INTO conversation (key, state, last_active) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET state = excluded.state, last_active = excluded.last_active",
            (conversation.key, json.dumps(data, separators=(",", ":")), _iso(now)),
        )

    def set_opt_out(self, key: str, opted_out: bool, now: datetime) -> None:
        """Record STOP (``True``) or START (``False``) for this key."""
        if opted_out:
            self._db().execute("INSERT OR REPLACE INTO opt_out (key, at) VALUES (?, ?)", (key, _iso(now)))
        else:
            self._db().execute("DELETE FROM opt_out WHERE key = ?", (key,))

    def is_opted_out(self, key: str) -> bool:
        """Tell whether this key sent STOP and not START since."""
        return self._db().execute("SELECT 1 FROM opt_out WHERE key = ?", (key,)).fetchone() is not None

    def log(self, key: str, role: str, text: str, now: datetime) -> None:
        """Add a line to the conversation's short transcript."""
        db = self._db()
        row = db.execute("INSERT INTO transcript (key, at, role, text) VALUES (?, ?, ?, ?)",
                         (key, _iso(now), role, text)).lastrowid
        if row is not None and row % 8 == 0:
            # Trimming now and then keeps each conversation near its limit for a fraction of the cost.
            self._trim(db)

    @staticmethod
    def _trim(db: sqlite3.Connection) -> None:
        db.execute(
            "DELETE FROM transcript WHERE id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER "
            "(PARTITION BY key ORDER BY id DESC) AS age FROM transcript) WHERE age > ?)",
            (_TRANSCRIPT_LINES,),
        )

    def transcript(self, key: str) -> list[TranscriptLine]:
        """Return the kept transcript lines (the latest ones), oldest first."""
        rows = self._db().execute(
            "SELECT at, role, text FROM (SELECT id, at, role, text FROM transcript WHERE key = ? "
            "ORDER BY id DESC LIMIT ?) ORDER BY id", (key, _TRANSCRIPT_LINES))
        return [TranscriptLine(datetime.fromisoformat(at), role, text) for at, role, text in rows]

    def delivered(self, sid: str) -> str | None:
        """Return the reply already given to message ``sid``, if any."""
        row = self._db().execute("SELECT reply FROM delivery WHERE sid = ?", (sid,)).fetchone()
        return None if row is None else str(row[0])

    def remember_delivery(self, sid: str, reply: str, now: datetime) -> None:
        """Keep the reply to message ``sid`` so a repeated delivery gets the same answer."""
        self._db().execute("INSERT OR IGNORE INTO delivery (sid, reply, at) VALUES (?, ?, ?)", (sid, reply, _iso(now)))

    def purge(self, now: datetime) -> int:
        """Delete message content older than the retention period; return rows deleted."""
        cutoff = _iso(now - self.retention)
        idle_cutoff = _iso(now - self.idle)
        db = self._db()
        deleted = db.execute("DELETE FROM transcript WHERE at < ?", (cutoff,)).rowcount
        deleted += db.execute("DELETE FROM delivery WHERE at < ?", (cutoff,)).rowcount
        # An expired conversation is never resumed, so nothing of it needs keeping.
        deleted += db.execute("DELETE FROM conversation WHERE last_active < ?", (idle_cutoff,)).rowcount
        return deleted
