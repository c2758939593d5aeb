#!/usr/bin/env bash
# Instructions per connection of `scriptgen-honeypot serve` (not a test): callgrind counts
# instructions, not seconds, so the figure repeats whatever the machine's neighbours do, where
# connections per second (Scripts/bench-serve.sh) move by ±15% from run to run.
#
#   Scripts/bench-serve-instructions.sh                          # .build/release, native events
#   BASELINE_BIN=/old/.build/release Scripts/bench-serve-instructions.sh   # and that build, same way
#   FORMATS="native cowrie ecs" CONNECTIONS=2000 Scripts/bench-serve-instructions.sh
#
# Each binary serves the raw HTTP model of Fixtures/captures/http-train.pcap (+ http-nmap) with
# --threads 1 under valgrind; a client opens CONNECTIONS sequential `GET / HTTP/1.0`
# conversations, each read to the end of the answer. The same run without connections gives
# start-up and shutdown, subtracted: (total - idle) / CONNECTIONS. Needs valgrind and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${SCRIPTGEN_BIN:-.build/release}
BASELINE_BIN=${BASELINE_BIN:-}
FORMATS=${FORMATS:-native}
CONNECTIONS=${CONNECTIONS:-2000}
PORT=${PORT:-18097}
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
[ -x "$BIN/scriptgen-honeypot" ] || { echo "no $BIN/scriptgen-honeypot: swift build -c release first" >&2; exit 1; }
WORK=$(mktemp -d /tmp/bench-instructions.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
"$BIN/scriptgen" learn --raw --port 80 Fixtures/captures/http-train.pcap Fixtures/captures/http-nmap.pcap -o "$WORK/http.model" >/dev/null 2>&1
cat > "$WORK/load.py" <<'PY'
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
for _ in range(300):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close(); break
    except OSError: time.sleep(0.1)
ok = 0
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk: break
        data += chunk
        head, sep, body = data.partition(b"\r\n\r\n")
        length = [int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
        if sep and length and len(body) >= length[0]: break
    s.close(); ok += data.startswith(b"HTTP/1.1 200")
print(ok)
PY
# Instructions of one run: $1 binary dir, $2 connections, then serve options.
instructions() {
    local bin=$1 count=$2; shift 2
    # Without DWARF (valgrind cannot read Swift's), symbols kept.
    objcopy --strip-debug "$bin/scriptgen-honeypot" "$WORK/honeypot"
    valgrind --tool=callgrind --callgrind-out-file=/dev/null --log-file="$WORK/vg.log" "$WORK/honeypot" serve "$WORK/http.model" \
        --listen 127.0.0.1 --map "80=$PORT" --only-mapped --events "$WORK/events.log" --threads 1 "$@" 2>/dev/null &
    local pid=$!
    local answered
    answered=$(python3 "$WORK/load.py" "$PORT" "$count")
    kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
    [ "$answered" = "$count" ] || { echo "only $answered of $count answered" >&2; exit 1; }
    grep -o 'Collected : [0-9]*' "$WORK/vg.log" | awk '{print $3}'
}
echo "== instructions per connection, serve --threads 1, $CONNECTIONS connections (Scripts/bench-serve-instructions.sh)"
for bin in "$BIN" $BASELINE_BIN; do
    for format in $FORMATS; do
        options=()
        [ "$format" = native ] || options=(--events-format "$format")
        # A baseline build may not know --events-format: it runs native only.
        if [ "$bin" != "$BIN" ] && [ "$format" != native ]; then continue; fi
        total=$(instructions "$bin" "$CONNECTIONS" "${options[@]}")
        idle=$(instructions "$bin" 0 "${options[@]}")
        echo "$bin $format: $(( (total - idle) / CONNECTIONS )) instructions per connection (start-up and shutdown: $idle)"
    done
done
