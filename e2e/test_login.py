"""Acceptance 2: signing in by email and by agent ID, through the API and the sign-in page;
what a sign-in answers and sets; no way to tell an unknown user from a wrong password."""

from __future__ import annotations

import random
import re
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from harness import (APPS_PATH, CSRF_COOKIE, GOOD_PASSWORD, SESSION_COOKIE, SESSION_KEYS, SESSION_PATH,
                     USERNAME_COOKIE, Server, TenantFixture, bootstrap_tenant, cookie_header, create_user,
                     element_value, expect, json_of, login, microphone_first, migrate, new_user_body, page_form,
                     parse_html, record_microphone_check, session_alive, set_cookies, show, sign_in, users_path)

ANA = "ana.diaz@acme.test"
ANA_PASSWORD = "Harbour-Light-5"
GLOBEX_AGENT_PASSWORD = "Copper-Field-8"
TENANT_KEYS = {"id", "slug", "name", "region"}


@dataclass
class World:
    server: Server
    acme: TenantFixture
    globex: TenantFixture
    ana_id: str


@pytest.fixture
def world(db, servers) -> World:
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    globex = bootstrap_tenant(db, "globex", "Globex Support", "admin@globex.test")
    ana_id = create_user(db, "acme", ANA, "Ana", "Diaz", roles=("agent", "supervisor"), agent_id="1001",
                         password=ANA_PASSWORD)
    # The same agent ID in another tenant, with another password.
    create_user(db, "globex", "gus.grant@globex.test", "Gus", "Grant", agent_id="1001",
                password=GLOBEX_AGENT_PASSWORD)
    return World(servers(), acme, globex, ana_id)


def instant(value) -> datetime:
    assert isinstance(value, str), f"expected an RFC 3339 string, got {value!r}"
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def check_signed_in(body: dict, email: str, slug: str, roles: set[str], persistent: bool = False) -> None:
    """The documented shape of a sign-in answer (and, without "status", of GET /api/v1/session)."""
    assert body["user"]["email"] == email, body
    assert set(body["roles"]) == roles, body
    assert TENANT_KEYS <= body["tenant"].keys() and body["tenant"]["slug"] == slug, body
    uuid.UUID(body["tenant"]["id"])
    session = body["session"]
    missing = SESSION_KEYS - session.keys()
    assert not missing, f"session JSON lacks {sorted(missing)}: {session}"
    uuid.UUID(session["id"])
    assert session["current"] is True and session["persistent"] is persistent, session
    created, idle = instant(session["created_at"]), instant(session["idle_expires_at"])
    instant(session["last_seen_at"])
    assert idle > created, session
    if persistent:
        assert session["absolute_expires_at"] is None, "a persistent session has no absolute limit: " + str(session)
    else:
        assert instant(session["absolute_expires_at"]) > created, session
    assert instant(session["expires_at"]) == min(
        [idle] + ([] if persistent else [instant(session["absolute_expires_at"])])), session
    assert session["client_ip"] == "127.0.0.1", session
    assert isinstance(session["user_agent"], str) and session["user_agent"], session
    assert instant(body["expires_at"]) == instant(session["expires_at"]), body
    assert instant(body["idle_expires_at"]) == idle, body


def check_session_cookie(resp: requests.Response, persistent: bool) -> str:
    cookie = set_cookies(resp).get(SESSION_COOKIE)
    assert cookie and cookie["value"], "expected a gatehouse_session cookie:\n" + show(resp)
    attrs = cookie["attrs"]
    assert attrs.get("httponly") is True, cookie["header"]
    assert str(attrs.get("samesite", "")).lower() == "lax", cookie["header"]
    assert attrs.get("path") == "/", cookie["header"]
    if persistent:
        assert int(attrs.get("max-age", "0")) > 0, "keep_signed_in needs a Max-Age: " + cookie["header"]
    else:
        assert "max-age" not in attrs and "expires" not in attrs, \
            "without keep_signed_in the cookie must end with the browser: " + cookie["header"]
    return cookie["value"]


# ---------------------------------------------------------------------------- the API


def test_api_sign_in_by_email_and_by_agent_id(world: World):
    s = world.server

    resp = login(s, ANA, ANA_PASSWORD)
    body = expect(resp, 200)
    assert body.get("status") == "signed_in", body
    check_signed_in(body, ANA, "acme", {"agent", "supervisor"})
    assert body["user"]["id"] == world.ana_id and body["user"]["agent_id"] == "1001", body
    assert (body["tenant"]["name"], body["tenant"]["region"]) == ("Acme Contact Center", "na"), body["tenant"]
    session = body["session"]
    created = instant(session["created_at"])
    assert (instant(session["idle_expires_at"]) - created).total_seconds() == 1800, session
    assert (instant(session["absolute_expires_at"]) - created).total_seconds() == 43200, session
    cookie = check_session_cookie(resp, persistent=False)
    assert USERNAME_COOKIE not in set_cookies(resp), "without remember_me no username cookie:\n" + show(resp)

    # The cookie is the session: GET /api/v1/session answers the same, without "status".
    me = expect(s.get(SESSION_PATH, headers=cookie_header(cookie)), 200)
    assert "status" not in me, me
    check_signed_in(me, ANA, "acme", {"agent", "supervisor"})
    assert me["session"]["id"] == body["session"]["id"]
    # Activity is recorded at most every idle/10 s (here 180 s): using the session right away
    # does not move last_seen_at.
    assert me["session"]["last_seen_at"] == body["session"]["last_seen_at"], (body["session"], me["session"])

    # The email is matched case-insensitively, and the tenant may be named.
    expect(login(s, "ANA.Diaz@Acme.TEST", ANA_PASSWORD), 200)
    expect(login(s, ANA, ANA_PASSWORD, tenant="acme"), 200)

    # By agent ID: the tenant decides whose agent 1001 it is.
    acme_agent = expect(login(s, None, ANA_PASSWORD, agent_id="1001", tenant="acme"), 200)
    check_signed_in(acme_agent, ANA, "acme", {"agent", "supervisor"})
    globex_agent = expect(login(s, None, GLOBEX_AGENT_PASSWORD, agent_id="1001", tenant="globex"), 200)
    check_signed_in(globex_agent, "gus.grant@globex.test", "globex", {"agent"})
    expect(login(s, None, ANA_PASSWORD, agent_id="1001", tenant="globex"), 401, "invalid_credentials")
    expect(login(s, None, ANA_PASSWORD, agent_id="1002", tenant="acme"), 401, "invalid_credentials")


def test_keep_signed_in_and_remember_me(world: World):
    s = world.server
    resp = login(s, ANA, ANA_PASSWORD, keep_signed_in=True)
    body = expect(resp, 200)
    check_signed_in(body, ANA, "acme", {"agent", "supervisor"}, persistent=True)
    created = instant(body["session"]["created_at"])
    assert (instant(body["session"]["idle_expires_at"]) - created).total_seconds() == 1728000, body["session"]
    check_session_cookie(resp, persistent=True)

    browser = requests.Session()
    resp = login(s, ANA, ANA_PASSWORD, session=browser, remember_me=True)
    expect(resp, 200)
    remembered = set_cookies(resp).get(USERNAME_COOKIE)
    assert remembered, "remember_me must set the gatehouse_username cookie:\n" + show(resp)
    assert remembered["attrs"].get("path") == "/login", remembered["header"]
    # The sign-in page pre-fills the username for this browser...
    fields = page_form(s.get("/login", session=requests.Session(), cookies={USERNAME_COOKIE: remembered["value"]}),
                       "/login")
    assert fields["username"].get("value") == ANA, f"username not pre-filled: {fields['username']}"
    # ...and not for another one.
    fields = page_form(s.get("/login", session=requests.Session()), "/login")
    assert not fields["username"].get("value"), fields["username"]


def test_remember_me_with_an_agent_id(world: World):
    """remember_me works for an agent-ID sign-in too: the tenant's page pre-fills the agent ID."""
    s = world.server
    # Through the tenant's page.
    browser = requests.Session()
    csrf = open_login_page(s, browser, "?tenant=acme")["csrf_token"]["value"]
    ok = s.post("/login", session=browser, data={"csrf_token": csrf, "tenant": "acme", "username": "1001",
                                                "password": ANA_PASSWORD, "remember_me": "on"})
    assert ok.status_code == 302, show(ok)
    remembered = set_cookies(ok).get(USERNAME_COOKIE)
    assert remembered and remembered["attrs"].get("path") == "/login", show(ok)
    later = requests.Session()
    later.cookies.set(USERNAME_COOKIE, remembered["value"])
    assert open_login_page(s, later, "?tenant=acme")["username"].get("value") == "1001"

    # Through the API.
    resp = login(s, None, ANA_PASSWORD, agent_id="1001", tenant="acme", remember_me=True)
    expect(resp, 200)
    remembered = set_cookies(resp).get(USERNAME_COOKIE)
    assert remembered and remembered["value"], \
        "remember_me with agent_id must set the gatehouse_username cookie too:\n" + show(resp)
    later = requests.Session()
    later.cookies.set(USERNAME_COOKIE, remembered["value"])
    assert open_login_page(s, later, "?tenant=acme")["username"].get("value") == "1001"


def test_each_sign_in_starts_a_new_session(world: World):
    s = world.server
    browser = requests.Session()
    first = sign_in(s, ANA, ANA_PASSWORD, http=browser)
    second = sign_in(s, ANA, ANA_PASSWORD, http=browser)     # the browser still sends the first cookie
    assert second.cookie != first.cookie and second.session_id != first.session_id
    assert not session_alive(s, first.cookie), "signing in again in the same browser must end its old session"
    assert session_alive(s, second.cookie)
    # Another browser's sign-in leaves this one alone.
    third = sign_in(s, ANA, ANA_PASSWORD)
    assert len({first.cookie, second.cookie, third.cookie}) == 3
    assert session_alive(s, second.cookie) and session_alive(s, third.cookie)


def test_failures_do_not_tell_who_exists(world: World):
    s, token = world.server, world.acme.admin_token
    disabled = expect(s.post(users_path("acme"), token,
                             json=new_user_body("dora.kent@acme.test", "Dora", "Kent", password="Silver-Brook-3")), 201)
    expect(s.patch(users_path("acme", disabled["id"]), token, json={"status": "disabled"}), 200)

    answers = {
        "wrong password": login(s, ANA, "Not-Her-Password-1"),
        "unknown email": login(s, "nobody.here@acme.test", "Not-Her-Password-1"),
        "unknown email, real password": login(s, "nobody.there@acme.test", ANA_PASSWORD),
        "disabled user, right password": login(s, "dora.kent@acme.test", "Silver-Brook-3"),
        "wrong tenant": login(s, ANA, ANA_PASSWORD, tenant="globex"),
        "unknown agent id": login(s, None, ANA_PASSWORD, agent_id="4242", tenant="acme"),
    }
    reference = answers["wrong password"]
    expect(reference, 401, "invalid_credentials")
    assert SESSION_COOKIE not in set_cookies(reference), show(reference)
    for what, resp in answers.items():
        assert resp.status_code == reference.status_code and resp.content == reference.content, \
            f"{what} differs from a wrong password:\n{show(resp)}\n--- vs ---\n{show(reference)}"
        names = {k.lower() for k in resp.headers} - {"date"}
        assert names == {k.lower() for k in reference.headers} - {"date"}, \
            f"{what}: headers differ from a wrong password's:\n{show(resp)}\n--- vs ---\n{show(reference)}"


@pytest.mark.parametrize("body, fields", [
    ({}, {"username", "password"}),
    ({"username": ANA}, {"password"}),
    ({"username": ANA, "password": ""}, {"password"}),
    ({"password": ANA_PASSWORD}, {"username"}),
    ({"agent_id": "1001", "password": ANA_PASSWORD}, {"tenant"}),
], ids=["empty", "no-password", "empty-password", "no-username", "agent-id-without-tenant"])
def test_api_sign_in_validation(world: World, body, fields):
    resp = world.server.post("/api/v1/login", json=body)
    expect(resp, 400, "validation_failed")
    got = json_of(resp).get("fields")
    assert isinstance(got, dict) and fields <= got.keys(), f"expected fields {fields}:\n" + show(resp)


# ---------------------------------------------------------------------------- the sign-in page


def open_login_page(server: Server, browser: requests.Session, query: str = "") -> dict:
    resp = server.get("/login" + query, session=browser)
    assert resp.status_code == 200, show(resp)
    check_page_headers(resp)
    fields = page_form(resp, "/login")
    for name in ("csrf_token", "username", "password", "remember_me", "keep_signed_in"):
        assert name in fields, f"the sign-in form lacks {name}:\n" + show(resp)
    assert fields["csrf_token"].get("type") == "hidden"
    assert fields["password"].get("type") == "password"
    assert fields["remember_me"].get("type") == "checkbox" and fields["keep_signed_in"].get("type") == "checkbox"
    assert fields["csrf_token"].get("value") and fields["csrf_token"]["value"] == browser.cookies.get(CSRF_COOKIE), \
        "csrf_token must equal the gatehouse_csrf cookie:\n" + show(resp)
    return fields


def check_page_headers(resp: requests.Response) -> None:
    csp = resp.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp, "pages need CSP frame-ancestors 'none':\n" + show(resp)
    assert resp.headers.get("X-Content-Type-Options", "").lower() == "nosniff", show(resp)
    assert resp.headers.get("Referrer-Policy"), show(resp)


def page_sign_in(server: Server, username: str, password: str, **fields) -> tuple[requests.Session, requests.Response]:
    """Signs in on the plain sign-in page in a fresh browser; returns it and the answer."""
    browser = requests.Session()
    csrf = open_login_page(server, browser)["csrf_token"]["value"]
    resp = server.post("/login", session=browser, data={"csrf_token": csrf, "username": username,
                                                        "password": password, **fields})
    return browser, resp


def microphone_continue(server: Server, browser: requests.Session, location: str) -> str:
    """Opens the microphone page at `location`; returns where its #mic-continue leads."""
    page = server.get(location, session=browser)
    assert page.status_code == 200, show(page)
    check_page_headers(page)
    link = parse_html(page.text).by_id.get("mic-continue")
    assert link and link["tag"] == "a", "the microphone page needs an #mic-continue link:\n" + show(page)
    return link["attrs"].get("href", "")


def test_sign_in_page_by_email(world: World):
    s = world.server
    browser = requests.Session()
    fields = open_login_page(s, browser)
    assert "return_to" not in fields, fields
    # With no tenant in the URL, the organisation is an optional, visible field folded away in
    # <details id="organisation"> (for agent IDs and other regions' tenants), never a hidden one.
    tenant = fields.get("tenant", {})
    assert tenant.get("tag") == "input" and tenant.get("type", "text") == "text" and not tenant.get("value") \
        and tenant.get("id") == "tenant" and "required" not in tenant, f"the optional organisation field: {tenant}"
    page = s.get("/login", session=requests.Session()).text
    assert re.search(r'<details[^>]*\bid="organisation"[^>]*>(?:(?!</details>).)*<input[^>]*\bid="tenant"', page, re.S), \
        "the organisation field belongs in <details id=\"organisation\">:\n" + page
    csrf = fields["csrf_token"]["value"]

    wrong = s.post("/login", session=browser, data={"csrf_token": csrf, "username": ANA, "password": "Nope-Nope-11"})
    assert wrong.status_code == 401, show(wrong)
    check_page_headers(wrong)
    message = element_value(parse_html(wrong.text), "login-error")
    assert message, "a failed sign-in needs a message in #login-error:\n" + show(wrong)
    assert SESSION_COOKIE not in set_cookies(wrong)
    assert ANA_PASSWORD not in wrong.text and "Nope-Nope-11" not in wrong.text, "the page must not echo a password"

    # An empty organisation field is no tenant: Ana signs in by email. She is an agent who has
    # never checked her microphone, so the microphone page comes first, then her landing page.
    ok = s.post("/login", session=browser, data={"csrf_token": csrf, "username": ANA, "password": ANA_PASSWORD,
                                                "tenant": ""})
    assert ok.status_code == 302 and ok.headers["Location"] == microphone_first("/landing"), show(ok)
    check_session_cookie(ok, persistent=False)
    assert microphone_continue(s, browser, ok.headers["Location"]) == "/landing"
    landing = s.get("/landing", session=browser)
    assert landing.status_code in (302, 303) and landing.headers["Location"] == APPS_PATH, show(landing)
    apps = s.get(APPS_PATH, session=browser)
    assert apps.status_code == 200, show(apps)
    check_page_headers(apps)
    account = s.get("/account", session=browser)
    assert account.status_code == 200 and ANA in account.text, show(account)
    check_page_headers(account)
    me = expect(s.get(SESSION_PATH, session=browser), 200)
    assert me["user"]["email"] == ANA

    # keep_signed_in and remember_me from the form.
    browser = requests.Session()
    csrf = open_login_page(s, browser)["csrf_token"]["value"]
    ok = s.post("/login", session=browser, data={"csrf_token": csrf, "username": ANA, "password": ANA_PASSWORD,
                                                "keep_signed_in": "on", "remember_me": "on"})
    assert ok.status_code == 302, show(ok)
    check_session_cookie(ok, persistent=True)
    assert expect(s.get(SESSION_PATH, session=browser), 200)["session"]["persistent"] is True
    assert set_cookies(ok).get(USERNAME_COOKIE, {}).get("value"), "remember_me from the form:\n" + show(ok)
    # Signed out (a fresh browser holding only the username cookie), the page pre-fills it.
    later = requests.Session()
    later.cookies.set(USERNAME_COOKIE, browser.cookies.get(USERNAME_COOKIE))
    assert open_login_page(s, later)["username"].get("value") == ANA
    # While signed in, the page sends the browser straight on, to the landing page.
    resp = s.get("/login", session=browser)
    assert resp.status_code in (302, 303) and resp.headers["Location"] == "/landing", show(resp)

    # Once she has recorded a microphone check, a page sign-in goes straight to her landing page.
    record_microphone_check(s, browser.cookies.get(SESSION_COOKIE))
    _, ok = page_sign_in(s, ANA, ANA_PASSWORD)
    assert ok.status_code == 302 and ok.headers["Location"] == APPS_PATH, show(ok)
    # Someone without the agent role never meets the microphone page.
    _, ok = page_sign_in(s, world.acme.admin_email, GOOD_PASSWORD)
    assert ok.status_code == 302 and ok.headers["Location"] == APPS_PATH, show(ok)


def test_sign_in_page_by_agent_id(world: World):
    s = world.server
    browser = requests.Session()
    fields = open_login_page(s, browser, "?tenant=acme")
    assert fields.get("tenant", {}).get("type") == "hidden" and fields["tenant"].get("value") == "acme", fields
    resp = s.get("/login?tenant=acme", session=browser)
    assert "Email or agent ID" in parse_html(resp.text).text, \
        "the tenant's page asks for an email or agent ID:\n" + show(resp)
    assert fields["username"].get("type", "text") != "email", "an agent ID is not an email: " + str(fields["username"])

    ok = s.post("/login", session=browser, data={"csrf_token": fields["csrf_token"]["value"], "tenant": "acme",
                                                "username": "1001", "password": ANA_PASSWORD})
    assert ok.status_code == 302, show(ok)
    me = expect(s.get(SESSION_PATH, session=browser), 200)
    assert me["user"]["email"] == ANA and me["tenant"]["slug"] == "acme", me

    # Globex's agent 1001 through Globex's page; Ana's password does not open it.
    browser = requests.Session()
    csrf = open_login_page(s, browser, "?tenant=globex")["csrf_token"]["value"]
    bad = s.post("/login", session=browser, data={"csrf_token": csrf, "tenant": "globex", "username": "1001",
                                                 "password": ANA_PASSWORD})
    assert bad.status_code == 401 and element_value(parse_html(bad.text), "login-error"), show(bad)
    ok = s.post("/login", session=browser, data={"csrf_token": csrf, "tenant": "globex", "username": "1001",
                                                "password": GLOBEX_AGENT_PASSWORD})
    assert ok.status_code == 302, show(ok)
    assert expect(s.get(SESSION_PATH, session=browser), 200)["user"]["email"] == "gus.grant@globex.test"
    # The email works on the tenant's page too.
    browser = requests.Session()
    csrf = open_login_page(s, browser, "?tenant=acme")["csrf_token"]["value"]
    ok = s.post("/login", session=browser, data={"csrf_token": csrf, "tenant": "acme", "username": ANA,
                                                "password": ANA_PASSWORD})
    assert ok.status_code == 302, show(ok)


def test_sign_in_page_needs_csrf(world: World):
    s = world.server
    form = {"username": ANA, "password": ANA_PASSWORD}

    no_cookie = s.post("/login", data={**form, "csrf_token": "made-up"})
    assert no_cookie.status_code == 403 and SESSION_COOKIE not in set_cookies(no_cookie), show(no_cookie)
    browser = requests.Session()
    csrf = open_login_page(s, browser)["csrf_token"]["value"]
    for data in (form, {**form, "csrf_token": ""}, {**form, "csrf_token": "x" + csrf}):
        resp = s.post("/login", session=browser, data=data)
        assert resp.status_code == 403, "a sign-in without the right csrf_token:\n" + show(resp)
        assert SESSION_COOKIE not in set_cookies(resp), show(resp)
    expect(s.get(SESSION_PATH, session=browser), 401, "unauthenticated")


FOREIGN_RETURN_TO = ["https://evil.test", "//evil.test", "/\\evil.test", "/%2F%2Fevil.test", "https:/evil.test",
                     "javascript:alert(1)", "/\t/evil.test", " //evil.test"]


def is_local(location: str, path: str) -> bool:
    parts = urlsplit(location)
    return not parts.scheme and not parts.netloc and parts.path == path


def test_return_to_accepts_only_local_paths(world: World):
    s = world.server
    # No session: /account sends the browser to sign in, and back afterwards.
    browser = requests.Session()
    gate = s.get("/account", session=browser)
    assert gate.status_code == 302, show(gate)
    location = urlsplit(gate.headers["Location"])
    assert location.path == "/login" and parse_qs(location.query) == {"return_to": ["/account"]}, show(gate)
    fields = open_login_page(s, browser, "?" + location.query)
    assert fields.get("return_to", {}).get("type") == "hidden" and fields["return_to"].get("value") == "/account"
    ok = s.post("/login", session=browser, data={"csrf_token": fields["csrf_token"]["value"], "username": ANA,
                                                "password": ANA_PASSWORD, "return_to": "/account?tab=sessions"})
    # Ana is an agent who has never checked her microphone: the microphone page comes first and
    # carries the return_to on as its `next`.
    assert ok.status_code == 302 and ok.headers["Location"] == microphone_first("/account?tab=sessions"), show(ok)
    assert microphone_continue(s, browser, ok.headers["Location"]) == "/account?tab=sessions"
    # Without the agent role (or once the check is recorded) the return_to is the redirect itself.
    admin = world.acme.admin_email
    _, ok = page_sign_in(s, admin, GOOD_PASSWORD, return_to="/account?tab=sessions")
    assert ok.status_code == 302 and ok.headers["Location"] == "/account?tab=sessions", show(ok)

    for target in FOREIGN_RETURN_TO:
        browser = requests.Session()
        resp = s.get("/login", session=browser, params={"return_to": target})
        fields = page_form(resp, "/login")
        offered = fields.get("return_to", {}).get("value")
        assert offered in (None, "", "/account"), f"the page offers return_to={offered!r} for {target!r}"
        ok = s.post("/login", session=browser, data={"csrf_token": fields["csrf_token"]["value"], "username": ANA,
                                                    "password": ANA_PASSWORD, "return_to": target})
        assert ok.status_code == 302 and ok.headers["Location"] == microphone_first("/landing"), \
            f"return_to={target!r} must be ignored (the microphone page, then /landing):\n" + show(ok)
        # Nor does the microphone page lead on to a foreign place given as its `next`.
        leads_to = microphone_continue(s, browser, "/account/microphone?" + urlencode({"next": target}))
        assert leads_to.startswith("/") and is_local(leads_to, urlsplit(leads_to).path) \
            and not leads_to.startswith("//") and "\\" not in leads_to and "evil" not in leads_to, \
            f"/account/microphone?next={target!r} leads to {leads_to!r}"
        # Already signed in, the page sends the browser on: not to the foreign place either.
        again = s.get("/login", session=browser, params={"return_to": target})
        assert again.status_code in (302, 303) and is_local(again.headers["Location"], "/landing"), \
            f"signed in, /login?return_to={target!r}:\n" + show(again)
        # Someone who goes straight on (no microphone page) lands on their landing page.
        _, ok = page_sign_in(s, admin, GOOD_PASSWORD, return_to=target)
        assert ok.status_code == 302 and is_local(ok.headers["Location"], APPS_PATH), \
            f"return_to={target!r} must be ignored (redirect to {APPS_PATH}):\n" + show(ok)


def test_sign_out_from_the_page(world: World):
    s = world.server
    browser = requests.Session()
    csrf = open_login_page(s, browser)["csrf_token"]["value"]
    assert s.post("/login", session=browser, data={"csrf_token": csrf, "username": ANA,
                                                   "password": ANA_PASSWORD}).status_code == 302
    cookie = browser.cookies.get(SESSION_COOKIE)
    elsewhere = sign_in(s, ANA, ANA_PASSWORD)

    refused = s.post("/logout", session=browser, data={"csrf_token": "forged"})
    assert refused.status_code == 403, "sign-out without the right csrf_token:\n" + show(refused)
    assert session_alive(s, cookie)

    out = s.post("/logout", session=browser, data={"csrf_token": csrf})
    assert out.status_code == 302 and out.headers["Location"] == "/login?signed_out=1", show(out)
    assert not session_alive(s, cookie), "POST /logout must end the session"
    assert session_alive(s, elsewhere.cookie), "a plain sign-out leaves my other sessions"
    back = s.get("/account", session=browser)
    assert back.status_code == 302 and urlsplit(back.headers["Location"]).path == "/login", show(back)

    # Sign out everywhere.
    csrf = open_login_page(s, browser)["csrf_token"]["value"]
    assert s.post("/login", session=browser, data={"csrf_token": csrf, "username": ANA,
                                                   "password": ANA_PASSWORD}).status_code == 302
    cookie = browser.cookies.get(SESSION_COOKIE)
    out = s.post("/logout", session=browser, data={"csrf_token": csrf, "everywhere": "1"})
    assert out.status_code == 302 and out.headers["Location"] == "/login?signed_out=1", show(out)
    assert not session_alive(s, cookie) and not session_alive(s, elsewhere.cookie), \
        "sign out everywhere must end all my sessions"


# ---------------------------------------------------------------------------- timing


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_unknown_user_and_wrong_password_take_as_long(db, servers):
    """Median times of "unknown user" and "wrong password" differ by < 10 % (each attempt
    uses another name, so no lockout counter ever comes near its limit). 60 tries of each,
    interleaved in random order: with 30 the medians wander by ~10 % on a busy 2-core box."""
    tries = 60
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    server = servers()
    for i in range(tries):
        expect(server.post(users_path("acme"), acme.admin_token,
                           json=new_user_body(f"timing{i:02d}@acme.test", "Tim", f"Ing{i:02d}",
                                              password=GOOD_PASSWORD)), 201)

    client = requests.Session()       # keep-alive: no connection set-up in the measurement
    url = server.url("/api/v1/login")

    def attempt(username: str) -> tuple[float, requests.Response]:
        started = time.perf_counter()
        resp = client.post(url, json={"username": username, "password": "Wrong-Password-9"}, timeout=30)
        return time.perf_counter() - started, resp

    for i in range(3):                 # warm up both paths
        attempt(f"warmup{i}@acme.test")
        attempt(f"timing{i:02d}@acme.test")

    known, unknown, bodies = [], [], set()
    order = random.Random(7)
    for i in range(tries):
        pair = [("known", f"timing{i:02d}@acme.test"), ("unknown", f"ghost{i:02d}@acme.test")]
        order.shuffle(pair)
        for kind, username in pair:
            seconds, resp = attempt(username)
            assert resp.status_code == 401, show(resp)
            bodies.add(resp.content)
            (known if kind == "known" else unknown).append(seconds)
    assert len(bodies) == 1, f"the failure bodies differ: {bodies}"
    m_known, m_unknown = statistics.median(known), statistics.median(unknown)
    difference = abs(m_known - m_unknown) / min(m_known, m_unknown)
    print(f"median wrong password {m_known * 1000:.1f} ms, unknown user {m_unknown * 1000:.1f} ms, "
          f"difference {difference:.1%}")
    assert difference < 0.10, (f"median wrong-password time {m_known * 1000:.1f} ms vs unknown-user "
                               f"{m_unknown * 1000:.1f} ms: {difference:.1%} apart (limit 10%)")
