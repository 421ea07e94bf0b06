"""Browser fixtures: the session app served over HTTP in a thread, and a Playwright page on
Debian's chromium. Browser tests carry the `browser` marker.

Every page records its console; a Content Security Policy violation or an uncaught script error
fails the test that caused it, so no template can slip an inline script or style past the CSP."""
import os
import socket
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(app):
    """The session app on a free loopback port, same database as the tests. Yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: apt-get install -y chromium (never `playwright install`)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + "; CI=true requires the browser tests to run", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import Locator, expect, sync_playwright

    expect.set_options(timeout=10_000)  # the same patience as actions: CI machines are shared and slow
    # A page shows its HTML before its deferred scripts have run: a click then, on a loaded machine,
    # is an ordinary one (a confirm button navigates instead of opening its dialog). A person's click
    # comes later; the tests' clicks wait for the page's load the same way.
    click = Locator.click

    def click_once_loaded(locator, *args, **kwargs):
        locator.page.wait_for_load_state()
        return click(locator, *args, **kwargs)

    Locator.click = click_once_loaded
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def console_messages():
    """Everything the page wrote to its console, plus uncaught errors, as 'type: text' lines."""
    return []


@pytest.fixture
def page(browser, live_server, console_messages):
    """A fresh browser context (no cookies) with a page; relative URLs resolve against the live server."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("console", lambda message: console_messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console_messages.append(f"pageerror: {error}"))
    yield page
    context.close()
    problems = [m for m in console_messages if "Content Security Policy" in m or m.startswith("pageerror")]
    assert not problems, f"browser console reported: {problems}"
