#!/usr/bin/env bash
# Capture-reading benchmark (issue 2): builds a large capture by replicating the real fixture
# conversations on new 4-tuples, then reads it with `scriptgen sessions`, `tcpdump -r -w
# /dev/null` and `tshark -q -z conv,tcp` in the same run, and prints throughput, peak memory
# and ratios.
#
#   Scripts/bench-capture.sh [MEGABYTES (default 600)] [WORKDIR (default /tmp/scriptgen-bench)]
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-600}
work=${2:-/tmp/scriptgen-bench}
mkdir -p "$work"
large="$work/large-${size}MB.pcap"

swift build -c release --product scriptgen >/dev/null
scriptgen=$(swift build -c release --show-bin-path)/scriptgen
if [ ! -s "$large" ]; then
  (cd Benchmarks/Capture && swift build -c release >/dev/null)
  inputs=$(ls Fixtures/captures/*-train.pcap Fixtures/captures/*-heldout.pcap 2>/dev/null | grep -v -e any -e nano || true)
  Benchmarks/Capture/.build/release/replicate-capture "$large" "$size" $inputs
fi

# Runs a command, prints "seconds peak_kilobytes".
measure() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
elapsed = time.perf_counter() - start
print(f"{elapsed:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
PY
}

bytes=$(stat -c %s "$large")
cat "$large" > /dev/null   # warm the page cache so every reader starts equal
read -r sg_s sg_kb < <(measure "$scriptgen" sessions "$large")
summary=$("$scriptgen" sessions "$large" 2>&1 >/dev/null | tail -1)
packets=$(echo "$summary" | sed -n 's/.*read \([0-9]*\) packets.*/\1/p')
conversations=$(echo "$summary" | sed -n 's/.*; \([0-9]*\) conversations.*/\1/p')
read -r td_s td_kb < <(measure tcpdump -r "$large" -w /dev/null)
if command -v tshark >/dev/null && [ "${SKIP_TSHARK:-0}" != 1 ]; then
  read -r ts_s ts_kb < <(measure tshark -r "$large" -q -z conv,tcp)
else
  ts_s=nan; ts_kb=nan
fi
python3 - "$bytes" "$packets" "$conversations" "$sg_s" "$sg_kb" "$td_s" "$td_kb" "$ts_s" "$ts_kb" "$large" <<'PY'
import sys
b, p, c = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
sg, sgkb, td, tdkb, ts, tskb = map(float, sys.argv[4:10])
mb = b / 1e6
print(f"capture: {sys.argv[10]}: {mb:.0f} MB, {p} packets, {c} conversations")
print(f"{'reader':34} {'seconds':>8} {'MB/s':>8} {'packets/s':>11} {'conv/s':>9} {'peak MB':>8}")
def row(name, s, kb, conv=True):
    print(f"{name:34} {s:8.2f} {mb/s:8.0f} {p/s:11.0f} {(c/s if conv else float('nan')):9.0f} {kb/1024:8.0f}")
row("scriptgen sessions (release)", sg, sgkb)
row("tcpdump -r FILE -w /dev/null", td, tdkb, conv=False)
if ts == ts: row("tshark -r FILE -q -z conv,tcp", ts, tskb)
print(f"ratio scriptgen/tcpdump time: {sg/td:.2f}x (target <= 3x)")
if ts == ts: print(f"ratio tshark/scriptgen time: {ts/sg:.1f}x faster (target >= 25x)")
print(f"scriptgen peak memory: {sgkb/1024:.0f} MB (target < 200 MB)")
PY
echo "command: Scripts/bench-capture.sh $size $work"
