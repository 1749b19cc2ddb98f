"""Print the matcher's figures: start-up, latency per dev message on one core, memory.

    .venv/bin/python benchmarks/match_bench.py [--rounds 5]

Start-up is measured in fresh processes, cold (no compiled-intents cache),
warm (cache present, best of three) and after a code change (only simplemma's
answers cached), split into imports, intents, directory and the language detector.
Latency is the median and 99th percentile of matching each message of
eval/dev.jsonl, after one warm-up pass, pinned to one core; the matcher's
memory of messages already read is emptied before each, so every one is read afresh.  Memory is the
resident set of a process holding the matcher.
Targets: median < 2 ms, p99 < 10 ms, start-up < 1 s.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if TYPE_CHECKING:
    from navigator.matcher import Matcher

STARTUP = """
import time, sys
t0 = time.perf_counter()
from pathlib import Path
from navigator import matcher, language, settings
matcher.CACHE_DIR = Path(sys.argv[1])
t1 = time.perf_counter()
m = matcher.compile_matcher(settings.INTENTS_DIR)
t2 = time.perf_counter()
m.directory = matcher.open_shipped_directory(settings.SHIPPED_DIRECTORY)
t3 = time.perf_counter()
language.latin_scores("warm up the detector")
t4 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2, t4 - t3)
"""


def rss_mb() -> float:
    """Return this process's resident set size in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def startup(cache: Path) -> list[float]:
    """Return seconds spent importing, loading intents, opening the directory, loading the detector."""
    out = subprocess.run([sys.executable, "-c", STARTUP, str(cache)], capture_output=True, text=True, check=True, cwd=ROOT)
    return [float(x) for x in out.stdout.strip().splitlines()[-1].split()]


def show(label: str, parts: list[float]) -> None:
    imports, intents, directory, detector = parts
    print(f"start-up {label}: {sum(parts):.2f} s = import {imports:.2f} + intents {intents:.2f}"
          f" + directory {directory:.2f} + language detector {detector:.2f}   (target < 1 s)")


# Messages at the edges: the longest a resident can send, in every script, and noise.
ODD = {
    "letters": "a" * 10000, "words": ("help me find food " * 600)[:10000], "emoji": "🙂" * 10000,
    "nul": "\x00" * 10000, "mixed scripts": ("ਮਦਦ 帮助 مدد 도움 सहायता " * 1000)[:10000],
    "every language": " ".join(["aide", "ayuda", "pomoc", "tulong", "مساعدة", "帮助", "ਮਦਦ", "مدد", "도움", "मदद", "ajuda",
                                "help"] * 200)[:10000],
}


def odd_worst(m: Matcher) -> None:
    """Print the slowest CPU time over long and odd messages, each read afresh (target < 50 ms)."""
    worst: list[tuple[float, str]] = []
    for label, text in ODD.items():
        times = []
        for _ in range(3):
            m._understood.clear()
            start = time.process_time()
            m.match(text)
            times.append(time.process_time() - start)
        worst.append((min(times), label))
    slowest, label = max(worst)
    print(f"long and odd messages ({len(ODD)} kinds, 10,000 characters): slowest {slowest * 1000:.1f} ms ({label}), "
          f"target < 50 ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="passes over the dev set")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    with tempfile.TemporaryDirectory() as cache:
        show("cold (compiling intents)", startup(Path(cache)))
        runs = [startup(Path(cache)) for _ in range(3)]
        show("warm (compiled cache)   ", min(runs, key=sum))
        # After an edit to the engine's code or to a phrase that adds no new word,
        # only simplemma's answers are still cached.
        for path in Path(cache).glob("*.pickle"):
            if not path.name.startswith("simplemma-"):
                path.unlink()
        show("after a code change     ", startup(Path(cache)))

    before = rss_mb()
    from navigator import language, matcher

    m = matcher.get_matcher()
    language.latin_scores("warm up the detector")
    print(f"memory: {rss_mb():.0f} MB resident holding the matcher ({rss_mb() - before:.0f} MB for intents, directory, detector)")

    texts = [json.loads(line)["text"] for line in (ROOT / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    for text in texts:
        m.match(text)
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(args.rounds):
        for index in list(m.indexes.values()) + list(m.crisis_indexes.values()):
            index._keys = {}  # each round starts with no per-word cache, as a fresh message stream would
            index._corrections = {}
        for text in texts:
            m._understood.clear()  # every message read afresh: none is answered from the matcher's memory
            start, start_cpu = time.perf_counter(), time.process_time()
            m.match(text)
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    for label, times in (("wall clock", wall), ("CPU time  ", cpu)):
        times.sort()
        median = statistics.median(times) * 1000
        p99 = times[int(len(times) * 0.99) - 1] * 1000
        print(f"latency ({label}) over {len(texts)} dev messages x {args.rounds}: median {median:.2f} ms (target < 2), "
              f"p99 {p99:.2f} ms (target < 10), max {times[-1] * 1000:.2f} ms")
    print(f"machine load average while measuring: {load:.1f}")
    odd_worst(m)
    services = sum(1 for t in texts if m.match(t).services)
    print(f"services found for {services} of {len(texts)} messages")


if __name__ == "__main__":
    main()
