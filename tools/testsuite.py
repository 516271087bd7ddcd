#!/usr/bin/env python3
"""make test: every Nuthatch test, one KTAP stream, one closing line.

Suites, in order:
  layers    the kernel's layering check (kernel/LAYERS, tools/layers.py)
            on the tree, and checks of the check on planted includes
  image     the Image header and size contract (tools/imagecheck.py)
  host-*    host unit tests of pure kernel code under ASan/UBSan, each a
            binary printing KTAP (tests/host/host.mk builds them)
  genproto, gensyscalls  the interface generators refuse bad tables;
            the syscall thunks check 32-bit arguments; DESIGN's table is current
  notest    a TESTS=0 build links no test-only handler; its thunks refuse
  dtinfo    build/host/dtinfo on every fixture: exact summary lines,
            and a one-line error with a non-zero exit on bad blobs
  fuzz      the device-tree fuzzer for a fixed few seconds
  boot-*    QEMU boots through OpenSBI (fw_dynamic and fw_jump; 1 hart /
            128 MiB and 4 harts / 1 GiB) running the kernel self-tests;
            the printed memory and harts must match what QEMU was given
  pid_max   a boot with nuthatch.pid_max=128: PROC0024 sees pids wrap,
            skip those in use and run out with EAGAIN (not skipped)
  posix     the differential programs (tests/posix): each built for the
            host and run there, and run under Nuthatch (POSX0001 on 4
            harts); their output lines and wait statuses must agree
  console-* a person at the console (tools/consolesession.py), on QEMU
            virt and sifive_u: boot to the shell's prompt, type commands
            (line editing, history, the tty's canonical mode, pipelines,
            redirections, jobs, ps), check what comes back, power off

Each suite's subtests are nested (indented two spaces) before its own
result line.  The last line is "N passed, N failed" over all leaf tests;
the exit status is non-zero when anything failed.
"""
import argparse
import glob
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import consolesession  # noqa: E402
import qemu  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Each boot's wall-clock bound is about three times its measured length
# (QEMU start to the closing line, on the 2-core development machine; the
# measured seconds are in BOOTS).  suite_boot warms QEMU up first.
TIMEOUT_FACTOR = 3
TIMEOUT_FLOOR = 2.0     # QEMU's own start-up varies by a few tenths
# The short fuzz run in make test, in seconds of fuzzing.
FUZZ_CI_SECONDS = 10

RESULT = re.compile(r"^(ok|not ok) (\d+) ([^#]*?)(\s+#\s*(.*))?$")


class Suite:
    """One suite's nested results."""

    def __init__(self, name):
        self.name = name
        self.lines = []       # nested KTAP lines (unindented)
        self.passed = 0
        self.failed = 0
        self.diag = []

    def result(self, ok, name, directive=""):
        n = self.passed + self.failed + 1
        self.lines.append("%s %d %s%s" % ("ok" if ok else "not ok", n, name,
                                          " # " + directive if directive else ""))
        if ok:
            self.passed += 1
        else:
            self.failed += 1

    def note(self, text):
        self.lines.append("# " + text)

    def absorb_ktap(self, lines):
        """Take a KTAP stream's top-level results as this suite's subtests."""
        for line in lines:
            if line.startswith("# "):
                self.note(line[2:])
            m = RESULT.match(line)
            if m:
                directive = m.group(5) or ""
                self.result(m.group(1) == "ok", m.group(3), directive)


def emit(suites):
    print("KTAP version 1")
    print("1..%d" % len(suites))
    passed = failed = 0
    for i, s in enumerate(suites, 1):
        print("  KTAP version 1")
        print("  1..%d" % (s.passed + s.failed))
        for line in s.lines:
            print("  " + line)
        print("%s %d %s" % ("ok" if s.failed == 0 and s.passed else "not ok",
                            i, s.name))
        passed += s.passed
        failed += s.failed
        if s.passed + s.failed == 0:
            failed += 1     # an empty suite proves nothing
    sys.stdout.flush()
    return passed, failed


def run_cmd(cmd, timeout=600):
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, (p.stdout + p.stderr).splitlines()


def suite_notest(build):
    """A build without the test-only calls (make TESTS=0): it links no
    test handler, and every [test] thunk refuses with -NH_ENOSYS."""
    s = Suite("notest")
    out_dir = os.path.join(build, "notest")
    elf = os.path.join(out_dir, "nuthatch.elf")
    rc, out = run_cmd(["make", "-s", "--no-print-directory", "BUILD=" + out_dir,
                       "TESTS=0", os.path.join(out_dir, "Image")])
    for line in out[-10:] if rc else []:
        s.note(line)
    s.result(rc == 0, "builds_without_test_calls")
    if rc:
        return s
    cross = os.environ.get("CROSS_COMPILE", "riscv64-unknown-elf-")
    rc, syms = run_cmd([cross + "nm", elf])
    names = {l.split()[-1] for l in syms if len(l.split()) == 3}
    s.result(rc == 0 and "sys_null" in names and "t_test_counters" in names and
             not any(n.startswith("sys_test_") for n in names),
             "no_test_handler_linked")
    for thunk, what in (("t_test_counters", "test_thunk_refuses_with_enosys"),
                        ("t_retired_11", "retired_thunk_refuses_with_enosys")):
        rc, dis = run_cmd([cross + "objdump", "-d", "--disassemble=" + thunk, elf])
        body = [l for l in dis if "\t" in l and ":" in l]
        s.result(rc == 0 and any("li" in l and "-88" in l for l in body) and
                 not any("jal" in l or "\tj\t" in l for l in body), what)
    s.result(not any(n.startswith("sys_retired") for n in names) and
             not any(n in ("sys_test_spawn", "sys_test_wait", "sys_test_thread")
                     for n in names), "retired_calls_have_no_handler")
    return s


def suite_image(build):
    s = Suite("image")
    rc, out = run_cmd([sys.executable, "tools/imagecheck.py", "--image",
                       os.path.join(build, "Image")])
    for line in out:
        s.note(line)
    s.result(rc == 0, "linux_riscv_image_header")
    data = open(os.path.join(ROOT, build, "Image"), "rb").read(64)
    image_size = struct.unpack("<Q", data[16:24])[0]
    s.note("image_size 0x%x (fw_jump DTB gap 0x2000000)" % image_size)
    s.result(image_size <= 0x2000000, "image_below_fw_jump_dtb")
    return s


def suite_initramfs(build):
    """tools/mkinitramfs.py: every regular file's data starts on a page of
    the archive (exec maps programs from it), and GNU cpio unpacks it to
    the staging tree exactly (the .pad entries aside)."""
    s = Suite("initramfs")
    archive = os.path.join(ROOT, build, "initramfs.cpio")
    stage = os.path.join(ROOT, build, "initramfs")
    data = open(archive, "rb").read()
    off, files, unaligned, trailer = 0, 0, 0, False
    while off + 110 <= len(data) and data[off:off + 6] == b"070701":
        f = [int(data[off + 6 + 8 * k:off + 14 + 8 * k], 16) for k in range(13)]
        name = data[off + 110:off + 110 + f[11] - 1]
        start = (off + 110 + f[11] + 3) & ~3
        if name == b"TRAILER!!!":
            trailer = True
            break
        if f[1] & 0o170000 == 0o100000 and f[6] and name != b".pad":
            files += 1
            unaligned += start % 4096 != 0
        off = (start + f[6] + 3) & ~3
    s.note("%d files, %d bytes" % (files, len(data)))
    s.result(trailer and files > 0, "archive_walks_to_its_trailer")
    s.result(unaligned == 0, "every_file_starts_on_a_page")
    out = tempfile.mkdtemp(prefix="nh-initramfs-")
    try:
        with open(archive, "rb") as fin:
            rc = subprocess.run(["cpio", "--quiet", "-idmu", "--no-absolute-filenames"],
                                stdin=fin, cwd=out).returncode
        pad = os.path.join(out, ".pad")
        if os.path.exists(pad):
            os.remove(pad)
        diff = subprocess.run(["diff", "-r", "-q", stage, out], capture_output=True,
                              text=True)
        for line in diff.stdout.splitlines()[:5]:
            s.note(line)
        s.result(rc == 0 and diff.returncode == 0, "gnu_cpio_unpacks_the_staging_tree")
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return s


def suite_layers():
    """kernel/LAYERS: no upward include in the tree; and the check itself
    notices one planted in a copy, a seam nobody uses, and a file seam
    that allows its one file and no other in the folder."""
    s = Suite("layers")
    rc, out = run_cmd([sys.executable, "tools/layers.py"])
    for line in out:
        s.note(line)
    s.result(rc == 0, "no_upward_includes")
    with tempfile.TemporaryDirectory() as tmp:
        kdir = os.path.join(tmp, "kernel")
        os.makedirs(os.path.join(kdir, "lib"))
        os.makedirs(os.path.join(kdir, "mm"))
        with open(os.path.join(kdir, "LAYERS"), "w") as f:
            f.write("0 lib pure\n3 mm memory\n")
        with open(os.path.join(kdir, "lib", "bad.c"), "w") as f:
            f.write('#include "lib/ok.h"\n#include "mm/vm.h"\n')
        rc, out = run_cmd([sys.executable, "tools/layers.py", "--root", tmp])
        s.result(rc != 0 and any("kernel/lib/bad.c:2:" in l and "upward" in l
                                 for l in out), "planted_upward_include_fails")
        with open(os.path.join(kdir, "LAYERS"), "a") as f:
            f.write("seam lib mm/vm.h planted\nseam lib mm/frame.h unused\n")
        rc, out = run_cmd([sys.executable, "tools/layers.py", "--root", tmp])
        s.result(rc != 0 and not any("bad.c" in l for l in out) and
                 any("mm/frame.h is used by no file" in l for l in out),
                 "seam_allows_and_stale_seam_fails")
        with open(os.path.join(kdir, "LAYERS"), "w") as f:
            f.write("0 lib pure\n3 mm memory\nseam lib/ok.c mm/vm.h planted\n")
        with open(os.path.join(kdir, "lib", "ok.c"), "w") as f:
            f.write('#include "mm/vm.h"\n')
        rc, out = run_cmd([sys.executable, "tools/layers.py", "--root", tmp])
        s.result(rc != 0 and not any("lib/ok.c" in l for l in out) and
                 any("kernel/lib/bad.c:2:" in l and "upward" in l for l in out),
                 "file_seam_allows_only_its_file")
    return s


def suite_host(build, shared):
    suites = []
    rc, out = run_cmd(["make", "-s", "--no-print-directory", "host-build",
                       "BUILD=" + build, "SHARED=" + shared])
    if rc != 0:
        s = Suite("host-build")
        for line in out[-20:]:
            s.note(line)
        s.result(False, "host_build")
        return [s]
    for binary in sorted(glob.glob(os.path.join(ROOT, build, "host", "test_*"))):
        if not os.access(binary, os.X_OK) or binary.endswith(".o"):
            continue
        name = os.path.basename(binary)
        s = Suite("host-" + name[len("test_"):])
        rc, out = run_cmd([binary, os.path.join(shared, "fixtures", "dtb"),
                           os.path.join("tests", "fixtures", "dtb")])
        s.absorb_ktap(out)
        if rc != 0 and s.failed == 0:
            for line in out[-10:]:
                s.note(line)
            s.result(False, "exit_status_%d" % rc)
        suites.append(s)
    return suites


GENPROTO_BAD = {
    # table body after "protocol t" / "base 100": what genproto must refuse
    "unknown_type": "0 f(float a) -> ()",
    "bytes_not_last": "0 f(bytes d, u64 x) -> ()",
    "two_handles": "0 f(handle a, handle b) -> ()",
    "grant_in_a_reply": "0 f() -> (grant g)",
    "name_the_stubs_use": "0 f(u64 len) -> ()",
    "argument_and_reply_share_a_name": "0 f(u64 x) -> (u64 x)",
    "number_twice": "0 f() -> ()\n0 g() -> ()",
    "not_a_request": "0 f(u64 x)",
}


def suite_genproto(build):
    """tools/genproto.py refuses bad tables, naming the line, and spills
    arguments past the four register words into the buffer."""
    s = Suite("genproto")
    tmp = tempfile.mkdtemp(prefix="genproto-")
    tables = dict(GENPROTO_BAD, good="0 f(u64 x1, u64 x2, u64 x3, u32 x4, u32 x5, u8 x6) -> ()")
    tables["no_base"] = None
    for name, body in sorted(tables.items()):
        tbl = os.path.join(tmp, name + ".tbl")
        with open(tbl, "w") as f:
            f.write("protocol t\n" + ("base 100\n" + body + "\n" if body else ""))
        rc, out = run_cmd([sys.executable, "tools/genproto.py", tbl, "--out", tmp])
        if name == "good":
            hdr = open(os.path.join(tmp, "t.h")).read()
            s.result(rc == 0 and "struct t_f_req_buf {\n\tuint8_t x6;" in hdr, "spills_past_the_words")
        else:
            s.result(rc != 0 and any(tbl in line for line in out), "refuses_" + name)
    shutil.rmtree(tmp, ignore_errors=True)
    return s


GENSYS_BAD = {
    # syscalls.tbl lines that gensyscalls must refuse, naming the line
    "seven_arguments": "0 long f(u64 a, u64 b, u64 c, u64 d, u64 e, u64 g, u64 h)",
    "eight_in_a_regmsg": "0 long f(u64 a, u64 b, u64 c, u64 d, u64 e, u64 g, u64 h, u64 i) [regmsg]",
    "unknown_type": "0 long f(float x)",
    "unknown_return": "0 int f(void)",
    "numbers_out_of_order": "1 long f(void)",
    "name_twice": "0 long f(void)\n1 long f(void)",
    "not_a_prototype": "0 f",
}


def suite_gensyscalls():
    """tools/gensyscalls.py refuses bad tables, checks 32-bit arguments in
    the thunks, and notices a stale table in docs/DESIGN.md."""
    s = Suite("gensyscalls")
    tmp = tempfile.mkdtemp(prefix="gensys-")
    tables = dict(GENSYS_BAD, good="0 long f(handle h, u32 r, const char *p, u64 x) [test]")
    for name, body in sorted(tables.items()):
        tbl = os.path.join(tmp, name + ".tbl")
        with open(tbl, "w") as f:
            f.write(body + "\n")
        c = os.path.join(tmp, name + ".c")
        rc, out = run_cmd([sys.executable, "tools/gensyscalls.py", tbl, "--table", c])
        if name == "good":
            text = open(c).read()
            s.result(rc == 0 and "if (!sext32(a[1]))\n\t\treturn -NH_EINVAL;" in text and
                     "sys_f((long)a[0], (uint32_t)a[1], (uintptr_t)a[2], (uint64_t)a[3])" in text,
                     "typed_thunk_checks_32_bit_arguments")
            s.result("#if NH_TESTS" in text, "test_calls_refused_outside_test_builds")
        else:
            s.result(rc != 0 and any(tbl in line for line in out), "refuses_" + name)
    doc = os.path.join(tmp, "DESIGN.md")
    shutil.copy(os.path.join(ROOT, "docs", "DESIGN.md"), doc)
    tbl = "kernel/uapi/nuthatch/syscalls.tbl"
    rc, _ = run_cmd([sys.executable, "tools/gensyscalls.py", tbl, "--check-doc", doc])
    s.result(rc == 0, "design_table_is_current")
    text = open(doc).read().replace("| 0 | `long null(void)` |", "| 0 | `long null(int x)` |")
    open(doc, "w").write(text)
    rc, out = run_cmd([sys.executable, "tools/gensyscalls.py", tbl, "--check-doc", doc])
    s.result(rc != 0 and any("stale" in line for line in out), "stale_design_table_fails")
    shutil.rmtree(tmp, ignore_errors=True)
    return s


DTINFO_EXPECT = {
    # file: lines that must appear, exactly
    "jh7110-starfive-visionfive-2-v1.3b.dtb": [
        "platform: StarFive VisionFive 2 v1.3B timebase 4000000",
        "memory: 0x40000000-0x140000000 (4096 MiB)",
        "harts: 1 2 3 4",
        "console: snps,dw-apb-uart @ 0x10000000 shift 2 width 4",
    ],
    "qemu-virt-smp1-128M.dtb": [
        "platform: riscv-virtio,qemu timebase 10000000",
        "memory: 0x80000000-0x88000000 (128 MiB)",
        "harts: 0",
        "console: ns16550a @ 0x10000000 shift 0 width 1",
    ],
    "qemu-virt-smp4-1G.dtb": [
        "memory: 0x80000000-0xc0000000 (1024 MiB)",
        "harts: 0 1 2 3",
    ],
    "qemu-virt-smp4-128M.dtb": [
        "memory: 0x80000000-0x88000000 (128 MiB)",
        "harts: 0 1 2 3",
    ],
    "qemu-virt-smp1-1G.dtb": [
        "memory: 0x80000000-0xc0000000 (1024 MiB)",
        "harts: 0",
    ],
}


def suite_dtinfo(build, shared):
    s = Suite("dtinfo")
    dtinfo = os.path.join(ROOT, build, "host", "dtinfo")
    fixtures = os.path.join(shared, "fixtures", "dtb")
    for name, want in sorted(DTINFO_EXPECT.items()):
        rc, out = run_cmd([dtinfo, os.path.join(fixtures, name)])
        if len(want) == 4:      # the whole head, in order
            missing = [w for w, g in zip(want, out[:4] + [""] * 4) if w != g]
        else:
            missing = [w for w in want if w not in out]
        for w in missing:
            s.note("%s: missing %r" % (name, w))
        s.result(rc == 0 and not missing,
                 "summary_" + re.sub(r"\W", "_", name[:-4]))
    # The first four lines come in the documented order.
    rc, out = run_cmd([dtinfo, os.path.join(fixtures, "qemu-virt-smp1-128M.dtb")])
    order = [l.split(":")[0] for l in out[:4]]
    s.result(order == ["platform", "memory", "harts", "console"], "line_order")
    with tempfile.TemporaryDirectory() as tmp:
        good = open(os.path.join(fixtures, "qemu-virt-smp1-128M.dtb"), "rb").read()
        cases = {
            "bad_magic": b"\0\0\0\0" + good[4:],
            "truncated": good[:len(good) // 2],
            "empty": b"",
            "garbage": bytes(range(256)) * 4,
        }
        for case, blob in sorted(cases.items()):
            path = os.path.join(tmp, case + ".dtb")
            open(path, "wb").write(blob)
            rc, out = run_cmd([dtinfo, path])
            ok = rc == 1 and len(out) == 1 and out[0].startswith("dtinfo: ")
            if not ok:
                s.note("%s: rc %d, output %r" % (case, rc, out[:3]))
            s.result(ok, "rejects_" + case)
        rc, out = run_cmd([dtinfo, os.path.join(tmp, "does-not-exist.dtb")])
        s.result(rc == 2 and len(out) == 1, "unreadable_file_exit_2")
    return s


def suite_fuzz(build, shared):
    s = Suite("fuzz")
    rc, out = run_cmd(["make", "-s", "--no-print-directory", "fuzz",
                       "FUZZ_SECONDS=%d" % FUZZ_CI_SECONDS, "BUILD=" + build,
                       "SHARED=" + shared], timeout=FUZZ_CI_SECONDS * 10 + 300)
    for line in out:
        if line.startswith("Done ") or "ERROR" in line or "SUMMARY" in line:
            s.note(line)
    s.result(rc == 0, "platform_parse_%ds" % FUZZ_CI_SECONDS)
    return s


# (machine, smp, mem, firmware, usable harts, measured seconds, icount)
# Measured: the slowest of several runs on the 2-core machine (remeasured
# 2026-12-07 on one about 2.5x slower than the last, where the icount
# boots took 1.6 and 0.9 s; the file server's tests add some 8 s:
# a 10 MiB pipeline, a 64 MiB file in /tmp and 1,000 files).  The 1 GiB
# boots spend most of their time in MEM0004 (every frame allocated and
# freed) and the task tests (2,000 create/exit cycles, lock torture).
BOOTS = [
    ("virt", 1, "128M", "dynamic", [0], 23.0, False),
    ("virt", 4, "1G", "dynamic", [0, 1, 2, 3], 28.0, False),
    ("virt", 1, "128M", "jump", [0], 23.0, False),
    ("virt", 4, "1G", "jump", [0, 1, 2, 3], 28.0, False),
    # JH7110-like: hart 0 is an MMU-less monitor core, the console is a
    # sifive,uart0, there is no test device (SRST reboot + -no-reboot).
    ("sifive_u", 5, "1G", "dynamic", [1, 2, 3, 4], 42.0, False),
    # Deterministic time (1 instruction = 1 ns): the timing tests run.
    ("virt", 1, "128M", "dynamic", [0], 4.4, True),
    ("virt", 4, "1G", "dynamic", [0, 1, 2, 3], 2.5, True),
    # Address spaces without ASIDs (the U74's case) and with a width so
    # small that the generation rolls over all the time.
    ("virt", 1, "512M", "dynamic", [0], 26.0, False, "nuthatch.asid=off"),
    ("virt", 4, "512M", "dynamic", [0, 1, 2, 3], 27.0, False, "nuthatch.asid=off"),
    ("virt", 1, "512M", "dynamic", [0], 26.0, False, "nuthatch.asid_bits=1"),
    ("virt", 4, "1G", "dynamic", [0, 1, 2, 3], 31.0, False, "nuthatch.asid_bits=2"),
]
# The icount boots run the timing-sensitive tests only: the tick rate at
# the default 100 Hz with 1 hart and at 250 Hz on each of 4; fair shares,
# nice weights and wake-up latency with 1 hart (with several, QEMU
# interleaves harts on one thread: HARDWARE.md); sleep precision on both.
TIMING_TESTS = "nuthatch.test=TIMER*,SCHED*,TASK0009*"
ICOUNT_ARGS = {1: TIMING_TESTS + " nuthatch.icount",
               4: TIMING_TESTS + " nuthatch.icount nuthatch.hz=250"}

MEM_BYTES = {"128M": 128 << 20, "512M": 512 << 20, "1G": 1 << 30}


def check_boot(s, b, mem, harts):
    """The harness's own checks of one boot's console."""
    s.result(not b.timed_out, "no_timeout",
             "" if not b.timed_out else "TIMEOUT")
    s.result(b.closing is not None, "closing_line_seen")
    s.result(b.exit_code == 0, "qemu_exit_status_0")
    end = 0x80000000 + MEM_BYTES[mem]
    want_mem = "memory: 0x80000000-0x%x (%d MiB)" % (end, MEM_BYTES[mem] >> 20)
    got_mem = b.find("memory: ")
    if got_mem != [want_mem]:
        s.note("memory lines %r, want %r" % (got_mem, want_mem))
    s.result(got_mem == [want_mem], "memory_matches_qemu")
    want_harts = "harts: " + " ".join(str(h) for h in harts)
    got_harts = b.find("harts: ")
    if got_harts != [want_harts]:
        s.note("harts lines %r, want %r" % (got_harts, want_harts))
    s.result(got_harts == [want_harts], "harts_match_qemu")
    banner = b.find("Nuthatch ")
    m = re.search(r"booting on hart (\d+)", banner[0]) if banner else None
    s.result(m is not None and int(m.group(1)) in harts,
             "boot_hart_is_one_of_them")


def warm_up_qemu():
    """Load QEMU's binary and libraries once, outside any timed boot."""
    run_cmd([qemu.QEMU, "--version"])


def check_oops(s, b):
    """Expected faults print an oops naming the address, as KTAP comments."""
    bare = [l for l in b.lines if "oops:" in l and not l.startswith("# ")]
    s.result(not bare, "oops_lines_are_ktap_diagnostics")
    named = [l for l in b.lines if l.startswith("# oops: store page fault")
             and re.search(r"address \(stval\) 0xffffffff8", l)]
    traced = any("TRAP0001_rodata_write_faults+0x" in l for l in b.lines)
    s.result(bool(named) and traced, "oops_names_address_and_backtrace")
    overflow = [l for l in b.lines if re.match(
        r"# oops: kernel stack overflow in task \d+ \[overflow\]", l)]
    killed = any(re.match(r"# oops: killing task \d+ \[overflow\]", l)
                 for l in b.lines)
    s.result(bool(overflow) and killed, "overflow_oops_names_the_task")


def suite_boot(build, machine, smp, mem, fw, harts, measured, icount,
               extra=""):
    s = Suite("boot-%s-fw_%s-smp%d-%s%s%s" % (
        machine, fw, smp, mem, "-icount" if icount else "",
        "-" + extra.replace("nuthatch.", "").replace("=", "_") if extra else ""))
    append = ICOUNT_ARGS[smp] if icount else "nuthatch.test=*"
    cmd = qemu.qemu_command(os.path.join(ROOT, build, "Image"), smp, mem, fw,
                            machine=machine, icount=icount,
                            append=(append + " " + extra).strip())
    b = qemu.run(cmd, max(TIMEOUT_FLOOR, TIMEOUT_FACTOR * measured))
    kernel = [l for l in b.lines if RESULT.match(l) or l.startswith("# ")]
    s.absorb_ktap(kernel)
    check_boot(s, b, mem, harts)
    if not icount:
        check_oops(s, b)
    s.note("boot took %.2f s wall, first console line after %.2f s" %
           (b.seconds, b.first_line_seconds or -1))
    if s.failed:
        for line in b.lines[-15:]:
            s.note("console: " + line)
    return s


POSIX_BOOT_SECONDS = 4.2      # measured: QEMU start to the closing line
POSIX_BLOCK = re.compile(r"^posix-begin (\S+)$")
POSIX_END = re.compile(r"^posix-end (\S+) 0x([0-9a-f]+)$")


def posix_blocks(lines):
    """{name: (output lines, wait status)} from a POSX0001 console; the
    KTAP diagnostics ("# ...", the kernel's fault reports) are not the
    program's."""
    out, name, got = {}, None, []
    for line in lines:
        m, e = POSIX_BLOCK.match(line), POSIX_END.match(line)
        if m:
            name, got = m.group(1), []
        elif e and e.group(1) == name:
            out[name] = (got, int(e.group(2), 16))
            name = None
        elif name is not None and not line.startswith("# "):
            got.append(line)
    return out


def host_run(path):
    """(output lines, wait status) of a host program, like waitpid's."""
    p = subprocess.run([path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=60, cwd="/", env={"PATH": "/usr/bin:/bin"})
    code = p.returncode
    status = (code & 0xff) << 8 if code >= 0 else -code
    return p.stdout.decode(errors="replace").splitlines(), status


def first_difference(a, b):
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else "<none>"
        y = b[i] if i < len(b) else "<none>"
        if x != y:
            return "line %d: host %r, nuthatch %r" % (i + 1, x, y)
    return None


def suite_posix(build):
    s = Suite("posix")
    host_dir = os.path.join(ROOT, build, "host", "posix")
    names = sorted(os.path.basename(f) for f in glob.glob(os.path.join(host_dir, "*")))
    cmd = qemu.qemu_command(os.path.join(ROOT, build, "Image"), 4, "1G", "dynamic",
                            append="nuthatch.test=POSX*")
    b = qemu.run(cmd, max(TIMEOUT_FLOOR, TIMEOUT_FACTOR * POSIX_BOOT_SECONDS))
    s.absorb_ktap([l for l in b.lines if RESULT.match(l) or l.startswith("# ")])
    s.result(b.closing is not None and b.exit_code == 0, "boot_passed")
    got = posix_blocks(b.lines)
    s.result(len(names) >= 5 and sorted(got) == names, "every_program_ran")
    for name in names:
        want_lines, want_status = host_run(os.path.join(host_dir, name))
        lines, status = got.get(name, ([], -1))
        diff = first_difference(want_lines, lines)
        if status != want_status:
            diff = "wait status: host 0x%x, nuthatch 0x%x" % (want_status, status)
        if diff:
            s.note("%s: %s" % (name, diff))
        s.result(diff is None and name in got, "agrees_with_the_host_" + name)
    s.note("boot took %.2f s wall" % b.seconds)
    return s


PID_MAX_BOOT_SECONDS = 4.9    # measured: QEMU start to the closing line


def suite_pid_max(build):
    s = Suite("pid_max")
    cmd = qemu.qemu_command(os.path.join(ROOT, build, "Image"), 4, "1G", "dynamic",
                            append="nuthatch.test=PROC0024* nuthatch.pid_max=128")
    b = qemu.run(cmd, max(TIMEOUT_FLOOR, TIMEOUT_FACTOR * PID_MAX_BOOT_SECONDS))
    s.absorb_ktap([l for l in b.lines if RESULT.match(l) or l.startswith("# ")])
    s.result(b.closing is not None and b.exit_code == 0, "boot_passed")
    ran = [l for l in b.lines if re.match(r"^ok \d+ PROC0024_", l)]
    s.result(len(ran) == 1 and "SKIP" not in ran[0], "the_wrap_test_ran")
    s.note("boot took %.2f s wall" % b.seconds)
    return s


def suite_verdict(build):
    """A failing run must say so on the console and in QEMU's exit status."""
    s = Suite("boot-verdict")
    cmd = qemu.qemu_command(os.path.join(ROOT, build, "Image"), 1, "128M",
                            append="nuthatch.test=NO_SUCH_TEST*")
    b = qemu.run(cmd, TIMEOUT_FLOOR)
    s.result(b.closing == (0, 1), "empty_selection_fails_closing_line")
    s.result(b.exit_code == 1, "test_device_exit_status_1")
    if b.exit_code != 1:
        s.note("exit status %r, closing %r" % (b.exit_code, b.closing))
    return s


# Boot to the shell's prompt (measured, seconds): QEMU virt on 2 harts
# and sifive_u on 5.
CONSOLE_BOOTS = [("virt", 2, "256M", 2.0), ("sifive_u", 5, "1G", 2.5)]
# What a person types, and what must come back before the next prompt.
CONSOLE_STEPS = [
    ("pipeline", "echo hello world | cat | wc -w", r"^2$"),
    ("erase_in_the_line_editor", "echo abX\x7fc", r"^abc$"),
    ("cursor_left_and_insert", "echo wrld\x1b[D\x1b[D\x1b[Do", r"^world$"),
    ("history_up", "\x1b[A", r"^world$"),
    ("ctrl_c_discards_the_line", "echo discarded\x03", r"^echo discarded\^C\n(?!discarded$)"),
    ("redirections", "echo one > /tmp/f; echo two >> /tmp/f; cat < /tmp/f | wc -l", r"^2$"),
    ("exit_status", "false; echo $?; nonesuch 2>/dev/null; echo $?", r"^1\n127$"),
    ("background_and_wait", "sleep 1 & wait; echo waited", r"^waited$"),
    ("variables_and_export", "export X=exported; sh -c 'echo $X'", r"^exported$"),
    ("ps_shows_kernel_threads", "ps -e", r"\[idle/0\][\s\S]* sh$[\s\S]* ps$"),
    ("whole_writes_never_interleave", "conburst", r"(^([A-D])\2{299}\n){200}"),
    ("free", "free", r"^Mem: +\d+ +\d+ +\d+"),
    ("proc_files", "head -n 2 /proc/1/status; cat /proc/self/stat | wc -w",
     r"^Name:\tinit\nState:\tS \(sleeping\)\n52$"),
]


def console_canonical(sess):
    """cat under the tty's canonical mode: erase and kill in the line, ^D."""
    sess.mark = len(sess.out)
    sess.send("cat\r")
    sess.expect(r"^cat$", 5)
    sess.send("zzz\x15abX\x7fc\r")
    got = sess.expect(r"^abc\nabc$", 10)
    if not got:
        print("# canonical: got %r" % sess.text()[-300:])
    sess.send("\x04")
    return bool(got) and bool(sess.expect(r"^/ # $", 10))


def suite_console(build, machine, smp, mem, measured):
    s = Suite("console-%s-smp%d" % (machine, smp))
    cmd = qemu.qemu_command(os.path.join(ROOT, build, "Image"), smp, mem, machine=machine)
    sess = consolesession.Session(cmd)
    try:
        up = sess.expect(r"^/ # $", max(TIMEOUT_FLOOR, TIMEOUT_FACTOR * measured))
        s.result(bool(up), "boot_to_the_prompt")
        if not up:
            s.note("no prompt; the console said: %s" % sess.text(0)[-300:])
            return s
        s.note("prompt after %.2f s wall" % (time.monotonic() - sess.start))
        for name, line, pattern in CONSOLE_STEPS:
            ok = sess.run(line, pattern, 20)
            s.result(bool(ok), name)
            if not ok:
                s.note("%s: typed %r, got %r" % (name, line, sess.text()[-400:]))
                sess.expect(r"^/[^\n]* # $", 5)
        s.result(console_canonical(sess), "canonical_mode_erase_kill_eof")
        sess.mark = len(sess.out)
        sess.send("exit\r")
        s.result(bool(sess.expect(r"shell ended[\s\S]*^/ # $", 20)), "exit_and_a_new_shell")
        sess.mark = len(sess.out)
        sess.send("poweroff\r")
        if machine == "virt":
            s.result(sess.exit_status(20) == 0, "poweroff_exits_qemu_with_0")
        else:
            said = sess.expect(r"cannot power off; halting", 20)
            s.result(bool(said), "poweroff_says_it_cannot_and_halts")
            if not said:
                s.note("after poweroff: %r" % sess.text()[-300:])
    finally:
        sess.close()
    return s


UBOOT = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"
VF2_DTB = "visionfive2/dtbs/starfive/jh7110-starfive-visionfive-2-v1.3b.dtb"


def sdcheck(layout, img):
    return run_cmd([sys.executable, "tools/sdimage.py", "--layout", layout,
                    "--check", img])


def suite_sdimage(build, shared):
    """make sdimage for both boards: GPT, attribute, files, the board DTB."""
    s = Suite("sdimage")
    for board in ("qemu-virt", "visionfive2"):
        rc, out = run_cmd(["make", "-s", "--no-print-directory", "sdimage",
                           "BOARD=" + board, "BUILD=" + build])
        img = os.path.join(build, board, "sdcard.img")
        layout = "board/%s/sdcard.layout" % board
        rc2, out2 = sdcheck(layout, img) if rc == 0 else (1, out)
        for line in out2[-5:]:
            s.note(line)
        s.result(rc == 0 and rc2 == 0, "layout_" + board.replace("-", "_"))
    # The checker must notice a card without the bootable attribute.
    img = os.path.join(ROOT, build, "visionfive2", "sdcard.img")
    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, "bad.img")
        data = bytearray(open(img, "rb").read(34 * 512))
        entry3 = 2 * 512 + 2 * 128          # third entry of the GPT array
        data[entry3 + 48] &= ~(1 << 2) & 0xff
        with open(bad, "wb") as f:
            f.write(data)
            f.truncate(os.path.getsize(img))
        rc, out = sdcheck("board/visionfive2/sdcard.layout", bad)
        s.result(rc == 1 and any("bootable" in l for l in out),
                 "check_catches_missing_bootable_attribute")
    # Our own VisionFive 2 tree says what the mainline one says.
    dtinfo = os.path.join(ROOT, build, "host", "dtinfo")
    rc1, ours = run_cmd([dtinfo, os.path.join(build, VF2_DTB)])
    rc2, theirs = run_cmd([dtinfo, os.path.join(
        shared, "fixtures", "dtb", "jh7110-starfive-visionfive-2-v1.3b.dtb")])
    strip = lambda lines: [l for l in lines if not l.endswith(" dtb")]
    if strip(ours) != strip(theirs):
        s.note("ours %r" % ours)
        s.note("mainline %r" % theirs)
    s.result(rc1 == 0 and rc2 == 0 and strip(ours) == strip(theirs),
             "visionfive2_dtb_summary_matches_mainline")
    return s


def suite_uboot(build):
    """QEMU virt through U-Boot: distro boot finds extlinux.conf on
    partition 3 of the card and booti's the Image, with no typing."""
    s = Suite("boot-uboot-sdcard-virt-smp4-512M")
    card = os.path.join(ROOT, build, "qemu-virt", "sdcard-test.img")
    rc, out = run_cmd([sys.executable, "tools/sdimage.py", "--layout",
                       "board/qemu-virt/sdcard.layout", "--image",
                       os.path.join(build, "Image"), "--initrd",
                       os.path.join(build, "initramfs.cpio"), "--append",
                       "nuthatch.test=*", "--out", card])
    if rc != 0:
        s.result(False, "test_card_built")
        return s
    cmd = [qemu.QEMU, "-M", "virt", "-smp", "4", "-m", "512M", "-nographic",
           "-no-reboot", "-bios", os.path.join(qemu.OPENSBI_DIR, "fw_dynamic.bin"),
           "-kernel", UBOOT, "-drive",
           "file=%s,format=raw,if=none,id=hd0,snapshot=on" % card,
           "-device", "virtio-blk-device,drive=hd0"]
    # Measured 30 s: U-Boot's 2 s autoboot delay, the card, the tests.
    b = qemu.run(cmd, TIMEOUT_FACTOR * 30.0)
    s.result(any(l.startswith("Found /extlinux/extlinux.conf") for l in b.lines),
             "uboot_found_extlinux_conf")
    s.result(any("## Flattened Device Tree" in l for l in b.lines),
             "uboot_handed_over_qemu_tree")
    kernel = [l for l in b.lines if RESULT.match(l) or l.startswith("# ")]
    s.absorb_ktap(kernel)
    check_boot(s, b, "512M", [0, 1, 2, 3])
    if s.failed:
        for line in b.lines[-15:]:
            s.note("console: " + line)
    return s


def suite_panic_and_listing(build):
    """A kernel fault with a spinlock held panics with its reason and the
    panic verdict; before it, the task listing shows the kernel threads."""
    s = Suite("boot-listing-and-panic")
    cmd = qemu.qemu_command(os.path.join(ROOT, build, "Image"), 2, "128M",
                            append="nuthatch.crash=locked")
    b = qemu.run(cmd, TIMEOUT_FLOOR, closing=re.compile(r"^panic: "))
    text = "\n".join(b.lines)
    for name in ("[init]", "[reaper]", "[idle/0]", "[idle/1]"):
        s.result(name in text, "listing_shows_" + re.sub(r"\W", "", name))
    s.result(any(l.startswith("panic: fatal kernel fault with a spinlock held")
                 for l in b.lines), "fault_with_lock_held_panics_saying_why")
    s.result(b.exit_code == 2, "panic_verdict_exit_status_2")
    if s.failed:
        for line in b.lines[-12:]:
            s.note("console: " + line)
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--only", help="run only suites whose name has this")
    a = ap.parse_args()
    steps = [("layers", lambda: [suite_layers()]),
             ("image", lambda: [suite_image(a.build)]),
             ("initramfs", lambda: [suite_initramfs(a.build)]),
             ("host", lambda: suite_host(a.build, a.shared)),
             ("dtinfo", lambda: [suite_dtinfo(a.build, a.shared)]),
             ("genproto", lambda: [suite_genproto(a.build)]),
             ("gensyscalls", lambda: [suite_gensyscalls()]),
             ("notest", lambda: [suite_notest(a.build)]),
             ("fuzz", lambda: [suite_fuzz(a.build, a.shared)])]
    steps += [("boot", lambda: warm_up_qemu() or [])]
    steps += [("boot", lambda c=c: [suite_boot(a.build, *c)]) for c in BOOTS]
    steps += [("boot", lambda: [suite_verdict(a.build)])]
    steps += [("pid_max", lambda: [suite_pid_max(a.build)])]
    steps += [("posix", lambda: [suite_posix(a.build)])]
    steps += [("console", lambda c=c: [suite_console(a.build, *c)]) for c in CONSOLE_BOOTS]
    steps += [("boot", lambda: [suite_panic_and_listing(a.build)])]
    steps += [("sdimage", lambda: [suite_sdimage(a.build, a.shared)])]
    steps += [("uboot", lambda: [suite_uboot(a.build)])]
    suites = []
    for name, step in steps:
        if not a.only or a.only in name:
            suites += step()
    passed, failed = emit(suites)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
