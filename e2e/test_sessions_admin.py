"""Administrators and sessions: seeing and ending a user's sessions, and the admin API used
with an administrator's session cookie (which must refuse requests from other sites)."""

from __future__ import annotations

import uuid

from harness import (GOOD_PASSWORD, SESSION_KEYS, bootstrap_tenant, create_token, create_user, expect,
                     get_settings, list_all_users, migrate, new_user_body, session_alive, settings_path, show,
                     sign_in, user_sessions_path, users_path)

ANA = "ana.diaz@acme.test"


def test_admin_sees_and_ends_a_users_sessions(db, servers):
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    globex = bootstrap_tenant(db, "globex", "Globex Support", "admin@globex.test")
    ana_id = create_user(db, "acme", ANA, "Ana", "Diaz", password=GOOD_PASSWORD)
    create_user(db, "acme", "art.agent@acme.test", "Art", "Agent", password=GOOD_PASSWORD)
    agent_token = create_token(db, "acme", "art.agent@acme.test")
    server = servers()
    token = acme.admin_token

    first = sign_in(server, ANA, GOOD_PASSWORD)
    second = sign_in(server, ANA, GOOD_PASSWORD, keep_signed_in=True)
    admins_own = sign_in(server, acme.admin_email, GOOD_PASSWORD)

    listed = expect(server.get(user_sessions_path("acme", ana_id), token), 200)["sessions"]
    assert {s["id"] for s in listed} == {first.session_id, second.session_id}, listed
    for entry in listed:
        assert SESSION_KEYS <= entry.keys(), entry
        assert entry["current"] is False, entry

    # Nobody else may: another tenant's administrator, a plain agent, no one at all.
    for resp in (server.get(user_sessions_path("acme", ana_id), globex.admin_token),
                 server.delete(user_sessions_path("acme", ana_id), globex.admin_token),
                 server.delete(user_sessions_path("acme", ana_id, first.session_id), globex.admin_token),
                 server.post(users_path("acme", ana_id) + "/unlock", globex.admin_token),
                 server.get(user_sessions_path("globex", ana_id), globex.admin_token)):
        expect(resp, 404, "not_found")
    for resp in (server.get(user_sessions_path("acme", ana_id), agent_token),
                 server.delete(user_sessions_path("acme", ana_id), agent_token),
                 server.post(users_path("acme", ana_id) + "/unlock", agent_token)):
        expect(resp, 403, "forbidden")
    expect(server.get(user_sessions_path("acme", ana_id)), 401, "unauthenticated")
    assert session_alive(server, first.cookie) and session_alive(server, second.cookie)

    # End one session, then all.
    expect(server.delete(user_sessions_path("acme", ana_id, first.session_id), token), 204)
    assert not session_alive(server, first.cookie) and session_alive(server, second.cookie)
    expect(server.delete(user_sessions_path("acme", ana_id, first.session_id), token), 404, "not_found")
    expect(server.delete(user_sessions_path("acme", ana_id, admins_own.session_id), token), 404, "not_found")
    expect(server.delete(user_sessions_path("acme", ana_id, str(uuid.uuid4())), token), 404, "not_found")
    expect(server.delete(user_sessions_path("acme", ana_id), token), 204)
    assert not session_alive(server, second.cookie)
    assert expect(server.get(user_sessions_path("acme", ana_id), token), 200)["sessions"] == []
    assert session_alive(server, admins_own.cookie), "ending Ana's sessions must not end the admin's"


def test_admin_api_with_a_session_cookie(db, servers):
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    ana_id = create_user(db, "acme", ANA, "Ana", "Diaz", password=GOOD_PASSWORD)
    server = servers()
    admin = sign_in(server, acme.admin_email, GOOD_PASSWORD)
    ana = sign_in(server, ANA, GOOD_PASSWORD)
    same_site = {"Origin": server.base_url}
    other_site = {"Origin": "https://evil.test"}

    # The cookie works like the token...
    users, _ = list_all_users(server, "acme", acme.admin_token)
    listed = expect(server.get(users_path("acme"), session=admin.http), 200)
    assert {u["email"] for u in listed["users"]} == {u["email"] for u in users}
    expect(server.get(settings_path("acme"), session=admin.http), 200)
    expect(server.post(users_path("acme"), session=admin.http, headers=same_site,
                       json=new_user_body("made.by.cookie@acme.test", "Made", "Bycookie")), 201)
    expect(server.patch(settings_path("acme"), session=admin.http,
                        json={"lockout": {"max_failures": 7}}), 200)

    # ...but not from another site.
    before = get_settings(server, "acme", acme.admin_token)
    for resp in (server.patch(settings_path("acme"), session=admin.http, headers=other_site,
                              json={"lockout": {"max_failures": 9}}),
                 server.post(users_path("acme"), session=admin.http, headers=other_site,
                             json=new_user_body("forged@acme.test", "For", "Ged")),
                 server.patch(users_path("acme", ana_id), session=admin.http, headers=other_site,
                              json={"status": "disabled"}),
                 server.delete(user_sessions_path("acme", ana_id), session=admin.http, headers=other_site),
                 server.post(users_path("acme", ana_id) + "/unlock", session=admin.http, headers=other_site),
                 server.delete(users_path("acme", ana_id), session=admin.http, headers=other_site)):
        expect(resp, 403, "cross_origin")
    assert get_settings(server, "acme", acme.admin_token) == before, "a cross-site PATCH changed the settings"
    emails = {u["email"] for u in list_all_users(server, "acme", acme.admin_token)[0]}
    assert "forged@acme.test" not in emails and ANA in emails, emails
    assert expect(server.get(users_path("acme", ana_id), acme.admin_token), 200)["status"] != "disabled"
    assert session_alive(server, ana.cookie)

    # A plain agent's session is no admin.
    expect(server.get(users_path("acme"), session=ana.http), 403, "forbidden")
    expect(server.patch(settings_path("acme"), session=ana.http, json={"lockout": {"max_failures": 9}}),
           403, "forbidden")
    resp = server.get(settings_path("acme"), session=ana.http)
    assert resp.status_code == 403, "the tenant settings are for administrators:\n" + show(resp)
