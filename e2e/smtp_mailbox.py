"""A real SMTP server for the end-to-end tests: aiosmtpd on 127.0.0.1, in this process.

    with Mailbox(tls="starttls", auth={"mailer": "s3cret"}) as box:
        run_cli(..., "--smtp-url", box.url, "--smtp-ca-file", box.ca_file, ...)
        [received] = box.wait_for("ana@acme.test")
        assert received.message["Subject"] == "Welcome"

tls="none" speaks plain SMTP; "starttls" offers STARTTLS (and AUTH only after it);
"implicit" is TLS from the first byte (smtps://). Certificates come from a throw-away CA made
for each mailbox, valid for 127.0.0.1 and localhost: pass `ca_file` to the client (it is
deleted by stop()).

"""

from __future__ import annotations

import datetime
import email
import email.policy
import ipaddress
import socket
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Optional
from urllib.parse import quote

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    """One message as the server accepted it."""

    envelope_from: str
    envelope_to: list[str]
    message: EmailMessage          # parsed with email.policy.default, from raw with LF line endings
    raw: bytes                     # the data as received, dot-unstuffed, CRLF line endings
    tls: bool                      # whether the connection was encrypted when DATA came
    authenticated_as: Optional[str] = None
    auth_mechanism: Optional[str] = None


@dataclass
class _Session:
    """What the server learnt on one connection before DATA."""

    mechanism: Optional[str] = None
    user: Optional[str] = None


class _Handler:
    def __init__(self, box: "Mailbox"):
        self.box = box

    async def handle_DATA(self, server, session, envelope):
        with self.box._lock:
            if self.box._failures:
                code = self.box._failures.pop(0)
                return f"{code} {'try again later' if code < 500 else 'message refused'} (Mailbox.fail_next)"
        raw = envelope.original_content or b""
        # Parsed with LF line endings, as a mail client would show it: get_content() then
        # returns "\n" line breaks rather than the "\r\n" of the wire.
        message = email.message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=email.policy.default)
        auth = self.box._auth_by_session.get(id(session), _Session())
        received = Received(
            envelope_from=envelope.mail_from,
            envelope_to=list(envelope.rcpt_tos),
            message=message,
            raw=raw,
            tls=self.box.tls == "implicit" or session.ssl is not None,
            authenticated_as=auth.user,
            auth_mechanism=auth.mechanism,
        )
        with self.box._lock:
            self.box.messages.append(received)
            self.box._arrived.notify_all()
        return "250 OK queued as mailbox-" + str(len(self.box.messages))


class Mailbox:
    """A real aiosmtpd server on 127.0.0.1 and a free port, running in a thread of this process.

    auth: {"user": "password"}; when set, AUTH PLAIN and LOGIN are offered (only after
    STARTTLS for tls="starttls"; at once for "none", which lets a test check that the client
    refuses to send a password in clear text) and wrong credentials get 535.
    `auth_mechanisms` limits what is offered, e.g. ("LOGIN",).
    """

    def __init__(self, tls: str = "none", auth: Optional[dict[str, str]] = None,
                 auth_mechanisms: Optional[tuple[str, ...]] = None, port: Optional[int] = None):
        if tls not in ("none", "starttls", "implicit"):
            raise ValueError(f"tls must be 'none', 'starttls' or 'implicit', not {tls!r}")
        self.tls = tls
        self.auth = dict(auth) if auth else None
        self.auth_mechanisms = tuple(auth_mechanisms) if auth_mechanisms else ("PLAIN", "LOGIN")
        self.messages: list[Received] = []
        self.ca_file: Optional[str] = None
        # A fixed port lets a test start the mail server where a Gatehouse already sends.
        self.port: Optional[int] = port
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._failures: list[int] = []
        self._auth_by_session: dict[int, _Session] = {}
        self._controller: Optional[Controller] = None
        self._tmp: Optional[tempfile.TemporaryDirectory] = None

    # -- lifecycle

    def start(self) -> "Mailbox":
        assert self._controller is None, "mailbox already started"
        self._tmp = tempfile.TemporaryDirectory(prefix="mailbox-")
        server_context = None
        if self.tls != "none":
            server_context = self._make_certificates(Path(self._tmp.name))
        self.port = self.port or _free_port()
        kwargs = dict(hostname="127.0.0.1", port=self.port, server_hostname="mailbox.test",
                      ready_timeout=30)
        if self.tls == "starttls":
            kwargs["tls_context"] = server_context
        elif self.tls == "implicit":
            kwargs["ssl_context"] = server_context
        if self.auth is not None:
            kwargs["authenticator"] = self._authenticate
            # aiosmtpd only counts STARTTLS as encryption; implicit TLS is encrypted too, and
            # "none" deliberately offers AUTH in clear text for the refusal test.
            kwargs["auth_require_tls"] = self.tls == "starttls"
            kwargs["auth_exclude_mechanism"] = [m for m in ("PLAIN", "LOGIN") if m not in self.auth_mechanisms]
        self._controller = Controller(_Handler(self), **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> "Mailbox":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what tests use

    @property
    def url(self) -> str:
        """smtp://127.0.0.1:PORT, smtps:// for implicit TLS, with the first user's credentials."""
        assert self.port is not None, "start the mailbox first"
        scheme = "smtps" if self.tls == "implicit" else "smtp"
        userinfo = ""
        if self.auth:
            user, password = next(iter(self.auth.items()))
            userinfo = f"{quote(user, safe='')}:{quote(password, safe='')}@"
        return f"{scheme}://{userinfo}127.0.0.1:{self.port}"

    def url_with(self, user: str, password: str) -> str:
        """The URL with other credentials (e.g. a wrong password)."""
        scheme = "smtps" if self.tls == "implicit" else "smtp"
        return f"{scheme}://{quote(user, safe='')}:{quote(password, safe='')}@127.0.0.1:{self.port}"

    def fail_next(self, code: int, times: int = 1) -> None:
        """Answers the next `times` message data with `code` (e.g. 451 or 550) instead of 250."""
        with self._lock:
            self._failures.extend([code] * times)

    def wait_for(self, to: str, count: int = 1, timeout: float = 30) -> list[Received]:
        """The messages with `to` among their envelope recipients, once there are `count` of them."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [m for m in self.messages if to in m.envelope_to]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected {count} message(s) for {to} within {timeout:.0f}s, got {len(found)}; "
                        f"all recipients so far: {[m.envelope_to for m in self.messages]}")
                self._arrived.wait(remaining)

    # -- internals

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        if self.auth is None or self.auth.get(user) != password:
            return AuthResult(success=False, handled=False)
        with self._lock:
            self._auth_by_session[id(session)] = _Session(mechanism=mechanism, user=user)
        return AuthResult(success=True)

    def _make_certificates(self, directory: Path) -> ssl.SSLContext:
        """A CA and a server certificate for 127.0.0.1 and localhost; returns the server's context."""
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

        now = datetime.datetime.now(datetime.timezone.utc)
        validity = (now - datetime.timedelta(hours=1), now + datetime.timedelta(days=2))

        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Gatehouse e2e mailbox CA")])
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(ca_name).issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(validity[0]).not_valid_after(validity[1])
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )

        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(validity[0]).not_valid_after(validity[1])
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"),
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            ]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )

        ca_path = directory / "ca.pem"
        cert_path = directory / "server.pem"
        key_path = directory / "server.key"
        ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        self.ca_file = str(ca_path)

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(cert_path), str(key_path))
        return context


def _free_port() -> int:
    # aiosmtpd connects to its own port to check it started, so it needs the number up front.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
