"""Helpers for the browser tests: the real app on a free port, other sites, Debian's Chromium.

The app runs in a thread of this process, served by Werkzeug on 127.0.0.1 at
a free port; "other sites" are tiny HTTP servers on other ports, so each is a
different origin to the browser.  Chromium is the system's (/usr/bin/chromium,
or $CHROMIUM), launched through Playwright's ``executable_path``: Playwright's
own browser downloads are never used.
"""
from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import BaseWSGIServer, make_server

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
NEUTRAL_URL = "https://www.google.ca/"


def chromium_path() -> str:
    """Return the Chromium to drive; fail (never skip) with how to install it when missing."""
    candidate = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(candidate).exists():
        pytest.fail(
            f"Chromium not found at {candidate}. The browser tests need Debian's chromium: "
            "run `make test` (it installs it) or `apt-get install chromium`, or set CHROMIUM=/path/to/chromium.",
            pytrace=False,
        )
    return candidate


class LiveApp:
    """A WSGI app served on 127.0.0.1 at a free port, in a daemon thread."""

    def __init__(self, app: Any) -> None:
        self.server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="live-app", daemon=True)

    def start(self) -> LiveApp:
        """Start serving."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class Site:
    """Another origin: a tiny HTTP server answering each path with a page set by the test."""

    def __init__(self) -> None:
        pages: dict[str, str] = {}
        self.pages = pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = pages.get(self.path.split("?")[0])
                if body is None:
                    self.send_error(404)
                    return
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return  # keep test output readable

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="site", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@contextmanager
def chromium() -> Iterator[Any]:
    """Launch headless Debian Chromium through Playwright; yield the Browser."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def neutral_site(page: Any) -> list[str]:
    """Answer the quick-exit destination locally (no network); return the URLs it was asked for."""
    visits: list[str] = []

    def fulfil(route: Any) -> None:
        visits.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>Google</title><p>Search</p>")

    page.route("https://www.google.ca/**", fulfil)
    return visits


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot to tests/artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def host_page(app_url: str, lang: str = "en", extra: str = "") -> str:
    """Return a host page that embeds the widget the way a community website would."""
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Host site</title></head>'
        f"<body><h1>A community website</h1><p><a href=\"#top\">A link before the widget</a></p>{extra}"
        f'<script src="{app_url}/widget.js" data-lang="{lang}"></script></body></html>'
    )
