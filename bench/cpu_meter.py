#!/usr/bin/env python3
"""CPU accounting for a benchmark phase on a shared machine (Linux /proc).

    cpu_meter.py snapshot --pid SERVER_PID --children-cpu SECONDS [--db-pid POSTMASTER_PID]
        prints one JSON line: monotonic time, the machine's busy and steal jiffies from
        /proc/stat, the server's CPU jiffies (all threads), the database's (PostgreSQL's
        postmaster and its child processes) and the CPU seconds that the calling shell's
        finished children (the load generators) have used so far
    cpu_meter.py diff A B
        prints, for the time between two snapshots, the cores in use on the whole machine, by
        the server, by PostgreSQL, by the load generators, and by everything else ("foreign": other people's
        builds and tests on the same machine), plus the hypervisor's steal
    cpu_meter.py wait-quiet [--pid SERVER_PID] [--max-cores 0.25] [--window 3] [--timeout 300]
        waits until everything but the server used less than --max-cores over --window seconds,
        at most --timeout seconds; prints what it saw on stderr, exits 0 either way
"""
import argparse
import json
import os
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")


def machine_jiffies():
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return user + nice + system + irq + softirq, steal


def process_jiffies(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return 0
    rest = text[text.rindex(")") + 2:].split()
    return int(rest[11]) + int(rest[12])  # utime, stime (fields 14 and 15)


def parent_of(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
        return int(text[text.rindex(")") + 2:].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def tree_jiffies(root):
    """A process and its direct children (PostgreSQL's postmaster and its backends)."""
    total = process_jiffies(root)
    for entry in os.listdir("/proc"):
        if entry.isdigit() and parent_of(int(entry)) == root:
            total += process_jiffies(int(entry))
    return total


def snapshot(pid, children_cpu, db_pid=0):
    busy, steal = machine_jiffies()
    return {"t": time.monotonic(), "busy": busy, "steal": steal,
            "server": process_jiffies(pid) if pid else 0, "db": tree_jiffies(db_pid) if db_pid else 0,
            "children_cpu_s": children_cpu}


def diff(a, b):
    wall = b["t"] - a["t"]
    cores = lambda jiffies: jiffies / HZ / wall
    busy = cores(b["busy"] - a["busy"])
    server = cores(b["server"] - a["server"])
    db = cores(b.get("db", 0) - a.get("db", 0))
    clients = (b["children_cpu_s"] - a["children_cpu_s"]) / wall
    return {"wall_s": round(wall, 2), "busy_cores": round(busy, 2), "server_cores": round(server, 2),
            "db_cores": round(db, 2), "client_cores": round(clients, 2),
            "foreign_cores": round(max(0.0, busy - server - db - clients), 2),
            "steal_cores": round(cores(b["steal"] - a["steal"]), 2)}


def wait_quiet(args):
    deadline = time.monotonic() + args.timeout
    waited = 0.0
    while True:
        a = snapshot(args.pid, 0, args.db_pid)
        time.sleep(args.window)
        b = snapshot(args.pid, 0, args.db_pid)
        d = diff(a, b)
        other = d["busy_cores"] - d["server_cores"] - d["db_cores"]
        if other < args.max_cores:
            if waited:
                print(f"cpu_meter: quiet after {waited:.0f} s (others {other:.2f} cores)", file=sys.stderr)
            return
        waited += args.window
        if time.monotonic() >= deadline:
            print(f"cpu_meter: still busy after {waited:.0f} s (others {other:.2f} cores); going on", file=sys.stderr)
            return
        if waited % 30 < args.window:
            print(f"cpu_meter: waiting for a quiet machine (others {other:.2f} cores)", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("snapshot")
    p.add_argument("--pid", type=int, default=0)
    p.add_argument("--children-cpu", type=float, default=0.0)
    p.add_argument("--db-pid", type=int, default=0)
    p = sub.add_parser("diff")
    p.add_argument("a")
    p.add_argument("b")
    p = sub.add_parser("wait-quiet")
    p.add_argument("--pid", type=int, default=0)
    p.add_argument("--db-pid", type=int, default=0)
    p.add_argument("--max-cores", type=float, default=0.25)
    p.add_argument("--window", type=float, default=3)
    p.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    if args.command == "snapshot":
        print(json.dumps(snapshot(args.pid, args.children_cpu, args.db_pid)))
    elif args.command == "diff":
        with open(args.a) as fa, open(args.b) as fb:
            print(json.dumps(diff(json.load(fa), json.load(fb))))
    else:
        wait_quiet(args)


if __name__ == "__main__":
    main()
