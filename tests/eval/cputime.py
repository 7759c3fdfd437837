#!/usr/bin/env python3
"""cputime.py FILE CMD...: runs CMD, writes its CPU seconds (user + system) to FILE and
exits with its status. The decode speed in batch's JSON is wall-clock time, which
other work on a shared machine inflates; CPU time is not."""
import resource
import subprocess
import sys

rc = subprocess.call(sys.argv[2:])
r = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as f:
    f.write(f"{r.ru_utime + r.ru_stime:.3f}\n")
sys.exit(rc)
