#!/usr/bin/env python3
"""The kernel's layering check: every folder of kernel/ has a rank
(kernel/LAYERS); a file may include headers of its own folder, of
lower-ranked folders, and the seams LAYERS names for its folder (or for
that one file, when a seam names a file: arch/riscv/asm-offsets.c).  Anything
else is an upward include and fails the check, with the file and line.

    tools/layers.py [--root DIR] [--ktap]

Exit status 0 when the tree obeys its layers, 1 otherwise.  A seam that no
file uses any more is reported too (stale seams hide new ones).
"""
import argparse
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def read_layers(path):
    ranks, seams = {}, {}
    for n, raw in enumerate(open(path), 1):
        line = raw.split("#", 1)[0].split()
        if not line:
            continue
        if line[0] == "seam" and len(line) >= 3:
            seams.setdefault(line[1], set()).add(line[2])
        elif line[0].isdigit() and len(line) >= 2:
            ranks[line[1]] = int(line[0])
        else:
            sys.exit("%s:%d: neither a rank nor a seam: %s" % (path, n, raw.strip()))
    for src in seams:
        if src not in ranks and folder_of(src, ranks) is None:
            sys.exit("%s: seam from unknown folder %s" % (path, src))
    return ranks, seams


def folder_of(rel, ranks):
    """The deepest ranked folder holding @rel (a path under kernel/)."""
    best = None
    for f in ranks:
        if rel.startswith(f + "/") and (best is None or len(f) > len(best)):
            best = f
    return best


def check(root):
    kdir = os.path.join(root, "kernel")
    ranks, seams = read_layers(os.path.join(kdir, "LAYERS"))
    errors, used = [], set()
    for dirpath, _, files in os.walk(kdir):
        for name in sorted(files):
            if not name.endswith((".c", ".h", ".S")):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, kdir)
            src = folder_of(rel, ranks)
            if src is None:
                errors.append("kernel/%s: in no ranked folder (kernel/LAYERS)" % rel)
                continue
            for n, line in enumerate(open(path, errors="replace"), 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                inc = m.group(1)
                dst = folder_of(inc, ranks)
                if dst is None:
                    if not inc.startswith("nuthatch/"):   # generated headers
                        errors.append("kernel/%s:%d: includes \"%s\", in no ranked folder"
                                      % (rel, n, inc))
                    continue
                if ranks[dst] <= ranks[src]:
                    continue
                seam = next((k for k in (rel, src) if inc in seams.get(k, ())), None)
                if seam:
                    used.add((seam, inc))
                    continue
                errors.append("kernel/%s:%d: %s (rank %d) includes %s (rank %d, %s): "
                              "an upward include" % (rel, n, src, ranks[src], inc,
                                                     ranks[dst], dst))
    for src, incs in sorted(seams.items()):
        for inc in sorted(incs):
            if (src, inc) not in used:
                errors.append("kernel/LAYERS: seam %s -> %s is used by no file" % (src, inc))
    return errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    a = ap.parse_args()
    errors = check(a.root)
    for e in errors:
        print("layers: " + e)
    if not errors:
        print("layers: every include goes down or through a named seam")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
