"""The parser shared by Nuthatch's interface generators.

Every interface table (kernel/uapi/nuthatch/syscalls.tbl, servers/proto/*.tbl)
is made of C prototypes, in the manner of OpenBSD's syscalls.master:

    long space_protect(handle space, uaddr va, size_t len, unsigned prot)

parse_proto() splits one into (return type, name, [(type, name), ...]);
tools/gensyscalls.py and tools/genproto.py decide what the types mean.
"""
import re

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
PROTO = re.compile(r"^\s*(?P<ret>.+?)\s*\b(?P<name>%s)\s*\((?P<params>[^()]*)\)\s*$" % IDENT)
PARAM = re.compile(r"^(?P<type>.*?[\s*])(?P<name>%s)$" % IDENT)


class TableError(Exception):
    pass


def norm_type(t):
    """One spelling per type: single spaces, '*' tight to the type."""
    t = re.sub(r"\s+", " ", t.strip())
    t = re.sub(r"\s*\*\s*", " *", t)
    return t.replace(" * *", " **")


def parse_params(text):
    """'handle h, const char *path' -> [('handle', 'h'), ('const char *', 'path')]."""
    text = text.strip()
    if text in ("", "void"):
        return []
    out = []
    for p in text.split(","):
        m = PARAM.match(p.strip())
        if not m or not m.group("type").strip():
            raise TableError("bad parameter %r" % p.strip())
        out.append((norm_type(m.group("type")), m.group("name")))
    names = [n for _, n in out]
    if len(set(names)) != len(names):
        raise TableError("a parameter name twice in %r" % text)
    return out


def parse_proto(text):
    """'long f(int a)' -> ('long', 'f', [('int', 'a')])."""
    m = PROTO.match(text)
    if not m:
        raise TableError("not a prototype: %r" % text)
    return norm_type(m.group("ret")), m.group("name"), parse_params(m.group("params"))


def split_comment(line):
    """A table line without its '# ...' comment, and the comment."""
    code, _, comment = line.partition("#")
    return code.strip(), comment.strip()
