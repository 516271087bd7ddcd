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


def layout(st, ps, part, limit):
    """One part of a message as a struct (GNU C allows it empty), size-checked."""
    fields = ["\t%s %s;" % (SCALAR.get(t, (t,))[0], n) for t, n, p in ps if p == part]
    return ["struct %s {" % st] + fields + ["};", '_Static_assert(sizeof(struct %s) <= %s, '
                                            '"%s: too big");' % (st, limit, st)]


def ctype(t, n, out, server):
    """The C parameters for one table parameter, as a stub or handler sees it."""
    if t in SCALAR:
        return ("%s *%s" if out else "%s %s") % (SCALAR[t][0], n)
    if t.startswith("struct "):
        return "%s%s *%s" % ("" if out else "const ", t, n)
    if t == "bytes":
        return ("void *%s, size_t *%s_len" if out else "const void *%s, size_t %s_len") % (n, n)
    if t == "grant":
        return ("long %s" if server else "uint64_t %s") % n
    if out == server:
        return ("long *%s, uint32_t *%s_rights" if out else "long %s, uint32_t %s_rights") % (n, n)
    return ("long *%s" if out else "long %s") % n


def sig(P, q, server):
    ps = ["struct srv_req *r" if server else "long ep"]
    ps += [ctype(t, n, False, server) for t, n, _ in q["args"]]
    ps += [ctype(t, n, True, server) for t, n, _ in q["reps"]]
    return "long %s%s_%s(%s)" % (P, "_srv" if server else "", q["name"], ", ".join(ps))


def answer_sig(P, q):
    """A deferred reply's answer: the saved reply, then the replies by value."""
    ps = ["struct srv *s", "long reply"] + [ctype(t, n, False, False) for t, n, _ in q["reps"]]
    return "long %s_srv_%s_answer(%s)" % (P, q["name"], ", ".join(ps))


def init(ps, part):
    """A designated initializer of a message part from same-named values."""
    return "{ %s }" % ", ".join(".%s = %s%s" % (n, "*" if t.startswith("struct") else "", n)
                                for t, n, p in ps if p == part) if any(
        p == part for _, _, p in ps) else "{}"


def parts(st, inits, msgs):
    """The four structs of a request, and the nh_proto_msg views of them."""
    names = (("req", "req"), ("req_buf", "rb"), ("rep", "rep"), ("rep_buf", "pb"))
    return ["\tstruct %s_%s %s = %s;" % (st, side, v, i) for (side, v), i in zip(names, inits)
            if i is not None] + ["\tstruct nh_proto_msg %s;" % msgs]


def fields(q, arg, rep):
    """Statements setting nh_proto_msg fields: formats keyed by a parameter's
    type or else its place, given its name as %(n)s."""
    out = []
    for ps, fmt in ((q["args"], arg), (q["reps"], rep)):
        out += ["\t" + fmt.get(t, fmt.get(p)) % {"n": n} for t, n, p in ps
                if fmt.get(t, fmt.get(p))]
    return out


def header(T, P):
    out = ["/* Generated by tools/genproto.py from servers/proto/%s.tbl: do not edit." % P,
           " * The %s protocol: labels, message layouts, client stubs (lib/). */" % P,
           "#ifndef PROTO_%s_H" % P.upper(), "#define PROTO_%s_H" % P.upper(), "",
           "#include <stddef.h>", "#include <stdint.h>", "#include <nuthatch/ipc.h>"]
    out += ["#include %s" % i for i in T["includes"]]
    out += ["", "#define %s_BASE %d" % (P.upper(), T["base"]),
            "#define %s_COUNT %d" % (P.upper(), max(q["num"] for q in T["reqs"]) + 1)]
    words = "sizeof(((struct nh_msg *)0)->w)"
    for q in T["reqs"]:
        st = "%s_%s" % (P, q["name"])
        out += ["", "/* %s */" % q["doc"],
                "#define %s %d" % (st.upper(), T["base"] + q["num"])]
        for side, ps in (("req", q["args"]), ("rep", q["reps"])):
            out += layout("%s_%s" % (st, side), ps, "reg", words)
            out += layout("%s_%s_buf" % (st, side), ps, "buf", "NH_IPC_BUF_MAX")
        out.append(sig(P, q, False) + ";")
    return "\n".join(out + ["", "#endif", ""])


def used(st, ps, var):
    """The register bytes a layout's arguments fill (its size less any tail
    padding, which a peer must leave zero like every byte past them), as C."""
    regs = [n for _, n, p in ps if p == "reg"]
    if not regs:
        return "0"
    return "offsetof(struct %s, %s) + sizeof(%s.%s)" % (st, regs[-1], var, regs[-1])


def regs_only(q):
    """Does the request and its reply fit in the register words alone?"""
    return all(p == "reg" for _, _, p in q["args"] + q["reps"])


def client_regs(P, q, st):
    """A register-only request's stub: no buffer, no grant, no nh_proto_msg."""
    out = ["", sig(P, q, False), "{",
           "\tstruct %s_req req = %s;" % (st, init(q["args"], "reg")),
           "\tstruct %s_rep rep = {};" % st,
           "\tlong err = nh_proto_call_regs(ep, %s, &req, %s,\n\t\t\t\t\t    &rep, %s);"
           % (st.upper(), used(st + "_req", q["args"], "req"), used(st + "_rep", q["reps"], "rep")),
           "", "\tif (err)\n\t\treturn err;"]
    out += ["\tif (%s)\n\t\t*%s = rep.%s;" % (n, n, n) for _, n, _ in q["reps"]]
    return out + ["\treturn 0;", "}"]


def client(T, P):
    out = ["/* Generated by tools/genproto.py from servers/proto/%s.tbl: do not edit. */" % P,
           '#include "nhproto.h"', "#include <proto/%s.h>" % P]
    for q in T["reqs"]:
        st = "%s_%s" % (P, q["name"])
        if regs_only(q):
            out += client_regs(P, q, st)
            continue
        out += ["", sig(P, q, False), "{"]
        out += parts(st, (init(q["args"], "reg"), init(q["args"], "buf"), "{}", "{}"),
                     "q = NH_PROTO_MSG(req, rb), a = NH_PROTO_MSG(rep, pb)")
        out += ["\tlong err;", "", "\tq.regs_len = %s;" % used(st + "_req", q["args"], "req"),
                "\ta.regs_len = %s;" % used(st + "_rep", q["reps"], "rep")] + fields(q, {
            "handle": "q.grant = NH_IPC_GRANT(%(n)s, %(n)s_rights);", "grant": "q.grant = %(n)s;",
            "tail": "q.tail = (void *)%(n)s, q.tail_len = %(n)s_len;"}, {
            "handle": "a.grant_kind = NH_PROTO_HANDLE;",
            "tail": "a.tail = %(n)s, a.tail_len = *%(n)s_len, a.tail_ok = 1;"})
        out += ["\terr = nh_proto_call(ep, %s, &q, &a);" % st.upper(), "\tif (err)\n\t\treturn err;"]
        for t, n, p in q["reps"]:
            out.append({"reg": "\tif (%s)\n\t\t*%s = rep.%s;" % (n, n, n),
                        "buf": "\tif (%s)\n\t\t*%s = pb.%s;" % (n, n, n),
                        "tail": "\t*%s_len = a.tail_len;" % n,
                        "grant": "\t*%s = (long)a.grant;" % n}[p])
        out += ["\treturn 0;", "}"]
    return "\n".join(out) + "\n"


def server_h(T, P):
    out = ["/* Generated by tools/genproto.py from servers/proto/%s.tbl: do not edit." % P,
           " * What a %s server writes (one handler per request) and its dispatch table. */" % P,
           "#ifndef PROTO_%s_SERVER_H" % P.upper(), "#define PROTO_%s_SERVER_H" % P.upper(),
           "", "#include <libserver/server.h>", "#include <proto/%s.h>" % P, "",
           "extern const struct srv_proto %s_proto;" % P]
    for q in T["reqs"]:
        out += ["", sig(P, q, True) + ";", answer_sig(P, q) + ";"]
    return "\n".join(out + ["", "#endif", ""])


def answer(P, q, st):
    """A deferred reply's answer function."""
    out = ["", answer_sig(P, q), "{"]
    out += parts(st, (None, None, init(q["reps"], "reg"), init(q["reps"], "buf")),
                 "a = NH_PROTO_MSG(rep, pb)") + [""]
    out += ["\ta.regs_len = %s;" % used(st + "_rep", q["reps"], "rep")]
    out += fields(q, {}, {"handle": "a.grant = NH_IPC_GRANT(%(n)s, %(n)s_rights);",
                          "tail": "a.tail = (void *)%(n)s, a.tail_len = %(n)s_len;"})
    return out + ["\treturn srv_answer(s, reply, %s, &a);" % st.upper(), "}"]


def server_c(T, P):
    out = ["/* Generated by tools/genproto.py from servers/proto/%s.tbl: do not edit. */" % P,
           "#include <proto/%s_server.h>" % P]
    for q in T["reqs"]:
        st = "%s_%s" % (P, q["name"])
        call = ["r"] + [{"reg": "req." + n, "buf": ("&rb." if t.startswith("struct") else "rb.") + n,
                         "tail": "q.tail, q.tail_len", "grant": "(long)q.grant"}[p]
                        for t, n, p in q["args"]]
        call += [{"reg": "&rep." + n, "buf": "&pb." + n, "tail": "a.tail, &a.tail_len",
                  "grant": "&gh, &gr"}[p] for t, n, p in q["reps"]]
        out += ["", "static long %s_decode(struct srv_req *r)" % st, "{"]
        if regs_only(q):
            out += ["\tstruct %s_req req = {};" % st, "\tstruct %s_rep rep = {};" % st,
                    "\tlong err = srv_decode_regs(r, &req, %s);" % used(st + "_req", q["args"], "req"),
                    "",
                    "\tif (err)\n\t\treturn err;",
                    "\terr = %s_srv_%s(%s);" % (P, q["name"], ", ".join(call)),
                    "\tif (err < 0 || r->deferred)\n\t\treturn err;",
                    "\treturn srv_encode_regs(r, &rep, %s);" % used(st + "_rep", q["reps"], "rep"),
                    "}"]
            out += answer(P, q, st)
            continue
        out += parts(st, ("{}",) * 4, "q = NH_PROTO_MSG(req, rb), a = NH_PROTO_MSG(rep, pb)")
        out += ["\tlong gh = 0, err;", "\tuint32_t gr = 0;", "",
                "\tq.regs_len = %s;" % used(st + "_req", q["args"], "req"),
                "\ta.regs_len = %s;" % used(st + "_rep", q["reps"], "rep")] + fields(q, {
            "handle": "q.grant_kind = NH_PROTO_HANDLE;", "grant": "q.grant_kind = NH_PROTO_RAW_GRANT;",
            "tail": "q.tail_ok = 1;"}, {"tail": "a.tail_ok = 1;"})
        out += ["\terr = srv_decode(r, &q, &a);", "\tif (err)\n\t\treturn err;",
                "\terr = %s_srv_%s(%s);" % (P, q["name"], ", ".join(call)),
                "\tif (err < 0 || r->deferred)\n\t\treturn err;",
                "\ta.grant = NH_IPC_GRANT(gh, gr);", "\treturn srv_encode(r, &a);", "}"]
        out += answer(P, q, st)
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
