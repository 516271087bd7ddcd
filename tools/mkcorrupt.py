#!/usr/bin/env python3
"""Write a corpus of corrupt ELF executables for the in-OS exec test:

    tools/mkcorrupt.py GOOD_ELF OUTDIR [--index FILE]

Each file OUTDIR/NNN (000, 001, ...) is GOOD_ELF (a small static
RISC-V program) with one defect the process server's exec must refuse
with ENOEXEC, leaving the caller as it was: a header field out of range,
a program header that breaks a rule of kernel/lib/elf.h, segments that
overlap or run backwards, or the file cut short.  --index writes one
line per file naming its defect (for reading a failure, not for the
test).  Files are never empty: the initramfs refuses those itself.
"""
import os
import struct
import sys

PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_SHLIB, PT_GNU_STACK = 1, 2, 3, 5, 0x6474e551


def rodata_vaddr(elf):
    """The start of the first loaded segment that is not executable."""
    for o in loads(elf):
        flags, = struct.unpack_from("<I", elf, o + 4)
        if not flags & 1:                               # PF_X
            return struct.unpack_from("<Q", elf, o + 16)[0]
    raise SystemExit("mkcorrupt: the good ELF has no data segment")


def header_edits(elf):
    """(name, offset, struct format, value) edits of the ELF header."""
    entry, = struct.unpack_from("<Q", elf, 24)
    return [
        ("magic0", 0, "B", 0), ("magic1", 1, "B", ord("X")), ("magic3", 3, "B", 0),
        ("class32", 4, "B", 1), ("class3", 4, "B", 3), ("bigendian", 5, "B", 2),
        ("ei_version0", 6, "B", 0), ("osabi9", 7, "B", 9), ("abiversion1", 8, "B", 1),
        ("type_rel", 16, "H", 1), ("type_dyn", 16, "H", 3), ("type_core", 16, "H", 4),
        ("type_none", 16, "H", 0), ("machine_x86_64", 18, "H", 0x3e),
        ("machine_244", 18, "H", 244), ("e_version0", 20, "I", 0),
        ("entry0", 24, "Q", 0), ("entry_in_rodata", 24, "Q", rodata_vaddr(elf)),
        ("entry_odd", 24, "Q", entry + 1), ("entry_far", 24, "Q", 0x7fffffff),
        ("entry_kernel", 24, "Q", 0xffffffff80000000),
        ("phoff_huge", 32, "Q", 1 << 62), ("phoff_wraps", 32, "Q", (1 << 64) - 8),
        ("flags_rve", 48, "I", 0x5 | 0x8), ("flags_quad", 48, "I", 0x1 | 0x6),
        ("flags_tso", 48, "I", 0x5 | 0x10), ("flags_unknown", 48, "I", 0x5 | 0x100),
        ("ehsize63", 52, "H", 63), ("ehsize0", 52, "H", 0), ("phentsize32", 54, "H", 32),
        ("phentsize0", 54, "H", 0), ("phnum0", 56, "H", 0), ("phnum_xnum", 56, "H", 0xffff),
    ]


def phdrs(elf):
    phoff, = struct.unpack_from("<Q", elf, 32)
    phnum, = struct.unpack_from("<H", elf, 56)
    return [phoff + 56 * i for i in range(phnum)]


def loads(elf):
    return [o for o in phdrs(elf) if struct.unpack_from("<I", elf, o)[0] == PT_LOAD]


def phdr_edits(elf):
    """Defects of each PT_LOAD in turn: (name, fn(bytearray, phdr offset))."""
    def put(fmt, off, val):
        return lambda b, p: struct.pack_into("<" + fmt, b, p + off, val)

    def filesz_gt_memsz(b, p):
        memsz, = struct.unpack_from("<Q", b, p + 40)
        struct.pack_into("<Q", b, p + 32, memsz + 1)

    def vaddr_misaligned(b, p):
        va, = struct.unpack_from("<Q", b, p + 16)
        struct.pack_into("<Q", b, p + 16, va + 1)

    def file_past_end(b, p):
        struct.pack_into("<Q", b, p + 8, len(b) + 4096 * 64)

    edits = [
        ("filesz_gt_memsz", filesz_gt_memsz), ("offset_past_end", file_past_end),
        ("offset_wraps", put("Q", 8, (1 << 64) - 4096)), ("vaddr_low", put("Q", 16, 0x1000)),
        ("vaddr_wraps", put("Q", 16, (1 << 64) - 4096)), ("memsz_absurd", put("Q", 40, 1 << 40)),
        ("filesz_absurd", put("Q", 32, 1 << 40)), ("align3", put("Q", 48, 3)),
        ("align_below_page", put("Q", 48, 0x800)), ("vaddr_off_by_one", vaddr_misaligned),
        ("flags_rwx", put("I", 4, 7)), ("flags_none", put("I", 4, 0)),
        ("flags_wx", put("I", 4, 3)), ("type_interp", put("I", 0, PT_INTERP)),
        ("type_dynamic", put("I", 0, PT_DYNAMIC)), ("type_shlib", put("I", 0, PT_SHLIB)),
    ]
    out = []
    for i, p in enumerate(loads(elf)):
        for name, fn in edits:
            out.append(("load%d_%s" % (i, name), p, fn))
    return out


def cross_edits(elf):
    """Defects between segments."""
    ls = loads(elf)
    out = []

    def same_vaddr(b):
        va, = struct.unpack_from("<Q", b, ls[0] + 16)
        off, = struct.unpack_from("<Q", b, ls[0] + 8)
        struct.pack_into("<QQ", b, ls[1] + 8, off, va)

    def swapped(b):
        a, c = bytes(b[ls[0]:ls[0] + 56]), bytes(b[ls[1]:ls[1] + 56])
        b[ls[0]:ls[0] + 56], b[ls[1]:ls[1] + 56] = c, a

    def shared_page(b):
        va, = struct.unpack_from("<Q", b, ls[1] + 16)
        off, = struct.unpack_from("<Q", b, ls[1] + 8)
        struct.pack_into("<QQ", b, ls[2] + 8, off + 0x100, va + 0x100)

    def exec_stack(b):
        p = phdrs(b)[-1]
        struct.pack_into("<II", b, p, PT_GNU_STACK, 7)

    def all_memsz0(b):
        for p in ls:
            struct.pack_into("<QQ", b, p + 32, 0, 0)

    if len(ls) >= 2:
        out += [("loads_same_vaddr", same_vaddr), ("loads_descending", swapped)]
    if len(ls) >= 3:
        out.append(("loads_share_a_page", shared_page))
    out += [("gnu_stack_executable", exec_stack), ("no_segment_left", all_memsz0)]
    return out


def truncations(elf):
    ls = loads(elf)
    end = max(struct.unpack_from("<Q", elf, p + 8)[0] + struct.unpack_from("<Q", elf, p + 32)[0]
              for p in ls)
    cuts = [1, 4, 16, 17, 18, 20, 24, 32, 48, 52, 56, 63, 64, 65, 100, 119, 120, 176,
            232, 239, 240, 288, 512, 1000, 2048, 4095, 4096, 4097]
    # past the headers the file is rounded up to a page when opened, so a
    # cut must fall a page short of the last segment's end to be seen
    last_page = (end - 1) // 4096 * 4096
    cuts += [c for c in range(8192, last_page + 1, 4096)] + [last_page]
    return sorted(set(c for c in cuts if 0 < c <= last_page))


def main():
    args = sys.argv[1:]
    index = None
    if "--index" in args:
        i = args.index("--index")
        index = args[i + 1]
        del args[i:i + 2]
    good, outdir = args
    elf = open(good, "rb").read()
    os.makedirs(outdir, exist_ok=True)
    files = []
    for name, off, fmt, val in header_edits(elf):
        b = bytearray(elf)
        struct.pack_into("<" + fmt, b, off, val)
        files.append((name, b))
    for name, p, fn in phdr_edits(elf):
        b = bytearray(elf)
        fn(b, p)
        files.append((name, b))
    for name, fn in cross_edits(elf):
        b = bytearray(elf)
        fn(b)
        files.append((name, b))
    for cut in truncations(elf):
        files.append(("cut_at_%d" % cut, bytearray(elf[:cut])))
    lines = []
    for n, (name, b) in enumerate(files):
        with open(os.path.join(outdir, "%03d" % n), "wb") as f:
            f.write(b)
        lines.append("%03d %s\n" % (n, name))
    if index:
        with open(index, "w") as f:
            f.writelines(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
