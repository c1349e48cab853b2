#!/usr/bin/env python3
"""Stands in for a guest's disk I/O: holds the volume file open, as QEMU does, and reads a new
block every 10 ms (never one already in the page cache), until a stop file appears. Writes
'<reads> <errors> <last error>' to the status file after every read."""
import os
import sys
import time

path, status, stop = sys.argv[1:4]
fd = os.open(path, os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
blocks = max(os.fstat(fd).st_size // 4096, 1)
reads = errors = 0
last = "-"
while not os.path.exists(stop):
    try:
        os.pread(fd, 4096, ((reads + errors) * 7919 % blocks) * 4096)
        reads += 1
    except OSError as e:
        errors += 1
        last = (e.strerror or "error").replace(" ", "_")
    with open(status + ".tmp", "w") as f:
        f.write(f"{reads} {errors} {last}\n")
    os.replace(status + ".tmp", status)
    time.sleep(0.01)
