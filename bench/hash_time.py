#!/usr/bin/env python3
"""Times one Argon2id hash with the server's parameters, outside the server.

It calls the very library the server links, Debian's libargon2.so.1 (through ctypes, which
releases the GIL during the call, so N Python threads hash on N cores), and for comparison
argon2-cffi's bundled build when it is installed.

    hash_time.py [--memory-kib 19456] [--iterations 2] [--parallelism 1] [--count 20] [--threads 1,2]

Prints one JSON object: per library and thread count, the median / min / max time of one
hash and the aggregate hashes per second.
"""
import argparse
import ctypes
import ctypes.util
import json
import os
import statistics
import threading
import time

SALT = b"0123456789abcdef"
PASSWORD = b"Blue-Kettle-42"
HASH_LEN = 32


def debian_libargon2():
    for name in ("libargon2.so.1", ctypes.util.find_library("argon2")):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        lib.argon2id_hash_raw.argtypes = [ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_void_p,
                                          ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p,
                                          ctypes.c_size_t]
        lib.argon2id_hash_raw.restype = ctypes.c_int

        def run(t, m, p):
            out = ctypes.create_string_buffer(HASH_LEN)
            rc = lib.argon2id_hash_raw(t, m, p, PASSWORD, len(PASSWORD), SALT, len(SALT), out, HASH_LEN)
            if rc != 0:
                raise RuntimeError(f"argon2id_hash_raw returned {rc}")
        return run
    return None


def cffi_argon2():
    try:
        from argon2.low_level import Type, hash_secret_raw
    except ImportError:
        return None

    def run(t, m, p):
        hash_secret_raw(PASSWORD, SALT, time_cost=t, memory_cost=m, parallelism=p, hash_len=HASH_LEN, type=Type.ID)
    return run


def measure(run, args, threads):
    """Each of `threads` threads hashes `args.count` times; returns per-hash times and the aggregate rate."""
    times = [[] for _ in range(threads)]
    barrier = threading.Barrier(threads + 1)

    def worker(slot):
        barrier.wait()
        for _ in range(args.count):
            start = time.perf_counter()
            run(args.iterations, args.memory_kib, args.parallelism)
            times[slot].append(time.perf_counter() - start)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in pool:
        thread.join()
    wall = time.perf_counter() - start
    flat = sorted(x for per in times for x in per)
    return {
        "threads": threads,
        "hashes": len(flat),
        "median_ms": round(statistics.median(flat) * 1000, 2),
        "min_ms": round(flat[0] * 1000, 2),
        "max_ms": round(flat[-1] * 1000, 2),
        "hashes_per_s": round(len(flat) / wall, 2),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--memory-kib", type=int, default=int(os.environ.get("GATEHOUSE_ARGON2_MEMORY_KIB", 19456)))
    parser.add_argument("--iterations", type=int, default=int(os.environ.get("GATEHOUSE_ARGON2_ITERATIONS", 2)))
    parser.add_argument("--parallelism", type=int, default=int(os.environ.get("GATEHOUSE_ARGON2_PARALLELISM", 1)))
    parser.add_argument("--count", type=int, default=20, help="hashes per thread (default 20)")
    parser.add_argument("--threads", default=f"1,{os.cpu_count()}", help="comma-separated thread counts")
    args = parser.parse_args()
    thread_counts = sorted({int(x) for x in args.threads.split(",") if x})

    result = {"parameters": {"memory_kib": args.memory_kib, "iterations": args.iterations,
                             "parallelism": args.parallelism}, "libraries": {}}
    for name, run in (("debian libargon2.so.1 (the server's)", debian_libargon2()), ("argon2-cffi", cffi_argon2())):
        if run is None:
            continue
        run(args.iterations, args.memory_kib, args.parallelism)  # warm-up
        result["libraries"][name] = [measure(run, args, n) for n in thread_counts]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
