"""docs/openapi.yaml stays true: it is a valid OpenAPI 3.1 document, the server serves every
operation it documents, and what the server answers (status and body) is what it says."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import yaml
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
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


def test_examples_match_their_schemas(spec):
    """Every example of a request or response body is valid against the schema beside it."""
    checker = Checker(spec)
    problems = []
    for template, item in spec["paths"].items():
        for method in METHODS & set(item):
            operation = item[method]
            bodies = [("request", checker.resolve_node(operation.get("requestBody", {})))]
            bodies += [(status, checker.resolve_node(answer)) for status, answer in operation["responses"].items()]
            for where, body in bodies:
                media = (body.get("content") or {}).get("application/json")
                if not media or "schema" not in media:
                    continue
                validator = Draft202012Validator({**media["schema"], "components": spec["components"]})
                examples = {name: checker.resolve_node(example)["value"]
                            for name, example in (media.get("examples") or {}).items()}
                for name, value in examples.items():
                    problems += [f"{method.upper()} {template} {where} example {name}: {list(e.path)}: {e.message}"
                                 for e in validator.iter_errors(value)]
    assert not problems, "\n".join(problems[:20])


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

    def resolve_node(self, node: dict) -> dict:
        while isinstance(node, dict) and "$ref" in node:
            node = self.resolve(node["$ref"])
        return node

    def check_webhook_call(self, headers: dict, body: bytes) -> dict:
        """Validates one received webhook call against the document's `webhooks` section:
        its event type is documented, the required headers are present, and the body
        matches. Returns the parsed body."""
        event = json.loads(body)
        assert event.get("type") in self.spec["webhooks"], f"undocumented webhook event: {body!r}"
        operation = self.spec["webhooks"][event["type"]]["post"]
        lowered = {name.lower(): value for name, value in headers.items()}
        for parameter in operation.get("parameters", []):
            parameter = self.resolve_node(parameter)
            if parameter["in"] == "header" and parameter.get("required"):
                assert parameter["name"].lower() in lowered, f"{event['type']} call without {parameter['name']}: {headers}"
                validator = Draft202012Validator({**parameter["schema"], "components": self.spec["components"]})
                errors = list(validator.iter_errors(lowered[parameter["name"].lower()]))
                assert not errors, f"{event['type']} header {parameter['name']}: {errors[0].message}"
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        validator = Draft202012Validator({**schema, "components": self.spec["components"]})
        errors = sorted(validator.iter_errors(event), key=lambda e: list(e.path))
        assert not errors, f"webhook {event['type']}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
        return event


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
    for name, prop in schemas["Settings"]["properties"].items():
        if "$ref" not in prop or "default" in prop:                                  # top-level settings
            assert resp.json()[name] == prop["default"], f"{name}: documented default {prop['default']}:\n" + show(resp)
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


# ------------------------------------------------------------------------ accounts, webhooks, outbox

INVITATION = "/api/v1/tenants/{slug}/users/{id}/invitation"
TEMPORARY_PASSWORD = "/api/v1/tenants/{slug}/users/{id}/temporary-password"
LOGIN_STEP = "/api/v1/login/{flow_id}/password"
ACCEPT = "/api/v1/invitations/{token}/accept"
RECOVERY, RECOVERY_CONFIRM = "/api/v1/password-recovery", "/api/v1/password-recovery/{recovery_id}/confirm"
RESET = "/api/v1/password-reset/{token}"
WEBHOOKS, WEBHOOK = "/api/v1/tenants/{slug}/webhooks", "/api/v1/tenants/{slug}/webhooks/{id}"
OUTBOX = "/api/v1/tenants/{slug}/outbox"


class WebhookReceiver:
    """A local HTTP endpoint that records every call it gets (header names in lower case)
    and answers 204."""

    def __init__(self):
        self.calls: list[tuple[dict, bytes]] = []
        lock, calls = threading.Lock(), self.calls

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with lock:
                    calls.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.lock = lock
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/hooks/gatehouse"

    def received(self) -> list[tuple[dict, bytes]]:
        with self.lock:
            return list(self.calls)

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def receiver():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signature_is_valid(header: str, secret: str, body: bytes) -> bool:
    """The receiver's check of `Gatehouse-Signature: t=…,v1=…`, as the document describes it."""
    parts = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return abs(time.time() - int(parts["t"])) < 300 and hmac.compare_digest(parts["v1"], expected)


def decrypt_jwe(token: str, private_key) -> tuple[dict, str]:
    """Opens a compact JWE with RSA-OAEP-256 and A256GCM; returns its header and plaintext."""
    encoded_header, wrapped_key, iv, ciphertext, tag = token.split(".")
    header = json.loads(b64url_decode(encoded_header))
    content_key = private_key.decrypt(b64url_decode(wrapped_key), padding.OAEP(
        mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
    plaintext = AESGCM(content_key).decrypt(b64url_decode(iv), b64url_decode(ciphertext) + b64url_decode(tag),
                                            encoded_header.encode("ascii"))
    return header, plaintext.decode()


def public_pem(key) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def test_accounts_webhooks_and_outbox_match_the_document(spec, db, servers, receiver):
    """Drives invitations, temporary passwords, password recovery, webhooks and the outbox
    through their success and error paths; every answer, and every webhook call received,
    must be documented and match."""
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    bootstrap_tenant(db, "globex", "Globex Support", "admin@globex.test")
    create_user(db, "acme", "agent@acme.test", "Art", "Agent", roles=("agent",), agent_id="7000", password=GOOD_PASSWORD)
    agent_token = create_token(db, "acme", "agent@acme.test")
    server = servers()                                   # no --smtp-url: emails wait in the outbox
    checker = Checker(spec)
    check = checker.check
    admin = acme.admin_token
    as_form = {"Content-Type": "application/x-www-form-urlencoded"}
    evil = {"Origin": "https://evil.test"}

    def refused(resp, status: int, error: str) -> dict:
        assert resp.status_code == status and resp.json().get("error") == error, \
            f"expected {status} {error}:\n" + show(resp)
        return resp.json()

    def ok(resp, status: int):
        assert resp.status_code == status, f"expected {status}:\n" + show(resp)
        return resp.json() if resp.content else None

    def call(method: str, template: str, path: str, token=None, **kwargs):
        resp = server.request(method, path, token, **kwargs)
        check(method, template, resp)
        return resp

    def outbox(limit=None) -> list[dict]:
        return ok(call("GET", OUTBOX, "/api/v1/tenants/acme/outbox" + (f"?limit={limit}" if limit else ""), admin),
                  200)["messages"]

    def link_token(message: dict, page: str) -> str:
        match = re.search(re.escape(server.base_url + page) + r"([A-Za-z0-9_-]+)", message["text"])
        assert match, f"expected a {page} link of this server in the email text:\n{message['text']}"
        return match.group(1)

    # ---------------------------------------------------------------- webhooks
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    hooks = "/api/v1/tenants/acme/webhooks"
    all_events = spec["components"]["schemas"]["WebhookEventType"]["enum"]
    resp = call("POST", WEBHOOKS, hooks, admin, json={"url": receiver.url, "events": all_events})
    generated = ok(resp, 201)
    assert generated["secret"].startswith("whsec_") and generated["has_public_key"] is False, show(resp)
    assert resp.headers["Location"] == f"{hooks}/{generated['id']}", show(resp)
    own_secret = "e2e-own-secret-0123456789"
    resp = call("POST", WEBHOOKS, hooks, admin, json={"url": receiver.url, "events": ["user.password_changed"],
                                                       "secret": own_secret, "public_key": public_pem(key)})
    with_key = ok(resp, 201)
    assert "secret" not in with_key and with_key["has_public_key"] is True, show(resp)
    weak_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    body = refused(call("POST", WEBHOOKS, hooks, admin, json={"url": "ftp://user:pw@x.test", "events": ["user.deleted"],
                                                              "secret": "short"}), 400, "validation_failed")
    assert set(body["fields"]) == {"url", "events", "secret"}, body
    body = refused(call("POST", WEBHOOKS, hooks, admin, json={"url": receiver.url, "events": ["user.created"],
                                                              "public_key": public_pem(weak_key)}), 400, "validation_failed")
    assert set(body["fields"]) == {"public_key"}, body
    refused(call("POST", WEBHOOKS, hooks, admin, json={"events": [], "public_key": "nope"}), 400, "validation_failed")
    refused(call("POST", WEBHOOKS, hooks, admin, data="{", headers={"Content-Type": "application/json"}), 400, "invalid_json")
    refused(call("POST", WEBHOOKS, hooks, admin, data="url=x", headers=as_form), 415, "unsupported_media_type")
    refused(call("POST", WEBHOOKS, hooks, agent_token, json={"url": receiver.url, "events": ["user.created"]}),
            403, "forbidden")

    listed = ok(call("GET", WEBHOOKS, hooks, admin), 200)["webhooks"]
    assert {w["id"] for w in listed} == {generated["id"], with_key["id"]}, listed
    assert [w["created_at"] for w in listed] == sorted(w["created_at"] for w in listed), listed    # oldest first
    refused(call("GET", WEBHOOKS, hooks), 401, "unauthenticated")
    refused(call("GET", WEBHOOKS, "/api/v1/tenants/globex/webhooks", admin), 404, "not_found")
    shown = ok(call("GET", WEBHOOK, f"{hooks}/{with_key['id']}", admin), 200)
    assert shown["public_key"] == public_pem(key) and "secret" not in shown, shown
    for missing in (NOBODY, "not-a-webhook"):
        refused(call("GET", WEBHOOK, f"{hooks}/{missing}", admin), 404, "not_found")
    refused(call("GET", WEBHOOK, f"{hooks}/{with_key['id']}", agent_token), 403, "forbidden")

    # ---------------------------------------------------------------- users: invitations, temporary passwords
    users = "/api/v1/tenants/{slug}/users"
    resp = call("POST", users, users_path("acme"), admin, json=new_user_body("ivy@acme.test", "Ivy", "Nakamura", invite=True))
    ivy = ok(resp, 201)
    assert ivy["status"] == "invited" and "invitation_expires_at" in ivy and "temporary_password" not in ivy, show(resp)
    body = refused(call("POST", users, users_path("acme"), admin,
                        json=new_user_body("two@acme.test", invite=True, temporary_password=True)), 400, "validation_failed")
    assert set(body["fields"]) == {"invite", "temporary_password"}, body
    body = refused(call("POST", users, users_path("acme"), admin,
                        json=new_user_body("act@acme.test", invite=True, status="active")), 400, "validation_failed")
    assert set(body["fields"]) == {"status"}, body
    body = refused(call("POST", users, users_path("acme"), admin,
                        json=new_user_body("yes@acme.test", invite="yes")), 400, "validation_failed")
    assert set(body["fields"]) == {"invite"}, body
    resp = call("POST", users, users_path("acme"), admin,
                json=new_user_body("tom@acme.test", "Tom", "Okoro", temporary_password=True))
    tom = ok(resp, 201)
    assert tom["status"] == "active" and tom["temporary_password_format"] == "random", show(resp)
    assert "temporary_password_warning" not in tom and "invitation_expires_at" not in tom, show(resp)

    ok(call("POST", INVITATION, users_path("acme", ivy["id"]) + "/invitation", admin), 202)
    refused(call("POST", INVITATION, users_path("acme", tom["id"]) + "/invitation", admin), 409, "not_invited")
    refused(call("POST", INVITATION, users_path("acme", NOBODY) + "/invitation", admin), 404, "not_found")
    refused(call("POST", INVITATION, users_path("acme", ivy["id"]) + "/invitation", agent_token), 403, "forbidden")
    refused(call("POST", INVITATION, users_path("acme", ivy["id"]) + "/invitation"), 401, "unauthenticated")

    # ---------------------------------------------------------------- the outbox, and accepting the invitation
    messages = outbox()
    assert [(m["template"], m["to"], m["status"]) for m in messages] == [("invitation", "ivy@acme.test", "pending")] * 2, messages
    assert len(outbox(limit=1)) == 1
    new_token, old_token = (link_token(m, "/invitations/") for m in messages)
    assert new_token != old_token
    refused(call("GET", OUTBOX, "/api/v1/tenants/acme/outbox?limit=0", admin), 400, "validation_failed")
    refused(call("GET", OUTBOX, "/api/v1/tenants/acme/outbox", agent_token), 403, "forbidden")
    refused(call("GET", OUTBOX, "/api/v1/tenants/acme/outbox"), 401, "unauthenticated")

    def accept(token: str, **kwargs):
        return call("POST", ACCEPT, f"/api/v1/invitations/{token}/accept", **kwargs)

    refused(accept(old_token, json={"password": GOOD_PASSWORD}), 410, "link_replaced")
    refused(accept("inv_not-a-real-token", json={"password": GOOD_PASSWORD}), 404, "link_not_found")
    refused(accept(new_token, json={}), 400, "validation_failed")
    body = refused(accept(new_token, json={"password": "nakamura"}), 400, "password_policy")
    assert "contains_last_name" in body["violations"], body
    refused(accept(new_token, json={"password": GOOD_PASSWORD}, headers=evil), 403, "cross_origin")
    refused(accept(new_token, data="password=x", headers=as_form), 415, "unsupported_media_type")
    resp = accept(new_token, json={"password": GOOD_PASSWORD})
    assert ok(resp, 200)["status"] == "signed_in" and set_cookies(resp)[SESSION_COOKIE]["value"], show(resp)
    assert resp.json()["user"]["status"] == "active", show(resp)
    refused(accept(new_token, json={"password": GOOD_PASSWORD}), 410, "link_used")
    refused(call("POST", INVITATION, users_path("acme", ivy["id"]) + "/invitation", admin), 409, "not_invited")

    # ---------------------------------------------------------------- signing in with a temporary password
    def sign_in(**body):
        return call("POST", LOGIN, LOGIN, json=body)

    def change_step(flow: str, **kwargs):
        return call("POST", LOGIN_STEP, f"/api/v1/login/{flow}/password", **kwargs)

    resp = sign_in(username="tom@acme.test", password=tom["temporary_password"], keep_signed_in=True)
    pending = ok(resp, 200)
    assert pending["status"] == "password_change_required" and SESSION_COOKIE not in set_cookies(resp), show(resp)
    flow = pending["flow_id"]
    body = refused(change_step(flow, json={"new_password": tom["temporary_password"]}), 400, "password_policy")
    assert body["violations"] == ["reused"], body
    refused(change_step(flow, json={"new_password": ""}), 400, "validation_failed")
    refused(change_step(flow, json={"new_password": "Green-Harbour-58"}, headers=evil), 403, "cross_origin")
    refused(change_step("lf_unknown", json={"new_password": "Green-Harbour-58"}), 410, "flow_expired")
    resp = change_step(flow, json={"new_password": "Green-Harbour-58"})
    assert ok(resp, 200)["status"] == "signed_in" and resp.json()["session"]["persistent"] is True, show(resp)
    assert set_cookies(resp)[SESSION_COOKIE]["value"], show(resp)
    refused(change_step(flow, json={"new_password": "Other-Harbour-59"}), 410, "flow_expired")
    assert ok(sign_in(username="tom@acme.test", password="Green-Harbour-58"), 200)["status"] == "signed_in"

    # An administrator's temporary password, in both formats; one that expires.
    issued = ok(call("POST", TEMPORARY_PASSWORD, users_path("acme", ivy["id"]) + "/temporary-password", admin), 201)
    assert issued["format"] == "random" and issued["warning"] is None, issued
    refused(call("POST", TEMPORARY_PASSWORD, users_path("acme", NOBODY) + "/temporary-password", admin), 404, "not_found")
    refused(call("POST", TEMPORARY_PASSWORD, users_path("acme", ivy["id"]) + "/temporary-password", agent_token),
            403, "forbidden")
    resp = call("PATCH", SETTINGS, settings_path("acme"), admin,
                json={"temporary_password_format": "initials_phone", "temporary_password_ttl_seconds": 1})
    assert ok(resp, 200)["temporary_password_format"] == "initials_phone", show(resp)
    body = refused(call("PATCH", SETTINGS, settings_path("acme"), admin,
                        json={"invitation_ttl_seconds": 0, "temporary_password_format": "words"}), 400, "validation_failed")
    assert set(body["fields"]) == {"invitation_ttl_seconds", "temporary_password_format"}, body
    resp = call("POST", users, users_path("acme"), admin,
                json=new_user_body("john@acme.test", "John", "Doe", phone="512-555-1212", temporary_password=True))
    john = ok(resp, 201)
    assert john["temporary_password"] == "Jd5125551212!!" and john["temporary_password_warning"], show(resp)
    issued = ok(call("POST", TEMPORARY_PASSWORD, users_path("acme", john["id"]) + "/temporary-password", admin), 201)
    assert issued["format"] == "initials_phone" and issued["warning"], issued
    body = refused(call("POST", TEMPORARY_PASSWORD, users_path("acme", tom["id"]) + "/temporary-password", admin),
                   400, "validation_failed")
    assert set(body["fields"]) == {"phone"}, body
    time.sleep(1.5)                                                            # the 1-second temporary password expires
    refused(sign_in(username="john@acme.test", password="Jd5125551212!!"), 401, "temporary_password_expired")
    refused(sign_in(username="john@acme.test", password="Jd5125551212!?"), 401, "invalid_credentials")
    ok(call("PATCH", "/api/v1/tenants/{slug}/users/{id}", users_path("acme", john["id"]), admin,
            json={"status": "disabled"}), 200)
    refused(call("POST", TEMPORARY_PASSWORD, users_path("acme", john["id"]) + "/temporary-password", admin),
            409, "user_disabled")
    ok(call("PATCH", SETTINGS, settings_path("acme"), admin,
            json={"temporary_password_format": None, "temporary_password_ttl_seconds": None}), 200)

    # ---------------------------------------------------------------- forgot password
    def recover(**kwargs):
        return call("POST", RECOVERY, RECOVERY, **kwargs)

    def confirm(recovery_id: str):
        return call("POST", RECOVERY_CONFIRM, f"/api/v1/password-recovery/{recovery_id}/confirm")

    def reset(token: str, **kwargs):
        return call("POST", RESET, f"/api/v1/password-reset/{token}", **kwargs)

    known = ok(recover(json={"username": "tom@acme.test"}), 200)
    assert known["masked_email"] == "t***@a***.test", known
    unknown = ok(recover(json={"username": "nobody@acme.test"}), 200)
    assert unknown["masked_email"] == "n***@a***.test", unknown
    by_agent = ok(recover(json={"agent_id": 7000, "tenant": "acme"}), 200)
    assert by_agent["masked_email"] == "a***@a***.test", by_agent
    body = refused(recover(json={"agent_id": "7000"}), 400, "validation_failed")
    assert set(body["fields"]) == {"tenant"}, body
    refused(recover(json={"username": "tom@acme.test", "agent_id": "7000", "tenant": "acme"}), 400, "validation_failed")
    refused(recover(json={}), 400, "validation_failed")
    refused(recover(data="username=tom", headers=as_form), 415, "unsupported_media_type")

    for recovery_id in (known["recovery_id"], known["recovery_id"], unknown["recovery_id"]):
        assert ok(confirm(recovery_id), 202) == {"status": "sent_if_the_account_exists"}
    refused(confirm("rcv_not-a-real-request"), 404, "not_found")
    resets = [m for m in outbox() if m["template"] == "password_reset"]
    assert [m["to"] for m in resets] == ["tom@acme.test"], resets           # one email, and none for nobody@
    reset_token = link_token(resets[0], "/password/reset/")

    refused(reset("rst_not-a-real-token", json={"new_password": "Blue-Harbour-77"}), 404, "link_not_found")
    refused(reset(reset_token, json={}), 400, "validation_failed")
    body = refused(reset(reset_token, json={"new_password": "Green-Harbour-58"}), 400, "password_policy")
    assert body["violations"] == ["reused"], body
    refused(reset(reset_token, data="new_password=x", headers=as_form), 415, "unsupported_media_type")
    assert ok(reset(reset_token, json={"new_password": "Blue-Harbour-77"}), 204) is None
    refused(reset(reset_token, json={"new_password": "Blue-Harbour-78"}), 410, "link_used")

    for attempt in range(6):                                                   # 5 an hour per name
        resp = recover(json={"username": "flood@acme.test"})
    refused(resp, 429, "too_many_requests")
    assert resp.headers["Retry-After"].isdigit(), show(resp)

    # A session an administrator ends is reported too.
    assert ok(sign_in(username="tom@acme.test", password="Blue-Harbour-77"), 200)["status"] == "signed_in"
    resp = call("DELETE", USER_SESSIONS, user_sessions_path("acme", tom["id"]), admin)
    assert resp.status_code == 204, show(resp)

    # ---------------------------------------------------------------- the webhook calls received
    expected = {"user.created": 3, "user.invited": 2, "user.activated": 1, "user.password_changed": 3,
                "user.disabled": 1, "session.signed_in": 4, "session.ended": 1}
    new_passwords = {"invitation_accepted": GOOD_PASSWORD, "temporary_password_replaced": "Green-Harbour-58",
                     "password_reset": "Blue-Harbour-77"}
    deadline = time.monotonic() + 60
    while True:
        to_all, to_key = [], []
        for headers, raw in receiver.received():
            event = checker.check_webhook_call(headers, raw)
            assert headers["gatehouse-event"] == event["type"] and headers["gatehouse-event-id"] == event["id"], headers
            assert event["tenant"] == {"id": acme.tenant_id, "slug": "acme"}, event
            if signature_is_valid(headers["gatehouse-signature"], generated["secret"], raw):
                to_all.append((headers, event))
            else:
                assert signature_is_valid(headers["gatehouse-signature"], own_secret, raw), \
                    f"a call signed with neither webhook's secret: {headers}\n{raw!r}"
                to_key.append((headers, event))
        counts = {}
        for _, event in to_all:
            counts[event["type"]] = counts.get(event["type"], 0) + 1
        if counts == expected and len(to_key) == 3:
            break
        assert time.monotonic() < deadline, \
            f"webhook calls received: {counts} and {len(to_key)} with the key, expected {expected} and 3"
        time.sleep(0.2)

    deliveries = [headers["gatehouse-delivery"] for headers, _ in to_all + to_key]
    assert len(set(deliveries)) == len(deliveries), deliveries
    assert all("new_password_jwe" not in event["data"] for _, event in to_all)
    ivy_events = [event["type"] for _, event in to_all if event["data"]["user"]["id"] == ivy["id"]]
    assert ivy_events == ["user.created", "user.invited", "user.invited", "user.activated", "user.password_changed",
                          "session.signed_in"], ivy_events                      # in order per person
    for _, event in to_key:
        assert event["type"] == "user.password_changed", event
        header, password = decrypt_jwe(event["data"]["new_password_jwe"], key)
        assert header == {"alg": "RSA-OAEP-256", "enc": "A256GCM", "cty": "text/plain", "kid": with_key["id"]}, header
        assert password == new_passwords[event["data"]["reason"]], event

    # ---------------------------------------------------------------- deleting webhooks
    for webhook in (generated, with_key):
        resp = call("DELETE", WEBHOOK, f"{hooks}/{webhook['id']}", admin)
        assert resp.status_code == 204, show(resp)
    refused(call("DELETE", WEBHOOK, f"{hooks}/{generated['id']}", admin), 404, "not_found")
    refused(call("DELETE", WEBHOOK, f"{hooks}/{NOBODY}", agent_token), 403, "forbidden")
    assert ok(call("GET", WEBHOOKS, hooks, admin), 200) == {"webhooks": []}


# ------------------------------------------------------------------------ two-step verification

MFA_ENROLL, MFA_VERIFY = "/api/v1/mfa/totp", "/api/v1/mfa/totp/{enrollment_id}/verify"
MFA_DEVICES, MFA_DEVICE = "/api/v1/mfa/devices", "/api/v1/mfa/devices/{id}"
MFA_RECOVERY_CODES = "/api/v1/mfa/recovery-codes"
REAUTHENTICATE = "/api/v1/session/reauthenticate"
LOGIN_CODE = "/api/v1/login/{flow_id}/mfa"
LOGIN_ENROLL = "/api/v1/login/{flow_id}/mfa/totp"
LOGIN_ENROLL_VERIFY = "/api/v1/login/{flow_id}/mfa/totp/{enrollment_id}/verify"
MFA_RESET = "/api/v1/tenants/{slug}/users/{id}/mfa/reset"


def totp(secret: str, step: int) -> str:
    """RFC 6238 with the parameters the document gives (SHA-1, 6 digits, 30-second steps)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, step.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return f"{(int.from_bytes(mac[offset:offset + 4], 'big') & 0x7FFFFFFF) % 1_000_000:06d}"


class AuthenticatorApp:
    """An authenticator app holding the secret of one enrolment. A code works once, so each
    new code is of a later step than the last one used: the current step, or the next one
    (accepted, the document says, for clocks a little off); when both are spent it waits
    for the next 30-second step."""

    def __init__(self, enrollment: dict):
        self.secret = enrollment["secret"]
        self.last_step: int | None = None

    def code(self) -> str:
        while True:
            now = int(time.time() // 30)
            step = now if self.last_step is None else max(now, self.last_step + 1)
            if step <= now + 1:
                break
            time.sleep(30 - time.time() % 30 + 0.2)
        self.last_step = step
        return totp(self.secret, step)

    def wrong_code(self) -> str:
        """Six digits that are no code of this app now or in the next minutes."""
        now = int(time.time() // 30)
        taken = {totp(self.secret, step) for step in range(now - 2, now + 6)}
        return next(code for code in ("000000", "111111", "222222", "333333", "444444") if code not in taken)


def test_two_step_verification_matches_the_document(spec, db, servers):
    """Drives authenticator apps, recovery codes, the password confirmation, the code and
    enrolment steps of sign-in, the MFA settings and the administrator's reset through their
    success and error paths; every answer must be documented and match."""
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    bootstrap_tenant(db, "globex", "Globex Support", "admin@globex.test")
    agent = create_user(db, "acme", "agent@acme.test", "Art", "Agent", roles=("agent",), password=GOOD_PASSWORD)
    create_user(db, "acme", "sue@acme.test", "Sue", "Visor", roles=("supervisor",), password=GOOD_PASSWORD)
    agent_token = create_token(db, "acme", "agent@acme.test")
    server = servers()
    check = Checker(spec).check
    admin = acme.admin_token
    evil = {"Origin": "https://evil.test"}
    as_form = {"Content-Type": "application/x-www-form-urlencoded"}

    def call(method: str, template: str, path: str, token=None, **kwargs):
        resp = server.request(method, path, token, **kwargs)
        check(method, template, resp)
        return resp

    def refused(resp, status: int, error: str) -> dict:
        assert resp.status_code == status and resp.json().get("error") == error, \
            f"expected {status} {error}:\n" + show(resp)
        return resp.json()

    def ok(resp, status: int):
        assert resp.status_code == status, f"expected {status}:\n" + show(resp)
        return resp.json() if resp.content else None

    def sign_in(email: str, **extra) -> tuple[requests.Session, dict]:
        http = requests.Session()
        resp = call("POST", LOGIN, LOGIN, session=http, json={"username": email, "password": GOOD_PASSWORD, **extra})
        body = ok(resp, 200)
        assert (SESSION_COOKIE in set_cookies(resp)) == (body["status"] == "signed_in"), show(resp)
        return http, body

    def code_step(flow: str, **kwargs):
        return call("POST", LOGIN_CODE, f"/api/v1/login/{flow}/mfa", **kwargs)

    def signed_in(resp) -> dict:
        body = ok(resp, 200)
        assert body["status"] == "signed_in" and set_cookies(resp)[SESSION_COOKIE]["value"], show(resp)
        return body

    # ---------------------------------------------------------------- adding an authenticator app
    art, body = sign_in("agent@acme.test")
    assert body["status"] == "signed_in", body                            # optional, and no app yet
    for method, template in (("GET", MFA_DEVICES), ("POST", MFA_ENROLL), ("POST", MFA_RECOVERY_CODES),
                             ("POST", REAUTHENTICATE)):
        refused(call(method, template, template, json={}), 401, "unauthenticated")
    refused(call("POST", MFA_ENROLL, MFA_ENROLL, agent_token, json={"device_name": "Phone"}), 401, "unauthenticated")
    assert ok(call("GET", MFA_DEVICES, MFA_DEVICES, session=art), 200) == {"devices": [], "recovery_codes_left": 0}
    refused(call("POST", MFA_RECOVERY_CODES, MFA_RECOVERY_CODES, session=art), 404, "not_found")   # no app yet

    body = refused(call("POST", MFA_ENROLL, MFA_ENROLL, session=art, json={}), 400, "validation_failed")
    assert set(body["fields"]) == {"device_name"}, body
    body = refused(call("POST", MFA_ENROLL, MFA_ENROLL, session=art, json={"device_name": "x" * 61}), 400, "validation_failed")
    assert set(body["fields"]) == {"device_name"}, body
    refused(call("POST", MFA_ENROLL, MFA_ENROLL, session=art, data="{", headers={"Content-Type": "application/json"}),
            400, "invalid_json")
    refused(call("POST", MFA_ENROLL, MFA_ENROLL, session=art, data="device_name=x", headers=as_form),
            415, "unsupported_media_type")
    refused(call("POST", MFA_ENROLL, MFA_ENROLL, session=art, json={"device_name": "Phone"}, headers=evil),
            403, "cross_origin")

    started = ok(call("POST", MFA_ENROLL, MFA_ENROLL, session=art, json={"device_name": " Work phone "}), 201)
    assert f"secret={started['secret']}&" in started["otpauth_uri"], started
    assert started["otpauth_uri"].startswith("otpauth://totp/Acme%20Contact%20Center:agent%40acme.test?"), started
    phone = AuthenticatorApp(started)
    verify = f"/api/v1/mfa/totp/{started['enrollment_id']}/verify"
    assert ok(call("GET", MFA_DEVICES, MFA_DEVICES, session=art), 200)["devices"] == []        # not confirmed yet
    refused(call("POST", MFA_VERIFY, verify, session=art, json={}), 400, "validation_failed")
    body = refused(call("POST", MFA_VERIFY, verify, session=art, json={"code": phone.wrong_code()}), 400, "invalid_code")
    assert set(body["fields"]) == {"code"}, body
    for enrollment in (NOBODY, "not-an-enrollment"):
        refused(call("POST", MFA_VERIFY, f"/api/v1/mfa/totp/{enrollment}/verify", session=art, json={"code": "123456"}),
                404, "not_found")
    refused(call("POST", MFA_VERIFY, verify, session=art, json={"code": "123456"}, headers=evil), 403, "cross_origin")
    refused(call("POST", MFA_VERIFY, verify, json={"code": "123456"}), 401, "unauthenticated")
    confirmed = ok(call("POST", MFA_VERIFY, verify, session=art, json={"code": phone.code()}), 200)  # still usable
    assert confirmed["device"]["id"] == started["enrollment_id"] and confirmed["device"]["name"] == "Work phone", confirmed
    first_codes = confirmed["recovery_codes"]
    refused(call("POST", MFA_VERIFY, verify, session=art, json={"code": "123456"}), 404, "not_found")  # confirmed

    # A second app: no new recovery codes; removing it (the session is recent: no password needed).
    spare_started = ok(call("POST", MFA_ENROLL, MFA_ENROLL, session=art, json={"device_name": "Spare tablet"}), 201)
    spare = AuthenticatorApp(spare_started)
    resp = call("POST", MFA_VERIFY, f"/api/v1/mfa/totp/{spare_started['enrollment_id']}/verify", session=art,
                json={"code": spare.code()})
    assert ok(resp, 200)["recovery_codes"] is None, show(resp)
    listed = ok(call("GET", MFA_DEVICES, MFA_DEVICES, session=art), 200)
    assert [d["name"] for d in listed["devices"]] == ["Work phone", "Spare tablet"], listed     # oldest first
    assert listed["recovery_codes_left"] == 10, listed
    spare_path = f"/api/v1/mfa/devices/{spare_started['enrollment_id']}"
    refused(call("DELETE", MFA_DEVICE, spare_path, session=art, headers=evil), 403, "cross_origin")
    refused(call("DELETE", MFA_DEVICE, spare_path), 401, "unauthenticated")
    assert ok(call("DELETE", MFA_DEVICE, spare_path, session=art), 204) is None
    for device in (spare_started["enrollment_id"], NOBODY, "not-a-device"):
        refused(call("DELETE", MFA_DEVICE, f"/api/v1/mfa/devices/{device}", session=art), 404, "not_found")
    assert [d["name"] for d in ok(call("GET", MFA_DEVICES, MFA_DEVICES, session=art), 200)["devices"]] == ["Work phone"]

    # New recovery codes replace the first ones.
    refused(call("POST", MFA_RECOVERY_CODES, MFA_RECOVERY_CODES, session=art, headers=evil), 403, "cross_origin")
    recovery_codes = ok(call("POST", MFA_RECOVERY_CODES, MFA_RECOVERY_CODES, session=art), 200)["recovery_codes"]
    assert not set(recovery_codes) & set(first_codes), recovery_codes

    # Confirming the password again.
    body = refused(call("POST", REAUTHENTICATE, REAUTHENTICATE, session=art, json={"password": "Wrong-Kettle-1"}),
                   400, "invalid_current_password")
    refused(call("POST", REAUTHENTICATE, REAUTHENTICATE, session=art, json={}), 400, "validation_failed")
    refused(call("POST", REAUTHENTICATE, REAUTHENTICATE, session=art, data="password=x", headers=as_form),
            415, "unsupported_media_type")
    refused(call("POST", REAUTHENTICATE, REAUTHENTICATE, session=art, json={"password": GOOD_PASSWORD}, headers=evil),
            403, "cross_origin")
    assert ok(call("POST", REAUTHENTICATE, REAUTHENTICATE, session=art, json={"password": GOOD_PASSWORD}), 204) is None

    # ---------------------------------------------------------------- the code step of sign-in
    _, pending = sign_in("agent@acme.test", keep_signed_in=True)
    assert pending["status"] == "mfa_required", pending
    flow = pending["flow_id"]
    body = refused(code_step(flow, json={}), 400, "validation_failed")
    assert set(body["fields"]) == {"code"}, body
    body = refused(code_step(flow, json={"code": "123456", "recovery_code": recovery_codes[0]}), 400, "validation_failed")
    assert set(body["fields"]) == {"recovery_code"}, body
    refused(code_step(flow, data="code=1", headers=as_form), 415, "unsupported_media_type")
    refused(code_step(flow, json={"code": "123456"}, headers=evil), 403, "cross_origin")
    refused(code_step("lf_unknown", json={"code": phone.wrong_code()}), 410, "flow_expired")
    refused(code_step(flow, json={"code": phone.wrong_code()}), 401, "invalid_code")
    resp = code_step(flow, json={"code": phone.code()})
    assert signed_in(resp)["session"]["persistent"] is True, show(resp)              # keep me signed in carried over
    refused(code_step(flow, json={"code": phone.wrong_code()}), 410, "flow_expired")

    # With a recovery code (spaces, dashes and case do not matter); each works once.
    _, pending = sign_in("agent@acme.test")
    refused(code_step(pending["flow_id"], json={"recovery_code": first_codes[0]}), 401, "invalid_code")   # replaced
    signed_in(code_step(pending["flow_id"], json={"recovery_code": recovery_codes[0].upper().replace("-", " ")}))
    _, pending = sign_in("agent@acme.test")
    refused(code_step(pending["flow_id"], json={"recovery_code": recovery_codes[0]}), 401, "invalid_code")
    assert ok(call("GET", MFA_DEVICES, MFA_DEVICES, session=art), 200)["recovery_codes_left"] == 9

    # The session limit refuses the session after a right answer: the flow is spent.
    ok(call("PATCH", SETTINGS, settings_path("acme"), admin,
            json={"session_policy": {"max_concurrent_sessions": 1, "on_limit": "refuse"}}), 200)
    _, pending = sign_in("agent@acme.test")
    refused(code_step(pending["flow_id"], json={"recovery_code": recovery_codes[1]}), 409, "session_limit_reached")
    refused(code_step(pending["flow_id"], json={"recovery_code": recovery_codes[2]}), 410, "flow_expired")
    ok(call("PATCH", SETTINGS, settings_path("acme"), admin, json={"session_policy": {"max_concurrent_sessions": None}}), 200)

    # Five wrong answers end the flow, and lock the password sign-in too.
    _, pending = sign_in("agent@acme.test")
    for attempt in range(4):
        body = refused(code_step(pending["flow_id"], json={"code": phone.wrong_code()}), 401, "invalid_code")
    refused(code_step(pending["flow_id"], json={"code": phone.wrong_code()}), 429, "too_many_attempts")
    refused(code_step(pending["flow_id"], json={"code": phone.wrong_code()}), 410, "flow_expired")
    resp = call("POST", LOGIN, LOGIN, json={"username": "agent@acme.test", "password": GOOD_PASSWORD})
    refused(resp, 429, "too_many_attempts")
    ok(call("POST", UNLOCK, users_path("acme", agent) + "/unlock", admin), 204)

    # ---------------------------------------------------------------- the settings, and required enrolment
    settings = ok(call("GET", SETTINGS, settings_path("acme"), admin), 200)
    assert settings["mfa_policy"] == "optional" and settings["mfa_required_roles"] == [], settings
    body = refused(call("PATCH", SETTINGS, settings_path("acme"), admin,
                        json={"mfa_policy": "sometimes", "mfa_required_roles": ["owner"]}), 400, "validation_failed")
    assert set(body["fields"]) == {"mfa_policy", "mfa_required_roles"}, body
    body = refused(call("PATCH", SETTINGS, settings_path("acme"), admin, json={"mfa_required_roles": "agent"}),
                   400, "validation_failed")
    assert set(body["fields"]) == {"mfa_required_roles"}, body
    settings = ok(call("PATCH", SETTINGS, settings_path("acme"), admin,
                       json={"mfa_policy": "required", "mfa_required_roles": ["Supervisor", "supervisor"]}), 200)
    assert settings["mfa_policy"] == "required" and settings["mfa_required_roles"] == ["supervisor"], settings

    admin_http, body = sign_in(acme.admin_email)
    assert body["status"] == "signed_in", body                             # not a supervisor: not required
    _, pending = sign_in("sue@acme.test")
    assert pending["status"] == "mfa_enrollment_required", pending
    flow = pending["flow_id"]
    refused(code_step(flow, json={"code": "123456"}), 410, "flow_expired")  # not this flow's step
    enroll_step = f"/api/v1/login/{flow}/mfa/totp"
    body = refused(call("POST", LOGIN_ENROLL, enroll_step, json={}), 400, "validation_failed")
    assert set(body["fields"]) == {"device_name"}, body
    refused(call("POST", LOGIN_ENROLL, enroll_step, json={"device_name": "Phone"}, headers=evil), 403, "cross_origin")
    refused(call("POST", LOGIN_ENROLL, "/api/v1/login/lf_unknown/mfa/totp", json={"device_name": "Phone"}),
            410, "flow_expired")
    refused(call("POST", LOGIN_ENROLL, enroll_step, data="device_name=Phone", headers=as_form),
            415, "unsupported_media_type")
    sue_started = ok(call("POST", LOGIN_ENROLL, enroll_step, json={"device_name": "Phone"}), 201)
    sue_phone = AuthenticatorApp(sue_started)
    finish = f"{enroll_step}/{sue_started['enrollment_id']}/verify"
    refused(call("POST", LOGIN_ENROLL_VERIFY, finish, json={}), 400, "validation_failed")
    body = refused(call("POST", LOGIN_ENROLL_VERIFY, finish, json={"code": sue_phone.wrong_code()}), 400, "invalid_code")
    assert set(body["fields"]) == {"code"}, body
    refused(call("POST", LOGIN_ENROLL_VERIFY, f"{enroll_step}/{NOBODY}/verify", json={"code": "123456"}), 404, "not_found")
    refused(call("POST", LOGIN_ENROLL_VERIFY, finish, json={"code": "123456"}, headers=evil), 403, "cross_origin")
    body = signed_in(call("POST", LOGIN_ENROLL_VERIFY, finish, json={"code": sue_phone.code()}))
    assert len(body["recovery_codes"]) == 10 and body["user"]["email"] == "sue@acme.test", body
    refused(call("POST", LOGIN_ENROLL_VERIFY, finish, json={"code": "123456"}), 410, "flow_expired")
    _, pending = sign_in("sue@acme.test")
    assert pending["status"] == "mfa_required", pending

    # A temporary password first, then the enrolment the tenant requires.
    sal = ok(call("POST", "/api/v1/tenants/{slug}/users", users_path("acme"), admin,
                  json=new_user_body("sal@acme.test", "Sal", "Moreno", roles=("supervisor",), temporary_password=True)), 201)
    resp = call("POST", LOGIN, LOGIN, json={"username": "sal@acme.test", "password": sal["temporary_password"]})
    assert ok(resp, 200)["status"] == "password_change_required", show(resp)
    resp = call("POST", LOGIN_STEP, f"/api/v1/login/{resp.json()['flow_id']}/password", json={"new_password": "Green-Harbour-58"})
    assert ok(resp, 200)["status"] == "mfa_enrollment_required" and SESSION_COOKIE not in set_cookies(resp), show(resp)

    # Off: nobody is asked, and nobody may add an app; the apps are kept.
    ok(call("PATCH", SETTINGS, settings_path("acme"), admin, json={"mfa_policy": "off"}), 200)
    art, body = sign_in("agent@acme.test")
    assert body["status"] == "signed_in", body
    refused(call("POST", MFA_ENROLL, MFA_ENROLL, session=art, json={"device_name": "Phone"}), 409, "mfa_disabled")
    assert len(ok(call("GET", MFA_DEVICES, MFA_DEVICES, session=art), 200)["devices"]) == 1
    settings = ok(call("PATCH", SETTINGS, settings_path("acme"), admin,
                       json={"mfa_policy": None, "mfa_required_roles": None}), 200)
    assert settings["mfa_policy"] == "optional" and settings["mfa_required_roles"] == [], settings

    # ---------------------------------------------------------------- the administrator's reset
    reset = users_path("acme", agent) + "/mfa/reset"
    refused(call("POST", MFA_RESET, reset, agent_token), 403, "forbidden")
    refused(call("POST", MFA_RESET, reset, session=admin_http, headers=evil), 403, "cross_origin")
    refused(call("POST", MFA_RESET, reset), 401, "unauthenticated")
    refused(call("POST", MFA_RESET, users_path("acme", NOBODY) + "/mfa/reset", admin), 404, "not_found")
    refused(call("POST", MFA_RESET, users_path("globex", agent) + "/mfa/reset", admin), 404, "not_found")
    assert ok(call("POST", MFA_RESET, reset, admin), 200) == {"devices_removed": 1}
    assert ok(call("POST", MFA_RESET, reset, session=admin_http), 200) == {"devices_removed": 0}
    assert ok(call("GET", MFA_DEVICES, MFA_DEVICES, session=art), 200) == {"devices": [], "recovery_codes_left": 0}
    assert sign_in("agent@acme.test")[1]["status"] == "signed_in"
    messages = ok(call("GET", OUTBOX, "/api/v1/tenants/acme/outbox", admin), 200)["messages"]
    assert [m["to"] for m in messages if m["template"] == "mfa_reset"] == ["agent@acme.test"], messages  # the empty reset tells nobody
