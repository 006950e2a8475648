"""The contact-center pages in a real browser: headless Chromium (Debian's chromium and
chromium-driver) driven by Selenium. An agent's first sign-in on the /login page goes to the
microphone check; with the microphone allowed the page shows a live level from Chromium's fake
device (a beeping tone), with it denied the page explains how to allow it in Chrome, Edge and
Firefox; either way the result is recorded on the person and the agent goes on to the apps
page, which shows only the apps of their roles. An agent without a Presence Reason list is
refused on the sign-in page. The tenant's `landing` setting sends administrators to User
Management and agents straight to an app.

Chromium starts with only --use-fake-device-for-media-stream (a microphone exists); each test
grants or denies it for the server's origin with CDP Browser.setPermission
(../shared/BROWSER-TESTS.md). --use-fake-ui-for-media-stream is never used: it would override
the denial.

Screenshots go to $GATEHOUSE_TEST_SCREENSHOTS when it is set (docs/screenshots/ holds the ones
committed), else to the test's temporary directory. These tests fail, never skip, when the
browser is missing: scripts/test installs it.
"""

from __future__ import annotations

import os
import struct
import threading
import time
import zlib
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from harness import (GOOD_PASSWORD, SESSION_COOKIE, Server, bootstrap_tenant, create_tenant, create_user, expect, migrate,
                     update_settings, users_path)

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT = 20
MESSAGE = "You need a Presence Reason list. Contact your administrator."
ANA = "ana.diaz@acme.test"
BEN = "ben.okoro@acme.test"
NED = "ned.okafor@nolist.test"
CONTINUE_WITHOUT = "Continue without the microphone"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def browser():
    """A headless Chromium for one test, with a fake microphone whose permission each test sets."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if missing:
        pytest.fail(f"browser tests need Debian's chromium and chromium-driver ({', '.join(missing)} missing): "
                    "scripts/test installs them", pytrace=False)
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as error:
        pytest.fail(f"browser tests need selenium (e2e/requirements.txt): {error}", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # --no-sandbox: CI runs as root. 1280x943 gives a 1280x800 viewport with --headless=new.
    # Only the fake device: never --use-fake-ui-for-media-stream, which would allow every request.
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,943",
                "--use-fake-device-for-media-stream"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def screenshots(tmp_path) -> Path:
    configured = os.environ.get("GATEHOUSE_TEST_SCREENSHOTS")
    directory = Path(configured) if configured else tmp_path / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def tiny_png(rgb=(32, 96, 192), size: int = 8) -> bytes:
    """A valid size x size PNG of one colour (so a browser can decode it)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


class AppSite:
    """Another web site on loopback standing in for a contact-center app: any path answers a
    small page naming it, *.png answers an icon; every request is remembered."""

    def __init__(self):
        site = self
        self.requests: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                site.requests.append(self.path)
                if self.path.split("?")[0].endswith(".png"):
                    body, kind = tiny_png(), "image/png"
                else:
                    body, kind = b"<!doctype html><title>Agent Desktop</title><h1 id='desktop'>Agent Desktop</h1>", \
                        "text/html; charset=utf-8"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def app_site():
    site = AppSite()
    yield site
    site.stop()


# --------------------------------------------------------------------------- page helpers


def by(css: str):
    from selenium.webdriver.common.by import By
    return (By.CSS_SELECTOR, css)


def page_text(driver) -> str:
    try:
        return driver.find_element(*by("body")).text
    except Exception as error:     # e.g. an error page without a body
        return f"(no page text: {error})"


def wait_until(driver, condition, what: str, timeout: float = WAIT):
    """Polls `condition(driver)` until it returns something truthy; fails saying `what`."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition)
    except TimeoutException:
        raise AssertionError(f"waited {timeout}s for {what} on {driver.current_url}; the page says:\n{page_text(driver)}")


def wait_for(driver, css: str):
    """The element `css` once the page shows it."""
    from selenium.webdriver.support import expected_conditions
    return wait_until(driver, expected_conditions.visibility_of_element_located(by(css)), f"a visible {css!r}")


def wait_for_path(driver, path: str) -> None:
    wait_until(driver, lambda d: urlsplit(d.current_url).path == path, f"the browser to be on {path}")


def attribute_becomes(driver, css: str, name: str, value: str) -> None:
    wait_until(driver, lambda d: d.find_element(*by(css)).get_attribute(name) == value,
               f"{css}[{name}={value!r}] (it is {driver.find_element(*by(css)).get_attribute(name)!r})")


def type_into(driver, css: str, text: str) -> None:
    field = wait_for(driver, css)
    field.clear()
    field.send_keys(text)


def sign_in_on_login_page(driver, server: Server, username: str) -> None:
    driver.get(server.url("/login"))
    type_into(driver, "#username", username)
    type_into(driver, "#password", GOOD_PASSWORD)
    driver.find_element(*by("form[action='/login'] button[type=submit]")).click()


def microphone(driver, server: Server, setting: str) -> None:
    """Grants or denies the microphone to the server's origin (from the next getUserMedia)."""
    driver.execute_cdp_cmd("Browser.setPermission", {"origin": server.base_url,
                                                     "permission": {"name": "microphone"}, "setting": setting})


def session_cookie(driver):
    return {c["name"]: c for c in driver.get_cookies()}.get(SESSION_COOKIE)


def visible(driver, css: str) -> bool:
    return driver.find_element(*by(css)).is_displayed()


def on_microphone_page(driver, next_path: str) -> None:
    wait_for(driver, "#mic-check")
    url = urlsplit(driver.current_url)
    assert url.path == "/account/microphone" and parse_qs(url.query).get("next") == [next_path], driver.current_url


def recorded(server: Server, tenant, user_id: str, since: datetime) -> tuple[str, datetime]:
    """The microphone check the admin API shows for the user: (result, checked_at)."""
    user = expect(server.get(users_path(tenant.slug, user_id), tenant.admin_token), 200)
    checked_at = user.get("microphone_checked_at")
    assert isinstance(checked_at, str), f"expected a microphone_checked_at timestamp: {user}"
    when = datetime.fromisoformat(checked_at.replace("Z", "+00:00"))
    now = datetime.now(timezone.utc)
    assert since - timedelta(seconds=5) <= when <= now + timedelta(seconds=5), \
        f"microphone_checked_at {checked_at} is not between {since} and {now}"
    return user["microphone_check_result"], when


def app_tiles(driver) -> set[str]:
    return {tile.get_attribute("data-app-id") for tile in driver.find_elements(*by("#apps li.tile.app"))}


def create_app(server: Server, tenant, name: str, url: str, roles: list, icon=None) -> dict:
    body = {"name": name, "url": url, "roles": roles}
    if icon is not None:
        body["icon"] = icon
    return expect(server.post(f"/api/v1/tenants/{tenant.slug}/apps", tenant.admin_token, json=body), 201)


def api_session(server: Server, username: str) -> requests.Session:
    """A client signed in through the API (Origin header as a browser sends it)."""
    http = requests.Session()
    http.headers["Origin"] = server.base_url
    expect(server.post("/api/v1/login", session=http, json={"username": username, "password": GOOD_PASSWORD}), 200)
    return http


def sign_out(driver, server: Server) -> None:
    driver.get(server.url("/account"))
    wait_for(driver, "#sign-out").click()
    wait_for(driver, "form[action='/login'] #username")
    assert session_cookie(driver) is None


# --------------------------------------------------------------------------- tests


def test_first_sign_in_checks_the_allowed_microphone_then_shows_the_agents_apps(db, servers, browser, screenshots,
                                                                              app_site):
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")     # with a default list
    ana = create_user(db, "acme", ANA, "Ana", "Diaz", roles=("agent",), password=GOOD_PASSWORD)
    server = servers()
    desktop = create_app(server, acme, "Agent Desktop", app_site.url + "/desktop", ["agent", "supervisor"])
    reports = create_app(server, acme, "Reports", app_site.url + "/reports", ["administrator"])
    started = datetime.now(timezone.utc)

    microphone(browser, server, "granted")
    sign_in_on_login_page(browser, server, ANA)
    on_microphone_page(browser, "/landing")
    attribute_becomes(browser, "#mic-check", "data-state", "allowed")
    assert session_cookie(browser), "the agent is signed in on the microphone page"
    assert visible(browser, "#mic-meter-box") and visible(browser, "meter#mic-level")
    assert not visible(browser, "#mic-denied") and not visible(browser, "#mic-retry")
    assert "Fake" in browser.find_element(*by("#mic-device")).text, \
        "the page names the device: " + repr(browser.find_element(*by("#mic-device")).text)
    # The fake device plays a tone: the live level moves.
    wait_until(browser, lambda d: float(d.find_element(*by("meter#mic-level")).get_attribute("data-peak") or 0) > 0,
               "the microphone level's peak to rise above 0")
    attribute_becomes(browser, "#mic-check", "data-recorded", "allowed")
    assert browser.find_element(*by("#mic-continue")).text == "Continue"
    # The tone comes in beeps: take the picture while the meter shows one (best effort).
    try:
        wait_until(browser, lambda d: float(d.find_element(*by("meter#mic-level")).get_attribute("value")) >= 30,
                   "a beep on the meter", timeout=5)
    except AssertionError:
        pass
    browser.save_screenshot(str(screenshots / "microphone-allowed.png"))

    result, _ = recorded(server, acme, ana, started)
    assert result == "allowed"

    # On to the apps page: only the agents' app, and My account.
    browser.find_element(*by("#mic-continue")).click()
    wait_for(browser, "ul#apps")
    wait_for_path(browser, "/apps")
    assert app_tiles(browser) == {desktop["id"]}, f"an agent sees only the agents' app: {app_tiles(browser)}"
    assert reports["id"] not in app_tiles(browser) and "Reports" not in page_text(browser)
    assert "Agent Desktop" in wait_for(browser, f"li.tile.app[data-app-id='{desktop['id']}']").text
    assert visible(browser, "#my-account")
    browser.save_screenshot(str(screenshots / "apps.png"))

    # The tile opens the app.
    browser.find_element(*by(f"li.tile.app[data-app-id='{desktop['id']}'] a")).click()
    wait_until(browser, lambda d: d.current_url == app_site.url + "/desktop", "the agent desktop app")

    # With a result recorded, the next sign-in goes straight to the apps page.
    sign_out(browser, server)
    sign_in_on_login_page(browser, server, ANA)
    wait_for(browser, "ul#apps")
    wait_for_path(browser, "/apps")


def test_a_denied_microphone_is_explained_recorded_and_the_agent_goes_on(db, servers, browser, screenshots):
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    ben = create_user(db, "acme", BEN, "Ben", "Okoro", roles=("agent",), password=GOOD_PASSWORD)
    server = servers()
    started = datetime.now(timezone.utc)

    microphone(browser, server, "denied")
    sign_in_on_login_page(browser, server, BEN)
    on_microphone_page(browser, "/landing")
    attribute_becomes(browser, "#mic-check", "data-state", "denied")
    assert visible(browser, "#mic-denied") and not visible(browser, "#mic-meter-box")
    for css, browser_name in (("#help-chrome", "Chrome"), ("#help-edge", "Edge"), ("#help-firefox", "Firefox")):
        help_text = wait_for(browser, css).text
        assert browser_name in help_text, f"{css} must explain {browser_name}: {help_text!r}"
    effect = wait_for(browser, "#mic-denied-effect").text
    assert "call" in effect.lower(), f"#mic-denied-effect must say what will not work: {effect!r}"
    assert browser.find_element(*by("#mic-continue")).text == CONTINUE_WITHOUT
    assert visible(browser, "#mic-retry")
    attribute_becomes(browser, "#mic-check", "data-recorded", "denied")
    browser.save_screenshot(str(screenshots / "microphone-denied.png"))

    result, _ = recorded(server, acme, ben, started)
    assert result == "denied"

    # The agent can go on without the microphone.
    browser.find_element(*by("#mic-continue")).click()
    wait_for(browser, "ul#apps")
    wait_for_path(browser, "/apps")
    assert session_cookie(browser)


def denied_first_sign_in(db, servers, browser):
    """Ben's first sign-in with the microphone denied; returns (server, tenant, Ben's id) on the check page."""
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    ben = create_user(db, "acme", BEN, "Ben", "Okoro", roles=("agent",), password=GOOD_PASSWORD)
    server = servers()
    microphone(browser, server, "denied")
    sign_in_on_login_page(browser, server, BEN)
    on_microphone_page(browser, "/landing")
    attribute_becomes(browser, "#mic-check", "data-state", "denied")
    attribute_becomes(browser, "#mic-check", "data-recorded", "denied")
    return server, acme, ben


def test_try_again_after_allowing_the_microphone_records_allowed(db, servers, browser):
    started = datetime.now(timezone.utc)
    server, acme, ben = denied_first_sign_in(db, servers, browser)
    result, denied_at = recorded(server, acme, ben, started)
    assert result == "denied"

    # Allowed in the browser's settings, then Try again: the level shows and the new result
    # replaces the old one.
    microphone(browser, server, "granted")
    wait_for(browser, "#mic-retry").click()
    attribute_becomes(browser, "#mic-check", "data-state", "allowed")
    attribute_becomes(browser, "#mic-check", "data-recorded", "allowed")
    assert visible(browser, "#mic-meter-box") and not visible(browser, "#mic-denied")
    wait_until(browser, lambda d: float(d.find_element(*by("meter#mic-level")).get_attribute("data-peak") or 0) > 0,
               "the microphone level's peak to rise above 0")
    result, allowed_at = recorded(server, acme, ben, started)
    assert result == "allowed" and allowed_at >= denied_at
    browser.find_element(*by("#mic-continue")).click()
    wait_for(browser, "ul#apps")
    wait_for_path(browser, "/apps")


def test_after_a_successful_try_again_the_link_no_longer_says_without_the_microphone(db, servers, browser):
    server, _, _ = denied_first_sign_in(db, servers, browser)
    assert browser.find_element(*by("#mic-continue")).text == CONTINUE_WITHOUT
    microphone(browser, server, "granted")
    wait_for(browser, "#mic-retry").click()
    attribute_becomes(browser, "#mic-check", "data-state", "allowed")
    assert browser.find_element(*by("#mic-continue")).text == "Continue"


def test_an_agent_without_a_list_sees_the_message_and_gets_no_session(db, servers, browser):
    migrate(db)
    create_tenant(db, "nolist", "Nolist Support", presence_reasons=None)
    create_user(db, "nolist", NED, "Ned", "Okafor", roles=("agent",), password=GOOD_PASSWORD)
    server = servers()
    microphone(browser, server, "granted")

    sign_in_on_login_page(browser, server, NED)
    error = wait_for(browser, "#login-error")
    assert error.text == MESSAGE, error.text
    wait_for_path(browser, "/login")
    assert session_cookie(browser) is None, "the gate must give the browser no session"
    # Not signed in: the account page sends the browser back to the sign-in page.
    browser.get(server.url("/account"))
    wait_for(browser, "form[action='/login'] #username")
    wait_for_path(browser, "/login")
    assert session_cookie(browser) is None


def landing_world(db, servers, app_site):
    """acme with two agents, an agents' app on another site, and the landing setting sending
    administrators to User Management and agents to that app."""
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    create_user(db, "acme", ANA, "Ana", "Diaz", roles=("agent",), agent_id="1001", password=GOOD_PASSWORD)
    create_user(db, "acme", BEN, "Ben", "Okoro", roles=("agent",), agent_id="1002", password=GOOD_PASSWORD)
    server = servers()
    desktop = create_app(server, acme, "Agent Desktop", app_site.url + "/desktop?from=gatehouse", ["agent"])
    settings = update_settings(server, "acme", acme.admin_token,
                               landing={"administrator": "console", "agent": f"app:{desktop['id']}"})
    assert settings["landing"]["agent"] == f"app:{desktop['id']}", settings
    return server, acme, desktop


def test_the_landing_setting_sends_administrators_to_user_management(db, servers, browser, app_site):
    server, acme, _ = landing_world(db, servers, app_site)
    expect(server.request("PUT", "/api/v1/account/microphone-check", json={"result": "allowed"},
                      session=api_session(server, ANA)), 200)

    sign_in_on_login_page(browser, server, acme.admin_email)
    table = wait_for(browser, "table#users")
    wait_for_path(browser, "/admin/users")
    rows = {row.find_element(*by("td")).text: row.text for row in table.find_elements(*by("tbody tr"))}
    assert set(rows) == {"Admin Acme", "Ana Diaz", "Ben Okoro"}, rows
    # The microphone column: Ana's check is shown, Ben has none.
    assert "allowed" in rows["Ana Diaz"] and "allowed" not in rows["Ben Okoro"], rows
    type_into(browser, "#q", "Okoro")
    browser.find_element(*by("#q")).submit()
    wait_until(browser, lambda d: [r.find_element(*by("td")).text for r in d.find_elements(*by("#users tbody tr"))]
               == ["Ben Okoro"], "the search to leave only Ben Okoro")
    assert parse_qs(urlsplit(browser.current_url).query).get("q") == ["Okoro"], browser.current_url


def test_the_landing_setting_sends_an_agent_to_their_app_after_the_microphone_check(db, servers, browser, app_site):
    server, _, _ = landing_world(db, servers, app_site)
    microphone(browser, server, "granted")
    sign_in_on_login_page(browser, server, ANA)
    on_microphone_page(browser, "/landing")
    attribute_becomes(browser, "#mic-check", "data-recorded", "allowed")
    browser.find_element(*by("#mic-continue")).click()
    wait_until(browser, lambda d: d.current_url == app_site.url + "/desktop?from=gatehouse", "the agent's app")
    assert "/desktop?from=gatehouse" in app_site.requests


def test_a_later_sign_in_goes_straight_to_the_agents_app(db, servers, browser, app_site):
    server, _, _ = landing_world(db, servers, app_site)
    # The microphone check is done already (recorded through the API).
    expect(server.request("PUT", "/api/v1/account/microphone-check", json={"result": "allowed"},
                      session=api_session(server, ANA)), 200)
    sign_in_on_login_page(browser, server, ANA)
    wait_until(browser, lambda d: d.current_url == app_site.url + "/desktop?from=gatehouse",
               f"the agent's app (browser log: {browser.get_log('browser')})")


def test_an_app_icon_from_another_http_site_is_shown(db, servers, browser, app_site):
    """The API takes an absolute http URL as an app's icon; the apps page must let it load."""
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    create_user(db, "acme", ANA, "Ana", "Diaz", roles=("agent",), password=GOOD_PASSWORD)
    server = servers()
    desktop = create_app(server, acme, "Agent Desktop", app_site.url + "/desktop", ["agent"],
                         icon=app_site.url + "/desktop.png")
    assert desktop["icon"] == app_site.url + "/desktop.png", desktop
    microphone(browser, server, "granted")
    sign_in_on_login_page(browser, server, ANA)
    on_microphone_page(browser, "/landing")
    attribute_becomes(browser, "#mic-check", "data-recorded", "allowed")
    browser.get(server.url("/apps"))
    icon = wait_for(browser, f"li.tile.app[data-app-id='{desktop['id']}'] img")
    assert icon.get_attribute("src") == app_site.url + "/desktop.png"
    deadline = time.monotonic() + WAIT
    while not browser.execute_script("return arguments[0].complete", icon) and time.monotonic() < deadline:
        time.sleep(0.1)
    width = browser.execute_script("return arguments[0].naturalWidth", icon)
    assert width == 8, (f"the icon did not load (naturalWidth {width}); the icon site saw {app_site.requests}; "
                        f"browser log: {[e['message'] for e in browser.get_log('browser')]}")
