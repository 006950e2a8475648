"""Graceful shutdown: SIGTERM lets an in-flight request finish, then the process exits 0."""

from __future__ import annotations

import json
import signal
import socket
import time

import requests

from harness import bootstrap_tenant, expect, migrate, new_user_body, users_path


def read_http_response(sock: socket.socket) -> tuple[int, dict, bytes]:
    """Reads one complete HTTP/1.1 response (Content-Length, chunked, or until close)."""
    buffer = b""

    def fill() -> bool:
        nonlocal buffer
        chunk = sock.recv(65536)
        buffer += chunk
        return bool(chunk)

    while b"\r\n\r\n" not in buffer:
        if not fill():
            raise AssertionError(f"connection closed before a complete response head; got {buffer!r}")
    head, _, rest = buffer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    buffer = rest
    if "content-length" in headers:
        length = int(headers["content-length"])
        while len(buffer) < length:
            if not fill():
                raise AssertionError(f"connection closed after {len(buffer)} of {length} body bytes")
        return status, headers, buffer[:length]
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            while b"\r\n" not in buffer:
                if not fill():
                    raise AssertionError("connection closed inside a chunked body")
            size_line, _, buffer = buffer.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            while len(buffer) < size + 2:
                if not fill():
                    raise AssertionError("connection closed inside a chunk")
            body, buffer = body + buffer[:size], buffer[size + 2:]
            if size == 0:
                return status, headers, body
    while fill():
        pass
    return status, headers, buffer


def test_sigterm_lets_in_flight_request_finish(db, servers):
    migrate(db)
    acme = bootstrap_tenant(db, "acme", "Acme Contact Center", "admin@acme.test")
    server = servers()

    body = json.dumps(new_user_body("inflight@acme.test", "In", "Flight", agent_id="4242")).encode()
    head = (f"POST {users_path('acme')} HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{server.port}\r\n"
            f"Authorization: Bearer {acme.admin_token}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n").encode()
    split = len(body) // 2

    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as sock:
        sock.sendall(head + body[:split])
        time.sleep(0.5)                 # let the server take the request head
        server.signal(signal.SIGTERM)
        time.sleep(0.5)                 # shutdown has begun while the body is incomplete
        assert server.is_running(), "the server exited with a request in flight:\n" + server.describe()
        sock.sendall(body[split:])
        status, headers, payload = read_http_response(sock)

    assert status == 201, f"in-flight request got {status} {headers} {payload[:500]!r}"
    user = json.loads(payload)
    assert user["email"] == "inflight@acme.test" and user["agent_id"] == "4242", user
    code = server.wait(timeout=10)
    assert code == 0, f"exit code after SIGTERM: {code}\n" + server.describe()

    # The write that was answered during shutdown is stored.
    again = servers()
    stored = expect(again.get(users_path("acme", user["id"]), acme.admin_token), 200)
    assert stored["email"] == "inflight@acme.test"
    assert again.stop() == 0


def test_sigterm_stops_accepting_and_exits_zero(db, servers):
    server = servers()
    # An idle keep-alive connection (as a load balancer keeps) must not hold up the exit.
    idle = requests.Session()
    expect(server.get("/healthz", session=idle), 200)
    port = server.port
    server.signal(signal.SIGTERM)

    refused = False
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2):
                pass
        except ConnectionRefusedError:
            refused = True
            break
        except OSError:
            pass
        time.sleep(0.1)
    assert refused, "new connections were still accepted 10 s after SIGTERM"
    code = server.wait(timeout=10)
    assert code == 0, f"exit code after SIGTERM: {code}\n" + server.describe()
    idle.close()
