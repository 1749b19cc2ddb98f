"""Serve a WSGI target under gunicorn for a load benchmark, and always stop it.

``serve()`` starts gunicorn (2 workers) on a free loopback port in its own
process group, waits until a worker answers, and on the way out, whatever
happened (a worker that never boots, a timeout, Ctrl-C, SIGTERM), stops the
whole group: SIGTERM, then SIGKILL if it lingers.  ``run_wrk()`` loads it and
reads wrk's figures; ``worker_cpu()`` reads the CPU time the workers used, the
figure that stays stable on a busy machine.
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOT_SECONDS = 180  # a busy two-core machine can take a minute to import and warm a worker


@dataclass(frozen=True)
class Server:
    port: int
    process: subprocess.Popen[bytes]

    def url(self, path: str) -> str:
        """Return the URL of ``path`` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_options(description: str | None) -> argparse.Namespace:
    """Parse the load benchmarks' shared options; exit when wrk is missing."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    stop_on_sigterm()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    return args


def stop_on_sigterm() -> None:
    """Turn SIGTERM (e.g. from `timeout`) into SystemExit so every ``finally`` stops its gunicorn."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))


def _answers(url: str) -> bool:
    try:
        # An empty POST is refused (4xx) by every benchmarked app: any HTTP answer means a worker is up.
        urllib.request.urlopen(url, data=b"", timeout=10).read()
    except urllib.error.HTTPError:
        return True
    except (OSError, http.client.HTTPException):
        # Refused while binding, reset or timed out while the workers boot: try again.
        return False
    return True


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)  # the group: the master and every worker it forked
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def serve(target: str, env: dict[str, str], probe: str, workers: int = 2) -> Iterator[Server]:
    """Run ``target`` under gunicorn until the block ends; ``probe`` is a path to POST to until it answers."""
    port = free_port()
    cmd = [str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--pythonpath",
           f"{ROOT},{ROOT / 'benchmarks'}", "--log-level", "warning", "--graceful-timeout", "5",
           "--timeout", str(BOOT_SECONDS), target]
    process = subprocess.Popen(cmd, env=env, start_new_session=True)
    try:
        server = Server(port, process)
        deadline = time.monotonic() + BOOT_SECONDS
        while not _answers(server.url(probe)):
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited with status {process.returncode}: {target}")
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer within {BOOT_SECONDS} s: {target}")
            time.sleep(0.3)
        yield server
    finally:
        _stop(process)


# Lua for wrk: each thread takes every n-th line of the prepared requests (`next_line()`), so no
# request is sent twice.  `id` is a global: setup() sets it in each thread's own Lua state, where a
# local would not see it.  Format with %(threads)d; the script using it defines `lines` and request().
LUA_INTERLEAVE = """
id = 0
local counter, threads, next_id = 0, %(threads)d, 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end
function next_line()
  local index = (counter * threads + id) %% #lines + 1
  counter = counter + 1
  return lines[index]
end
"""


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(n) for n in text.split()]


def worker_cpu(server: Server) -> float:
    """Return the CPU seconds (user + system) the server's workers have used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in _children(server.process.pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


def _ms(value: str) -> float:
    found = re.match(r"([\d.]+)(us|ms|s|m)$", value)
    if found is None:
        raise SystemExit(f"cannot read the latency {value!r} printed by wrk")
    number, unit = found.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(server: Server, path: str, script: Path, seconds: int, connections: int, threads: int) -> dict[str, float]:
    """Load ``path`` with wrk; return rps, p50 and p99 (ms), errors and worker CPU ms per request."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
           "-s", str(script), server.url(path)]
    cpu_before = worker_cpu(server)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    cpu = worker_cpu(server) - cpu_before
    try:
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
        total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
        # Percentiles come after "Latency Distribution"; the thread stats above also print percentages.
        latency = out[out.index("Latency Distribution"):]
        p50 = _ms(re.search(r"50%[ \t]+(\S+)", latency).group(1))  # type: ignore[union-attr]
        p99 = _ms(re.search(r"99%[ \t]+(\S+)", latency).group(1))  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        raise SystemExit(f"could not read wrk's figures:\n{out}") from None
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(non2xx.group(1)) if non2xx else 0
    errors += sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    cpu_ms = 1000 * cpu / total if total else 0.0
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "errors": errors, "cpu_ms_per_request": round(cpu_ms, 2)}


def report(results: dict[str, dict[str, float]], args: argparse.Namespace) -> None:
    """Print each run's figures and navigator's share of the ceiling (the first run over the last)."""
    print(f"gunicorn 2 workers, wrk {args.threads} threads, {args.connections} connections, {args.seconds} s")
    for name, r in results.items():
        print(f"{name:22} {r['rps']:9.1f} rps   p50 {r['p50_ms']:7.2f} ms   p99 {r['p99_ms']:7.2f} ms"
              f"   errors {int(r['errors'])}   worker CPU {r['cpu_ms_per_request']:.2f} ms/request")
    runs = list(results.values())
    print(f"navigator reaches {runs[0]['rps'] / runs[-1]['rps']:.0%} of the ceiling (target >= 50%, p99 < 50 ms, 0 errors)")
