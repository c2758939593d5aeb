#!/usr/bin/env python3
"""Sends every DNS query of a capture (UDP, to port 53) with a fresh transaction id to a server
on 127.0.0.1:PORT and counts the answers that carry the query's id; also counts, in the capture
itself, the real server's answers that carried the id of the query they answered.

usage: dns-fresh-ids.py PORT CAPTURE.pcap    (prints one JSON line)"""
import json, random, socket, struct, sys

def udp_payloads(path):
    data = open(path, 'rb').read()
    link = struct.unpack('<I', data[20:24])[0]
    offset = 24
    while offset + 16 <= len(data):
        included = struct.unpack('<I', data[offset + 8:offset + 12])[0]
        packet = data[offset + 16:offset + 16 + included]
        offset += 16 + included
        ip = {1: packet[14:], 113: packet[16:], 0: packet[4:]}.get(link, packet)
        if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        udp = ip[(ip[0] & 15) * 4:]
        yield struct.unpack('>HH', udp[0:4]), udp[8:]

port, capture = int(sys.argv[1]), sys.argv[2]
queries, real_answers, real_same = [], 0, 0
asked = set()
for (sport, dport), payload in udp_payloads(capture):
    if len(payload) < 12:
        continue
    if dport == 53 and not payload[2] & 0x80:
        queries.append(bytearray(payload))
        asked.add(payload[:2])
    elif sport == 53 and payload[2] & 0x80:
        real_answers += 1
        real_same += payload[:2] in asked
rng = random.Random(7)  # fixed: the same fresh ids every run
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(0.5)
answered = same = 0
for query in queries[:1000]:
    query[0:2] = rng.randrange(65536).to_bytes(2, 'big')
    sock.sendto(bytes(query), ('127.0.0.1', port))
    try:
        answer = sock.recv(65535)
    except socket.timeout:
        continue
    answered += 1
    same += answer[:2] == query[:2]
print(json.dumps({"queries": len(queries), "answered": answered, "freshIdEchoed": same,
                  "realAnswers": real_answers, "realIdEchoed": real_same}))
