#!/usr/bin/env python3
"""Build a bootable SD-card image, unprivileged (no loop mounts).

    tools/sdimage.py --layout board/B/sdcard.layout --image build/Image
                     [--dtb FILE] [--initrd FILE] [--append ARGS] --out IMG

The layout file (board data) names the GPT partitions, their type GUIDs,
the bootable one and the fdt path on the card.  The boot partition is a
FAT filesystem made with mkfs.vfat in a separate file, filled with mtools,
then written into place; the GPT is written with sgdisk.  Disk and
partition GUIDs and the FAT volume id are fixed, so the same inputs give
the same image.

    tools/sdimage.py --check IMG --layout L   verify an image against L
"""
import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile

SECTOR = 512
DISK_GUID = "4E555448-4143-4800-8000-000000000000"   # "NUTHACH"
BOOTABLE_BIT = 2        # GPT attribute: legacy BIOS bootable


def tool(name):
    """Find a tool, also in /usr/sbin (not on an ordinary user's PATH)."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if not found:
        sys.exit("sdimage: %s not found (tools/deps.sh installs it)" % name)
    return found


def run(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def read_layout(path):
    parts, boot, fdt = [], None, None
    for line in open(path):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if words[0] == "part":
            num, name, first, last, guid = words[1:6]
            parts.append({"num": int(num), "name": name, "first": int(first),
                          "last": last, "type": guid.upper(),
                          "bootable": "bootable" in words[6:]})
        elif words[0] == "boot-partition":
            boot = int(words[1])
        elif words[0] == "fdt":
            fdt = words[1]
        else:
            sys.exit("sdimage: %s: unknown line %r" % (path, line.strip()))
    return parts, boot, fdt


def part_sectors(p):
    if p["last"].startswith("+"):
        size = p["last"][1:]
        mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[size[-1]]
        return int(size[:-1]) * mult // SECTOR
    return int(p["last"]) - p["first"] + 1


def extlinux_conf(fdt, initrd, append):
    lines = ["# Nuthatch: written by tools/sdimage.py", "default nuthatch",
             "menu title Nuthatch", "prompt 0", "timeout 1", "",
             "label nuthatch", "\tmenu label Nuthatch", "\tkernel /Image"]
    if fdt:
        lines.append("\tfdt /" + fdt)
    if initrd:
        lines.append("\tinitrd /initramfs.cpio")
    lines.append("\tappend " + (append or "nuthatch"))
    return "\n".join(lines) + "\n"


def make_fat(path, sectors, files):
    """A FAT filesystem image holding files {card path: host path or bytes}."""
    run(tool("mkfs.vfat"), "-C", "-n", "NUTHATCH", "-i", "4e555448", path,
        str(sectors * SECTOR // 1024))
    made = set()
    for dest in sorted(files):
        parts = dest.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in made:
                run(tool("mmd"), "-i", path, "::/" + d)
                made.add(d)
        src = files[dest]
        if isinstance(src, bytes):
            with tempfile.NamedTemporaryFile() as tmp:
                tmp.write(src)
                tmp.flush()
                run(tool("mcopy"), "-i", path, tmp.name, "::/" + dest)
        else:
            run(tool("mcopy"), "-i", path, src, "::/" + dest)


def build(a):
    parts, boot, fdt = read_layout(a.layout)
    files = {"Image": a.image,
             "extlinux/extlinux.conf": extlinux_conf(fdt, a.initrd,
                                                     a.append).encode()}
    if fdt:
        if not a.dtb:
            sys.exit("sdimage: the layout names an fdt: pass --dtb")
        files[fdt] = a.dtb
    if a.initrd:
        files["initramfs.cpio"] = a.initrd
    bp = next(p for p in parts if p["num"] == boot)
    end = max(p["first"] + part_sectors(p) for p in parts)
    total = end + 2048          # room for the backup GPT
    tmp = a.out + ".tmp"
    with open(tmp, "wb") as f:
        f.truncate(total * SECTOR)
    cmd = [tool("sgdisk"), "-o", "-U", DISK_GUID]
    for p in parts:
        n = p["num"]
        cmd += ["-n", "%d:%d:%d" % (n, p["first"], p["first"] + part_sectors(p) - 1),
                "-c", "%d:%s" % (n, p["name"]), "-t", "%d:%s" % (n, p["type"]),
                "-u", "%d:%s" % (n, DISK_GUID[:-2] + "%02d" % n)]
        if p["bootable"]:
            cmd += ["-A", "%d:set:%d" % (n, BOOTABLE_BIT)]
    run(*cmd, tmp)
    fat = a.out + ".fat"
    make_fat(fat, part_sectors(bp), files)
    with open(tmp, "r+b") as f, open(fat, "rb") as src:
        f.seek(bp["first"] * SECTOR)
        shutil.copyfileobj(src, f)
    os.unlink(fat)
    os.replace(tmp, a.out)
    return 0


def gpt_entries(img):
    with open(img, "rb") as f:
        f.seek(SECTOR)
        hdr = f.read(92)
        if hdr[:8] != b"EFI PART":
            raise ValueError("no GPT header")
        entries_lba, count, size = struct.unpack("<QII", hdr[72:88])
        f.seek(entries_lba * SECTOR)
        raw = f.read(count * size)
    out = {}
    for i in range(count):
        e = raw[i * size:(i + 1) * size]
        if e[:16] == b"\0" * 16:
            continue
        t = e[:16]
        guid = "%08X-%04X-%04X-%s-%s" % (
            struct.unpack("<I", t[:4])[0], struct.unpack("<H", t[4:6])[0],
            struct.unpack("<H", t[6:8])[0], t[8:10].hex().upper(),
            t[10:16].hex().upper())
        first, last, attrs = struct.unpack("<QQQ", e[32:56])
        out[i + 1] = {"type": guid, "first": first, "last": last,
                      "attrs": attrs}
    return out


def check(a):
    """Print one line per problem; exit status 1 if any."""
    parts, boot, fdt = read_layout(a.layout)
    got = gpt_entries(a.check)
    bad = []
    for p in parts:
        g = got.get(p["num"])
        if not g:
            bad.append("partition %d missing" % p["num"])
            continue
        if g["type"] != p["type"]:
            bad.append("partition %d type %s" % (p["num"], g["type"]))
        if g["first"] != p["first"]:
            bad.append("partition %d starts at %d" % (p["num"], g["first"]))
        if bool(g["attrs"] & (1 << BOOTABLE_BIT)) != p["bootable"]:
            bad.append("partition %d bootable attribute wrong" % p["num"])
    off = "%s@@%d" % (a.check, parts[[p["num"] for p in parts].index(boot)]["first"] * SECTOR)
    listing = subprocess.run([tool("mdir"), "-/", "-b", "-i", off, "::/"],
                             capture_output=True, text=True).stdout.split()
    want = ["::/Image", "::/extlinux/extlinux.conf"] + (["::/" + fdt] if fdt else [])
    for w in want:
        if w not in listing:
            bad.append("boot partition lacks %s" % w[3:])
    conf = subprocess.run([tool("mtype"), "-i", off, "::/extlinux/extlinux.conf"],
                          capture_output=True, text=True).stdout
    if fdt and ("fdt /" + fdt) not in conf:
        bad.append("extlinux.conf names no fdt")
    if not fdt and "\tfdt " in conf:
        bad.append("extlinux.conf names an fdt the layout does not")
    for b in bad:
        print("sdimage: %s: %s" % (a.check, b))
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layout", required=True)
    ap.add_argument("--image")
    ap.add_argument("--dtb")
    ap.add_argument("--initrd")
    ap.add_argument("--append", default="")
    ap.add_argument("--out")
    ap.add_argument("--check")
    a = ap.parse_args()
    return check(a) if a.check else build(a)


if __name__ == "__main__":
    sys.exit(main())
