"""Helpers for the MFA end-to-end tests: time steps of RFC 6238 codes as pyotp computes them,
and enrolment through the API.

The server and these tests run on the same machine, so they share a clock; what needs care is
the 30-second step boundary. A code is accepted for the step it belongs to and one step either
side, and never for a step at or before the last one used on the device. The helpers below
wait for a step with enough of it left that a request sent now is checked in the same step.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Optional

import pyotp
import requests

from harness import SESSION_COOKIE, Server, expect, set_cookies, show

PERIOD = 30
MFA_DEVICES_PATH = "/api/v1/mfa/devices"


def current_step() -> int:
    return int(time.time() // PERIOD)


def wait_for_step(min_step: int, margin: float = 4.0) -> int:
    """Sleeps until the time step is at least `min_step` with at least `margin` seconds of it
    left; returns that step."""
    deadline = time.monotonic() + 3 * PERIOD + (min_step - current_step()) * PERIOD
    while True:
        now = time.time()
        step, left = int(now // PERIOD), PERIOD - now % PERIOD
        if step >= min_step and left >= margin:
            return step
        assert time.monotonic() < deadline, f"waited too long for time step {min_step}"
        target = min_step * PERIOD if step < min_step else (step + 1) * PERIOD
        time.sleep(max(0.05, target - now + 0.05))


def code_at_step(totp: pyotp.TOTP, step: int) -> str:
    return totp.at(step * PERIOD)


def fresh_code(totp: pyotp.TOTP, after_step: Optional[int] = None, margin: float = 4.0) -> tuple[str, int]:
    """The current code (and its step), from a step later than `after_step` and with `margin`
    seconds of it left."""
    step = wait_for_step(current_step() if after_step is None else max(current_step(), after_step + 1), margin)
    return code_at_step(totp, step), step


def wrong_code(totp: pyotp.TOTP) -> str:
    """A well-formed 6-digit code that is not the device's code for any step near now."""
    near = {code_at_step(totp, current_step() + delta) for delta in range(-3, 4)}
    for candidate in ("000000", "123456", "999999", "424242", "271828"):
        if candidate not in near:
            return candidate
    raise AssertionError("unreachable: five fixed candidates cannot all be current codes")


def browser_like(server: Server) -> requests.Session:
    """A client with its own cookie jar that sends the Origin header a browser would send."""
    http = requests.Session()
    http.headers["Origin"] = server.base_url
    return http


@dataclass
class Enrolled:
    secret: str
    totp: pyotp.TOTP
    device: dict
    recovery_codes: Optional[list]
    step: int                  # the step of the code that confirmed the enrolment
    started: dict              # the answer to the enrolment request


def enroll_via_api(server: Server, http: requests.Session, device_name: str = "Work phone") -> Enrolled:
    """Enrols an authenticator app for the signed-in client `http`: POST /api/v1/mfa/totp, then
    verifies it with pyotp's current code for the secret the server returned."""
    started = expect(server.post("/api/v1/mfa/totp", session=http, json={"device_name": device_name}), 201)
    assert {"enrollment_id", "otpauth_uri", "secret", "qr_svg", "expires_at"} <= started.keys(), started
    secret = started["secret"]
    assert f"secret={secret}" in started["otpauth_uri"], started["otpauth_uri"]
    totp = pyotp.TOTP(secret)
    code, step = fresh_code(totp)
    confirmed = expect(server.post(f"/api/v1/mfa/totp/{started['enrollment_id']}/verify", session=http,
                                   json={"code": code}), 200)
    assert confirmed["device"]["name"] == device_name and confirmed["device"]["confirmed_at"], confirmed
    return Enrolled(secret, totp, confirmed["device"], confirmed["recovery_codes"], step, started)


def mfa_step(server: Server, http: requests.Session, flow_id: str, **fields) -> requests.Response:
    """POST /api/v1/login/{flow_id}/mfa with `code` or `recovery_code`."""
    return server.post(f"/api/v1/login/{flow_id}/mfa", session=http, json=fields)


def start_mfa_sign_in(server: Server, username: str, password: str) -> tuple[requests.Session, str]:
    """A password sign-in that must stop at the code step; returns the client and the flow id."""
    http = browser_like(server)
    resp = server.post("/api/v1/login", session=http, json={"username": username, "password": password})
    body = expect(resp, 200)
    assert body.get("status") == "mfa_required" and body.get("flow_id"), \
        "a person with an authenticator app must be asked for a code:\n" + show(resp)
    assert SESSION_COOKIE not in set_cookies(resp), "no session before the code step:\n" + show(resp)
    return http, body["flow_id"]
