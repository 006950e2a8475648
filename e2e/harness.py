"""Helpers for driving the real `gatehouse` binary from the end-to-end tests.

Everything here talks to the binary the way an operator would: command-line
subcommands, a `serve` process whose log lines are read from stderr, and HTTP on
loopback. Nothing imports or reads the Swift sources.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Optional
from urllib.parse import quote

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent

# A password that meets the default tenant password policy (>= 8 characters, 3 of 4 character
# classes, none of `# $ * / @`) and contains none of the test users' names or email local parts.
GOOD_PASSWORD = "Blue-Kettle-42"

LISTENING_RE = re.compile(r"listening on (http://[^ ]+)")
SETUP_TOKEN_RE = re.compile(r"/setup\?token=([^\s\"'&<>]+)")
UUID_RE = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

# Generous bounds: a debug build on two busy cores can be slow to start and migrate.
START_TIMEOUT = 90.0
CLI_TIMEOUT = 90.0
HTTP_TIMEOUT = 30.0


def gatehouse_bin() -> Path:
    """The binary under test: $GATEHOUSE_BIN, else the debug build of this checkout."""
    configured = os.environ.get("GATEHOUSE_BIN")
    path = Path(configured) if configured else REPO_ROOT / ".build" / "debug" / "gatehouse"
    return path.resolve()


def clean_env(extra: Optional[dict] = None) -> dict:
    """The environment for a child process: ours, minus any GATEHOUSE_* settings of the
    caller's (they would point it at another database, port or config), plus `extra`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GATEHOUSE_") or k.startswith("GATEHOUSE_TEST_") or k == "GATEHOUSE_BIN"}
    env.setdefault("LANG", "C.UTF-8")
    if extra:
        env.update(extra)
    return env


# --------------------------------------------------------------------------- database


@dataclass
class Database:
    """One empty database for one test, with the flags that point the binary at it."""

    kind: str                # "sqlite" or "postgres"
    data_dir: Path           # always a fresh temporary directory
    url: Optional[str]       # --database-url; None for SQLite (the default file is used)

    def args(self) -> list[str]:
        args = ["--data-dir", str(self.data_dir)]
        if self.url:
            args += ["--database-url", self.url]
        return args

    def env(self) -> dict:
        """The same selection expressed through environment variables."""
        env = {"GATEHOUSE_DATA_DIR": str(self.data_dir)}
        if self.url:
            env["GATEHOUSE_DATABASE_URL"] = self.url
        return env

    @property
    def sqlite_file(self) -> Path:
        return self.data_dir / "gatehouse.sqlite"


def postgres_url_for(base_url: str, database: str) -> str:
    """`base_url` with its database name replaced."""
    head, sep, tail = base_url.partition("?")
    scheme, _, rest = head.partition("://")
    authority = rest.split("/", 1)[0]
    return f"{scheme}://{authority}/{database}" + (sep + tail if sep else "")


def psql(url: str, sql: str) -> None:
    result = subprocess.run(
        ["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
        capture_output=True, text=True, timeout=60, env=clean_env(),
    )
    if result.returncode != 0:
        raise RuntimeError(f"psql failed ({result.returncode}) running {sql!r}:\n{result.stderr}")


# --------------------------------------------------------------------------- command line


@dataclass
class CLIResult:
    args: list
    returncode: int
    stdout: str
    stderr: str

    def describe(self) -> str:
        return (f"$ gatehouse {' '.join(map(str, self.args))}\n"
                f"exit code: {self.returncode}\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}")


def run_cli(db: Database, *args: str, input: Optional[str] = None,
            use_env: bool = False, cwd: Optional[Path] = None) -> CLIResult:
    """Runs `gatehouse ARGS` against `db` (flags, or environment variables with use_env)."""
    argv = list(args) + ([] if use_env else db.args())
    env = clean_env(db.env() if use_env else None)
    proc = subprocess.run(
        [str(gatehouse_bin()), *argv],
        input=input if input is not None else "",
        capture_output=True, text=True, timeout=CLI_TIMEOUT,
        cwd=str(cwd or db.data_dir.parent), env=env,
    )
    return CLIResult(argv, proc.returncode, proc.stdout, proc.stderr)


def cli_ok(db: Database, *args: str, **kwargs) -> CLIResult:
    result = run_cli(db, *args, **kwargs)
    assert result.returncode == 0, "command failed:\n" + result.describe()
    return result


def migrate(db: Database) -> None:
    cli_ok(db, "migrate")


def create_tenant(db: Database, slug: str, name: str, region: str = "na",
                  presence_reasons: Optional[str] = "Break,Lunch") -> str:
    """`tenant create`; returns the new tenant's id. By default the tenant gets a default
    Presence Reason list, without which its agents cannot sign in; None leaves it without."""
    args = ["tenant", "create", "--slug", slug, "--name", name, "--region", region]
    if presence_reasons is not None:
        args += ["--presence-reasons", presence_reasons]
    result = cli_ok(db, *args)
    match = re.search(rf"^created tenant {re.escape(slug)} ({UUID_RE})\s*$", result.stdout, re.M)
    assert match, "expected a line 'created tenant <slug> <uuid>' on stdout:\n" + result.describe()
    return match.group(1)


def create_user(db: Database, tenant: str, email: str, first: str, last: str,
                roles: Iterable[str] = ("agent",), agent_id: Optional[str] = None,
                phone: Optional[str] = None, password: Optional[str] = None,
                language: Optional[str] = None) -> str:
    """`user create`; returns the new user's id."""
    args = ["user", "create", "--tenant", tenant, "--email", email,
            "--first-name", first, "--last-name", last]
    for role in roles:
        args += ["--role", role]
    if agent_id is not None:
        args += ["--agent-id", agent_id]
    if phone is not None:
        args += ["--phone", phone]
    if language is not None:
        args += ["--language", language]
    if password is not None:
        args += ["--password-stdin"]
    result = cli_ok(db, *args, input=(password + "\n") if password is not None else None)
    match = re.search(rf"^created user {re.escape(email)} ({UUID_RE})\s*$", result.stdout, re.M)
    assert match, "expected a line 'created user <email> <uuid>' on stdout:\n" + result.describe()
    return match.group(1)


def create_token(db: Database, tenant: str, user: str, name: Optional[str] = None) -> str:
    """`token create`; stdout must be exactly one line, the token."""
    args = ["token", "create", "--tenant", tenant, "--user", user]
    if name:
        args += ["--name", name]
    result = cli_ok(db, *args)
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].strip().startswith("gh_"), \
        "expected exactly one stdout line holding a gh_ token:\n" + result.describe()
    return lines[0].strip()


@dataclass
class TenantFixture:
    slug: str
    tenant_id: str
    admin_email: str
    admin_id: str
    admin_token: str


def bootstrap_tenant(db: Database, slug: str, name: str, admin_email: str) -> TenantFixture:
    """A tenant with one administrator and an API token for them, all via the CLI."""
    tenant_id = create_tenant(db, slug, name)
    admin_id = create_user(db, slug, admin_email, "Admin", slug.capitalize(),
                           roles=("administrator",), password=GOOD_PASSWORD)
    token = create_token(db, slug, admin_email, name="e2e")
    return TenantFixture(slug, tenant_id, admin_email, admin_id, token)


# --------------------------------------------------------------------------- server


class Server:
    """One `gatehouse serve` process on a free loopback port."""

    def __init__(self, db: Database, extra_args: Iterable[str] = (), env: Optional[dict] = None):
        self.db = db
        self.extra_env = dict(env or {})   # added to the child's environment (e.g. GATEHOUSE_* settings)
        self.argv = [str(gatehouse_bin()), "serve", "--host", "127.0.0.1", "--port", "0",
                     *db.args(), *extra_args]
        self.stderr_lines: list[str] = []
        self.stdout_lines: list[str] = []
        self._lock = threading.Lock()
        self.proc: Optional[subprocess.Popen] = None
        self.base_url: Optional[str] = None
        self._threads: list[threading.Thread] = []

    # -- lifecycle

    def start(self, timeout: float = START_TIMEOUT) -> "Server":
        self.proc = subprocess.Popen(
            self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=str(self.db.data_dir.parent), env=clean_env(self.extra_env),
        )
        for stream, sink in ((self.proc.stderr, self.stderr_lines), (self.proc.stdout, self.stdout_lines)):
            thread = threading.Thread(target=self._pump, args=(stream, sink), daemon=True)
            thread.start()
            self._threads.append(thread)
        match = self.wait_for_log(LISTENING_RE, timeout=timeout,
                                  what="the 'Gatehouse listening on http://...' line")
        self.base_url = match.group(1).rstrip("/")
        return self

    def _pump(self, stream, sink: list) -> None:
        for raw in iter(stream.readline, b""):
            with self._lock:
                sink.append(raw.decode("utf-8", "replace").rstrip("\n"))
        stream.close()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def port(self) -> int:
        assert self.base_url is not None
        return int(self.base_url.rsplit(":", 1)[1].split("/")[0])

    def is_running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def wait(self, timeout: float) -> int:
        """Waits for the process to exit; returns its exit code (negative: killed by signal)."""
        assert self.proc is not None
        code = self.proc.wait(timeout=timeout)
        for thread in self._threads:
            thread.join(timeout=5)
        return code

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM and wait; returns the exit code."""
        if self.is_running():
            self.signal(signal.SIGTERM)
        return self.wait(timeout)

    def kill(self) -> None:
        if self.is_running():
            self.proc.kill()
        if self.proc is not None:
            try:
                self.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass

    # -- logs

    def log_text(self) -> str:
        with self._lock:
            return "\n".join(self.stderr_lines)

    def describe(self) -> str:
        with self._lock:
            err = "\n".join(self.stderr_lines[-200:])
            out = "\n".join(self.stdout_lines[-50:])
        code = self.proc.poll() if self.proc else None
        return (f"$ {' '.join(self.argv)}\n(exit code: {code})\n"
                f"--- stderr (last 200 lines) ---\n{err}\n--- stdout (last 50 lines) ---\n{out}\n")

    def wait_for_log(self, pattern: re.Pattern, timeout: float, what: str) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            match = pattern.search(self.log_text())
            if match:
                return match
            if self.proc is not None and self.proc.poll() is not None:
                # The process ended; its pipes may still hold the last lines.
                for thread in self._threads:
                    thread.join(timeout=5)
                match = pattern.search(self.log_text())
                if match:
                    return match
                raise AssertionError(f"gatehouse serve exited before logging {what}\n" + self.describe())
            if time.monotonic() > deadline:
                raise AssertionError(f"gatehouse serve did not log {what} within {timeout:.0f}s\n"
                                     + self.describe())
            time.sleep(0.05)

    def setup_token(self, timeout: float = START_TIMEOUT) -> str:
        return self.wait_for_log(SETUP_TOKEN_RE, timeout, "a /setup?token=... link").group(1)

    # -- HTTP

    def url(self, path: str) -> str:
        assert self.base_url is not None
        return self.base_url + path

    def request(self, method: str, path: str, token: Optional[str] = None,
                session: Optional[requests.Session] = None, **kwargs) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        kwargs.setdefault("allow_redirects", False)
        sender = session or requests
        return sender.request(method, self.url(path), headers=headers, **kwargs)

    def get(self, path: str, token: Optional[str] = None, **kwargs) -> requests.Response:
        return self.request("GET", path, token, **kwargs)

    def post(self, path: str, token: Optional[str] = None, **kwargs) -> requests.Response:
        return self.request("POST", path, token, **kwargs)

    def patch(self, path: str, token: Optional[str] = None, **kwargs) -> requests.Response:
        return self.request("PATCH", path, token, **kwargs)

    def delete(self, path: str, token: Optional[str] = None, **kwargs) -> requests.Response:
        return self.request("DELETE", path, token, **kwargs)


def serve_until_exit(db: Database, *extra_args: str, timeout: float = 60.0) -> tuple[Optional[int], str]:
    """Runs `gatehouse serve` that is expected to give up by itself; returns (exit code, or
    None if it was still running after `timeout` and had to be killed; its stderr)."""
    proc = subprocess.Popen(
        [str(gatehouse_bin()), "serve", "--host", "127.0.0.1", "--port", "0", *db.args(), *extra_args],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        cwd=str(db.data_dir.parent), env=clean_env(),
    )
    try:
        _, err = proc.communicate(timeout=timeout)
        code: Optional[int] = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        code = None
    return code, err.decode("utf-8", "replace")


# --------------------------------------------------------------------------- API helpers


def users_path(slug: str, user_id: Optional[str] = None) -> str:
    return f"/api/v1/tenants/{slug}/users" + (f"/{user_id}" if user_id else "")


def show(resp: requests.Response) -> str:
    """A response, for assertion messages."""
    req = resp.request
    body = req.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    return (f"{req.method} {req.url}\nrequest body: {body!r}\n"
            f"-> {resp.status_code} {dict(resp.headers)}\n{resp.text[:2000]}")


def json_of(resp: requests.Response) -> dict:
    try:
        return resp.json()
    except ValueError:
        raise AssertionError("response is not JSON:\n" + show(resp))


def expect(resp: requests.Response, status: int, error: Optional[str] = None) -> dict:
    """Asserts the status (and the `error` code of an error body); returns the JSON body."""
    assert resp.status_code == status, f"expected HTTP {status}, got {resp.status_code}:\n" + show(resp)
    if status == 204:
        return {}
    body = json_of(resp)
    if error is not None:
        assert isinstance(body, dict) and body.get("error") == error, \
            f"expected error code {error!r}:\n" + show(resp)
        assert isinstance(body.get("message"), str) and body["message"], \
            "an error body needs a non-empty 'message':\n" + show(resp)
    return body


def error_fields(resp: requests.Response) -> dict:
    body = json_of(resp)
    fields = body.get("fields")
    assert isinstance(fields, dict), "expected 'fields' to be an object keyed by field:\n" + show(resp)
    return fields


def new_user_body(email: str, first: str = "Test", last: str = "User", roles=("agent",), **extra) -> dict:
    body = {"email": email, "first_name": first, "last_name": last, "roles": list(roles)}
    body.update(extra)
    return body


def add_default_presence_reasons(server: Server, slug: str, token: str, name: str = "Standard",
                                  reasons: Iterable[str] = ("Break",)) -> dict:
    """Gives the tenant a default Presence Reason list through the admin API (asserting 201).
    Tenants made by the /setup page start without one, and their agents cannot sign in
    without it (403 presence_reason_list_required); `create_tenant` adds one itself."""
    body = {"name": name, "is_default": True, "reasons": [{"name": reason} for reason in reasons]}
    created = expect(server.post(f"/api/v1/tenants/{slug}/presence-reason-lists", token, json=body), 201)
    assert created.get("is_default") is True, created
    return created


def list_all_users(server: Server, slug: str, token: str, limit: int = 50, q: Optional[str] = None,
                   max_pages: int = 500) -> tuple[list[dict], list[list[dict]]]:
    """Walks every page of the user list; returns (all users, pages)."""
    users: list[dict] = []
    pages: list[list[dict]] = []
    cursor = None
    for _ in range(max_pages):
        params = {"limit": str(limit)}
        if q is not None:
            params["q"] = q
        if cursor is not None:
            params["cursor"] = cursor
        body = expect(server.get(users_path(slug), token, params=params), 200)
        assert isinstance(body.get("users"), list), "expected a 'users' array:\n" + json.dumps(body)[:2000]
        assert "next_cursor" in body, "expected a 'next_cursor' key (string or null):\n" + json.dumps(body)[:2000]
        pages.append(body["users"])
        users.extend(body["users"])
        cursor = body["next_cursor"]
        if cursor is None:
            return users, pages
        assert isinstance(cursor, str) and cursor, f"next_cursor must be a non-empty string or null, got {cursor!r}"
    raise AssertionError(f"paging did not end after {max_pages} pages")


def random_suffix() -> str:
    return uuid.uuid4().hex[:10]


# --------------------------------------------------------------------------- HTML


class FormParser(HTMLParser):
    """Collects forms, their fields, and elements by id from an HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.by_id: dict[str, dict] = {}
        self._open_ids: list[tuple[str, str]] = []   # (tag, id) of elements whose text we collect
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = {k.lower(): (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.forms.append({"attrs": attrs, "fields": {}})
        elif tag in ("input", "select", "textarea", "button") and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = {"tag": tag, **attrs}
        if attrs.get("id"):
            self.by_id[attrs["id"]] = {"tag": tag, "attrs": attrs, "text": ""}
            if tag not in ("input", "img", "br", "meta", "link"):
                self._open_ids.append((tag, attrs["id"]))

    def handle_endtag(self, tag):
        for index in range(len(self._open_ids) - 1, -1, -1):
            if self._open_ids[index][0] == tag:
                del self._open_ids[index]
                break

    def handle_data(self, data):
        self._text.append(data)
        for _, element_id in self._open_ids:
            self.by_id[element_id]["text"] += data

    @property
    def text(self) -> str:
        return " ".join(" ".join(self._text).split())


def parse_html(html: str) -> FormParser:
    parser = FormParser()
    parser.feed(html)
    parser.close()
    return parser


def element_value(parser: FormParser, element_id: str) -> Optional[str]:
    """The text of the element with this id (or its value, for an input)."""
    element = parser.by_id.get(element_id)
    if element is None:
        return None
    if element["tag"] in ("input", "textarea") and element["attrs"].get("value"):
        return element["attrs"]["value"].strip()
    return element["text"].strip()


# --------------------------------------------------------------------------- sign-in and sessions

SESSION_COOKIE = "gatehouse_session"
CSRF_COOKIE = "gatehouse_csrf"
USERNAME_COOKIE = "gatehouse_username"
LOGIN_PATH = "/api/v1/login"
SESSION_PATH = "/api/v1/session"
SESSIONS_PATH = "/api/v1/sessions"
PASSWORD_PATH = "/api/v1/password"
MICROPHONE_CHECK_PATH = "/api/v1/account/microphone-check"
# Where a page sign-in with no return_to ends for a person who is not sent to the microphone
# page first: the landing page, /apps unless the tenant's `landing` setting says otherwise.
APPS_PATH = "/apps"

SESSION_KEYS = {"id", "current", "persistent", "created_at", "last_seen_at", "idle_expires_at",
                "absolute_expires_at", "expires_at", "client_ip", "user_agent"}


def settings_path(slug: str) -> str:
    return f"/api/v1/tenants/{slug}/settings"


def user_sessions_path(slug: str, user_id: str, session_id: Optional[str] = None) -> str:
    return users_path(slug, user_id) + "/sessions" + (f"/{session_id}" if session_id else "")


def set_cookies(resp: requests.Response) -> dict[str, dict]:
    """The response's Set-Cookie headers by cookie name: {"value": str, "attrs": {name: value}}
    with attribute names lower-cased (flags such as HttpOnly map to True)."""
    raw = resp.raw.headers.getlist("Set-Cookie") if resp.raw is not None else []
    cookies: dict[str, dict] = {}
    for header in raw:
        parts = [part.strip() for part in header.split(";")]
        name, _, value = parts[0].partition("=")
        attrs: dict = {}
        for part in parts[1:]:
            if not part:
                continue
            key, eq, val = part.partition("=")
            attrs[key.strip().lower()] = val.strip() if eq else True
        cookies[name.strip()] = {"value": value.strip(), "attrs": attrs, "header": header}
    return cookies


def cookie_header(value: str) -> dict:
    """Request headers presenting `value` as the session cookie (without any cookie jar)."""
    return {"Cookie": f"{SESSION_COOKIE}={value}"}


def login(server: Server, username: Optional[str] = None, password: Optional[str] = None,
          session: Optional[requests.Session] = None, **fields) -> requests.Response:
    """POST /api/v1/login; `fields` adds agent_id, tenant, remember_me, keep_signed_in..."""
    body = {k: v for k, v in (("username", username), ("password", password)) if v is not None}
    body.update(fields)
    return server.post(LOGIN_PATH, session=session, json=body)


@dataclass
class SignedIn:
    """A client (its own cookie jar) that signed in through the API."""

    http: requests.Session
    body: dict             # the sign-in answer
    cookie: str            # the session cookie value it was given

    @property
    def session_id(self) -> str:
        return self.body["session"]["id"]


def sign_in(server: Server, username: Optional[str], password: str,
            http: Optional[requests.Session] = None, **fields) -> SignedIn:
    """Signs in through the API (asserting 200 and a session cookie)."""
    http = http or requests.Session()
    resp = login(server, username, password, session=http, **fields)
    body = expect(resp, 200)
    cookie = set_cookies(resp).get(SESSION_COOKIE)
    assert cookie and cookie["value"], "a sign-in must set the gatehouse_session cookie:\n" + show(resp)
    return SignedIn(http, body, cookie["value"])


def session_alive(server: Server, cookie: str) -> bool:
    """Whether this session cookie value is still accepted by GET /api/v1/session: 200 is
    True, 401 unauthenticated is False, anything else fails."""
    resp = server.get(SESSION_PATH, headers=cookie_header(cookie))
    if resp.status_code == 401:
        expect(resp, 401, "unauthenticated")
        return False
    expect(resp, 200)
    return True


def microphone_first(target: str = "/landing") -> str:
    """The Location of an agent's first page sign-in (agent role, no microphone check recorded
    yet): the microphone page, which then leads on to `target` (the return_to, else /landing)."""
    return "/account/microphone?next=" + quote(target, safe="/")


def record_microphone_check(server: Server, cookie: str, result: str = "allowed") -> dict:
    """Records a microphone check for the person of this session cookie, as the microphone
    page does (PUT with the server's own Origin); their later page sign-ins then go straight
    to the return_to or their landing page. Returns the answer."""
    resp = server.request("PUT", MICROPHONE_CHECK_PATH, json={"result": result},
                          headers={**cookie_header(cookie), "Origin": server.base_url})
    body = expect(resp, 200)
    assert body.get("result") == result and body.get("checked_at"), "the check must be recorded:\n" + show(resp)
    return body


def get_settings(server: Server, slug: str, token: str) -> dict:
    return expect(server.get(settings_path(slug), token), 200)


def update_settings(server: Server, slug: str, token: str, **sections) -> dict:
    """PATCH the tenant settings (asserting 200); returns the settings after it."""
    return expect(server.patch(settings_path(slug), token, json=sections), 200)


def page_form(resp: requests.Response, action: str) -> dict:
    """The fields of the page's one <form method=post action=ACTION>."""
    assert "text/html" in resp.headers.get("Content-Type", ""), "expected an HTML page:\n" + show(resp)
    forms = [f for f in parse_html(resp.text).forms
             if f["attrs"].get("action", "").split("?")[0] == action
             and f["attrs"].get("method", "").lower() == "post"]
    assert len(forms) >= 1, f"expected a <form method=post action={action}>:\n" + show(resp)
    return forms[0]["fields"]


def refused(resp: requests.Response) -> None:
    """Asserts a sign-in answered 401 invalid_credentials."""
    expect(resp, 401, "invalid_credentials")


def locked(resp: requests.Response) -> int:
    """A 429 too_many_attempts with a Retry-After in whole seconds; returns it."""
    expect(resp, 429, "too_many_attempts")
    retry_after = resp.headers.get("Retry-After", "")
    assert retry_after.isdigit() and int(retry_after) > 0, "429 needs a Retry-After in seconds:\n" + show(resp)
    return int(retry_after)


def parallel_attempts(attempts: list[tuple[Server, str, str]]) -> Counter:
    """Sends every (server, username, password) sign-in at once; counts the answers by status."""
    barrier = threading.Barrier(len(attempts))

    def one(attempt):
        server, username, password = attempt
        barrier.wait(timeout=60)
        return login(server, username, password).status_code

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return Counter(pool.map(one, attempts))
