"""`gatehouse mail send-test` against a real SMTP server (aiosmtpd, see smtp_mailbox.py).

Each test checks what arrived, decoded by Python's own email package, not what the client
says it sent: delivery, STARTTLS, smtps, AUTH PLAIN and LOGIN, refusals, dot-stuffing, MIME.
"""

from __future__ import annotations

import datetime
import re
import subprocess
from email.utils import parsedate_to_datetime

import pytest

import harness

USER, PASSWORD = "mailer", "S3cret:p@ss/word"
SENDER = "no-reply@gatehouse.test"


def send_test(*args: str, ca_file: str | None = None) -> harness.CLIResult:
    """Runs `gatehouse mail send-test ARGS` (with --from SENDER unless given)."""
    argv = ["mail", "send-test", *args]
    if "--from" not in args:
        argv += ["--from", SENDER]
    if ca_file:
        argv += ["--smtp-ca-file", ca_file]
    proc = subprocess.run([str(harness.gatehouse_bin()), *argv], capture_output=True, text=True,
                          timeout=harness.CLI_TIMEOUT, env=harness.clean_env(), stdin=subprocess.DEVNULL)
    return harness.CLIResult(argv, proc.returncode, proc.stdout, proc.stderr)


def sent(result: harness.CLIResult) -> str:
    """Asserts the command reported success; returns the server's reply it printed."""
    assert result.returncode == 0, "send-test failed:\n" + result.describe()
    match = re.fullmatch(r"sent: (250 .*)\n", result.stdout)
    assert match, "expected one line 'sent: 250 ...' on stdout:\n" + result.describe()
    return match.group(1)


def failed(result: harness.CLIResult, code: int) -> str:
    """Asserts exit `code` with the reason on stderr and nothing on stdout; returns stderr."""
    assert result.returncode == code, f"expected exit {code}:\n" + result.describe()
    assert result.stdout == "", "nothing may be printed on stdout on failure:\n" + result.describe()
    assert result.stderr.strip(), "the reason must be printed on stderr:\n" + result.describe()
    return result.stderr


def test_smtp_plain_delivery_with_standard_headers(gatehouse_bin, mailbox):
    reply = sent(send_test("--smtp-url", mailbox.url, "--to", "ana@acme.test", "--to", "bo@acme.test",
                           "--subject", "Plain delivery", "--text", "Hello Ana,\nwelcome.\n"))
    [received] = mailbox.wait_for("ana@acme.test")
    assert reply == "250 OK queued as mailbox-1"
    assert received.envelope_from == SENDER
    assert received.envelope_to == ["ana@acme.test", "bo@acme.test"]
    assert not received.tls

    message = received.message
    assert message["Subject"] == "Plain delivery"
    assert message["From"] == SENDER
    assert [a.addr_spec for a in message["To"].addresses] == ["ana@acme.test", "bo@acme.test"]
    assert message["MIME-Version"] == "1.0"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message["Content-Transfer-Encoding"] == "quoted-printable"
    assert message.get_content() == "Hello Ana,\nwelcome.\n"

    assert re.fullmatch(r"<[^<>@\s]+@gatehouse\.test>", message["Message-ID"]), message["Message-ID"]
    date = parsedate_to_datetime(message["Date"])
    assert date.utcoffset() == datetime.timedelta(0)
    assert message["Date"].endswith(" +0000")
    assert abs((datetime.datetime.now(datetime.timezone.utc) - date).total_seconds()) < 300


def test_smtp_starttls_then_auth_plain(gatehouse_bin, mailboxes):
    box = mailboxes(tls="starttls", auth={USER: PASSWORD})
    result = send_test("--smtp-url", box.url, "--to", "ana@acme.test", ca_file=box.ca_file)
    sent(result)
    [received] = box.wait_for("ana@acme.test")
    assert received.tls
    assert received.auth_mechanism == "PLAIN"
    assert received.authenticated_as == USER
    assert PASSWORD not in result.stdout + result.stderr


def test_smtp_auth_login_when_plain_is_not_offered(gatehouse_bin, mailboxes):
    box = mailboxes(tls="starttls", auth={USER: PASSWORD}, auth_mechanisms=("LOGIN",))
    sent(send_test("--smtp-url", box.url, "--to", "ana@acme.test", ca_file=box.ca_file))
    [received] = box.wait_for("ana@acme.test")
    assert received.auth_mechanism == "LOGIN"
    assert received.authenticated_as == USER


def test_smtp_smtps_is_tls_from_the_start(gatehouse_bin, mailboxes):
    box = mailboxes(tls="implicit", auth={USER: PASSWORD})
    assert box.url.startswith("smtps://")
    sent(send_test("--smtp-url", box.url, "--to", "ana@acme.test", ca_file=box.ca_file))
    [received] = box.wait_for("ana@acme.test")
    assert received.tls
    assert received.authenticated_as == USER


def test_smtp_wrong_password_is_permanent(gatehouse_bin, mailboxes):
    box = mailboxes(tls="starttls", auth={USER: PASSWORD})
    result = send_test("--smtp-url", box.url_with(USER, "not-the-password"), "--to", "ana@acme.test",
                       ca_file=box.ca_file)
    stderr = failed(result, 2)
    assert "535" in stderr
    assert "not-the-password" not in stderr
    assert box.messages == []


def test_smtp_credentials_are_never_sent_without_tls(gatehouse_bin, mailboxes):
    # This server offers AUTH in clear text; the client must refuse to use it.
    box = mailboxes(tls="none", auth={USER: PASSWORD})
    result = send_test("--smtp-url", box.url, "--to", "ana@acme.test")
    stderr = failed(result, 2)
    assert "unencrypted" in stderr
    assert PASSWORD not in stderr and "S3cret" not in stderr
    assert box.messages == []


def test_smtp_certificate_from_an_untrusted_ca_is_refused(gatehouse_bin, mailboxes):
    box = mailboxes(tls="starttls", auth={USER: PASSWORD})
    stderr = failed(send_test("--smtp-url", box.url, "--to", "ana@acme.test"), 1)
    assert "certificate" in stderr
    assert box.messages == []


def test_smtp_lines_starting_with_a_dot_arrive_intact(gatehouse_bin, mailbox):
    text = ".\n.leading dot\n..two dots\n. \nmiddle . dot\n.\n...\nend without newline."
    sent(send_test("--smtp-url", mailbox.url, "--to", "ana@acme.test", "--text", text))
    [received] = mailbox.wait_for("ana@acme.test")
    assert received.message.get_content() == text
    # What the server has after removing the transparency dots: the lines as written.
    assert b"\r\n.leading dot\r\n..two dots\r\n" in received.raw


def test_smtp_utf8_subject_decodes_exactly(gatehouse_bin, mailbox):
    subjects = ["Bienvenue à Gatehouse — 日本語",
                "Réinitialisation du mot de passe — " + "日本語のメール " * 8 + "終わり"]
    for index, subject in enumerate(subjects):
        sent(send_test("--smtp-url", mailbox.url, "--to", f"s{index}@acme.test", "--subject", subject))
        [received] = mailbox.wait_for(f"s{index}@acme.test")
        assert received.message["Subject"] == subject
        assert all(byte < 0x80 for byte in received.raw), "the message must be 7-bit"
        header_block = received.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
        for line in header_block.split("\r\n"):
            assert len(line) <= 78, f"header line too long: {line!r}"


def test_smtp_multipart_alternative_has_exact_text_and_html(gatehouse_bin, mailbox, tmp_path):
    text = "Your code is 123 456.\nIt expires in 10 minutes — à bientôt.\n"
    html = ("<!doctype html><html><body><p>Your code is <b>123&nbsp;456</b>.</p>"
            "<p style=\"color: #333\">It expires in 10 minutes — à bientôt. 日本語</p>"
            + "<p>" + "long line " * 30 + "</p></body></html>\n")
    text_file = tmp_path / "body.txt"
    text_file.write_text(text, encoding="utf-8")
    sent(send_test("--smtp-url", mailbox.url, "--to", "ana@acme.test", "--subject", "Your code",
                   "--text-file", str(text_file), "--html", html))
    [received] = mailbox.wait_for("ana@acme.test")
    message = received.message
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert all(p["Content-Transfer-Encoding"] == "quoted-printable" for p in parts)
    assert parts[0].get_content() == text
    assert parts[1].get_content() == html
    boundary = message.get_boundary()
    # Once in Content-Type, twice as a delimiter, once closing: never inside a part.
    assert boundary and received.raw.count(boundary.encode()) == 4
    for line in received.raw.split(b"\r\n"):
        assert len(line) <= 78, f"line too long: {line!r}"


def test_smtp_451_is_transient_and_a_retry_succeeds(gatehouse_bin, mailbox):
    mailbox.fail_next(451)
    args = ("--smtp-url", mailbox.url, "--to", "ana@acme.test")
    stderr = failed(send_test(*args), 1)
    assert "451" in stderr
    assert mailbox.messages == []
    sent(send_test(*args))
    assert len(mailbox.wait_for("ana@acme.test")) == 1


def test_smtp_550_is_permanent(gatehouse_bin, mailbox):
    mailbox.fail_next(550)
    stderr = failed(send_test("--smtp-url", mailbox.url, "--to", "ana@acme.test"), 2)
    assert "550" in stderr


@pytest.mark.parametrize("url", ["imap://127.0.0.1:25", "smtp://user@127.0.0.1", "smtp://127.0.0.1:99999"])
def test_smtp_bad_url_is_permanent_and_says_why(gatehouse_bin, url):
    stderr = failed(send_test("--smtp-url", url, "--to", "ana@acme.test"), 2)
    assert "--smtp-url" in stderr


def test_smtp_non_ascii_address_is_refused(gatehouse_bin, mailbox):
    stderr = failed(send_test("--smtp-url", mailbox.url, "--to", "josé@acme.test"), 2)
    assert "SMTPUTF8" in stderr
    assert mailbox.messages == []
