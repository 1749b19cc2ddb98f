"""The operator console in headless Debian Chromium: log in, search, filter, open, edit, answer a live chat.

The real app runs on a free port over a copy of the shipped directory (edits
write to the copy); a second browser context holds the residents' widget.
Screenshots go to tests/artifacts/.
"""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from browser import LiveApp, chromium, screenshot
from playwright.sync_api import expect
from test_operator_fixtures import PASSWORDS, Console, make_app

from navigator.settings import SHIPPED_DIRECTORY

pytestmark = pytest.mark.browser
expect.set_options(timeout=15000)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    folder = tmp_path_factory.mktemp("operator-browser")
    shutil.copy(SHIPPED_DIRECTORY, folder / "directory.db")
    app = make_app(folder, NAVIGATOR_DIRECTORY=str(folder / "directory.db"),
                   NAVIGATOR_STAFFED_HOURS="Mon-Sun 00:00-23:59")
    # Load the intents and directory once, before any browser waits on a first answer.
    assert 200 == app.test_client().post("/api/chat", json={"message": "hello"}).status_code
    assert 200 == Console(app.test_client(), "olive").get("/operator/api/search?q=food").status_code
    server = LiveApp(app).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def new_page(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-CA")
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    page = new_page(browser)
    yield page
    page.context.close()


def log_in(page: Any, live: LiveApp, name: str) -> None:
    page.goto(live.url + "/operator/")
    expect(page).to_have_url(live.url + "/operator/login?next=/operator/")
    page.fill("#name", name)
    page.fill("#password", PASSWORDS[name])
    page.click("form.login button[type=submit]")
    expect(page.locator("h1")).to_have_text("Search while a caller waits")


def _serious(results: Any) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {v['help']} - {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_a_wrong_password_is_refused_and_the_right_one_logs_in(page: Any, live: LiveApp) -> None:
    page.goto(live.url + "/operator/login")
    page.fill("#name", "olive")
    page.fill("#password", "not the password")
    page.click("form.login button[type=submit]")
    expect(page.locator("#login-error")).to_contain_text("do not match")
    log_in(page, live, "olive")
    cookie = next(c for c in page.context.cookies() if c["name"] == "session")
    assert (True, True, "Lax") == (cookie["secure"], cookie["httpOnly"], cookie["sameSite"])


def test_search_by_description_filter_and_open_a_record_by_keyboard(page: Any, live: LiveApp) -> None:
    from axe_playwright_python.sync_playwright import Axe

    log_in(page, live, "olive")
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.type("senior isolated in Milton, 80 years old")
    page.keyboard.press("Enter")
    chips = page.locator("#chips .chip")
    expect(chips).to_have_count(3)
    expect(chips.nth(1)).to_contain_text("Milton")
    expect(chips.nth(2)).to_contain_text("Age 80")
    expect(page.locator("#f-municipality")).to_have_value("milton")
    results = page.locator("#results .result")
    expect(results.first).to_be_visible()
    screenshot(page, "operator-search")
    assert [] == _serious(Axe().run(page))
    # Remove the town the text named: the search runs again without it.
    page.click("#chips .chip-municipality .chip-remove")
    expect(page.locator("#chips .chip-municipality")).to_have_count(0)
    expect(page.locator("#f-municipality")).to_have_value("")
    # Filter: open now.
    page.check("#f-open")
    expect(page.locator("#status")).not_to_have_text("Searching…")
    # Keyboard: leave the box, move down twice and up once, open with Enter.
    page.focus("#q")
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    first = results.first
    expect(first).to_have_class("result selected")
    name = first.locator("a.open-record").inner_text()
    page.keyboard.press("Enter")
    expect(page.locator("article.record h1")).to_have_text(name)
    assert [] == _serious(Axe().run(page))
    screenshot(page, "operator-record")
    # Esc comes back to the same search and its results.
    page.keyboard.press("Escape")
    expect(page.locator("#q")).to_have_value("senior isolated in Milton, 80 years old")
    expect(results.first).to_be_visible()
    expect(page.locator("#f-open")).to_be_checked()


def test_an_editor_fixes_a_phone_after_an_error_and_sees_the_history(page: Any, live: LiveApp) -> None:
    from axe_playwright_python.sync_playwright import Axe

    log_in(page, live, "eddie")
    page.fill("#q", "Distress Centre Halton")
    page.press("#q", "Enter")
    page.locator("#results .result a.open-record", has_text="Distress Centre Halton").first.click()
    page.click("#edit-link")
    before = page.input_value("#phones-0-number")
    page.fill("#phones-0-number", "905-555-01")
    page.click("#save")
    expect(page.locator("#form-errors")).to_contain_text("Nothing was saved")
    expect(page.locator("#err-phones-0-number")).to_contain_text("not a North American phone number")
    expect(page.locator("#phones-0-number")).to_have_attribute("aria-invalid", "true")
    assert [] == _serious(Axe().run(page))
    screenshot(page, "operator-edit-error")
    page.fill("#phones-0-number", "905-555-0188")
    page.click("#save")
    expect(page.locator(".notice")).to_have_text("Saved 1 change.")
    row = page.locator("#history tbody tr").first
    expect(row).to_contain_text("eddie")
    expect(row).to_contain_text(before)
    expect(row).to_contain_text("905-555-0188")
    expect(page.locator("article.record")).to_contain_text("(905) 555-0188")
    screenshot(page, "operator-history")


def test_an_operator_takes_a_web_chat_and_the_resident_sees_the_reply(browser: Any, live: LiveApp) -> None:
    from axe_playwright_python.sync_playwright import Axe

    resident = new_page(browser)
    operator = new_page(browser)
    try:
        resident.goto(live.url + "/")
        resident.click("#navigator-launcher")
        chat = resident.frame_locator("#navigator-chat-frame")
        # The chat moves focus to its message box once its script runs: typing before that is lost.
        expect(chat.locator("#message")).to_be_focused()
        chat.locator("#message").fill("I want to talk to a person")
        chat.locator("#message").press("Enter")
        expect(chat.locator(".message-navigator").last).to_contain_text("A person from our team will answer here")

        log_in(operator, live, "olive")
        operator.click("text=Live conversations")
        waiting = operator.locator("#queue li", has_text="asked for a person").first
        expect(waiting).to_be_visible()
        assert [] == _serious(Axe().run(operator))
        waiting.locator("a").click()
        expect(operator.locator("#transcript")).to_contain_text("I want to talk to a person")
        operator.click("#take")
        expect(operator.locator("#handoff-status")).to_contain_text("Taken by olive")
        operator.fill("#reply", "Hello, this is Olive from the navigator team. How can I help?")
        operator.click("#reply-form button[type=submit]")
        expect(operator.locator("#reply-status")).to_have_text("Sent.")
        assert [] == _serious(Axe().run(operator))
        screenshot(operator, "operator-conversation")

        reply = chat.locator(".message-operator")
        expect(reply).to_contain_text("Hello, this is Olive from the navigator team.")
        chat.locator("#message").fill("My rent is late")
        chat.locator("#message").press("Enter")
        expect(chat.locator(".message-navigator").last).to_contain_text("passed to the person helping you")
        expect(operator.locator("#transcript")).to_contain_text("My rent is late")
        screenshot(resident, "resident-sees-operator")
        operator.click("#release")
        expect(operator.locator("#handoff-status")).to_contain_text("Released")
    finally:
        resident.context.close()
        operator.context.close()
