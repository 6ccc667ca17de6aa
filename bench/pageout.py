#!/usr/bin/env python3
"""Measurement only: asks the kernel to page out a running process's mappings of one file
(process_madvise(MADV_PAGEOUT), Linux 5.10+), so that using the server again shows which of
those pages it needs in use. Used for "Where the memory goes with Native AOT" in
docs/BENCHMARKS.md; the server never does this to itself.

    bench/pageout.py PID [PATH_PART]     # e.g. bench/pageout.py 1234 rdns/rdns
"""
import ctypes
import sys

pid = int(sys.argv[1])
part = sys.argv[2] if len(sys.argv) > 2 else None
libc = ctypes.CDLL(None, use_errno=True)
SYS_PIDFD_OPEN, SYS_PROCESS_MADVISE, MADV_PAGEOUT = 434, 440, 21


class IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


pidfd = libc.syscall(SYS_PIDFD_OPEN, pid, 0)
if pidfd < 0:
    sys.exit(f"pidfd_open: errno {ctypes.get_errno()}")
total = 0
with open(f"/proc/{pid}/maps") as maps:
    for line in maps:
        fields = line.split()
        name = fields[5] if len(fields) > 5 else ""
        if part and part not in name:
            continue
        start, end = (int(x, 16) for x in fields[0].split("-"))
        vec = IoVec(start, end - start)
        done = libc.syscall(SYS_PROCESS_MADVISE, pidfd, ctypes.byref(vec), 1, MADV_PAGEOUT, 0)
        if done > 0:
            total += done
print(f"asked to page out {total} bytes of mappings")
