"""Acceptance 5: sign-in lockout. Attempts are counted per name typed before the password is
checked: failures 1..5 answer 401, from the 6th attempt 429 (even with the right password) until
the lockout ends; a success resets the count; an unknown name behaves exactly the same; an
administrator can unlock; 50 parallel wrong attempts give exactly 5 x 401 and 45 x 429. Plus the
per-client-address limit (GATEHOUSE_LOGIN_CLIENT_LIMIT / _WINDOW_SECONDS)."""

from __future__ import annotations

import time
from collections import Counter

import requests

from harness import (GOOD_PASSWORD, bootstrap_tenant, create_user, expect, locked, login, migrate, page_form,
                     parallel_attempts, refused, show, update_settings, users_path)

ANA, BEN = "ana.diaz@acme.test", "ben.okoro@acme.test"
GHOST = "nobody.here@acme.test"
WRONG = "Wrong-Password-9"     # any wrong password


def setup_people(db):
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    ana_id = create_user(db, "acme", ANA, "Ana", "Diaz", password=GOOD_PASSWORD)
    ben_id = create_user(db, "acme", BEN, "Ben", "Okoro", password=GOOD_PASSWORD)
    return acme, ana_id, ben_id


def test_lockout_counts_failures_and_resets_on_success(db, servers):
    acme, ana_id, ben_id = setup_people(db)
    server = servers()

    # A success resets the count: 4 failures, a success, 4 more failures, a success.
    for _ in range(2):
        for _ in range(4):
            refused(login(server, ANA, WRONG))
        expect(login(server, ANA, GOOD_PASSWORD), 200)

    # Failures 1..5 answer 401; from the 6th attempt on, 429, even with the right password.
    for _ in range(5):
        refused(login(server, ANA, WRONG))
    retry_after = locked(login(server, ANA, GOOD_PASSWORD))
    assert retry_after <= 900, retry_after
    locked(login(server, ANA, WRONG))
    # However the name is written, and through the sign-in page too.
    locked(login(server, "ANA.Diaz@Acme.TEST", GOOD_PASSWORD))
    browser = requests.Session()
    csrf = page_form(server.get("/login", session=browser), "/login")["csrf_token"]["value"]
    page = server.post("/login", session=browser, data={"csrf_token": csrf, "username": ANA,
                                                        "password": GOOD_PASSWORD})
    assert page.status_code == 429 and page.headers.get("Retry-After"), \
        "the sign-in page must refuse a locked name too:\n" + show(page)
    # Another person is not affected.
    expect(login(server, BEN, GOOD_PASSWORD), 200)

    # An administrator can lift it.
    expect(server.post(users_path("acme", ana_id) + "/unlock", acme.admin_token), 204)
    expect(login(server, ANA, GOOD_PASSWORD), 200)
    expect(server.post(users_path("acme", "00000000-0000-0000-0000-000000000000") + "/unlock",
                       acme.admin_token), 404, "not_found")


def test_lockout_window_and_end_the_same_for_unknown_names(db, servers):
    acme, _, _ = setup_people(db)
    server = servers()
    update_settings(server, "acme", acme.admin_token,
                    lockout={"max_failures": 5, "window_seconds": 3, "lockout_seconds": 2})

    # Both names name the tenant (see the next test for names typed without one). Each name's
    # burst of attempts is sent in one go, so it fits in the 3 s window even on a slow machine.
    def attempt(username: str, password: str) -> requests.Response:
        return login(server, username, password, tenant="acme")

    def answers(responses: list[requests.Response]) -> list[tuple]:
        return [(r.status_code, r.json().get("error"), "Retry-After" in r.headers) for r in responses]

    # Failures older than the window no longer count: 4 failures, a pause, 5 more are all 401.
    first = {name: [attempt(name, WRONG) for _ in range(4)] for name in (ANA, GHOST)}
    time.sleep(3.5)
    second = {}
    for name in (ANA, GHOST):
        burst = [attempt(name, WRONG) for _ in range(5)]
        # The 6th attempt in the window is locked out, the right password included.
        burst += [attempt(name, GOOD_PASSWORD if name == ANA else WRONG), attempt(name, WRONG)]
        second[name] = burst
    for resp in first[ANA] + second[ANA][:5]:
        refused(resp)
    for resp in second[ANA][5:]:
        assert locked(resp) <= 2, show(resp)
    for phase in (first, second):
        assert answers(phase[ANA]) == answers(phase[GHOST]), \
            f"a real account and an unknown name answer differently: {answers(phase[ANA])} vs {answers(phase[GHOST])}"

    # After lockout_seconds the name may try again.
    time.sleep(2.5)
    expect(attempt(ANA, GOOD_PASSWORD), 200)
    refused(attempt(GHOST, WRONG))


def test_tenant_lockout_setting_does_not_reveal_who_exists(db, servers):
    """A name typed without a tenant: a real account's attempts must not follow other rules
    (its tenant's lockout setting) than an unknown name's, or the difference tells them apart."""
    acme, _, _ = setup_people(db)
    server = servers()
    update_settings(server, "acme", acme.admin_token, lockout={"max_failures": 3})
    real = [login(server, ANA, WRONG) for _ in range(6)]
    ghost = [login(server, GHOST, WRONG) for _ in range(6)]
    assert [(r.status_code, r.content) for r in real] == [(r.status_code, r.content) for r in ghost], \
        ("a real account and an unknown name (no tenant given) answer 6 wrong passwords differently: "
         f"{[r.status_code for r in real]} vs {[r.status_code for r in ghost]}\n"
         f"{show(real[-1])}\n--- vs ---\n{show(ghost[-1])}")


def test_fifty_parallel_wrong_passwords(db, servers):
    setup_people(db)
    server = servers()
    counts = parallel_attempts([(server, ANA, WRONG)] * 50)
    assert counts == Counter({401: 5, 429: 45}), f"50 parallel wrong passwords: {dict(counts)}"
    counts = parallel_attempts([(server, GHOST, WRONG)] * 50)
    assert counts == Counter({401: 5, 429: 45}), f"50 parallel attempts on an unknown name: {dict(counts)}"
    locked(login(server, ANA, GOOD_PASSWORD))
    expect(login(server, BEN, GOOD_PASSWORD), 200)


def test_per_client_address_limit(db, servers):
    setup_people(db)
    server = servers(env={"GATEHOUSE_LOGIN_CLIENT_LIMIT": "5", "GATEHOUSE_LOGIN_CLIENT_WINDOW_SECONDS": "3"})
    # Five attempts from this address, each on another name (no name gets near its own limit).
    for i in range(5):
        refused(login(server, f"stranger{i}@acme.test", WRONG))
    # The sixth is refused whatever it is.
    locked(login(server, BEN, GOOD_PASSWORD))
    browser = requests.Session()
    csrf = page_form(server.get("/login", session=browser), "/login")["csrf_token"]["value"]
    page = server.post("/login", session=browser, data={"csrf_token": csrf, "username": BEN,
                                                        "password": GOOD_PASSWORD})
    assert page.status_code == 429, "the sign-in page counts against the same limit:\n" + show(page)
    # The limit is per window.
    time.sleep(3.5)
    expect(login(server, BEN, GOOD_PASSWORD), 200)

    # Without the variables the default (1000 per 300 s) leaves ordinary use alone.
    assert server.stop() == 0
    server = servers()
    for i in range(20):
        refused(login(server, f"visitor{i}@acme.test", WRONG))
    expect(login(server, BEN, GOOD_PASSWORD), 200)
