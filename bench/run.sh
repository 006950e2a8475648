#!/usr/bin/env bash
# Gatehouse sign-in benchmark: (a) a login storm of N users at once, (b) GET /api/v1/session
# alone and during a storm; on SQLite and, with --db postgres|both, on a throw-away PostgreSQL 15.
#
#   bench/run.sh [--db sqlite|postgres|both] [--users 500] [--runs 3]
#                [--wrk-seconds 15] [--wrk-connections 16] [--wrk-threads 1]
#                [--big-storm N] [--skip-session]
#
#   --big-storm N   also storms of N users (N > --users) after the others, e.g. to go past
#                   the hashing queue's limit (GATEHOUSE_HASH_QUEUE_LIMIT, default 1000)
#   --skip-session  leave out (b), e.g. for a run with cheap Argon2 parameters
#
# Environment:
#   GATEHOUSE_BIN   the binary to measure; default: a release build in .build-release
#   BENCH_OUT       where results go; default: a new /tmp/gatehouse-bench.XXXXXX
#   GATEHOUSE_ARGON2_MEMORY_KIB / _ITERATIONS / _PARALLELISM, GATEHOUSE_HASH_QUEUE_LIMIT
#                   passed on to the server (defaults 19456 / 2 / 1, 1000)
#   BENCH_QUIET_TIMEOUT  seconds to wait for a quiet machine before each measurement (300)
#
# The server gets GATEHOUSE_LOGIN_CLIENT_LIMIT=100000: every request comes from 127.0.0.1, and
# the default (1000 attempts per client address per 300 s) would turn the later rounds into 429s.
# All traffic goes to 127.0.0.1; every load loop is bounded in count and time. Everything
# started here (servers, PostgreSQL, load generators) is stopped on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO_ROOT=$PWD
BENCH=$REPO_ROOT/bench

DBS=sqlite
USERS=500
RUNS=3
WRK_SECONDS=15
WRK_CONNECTIONS=16
WRK_THREADS=1
BIG_STORM=0
SKIP_SESSION=0
while [ $# -gt 0 ]; do
    case "$1" in
        --db) DBS=$2; shift ;;
        --users) USERS=$2; shift ;;
        --runs) RUNS=$2; shift ;;
        --wrk-seconds) WRK_SECONDS=$2; shift ;;
        --wrk-connections) WRK_CONNECTIONS=$2; shift ;;
        --wrk-threads) WRK_THREADS=$2; shift ;;
        --big-storm) BIG_STORM=$2; shift ;;
        --skip-session) SKIP_SESSION=1 ;;
        -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done
case "$DBS" in
    sqlite) DBS=(sqlite) ;;
    postgres) DBS=(postgres) ;;
    both) DBS=(sqlite postgres) ;;
    *) echo "--db must be sqlite, postgres or both" >&2; exit 2 ;;
esac

log() { printf '\n==> %s\n' "$*" >&2; }
is_root() { [ "$(id -u)" = 0 ]; }

# ------------------------------------------------------------------ tools

apt_install() {
    local missing=() pkg
    for pkg in "$@"; do
        [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" = "install ok installed" ] || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    is_root || { echo "missing Debian packages: ${missing[*]} (run as root, or install them)" >&2; return 1; }
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
apt_install wrk libargon2-1
[[ " ${DBS[*]} " == *" postgres "* ]] && apt_install postgresql

VENV=$BENCH/.venv
if ! cmp -s "$BENCH/requirements.txt" "$VENV/.requirements.txt" \
        || ! "$VENV/bin/python" -c 'import aiohttp, argon2' >/dev/null 2>&1; then
    log "preparing the Python environment in bench/.venv"
    [ -x "$VENV/bin/python" ] || { rm -rf "$VENV"; python3 -m venv "$VENV" || { apt_install python3-venv; python3 -m venv "$VENV"; }; }
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$BENCH/requirements.txt"
    cp "$BENCH/requirements.txt" "$VENV/.requirements.txt"
fi
PY=$VENV/bin/python

if [ -z "${GATEHOUSE_BIN:-}" ]; then
    log "release build (swift build -c release --scratch-path .build-release)"
    swift build -c release --scratch-path .build-release --product gatehouse >&2
    GATEHOUSE_BIN=$REPO_ROOT/.build-release/release/gatehouse
fi
[ -x "$GATEHOUSE_BIN" ] || { echo "no executable at GATEHOUSE_BIN=$GATEHOUSE_BIN" >&2; exit 1; }

OUT=${BENCH_OUT:-$(mktemp -d -t gatehouse-bench.XXXXXX)}
mkdir -p "$OUT"
log "results in $OUT"

# ------------------------------------------------------------------ clean-up

SERVER_PID=""
DATA_DIR=""
PG_DIR=""
PG_STARTED=0
PG_PID=0
PG_BIN=/usr/lib/postgresql/15/bin
BG_PIDS=()
as_postgres() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
stop_postgres() {
    if [ "$PG_STARTED" = 1 ]; then
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
            || as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
        PG_STARTED=0
    fi
    [ -n "$PG_DIR" ] && rm -rf "$PG_DIR"
    PG_DIR=""
}
cleanup() {
    local rc=$?
    for pid in ${BG_PIDS[@]+"${BG_PIDS[@]}"}; do kill "$pid" 2>/dev/null || true; done
    stop_server
    stop_postgres
    [ -n "$DATA_DIR" ] && rm -rf "$DATA_DIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# What else was running: the load average and the busiest processes before each measurement.
note_load() {
    { echo "== $(date -u +%T) $*: load $(cut -d' ' -f1-3 /proc/loadavg)"
      ps -eo pid,pcpu,etime,comm --sort=-pcpu | sed -n '2,6p'; } >> "$OUT/load.txt"
}

# CPU seconds used so far by this shell's finished children (the load generators), from
# `times`, which must run in this shell itself, not in a $(…) subshell.
save_children_cpu() {
    times > "$OUT/.times"
    CHILDREN_CPU=$(awk 'NR == 2 { n = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); n += a[1] * 60 + a[2] } print n }' "$OUT/.times")
}
# A measurement: wait (bounded) for the machine to be quiet, then account for the CPU used
# meanwhile by the server, the load generators and everything else (NAME.cpu.json).
phase_begin() {  # $1: name
    "$PY" "$BENCH/cpu_meter.py" wait-quiet --pid "${SERVER_PID:-0}" --db-pid "${PG_PID:-0}" --timeout "${BENCH_QUIET_TIMEOUT:-300}"
    note_load "$1"
    save_children_cpu
    "$PY" "$BENCH/cpu_meter.py" snapshot --pid "${SERVER_PID:-0}" --children-cpu "$CHILDREN_CPU" --db-pid "${PG_PID:-0}" > "$OUT/.cpu-begin.json"
}
phase_end() {  # $1: name
    save_children_cpu
    "$PY" "$BENCH/cpu_meter.py" snapshot --pid "${SERVER_PID:-0}" --children-cpu "$CHILDREN_CPU" --db-pid "${PG_PID:-0}" > "$OUT/.cpu-end.json"
    "$PY" "$BENCH/cpu_meter.py" diff "$OUT/.cpu-begin.json" "$OUT/.cpu-end.json" > "$OUT/$1.cpu.json"
    echo "CPU during $1: $(cat "$OUT/$1.cpu.json")" >&2
}

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# ------------------------------------------------------------------ machine and one hash

{
    echo "date: $(date -u +%FT%TZ)"
    echo "nproc: $(nproc)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2- | tr -d ' ')," \
         "$(grep -m1 'cpu MHz' /proc/cpuinfo | cut -d: -f2- | tr -d ' ') MHz, hypervisor $(lscpu 2>/dev/null | sed -n 's/^Hypervisor vendor: *//p')"
    echo "memory: $(free -m | awk '/^Mem:/ {print $2 " MiB"}')"
    echo "kernel: $(uname -r)"
    echo "binary: $GATEHOUSE_BIN ($(stat -c %s "$GATEHOUSE_BIN") bytes)"
    echo "work tree HEAD: $(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') (the binary may be older)"
    echo "wrk: $(wrk -v 2>&1 | head -1)"
    echo "users: $USERS, runs: $RUNS, wrk: ${WRK_THREADS} thread(s) ${WRK_CONNECTIONS} connections ${WRK_SECONDS}s"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt" >&2

log "one Argon2id hash, outside the server (libargon2.so.1 via ctypes, and argon2-cffi)"
phase_begin hash_time
"$PY" "$BENCH/hash_time.py" --count 40 > "$OUT/hash_time.json"
phase_end hash_time
cat "$OUT/hash_time.json" >&2

# ------------------------------------------------------------------ one database

export GATEHOUSE_LOGIN_CLIENT_LIMIT=100000

start_server() {  # $1: data dir, $2: database URL or ""
    local args=(serve --data-dir "$1" --port 0) port=""
    [ -n "$2" ] && args+=(--database-url "$2")
    "$GATEHOUSE_BIN" "${args[@]}" > "$OUT/$DB-server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 300); do
        port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$OUT/$DB-server.log" | head -1)
        [ -n "$port" ] && break
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$OUT/$DB-server.log" >&2; echo "server exited" >&2; exit 1; }
        sleep 0.1
    done
    [ -n "$port" ] || { cat "$OUT/$DB-server.log" >&2; echo "server did not start" >&2; exit 1; }
    BASE_URL=http://127.0.0.1:$port
}

run_wrk() {  # $1: output file
    timeout $((WRK_SECONDS + 30)) wrk -t "$WRK_THREADS" -c "$WRK_CONNECTIONS" -d "${WRK_SECONDS}s" --timeout 10s \
        -s "$BENCH/wrk_report.lua" -H "Cookie: $SESSION_COOKIE" "$BASE_URL/api/v1/session" > "$1.txt"
    tail -1 "$1.txt" > "$1"
}

bench_database() {
    DB=$1
    local data url=""
    data=$(mktemp -d -t gatehouse-bench-data.XXXXXX)
    DATA_DIR=$data
    if [ "$DB" = postgres ]; then
        PG_DIR=$(mktemp -d -t gatehouse-bench-pg.XXXXXX)
        chmod 755 "$PG_DIR"
        is_root && chown postgres:postgres "$PG_DIR"
        local pg_port
        pg_port=$(free_port)
        log "starting a throw-away PostgreSQL 15 on 127.0.0.1:$pg_port (fsync on)"
        as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" --auth=trust -U postgres -E UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 \
            || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 \
            -o "-p $pg_port -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null \
            || { cat "$PG_DIR/postgres.log" >&2; exit 1; }
        PG_STARTED=1
        PG_PID=$(head -1 "$PG_DIR/data/postmaster.pid")
        url="postgres://postgres@127.0.0.1:$pg_port/postgres?sslmode=disable"
    fi
    local db_args=(--data-dir "$data")
    [ -n "$url" ] && db_args+=(--database-url "$url")

    log "[$DB] seeding: tenant, administrator, token"
    "$GATEHOUSE_BIN" migrate "${db_args[@]}" >/dev/null
    "$GATEHOUSE_BIN" tenant create "${db_args[@]}" --slug acme --name Acme >/dev/null
    echo 'Blue-Kettle-42' | "$GATEHOUSE_BIN" user create "${db_args[@]}" --tenant acme --email admin@acme.test \
        --first-name Ada --last-name Admin --role administrator --password-stdin >/dev/null
    local token
    token=$("$GATEHOUSE_BIN" token create "${db_args[@]}" --tenant acme --user admin@acme.test | tail -1)

    start_server "$data" "$url"
    log "[$DB] server at $BASE_URL (pid $SERVER_PID); creating $USERS users + 1 probe user through the API"
    "$PY" "$BENCH/storm.py" seed --base-url "$BASE_URL" --token "$token" --count "$USERS" > "$OUT/$DB-seed.json"
    "$PY" "$BENCH/storm.py" seed --base-url "$BASE_URL" --token "$token" --count 1 --prefix probe > /dev/null
    cat "$OUT/$DB-seed.json" >&2

    log "[$DB] idle: 30 sequential sign-ins"
    phase_begin "$DB-idle"
    "$PY" "$BENCH/storm.py" idle --base-url "$BASE_URL" --count 30 --users 20 > "$OUT/$DB-idle.json"
    phase_end "$DB-idle"
    SESSION_COOKIE=$("$PY" "$BENCH/storm.py" cookie --base-url "$BASE_URL" --username probe1@acme.test)

    local run
    for run in $(seq "$RUNS"); do
        sleep 2
        log "[$DB] (a) storm run $run/$RUNS: $USERS sign-ins at once"
        phase_begin "$DB-storm-$run"
        "$PY" "$BENCH/storm.py" storm --base-url "$BASE_URL" --count "$USERS" > "$OUT/$DB-storm-$run.json"
        phase_end "$DB-storm-$run"
    done

    if [ "$BIG_STORM" -gt "$USERS" ]; then
        log "[$DB] creating users $((USERS + 1))..$BIG_STORM"
        "$PY" "$BENCH/storm.py" seed --base-url "$BASE_URL" --token "$token" --first $((USERS + 1)) \
            --count $((BIG_STORM - USERS)) > "$OUT/$DB-seed-big.json"
        for run in $(seq "$RUNS"); do
            sleep 2
            log "[$DB] (a') big storm run $run/$RUNS: $BIG_STORM sign-ins at once"
            phase_begin "$DB-bigstorm-$run"
            "$PY" "$BENCH/storm.py" storm --base-url "$BASE_URL" --count "$BIG_STORM" > "$OUT/$DB-bigstorm-$run.json"
            phase_end "$DB-bigstorm-$run"
        done
    fi

    for run in $(seq "$RUNS"); do
        [ "$SKIP_SESSION" = 1 ] && break
        sleep 2
        log "[$DB] (b) session run $run/$RUNS alone: wrk ${WRK_SECONDS}s"
        phase_begin "$DB-session-alone-$run"
        run_wrk "$OUT/$DB-session-alone-$run.json"
        phase_end "$DB-session-alone-$run"
        cat "$OUT/$DB-session-alone-$run.json" >&2
    done

    for run in $(seq "$RUNS"); do
        [ "$SKIP_SESSION" = 1 ] && break
        sleep 2
        log "[$DB] (b) session run $run/$RUNS during storms: wrk ${WRK_SECONDS}s while storms of $USERS repeat"
        phase_begin "$DB-session-during-$run"
        # The storms start first and go on until wrk is done (at least WRK_SECONDS + 2 s; bounded).
        "$PY" "$BENCH/storm.py" storm --base-url "$BASE_URL" --count "$USERS" --min-seconds $((WRK_SECONDS + 2)) \
            --max-rounds 20 --max-seconds $((WRK_SECONDS + 60)) > "$OUT/$DB-storm-during-$run.json" &
        local storm_pid=$!
        BG_PIDS+=("$storm_pid")
        sleep 1
        run_wrk "$OUT/$DB-session-during-$run.json"
        wait "$storm_pid"
        BG_PIDS=()
        phase_end "$DB-session-during-$run"
        cat "$OUT/$DB-session-during-$run.json" >&2
    done

    stop_server
    grep -v 'listening on' "$OUT/$DB-server.log" | head -20 >&2 || true
    if [ "$DB" = postgres ]; then stop_postgres; PG_PID=0; fi
    rm -rf "$data"
    DATA_DIR=""
}

for db in "${DBS[@]}"; do
    bench_database "$db"
done

note_load end
log "summary"
"$PY" "$BENCH/summarize.py" "$OUT" | tee "$OUT/summary.md"
