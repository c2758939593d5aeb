#!/usr/bin/env python3
"""Connects twice to a honeypot on 127.0.0.1:PORT and checks that what the real server varies
by itself is fresh: dates are the current time, nonces differ between the two connections, and
everything else equals what the real server sent (from its capture, or a recorded answer).

usage: connect-twice.py smtp  PORT CAPTURE.pcap
       connect-twice.py mysql PORT CAPTURE.pcap
       connect-twice.py smb   PORT CAPTURE.pcap
       connect-twice.py http PORT EXPECTED-HEAD.txt     (the real server's `curl -I /`)
       connect-twice.py ssh  PORT CAPTURE.pcap
Prints one JSON line of figures; the test decides. Reads only classic pcap (Ethernet, SLL,
null), IPv4 TCP, segments in order (loopback)."""
import email.utils, json, socket, struct, sys, time
from datetime import datetime, timezone

def tcp_streams(path):
    """{(client, server): [client bytes, server bytes]} in capture order, by the SYN's side."""
    data = open(path, 'rb').read()
    link = struct.unpack('<I', data[20:24])[0]
    offset, streams, order = 24, {}, []
    while offset + 16 <= len(data):
        included = struct.unpack('<I', data[offset + 8:offset + 12])[0]
        packet = data[offset + 16:offset + 16 + included]
        offset += 16 + included
        ip = {1: packet[14:], 113: packet[16:], 0: packet[4:]}.get(link, packet)
        if len(ip) < 40 or ip[0] >> 4 != 4 or ip[9] != 6:
            continue
        header = (ip[0] & 15) * 4
        tcp = ip[header:struct.unpack('>H', ip[2:4])[0]]
        source = (ip[12:16], struct.unpack('>H', tcp[0:2])[0])
        destination = (ip[16:20], struct.unpack('>H', tcp[2:4])[0])
        flags = tcp[13]
        payload = tcp[(tcp[12] >> 4) * 4:]
        if flags & 0x02 and not flags & 0x10:  # SYN: a new conversation, client first
            streams[(source, destination)] = [b'', b'']
            order.append((source, destination))
        elif (source, destination) in streams:
            streams[(source, destination)][0] += payload
        elif (destination, source) in streams:
            streams[(destination, source)][1] += payload
    return [streams[key] for key in order]

def connect(port):
    connection = socket.create_connection(('127.0.0.1', port), timeout=5)
    return connection

def receive_line(connection):
    data = b''
    while not data.endswith(b'\n'):
        piece = connection.recv(1)
        if not piece:
            break
        data += piece
    return data

def receive_exactly(connection, count):
    data = b''
    while len(data) < count:
        piece = connection.recv(count - len(data))
        if not piece:
            break
        data += piece
    return data

def seconds_from_now(text):
    return abs(email.utils.parsedate_to_datetime(text).timestamp() - time.time())

def smtp(port, capture):
    # The banner's date is its last 31 bytes before CRLF: `Fri, 27 Nov 2026 00:07:06 +0000`.
    real = [server.split(b'\r\n')[0].decode() for _, server in tcp_streams(capture) if server.startswith(b'220 ')]
    banners = []
    for _ in range(2):
        with connect(port) as connection:
            banners.append(receive_line(connection).rstrip(b'\r\n').decode())
        time.sleep(1.1)  # the second banner is a second later
    return {
        "realBanners": len(real), "realDatesDiffer": len({b[-31:] for b in real}) > 1,
        "realTextOutsideDate": sorted({b[:-31] for b in real}),
        "textOutsideDate": sorted({b[:-31] for b in banners}),
        "maxSecondsFromNow": max(seconds_from_now(b[-31:]) for b in banners),
        "datesDiffer": banners[0][-31:] != banners[1][-31:],
    }

def http(port, expected):
    real = [line for line in open(expected).read().splitlines() if line]
    answers = []
    for _ in range(2):
        with connect(port) as connection:
            connection.sendall(b'HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n')
            data = b''
            while b'\r\n\r\n' not in data:
                piece = connection.recv(4096)
                if not piece:
                    break
                data += piece
        answers.append([line for line in data.decode(errors='replace').split('\r\n') if line])
        time.sleep(1.1)
    dates = [line[6:] for answer in answers for line in answer if line.startswith('Date: ')]
    return {
        "realHeadersOutsideDate": [line for line in real if not line.startswith('Date: ')],
        "headersOutsideDate": sorted({tuple(line for line in answer if not line.startswith('Date: ')) for answer in answers}),
        "dates": len(dates), "maxSecondsFromNow": max((seconds_from_now(d) for d in dates), default=None),
        "datesDiffer": len(set(dates)) > 1,
    }

def ssh_packet(stream, start):
    """The binary packet at `start` and the offset after it."""
    length = struct.unpack('>I', stream[start:start + 4])[0]
    return stream[start:start + 4 + length], start + 4 + length

def ssh(port, capture):
    # A KEXINIT packet: length (4), padding length (1), type 20, cookie (16), name-lists...,
    # random padding. The server's follows its banner line.
    conversations = [(client, server) for client, server in tcp_streams(capture)
                     if client.startswith(b'SSH-2.0-OpenSSH') and server.startswith(b'SSH-2.0-')]
    client, server = conversations[0]
    client_banner_end = client.index(b'\r\n') + 2
    client_kexinit, _ = ssh_packet(client, client_banner_end)
    real = [ssh_packet(s, s.index(b'\r\n') + 2)[0] for _, s in conversations]
    def fixed(packet):  # without cookie and padding
        padding = packet[4]
        return packet[:6] + packet[22:len(packet) - padding]
    answers = []
    for _ in range(2):
        with connect(port) as connection:
            banner = receive_line(connection)
            connection.sendall(client[:client_banner_end] + client_kexinit)
            header = receive_exactly(connection, 4)
            packet = header + receive_exactly(connection, struct.unpack('>I', header)[0]) if len(header) == 4 else b''
        answers.append((banner, packet))
    return {
        "realKexinits": len(real), "realCookiesDiffer": len({p[6:22] for p in real}) == len(real),
        "bannersEqualReal": all(banner == server[:server.index(b'\r\n') + 2] for banner, _ in answers),
        "kexinits": sum(1 for _, packet in answers if len(packet) > 22 and packet[5] == 20),
        "cookiesDiffer": answers[0][1][6:22] != answers[1][1][6:22],
        "restEqualsReal": all(len(packet) > 22 and fixed(packet) in {fixed(r) for r in real} for _, packet in answers),
    }

def mysql_parts(packet):
    """A greeting's thread id, scramble (both parts) and the rest: header (4), protocol (1),
    version (NUL-ended), thread id (4), scramble (8), filler, capabilities, charset, status,
    capabilities, scramble length, reserved (10), scramble (12), NUL, plugin name."""
    version_end = packet.index(b'\0', 5) + 1
    thread = packet[version_end:version_end + 4]
    first = packet[version_end + 4:version_end + 12]
    second_start = version_end + 12 + 1 + 2 + 1 + 2 + 2 + 1 + 10
    second = packet[second_start:second_start + 12]
    rest = packet[:version_end] + packet[version_end + 12:second_start] + packet[second_start + 12:]
    return thread, first + second, rest

def mysql(port, capture):
    real = [mysql_parts(server[:4 + int.from_bytes(server[:3], 'little')]) for _, server in tcp_streams(capture) if len(server) > 5 and server[4] == 10]
    answers = []
    for _ in range(2):
        with connect(port) as connection:
            header = receive_exactly(connection, 4)
            answers.append(mysql_parts(header + receive_exactly(connection, int.from_bytes(header[:3], 'little'))))
    return {
        "realGreetings": len(real), "realThreadIdsDiffer": len({r[0] for r in real}) == len(real),
        "realScramblesDiffer": len({r[1] for r in real}) == len(real),
        "restEqualsReal": all(answer[2] in {r[2] for r in real} for answer in answers),
        "threadIdsDiffer": answers[0][0] != answers[1][0], "scramblesDiffer": answers[0][1] != answers[1][1],
        "scramblesPrintable": all(all(0x21 <= byte <= 0x7E for byte in answer[1]) for answer in answers),
        "realScramblesPrintable": all(all(0x21 <= byte <= 0x7E for byte in r[1]) for r in real),
    }

def smb_negotiate_parts(packet):
    """A NetBIOS-framed SMB2 NEGOTIATE response's ServerGuid and SystemTime (a FILETIME):
    NetBIOS header (4), SMB2 header (64), then StructureSize, SecurityMode, DialectRevision,
    NegotiateContextCount (2 each), ServerGuid (16), Capabilities, MaxTransactSize,
    MaxReadSize, MaxWriteSize (4 each), SystemTime (8)."""
    body = 4 + 64
    filetime = int.from_bytes(packet[body + 40:body + 48], 'little')
    return packet[body + 8:body + 24], filetime / 10_000_000 - 11_644_473_600

def smb(port, capture):
    # Conversations whose first client frame is an SMB2 NEGOTIATE (not a NetBIOS session
    # request) and whose first answer is the NEGOTIATE response.
    conversations = [(client, server) for client, server in tcp_streams(capture)
                     if client[:1] == b'\0' and client[4:8] == b'\xfeSMB' and server[4:8] == b'\xfeSMB' and server[16:18] == b'\0\0']
    # The NEGOTIATE most clients of the capture sent (smbclient's), as one of them would.
    requests = [client[:4 + int.from_bytes(client[1:4], 'big')] for client, _ in conversations]
    request = max(requests, key=lambda r: (sum(len(other) == len(r) for other in requests), -requests.index(r)))
    real = [smb_negotiate_parts(server) for _, server in conversations]
    answers = []
    for _ in range(2):
        with connect(port) as connection:
            connection.sendall(request)
            header = receive_exactly(connection, 4)
            packet = header + receive_exactly(connection, int.from_bytes(header[1:4], 'big')) if len(header) == 4 else b''
        answers.append(smb_negotiate_parts(packet) if len(packet) >= 4 + 64 + 48 else (b'', 0))
        time.sleep(0.2)
    return {
        "realNegotiates": len(real), "realTimesDiffer": len({r[1] for r in real}) == len(real),
        "guidsEqualReal": all(answer[0] in {r[0] for r in real} for answer in answers),
        "maxSecondsFromNow": max(abs(answer[1] - time.time()) for answer in answers),
        "timesDiffer": answers[0][1] != answers[1][1],
    }

service, port, source = sys.argv[1], int(sys.argv[2]), sys.argv[3]
print(json.dumps({"smtp": smtp, "http": http, "ssh": ssh, "mysql": mysql, "smb": smb}[service](port, source)))
