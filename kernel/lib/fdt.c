/*
 * Flattened device tree reader (see fdt.h for the contract and the list
 * of rejected blobs).  fdt_open() checks the header and the block layout,
 * then walks every token once with the same checked step function
 * (next_token) that all later lookups use.  Tree walks are iterative and
 * bounded by the structure block's size; nesting is capped at
 * FDT_MAX_DEPTH.
 */
#include "lib/fdt.h"

#include "lib/kstring.h"
#include <nuthatch/errno.h>

#define HDR_V16		36u
#define HDR_V17		40u
#define RSV_ENTRY	16u
#define INT32_LIMIT	0x7fffffffu

/* One decoded token of the structure block. */
struct token {
	uint32_t tag;
	int next;		/* offset of the following token */
	const char *name;	/* node or property name */
	const uint8_t *val;	/* property value */
	uint32_t len;		/* property length */
};

uint32_t fdt_be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

uint64_t fdt_be64(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)fdt_be32(b) << 32 | fdt_be32(b + 4);
}

uint64_t fdt_cells(const void *p, unsigned n)
{
	if (n == 0)
		return 0;
	return n == 1 ? fdt_be32(p) : fdt_be64(p);
}

static uint32_t hdr(const uint8_t *b, unsigned field)
{
	return fdt_be32(b + 4 * field);
}

static uint32_t align4(uint32_t x)
{
	return (x + 3u) & ~3u;
}

/* A property name at @nameoff: NUL-terminated inside the strings block. */
static const char *string_at(const struct fdt *f, uint32_t nameoff)
{
	const char *s;

	if (nameoff >= f->strings_size)
		return NULL;
	s = (const char *)f->blob + f->strings_off + nameoff;
	if (strnlen(s, f->strings_size - nameoff) == f->strings_size - nameoff)
		return NULL;
	return s;
}

static int node_token(const struct fdt *f, uint32_t off, struct token *t)
{
	const char *name = (const char *)f->blob + f->struct_off + off;
	uint32_t room = f->struct_size - off;
	uint32_t n = (uint32_t)strnlen(name, room);

	if (n == room)
		return -NH_EBADMSG;
	t->name = name;
	t->next = (int)align4(off + n + 1);
	return (uint32_t)t->next <= f->struct_size ? 0 : -NH_EBADMSG;
}

static int prop_token(const struct fdt *f, uint32_t off, struct token *t)
{
	const uint8_t *p = f->blob + f->struct_off + off;

	if (f->struct_size - off < 8)
		return -NH_EBADMSG;
	t->len = fdt_be32(p);
	t->name = string_at(f, fdt_be32(p + 4));
	t->val = p + 8;
	if (!t->name || t->len > f->struct_size - off - 8)
		return -NH_EBADMSG;
	t->next = (int)align4(off + 8 + t->len);
	return (uint32_t)t->next <= f->struct_size ? 0 : -NH_EBADMSG;
}

/*
 * Decode the token at structure offset @off.  Every byte it touches is
 * checked to lie inside the structure block (and the strings block for
 * property names).  0 or -NH_EBADMSG.
 */
static int next_token(const struct fdt *f, int off, struct token *t)
{
	uint32_t o = (uint32_t)off;

	if (off < 0 || (o & 3) || o > f->struct_size || f->struct_size - o < 4)
		return -NH_EBADMSG;
	t->tag = fdt_be32(f->blob + f->struct_off + o);
	o += 4;
	switch (t->tag) {
	case FDT_BEGIN_NODE:
		return node_token(f, o, t);
	case FDT_PROP:
		return prop_token(f, o, t);
	case FDT_END_NODE: case FDT_NOP: case FDT_END:
		t->next = (int)o;
		return 0;
	default:
		return -NH_EBADMSG;
	}
}

static int fail(struct fdt *f, const char *why)
{
	f->why = why;
	return -NH_EBADMSG;
}

static int check_header(struct fdt *f, const uint8_t *b, size_t avail)
{
	uint32_t last;

	if (avail < HDR_V17)
		return fail(f, "shorter than a header");
	if (hdr(b, 0) != FDT_MAGIC)
		return fail(f, "bad magic");
	f->version = hdr(b, 5);
	last = hdr(b, 6);
	if (f->version < 16 || last > 17 || f->version < last)
		return fail(f, "unsupported version");
	f->totalsize = hdr(b, 1);
	if (f->totalsize > avail)
		return fail(f, "totalsize beyond the available bytes");
	if (f->totalsize > INT32_LIMIT || f->totalsize < HDR_V17)
		return fail(f, "bad totalsize");
	return 0;
}

/* Does [off, off + size) lie after the header and inside totalsize? */
static bool inside(const struct fdt *f, uint32_t off, uint32_t size)
{
	uint32_t h = f->version >= 17 ? HDR_V17 : HDR_V16;

	return off >= h && off <= f->totalsize && size <= f->totalsize - off;
}

static int check_rsvmap(struct fdt *f)
{
	uint32_t off = f->rsv_off;

	if (off & 7)
		return fail(f, "misaligned memory reservation map");
	for (f->nrsv = 0;; f->nrsv++, off += RSV_ENTRY) {
		if (!inside(f, off, RSV_ENTRY))
			return fail(f, "memory reservation map runs off the end");
		if (fdt_be64(f->blob + off + 8) == 0)
			return 0;
	}
}

static int check_blocks(struct fdt *f)
{
	const uint8_t *b = f->blob;

	f->rsv_off = hdr(b, 4);
	f->struct_off = hdr(b, 2);
	f->strings_off = hdr(b, 3);
	f->strings_size = hdr(b, 8);
	f->struct_size = f->version >= 17 ? hdr(b, 9) :
			 f->totalsize - (f->struct_off < f->totalsize ?
					 f->struct_off : f->totalsize);
	if (check_rsvmap(f))
		return -NH_EBADMSG;
	if (f->struct_off & 3)
		return fail(f, "misaligned structure block");
	if (!inside(f, f->struct_off, f->struct_size))
		return fail(f, "structure block outside totalsize");
	if (!inside(f, f->strings_off, f->strings_size))
		return fail(f, "strings block outside totalsize");
	return 0;
}

static bool overlap(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
	if (alen == 0 || blen == 0)
		return false;
	return a < b + blen && b < a + alen;
}

static int check_overlaps(struct fdt *f)
{
	uint32_t rlen = (f->nrsv + 1) * RSV_ENTRY;

	if (overlap(f->rsv_off, rlen, f->struct_off, f->struct_size) ||
	    overlap(f->rsv_off, rlen, f->strings_off, f->strings_size) ||
	    overlap(f->struct_off, f->struct_size,
		    f->strings_off, f->strings_size))
		return fail(f, "blocks overlap");
	return 0;
}

/* Walk state of the one-pass structure check. */
struct walk {
	int depth;
	bool root_done;
};

static int check_tag(struct fdt *f, struct walk *w, const struct token *t,
		     int off)
{
	switch (t->tag) {
	case FDT_BEGIN_NODE:
		if (w->root_done)
			return fail(f, "node after the root");
		if (off == 0 && t->name[0])
			return fail(f, "root node has a name");
		if (++w->depth > FDT_MAX_DEPTH)
			return fail(f, "nesting too deep");
		return 0;
	case FDT_END_NODE:
		if (w->depth == 0)
			return fail(f, "unbalanced FDT_END_NODE");
		if (--w->depth == 0)
			w->root_done = true;
		return 0;
	case FDT_PROP:
		return w->depth ? 0 : fail(f, "property outside a node");
	default:	/* FDT_NOP */
		return w->root_done ? fail(f, "token after the root") : 0;
	}
}

static int check_struct(struct fdt *f)
{
	struct walk w = { 0, false };
	struct token t;
	int off = 0;

	for (;;) {
		if (next_token(f, off, &t))
			return fail(f, "bad token or truncated structure block");
		if (off == 0 && t.tag != FDT_BEGIN_NODE)
			return fail(f, "structure block does not start with a node");
		if (t.tag == FDT_END)
			break;
		if (check_tag(f, &w, &t, off))
			return -NH_EBADMSG;
		off = t.next;
	}
	if (!w.root_done || w.depth)
		return fail(f, "FDT_END inside a node");
	if (f->version < 17)
		f->struct_size = (uint32_t)t.next;
	return 0;
}

int fdt_open(struct fdt *f, const void *blob, size_t avail)
{
	*f = (struct fdt){ .blob = blob, .why = "" };
	if (!blob)
		return fail(f, "no blob");
	if (check_header(f, blob, avail) || check_blocks(f) ||
	    check_struct(f) || check_overlaps(f))
		return -NH_EBADMSG;
	f->why = "";
	return 0;
}

int fdt_rsv(const struct fdt *f, unsigned i, uint64_t *base, uint64_t *size)
{
	const uint8_t *e;

	if (i >= f->nrsv)
		return -NH_ENOENT;
	e = f->blob + f->rsv_off + (size_t)i * RSV_ENTRY;
	*base = fdt_be64(e);
	*size = fdt_be64(e + 8);
	return 0;
}

const char *fdt_name(const struct fdt *f, int node)
{
	struct token t;

	if (next_token(f, node, &t) || t.tag != FDT_BEGIN_NODE)
		return "";
	return t.name;
}

int fdt_walk(const struct fdt *f, int node, int *depth)
{
	struct token t;
	int off;

	if (next_token(f, node, &t) || t.tag != FDT_BEGIN_NODE)
		return -NH_ENOENT;
	for (off = t.next;; off = t.next) {
		if (next_token(f, off, &t) || t.tag == FDT_END)
			return -NH_ENOENT;
		if (t.tag == FDT_BEGIN_NODE) {
			++*depth;
			return off;
		}
		if (t.tag == FDT_END_NODE)
			--*depth;
	}
}

int fdt_first_child(const struct fdt *f, int node)
{
	int depth = 0;
	int off = fdt_walk(f, node, &depth);

	return off >= 0 && depth == 1 ? off : -NH_ENOENT;
}

int fdt_next_sibling(const struct fdt *f, int node)
{
	int depth = 0;
	int off = node;

	for (;;) {
		off = fdt_walk(f, off, &depth);
		if (off < 0 || depth < 0)
			return -NH_ENOENT;
		if (depth == 0)
			return off;
	}
}

int fdt_lineage(const struct fdt *f, int node, int *chain, int max)
{
	int depth = 0;
	int off = 0;

	if (max < 1 || node < 0)
		return -NH_ENOENT;
	while (off >= 0) {
		if (depth < 0)
			return -NH_ENOENT;
		if (depth >= max)
			return -NH_ELOOP;
		chain[depth] = off;
		if (off == node)
			return depth + 1;
		off = fdt_walk(f, off, &depth);
	}
	return -NH_ENOENT;
}

int fdt_parent(const struct fdt *f, int node)
{
	int chain[FDT_MAX_DEPTH];
	int n = fdt_lineage(f, node, chain, FDT_MAX_DEPTH);

	if (n < 0)
		return n;
	return n >= 2 ? chain[n - 2] : -NH_ENOENT;
}

static bool has_char(const char *s, size_t len, char c)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == c)
			return true;
	return false;
}

/* @node is NUL-terminated (checked by next_token); @name is not. */
static bool name_matches(const char *node, const char *name, size_t len)
{
	if (strnlen(node, len) < len || memcmp(node, name, len) != 0)
		return false;
	if (node[len] == '\0')
		return true;
	return node[len] == '@' && !has_char(name, len, '@');
}

int fdt_subnode(const struct fdt *f, int node, const char *name, size_t len)
{
	int off;

	for (off = fdt_first_child(f, node); off >= 0;
	     off = fdt_next_sibling(f, off))
		if (name_matches(fdt_name(f, off), name, len))
			return off;
	return -NH_ENOENT;
}

int fdt_path(const struct fdt *f, const char *path, size_t len)
{
	const char *end = path + len;
	int node = 0;

	if (len == 0 || path[0] != '/')
		return -NH_ENOENT;
	while (node >= 0) {
		const char *q;

		while (path < end && *path == '/')
			path++;
		if (path == end)
			return node;
		for (q = path; q < end && *q != '/'; q++)
			;
		node = fdt_subnode(f, node, path, (size_t)(q - path));
		path = q;
	}
	return -NH_ENOENT;
}

const void *fdt_prop_n(const struct fdt *f, int node, const char *name,
		       size_t nlen, uint32_t *len)
{
	struct token t;
	int off;

	if (next_token(f, node, &t) || t.tag != FDT_BEGIN_NODE)
		return NULL;
	for (off = t.next; next_token(f, off, &t) == 0; off = t.next) {
		if (t.tag == FDT_NOP)
			continue;
		if (t.tag != FDT_PROP)
			break;
		if (strnlen(t.name, nlen + 1) == nlen &&
		    memcmp(t.name, name, nlen) == 0) {
			*len = t.len;
			return t.val;
		}
	}
	return NULL;
}

const void *fdt_prop(const struct fdt *f, int node, const char *name,
		     uint32_t *len)
{
	return fdt_prop_n(f, node, name, strlen(name), len);
}

bool fdt_prop_u32(const struct fdt *f, int node, const char *name,
		  uint32_t *out)
{
	uint32_t len;
	const void *v = fdt_prop(f, node, name, &len);

	if (!v || len != 4)
		return false;
	*out = fdt_be32(v);
	return true;
}

bool fdt_prop_u64(const struct fdt *f, int node, const char *name,
		  uint64_t *out)
{
	uint32_t len;
	const void *v = fdt_prop(f, node, name, &len);

	if (!v || (len != 4 && len != 8))
		return false;
	*out = fdt_cells(v, len / 4);
	return true;
}

const char *fdt_prop_str(const struct fdt *f, int node, const char *name)
{
	uint32_t len;
	const char *v = fdt_prop(f, node, name, &len);

	if (!v || strnlen(v, len) == len)
		return NULL;
	return v;
}

bool fdt_strlist_has(const void *v, uint32_t len, const char *s)
{
	const char *p = v;
	size_t slen = strlen(s);

	while (len > 0) {
		size_t n = strnlen(p, len);

		if (n == len)
			return false;
		if (n == slen && memcmp(p, s, n) == 0)
			return true;
		p += n + 1;
		len -= (uint32_t)(n + 1);
	}
	return false;
}

uint32_t fdt_phandle_of(const struct fdt *f, int node)
{
	uint32_t ph;

	if (fdt_prop_u32(f, node, "phandle", &ph) ||
	    fdt_prop_u32(f, node, "linux,phandle", &ph))
		return ph;
	return 0;
}

int fdt_by_phandle(const struct fdt *f, uint32_t phandle)
{
	int depth = 0;
	int off;

	if (phandle == 0 || phandle == 0xffffffffu)
		return -NH_ENOENT;
	for (off = 0; off >= 0; off = fdt_walk(f, off, &depth))
		if (fdt_phandle_of(f, off) == phandle)
			return off;
	return -NH_ENOENT;
}
