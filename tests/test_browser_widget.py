"""The widget in a real browser: headless Debian Chromium driving the real app on a free port.

A host site on another origin (allowed by NAVIGATOR_FRAME_ANCESTORS) embeds the
widget as a community website would; an unlisted site tries to frame the chat
and to steer the widget with forged messages.  Screenshots go to tests/artifacts/.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import LiveApp, Site, chromium, host_page, neutral_site, screenshot
from playwright.sync_api import expect
from test_web_api import SENDER, SID, TOKEN, RecordingHttpClient

from navigator import create_app

pytestmark = pytest.mark.browser
expect.set_options(timeout=15000)


@pytest.fixture(scope="module")
def sites() -> Iterator[dict[str, Site]]:
    made = {"host": Site(), "other": Site()}
    yield made
    for site in made.values():
        site.stop()


@pytest.fixture(scope="module")
def live(sites: dict[str, Site], tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    state = tmp_path_factory.mktemp("browser") / "state.db"
    app = create_app({
        "TESTING": True,
        "NAVIGATOR_STATE_DB": str(state),
        "NAVIGATOR_SECRET_KEY": "browser-test-secret",
        "NAVIGATOR_FRAME_ANCESTORS": f"'self' {sites['host'].url}",
    })
    # Load the intents and directory once, before any browser waits on a first answer.
    assert 200 == app.test_client().post("/api/chat", json={"message": "hello"}).status_code
    server = LiveApp(app).start()
    sites["host"].pages["/"] = host_page(server.url)
    sites["host"].pages["/fr"] = host_page(server.url, lang="fr")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-CA")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def open_widget(page: Any, url: str) -> Any:
    page.goto(url)
    page.click("#navigator-launcher")
    chat = page.frame_locator("#navigator-chat-frame")
    expect(chat.locator("#message")).to_be_visible()
    return chat


def chat_frame(page: Any) -> Any:
    return next(frame for frame in page.frames if "/chat" in frame.url)


def say(chat: Any, text: str) -> None:
    count = chat.locator(".message-navigator").count()
    chat.locator("#message").fill(text)
    chat.locator("#message").press("Enter")
    expect(chat.locator(".message-navigator")).to_have_count(count + 1)


def test_the_widget_answers_a_need_with_cards_and_details(page: Any, live: LiveApp, sites: dict[str, Site]) -> None:
    chat = open_widget(page, sites["host"].url + "/")
    # Focus moved into the panel, onto the message box.
    expect(page.locator("#navigator-launcher")).to_have_attribute("aria-expanded", "true")
    # (focus arrives once the frame has loaded: wait for it rather than read it at once)
    expect(chat.locator("#message")).to_be_focused()
    say(chat, "I need food in Milton")
    cards = chat.locator(".card")
    expect(cards.first).to_be_visible()
    assert 1 <= cards.count() <= 3
    call = cards.first.locator("a.call").first
    assert re.fullmatch(r"tel:\+1\d{10}(;ext=\d+)?", call.get_attribute("href"))
    assert call.get_attribute("aria-label").startswith("Call ")
    details = cards.first.locator("details")
    expect(details.locator("ul")).to_be_hidden()
    details.locator("summary").click()
    expect(details.locator("ul")).to_be_visible()
    expect(details.locator("li").first).not_to_be_empty()
    # Twilio is not configured here, so the "send to my phone" form stays hidden.
    expect(chat.locator("#send-form")).to_be_hidden()
    # The transcript is a polite live log; each message says its language and direction.
    log = chat.locator("#log")
    assert ("log", "polite") == (log.get_attribute("role"), log.get_attribute("aria-live"))
    last = chat.locator(".message-navigator").last
    assert ("en", "ltr") == (last.get_attribute("lang"), last.get_attribute("dir"))
    screenshot(page, "widget-results")


def test_switching_to_french_relabels_the_chat_and_answers_in_french(page: Any, live: LiveApp,
                                                                      sites: dict[str, Site]) -> None:
    chat = open_widget(page, sites["host"].url + "/")
    frame = chat_frame(page)
    chat.locator("#language").select_option("fr")
    expect(chat.locator("html")).to_have_attribute("lang", "fr")
    french = frame.evaluate("fetch('/chat/labels.json?lang=fr').then(r => r.json())")
    expect(chat.locator("button.send")).to_have_text(french["labels"]["send"])
    say(chat, "j'ai besoin de nourriture à Milton")
    reply = chat.locator(".message-navigator").last
    expect(reply).to_have_attribute("lang", "fr")
    expect(chat.locator(".message-resident").last).to_have_attribute("lang", "fr")
    screenshot(page, "widget-french")


def test_arabic_lays_the_chat_out_right_to_left(page: Any, live: LiveApp, sites: dict[str, Site]) -> None:
    chat = open_widget(page, sites["host"].url + "/")
    chat.locator("#language").select_option("ar")
    expect(chat.locator("html")).to_have_attribute("dir", "rtl")
    say(chat, "أحتاج طعام في ميلتون")
    reply = chat.locator(".message-navigator").last
    assert ("ar", "rtl") == (reply.get_attribute("lang"), reply.get_attribute("dir"))
    assert "rtl" == chat.locator(".message-resident").last.get_attribute("dir")
    screenshot(page, "widget-arabic")


def test_a_crisis_message_shows_the_crisis_lines_with_call_links(page: Any, live: LiveApp,
                                                                 sites: dict[str, Site]) -> None:
    chat = open_widget(page, sites["host"].url + "/")
    say(chat, "I want to kill myself")
    crisis = chat.locator(".message-crisis")
    expect(crisis).to_have_count(1)
    expect(crisis).to_contain_text("911")
    hrefs = crisis.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert {"tel:911", "tel:988"} <= set(hrefs)
    assert len([h for h in hrefs if h.startswith("tel:+1")]) >= 2  # Distress Centre and COAST
    screenshot(page, "widget-crisis")


def test_discreet_mode_hides_what_services_are_for(page: Any, live: LiveApp, sites: dict[str, Site]) -> None:
    chat = open_widget(page, sites["host"].url + "/")
    chat.locator("#safe").check()
    expect(chat.locator(".message-navigator")).to_have_count(1)
    say(chat, "my husband hits me, I need a safe place in Oakville")
    expect(chat.locator(".card").first).to_be_visible()
    expect(chat.locator(".card .about")).to_have_count(0)
    expect(chat.locator("#safe")).to_be_checked()


def test_the_widget_works_with_the_keyboard_alone(page: Any, live: LiveApp, sites: dict[str, Site]) -> None:
    visits = neutral_site(page)
    page.goto(sites["host"].url + "/")
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "navigator-launcher":
            break
    assert "navigator-launcher" == page.evaluate("document.activeElement.id")
    page.keyboard.press("Enter")
    chat = page.frame_locator("#navigator-chat-frame")
    expect(chat.locator("#message")).to_be_focused()
    page.keyboard.type("I need food in Milton")
    page.keyboard.press("Enter")
    expect(chat.locator(".card").first).to_be_visible()
    # Shift+Tab walks back from the message box through the results to a call link.
    reached = None
    for _ in range(30):
        page.keyboard.press("Shift+Tab")
        href = chat_frame(page).evaluate("document.activeElement.getAttribute('href')")
        if href and href.startswith("tel:"):
            reached = href
            break
    assert reached is not None
    # Esc closes the panel and gives focus back to the launcher...
    page.keyboard.press("Escape")
    expect(page.locator("#navigator-chat-frame")).to_be_hidden()
    expect(page.locator("#navigator-launcher")).to_be_focused()
    page.wait_for_timeout(1700)
    # ...and Esc twice in a row leaves for a neutral site.
    page.keyboard.press("Enter")
    expect(chat.locator("#message")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url("https://www.google.ca/**")
    assert visits


def test_quick_exit_clears_the_chat_and_replaces_the_page(page: Any, live: LiveApp, sites: dict[str, Site]) -> None:
    visits = neutral_site(page)
    chat = open_widget(page, sites["host"].url + "/")
    say(chat, "I need food in Milton")
    chat.locator("#quick-exit").click()
    page.wait_for_url("https://www.google.ca/**")
    assert ["https://www.google.ca/"] == visits
    expect(page.locator("#navigator-launcher")).to_have_count(0)
    expect(page.locator("#navigator-chat-frame")).to_have_count(0)


def test_an_idle_conversation_is_announced_not_silently_dropped(page: Any, live: LiveApp) -> None:
    page.clock.install()
    page.goto(live.url + "/chat")
    page.fill("#message", "hello")
    page.press("#message", "Enter")
    expect(page.locator(".message-navigator")).to_have_count(1)
    page.clock.fast_forward("29:00")
    expect(page.locator(".message-notice")).to_have_count(0)
    page.clock.fast_forward("02:00")
    expect(page.locator(".message-notice")).to_have_count(1)
    expect(page.locator(".message-notice")).to_contain_text("idle")


def test_quick_exit_works_on_the_chat_page_alone(page: Any, live: LiveApp) -> None:
    visits = neutral_site(page)
    page.goto(live.url + "/chat")
    page.click("#quick-exit")
    page.wait_for_url("https://www.google.ca/**")
    assert visits


def test_an_unlisted_site_cannot_frame_the_chat(page: Any, live: LiveApp, sites: dict[str, Site]) -> None:
    refusals: list[str] = []
    page.on("console", lambda message: refusals.append(message.text) if "frame-ancestors" in message.text else None)
    sites["other"].pages["/frame"] = (
        f'<!doctype html><title>Other site</title><iframe id="chat" src="{live.url}/chat"></iframe>'
    )
    page.goto(sites["other"].url + "/frame")
    page.wait_for_timeout(500)
    framed = [frame for frame in page.frames if frame is not page.main_frame]
    assert 1 == len(framed)
    assert not framed[0].url.startswith(live.url)
    assert 0 == page.frame_locator("#chat").locator("#message").count()
    assert refusals and sites["other"].url not in refusals[0].split("directive:")[-1]


def test_the_allowed_host_can_frame_the_chat(page: Any, live: LiveApp, sites: dict[str, Site]) -> None:
    sites["host"].pages["/frame"] = f'<!doctype html><title>Host</title><iframe id="chat" src="{live.url}/chat"></iframe>'
    page.goto(sites["host"].url + "/frame")
    expect(page.frame_locator("#chat").locator("#message")).to_be_visible()


def test_messages_from_other_origins_are_ignored(page: Any, live: LiveApp, sites: dict[str, Site]) -> None:
    visits = neutral_site(page)
    sites["other"].pages["/forge"] = """<!doctype html><title>forger</title><script>
      // Pretend to be navigator's chat (to the loader) and the loader (to the chat).
      parent.postMessage({source: "navigator", type: "quick-exit"}, "*");
      parent.postMessage({source: "navigator", type: "close"}, "*");
      for (var i = 0; i < parent.frames.length; i += 1) {
        parent.frames[i].postMessage({source: "navigator-loader", type: "open"}, "*");
      }
    </script><p id="done">sent</p>"""
    chat = open_widget(page, sites["host"].url + "/")
    say(chat, "hello")
    page.evaluate(
        "url => { const f = document.createElement('iframe'); f.id = 'forger'; f.src = url;"
        " document.body.appendChild(f); }",
        sites["other"].url + "/forge",
    )
    expect(page.frame_locator("#forger").locator("#done")).to_have_text("sent")
    page.wait_for_timeout(300)
    assert page.url.startswith(sites["host"].url)
    assert [] == visits
    expect(page.locator("#navigator-chat-frame")).to_be_visible()
    expect(page.locator("#navigator-launcher")).to_have_attribute("aria-expanded", "true")
    expect(chat.locator(".message-navigator")).to_have_count(1)


def test_a_helper_is_offered_the_list_by_text_and_gets_it(browser: Any, tmp_path: Path) -> None:
    twilio = RecordingHttpClient()
    app = create_app({
        "TESTING": True, "NAVIGATOR_STATE_DB": str(tmp_path / "state.db"), "NAVIGATOR_SECRET_KEY": "browser-test-secret",
        "TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_FROM_NUMBER": SENDER,
        "NAVIGATOR_TWILIO_HTTP_CLIENT": twilio,
    })
    assert 200 == app.test_client().post("/api/chat", json={"message": "hello"}).status_code
    server = LiveApp(app).start()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(server.url + "/chat")
        page.fill("#message", "my mom needs food in Oakville")
        page.press("#message", "Enter")
        expect(page.locator(".card").first).to_be_visible()
        expect(page.locator("#send-form")).to_be_visible()
        expect(page.locator("#send-offer")).to_be_visible()
        page.fill("#phone", "905-555-0123")
        page.click("#send-form button[type=submit]")
        # Without the "Yes, text me" tick nothing is sent.
        expect(page.locator("#send-status")).not_to_be_empty()
        assert [] == twilio.requests
        page.check("#consent")
        page.click("#send-form button[type=submit]")
        expect(page.locator("#send-status")).to_contain_text("(905) ***-**23")
        [request] = twilio.requests
        assert "+19055550123" == request["data"]["To"]
        from axe_playwright_python.sync_playwright import Axe

        assert [] == _serious(Axe().run(page))
        screenshot(page, "chat-sent-to-phone")
    finally:
        context.close()
        server.stop()


def _serious(results: Any) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {v['help']} - {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("lang", ["en", "ar", "pa"])
def test_axe_finds_no_serious_violations_in_the_chat(page: Any, live: LiveApp, lang: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto(f"{live.url}/chat?lang={lang}")
    page.fill("#message", "I need food in Milton")
    page.press("#message", "Enter")
    expect(page.locator(".card").first).to_be_visible()
    page.locator(".card details summary").first.click()
    assert [] == _serious(Axe().run(page))
    screenshot(page, f"chat-page-{lang}")


def test_axe_finds_no_serious_violations_on_the_demo_page(page: Any, live: LiveApp) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto(live.url + "/")
    expect(page.locator("#navigator-launcher")).to_be_visible()
    page.click("#navigator-launcher")
    expect(page.frame_locator("#navigator-chat-frame").locator("#message")).to_be_visible()
    assert [] == _serious(Axe().run(page))
    screenshot(page, "demo-page")


@pytest.mark.parametrize(("width", "zoom"), [(320, 1), (640, 2)])
def test_the_chat_reflows_at_320_css_pixels(browser: Any, live: LiveApp, width: int, zoom: int) -> None:
    # 640 px at 200% zoom leaves 320 CSS pixels, the width WCAG 1.4.10 asks content to fit.
    context = browser.new_context(viewport={"width": width // zoom, "height": 640 // zoom},
                                  device_scale_factor=zoom)
    page = context.new_page()
    try:
        page.goto(f"{live.url}/chat?lang=pa")
        page.fill("#message", "I need food in Milton")
        page.press("#message", "Enter")
        expect(page.locator(".card").first).to_be_visible()
        page.locator(".card details summary").first.click()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        screenshot(page, f"chat-reflow-{width}-{zoom}x")
    finally:
        context.close()

