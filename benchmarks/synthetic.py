"""Write a synthetic Halton-like directory of N services through the normal build path.

Usage: python benchmarks/synthetic.py [--services 60000] [--out /tmp/synthetic]

The records are fictional (names, 555-01xx phone numbers, street numbers) and
follow the shapes of data/halton_services.csv: one to three needs, a town or a
wider area, real hours patterns, some languages, some age limits.  Never ship them.
"""
from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from navigator.directory.build import COLUMNS, BuildReport, build

AREAS = [("Burlington", 25), ("Oakville", 25), ("Milton", 15), ("Halton Hills", 10),
         ("Halton-wide", 17), ("Ontario", 6), ("Canada", 2)]
HOURS = [("", 35), ("Mon-Fri 9 a.m.-5 p.m.", 25), ("24/7", 8),
         ("Mon-Thu 9:00 a.m.-9:00 p.m.; Fri 9:00 a.m.-4:00 p.m.", 8),
         ("Mon 9-5; Tue 1-7; Wed 1-4; Thu 9-3; Sat 9-12; closed long weekends", 6),
         ("Thursdays 9:30-11:30 a.m.", 4), ("Mon-Fri 6 a.m.-2 a.m.; Sat 7 a.m.-2 a.m.", 3),
         ("Monday to Friday 8:30 a.m.-4:30 p.m.; closed on statutory holidays", 8),
         ("By appointment", 3)]
LANGUAGES = [("", 70), ("English and French", 12), ("English, Punjabi and Urdu", 4),
             ("English, Arabic and Spanish", 3), ("Interpreters available by phone", 8),
             ("More than 150 languages", 3)]
ELIGIBILITY = [("", 50), ("Halton residents", 15), ("Youth aged 12-24", 8), ("Adults 55+", 8),
               ("Children and youth aged 5 to 17 and their families", 6), ("Residents aged 16 and over", 5),
               ("Low-income residents; free", 8)]
WORDS = ("Community", "Family", "Halton", "North", "Lakeshore", "Escarpment", "Harbour", "Maple",
         "Trafalgar", "Creekside", "Heritage", "Unity", "Bridge", "Compass", "Beacon", "Willow")
KINDS = ("Centre", "Services", "Program", "Line", "Clinic", "Hub", "Network", "Drop-in", "Outreach")


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def records(count: int, needs: list[dict[str, str]], seed: int = 2026) -> list[dict[str, str]]:
    """Return ``count`` fictional service records shaped like the real ones."""
    rng = random.Random(seed)
    codes = [n["code"] for n in needs]
    covers = {n["code"]: [w.strip() for w in str(n.get("covers", "")).split(",") if w.strip()] for n in needs}
    rows = []
    for i in range(count):
        chosen = rng.sample(codes, rng.choices((1, 2, 3), (60, 30, 10))[0])
        town = _pick(rng, AREAS)
        phrases = [rng.choice(covers[c] or [c]) for c in chosen]
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(KINDS)} {i}"
        rows.append({
            "name": name,
            "organization": f"{rng.choice(WORDS)} {rng.choice(KINDS)} Association {i // 3}",
            "needs": ";".join(chosen),
            "municipality": town,
            "address": f"{rng.randint(1, 2999)} Example St., {town}, ON" if rng.random() < 0.4 else "",
            "phone": f"905-555-01{rng.randint(0, 99):02d}" + (" ext. 2" if rng.random() < 0.1 else ""),
            "website": f"https://example.org/{i}" if rng.random() < 0.5 else "",
            "hours": _pick(rng, HOURS),
            "languages": _pick(rng, LANGUAGES),
            "eligibility": _pick(rng, ELIGIBILITY),
            "description": f"Help with {'; '.join(phrases)} for residents of {town}.",
            "source": "synthetic",
            "retrieved": f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
        })
    return rows


def write(folder: Path, count: int) -> Path:
    """Write needs.yaml and synthetic_services.csv with ``count`` records into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "data" / "needs.yaml", folder / "needs.yaml")
    needs = yaml.safe_load((folder / "needs.yaml").read_text(encoding="utf-8"))["needs"]
    path = folder / "synthetic_services.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        writer.writerows(records(count, needs))
    return path


def build_synthetic(folder: Path, count: int) -> tuple[BuildReport, float]:
    """Write the synthetic sources and build them; return the report and build seconds."""
    write(folder, count)
    started = time.perf_counter()
    report = build(folder / "directory.db", folder)
    return report, time.perf_counter() - started


def main() -> None:
    """Write and build a synthetic directory, printing its size and build time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=60_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/navigator-synthetic"))
    args = parser.parse_args()
    report, seconds = build_synthetic(args.out, args.services)
    size = report.out.stat().st_size / 1e6
    print(f"{report.services} services -> {report.out} ({size:.1f} MB) in {seconds:.1f} s")


if __name__ == "__main__":
    main()
