"""Print the matcher's figures: start-up, latency per dev message on one core, memory.

    .venv/bin/python benchmarks/match_bench.py [--rounds 5]

Start-up is measured in fresh processes, cold (no compiled-intents cache) and
warm (cache present), loading intents and directory and the language detector.
Latency is the median and 99th percentile of matching each message of
eval/dev.jsonl, after one warm-up pass, pinned to one core.  Memory is the
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STARTUP = """
import time, sys
start = time.perf_counter()
from pathlib import Path
from navigator import matcher, language
matcher.CACHE_DIR = Path(sys.argv[1])
m = matcher.get_matcher()
language.latin_scores("warm up the detector")
print(time.perf_counter() - start)
"""


def rss_mb() -> float:
    """Return this process's resident set size in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def startup(cache: Path) -> float:
    out = subprocess.run([sys.executable, "-c", STARTUP, str(cache)], capture_output=True, text=True, check=True, cwd=ROOT)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="passes over the dev set")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    with tempfile.TemporaryDirectory() as cache:
        cold = startup(Path(cache))
        warm = statistics.median(startup(Path(cache)) for _ in range(3))
    print(f"start-up cold (compiling intents):  {cold:.2f} s")
    print(f"start-up warm (compiled cache):     {warm:.2f} s   target < 1 s")

    before = rss_mb()
    from navigator import language, matcher

    m = matcher.get_matcher()
    language.latin_scores("warm up the detector")
    print(f"memory: {rss_mb():.0f} MB resident holding the matcher ({rss_mb() - before:.0f} MB for intents, directory, detector)")

    texts = [json.loads(line)["text"] for line in (ROOT / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    for text in texts:
        m.match(text)
    times: list[float] = []
    for _ in range(args.rounds):
        m = matcher.Matcher.__new__(matcher.Matcher)
        m.__dict__.update(matcher.get_matcher().__dict__)
        for index in m.indexes.values():
            index._keys = {}  # each round starts with no per-word cache, as a fresh message stream would
        for text in texts:
            start = time.perf_counter()
            m.match(text)
            times.append(time.perf_counter() - start)
    times.sort()
    median = statistics.median(times) * 1000
    p99 = times[int(len(times) * 0.99) - 1] * 1000
    print(f"latency over {len(texts)} dev messages x {args.rounds}: median {median:.2f} ms (target < 2), "
          f"p99 {p99:.2f} ms (target < 10), max {times[-1] * 1000:.2f} ms")
    services = sum(1 for t in texts if m.match(t).services)
    print(f"services found for {services} of {len(texts)} messages")


if __name__ == "__main__":
    main()
