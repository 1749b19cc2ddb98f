"""Load-test POST /sms under gunicorn with wrk, against a bare Flask app as the ceiling.

Both apps run under gunicorn (2 workers) on a free loopback port; wrk sends
correctly signed, varied Twilio webhooks (many residents, needs in several
languages, towns, numbers, MORE, unique MessageSids) for the given duration.
Prints requests per second, p50 and p99 latency and errors for each run.

Usage: .venv/bin/python benchmarks/sms_bench.py [--seconds 30] [--connections 4]
Needs wrk (apt-get install wrk).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from flask import Flask, Response
from twilio.request_validator import RequestValidator

TOKEN = "bench-auth-token"
ROOT = Path(__file__).resolve().parent.parent
MESSAGES = [
    "I need food", "Oakville", "1", "more", "I can't pay my rent", "Burlington", "2", "hi",
    "my mom is lonely and lives alone in Milton", "I need a job in Halton Hills", "help",
    "je n'ai plus rien à manger", "necesito comida en Milton", "أحتاج طعام لعائلتي", "我需要食物",
    "ਮੈਨੂੰ ਖਾਣਾ ਚਾਹੀਦਾ ਹੈ", "potrzebuję jedzenia", "preciso de comida", "kailangan ko ng pagkain",
    "음식이 필요해요", "मुझे खाना चाहिए", "talk to a person", "my son is 15 and very anxious", "3",
]

bare_app = Flask("bare")


@bare_app.post("/sms")
def bare_sms() -> Response:
    """Answer fixed TwiML: the most a Flask app under this gunicorn can do."""
    body = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Hello</Message></Response>'
    return Response(body, mimetype="application/xml")


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def signed_requests(url: str, count: int, seed: int = 7) -> list[dict[str, str]]:
    """Build ``count`` varied webhook posts, each with its own MessageSid and a valid signature."""
    rng = random.Random(seed)
    validator = RequestValidator(TOKEN)
    out = []
    for i in range(count):
        params = {
            "MessageSid": f"SMbench{i:08d}", "AccountSid": "ACbench", "From": f"+1905555{rng.randrange(10000):04d}",
            "To": "+12895550100", "Body": rng.choice(MESSAGES), "NumMedia": "0",
        }
        out.append({"body": urllib.parse.urlencode(params), "sig": validator.compute_signature(url, params)})
    return out


LUA = """
local requests = {}
local file = io.open("%(data)s")
for line in file:lines() do
  local sig, body = line:match("^(%%S+) (.*)$")
  requests[#requests + 1] = {sig, body}
end
file:close()
local counter, id, threads = 0, 0, %(threads)d
local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end
function init(args)
  counter = 0
end
function request()
  -- Threads take interleaved requests so no MessageSid is sent twice.
  local index = (counter * threads + id) %% #requests + 1
  counter = counter + 1
  local r = requests[index]
  return wrk.format("POST", "/sms", {["Content-Type"] = "application/x-www-form-urlencoded",
                                     ["X-Twilio-Signature"] = r[1]}, r[2])
end
"""


def start(target: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start gunicorn with two workers on ``port`` and wait until it answers."""
    cmd = [str(ROOT / ".venv/bin/gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--pythonpath",
           f"{ROOT},{ROOT / 'benchmarks'}", "--log-level", "warning", "--graceful-timeout", "5", target]
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sms", data=b"", timeout=30)
        except urllib.error.HTTPError:
            return proc  # 403 without a signature: the app is up
        except OSError:  # refused while binding, or a timeout while the workers boot
            time.sleep(0.2)
            continue
        return proc
    proc.terminate()
    proc.wait(timeout=30)
    raise SystemExit(f"gunicorn did not start: {target}")


def warm_up(port: int, requests: list[dict[str, str]]) -> None:
    """Send warm-up requests so each worker has loaded the matcher, the directory and every language."""
    for r in requests:
        req = urllib.request.Request(f"http://127.0.0.1:{port}/sms", data=r["body"].encode(),
                                     headers={"X-Twilio-Signature": r["sig"]})
        urllib.request.urlopen(req, timeout=30).read()


def _ms(value: str) -> float:
    found = re.match(r"([\d.]+)(us|ms|s|m)$", value)
    if found is None:
        raise SystemExit(f"cannot read the latency {value!r} printed by wrk")
    number, unit = found.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(port: int, script: Path, seconds: int, connections: int, threads: int) -> dict[str, float]:
    """Run wrk and return rps, p50, p99 (ms) and errors."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
           f"http://127.0.0.1:{port}/sms"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    # Percentiles come after "Latency Distribution"; the thread stats above also print percentages.
    latency = out[out.index("Latency Distribution"):]
    p50 = _ms(re.search(r"50%[ \t]+(\S+)", latency).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"99%[ \t]+(\S+)", latency).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(non2xx.group(1)) if non2xx else 0
    errors += sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "errors": errors}


def bench(target: str, env: dict[str, str], args: argparse.Namespace, work: Path) -> dict[str, float]:
    """Serve ``target`` under gunicorn and load it with wrk."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/sms"
    expected = int(args.seconds * 4000) + 1000  # more than wrk can send, so no MessageSid repeats
    requests = signed_requests(url, expected)
    data = work / f"requests-{port}.txt"
    data.write_text("".join(f"{r['sig']} {r['body']}\n" for r in requests), encoding="utf-8")
    script = work / f"signed-{port}.lua"
    script.write_text(LUA % {"data": data, "threads": args.threads}, encoding="utf-8")
    proc = start(target, port, env)
    try:
        warm_up(port, _warm(url))  # warm-up MessageSids are outside the measured set
        return run_wrk(port, script, args.seconds, args.connections, args.threads)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def _warm(url: str) -> list[dict[str, str]]:
    validator = RequestValidator(TOKEN)
    out = []
    # Every message twice, so both workers have loaded what each language needs (detectors, stemmers).
    for i, body in enumerate(MESSAGES * 2):
        params = {"MessageSid": f"SMwarm{i:04d}", "From": f"+1905000{i:04d}", "Body": body}
        out.append({"body": urllib.parse.urlencode(params), "sig": validator.compute_signature(url, params)})
    return out


def main() -> None:
    """Run both benchmarks and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    # A SIGTERM (e.g. from `timeout`) must still stop the gunicorn this script started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {**os.environ, "TWILIO_AUTH_TOKEN": TOKEN, "NAVIGATOR_SECRET_KEY": "bench-secret",
               "NAVIGATOR_STATE_DB": str(work / "state.db")}
        results = {
            "navigator /sms": bench("navigator.app:create_app()", env, args, work),
            "bare Flask (ceiling)": bench("sms_bench:bare_app", env, args, work),
        }
    print(f"gunicorn 2 workers, wrk {args.threads} threads, {args.connections} connections, {args.seconds} s")
    for name, r in results.items():
        print(f"{name:22} {r['rps']:9.1f} rps   p50 {r['p50_ms']:7.2f} ms   p99 {r['p99_ms']:7.2f} ms"
              f"   errors {int(r['errors'])}")
    share = results["navigator /sms"]["rps"] / results["bare Flask (ceiling)"]["rps"]
    print(f"navigator reaches {share:.0%} of the ceiling (target >= 50%, p99 < 50 ms, 0 errors)")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
