"""Operator-console accounts and login attempts, in the app's state database.

Passwords are kept only as werkzeug scrypt hashes.  Logins are rate-limited
per account and per address from the attempts recorded here, so the limit
holds across worker processes and restarts.  No Flask in this module.
"""
from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

ROLES = ("operator", "editor", "admin")
MIN_PASSWORD = 10
WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS operator_user (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS login_attempt (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, address TEXT NOT NULL, at TEXT NOT NULL, ok INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS login_attempt_name ON login_attempt(name, at);
CREATE INDEX IF NOT EXISTS login_attempt_address ON login_attempt(address, at);
"""
# Checked against when the account does not exist, so an unknown name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password of anyone", method="scrypt")


class UserError(ValueError):
    """An account that cannot be created or changed as asked."""


class RateLimited(Exception):
    """Too many failed logins for this account or address; try again after ``retry_after``."""

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__("too many failed logins; try again later")
        self.retry_after = retry_after


@dataclass(frozen=True)
class User:
    name: str
    role: str

    @property
    def can_edit(self) -> bool:
        """Tell whether this user may change directory records."""
        return self.role in ("editor", "admin")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def normalise_name(name: str) -> str:
    """Return the account name as stored: trimmed, lower case."""
    return name.strip().lower()


class Users:
    """The accounts of one state database."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        with self._db() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10, isolation_level=None)) as db:
            db.execute("PRAGMA busy_timeout=10000")
            yield db

    def add(self, name: str, role: str, password: str, now: datetime | None = None) -> User:
        """Create an account; raise UserError for a taken or malformed name, role or password."""
        name = normalise_name(name)
        if not _NAME.match(name):
            raise UserError("names are 2-40 characters: lower-case letters, digits, '.', '_' or '-'")
        if role not in ROLES:
            raise UserError(f"role must be one of: {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD:
            raise UserError(f"passwords need at least {MIN_PASSWORD} characters")
        hashed = generate_password_hash(password, method="scrypt")
        with self._db() as db:
            try:
                db.execute("INSERT INTO operator_user (name, role, password_hash, created) VALUES (?, ?, ?, ?)",
                           (name, role, hashed, _iso(now or datetime.now(UTC))))
            except sqlite3.IntegrityError:
                raise UserError(f"there is already an account called {name!r}") from None
        return User(name, role)

    def get(self, name: str) -> User | None:
        """Return the account called ``name``, or None."""
        with self._db() as db:
            row = db.execute("SELECT name, role FROM operator_user WHERE name = ?", (normalise_name(name),)).fetchone()
        return None if row is None else User(row[0], row[1])

    def all(self) -> list[User]:
        """List every account by name."""
        with self._db() as db:
            return [User(n, r) for n, r in db.execute("SELECT name, role FROM operator_user ORDER BY name")]

    def _failures(self, db: sqlite3.Connection, column: str, value: str, since: datetime) -> tuple[int, str | None]:
        row = db.execute(
            f"SELECT count(*), min(at) FROM login_attempt WHERE {column} = ? AND at >= ? AND ok = 0",
            (value, _iso(since)),
        ).fetchone()
        return int(row[0]), row[1]

    def authenticate(self, name: str, password: str, address: str, now: datetime | None = None) -> User | None:
        """Return the user when the password is right; raise RateLimited after too many failures."""
        now = now or datetime.now(UTC)
        name = normalise_name(name)[:80]
        with self._db() as db:
            for column, value, limit in (("name", name, MAX_FAILURES_PER_USER),
                                         ("address", address, MAX_FAILURES_PER_ADDRESS)):
                count, first = self._failures(db, column, value, now - WINDOW)
                if count >= limit and first is not None:
                    raise RateLimited(datetime.fromisoformat(first) + WINDOW - now)
            row = db.execute("SELECT role, password_hash FROM operator_user WHERE name = ?", (name,)).fetchone()
            ok = check_password_hash(row[1] if row else _DUMMY_HASH, password) and row is not None
            db.execute("INSERT INTO login_attempt (name, address, at, ok) VALUES (?, ?, ?, ?)",
                       (name, address, _iso(now), int(ok)))
            # Attempts older than the window decide nothing, so they need not be kept.
            db.execute("DELETE FROM login_attempt WHERE at < ?", (_iso(now - 2 * WINDOW),))
        return User(name, row[0]) if ok and row else None
