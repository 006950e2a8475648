"""The user API: creation and its refusals, tenant isolation, authentication, search and paging."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import pytest
import requests

from harness import (Server, TenantFixture, bootstrap_tenant, create_token, create_user, error_fields,
                     expect, list_all_users, migrate, new_user_body, show, users_path)

USER_KEYS = {"id", "email", "first_name", "last_name", "phone", "agent_id", "roles", "status",
             "language", "tenant", "default_tenant", "created_at", "updated_at"}


@dataclass
class API:
    server: Server
    acme: TenantFixture
    globex: TenantFixture
    agent_token: str          # a token of a plain agent in acme
    agent_id: str             # that agent's user id


@pytest.fixture
def api(db, servers) -> API:
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    globex = bootstrap_tenant(db, "globex", "Globex Support", "admin@globex.test")
    agent_id = create_user(db, "acme", "agent@acme.test", "Art", "Agent", roles=("agent",), agent_id="7000")
    agent_token = create_token(db, "acme", "agent@acme.test")
    return API(servers(), acme, globex, agent_token, agent_id)


def rfc3339(value: str) -> datetime:
    assert isinstance(value, str), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def check_user_json(user: dict) -> None:
    missing = USER_KEYS - user.keys()
    assert not missing, f"user JSON lacks {sorted(missing)}: {user}"
    uuid.UUID(user["id"])
    rfc3339(user["created_at"])
    rfc3339(user["updated_at"])
    assert isinstance(user["roles"], list)


def same_user(a: dict, b: dict) -> bool:
    """Equal user JSON, with the timestamps compared as instants rather than as text."""
    def norm(u: dict) -> dict:
        return {**u, "created_at": rfc3339(u["created_at"]), "updated_at": rfc3339(u["updated_at"])}
    return norm(a) == norm(b)


def post_user(api: API, body, slug: str = "acme", token: str | None = None) -> requests.Response:
    token = token or (api.acme.admin_token if slug == "acme" else api.globex.admin_token)
    if isinstance(body, (dict, list)):
        return api.server.post(users_path(slug), token, json=body)
    return api.server.post(users_path(slug), token, data=body, headers={"Content-Type": "application/json"})


# ---------------------------------------------------------------------------- create / read / update


def test_create_read_update_delete(api: API):
    s, token = api.server, api.acme.admin_token
    resp = post_user(api, new_user_body("Bea.Lopez@Acme.test", "Bea", "Lopez", roles=["agent", "supervisor"],
                                        phone="(512) 555-0100", agent_id="0042", language="es"))
    user = expect(resp, 201)
    check_user_json(user)
    assert user["id"] in resp.headers.get("Location", ""), "201 needs a Location naming the new user:\n" + show(resp)
    assert user["email"].lower() == "bea.lopez@acme.test"
    assert user["agent_id"] == "0042", "agent ids keep leading zeros"
    assert sorted(user["roles"]) == ["agent", "supervisor"]
    assert user["language"] == "es"
    assert user["status"] in ("invited", "active", "disabled")

    fetched = expect(s.get(users_path("acme", user["id"]), token), 200)
    assert same_user(fetched, user), f"GET differs from the POST's answer:\nPOST {user}\nGET  {fetched}"

    # agent_id may also be sent as a JSON integer.
    numeric = expect(post_user(api, new_user_body("num@acme.test", agent_id=31337)), 201)
    assert numeric["agent_id"] == "31337"

    # PATCH: change fields, clear phone and agent_id with null, set a status.
    patched = expect(s.patch(users_path("acme", user["id"]), token,
                             json={"first_name": "Beatriz", "phone": None, "agent_id": None, "status": "disabled"}),
                     200)
    assert patched["first_name"] == "Beatriz" and patched["last_name"] == "Lopez"
    assert patched["phone"] is None and patched["agent_id"] is None, patched
    assert patched["status"] == "disabled"
    assert rfc3339(patched["updated_at"]) >= rfc3339(user["updated_at"])
    assert same_user(expect(s.get(users_path("acme", user["id"]), token), 200), patched)

    # The freed agent id can be given to someone else.
    expect(post_user(api, new_user_body("reuse@acme.test", agent_id="0042")), 201)

    # A bad PATCH changes nothing.
    bad = s.patch(users_path("acme", user["id"]), token, json={"email": "nope", "status": "sleeping"})
    expect(bad, 400, "validation_failed")
    assert {"email", "status"} <= error_fields(bad).keys(), show(bad)
    assert same_user(expect(s.get(users_path("acme", user["id"]), token), 200), patched)

    # DELETE, then it is gone.
    expect(s.delete(users_path("acme", user["id"]), token), 204)
    expect(s.get(users_path("acme", user["id"]), token), 404, "not_found")
    emails = [u["email"] for u in list_all_users(s, "acme", token)[0]]
    assert "bea.lopez@acme.test" not in [e.lower() for e in emails]


# ---------------------------------------------------------------------------- conflicts


def test_duplicate_email_conflicts(api: API):
    expect(post_user(api, new_user_body("dup@acme.test")), 201)
    for email, slug in (("dup@acme.test", "acme"), ("DUP@Acme.Test", "acme"),
                        ("dup@acme.test", "globex"), ("Dup@ACME.test", "globex"),
                        ("ADMIN@acme.test", "acme"), ("admin@globex.test", "acme")):
        resp = post_user(api, new_user_body(email), slug=slug)
        expect(resp, 409, "conflict")
        assert "email" in error_fields(resp), show(resp)

    # PATCHing another user onto a used email conflicts too.
    other = expect(post_user(api, new_user_body("other@acme.test")), 201)
    resp = api.server.patch(users_path("acme", other["id"]), api.acme.admin_token, json={"email": "DUP@acme.test"})
    expect(resp, 409, "conflict")
    assert "email" in error_fields(resp), show(resp)


def test_duplicate_agent_id_conflicts_within_a_tenant_only(api: API):
    expect(post_user(api, new_user_body("a1@acme.test", agent_id="2001")), 201)
    resp = post_user(api, new_user_body("a2@acme.test", agent_id="2001"))
    expect(resp, 409, "conflict")
    assert "agent_id" in error_fields(resp), show(resp)
    resp = post_user(api, new_user_body("a3@acme.test", agent_id=2001))
    expect(resp, 409, "conflict")
    assert "agent_id" in error_fields(resp), show(resp)
    # The CLI-made agent holds 7000 in acme.
    resp = post_user(api, new_user_body("a4@acme.test", agent_id="7000"))
    expect(resp, 409, "conflict")
    assert "agent_id" in error_fields(resp), show(resp)

    # Another tenant may use the same agent id.
    other = expect(post_user(api, new_user_body("g1@globex.test", agent_id="2001"), slug="globex"), 201)
    assert other["agent_id"] == "2001"

    # Nothing was half-created by the refused requests.
    emails = {u["email"] for u in list_all_users(api.server, "acme", api.acme.admin_token)[0]}
    assert not emails & {"a2@acme.test", "a3@acme.test", "a4@acme.test"}, emails


# ---------------------------------------------------------------------------- validation


@pytest.mark.parametrize("body, field", [
    (new_user_body("not-an-email"), "email"),
    (new_user_body("two@@acme.test"), "email"),
    (new_user_body("bad-agent@acme.test", agent_id="12ab"), "agent_id"),
    (new_user_body("neg-agent@acme.test", agent_id=-5), "agent_id"),
    (new_user_body("no-name@acme.test", first=""), "first_name"),
    (new_user_body("no-role@acme.test", roles=[]), "roles"),
    (new_user_body("bad-role@acme.test", roles=["overlord"]), "roles"),
    (new_user_body("bad-phone@acme.test", phone="call me"), "phone"),
], ids=["email", "email-double-at", "agent-id-letters", "agent-id-negative", "empty-first-name",
        "no-roles", "unknown-role", "phone"])
def test_validation_names_the_field(api: API, body, field):
    resp = post_user(api, body)
    expect(resp, 400, "validation_failed")
    assert field in error_fields(resp), show(resp)


def test_validation_names_every_bad_field(api: API):
    resp = post_user(api, {"email": "nope", "first_name": "", "last_name": "Ok", "agent_id": "x1", "roles": ["agent"]})
    expect(resp, 400, "validation_failed")
    assert {"email", "first_name", "agent_id"} <= error_fields(resp).keys(), show(resp)

    resp = post_user(api, {})
    expect(resp, 400, "validation_failed")
    assert {"email", "first_name", "last_name", "roles"} <= error_fields(resp).keys(), show(resp)

    # Nothing was created.
    emails = {u["email"] for u in list_all_users(api.server, "acme", api.acme.admin_token)[0]}
    assert emails == {"admin@acme.test", "agent@acme.test"}, emails


@pytest.mark.parametrize("raw", ['{"email": "x@acme.test",', "not json at all", '{"email": }'],
                         ids=["truncated", "text", "bad-value"])
def test_malformed_json(api: API, raw):
    expect(post_user(api, raw), 400, "invalid_json")


# ---------------------------------------------------------------------------- tenant isolation


def test_cross_tenant_access_is_not_found(api: API):
    s, acme_token = api.server, api.acme.admin_token
    victim = expect(post_user(api, new_user_body("victim@globex.test", "Vic", "Tim"), slug="globex"), 201)
    vid = victim["id"]

    for resp in (
        s.get(users_path("globex"), acme_token),
        s.post(users_path("globex"), acme_token, json=new_user_body("intruder@globex.test")),
        s.get(users_path("globex", vid), acme_token),
        s.patch(users_path("globex", vid), acme_token, json={"first_name": "Hacked"}),
        s.delete(users_path("globex", vid), acme_token),
        s.get(users_path("no-such-tenant"), acme_token),
        s.get(users_path("no-such-tenant", vid), acme_token),
        # Globex's user id through acme's own path is unknown there.
        s.get(users_path("acme", vid), acme_token),
        s.patch(users_path("acme", vid), acme_token, json={"first_name": "Hacked"}),
        s.delete(users_path("acme", vid), acme_token),
    ):
        expect(resp, 404, "not_found")

    # Globex's user is untouched and no intruder was created.
    assert same_user(expect(s.get(users_path("globex", vid), api.globex.admin_token), 200), victim)
    emails = {u["email"] for u in list_all_users(s, "globex", api.globex.admin_token)[0]}
    assert emails == {"admin@globex.test", "victim@globex.test"}, emails
    # Acme's list shows none of Globex's users.
    emails = {u["email"] for u in list_all_users(s, "acme", acme_token)[0]}
    assert emails == {"admin@acme.test", "agent@acme.test"}, emails


def test_unknown_user_is_not_found(api: API):
    s, token = api.server, api.acme.admin_token
    ghost = str(uuid.uuid4())
    expect(s.get(users_path("acme", ghost), token), 404, "not_found")
    expect(s.patch(users_path("acme", ghost), token, json={"first_name": "X"}), 404, "not_found")
    expect(s.delete(users_path("acme", ghost), token), 404, "not_found")


# ---------------------------------------------------------------------------- authentication


def test_authentication_and_authorization(api: API):
    s = api.server
    path = users_path("acme")
    for headers in ({}, {"Authorization": "Bearer gh_not_a_real_token"}, {"Authorization": "Bearer "},
                    {"Authorization": "Basic YWRtaW46YWRtaW4="}, {"Authorization": api.acme.admin_token}):
        for resp in (s.get(path, headers=headers), s.post(path, json=new_user_body("x@acme.test"), headers=headers),
                     s.get(users_path("acme", api.agent_id), headers=headers)):
            expect(resp, 401, "unauthenticated")

    # A token that differs from a real one by its last character is not accepted.
    real = api.acme.admin_token
    tweaked = real[:-1] + ("A" if real[-1] != "A" else "B")
    expect(s.get(path, tweaked), 401, "unauthenticated")

    # A plain agent is authenticated but not allowed to manage users.
    for resp in (s.get(path, api.agent_token),
                 s.post(path, api.agent_token, json=new_user_body("sneaky@acme.test", roles=["administrator"])),
                 s.patch(users_path("acme", api.acme.admin_id), api.agent_token, json={"status": "disabled"}),
                 s.delete(users_path("acme", api.acme.admin_id), api.agent_token)):
        expect(resp, 403, "forbidden")
    admin = expect(s.get(users_path("acme", api.acme.admin_id), api.acme.admin_token), 200)
    assert admin["status"] != "disabled", admin
    emails = {u["email"] for u in list_all_users(s, "acme", api.acme.admin_token)[0]}
    assert "sneaky@acme.test" not in emails


# ---------------------------------------------------------------------------- search and paging


def test_search_and_paging(api: API):
    s, token = api.server, api.acme.admin_token
    created = {}
    for i in range(23):
        email = f"user{i:02d}@acme.test"
        created[email] = expect(post_user(api, new_user_body(email, "Plain", f"Person{i:02d}")), 201)["id"]
    for i in range(5):
        email = f"zephyr{i}@acme.test"
        created[email] = expect(post_user(api, new_user_body(email, "Zephyrine", f"Wind{i}")), 201)["id"]
    # A Globex user that matches the search must not leak into Acme's results.
    expect(post_user(api, new_user_body("zephyr-g@globex.test", "Zephyrine", "Globex"), slug="globex"), 201)

    everyone = set(created) | {"admin@acme.test", "agent@acme.test"}

    # limit + next_cursor walk every user exactly once, in email order.
    for limit in (1, 4, 7, 100):
        users, pages = list_all_users(s, "acme", token, limit=limit)
        emails = [u["email"] for u in users]
        assert len(emails) == len(set(emails)), f"limit={limit}: a user was listed twice: {emails}"
        assert set(emails) == everyone, f"limit={limit}: missing {everyone - set(emails)}, extra {set(emails) - everyone}"
        assert emails == sorted(emails), f"limit={limit}: not ordered by email: {emails}"
        assert all(len(p) <= limit for p in pages), f"limit={limit}: a page exceeds the limit"
        assert all(len(p) > 0 for p in pages[:-1]), f"limit={limit}: an empty page before the end"
        for user in users:
            check_user_json(user)
    assert len(list_all_users(s, "acme", token, limit=4)[1]) >= 8

    # Search, alone and with paging.
    for limit in (2, 50):
        users, _ = list_all_users(s, "acme", token, limit=limit, q="zephyr")
        emails = [u["email"] for u in users]
        assert sorted(emails) == emails and set(emails) == {f"zephyr{i}@acme.test" for i in range(5)}, emails
        assert len(emails) == 5, emails
    upper, _ = list_all_users(s, "acme", token, q="ZEPHYR")
    assert {u["email"] for u in upper} == {f"zephyr{i}@acme.test" for i in range(5)}, "search is case-insensitive"
    assert list_all_users(s, "acme", token, q="no-such-person-xyz")[0] == []
