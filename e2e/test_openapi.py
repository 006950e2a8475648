"""docs/openapi.yaml stays true: it is a valid OpenAPI 3.1 document, the server serves every
operation it documents, and what the server answers (status and body) is what it says."""

from __future__ import annotations

import re

import pytest
import requests
import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from harness import (GOOD_PASSWORD, REPO_ROOT, SESSION_COOKIE, USERNAME_COOKIE, bootstrap_tenant, create_token,
                     create_user, migrate, new_user_body, set_cookies, settings_path, show, user_sessions_path,
                     users_path)

SPEC_PATH = REPO_ROOT / "docs" / "openapi.yaml"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def spec() -> dict:
    return yaml.safe_load(SPEC_PATH.read_text())


def test_document_is_valid_openapi_3_1(spec):
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_every_documented_operation_is_served(spec, db, servers):
    """No documented route is missing from the server: each answers something other than the
    router's own "no such resource" 404 or a 405."""
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    server = servers()
    some_id = "00000000-0000-0000-0000-000000000000"
    for template, item in spec["paths"].items():
        path = re.sub(r"\{(\w+)\}", lambda m: "acme" if m.group(1) == "slug" else some_id, template)
        for method in METHODS & set(item):
            response = server.request(method.upper(), path, acme.admin_token, json={} if method in {"post", "patch"} else None)
            unrouted = response.status_code == 405 or (
                response.status_code == 404 and response.json().get("message") == "There is no such resource.")
            assert not unrouted, f"{method.upper()} {template} is documented but not served: {response.status_code} {response.text}"


class Checker:
    """Validates real answers against the operation's documented responses: the status is
    documented, the headers the document marks required are present, and the body matches."""

    def __init__(self, spec: dict):
        self.spec = spec

    def check(self, method: str, template: str, response) -> None:
        operation = self.spec["paths"][template][method.lower()]
        documented = operation["responses"]
        status = str(response.status_code)
        assert status in documented, f"{method} {template} answered {status}, documented: {sorted(documented)}"
        answer = documented[status]
        if "$ref" in answer:
            answer = self.resolve(answer["$ref"])
        for name, header in (answer.get("headers") or {}).items():
            if "$ref" in header:
                header = self.resolve(header["$ref"])
            if header.get("required"):
                assert name in response.headers, f"{method} {template} {status} should carry {name}:\n" + show(response)
        content = answer.get("content")
        if not content:
            assert not response.content, f"{method} {template} {status} should have no body"
            return
        schema = content["application/json"]["schema"]
        validator = Draft202012Validator({**schema, "components": self.spec["components"]})
        errors = sorted(validator.iter_errors(response.json()), key=lambda e: list(e.path))
        assert not errors, f"{method} {template} {status}: " + "; ".join(
            f"{list(e.path)}: {e.message}" for e in errors[:5])

    def resolve(self, ref: str) -> dict:
        node = self.spec
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        return node


def test_answers_match_the_document(spec, db, servers):
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    bootstrap_tenant(db, "globex", "Globex Support", "admin@globex.test")
    create_user(db, "acme", "agent@acme.test", "Art", "Agent", roles=("agent",), agent_id="7000")
    agent_token = create_token(db, "acme", "agent@acme.test")
    server = servers()
    check = Checker(spec).check
    users, user = "/api/v1/tenants/{slug}/users", "/api/v1/tenants/{slug}/users/{id}"
    admin = acme.admin_token

    check("GET", "/healthz", server.get("/healthz"))
    check("GET", "/readyz", server.get("/readyz"))

    created = server.post(users_path("acme"), admin, json=new_user_body("bo@acme.test", agent_id="42", phone="5125551212"))
    check("POST", users, created)
    new_id = created.json()["id"]
    check("POST", users, server.post(users_path("acme"), admin, json=new_user_body("BO@acme.test")))          # 409
    check("POST", users, server.post(users_path("acme"), admin, json={"email": "x"}))                        # 400
    check("POST", users, server.post(users_path("acme"), admin, data="{", headers={"Content-Type": "application/json"}))
    check("POST", users, server.post(users_path("acme"), admin, data="a=b",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"}))  # 415
    check("POST", users, server.post(users_path("acme"), agent_token, json=new_user_body("z@acme.test")))     # 403

    check("GET", users, server.get(users_path("acme") + "?limit=1", admin))
    check("GET", users, server.get(users_path("acme") + "?q=bo", admin))
    check("GET", users, server.get(users_path("acme") + "?limit=500", admin))                                  # 400
    check("GET", users, server.get(users_path("acme")))                                                         # 401
    check("GET", users, server.get(users_path("globex"), admin))                                                # 404

    check("GET", user, server.get(users_path("acme", new_id), admin))
    check("GET", user, server.get(users_path("acme", "00000000-0000-0000-0000-000000000000"), admin))          # 404
    check("PATCH", user, server.patch(users_path("acme", new_id), admin, json={"phone": None, "roles": ["manager"]}))
    check("PATCH", user, server.patch(users_path("acme", new_id), admin, json={"agent_id": "x"}))               # 400
    check("PATCH", user, server.patch(users_path("acme", new_id), admin, json={"agent_id": "7000"}))            # 409
    check("DELETE", user, server.delete(users_path("acme", new_id), admin))                                     # 204
    check("DELETE", user, server.delete(users_path("acme", new_id), admin))                                     # 404


LOGIN, WHOAMI, PASSWORD = "/api/v1/login", "/api/v1/session", "/api/v1/password"
MY_SESSIONS, MY_SESSION = "/api/v1/sessions", "/api/v1/sessions/{id}"
SETTINGS = "/api/v1/tenants/{slug}/settings"
USER_SESSIONS = "/api/v1/tenants/{slug}/users/{id}/sessions"
USER_SESSION = "/api/v1/tenants/{slug}/users/{id}/sessions/{session}"
UNLOCK = "/api/v1/tenants/{slug}/users/{id}/unlock"
NOBODY = "00000000-0000-0000-0000-000000000000"


def cookie_only(value: str) -> dict:
    """Headers presenting a session cookie value without any cookie jar."""
    return {"Cookie": f"{SESSION_COOKIE}={value}"}


def test_sign_in_sessions_and_settings_match_the_document(spec, db, servers):
    """Drives sign-in, the caller's own sessions and password, the tenant settings and the
    administrator's session operations through their success and error paths; every answer
    must be documented and match."""
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    bootstrap_tenant(db, "globex", "Globex Support", "admin@globex.test")
    agent = create_user(db, "acme", "agent@acme.test", "Art", "Agent", roles=("agent",), agent_id="7000",
                        password=GOOD_PASSWORD)
    agent_token = create_token(db, "acme", "agent@acme.test")
    server = servers()
    check = Checker(spec).check
    admin = acme.admin_token
    as_json = {"Content-Type": "application/json"}

    def sign_in(expect_status: int = 200, **body) -> tuple[requests.Session, requests.Response]:
        http = requests.Session()
        resp = server.post(LOGIN, session=http, json=body)
        check("POST", LOGIN, resp)
        assert resp.status_code == expect_status, show(resp)
        if expect_status == 200:
            assert resp.json()["status"] == "signed_in", show(resp)
        return http, resp

    def refused(resp, status: int, error: str) -> dict:
        assert resp.status_code == status and resp.json().get("error") == error, \
            f"expected {status} {error}:\n" + show(resp)
        return resp.json()

    # ---------------------------------------------------------------- sign-in
    refused(sign_in(401, username="agent@acme.test", password="Wrong-Kettle-1")[1], 401, "invalid_credentials")
    refused(sign_in(401, username="nobody@acme.test", password=GOOD_PASSWORD)[1], 401, "invalid_credentials")
    body = refused(sign_in(400, agent_id="7000")[1], 400, "validation_failed")
    assert set(body["fields"]) == {"tenant", "password"}, body
    refused(sign_in(400, username="agent@acme.test", password=GOOD_PASSWORD, remember_me="yes")[1],
            400, "validation_failed")
    resp = server.post(LOGIN, data="{", headers=as_json)
    check("POST", LOGIN, resp)
    refused(resp, 400, "invalid_json")
    resp = server.post(LOGIN, data="username=agent", headers={"Content-Type": "application/x-www-form-urlencoded"})
    check("POST", LOGIN, resp)
    refused(resp, 415, "unsupported_media_type")

    # By email, remembering the username: a browser-session cookie and the username cookie.
    first, resp = sign_in(username="agent@acme.test", password=GOOD_PASSWORD, remember_me=True)
    cookies = set_cookies(resp)
    session_cookie = cookies[SESSION_COOKIE]
    assert session_cookie["attrs"].get("httponly") is True and session_cookie["attrs"].get("path") == "/", cookies
    assert str(session_cookie["attrs"].get("samesite", "")).lower() == "lax", cookies
    assert "max-age" not in session_cookie["attrs"] and "secure" not in session_cookie["attrs"], cookies
    assert cookies[USERNAME_COOKIE]["attrs"].get("path") == "/login", cookies
    assert resp.json()["session"]["persistent"] is False and resp.json()["session"]["current"] is True
    first_id = resp.json()["session"]["id"]

    # By agent ID (a JSON integer) in a tenant, kept signed in: a persistent session.
    second, resp = sign_in(agent_id=7000, tenant="acme", password=GOOD_PASSWORD, keep_signed_in=True)
    session_cookie = set_cookies(resp)[SESSION_COOKIE]
    assert session_cookie["attrs"].get("max-age") == "7776000", session_cookie
    assert resp.json()["session"]["persistent"] is True and resp.json()["session"]["absolute_expires_at"] is None
    second_cookie = session_cookie["value"]

    # ---------------------------------------------------------------- who am I, my sessions
    resp = server.get(WHOAMI, session=first)
    check("GET", WHOAMI, resp)
    assert resp.status_code == 200 and resp.json()["session"]["id"] == first_id, show(resp)
    resp = server.get(WHOAMI)
    check("GET", WHOAMI, resp)
    refused(resp, 401, "unauthenticated")
    resp = server.get(WHOAMI, agent_token)                           # a token is not a session
    check("GET", WHOAMI, resp)
    refused(resp, 401, "unauthenticated")

    resp = server.get(MY_SESSIONS, session=first)
    check("GET", MY_SESSIONS, resp)
    mine = resp.json()["sessions"]
    assert len(mine) == 2 and [s["id"] for s in mine if s["current"]] == [first_id], show(resp)
    check("GET", MY_SESSIONS, server.get(MY_SESSIONS))                                             # 401

    # ---------------------------------------------------------------- my password
    def change(http, **fields):
        resp = server.post(PASSWORD, session=http, json=fields)
        check("POST", PASSWORD, resp)
        return resp

    refused(change(first, current_password=GOOD_PASSWORD), 400, "validation_failed")
    body = refused(change(first, current_password=GOOD_PASSWORD, new_password="kettlepond"), 400, "password_policy")
    assert body["violations"] == ["too_few_character_classes"], body
    refused(change(first, current_password="Not-The-Password-1", new_password="Green-Harbour-58"),
            400, "invalid_current_password")
    refused(change(None, current_password=GOOD_PASSWORD, new_password="Green-Harbour-58"), 401, "unauthenticated")
    resp = server.post(PASSWORD, session=first, data="a=b", headers={"Content-Type": "text/plain"})
    check("POST", PASSWORD, resp)
    refused(resp, 415, "unsupported_media_type")
    assert change(first, current_password=GOOD_PASSWORD, new_password="Green-Harbour-58").status_code == 204
    agent_password = "Green-Harbour-58"
    # The change ended the other session.
    resp = server.get(WHOAMI, headers=cookie_only(second_cookie))
    check("GET", WHOAMI, resp)
    refused(resp, 401, "unauthenticated")

    # ---------------------------------------------------------------- tenant settings
    admin_http, _ = sign_in(username=acme.admin_email, password=GOOD_PASSWORD)
    resp = server.get(settings_path("acme"), admin)
    check("GET", SETTINGS, resp)
    assert resp.status_code == 200, show(resp)
    # A tenant that never changed anything has exactly the documented defaults.
    schemas = spec["components"]["schemas"]
    for section, schema in (("session_policy", "SessionPolicy"), ("password_policy", "PasswordPolicy"),
                            ("lockout", "LockoutPolicy")):
        defaults = {name: prop["default"] for name, prop in schemas[schema]["properties"].items()}
        assert resp.json()[section] == defaults, f"{section}: documented defaults {defaults}:\n" + show(resp)
    resp = server.get(settings_path("acme"), session=admin_http)                                    # admin's cookie
    check("GET", SETTINGS, resp)
    assert resp.status_code == 200, show(resp)
    resp = server.get(settings_path("acme"), agent_token)
    check("GET", SETTINGS, resp)
    refused(resp, 403, "forbidden")
    resp = server.get(settings_path("acme"), session=first)                                         # agent's cookie
    check("GET", SETTINGS, resp)
    refused(resp, 403, "forbidden")
    resp = server.get(settings_path("globex"), admin)
    check("GET", SETTINGS, resp)
    refused(resp, 404, "not_found")
    resp = server.get(settings_path("acme"))
    check("GET", SETTINGS, resp)
    refused(resp, 401, "unauthenticated")

    resp = server.patch(settings_path("acme"), admin, json={
        "session_policy": {"idle_timeout_seconds": 3600, "on_limit": "end_oldest"},
        "password_policy": {"history": 3}})
    check("PATCH", SETTINGS, resp)
    assert resp.status_code == 200, show(resp)
    settings = resp.json()
    assert settings["session_policy"]["idle_timeout_seconds"] == 3600 and settings["password_policy"]["history"] == 3
    assert settings["session_policy"]["absolute_timeout_seconds"] == 43200 and settings["lockout"]["max_failures"] == 5
    resp = server.patch(settings_path("acme"), admin, json={"session_policy": {"idle_timeout_seconds": None}})
    check("PATCH", SETTINGS, resp)
    assert resp.status_code == 200 and resp.json()["session_policy"]["idle_timeout_seconds"] == 1800, show(resp)
    assert resp.json()["session_policy"]["on_limit"] == "end_oldest", show(resp)

    resp = server.patch(settings_path("acme"), admin, json={
        "session_policy": {"idle_timeout_seconds": 0, "on_limit": "sometimes"},
        "password_policy": {"colour": "blue", "min_length": "8"},
        "lockout": 5,
        "theme": {}})
    check("PATCH", SETTINGS, resp)
    body = refused(resp, 400, "validation_failed")
    assert set(body["fields"]) == {"session_policy.idle_timeout_seconds", "session_policy.on_limit",
                                   "password_policy.colour", "password_policy.min_length", "lockout", "theme"}, body
    resp = server.patch(settings_path("acme"), admin, data="[1]", headers=as_json)
    check("PATCH", SETTINGS, resp)
    refused(resp, 400, "invalid_json")
    resp = server.patch(settings_path("acme"), admin, data="a=b", headers={"Content-Type": "text/plain"})
    check("PATCH", SETTINGS, resp)
    refused(resp, 415, "unsupported_media_type")
    resp = server.patch(settings_path("acme"), session=admin_http, json={}, headers={"Origin": "https://evil.test"})
    check("PATCH", SETTINGS, resp)
    refused(resp, 403, "cross_origin")
    resp = server.patch(settings_path("acme"), session=admin_http, json={}, headers={"Origin": server.base_url})
    check("PATCH", SETTINGS, resp)
    assert resp.status_code == 200, show(resp)
    resp = server.patch(settings_path("acme"), agent_token, json={})
    check("PATCH", SETTINGS, resp)
    refused(resp, 403, "forbidden")

    # ---------------------------------------------------------------- users: password, sessions, unlock
    users = "/api/v1/tenants/{slug}/users"
    resp = server.post(users_path("acme"), admin, json=new_user_body("dee@acme.test", "Dee", "Okafor",
                                                                     password="okafor1"))
    check("POST", users, resp)
    body = refused(resp, 400, "password_policy")
    assert set(body["violations"]) == {"too_short", "contains_last_name", "too_few_character_classes"}, body
    resp = server.post(users_path("acme"), admin, json=new_user_body("dee@acme.test", "Dee", "Okafor",
                                                                     password=GOOD_PASSWORD))
    check("POST", users, resp)
    assert resp.status_code == 201, show(resp)

    third, resp = sign_in(username="agent@acme.test", password=agent_password)
    third_id = resp.json()["session"]["id"]
    for auth in ({"token": admin}, {"session": admin_http}):
        resp = server.get(user_sessions_path("acme", agent), **auth)
        check("GET", USER_SESSIONS, resp)
        listed = resp.json()["sessions"]
        assert resp.status_code == 200 and {s["id"] for s in listed} == {first_id, third_id}, show(resp)
        assert not any(s["current"] for s in listed), show(resp)
    resp = server.get(user_sessions_path("acme", agent), agent_token)
    check("GET", USER_SESSIONS, resp)
    refused(resp, 403, "forbidden")
    resp = server.get(user_sessions_path("acme", NOBODY), admin)
    check("GET", USER_SESSIONS, resp)
    refused(resp, 404, "not_found")

    resp = server.delete(user_sessions_path("acme", agent, third_id), admin)
    check("DELETE", USER_SESSION, resp)
    assert resp.status_code == 204, show(resp)
    for session_id in (third_id, NOBODY, "not-a-session"):
        resp = server.delete(user_sessions_path("acme", agent, session_id), admin)
        check("DELETE", USER_SESSION, resp)
        refused(resp, 404, "not_found")
    resp = server.get(WHOAMI, session=third)
    check("GET", WHOAMI, resp)
    refused(resp, 401, "unauthenticated")

    resp = server.post(users_path("acme", agent) + "/unlock", admin)
    check("POST", UNLOCK, resp)
    assert resp.status_code == 204, show(resp)
    resp = server.post(users_path("acme", NOBODY) + "/unlock", admin)
    check("POST", UNLOCK, resp)
    refused(resp, 404, "not_found")
    resp = server.post(users_path("acme", agent) + "/unlock", agent_token)
    check("POST", UNLOCK, resp)
    refused(resp, 403, "forbidden")
    resp = server.post(users_path("acme", agent) + "/unlock", session=admin_http, headers={"Origin": "http://evil.test"})
    check("POST", UNLOCK, resp)
    refused(resp, 403, "cross_origin")

    resp = server.delete(user_sessions_path("acme", agent), admin)
    check("DELETE", USER_SESSIONS, resp)
    assert resp.status_code == 204, show(resp)
    resp = server.get(WHOAMI, session=first)
    check("GET", WHOAMI, resp)
    refused(resp, 401, "unauthenticated")
    resp = server.delete(user_sessions_path("acme", NOBODY), admin)
    check("DELETE", USER_SESSIONS, resp)
    refused(resp, 404, "not_found")

    # ---------------------------------------------------------------- ending my own sessions
    here, resp = sign_in(username="agent@acme.test", password=agent_password)
    here_cookie = set_cookies(resp)[SESSION_COOKIE]["value"]
    elsewhere, resp = sign_in(username="agent@acme.test", password=agent_password)
    elsewhere_id, elsewhere_cookie = resp.json()["session"]["id"], set_cookies(resp)[SESSION_COOKIE]["value"]

    resp = server.delete(MY_SESSION.replace("{id}", elsewhere_id), session=here)
    check("DELETE", MY_SESSION, resp)
    assert resp.status_code == 204, show(resp)
    for session_id in (elsewhere_id, "not-a-session"):
        resp = server.delete(MY_SESSION.replace("{id}", session_id), session=here)
        check("DELETE", MY_SESSION, resp)
        refused(resp, 404, "not_found")
    resp = server.delete(MY_SESSION.replace("{id}", elsewhere_id))
    check("DELETE", MY_SESSION, resp)
    refused(resp, 401, "unauthenticated")
    resp = server.get(WHOAMI, headers=cookie_only(elsewhere_cookie))
    check("GET", WHOAMI, resp)
    refused(resp, 401, "unauthenticated")

    also, resp = sign_in(username="agent@acme.test", password=agent_password)
    also_cookie = set_cookies(resp)[SESSION_COOKIE]["value"]
    resp = server.delete(MY_SESSIONS, session=here)                                   # sign out everywhere
    check("DELETE", MY_SESSIONS, resp)
    assert resp.status_code == 204 and set_cookies(resp)[SESSION_COOKIE]["value"] == "", show(resp)
    for cookie in (here_cookie, also_cookie):
        resp = server.get(WHOAMI, headers=cookie_only(cookie))
        check("GET", WHOAMI, resp)
        refused(resp, 401, "unauthenticated")
    resp = server.delete(MY_SESSIONS, headers=cookie_only(here_cookie))
    check("DELETE", MY_SESSIONS, resp)
    refused(resp, 401, "unauthenticated")

    last, resp = sign_in(username="agent@acme.test", password=agent_password)
    last_cookie = set_cookies(resp)[SESSION_COOKIE]["value"]
    resp = server.delete(WHOAMI, session=last)                                        # sign out here
    check("DELETE", WHOAMI, resp)
    assert resp.status_code == 204 and set_cookies(resp)[SESSION_COOKIE]["attrs"].get("max-age") == "0", show(resp)
    for method in ("GET", "DELETE"):
        resp = server.request(method, WHOAMI, headers=cookie_only(last_cookie))
        check(method, WHOAMI, resp)
        refused(resp, 401, "unauthenticated")

    # ---------------------------------------------------------------- limits
    resp = server.patch(settings_path("acme"), admin, json={
        "session_policy": {"max_concurrent_sessions": 1, "on_limit": "refuse"}, "lockout": {"max_failures": 1}})
    check("PATCH", SETTINGS, resp)
    assert resp.status_code == 200, show(resp)
    only, _ = sign_in(username="agent@acme.test", password=agent_password)
    refused(sign_in(409, username="agent@acme.test", password=agent_password)[1], 409, "session_limit_reached")

    refused(sign_in(401, username="stranger@acme.test", tenant="acme", password="Wrong-Kettle-1")[1],
            401, "invalid_credentials")
    refused(sign_in(429, username="stranger@acme.test", tenant="acme", password="Wrong-Kettle-1")[1],
            429, "too_many_attempts")

    # Wrong current passwords lock password changes too; the administrator's unlock lifts it.
    refused(change(only, current_password="Not-The-Password-1", new_password="Blue-Harbour-77"),
            400, "invalid_current_password")
    refused(change(only, current_password=agent_password, new_password="Blue-Harbour-77"), 429, "too_many_attempts")
    assert server.post(users_path("acme", agent) + "/unlock", admin).status_code == 204
    resp = change(only, current_password=agent_password, new_password="Blue-Harbour-77")
    assert resp.status_code == 204, show(resp)
