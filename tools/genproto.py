#!/usr/bin/env python3
"""Generate a server protocol's C from its table (servers/proto/NAME.tbl):

    tools/genproto.py TABLE --out DIR   # DIR/NAME.h NAME_client.c NAME_server.h NAME_server.c

A table has header lines `protocol NAME`, `base LABEL`, `include <hdr.h>`,
then one request a line, `N  name(args) -> (replies)  # comment`, with
label base + N.  Types: u8..u64, i8..i64 (packed in that order into the
four register words while they fit, the rest into the buffer), `struct X`
(in the buffer), `bytes` (a tail of the buffer, last), `handle` (the
message's grant, required) and, in requests only, `grant` (the raw grant
word: the handle, 0, or why the grant failed).  docs/DESIGN.md, "Server
protocols", gives the rules; lib/nhproto.h and servers/libserver/ do the
checking the emitted code calls.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import abi  # noqa: E402

SCALAR = {"%s%d" % (s, n): ("%sint%d_t" % ("u" if s == "u" else "", n), n // 8)
          for s in "ui" for n in (8, 16, 32, 64)}
RESERVED = {"ep", "r", "s", "m", "b", "n", "msg", "req", "rep", "rb", "pb", "len", "tail",
            "gh", "gr", "reply"}
LINE = re.compile(r"^(\d+)\s+(.+?)\s*->\s*\((.*)\)$")


def place(params, reply):
    """Each parameter's place: 'reg', 'buf', 'tail' or 'grant'."""
    out, off, spilled, seen = [], 0, False, set()
    for t, n in params:
        if n in RESERVED:
            raise abi.TableError("%r is a name the stubs use" % n)
        if t in SCALAR:
            size = SCALAR[t][1]
            off = (off + size - 1) // size * size
            spilled = spilled or off + size > 32
            out.append((t, n, "buf" if spilled else "reg"))
            off += size
        elif t.startswith("struct "):
            out.append((t, n, "buf"))
        elif t in ("bytes", "handle") or (t == "grant" and not reply):
            kind = "tail" if t == "bytes" else "grant"
            if kind in seen:
                raise abi.TableError("two %s parameters" % t)
            seen.add(kind)
            out.append((t, n, kind))
        else:
            raise abi.TableError("unknown type %r" % t)
    if any(p == "tail" for _, _, p in out) and out[-1][2] != "tail":
        raise abi.TableError("bytes must come last")
    return out


def read(path):
    proto = {"protocol": None, "base": None, "includes": [], "reqs": []}
    for lineno, raw in enumerate(open(path), 1):
        code, comment = abi.split_comment(raw)
        if not code:
            continue
        try:
            word, _, rest = code.partition(" ")
            if word in ("protocol", "base", "include"):
                if word == "include":
                    proto["includes"].append(rest.strip())
                else:
                    proto[word] = rest.strip() if word == "protocol" else int(rest, 0)
                continue
            m = LINE.match(code)
            if not m:
                raise abi.TableError("not 'N name(args) -> (replies)'")
            _, name, args = abi.parse_proto("long " + m.group(2))
            reps = abi.parse_params(m.group(3))
            if {n for _, n in args} & {n for _, n in reps}:
                raise abi.TableError("an argument and a reply share a name")
            proto["reqs"].append({"num": int(m.group(1)), "name": name, "doc": comment,
                                  "args": place(args, False), "reps": place(reps, True)})
        except (abi.TableError, ValueError) as e:
            sys.exit("%s:%d: %s" % (path, lineno, e))
    nums = [q["num"] for q in proto["reqs"]]
    if not proto["protocol"] or proto["base"] is None or len(set(nums)) != len(nums):
        sys.exit("%s: needs 'protocol', 'base' and distinct request numbers" % path)
    return proto


def layout(P, q, side, ps):
    """The message's structs and their size checks."""
    out = []
    for part, limit in (("reg", "sizeof(((struct nh_msg *)0)->w)"), ("buf", "NH_IPC_BUF_MAX")):
        fields = [(t, n) for t, n, p in ps if p == part]
        if not fields:
            continue
        s = "%s_%s_%s%s" % (P, q["name"], side, "" if part == "reg" else "_buf")
        out += ["struct %s {" % s] + ["\t%s %s;" % (SCALAR.get(t, (t,))[0], n)
                                      for t, n in fields] + ["};"]
        out.append('_Static_assert(sizeof(struct %s) <= %s, "%s: too big for the %s");'
                   % (s, limit, s, "register words" if part == "reg" else "IPC buffer"))
    return out


def sizes(P, q, side, ps):
    """C expressions: (register bytes, fixed buffer bytes, has tail, grant place)."""
    s = "%s_%s_%s" % (P, q["name"], side)
    has = {p for _, _, p in ps}
    return ("sizeof(struct %s)" % s if "reg" in has else "0",
            "sizeof(struct %s_buf)" % s if "buf" in has else "0", int("tail" in has),
            next((t for t, _, p in ps if p == "grant"), None))


def ctype(t, n, side, server):
    """The C parameters for one table parameter, as a stub or handler sees it."""
    out = side == "rep"
    if t in SCALAR:
        return [("%s *%s" if out else "%s %s") % (SCALAR[t][0], n)]
    if t.startswith("struct "):
        return ["%s%s *%s" % ("" if out else "const ", t, n)]
    if t == "bytes":
        return ["void *%s, size_t *%s_len" % (n, n) if out else
                "const void *%s, size_t %s_len" % (n, n)]
    if t == "grant":
        return ["long %s" % n if server else "uint64_t %s" % n]
    if out:
        return ["long *%s, uint32_t *%s_rights" % (n, n) if server else "long *%s" % n]
    return ["long %s" % n if server else "long %s, uint32_t %s_rights" % (n, n)]


def sig(P, q, server):
    head = ["struct srv_req *r"] if server else ["long ep"]
    ps = [c for t, n, _ in q["args"] for c in ctype(t, n, "req", server)]
    ps += [c for t, n, _ in q["reps"] for c in ctype(t, n, "rep", server)]
    return "long %s%s_%s(%s)" % (P, "_srv" if server else "", q["name"], ", ".join(head + ps))


def header(T, P):
    out = ["/* Generated by tools/genproto.py from servers/proto/%s.tbl: do not edit." % P,
           " * The %s protocol: labels, message layouts, client stubs (lib/). */" % P,
           "#ifndef PROTO_%s_H" % P.upper(), "#define PROTO_%s_H" % P.upper(), "",
           "#include <stddef.h>", "#include <stdint.h>", "#include <nuthatch/ipc.h>"]
    out += ["#include %s" % i for i in T["includes"]]
    out += ["", "#define %s_BASE %d" % (P.upper(), T["base"]),
            "#define %s_COUNT %d" % (P.upper(), max(q["num"] for q in T["reqs"]) + 1)]
    for q in T["reqs"]:
        out += ["", "/* %s */" % q["doc"] if q["doc"] else "",
                "#define %s_%s %d" % (P.upper(), q["name"].upper(), T["base"] + q["num"])]
        out += layout(P, q, "req", q["args"]) + layout(P, q, "rep", q["reps"])
        out.append(sig(P, q, False) + ";")
    return "\n".join(out + ["", "#endif", ""])


def client(T, P):
    out = ["/* Generated by tools/genproto.py from servers/proto/%s.tbl: do not edit. */" % P,
           "#include <string.h>", "#include <nuthatch/errno.h>", '#include "nhproto.h"',
           "#include <proto/%s.h>" % P]
    for q in T["reqs"]:
        lab = "%s_%s" % (P.upper(), q["name"].upper())
        aregs, afix, atail, agr = sizes(P, q, "req", q["args"])
        rregs, rfix, rtail, rgr = sizes(P, q, "rep", q["reps"])
        out += ["", sig(P, q, False), "{", "\tstruct nh_msg msg = { 0 };",
                "\tuint8_t *b = nh_proto_buf();", "\tsize_t len = %s;" % afix, "\tlong n;"]
        st = "%s_%s" % (P, q["name"])
        if aregs != "0":
            out.append("\tstruct %s_req req = { %s };" % (st, ", ".join(
                ".%s = %s" % (n, n) for _, n, p in q["args"] if p == "reg")))
        if rregs != "0":
            out.append("\tstruct %s_rep rep;" % st)
        if afix != "0":
            out.append("\tstruct %s_req_buf rb = { %s };" % (st, ", ".join(
                ".%s = %s%s" % (n, "*" if t.startswith("struct") else "", n)
                for t, n, p in q["args"] if p == "buf")))
        if rfix != "0":
            out.append("\tstruct %s_rep_buf pb;" % st)
        if afix != "0" or rfix != "0" or atail or rtail:
            out.append("\tif (!b)\n\t\treturn -NH_EINVAL;\t/* no IPC buffer registered */")
        if afix != "0":
            out.append("\tmemcpy(b, &rb, sizeof(rb));")
        for t, n, p in q["args"]:
            if p == "tail":
                out += ["\tif (%s_len > NH_IPC_BUF_MAX - len)\n\t\treturn -NH_E2BIG;" % n,
                        "\tmemcpy(b + len, %s, %s_len);" % (n, n), "\tlen += %s_len;" % n]
            elif p == "grant":
                out.append("\tmsg.grant = %s;" % (n if t == "grant" else
                                                  "NH_IPC_GRANT(%s, %s_rights)" % (n, n)))
        if aregs != "0":
            out.append("\tmemcpy(msg.w, &req, sizeof(req));")
        out.append("\t(void)b;")
        out.append("\tn = nh_proto_call(ep, &msg, %s, len, %s, %d, %d);"
                   % (lab, rfix, rtail, rgr is not None))
        out.append("\tif (n < 0)\n\t\treturn n;")
        if rregs != "0":
            out.append("\tmemcpy(&rep, msg.w, sizeof(rep));")
        if rfix != "0":
            out.append("\tmemcpy(&pb, b, sizeof(pb));")
        for t, n, p in q["reps"]:
            src = {"reg": "rep.%s" % n, "buf": "pb.%s" % n, "grant": "(long)msg.grant"}.get(p)
            if p == "tail":
                out += ["\tif ((size_t)n > *%s_len)\n\t\treturn -NH_E2BIG;" % n,
                        "\tmemcpy(%s, b + %s, (size_t)n);" % (n, rfix), "\t*%s_len = (size_t)n;" % n]
            else:
                out.append("\tif (%s)\n\t\t*%s = %s;" % (n, n, src))
        out += ["\treturn 0;", "}"]
    return "\n".join(out) + "\n"


def server_h(T, P):
    out = ["/* Generated by tools/genproto.py from servers/proto/%s.tbl: do not edit." % P,
           " * What a %s server writes (one handler per request) and its dispatch table. */" % P,
           "#ifndef PROTO_%s_SERVER_H" % P.upper(), "#define PROTO_%s_SERVER_H" % P.upper(),
           "", "#include <libserver/server.h>", "#include <proto/%s.h>" % P, "",
           "extern const struct srv_proto %s_proto;" % P]
    for q in T["reqs"]:
        out += ["", sig(P, q, True) + ";",
                "long %s_srv_%s_answer(%s);" % (P, q["name"], ", ".join(answer_params(q)))]
    return "\n".join(out + ["", "#endif", ""])


def answer_params(q):
    """A deferred reply's answer: the saved reply, then the replies by value."""
    ps = ["struct srv *s", "long reply"]
    for t, n, _ in q["reps"]:
        if t == "bytes":
            ps.append("const void *%s, size_t %s_len" % (n, n))
        elif t == "handle":
            ps.append("long %s, uint32_t %s_rights" % (n, n))
        elif t.startswith("struct"):
            ps.append("const %s *%s" % (t, n))
        else:
            ps.append("%s %s" % (SCALAR[t][0], n))
    return ps


def server_c(T, P):
    out = ["/* Generated by tools/genproto.py from servers/proto/%s.tbl: do not edit. */" % P,
           "#include <string.h>", "#include <nuthatch/errno.h>", "#include <proto/%s_server.h>" % P]
    for q in T["reqs"]:
        st = "%s_%s" % (P, q["name"])
        aregs, afix, atail, agr = sizes(P, q, "req", q["args"])
        rregs, rfix, rtail, rgr = sizes(P, q, "rep", q["reps"])
        locals_ = []
        for part, nm, side in (("reg", "req", "req"), ("buf", "rb", "req_buf"),
                               ("reg", "rep", "rep"), ("buf", "pb", "rep_buf")):
            ps = q["args"] if side.startswith("req") else q["reps"]
            if any(p == part for _, _, p in ps):
                locals_.append((side, "\tstruct %s_%s %s = { 0 };" % (st, side, nm)))
        call, pass_ = ["r"], {"reg": "req.", "buf": "rb."}
        for t, n, p in q["args"]:
            call.append({"tail": "(uint8_t *)r->srv->buf + %s, (size_t)n" % afix,
                         "grant": "(long)r->msg.grant"}.get(
                p, "%s%s%s" % ("&" if t.startswith("struct") else "", pass_.get(p, ""), n)))
        for t, n, p in q["reps"]:
            call.append({"tail": "(uint8_t *)r->srv->buf + %s, &tail" % rfix,
                         "grant": "&gh, &gr"}.get(p, "&%s.%s" % ("rep" if p == "reg" else "pb", n)))
        out += ["", "static long %s_decode(struct srv_req *r)" % st, "{"] + [l for _, l in locals_]
        out += ["\tsize_t tail = NH_IPC_BUF_MAX - %s;" % rfix, "\tlong gh = 0, n;",
                "\tuint32_t gr = 0;", "",
                "\tn = srv_decode(r, %s, %s, %s, %s, %d, %s);" % (
                    "&req" if aregs != "0" else "0", aregs, "&rb" if afix != "0" else "0", afix,
                    atail, {None: "SRV_GRANT_NONE", "handle": "SRV_GRANT_HANDLE"}.get(
                        agr, "SRV_GRANT_RAW")),
                "\tif (n < 0)\n\t\treturn n;", "\t(void)tail;",
                "\tn = %s_srv_%s(%s);" % (P, q["name"], ", ".join(call)),
                "\tif (n < 0 || r->deferred)\n\t\treturn n;",
                "\treturn srv_encode(r, &r->reply, %s, %s, %s, %s, %s, NH_IPC_GRANT(gh, gr));" % (
                    "&rep" if rregs != "0" else "0", rregs, "&pb" if rfix != "0" else "0",
                    rfix, "tail" if rtail else "0"), "}"]
        out += ["", "long %s_srv_%s_answer(%s)" % (P, q["name"], ", ".join(answer_params(q))),
                "{"] + [l for side, l in locals_ if side.startswith("rep")]
        out += ["\tstruct nh_msg m = { 0 };", "\tlong n;", "\tsize_t tail = 0;",
                "\tlong gh = 0;", "\tuint32_t gr = 0;", ""]
        for t, n, p in q["reps"]:
            if p == "tail":
                out += ["\tif (%s_len > NH_IPC_BUF_MAX - %s)\n\t\treturn -NH_E2BIG;" % (n, rfix),
                        "\tmemcpy((uint8_t *)s->buf + %s, %s, %s_len);" % (rfix, n, n),
                        "\ttail = %s_len;" % n]
            elif p == "grant":
                out.append("\tgh = %s, gr = %s_rights;" % (n, n))
            else:
                out.append("\t%s.%s = %s%s;" % ("rep" if p == "reg" else "pb", n,
                                               "*" if t.startswith("struct") else "", n))
        out += ["\tn = srv_pack(s, &m, %s, %s, %s, %s, tail, NH_IPC_GRANT(gh, gr));" % (
            "&rep" if rregs != "0" else "0", rregs, "&pb" if rfix != "0" else "0", rfix),
            "\t(void)tail, (void)gh, (void)gr;",
            "\treturn n < 0 ? n : srv_answer(reply, &m, %s_%s, n);" % (P.upper(), q["name"].upper()),
            "}"]
    ops = ["\t[%d] = %s_%s_decode," % (q["num"], P, q["name"]) for q in T["reqs"]]
    out += ["", "static const srv_decode_fn %s_ops[%s_COUNT] = {" % (P, P.upper())] + ops + ["};"]
    out += ["", "const struct srv_proto %s_proto = {" % P,
            '\t.name = "%s", .base = %s_BASE, .count = %s_COUNT, .ops = %s_ops,' % (
                P, P.upper(), P.upper(), P), "};"]
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tbl")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    T = read(a.tbl)
    P = T["protocol"]
    for suffix, text in ((".h", header(T, P)), ("_client.c", client(T, P)),
                         ("_server.h", server_h(T, P)), ("_server.c", server_c(T, P))):
        with open(os.path.join(a.out, P + suffix), "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
