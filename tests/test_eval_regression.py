"""The development set, scored against the targets in eval/targets.yaml."""
from __future__ import annotations

import pytest

from navigator import settings
from navigator.evaluate import (
    Prediction,
    Report,
    check_targets,
    engine_predictor,
    evaluate,
    load_rows,
    load_targets,
)

DEV = settings.PROJECT_ROOT / "eval" / "dev.jsonl"
TARGETS = load_targets(settings.PROJECT_ROOT / "eval" / "targets.yaml")


@pytest.fixture(scope="module")
def report() -> Report:
    return evaluate("matcher", load_rows(DEV), engine_predictor())


def test_targets_are_met(report: Report) -> None:
    misses = "\n".join(f"{m['id']} {m['wrong']}: {m['text'][:80]}" for m in report.misses)
    assert [] == check_targets(report, TARGETS), misses


def test_every_crisis_is_flagged(report: Report) -> None:
    missed = [m["id"] for m in report.misses if "crisis_recall" in m["wrong"]]
    assert [] == missed
    assert report.figures["crisis_false_alarms"] <= TARGETS["crisis_false_alarms_max"]
    # 911 and 988 lead every crisis reply, so they lead at least as often as crises are flagged.
    assert report.figures["crisis_lines"] >= report.figures["crisis_recall"]


def test_911_and_988_count_when_a_few_crisis_words_bring_them() -> None:
    rows = [{"id": "x1", "text": "i can't go on", "lang": "en", "needs": ["crisis"], "crisis": True,
             "municipality": None}]
    hinted = evaluate("hint", rows, lambda text: Prediction("en", (), False, None, safety_lines=True))
    assert (0.0, 1.0) == (hinted.figures["crisis_recall"], hinted.figures["crisis_lines"])


def test_targets_file_names_every_target() -> None:
    assert {
        "need_top1", "need_top1_per_language", "need_top3", "crisis_recall", "crisis_false_alarms_max",
        "language", "out_of_scope",
    } == set(TARGETS)


def test_the_dev_set_matches_the_shared_copy_when_present() -> None:
    shared = settings.PROJECT_ROOT.parent / "shared" / "eval" / "dev.jsonl"
    if not shared.exists():
        pytest.skip("no shared folder beside the project")
    assert shared.read_bytes() == DEV.read_bytes()
