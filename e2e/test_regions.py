"""Regions acceptance: "A user of an EU tenant who opens the NA login page ends on the EU login
page with the tenant filled in", shown with two real servers (na, eu) on loopback, each with its
own database (two SQLite data directories, or two PostgreSQL databases) and one regions file
naming both.

Covered: the discovery lookup (found, 404, 400, 429), NA's login page and form sending EU
tenants to EU (exact Location; username carried, password never), the region chooser, a real
Chromium following it all and signing in on EU, NA's page staying fast and usable while EU is
hung, gone or stuck half-way through an answer, NA remembering where a tenant lives once EU has
said so, discovery's per-client limit not being usable against NA's own lookups, and `tenant
create` taking the configured region.

EU runs on 127.0.0.1 like NA, on another port: browsers keep cookies per host, not per port, so
both servers see each other's cookies here, as they would not in production (no test relies on
a cookie of the other server).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from http.client import HTTPConnection
from typing import Optional
from urllib.parse import unquote, urlsplit

import pytest
import requests

import harness
from harness import (GOOD_PASSWORD, SESSION_PATH, Database, Server, cli_ok, create_tenant, create_user,
                     expect, migrate, page_form, parse_html, serve_until_exit, show)
# The Chromium recipe of the MFA browser tests (fixtures and helpers), reused as is.
from test_mfa_browser import browser, by, type_into, wait_for  # noqa: F401  (browser is a fixture)

EU_SLUG, EU_NAME = "euco", "Europa Kontakt GmbH"
EU_SLUG_2, EU_NAME_2 = "euco-two", "Zweite Europa AG"
NA_SLUG, NA_NAME = "acme", "Acme Contact Center"
LENA = "lena.schmidt@euco.example"
ANA = "ana.diaz@acme.test"
DOWN_BUDGET = 3.0        # seconds NA's login page may take while EU is hung or gone
CACHED_BUDGET = 1.0      # seconds for an answer NA must not ask EU for (EU's lookup timeout is 2 s)

sqlite_only = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --------------------------------------------------------------------------- two regions


@pytest.fixture
def eu_db(db, tmp_path):
    """A second, empty database of the same kind as `db`, for the EU server."""
    data_dir = tmp_path / "eu-data"
    data_dir.mkdir()
    if db.kind == "sqlite":
        yield Database("sqlite", data_dir, None)
        return
    base = os.environ["GATEHOUSE_TEST_POSTGRES_URL"]   # `db` skipped already when it is not set
    name = "gh_e2e_eu_" + harness.random_suffix()
    harness.psql(base, f'CREATE DATABASE "{name}"')
    try:
        yield Database("postgres", data_dir, harness.postgres_url_for(base, name))
    finally:
        harness.psql(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Regions:
    na: Server
    eu: Server
    na_base: str
    eu_base: str
    eu_db: Database
    eu_args: list
    eu_env: dict
    eu_started: list       # every EU process started, for the teardown

    def start_eu(self) -> Server:
        self.eu = Server(self.eu_db, self.eu_args, env=self.eu_env)
        self.eu_started.append(self.eu)
        return self.eu.start()


@pytest.fixture
def regions(db, eu_db, servers, tmp_path):
    """NA (the `db` database) and EU (`eu_db`) on fixed loopback ports, both reading one
    regions file. NA holds acme (with Ana); EU holds euco (with Lena) and euco-two."""
    na_port, eu_port = free_port(), free_port()
    while eu_port == na_port:
        eu_port = free_port()
    na_base, eu_base = f"http://127.0.0.1:{na_port}", f"http://127.0.0.1:{eu_port}"
    regions_file = tmp_path / "regions.json"
    regions_file.write_text(json.dumps([
        {"code": "na", "name": "North America", "base_url": na_base},
        {"code": "eu", "name": "Europe", "base_url": eu_base + "/"},   # a trailing slash is allowed
    ]))

    migrate(db)
    create_tenant(db, NA_SLUG, NA_NAME, region="na")
    create_user(db, NA_SLUG, ANA, "Ana", "Diaz", password=GOOD_PASSWORD)
    migrate(eu_db)
    create_tenant(eu_db, EU_SLUG, EU_NAME, region="eu")
    create_tenant(eu_db, EU_SLUG_2, EU_NAME_2, region="eu")
    create_user(eu_db, EU_SLUG, LENA, "Lena", "Schmidt", password=GOOD_PASSWORD)

    # NA is configured by flags, EU by environment variables: both ways of naming the file count.
    na = servers("--port", str(na_port), "--base-url", na_base, "--region", "na", "--regions-file", str(regions_file))
    eu_args = ["--port", str(eu_port), "--base-url", eu_base]
    eu_env = {"GATEHOUSE_REGION": "eu", "GATEHOUSE_REGIONS_FILE": str(regions_file)}
    found = Regions(na, None, na_base, eu_base, eu_db, eu_args, eu_env, [])  # type: ignore[arg-type]
    try:
        found.start_eu()
        assert na.base_url == na_base and found.eu.base_url == eu_base, (na.base_url, found.eu.base_url)
        yield found
    finally:
        stop_eu(found, db.kind)


def stop_eu(found: Regions, kind: str) -> None:
    for server in found.eu_started:
        if server.is_running():
            try:
                server.signal(signal.SIGCONT)   # a test may have left it stopped
            except ProcessLookupError:
                pass
        server.kill()
        print(f"\n===== EU server log ({kind}) =====\n" + server.describe())


# --------------------------------------------------------------------------- helpers


def location_parts(location: str) -> tuple[str, list[tuple[str, str]]]:
    """`origin + path` and the query's (name, value) pairs in order, percent-decoded (a `+`
    stays a `+`: Gatehouse reads query strings by RFC 3986, not as form data)."""
    parts = urlsplit(location)
    pairs = []
    for item in parts.query.split("&") if parts.query else []:
        name, _, value = item.partition("=")
        pairs.append((unquote(name), unquote(value)))
    return f"{parts.scheme}://{parts.netloc}{parts.path}", pairs


def assert_redirect(resp: requests.Response, status: int, origin_path: str, query: list[tuple[str, str]]) -> None:
    assert resp.status_code == status, f"expected HTTP {status} to {origin_path}:\n" + show(resp)
    location = resp.headers.get("Location", "")
    assert location_parts(location) == (origin_path, query), \
        f"expected Location {origin_path} with {query}, got {location!r}:\n" + show(resp)


def assert_stays(resp: requests.Response, status: int = 200) -> None:
    """A login page answered here: no redirect, the sign-in form, no server error."""
    assert resp.status_code == status and "Location" not in resp.headers, \
        f"expected this server's own page (HTTP {status}, no redirect):\n" + show(resp)
    page_form(resp, "/login")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[dict] = []
        self._open: Optional[dict] = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._open = {k: (v or "") for k, v in attrs}
            self._open["_text"] = ""
            self.links.append(self._open)

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open["_text"] += data


def region_links(html: str) -> dict[str, dict]:
    """The region chooser's links by data-region (section `<nav id="regions">` only)."""
    start = html.find('id="regions"')
    assert start >= 0, "expected a region chooser <nav id=\"regions\">:\n" + html[:3000]
    section = html[start:html.find("</nav>", start)]
    parser = _Links()
    parser.feed(section)
    return {link["data-region"]: link for link in parser.links if "data-region" in link}


def timed(send) -> tuple[requests.Response, float]:
    started = time.monotonic()
    resp = send()
    return resp, time.monotonic() - started


def na_form(regions: Regions, http: requests.Session) -> dict:
    return page_form(regions.na.get("/login", session=http), "/login")


def post_na_login(regions: Regions, http: requests.Session, **fields) -> requests.Response:
    form = na_form(regions, http)
    assert "tenant" in form, "NA's plain login page needs the Organisation field (name=tenant)"
    data = {"csrf_token": form["csrf_token"]["value"], **fields}
    return regions.na.post("/login", session=http, data=data)


# --------------------------------------------------------------------------- discovery


def test_discovery_answers_only_for_its_own_database(regions):
    na, eu = regions.na, regions.eu
    for server, query, region in ((eu, {"tenant": EU_SLUG}, "eu"), (eu, {"tenant": EU_SLUG_2}, "eu"),
                                  (eu, {"domain": "euco.example"}, "eu"), (eu, {"domain": "EUCO.Example"}, "eu"),
                                  (na, {"tenant": NA_SLUG}, "na"), (na, {"domain": "acme.test"}, "na")):
        resp = server.get("/api/v1/discovery", params=query)
        assert expect(resp, 200) == {"region": region}, "discovery answers the region and nothing else:\n" + show(resp)

    # Each server answers from its own database only: it never asks the other region.
    for server, query in ((na, {"tenant": EU_SLUG}), (na, {"domain": "euco.example"}),
                          (eu, {"tenant": NA_SLUG}), (eu, {"domain": "acme.test"}),
                          (eu, {"tenant": "nobody-here"}), (eu, {"domain": "nowhere.example"})):
        expect(server.get("/api/v1/discovery", params=query), 404, "not_found")

    for query in ({}, {"tenant": EU_SLUG, "domain": "euco.example"}, {"tenant": "Not_A_Slug"}, {"tenant": ""},
                  {"domain": "no-dot"}, {"domain": "spaces in.example"}, {"domain": ""}):
        expect(eu.get("/api/v1/discovery", params=query), 400, "validation_failed")


def test_discovery_is_limited_to_600_lookups_a_minute_per_client(regions):
    # On NA, which nothing else asks during this test (NA's own page lookups go to EU).
    http = requests.Session()
    answers = [regions.na.get("/api/v1/discovery", session=http,
                              params={"tenant": NA_SLUG if i % 2 else f"guess-{i}"}).status_code for i in range(600)]
    assert set(answers) <= {200, 404} and answers.count(200) == 300, \
        f"the first 600 lookups of a minute are answered: {sorted(set(answers))}"
    refused = regions.na.get("/api/v1/discovery", session=http, params={"tenant": NA_SLUG})
    expect(refused, 429, "too_many_requests")
    retry_after = refused.headers.get("Retry-After", "")
    assert retry_after.isdigit() and 1 <= int(retry_after) <= 60, "429 needs a Retry-After in seconds:\n" + show(refused)


# --------------------------------------------------------------------------- NA's login page


def test_na_login_page_sends_eu_tenants_to_the_eu_login_page(regions):
    na, eu, EU = regions.na, regions.eu, regions.eu_base
    assert_redirect(na.get(f"/login?tenant={EU_SLUG}"), 302, f"{EU}/login", [("tenant", EU_SLUG)])
    assert_redirect(na.get(f"/login?tenant={EU_SLUG}&username={LENA}"), 302, f"{EU}/login",
                    [("tenant", EU_SLUG), ("username", LENA)])
    # The language goes along only when it was chosen: ?lang, or the menu's cookie...
    assert_redirect(na.get(f"/login?tenant={EU_SLUG}&username={LENA}&lang=fr"), 302, f"{EU}/login",
                    [("tenant", EU_SLUG), ("username", LENA), ("lang", "fr")])
    assert_redirect(na.get(f"/login?tenant={EU_SLUG}", headers={"Cookie": "gatehouse_lang=de"}), 302, f"{EU}/login",
                    [("tenant", EU_SLUG), ("lang", "de")])
    # ...not when the browser merely prefers one.
    assert_redirect(na.get(f"/login?tenant={EU_SLUG_2}", headers={"Accept-Language": "ja"}), 302, f"{EU}/login",
                    [("tenant", EU_SLUG_2)])
    # And the other way round: EU sends NA's tenant to NA.
    assert_redirect(eu.get(f"/login?tenant={NA_SLUG}"), 302, f"{regions.na_base}/login", [("tenant", NA_SLUG)])

    # NA's own tenants and unknown ones stay on NA's page.
    own = na.get(f"/login?tenant={NA_SLUG}")
    assert_stays(own)
    assert NA_NAME in parse_html(own.text).text
    assert_stays(na.get("/login?tenant=nobody-anywhere"))
    assert_stays(na.get("/login?tenant=Not_A_Slug"))

    # Followed, the EU page names the tenant and has the username filled in, the password
    # field focused; a plus address survives the trip.
    for username in (LENA, "lena+night-shift@euco.example"):
        page = requests.get(f"{na.base_url}/login", params={"tenant": EU_SLUG, "username": username},
                            timeout=harness.HTTP_TIMEOUT)
        assert page.status_code == 200 and page.url.startswith(EU + "/login?"), show(page)
        parsed = parse_html(page.text)
        assert EU_NAME in parsed.text, f"the EU page must name the tenant:\n{page.text[:3000]}"
        assert parsed.by_id["username"]["attrs"].get("value") == username, parsed.by_id["username"]
        assert "autofocus" in parsed.by_id["password"]["attrs"], parsed.by_id["password"]
        assert "autofocus" not in parsed.by_id["username"]["attrs"], parsed.by_id["username"]


def test_na_login_form_naming_an_eu_organisation_goes_to_eu_with_the_username_never_the_password(regions):
    na, EU = regions.na, regions.eu_base
    secret = "Not-Sent-Anywhere-77"
    http = requests.Session()
    page = na.get("/login", session=http)
    organisation = parse_html(page.text).by_id.get("organisation")
    assert organisation and organisation["tag"] == "details", "expected <details id=organisation> on plain /login"
    assert 'name="tenant"' in page.text.split('id="organisation"', 1)[1].split("</details>", 1)[0], \
        "the Organisation field (name=tenant) belongs inside <details id=organisation>"

    resp = post_na_login(regions, http, username=LENA, password=secret, tenant=EU_SLUG)
    assert_redirect(resp, 303, f"{EU}/login", [("tenant", EU_SLUG), ("username", LENA)])
    assert secret not in str(resp.headers) and secret not in resp.text, "the password must not leave in any form"

    # Whitespace around the organisation is forgiven; a chosen language goes along.
    http.cookies.set("gatehouse_lang", "pt-BR", domain="127.0.0.1", path="/")
    resp = post_na_login(regions, http, username=f" {LENA} ", password=secret, tenant=f" {EU_SLUG} ")
    assert_redirect(resp, 303, f"{EU}/login", [("tenant", EU_SLUG), ("username", LENA), ("lang", "pt-BR")])
    assert secret not in str(resp.headers)

    # An organisation no region knows: NA answers the sign-in itself (refused, no redirect).
    resp = post_na_login(regions, requests.Session(), username=LENA, password=secret, tenant="nobody-anywhere")
    assert resp.status_code == 401 and "Location" not in resp.headers, show(resp)
    assert 'id="login-error"' in resp.text


def test_na_login_form_naming_an_eu_organisation_without_a_password_goes_to_eu(regions):
    """The Organisation fold is where someone says where they belong; they need not type a
    password on NA (where it cannot be checked) to be sent to their region's page."""
    EU = regions.eu_base
    resp = post_na_login(regions, requests.Session(), username=LENA, tenant=EU_SLUG)
    assert_redirect(resp, 303, f"{EU}/login", [("tenant", EU_SLUG), ("username", LENA)])
    resp = post_na_login(regions, requests.Session(), tenant=EU_SLUG)
    assert_redirect(resp, 303, f"{EU}/login", [("tenant", EU_SLUG)])


def test_region_chooser_links_every_region(regions):
    for server, current, other, other_base in ((regions.na, "na", "eu", regions.eu_base),
                                               (regions.eu, "eu", "na", regions.na_base)):
        links = region_links(server.get("/login").text)
        assert set(links) == {"na", "eu"}, links
        assert links[current].get("aria-current") == "true" and "aria-current" not in links[other], links
        assert links[current]["href"] == "/login", links[current]
        assert links[other]["href"] == f"{other_base}/login", links[other]
    names = {code: link["_text"] for code, link in region_links(regions.na.get("/login").text).items()}
    assert names == {"na": "North America", "eu": "Europe"}, names
    # A chosen language goes along to the other region.
    links = region_links(regions.na.get("/login?lang=de").text)
    assert links["eu"]["href"] == f"{regions.eu_base}/login?lang=de", links["eu"]


def test_region_missing_from_the_regions_file_refuses_to_start(db, tmp_path):
    regions_file = tmp_path / "regions.json"
    regions_file.write_text(json.dumps([{"code": "na", "name": "North America", "base_url": "http://127.0.0.1:9"}]))
    migrate(db)
    code, err = serve_until_exit(db, "--region", "eu", "--regions-file", str(regions_file))
    assert code not in (None, 0), f"a server whose region is not in the file must not start (exit {code}):\n{err}"
    assert "regions-file" in err or "regions_file" in err, f"the message must name the regions file setting:\n{err}"


# --------------------------------------------------------------------------- EU hung or gone


def test_na_login_page_stays_fast_and_usable_while_eu_is_hung_or_gone(regions):
    na, eu = regions.na, regions.eu
    # Hung: EU's port accepts connections but nothing answers.
    eu.signal(signal.SIGSTOP)
    try:
        resp, took = timed(lambda: na.get(f"/login?tenant={EU_SLUG}"))
        assert took < DOWN_BUDGET, f"NA's login page took {took:.1f}s while EU was hung"
        assert_stays(resp)
        # The form too, and NA's own tenants are not held up at all.
        resp, took = timed(lambda: post_na_login(regions, requests.Session(), username=LENA,
                                                 password=GOOD_PASSWORD, tenant=EU_SLUG))
        assert took < DOWN_BUDGET and resp.status_code < 500 and "Location" not in resp.headers, show(resp)
        resp, took = timed(lambda: na.get(f"/login?tenant={NA_SLUG}"))
        assert took < CACHED_BUDGET, f"NA's own tenant's page took {took:.1f}s while EU was hung"
        assert_stays(resp)
    finally:
        eu.signal(signal.SIGCONT)

    # Gone: nothing listens on EU's port. A tenant NA has not asked about yet.
    eu.kill()
    resp, took = timed(lambda: na.get(f"/login?tenant={EU_SLUG_2}&username={LENA}"))
    assert took < DOWN_BUDGET, f"NA's login page took {took:.1f}s while EU was down"
    assert_stays(resp)
    assert parse_html(resp.text).by_id["username"]["attrs"].get("value") == LENA


def test_na_remembers_where_a_tenant_lives_when_eu_goes_down(regions):
    na, EU = regions.na, regions.eu_base
    expected = [("tenant", EU_SLUG), ("username", LENA)]
    assert_redirect(na.get(f"/login?tenant={EU_SLUG}&username={LENA}"), 302, f"{EU}/login", expected)

    regions.eu.kill()
    # Nothing answers at EU now (this is not merely a slow start).
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{EU}/api/v1/discovery", params={"tenant": EU_SLUG}, timeout=5)

    resp, took = timed(lambda: na.get(f"/login?tenant={EU_SLUG}&username={LENA}"))
    assert_redirect(resp, 302, f"{EU}/login", expected)
    assert took < CACHED_BUDGET, f"a remembered answer must not wait for EU ({took:.1f}s)"
    resp = post_na_login(regions, requests.Session(), username=LENA, password=GOOD_PASSWORD, tenant=EU_SLUG)
    assert_redirect(resp, 303, f"{EU}/login", expected)
    # A tenant NA never asked about cannot be found now: NA keeps the person on its page.
    assert_stays(na.get(f"/login?tenant={EU_SLUG_2}"))


def test_made_up_names_on_na_do_not_stop_real_eu_tenants_being_sent_to_eu(regions):
    """NA's login page asks EU about every organisation typed. Those lookups all come from NA's
    address, so they must not use up a per-client budget that then makes EU refuse NA's question
    about a real tenant: anyone could otherwise break the way to EU for every NA visitor."""
    flooder = requests.Session()
    for i in range(605):
        assert_stays(regions.na.get(f"/login?tenant=made-up-{i}", session=flooder))
    # Someone else (another loopback address) now opens NA's page for a real EU tenant.
    conn = HTTPConnection("127.0.0.1", regions.na.port, timeout=harness.HTTP_TIMEOUT,
                                      source_address=("127.0.0.2", 0))
    try:
        conn.request("GET", f"/login?tenant={EU_SLUG}")
        answer = conn.getresponse()
        status, location = answer.status, answer.getheader("Location")
    finally:
        conn.close()
    assert (status, location) == (302, f"{regions.eu_base}/login?tenant={EU_SLUG}"), \
        (f"after 605 made-up organisations from one visitor, another visitor's real EU tenant got HTTP {status} "
         f"(Location {location}); EU now says to NA's lookups: "
         + requests.get(f"{regions.eu_base}/api/v1/discovery", params={"tenant": EU_SLUG}, timeout=10).text)


class StallingRegion:
    """A stand-in for a broken region on loopback: it reads the discovery request, sends the
    response head and the start of the body, and then says nothing more until stopped."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.port = self.sock.getsockname()[1]
        self.requests: list[str] = []
        self.release = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self.release.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn):
        with conn:
            self.requests.append(conn.recv(65536).decode("latin-1").split("\r\n", 1)[0])
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"reg")
            self.release.wait(120)

    def stop(self):
        self.release.set()
        self.sock.close()


@pytest.fixture
def stalling_region():
    region = StallingRegion()
    yield region
    region.stop()


@sqlite_only
def test_na_login_page_stays_fast_when_a_region_stalls_in_the_middle_of_its_answer(db, servers, tmp_path,
                                                                                   stalling_region):
    """A region whose servers answer the head of a discovery response and then hang (an
    overloaded proxy, a stuck process) must not hold NA's login page any longer than one that
    does not answer at all."""
    regions_file = tmp_path / "regions.json"
    regions_file.write_text(json.dumps([
        {"code": "na", "name": "North America", "base_url": "http://127.0.0.1:1"},
        {"code": "eu", "name": "Europe", "base_url": f"http://127.0.0.1:{stalling_region.port}"},
    ]))
    migrate(db)
    na = servers("--region", "na", "--regions-file", str(regions_file))
    try:
        resp, took = timed(lambda: na.get("/login?tenant=somewhere-else", timeout=DOWN_BUDGET + 5))
    except requests.Timeout:
        raise AssertionError(f"NA's login page did not answer within {DOWN_BUDGET + 5:.0f}s while the other region "
                             f"hung in the middle of its discovery answer (asked: {stalling_region.requests})") from None
    assert stalling_region.requests and "/api/v1/discovery?tenant=somewhere-else" in stalling_region.requests[0], \
        f"NA should have asked the other region: {stalling_region.requests}"
    assert took < DOWN_BUDGET, f"NA's login page took {took:.1f}s while the other region hung mid-answer"
    assert_stays(resp)


def tenant_region(db: Database, slug: str) -> str:
    """The region `tenant list` gives for `slug` (its lines: slug, region, id, name; tab-separated)."""
    listed = cli_ok(db, "tenant", "list").stdout
    rows = [line.split("\t") for line in listed.splitlines() if line.split("\t")[0] == slug]
    assert len(rows) == 1, f"expected one line for {slug} in `tenant list`:\n{listed}"
    return rows[0][1]


def test_tenant_created_with_an_eu_configuration_lives_in_eu(regions, tmp_path):
    """`tenant create` says its --region defaults to "the server's region": run with EU's
    configuration (GATEHOUSE_REGION=eu, or "region": "eu" in the config file), a new tenant
    must be an EU tenant, or EU's own login page sends its people to NA, which knows nothing
    of it."""
    eu_db = regions.eu_db
    env = harness.clean_env({**eu_db.env(), "GATEHOUSE_REGION": "eu"})
    made = subprocess.run([str(harness.gatehouse_bin()), "tenant", "create", "--slug", "from-env", "--name", "From Env"],
                          capture_output=True, text=True, timeout=harness.CLI_TIMEOUT, env=env, cwd=str(tmp_path))
    assert made.returncode == 0, made.stderr
    config = tmp_path / "eu-config.json"
    config.write_text(json.dumps({"region": "eu"}))
    cli_ok(eu_db, "tenant", "create", "--slug", "from-config", "--name", "From Config", "--config", str(config))

    wrong = {slug: tenant_region(eu_db, slug) for slug in ("from-env", "from-config") if tenant_region(eu_db, slug) != "eu"}
    for slug in ("from-env", "from-config"):
        resp = regions.eu.get(f"/login?tenant={slug}")
        if resp.status_code != 200:
            wrong[slug + " (EU's login page)"] = f"{resp.status_code} to {resp.headers.get('Location')}"
    assert not wrong, f"tenants created with EU's configuration are not EU's: {wrong}"


# --------------------------------------------------------------------------- in Chromium


def active_element_id(driver) -> str:
    return driver.execute_script("return document.activeElement && document.activeElement.id")


def wait_until(driver, condition, what: str, timeout: float = 20.0):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait
    try:
        return WebDriverWait(driver, timeout).until(lambda d: condition(d))
    except TimeoutException:
        raise AssertionError(f"{what}: not so within {timeout:.0f}s; at {driver.current_url}:\n"
                             + driver.find_element(*by("body")).text)


def no_csp_block(driver) -> bool:
    """False (keep waiting) unless the browser reported blocking a form by Content-Security-
    Policy, which it says only in its console: then fail at once, quoting it."""
    blocked = [entry["message"] for entry in driver.get_log("browser") if "Content Security Policy" in entry["message"]]
    assert not blocked, f"the browser refused to follow the form's redirect to the other region: {blocked[0]}"
    return False


def assert_signed_in_on_eu(driver, regions: Regions) -> None:
    """Signed in on EU: the browser left EU's login page for a signed-in page (whichever the
    landing rules pick), and its session cookie is a live EU session of Lena's."""
    wait_until(driver, lambda d: d.current_url.startswith(regions.eu_base + "/")
               and urlsplit(d.current_url).path not in ("/login", "/login/password", "/login/mfa"),
               "signed in on EU (off the login page)")
    cookies = {c["name"]: c["value"] for c in driver.get_cookies()}
    assert cookies.get("gatehouse_session"), cookies.keys()
    me = expect(regions.eu.get(SESSION_PATH, headers={"Cookie": f"gatehouse_session={cookies['gatehouse_session']}"}), 200)
    assert me["user"]["email"] == LENA and me["tenant"]["slug"] == EU_SLUG and me["tenant"]["region"] == "eu", me
    # The session is EU's: NA's database has never heard of it.
    expect(regions.na.get(SESSION_PATH, headers={"Cookie": f"gatehouse_session={cookies['gatehouse_session']}"}),
           401, "unauthenticated")


@sqlite_only
def test_browser_opening_na_with_an_eu_tenant_signs_in_on_eu(regions, browser):
    browser.get(f"{regions.na_base}/login?tenant={EU_SLUG}")
    wait_until(browser, lambda d: d.current_url == f"{regions.eu_base}/login?tenant={EU_SLUG}", "on EU's login page")
    assert EU_NAME in wait_for(browser, "p.lead").text
    assert browser.find_element(*by("#username")).get_attribute("value") == ""
    assert active_element_id(browser) == "username", "with no username yet, the username field has the focus"

    # With the username in NA's link, EU fills it in and the person only types the password.
    browser.get(f"{regions.na_base}/login?tenant={EU_SLUG}&username={LENA}")
    wait_until(browser, lambda d: d.current_url.startswith(f"{regions.eu_base}/login?tenant={EU_SLUG}&username="),
               "on EU's login page with the username")
    assert EU_NAME in wait_for(browser, "p.lead").text
    assert browser.find_element(*by("#username")).get_attribute("value") == LENA
    assert active_element_id(browser) == "password", "with the username filled in, the password field has the focus"
    browser.switch_to.active_element.send_keys(GOOD_PASSWORD)
    browser.find_element(*by("form[action='/login'] button[type=submit]")).click()
    assert_signed_in_on_eu(browser, regions)


@sqlite_only
def test_browser_region_chooser_goes_to_the_eu_login_page(regions, browser):
    # North America is this page, Europe is EU's login page; there, Europe is the current one.
    browser.get(f"{regions.na_base}/login")
    chooser = wait_for(browser, "nav#regions")
    current = chooser.find_element(*by("a[aria-current='true']"))
    assert current.get_attribute("data-region") == "na", current.get_attribute("outerHTML")
    europe = chooser.find_element(*by("a[data-region='eu']"))
    assert europe.text == "Europe", europe.text
    europe.click()
    wait_until(browser, lambda d: d.current_url == f"{regions.eu_base}/login", "on EU's login page after the chooser")
    current = wait_for(browser, "nav#regions a[aria-current='true']")
    assert current.get_attribute("data-region") == "eu", current.get_attribute("outerHTML")
    wait_for(browser, "form[action='/login'] #username")


@sqlite_only
def test_browser_organisation_named_on_na_leads_to_eu_and_signs_in_there(regions, browser):
    # On NA's plain page, the person names the organisation in the folded-away field.
    browser.get(f"{regions.na_base}/login")
    wait_for(browser, "#username")
    assert not browser.find_element(*by("#tenant")).is_displayed(), "the Organisation field starts folded away"
    type_into(browser, "#username", LENA)
    type_into(browser, "#password", GOOD_PASSWORD)
    browser.find_element(*by("details#organisation summary")).click()
    type_into(browser, "details#organisation #tenant", EU_SLUG)
    browser.find_element(*by("form[action='/login'] button[type=submit]")).click()

    # A browser follows the 303 only if the page's Content-Security-Policy form-action allows
    # the other region's origin (it applies to the redirects of a form submission too).
    wait_until(browser, lambda d: d.current_url.startswith(regions.eu_base + "/login") or no_csp_block(d),
               "on EU's login page after naming the organisation on NA")
    assert GOOD_PASSWORD not in browser.current_url
    assert EU_NAME in wait_for(browser, "p.lead").text
    assert browser.find_element(*by("#username")).get_attribute("value") == LENA
    assert browser.find_element(*by("#password")).get_attribute("value") == "", "the password is typed again on EU"
    assert active_element_id(browser) == "password", "with the username filled in, the password field has the focus"
    browser.switch_to.active_element.send_keys(GOOD_PASSWORD)
    browser.find_element(*by("form[action='/login'] button[type=submit]")).click()
    assert_signed_in_on_eu(browser, regions)
