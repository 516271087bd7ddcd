#!/usr/bin/env python3
"""Check the kernel build outputs against the boot contract.

--image FILE: the Linux RISC-V Image header (magic at 0x30, magic2
  RSC\\x05 at 0x38, text_offset 0x200000, version 0.2, image_size covering
  the file) and the size limit: fw_jump puts the DTB at 0x82200000 on
  QEMU, 32 MiB above the load address, so image + bss must stay below it.
--elf FILE --nm NM: the entry point is the first byte of the image.
Exits non-zero with one line per violation.
"""
import argparse
import struct
import subprocess
import sys

TEXT_OFFSET = 0x200000
FW_JUMP_DTB_GAP = 0x82200000 - 0x80200000


def check_image(path):
    data = open(path, "rb").read()
    errors = []
    if len(data) < 64:
        return ["image shorter than its 64-byte header"]
    (code0, code1, text_offset, image_size, flags, version, _res1, _res2,
     magic, magic2, _res3) = struct.unpack("<IIQQQIIQ8sII", data[:64])
    if magic != b"RISCV\0\0\0":
        errors.append("magic at 0x30 is %r" % magic)
    if magic2 != struct.unpack("<I", b"RSC\x05")[0]:
        errors.append("magic2 at 0x38 is 0x%x" % magic2)
    if text_offset != TEXT_OFFSET:
        errors.append("text_offset is 0x%x" % text_offset)
    if version != 2:
        errors.append("header version is 0x%x, want 0.2" % version)
    if flags & 1:
        errors.append("flags say big endian")
    if image_size < len(data):
        errors.append("image_size 0x%x smaller than the file (0x%x)"
                      % (image_size, len(data)))
    if image_size > FW_JUMP_DTB_GAP:
        errors.append("image_size 0x%x would overwrite fw_jump's DTB"
                      % image_size)
    return errors


def check_elf(path, nm):
    out = subprocess.run([nm, path], check=True, capture_output=True,
                         text=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            syms[parts[2]] = int(parts[0], 16)
    errors = []
    if syms.get("_start") != syms.get("_start_image"):
        errors.append("_start is not the first byte of the image")
    return errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--image")
    ap.add_argument("--elf")
    ap.add_argument("--nm", default="riscv64-unknown-elf-nm")
    a = ap.parse_args()
    errors = []
    if a.image:
        errors += check_image(a.image)
    if a.elf:
        errors += check_elf(a.elf, a.nm)
    for e in errors:
        print("imagecheck: %s" % e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
