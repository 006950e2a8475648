"""Acceptance 4 and 6: the concurrent-session limit (refuse / end_oldest); sessions survive a
server restart; signing out, ending one of my sessions, and signing out everywhere."""

from __future__ import annotations

import requests

from harness import (GOOD_PASSWORD, SESSION_COOKIE, SESSION_KEYS, SESSION_PATH, SESSIONS_PATH, bootstrap_tenant,
                     cookie_header, create_user, expect, login, migrate, session_alive, set_cookies, show, sign_in,
                     update_settings)

ANA, BEN = "ana.diaz@acme.test", "ben.okoro@acme.test"


def setup_people(db):
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    create_user(db, "acme", ANA, "Ana", "Diaz", password=GOOD_PASSWORD)
    create_user(db, "acme", BEN, "Ben", "Okoro", password=GOOD_PASSWORD)
    return acme


def test_concurrent_session_limit(db, servers):
    acme = setup_people(db)
    server = servers()
    update_settings(server, "acme", acme.admin_token,
                    session_policy={"max_concurrent_sessions": 1, "on_limit": "refuse"})

    # refuse: the second sign-in is refused, the first session carries on.
    first = sign_in(server, ANA, GOOD_PASSWORD)
    refused = login(server, ANA, GOOD_PASSWORD)
    expect(refused, 409, "session_limit_reached")
    assert SESSION_COOKIE not in set_cookies(refused), "a refused sign-in must not set a session:\n" + show(refused)
    refused = login(server, ANA, GOOD_PASSWORD, keep_signed_in=True)
    expect(refused, 409, "session_limit_reached")
    assert session_alive(server, first.cookie), "the refused sign-in must leave the first session alone"
    # The limit is per person.
    other = sign_in(server, BEN, GOOD_PASSWORD)
    # Once the first session is signed out, there is room again.
    expect(server.delete(SESSION_PATH, session=first.http), 204)
    second = sign_in(server, ANA, GOOD_PASSWORD)

    # end_oldest: the new sign-in succeeds and the oldest session ends.
    update_settings(server, "acme", acme.admin_token, session_policy={"on_limit": "end_oldest"})
    third = sign_in(server, ANA, GOOD_PASSWORD)
    assert not session_alive(server, second.cookie), "end_oldest: the older session must end"
    assert session_alive(server, third.cookie)
    fourth = sign_in(server, ANA, GOOD_PASSWORD, keep_signed_in=True)
    assert not session_alive(server, third.cookie) and session_alive(server, fourth.cookie)

    # With room for two, it is the oldest of the two that goes.
    update_settings(server, "acme", acme.admin_token, session_policy={"max_concurrent_sessions": 2})
    fifth = sign_in(server, ANA, GOOD_PASSWORD)
    sixth = sign_in(server, ANA, GOOD_PASSWORD)
    assert not session_alive(server, fourth.cookie), "end_oldest must end the oldest session"
    assert session_alive(server, fifth.cookie) and session_alive(server, sixth.cookie)
    listed = expect(server.get(SESSIONS_PATH, session=sixth.http), 200)["sessions"]
    assert {s["id"] for s in listed} == {fifth.session_id, sixth.session_id}, listed
    assert session_alive(server, other.cookie), "another person's session is not counted"


def test_sessions_survive_a_restart_and_sign_out(db, servers):
    setup_people(db)
    server = servers()
    plain = sign_in(server, ANA, GOOD_PASSWORD)
    kept = sign_in(server, ANA, GOOD_PASSWORD, keep_signed_in=True)
    bens = sign_in(server, BEN, GOOD_PASSWORD)
    assert server.stop() == 0

    # A new process on the same database knows every session.
    server = servers()
    for client in (plain, kept, bens):
        me = expect(server.get(SESSION_PATH, headers=cookie_header(client.cookie)), 200)
        assert me["session"]["id"] == client.session_id, (client.body["session"], me["session"])

    # Sign out: this session ends, the cookie is cleared, my other session stays.
    out = server.delete(SESSION_PATH, session=plain.http)
    expect(out, 204)
    cleared = set_cookies(out).get(SESSION_COOKIE)
    assert cleared and (cleared["value"] == "" or cleared["attrs"].get("max-age") == "0"), \
        "signing out must clear the session cookie:\n" + show(out)
    assert not session_alive(server, plain.cookie), "the signed-out session must not work any more"
    expect(server.delete(SESSION_PATH, headers=cookie_header(plain.cookie)), 401, "unauthenticated")
    assert session_alive(server, kept.cookie)

    # My sessions: active ones only, mine only, the current one marked.
    second = sign_in(server, ANA, GOOD_PASSWORD)
    third = sign_in(server, ANA, GOOD_PASSWORD)
    listed = expect(server.get(SESSIONS_PATH, session=second.http), 200)["sessions"]
    assert {s["id"] for s in listed} == {kept.session_id, second.session_id, third.session_id}, listed
    for entry in listed:
        assert SESSION_KEYS <= entry.keys(), entry
        assert entry["current"] is (entry["id"] == second.session_id), entry
    expect(server.get(SESSIONS_PATH), 401, "unauthenticated")

    # End one of my other sessions; another person's session id is not mine to end.
    expect(server.delete(f"{SESSIONS_PATH}/{third.session_id}", session=second.http), 204)
    assert not session_alive(server, third.cookie) and session_alive(server, second.cookie)
    expect(server.delete(f"{SESSIONS_PATH}/{third.session_id}", session=second.http), 404, "not_found")
    expect(server.delete(f"{SESSIONS_PATH}/{bens.session_id}", session=second.http), 404, "not_found")
    assert session_alive(server, bens.cookie)

    # Sign out everywhere: every session of mine ends, this one included.
    assert server.stop() == 0
    server = servers()
    expect(server.delete(SESSIONS_PATH, session=second.http), 204)
    for client in (second, kept):
        assert not session_alive(server, client.cookie), "sign out everywhere must end all my sessions"
    assert session_alive(server, bens.cookie), "sign out everywhere ends only my sessions"
    fresh = sign_in(server, ANA, GOOD_PASSWORD)
    assert [s["id"] for s in expect(server.get(SESSIONS_PATH, session=fresh.http), 200)["sessions"]] \
        == [fresh.session_id]

    # ...and it stays that way after another restart.
    assert server.stop() == 0
    server = servers()
    for client in (plain, second, third, kept):
        assert not session_alive(server, client.cookie), "an ended session came back after a restart"
    assert session_alive(server, fresh.cookie) and session_alive(server, bens.cookie)


def test_session_api_needs_a_session(db, servers):
    """Without a session, the session API answers 401 unauthenticated."""
    setup_people(db)
    server = servers()
    for method, path in (("GET", SESSION_PATH), ("DELETE", SESSION_PATH), ("GET", SESSIONS_PATH),
                         ("DELETE", SESSIONS_PATH), ("DELETE", f"{SESSIONS_PATH}/00000000-0000-0000-0000-000000000000")):
        expect(server.request(method, path), 401, "unauthenticated")
        expect(server.request(method, path, headers=cookie_header("not-a-session")), 401, "unauthenticated")
    anonymous = requests.Session()
    expect(server.get(SESSION_PATH, session=anonymous), 401, "unauthenticated")
