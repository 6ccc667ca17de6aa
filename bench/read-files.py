#!/usr/bin/env python3
"""Reads every file of a directory once (open, read whole, close), as an import of zone files must,
and prints the count, the octets, the wall time and this process's CPU (user, system).

    bench/read-files.py DIR

The floor the file system puts under an import of many small zone files: run it twice to see the
files cached (the second run) and, after `echo 3 > /proc/sys/vm/drop_caches` (root), uncached.
"""
import os
import resource
import sys
import time

directory = sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__)
started = time.monotonic()
files = octets = 0
with os.scandir(directory) as entries:
    for entry in entries:
        if not entry.is_file():
            continue
        with open(entry.path, "rb") as f:
            octets += len(f.read())
        files += 1
wall = time.monotonic() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
print(f"{files} files, {octets} octets: {wall:.2f} s wall, {usage.ru_utime:.2f} s user, {usage.ru_stime:.2f} s system")
