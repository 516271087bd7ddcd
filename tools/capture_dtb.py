#!/usr/bin/env python3
"""Capture the device tree the kernel actually receives under QEMU.

OpenSBI edits QEMU's tree before the kernel sees it (mmode_resv
reserved memory, disabled harts, PLIC M-mode contexts set to 0xffffffff),
so the parser is tested on these runtime trees too.  The kernel dumps the
blob in hex when booted with nuthatch.dumpdtb; this tool turns the dump
back into bytes and checks its header.

    tools/capture_dtb.py IMAGE OUTDIR   writes runtime-qemu-virt-*.dtb
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402

CONFIGS = [  # (smp, mem, firmware, with an initrd)
    (1, "128M", "dynamic", False),
    (4, "1G", "dynamic", False),
    (4, "1G", "jump", False),
    (1, "128M", "dynamic", True),   # QEMU writes 32-bit initrd cells
]


def blob_from_dump(lines):
    size = None
    chunks = []
    for line in lines:
        if not line.startswith("dtb-dump: "):
            continue
        words = line.split()
        if words[1] == "begin":
            size = int(words[2])
        elif words[1] != "end":
            chunks.append((int(words[1], 16), bytes.fromhex(words[2])))
    if size is None:
        raise ValueError("no dtb-dump in the console output")
    blob = bytearray(size)
    for off, data in chunks:
        blob[off:off + len(data)] = data
    magic, total = struct.unpack(">II", bytes(blob[:8]))
    if magic != 0xd00dfeed or total != size:
        raise ValueError("dump is not a whole device tree")
    return bytes(blob)


def main():
    image, outdir = sys.argv[1], sys.argv[2]
    initrd = os.path.join(outdir, ".initrd.tmp")
    with open(initrd, "wb") as f:
        f.write(b"not a real initrd\n" * 100)
    for smp, mem, fw, with_initrd in CONFIGS:
        extra = ["-initrd", initrd] if with_initrd else []
        cmd = qemu.qemu_command(image, smp, mem, fw,
                                append="nuthatch.dumpdtb nuthatch.poweroff",
                                extra=extra, initrd=None)
        b = qemu.run(cmd, timeout=30, closing=qemu.re.compile("^dtb-dump: end$"))
        blob = blob_from_dump(b.lines)
        name = "runtime-qemu-virt-smp%d-%s-fw_%s%s.dtb" % (
            smp, mem, fw, "-initrd" if with_initrd else "")
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(blob)
        print("%s: %d bytes" % (name, len(blob)))
    os.unlink(initrd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
