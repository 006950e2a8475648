"""Acceptance 1: the tenant password policy. Every rule refuses with its own code, a valid
password passes, recent passwords cannot be reused; the policy holds for the password-change
API, for administrators creating users, for `gatehouse user create` and for the setup page."""

from __future__ import annotations

import requests

from harness import (GOOD_PASSWORD, PASSWORD_PATH, add_default_presence_reasons, bootstrap_tenant, create_user,
                     element_value, expect, list_all_users, login, migrate, new_user_body, page_form, parse_html,
                     run_cli, session_alive, show, sign_in, users_path)

# The person the passwords are for: every name part is >= 3 characters, so all are searched.
EMAIL, FIRST, LAST = "rfranklin@acme.test", "Rosalind", "Okafor"

# (new password, the one violation code it must produce)
SINGLE_RULE_BREAKERS = [
    ("Ab1-xyz", "too_short"),                       # 7 characters, all four classes
    ("Aa1-" + "k" * 1030, "too_long"),              # more than the 1024-byte maximum
    ("My-ROSALIND-7", "contains_first_name"),       # case does not matter
    ("Tree-okafor-9", "contains_last_name"),
    ("Tree-RFranklin-9", "contains_username"),      # the email's local part
    ("kettlepond42", "too_few_character_classes"),  # lower + digit only
    ("Blue#Kettle42", "forbidden_characters"),
    ("Blue$Kettle42", "forbidden_characters"),
    ("Blue*Kettle42", "forbidden_characters"),
    ("Blue/Kettle42", "forbidden_characters"),
    ("Blue@Kettle42", "forbidden_characters"),
]


def policy_refusal(resp: requests.Response) -> list[str]:
    """Checks a 400 password_policy answer; returns its violation codes."""
    body = expect(resp, 400, "password_policy")
    violations = body.get("violations")
    assert isinstance(violations, list) and violations, "expected a non-empty 'violations' list:\n" + show(resp)
    details = body.get("details")
    assert isinstance(details, list) and len(details) == len(violations), \
        "expected one 'details' entry per violation:\n" + show(resp)
    for detail in details:
        assert isinstance(detail, dict) and isinstance(detail.get("code"), str) \
            and isinstance(detail.get("message"), str) and detail["message"], \
            "each detail needs a code and a non-empty message:\n" + show(resp)
    assert [d["code"] for d in details] == violations, "details and violations disagree:\n" + show(resp)
    return violations


def change_password(server, client, current: str, new: str) -> requests.Response:
    return server.post(PASSWORD_PATH, session=client.http, json={"current_password": current, "new_password": new})


def test_each_rule_has_its_own_code_and_history(db, servers):
    migrate(db)
    bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    create_user(db, "acme", EMAIL, FIRST, LAST, password=GOOD_PASSWORD)
    server = servers()
    me = sign_in(server, EMAIL, GOOD_PASSWORD)
    other = sign_in(server, EMAIL, GOOD_PASSWORD)     # a second session of mine (another device)

    for password, code in SINGLE_RULE_BREAKERS:
        resp = change_password(server, me, GOOD_PASSWORD, password)
        violations = policy_refusal(resp)
        assert violations == [code], f"{password[:40]!r}: expected only [{code!r}], got {violations}:\n" + show(resp)

    # Several rules at once are all reported.
    both = policy_refusal(change_password(server, me, GOOD_PASSWORD, "okafor"))
    assert {"too_short", "contains_last_name", "too_few_character_classes"} <= set(both), both

    # The current password itself counts as reused.
    assert policy_refusal(change_password(server, me, GOOD_PASSWORD, GOOD_PASSWORD)) == ["reused"]

    # The wrong current password is refused with its own error, whatever the new one.
    expect(change_password(server, me, "Not-The-Password-1", "Fresh-Kettle-77"), 400, "invalid_current_password")

    # None of the refusals changed the password or ended a session.
    assert session_alive(server, me.cookie) and session_alive(server, other.cookie)
    expect(login(server, EMAIL, "Fresh-Kettle-77"), 401, "invalid_credentials")

    # History: change five times; none of the last five (the current one included) may come
    # back, but the sixth-oldest (the original) may.
    history = [GOOD_PASSWORD] + [f"Fresh-Kettle-{n}{n}" for n in range(1, 6)]
    for previous, new in zip(history, history[1:]):
        expect(change_password(server, me, previous, new), 204)
    current = history[-1]
    for old in history[1:]:
        violations = policy_refusal(change_password(server, me, current, old))
        assert violations == ["reused"], f"reusing {old!r} (one of the last 5): {violations}"
    expect(change_password(server, me, current, history[0]), 204)

    # The changes took effect: the restored password signs in, the last one does not.
    expect(login(server, EMAIL, history[0]), 200)
    expect(login(server, EMAIL, current), 401, "invalid_credentials")
    # This session stayed; the other one ended with the first change.
    assert session_alive(server, me.cookie), "a password change must keep the session that made it"
    assert not session_alive(server, other.cookie), "a password change must end my other sessions"


def test_password_change_needs_a_session(db, servers):
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    server = servers()
    body = {"current_password": GOOD_PASSWORD, "new_password": "Fresh-Kettle-77"}
    expect(server.post(PASSWORD_PATH, json=body), 401, "unauthenticated")
    me = sign_in(server, acme.admin_email, GOOD_PASSWORD)
    resp = server.post(PASSWORD_PATH, session=me.http, json={"current_password": GOOD_PASSWORD})
    expect(resp, 400, "validation_failed")
    expect(login(server, acme.admin_email, GOOD_PASSWORD), 200)


def test_admin_created_password_is_checked(db, servers):
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    server = servers()
    path, token = users_path("acme"), acme.admin_token

    weak = server.post(path, token, json=new_user_body(EMAIL, FIRST, LAST, password="rosalind1"))
    assert set(policy_refusal(weak)) == {"contains_first_name", "too_few_character_classes"}, show(weak)
    emails = {u["email"] for u in list_all_users(server, "acme", token)[0]}
    assert EMAIL not in emails, "a refused password must not leave the user half-created"

    expect(server.post(path, token, json=new_user_body(EMAIL, FIRST, LAST, password="Harbour-Light-5")), 201)
    expect(login(server, EMAIL, "Harbour-Light-5"), 200)

    # Name parts shorter than 3 characters are not searched for.
    expect(server.post(path, token, json=new_user_body("al.ng@acme.test", "Al", "Ng", password="Al-Ng-Kettle9")), 201)
    expect(login(server, "al.ng@acme.test", "Al-Ng-Kettle9"), 200)


def test_cli_and_setup_page_enforce_the_policy(db, servers):
    # The setup page, on an empty database.
    server = servers()
    token = server.setup_token()
    browser = requests.Session()
    fields = page_form(server.get(f"/setup?token={token}", session=browser), "/setup")
    form = {"token": token, "csrf_token": fields["csrf_token"]["value"], "tenant_slug": "acme",
            "tenant_name": "Acme Contact Center", "region": "na", "email": "ada@acme.test",
            "first_name": "Ada", "last_name": "Lovelace"}
    for weak in ("kettlepond42", "Lovelace-Kettle-1", "Short-1"):
        resp = server.post("/setup", session=browser, data={**form, "password": weak})
        assert element_value(parse_html(resp.text), "api-token") is None, \
            f"setup accepted the password {weak!r}, which breaks the policy:\n" + show(resp)
        assert resp.status_code >= 400, f"setup with password {weak!r} should be refused:\n" + show(resp)
    fields = page_form(server.get(f"/setup?token={token}", session=browser), "/setup")
    resp = server.post("/setup", session=browser,
                       data={**form, "csrf_token": fields["csrf_token"]["value"], "password": GOOD_PASSWORD})
    api_token = element_value(parse_html(resp.text), "api-token") or ""
    assert resp.status_code == 200 and api_token.startswith("gh_"), "setup with a valid password:\n" + show(resp)
    expect(login(server, "ada@acme.test", GOOD_PASSWORD), 200)
    # A tenant made by the setup page has no Presence Reason list yet, without which the agent
    # below could not sign in at all; the administrator gives it a default one.
    add_default_presence_reasons(server, "acme", api_token)

    # `gatehouse user create --password-stdin`.
    for weak in ("kettlepond42", "Rosalind-Tree-1", "Blue@Kettle42"):
        result = run_cli(db, "user", "create", "--tenant", "acme", "--email", EMAIL, "--first-name", FIRST,
                         "--last-name", LAST, "--role", "agent", "--password-stdin", input=weak + "\n")
        assert result.returncode != 0, f"user create accepted {weak!r}:\n" + result.describe()
        assert result.stderr.strip(), "expected a message on stderr:\n" + result.describe()
    expect(login(server, EMAIL, "kettlepond42"), 401, "invalid_credentials")
    create_user(db, "acme", EMAIL, FIRST, LAST, password="Harbour-Light-5")
    expect(login(server, EMAIL, "Harbour-Light-5"), 200)
