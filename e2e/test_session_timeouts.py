"""Acceptance 3: session time limits. An idle session ends, activity extends it, the absolute
limit ends it whatever the activity, "keep me signed in" sessions have their own idle limit and
no absolute one, and policy changes apply to sessions started afterwards. After an idle sign-out
the sign-in page says so and brings the person back where they were (return_to)."""

from __future__ import annotations

import re
import time
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import requests

from harness import (GOOD_PASSWORD, SESSION_PATH, cookie_header, bootstrap_tenant, create_user, expect, migrate,
                     page_form, parse_html, record_microphone_check, session_alive, show, sign_in, update_settings)

ANA = "ana.diaz@acme.test"
IDLE, ABSOLUTE, PERSISTENT_IDLE = 2, 5, 2
POLL = 0.4          # well inside the idle limit; >= idle/10, so each poll is recorded as activity


def poll_alive(server, clients, seconds: float) -> None:
    """Uses each client's session every POLL seconds for `seconds`; each use must succeed.
    The cookie is sent by hand, so the server's own limits are what is tested."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for name, client in clients.items():
            resp = server.get(SESSION_PATH, headers=cookie_header(client.cookie))
            assert resp.status_code == 200, f"session {name} ended although it was in use:\n" + show(resp)
        time.sleep(POLL)


def instant_of(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def test_idle_and_absolute_limits(db, servers):
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    create_user(db, "acme", ANA, "Ana", "Diaz", password=GOOD_PASSWORD)
    server = servers()

    before = sign_in(server, ANA, GOOD_PASSWORD)                  # under the default policy (30 min idle)
    # Ana (an agent) has done her microphone check, so a page sign-in sends her straight to the
    # return_to rather than to the microphone page first.
    record_microphone_check(server, before.cookie)
    settings = update_settings(server, "acme", acme.admin_token, session_policy={
        "idle_timeout_seconds": IDLE, "absolute_timeout_seconds": ABSOLUTE,
        "persistent_idle_timeout_seconds": PERSISTENT_IDLE})
    assert settings["session_policy"]["idle_timeout_seconds"] == IDLE, settings

    idle = sign_in(server, ANA, GOOD_PASSWORD)                    # never used again
    busy = sign_in(server, ANA, GOOD_PASSWORD)                    # used every POLL seconds
    kept_busy = sign_in(server, ANA, GOOD_PASSWORD, keep_signed_in=True)
    kept_idle = sign_in(server, ANA, GOOD_PASSWORD, keep_signed_in=True)
    # A browser that signs in through the page and then leaves it alone.
    browser = requests.Session()
    csrf = page_form(server.get("/login", session=browser), "/login")["csrf_token"]["value"]
    assert server.post("/login", session=browser, data={"csrf_token": csrf, "username": ANA,
                                                        "password": GOOD_PASSWORD}).status_code == 302
    started = time.monotonic()
    first_idle_expiry = instant_of(busy.body["session"]["idle_expires_at"])
    assert kept_busy.body["session"]["absolute_expires_at"] is None, kept_busy.body

    # Past the idle limit: the unused sessions are gone, the used ones are not.
    poll_alive(server, {"busy": busy, "kept busy": kept_busy}, IDLE + 1.0)
    assert not session_alive(server, idle.cookie), f"a session unused for > {IDLE}s must end"
    assert not session_alive(server, kept_idle.cookie), \
        f"a keep-signed-in session unused for > {PERSISTENT_IDLE}s (persistent idle limit) must end"
    now = expect(server.get(SESSION_PATH, headers=cookie_header(busy.cookie)), 200)
    assert instant_of(now["session"]["idle_expires_at"]) > first_idle_expiry, \
        f"use must push the idle limit back: at sign-in {busy.body['session']}, now {now['session']}"

    # The sign-in page tells the idle browser why, and brings it back to where it was going.
    account = server.get("/account", session=browser)
    assert account.status_code == 302, "an ended session cannot see /account:\n" + show(account)
    location = urlsplit(account.headers["Location"])
    assert location.path == "/login" and parse_qs(location.query).get("return_to") == ["/account"], show(account)
    page = server.get(account.headers["Location"], session=browser)
    assert page.status_code == 200, show(page)
    assert re.search(r"activity|inactiv|idle", parse_html(page.text).text, re.I), \
        "after an idle sign-out the sign-in page should say so:\n" + show(page)
    fields = page_form(page, "/login")
    assert fields.get("return_to", {}).get("value") == "/account", fields
    back = server.post("/login", session=browser, data={"csrf_token": fields["csrf_token"]["value"],
                                                        "return_to": "/account", "username": ANA,
                                                        "password": GOOD_PASSWORD})
    assert back.status_code == 302 and back.headers["Location"] == "/account", show(back)
    assert server.get("/account", session=browser).status_code == 200

    # The absolute limit ends the busy session however busy; the kept one has none.
    deadline = started + ABSOLUTE + 4.0
    busy_ended = False
    while time.monotonic() < deadline:
        if not session_alive(server, busy.cookie):
            busy_ended = True
            break
        assert session_alive(server, kept_busy.cookie)
        time.sleep(POLL)
    assert busy_ended, f"a session in constant use must still end at the absolute limit ({ABSOLUTE}s)"
    poll_alive(server, {"kept busy": kept_busy}, max(0.0, started + ABSOLUTE + 1.5 - time.monotonic()))
    assert session_alive(server, kept_busy.cookie), "a keep-signed-in session has no absolute limit"

    # The session from before the policy change kept the limits it started with.
    assert session_alive(server, before.cookie), \
        "a policy change must apply to sessions started afterwards only"
