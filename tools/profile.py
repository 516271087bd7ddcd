#!/usr/bin/env python3
"""An instruction profile of one Nuthatch boot under deterministic QEMU.

QEMU runs with -icount shift=0,sleep=off and logs every translation block
it translates (in_asm) and executes (exec, with chaining off so that each
execution is logged).  A block's instructions are counted each time it
runs and charged to the function each instruction lies in: the kernel's
from its ELF, a user program's from whichever of the given ELFs holds the
block's exact instruction bytes at that address (every program links at
the same base, so the bytes tell them apart).

    tools/profile.py IMAGE --append "nuthatch.ubench=getppid" \
        --elf procbench=build/release/user/procbench \
        --elf proc=build/release/servers/proc/proc \
        --start procbench:getppid_loop --stop procbench:report --per 2000

counts only from the first block in --start's function to the first in
--stop's, and divides by --per (the loop's iterations) to give
instructions per operation.  A block that ends early (a trap inside it)
is still counted whole, so figures are within a few percent of icount's.
"""
import argparse
import bisect
import collections
import os
import re
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402

CROSS = os.environ.get("CROSS_COMPILE", "riscv64-unknown-elf-")
INSN = re.compile(r"^0x([0-9a-f]+):\s+([0-9a-f]+)\s")
TRACE = re.compile(r"^Trace \d+: (0x[0-9a-f]+) \[[0-9a-f]+/([0-9a-f]+)/")
KERNEL_HALF = 1 << 63


class Elf:
    """A program's loadable bytes and its sorted function symbols."""

    def __init__(self, name, path):
        self.name = name
        with open(path, "rb") as f:
            self.data = f.read()
        self.segs = self._segments()
        out = subprocess.run([CROSS + "nm", "-n", "--defined-only", path],
                             capture_output=True, text=True, check=True).stdout
        syms = []
        for line in out.splitlines():
            w = line.split()
            if len(w) == 3 and w[1] in "tTwW":
                syms.append((int(w[0], 16), w[2]))
        self.addrs = [a for a, _ in syms]
        self.names = [n for _, n in syms]

    def _segments(self):
        d = self.data
        phoff, = struct.unpack_from("<Q", d, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", d, 0x36)
        segs = []
        for i in range(phnum):
            p = phoff + i * phentsize
            ptype, = struct.unpack_from("<I", d, p)
            off, vaddr, _, filesz = struct.unpack_from("<QQQQ", d, p + 8)
            if ptype == 1:
                segs.append((vaddr, off, filesz))
        return segs

    def holds(self, pc, hexword):
        """True if the instruction at pc has these bytes here."""
        n = len(hexword) // 2
        want = int(hexword, 16).to_bytes(n, "little")
        for vaddr, off, filesz in self.segs:
            if vaddr <= pc and pc + n <= vaddr + filesz:
                o = off + pc - vaddr
                return self.data[o:o + n] == want
        return False

    def symbol(self, pc):
        i = bisect.bisect_right(self.addrs, pc) - 1
        return self.names[i] if i >= 0 else "?"


def owner(elfs, kernel, insns):
    """The ELF a block belongs to, from its address and bytes."""
    pc = insns[0][0]
    if pc >= KERNEL_HALF:
        return kernel
    for e in elfs:
        if all(e.holds(p, h) for p, h in insns[:4]):
            return e
    return None


def charge(elfs, kernel, insns):
    """A block's per-function instruction counts: ((where, symbol), n)."""
    e = owner(elfs, kernel, insns)
    c = collections.Counter()
    for p, _ in insns:
        if e is None:
            c[("user?", "0x%x" % p if p < 0x80000000 else "firmware")] += 1
        else:
            c[(e.name, e.symbol(p))] += 1
    return tuple(c.items())


def profile(stream, elfs, kernel, start, stop, callee=None):
    """Counter of (where, symbol) -> instructions; with @callee (where,
    symbol), also a Counter of its instructions by the function that ran
    just before each entry to it (its caller, or what returned into it)."""
    pending, blocks = {}, {}
    counts, callers = collections.Counter(), collections.Counter()
    block, counting = None, start is None
    prev, caller = None, None
    for line in stream:
        if block is not None:
            m = INSN.match(line)
            if m:
                block.append((int(m.group(1), 16), m.group(2)))
                continue
            if not line.strip() and block:
                pending[block[0][0]] = block
                block = None
            continue
        if line.startswith("IN:"):
            block = []
            continue
        m = TRACE.match(line)
        if not m:
            continue
        host, pc = m.group(1), int(m.group(2), 16)
        if pc in pending:
            blocks[host] = charge(elfs, kernel, pending.pop(pc))
        b = blocks.get(host)
        if b is None:
            continue
        where = b[0][0]
        if not counting and where == start:
            counting = True
        elif counting and where == stop:
            break
        if counting:
            for k, n in b:
                counts[k] += n
            if callee and where == callee:
                if prev != callee:
                    caller = prev
                callers[caller] += sum(n for _, n in b)
        prev = where
    return counts, callers


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("image")
    ap.add_argument("--append", default="")
    ap.add_argument("--kernel", default=None, help="the kernel ELF "
                    "(default: nuthatch.elf beside the Image)")
    ap.add_argument("--elf", action="append", default=[],
                    help="NAME=PATH of a user program that may run")
    ap.add_argument("--start", help="NAME:FUNCTION where counting starts")
    ap.add_argument("--stop", help="NAME:FUNCTION where it stops")
    ap.add_argument("--per", type=int, default=1, help="divide by this")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--callers", help="NAME:FUNCTION whose instructions to "
                    "split by the function each entry came from")
    a = ap.parse_args()
    kpath = a.kernel or os.path.join(os.path.dirname(a.image), "nuthatch.elf")
    kernel = Elf("kernel", kpath)
    elfs = [Elf(*spec.split("=", 1)) for spec in a.elf]
    start = tuple(a.start.split(":", 1)) if a.start else None
    stop = tuple(a.stop.split(":", 1)) if a.stop else None
    cmd = qemu.qemu_command(a.image, a.smp, "1G", icount=True, append=a.append,
                            extra=["-d", "in_asm,exec,nochain"])
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, bufsize=1 << 20)
    callee = tuple(a.callers.split(":", 1)) if a.callers else None
    counts, callers = profile(proc.stderr, elfs, kernel, start, stop, callee)
    proc.kill()
    proc.wait()
    total = sum(counts.values())
    bywhere = collections.Counter()
    for (w, _), n in counts.items():
        bywhere[w] += n
    print("total %d instructions, %.0f per operation" % (total, total / a.per))
    for w, n in bywhere.most_common():
        print("  %-10s %12.0f per op  %5.1f%%" % (w, n / a.per, 100.0 * n / max(total, 1)))
    for (w, s), n in counts.most_common(a.top):
        print("%10.0f  %5.1f%%  %s:%s" % (n / a.per, 100.0 * n / max(total, 1), w, s))
    if callee:
        print("%s:%s by caller:" % callee)
        for k, n in callers.most_common(a.top):
            print("%10.0f  %s" % (n / a.per, "%s:%s" % k if k else "?"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
