"""Acceptance 7: two servers on one PostgreSQL database behave as one. Sessions, sign-outs,
settings and the lockout count are shared; 50 parallel wrong passwords split across both
servers still give exactly 5 x 401."""

from __future__ import annotations

from collections import Counter

import pytest

from harness import (GOOD_PASSWORD, SESSION_PATH, SESSIONS_PATH, bootstrap_tenant, cookie_header, create_user,
                     expect, locked, login, migrate, parallel_attempts, refused, session_alive, sign_in,
                     update_settings, users_path)

pytestmark = pytest.mark.parametrize("db", ["postgres"], indirect=True)

ANA, BEN = "ana.diaz@acme.test", "ben.okoro@acme.test"
WRONG = "Wrong-Password-9"


@pytest.fixture
def pair(db, servers):
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    ana_id = create_user(db, "acme", ANA, "Ana", "Diaz", password=GOOD_PASSWORD)
    create_user(db, "acme", BEN, "Ben", "Okoro", password=GOOD_PASSWORD)
    a, b = servers(), servers()
    assert a.port != b.port
    return a, b, acme, ana_id


def test_sessions_are_shared(pair):
    a, b, acme, _ = pair
    on_a = sign_in(a, ANA, GOOD_PASSWORD)
    me = expect(b.get(SESSION_PATH, headers=cookie_header(on_a.cookie)), 200)
    assert me["session"]["id"] == on_a.session_id and me["user"]["email"] == ANA, me

    # Sign out on B ends it on A.
    expect(b.delete(SESSION_PATH, headers=cookie_header(on_a.cookie)), 204)
    assert not session_alive(a, on_a.cookie), "a session signed out on B still works on A"

    # Sign out everywhere on B ends the sessions made on A.
    first, second = sign_in(a, ANA, GOOD_PASSWORD), sign_in(a, ANA, GOOD_PASSWORD)
    third = sign_in(b, ANA, GOOD_PASSWORD)
    listed = expect(a.get(SESSIONS_PATH, headers=cookie_header(third.cookie)), 200)["sessions"]
    assert {s["id"] for s in listed} == {first.session_id, second.session_id, third.session_id}, listed
    expect(b.delete(SESSIONS_PATH, headers=cookie_header(third.cookie)), 204)
    for client in (first, second, third):
        assert not session_alive(a, client.cookie) and not session_alive(b, client.cookie)

    # A settings change on A holds on B: one session at a time.
    update_settings(a, "acme", acme.admin_token, session_policy={"max_concurrent_sessions": 1, "on_limit": "refuse"})
    only = sign_in(a, BEN, GOOD_PASSWORD)
    expect(login(b, BEN, GOOD_PASSWORD), 409, "session_limit_reached")
    assert session_alive(b, only.cookie)


def test_lockout_is_counted_across_servers(pair):
    a, b, acme, ana_id = pair
    for _ in range(3):
        refused(login(a, ANA, WRONG))
    for _ in range(2):
        refused(login(b, ANA, WRONG))
    locked(login(a, ANA, GOOD_PASSWORD))
    locked(login(b, ANA, GOOD_PASSWORD))

    # Unlocked on B, it is unlocked on A.
    expect(b.post(users_path("acme", ana_id) + "/unlock", acme.admin_token), 204)
    expect(login(a, ANA, GOOD_PASSWORD), 200)

    # An unknown name is counted the same way.
    ghost = "nobody.here@acme.test"
    for server in (a, b, a, b, a):
        refused(login(server, ghost, WRONG))
    locked(login(b, ghost, WRONG))
    locked(login(a, ghost, WRONG))


def test_fifty_parallel_wrong_passwords_across_servers(pair):
    a, b, _, _ = pair
    counts = parallel_attempts([(a if i % 2 else b, ANA, WRONG) for i in range(50)])
    assert counts == Counter({401: 5, 429: 45}), f"50 parallel wrong passwords on two servers: {dict(counts)}"
    locked(login(a, ANA, GOOD_PASSWORD))
    locked(login(b, ANA, GOOD_PASSWORD))
    counts = parallel_attempts([(a if i % 2 else b, "nobody.here@acme.test", WRONG) for i in range(50)])
    assert counts == Counter({401: 5, 429: 45}), f"50 parallel attempts on an unknown name, two servers: {dict(counts)}"
    expect(login(b, BEN, GOOD_PASSWORD), 200)
