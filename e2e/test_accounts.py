"""Issue 4 acceptance: invitations, temporary passwords and forgot-password end to end through a
real SMTP server (aiosmtpd), an outbox that survives SIGKILL, and signed webhooks with the new
password as a JWE decrypted by an independent library (jwcrypto)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import signal
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto import jwe, jwk

from harness import (GOOD_PASSWORD, SESSION_COOKIE, bootstrap_tenant, expect, login, migrate, new_user_body, page_form,
                     session_alive, set_cookies, settings_path, show, sign_in, users_path)

LINK_RE = re.compile(r"https?://\S+/(invitations|password/reset)/([A-Za-z0-9_\-]+)")
NEW_PASSWORD = "Green-Teapot-17"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def mail_server_args(mailbox) -> list[str]:
    return ["--smtp-url", mailbox.url, "--mail-from", "Acme Sign-in <no-reply@acme.test>"]


def text_and_html(received) -> tuple[str, str]:
    message = received.message
    assert message.get_content_type() == "multipart/alternative", message.get_content_type()
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def link_in(received, kind: str) -> str:
    """The link of `kind` in the email; the text and HTML parts must carry the same one."""
    text, html = text_and_html(received)
    found = LINK_RE.search(text)
    assert found and found.group(1) == kind, f"no {kind} link in:\n{text}"
    assert found.group(0) in html, "the HTML part must carry the same link"
    return found.group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def set_password_form(server, http: requests.Session, path: str, password: str) -> requests.Response:
    """Opens a set-password page (invitation or reset) and submits it the way a browser does."""
    page = server.get(path, session=http)
    assert page.status_code == 200, show(page)
    fields = page_form(page, path)
    assert "csrf_token" in fields and "password" in fields and "password_confirm" in fields
    return server.post(path, session=http, allow_redirects=False,
                       data={"csrf_token": fields["csrf_token"]["value"], "password": password, "password_confirm": password})


# --------------------------------------------------------------------------- acceptance 1


def test_invitation_arrives_by_smtp_signs_in_once_expires_and_is_resent(db, servers, mailbox):
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    server = servers(*mail_server_args(mailbox))

    created = expect(server.post(users_path("acme"), acme.admin_token,
                                 json=new_user_body("jo.ruiz@acme.test", "Jo", "Ruiz", invite=True)), 201)
    assert created["status"] == "invited" and created["invitation_expires_at"]
    [received] = mailbox.wait_for("jo.ruiz@acme.test")
    assert received.envelope_from == "no-reply@acme.test"
    assert received.message["Subject"] == "You're invited to Acme Contact Center on Gatehouse"
    assert received.message["Message-ID"] and received.message["Date"]
    link = link_in(received, "invitations")
    text, _ = text_and_html(received)
    assert "24 hours" in text

    browser = requests.Session()
    answer = set_password_form(server, browser, path_of(link), GOOD_PASSWORD)
    assert answer.status_code == 302, show(answer)
    cookie = set_cookies(answer).get(SESSION_COOKIE)
    assert cookie and session_alive(server, cookie["value"]), "accepting the invitation signs the person in"
    expect(server.get(users_path("acme", created["id"]), acme.admin_token), 200)["status"] == "active"

    used = server.get(path_of(link))
    assert used.status_code == 410 and "already been used" in used.text and "administrator" in used.text, show(used)
    expect(server.post(path_of(link).replace("/invitations/", "/api/v1/invitations/") + "/accept",
                       json={"password": GOOD_PASSWORD}), 410, "link_used")

    # Lifetime: the setting, not a constant (the 24-hour default is proven with a test clock in
    # the Swift suite); the page then says the link expired.
    expect(server.patch(settings_path("acme"), acme.admin_token, json={"invitation_ttl_seconds": 2}), 200)
    late = expect(server.post(users_path("acme"), acme.admin_token,
                              json=new_user_body("late@acme.test", "Lee", "Tate", invite=True)), 201)
    old_link = link_in(mailbox.wait_for("late@acme.test")[0], "invitations")
    time.sleep(2.5)
    expired = server.get(path_of(old_link))
    assert expired.status_code == 410 and "expired" in expired.text and "administrator" in expired.text, show(expired)

    expect(server.patch(settings_path("acme"), acme.admin_token, json={"invitation_ttl_seconds": None}), 200)
    expect(server.post(users_path("acme", late["id"]) + "/invitation", acme.admin_token), 202)
    mails = mailbox.wait_for("late@acme.test", count=2)
    new_link = link_in(mails[1], "invitations")
    assert new_link != old_link
    assert server.get(path_of(old_link)).status_code == 410
    accepted = server.post(path_of(new_link).replace("/invitations/", "/api/v1/invitations/") + "/accept",
                           json={"password": GOOD_PASSWORD})
    assert expect(accepted, 200)["status"] == "signed_in"


# --------------------------------------------------------------------------- acceptance 2


def test_temporary_password_signs_in_only_to_the_change_step(db, servers):
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    server = servers()
    created = expect(server.post(users_path("acme"), acme.admin_token,
                                 json=new_user_body("al.ng@acme.test", "Al", "Ng", temporary_password=True)), 201)
    temporary = created["temporary_password"]
    assert len(temporary) == 16

    # The page: sign in with the temporary password, get the change step, no session yet.
    browser = requests.Session()
    form = page_form(server.get("/login", session=browser), "/login")
    step = server.post("/login", session=browser, allow_redirects=False,
                       data={"csrf_token": form["csrf_token"]["value"], "username": "al.ng@acme.test", "password": temporary})
    assert step.status_code == 200 and SESSION_COOKIE not in set_cookies(step), show(step)
    fields = page_form(step, "/login/password")
    done = server.post("/login/password", session=browser, allow_redirects=False,
                       data={"csrf_token": fields["csrf_token"]["value"], "flow_id": fields["flow_id"]["value"],
                             "password": GOOD_PASSWORD, "password_confirm": GOOD_PASSWORD})
    assert done.status_code == 302, show(done)
    assert session_alive(server, set_cookies(done)[SESSION_COOKIE]["value"])
    assert login(server, "al.ng@acme.test", temporary).status_code == 401
    sign_in(server, "al.ng@acme.test", GOOD_PASSWORD)

    # The API, and Webex's format.
    expect(server.patch(settings_path("acme"), acme.admin_token, json={"temporary_password_format": "initials_phone"}), 200)
    john = expect(server.post(users_path("acme"), acme.admin_token,
                              json=new_user_body("john.doe@acme.test", "John", "Doe", phone="5125551212",
                                                 temporary_password=True)), 201)
    assert john["temporary_password"] == "Jd5125551212!!"
    assert "guess" in john["temporary_password_warning"]
    pending = expect(login(server, "john.doe@acme.test", "Jd5125551212!!"), 200)
    assert pending["status"] == "password_change_required" and pending["flow_id"]
    weak = server.post(f"/api/v1/login/{pending['flow_id']}/password", json={"new_password": "johnjohn"})
    expect(weak, 400, "password_policy")
    changed = server.post(f"/api/v1/login/{pending['flow_id']}/password", json={"new_password": GOOD_PASSWORD})
    assert expect(changed, 200)["status"] == "signed_in"
    assert set_cookies(changed).get(SESSION_COOKIE)


# --------------------------------------------------------------------------- acceptance 3


def test_forgot_password_through_smtp_and_nothing_for_unknown_names(db, servers, mailbox):
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    server = servers(*mail_server_args(mailbox))
    expect(server.post(users_path("acme"), acme.admin_token,
                       json=new_user_body("john.doe@acme.test", "John", "Doe", agent_id="4242", password=GOOD_PASSWORD)), 201)
    elsewhere = sign_in(server, "john.doe@acme.test", GOOD_PASSWORD)

    browser = requests.Session()
    form = page_form(server.get("/password/forgot?tenant=acme", session=browser), "/password/forgot")
    confirm_page = server.post("/password/forgot", session=browser,
                               data={"csrf_token": form["csrf_token"]["value"], "username": "4242", "tenant": "acme"})
    assert confirm_page.status_code == 200 and "j***@a***.test" in confirm_page.text, show(confirm_page)
    assert "contact your supervisor" in confirm_page.text
    fields = page_form(confirm_page, "/password/forgot/confirm")
    sent = server.post("/password/forgot/confirm", session=browser,
                       data={"csrf_token": fields["csrf_token"]["value"], "recovery_id": fields["recovery_id"]["value"]})
    assert sent.status_code == 202 and "Check your email" in sent.text, show(sent)
    [received] = mailbox.wait_for("john.doe@acme.test")
    link = link_in(received, "password/reset")
    assert "1 hour" in text_and_html(received)[0]

    answer = set_password_form(server, browser, path_of(link), NEW_PASSWORD)
    assert answer.status_code == 200 and "changed" in answer.text, show(answer)
    assert not session_alive(server, elsewhere.cookie), "a reset ends every session"
    assert login(server, "john.doe@acme.test", GOOD_PASSWORD).status_code == 401
    sign_in(server, "john.doe@acme.test", NEW_PASSWORD)
    assert server.get(path_of(link)).status_code == 410

    # Unknown names: the same shape, a stable masked address, and no email.
    known = expect(server.post("/api/v1/password-recovery", json={"username": "john.doe@acme.test"}), 200)
    ghost = expect(server.post("/api/v1/password-recovery", json={"agent_id": "9999", "tenant": "acme"}), 200)
    ghost_again = expect(server.post("/api/v1/password-recovery", json={"agent_id": "9999", "tenant": "acme"}), 200)
    unknown_email = expect(server.post("/api/v1/password-recovery", json={"username": "nobody@acme.test"}), 200)
    assert set(ghost) == set(known) == {"recovery_id", "masked_email"}
    assert ghost["masked_email"] == ghost_again["masked_email"] and re.fullmatch(r"[a-z]\*\*\*@[a-z]\*\*\*\.[a-z]+", ghost["masked_email"])
    assert unknown_email["masked_email"] == "n***@a***.test"
    for started in (ghost, unknown_email):
        expect(server.post(f"/api/v1/password-recovery/{started['recovery_id']}/confirm"), 202)
    time.sleep(3)
    assert [m.envelope_to for m in mailbox.messages if "nobody@acme.test" in m.envelope_to] == []
    assert len(mailbox.messages) == 1, "only the real account's reset email was sent"


# --------------------------------------------------------------------------- acceptance 4


def test_an_email_survives_a_kill_between_the_change_and_the_sending(db, servers, mailboxes):
    """The mail server is down when the invitation is accepted by the API; the server is then
    killed outright. The email is in the outbox and goes out after the restart, exactly once."""
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    port = free_port()
    first = servers("--smtp-url", f"smtp://127.0.0.1:{port}", env={"GATEHOUSE_DELIVERY_RETRY_SECONDS": "1"})
    created = expect(first.post(users_path("acme"), acme.admin_token,
                                json=new_user_body("kim@acme.test", "Kim", "Lee", invite=True)), 201)
    first.signal(signal.SIGKILL)
    first.wait(timeout=20)

    from smtp_mailbox import Mailbox
    box = Mailbox(port=port).start()
    try:
        second = servers("--smtp-url", box.url, env={"GATEHOUSE_DELIVERY_RETRY_SECONDS": "1"})
        [received] = box.wait_for("kim@acme.test", timeout=60)
        link = link_in(received, "invitations")
        expect(second.post(path_of(link).replace("/invitations/", "/api/v1/invitations/") + "/accept",
                           json={"password": GOOD_PASSWORD}), 200)
        second.stop()
        third = servers("--smtp-url", box.url)
        time.sleep(3)
        assert len([m for m in box.messages if "kim@acme.test" in m.envelope_to]) == 1, "delivered once, never again"
        outbox = expect(third.get("/api/v1/tenants/acme/outbox", acme.admin_token), 200)["messages"]
        assert [m["status"] for m in outbox if m["to"] == "kim@acme.test"] == ["delivered"]
        assert created["id"]
    finally:
        box.stop()


# --------------------------------------------------------------------------- acceptance 5


class Receiver:
    """A real HTTP server recording webhook calls; it can be down (not listening) at first."""

    def __init__(self, port: Optional[int] = None):
        self.port = port or free_port()
        self.calls: list[dict] = []
        self.httpd: Optional[ThreadingHTTPServer] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/gatehouse"

    def start(self) -> "Receiver":
        calls = self.calls

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                calls.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()

    def wait_for(self, event_type: str, count: int = 1, timeout: float = 60) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [c for c in self.calls if c["headers"].get("gatehouse-event") == event_type]
            if len(found) >= count:
                return found
            time.sleep(0.2)
        raise AssertionError(f"no {count}× {event_type} within {timeout}s; got {[c['headers'].get('gatehouse-event') for c in self.calls]}")


def verify_signature(call: dict, secret: str) -> dict:
    header = call["headers"]["gatehouse-signature"]
    parts = dict(part.split("=", 1) for part in header.split(","))
    signed = parts["t"].encode() + b"." + call["body"]
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected), "bad webhook signature"
    assert abs(time.time() - int(parts["t"])) < 300
    return json.loads(call["body"])


def test_webhooks_are_signed_carry_the_password_as_jwe_and_reach_a_receiver_that_was_down(db, servers, mailbox):
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    server = servers(*mail_server_args(mailbox), env={"GATEHOUSE_DELIVERY_RETRY_SECONDS": "1"})
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    linked = Receiver().start()
    down = Receiver()                      # registered while nothing listens on its port
    secret = "icm-shared-secret-0123456789"
    try:
        hook = expect(server.post("/api/v1/tenants/acme/webhooks", acme.admin_token, json={
            "url": linked.url, "events": ["user.created", "user.password_changed"], "secret": secret, "public_key": public_pem}), 201)
        assert "secret" not in hook and hook["has_public_key"] is True
        late = expect(server.post("/api/v1/tenants/acme/webhooks", acme.admin_token, json={
            "url": down.url, "events": ["user.password_changed"]}), 201)
        late_secret = late["secret"]

        user = expect(server.post(users_path("acme"), acme.admin_token,
                                  json=new_user_body("ana.diaz@acme.test", "Ana", "Diaz", password=GOOD_PASSWORD)), 201)
        session = sign_in(server, "ana.diaz@acme.test", GOOD_PASSWORD)
        changed = session.http.post(server.url("/api/v1/password"), headers={"Origin": server.url("")},
                                    json={"current_password": GOOD_PASSWORD, "new_password": NEW_PASSWORD})
        assert changed.status_code == 204, show(changed)

        created_call = verify_signature(linked.wait_for("user.created")[0], secret)
        assert created_call["data"]["user"]["id"] == user["id"] and "new_password_jwe" not in created_call["data"]
        [call] = linked.wait_for("user.password_changed")
        event = verify_signature(call, secret)
        assert event["type"] == "user.password_changed" and event["tenant"]["slug"] == "acme"
        token = jwe.JWE()
        token.deserialize(event["data"]["new_password_jwe"], key=jwk.JWK.from_pem(private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())))
        assert token.payload.decode() == NEW_PASSWORD
        assert json.loads(token.objects["protected"])["alg"] == "RSA-OAEP-256"
        assert NEW_PASSWORD.encode() not in call["body"]
        # In order per person: user.created came first.
        types = [c["headers"]["gatehouse-event"] for c in linked.calls]
        assert types.index("user.created") < types.index("user.password_changed")

        # The receiver that was down gets the event once it is up, without the password (no key).
        time.sleep(2)
        assert down.calls == []
        down.start()
        [late_call] = down.wait_for("user.password_changed", timeout=90)
        late_event = verify_signature(late_call, late_secret)
        assert "new_password_jwe" not in late_event["data"] and late_event["data"]["user"]["email"] == "ana.diaz@acme.test"
        # A tampered body fails verification.
        tampered = dict(late_call, body=late_call["body"].replace(b"ana.diaz", b"eve.diaz"))
        try:
            verify_signature(tampered, late_secret)
            raise AssertionError("a changed body must not verify")
        except AssertionError as problem:
            assert "bad webhook signature" in str(problem)
    finally:
        linked.stop()
        down.stop()
