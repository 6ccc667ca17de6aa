#!/usr/bin/env python3
"""Answers over the first seconds of a server: one PTR query every 5 ms over UDP for SECONDS, then
the count, the queries lost (no answer within 2 s) and the five slowest answers with when they were
sent. Used to see a pause of the answering threads (the memory trim once start-up is over) in
docs/BENCHMARKS.md. Start it as soon as the server listens:

    bench/probe.py PORT NAME [SECONDS]      # NAME: a reverse name the server holds
"""
import random
import socket
import struct
import sys
import time


def query(name):
    header = struct.pack(">HHHHHH", random.randint(0, 65535), 0, 1, 0, 0, 0)
    labels = b"".join(bytes([len(l)]) + l.encode() for l in name.strip(".").split("."))
    return header + labels + b"\x00" + struct.pack(">HH", 12, 1)


def main():
    port, name = int(sys.argv[1]), sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 10
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    start = time.time()
    times, lost = [], 0
    while time.time() - start < seconds:
        sent = time.time()
        try:
            s.sendto(query(name), ("127.0.0.1", port))
            s.recv(4096)
            rtt = (time.time() - sent) * 1000
        except socket.timeout:
            rtt, lost = 2000, lost + 1
        times.append((rtt, sent - start))
        time.sleep(0.005)
    times.sort(reverse=True)
    slowest = ", ".join(f"{r:.1f} ms at {t:.2f} s" for r, t in times[:5])
    print(f"{len(times)} queries, {lost} lost; slowest: {slowest}")


if __name__ == "__main__":
    main()
