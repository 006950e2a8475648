"""Tenant settings: the documented defaults, section-by-section PATCH, and validation of every
field (all-or-nothing)."""

from __future__ import annotations

import pytest

from harness import (bootstrap_tenant, create_token, create_user, error_fields, expect, get_settings, migrate,
                     settings_path, show, update_settings)

DEFAULTS = {
    "session_policy": {"idle_timeout_seconds": 1800, "absolute_timeout_seconds": 43200,
                       "persistent_idle_timeout_seconds": 1728000, "max_concurrent_sessions": None,
                       "on_limit": "refuse"},
    "password_policy": {"min_length": 8, "required_classes": 3, "forbidden_characters": "#$*/@", "history": 5,
                        "disallow_names": True},
    "lockout": {"max_failures": 5, "window_seconds": 900, "lockout_seconds": 900},
    "invitation_ttl_seconds": 86400, "temporary_password_format": "random",
    "temporary_password_ttl_seconds": 259200, "reset_link_ttl_seconds": 3600,
    "mfa_policy": "optional", "mfa_required_roles": [],
    "presence_gate_roles": ["agent"],
    "landing": {"administrator": "apps", "manager": "apps", "supervisor": "apps", "agent": "apps"},
}
ACCOUNT_DEFAULTS = {k: v for k, v in DEFAULTS.items() if not isinstance(v, dict)}   # the top-level settings

# (section, field, refused values, accepted boundary values)
RANGES = [
    ("session_policy", "idle_timeout_seconds", [0, 2592001, -1, "60", 1.5, True], [1, 2592000]),
    ("session_policy", "absolute_timeout_seconds", [0, 2592001, "x"], [1, 2592000]),
    ("session_policy", "persistent_idle_timeout_seconds", [0, 7776001], [1, 7776000]),
    ("session_policy", "max_concurrent_sessions", [0, 1001, -1, "1"], [1, 1000, None]),
    ("session_policy", "on_limit", ["drop", "", "REFUSE", 1], ["end_oldest", "refuse"]),
    ("password_policy", "min_length", [7, 129, 0], [8, 128]),
    ("password_policy", "required_classes", [-1, 5], [0, 4]),
    ("password_policy", "history", [-1, 25], [0, 24]),
    ("password_policy", "disallow_names", ["yes", 1, "true"], [False, True]),
    ("lockout", "max_failures", [0, 101], [1, 100]),
    ("lockout", "window_seconds", [0, 86401], [1, 86400]),
    ("lockout", "lockout_seconds", [0, 86401], [1, 86400]),
    (None, "invitation_ttl_seconds", [0, 2592001, "1"], [1, 2592000]),
    (None, "temporary_password_format", ["webex", "", 1], ["initials_phone", "random"]),
    (None, "temporary_password_ttl_seconds", [0, 2592001], [1, 2592000]),
    (None, "reset_link_ttl_seconds", [0, 86401], [1, 86400]),
    (None, "mfa_policy", ["sometimes", "", True], ["off", "required", "optional"]),
    (None, "mfa_required_roles", ["agent", ["pilot"], [1]], [["administrator", "supervisor"], []]),
    (None, "presence_gate_roles", ["agent", ["pilot"], [1], {"agent": True}], [["supervisor", "agent"], []]),
    ("landing", "administrator", ["desk", "", "app:1", 1], ["console", "app:0b7e3c1a-5d2f-4e8a-9c1b-2a3d4e5f6a7b", "apps"]),
    ("landing", "agent", ["console", "APPS", True], ["app:0b7e3c1a-5d2f-4e8a-9c1b-2a3d4e5f6a7b", "apps"]),
]


@pytest.fixture
def admin(db, servers):
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    globex = bootstrap_tenant(db, "globex", "Globex Support", "admin@globex.test")
    return servers(), acme, globex


def test_defaults_and_access(db, admin):
    server, acme, globex = admin
    assert get_settings(server, "acme", acme.admin_token) == DEFAULTS
    create_user(db, "acme", "art.agent@acme.test", "Art", "Agent")
    agent_token = create_token(db, "acme", "art.agent@acme.test")
    expect(server.get(settings_path("acme"), agent_token), 403, "forbidden")
    expect(server.patch(settings_path("acme"), agent_token, json={"lockout": {"max_failures": 9}}), 403, "forbidden")
    expect(server.get(settings_path("acme")), 401, "unauthenticated")
    expect(server.get(settings_path("globex"), acme.admin_token), 404, "not_found")
    expect(server.patch(settings_path("globex"), acme.admin_token, json={"lockout": {"max_failures": 9}}),
           404, "not_found")
    expect(server.get(settings_path("no-such-tenant"), acme.admin_token), 404, "not_found")


def test_patch_merges_section_by_section(admin):
    server, acme, globex = admin
    token = acme.admin_token
    after = update_settings(server, "acme", token, session_policy={"idle_timeout_seconds": 600})
    expected = {**DEFAULTS, "session_policy": {**DEFAULTS["session_policy"], "idle_timeout_seconds": 600}}
    assert after == expected
    after = update_settings(server, "acme", token, lockout={"max_failures": 3},
                            password_policy={"min_length": 12, "forbidden_characters": "<>"})
    expected = {"session_policy": expected["session_policy"],
                "password_policy": {**DEFAULTS["password_policy"], "min_length": 12, "forbidden_characters": "<>"},
                "lockout": {**DEFAULTS["lockout"], "max_failures": 3}, "landing": DEFAULTS["landing"], **ACCOUNT_DEFAULTS}
    assert after == expected
    assert update_settings(server, "acme", token) == expected, "an empty PATCH changes nothing"
    assert get_settings(server, "acme", token) == expected
    # Other tenants keep theirs.
    assert get_settings(server, "globex", globex.admin_token) == DEFAULTS
    # The max_concurrent_sessions limit can be lifted again with null.
    update_settings(server, "acme", token, session_policy={"max_concurrent_sessions": 3})
    after = update_settings(server, "acme", token, session_policy={"max_concurrent_sessions": None})
    assert after["session_policy"]["max_concurrent_sessions"] is None, after


def test_every_field_is_validated(admin):
    server, acme, globex = admin
    token = acme.admin_token
    before = get_settings(server, "acme", token)

    for section, field, refused, accepted in RANGES:
        # Sections are objects; the account settings are single values at the top level.
        key = f"{section}.{field}" if section else field
        def patch(value):
            return {section: {field: value}} if section else {field: value}
        def stored(after):
            return after[section][field] if section else after[field]
        for value in refused:
            resp = server.patch(settings_path("acme"), token, json=patch(value))
            expect(resp, 400, "validation_failed")
            assert key in error_fields(resp), f"{key}={value!r}: expected fields[{key!r}]:\n" + show(resp)
        for value in accepted:
            after = update_settings(server, "acme", token, **patch(value))
            assert stored(after) == value, f"{key}={value!r} was not stored: {after}"
    update_settings(server, "acme", token, **before)
    assert get_settings(server, "acme", token) == before

    # Unknown keys and sections are named too.
    resp = server.patch(settings_path("acme"), token, json={"session_policy": {"idle_timeout": 60},
                                                            "colour_scheme": {"dark": True}})
    expect(resp, 400, "validation_failed")
    assert {"session_policy.idle_timeout", "colour_scheme"} <= error_fields(resp).keys(), show(resp)
    for body in ({"lockout": 5}, {"lockout": None}, [1, 2], "lockout"):
        resp = server.patch(settings_path("acme"), token, json=body)
        assert resp.status_code == 400, f"PATCH {body!r} must be refused:\n" + show(resp)

    # All or nothing: one bad field and the good ones beside it are not saved either.
    resp = server.patch(settings_path("acme"), token, json={
        "session_policy": {"idle_timeout_seconds": 60, "absolute_timeout_seconds": 0, "on_limit": "explode"},
        "password_policy": {"min_length": 10, "history": 99},
        "lockout": {"max_failures": 3, "window_seconds": 86401},
        "mystery": {}})
    expect(resp, 400, "validation_failed")
    assert {"session_policy.absolute_timeout_seconds", "session_policy.on_limit", "password_policy.history",
            "lockout.window_seconds", "mystery"} <= error_fields(resp).keys(), show(resp)
    assert not {"session_policy.idle_timeout_seconds", "password_policy.min_length",
                "lockout.max_failures"} & error_fields(resp).keys(), "valid fields must not be named:\n" + show(resp)
    assert get_settings(server, "acme", token) == before, "a refused PATCH must not save any of its fields"


def test_null_resets_a_field_to_its_default(admin):
    """As in a JSON merge patch (RFC 7396), null removes a field's own value, so the default
    applies again; only max_concurrent_sessions has null as a value of its own ("no limit")."""
    server, acme, _ = admin
    token = acme.admin_token
    update_settings(server, "acme", token,
                    session_policy={"idle_timeout_seconds": 600, "on_limit": "end_oldest", "max_concurrent_sessions": 2},
                    password_policy={"disallow_names": False, "forbidden_characters": "<>"},
                    lockout={"max_failures": 7})
    resp = server.patch(settings_path("acme"), token, json={
        "session_policy": {"idle_timeout_seconds": None, "on_limit": None, "max_concurrent_sessions": None},
        "password_policy": {"disallow_names": None, "forbidden_characters": None},
        "lockout": {"max_failures": None}})
    assert resp.status_code == 200, show(resp)
    after = get_settings(server, "acme", token)
    assert after["session_policy"]["idle_timeout_seconds"] == 1800
    assert after["session_policy"]["on_limit"] == "refuse"
    assert after["session_policy"]["max_concurrent_sessions"] is None
    assert after["password_policy"]["disallow_names"] is True
    assert after["password_policy"]["forbidden_characters"] == "#$*/@"
    assert after["lockout"]["max_failures"] == 5

