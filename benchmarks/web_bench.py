"""Load-test POST /api/chat under gunicorn with wrk, against a bare Flask JSON endpoint as the ceiling.

Both apps run under gunicorn (2 workers) on a free loopback port; wrk sends
the varied messages of benchmarks/messages.py (needs in twelve languages,
nearly all distinct, and a conversation's short replies) in 200 web
conversations with ids issued by the app's own signing, for the
given duration.  Prints requests per second, p50 and p99 latency and errors
(non-2xx and socket errors) for each run.  Gunicorn is started and stopped by serve.py.

Usage: .venv/bin/python benchmarks/web_bench.py [--seconds 30] [--connections 4]
Needs wrk (apt-get install wrk).
Targets: navigator >= half the ceiling's rps, p99 < 50 ms, 0 errors.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import urllib.request
from pathlib import Path

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import messages
from serve import LUA_INTERLEAVE, Server, load_options, report, run_wrk, serve

SECRET = "bench-secret"
bare_app = Flask("bare")


@bare_app.post("/api/chat")
def bare_chat() -> ResponseReturnValue:
    """Parse the JSON and answer a fixed JSON reply: the most a Flask app under this gunicorn can do."""
    body = request.get_json()
    return jsonify(conversation_id=body.get("conversation_id", "x"), language="en",
                   reply={"text": "Hello", "cards": [], "quick_replies": []}, needs=[], crisis=False, services=[])


LUA = """
lines = {}
local file = io.open("%(data)s")
for line in file:lines() do lines[#lines + 1] = line end
file:close()
""" + LUA_INTERLEAVE + """
function request()
  return wrk.format("POST", "/api/chat", {["Content-Type"] = "application/json"}, next_line())
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
        text, lang = messages.message(rng)
        body: dict[str, str] = {"message": text, "conversation_id": rng.choice(ids)}
        if rng.random() < 0.5:
            body["lang"] = lang
        out.append(json.dumps(body, ensure_ascii=False))
    return out


def warm_up(server: Server, lines: list[str]) -> None:
    """Send warm-up requests so each worker has loaded the matcher, the directory and every language."""
    for line in lines:
        req = urllib.request.Request(server.url("/api/chat"), data=line.encode(),
                                     headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=60).read()


def bench(target: str, env: dict[str, str], args: argparse.Namespace, work: Path, lines: list[str]) -> dict[str, float]:
    """Serve ``target`` under gunicorn and load it with wrk; gunicorn is stopped whatever happens."""
    with serve(target, env, "/api/chat") as server:
        data = work / f"bodies-{server.port}.txt"
        data.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        script = work / f"chat-{server.port}.lua"
        script.write_text(LUA % {"data": data, "threads": args.threads}, encoding="utf-8")
        warm_up(server, _warm())
        return run_wrk(server, "/api/chat", script, args.seconds, args.connections, args.threads)


def _warm() -> list[str]:
    # Every message twice in new conversations, so both workers have loaded what each language needs.
    return [json.dumps({"message": text, "lang": lang}, ensure_ascii=False) for text, lang in messages.warm_messages() * 2]


def main() -> None:
    """Run both benchmarks and print the figures."""
    args = load_options(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        state = work / "state.db"
        env = {**os.environ, "NAVIGATOR_SECRET_KEY": SECRET, "NAVIGATOR_STATE_DB": str(state)}
        # More bodies than wrk can send: none is sent twice.
        lines = bodies(conversation_ids(200, state), int(args.seconds * 4000) + 1000)
        results = {
            "navigator /api/chat": bench("navigator.app:create_app()", env, args, work, lines),
            "bare Flask (ceiling)": bench("web_bench:bare_app", env, args, work, lines),
        }
    report(results, args)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
