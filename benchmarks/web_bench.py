"""Load-test POST /api/chat under gunicorn with wrk, against a bare Flask JSON endpoint as the ceiling.

Both apps run under gunicorn (2 workers) on a free loopback port; wrk sends
varied chat messages (200 web conversations with ids issued by the app's own
signing, needs in several languages, towns, MORE, crisis, greetings) for the
given duration.  Prints requests per second, p50 and p99 latency and errors
(non-2xx and socket errors) for each run.  Reuses the helpers of sms_bench.py.

Usage: .venv/bin/python benchmarks/web_bench.py [--seconds 30] [--connections 4]
Needs wrk (apt-get install wrk).
Targets: navigator >= half the ceiling's rps, p99 < 50 ms, 0 errors.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from sms_bench import _ms, free_port

SECRET = "bench-secret"
MESSAGES = [
    ("I need food", "en"), ("Oakville", "en"), ("more", "en"), ("I can't pay my rent", "en"),
    ("Burlington", "en"), ("hi", "en"), ("my mom is lonely and lives alone in Milton", "en"),
    ("I need a job in Halton Hills", "en"), ("help", "en"), ("SAFE", "en"),
    ("je n'ai plus rien à manger", "fr"), ("necesito comida en Milton", "es"), ("أحتاج طعام لعائلتي", "ar"),
    ("我需要食物", "zh-Hans"), ("ਮੈਨੂੰ ਖਾਣਾ ਚਾਹੀਦਾ ਹੈ", "pa"), ("potrzebuję jedzenia", "pl"),
    ("preciso de comida", "pt"), ("kailangan ko ng pagkain", "tl"), ("음식이 필요해요", "ko"),
    ("मुझे खाना चाहिए", "hi"), ("talk to a person", "en"), ("my son is 15 and very anxious", "en"),
    ("I want to end my life", "en"), ("مجھے کھانا چاہیے", "ur"),
]

bare_app = Flask("bare")


@bare_app.post("/api/chat")
def bare_chat() -> ResponseReturnValue:
    """Parse the JSON and answer a fixed JSON reply: the most a Flask app under this gunicorn can do."""
    body = request.get_json()
    return jsonify(conversation_id=body.get("conversation_id", "x"), language="en",
                   reply={"text": "Hello", "cards": [], "quick_replies": []}, needs=[], crisis=False, services=[])


LUA = """
local bodies = {}
local file = io.open("%(data)s")
for line in file:lines() do bodies[#bodies + 1] = line end
file:close()
local counter, id, threads, next_id = 0, 0, %(threads)d, 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end
function request()
  local index = (counter * threads + id) %% #bodies + 1
  counter = counter + 1
  return wrk.format("POST", "/api/chat", {["Content-Type"] = "application/json"}, bodies[index])
end
"""


def conversation_ids(count: int, state_db: Path) -> list[str]:
    """Issue ``count`` conversation ids signed as the served app will check them."""
    from navigator import create_app
    from navigator.channels.web import new_conversation_id

    app = create_app({"NAVIGATOR_SECRET_KEY": SECRET, "NAVIGATOR_STATE_DB": str(state_db)})
    with app.app_context():
        return [new_conversation_id() for _ in range(count)]


def bodies(ids: list[str], count: int, seed: int = 7) -> list[str]:
    """Build ``count`` JSON request bodies spread over the conversations."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        text, lang = rng.choice(MESSAGES)
        body: dict[str, str] = {"message": text, "conversation_id": rng.choice(ids)}
        if rng.random() < 0.5:
            body["lang"] = lang
        out.append(json.dumps(body, ensure_ascii=False))
    return out


def start(target: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start gunicorn with two workers on ``port`` and wait until a worker answers."""
    cmd = [str(ROOT / ".venv/bin/gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--pythonpath",
           f"{ROOT},{ROOT / 'benchmarks'}", "--log-level", "warning", target]
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            # An empty body is refused (4xx) by both apps: any HTTP answer means a worker is up.
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/chat", data=b"", timeout=10)
            return proc
        except urllib.error.HTTPError:
            return proc
        except (urllib.error.URLError, OSError):
            # Not listening yet, or a worker still booting on a busy machine.
            time.sleep(0.5)
    proc.terminate()
    proc.wait(timeout=30)
    raise SystemExit(f"gunicorn did not start: {target}")


def warm_up(port: int, lines: list[str]) -> None:
    """Send a few requests so each worker has loaded the matcher and the directory."""
    for line in lines:
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/chat", data=line.encode(),
                                     headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=60).read()


def run_wrk(port: int, script: Path, seconds: int, connections: int, threads: int) -> dict[str, float]:
    """Run wrk and return rps, p50, p99 (ms) and errors; show wrk's own output if it cannot be read."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
           "-s", str(script), f"http://127.0.0.1:{port}/api/chat"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    try:
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
        p50 = _ms(re.search(r"50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
        p99 = _ms(re.search(r"99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    except AttributeError:
        raise SystemExit(f"could not read wrk's figures:\n{out}") from None
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(non2xx.group(1)) if non2xx else 0
    errors += sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "errors": errors}


def bench(target: str, env: dict[str, str], args: argparse.Namespace, work: Path, lines: list[str]) -> dict[str, float]:
    """Serve ``target`` under gunicorn and load it with wrk."""
    port = free_port()
    data = work / f"bodies-{port}.txt"
    data.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    script = work / f"chat-{port}.lua"
    script.write_text(LUA % {"data": data, "threads": args.threads}, encoding="utf-8")
    proc = start(target, port, env)
    try:
        warm_up(port, lines[:16])
        return run_wrk(port, script, args.seconds, args.connections, args.threads)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def main() -> None:
    """Run both benchmarks and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        state = work / "state.db"
        env = {**os.environ, "NAVIGATOR_SECRET_KEY": SECRET, "NAVIGATOR_STATE_DB": str(state)}
        lines = bodies(conversation_ids(200, state), 5000)
        results = {
            "navigator /api/chat": bench("navigator.app:create_app()", env, args, work, lines),
            "bare Flask (ceiling)": bench("web_bench:bare_app", env, args, work, lines),
        }
    print(f"gunicorn 2 workers, wrk {args.threads} threads, {args.connections} connections, {args.seconds} s")
    for name, r in results.items():
        print(f"{name:22} {r['rps']:9.1f} rps   p50 {r['p50_ms']:7.2f} ms   p99 {r['p99_ms']:7.2f} ms"
              f"   errors {int(r['errors'])}")
    share = results["navigator /api/chat"]["rps"] / results["bare Flask (ceiling)"]["rps"]
    print(f"navigator reaches {share:.0%} of the ceiling (target >= 50%, p99 < 50 ms, 0 errors)")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
