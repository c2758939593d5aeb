#!/usr/bin/env bash
# Load benchmark for serving a learned model (not a test): new connections per second and
# answer latency percentiles for `scriptgen-honeypot serve` (SwiftNIO) and, in the same run,
# for the honeyd-style fork-per-connection path (`respond` under Scripts/honeyd-harness.py),
# then the memory of `serve` holding 10,000 idle connections.
#
#   Scripts/bench-serve.sh                       # release build, 10 s per load run
#   DURATION=20 CONNECTIONS=128 Scripts/bench-serve.sh
#   CONFIG=debug SERVE_THREADS=2 Scripts/bench-serve.sh
#
# Load: wrk (Debian package `wrk`) sends `GET / HTTP/1.0`, which the model (learned from
# Fixtures/captures/http-train.pcap + http-nmap.pcap) answers with the real Apache reply
# carrying `Connection: close`, so wrk opens a new connection for every request: requests/s
# is new connections/s, and wrk's latency is the time from sending the request to the whole
# answer. Events are logged to a file, as in production.
# Idle connections: a small Python client opens IDLE_CONNECTIONS sockets and holds them;
# memory is VmRSS/VmHWM of the serve process from /proc.
set -euo pipefail
cd "$(dirname "$0")/.."

CONFIG=${CONFIG:-release}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
FORK_CONNECTIONS=${FORK_CONNECTIONS:-16}
SERVE_THREADS=${SERVE_THREADS:-1}
WRK_THREADS=${WRK_THREADS:-1}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000}
FIXTURES=${SCRIPTGEN_FIXTURES:-Fixtures}
SERVE_PORT=${SERVE_PORT:-18080}
HARNESS_PORT=${HARNESS_PORT:-18081}

command -v wrk >/dev/null || { echo "bench-serve: needs wrk (apt-get install wrk)" >&2; exit 1; }
[ -f "$FIXTURES/captures/http-train.pcap" ] || { echo "bench-serve: no $FIXTURES/captures (set SCRIPTGEN_FIXTURES)" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((IDLE_CONNECTIONS + 100)) ]; then
    echo "bench-serve: open-file limit $(ulimit -n) is below $IDLE_CONNECTIONS idle connections; lowering IDLE_CONNECTIONS" >&2
    IDLE_CONNECTIONS=$(( $(ulimit -n) - 100 ))
fi

echo "== building ($CONFIG)"
swift build -c "$CONFIG" --product scriptgen >/dev/null
swift build -c "$CONFIG" --product scriptgen-honeypot >/dev/null
BIN=$(swift build -c "$CONFIG" --show-bin-path)
WORK=$(mktemp -d /tmp/bench-serve.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

"$BIN/scriptgen" learn --raw --port 80 "$FIXTURES/captures/http-train.pcap" "$FIXTURES/captures/http-nmap.pcap" -o "$WORK/http.model" >/dev/null 2>&1
"$BIN/scriptgen" export-honeyd "$WORK/http.model" -o "$WORK/honeyd" >/dev/null
cat > "$WORK/http10.lua" <<'EOF'
request = function() return "GET / HTTP/1.0\r\n\r\n" end
EOF

memory() { awk '/^VmRSS|^VmHWM/ {printf "%s %s kB  ", $1, $2}' "/proc/$1/status"; echo; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

start_serve() {
    "$BIN/scriptgen-honeypot" serve "$WORK/http.model" --listen 127.0.0.1 --map "80=$SERVE_PORT" --only-mapped \
        --events "$WORK/events.log" --threads "$SERVE_THREADS" \
        --max-connections 200000 --max-connections-per-source 200000 --idle-timeout 120 2>"$WORK/serve.err" &
    SERVE_PID=$!
    PIDS+=("$SERVE_PID")
    for _ in $(seq 100); do grep -q "stop with" "$WORK/serve.err" 2>/dev/null && return; sleep 0.1; done
    echo "serve did not start" >&2; cat "$WORK/serve.err" >&2; exit 1
}

summarise() {  # wrk output -> one line
    awk '/Requests\/sec/ {rps=$2} /Latency Distribution/ {d=1} d && /50%/ {p50=$2} d && /90%/ {p90=$2} d && /99%/ {p99=$2}
         /Socket errors/ {err=$0} /Non-2xx/ {non2xx=$0}
         END {printf "%s new connections/s, latency p50 %s p90 %s p99 %s %s %s\n", rps, p50, p90, p99, err, non2xx}' "$1"
}

echo "== serve (SwiftNIO, $SERVE_THREADS event-loop thread(s)); wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s"
start_serve
wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/http10.lua" "http://127.0.0.1:$SERVE_PORT/" > "$WORK/wrk-serve.txt"
SERVE_LINE=$(summarise "$WORK/wrk-serve.txt")
echo "serve: $SERVE_LINE"
echo "serve memory after load: $(memory "$SERVE_PID")"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
echo "serve events logged: $(wc -l < "$WORK/events.log") lines ($(grep -c '"session.closed"' "$WORK/events.log") sessions)"

echo "== respond under the honeyd harness (fork + exec per connection); wrk -t$WRK_THREADS -c$FORK_CONNECTIONS -d${DURATION}s"
python3 Scripts/honeyd-harness.py --service "tcp:$HARNESS_PORT:$WORK/honeyd/tcp-80.sh:80" --log "$WORK/service.log" >"$WORK/harness.out" 2>&1 &
HARNESS_PID=$!
PIDS+=("$HARNESS_PID")
for _ in $(seq 100); do grep -q ready "$WORK/harness.out" 2>/dev/null && break; sleep 0.1; done
wrk -t"$WRK_THREADS" -c"$FORK_CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/http10.lua" "http://127.0.0.1:$HARNESS_PORT/" > "$WORK/wrk-fork.txt"
FORK_LINE=$(summarise "$WORK/wrk-fork.txt")
echo "fork-per-connection: $FORK_LINE"
kill -TERM "$HARNESS_PID"; wait "$HARNESS_PID" 2>/dev/null || true
# Single-process start-up, the floor of the fork path: one respond run with EOF at once.
START=$(date +%s%N)
for _ in $(seq 20); do "$WORK/honeyd/tcp-80.sh" </dev/null >/dev/null 2>&1; done
echo "respond start-up to exit (model load + banner + EOF): $(( ($(date +%s%N) - START) / 20000000 )) ms per run"

echo "== $IDLE_CONNECTIONS idle connections held open against serve"
: > "$WORK/events.log"
start_serve
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
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true

echo
echo "== summary ($(nproc) cores, $CONFIG build)"
echo "serve:               $SERVE_LINE"
echo "fork-per-connection: $FORK_LINE"
echo "idle: $IDLE_CONNECTIONS connections, $(( (AFTER - BEFORE) * 1024 / IDLE_CONNECTIONS )) bytes each (VmRSS $BEFORE -> $AFTER kB)"
echo "work files: $WORK"
