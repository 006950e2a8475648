#!/usr/bin/env python3
"""Prints Markdown tables from the JSON files bench/run.sh leaves in its output directory.

    summarize.py OUT_DIR
"""
import glob
import json
import os
import re
import statistics
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def runs(out, pattern):
    files = [f for f in glob.glob(os.path.join(out, pattern)) if not f.endswith(".cpu.json")]
    number = lambda p: int(re.search(r"-(\d+)\.json$", p).group(1))
    return [load(p) for p in sorted(files, key=number)]


def cpu(out, name):
    """(server cores, other cores) during a measurement, as text: the server's own, then
    PostgreSQL's + the load generators' + everything else's."""
    path = os.path.join(out, f"{name}.cpu.json")
    if not os.path.exists(path):
        return "–", "–"
    c = load(path)
    return (f"{c['server_cores']:.2f}",
            f"db {c.get('db_cores', 0):.2f} + load {c['client_cores']:.2f} + rest {c['foreign_cores']:.2f}")


def first_ms(r):
    """When the first 200 arrived, ms after the release (older results: the fastest answer)."""
    if r.get("first_ok_s") is not None:
        return round(r["first_ok_s"] * 1000, 1)
    return r["latency_all"]["min_ms"]


def spread(values, fmt="{:.1f}"):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    if len(values) == 1:
        return fmt.format(values[0])
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def main():
    out = sys.argv[1]
    lines = []
    p = lines.append
    if os.path.exists(os.path.join(out, "machine.txt")):
        p("```")
        p(open(os.path.join(out, "machine.txt")).read().rstrip())
        p("```")
        p("")

    cores = os.cpu_count()
    limit = None
    hashes = os.path.join(out, "hash_time.json")
    if os.path.exists(hashes):
        h = load(hashes)
        par = h["parameters"]
        p(f"### One Argon2id hash (m={par['memory_kib']} KiB, t={par['iterations']}, p={par['parallelism']}), outside the server")
        p("")
        p("| library | threads | median ms | min ms | max ms | hashes/s (all threads) |")
        p("|---|---:|---:|---:|---:|---:|")
        for lib, rows in h["libraries"].items():
            for r in rows:
                p(f"| {lib} | {r['threads']} | {r['median_ms']} | {r['min_ms']} | {r['max_ms']} | {r['hashes_per_s']} |")
        _, foreign = cpu(out, "hash_time")
        p("")
        p(f"Other CPU meanwhile: {foreign} cores (load = this measuring script itself).")
        server_lib = next((rows for lib, rows in h["libraries"].items() if "debian" in lib), None)
        if server_lib:
            one = next(r for r in server_lib if r["threads"] == 1)
            limit = cores / (one["median_ms"] / 1000)
            p("")
            p(f"Theoretical limit = cores ÷ one hash = {cores} ÷ {one['median_ms']} ms = **{limit:.1f} sign-ins/s**"
              + "".join(f"; measured with {r['threads']} threads hashing at once: {r['hashes_per_s']} hashes/s"
                        for r in server_lib if r["threads"] > 1))
        p("")

    for db in ("sqlite", "postgres"):
        storms = runs(out, f"{db}-storm-[0-9]*.json")
        if not storms:
            continue
        p(f"## {db}")
        p("")
        idle_path = os.path.join(out, f"{db}-idle.json")
        if os.path.exists(idle_path):
            i = load(idle_path)
            l = i["latency"]
            server, foreign = cpu(out, f"{db}-idle")
            p(f"Idle sign-in, one at a time ({i['sign_ins']} sign-ins, statuses {i['statuses']}): "
              f"p50 {l['p50_ms']} ms, min {l['min_ms']} ms, max {l['max_ms']} ms (other CPU meanwhile: {foreign} cores)")
            p("")
        for kind, title in (("storm", "(a) Login storm"), ("bigstorm", "(a') Larger storm")):
            storms = runs(out, f"{db}-{kind}-[0-9]*.json")
            if not storms:
                continue
            p(f"### {title}: {storms[0]['users']} users at once")
            p("")
            p("| run | ok | non-200 | seconds | sign-ins/s | % of limit | first done ms | rate after first /s | p50 ms | p90 ms | p99 ms | max ms | server cores | other CPU (cores) |")
            p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for n, s in enumerate(storms, 1):
                r = s["per_round"][0]
                l = r["latency_all"]
                pct = f"{100 * r['sign_ins_per_s'] / limit:.0f} %" if limit else "–"
                statuses = "" if r["non_200"] == 0 else f" {r['statuses']}"
                server, foreign = cpu(out, f"{db}-{kind}-{n}")
                p(f"| {n} | {r['ok']} | {r['non_200']}{statuses} | {r['seconds']} | {r['sign_ins_per_s']} | {pct} | "
                  f"{first_ms(r)} | {r.get('steady_sign_ins_per_s', '–')} | {l['p50_ms']} | {l['p90_ms']} | {l['p99_ms']} | {l['max_ms']} | {server} | {foreign} |")
            rounds = [s["per_round"][0] for s in storms]
            p(f"| median (min–max) | | | | {spread([r['sign_ins_per_s'] for r in rounds])} | | "
              f"{spread([first_ms(r) for r in rounds])} | {spread([r.get('steady_sign_ins_per_s') for r in rounds])} | {spread([r['latency_all']['p50_ms'] for r in rounds])} | {spread([r['latency_all']['p90_ms'] for r in rounds])} | "
              f"{spread([r['latency_all']['p99_ms'] for r in rounds])} | {spread([r['latency_all']['max_ms'] for r in rounds])} | | |")
            p("")
            for n, r in enumerate(rounds, 1):
                bad = r.get("latency_non_200", {})
                if r["non_200"] and bad.get("n"):
                    good = r["latency_ok"]
                    p(f"- run {n}: the {bad['n']} refused answers came after {bad['min_ms']}–{bad['max_ms']} ms "
                      f"(p50 {bad['p50_ms']}); the {good['n']} sign-ins after {good['min_ms']}–{good['max_ms']} ms (p50 {good['p50_ms']})")
            if any(r["non_200"] for r in rounds):
                p("")

        alone = runs(out, f"{db}-session-alone-*.json")
        during = runs(out, f"{db}-session-during-*.json")
        storms_during = runs(out, f"{db}-storm-during-*.json")
        if alone or during:
            p("### (b) GET /api/v1/session with a valid cookie (wrk)")
            p("")
            p("| condition | run | requests/s | p50 ms | p90 ms | p99 ms | max ms | errors | storm sign-ins/s meanwhile | storm non-200 | server cores | other CPU (cores) |")
            p("|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|")
            for label, rows in (("alone", alone), ("during storms", during)):
                for n, w in enumerate(rows, 1):
                    l = w["latency"]
                    errors = {k: v for k, v in w["errors"].items() if v}
                    storm_rate, storm_bad = "", ""
                    if label != "alone" and n <= len(storms_during):
                        sd = storms_during[n - 1]
                        storm_rate = f"{sd['sign_ins_per_s']} ({sd['rounds']} rounds, {sd['seconds']:.0f} s)"
                        storm_bad = sd["non_200"]
                    server, foreign = cpu(out, f"{db}-session-{'alone' if label == 'alone' else 'during'}-{n}")
                    p(f"| {label} | {n} | {w['requests_per_s']} | {l['p50_ms']} | {l['p90_ms']} | {l['p99_ms']} | {l['max_ms']} | "
                      f"{errors or 'none'} | {storm_rate} | {storm_bad} | {server} | {foreign} |")
                if rows:
                    p(f"| {label} | median (min–max) | {spread([w['requests_per_s'] for w in rows], '{:.0f}')} | "
                      f"{spread([float(w['latency']['p50_ms']) for w in rows], '{:.2f}')} | "
                      f"{spread([float(w['latency']['p90_ms']) for w in rows], '{:.2f}')} | "
                      f"{spread([float(w['latency']['p99_ms']) for w in rows], '{:.2f}')} | "
                      f"{spread([float(w['latency']['max_ms']) for w in rows], '{:.1f}')} | | "
                      + (spread([sd['sign_ins_per_s'] for sd in storms_during]) if label != "alone" and storms_during else "")
                      + " | | | |")
            p("")
        if storms_during:
            p("Storm rounds that ran during (b):")
            p("")
            p("| run | round | ok | non-200 | seconds | sign-ins/s | first done ms | rate after first /s | p50 ms | p99 ms | max ms |")
            p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for n, sd in enumerate(storms_during, 1):
                for r in sd["per_round"]:
                    l = r["latency_all"]
                    p(f"| {n} | {r['round']} | {r['ok']} | {r['non_200']} | {r['seconds']} | {r['sign_ins_per_s']} | {first_ms(r)} | "
                      f"{r.get('steady_sign_ins_per_s', '–')} | {l['p50_ms']} | {l['p99_ms']} | {l['max_ms']} |")
            p("")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
