#!/usr/bin/env bash
# The main job on the bundled example: learn a honeypot model from the real captures in
# Fixtures/captures (vsftpd, Apache, Samba, Exim, dnsmasq, Redis, OpenSSH), show it, draw the
# FTP state machine, and serve it on high ports. Interactive: serves until Ctrl-C. Otherwise
# (no terminal, or DEMO_SELF_CHECK=1): talks to it with real clients, then stops.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${DEMO_OUT:-demo-out}
offset=${DEMO_PORT_OFFSET:-20000}
mkdir -p "$out"
echo "== building scriptgen (release)"
swift build -c release --product scriptgen >/dev/null
swift build -c release --product scriptgen-honeypot >/dev/null
bin=$(swift build -c release --show-bin-path)
# The training captures, and the broad ones (a sweep of each protocol's commands; Fixtures/README.md).
captures=(Fixtures/captures/{ftp,http,smb,smtp,redis,ssh,dns}-train.pcap Fixtures/captures/{ftp,http,smtp,redis,dns}-train-broad.pcap)

echo "== scriptgen sessions --port 21 --messages Fixtures/captures/ftp-train.pcap (first lines)"
"$bin/scriptgen" sessions --port 21 --messages --preview-bytes 60 Fixtures/captures/ftp-train.pcap 2>/dev/null | head -12 || true

echo "== scriptgen learn ${captures[*]} --port 21 ... --port 6379 -o $out/example.model"
# The services' ports only: FTP data connections (passive ports 40000-40099) are not services.
ports=(--port 21 --port 22 --port 25 --port 53 --port 80 --port 139 --port 445 --port 6379)
"$bin/scriptgen" learn "${captures[@]}" "${ports[@]}" -o "$out/example.model" | grep -v "^  " || true

echo "== scriptgen inspect $out/example.model --port 21 --tree --max-depth 2"
"$bin/scriptgen" inspect "$out/example.model" --port 21 --tree --max-depth 2 | head -30 || true
if command -v dot >/dev/null; then
  "$bin/scriptgen" inspect "$out/example.model" --port 21 --svg "$out/ftp.svg" --max-depth 3
fi

echo "== scriptgen evaluate: the FTP model on held-out conversations it never saw"
"$bin/scriptgen" evaluate "$out/example.model" Fixtures/captures/ftp-heldout.pcap --port 21 2>/dev/null | head -3

echo "== scriptgen serve $out/example.model --listen 127.0.0.1 --port-offset $offset --events $out/events.jsonl"
# serve appends to its log; the demo shows this run's events only.
: > "$out/events.jsonl"
"$bin/scriptgen-honeypot" serve "$out/example.model" --listen 127.0.0.1 --port-offset "$offset" --events "$out/events.jsonl" &
server=$!
trap 'kill -INT $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
sleep 1
ftp=$((21 + offset)); http=$((80 + offset)); smtp=$((25 + offset)); redis=$((6379 + offset))
cat <<TXT

The honeypot is listening on 127.0.0.1. Try it with real clients:
  curl -v ftp://127.0.0.1:$ftp/ --user anonymous:me@example.com
  curl -i -H 'Host: 127.0.0.1' http://127.0.0.1:$http/
  nmap -sV -p $ftp,$http,$smtp 127.0.0.1
  redis-cli -p $redis ping
  nc 127.0.0.1 $smtp
Every conversation is logged as JSON lines in $out/events.jsonl.
TXT
if [ -t 0 ] && [ "${DEMO_SELF_CHECK:-0}" != 1 ]; then
  echo "Serving until Ctrl-C."
  wait $server
else
  echo "== self-check with real clients"
  if command -v curl >/dev/null; then
    curl -s -i --max-time 5 -H 'Host: 127.0.0.1' "http://127.0.0.1:$http/" | head -3 || true
    curl -s -v --max-time 5 "ftp://127.0.0.1:$ftp/" --user anonymous:me@example.com -Q PWD 2>&1 | grep '^< ' | head -5 || true
  fi
  sleep 0.5
  echo "== $(wc -l < "$out/events.jsonl") events logged; the first:"
  head -3 "$out/events.jsonl"
fi
