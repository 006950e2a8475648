#!/usr/bin/env python3
"""Does a 503 "busy" count against the account? Signs in --users users at once, --bursts times,
always with the right password, and prints how often each sequence of answers occurred.

Run it against a server started with GATEHOUSE_HASH_QUEUE_LIMIT=1 (so that most of a burst is
refused) and users u1..uN@acme.test seeded as for bench/run.sh. Before the fix, users refused
5 times were then answered 429 too_many_attempts; after it, only 200 and 503 should appear.

    busy_retry.py --base-url http://127.0.0.1:PORT [--users 40] [--bursts 8]
"""
import argparse
import asyncio
import json
import sys

import aiohttp

from storm import PASSWORD, require_loopback


async def main(args):
    history = {i: [] for i in range(1, args.users + 1)}
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), cookie_jar=aiohttp.DummyCookieJar(),
                                     timeout=timeout) as session:
        async def one(i):
            body = {"username": f"u{i}@acme.test", "password": PASSWORD}
            async with session.post(f"{args.base_url}/api/v1/login", json=body) as resp:
                text = await resp.text()
                if resp.status == 200:
                    history[i].append("200")
                else:
                    try:
                        code = json.loads(text).get("error")
                    except ValueError:
                        code = "?"
                    history[i].append(f"{resp.status} {code}")

        for _ in range(args.bursts):
            await asyncio.gather(*(one(i) for i in history))
    patterns = {}
    for answers in history.values():
        key = ", ".join(answers)
        patterns[key] = patterns.get(key, 0) + 1
    totals = {}
    for answers in history.values():
        for answer in answers:
            totals[answer] = totals.get(answer, 0) + 1
    print(json.dumps({"users": args.users, "bursts": args.bursts, "answers": totals,
                      "sequences": dict(sorted(patterns.items(), key=lambda kv: -kv[1]))}, indent=2))
    return 1 if any(a.startswith("429") for a in totals) else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--bursts", type=int, default=8)
    args = parser.parse_args()
    args.base_url = args.base_url.rstrip("/")
    require_loopback(args.base_url)
    sys.exit(asyncio.run(main(args)))
