"""Run every benchmark in turn and print its figures (``make bench``).

Each benchmark is a standalone script that prints what it measured; none of
them asserts a time.  They run one after another so they do not compete for
the machine's cores.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ("directory_bench", "match_bench", "sms_bench", "web_bench", "operator_bench")


def main() -> int:
    """Run the benchmarks that exist, in a fixed order; return non-zero if one crashed."""
    failed = []
    for name in ORDER:
        script = HERE / f"{name}.py"
        if not script.exists():
            continue
        print(f"\n===== {name} =====", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], check=False, cwd=HERE.parent)
        print(f"({name} took {time.perf_counter() - started:.0f} s)", flush=True)
        if result.returncode:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
