"""The conversation store: round trips, expiry, opt-outs, transcripts, purge, hashed keys."""
from __future__ import annotations

import json
import multiprocessing
import sqlite3
import threading
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import phonenumbers
from hypothesis import given
from hypothesis import strategies as st

from navigator.state import Conversation, SQLiteStore, number_key

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def store(tmp_path: Path, **kwargs: int) -> SQLiteStore:
    return SQLiteStore(tmp_path / "state.db", **kwargs)


def test_unknown_key_gives_a_fresh_conversation(tmp_path: Path) -> None:
    assert Conversation(key="k") == store(tmp_path).load("k", NOW)


def test_conversation_round_trips(tmp_path: Path) -> None:
    s = store(tmp_path)
    saved = Conversation(
        key="k", language="fr", language_chosen=True, welcomed=True, needs=("food", "income"),
        municipality="milton", age=34, for_whom="parent", results=("a", "b"), page=3, asked=("age",),
        pending="age", safe=True, misses=1, overflow=("rest of a reply",),
    )
    s.save(saved, NOW)
    assert Conversation(**{**saved.__dict__, "last_active": NOW}) == s.load("k", NOW + timedelta(minutes=5))


def test_conversation_expires_after_idle_minutes(tmp_path: Path) -> None:
    s = store(tmp_path, idle_minutes=30)
    s.save(Conversation(key="k", language="es", needs=("food",)), NOW)
    assert s.load("k", NOW + timedelta(minutes=30)).needs == ("food",)
    expired = s.load("k", NOW + timedelta(minutes=31))
    assert (expired.needs, expired.language, expired.restarted) == ((), "en", True)


def test_opt_out_outlives_expiry_until_start(tmp_path: Path) -> None:
    s = store(tmp_path, idle_minutes=30)
    s.set_opt_out("k", True, NOW)
    assert s.load("k", NOW + timedelta(days=90)).opted_out
    s.set_opt_out("k", False, NOW)
    assert not s.load("k", NOW).opted_out


def test_transcript_keeps_the_latest_lines_in_order(tmp_path: Path) -> None:
    s = store(tmp_path)
    for i in range(45):
        s.log("k", "resident", f"message {i}", NOW + timedelta(seconds=i))
    lines = s.transcript("k")
    assert [f"message {i}" for i in range(5, 45)] == [line.text for line in lines]
    assert s.transcript("other") == []


def test_purge_deletes_old_content_and_keeps_recent(tmp_path: Path) -> None:
    s = store(tmp_path, idle_minutes=30, retention_days=30)
    old = NOW - timedelta(days=31)
    s.log("k", "resident", "old message", old)
    s.log("k", "resident", "new message", NOW)
    s.remember_delivery("SM-old", "old reply", old)
    s.remember_delivery("SM-new", "new reply", NOW)
    s.save(Conversation(key="idle"), NOW - timedelta(hours=2))
    s.save(Conversation(key="active"), NOW)
    assert 3 == s.purge(NOW)
    assert ["new message"] == [line.text for line in s.transcript("k")]
    assert (None, "new reply") == (s.delivered("SM-old"), s.delivered("SM-new"))
    db = sqlite3.connect(tmp_path / "state.db")
    assert [("active",)] == db.execute("SELECT key FROM conversation").fetchall()


def test_delivery_keeps_the_first_reply(tmp_path: Path) -> None:
    s = store(tmp_path)
    s.remember_delivery("SM1", "first", NOW)
    s.remember_delivery("SM1", "second", NOW)
    assert "first" == s.delivered("SM1")


def test_two_stores_on_one_file_share_state_in_wal_mode(tmp_path: Path) -> None:
    # Two worker processes each hold their own store over the same file.
    one, two = store(tmp_path), store(tmp_path)
    one.save(Conversation(key="k", needs=("housing",)), NOW)
    assert ("housing",) == two.load("k", NOW).needs
    mode = sqlite3.connect(tmp_path / "state.db").execute("PRAGMA journal_mode").fetchone()[0]
    assert "wal" == mode


def test_number_key_is_an_hmac_of_the_canonical_number() -> None:
    key = number_key("secret", "+1 905-555-0123")
    assert key == number_key("secret", "(905) 555-0123")
    assert key != number_key("other secret", "+1 905-555-0123")
    assert key != number_key("secret", "+1 905-555-0124")
    assert 64 == len(key) and "9055550123" not in key


def test_a_thread_reuses_one_connection_and_another_thread_gets_its_own(tmp_path: Path) -> None:
    s = store(tmp_path)
    first = s.connection()
    assert first is s.connection()
    others: list[sqlite3.Connection] = []
    thread = threading.Thread(target=lambda: others.append(s.connection()))
    thread.start()
    thread.join()
    assert others and others[0] is not first
    assert [("wal",), (1,)] == [first.execute("PRAGMA journal_mode").fetchone(),
                                first.execute("PRAGMA synchronous").fetchone()]  # 1 is NORMAL


def test_a_conversation_row_stores_only_what_differs_from_a_new_one(tmp_path: Path) -> None:
    s = store(tmp_path)
    s.save(Conversation(key="k", needs=("food",), municipality="milton", welcomed=True), NOW)
    state = sqlite3.connect(tmp_path / "state.db").execute("SELECT state FROM conversation").fetchone()[0]
    assert {"needs": ["food"], "municipality": "milton", "welcomed": True} == json.loads(state)


def test_a_row_written_with_every_field_still_loads(tmp_path: Path) -> None:
    s = store(tmp_path)
    every = {"language": "fr", "language_chosen": False, "welcomed": True, "needs": ["food"], "municipality": None,
             "age": None, "for_whom": None, "results": ["a"], "page": 0, "asked": [], "pending": None, "safe": False,
             "misses": 0, "overflow": [], "opted_out": False, "restarted": False, "last_active": None}
    with sqlite3.connect(tmp_path / "state.db") as db:
        db.execute("INSERT INTO conversation VALUES ('k', ?, ?)", (json.dumps(every), NOW.isoformat()))
    loaded = s.load("k", NOW)
    assert (("food",), ("a",), "fr", NOW) == (loaded.needs, loaded.results, loaded.language, loaded.last_active)


def test_a_transcript_is_trimmed_per_conversation(tmp_path: Path) -> None:
    s = store(tmp_path)
    for i in range(120):
        s.log("busy", "resident", f"message {i}", NOW + timedelta(seconds=i))
    s.log("quiet", "resident", "only one", NOW)
    counts = dict(sqlite3.connect(tmp_path / "state.db").execute("SELECT key, count(*) FROM transcript GROUP BY key"))
    assert counts["busy"] <= 48 and 1 == counts["quiet"]
    assert [f"message {i}" for i in range(80, 120)] == [line.text for line in s.transcript("busy")]


def test_only_one_worker_purges_in_an_hour(tmp_path: Path) -> None:
    one, two = store(tmp_path), store(tmp_path)  # two worker processes over one file
    hour = timedelta(hours=1)
    assert one.purge_due(NOW, hour)
    assert not two.purge_due(NOW + timedelta(minutes=59), hour)
    assert two.purge_due(NOW + timedelta(minutes=61), hour)
    assert not one.purge_due(NOW + timedelta(minutes=62), hour)


@given(st.integers(min_value=2_000_000_000, max_value=9_999_999_999))
def test_a_twilio_number_needs_no_parsing_to_be_keyed(national: int) -> None:
    number = f"+1{national}"
    parsed = phonenumbers.parse(number, "CA")
    assert number_key("s", phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)) == number_key(
        "s", number)


def _count_in_turns(path: str, turns: int) -> None:
    store = SQLiteStore(path)
    for _ in range(turns):
        with store.transaction() as db:
            (n,) = db.execute("SELECT coalesce(max(CAST(at AS INTEGER)), 0) FROM housekeeping").fetchone()
            db.execute("INSERT OR REPLACE INTO housekeeping (task, at) VALUES ('count', ?)", (str(n + 1),))


def test_writers_in_several_processes_and_threads_queue_without_losing_a_turn(tmp_path: Path) -> None:
    # Each turn reads and then writes: two writers interleaving inside a turn would lose a count.
    path = str(tmp_path / "state.db")
    SQLiteStore(path)
    workers = [multiprocessing.get_context("fork").Process(target=_count_in_turns, args=(path, 150)) for _ in range(2)]
    threads = [threading.Thread(target=_count_in_turns, args=(path, 150)) for _ in range(2)]
    for w in (*workers, *threads):
        w.start()
    for w in (*workers, *threads):
        w.join(timeout=60)
    assert [0, 0] == [w.exitcode for w in workers]
    with closing(sqlite3.connect(path)) as db:
        assert ("600",) == db.execute("SELECT at FROM housekeeping WHERE task = 'count'").fetchone()
    assert (tmp_path / "state.db.writer").exists()  # the lock file writers queue on
