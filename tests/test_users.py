"""Operator accounts: hashed passwords, roles, rate-limited logins, the `navigator users` command."""
from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from navigator.cli import main
from navigator.users import (
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_USER,
    RateLimited,
    User,
    UserError,
    Users,
)

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def accounts(tmp_path: Path) -> Users:
    store = Users(tmp_path / "state.db")
    store.add("Alice", "editor", "correct horse battery", NOW)
    return store


def test_a_password_is_stored_only_as_a_scrypt_hash(accounts: Users, tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "state.db") as db:
        stored = db.execute("SELECT name, role, password_hash FROM operator_user").fetchall()
    raw = (tmp_path / "state.db").read_bytes()
    db.close()
    assert [("alice", "editor")] == [(n, r) for n, r, _ in stored]
    assert stored[0][2].startswith("scrypt:")
    assert b"correct horse battery" not in raw


def test_the_right_password_logs_in_and_a_wrong_one_does_not(accounts: Users) -> None:
    assert User("alice", "editor") == accounts.authenticate("ALICE ", "correct horse battery", "10.0.0.1", NOW)
    assert accounts.authenticate("alice", "wrong horse battery", "10.0.0.1", NOW) is None
    assert accounts.authenticate("nobody", "correct horse battery", "10.0.0.1", NOW) is None


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("alice", "operator", "another long one", "already an account"),
        ("x", "operator", "another long one", "names are 2-40"),
        ("bob smith", "operator", "another long one", "names are 2-40"),
        ("bob", "root", "another long one", "role must be one of"),
        ("bob", "operator", "short", "at least 10"),
    ],
)
def test_bad_accounts_are_refused_with_a_reason(accounts: Users, name: str, role: str, password: str,
                                                message: str) -> None:
    with pytest.raises(UserError, match=message):
        accounts.add(name, role, password, NOW)


def test_failures_per_account_are_limited_even_with_the_right_password(accounts: Users) -> None:
    for i in range(MAX_FAILURES_PER_USER):
        assert accounts.authenticate("alice", "guess", f"10.0.0.{i}", NOW) is None
    with pytest.raises(RateLimited) as limited:
        accounts.authenticate("alice", "correct horse battery", "10.9.9.9", NOW + timedelta(minutes=1))
    assert timedelta(minutes=13) < limited.value.retry_after <= timedelta(minutes=14)
    # The window passes and the account opens again.
    later = NOW + timedelta(minutes=16)
    assert User("alice", "editor") == accounts.authenticate("alice", "correct horse battery", "10.9.9.9", later)


def test_failures_per_address_are_limited_across_accounts(accounts: Users) -> None:
    for i in range(MAX_FAILURES_PER_ADDRESS):
        accounts.authenticate(f"user{i}", "guess", "192.0.2.7", NOW)
    with pytest.raises(RateLimited):
        accounts.authenticate("alice", "correct horse battery", "192.0.2.7", NOW)
    assert accounts.authenticate("alice", "correct horse battery", "192.0.2.8", NOW) is not None


def test_only_editors_and_admins_can_edit() -> None:
    assert [False, True, True] == [User("u", r).can_edit for r in ("operator", "editor", "admin")]


def test_users_add_prompts_for_the_password_twice_and_never_echoes_it(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    result = CliRunner().invoke(main, ["users", "add", "carol", "--role", "operator", "--state-db", str(db)],
                                input="s3cret-enough\ns3cret-enough\n")
    assert 0 == result.exit_code, result.output
    assert "Added carol (operator)." in result.output
    assert "s3cret-enough" not in result.output
    assert User("carol", "operator") == Users(db).authenticate("carol", "s3cret-enough", "-")
    listed = CliRunner().invoke(main, ["users", "list", "--state-db", str(db)])
    assert "carol\toperator\n" == listed.output


def test_users_add_reports_a_taken_name_cleanly(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    Users(db).add("carol", "admin", "s3cret-enough")
    result = CliRunner().invoke(main, ["users", "add", "carol", "--role", "operator", "--state-db", str(db)],
                                input="s3cret-enough\ns3cret-enough\n")
    assert 1 == result.exit_code
    assert "Error: there is already an account called 'carol'" in result.output
