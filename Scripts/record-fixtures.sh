#!/usr/bin/env bash
# Records ScriptGen's test captures from real servers and real clients on loopback.
#
# For each service it starts the real server on 127.0.0.1 (private config under
# $RUN_DIR, no systemd), records a TRAINING and a HELD-OUT capture with tcpdump on `lo`
# while real clients (from several 127.0.0.x source addresses) talk to it, records a
# separate `*-nmap.pcap` of an `nmap -sV` scan, saves expected outputs for live tests,
# and stops every server it started. Output: Fixtures/captures/, Fixtures/expected/.
# The BROAD set (`--sets broad`) records one more, larger training capture per text
# service, `*-train-broad.pcap`: a seeded sweep of the protocol's command vocabulary
# (see "broad sets" below and Fixtures/README.md), without touching the other files.
#
# Usage (as root, Debian 12):   Scripts/record-fixtures.sh [--sets LIST] [service ...]
#   services: ftp http smb smtp dns redis ssh mysql   (default: all)
#   --sets LIST      comma-separated: main (train, held-out, nmap, expected outputs)
#                    and/or broad (ftp smtp redis http dns only); default main,broad.
#                    Same as SETS=LIST. `--sets broad` records only *-train-broad.pcap.
#   SKIP_INSTALL=1   do not run apt-get (packages already installed)
#   RUN_DIR=/path    scratch directory for server configs (default /tmp/scriptgen-fixtures)
#
# Traffic stays on 127.0.0.0/8: after installing, the script re-runs itself inside a new
# network namespace (`unshare --net`) whose only interface is its own lo. Each client call is wrapped in `timeout`, every loop is
# over a fixed list, and servers are stopped on exit (also on error or Ctrl-C).
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CAPTURES="$REPO_DIR/Fixtures/captures"
EXPECTED="$REPO_DIR/Fixtures/expected"
CLIENTS="$REPO_DIR/Scripts/fixtures/clients.py"
RUN_DIR=${RUN_DIR:-/tmp/scriptgen-fixtures}
PY=/usr/bin/python3                 # Debian's python3 (has python3-impacket)
CLIENT_TIMEOUT=30                   # seconds, per client command
export DEBIAN_FRONTEND=noninteractive
export LC_ALL=C

log() { printf '[record-fixtures] %s\n' "$*" >&2; }

# Runs one client command, bounded in time; a failing client (bad password, 404...)
# is expected traffic, so its exit status is only logged.
client() { client_stdin "$@" </dev/null; }

# Same, with the caller's standard input (for clients fed from a pipe).
client_stdin() {
    local rc=0
    printf '$ %s\n' "$*" >>"$RUN_DIR/clients.log"
    timeout --kill-after=5 "$CLIENT_TIMEOUT" "$@" >>"$RUN_DIR/clients.log" 2>&1 || rc=$?
    [ "$rc" = 0 ] || printf '  (exit %s)\n' "$rc" >>"$RUN_DIR/clients.log"
}

# ------------------------------------------------------------------ packages

install_packages() {
    [ "${SKIP_INSTALL:-0}" = 1 ] && return 0
    local created_policy=0
    # Keep the packages' init scripts from starting daemons on their default
    # (0.0.0.0) addresses: we start our own, bound to 127.0.0.1.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        created_policy=1
    fi
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends \
        tcpdump tshark wireshark-common vsftpd apache2 samba smbclient \
        exim4-daemon-light swaks dnsmasq-base dnsutils redis-server redis-tools \
        openssh-server openssh-client curl wget lftp nmap netcat-openbsd \
        python3 python3-impacket iproute2 procps mariadb-server mariadb-client hydra >/dev/null
    [ "$created_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
    return 0
}

# ------------------------------------------------------------ process control

STARTED_PIDFILES=()     # servers to stop at exit
CAPTURE_PIDS=()         # running capture processes

pid_from() { [ -s "$1" ] && tr -dc '0-9' <"$1" || true; }

stop_pidfile() {
    local pid
    pid=$(pid_from "$1")
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$1"
}

stop_all() {
    local f
    for pid in "${CAPTURE_PIDS[@]:-}"; do [ -n "$pid" ] && kill -INT "$pid" 2>/dev/null || true; done
    for f in "${STARTED_PIDFILES[@]:-}"; do [ -n "$f" ] && stop_pidfile "$f"; done
    STARTED_PIDFILES=()
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Waits (bounded) until something listens on 127.0.0.1:PORT, without connecting to it.
wait_listen() {
    local proto=$1 port=$2
    for _ in $(seq 1 100); do
        if ss -Hln"${proto:0:1}" "sport = :$port" | grep -q .; then return 0; fi
        sleep 0.1
    done
    log "nothing listens on $proto/$port"; return 1
}

wait_closed() {
    local proto=$1 port=$2
    for _ in $(seq 1 100); do
        ss -Hln"${proto:0:1}" "sport = :$port" | grep -q . || return 0
        sleep 0.1
    done
    log "$proto/$port still busy"; return 1
}

# capture_start KIND FILE FILTER: KIND is lo | any | nano | pcapng.
capture_start() {
    local kind=$1 file=$2 filter=$3 pid log
    log="$RUN_DIR/$(basename "$file").log"
    rm -f "$file" "$log"
    case $kind in
        lo)     tcpdump -i lo -s 0 -U -n -Z root -w "$file" "$filter" 2>"$log" & ;;
        any)    tcpdump -i any -s 0 -U -n -Z root -w "$file" "$filter" 2>"$log" & ;;
        nano)   tcpdump -i lo -s 0 -U -n -Z root --time-stamp-precision=nano \
                    -w "$file" "$filter" 2>"$log" & ;;
        pcapng) dumpcap -i lo -n -q -f "$filter" -w "$file" 2>"$log" & ;;
    esac
    pid=$!
    CAPTURE_PIDS+=("$pid")
    for _ in $(seq 1 100); do
        grep -qE 'listening on|Capturing on' "$log" 2>/dev/null && break
        sleep 0.1
    done
    sleep 0.5
}

capture_stop() {
    sleep 1.5   # let FIN/ACKs and late replies land
    local pid
    for pid in "${CAPTURE_PIDS[@]}"; do
        kill -INT "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    CAPTURE_PIDS=()
}

# nmap_scan NAME PORT: separate capture of `nmap -sV`, and the normalised table.
nmap_scan() {
    local name=$1 port=$2
    capture_start lo "$CAPTURES/$name-nmap.pcap" "tcp port $port"
    timeout 300 nmap -n -Pn -sV -p "$port" 127.0.0.1 >"$RUN_DIR/nmap-$name.out" 2>&1 || true
    capture_stop
    # Keep the PORT/STATE/SERVICE/VERSION table only, with runs of blanks squeezed.
    grep -E '^(PORT|[0-9]+/(tcp|udp)) ' "$RUN_DIR/nmap-$name.out" | tr -s ' ' \
        >"$EXPECTED/nmap-$name.txt" || true
}

# send_lines SOURCE PORT LINE...: a raw client (nc bound to SOURCE) that sends each
# line (CRLF) with a pause, so the recorded replies line up with the requests.
send_lines() {
    local source=$1 port=$2; shift 2
    {
        sleep 0.7
        for line in "$@"; do printf '%s\r\n' "$line"; sleep 0.7; done
    } | timeout 15 nc -q 2 -s "$source" 127.0.0.1 "$port" || true
}

# Fixed file times, so listings, Last-Modified and ETag headers repeat across runs.
pin_mtimes() { find "$@" -exec touch -h -d '2024-03-01 12:00:00 UTC' {} +; }

ensure_user() {  # ensure_user NAME PASSWORD
    id "$1" >/dev/null 2>&1 || useradd -m -s /bin/bash "$1"
    echo "$1:$2" | chpasswd
}

# ------------------------------------------------------- broad sets: shared

# Argument values of the broad sets come from these lists (and the same kind of lists
# in clients.py) through bash's RANDOM seeded per service: none is taken from the
# held-out set. Tool calls of the broad sets bind to 127.0.1.x, clients.py to 127.0.2.x.
BROAD_FTP_USERS=(ftperin:Quill-7rain ftpfrank:Tiber#2208 ftpgrace:Mosaic_41 ftpheidi:Lantern99)
BROAD_WORDS=(amber basalt cedar delta ember fjord garnet harbor indigo juniper kestrel lagoon
             meadow nimbus onyx pebble quartz raven saffron tundra umber velvet willow zephyr)
BROAD_PEOPLE=(erin frank grace heidi ivan judy mallory niaj olivia peggy rupert sybil trent victor)
BROAD_DOMAINS=(northwind.example contoso.example fabrikam.example tailspin.example
               wingtip.example adatum.example litware.example woodgrove.example)
BROAD_PASSWORDS=(qwerty 12345678 sunshine dragon trustno1 iloveyou monkey welcome1 changeme
                 abc123 Summer2023 football Granite-771 Velvet#90 nimbus2k)

# pick VAR WORD...: sets VAR to one of the words (no subshell, so the seeded RANDOM
# sequence is the same on every run).
pick() {
    local -n _picked=$1; shift
    _picked=${*:$((RANDOM % $# + 1)):1}
}

# The broad FTP users (also local mail recipients of the SMTP broad set), with a small
# home tree each; the same names are in clients.py (FTP_USER_TREE).
broad_users() {
    local u home
    for u in "${BROAD_FTP_USERS[@]}"; do
        ensure_user "${u%%:*}" "${u#*:}"
        home=/home/${u%%:*}
        mkdir -p "$home/reports/2023" "$home/src" "$home/inbox"
        printf '# plan of %s\n- ship %s\n' "${u%%:*}" "${u%%:*}" >"$home/plan.md"
        printf 'month,amount\n7,1200\n8,1350\n9,990\n' >"$home/reports/q3.csv"
        printf 'summary 2023: %s\n' "${u%%:*}" >"$home/reports/2023/summary.txt"
        printf 'int main(void) { return 0; }\n' >"$home/src/main.c"
        printf 'all:\n\tcc -o main main.c\n' >"$home/src/Makefile"
        printf 'Subject: hello %s\n\nsee you\n' "${u%%:*}" >"$home/inbox/msg-0007.eml"
        chown -R "${u%%:*}:" "$home"
        pin_mtimes "$home/plan.md" "$home/reports" "$home/src" "$home/inbox"
    done
}

# ----------------------------------------------------------------------- FTP

ftp_start() {   # ftp_start [broad]: broad adds the broad set's files and users
    local d=$RUN_DIR/ftp variant=${1:-main}
    mkdir -p "$d/anon/pub/docs" /var/run/vsftpd/empty
    rm -rf "$d/anon/mirror" "$d/anon/releases" "$d/anon/media" "$d/anon/incoming" "$d/anon/welcome.msg"
    if [ "$variant" = broad ]; then
        # The anonymous tree of clients.py FTP_ANON_TREE.
        mkdir -p "$d/anon/mirror/debian" "$d/anon/releases/v2.3" "$d/anon/media" "$d/anon/incoming"
        printf 'Mirror of the kestrel project. Be nice.\n' >"$d/anon/welcome.msg"
        seq 1 40 | sed 's/^/image-/; s/$/.iso/' >"$d/anon/mirror/iso-list.txt"
        printf 'bookworm\ntrixie\nsid\n' >"$d/anon/mirror/debian/dists.txt"
        printf '## 2.3\n- faster\n## 2.2\n- fixes\n' >"$d/anon/releases/CHANGES.md"
        seq 1 300 | gzip -n -9 >"$d/anon/releases/v2.3/tool-2.3.tar.gz"
        printf '\xff\xd8\xff\xe0\0\x10JFIF\0\1\1\0\0\1\0\1\0\0\xff\xd9' >"$d/anon/media/pic001.jpg"
        printf 'clip notes\n' >"$d/anon/media/clip.txt"
        broad_users
    fi
    echo "Welcome to the anonymous FTP area." >"$d/anon/pub/readme.txt"
    seq 1 200 | sed 's/^/line /' >"$d/anon/pub/docs/numbers.txt"
    printf 'ScriptGen release notes\nversion 1.0\n' >"$d/anon/pub/docs/RELEASE"
    chmod -R a+rX,go-w "$d/anon"
    local u
    for u in ftpalice:Alice-pw1 ftpbob:Bob-pw2 ftpcarol:Carol-pw3 ftpdave:Dave-pw4; do
        ensure_user "${u%%:*}" "${u#*:}"
        local home=/home/${u%%:*}
        mkdir -p "$home/projects"
        echo "notes of ${u%%:*}" >"$home/notes.txt"
        echo "todo: write tests" >"$home/projects/todo.txt"
        chown -R "${u%%:*}:" "$home"
        pin_mtimes "$home/notes.txt" "$home/projects"
    done
    pin_mtimes "$d/anon"
    cat >"$d/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=21
background=NO
anonymous_enable=YES
anon_root=$d/anon
no_anon_password=NO
local_enable=YES
write_enable=NO
chroot_local_user=YES
allow_writeable_chroot=YES
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=40000
pasv_max_port=40049
port_enable=YES
connect_from_port_20=NO
dirmessage_enable=NO
use_localtime=NO
xferlog_enable=NO
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
secure_chroot_dir=/var/run/vsftpd/empty
pam_service_name=vsftpd
max_login_fails=3
EOF
    /usr/sbin/vsftpd "$d/vsftpd.conf" >"$d/vsftpd.out" 2>&1 &
    echo $! >"$d/vsftpd.pid"
    STARTED_PIDFILES+=("$d/vsftpd.pid")
    wait_listen tcp 21
}

ftp_drive() {
    local variant=$1 lftp_opts="set net:max-retries 1; set net:reconnect-interval-base 1; set net:timeout 5; set cmd:fail-exit yes"
    if [ "$variant" = train ]; then
        local src=(127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5)
        # curl: anonymous
        client curl -s --interface "${src[0]}" ftp://127.0.0.1/
        client curl -s --interface "${src[1]}" ftp://127.0.0.1/pub/
        client curl -s --interface "${src[2]}" ftp://127.0.0.1/pub/readme.txt
        client curl -s --interface "${src[3]}" --list-only ftp://127.0.0.1/pub/docs/
        client curl -s --interface "${src[0]}" -Q SYST -Q PWD ftp://127.0.0.1/pub/docs/numbers.txt
        client curl -s --interface "${src[1]}" --ftp-method nocwd ftp://127.0.0.1/pub/docs/RELEASE
        client curl -s --interface "${src[2]}" -u anonymous:guest@example.org ftp://127.0.0.1/pub/
        client curl -s --interface "${src[3]}" ftp://127.0.0.1/pub/nothere.txt
        client curl -s --interface "${src[0]}" -I ftp://127.0.0.1/pub/readme.txt
        client curl -s --interface "${src[1]}" --ftp-port 127.0.0.3:40080-40089 ftp://127.0.0.1/pub/
        # curl: local users, good and bad passwords
        client curl -s --interface "${src[2]}" -u ftpalice:Alice-pw1 ftp://127.0.0.1/
        client curl -s --interface "${src[3]}" -u ftpalice:Alice-pw1 ftp://127.0.0.1/notes.txt
        client curl -s --interface "${src[0]}" -u ftpalice:Alice-pw1 ftp://127.0.0.1/projects/todo.txt
        client curl -s --interface "${src[1]}" -u ftpbob:Bob-pw2 ftp://127.0.0.1/projects/
        client curl -s --interface "${src[2]}" -u ftpbob:Bob-pw2 -Q "CWD projects" -Q PWD ftp://127.0.0.1/
        client curl -s --interface "${src[3]}" -u ftpalice:wrongpass ftp://127.0.0.1/
        client curl -s --interface "${src[0]}" -u ftpbob:123456 ftp://127.0.0.1/
        client curl -s --interface "${src[1]}" -u root:toor ftp://127.0.0.1/
        client curl -s --interface "${src[2]}" -u admin:admin ftp://127.0.0.1/
        client curl -s --interface "${src[3]}" -u ftpbob:Bob-pw2 ftp://127.0.0.1/missing.txt
        # lftp
        client lftp -e "$lftp_opts; set net:socket-bind-ipv4 127.0.0.6; ls; cd pub; ls; cat readme.txt; quote SYST; quote PWD; bye" -u anonymous,lftp@ 127.0.0.1
        client lftp -e "$lftp_opts; set net:socket-bind-ipv4 127.0.0.7; cls -l pub/docs; bye" 127.0.0.1
        client lftp -e "$lftp_opts; set net:socket-bind-ipv4 127.0.0.6; ls; cat notes.txt; cd projects; ls; bye" -u ftpalice,Alice-pw1 127.0.0.1
        client lftp -e "$lftp_opts; set net:socket-bind-ipv4 127.0.0.7; quote SYST; quote FEAT; quote STAT; bye" -u ftpbob,Bob-pw2 127.0.0.1
        client lftp -e "$lftp_opts; set net:socket-bind-ipv4 127.0.0.8; ls; bye" -u ftpbob,wrong 127.0.0.1
        client lftp -e "$lftp_opts; set net:socket-bind-ipv4 127.0.0.8; set ftp:passive-mode no; set ftp:port-range 40080-40089; ls pub; bye" 127.0.0.1
        # ftplib-like raw sessions (nc): SYST/PWD/CWD/QUIT without a data connection
        send_lines 127.0.0.201 21 "USER anonymous" "PASS anon@" "SYST" "PWD" "CWD pub" "PWD" "CWD nowhere" "QUIT" >>"$RUN_DIR/clients.log"
        send_lines 127.0.0.202 21 "USER ftpalice" "PASS Alice-pw1" "PWD" "CWD projects" "CDUP" "TYPE I" "SIZE notes.txt" "QUIT" >>"$RUN_DIR/clients.log"
        send_lines 127.0.0.203 21 "USER ftpbob" "PASS nope" "QUIT" >>"$RUN_DIR/clients.log"
        send_lines 127.0.0.204 21 "SYST" "HELP" "NOOP" "QUIT" >>"$RUN_DIR/clients.log"
    else
        local src=(127.0.0.12 127.0.0.13 127.0.0.14)
        client curl -s --interface "${src[0]}" -u anonymous:mozilla@example.com ftp://127.0.0.1/pub/docs/
        client curl -s --interface "${src[1]}" ftp://127.0.0.1/pub/docs/RELEASE
        client curl -s --interface "${src[2]}" --list-only ftp://127.0.0.1/
        client curl -s --interface "${src[0]}" -Q NOOP -Q STAT ftp://127.0.0.1/pub/readme.txt
        client curl -s --interface "${src[1]}" --ftp-method singlecwd ftp://127.0.0.1/pub/docs/numbers.txt
        client curl -s --interface "${src[2]}" ftp://127.0.0.1/etc/passwd
        client curl -s --interface "${src[0]}" -u ftpcarol:Carol-pw3 ftp://127.0.0.1/
        client curl -s --interface "${src[1]}" -u ftpcarol:Carol-pw3 ftp://127.0.0.1/projects/todo.txt
        client curl -s --interface "${src[2]}" -u ftpdave:Dave-pw4 --list-only ftp://127.0.0.1/projects/
        client curl -s --interface "${src[0]}" -u ftpdave:Dave-pw4 -Q SYST ftp://127.0.0.1/notes.txt
        client curl -s --interface "${src[1]}" -u ftpcarol:password ftp://127.0.0.1/
        client curl -s --interface "${src[2]}" -u ftpdave:letmein ftp://127.0.0.1/
        client curl -s --interface "${src[0]}" -u oracle:oracle ftp://127.0.0.1/
        client curl -s --interface "${src[1]}" -u test:test123 ftp://127.0.0.1/
        client curl -s --interface "${src[2]}" -u ftpdave:Dave-pw4 ftp://127.0.0.1/secret/
        client lftp -e "$lftp_opts; set net:socket-bind-ipv4 127.0.0.15; cd pub/docs; ls; cat numbers.txt; quote MDTM RELEASE; bye" 127.0.0.1
        client lftp -e "$lftp_opts; set net:socket-bind-ipv4 127.0.0.16; find; bye" -u ftpcarol,Carol-pw3 127.0.0.1
        client lftp -e "$lftp_opts; set net:socket-bind-ipv4 127.0.0.15; quote HELP; quote NOOP; cd projects; ls; bye" -u ftpdave,Dave-pw4 127.0.0.1
        client lftp -e "$lftp_opts; set net:socket-bind-ipv4 127.0.0.16; ls; bye" -u ftpcarol,Carol-pw9 127.0.0.1
        send_lines 127.0.0.205 21 "USER ftp" "PASS ie@" "SYST" "CWD /pub/docs" "PWD" "TYPE A" "MODE S" "QUIT" >>"$RUN_DIR/clients.log"
        send_lines 127.0.0.206 21 "USER ftpdave" "PASS Dave-pw4" "PWD" "CWD /tmp" "MKD newdir" "DELE notes.txt" "QUIT" >>"$RUN_DIR/clients.log"
        send_lines 127.0.0.207 21 "USER admin" "PASS admin" "USER admin" "PASS 1234" "QUIT" >>"$RUN_DIR/clients.log"
        send_lines 127.0.0.208 21 "FEAT" "OPTS UTF8 ON" "QUIT" >>"$RUN_DIR/clients.log"
    fi
}

ftp_expected() {
    send_lines 127.0.0.1 21 "USER anonymous" "PASS guest@example.org" "SYST" "PWD" "QUIT" \
        >"$EXPECTED/ftp-anonymous-session.txt"
    send_lines 127.0.0.1 21 "USER ftpalice" "PASS wrongpass" "QUIT" >"$EXPECTED/ftp-bad-login.txt"
}

# ---------------------------------------------------------------------- HTTP

http_start() {   # http_start [broad]: broad adds the broad set's pages (clients.py HTTP_PAGES)
    local d=$RUN_DIR/http m=/usr/lib/apache2/modules variant=${1:-main}
    mkdir -p "$d/www/docs" "$d/www/images" "$d/www/products" "$d/www/admin" "$d/cgi-bin"
    rm -rf "$d/www/news" "$d/www/catalog" "$d/www/kb" "$d/www/static" "$d/www/downloads" \
        "$d/www/team.html" "$d/cgi-bin/form.sh"
    if [ "$variant" = broad ]; then
        mkdir -p "$d/www/news" "$d/www/catalog" "$d/www/kb" "$d/www/static" "$d/www/downloads"
        printf '<html><head><title>Spring news</title></head><body><h2>Spring 2024</h2><p>New office in Lisbon.</p></body></html>\n' >"$d/www/news/2024-spring.html"
        printf '<html><body><ul><li>2023</li><li>2022</li></ul></body></html>\n' >"$d/www/news/archive.html"
        printf '<html><body><h2>Item 17</h2><p>Cedar chair, 89 EUR</p></body></html>\n' >"$d/www/catalog/item-17.html"
        printf '{"items":[{"id":17,"price":89},{"id":18,"price":120}]}\n' >"$d/www/catalog/prices.json"
        seq 1 30 | sed 's/^/step /' >"$d/www/kb/setup-guide.txt"
        printf 'document.title = "app";\n' >"$d/www/static/app.js"
        printf 'p { margin: 0 }\n' >"$d/www/static/site.css"
        printf 'GIF89a\1\0\1\0\x80\0\0\0\0\0\xff\xff\xff!\xf9\4\1\0\0\0\0,\0\0\0\0\1\0\1\0\0\2\2D\1\0;' >"$d/www/static/icon.gif"
        printf '<html><body><h1>Team</h1><p>Nine people.</p></body></html>\n' >"$d/www/team.html"
        seq 1 200 | gzip -n -9 >"$d/www/downloads/tool-2.3.tar.gz"
    fi
    cat >"$d/www/index.html" <<'EOF'
<!DOCTYPE html>
<html><head><title>Example Corp</title><link rel="stylesheet" href="/style.css"></head>
<body><h1>Example Corp intranet</h1>
<p><a href="/about.html">About</a> | <a href="/docs/">Docs</a> | <a href="/products/">Products</a> | <a href="/contact.html">Contact</a></p>
<img src="/images/logo.png" alt="logo"></body></html>
EOF
    printf '<html><head><title>About</title></head><body><h1>About us</h1><p>Founded 2001.</p></body></html>\n' >"$d/www/about.html"
    printf '<html><head><title>Contact</title></head><body><p>mail: info@example.org</p></body></html>\n' >"$d/www/contact.html"
    printf '<html><body><ul><li>Widget</li><li>Gadget</li></ul></body></html>\n' >"$d/www/products/list.html"
    printf 'body { font-family: sans-serif; color: #222; }\nh1 { color: #036; }\n' >"$d/www/style.css"
    printf 'User-agent: *\nDisallow: /admin/\n' >"$d/www/robots.txt"
    seq 1 80 | sed 's/^/manual line /' >"$d/www/docs/manual.txt"
    printf 'Q: what is this?\nA: a test server.\n' >"$d/www/docs/faq.txt"
    printf '<html><body>restricted</body></html>\n' >"$d/www/admin/index.html"
    # small binary files (valid 1x1 PNG, repeated content for the banner)
    printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xff\xff?\0\x05\xfe\x02\xfe\xa7\x35\x81\x84\0\0\0\0IEND\xaeB`\x82' >"$d/www/images/logo.png"
    head -c 3000 /dev/zero | tr '\0' 'B' | cat "$d/www/images/logo.png" - >"$d/www/images/banner.png"
    cat >"$d/cgi-bin/echo.sh" <<'EOF'
#!/bin/sh
# Tiny CGI: echoes the method and the request body length.
printf 'Content-Type: text/plain\r\n\r\n'
printf 'method=%s\nlength=%s\n' "$REQUEST_METHOD" "${CONTENT_LENGTH:-0}"
head -c "${CONTENT_LENGTH:-0}" | tr -c 'a-zA-Z0-9=&\n' '_' ; echo
EOF
    if [ "$variant" = broad ]; then cp "$d/cgi-bin/echo.sh" "$d/cgi-bin/form.sh"; fi
    chmod -R a+rX "$d"; chmod 755 "$d/cgi-bin/"*.sh
    pin_mtimes "$d/www" "$d/cgi-bin"
    cat >"$d/httpd.conf" <<EOF
LoadModule mpm_prefork_module $m/mod_mpm_prefork.so
LoadModule authz_core_module $m/mod_authz_core.so
LoadModule authz_host_module $m/mod_authz_host.so
LoadModule dir_module $m/mod_dir.so
LoadModule mime_module $m/mod_mime.so
LoadModule autoindex_module $m/mod_autoindex.so
LoadModule alias_module $m/mod_alias.so
LoadModule cgi_module $m/mod_cgi.so
LoadModule status_module $m/mod_status.so
ServerRoot $d
ServerName localhost
ServerTokens OS
Listen 127.0.0.1:80
PidFile $d/httpd.pid
ErrorLog $d/error.log
LogLevel warn
User www-data
Group www-data
TypesConfig /etc/mime.types
DocumentRoot $d/www
DirectoryIndex index.html
KeepAlive On
MaxKeepAliveRequests 20
KeepAliveTimeout 2
StartServers 2
<Directory />
    Require all denied
</Directory>
<Directory $d/www>
    Options Indexes
    Require all granted
</Directory>
<Directory $d/www/admin>
    Require all denied
</Directory>
ScriptAlias /cgi-bin/ $d/cgi-bin/
<Directory $d/cgi-bin>
    Options ExecCGI
    Require all granted
</Directory>
<Location /server-status>
    SetHandler server-status
    Require ip 127.0.0.1
</Location>
EOF
    apache2 -f "$d/httpd.conf" -k start
    STARTED_PIDFILES+=("$d/httpd.pid")
    wait_listen tcp 80
}

http_drive() {
    local variant=$1 base=http://127.0.0.1
    if [ "$variant" = train ]; then
        local agents=("curl/7.88.1" "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0" "Googlebot/2.1 (+http://www.google.com/bot.html)" "Wget/1.21.3")
        local paths=(/ /index.html /about.html /docs/ /docs/manual.txt /style.css /robots.txt /images/logo.png /images/ /admin/ /nothere.html /cgi-bin/ /old/page.asp /products/list.html /favicon.ico /docs)
        local i=0 p
        for p in "${paths[@]}"; do
            client curl -s -o /dev/null --interface "127.0.0.$((2 + i % 5))" -A "${agents[$((i % 4))]}" "$base$p"
            i=$((i + 1))
        done
        for p in / /about.html /docs/manual.txt /missing.txt /admin/; do
            client curl -s -I --interface "127.0.0.$((2 + i % 5))" -A "${agents[$((i % 4))]}" "$base$p"
            i=$((i + 1))
        done
        client curl -s -X OPTIONS --interface 127.0.0.3 "$base/"
        client curl -s -X OPTIONS --interface 127.0.0.4 "$base/docs/manual.txt"
        client curl -s --interface 127.0.0.5 -d "user=admin&pass=admin" "$base/cgi-bin/echo.sh"
        client curl -s --interface 127.0.0.6 -d "q=test" "$base/cgi-bin/echo.sh"
        client curl -s --interface 127.0.0.2 -d "x=1" "$base/index.html"
        client curl -s --interface 127.0.0.3 -X PUT -d "data" "$base/upload.txt"
        client curl -s --interface 127.0.0.4 -H "Range: bytes=0-99" "$base/docs/manual.txt"
        client curl -s --interface 127.0.0.5 -H "If-Modified-Since: Sat, 01 Jan 2050 00:00:00 GMT" "$base/about.html"
        client curl -s --interface 127.0.0.6 --http1.0 "$base/"
        client curl -s --interface 127.0.0.2 -u admin:secret "$base/admin/"
        # keep-alive: several URLs on one connection
        client curl -s -o /dev/null -o /dev/null -o /dev/null --interface 127.0.0.7 "$base/" "$base/style.css" "$base/images/logo.png"
        client curl -s -o /dev/null -o /dev/null --interface 127.0.0.8 "$base/docs/" "$base/docs/manual.txt"
        client wget -q -O /dev/null --bind-address=127.0.0.9 "$base/about.html"
        client wget -q -O /dev/null --bind-address=127.0.0.9 "$base/robots.txt"
        for p in /docs/manual.txt /about.html /login /images/logo.png /products/; do
            client wget -q -O /dev/null --bind-address=127.0.0.10 -U "${agents[$((i % 4))]}" "$base$p"
            i=$((i + 1))
        done
        client "$PY" "$CLIENTS" http train
    else
        local agents=("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36" "Mozilla/5.0 zgrab/0.x" "masscan/1.3 (https://github.com/robertdavidgraham/masscan)" "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)" "Go-http-client/1.1")
        local paths=(/contact.html /products/ /products/list.html /docs/faq.txt /images/banner.png /wp-admin/ /phpmyadmin/index.php /.git/config /cgi-bin/test.cgi /api/v1/users /index.htm /About.html /docs/../index.html /products /%7Eroot/ /shell?cd+/tmp /images/logo.png)
        local i=0 p
        for p in "${paths[@]}"; do
            client curl -s -o /dev/null --path-as-is --interface "127.0.0.$((30 + i % 6))" -A "${agents[$((i % 5))]}" "$base$p"
            i=$((i + 1))
        done
        for p in /contact.html /products/ /images/banner.png /wp-login.php; do
            client wget -q -O /dev/null --bind-address="127.0.0.$((30 + i % 6))" -U "${agents[$((i % 5))]}" "$base$p"
            i=$((i + 1))
        done
        client wget -q -O /dev/null --bind-address=127.0.0.36 --method=HEAD "$base/docs/faq.txt"
        client curl -s -I --interface 127.0.0.37 -A "${agents[1]}" "$base/products/list.html"
        client curl -s -I --interface 127.0.0.37 "$base/nope/"
        client curl -s -X OPTIONS --interface 127.0.0.38 "$base/contact.html"
        client curl -s -X PATCH --interface 127.0.0.38 "$base/contact.html"
        client curl -s --interface 127.0.0.39 -H "Content-Type: application/json" -d '{"user":"carol"}' "$base/cgi-bin/echo.sh"
        client curl -s --interface 127.0.0.39 -F "file=@/etc/hostname" "$base/cgi-bin/echo.sh"
        client curl -s --interface 127.0.0.30 -H "Accept-Encoding: gzip" -H "Accept-Language: de-DE" "$base/contact.html"
        client curl -s --interface 127.0.0.31 "$base/server-status"
        client curl -s -o /dev/null -o /dev/null -o /dev/null -o /dev/null --interface 127.0.0.32 "$base/contact.html" "$base/style.css" "$base/images/banner.png" "$base/favicon.ico"
        for p in / /about.html /robots.txt /docs/manual.txt /backup.zip /config.php /images/; do
            client curl -s -o /dev/null --interface 127.0.0.33 -A "${agents[$((i % 5))]}" -H "X-Forwarded-For: 203.0.113.7" "$base$p"
            i=$((i + 1))
        done
        client "$PY" "$CLIENTS" http heldout
    fi
}

http_expected() {
    curl -s -o /dev/null -D "$EXPECTED/http-head-root.txt" http://127.0.0.1/ || true
    curl -s -I http://127.0.0.1/ >"$EXPECTED/http-curl-I-root.txt" || true
    curl -s http://127.0.0.1/ >"$EXPECTED/http-body-root.html" || true
    curl -s -i http://127.0.0.1/nothere.html >"$EXPECTED/http-404.txt" || true
    curl -s -i http://127.0.0.1/robots.txt >"$EXPECTED/http-robots.txt" || true
}

# ----------------------------------------------------------------------- SMB

smb_start() {
    local d=$RUN_DIR/smb
    mkdir -p "$d"/{run,lock,state,cache,private,log} "$d/public/docs" "$d/private-share"
    echo "Public share of the test file server." >"$d/public/readme.txt"
    seq 1 50 | sed 's/^/guide line /' >"$d/public/docs/guide.txt"
    echo "private notes" >"$d/private-share/notes.txt"
    chmod -R a+rX "$d/public" "$d/private-share"
    pin_mtimes "$d/public" "$d/private-share"
    ensure_user smbuser "Sm8Passw0rd"
    cat >"$d/smb.conf" <<EOF
[global]
   workgroup = SGTEST
   netbios name = FILESRV
   server string = Test file server
   interfaces = 127.0.0.1
   bind interfaces only = yes
   smb ports = 445 139
   security = user
   map to guest = Bad User
   server min protocol = NT1
   ntlm auth = yes
   passdb backend = tdbsam:$d/private/passdb.tdb
   pid directory = $d/run
   lock directory = $d/lock
   state directory = $d/state
   cache directory = $d/cache
   private dir = $d/private
   ncalrpc dir = $d/run/ncalrpc
   log file = $d/log/log.%m
   log level = 1
   load printers = no
   printing = bsd
   printcap name = /dev/null
   disable spoolss = yes
   dns proxy = no
   server role = standalone server
[public]
   path = $d/public
   comment = Public files
   guest ok = yes
   read only = yes
   browseable = yes
[private]
   path = $d/private-share
   comment = Staff only
   valid users = smbuser
   read only = yes
EOF
    printf 'Sm8Passw0rd\nSm8Passw0rd\n' | smbpasswd -c "$d/smb.conf" -s -a smbuser >/dev/null
    smbd -D -s "$d/smb.conf"
    # smbd names its pid file after a non-default config file; samba-dcerpcd is
    # started on demand by smbd.
    STARTED_PIDFILES+=("$d/run/smbd-smb.conf.pid" "$d/run/smbd.pid" "$d/run/samba-dcerpcd.pid")
    wait_listen tcp 445
    wait_listen tcp 139
}

smb_drive() {
    local variant=$1 c="$RUN_DIR/smb/smb.conf"
    # smbclient has no source-address option: it connects from 127.0.0.1;
    # the impacket runs (clients.py) use other 127.0.0.x sources.
    if [ "$variant" = train ]; then
        client smbclient -s "$c" -L //127.0.0.1 -N
        client smbclient -s "$c" -L //127.0.0.1 -N -p 139
        client smbclient -s "$c" //127.0.0.1/public -N -c 'ls; get readme.txt /dev/null'
        client smbclient -s "$c" //127.0.0.1/public -N -c 'cd docs; ls; get guide.txt /dev/null'
        client smbclient -s "$c" //127.0.0.1/private -U 'smbuser%Sm8Passw0rd' -c 'ls; get notes.txt /dev/null'
        client smbclient -s "$c" //127.0.0.1/private -U 'smbuser%badpass' -c 'ls'
        client smbclient -s "$c" -L //127.0.0.1 -U 'smbuser%Sm8Passw0rd'
        client smbclient -s "$c" //127.0.0.1/public -N -m NT1 --option='client min protocol=NT1' -c 'ls'
        client smbclient -s "$c" //127.0.0.1/nosuchshare -N -c 'ls'
        client smbclient -s "$c" //127.0.0.1/public -N -p 139 -c 'dir'
        client smbclient -s "$c" //127.0.0.1/public -N -c 'ls docs/*; pwd; volume'
        client smbclient -s "$c" //127.0.0.1/public -U 'smbuser%Sm8Passw0rd' -c 'get docs/guide.txt /dev/null'
        client smbclient -s "$c" -L //127.0.0.1 -U 'root%root'
        client smbclient -s "$c" //127.0.0.1/private -U 'guest%' -c 'ls'
        client "$PY" "$CLIENTS" smb train
    else
        client smbclient -s "$c" -L //127.0.0.1 -U 'smbuser%Sm8Passw0rd' -p 139
        client smbclient -s "$c" -L //127.0.0.1 -N -m SMB2
        client smbclient -s "$c" //127.0.0.1/public -U 'guest%' -c 'cd docs; dir; get guide.txt /dev/null'
        client smbclient -s "$c" //127.0.0.1/private -U 'smbuser%Sm8Passw0rd' -p 139 -c 'dir; pwd'
        client smbclient -s "$c" //127.0.0.1/private -N -c 'ls'
        client smbclient -s "$c" //127.0.0.1/IPC\$ -U 'administrator%P@ssw0rd' -c 'ls'
        client smbclient -s "$c" //127.0.0.1/public -U 'smbuser%Sm8Passw0rd' -m NT1 --option='client min protocol=NT1' -c 'allinfo readme.txt'
        client smbclient -s "$c" //127.0.0.1/public -N -c 'get missing.bin /dev/null'
        client smbclient -s "$c" //127.0.0.1/public -N -p 139 -c 'cd docs; allinfo guide.txt'
        client smbclient -s "$c" //127.0.0.1/private -U 'smbuser%Winter2024' -c 'ls'
        client smbclient -s "$c" //127.0.0.1/ADMIN\$ -U 'smbuser%Sm8Passw0rd' -c 'ls'
        client smbclient -s "$c" -L //127.0.0.1 -U 'backup%backup' -m SMB3
        client smbclient -s "$c" //127.0.0.1/public -U 'smbuser%Sm8Passw0rd' -m SMB2_10 -c 'stat readme.txt'
        client "$PY" "$CLIENTS" smb heldout
    fi
}

smb_nmap() {
    capture_start lo "$CAPTURES/smb-nmap.pcap" "tcp port 445 or tcp port 139"
    timeout 300 nmap -n -Pn -p 139,445 --script smb-os-discovery,smb-protocols 127.0.0.1 \
        >"$RUN_DIR/nmap-smb.out" 2>&1 || true
    capture_stop
    grep -E '^(PORT|[0-9]+/tcp) |^\|' "$RUN_DIR/nmap-smb.out" | tr -s ' ' >"$EXPECTED/nmap-smb.txt" || true
}

smb_expected() {
    timeout 30 smbclient -s "$RUN_DIR/smb/smb.conf" -L //127.0.0.1 -N >"$EXPECTED/smb-shares.txt" 2>&1 || true
}

# ---------------------------------------------------------------------- SMTP

smtp_start() {   # smtp_start [broad]: broad makes sure the broad users (recipients) exist
    local d=$RUN_DIR/smtp
    mkdir -p "$d"
    if [ "${1:-main}" = broad ]; then broad_users; fi
    # Debian's generated config (local delivery only), bound to 127.0.0.1:25, with
    # reverse DNS look-ups of clients turned off (no traffic beyond loopback).
    exim -DMAIN_HOST_LOOKUP= -bd -oX '127.0.0.1.25' -oP "$d/exim.pid"
    STARTED_PIDFILES+=("$d/exim.pid")
    wait_listen tcp 25
}

smtp_drive() {
    local variant=$1 s=(swaks --server 127.0.0.1 --port 25 --timeout 10)
    if [ "$variant" = train ]; then
        local froms=(alice@example.org bob@example.net mailer-daemon@example.org news@lists.example.com)
        local tos=(root@vm postmaster@vm nosuchuser@vm someone@example.com root@localhost)
        local helos=(client.example.org mail.example.net localhost workstation7)
        local i
        for i in $(seq 0 11); do
            client "${s[@]}" -li "127.0.0.$((2 + i % 6))" --helo "${helos[$((i % 4))]}" \
                --from "${froms[$((i % 4))]}" --to "${tos[$((i % 5))]}" \
                --header "Subject: train message $i"
        done
        client "${s[@]}" -li 127.0.0.2 --protocol SMTP --helo oldbox --from a@example.org --to root@vm
        client "${s[@]}" -li 127.0.0.3 --helo probe --from x@example.org --to root@vm --quit-after EHLO
        client "${s[@]}" -li 127.0.0.4 --helo probe --from x@example.org --to root@vm --quit-after MAIL
        client "${s[@]}" -li 127.0.0.5 --helo probe --from x@example.org --to nobody@vm --quit-after RCPT
        client "${s[@]}" -li 127.0.0.6 --helo probe --from x@example.org --to root@vm --quit-after CONNECT
        client "${s[@]}" -li 127.0.0.7 --helo multi.example.org --from list@example.org --to root@vm,postmaster@vm
        client "${s[@]}" -li 127.0.0.2 --helo pipelined --from p@example.org --to root@vm --pipeline
        client "${s[@]}" -li 127.0.0.3 --helo big --from big@example.org --to root@vm --body "$(seq 1 200)"
        client "${s[@]}" -li 127.0.0.4 --helo authtest --from a@example.org --to root@vm --auth LOGIN --auth-user bob --auth-password secret
        client "${s[@]}" -li 127.0.0.5 --helo tlstest --from a@example.org --to root@vm -tls
        client "${s[@]}" -li 127.0.0.6 --helo client.example.org --from alice@example.org --to root@vm --data "Subject: raw\n\nhello\n"
        send_lines 127.0.0.211 25 "HELO rawclient" "MAIL FROM:<raw@example.org>" "RSET" "NOOP" "QUIT" >>"$RUN_DIR/clients.log"
        send_lines 127.0.0.212 25 "EHLO rawclient" "HELP" "VRFY postmaster" "QUIT" >>"$RUN_DIR/clients.log"
        send_lines 127.0.0.213 25 "GET / HTTP/1.0" "" >>"$RUN_DIR/clients.log"
        client "$PY" "$CLIENTS" smtp train
    else
        local froms=(carol@partner.example dave@shop.example monitor@ops.example root@vm)
        local tos=(postmaster@localhost root@vm admin@vm info@example.net www-data@vm abuse@vm)
        local helos=(mx1.partner.example shop.example "[127.0.0.1]" laptop.local)
        local i
        for i in $(seq 0 11); do
            client "${s[@]}" -li "127.0.0.$((20 + i % 5))" --ehlo "${helos[$((i % 4))]}" \
                --from "${froms[$((i % 4))]}" --to "${tos[$((i % 6))]}" \
                --header "Subject: held-out $i" --header "X-Mailer: swaks-heldout"
        done
        client "${s[@]}" -li 127.0.0.25 --protocol SMTP --helo ancient.example --from c@partner.example --to postmaster@localhost
        client "${s[@]}" -li 127.0.0.26 --ehlo scan --from s@example.com --to root@vm --quit-after HELO
        client "${s[@]}" -li 127.0.0.27 --ehlo scan --from s@example.com --to info@example.net --quit-after RCPT
        client "${s[@]}" -li 127.0.0.28 --ehlo many --from d@shop.example --to root@vm,admin@vm,nobody@vm
        client "${s[@]}" -li 127.0.0.20 --ehlo attach --from d@shop.example --to root@vm --attach-type text/plain --attach "held-out attachment"
        client "${s[@]}" -li 127.0.0.21 --ehlo plain --from d@shop.example --to root@vm --auth PLAIN --auth-user carol --auth-password hunter2
        send_lines 127.0.0.214 25 "EHLO raw.partner.example" "MAIL FROM:<carol@partner.example>" "RCPT TO:<root@vm>" "RSET" "QUIT" >>"$RUN_DIR/clients.log"
        send_lines 127.0.0.215 25 "HELO x" "EXPN root" "NOOP" "QUIT" >>"$RUN_DIR/clients.log"
        send_lines 127.0.0.216 25 "EHLO a" "STARTTLS" "QUIT" >>"$RUN_DIR/clients.log"
        send_lines 127.0.0.217 25 "QUIT" >>"$RUN_DIR/clients.log"
        client "$PY" "$CLIENTS" smtp heldout
    fi
}

smtp_expected() {
    send_lines 127.0.0.1 25 "EHLO probe.example.org" "QUIT" >"$EXPECTED/smtp-ehlo.txt"
    send_lines 127.0.0.1 25 "HELO probe.example.org" "MAIL FROM:<a@example.org>" "RCPT TO:<root@vm>" "RSET" "QUIT" \
        >"$EXPECTED/smtp-helo-session.txt"
}

# ----------------------------------------------------------------------- DNS

dns_start() {   # dns_start [broad]: broad adds the broad set's names (clients.py DNS_NAMES)
    local d=$RUN_DIR/dns variant=${1:-main}
    mkdir -p "$d"
    : >"$d/broad.conf"
    if [ "$variant" = broad ]; then
        cat >"$d/broad-hosts" <<'EOF'
198.51.100.30 git.lab.test
198.51.100.31 build.lab.test
198.51.100.32 vpn.lab.test
198.51.100.33 proxy.lab.test
198.51.100.34 wiki.lab.test
198.51.100.35 ci.lab.test
198.51.100.36 printer.lab.test
198.51.100.37 cam01.lab.test
198.51.100.61 mx.corp.test
198.51.100.62 crm.corp.test
2001:db8::30 git.lab.test
2001:db8::35 ci.lab.test
EOF
        cat >"$d/broad.conf" <<EOF
addn-hosts=$d/broad-hosts
auth-zone=corp.test
host-record=corp.test,198.51.100.60
host-record=www.corp.test,198.51.100.60,2001:db8::60
cname=docs-alias.lab.test,wiki.lab.test
mx-host=corp.test,mx.corp.test,5
txt-record=corp.test,"v=spf1 ip4:198.51.100.0/24 ~all"
txt-record=sel1._domainkey.corp.test,"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC7"
srv-host=_xmpp-client._tcp.corp.test,crm.corp.test,5222,0,10
srv-host=_imaps._tcp.corp.test,mx.corp.test,993,5,20
ptr-record=30.100.51.198.in-addr.arpa,git.lab.test
ptr-record=60.100.51.198.in-addr.arpa,www.corp.test
naptr-record=corp.test,100,10,"S","SIP+D2U","","_sip._udp.corp.test"
caa-record=corp.test,0,issue,"ca.corp.test"
EOF
    fi
    # Answers use documentation ranges (198.51.100.0/24, 2001:db8::/32); nothing connects
    # to them. No upstream servers: names outside lab.test are refused, not forwarded.
    cat >"$d/hosts" <<'EOF'
198.51.100.10 www.lab.test
198.51.100.11 mail.lab.test
198.51.100.12 ftp.lab.test
198.51.100.13 db.lab.test
198.51.100.14 files.lab.test
2001:db8::10 www.lab.test
EOF
    cat >"$d/dnsmasq.conf" <<EOF
port=53
listen-address=127.0.0.1
bind-interfaces
no-resolv
no-hosts
no-poll
addn-hosts=$d/hosts
domain=lab.test
local=/lab.test/
auth-server=ns1.lab.test
auth-zone=lab.test
host-record=ns1.lab.test,198.51.100.2
mx-host=lab.test,mail.lab.test,10
mx-host=lab.test,mail2.lab.test,20
host-record=mail2.lab.test,198.51.100.21
cname=intranet.lab.test,www.lab.test
cname=webmail.lab.test,mail.lab.test
txt-record=lab.test,"v=spf1 mx -all"
txt-record=_dmarc.lab.test,"v=DMARC1; p=reject"
srv-host=_ldap._tcp.lab.test,db.lab.test,389,0,100
srv-host=_sip._udp.lab.test,files.lab.test,5060,10,50
ptr-record=10.100.51.198.in-addr.arpa,www.lab.test
ptr-record=11.100.51.198.in-addr.arpa,mail.lab.test
pid-file=$d/dnsmasq.pid
user=root
log-facility=$d/dnsmasq.log
conf-file=$d/broad.conf
EOF
    dnsmasq -C "$d/dnsmasq.conf"
    STARTED_PIDFILES+=("$d/dnsmasq.pid")
    wait_listen udp 53
}

dns_drive() {
    local variant=$1 d=(dig @127.0.0.1 -p 53 +tries=1 +time=3)
    if [ "$variant" = train ]; then
        local names=(www.lab.test mail.lab.test lab.test ftp.lab.test intranet.lab.test nothere.lab.test db.lab.test)
        local types=(A AAAA MX TXT NS SOA ANY)
        local i=0 n t
        for n in "${names[@]}"; do
            for t in A MX; do
                client "${d[@]}" -b "127.0.0.$((2 + i % 7))" "$n" "$t"; i=$((i + 1))
            done
        done
        for t in "${types[@]}"; do client "${d[@]}" -b "127.0.0.$((2 + i % 7))" lab.test "$t"; i=$((i + 1)); done
        client "${d[@]}" -b 127.0.0.3 _ldap._tcp.lab.test SRV
        client "${d[@]}" -b 127.0.0.4 -x 198.51.100.10
        client "${d[@]}" -b 127.0.0.5 -x 198.51.100.99
        client "${d[@]}" -b 127.0.0.6 www.lab.test AAAA +dnssec
        client "${d[@]}" -b 127.0.0.7 WWW.LAB.TEST A +norecurse
        client "${d[@]}" -b 127.0.0.8 www.example.com A
        client "${d[@]}" -b 127.0.0.2 google.com A
        client "${d[@]}" -b 127.0.0.3 version.bind TXT CH
        client "${d[@]}" -b 127.0.0.4 lab.test TXT +nocookie
        client "${d[@]}" -b 127.0.0.5 mail.lab.test A +noedns
        client "${d[@]}" -b 127.0.0.6 localhost A
        client "${d[@]}" -b 127.0.0.7 webmail.lab.test A +short
        client "${d[@]}" -b 127.0.0.8 lab.test CAA
        client "${d[@]}" -b 127.0.0.2 www.lab.test A +qr
        client "${d[@]}" -b 127.0.0.3 files.lab.test HINFO
        for n in www.lab.test mail.lab.test ftp.lab.test mail2.lab.test no.such.lab.test; do
            for t in AAAA TXT; do
                client "${d[@]}" -b "127.0.0.$((2 + i % 7))" "$n" "$t"; i=$((i + 1))
            done
        done
        client "${d[@]}" -b 127.0.0.4 lab.test MX +tcp
        client "${d[@]}" -b 127.0.0.5 www.lab.test A +tcp
        client "${d[@]}" -b 127.0.0.6 ftp.lab.test ANY
        client "${d[@]}" -b 127.0.0.7 _ldap._tcp.lab.test ANY
    else
        local names=(files.lab.test webmail.lab.test mail2.lab.test ns1.lab.test _dmarc.lab.test missing.lab.test api.lab.test)
        local i=0 n t
        for n in "${names[@]}"; do
            for t in A TXT AAAA; do
                client "${d[@]}" -b "127.0.0.$((20 + i % 6))" "$n" "$t"; i=$((i + 1))
            done
        done
        client "${d[@]}" -b 127.0.0.26 _sip._udp.lab.test SRV
        client "${d[@]}" -b 127.0.0.27 -x 198.51.100.11
        client "${d[@]}" -b 127.0.0.20 lab.test SOA +multiline
        client "${d[@]}" -b 127.0.0.21 lab.test DNSKEY
        client "${d[@]}" -b 127.0.0.22 example.org MX
        client "${d[@]}" -b 127.0.0.23 hostname.bind TXT CH
        client "${d[@]}" -b 127.0.0.24 www.lab.test A +nsid
        client "${d[@]}" -b 127.0.0.25 Mail.Lab.Test MX
        client "${d[@]}" -b 127.0.0.26 lab.test ANY +bufsize=512
        client "${d[@]}" -b 127.0.0.27 . NS
        # other tools: host and nslookup (no bind option: from 127.0.0.1)
        client host -W 3 -t MX lab.test 127.0.0.1
        client host -W 3 www.lab.test 127.0.0.1
        client host -W 3 198.51.100.11 127.0.0.1
        client nslookup -timeout=3 -retry=1 ftp.lab.test 127.0.0.1
        client nslookup -timeout=3 -retry=1 -type=TXT lab.test 127.0.0.1
        client nslookup -timeout=3 -retry=1 -type=SRV _ldap._tcp.lab.test 127.0.0.1
        for n in db.lab.test intranet.lab.test www.lab.test; do
            client "${d[@]}" -b "127.0.0.$((20 + i % 6))" "$n" MX; i=$((i + 1))
            client "${d[@]}" -b "127.0.0.$((20 + i % 6))" "$n" CNAME; i=$((i + 1))
        done
        client "${d[@]}" -b 127.0.0.28 mail.lab.test AAAA +tcp
    fi
}

dns_expected() {
    local t
    for t in MX TXT NS SOA; do
        dig @127.0.0.1 +tries=1 +time=3 +short lab.test "$t" >"$EXPECTED/dns-lab.test-$t.txt" 2>&1 || true
    done
    dig @127.0.0.1 +tries=1 +time=3 +short www.lab.test A >"$EXPECTED/dns-www.lab.test-A.txt" 2>&1 || true
    dig @127.0.0.1 +tries=1 +time=3 nothere.lab.test A | grep -E 'status:' \
        | sed 's/, id: [0-9]*//' >"$EXPECTED/dns-nxdomain-status.txt" || true
}

# --------------------------------------------------------------------- Redis

redis_start() {
    local d=$RUN_DIR/redis
    mkdir -p "$d"
    redis-server --port 6379 --bind 127.0.0.1 --daemonize yes --pidfile "$d/redis.pid" \
        --dir "$d" --save '' --appendonly no --protected-mode no --logfile "$d/redis.log"
    STARTED_PIDFILES+=("$d/redis.pid")
    wait_listen tcp 6379
    redis-cli -h 127.0.0.1 FLUSHALL >/dev/null
}

redis_drive() {
    local variant=$1 r=(redis-cli -h 127.0.0.1 -p 6379)
    if [ "$variant" = train ]; then
        client "${r[@]}" PING
        client "${r[@]}" PING
        client "${r[@]}" INFO server
        client "${r[@]}" INFO
        local k
        for k in user:1 user:2 session:abc config:mode counter:hits; do
            client "${r[@]}" SET "$k" "value-of-$k"
            client "${r[@]}" GET "$k"
        done
        client "${r[@]}" GET nosuchkey
        client "${r[@]}" INCR counter:visits
        client "${r[@]}" DEL user:2
        client "${r[@]}" EXISTS user:1
        client "${r[@]}" KEYS 'user:*'
        client "${r[@]}" DBSIZE
        client "${r[@]}" CONFIG GET maxmemory
        client "${r[@]}" ECHO hello
        client "${r[@]}" NOTACOMMAND
        local i
        for i in 0 1 2 3; do
            printf 'PING\r\nGET user:1\r\nQUIT\r\n' | client_stdin nc -q 2 -s "127.0.0.$((2 + i))" 127.0.0.1 6379
        done
        printf 'INFO keyspace\r\nQUIT\r\n' | client_stdin nc -q 2 -s 127.0.0.6 127.0.0.1 6379
        client "$PY" "$CLIENTS" redis train
    else
        client "${r[@]}" PING "are you there"
        client "${r[@]}" INFO clients
        client "${r[@]}" INFO memory
        local k
        for k in order:9001 order:9002 cache:/index.html token:xyz; do
            client "${r[@]}" SET "$k" "payload $k" EX 600
            client "${r[@]}" GET "$k"
            client "${r[@]}" TTL "$k"
        done
        client "${r[@]}" HSET profile:carol name Carol age 41
        client "${r[@]}" HGETALL profile:carol
        client "${r[@]}" LPUSH queue:jobs job1 job2
        client "${r[@]}" LRANGE queue:jobs 0 -1
        client "${r[@]}" MGET order:9001 order:9002 nokey
        client "${r[@]}" TYPE queue:jobs
        client "${r[@]}" CONFIG SET dir /tmp
        client "${r[@]}" SLAVEOF 127.0.0.1 6380
        client "${r[@]}" SLAVEOF NO ONE
        client "${r[@]}" AUTH wrongpassword
        local i
        for i in 0 1 2; do
            printf 'PING\r\nINFO server\r\nQUIT\r\n' | client_stdin nc -q 2 -s "127.0.0.$((20 + i))" 127.0.0.1 6379
        done
        printf '*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nQUIT\r\n' | client_stdin nc -q 2 -s 127.0.0.24 127.0.0.1 6379
        client "$PY" "$CLIENTS" redis heldout
    fi
}

redis_expected() {
    redis-cli -h 127.0.0.1 PING >"$EXPECTED/redis-ping.txt" 2>&1 || true
    redis-cli -h 127.0.0.1 INFO server | tr -d '\r' >"$EXPECTED/redis-info-server.txt" 2>&1 || true
    printf 'PING\r\nQUIT\r\n' | timeout 10 nc -q 2 127.0.0.1 6379 >"$EXPECTED/redis-raw-ping.txt" || true
}

# ----------------------------------------------------------------------- SSH

ssh_start() {
    local d=$RUN_DIR/ssh
    mkdir -p "$d" /run/sshd
    [ -f "$d/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$d/host_ed25519"
    [ -f "$d/host_rsa" ] || ssh-keygen -q -t rsa -b 2048 -N '' -f "$d/host_rsa"
    cat >"$d/sshd_config" <<EOF
Port 22
ListenAddress 127.0.0.1
HostKey $d/host_ed25519
HostKey $d/host_rsa
PidFile $d/sshd.pid
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PermitRootLogin no
UseDNS no
MaxStartups 50
MaxAuthTries 3
LoginGraceTime 10
LogLevel ERROR
EOF
    /usr/sbin/sshd -f "$d/sshd_config"
    STARTED_PIDFILES+=("$d/sshd.pid")
    wait_listen tcp 22
}

ssh_drive() {
    local variant=$1
    local o=(-o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
             -o ConnectTimeout=5 -p 22)
    if [ "$variant" = train ]; then
        client ssh "${o[@]}" -b 127.0.0.2 root@127.0.0.1 true
        client ssh "${o[@]}" -b 127.0.0.3 admin@127.0.0.1 uname -a
        client ssh "${o[@]}" -b 127.0.0.4 -o PreferredAuthentications=none ftpalice@127.0.0.1 id
        client ssh "${o[@]}" -b 127.0.0.5 -o KexAlgorithms=curve25519-sha256 -o HostKeyAlgorithms=ssh-ed25519 test@127.0.0.1 true
        client timeout 5 nc -s 127.0.0.6 -w 2 127.0.0.1 22 </dev/null
        client "$PY" "$CLIENTS" ssh train
    else
        client ssh "${o[@]}" -b 127.0.0.20 ubuntu@127.0.0.1 true
        client ssh "${o[@]}" -b 127.0.0.21 -o HostKeyAlgorithms=rsa-sha2-512 -o Ciphers=aes128-ctr oracle@127.0.0.1 ls
        client ssh "${o[@]}" -b 127.0.0.22 -o KexAlgorithms=ecdh-sha2-nistp256 pi@127.0.0.1 true
        printf 'SSH-2.0-PUTTY\r\n' | client_stdin nc -q 2 -s 127.0.0.23 127.0.0.1 22
        client "$PY" "$CLIENTS" ssh heldout
    fi
}

ssh_expected() {
    timeout 5 nc -w 2 127.0.0.1 22 </dev/null | head -1 | tr -d '\r' >"$EXPECTED/ssh-banner.txt" || true
}

# ------------------------------------------------------------------ broad sets

# Each *_broad function drives the real tools with argument values picked from the
# BROAD_* lists (RANDOM seeded per service, so every run sends the same requests),
# then the Python raw-socket sweep (clients.py SERVICE broad), which sends most of the
# conversations. Loops are over fixed counts.

ftp_broad() {
    local o="set net:max-retries 1; set net:reconnect-interval-base 1; set net:timeout 5; set cmd:fail-exit yes"
    local anon_dirs=(mirror/ mirror/debian/ releases/ releases/v2.3/ media/ incoming/ "")
    local anon_files=(welcome.msg mirror/iso-list.txt mirror/debian/dists.txt releases/CHANGES.md
                      releases/v2.3/tool-2.3.tar.gz media/pic001.jpg media/clip.txt)
    local user_dirs=(reports/ reports/2023/ src/ inbox/ "")
    local user_files=(plan.md reports/q3.csv reports/2023/summary.txt src/main.c src/Makefile inbox/msg-0007.eml)
    local quotes=(NOOP STAT SYST "MODE S" "STRU F" "TYPE A" "OPTS UTF8 OFF" HELP FEAT PWD "SITE HELP"
                  "ALLO 100" "MKD scratch" "RNFR plan.md" "XPWD")
    local methods=(multicwd nocwd singlecwd)
    local i src who pw person dom path file quote method account
    RANDOM=2101
    for i in $(seq 0 29); do
        src=127.0.1.$((2 + i % 50))
        pick person "${BROAD_PEOPLE[@]}"; pick dom "${BROAD_DOMAINS[@]}"
        pick account "${BROAD_FTP_USERS[@]}"; who=${account%%:*}; pw=${account#*:}
        pick path "${anon_dirs[@]}"; pick file "${anon_files[@]}"
        pick quote "${quotes[@]}"; pick method "${methods[@]}"
        case $((i % 10)) in
            0) client curl -s -o /dev/null --interface "$src" -u "anonymous:$person@$dom" "ftp://127.0.0.1/$file" ;;
            1) client curl -s --interface "$src" --list-only --ftp-method "$method" "ftp://127.0.0.1/$path" ;;
            2) client curl -s --interface "$src" -Q "$quote" --disable-epsv "ftp://127.0.0.1/$path" ;;
            3) pick file "${user_files[@]}"
               client curl -s -o /dev/null --interface "$src" -u "$who:$pw" --ftp-method "$method" "ftp://127.0.0.1/$file" ;;
            4) pick path "${user_dirs[@]}"
               client curl -s --interface "$src" -u "$who:$pw" --ftp-port "$src:40090-40099" "ftp://127.0.0.1/$path" ;;
            5) pick pw "${BROAD_PASSWORDS[@]}"
               client curl -s --interface "$src" -u "$who:$pw" "ftp://127.0.0.1/" ;;
            6) client curl -s --interface "$src" -I "ftp://127.0.0.1/$file" ;;
            7) client curl -s -o /dev/null --interface "$src" -r "0-$((RANDOM % 200 + 10))" "ftp://127.0.0.1/$file" ;;
            8) client curl -s --interface "$src" -u "$who:$pw" -T /etc/hostname --ftp-create-dirs \
                   "ftp://127.0.0.1/incoming/${BROAD_WORDS[$((RANDOM % ${#BROAD_WORDS[@]}))]}.txt" ;;
            9) pick who "${BROAD_PEOPLE[@]}"
               client curl -s --interface "$src" -u "$who:${BROAD_PASSWORDS[$((RANDOM % ${#BROAD_PASSWORDS[@]}))]}" -Q "$quote" "ftp://127.0.0.1/" ;;
        esac
    done
    local scripts=("ls mirror; cat welcome.msg" "cls -l releases; quote HELP; quote NOOP"
                   "cd media; ls; quote MDTM pic001.jpg" "set ftp:passive-mode no; set ftp:port-range 40090-40099; ls releases/v2.3"
                   "du -s mirror" "quote STAT; quote SYST; ls incoming")
    local user_scripts=("ls; cd reports; ls; cat q3.csv" "find src; quote STAT" "mkdir scratch" "rm plan.md"
                        "mv plan.md plan.old" "chmod 600 plan.md" "cat src/Makefile; quote SIZE src/main.c"
                        "set ftp:passive-mode no; set ftp:port-range 40090-40099; cls -l inbox")
    local script
    for i in $(seq 0 5); do
        pick person "${BROAD_PEOPLE[@]}"
        client lftp -e "$o; set net:socket-bind-ipv4 127.0.1.$((60 + i)); ${scripts[$i]}; bye" -u "anonymous,$person@" 127.0.0.1
    done
    for i in $(seq 0 7); do
        pick account "${BROAD_FTP_USERS[@]}"
        client lftp -e "$o; set net:socket-bind-ipv4 127.0.1.$((70 + i)); ${user_scripts[$i]}; bye" -u "${account%%:*},${account#*:}" 127.0.0.1
    done
    pick pw "${BROAD_PASSWORDS[@]}"
    client lftp -e "$o; set net:socket-bind-ipv4 127.0.1.80; ls; bye" -u "ftperin,$pw" 127.0.0.1
    # The raw-socket sweep, one client call (under the 30 s time-out) per section.
    local part
    for part in 1 2 3 4 5 6 7 8 9 10 11; do
        client "$PY" "$CLIENTS" ftp broad "$part" "${BROAD_FTP_USERS[@]}"
    done
}

smtp_broad() {
    local s=(swaks --server 127.0.0.1 --port 25 --timeout 10)
    local locals=(ftperin@vm ftpfrank@vm ftpgrace@localhost ftpheidi@vm mail@vm news@localhost list@vm irc@vm)
    local quit_after=(CONNECT FIRST-HELO HELO MAIL RCPT)
    local i src helo from to word person dom subject extra
    RANDOM=2502
    for i in $(seq 0 39); do
        src=127.0.1.$((2 + i % 50))
        pick word "${BROAD_WORDS[@]}"; pick dom "${BROAD_DOMAINS[@]}"; helo="$word.$dom"
        pick person "${BROAD_PEOPLE[@]}"; pick dom "${BROAD_DOMAINS[@]}"; from="$person@$dom"
        pick to "${locals[@]}"
        pick word "${BROAD_WORDS[@]}"; subject="$word report $((RANDOM % 900 + 100))"
        extra=()
        case $((i % 8)) in
            1) extra=(--protocol SMTP) ;;
            2) pick word "${quit_after[@]}"; extra=(--quit-after "$word") ;;
            3) extra=(--pipeline) ;;
            4) pick person "${BROAD_PEOPLE[@]}"; pick dom "${BROAD_DOMAINS[@]}"; to="$to,$person@$dom" ;;
            5) pick person "${BROAD_PEOPLE[@]}"; to="$person$((RANDOM % 90 + 10))@vm" ;;
            6) pick person "${BROAD_PEOPLE[@]}"
               extra=(--auth LOGIN --auth-user "$person" --auth-password "${BROAD_PASSWORDS[$((RANDOM % ${#BROAD_PASSWORDS[@]}))]}") ;;
            7) extra=(--body "$(seq 1 $((RANDOM % 60 + 5)) | sed 's/^/row /')") ;;
        esac
        client "${s[@]}" -li "$src" --helo "$helo" --from "$from" --to "$to" \
            --header "Subject: $subject" --header "X-Mailer: ${BROAD_WORDS[$((i % ${#BROAD_WORDS[@]}))]}-mailer" \
            --body "${BROAD_WORDS[$((RANDOM % ${#BROAD_WORDS[@]}))]} ${BROAD_WORDS[$((RANDOM % ${#BROAD_WORDS[@]}))]}" "${extra[@]}"
    done
    local part
    for part in 1 2 3 4 5 6; do client "$PY" "$CLIENTS" smtp broad "$part"; done
}

redis_broad() {
    local r=(redis-cli -h 127.0.0.1 -p 6379)
    local templates=("SET {s} {v}" "GET {s}" "INCR {s}" "APPEND {s} {v}" "STRLEN {s}" "MSET {s} {v} {s}x {v}"
        "MGET {s} {s}x" "SETEX {s} {n} {v}" "HSET {h} {w} {v}" "HGET {h} {w}" "HGETALL {h}" "HDEL {h} {w}"
        "HLEN {h}" "HINCRBY {h} {w} {n}" "LPUSH {l} {v}" "RPUSH {l} {v} {w}" "LRANGE {l} 0 3" "LPOP {l}"
        "LLEN {l}" "SADD {S} {w} {v}" "SMEMBERS {S}" "SCARD {S}" "SISMEMBER {S} {w}" "ZADD {z} {n} {w}"
        "ZRANGE {z} 0 4 WITHSCORES" "ZSCORE {z} {w}" "ZCARD {z}" "EXPIRE {s} {n}" "TTL {s}" "PTTL {h}"
        "TYPE {l}" "EXISTS {s} {h}" "DEL {s}" "KEYS {w}*" "SCAN 0 COUNT 20" "DBSIZE" "INFO stats"
        "INFO keyspace" "INFO replication" "CONFIG GET timeout" "CONFIG GET port" "CLIENT LIST" "CLIENT ID"
        "TIME" "ECHO {v}" "PING {w}" "SELECT {db}" "AUTH {p}" "FLUSHDB" "COMMAND COUNT" "ROLE" "LASTSAVE"
        "RANDOMKEY" "OBJECT ENCODING {s}" "MEMORY USAGE {l}" "NOSUCHCMD {w}" "hget {h} {w}" "set {s} {v}")
    local t line i word person pw
    RANDOM=6379
    for i in 0 1; do
        for t in "${templates[@]}"; do
            line=$t
            pick word "${BROAD_WORDS[@]}"; line=${line//\{s\}/acct:$word:$((RANDOM % 50))}
            pick word "${BROAD_WORDS[@]}"; line=${line//\{h\}/device:$word}
            pick word "${BROAD_WORDS[@]}"; line=${line//\{l\}/inbox:$word}
            pick word "${BROAD_WORDS[@]}"; line=${line//\{S\}/tags:$word}
            pick word "${BROAD_WORDS[@]}"; line=${line//\{z\}/board:$word}
            pick word "${BROAD_WORDS[@]}"; line=${line//\{v\}/$word-$((RANDOM % 10000))}
            pick word "${BROAD_WORDS[@]}"; line=${line//\{w\}/$word}
            pick pw "${BROAD_PASSWORDS[@]}"; line=${line//\{p\}/$pw}
            line=${line//\{n\}/$((RANDOM % 5000 + 2))}
            line=${line//\{db\}/$((RANDOM % 14 + 2))}
            # shellcheck disable=SC2086  # words of a template, no globbing characters but '*'
            set -f; client "${r[@]}" $line; set +f
        done
    done
    # several commands on one redis-cli connection: -n (SELECT first) and -r (repeat).
    # (Not commands on stdin: redis-cli then fetches the 170 kB COMMAND DOCS first.)
    for i in 0 1 2 3 4 5; do
        pick word "${BROAD_WORDS[@]}"; pick person "${BROAD_PEOPLE[@]}"
        client "${r[@]}" -n "$((i + 2))" HSET "member:$person" team "$word"
        client "${r[@]}" -r "$((i % 3 + 2))" INCRBY "rate:$word:$i" "$((i + 3))"
    done
    local part
    for part in 1 2 3 4 5; do client "$PY" "$CLIENTS" redis broad "$part"; done
}

http_broad() {
    local agents=("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0"
                  "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)" "facebookexternalhit/1.1"
                  "Wget/1.20.3 (linux-gnu)" "curl/8.1.2" "Microsoft Office Word 2014")
    local hosts=(intranet.northwind.example www.contoso.example portal.fabrikam.example tailspin.example)
    local pages=(/news/ /news/2024-spring.html /news/archive.html /catalog/ /catalog/item-17.html
                 /catalog/prices.json /kb/ /kb/setup-guide.txt /static/app.js /static/site.css
                 /static/icon.gif /team.html /downloads/ /downloads/tool-2.3.tar.gz /news /kb
                 /jenkins/login /actuator/env /solr/ /catalog/item-3.html)
    local i src agent host page word person pw
    RANDOM=8080
    for i in $(seq 0 35); do
        src=127.0.1.$((2 + i % 50))
        pick agent "${agents[@]}"; pick host "${hosts[@]}"; pick page "${pages[@]}"; pick word "${BROAD_WORDS[@]}"
        local c=(curl -s -o /dev/null --interface "$src" -A "$agent" --resolve "$host:80:127.0.0.1")
        case $((i % 12)) in
            0|1) client "${c[@]}" "http://$host$page" ;;
            2) client "${c[@]}" -I "http://$host$page" ;;
            3) client "${c[@]}" --http1.0 "http://$host$page" ;;
            4) client "${c[@]}" -d "$word=$((RANDOM % 100))&who=${BROAD_PEOPLE[$((i % ${#BROAD_PEOPLE[@]}))]}" "http://$host/cgi-bin/form.sh" ;;
            5) client "${c[@]}" -X PUT --data-binary "$word" "http://$host/kb/$word.txt" ;;
            6) client "${c[@]}" -X DELETE "http://$host$page" ;;
            7) client "${c[@]}" -X OPTIONS "http://$host$page" ;;
            8) client "${c[@]}" -X PATCH -H "Content-Type: application/json" -d "{\"$word\":$i}" "http://$host$page" ;;
            9) client "${c[@]}" -H "Range: bytes=$((RANDOM % 20))-$((RANDOM % 200 + 30))" "http://$host/kb/setup-guide.txt" ;;
            10) pick person "${BROAD_PEOPLE[@]}"; pick pw "${BROAD_PASSWORDS[@]}"
                client "${c[@]}" -u "$person:$pw" "http://$host$page" ;;
            11) client "${c[@]}" -X TRACE -H "X-$word: $((RANDOM))" "http://$host$page" ;;
        esac
    done
    client curl -s -o /dev/null --interface 127.0.1.90 -A "${agents[0]}" -X OPTIONS --request-target '*' "http://${hosts[1]}/" --resolve "${hosts[1]}:80:127.0.0.1"
    client curl -s -o /dev/null -o /dev/null -o /dev/null --interface 127.0.1.91 -A "${agents[0]}" \
        --resolve "${hosts[0]}:80:127.0.0.1" "http://${hosts[0]}/news/" "http://${hosts[0]}/static/site.css" "http://${hosts[0]}/static/icon.gif"
    client curl -s -o /dev/null -o /dev/null --interface 127.0.1.92 -A "${agents[1]}" \
        --resolve "${hosts[2]}:80:127.0.0.1" "http://${hosts[2]}/catalog/" "http://${hosts[2]}/catalog/prices.json"
    for i in 0 1 2 3 4 5; do
        pick page "${pages[@]}"; pick agent "${agents[@]}"; pick host "${hosts[@]}"
        client wget -q -O /dev/null --bind-address="127.0.1.$((93 + i))" -U "$agent" --header "Host: $host" "http://127.0.0.1$page"
    done
    local part
    for part in 1 2 3 4; do client "$PY" "$CLIENTS" http broad "$part"; done
}

dns_broad() {
    local d=(dig @127.0.0.1 -p 53 +tries=1 +time=3)
    local names=(git.lab.test build.lab.test vpn.lab.test proxy.lab.test wiki.lab.test ci.lab.test
                 printer.lab.test cam01.lab.test docs-alias.lab.test corp.test www.corp.test mx.corp.test
                 crm.corp.test _xmpp-client._tcp.corp.test sel1._domainkey.corp.test nas.lab.test
                 updates.contoso.example)
    local types=(A AAAA MX TXT NS SOA CNAME SRV CAA NAPTR PTR HINFO DS DNSKEY TLSA SSHFP HTTPS ANY)
    local opts=(+dnssec +norecurse +noedns +nocookie +tcp +bufsize=1232 +cdflag +adflag +short +qr "" "" "")
    local i n t o
    RANDOM=5353
    for i in $(seq 0 59); do
        pick n "${names[@]}"; pick t "${types[@]}"; pick o "${opts[@]}"
        # shellcheck disable=SC2086  # an empty option is no argument
        client "${d[@]}" -b "127.0.1.$((2 + i % 50))" "$n" "$t" $o
    done
    for n in 198.51.100.30 198.51.100.60 198.51.100.88 2001:db8::30; do
        client "${d[@]}" -b 127.0.1.60 -x "$n"
    done
    client "${d[@]}" -b 127.0.1.61 id.server TXT CH
    client "${d[@]}" -b 127.0.1.62 version.server TXT CH
    client "${d[@]}" -b 127.0.1.63 corp.test AXFR
    for i in 0 1 2 3 4 5 6 7; do
        pick n "${names[@]}"; pick t "${types[@]}"
        client host -W 3 -t "$t" "$n" 127.0.0.1
    done
    for i in 0 1 2 3 4 5; do
        pick n "${names[@]}"; pick t "${types[@]}"
        client nslookup -timeout=3 -retry=1 -type="$t" "$n" 127.0.0.1
    done
    local part
    for part in 1 2 3 4 5; do client "$PY" "$CLIENTS" dns broad "$part"; done
}

# ------------------------------------------------------------------- MariaDB

MYSQL_DIR=$RUN_DIR/mysql
# The client without option files, over TCP to 127.0.0.1 (not the socket).
mysql_client() { client mariadb --no-defaults --skip-ssl -h 127.0.0.1 -P 3306 --connect-timeout=5 "$@"; }

mysql_start() {
    rm -rf "$MYSQL_DIR"
    mkdir -p "$MYSQL_DIR"
    mariadb-install-db --no-defaults --datadir="$MYSQL_DIR/data" --user=root \
        --auth-root-authentication-method=socket --skip-test-db >"$MYSQL_DIR/install.log" 2>&1
    # --skip-name-resolve: errors name the client's address, not a looked-up host name.
    mariadbd --no-defaults --datadir="$MYSQL_DIR/data" --socket="$MYSQL_DIR/mysql.sock" \
        --pid-file="$MYSQL_DIR/mysql.pid" --port=3306 --bind-address=127.0.0.1 --user=root \
        --skip-name-resolve --log-error="$MYSQL_DIR/error.log" &
    STARTED_PIDFILES+=("$MYSQL_DIR/mysql.pid")
    wait_listen tcp 3306
    mariadb --no-defaults -S "$MYSQL_DIR/mysql.sock" -uroot <<'SQL'
CREATE USER 'app'@'%' IDENTIFIED BY 'app-secret';
GRANT SELECT, INSERT ON *.* TO 'app'@'%';
CREATE USER 'reader'@'%' IDENTIFIED BY 'reader-pw';
CREATE DATABASE shop;
CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(40), price DECIMAL(8,2));
INSERT INTO shop.items VALUES (1, 'widget', 2.50), (2, 'gadget', 10.00), (3, 'gizmo', 7.25);
GRANT SELECT ON shop.* TO 'reader'@'%';
SQL
}

mysql_drive() {
    local variant=$1 pw
    if [ "$variant" = train ]; then
        mysql_client -uapp -papp-secret -e 'SELECT VERSION()'
        mysql_client -uapp -papp-secret -e 'SHOW DATABASES'
        mysql_client -uapp -papp-secret -e 'SELECT 1'
        mysql_client -uapp -papp-secret shop -e 'SELECT * FROM items'
        mysql_client -ureader -preader-pw shop -e 'SELECT name FROM items WHERE id = 2'
        mysql_client -ureader -preader-pw -e 'SELECT USER()'
        mysql_client -uapp -pwrong-password -e 'SELECT 1'
        mysql_client -uroot -proot -e 'SELECT 1'
        mysql_client -uadmin -padmin -e 'SELECT 1'
        mysql_client -utest -ptest -e 'SELECT 1'
        mysql_client -ureader -p123456 -e 'SELECT 1'
        client mysqladmin --no-defaults --skip-ssl -h 127.0.0.1 -P 3306 -uapp -papp-secret ping
        client mysqladmin --no-defaults --skip-ssl -h 127.0.0.1 -P 3306 -uapp -papp-secret version
        client mysqladmin --no-defaults --skip-ssl -h 127.0.0.1 -P 3306 -uapp -pbad status
        printf 'root\nadmin\nreader\n' >"$MYSQL_DIR/users.txt"
        printf 'password\n123456\nreader-pw\n' >"$MYSQL_DIR/passwords.txt"
        client hydra -L "$MYSQL_DIR/users.txt" -P "$MYSQL_DIR/passwords.txt" -t 1 -f -s 3306 127.0.0.1 mysql
    else
        mysql_client -uapp -papp-secret -e 'SELECT NOW()'
        mysql_client -uapp -papp-secret shop -e 'SELECT COUNT(*) FROM items'
        mysql_client -ureader -preader-pw shop -e 'SELECT * FROM items'
        for pw in letmein qwerty app-secret2; do mysql_client -uapp -p"$pw" -e 'SELECT 1'; done
        mysql_client -uroot -ptoor -e 'SELECT 1'
        mysql_client -uguest -pguest -e 'SELECT 1'
        client mysqladmin --no-defaults --skip-ssl -h 127.0.0.1 -P 3306 -ureader -preader-pw ping
        printf 'app\nroot\n' >"$MYSQL_DIR/users.txt"
        printf 'secret\napp-secret\n' >"$MYSQL_DIR/passwords.txt"
        client hydra -L "$MYSQL_DIR/users.txt" -P "$MYSQL_DIR/passwords.txt" -t 1 -s 3306 127.0.0.1 mysql
    fi
}

# nmap -sV and two NSE scripts, in the nmap capture.
mysql_nmap() {
    capture_start lo "$CAPTURES/mysql-nmap.pcap" "tcp port 3306"
    timeout 300 nmap -n -Pn -sV --script mysql-info,mysql-empty-password -p 3306 127.0.0.1 >"$RUN_DIR/nmap-mysql.out" 2>&1 || true
    capture_stop
    grep -E '^(PORT|[0-9]+/(tcp|udp)) ' "$RUN_DIR/nmap-mysql.out" | tr -s ' ' >"$EXPECTED/nmap-mysql.txt" || true
    grep -E '^\|' "$RUN_DIR/nmap-mysql.out" | grep -vE 'Thread ID|Salt' >"$EXPECTED/nmap-mysql-scripts.txt" || true
}

mysql_expected() {
    mariadb --no-defaults --skip-ssl -h 127.0.0.1 -P 3306 -uapp -papp-secret -N -e 'SELECT VERSION()' \
        >"$EXPECTED/mysql-version.txt" 2>&1 || true
    mariadb --no-defaults --skip-ssl -h 127.0.0.1 -P 3306 -uapp -pwrong-password -e 'SELECT 1' \
        >"$EXPECTED/mysql-bad-password.txt" 2>&1 || true
    mariadb --no-defaults --skip-ssl -h 127.0.0.1 -P 3306 -uintruder -pwrong -e 'SELECT 1' \
        >"$EXPECTED/mysql-unknown-user.txt" 2>&1 || true
    mariadb --no-defaults --skip-ssl -h 127.0.0.1 -P 3306 -uroot -pwrong -e 'SELECT 1' \
        >"$EXPECTED/mysql-bad-password-root.txt" 2>&1 || true
}

# ---------------------------------------------------------------------- main

# record SERVICE FILTER [NMAP_PORT]: start, train, held-out, nmap, expected, stop.
record() {
    local svc=$1 filter=$2 nmap_port=${3:-}
    log "$svc: starting server"
    "${svc}_start"
    log "$svc: training capture"
    if [ "$svc" = redis ]; then
        # Same real traffic in four file formats: Ethernet pcap (lo), Linux cooked
        # SLL2 (-i any), nanosecond pcap, and pcapng (dumpcap).
        capture_start lo "$CAPTURES/redis-train.pcap" "$filter"
        capture_start any "$CAPTURES/redis-train-any.pcap" "$filter"
        capture_start nano "$CAPTURES/redis-train-nano.pcap" "$filter"
        capture_start pcapng "$CAPTURES/redis-train.pcapng" "$filter"
    else
        capture_start lo "$CAPTURES/$svc-train.pcap" "$filter"
    fi
    "${svc}_drive" train
    capture_stop
    log "$svc: held-out capture"
    capture_start lo "$CAPTURES/$svc-heldout.pcap" "$filter"
    "${svc}_drive" heldout
    capture_stop
    if [ -n "$nmap_port" ]; then
        log "$svc: nmap -sV capture"
        nmap_scan "$svc" "$nmap_port"
    elif [ "$svc" = smb ]; then
        log "$svc: nmap scripts capture"
        smb_nmap
    elif [ "$svc" = mysql ]; then
        log "$svc: nmap -sV and scripts capture"
        mysql_nmap
    fi
    log "$svc: expected outputs"
    "${svc}_expected"
    stop_all
}

# record_broad SERVICE FILTER PORT: start the server with the broad set's content,
# record *-train-broad.pcap while the broad set runs, stop. Touches no other capture.
record_broad() {
    local svc=$1 filter=$2 port=$3 proto=tcp
    [ "$svc" = dns ] && proto=udp
    wait_closed "$proto" "$port"
    log "$svc: starting server (broad set)"
    "${svc}_start" broad
    log "$svc: broad training capture"
    capture_start lo "$CAPTURES/$svc-train-broad.pcap" "$filter"
    "${svc}_broad"
    capture_stop
    stop_all
}

SETS_SELECTED=main,broad
has_set() { [[ ",$SETS_SELECTED," == *",$1,"* ]]; }

main() {
    [ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
    exec </dev/null
    local services=() set
    SETS_SELECTED=${SETS:-main,broad}
    while [ $# -gt 0 ]; do
        case $1 in
            --sets) [ $# -ge 2 ] || { echo "--sets needs a list" >&2; exit 2; }
                    SETS_SELECTED=$2; shift 2 ;;
            --sets=*) SETS_SELECTED=${1#--sets=}; shift ;;
            *) services+=("$1"); shift ;;
        esac
    done
    for set in ${SETS_SELECTED//,/ }; do
        case $set in main|broad) ;; *) echo "unknown set $set (main, broad)" >&2; exit 2 ;; esac
    done
    [ ${#services[@]} -gt 0 ] || services=(ftp http smb smtp dns redis ssh mysql)
    if [ -z "${RECORD_FIXTURES_NETNS:-}" ]; then
        install_packages
        # Record inside a new network namespace that has only its own loopback:
        # no other traffic on this machine's lo ends up in the captures, ports
        # 21/25/53/80... are free, and a stray look-up (a server resolving its own
        # host name or a client address) cannot leave the namespace.
        exec unshare --net env RECORD_FIXTURES_NETNS=1 SKIP_INSTALL=1 SETS="$SETS_SELECTED" \
            bash "$REPO_DIR/Scripts/record-fixtures.sh" "${services[@]}"
    fi
    ip link set lo up
    mkdir -p "$CAPTURES" "$EXPECTED" "$RUN_DIR"
    : >"$RUN_DIR/clients.log"
    local svc filter port nmap_port
    for svc in "${services[@]}"; do
        case $svc in   # capture filter, server port, nmap port (none: no nmap -sV capture)
            ftp)   filter="tcp port 21 or tcp portrange 40000-40099 or tcp port 20"; port=21; nmap_port=21 ;;
            http)  filter="tcp port 80"; port=80; nmap_port=80 ;;
            smb)   filter="tcp port 445 or tcp port 139"; port=445; nmap_port= ;;
            smtp)  filter="tcp port 25"; port=25; nmap_port=25 ;;
            dns)   filter="port 53"; port=53; nmap_port= ;;
            redis) filter="tcp port 6379"; port=6379; nmap_port=6379 ;;
            ssh)   filter="tcp port 22"; port=22; nmap_port=22 ;;
            mysql) filter="tcp port 3306"; port=3306; nmap_port= ;;
            *) echo "unknown service $svc" >&2; exit 2 ;;
        esac
        if has_set main; then record "$svc" "$filter" ${nmap_port:+"$nmap_port"}; fi
        if has_set broad; then
            case $svc in
                ftp|smtp|redis|http|dns) record_broad "$svc" "$filter" "$port" ;;
                *) log "$svc: no broad set" ;;
            esac
        fi
    done
    log "done; client log: $RUN_DIR/clients.log"
    local f
    for f in "$CAPTURES"/*.pcap "$CAPTURES"/*.pcapng; do
        [ -e "$f" ] || continue
        printf '%-32s %8s bytes  %s\n' "$(basename "$f")" "$(stat -c %s "$f")" \
            "$(capinfos -E -T -r "$f" 2>/dev/null | cut -f2)" >&2
    done
}

main "$@"
