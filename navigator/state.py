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

import fcntl
import hashlib
import hmac
import json
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import phonenumbers

# A North American number as Twilio sends it is already canonical (E.164): no parsing needed.
_NANP_E164 = re.compile(r"\+1[2-9]\d{2}[2-9]\d{6}")


def number_key(secret: str, number: str) -> str:
    """Return the conversation key for a phone number: HMAC-SHA256, hex."""
    return hmac.new(secret.encode(), _canonical(number).encode(), hashlib.sha256).hexdigest()


def _canonical(number: str) -> str:
    if _NANP_E164.fullmatch(number):
        return number
    try:
        return str(phonenumbers.format_number(phonenumbers.parse(number, "CA"), phonenumbers.PhoneNumberFormat.E164))
    except phonenumbers.NumberParseException:
        return "".join(number.split())


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
    guessed: bool = False  # the needs are a guess from weak evidence
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

    def purge_due(self, now: datetime, every: timedelta) -> bool: ...

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
CREATE TABLE IF NOT EXISTS housekeeping (task TEXT PRIMARY KEY, at TEXT NOT NULL);
"""
_TRANSCRIPT_LINES = 40  # enough for an operator to follow; older lines are dropped
# What a conversation row stores: the fields that differ from a new conversation's.  The key is
# the row's own, last_active its column, opt-outs their table; restarted belongs to one message.
_NOT_STORED = frozenset({"key", "last_active", "restarted", "opted_out"})
_STORED = tuple(f for f in fields(Conversation) if f.name not in _NOT_STORED)
_TUPLES = frozenset(f.name for f in _STORED if f.default == ())


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _state(conversation: Conversation) -> str:
    data = {f.name: getattr(conversation, f.name) for f in _STORED if getattr(conversation, f.name) != f.default}
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


class Connections:
    """One SQLite connection per thread and per process to one file, opened once with navigator's pragmas.

    Each connection comes with its own handle on a lock file beside the database: writers
    queue on it (``transaction``) and the kernel wakes the next one as soon as the lock is
    free, where SQLite's own busy handler would sleep for 1, 2, 5, 10... ms between tries.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._local = threading.local()

    def __call__(self) -> sqlite3.Connection:
        """Return this thread's connection, opening it on first use."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        # A connection must not cross a fork: a worker process opens its own.
        if conn is None or self._local.pid != os.getpid():
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, factory=_Connection)
            conn.open_writer_lock(self.path)
            conn.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
            # In WAL mode NORMAL syncs at checkpoints only: a power cut may lose the last turns, never corrupt.
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute("PRAGMA journal_size_limit=67108864")  # the WAL file shrinks back after checkpoints
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn


class _Connection(sqlite3.Connection):
    """A connection with its own handle on the writers' lock file (its own open file description,
    so that threads exclude each other as processes do); the handle closes with the connection."""

    writer_lock = -1

    def open_writer_lock(self, path: str) -> None:
        if path not in ("", ":memory:") and not path.startswith("file:"):
            self.writer_lock = os.open(path + ".writer", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def close(self) -> None:
        super().close()
        if self.writer_lock >= 0:
            os.close(self.writer_lock)
            self.writer_lock = -1

    def __del__(self) -> None:
        if self.writer_lock >= 0:
            os.close(self.writer_lock)


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Group writes into one commit (one lock, one WAL append); join the transaction already open."""
    if db.in_transaction:
        yield db
        return
    lock = getattr(db, "writer_lock", -1)
    if lock >= 0:
        fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    finally:
        if lock >= 0:
            fcntl.flock(lock, fcntl.LOCK_UN)


class SQLiteStore:
    """The default store: one SQLite file in WAL mode, shared by worker processes."""

    def __init__(self, path: str | Path, idle_minutes: int = 30, retention_days: int = 30) -> None:
        self.path = str(path)
        self.idle = timedelta(minutes=idle_minutes)
        self.retention = timedelta(days=retention_days)
        # Public so that the handoff queue, in the same file, shares the connection and its transactions.
        self.connection = Connections(self.path)
        self.connection().executescript(_SCHEMA)

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """Group several writes into one commit (one lock, one WAL commit)."""
        return transaction(self.connection())

    def load(self, key: str, now: datetime) -> Conversation:
        """Return the resident's conversation, a fresh one if none or expired."""
        opted_out, state, last_active = self.connection().execute(
            "SELECT o.key IS NOT NULL, c.state, c.last_active FROM (SELECT ? AS key) AS q"
            " LEFT JOIN conversation AS c ON c.key = q.key LEFT JOIN opt_out AS o ON o.key = q.key",
            (key,),
        ).fetchone()
        if state is None:
            return Conversation(key=key, opted_out=bool(opted_out))
        last = datetime.fromisoformat(last_active)
        if now - last > self.idle:
            return Conversation(key=key, opted_out=bool(opted_out), restarted=True)
        data = json.loads(state)
        for name in _TUPLES.intersection(data):
            data[name] = tuple(data[name])
        for name in _NOT_STORED.intersection(data):
            del data[name]  # rows written when every field was stored
        return Conversation(**data, key=key, opted_out=bool(opted_out), last_active=last)

    def save(self, conversation: Conversation, now: datetime) -> None:
        """Store the conversation as of ``now``."""
        self.connection().execute(
            "INSERT INTO conversation (key, state, last_active) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET state = excluded.state, last_active = excluded.last_active",
            (conversation.key, _state(conversation), _iso(now)),
        )

    def set_opt_out(self, key: str, opted_out: bool, now: datetime) -> None:
        """Record STOP (``True``) or START (``False``) for this key."""
        if opted_out:
            self.connection().execute("INSERT OR REPLACE INTO opt_out (key, at) VALUES (?, ?)", (key, _iso(now)))
        else:
            self.connection().execute("DELETE FROM opt_out WHERE key = ?", (key,))

    def is_opted_out(self, key: str) -> bool:
        """Tell whether this key sent STOP and not START since."""
        return self.connection().execute("SELECT 1 FROM opt_out WHERE key = ?", (key,)).fetchone() is not None

    def log(self, key: str, role: str, text: str, now: datetime) -> None:
        """Add a line to the conversation's short transcript."""
        db = self.connection()
        row = db.execute("INSERT INTO transcript (key, at, role, text) VALUES (?, ?, ?, ?)",
                         (key, _iso(now), role, text)).lastrowid
        if row is not None and row % 8 == 0:
            # Trimming this conversation now and then keeps it near its limit for a fraction of the cost.
            db.execute("DELETE FROM transcript WHERE key = ?1 AND id <= (SELECT id FROM transcript WHERE key = ?1"
                       " ORDER BY id DESC LIMIT 1 OFFSET ?2)", (key, _TRANSCRIPT_LINES))

    def transcript(self, key: str) -> list[TranscriptLine]:
        """Return the kept transcript lines (the latest ones), oldest first."""
        rows = self.connection().execute(
            "SELECT at, role, text FROM (SELECT id, at, role, text FROM transcript WHERE key = ? "
            "ORDER BY id DESC LIMIT ?) ORDER BY id", (key, _TRANSCRIPT_LINES))
        return [TranscriptLine(datetime.fromisoformat(at), role, text) for at, role, text in rows]

    def delivered(self, sid: str) -> str | None:
        """Return the reply already given to message ``sid``, if any."""
        row = self.connection().execute("SELECT reply FROM delivery WHERE sid = ?", (sid,)).fetchone()
        return None if row is None else str(row[0])

    def remember_delivery(self, sid: str, reply: str, now: datetime) -> None:
        """Keep the reply to message ``sid`` so a repeated delivery gets the same answer."""
        self.connection().execute("INSERT OR IGNORE INTO delivery (sid, reply, at) VALUES (?, ?, ?)",
                                  (sid, reply, _iso(now)))

    def purge_due(self, now: datetime, every: timedelta) -> bool:
        """Claim the purge when none ran in the last ``every``: one worker of all purges, the others go on."""
        claimed = self.connection().execute(
            "INSERT INTO housekeeping (task, at) VALUES ('purge', ?1) ON CONFLICT(task) DO UPDATE"
            " SET at = excluded.at WHERE housekeeping.at <= ?2 OR housekeeping.at > ?1",
            (_iso(now), _iso(now - every)),
        ).rowcount
        return claimed == 1

    def purge(self, now: datetime) -> int:
        """Delete message content older than the retention period; return rows deleted."""
        cutoff = _iso(now - self.retention)
        idle_cutoff = _iso(now - self.idle)
        with self.transaction() as db:
            deleted = db.execute("DELETE FROM transcript WHERE at < ?", (cutoff,)).rowcount
            deleted += db.execute("DELETE FROM delivery WHERE at < ?", (cutoff,)).rowcount
            # An expired conversation is never resumed, so nothing of it needs keeping.
            deleted += db.execute("DELETE FROM conversation WHERE last_active < ?", (idle_cutoff,)).rowcount
        return deleted
