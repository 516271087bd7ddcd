#!/usr/bin/env python3
"""make bench: the in-kernel benchmarks under deterministic QEMU.

Boots build/Image with -smp 1 -icount shift=0,sleep=off (one guest
instruction = one nanosecond of guest time) and nuthatch.bench=PATTERN,
and prints the kernel's lines
    bench <name> <iterations> <instructions_per_op>
Exits non-zero if a benchmark failed or the run did not finish.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402

DONE = re.compile(r"^bench: done, (\d+) run, (\d+) failed$")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("image")
    ap.add_argument("--pattern", default="*")
    ap.add_argument("--timeout", type=float, default=120)
    a = ap.parse_args()
    cmd = qemu.qemu_command(a.image, 1, "128M", "dynamic", icount=True,
                            append="nuthatch.bench=" + a.pattern)
    b = qemu.run(cmd, a.timeout, closing=DONE)
    done = None
    for line in b.lines:
        if line.startswith("bench "):
            print(line)
        m = DONE.match(line)
        if m:
            done = (int(m.group(1)), int(m.group(2)))
    if done is None:
        print("bench: no closing line (timed out: %s)" % b.timed_out,
              file=sys.stderr)
        for line in b.lines[-10:]:
            print("  " + line, file=sys.stderr)
        return 1
    return 0 if done[1] == 0 and done[0] > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
