#!/usr/bin/env python3
"""Boot Nuthatch under QEMU and judge the boot from its console.

A boot is bounded by a timeout (about three times its measured length)
and stopped as soon as the closing line ("N passed, N failed") appears:
QEMU normally exits by itself right after, through the test device, with
the verdict as its exit status; if it does not within a grace period it
is killed.  The console line is the verdict of record.

Used as a library by tools/testsuite.py, and as a command:
    tools/qemu.py [--smp N] [--mem M] [--firmware dynamic|jump]
                  [--icount] [--append ARGS] [--timeout S] IMAGE
"""
import argparse
import os
import re
import select
import signal
import subprocess
import sys
import time

OPENSBI_DIR = os.environ.get("OPENSBI_DIR",
                             "/usr/lib/riscv64-linux-gnu/opensbi/generic")
QEMU = os.environ.get("QEMU", "qemu-system-riscv64")
CLOSING = re.compile(r"^(\w+: )?(\d+) passed, (\d+) failed(, \d+ skipped)?$")
GRACE_SECONDS = 3


class Boot:
    """The outcome of one QEMU run."""

    def __init__(self):
        self.lines = []          # console lines, CR stripped
        self.exit_code = None    # QEMU's status, None if killed
        self.timed_out = False
        self.closing = None      # (passed, failed) from the closing line
        self.seconds = 0.0
        self.first_line_seconds = None  # wall time to "Nuthatch ..." banner

    def find(self, prefix):
        """Lines starting with prefix."""
        return [l for l in self.lines if l.startswith(prefix)]


def qemu_command(image, smp=1, mem="128M", firmware="dynamic", machine="virt",
                 append="", icount=False, extra=(), initrd="default"):
    cmd = [QEMU, "-M", machine, "-smp", str(smp), "-m", mem, "-nographic",
           "-bios", os.path.join(OPENSBI_DIR, "fw_%s.bin" % firmware),
           "-kernel", image, "-no-reboot"]
    if initrd == "default":     # the initramfs built beside the Image
        initrd = os.path.join(os.path.dirname(image), "initramfs.cpio")
    if initrd and os.path.exists(initrd):
        cmd += ["-initrd", initrd]
    if append:
        cmd += ["-append", append]
    if icount:
        cmd += ["-icount", "shift=0,sleep=off"]
    return cmd + list(extra)


def _stop(proc):
    try:
        proc.wait(timeout=GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return None
    return proc.returncode


def run(cmd, timeout, log=None, echo=False, closing=CLOSING):
    """Run QEMU until the closing line, its own exit, or the timeout."""
    b = Boot()
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    buf = b""
    done = False
    while not done:
        left = timeout - (time.monotonic() - start)
        if left <= 0:
            b.timed_out = True
            break
        ready, _, _ = select.select([proc.stdout], [], [], min(left, 0.5))
        if not ready:
            if proc.poll() is not None:
                break
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            raw, buf = buf.split(b"\n", 1)
            line = raw.decode("utf-8", "replace").rstrip("\r")
            b.lines.append(line)
            if log:
                log.write(line + "\n")
            if echo:
                print(line, flush=True)
            if b.first_line_seconds is None and line.startswith("Nuthatch "):
                b.first_line_seconds = time.monotonic() - start
            if closing.match(line):
                m = CLOSING.match(line)
                b.closing = (int(m.group(2)), int(m.group(3))) if m else (0, 0)
                done = True
                break
    if buf and not done:
        b.lines.append(buf.decode("utf-8", "replace").rstrip("\r\n"))
    if b.timed_out:
        proc.kill()
        proc.wait()
    else:
        b.exit_code = _stop(proc)
    b.seconds = time.monotonic() - start
    return b


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("image")
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--mem", default="128M")
    ap.add_argument("--firmware", default="dynamic", choices=["dynamic", "jump"])
    ap.add_argument("--append", default="nuthatch.test=*")
    ap.add_argument("--icount", action="store_true")
    ap.add_argument("--timeout", type=float, default=30)
    a = ap.parse_args()
    cmd = qemu_command(a.image, a.smp, a.mem, a.firmware, append=a.append,
                       icount=a.icount)
    b = run(cmd, a.timeout, echo=True)
    if b.timed_out:
        print("qemu.py: timed out after %.1f s" % a.timeout, file=sys.stderr)
        return 124
    if b.closing is None:
        print("qemu.py: no closing line", file=sys.stderr)
        return 1
    return 0 if b.closing[1] == 0 and b.exit_code in (0, None) else 1


if __name__ == "__main__":
    sys.exit(main())
