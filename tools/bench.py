#!/usr/bin/env python3
"""make bench: the in-kernel and process benchmarks under deterministic QEMU.

Boots build/Image with -smp 1 -icount shift=0,sleep=off (one guest
instruction = one nanosecond of guest time) and nuthatch.bench=PATTERN,
and prints the kernel's lines, then boots again with nuthatch.ubench=* (init runs
user/procbench.c: fork, exec, wait, getppid) and prints its lines the same way:
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


def boot(image, smp, icount, pattern, timeout, key="nuthatch.bench="):
    """Run the benchmarks matching pattern; {name: ns_per_op} or None.
    key nuthatch.ubench= runs the process benchmarks (user/procbench.c)."""
    cmd = qemu.qemu_command(image, smp, "1G", "dynamic", icount=icount,
                            append=key + pattern)
    b = qemu.run(cmd, timeout, closing=DONE)
    figures, done = {}, None
    for line in b.lines:
        words = line.split()
        if len(words) == 4 and words[0] == "bench":
            figures[words[1]] = (int(words[2]), int(words[3]))
        m = DONE.match(line)
        if m:
            done = (int(m.group(1)), int(m.group(2)))
    if done is None or done[1] or not done[0]:
        print("bench: run failed (timed out: %s)" % b.timed_out, file=sys.stderr)
        for line in b.lines[-10:]:
            print("  " + line, file=sys.stderr)
        return None
    return figures


def boot_to_prompt(image, timeout):
    """An ordinary boot to the shell's first prompt (init asked with
    nuthatch.bootstat): {"boot_to_prompt": (1, ns since reset)} or None."""
    cmd = qemu.qemu_command(image, 1, "1G", "dynamic", icount=True,
                            append="nuthatch.bootstat")
    b = qemu.run(cmd, timeout, closing=re.compile(r"^bench boot_to_prompt 1 \d+$"))
    for line in b.lines:
        words = line.split()
        if len(words) == 4 and words[:2] == ["bench", "boot_to_prompt"]:
            return {"boot_to_prompt": (1, int(words[3]))}
    print("bench: no prompt (timed out: %s)" % b.timed_out, file=sys.stderr)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("image")
    ap.add_argument("--timeout", type=float, default=120)
    a = ap.parse_args()
    # Instructions per operation: one hart, deterministic.
    figures = boot(a.image, 1, True,
                   "ctx*,task*,wake*,null*,zero_fill*,clone_cow*,cow_fault*,ipc*,notify*",
                   a.timeout)
    if figures is None:
        return 1
    procs = boot(a.image, 1, True, "*", a.timeout, key="nuthatch.ubench=")
    if procs is None:
        return 1
    figures.update(procs)
    up = boot_to_prompt(a.image, a.timeout)
    if up is None:
        return 1
    figures.update(up)
    for name, (iters, per_op) in figures.items():
        print("bench %s %d %d" % (name, iters, per_op))
    for mib in (1, 8, 64):
        name = "fork_dirty_%dm" % mib
        if name in procs:
            print("bench %s_per_page %d %d" % (name, procs[name][0],
                  (procs[name][1] - procs["fork_exit_wait"][1]) // (mib * 256)))
    # Cross-hart cost: wall time on two harts, as a ratio within one run.
    wall = boot(a.image, 2, False, "wake*,xhart*", a.timeout)
    if wall is None:
        return 1
    same, cross = wall["wake_round_trip"][1], wall["xhart_wake_round_trip"][1]
    print("bench xhart_wake_round_trip_ratio %d %.2f   (wall: same hart %d ns, "
          "across harts %d ns)" % (wall["xhart_wake_round_trip"][0],
                                   cross / max(same, 1), same, cross))
    return 0


if __name__ == "__main__":
    sys.exit(main())
