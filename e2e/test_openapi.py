"""docs/openapi.yaml stays true: it is a valid OpenAPI 3.1 document, the server serves every
operation it documents, and what the server answers (status and body) is what it says."""

from __future__ import annotations

import pytest
import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from harness import REPO_ROOT, bootstrap_tenant, create_token, create_user, migrate, new_user_body, users_path

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
        path = template.replace("{slug}", "acme").replace("{id}", some_id)
        for method in METHODS & set(item):
            response = server.request(method.upper(), path, acme.admin_token, json={} if method in {"post", "patch"} else None)
            unrouted = response.status_code == 405 or (
                response.status_code == 404 and response.json().get("message") == "There is no such resource.")
            assert not unrouted, f"{method.upper()} {template} is documented but not served: {response.status_code} {response.text}"


class Checker:
    """Validates real answers against the operation's documented responses."""

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
