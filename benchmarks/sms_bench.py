"""Load-test POST /sms under gunicorn with wrk, against a bare Flask app as the ceiling.

Both apps run under gunicorn (2 workers) on a free loopback port; wrk sends
correctly signed Twilio webhooks from many residents, with unique MessageSids
and the varied messages of benchmarks/messages.py (needs in twelve languages,
nearly all distinct, and the short replies of a conversation), for the given
duration.
Prints requests per second, p50 and p99 latency and errors for each run.

Usage: .venv/bin/python benchmarks/sms_bench.py [--seconds 30] [--connections 4]
Needs wrk (apt-get install wrk).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

from flask import Flask, Response
from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parent))

import messages
from serve import LUA_INTERLEAVE, Server, load_options, report, run_wrk, serve

TOKEN = "bench-auth-token"
bare_app = Flask("bare")


@bare_app.post("/sms")
def bare_sms() -> Response:
    """Answer fixed TwiML: the most a Flask app under this gunicorn can do."""
    body = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Hello</Message></Response>'
    return Response(body, mimetype="application/xml")


def signed_requests(url: str, count: int, seed: int = 7) -> list[dict[str, str]]:
    """Build ``count`` varied webhook posts, each with its own MessageSid and a valid signature."""
    rng = random.Random(seed)
    validator = RequestValidator(TOKEN)
    out = []
    for i in range(count):
        params = {
            "MessageSid": f"SMbench{i:08d}", "AccountSid": "ACbench", "From": f"+1905555{rng.randrange(10000):04d}",
            "To": "+12895550100", "Body": messages.message(rng)[0], "NumMedia": "0",
        }
        out.append({"body": urllib.parse.urlencode(params), "sig": validator.compute_signature(url, params)})
    return out


LUA = """
lines = {}
local file = io.open("%(data)s")
for line in file:lines() do
  local sig, body = line:match("^(%%S+) (.*)$")
  lines[#lines + 1] = {sig, body}
end
file:close()
""" + LUA_INTERLEAVE + """
function request()
  local r = next_line()
  return wrk.format("POST", "/sms", {["Content-Type"] = "application/x-www-form-urlencoded",
                                     ["X-Twilio-Signature"] = r[1]}, r[2])
end
"""


def warm_up(server: Server, requests: list[dict[str, str]]) -> None:
    """Send warm-up requests so each worker has loaded the matcher, the directory and every language."""
    for r in requests:
        req = urllib.request.Request(server.url("/sms"), data=r["body"].encode(),
                                     headers={"X-Twilio-Signature": r["sig"]})
        urllib.request.urlopen(req, timeout=30).read()


def bench(target: str, env: dict[str, str], args: argparse.Namespace, work: Path) -> dict[str, float]:
    """Serve ``target`` under gunicorn and load it with wrk; gunicorn is stopped whatever happens."""
    with serve(target, env, "/sms") as server:
        url = server.url("/sms")
        expected = int(args.seconds * 4000) + 1000  # more than wrk can send, so no MessageSid repeats
        requests = signed_requests(url, expected)
        data = work / f"requests-{server.port}.txt"
        data.write_text("".join(f"{r['sig']} {r['body']}\n" for r in requests), encoding="utf-8")
        script = work / f"signed-{server.port}.lua"
        script.write_text(LUA % {"data": data, "threads": args.threads}, encoding="utf-8")
        warm_up(server, _warm(url))  # warm-up MessageSids are outside the measured set
        return run_wrk(server, "/sms", script, args.seconds, args.connections, args.threads)


def _warm(url: str) -> list[dict[str, str]]:
    validator = RequestValidator(TOKEN)
    out = []
    # Every language twice, so both workers have loaded what each language needs (detectors, stemmers).
    for i, (body, _lang) in enumerate(messages.warm_messages() * 2):
        params = {"MessageSid": f"SMwarm{i:04d}", "From": f"+1905000{i:04d}", "Body": body}
        out.append({"body": urllib.parse.urlencode(params), "sig": validator.compute_signature(url, params)})
    return out


def main() -> None:
    """Run both benchmarks and print the figures."""
    args = load_options(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {**os.environ, "TWILIO_AUTH_TOKEN": TOKEN, "NAVIGATOR_SECRET_KEY": "bench-secret",
               "NAVIGATOR_STATE_DB": str(work / "state.db")}
        results = {
            "navigator /sms": bench("navigator.app:create_app()", env, args, work),
            "bare Flask (ceiling)": bench("sms_bench:bare_app", env, args, work),
        }
    report(results, args)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
