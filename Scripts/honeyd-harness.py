#!/usr/bin/env python3
"""Run honeyd service scripts exactly the way honeyd 1.5c/1.6d does, on local ports.

For every accepted TCP connection (every new UDP flow), the harness forks the script with:
  - stdin and stdout on ONE socketpair end (SOCK_STREAM for TCP, SOCK_DGRAM for UDP), the
    other end relayed to the client, so the script sees the attacker's bytes as honeyd gives
    them (UDP: one datagram per read; each write becomes one reply datagram, <= 2048 bytes);
  - stderr appended to a separate log file (honeyd's service log);
  - HONEYD_IP_SRC, HONEYD_IP_DST, HONEYD_SRC_PORT, HONEYD_DST_PORT (and HONEYD_PERSONALITY)
    set, and nothing else of the harness's environment but PATH;
  - the working directory elsewhere (/), nice 10, RLIMIT_NOFILE 30, and optionally the user
    honeyd runs services as (--user nobody, when started as root).
TCP: the client's EOF is passed on as a shutdown of the script's input; when the script exits
(its end of the pair closes) the client connection is closed. UDP: the script never sees EOF
and must exit by itself; its flow is forgotten when it does.

Usage:
  honeyd-harness.py --service tcp:2121:/abs/tcp-21.sh:21 [--service udp:5353:/abs/udp-53.sh:53]
                    [--listen 127.0.0.1] [--log FILE] [--user nobody] [--personality P]
Each --service is PROTO:LISTEN_PORT:SCRIPT[:HONEYPOT_PORT]; LISTEN_PORT 0 picks a free port.
When every port is bound the harness prints one line per service,
  listening tcp 127.0.0.1:2121 /abs/tcp-21.sh
then `ready`, and serves until SIGINT/SIGTERM. Counters go to stderr at exit.
"""
import argparse
import os
import pwd
import resource
import select
import signal
import socket
import subprocess
import sys
import threading
import time

MAX_DATAGRAM = 2048  # honeyd's largest UDP reply
OPEN_FILES = 30      # honeyd's RLIMIT_NOFILE for service scripts
stats_lock = threading.Lock()
stats = {"connections": 0, "flows": 0, "spawn_failures": 0}


def bump(name):
    with stats_lock:
        stats[name] += 1


class Service:
    def __init__(self, spec, args):
        parts = spec.split(":")
        if len(parts) not in (3, 4) or parts[0] not in ("tcp", "udp"):
            raise SystemExit(f"bad --service {spec!r}: want PROTO:LISTEN_PORT:SCRIPT[:HONEYPOT_PORT]")
        self.proto, self.script = parts[0], parts[2]
        self.listen_port = int(parts[1])
        self.honeypot_port = int(parts[3]) if len(parts) == 4 else None
        if not os.path.isabs(self.script) or not os.access(self.script, os.X_OK):
            raise SystemExit(f"{self.script}: not an absolute path to an executable script")
        self.args = args

    def spawn(self, child_end, client_addr):
        """Forks the script with stdin and stdout on child_end, as honeyd does."""
        env = {
            "PATH": "/usr/bin:/bin",
            "HONEYD_IP_SRC": client_addr[0],
            "HONEYD_SRC_PORT": str(client_addr[1]),
            "HONEYD_IP_DST": self.args.listen,
            "HONEYD_DST_PORT": str(self.honeypot_port or self.bound_port),
        }
        if self.args.personality:
            env["HONEYD_PERSONALITY"] = self.args.personality
        user = self.args.user_entry

        def in_child():
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            resource.setrlimit(resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES))
            os.nice(10)
            if user is not None:
                os.setgroups([])
                os.setgid(user.pw_gid)
                os.setuid(user.pw_uid)

        log = open(self.args.log, "ab", buffering=0)
        try:
            return subprocess.Popen(
                [self.script], stdin=child_end, stdout=child_end, stderr=log, cwd="/", env=env,
                close_fds=True, preexec_fn=in_child,
            )
        except OSError as error:
            bump("spawn_failures")
            print(f"harness: cannot run {self.script}: {error}", file=sys.stderr, flush=True)
            return None
        finally:
            log.close()


def relay_tcp(service, client, addr):
    """One connection: fork the script, relay bytes both ways until it exits."""
    bump("connections")
    parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    process = service.spawn(child_end.fileno(), addr)
    child_end.close()
    if process is None:
        client.close()
        parent_end.close()
        return
    sockets = [client, parent_end]
    client_open = True
    try:
        while True:
            readable, _, _ = select.select(sockets, [], [], 1.0)
            if not readable and process.poll() is not None and parent_end not in sockets:
                break
            if client in readable:
                try:
                    data = client.recv(65536)
                except OSError:
                    data = b""
                if data:
                    try:
                        parent_end.sendall(data)
                    except OSError:
                        pass
                else:
                    # The attacker closed: the script reads EOF.
                    sockets.remove(client)
                    client_open = False
                    try:
                        parent_end.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
            if parent_end in readable:
                try:
                    data = parent_end.recv(65536)
                except OSError:
                    data = b""
                if data:
                    if client_open or True:
                        try:
                            client.sendall(data)
                        except OSError:
                            pass
                else:
                    # The script exited (its end closed): honeyd closes the connection.
                    break
    finally:
        client.close()
        parent_end.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serve_tcp(service, listener, stopping):
    while not stopping.is_set():
        try:
            client, addr = listener.accept()
        except OSError:
            if stopping.is_set():
                return
            continue
        threading.Thread(target=relay_tcp, args=(service, client, addr), daemon=True).start()


def serve_udp(service, sock, stopping):
    flows = {}  # client address -> (parent_end, process)
    flows_lock = threading.Lock()

    def pump(addr, parent_end, process):
        # Each read of the pair is one datagram the script wrote: one reply datagram.
        while True:
            readable, _, _ = select.select([parent_end], [], [], 0.5)
            if readable:
                try:
                    data = parent_end.recv(65536)
                except OSError:
                    break
                try:
                    sock.sendto(data[:MAX_DATAGRAM], addr)
                except OSError:
                    pass
            elif process.poll() is not None:
                break
        with flows_lock:
            flows.pop(addr, None)
        parent_end.close()
        process.wait()

    while not stopping.is_set():
        try:
            data, addr = sock.recvfrom(65536)
        except OSError:
            if stopping.is_set():
                return
            continue
        with flows_lock:
            flow = flows.get(addr)
        if flow is None or flow[1].poll() is not None:
            bump("flows")
            parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
            process = service.spawn(child_end.fileno(), addr)
            child_end.close()
            if process is None:
                parent_end.close()
                continue
            flow = (parent_end, process)
            with flows_lock:
                flows[addr] = flow
            threading.Thread(target=pump, args=(addr, parent_end, process), daemon=True).start()
        try:
            flow[0].send(data)
        except OSError:
            pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--service", action="append", required=True, help="PROTO:LISTEN_PORT:SCRIPT[:HONEYPOT_PORT]")
    parser.add_argument("--listen", default="127.0.0.1")
    parser.add_argument("--log", default="/dev/null", help="the service log (the scripts' stderr), appended")
    parser.add_argument("--user", help="run scripts as this user (honeyd: nobody); needs root")
    parser.add_argument("--personality", help="HONEYD_PERSONALITY for the scripts")
    args = parser.parse_args()
    # A parent may start us with signals blocked (libdispatch worker threads block them all).
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    args.user_entry = pwd.getpwnam(args.user) if args.user else None
    if args.user_entry is not None and os.getuid() != 0:
        raise SystemExit("--user needs root")
    services = [Service(spec, args) for spec in args.service]

    stopping = threading.Event()
    sockets = []
    threads = []
    for service in services:
        if service.proto == "tcp":
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((args.listen, service.listen_port))
            sock.listen(1024)
            target = serve_tcp
        else:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind((args.listen, service.listen_port))
            target = serve_udp
        service.bound_port = sock.getsockname()[1]
        sockets.append(sock)
        threads.append(threading.Thread(target=target, args=(service, sock, stopping), daemon=True))
        print(f"listening {service.proto} {args.listen}:{service.bound_port} {service.script}", flush=True)
    for thread in threads:
        thread.start()
    print("ready", flush=True)

    def stop(*_):
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping.is_set():
        stopping.wait(0.5)
    for sock in sockets:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()
    with stats_lock:
        print(f"harness: {stats['connections']} tcp connections, {stats['flows']} udp flows, "
              f"{stats['spawn_failures']} spawn failures", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
