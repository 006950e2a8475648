"""The operator's command line: tenants, users and API tokens, then the API with that token."""

from __future__ import annotations

import re

from harness import (SETUP_TOKEN_RE, UUID_RE, Database, Server, cli_ok, create_tenant, create_token, create_user,
                     expect, list_all_users, run_cli, users_path)


def test_cli(db, servers):
    cli_ok(db, "migrate")
    tenant_id = create_tenant(db, "acme", "Acme Contact Center", region="na")
    assert re.fullmatch(UUID_RE, tenant_id)

    ana_id = create_user(db, "acme", "ana@acme.test", "Ana", "Diaz", roles=("administrator", "agent"),
                         agent_id="1001", phone="5125551212", password="s3cret-passw0rd", language="en")
    token = create_token(db, "acme", "ana@acme.test", name="ops laptop")
    assert create_token(db, "acme", "ana@acme.test") != token, "each token create must mint a new token"

    server = servers()
    users, _ = list_all_users(server, "acme", token)
    assert len(users) == 1, users
    ana = users[0]
    assert ana["id"] == ana_id, f"the API id differs from the one `user create` printed: {ana}"
    assert ana["email"] == "ana@acme.test"
    assert (ana["first_name"], ana["last_name"]) == ("Ana", "Diaz")
    assert ana["agent_id"] == "1001"
    assert re.sub(r"\D", "", ana["phone"] or "").endswith("5125551212"), ana
    assert sorted(ana["roles"]) == ["administrator", "agent"], ana
    assert ana["language"] == "en", ana
    expect(server.get(users_path("acme", ana_id), token), 200)

    # A tenant already exists, so this first `serve` offers no setup link.
    assert server.stop() == 0
    assert not SETUP_TOKEN_RE.search(server.log_text()), \
        "serve logged a setup link although a tenant exists:\n" + server.describe()

    # Refusals: non-zero exit and a message on stderr.
    failures = {
        "duplicate slug": run_cli(db, "tenant", "create", "--slug", "acme", "--name", "Another Acme"),
        "bad slug": run_cli(db, "tenant", "create", "--slug", "Not A Slug!", "--name", "Bad"),
        "duplicate email": run_cli(db, "user", "create", "--tenant", "acme", "--email", "ANA@acme.test",
                                   "--first-name", "Ana", "--last-name", "Again", "--role", "agent"),
        "short password": run_cli(db, "user", "create", "--tenant", "acme", "--email", "bo@acme.test",
                                  "--first-name", "Bo", "--last-name", "Short", "--role", "agent",
                                  "--password-stdin", input="short\n"),
        "unknown tenant": run_cli(db, "user", "create", "--tenant", "nope", "--email", "cy@nope.test",
                                  "--first-name", "Cy", "--last-name", "Nope", "--role", "agent"),
        "unknown user": run_cli(db, "token", "create", "--tenant", "acme", "--user", "ghost@acme.test"),
    }
    for what, result in failures.items():
        assert result.returncode != 0, f"{what}: expected a non-zero exit\n" + result.describe()
        assert result.stderr.strip(), f"{what}: expected a message on stderr\n" + result.describe()

    # None of the refused commands changed anything.
    server = servers()
    users, _ = list_all_users(server, "acme", token)
    assert [u["email"] for u in users] == ["ana@acme.test"], users
    assert server.stop() == 0


def test_cli_reads_environment(db, servers):
    """GATEHOUSE_DATA_DIR / GATEHOUSE_DATABASE_URL select the database like the flags do."""
    cli_ok(db, "migrate", use_env=True)
    result = cli_ok(db, "tenant", "create", "--slug", "envco", "--name", "Env Co", use_env=True)
    assert re.search(rf"^created tenant envco {UUID_RE}\s*$", result.stdout, re.M), result.describe()
    cli_ok(db, "user", "create", "--tenant", "envco", "--email", "eve@envco.test", "--first-name", "Eve",
           "--last-name", "Env", "--role", "administrator", use_env=True)
    token = cli_ok(db, "token", "create", "--tenant", "envco", "--user", "eve@envco.test",
                   use_env=True).stdout.strip()
    # The server is started with flags: it must see what the env-configured CLI wrote.
    server = servers()
    users, _ = list_all_users(server, "envco", token)
    assert [u["email"] for u in users] == ["eve@envco.test"]


def test_sqlite_database_url(tmp_path, gatehouse_bin):
    """--database-url sqlite:PATH puts the database at PATH instead of DATA_DIR/gatehouse.sqlite."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    elsewhere = tmp_path / "elsewhere" / "custom.sqlite"
    elsewhere.parent.mkdir()
    db = Database("sqlite", data_dir, f"sqlite:{elsewhere}")
    cli_ok(db, "migrate")
    create_tenant(db, "acme", "Acme Contact Center")
    create_user(db, "acme", "ana@acme.test", "Ana", "Diaz", roles=("administrator",))
    token = create_token(db, "acme", "ana@acme.test")
    assert elsewhere.is_file(), f"no database file at {elsewhere}"
    assert not (data_dir / "gatehouse.sqlite").exists(), "the default file was used despite --database-url"

    server = Server(db).start()
    try:
        assert expect(server.get("/healthz"), 200).get("database") == "sqlite"
        assert str(elsewhere) in server.log_text(), "the listening line should name the database file"
        users, _ = list_all_users(server, "acme", token)
        assert [u["email"] for u in users] == ["ana@acme.test"]
        assert server.stop() == 0
    finally:
        server.kill()
        print(server.describe())
