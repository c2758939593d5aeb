#!/usr/bin/env bash
# The project's test command: installs what the tests use from Debian, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v tshark >/dev/null || need+=(tshark)
command -v tcpdump >/dev/null || need+=(tcpdump)
command -v dot >/dev/null || need+=(graphviz)
command -v curl >/dev/null || need+=(curl)
command -v nmap >/dev/null || need+=(nmap)
command -v redis-cli >/dev/null || need+=(redis-tools)
command -v dig >/dev/null || need+=(dnsutils)
command -v python3 >/dev/null || need+=(python3)
# The Redis nmap live test serves port 6379 in a network namespace of its own.
command -v ip >/dev/null || need+=(iproute2)
command -v nsenter >/dev/null || need+=(util-linux)
dpkg -s zlib1g-dev >/dev/null 2>&1 || need+=(zlib1g-dev)
# The deployment test runs the systemd unit's command as systemd would, and the logrotate rule.
command -v logrotate >/dev/null || need+=(logrotate)
command -v setpriv >/dev/null || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
    apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "note: not root, tests that need ${need[*]} will be skipped" >&2
  fi
fi
# The HPFeeds tests run the broker and client of the hpfeeds package (PyPI).
if ! python3 -c "import hpfeeds.scripts.broker, hpfeeds.asyncio" 2>/dev/null; then
  python3 -m pip install -q "hpfeeds[broker]==3.1.0" >/dev/null 2>&1 \
    || python3 -m pip install -q --break-system-packages "hpfeeds[broker]==3.1.0" >/dev/null 2>&1 \
    || echo "note: could not install hpfeeds, the HPFeeds tests will be skipped" >&2
fi
swift build --build-tests
swift test --skip-build "$@"
