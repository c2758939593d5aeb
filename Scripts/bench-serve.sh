#!/usr/bin/env bash
# Load benchmark for serving a learned model (not a test): new connections per second and
# answer latency percentiles for `scriptgen-honeypot serve` (each TCP engine: epoll, SwiftNIO) and, under the same
# load in the same run, for a REFERENCE server (nginx) and the honeyd-style
# fork-per-connection path (`respond` under Scripts/honeyd-harness.py), then the memory of
# `serve` holding 10,000 idle connections.
#
#   Scripts/bench-serve.sh                        # release build, 10 s per load run; serve --threads $(nproc), wrk -t2 -c16 and -c64
#   DURATION=20 CONNECTIONS=128 Scripts/bench-serve.sh
#   CONNECTIONS="64 256" WRK_THREADS="1 2" SERVE_THREADS="1 2" ROUNDS=3 FORK=0 IDLE=0 Scripts/bench-serve.sh
#   CONFIG=debug Scripts/bench-serve.sh
#   SCRIPTGEN_BIN=/some/dir Scripts/bench-serve.sh  # binaries from there, no build
#   BASELINE_BIN=/old/build Scripts/bench-serve.sh   # also that build's serve, run by run (before/after)
#   LEARN=simplified Scripts/bench-serve.sh          # serve a simplified model (reply fields rendered:
#                                                    # the answer's Date) instead of the raw tree; the
#                                                    # baseline serves the model its own build learns
#   ENGINES=epoll Scripts/bench-serve.sh             # serve's TCP engines to measure (default: epoll nio)
#   SERVE_ARGS="--events-format cowrie" Scripts/bench-serve.sh  # extra options for the measured serve (not the baseline)
#   HPFEEDS=1 Scripts/bench-serve.sh                 # serve also publishes to the hpfeeds package's broker:
#                                                    # events published per second, drops, what a subscriber got
#
# Load: wrk (Debian package `wrk`) sends `GET / HTTP/1.0`, which the model (learned from
# Fixtures/captures/http-train.pcap + http-nmap.pcap) answers with the real Apache reply
# carrying `Connection: close`, so wrk opens a new connection for every request: requests/s
# is new connections/s, and wrk's latency is the time from sending the request to the whole
# answer. Events are logged to a file, as in production.
#
# Reference: the machine is shared and wrk runs on the same cores, so absolute figures move
# from run to run; the ratio serve/nginx under the same wrk settings, measured back to back,
# is the honest figure. nginx (Debian package `nginx`, REFERENCE=none to skip) runs its own
# config on a high port: as many worker processes as serve has event-loop threads,
# `keepalive_timeout 0`, `return 200` with a body padded so its whole reply has the same size
# as serve's, and a buffered access log (one line per request; serve logs four).
#
# Each run also reports the server's CPU time per connection (user + system of the process and
# its children, from /proc): less sensitive to the neighbours than connections per second.
#
# CONNECTIONS, WRK_THREADS and SERVE_THREADS take lists: every combination is measured,
# ROUNDS times each, serve (then the BASELINE_BIN serve, if given) and nginx alternating, so
# each comparison is made under the same neighbours. FORK=0 / IDLE=0 skip the fork-per-connection
# and idle-memory parts.
set -euo pipefail
cd "$(dirname "$0")/.."

CONFIG=${CONFIG:-release}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16 64}
FORK_CONNECTIONS=${FORK_CONNECTIONS:-16}
SERVE_THREADS=${SERVE_THREADS:-$(nproc)}  # serve's default: one event loop per core
WRK_THREADS=${WRK_THREADS:-2}
ROUNDS=${ROUNDS:-1}
REFERENCE=${REFERENCE:-nginx}
FORK=${FORK:-1}
IDLE=${IDLE:-1}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000}
FIXTURES=${SCRIPTGEN_FIXTURES:-Fixtures}
SERVE_PORT=${SERVE_PORT:-18080}
HARNESS_PORT=${HARNESS_PORT:-18081}
NGINX_PORT=${NGINX_PORT:-18082}
BASELINE_BIN=${BASELINE_BIN:-}
LEARN=${LEARN:-raw}
case $LEARN in raw) LEARN_ARGS=(--raw) ;; simplified) LEARN_ARGS=() ;; *) echo "bench-serve: LEARN is raw or simplified" >&2; exit 2 ;; esac
ENGINES=${ENGINES:-epoll nio}
SERVE_ARGS=${SERVE_ARGS:-}
HPFEEDS=${HPFEEDS:-0}
HPFEEDS_PORT=${HPFEEDS_PORT:-18083}

command -v wrk >/dev/null || { echo "bench-serve: needs wrk (apt-get install wrk)" >&2; exit 1; }
if [ "$REFERENCE" = nginx ] && ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    echo "bench-serve: needs nginx for the reference (apt-get install nginx), or REFERENCE=none" >&2; exit 1
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -f "$FIXTURES/captures/http-train.pcap" ] || { echo "bench-serve: no $FIXTURES/captures (set SCRIPTGEN_FIXTURES)" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((IDLE_CONNECTIONS + 100)) ]; then
    echo "bench-serve: open-file limit $(ulimit -n) is below $IDLE_CONNECTIONS idle connections; lowering IDLE_CONNECTIONS" >&2
    IDLE_CONNECTIONS=$(( $(ulimit -n) - 100 ))
fi

if [ -n "${SCRIPTGEN_BIN:-}" ]; then
    BIN=$SCRIPTGEN_BIN
    echo "== binaries from $BIN"
else
    echo "== building ($CONFIG)"
    swift build -c "$CONFIG" --product scriptgen >/dev/null
    swift build -c "$CONFIG" --product scriptgen-honeypot >/dev/null
    BIN=$(swift build -c "$CONFIG" --show-bin-path)
fi
WORK=$(mktemp -d /tmp/bench-serve.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

learn_model() {  # $1: binaries, $2: model file
    "$1/scriptgen" learn "${LEARN_ARGS[@]}" --port 80 "$FIXTURES/captures/http-train.pcap" "$FIXTURES/captures/http-nmap.pcap" -o "$2" >/dev/null 2>&1
}
learn_model "$BIN" "$WORK/http.model"
# The baseline serves a model its own build learned (an older build may not read a newer model).
[ -n "$BASELINE_BIN" ] && learn_model "$BASELINE_BIN" "$WORK/http-baseline.model"
[ "$FORK" = 1 ] && "$BIN/scriptgen" export-honeyd "$WORK/http.model" -o "$WORK/honeyd" >/dev/null
cat > "$WORK/http10.lua" <<'EOF'
request = function() return "GET / HTTP/1.0\r\n\r\n" end
EOF

memory() { awk '/^VmRSS|^VmHWM/ {printf "%s %s kB  ", $1, $2}' "/proc/$1/status"; echo; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# Bytes of the whole answer to `GET / HTTP/1.0` on a port.
reply_size() {
    python3 - "$1" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
data = b""
# Until the end of the body Content-Length announces (serve leaves the close to the client, as
# wrk does on `Connection: close`), or EOF.
while True:
    head, sep, body = data.partition(b"\r\n\r\n")
    length = [int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
    if sep and length and len(body) >= length[0]: break
    chunk = s.recv(65536)
    if not chunk: break
    data += chunk
print(len(data))
EOF
}

if [ "$HPFEEDS" = 1 ]; then
    python3 -c "import hpfeeds.scripts.broker" 2>/dev/null || { echo "bench-serve: HPFEEDS=1 needs pip install 'hpfeeds[broker]'" >&2; exit 1; }
    echo "honeypot-secret" > "$WORK/hpfeeds.secret"
    HPFEEDS_HONEYPOT_SECRET=honeypot-secret HPFEEDS_HONEYPOT_PUBCHANS=scriptgen.events \
    HPFEEDS_READER_SECRET=reader-secret HPFEEDS_READER_SUBCHANS=scriptgen.events HPFEEDS_READER_PUBCHANS=scriptgen.events \
        python3 -c "import sys; from hpfeeds.scripts.broker import main; sys.argv[0] = 'hpfeeds-broker'; main()" \
        --auth env --bind "127.0.0.1:$HPFEEDS_PORT" --exporter 127.0.0.1:0 2>"$WORK/broker.err" &
    PIDS+=("$!")
    sleep 2
    python3 Scripts/hpfeeds-subscribe.py 127.0.0.1 "$HPFEEDS_PORT" reader reader-secret scriptgen.events "$WORK/hpfeeds.out" 3600 > "$WORK/subscriber.out" 2>&1 &
    PIDS+=("$!")
    for _ in $(seq 100); do grep -q ready "$WORK/subscriber.out" 2>/dev/null && break; sleep 0.1; done
    grep -q ready "$WORK/subscriber.out" || { echo "bench-serve: the HPFeeds subscriber is not ready" >&2; cat "$WORK/broker.err" "$WORK/subscriber.out" >&2; exit 1; }
    SERVE_ARGS="$SERVE_ARGS --hpfeeds 127.0.0.1:$HPFEEDS_PORT --hpfeeds-ident honeypot --hpfeeds-secret-file $WORK/hpfeeds.secret"
fi

start_serve() {  # $1: event-loop threads, [$2: honeypot binary], [$3: TCP engine; none: the binary's default]
    local engine=() extra=()
    [ -n "${3:-}" ] && engine=(--engine "$3")
    # shellcheck disable=SC2206  # SERVE_ARGS is a list of words
    local model=$WORK/http-baseline.model
    [ "${2:-$BIN/scriptgen-honeypot}" = "$BIN/scriptgen-honeypot" ] && extra=($SERVE_ARGS) && model=$WORK/http.model
    "${2:-$BIN/scriptgen-honeypot}" serve "$model" --listen 127.0.0.1 --map "80=$SERVE_PORT" --only-mapped \
        --events "$WORK/events.log" --threads "$1" "${engine[@]}" "${extra[@]}" \
        --max-connections 200000 --max-connections-per-source 200000 --idle-timeout 120 2>"$WORK/serve.err" &
    SERVE_PID=$!
    PIDS+=("$SERVE_PID")
    for _ in $(seq 100); do grep -q "stop with" "$WORK/serve.err" 2>/dev/null && return; sleep 0.1; done
    echo "serve did not start" >&2; cat "$WORK/serve.err" >&2; exit 1
}

stop_pid() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

write_nginx_conf() {  # $1: worker processes, $2: body length
    mkdir -p "$WORK/nginx"
    local body
    body=$(head -c "$2" /dev/zero | tr '\0' x)
    cat > "$WORK/nginx/nginx.conf" <<EOF
worker_processes $1;
worker_rlimit_nofile 65536;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 65536; }
http {
    access_log $WORK/nginx/access.log combined buffer=64k flush=1s;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    keepalive_timeout 0;
    server {
        listen 127.0.0.1:$NGINX_PORT backlog=4096;
        location / { return 200 "$body"; }
    }
}
EOF
}

start_nginx() {  # $1: worker processes, $2: body length
    write_nginx_conf "$1" "$2"
    "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>>"$WORK/nginx/stderr" &
    NGINX_PID=$!
    PIDS+=("$NGINX_PID")
    for _ in $(seq 100); do
        python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $NGINX_PORT), timeout=1)" 2>/dev/null && return
        sleep 0.1
    done
    echo "nginx did not start" >&2; cat "$WORK/nginx/error.log" "$WORK/nginx/stderr" >&2; exit 1
}

# nginx's body length that makes its whole reply as long as serve's (its headers carry the
# body's length, so their size depends on the number of digits).
nginx_body_length() {  # $1: serve's reply size
    start_nginx 1 1
    local header=$(( $(reply_size "$NGINX_PORT") - 1 ))
    stop_pid "$NGINX_PID"
    local body=$(( $1 - header ))
    body=$(( body - (${#body} - 1) ))
    echo "$body"
}

summarise() {  # wrk output -> one line
    awk '/Requests\/sec/ {rps=$2} /Latency Distribution/ {d=1} d && /50%/ {p50=$2} d && /90%/ {p90=$2} d && /99%/ {p99=$2}
         /Socket errors/ {err=$0} /Non-2xx/ {non2xx=$0}
         END {printf "%8.0f new connections/s, latency p50 %7s p90 %7s p99 %7s %s %s\n", rps, p50, p90, p99, err, non2xx}' "$1"
}
# Requests/s and p99 in ms of a wrk output.
figures() {
    awk 'function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
         /Requests\/sec/ {rps=$2} /Latency Distribution/ {d=1} d && /50%/ {p50=ms($2)} d && /99%/ {p99=ms($2)}
         END {printf "%s %s %s\n", rps, p50, p99}' "$1"
}

run_wrk() {  # $1 port, $2 wrk threads, $3 connections, $4 output
    wrk -t"$2" -c"$3" -d"${DURATION}s" --latency -s "$WORK/http10.lua" "http://127.0.0.1:$1/" > "$4"
}

# CPU time (clock ticks, user + system) of a process and its children (nginx's workers).
TICKS_PER_SECOND=$(getconf CLK_TCK)
cpu_ticks() {
    local total=0 pid
    for pid in "$1" $(pgrep -P "$1" || true); do
        total=$(( total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0) ))
    done
    echo "$total"
}
# Microseconds of server CPU per connection: $1 ticks used, $2 wrk output.
cpu_per_connection() {
    awk -v ticks="$1" -v hz="$TICKS_PER_SECOND" '/requests in/ {n=$1} END {printf "%.1f", (n > 0 ? ticks * 1e6 / hz / n : 0)}' "$2"
}

# One load run against serve: $1 honeypot binary, $2 threads, $3 wrk threads, $4 connections, $5 name,
# [$6 engine]. Sets RPS, P50, P99 (ms) and CPU (us per connection).
measure_serve() {
    # One run's events and, with HPFEEDS=1, what the subscriber received of them (it appends).
    : > "$WORK/events.log"
    [ "$HPFEEDS" = 1 ] && : > "$WORK/hpfeeds.out"
    start_serve "$2" "$1" "${6:-}"
    if [ -z "$SERVE_REPLY" ]; then
        SERVE_REPLY=$(reply_size "$SERVE_PORT")
        echo "serve's reply to GET / HTTP/1.0: $SERVE_REPLY bytes"
    fi
    local before
    before=$(cpu_ticks "$SERVE_PID")
    run_wrk "$SERVE_PORT" "$3" "$4" "$WORK/wrk-serve.txt"
    CPU=$(cpu_per_connection $(( $(cpu_ticks "$SERVE_PID") - before )) "$WORK/wrk-serve.txt")
    echo "$5:  $(summarise "$WORK/wrk-serve.txt")  CPU $CPU us/connection"
    echo "$5 memory after load: $(memory "$SERVE_PID")"
    stop_pid "$SERVE_PID"
    if [ "$HPFEEDS" = 1 ] && [ "$1" = "$BIN/scriptgen-honeypot" ]; then
        sleep 2
        local logged received
        logged=$(grep -vc '"hpfeeds\.' "$WORK/events.log" || true)
        received=$(wc -l < "$WORK/hpfeeds.out")
        grep "hpfeeds:" "$WORK/serve.err" | sed 's/^scriptgen serve: /  /'
        awk -v d="$DURATION" -v r="$received" -v l="$logged" '/hpfeeds:/ {for (i = 1; i <= NF; i++) if ($(i+1) == "events" && $(i+2) ~ /^published/) p = $i}
             END {printf "  hpfeeds: %.0f events published/s (%d over the %s s run); %d logged, %d received by the subscriber\n", p / d, p, d, l, r}' "$WORK/serve.err"
    fi
    read -r RPS P50 P99 < <(figures "$WORK/wrk-serve.txt")
}

# One load run against nginx with $1 workers, same settings; sets the same variables.
measure_nginx() {
    if [ -z "$BODY" ]; then BODY=$(nginx_body_length "$SERVE_REPLY"); fi
    start_nginx "$1" "$BODY"
    [ -z "$NGINX_REPLY" ] && NGINX_REPLY=$(reply_size "$NGINX_PORT") && echo "nginx's reply: $NGINX_REPLY bytes"
    local before
    before=$(cpu_ticks "$NGINX_PID")
    run_wrk "$NGINX_PORT" "$2" "$3" "$WORK/wrk-nginx.txt"
    CPU=$(cpu_per_connection $(( $(cpu_ticks "$NGINX_PID") - before )) "$WORK/wrk-nginx.txt")
    echo "nginx:  $(summarise "$WORK/wrk-nginx.txt")  CPU $CPU us/connection"
    stop_pid "$NGINX_PID"
    read -r RPS P50 P99 < <(figures "$WORK/wrk-nginx.txt")
}

figures_text() { echo "$(printf '%6.0f' "$1")/s p50 $(printf '%6.2f' "$2") ms p99 $(printf '%6.2f' "$3") ms cpu $(printf '%5.1f' "$4") us"; }
ratio_text() {  # serve figures, then nginx figures: rps p99 cpu
    awk -v s="$1" -v sp="$2" -v sc="$3" -v n="$4" -v np="$5" -v nc="$6" \
        'BEGIN {printf "conn/s %.2f  p99 %.2f  cpu %.2f", (n > 0 ? s / n : 0), (np > 0 ? sp / np : 0), (nc > 0 ? sc / nc : 0)}'
}

RESULTS=()
SERVE_REPLY=""
NGINX_REPLY=""
BODY=""
for threads in $SERVE_THREADS; do
    for wrk_threads in $WRK_THREADS; do
        for connections in $CONNECTIONS; do
            for round in $(seq "$ROUNDS"); do
                setting="serve --threads $threads  wrk -t$wrk_threads -c$(printf %-4s "$connections")"
                echo "== serve --threads $threads, wrk -t$wrk_threads -c$connections -d${DURATION}s, round $round"
                declare -A E_RPS=() E_P50=() E_P99=() E_CPU=()
                for engine in $ENGINES; do
                    measure_serve "$BIN/scriptgen-honeypot" "$threads" "$wrk_threads" "$connections" "serve-$engine" "$engine"
                    E_RPS[$engine]=$RPS E_P50[$engine]=$P50 E_P99[$engine]=$P99 E_CPU[$engine]=$CPU
                done
                if [ -n "$BASELINE_BIN" ]; then
                    measure_serve "$BASELINE_BIN/scriptgen-honeypot" "$threads" "$wrk_threads" "$connections" baseline
                    E_RPS[baseline]=$RPS E_P50[baseline]=$P50 E_P99[baseline]=$P99 E_CPU[baseline]=$CPU
                fi
                names="$ENGINES"
                [ -n "$BASELINE_BIN" ] && names="$names baseline"
                if [ "$REFERENCE" = nginx ]; then
                    measure_nginx "$threads" "$wrk_threads" "$connections"
                    n_rps=$RPS n_p50=$P50 n_p99=$P99 n_cpu=$CPU
                fi
                for name in $names; do
                    label=$(printf '%-12s' "$([ "$name" = baseline ] && echo baseline || echo "serve-$name")")
                    line="$setting  $label $(figures_text "${E_RPS[$name]}" "${E_P50[$name]}" "${E_P99[$name]}" "${E_CPU[$name]}")"
                    if [ "$REFERENCE" = nginx ]; then
                        ratio=$(ratio_text "${E_RPS[$name]}" "${E_P99[$name]}" "${E_CPU[$name]}" "$n_rps" "$n_p99" "$n_cpu")
                        echo "$name/nginx: $ratio"
                        line="$line | /nginx $ratio"
                    fi
                    RESULTS+=("$line")
                done
                [ "$REFERENCE" = nginx ] && RESULTS+=("$setting  $(printf '%-12s' nginx) $(figures_text "$n_rps" "$n_p50" "$n_p99" "$n_cpu")")
            done
        done
    done
done
echo "serve events logged: $(wc -l < "$WORK/events.log") lines ($(grep -c '"session.closed"' "$WORK/events.log") sessions)"

FORK_LINE="(skipped)"
if [ "$FORK" = 1 ]; then
    wrk_threads=${WRK_THREADS%% *}
    echo "== respond under the honeyd harness (fork + exec per connection); wrk -t$wrk_threads -c$FORK_CONNECTIONS -d${DURATION}s"
    python3 Scripts/honeyd-harness.py --service "tcp:$HARNESS_PORT:$WORK/honeyd/tcp-80.sh:80" --log "$WORK/service.log" >"$WORK/harness.out" 2>&1 &
    HARNESS_PID=$!
    PIDS+=("$HARNESS_PID")
    for _ in $(seq 100); do grep -q ready "$WORK/harness.out" 2>/dev/null && break; sleep 0.1; done
    run_wrk "$HARNESS_PORT" "$wrk_threads" "$FORK_CONNECTIONS" "$WORK/wrk-fork.txt"
    FORK_LINE=$(summarise "$WORK/wrk-fork.txt")
    echo "fork-per-connection: $FORK_LINE"
    stop_pid "$HARNESS_PID"
    # Single-process start-up, the floor of the fork path: one respond run with EOF at once.
    START=$(date +%s%N)
    for _ in $(seq 20); do "$WORK/honeyd/tcp-80.sh" </dev/null >/dev/null 2>&1; done
    echo "respond start-up to exit (model load + banner + EOF): $(( ($(date +%s%N) - START) / 20000000 )) ms per run"
fi

IDLE_LINE="(skipped)"
if [ "$IDLE" = 1 ]; then
    echo "== $IDLE_CONNECTIONS idle connections held open against serve (engine ${ENGINES%% *})"
    : > "$WORK/events.log"
    start_serve "${SERVE_THREADS%% *}" "" "${ENGINES%% *}"
    BEFORE=$(rss_kb "$SERVE_PID")
    python3 - "$SERVE_PORT" "$IDLE_CONNECTIONS" "$SERVE_PID" "$WORK/idle.txt" <<'EOF'
import socket, sys, time
port, count, pid, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
socks = []
for i in range(count):
    s = socket.socket()
    s.connect(("127.0.0.1", port))
    socks.append(s)
# Let the server accept and set up every conversation.
time.sleep(3)
status = open(f"/proc/{pid}/status").read()
rss = [l for l in status.splitlines() if l.startswith(("VmRSS", "VmHWM"))]
open(out, "w").write(" ".join(" ".join(l.split()) for l in rss) + "\n")
for s in socks:
    s.close()
EOF
    AFTER=$(awk '{for (i=1;i<=NF;i++) if ($i=="VmRSS:") print $(i+1)}' "$WORK/idle.txt")
    sleep 1
    OPENED=$(grep -c '"session.opened"' "$WORK/events.log" || true)
    echo "serve with $IDLE_CONNECTIONS idle connections: $(cat "$WORK/idle.txt") (before: VmRSS $BEFORE kB; sessions opened: $OPENED)"
    echo "per idle connection: $(( (AFTER - BEFORE) * 1024 / IDLE_CONNECTIONS )) bytes"
    stop_pid "$SERVE_PID"
    IDLE_LINE="$IDLE_CONNECTIONS connections, $(( (AFTER - BEFORE) * 1024 / IDLE_CONNECTIONS )) bytes each (VmRSS $BEFORE -> $AFTER kB)"
fi

echo
echo "== summary ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $CONFIG build, ${DURATION}s per run, reply $SERVE_REPLY bytes)"
for line in "${RESULTS[@]}"; do echo "$line"; done
echo "fork-per-connection: $FORK_LINE"
echo "idle: $IDLE_LINE"
echo "work files: $WORK"
