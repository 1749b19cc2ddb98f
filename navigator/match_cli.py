"""``navigator match`` and ``navigator eval``: the matcher from the command line."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from . import settings
from .intents import IntentError
from .models import Match

_PATHS = [
    click.option("--intents", "intents_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
                 help="Intents folder (default: the shipped one)."),
    click.option("--directory", type=click.Path(dir_okay=False, path_type=Path),
                 help="Directory database (default: the shipped one)."),
]


def _paths(func: Any) -> Any:
    for option in reversed(_PATHS):
        func = option(func)
    return func


def _matcher(intents_dir: Path | None, directory: Path | None) -> Any:
    from .matcher import get_matcher

    try:
        return get_matcher(intents_dir, directory)
    except IntentError as exc:
        raise click.ClickException(str(exc)) from None


def as_json(m: Match) -> dict[str, Any]:
    """Return the JSON line ``navigator match --jsonl`` writes for one match."""
    return {
        "language": m.language,
        "needs": list(m.need_codes),
        "crisis": m.crisis,
        "municipality": m.municipality,
        "age": m.age,
        "for_whom": m.for_whom,
        "intent": m.intent,
        "number": m.number,
        "language_choice": m.language_choice,
        "services": [
            {"id": h.service.id, "name": h.service.name, "needs": list(h.service.needs)} for h in m.services[:5]
        ],
        "why": list(m.why) + [f"{n.code} {n.score:g}: {'; '.join(n.why)}" for n in m.needs],
    }


def _readable(m: Match) -> str:
    lines = [f"language:     {m.language}"]
    crisis = "YES: answer with 911, 988 and the crisis line first" if m.crisis else "no"
    if m.crisis_hint:
        crisis = "no, but some crisis words (see why): 911 and 988 first"
    lines.append(f"crisis:       {crisis}")
    guess = " (a guess: the reply says it is not sure)" if m.guessed else ""
    lines.append("needs:        " + (", ".join(f"{n.code} ({n.score:g})" for n in m.needs) or "none") + guess)
    for n in m.needs:
        for reason in n.why:
            lines.append(f"  {n.code}: {reason}")
    lines.append(f"municipality: {m.municipality or '-'}")
    lines.append(f"age:          {m.age if m.age is not None else '-'}    for: {m.for_whom or '-'}")
    if m.intent:
        extra = f" {m.number}" if m.number is not None else f" {m.language_choice}" if m.language_choice else ""
        lines.append(f"intent:       {m.intent}{extra}")
    lines.append("services:" + ("" if m.services else "     none"))
    for i, hit in enumerate(m.services[:5], start=1):
        lines.append(f"  {i}. {hit.service.name} [{hit.service.id}] ({', '.join(hit.service.needs)})")
    lines.append("why:")
    lines.extend(f"  - {reason}" for reason in m.why)
    return "\n".join(lines)


@click.command("match")
@click.argument("text", required=False)
@click.option("--lang", help="Language of the message, when known (skips detection).")
@click.option("--jsonl", is_flag=True, help="Read JSON objects with `text` (and optional `lang`) from stdin, one per line.")
@_paths
def match(text: str | None, lang: str | None, jsonl: bool, intents_dir: Path | None, directory: Path | None) -> None:
    """Show what navigator understands from a message: language, needs, crisis, town, services.

    Example: navigator match "my landlord gave me an N12 and I live in Milton"
    """
    matcher = _matcher(intents_dir, directory)
    if not jsonl:
        if text is None:
            raise click.UsageError("give a message, or --jsonl to read messages from stdin")
        click.echo(_readable(matcher.match(text, lang=lang)))
        return
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise TypeError("each line must be a JSON object with a text field")
            out = as_json(matcher.match(row["text"], lang=row.get("lang")))
            if "id" in row:
                out = {"id": row["id"], **out}
        except (ValueError, TypeError) as exc:
            out = {"line": number, "error": str(exc)}
        click.echo(json.dumps(out, ensure_ascii=False))


@click.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--baseline", type=click.Choice(["fts", "fuzzy", "all"]), help="Also score a baseline on the same file.")
@click.option("--targets", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=settings.PROJECT_ROOT / "eval" / "targets.yaml", show_default=True, help="Accuracy targets.")
@click.option("--misses/--no-misses", default=True, show_default=True, help="List the messages the matcher got wrong.")
@click.option("--check", is_flag=True, help="Exit with status 1 when a target is missed.")
@_paths
def eval(
    file: Path, baseline: str | None, targets: Path, misses: bool, check: bool,
    intents_dir: Path | None, directory: Path | None,
) -> None:
    """Score the matcher on a labelled file shaped like eval/dev.jsonl (see eval/README.md).

    Example: navigator eval eval/dev.jsonl --baseline all
    """
    from .evaluate import (
        EvalError,
        check_targets,
        engine_predictor,
        evaluate,
        format_report,
        fts_predictor,
        fuzzy_predictor,
        load_rows,
        load_targets,
    )

    try:
        rows = load_rows(file)
    except EvalError as exc:
        raise click.ClickException(str(exc)) from None
    _matcher(intents_dir, directory)
    report = evaluate("matcher", rows, engine_predictor(intents_dir=intents_dir, directory=directory))
    click.echo(format_report(report, misses=misses))
    needs_path = settings.DATA_DIR / "needs.yaml"
    for name in ("fts", "fuzzy"):
        if baseline in (name, "all"):
            predictor = fts_predictor(needs_path) if name == "fts" else fuzzy_predictor(needs_path)
            click.echo(format_report(evaluate(f"baseline: {name}", rows, predictor), misses=False))
    failures = check_targets(report, load_targets(targets))
    click.echo("targets: " + ("all met" if not failures else "MISSED\n  " + "\n  ".join(failures)))
    if check and failures:
        sys.exit(1)
