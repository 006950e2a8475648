"""Presence Reason lists end to end, through the HTTP API and the sign-in page: the sign-in gate
(an agent without a list gets no session, after the right password and after every later step
of the sign-in), what lets them in (an assigned list, a tenant default, `presence_gate_roles`),
the agent's own presence (GET/PUT /api/v1/presence, only reasons of their effective list), and
deleting a list that is in use (409, or ?replace_with= to move its members and the default).

The audit log is not checked here: neither the API (docs/openapi.yaml) nor the command line
offers a way to read it.
"""

from __future__ import annotations

import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Optional
from urllib.parse import urlsplit

import pytest
import requests

from harness import (GOOD_PASSWORD, SESSION_COOKIE, SESSION_PATH, Server, TenantFixture, bootstrap_tenant,
                     create_tenant, create_token, create_user, element_value, expect, login, migrate, new_user_body,
                     page_form, parse_html, refused, set_cookies, show, sign_in, update_settings,
                     user_sessions_path, users_path)
from mfa_helpers import browser_like, enroll_via_api, mfa_step

MESSAGE = "You need a Presence Reason list. Contact your administrator."
GATED = {"error": "presence_reason_list_required", "message": MESSAGE}
PRESENCE = "/api/v1/presence"

NED = "ned.okafor@nolist.test"          # agent, agent ID 2001
OLA = "ola.berg@nolist.test"            # agent
SUE = "sue.park@nolist.test"            # supervisor only
MIX = "max.ito@nolist.test"             # agent and administrator
ANA = "ana.diaz@acme.test"              # agent of a tenant with a default list


@dataclass
class World:
    server: Server
    acme: TenantFixture        # created with a default Presence Reason list ("Break,Lunch")
    nolist: TenantFixture      # created without any list
    ids: dict                  # email -> user id


@pytest.fixture
def world(db, servers) -> World:
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    nolist_id = create_tenant(db, "nolist", "Nolist Support", presence_reasons=None)
    admin_id = create_user(db, "nolist", "admin@nolist.test", "Admin", "Nolist", roles=("administrator",),
                           password=GOOD_PASSWORD)
    nolist = TenantFixture("nolist", nolist_id, "admin@nolist.test", admin_id,
                           create_token(db, "nolist", "admin@nolist.test", name="e2e"))
    ids = {
        NED: create_user(db, "nolist", NED, "Ned", "Okafor", roles=("agent",), agent_id="2001", password=GOOD_PASSWORD),
        OLA: create_user(db, "nolist", OLA, "Ola", "Berg", roles=("agent",), password=GOOD_PASSWORD),
        SUE: create_user(db, "nolist", SUE, "Sue", "Park", roles=("supervisor",), password=GOOD_PASSWORD),
        MIX: create_user(db, "nolist", MIX, "Max", "Ito", roles=("agent", "administrator"), password=GOOD_PASSWORD),
        ANA: create_user(db, "acme", ANA, "Ana", "Diaz", roles=("agent",), password=GOOD_PASSWORD),
    }
    return World(servers(), acme, nolist, ids)


# --------------------------------------------------------------------------- helpers


def lists_path(slug: str, list_id: Optional[str] = None) -> str:
    return f"/api/v1/tenants/{slug}/presence-reason-lists" + (f"/{list_id}" if list_id else "")


def create_list(server: Server, tenant: TenantFixture, name: str, reasons: list, is_default: bool = False) -> dict:
    body = {"name": name, "is_default": is_default, "reasons": [{"name": n, "code": c} for n, c in reasons]}
    created = expect(server.post(lists_path(tenant.slug), tenant.admin_token, json=body), 201)
    assert created["name"] == name and created["is_default"] is is_default, created
    assert [(r["name"], r["code"]) for r in created["reasons"]] == list(reasons), created
    for reason in created["reasons"]:
        uuid.UUID(reason["id"])
    return created


def assign(server: Server, tenant: TenantFixture, user_id: str, list_id: Optional[str]) -> dict:
    user = expect(server.patch(users_path(tenant.slug, user_id), tenant.admin_token,
                               json={"presence_reason_list_id": list_id}), 200)
    assert user["presence_reason_list_id"] == list_id, user
    return user


def user_json(server: Server, tenant: TenantFixture, user_id: str) -> dict:
    return expect(server.get(users_path(tenant.slug, user_id), tenant.admin_token), 200)


def session_ids(server: Server, tenant: TenantFixture, user_id: str) -> set:
    body = expect(server.get(user_sessions_path(tenant.slug, user_id), tenant.admin_token), 200)
    return {s["id"] for s in body["sessions"]}


def assert_gated(server: Server, resp: requests.Response, http: requests.Session) -> None:
    """The exact 403 of the gate, and nothing that would let this client in."""
    assert resp.status_code == 403, "expected 403 presence_reason_list_required:\n" + show(resp)
    assert resp.json() == GATED, "the 403 body must be exactly the documented one:\n" + show(resp)
    assert SESSION_COOKIE not in set_cookies(resp), "the gate must set no session cookie:\n" + show(resp)
    assert http.cookies.get(SESSION_COOKIE) is None, dict(http.cookies)
    # Whatever cookies did come back do not make a session.
    expect(server.get(SESSION_PATH, session=http), 401, "unauthenticated")


def gated_api_sign_in(server: Server, username: Optional[str], **fields) -> None:
    http = browser_like(server)
    assert_gated(server, login(server, username, GOOD_PASSWORD, session=http, **fields), http)


def page_sign_in(server: Server, username: str, password: str = GOOD_PASSWORD) -> tuple[requests.Session, requests.Response]:
    """The /login form, filled in and sent the way a browser does."""
    browser = requests.Session()
    page = server.get("/login", session=browser)
    assert page.status_code == 200, show(page)
    csrf = page_form(page, "/login")["csrf_token"]["value"]
    resp = server.post("/login", session=browser, data={"csrf_token": csrf, "username": username, "password": password})
    return browser, resp


def assert_page_gated(server: Server, username: str) -> None:
    browser, resp = page_sign_in(server, username)
    assert resp.status_code == 403, "the sign-in page answers the gate with 403:\n" + show(resp)
    assert "text/html" in resp.headers.get("Content-Type", ""), show(resp)
    assert element_value(parse_html(resp.text), "login-error") == MESSAGE, \
        "the page must show the gate's message in #login-error:\n" + show(resp)
    assert GOOD_PASSWORD not in resp.text, "the page must not echo the password"
    assert SESSION_COOKIE not in set_cookies(resp), show(resp)
    account = server.get("/account", session=browser)
    assert account.status_code in (302, 303) and urlsplit(account.headers["Location"]).path == "/login", \
        "without a session /account sends the browser to /login:\n" + show(account)


def signs_in(server: Server, username: str) -> dict:
    """An API sign-in that must end signed in; the session works."""
    signed = sign_in(server, username, GOOD_PASSWORD, http=browser_like(server))
    assert signed.body["status"] == "signed_in", signed.body
    assert expect(server.get(SESSION_PATH, session=signed.http), 200)["user"]["email"] == username
    return signed.body


def outbox_link(server: Server, tenant: TenantFixture, to: str, page: str) -> str:
    messages = expect(server.get(f"/api/v1/tenants/{tenant.slug}/outbox", tenant.admin_token), 200)["messages"]
    mine = [m for m in messages if m["to"] == to]
    assert mine, f"no email to {to} in the outbox: {messages}"
    match = re.search(re.escape(server.base_url + page) + r"([A-Za-z0-9_-]+)", mine[0]["text"])
    assert match, f"no {page} link in the email:\n{mine[0]['text']}"
    return match.group(1)


# --------------------------------------------------------------------------- the gate


def test_an_agent_without_a_list_gets_no_session_after_the_right_password(world: World):
    s, nolist = world.server, world.nolist

    # A wrong password is the usual 401, for an agent without a list as for anyone.
    refused(login(s, NED, "Wrong-Kettle-42"))
    refused(login(s, None, "Wrong-Kettle-42", agent_id="2001", tenant="nolist"))
    refused(login(s, "nobody@nolist.test", GOOD_PASSWORD))

    # The right password: the exact 403, no cookie, no session, by email and by agent ID.
    gated_api_sign_in(s, NED)
    gated_api_sign_in(s, None, agent_id="2001", tenant="nolist")
    gated_api_sign_in(s, OLA)
    gated_api_sign_in(s, MIX)               # an administrator who is also an agent is gated too
    for user in (NED, OLA, MIX):
        assert session_ids(s, nolist, world.ids[user]) == set(), f"{user} must have no session row"

    # The sign-in page: the same message, status 403, and the browser is not signed in.
    assert_page_gated(s, NED)
    assert session_ids(s, nolist, world.ids[NED]) == set()

    # Roles outside presence_gate_roles (default ["agent"]) are not gated.
    signs_in(s, SUE)
    signs_in(s, nolist.admin_email)
    # Nor are agents of a tenant that has a default list.
    signs_in(s, ANA)


def test_an_assigned_list_lets_that_agent_in_and_repeated_refusals_lock_nobody_out(world: World):
    s, nolist = world.server, world.nolist
    # More refusals than the lockout's max_failures (5): the password was right every time.
    for _ in range(6):
        gated_api_sign_in(s, NED)

    night = create_list(s, nolist, "Night shift", [("Coaching", "COACH"), ("Training", None)])
    assign(s, nolist, world.ids[NED], night["id"])
    body = signs_in(s, NED)
    assert body["user"]["presence_reason_list_id"] == night["id"], body
    assert len(session_ids(s, nolist, world.ids[NED])) == 1
    # The page signs him in too (and not into a 403).
    browser, resp = page_sign_in(s, NED)
    assert resp.status_code in (302, 303), show(resp)
    assert set_cookies(resp).get(SESSION_COOKIE, {}).get("value"), show(resp)
    # Only Ned has it: Ola is still gated, and the list counts one member.
    gated_api_sign_in(s, OLA)
    assert expect(s.get(lists_path("nolist", night["id"]), nolist.admin_token), 200)["member_count"] == 1

    # Taken away again: gated again at the next sign-in.
    assign(s, nolist, world.ids[NED], None)
    gated_api_sign_in(s, NED)

    # A list of another tenant cannot be assigned.
    acme_list = create_list(s, world.acme, "Acme only", [("Break", "BRK")])
    resp = s.patch(users_path("nolist", world.ids[NED]), nolist.admin_token,
                   json={"presence_reason_list_id": acme_list["id"]})
    expect(resp, 400, "validation_failed")
    assert "presence_reason_list_id" in resp.json()["fields"], show(resp)
    assert user_json(s, nolist, world.ids[NED])["presence_reason_list_id"] is None
    gated_api_sign_in(s, NED)


def test_a_tenant_default_list_lets_every_agent_in(world: World):
    s, nolist = world.server, world.nolist
    gated_api_sign_in(s, NED)
    gated_api_sign_in(s, OLA)

    standard = create_list(s, nolist, "Standard", [("Break", "BRK"), ("Lunch", None)], is_default=True)
    for agent in (NED, OLA, MIX):
        signs_in(s, agent)
    browser, resp = page_sign_in(s, OLA)
    assert resp.status_code in (302, 303) and set_cookies(resp).get(SESSION_COOKIE), show(resp)

    # No longer the default: the tenant has no list for them, and they are gated again.
    changed = expect(s.patch(lists_path("nolist", standard["id"]), nolist.admin_token, json={"is_default": False}), 200)
    assert changed["is_default"] is False, changed
    gated_api_sign_in(s, NED)
    assert_page_gated(s, OLA)

    # Making a second list the default takes the default away from the first.
    expect(s.patch(lists_path("nolist", standard["id"]), nolist.admin_token, json={"is_default": True}), 200)
    other = create_list(s, nolist, "Other", [("Meeting", "MTG")], is_default=True)
    lists = expect(s.get(lists_path("nolist"), nolist.admin_token), 200)["presence_reason_lists"]
    assert {(l["id"], l["is_default"]) for l in lists} == {(standard["id"], False), (other["id"], True)}, lists
    signs_in(s, NED)


def test_presence_gate_roles_decides_who_is_gated(world: World):
    s, nolist = world.server, world.nolist
    assert update_settings(s, "nolist", nolist.admin_token, presence_gate_roles=[])["presence_gate_roles"] == []
    for user in (NED, OLA, MIX, SUE):
        signs_in(s, user)
    browser, resp = page_sign_in(s, NED)
    assert resp.status_code in (302, 303) and set_cookies(resp).get(SESSION_COOKIE), show(resp)

    # null restores the default, ["agent"].
    assert update_settings(s, "nolist", nolist.admin_token, presence_gate_roles=None)["presence_gate_roles"] == ["agent"]
    gated_api_sign_in(s, NED)

    # Supervisors only: agents get in, the supervisor does not.
    assert update_settings(s, "nolist", nolist.admin_token,
                           presence_gate_roles=["supervisor"])["presence_gate_roles"] == ["supervisor"]
    signs_in(s, NED)
    before = session_ids(s, nolist, world.ids[SUE])       # from her sign-in above
    gated_api_sign_in(s, SUE)
    assert session_ids(s, nolist, world.ids[SUE]) == before, "the gate must write no session row"


def test_the_gate_comes_after_the_second_factor(world: World):
    """With an authenticator app, the password step answers mfa_required (no 403 yet); the
    refusal comes where the session would be made, after a right code."""
    s, nolist = world.server, world.nolist
    standard = create_list(s, nolist, "Standard", [("Break", "BRK")], is_default=True)
    http = browser_like(s)
    sign_in(s, NED, GOOD_PASSWORD, http=http)
    enrolled = enroll_via_api(s, http, "Work phone")
    expect(s.delete(SESSION_PATH, session=http), 204)
    expect(s.patch(lists_path("nolist", standard["id"]), nolist.admin_token, json={"is_default": False}), 200)
    before = session_ids(s, nolist, world.ids[NED])

    refused(login(s, NED, "Wrong-Kettle-42"))
    http = browser_like(s)
    resp = login(s, NED, GOOD_PASSWORD, session=http)
    flow = expect(resp, 200)
    assert flow["status"] == "mfa_required" and flow["flow_id"], show(resp)
    assert SESSION_COOKIE not in set_cookies(resp), show(resp)
    answer = mfa_step(s, http, flow["flow_id"], recovery_code=enrolled.recovery_codes[0])
    assert_gated(s, answer, http)
    assert session_ids(s, nolist, world.ids[NED]) == before, "the gate must write no session row"
    # The flow is used up.
    again = mfa_step(s, http, flow["flow_id"], recovery_code=enrolled.recovery_codes[1])
    assert again.status_code in (404, 410), "a flow the gate ended must not go on:\n" + show(again)
    assert SESSION_COOKIE not in set_cookies(again)

    # With a list assigned, the same steps sign him in.
    night = create_list(s, nolist, "Night shift", [("Coaching", "COACH")])
    assign(s, nolist, world.ids[NED], night["id"])
    http = browser_like(s)
    flow = expect(login(s, NED, GOOD_PASSWORD, session=http), 200)
    done = expect(mfa_step(s, http, flow["flow_id"], recovery_code=enrolled.recovery_codes[2]), 200)
    assert done["status"] == "signed_in", done
    expect(s.get(SESSION_PATH, session=http), 200)


def test_the_gate_after_a_temporary_password_and_an_invitation(world: World):
    s, nolist = world.server, world.nolist

    # A temporary password replaced: the password is changed, but there is no session.
    tom = expect(s.post(users_path("nolist"), nolist.admin_token,
                        json=new_user_body("tom.ruiz@nolist.test", "Tom", "Ruiz", temporary_password=True)), 201)
    http = browser_like(s)
    pending = expect(login(s, "tom.ruiz@nolist.test", tom["temporary_password"], session=http), 200)
    assert pending["status"] == "password_change_required", pending
    answer = s.post(f"/api/v1/login/{pending['flow_id']}/password", session=http,
                    json={"new_password": "Green-Harbour-58"})
    assert_gated(s, answer, http)
    assert session_ids(s, nolist, tom["id"]) == set()
    refused(login(s, "tom.ruiz@nolist.test", "Wrong-Harbour-58"))

    # An invitation accepted: the member is active, but gets no session.
    ivy = expect(s.post(users_path("nolist"), nolist.admin_token,
                        json=new_user_body("ivy.lund@nolist.test", "Ivy", "Lund", invite=True)), 201)
    token = outbox_link(s, nolist, "ivy.lund@nolist.test", "/invitations/")
    http = browser_like(s)
    answer = s.post(f"/api/v1/invitations/{token}/accept", session=http, json={"password": "Silver-Lake-73"})
    assert_gated(s, answer, http)
    assert user_json(s, nolist, ivy["id"])["status"] == "active"
    assert session_ids(s, nolist, ivy["id"]) == set()

    # Given a list, both sign in with the passwords they chose.
    standard = create_list(s, nolist, "Standard", [("Break", "BRK")], is_default=True)
    assert standard["is_default"]
    assert expect(login(s, "tom.ruiz@nolist.test", "Green-Harbour-58"), 200)["status"] == "signed_in"
    assert expect(login(s, "ivy.lund@nolist.test", "Silver-Lake-73"), 200)["status"] == "signed_in"


def test_the_invitation_page_says_sign_in_is_not_possible(world: World):
    s, nolist = world.server, world.nolist
    expect(s.post(users_path("nolist"), nolist.admin_token,
                  json=new_user_body("ivy.lund@nolist.test", "Ivy", "Lund", invite=True)), 201)
    path = "/invitations/" + outbox_link(s, nolist, "ivy.lund@nolist.test", "/invitations/")
    browser = requests.Session()
    page = s.get(path, session=browser)
    assert page.status_code == 200, show(page)
    fields = page_form(page, path)
    resp = s.post(path, session=browser, data={"csrf_token": fields["csrf_token"]["value"],
                                               "password": "Silver-Lake-73", "password_confirm": "Silver-Lake-73"})
    assert resp.status_code == 403, show(resp)
    text = parse_html(resp.text).text
    assert "Sign-in not possible" in text and MESSAGE in text, show(resp)
    assert SESSION_COOKIE not in set_cookies(resp), show(resp)
    assert s.get("/account", session=browser).status_code in (302, 303)


# --------------------------------------------------------------------------- presence


def test_presence_put_and_get_take_only_reasons_of_the_effective_list(world: World):
    s, nolist = world.server, world.nolist
    standard = create_list(s, nolist, "Standard", [("Break", "BRK"), ("Lunch", None)], is_default=True)
    night = create_list(s, nolist, "Night shift", [("Coaching", "COACH")])
    brk, lunch = standard["reasons"]
    coaching = night["reasons"][0]
    agent = sign_in(s, NED, GOOD_PASSWORD, http=browser_like(s)).http

    def get() -> dict:
        return expect(s.get(PRESENCE, session=agent), 200)

    def put(body: dict, **kwargs) -> requests.Response:
        return s.request("PUT", PRESENCE, session=agent, json=body, **kwargs)

    def effective(presence: dict) -> tuple:
        listed = presence["presence_reason_list"]
        return listed["id"], listed["is_default"], [(r["id"], r["name"], r["code"]) for r in listed["reasons"]]

    first = get()
    assert (first["state"], first["reason_id"], first["reason"], first["updated_at"]) == ("away", None, None, None), first
    assert effective(first) == (standard["id"], True, [(brk["id"], "Break", "BRK"), (lunch["id"], "Lunch", None)]), first

    now = expect(put({"state": "available"}), 200)
    assert now["state"] == "available" and now["reason_id"] is None and now["updated_at"], now
    assert get() == now

    away = expect(put({"state": "away", "reason_id": brk["id"]}), 200)
    assert away["reason_id"] == brk["id"] and away["reason"] == {"id": brk["id"], "name": "Break", "code": "BRK"}, away
    assert get() == away

    # Only reasons of his effective list: another list's reason, or an unknown one, is 422.
    for foreign in (coaching["id"], str(uuid.uuid4())):
        expect(put({"state": "away", "reason_id": foreign}), 422, "unknown_reason")
    assert get() == away, "a refused PUT must change nothing"
    # Malformed bodies, another site, no session.
    expect(put({"state": "away"}), 400, "validation_failed")
    expect(put({"state": "busy"}), 400, "validation_failed")
    expect(put({"state": "available"}, headers={"Origin": "https://evil.example"}), 403, "cross_origin")
    expect(s.request("PUT", PRESENCE, json={"state": "available"}), 401, "unauthenticated")
    expect(s.get(PRESENCE), 401, "unauthenticated")
    assert get() == away

    # Assigned the night list: that is his list now, and Break is not on it.
    assign(s, nolist, world.ids[NED], night["id"])
    moved = get()
    assert effective(moved) == (night["id"], False, [(coaching["id"], "Coaching", "COACH")]), moved
    assert moved["state"] == "away" and moved["reason_id"] is None and moved["reason"] is None, \
        "a stored reason that left the person's list reads as null: " + str(moved)
    expect(put({"state": "away", "reason_id": brk["id"]}), 422, "unknown_reason")
    coached = expect(put({"state": "away", "reason_id": coaching["id"]}), 200)
    assert coached["reason"] == {"id": coaching["id"], "name": "Coaching", "code": "COACH"}, coached

    # The reason removed from the list (Training added in its place): reads as null.
    edited = expect(s.patch(lists_path("nolist", night["id"]), nolist.admin_token,
                            json={"reasons": [{"name": "Training", "code": "TRN"}]}), 200)
    training = edited["reasons"][0]
    assert training["id"] != coaching["id"], edited
    after_edit = get()
    assert after_edit["reason_id"] is None and after_edit["reason"] is None, after_edit
    expect(put({"state": "away", "reason_id": coaching["id"]}), 422, "unknown_reason")
    expect(put({"state": "away", "reason_id": training["id"]}), 200)

    # No list any more (unassigned, and the tenant default gone) while signed in: 409.
    assign(s, nolist, world.ids[NED], None)
    expect(s.patch(lists_path("nolist", standard["id"]), nolist.admin_token, json={"is_default": False}), 200)
    bare = get()
    assert bare["presence_reason_list"] is None and bare["reason"] is None, bare
    expect(put({"state": "available"}), 409, "presence_reason_list_required")
    expect(put({"state": "away", "reason_id": brk["id"]}), 409, "presence_reason_list_required")

    # Presence is per person: Ola (same default list) starts from scratch.
    expect(s.patch(lists_path("nolist", standard["id"]), nolist.admin_token, json={"is_default": True}), 200)
    ola = sign_in(s, OLA, GOOD_PASSWORD, http=browser_like(s)).http
    fresh = expect(s.get(PRESENCE, session=ola), 200)
    assert (fresh["state"], fresh["updated_at"]) == ("away", None), fresh


# --------------------------------------------------------------------------- deleting lists in use


def test_deleting_a_list_in_use_is_refused_unless_a_replacement_is_named(world: World):
    s, nolist = world.server, world.nolist
    admin = nolist.admin_token
    standard = create_list(s, nolist, "Standard", [("Break", "BRK")], is_default=True)
    night = create_list(s, nolist, "Night shift", [("Coaching", "COACH")])
    day = create_list(s, nolist, "Day shift", [("Meeting", "MTG")])
    spare = create_list(s, nolist, "Spare", [("Other", None)])
    for agent in (NED, OLA):
        assign(s, nolist, world.ids[agent], night["id"])
    assert expect(s.get(lists_path("nolist", night["id"]), admin), 200)["member_count"] == 2

    # Assigned to two members: 409, saying how many.
    resp = s.delete(lists_path("nolist", night["id"]), admin)
    expect(resp, 409, "presence_reason_list_in_use")
    assert "2 members" in resp.json()["message"], show(resp)
    # The default, assigned to nobody: 409 too.
    resp = s.delete(lists_path("nolist", standard["id"]), admin)
    expect(resp, 409, "presence_reason_list_in_use")
    assert "default" in resp.json()["message"], show(resp)
    for kept in (standard, night):
        expect(s.get(lists_path("nolist", kept["id"]), admin), 200)

    # A replacement must be another list of this tenant.
    acme_list = create_list(s, world.acme, "Acme only", [("Break", "BRK")])
    for bad in (night["id"], str(uuid.uuid4()), acme_list["id"], "not-a-uuid"):
        resp = s.delete(lists_path("nolist", night["id"]) + f"?replace_with={bad}", admin)
        expect(resp, 400, "validation_failed")
        assert "replace_with" in resp.json()["fields"], show(resp)
    assert expect(s.get(lists_path("nolist", night["id"]), admin), 200)["member_count"] == 2

    # replace_with moves the members, in one go.
    expect(s.delete(lists_path("nolist", night["id"]) + f"?replace_with={day['id']}", admin), 204)
    expect(s.get(lists_path("nolist", night["id"]), admin), 404)
    for agent in (NED, OLA):
        assert user_json(s, nolist, world.ids[agent])["presence_reason_list_id"] == day["id"]
    assert expect(s.get(lists_path("nolist", day["id"]), admin), 200)["member_count"] == 2
    presence = expect(s.get(PRESENCE, session=sign_in(s, NED, GOOD_PASSWORD).http), 200)
    assert presence["presence_reason_list"]["id"] == day["id"], presence

    # The default replaced: the replacement becomes the default, and agents without an
    # assigned list (Mix) keep getting in.
    expect(s.delete(lists_path("nolist", standard["id"]) + f"?replace_with={spare['id']}", admin), 204)
    lists = expect(s.get(lists_path("nolist"), admin), 200)["presence_reason_lists"]
    assert {(l["name"], l["is_default"]) for l in lists} == {("Day shift", False), ("Spare", True)}, lists
    signs_in(s, MIX)

    # A list nobody uses and that is not the default goes without a replacement.
    unused = create_list(s, nolist, "Unused", [("Nap", None)])
    expect(s.delete(lists_path("nolist", unused["id"]), admin), 204)
    expect(s.get(lists_path("nolist", unused["id"]), admin), 404)


# --------------------------------------------------------------------------- one default, also under concurrency


def test_concurrent_defaults_leave_exactly_one_default(world: World):
    """Many lists made the default at the same moment (created, then switched with PATCH): every
    request succeeds, and the tenant ends with exactly one default that agents get in with."""
    s, nolist = world.server, world.nolist
    count = 12

    def at_once(send) -> list[requests.Response]:
        barrier = threading.Barrier(count)

        def one(index: int) -> requests.Response:
            barrier.wait(timeout=60)
            return send(index)

        with ThreadPoolExecutor(max_workers=count) as pool:
            return list(pool.map(one, range(count)))

    created = at_once(lambda i: s.post(lists_path("nolist"), nolist.admin_token,
                                       json={"name": f"Shift {i}", "is_default": True, "reasons": [{"name": "Break"}]}))
    assert [r.status_code for r in created] == [201] * count, "\n".join(show(r) for r in created if r.status_code != 201)

    def defaults() -> list[str]:
        lists = expect(s.get(lists_path("nolist"), nolist.admin_token), 200)["presence_reason_lists"]
        assert len(lists) == count, lists
        return [l["id"] for l in lists if l["is_default"]]

    assert len(defaults()) == 1, defaults()
    ids = [r.json()["id"] for r in created]
    switched = at_once(lambda i: s.patch(lists_path("nolist", ids[i]), nolist.admin_token, json={"is_default": True}))
    assert [r.status_code for r in switched] == [200] * count, "\n".join(show(r) for r in switched if r.status_code != 200)
    [default] = defaults()
    presence = expect(s.get(PRESENCE, session=sign_in(s, NED, GOOD_PASSWORD).http), 200)
    assert presence["presence_reason_list"]["id"] == default, presence
