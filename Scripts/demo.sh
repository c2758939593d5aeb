#!/usr/bin/env bash
# The main job on the bundled example: learn a honeypot model from the real captures in
# Fixtures/captures (vsftpd, Apache, Samba, Exim, dnsmasq, Redis, OpenSSH), show it, and draw
# the FTP state machine.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${DEMO_OUT:-demo-out}
mkdir -p "$out"
echo "== building scriptgen (release)"
swift build -c release --product scriptgen >/dev/null
swift build -c release --product scriptgen-honeypot >/dev/null
bin=$(swift build -c release --show-bin-path)
captures=(Fixtures/captures/{ftp,http,smb,smtp,dns,redis,ssh}-train.pcap)
echo "== scriptgen sessions (first conversations of the FTP capture)"
"$bin/scriptgen" sessions --port 21 --messages --preview-bytes 60 Fixtures/captures/ftp-train.pcap | head -20
echo "== scriptgen learn ${captures[*]} -o $out/example.model"
"$bin/scriptgen" learn "${captures[@]}" -o "$out/example.model"
echo "== scriptgen inspect $out/example.model --port 21 --tree --max-depth 3"
"$bin/scriptgen" inspect "$out/example.model" --port 21 --tree --max-depth 3
if command -v dot >/dev/null; then
  "$bin/scriptgen" inspect "$out/example.model" --port 21 --svg "$out/ftp.svg" --max-depth 4
fi
