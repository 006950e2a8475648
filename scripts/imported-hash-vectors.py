#!/usr/bin/env python3
"""Prints the password-hash test vectors used by ImportedPasswordHashTests.swift.

The vectors come from implementations independent of Gatehouse (PyPI's `bcrypt` and
`passlib`, and CPython's `hashlib`), so the Swift tests check that Gatehouse reads what
other systems wrote, not merely what it writes itself. Salts are fixed, so the output is
the same on every run and can be compared with the constants in the tests.

    python3 -m venv /tmp/hv && /tmp/hv/bin/pip install passlib bcrypt
    /tmp/hv/bin/python scripts/imported-hash-vectors.py

Tested with bcrypt 5.0.0 and passlib 1.7.4.
"""
import base64
import hashlib
import json
import os

# passlib's pure-Python bcrypt is a second implementation, independent of the `bcrypt`
# package, and the only one at hand that writes the $2y$ prefix.
os.environ["PASSLIB_BUILTIN_BCRYPT"] = "enabled"

import bcrypt  # noqa: E402
from passlib.hash import bcrypt as passlib_bcrypt  # noqa: E402
from passlib.hash import pbkdf2_sha256, pbkdf2_sha512, scrypt  # noqa: E402

PASSWORD = "correct horse battery staple"
UNICODE_PASSWORD = "pässwörd-ß-日本"
# Bytes chosen so that the encoded salts contain both `+` (passlib: `.`) and `/`.
SALT16 = bytes.fromhex("fbefbe00112233445566778899aabbcc")
SALT16_B = bytes.fromhex("fbff3e8c5a7d0f19e2c4b6a8d0f2e4c6")


def b64(raw: bytes) -> str:
    """Standard base64 without padding, as PHC strings carry it."""
    return base64.b64encode(raw).decode().rstrip("=")


def show(name: str, value: str) -> None:
    print(f"{name}: {value}")


# bcrypt: the `bcrypt` package with fixed 22-character salts.
show("bcrypt 2b cost 4", bcrypt.hashpw(PASSWORD.encode(), b"$2b$04$abcdefghijklmnopqrstuu").decode())
show("bcrypt 2a cost 5", bcrypt.hashpw(PASSWORD.encode(), b"$2a$05$ABCDEFGHIJKLMNOPQRSTUu").decode())
long_prefix = ("0123456789" * 8)[:72]
show("bcrypt 2b cost 4 of a 72-byte password", bcrypt.hashpw(long_prefix.encode(), b"$2b$04$zyxwvutsrqponmlkjihgfe").decode())
show("bcrypt 2a cost 4 of a 72-byte password", bcrypt.hashpw(long_prefix.encode(), b"$2a$04$zyxwvutsrqponmlkjihgfe").decode())

# bcrypt $2y$: passlib's builtin backend, then cross-checked with the `bcrypt` package.
passlib_bcrypt.set_backend("builtin")
y = passlib_bcrypt.using(ident="2y", rounds=4, salt="0123456789ABCDEFGHIJKu").hash(PASSWORD)
assert bcrypt.checkpw(PASSWORD.encode(), y.encode())
show("bcrypt 2y cost 4", y)

# scrypt: passlib's handler (PHC form), then an independent hashlib.scrypt computation.
s = scrypt.using(rounds=10, block_size=8, parallelism=1, salt=SALT16).hash(PASSWORD)
assert s == "$scrypt$ln=10,r=8,p=1$%s$%s" % (
    b64(SALT16), b64(hashlib.scrypt(PASSWORD.encode(), salt=SALT16, n=1024, r=8, p=1, dklen=32)))
show("scrypt passlib ln=10,r=8,p=1", s)
raw = hashlib.scrypt(UNICODE_PASSWORD.encode(), salt=SALT16_B, n=1024, r=4, p=2, dklen=32)
show("scrypt hashlib ln=10,r=4,p=2 unicode", "$scrypt$ln=10,r=4,p=2$%s$%s" % (b64(SALT16_B), b64(raw)))

# PBKDF2, passlib's own spelling (adapted base64: `.` for `+`).
show("pbkdf2-sha256 passlib 1000", pbkdf2_sha256.using(rounds=1000, salt=SALT16).hash(PASSWORD))
show("pbkdf2-sha512 passlib 1000", pbkdf2_sha512.using(rounds=1000, salt=SALT16).hash(PASSWORD))

# PBKDF2, PHC spelling, from hashlib.pbkdf2_hmac.
raw = hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), SALT16_B, 1000, 32)
show("pbkdf2-sha256 phc 1000", "$pbkdf2-sha256$i=1000,l=32$%s$%s" % (b64(SALT16_B), b64(raw)))
raw = hashlib.pbkdf2_hmac("sha512", UNICODE_PASSWORD.encode(), SALT16_B, 1000, 64)
show("pbkdf2-sha512 phc 1000 unicode", "$pbkdf2-sha512$i=1000,l=64$%s$%s" % (b64(SALT16_B), b64(raw)))

# Keycloak: its export carries padded base64; the conversion strips the padding and
# records the decoded length as l.
raw = hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), SALT16, 27500, 32)
keycloak = {"algorithm": "pbkdf2-sha256", "hashIterations": 27500,
            "salt": base64.b64encode(SALT16).decode(), "value": base64.b64encode(raw).decode()}
show("keycloak credential", json.dumps(keycloak))
value = base64.b64decode(keycloak["value"])
show("keycloak as phc", "$pbkdf2-sha256$i=%d,l=%d$%s$%s" % (
    keycloak["hashIterations"], len(value), keycloak["salt"].rstrip("="), keycloak["value"].rstrip("=")))
