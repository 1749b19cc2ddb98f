"""The handoff queue: enqueue, atomic take, replies, release, expected wait, staffed hours."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from navigator.handoff import DEFAULT_WAIT, Queue, staffed
from navigator.state import Conversation, SQLiteStore

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # a Monday, 10:00 in Toronto


@pytest.fixture
def queue(tmp_path: Path) -> Queue:
    return Queue(tmp_path / "state.db")


def test_a_conversation_is_queued_once_and_again_after_it_closed(queue: Queue) -> None:
    first = queue.enqueue("web:a", "web", "asked for a person", "fr", {"needs": ["food"]}, None, NOW)
    again = queue.enqueue("web:a", "web", "not understood twice", "fr", {}, None, NOW + timedelta(minutes=1))
    assert (first.id, "queued", "asked for a person", {"needs": ["food"]}) == (
        again.id, again.status, again.reason, again.understood)
    assert [first.id] == [h.id for h in queue.open()]
    assert queue.take(first.id, "olive", NOW) and queue.release(first.id, "olive", NOW)
    assert queue.active("web:a") is None
    reopened = queue.enqueue("web:a", "web", "not understood twice", "fr", {}, None, NOW + timedelta(hours=1))
    assert ("queued", "not understood twice", None) == (reopened.status, reopened.reason, reopened.taken_by)


def test_two_operators_cannot_take_the_same_conversation(queue: Queue) -> None:
    handoff = queue.enqueue("sms:x", "sms", "asked for a person", "en", {}, "+19055550123", NOW)
    results: dict[str, bool] = {}
    start = threading.Barrier(8)

    def take(name: str) -> None:
        start.wait()
        results[name] = Queue(queue.path).take(handoff.id, name, NOW)

    threads = [threading.Thread(target=take, args=(f"op{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [name for name, won in results.items() if won]
    assert 1 == len(winners)
    assert winners[0] == queue.get(handoff.id).taken_by


def test_only_the_operator_who_took_it_can_release_it_and_the_number_is_forgotten(queue: Queue) -> None:
    handoff = queue.enqueue("sms:x", "sms", "asked for a person", "en", {}, "+19055550123", NOW)
    assert not queue.release(handoff.id, "olive", NOW)  # not taken yet
    assert queue.take(handoff.id, "olive", NOW)
    assert not queue.release(handoff.id, "eddie", NOW)
    assert queue.release(handoff.id, "olive", NOW)
    closed = queue.get(handoff.id)
    assert ("closed", None) == (closed.status, closed.contact)


def test_replies_are_kept_in_order_for_the_channel_to_fetch(queue: Queue) -> None:
    handoff = queue.enqueue("web:a", "web", "asked for a person", "en", {}, None, NOW)
    first = queue.add_message(handoff.id, "olive", "Hello, I am Olive.", NOW)
    queue.add_message(handoff.id, "olive", "How can I help?", NOW)
    assert ["Hello, I am Olive.", "How can I help?"] == [m.text for m in queue.messages(handoff.id)]
    assert ["How can I help?"] == [m.text for m in queue.messages(handoff.id, after=first.id)]


def test_the_expected_wait_follows_recent_waits_and_the_place_in_the_queue(queue: Queue) -> None:
    a = queue.enqueue("web:a", "web", "r", "en", {}, None, NOW)
    b = queue.enqueue("web:b", "web", "r", "en", {}, None, NOW)
    assert (DEFAULT_WAIT, DEFAULT_WAIT * 2) == (queue.expected_wait(a.id, NOW), queue.expected_wait(b.id, NOW))
    queue.take(a.id, "olive", NOW + timedelta(minutes=3))
    assert timedelta(minutes=3) == queue.expected_wait(b.id, NOW + timedelta(minutes=3))


@pytest.mark.parametrize(("spec", "at", "expected"), [
    ("Mon-Fri 09:00-17:00", NOW, True),
    ("Mon-Fri 09:00-17:00", NOW + timedelta(hours=8), False),  # 18:00 in Toronto
    ("Mon-Fri 09:00-17:00", datetime(2026, 3, 7, 15, 0, tzinfo=UTC), False),  # Saturday
    ("24/7", datetime(2026, 3, 7, 8, 0, tzinfo=UTC), True),
    ("", NOW, False),
])
def test_staffed_hours(spec: str, at: datetime, expected: bool) -> None:
    assert expected is staffed(spec, at)


def test_a_queue_over_the_state_store_shares_its_connection_and_transactions(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "state.db")
    queue = Queue(store.path, store.connection)
    with pytest.raises(RuntimeError), store.transaction():
        store.save(Conversation(key="web:a", needs=("food",)), NOW)
        queue.enqueue("web:a", "web", "asked for a person", "en", {}, None, NOW)
        raise RuntimeError("the turn failed before it was stored")
    assert (None, Conversation(key="web:a")) == (queue.by_key("web:a"), store.load("web:a", NOW))
    with store.transaction():
        queue.enqueue("web:a", "web", "asked for a person", "en", {}, None, NOW)
    active = Queue(store.path).active("web:a")
    assert active is not None and "queued" == active.status
