#!/usr/bin/env python3
"""Load tool for Gatehouse's sign-in: seeds users, logs in one at a time, and storms.

Every request goes to --base-url, which must be a loopback address; every loop is bounded in
count and time. Results are printed as one JSON object on stdout (progress goes to stderr).

    storm.py seed   --base-url URL --token TOKEN --count 500          create u1..u500@acme.test
    storm.py cookie --base-url URL --username E                       print "gatehouse_session=…"
    storm.py idle   --base-url URL --count 20                         sequential sign-ins, one at a time
    storm.py storm  --base-url URL --count 500 [--min-seconds S]      N sign-ins started together;
                                                                     repeated (fresh sessions) until S
                                                                     seconds have passed, at most
                                                                     --max-rounds rounds

Latency is measured per request, from just before the request is handed to aiohttp (all
requests of a round are released together by one event) to the end of the response body.
Sign-ins never carry an earlier cookie, so each one starts a fresh session.
"""
import argparse
import asyncio
import ipaddress
import json
import math
import sys
import time
from urllib.parse import urlsplit

import aiohttp

PASSWORD = "Blue-Kettle-42"
COOKIE = "gatehouse_session"


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def require_loopback(url):
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    sys.exit(f"refusing to send load to {host!r}: only loopback addresses are allowed")


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list (p in 0..100)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def latency_summary(seconds):
    values = sorted(seconds)
    if not values:
        return {"n": 0}
    ms = lambda v: None if v is None else round(v * 1000, 1)
    return {
        "n": len(values),
        "min_ms": ms(values[0] if values else None),
        "p50_ms": ms(percentile(values, 50)),
        "p90_ms": ms(percentile(values, 90)),
        "p99_ms": ms(percentile(values, 99)),
        "max_ms": ms(values[-1] if values else None),
        "mean_ms": ms(sum(values) / len(values) if values else None),
    }


def email(prefix, i, domain):
    return f"{prefix}{i}@{domain}"


def client_session(connections=0, timeout=120):
    # limit=0: no client-side cap, so all requests of a round really are in flight at once.
    # DummyCookieJar: never send a cookie back, every sign-in is a fresh browser.
    connector = aiohttp.TCPConnector(limit=connections, force_close=False)
    return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
                                 timeout=aiohttp.ClientTimeout(total=timeout))


async def login(session, base_url, username, password):
    """One sign-in; returns (status, seconds, cookie or None, error text or None)."""
    start = time.perf_counter()
    try:
        async with session.post(f"{base_url}/api/v1/login", json={"username": username, "password": password}) as resp:
            await resp.read()
            elapsed = time.perf_counter() - start
            cookie = resp.cookies.get(COOKIE)
            return resp.status, elapsed, (cookie.value if cookie else None), None
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        return None, time.perf_counter() - start, None, f"{type(error).__name__}: {error}"


# ---------------------------------------------------------------------------------------- seed

async def seed(args):
    headers = {"Authorization": f"Bearer {args.token}"}
    semaphore = asyncio.Semaphore(args.concurrency)
    statuses = {}

    async def create(session, i):
        body = {"email": email(args.prefix, i, args.domain), "first_name": "Ursula", "last_name": "Tester",
                "roles": ["agent"], "password": args.password}
        async with semaphore:
            async with session.post(f"{args.base_url}/api/v1/tenants/{args.tenant}/users", json=body, headers=headers) as resp:
                text = await resp.text()
                statuses[resp.status] = statuses.get(resp.status, 0) + 1
                if resp.status not in (201, 409):
                    log(f"creating {body['email']}: HTTP {resp.status} {text[:300]}")

    start = time.perf_counter()
    async with client_session(timeout=600) as session:
        await asyncio.gather(*(create(session, i) for i in range(args.first, args.first + args.count)))
    elapsed = time.perf_counter() - start
    result = {"created": statuses.get(201, 0), "existing": statuses.get(409, 0),
              "statuses": {str(k): v for k, v in sorted(statuses.items())}, "seconds": round(elapsed, 2)}
    if set(statuses) - {201, 409}:
        print(json.dumps(result))
        sys.exit("seeding failed")
    return result


# -------------------------------------------------------------------------------------- cookie

async def cookie(args):
    async with client_session() as session:
        status, _, value, error = await login(session, args.base_url, args.username, args.password)
    if status != 200 or not value:
        sys.exit(f"sign-in as {args.username} failed: {status} {error or ''}")
    print(f"{COOKIE}={value}")


# ---------------------------------------------------------------------------------------- idle

async def idle(args):
    """Sequential sign-ins on a quiet server: the cost of one sign-in, hash included."""
    times, statuses = [], {}
    async with client_session(connections=1) as session:
        for n in range(args.warmup + args.count):
            status, elapsed, _, error = await login(session, args.base_url, email(args.prefix, args.first + n % args.users, args.domain),
                                                    args.password)
            if n >= args.warmup:
                times.append(elapsed)
                key = str(status) if status else "error"
                statuses[key] = statuses.get(key, 0) + 1
            if args.pause:
                await asyncio.sleep(args.pause)
    return {"sign_ins": len(times), "statuses": statuses, "latency": latency_summary(times)}


# --------------------------------------------------------------------------------------- storm

async def one_round(session, args, round_no):
    go = asyncio.Event()
    results = []

    async def user(i):
        await go.wait()
        status, elapsed, value, error = await login(session, args.base_url, email(args.prefix, i, args.domain), args.password)
        results.append((status, elapsed, value, error, time.perf_counter()))

    tasks = [asyncio.create_task(user(i)) for i in range(args.first, args.first + args.count)]
    await asyncio.sleep(0.05)  # let every task reach go.wait()
    start = time.perf_counter()
    go.set()
    await asyncio.gather(*tasks)
    wall = max(r[4] for r in results) - start
    statuses, errors = {}, {}
    for status, _, value, error, _ in results:
        key = str(status) if status else "error"
        statuses[key] = statuses.get(key, 0) + 1
        if error:
            errors[error] = errors.get(error, 0) + 1
        if status == 200 and not value:
            statuses["200_without_cookie"] = statuses.get("200_without_cookie", 0) + 1
    ok = [r[1] for r in results if r[0] == 200]
    done_ok = sorted(r[4] - start for r in results if r[0] == 200)
    # After the first sign-in completes, the rest complete at the rate the pipeline sustains.
    steady = (len(done_ok) - 1) / (done_ok[-1] - done_ok[0]) if len(done_ok) > 1 and done_ok[-1] > done_ok[0] else None
    summary = {
        "round": round_no,
        "requests": len(results),
        "ok": len(ok),
        "non_200": len(results) - len(ok),
        "statuses": statuses,
        "errors": errors,
        "seconds": round(wall, 3),
        "sign_ins_per_s": round(len(ok) / wall, 2),
        "first_ok_s": round(done_ok[0], 3) if done_ok else None,
        "steady_sign_ins_per_s": round(steady, 2) if steady else None,
        "latency_ok": latency_summary(ok),
        "latency_non_200": latency_summary([r[1] for r in results if r[0] != 200]),
        "latency_all": latency_summary([r[1] for r in results]),
    }
    log(f"  round {round_no}: {len(ok)}/{len(results)} ok in {wall:.2f}s = {summary['sign_ins_per_s']}/s (first after {summary['first_ok_s']}s, then {summary['steady_sign_ins_per_s']}/s), "
        f"p50 {summary['latency_all']['p50_ms']} ms, p99 {summary['latency_all']['p99_ms']} ms, statuses {statuses}")
    return summary, [r[1] for r in results], len(ok)


async def storm(args):
    rounds, all_latencies, total_ok = [], [], 0
    deadline = time.perf_counter() + args.max_seconds
    async with client_session(connections=0, timeout=args.timeout) as session:
        start = time.perf_counter()
        while len(rounds) < args.max_rounds:
            summary, latencies, ok = await one_round(session, args, len(rounds) + 1)
            rounds.append(summary)
            all_latencies += latencies
            total_ok += ok
            elapsed = time.perf_counter() - start
            if elapsed >= args.min_seconds or time.perf_counter() >= deadline:
                break
    elapsed = time.perf_counter() - start
    return {
        "users": args.count,
        "rounds": len(rounds),
        "seconds": round(elapsed, 3),
        "ok": total_ok,
        "non_200": sum(r["non_200"] for r in rounds),
        "sign_ins_per_s": round(total_ok / elapsed, 2),
        "latency_all": latency_summary(all_latencies),
        "per_round": rounds,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p):
        p.add_argument("--base-url", required=True)
        p.add_argument("--password", default=PASSWORD)
        p.add_argument("--prefix", default="u", help="email local part before the number (default u)")
        p.add_argument("--domain", default="acme.test")
        p.add_argument("--first", type=int, default=1, help="first user number (default 1)")
        return p

    p = common(sub.add_parser("seed", help="create users through the admin API"))
    p.add_argument("--token", required=True)
    p.add_argument("--tenant", default="acme")
    p.add_argument("--count", type=int, default=500)
    p.add_argument("--concurrency", type=int, default=4)

    p = common(sub.add_parser("cookie", help="sign one user in and print the session cookie"))
    p.add_argument("--username", required=True)

    p = common(sub.add_parser("idle", help="sequential sign-ins on a quiet server"))
    p.add_argument("--count", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--users", type=int, default=20, help="cycle through this many users (default 20)")
    p.add_argument("--pause", type=float, default=0.05, help="seconds between sign-ins (default 0.05)")

    p = common(sub.add_parser("storm", help="N sign-ins at once, optionally repeated"))
    p.add_argument("--count", type=int, default=500, help="users signing in at once (default 500)")
    p.add_argument("--min-seconds", type=float, default=0, help="repeat rounds until this much time has passed")
    p.add_argument("--max-rounds", type=int, default=1, help="upper bound on rounds (default 1)")
    p.add_argument("--max-seconds", type=float, default=120, help="no new round after this (default 120)")
    p.add_argument("--timeout", type=float, default=120, help="per-request timeout, seconds (default 120)")

    args = parser.parse_args()
    args.base_url = args.base_url.rstrip("/")
    require_loopback(args.base_url)
    if args.command == "cookie":
        asyncio.run(cookie(args))
        return
    result = asyncio.run({"seed": seed, "idle": idle, "storm": storm}[args.command](args))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
