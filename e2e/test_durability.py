"""Acceptance: no acknowledged write is lost.

A burst of concurrent user creations; the server is SIGKILLed while they run; every
creation that was answered 201 must be there after a restart on the same database.
"""

from __future__ import annotations

import signal
import threading
from concurrent.futures import ThreadPoolExecutor, wait

import requests

from harness import bootstrap_tenant, expect, list_all_users, migrate, new_user_body, show, users_path

TOTAL = 100
WORKERS = 32
KILL_AFTER = 30          # responses seen before the SIGKILL


def test_acknowledged_writes_survive_sigkill(db, servers):
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    server = servers()
    url = server.url(users_path("acme"))
    headers = {"Authorization": f"Bearer {acme.admin_token}"}

    lock = threading.Lock()
    answered: list[tuple[str, requests.Response]] = []   # every complete HTTP response
    failed: list[tuple[str, str]] = []                   # transport errors (expected after the kill)
    enough = threading.Event()

    def create(i: int) -> None:
        email = f"burst{i:03d}@acme.test"
        body = new_user_body(email, "Burst", f"User{i:03d}", agent_id=str(5000 + i))
        try:
            resp = requests.post(url, json=body, headers=headers, timeout=60)
        except requests.RequestException as error:
            with lock:
                failed.append((email, repr(error)))
            return
        with lock:
            answered.append((email, resp))
            if len(answered) >= KILL_AFTER:
                enough.set()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(create, i) for i in range(TOTAL)]
        all_done = threading.Thread(target=lambda: (wait(futures), enough.set()), daemon=True)
        all_done.start()
        assert enough.wait(timeout=300), "no 30 responses within 300 s"
        server.signal(signal.SIGKILL)
        wait(futures, timeout=120)
    code = server.wait(timeout=30)
    assert code == -signal.SIGKILL, f"the server ended on its own (exit code {code}) before the kill"

    with lock:
        responses = list(answered)
    bad = [show(resp) for _, resp in responses if resp.status_code != 201]
    assert not bad, f"{len(bad)} creations were answered with something other than 201:\n" + "\n\n".join(bad[:5])
    acknowledged = {email: resp.json() for email, resp in responses}
    assert len(acknowledged) >= KILL_AFTER
    print(f"{len(acknowledged)} acknowledged, {len(failed)} cut off by the kill, "
          f"{TOTAL - len(acknowledged) - len(failed)} never answered")

    # Restart on the same database: each acknowledged user is there, as acknowledged.
    restarted = servers()
    for email, user in acknowledged.items():
        resp = restarted.get(users_path("acme", user["id"]), acme.admin_token)
        assert resp.status_code == 200, f"acknowledged user {email} ({user['id']}) is lost:\n" + show(resp)
        stored = resp.json()
        assert stored["email"] == email and stored["agent_id"] == user["agent_id"], (user, stored)

    listed = {u["email"]: u for u in list_all_users(restarted, "acme", acme.admin_token, limit=37)[0]}
    missing = sorted(set(acknowledged) - set(listed))
    assert not missing, f"acknowledged users missing from the list: {missing}"
    for email, user in acknowledged.items():
        assert listed[email]["id"] == user["id"], (email, user, listed[email])
    # Whatever else is stored is a whole user from this burst, not a fragment.
    extras = set(listed) - set(acknowledged) - {"admin@acme.test"}
    assert all(e.startswith("burst") for e in extras), extras

    # The restarted server still takes writes.
    expect(restarted.post(users_path("acme"), acme.admin_token,
                          json=new_user_body("after@acme.test", agent_id="9999")), 201)
    assert restarted.stop() == 0
