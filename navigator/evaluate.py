"""Score a predictor on a labelled file shaped like eval/dev.jsonl, and two baselines to beat.

Figures: need top-1 and top-3 accuracy over messages that have needs (a
prediction is right when it is one of the labelled needs: eval/README.md says
both listed needs are right answers), how often the labelled lead need leads,
per-need precision and recall, language accuracy, crisis recall and false
alarms, out-of-scope handling (no need predicted for ``needs: []``),
municipality accuracy, all of it per language too, and the misses.

Baselines, run on the same file by the same code: SQLite FTS5 keyword search
and rapidfuzz, both over the needs' names and "covers" text of data/needs.yaml,
with no rules.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from .normalise import normalise


@dataclass(frozen=True)
class Prediction:
    language: str | None
    needs: tuple[str, ...]
    crisis: bool
    municipality: str | None
    safety_lines: bool = False  # 911 and 988 lead the reply though it is not called a crisis


Predictor = Callable[[str], Prediction]


class EvalError(Exception):
    """A labelled file that cannot be read, with the line at fault."""


@dataclass
class Report:
    """The figures for one predictor on one file."""

    name: str
    figures: dict[str, float | None] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    per_language: dict[str, dict[str, float | None]] = field(default_factory=dict)
    per_need: dict[str, dict[str, float | None]] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)


def load_rows(path: Path | str) -> list[dict[str, Any]]:
    """Read a labelled JSONL file, checking the fields scoring needs."""
    rows = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalError(f"{path}:{number}: not JSON: {exc.msg}") from None
        for key in ("text", "lang", "needs", "crisis", "municipality"):
            if key not in row:
                raise EvalError(f"{path}:{number}: missing field {key!r}")
        row.setdefault("id", f"line{number}")
        rows.append(row)
    return rows


def engine_predictor(**paths: Any) -> Predictor:
    """Return a predictor backed by the matcher (``intents_dir``/``directory`` optional)."""
    from .matcher import get_matcher

    matcher = get_matcher(paths.get("intents_dir"), paths.get("directory"))

    def predict(text: str) -> Prediction:
        m = matcher.match(text)
        return Prediction(m.language, m.need_codes, m.crisis, m.municipality, m.crisis_hint)

    return predict


def _need_texts(needs_path: Path) -> dict[str, str]:
    data = yaml.safe_load(needs_path.read_text(encoding="utf-8"))
    return {n["code"]: f"{n['name']} {n.get('covers', '')}" for n in data["needs"]}


def fts_predictor(needs_path: Path) -> Predictor:
    """Return the FTS5 baseline: any message word found in a need's name or covers text, bm25-ranked."""
    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.execute("CREATE VIRTUAL TABLE needs USING fts5(code UNINDEXED, body, tokenize='porter unicode61 remove_diacritics 2')")
    db.executemany("INSERT INTO needs VALUES (?, ?)", _need_texts(needs_path).items())

    def predict(text: str) -> Prediction:
        words = {w for w in normalise(text).split() if w.isalnum()}
        if not words:
            return Prediction(None, (), False, None)
        query = " OR ".join('"' + w.replace('"', "") + '"' for w in sorted(words))
        rows = db.execute("SELECT code FROM needs WHERE needs MATCH ? ORDER BY bm25(needs) LIMIT 3", (query,)).fetchall()
        codes = tuple(r[0] for r in rows)
        return Prediction(None, codes, bool(codes) and codes[0] == "crisis", None)

    return predict


def fuzzy_predictor(needs_path: Path, cutoff: float = 30.0) -> Predictor:
    """Return the rapidfuzz baseline: token-set similarity to each need's name and covers text.

    Scores against such long texts stay low (a food-bank message scores 47 with food):
    30 keeps the best few and drops messages that share nearly nothing.
    """
    texts = {code: normalise(body) for code, body in _need_texts(needs_path).items()}

    def predict(text: str) -> Prediction:
        found = process.extract(normalise(text), texts, scorer=fuzz.token_set_ratio, score_cutoff=cutoff, limit=3)
        codes = tuple(str(key) for _text, _score, key in found)
        return Prediction(None, codes, bool(codes) and codes[0] == "crisis", None)

    return predict


def _ratio(hits: int, total: int) -> float | None:
    return hits / total if total else None


def evaluate(name: str, rows: Iterable[dict[str, Any]], predict: Predictor) -> Report:
    """Run ``predict`` over labelled rows and compute every figure."""
    report = Report(name)
    tally: dict[str, dict[str, list[int]]] = {}
    need_tp: dict[str, int] = {}
    need_pred: dict[str, int] = {}
    need_gold: dict[str, int] = {}
    false_alarms = 0
    for row in rows:
        pred = predict(row["text"])
        gold = list(row["needs"])
        lang = row["lang"]
        checks: dict[str, bool | None] = {
            "need_top1": bool(pred.needs[:1]) and pred.needs[0] in gold if gold else None,
            "need_top3": any(n in gold for n in pred.needs[:3]) if gold else None,
            "need_lead": pred.needs[:1] == tuple(gold[:1]) if gold else None,
            "language": pred.language == lang if pred.language is not None else None,
            "crisis_recall": pred.crisis if row["crisis"] else None,
            "crisis_lines": pred.crisis or pred.safety_lines if row["crisis"] else None,
            "out_of_scope": not pred.needs if not gold else None,
            "municipality": pred.municipality == row["municipality"] if pred.language is not None else None,
        }
        if pred.crisis and not row["crisis"]:
            false_alarms += 1
        for key, ok in checks.items():
            if ok is None:
                continue
            for group in ("all", lang):
                cell = tally.setdefault(group, {}).setdefault(key, [0, 0])
                cell[0] += int(ok)
                cell[1] += 1
        for code in set(pred.needs):
            need_pred[code] = need_pred.get(code, 0) + 1
            need_tp[code] = need_tp.get(code, 0) + int(code in gold)
        for code in gold:
            need_gold[code] = need_gold.get(code, 0) + 1
        wrong = [k for k, ok in checks.items() if ok is False and k not in ("need_lead", "crisis_lines")]
        if wrong or (pred.crisis and not row["crisis"]):
            report.misses.append({
                "id": row["id"], "lang": lang, "text": row["text"], "wrong": wrong + (["crisis_false_alarm"] if pred.crisis and not row["crisis"] else []),
                "gold": {"needs": gold, "language": lang, "municipality": row["municipality"]},
                "predicted": {"needs": list(pred.needs), "language": pred.language, "municipality": pred.municipality},
            })
    for group, cells in tally.items():
        figures = {key: _ratio(*cell) for key, cell in cells.items()}
        if group == "all":
            report.figures = figures
            report.counts = {key: cell[1] for key, cell in cells.items()}
        else:
            report.per_language[group] = figures
    report.figures["crisis_false_alarms"] = false_alarms
    for code in sorted(set(need_gold) | set(need_pred)):
        report.per_need[code] = {
            "precision": _ratio(need_tp.get(code, 0), need_pred.get(code, 0)),
            "recall": _ratio(need_tp.get(code, 0), need_gold.get(code, 0)),
            "support": need_gold.get(code, 0),
        }
    return report


def load_targets(path: Path) -> dict[str, float]:
    """Read the accuracy targets (eval/targets.yaml)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(k): float(v) for k, v in data.items()}


def check_targets(report: Report, targets: dict[str, float]) -> list[str]:
    """Return one line per target the report misses (empty when all are met)."""
    failures = []
    fig = report.figures

    def below(name: str, value: float | None, target: float) -> None:
        if value is None or value < target:
            shown = "n/a" if value is None else f"{value:.1%}"
            failures.append(f"{name}: {shown} < {target:.0%}")

    below("need top-1", fig.get("need_top1"), targets["need_top1"])
    below("need top-3", fig.get("need_top3"), targets["need_top3"])
    below("crisis recall", fig.get("crisis_recall"), targets["crisis_recall"])
    below("language", fig.get("language"), targets["language"])
    below("out of scope", fig.get("out_of_scope"), targets["out_of_scope"])
    alarms = fig.get("crisis_false_alarms") or 0
    if alarms > targets["crisis_false_alarms_max"]:
        failures.append(f"crisis false alarms: {alarms:.0f} > {targets['crisis_false_alarms_max']:.0f}")
    for lang, figures in sorted(report.per_language.items()):
        below(f"need top-1 ({lang})", figures.get("need_top1"), targets["need_top1_per_language"])
    return failures


def _pct(value: float | None) -> str:
    return "   n/a" if value is None else f"{value:6.1%}"


def format_report(report: Report, misses: bool = True) -> str:
    """Render a report as plain text for the terminal."""
    fig = report.figures
    lines = [f"== {report.name}"]
    for key, label in (
        ("need_top1", "need top-1"), ("need_top3", "need top-3"), ("need_lead", "lead need first"),
        ("language", "language"), ("crisis_recall", "crisis recall"),
        ("crisis_lines", "911/988 first"), ("out_of_scope", "out of scope"),
        ("municipality", "municipality"),
    ):
        lines.append(f"  {label:<16} {_pct(fig.get(key))}   (n={report.counts.get(key, 0)})")
    lines.append(f"  {'crisis false alarms':<16} {fig.get('crisis_false_alarms', 0):.0f}")
    lines.append("  per language:    top-1  top-3 language   oos")
    for lang, f in sorted(report.per_language.items()):
        lines.append(f"    {lang:<12} {_pct(f.get('need_top1'))} {_pct(f.get('need_top3'))} {_pct(f.get('language'))} {_pct(f.get('out_of_scope'))}")
    lines.append("  per need:          precision recall support")
    for code, f in report.per_need.items():
        lines.append(f"    {code:<20} {_pct(f['precision'])} {_pct(f['recall'])} {f['support']:5.0f}")
    if misses and report.misses:
        lines.append(f"  misses ({len(report.misses)}):")
        for miss in report.misses:
            p, g = miss["predicted"], miss["gold"]
            lines.append(f"    {miss['id']} [{miss['lang']}] {', '.join(miss['wrong'])}: {miss['text'][:100]}")
            lines.append(f"        gold {g['needs']} {g['language']} {g['municipality']} | got {p['needs']} {p['language']} {p['municipality']}")
    return "\n".join(lines)
