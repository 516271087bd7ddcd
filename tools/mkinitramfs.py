#!/usr/bin/env python3
"""Build the initramfs: a cpio "newc" archive of a staging tree.

    tools/mkinitramfs.py OUT.cpio DIR

The entries are those GNU cpio's `-H newc --owner 0:0 --reproducible`
writes for `find . -mindepth 1 | LC_ALL=C sort` (names without "./",
inode numbers counting from 0, owners 0:0, times 0), so the same files
give the same archive, with one addition: every regular file's data
starts on a 4 KiB page of the archive.  Before a file whose data would
not, a padding entry ".pad" (a regular file of zeros; a later entry of
a name replaces an earlier one, so unpacked it is one small file) takes
up the difference.  A program's pages can then be mapped straight from
the archive's memory object (initrd_archive): ELF segments have
p_offset = p_vaddr modulo the page size.
"""
import os
import stat
import sys

PAGE = 4096
PAD_NAME = b".pad"


def header(ino, mode, nlink, size, name):
    fields = (ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, len(name) + 1, 0)
    return b"070701" + b"".join(b"%08X" % f for f in fields) + name + b"\0"


def align4(n):
    return (n + 3) & ~3


def entry(ino, mode, nlink, data, name):
    """One entry's bytes, padded to 4 (header and name, then data)."""
    h = header(ino, mode, nlink, len(data), name)
    h += b"\0" * (align4(len(h)) - len(h))
    return h + data + b"\0" * (align4(len(data)) - len(data))


def data_offset(at, name):
    """Where a file's data would start after an entry header at @at."""
    return align4(at + 110 + len(name) + 1)


def pad_for(at, name):
    """A padding entry at @at that puts the next entry's data (named
    @name) on a page: b"" if it is on one already."""
    if data_offset(at, name) % PAGE == 0:
        return b""
    fixed = data_offset(at, PAD_NAME) - at        # the pad entry's header
    # pad data of n bytes: the file's header then starts at at+fixed+n
    for n in range(0, 2 * PAGE, 4):
        if data_offset(at + fixed + n, name) % PAGE == 0:
            return entry(0, stat.S_IFREG | 0o644, 1, b"\0" * n, PAD_NAME)
    raise AssertionError("no padding fits")


def paths(root):
    out = []
    for dirpath, dirs, files in os.walk(root):
        for n in dirs + files:
            out.append(os.path.relpath(os.path.join(dirpath, n), root))
    return sorted(out, key=lambda p: ("./" + p).encode())


def build(root):
    out = bytearray()
    ino = 0
    for rel in paths(root):
        full = os.path.join(root, rel)
        st = os.lstat(full)
        name = rel.encode()
        data = b""
        if stat.S_ISREG(st.st_mode):
            with open(full, "rb") as f:
                data = f.read()
            if data:
                out += pad_for(len(out), name)
        elif stat.S_ISLNK(st.st_mode):
            data = os.readlink(full).encode()
        out += entry(ino, st.st_mode, st.st_nlink, data, name)
        ino += 1
    out += entry(0, 0, 1, b"", b"TRAILER!!!")
    out += b"\0" * (-len(out) % 512)                # GNU cpio's block
    return bytes(out)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: mkinitramfs.py OUT.cpio DIR")
    out, root = sys.argv[1], sys.argv[2]
    blob = build(root)
    with open(out + ".tmp", "wb") as f:
        f.write(blob)
    os.replace(out + ".tmp", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
