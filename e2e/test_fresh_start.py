"""First start on an empty database: health checks, the one-time setup link, the setup
form, and what the server knows afterwards."""

from __future__ import annotations

import re

import requests

from harness import (SETUP_TOKEN_RE, cli_ok, create_token, element_value, expect,
                     list_all_users, parse_html, run_cli, serve_until_exit, show, users_path)

SETUP_FIELDS = ("token", "csrf_token", "tenant_slug", "tenant_name", "region",
                "email", "first_name", "last_name", "password")
NOT_VALID_RE = re.compile(r"not valid|invalid|no longer valid|expired|already (been )?used", re.I)


def open_setup_form(server, session: requests.Session, token: str) -> dict:
    """GETs the setup page and checks the form; returns the hidden values to post back."""
    resp = server.get(f"/setup?token={token}", session=session)
    assert resp.status_code == 200, "setup page:\n" + show(resp)
    assert "text/html" in resp.headers.get("Content-Type", ""), "setup page must be HTML:\n" + show(resp)
    page = parse_html(resp.text)
    forms = [f for f in page.forms
             if f["attrs"].get("action", "").split("?")[0] == "/setup"
             and f["attrs"].get("method", "").lower() == "post"]
    assert len(forms) == 1, "expected one <form method=post action=/setup>:\n" + show(resp)
    fields = forms[0]["fields"]
    missing = [name for name in SETUP_FIELDS if name not in fields]
    assert not missing, f"setup form lacks fields {missing}:\n" + show(resp)
    for hidden in ("token", "csrf_token"):
        assert fields[hidden].get("type", "").lower() == "hidden", f"{hidden} must be a hidden input"
    assert fields["token"].get("value") == token, "the hidden token field must carry the link's token"
    csrf = fields["csrf_token"].get("value", "")
    assert csrf, "csrf_token must have a value"
    cookie = session.cookies.get("gatehouse_csrf")
    assert cookie is not None, "GET /setup must set the gatehouse_csrf cookie:\n" + show(resp)
    assert cookie == csrf, f"cookie gatehouse_csrf ({cookie!r}) must equal csrf_token field ({csrf!r})"
    return {"token": token, "csrf_token": csrf}


def setup_form(hidden: dict, slug: str, email: str) -> dict:
    return {**hidden, "tenant_slug": slug, "tenant_name": "Acme Contact Center", "region": "na",
            "email": email, "first_name": "Ada", "last_name": "Admin",
            "password": "Correct horse battery staple 9"}


def test_fresh_start(db, servers):
    server = servers()

    # Health.
    health = expect(server.get("/healthz"), 200)
    assert health.get("status") == "ok" and health.get("database") == db.kind, f"/healthz: {health}"
    ready = expect(server.get("/readyz"), 200)
    assert ready.get("status") == "ready", f"/readyz: {ready}"
    if db.kind == "sqlite":
        assert db.sqlite_file.is_file(), f"expected the SQLite file at {db.sqlite_file}"

    # The one-time setup link is logged with the server's own address.
    token = server.setup_token()
    assert f"{server.base_url}/setup?token={token}" in server.log_text(), \
        "the logged setup link should be the full URL on the listening address"

    # The form, then a successful post.
    session = requests.Session()
    hidden = open_setup_form(server, session, token)
    resp = server.post("/setup", session=session, data=setup_form(hidden, "acme", "ada@acme.test"))
    assert resp.status_code == 200, "setup POST:\n" + show(resp)
    page = parse_html(resp.text)
    assert re.search(r"created", page.text, re.I), "success page should say the tenant was created:\n" + show(resp)
    api_token = element_value(page, "api-token")
    assert api_token and api_token.startswith("gh_"), "success page needs a gh_ token in #api-token:\n" + show(resp)

    # The new administrator's token works and sees the administrator.
    body = expect(server.get(users_path("acme"), api_token), 200)
    admins = [u for u in body["users"] if u["email"] == "ada@acme.test"]
    assert len(admins) == 1, f"administrator not listed: {body}"
    assert "administrator" in admins[0]["roles"], admins[0]
    assert (admins[0]["first_name"], admins[0]["last_name"]) == ("Ada", "Admin"), admins[0]

    # The CLI sees the same tenant and user (server still running, same database).
    cli_token = create_token(db, "acme", "ada@acme.test")
    users, _ = list_all_users(server, "acme", cli_token)
    assert [u["email"] for u in users] == ["ada@acme.test"]

    # The link is spent: the page says so, and posting it again creates nothing.
    again = server.get(f"/setup?token={token}", session=requests.Session())
    assert again.status_code in (400, 404, 410), "a used setup link:\n" + show(again)
    assert NOT_VALID_RE.search(parse_html(again.text).text), "page should say the link is not valid:\n" + show(again)
    assert api_token not in again.text
    replay = server.post("/setup", session=session, data=setup_form(hidden, "replayed", "eve@acme.test"))
    assert replay.status_code in (400, 404, 410), "re-posting a used setup link:\n" + show(replay)
    assert element_value(parse_html(replay.text), "api-token") is None, "a replay must not mint a token"
    # ...so the slug it asked for is still free.
    cli_ok(db, "tenant", "create", "--slug", "replayed", "--name", "Replayed")

    assert server.stop() == 0, "SIGTERM should exit 0\n" + server.describe()

    # Restart: the tenant is there, so no new setup link, and the token still works.
    second = servers()
    expect(second.get(users_path("acme"), api_token), 200)
    assert second.stop() == 0, "SIGTERM should exit 0\n" + second.describe()
    assert not SETUP_TOKEN_RE.search(second.log_text()), \
        "a server with a tenant must not log a setup link:\n" + second.describe()


def test_setup_rejects_wrong_csrf(db, servers):
    server = servers()
    token = server.setup_token()
    session = requests.Session()
    hidden = open_setup_form(server, session, token)

    forged = server.post("/setup", session=session,
                         data=setup_form({**hidden, "csrf_token": "forged-" + hidden["csrf_token"]},
                                         "acme", "ada@acme.test"))
    assert element_value(parse_html(forged.text), "api-token") is None, \
        "a POST whose csrf_token differs from the cookie must not set anything up:\n" + show(forged)
    no_cookie = server.post("/setup", data=setup_form(hidden, "acme", "ada@acme.test"))
    assert element_value(parse_html(no_cookie.text), "api-token") is None, \
        "a POST without the gatehouse_csrf cookie must not set anything up:\n" + show(no_cookie)

    # The refused attempts did not spend the link.
    session = requests.Session()
    hidden = open_setup_form(server, session, token)
    ok = server.post("/setup", session=session, data=setup_form(hidden, "acme", "ada@acme.test"))
    assert ok.status_code == 200 and (element_value(parse_html(ok.text), "api-token") or "").startswith("gh_"), \
        "setup after refused attempts:\n" + show(ok)


def test_unknown_setup_token(db, servers):
    server = servers()
    server.setup_token()
    resp = server.get("/setup?token=not-a-real-token", session=requests.Session())
    assert resp.status_code in (400, 404, 410), "an unknown setup token:\n" + show(resp)
    assert NOT_VALID_RE.search(parse_html(resp.text).text), "page should say the link is not valid:\n" + show(resp)
    assert "text/html" in resp.headers.get("Content-Type", ""), "the setup pages are HTML:\n" + show(resp)


def test_migrate_and_no_migrate(db, servers):
    """serve --no-migrate refuses an unmigrated database; `migrate` works (twice), and
    serve --no-migrate then runs on it."""
    code, log = serve_until_exit(db, "--no-migrate")
    assert code is not None, "serve --no-migrate kept running on an unmigrated database:\n" + log
    assert code != 0, "serve --no-migrate should refuse an unmigrated database:\n" + log
    assert not SETUP_TOKEN_RE.search(log), log

    cli_ok(db, "migrate")
    cli_ok(db, "migrate")
    server = servers("--no-migrate")
    expect(server.get("/healthz"), 200)
    assert run_cli(db, "token", "create", "--tenant", "nope", "--user", "x@nope.test").returncode != 0, \
        "token create for an unknown tenant must fail"
