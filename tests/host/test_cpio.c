/*
 * Host tests for the initramfs reader (kernel/lib/cpio.c).
 *
 *   test_cpio [DIR...]        fixture directories are accepted and ignored
 *
 * GNU cpio archives a tree this test writes into a temporary directory;
 * every entry must come back with its name, type, size and bytes, and
 * every file must be found under its three spellings.  The first archive
 * is then cut at every length and mutated 2,000 times (seeded): each
 * result must be an error or agree with a walk of the same bytes, and
 * ASan sees any read outside the exact-size copies.  Hand-made archives
 * from the small writer below check each rule in kernel/lib/cpio.h with
 * exact expectations.  Output is KTAP version 1.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ktap.h"
#include "lib/cpio.h"
#include <nuthatch/errno.h>

#define FLIPS		2000
#define MAX_ENT		512
#define NFIELDS		13
#define F_INO		0
#define F_MODE		1
#define F_NLINK		4
#define F_FILESIZE	6
#define F_DEVMINOR	8
#define F_NAMESIZE	11
#define F_CHECK		12

#define EXPECT(cond, ...) do { \
	if (!(cond)) { \
		ktap_diag(__VA_ARGS__); \
		ok = false; \
	} \
} while (0)

/* ---- exact-size copies -------------------------------------------- */

struct arc {
	uint8_t *b;
	size_t len;
};

static struct arc arc_copy(const void *src, size_t len)
{
	struct arc a = { malloc(len ? len : 1), len };

	if (len)
		memcpy(a.b, src, len);
	return a;
}

static void fill(uint8_t *buf, size_t n, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
}

/* ---- walking an archive and a model of the lookup ----------------- */

struct walk {
	struct cpio_file e[MAX_ENT];
	size_t off[MAX_ENT], end[MAX_ENT];
	int n;
	int rc;			/* 0 at the trailer, else the error */
	size_t final;		/* offset after the trailer */
};

static volatile uint8_t sink;	/* every data byte is read into it */

/* Is entry @e (from @off to @end) wholly inside @b[0..len)? */
static bool entry_inside(const uint8_t *b, size_t len, size_t off, size_t end,
			 const struct cpio_file *e)
{
	const uint8_t *name = (const uint8_t *)e->name;
	const uint8_t *data = e->data;

	if (off % 4 || end % 4 || end > len || end - off < 112 ||
	    name != b + off + 110 || e->namelen > end - off - 111 ||
	    name[e->namelen] || memchr(name, 0, e->namelen) ||
	    data < name + e->namelen + 1 || data > b + end ||
	    e->size > (size_t)(b + end - data))
		return false;
	for (size_t i = 0; i < e->size; i++)
		sink = data[i];
	return true;
}

/* Walk @b[0..len) with cpio_next(), checking every entry's bounds. */
static bool walk(const uint8_t *b, size_t len, struct walk *w)
{
	size_t off = 0;
	struct cpio_file e;
	int rc;

	w->n = 0;
	while ((rc = cpio_next(b, len, &off, &e)) == 1) {
		if (w->n == MAX_ENT) {
			ktap_diag("more than %d entries", MAX_ENT);
			return false;
		}
		w->e[w->n] = e;
		w->off[w->n] = w->n ? w->end[w->n - 1] : 0;
		w->end[w->n] = off;
		if (!entry_inside(b, len, w->off[w->n], off, &e)) {
			ktap_diag("entry %d at %zu outside the archive", w->n,
				  w->off[w->n]);
			return false;
		}
		w->n++;
	}
	w->rc = rc;
	w->final = off;
	if (rc != 0 && rc != -NH_EBADMSG) {
		ktap_diag("walk ended with %d", rc);
		return false;
	}
	return true;
}

static const char *model_strip(const char *s, size_t *n)
{
	while (*n && (s[0] == '/' || (*n >= 2 && !strncmp(s, "./", 2)))) {
		size_t k = s[0] == '/' ? 1 : 2;

		s += k;
		*n -= k;
	}
	return s;
}

static bool model_same(const struct cpio_file *e, const char *path)
{
	size_t pn = strlen(path), en = e->namelen;
	const char *p = model_strip(path, &pn), *s = model_strip(e->name, &en);

	return pn && pn == en && !memcmp(p, s, pn);
}

static bool model_reg(const struct cpio_file *e)
{
	return (e->mode & 0170000) == 0100000;
}

/* The lookup as cpio.h states it, over a finished walk. */
static int model_find(const struct walk *w, const char *path,
		      struct cpio_file *out)
{
	int hit = -1;

	if (w->rc < 0)
		return w->rc;
	for (int i = 0; i < w->n; i++)
		if (model_same(&w->e[i], path))
			hit = i;
	if (hit < 0 || !model_reg(&w->e[hit]))
		return -NH_ENOENT;
	*out = w->e[hit];
	if (out->nlink <= 1 || out->size)
		return 0;
	for (int i = hit + 1; i < w->n; i++) {
		const struct cpio_file *c = &w->e[i];

		if (model_reg(c) && c->size && c->ino == out->ino &&
		    c->devmajor == out->devmajor && c->devminor == out->devminor) {
			out->data = c->data;
			out->size = c->size;
			break;
		}
	}
	return 0;
}

static bool same_file(const struct cpio_file *a, const struct cpio_file *b)
{
	return a->name == b->name && a->namelen == b->namelen &&
	       a->data == b->data && a->size == b->size && a->mode == b->mode &&
	       a->ino == b->ino && a->nlink == b->nlink &&
	       a->devmajor == b->devmajor && a->devminor == b->devminor;
}

/* cpio_find(@path) must agree exactly with the model over @w. */
static bool find_agrees(const struct arc *a, const struct walk *w,
			const char *path)
{
	struct cpio_file got, want;
	int rc = cpio_find(a->b, a->len, path, &got);
	int mrc = model_find(w, path, &want);

	if (rc != mrc) {
		ktap_diag("find '%s': %d, model %d", path, rc, mrc);
		return false;
	}
	if (rc == 0 && !same_file(&got, &want)) {
		ktap_diag("find '%s': result differs from the model", path);
		return false;
	}
	return true;
}

/* Walk, check and find every name of @a: all must agree. */
static bool consistent(const struct arc *a, const char *const *paths,
		       size_t npaths, struct walk *w)
{
	int crc;

	if (!walk(a->b, a->len, w))
		return false;
	crc = cpio_check(a->b, a->len);
	if (crc != w->rc) {
		ktap_diag("check %d, walk ended %d", crc, w->rc);
		return false;
	}
	for (size_t i = 0; i < npaths; i++)
		if (!find_agrees(a, w, paths[i]))
			return false;
	for (int i = 0; i < w->n && i < 32; i++) {
		char name[256];

		snprintf(name, sizeof(name), "%.*s", (int)w->e[i].namelen,
			 w->e[i].name);
		if (!find_agrees(a, w, name))
			return false;
	}
	return true;
}

/* ---- the tree GNU cpio archives ----------------------------------- */

enum kind { K_FILE, K_DIR, K_SYMLINK, K_HARD };

struct node {
	const char *path;
	enum kind kind;
	size_t size;		/* K_FILE */
	const char *target;	/* K_SYMLINK: contents; K_HARD: the file */
};

static const struct node tree[] = {
	{ "a", K_FILE, 0, NULL },
	{ "bb", K_FILE, 1, NULL },
	{ "ccc", K_FILE, 2, NULL },
	{ "dddd", K_FILE, 3, NULL },
	{ "eeeee", K_FILE, 4, NULL },
	{ "ffffff", K_FILE, 5, NULL },
	{ "ggggggg", K_FILE, 6, NULL },
	{ "hhhhhhhh", K_FILE, 7, NULL },
	{ "bin", K_DIR, 0, NULL },
	{ "bin/init", K_FILE, 4097, NULL },
	{ "bin/sh", K_FILE, 333, NULL },
	{ "bin/link", K_SYMLINK, 0, "init" },
	{ "etc", K_DIR, 0, NULL },
	{ "etc/hard", K_HARD, 0, "bin/sh" },
	{ "etc/motd", K_FILE, 511, NULL },
	{ "etc/passwd", K_FILE, 512, NULL },
	{ "etc/x", K_DIR, 0, NULL },
	{ "etc/x/y", K_DIR, 0, NULL },
	{ "etc/x/y/deep", K_FILE, 100, NULL },
	{ "empty", K_DIR, 0, NULL },
	{ "TRAILER!!", K_FILE, 9, NULL },
};
#define NTREE	(sizeof(tree) / sizeof(tree[0]))

static char tmpdir[64];
static struct arc gnu[2];	/* all of the tree; regular files only */

static int node_of(const char *path)
{
	for (size_t i = 0; i < NTREE; i++)
		if (!strcmp(tree[i].path, path))
			return (int)i;
	return -1;
}

/* A regular file's contents (a hard link's are its target's). */
static size_t content_of(int i, uint8_t *buf)
{
	if (tree[i].kind == K_HARD)
		i = node_of(tree[i].target);
	fill(buf, tree[i].size, (uint32_t)i + 1);
	return tree[i].size;
}

static bool make_node(const char *root, int i)
{
	static uint8_t buf[8192];
	char path[256], target[256];
	size_t n;
	FILE *fp;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", root, tree[i].path);
	switch (tree[i].kind) {
	case K_DIR:
		return mkdir(path, 0755) == 0;
	case K_SYMLINK:
		return symlink(tree[i].target, path) == 0;
	case K_HARD:
		snprintf(target, sizeof(target), "%s/%s", root, tree[i].target);
		return link(target, path) == 0;
	case K_FILE:
		break;
	}
	n = content_of(i, buf);
	fp = fopen(path, "wb");
	if (!fp)
		return false;
	ok = fwrite(buf, 1, n, fp) == n;
	return fclose(fp) == 0 && ok;
}

static bool slurp(const char *path, struct arc *a)
{
	FILE *fp = fopen(path, "rb");
	long n;

	if (!fp)
		return false;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	a->b = malloc(n > 0 ? (size_t)n : 1);
	a->len = n > 0 ? (size_t)n : 0;
	if (n <= 0 || fread(a->b, 1, a->len, fp) != a->len)
		a->len = 0;
	fclose(fp);
	return a->len > 0;
}

/* Write the tree under a fresh temporary directory, archive it twice. */
static bool make_archives(void)
{
	static const char *const lists[2] = {
		"find . | LC_ALL=C sort",
		"find . -type f | LC_ALL=C sort -r",
	};
	char root[128], cmd[512], path[128];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_cpio.XXXXXX");
	if (!mkdtemp(tmpdir))
		return false;
	snprintf(root, sizeof(root), "%s/root", tmpdir);
	if (mkdir(root, 0755))
		return false;
	for (size_t i = 0; i < NTREE; i++)
		if (!make_node(root, (int)i)) {
			ktap_diag("cannot create %s", tree[i].path);
			return false;
		}
	for (int k = 0; k < 2; k++) {
		snprintf(path, sizeof(path), "%s/%d.cpio", tmpdir, k);
		snprintf(cmd, sizeof(cmd), "cd %s && %s | cpio -o -H newc "
			 "--quiet > %s", root, lists[k], path);
		if (system(cmd) != 0 || !slurp(path, &gnu[k])) {
			ktap_diag("'%s' failed", cmd);
			return false;
		}
	}
	return true;
}

static void remove_tmpdir(void)
{
	char cmd[128];

	if (!tmpdir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		ktap_diag("could not remove %s", tmpdir);
}

/* ---- GNU cpio archives -------------------------------------------- */

static unsigned kind_mode(enum kind k)
{
	switch (k) {
	case K_DIR: return CPIO_S_IFDIR;
	case K_SYMLINK: return CPIO_S_IFLNK;
	default: return CPIO_S_IFREG;
	}
}

/* Entry @e is tree node @i: type, size and bytes (0 for an early link). */
static bool entry_is_node(const struct cpio_file *e, int i)
{
	static uint8_t buf[8192];
	const struct node *nd = &tree[i];
	size_t n = 0;

	if ((e->mode & CPIO_S_IFMT) != kind_mode(nd->kind))
		return false;
	if (nd->kind == K_SYMLINK)
		return e->size == strlen(nd->target) &&
		       !memcmp(e->data, nd->target, e->size);
	if (nd->kind != K_DIR)
		n = content_of(i, buf);
	if (e->nlink > 1 && e->size == 0)
		return true;
	return e->size == n && !memcmp(e->data, buf, n);
}

/* Every entry is a node of the tree, seen once; returns entries seen. */
static bool entries_match(const struct walk *w, bool all, int *seen_hard)
{
	bool seen[NTREE] = { false }, ok = true;
	char name[256];
	int i, want = 0;

	for (int k = 0; k < w->n; k++) {
		snprintf(name, sizeof(name), "%s", w->e[k].name);
		if (!strcmp(name, ".") && all)
			continue;
		i = node_of(name);
		EXPECT(i >= 0 && !seen[i] && entry_is_node(&w->e[k], i),
		       "entry '%s' (mode 0%o size %zu) unexpected", name,
		       w->e[k].mode, w->e[k].size);
		if (i >= 0)
			seen[i] = true;
		if (i >= 0 && tree[i].kind == K_HARD)
			*seen_hard = k;
	}
	for (size_t k = 0; k < NTREE; k++)
		want += all || tree[k].kind == K_FILE || tree[k].kind == K_HARD;
	EXPECT(w->n == want + all, "%d entries, want %d", w->n, want + all);
	return ok;
}

/* Every node by "x", "/x" and "./x": files with their bytes, others not. */
static bool finds_match(const struct arc *a)
{
	static const char *const pre[] = { "", "/", "./" };
	char path[256];
	struct cpio_file f;
	bool ok = true;

	for (size_t i = 0; i < NTREE; i++)
		for (int p = 0; p < 3; p++) {
			bool reg = kind_mode(tree[i].kind) == CPIO_S_IFREG;
			int rc;

			snprintf(path, sizeof(path), "%s%s", pre[p], tree[i].path);
			rc = cpio_find(a->b, a->len, path, &f);
			EXPECT(rc == (reg ? 0 : -NH_ENOENT), "find '%s': %d",
			       path, rc);
			if (rc == 0)
				EXPECT(f.nlink > 1 ? f.size > 0 : true,
				       "'%s': hard link without data", path);
			if (rc == 0)
				EXPECT(entry_is_node(&f, (int)i), "'%s' differs",
				       path);
		}
	return ok;
}

static bool test_gnu(int k)
{
	static struct walk w;
	int hard = -1, sh = -1;
	bool ok = true;

	if (!gnu[k].len)
		return false;
	EXPECT(walk(gnu[k].b, gnu[k].len, &w) && w.rc == 0, "walk failed");
	if (!ok)
		return false;
	ok = entries_match(&w, k == 0, &hard) && finds_match(&gnu[k]);
	for (int i = 0; i < w.n; i++)
		if (!strcmp(w.e[i].name, "bin/sh"))
			sh = i;
	/* GNU cpio puts a link group's data on its last entry. */
	EXPECT(hard >= 0 && sh >= 0 && w.e[hard > sh ? hard : sh].size == 333 &&
	       w.e[hard > sh ? sh : hard].size == 0, "hard links: %d %d", hard, sh);
	EXPECT(cpio_check(gnu[k].b, gnu[k].len) == 0, "check fails");
	EXPECT(cpio_find(gnu[k].b, gnu[k].len, "missing", &w.e[0]) == -NH_ENOENT,
	       "missing file found");
	ktap_diag("GNU archive %d: %zu bytes, %d entries, trailer ends at %zu",
		  k, gnu[k].len, w.n, w.final);
	return ok;
}

/* Cut at every length: exactly the entries that fit, then an error. */
static bool test_truncate(void)
{
	static struct walk full, w;
	bool ok = walk(gnu[0].b, gnu[0].len, &full) && full.rc == 0;

	for (size_t n = 0; ok && n <= gnu[0].len; n++) {
		struct arc a = arc_copy(gnu[0].b, n);
		int fits = 0, want = n >= full.final ? 0 : -NH_EBADMSG, frc;
		struct cpio_file f;

		while (fits < full.n && full.end[fits] <= n)
			fits++;
		ok = walk(a.b, n, &w);
		EXPECT(w.n == fits && w.rc == want, "cut at %zu: %d entries "
		       "then %d, want %d then %d", n, w.n, w.rc, fits, want);
		for (int i = 0; ok && i < w.n; i++)
			EXPECT(w.end[i] == full.end[i] &&
			       w.e[i].namelen == full.e[i].namelen,
			       "cut at %zu: entry %d differs", n, i);
		EXPECT(cpio_check(a.b, n) == want, "cut at %zu: check", n);
		frc = cpio_find(a.b, n, "/bin/init", &f);
		EXPECT(frc == want, "cut at %zu: find %d", n, frc);
		if (frc == 0)
			EXPECT(f.size == 4097 && entry_is_node(&f,
			       node_of("bin/init")), "cut at %zu: bytes", n);
		free(a.b);
	}
	ktap_diag("%zu truncations, the trailer ends at %zu", gnu[0].len + 1,
		  full.final);
	return ok;
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Mutate @m: any byte, a header byte, or a header digit to another digit. */
static void mutate(uint8_t *m, size_t len, const struct walk *full,
		   uint64_t *s, int mode)
{
	static const char hex[] = "0123456789abcdefABCDEF";
	size_t hdr = full->off[rng_next(s) % (uint64_t)full->n];

	if (mode == 0)
		m[rng_next(s) % len] ^= (uint8_t)(1 + rng_next(s) % 255);
	else if (mode == 1)
		m[hdr + rng_next(s) % 110] ^= (uint8_t)(1 + rng_next(s) % 255);
	else
		m[hdr + 6 + rng_next(s) % 104] = (uint8_t)hex[rng_next(s) % 22];
}

static bool test_flips(void)
{
	static struct walk full, w;
	const char *paths[NTREE];
	unsigned rejected = 0, accepted = 0;
	uint64_t s = 0x6e7574686174636bull;
	uint8_t *m = malloc(gnu[0].len);
	bool ok = walk(gnu[0].b, gnu[0].len, &full) && full.rc == 0;

	for (size_t i = 0; i < NTREE; i++)
		paths[i] = tree[i].path;
	for (int i = 0; ok && i < FLIPS; i++) {
		int nflip = 1 + (int)(rng_next(&s) % 4);
		struct arc a = { m, gnu[0].len };

		memcpy(m, gnu[0].b, gnu[0].len);
		for (int k = 0; k < nflip; k++)
			mutate(m, gnu[0].len, &full, &s, i % 3);
		ok = consistent(&a, paths, NTREE, &w);
		if (!ok)
			ktap_diag("mutation #%d", i);
		if (w.rc == 0)
			accepted++;
		else
			rejected++;
	}
	free(m);
	ktap_diag("%d mutations: %u rejected, %u accepted and consistent",
		  FLIPS, rejected, accepted);
	return ok;
}

/* ---- a tiny newc writer for hand-made archives -------------------- */

struct w {
	uint8_t b[16384];
	size_t len;
};

struct ent {
	const char *name;	/* NULL: take namesize bytes from rawname */
	uint32_t mode;
	const void *data;
	uint32_t size;
	uint32_t ino, nlink, devminor;
};

static void w_hex(uint8_t *p, uint32_t v)
{
	static const char digits[] = "0123456789ABCDEF";

	for (int i = 7; i >= 0; i--, v >>= 4)
		p[i] = (uint8_t)digits[v & 15];
}

static void w_pad(struct w *w)
{
	while (w->len & 3)
		w->b[w->len++] = 0;
}

/* Append a header with fields @f, then @namesize name bytes, padded. */
static size_t w_raw(struct w *w, const uint32_t f[NFIELDS], const void *name,
		    size_t namesize)
{
	size_t at = w->len;

	memcpy(w->b + at, "070701", 6);
	for (int i = 0; i < NFIELDS; i++)
		w_hex(w->b + at + 6 + 8 * i, f[i]);
	memcpy(w->b + at + 110, name, namesize);
	w->len = at + 110 + namesize;
	w_pad(w);
	return at;
}

/* Append entry @e with its data; returns the header's offset. */
static size_t w_entry(struct w *w, const struct ent *e)
{
	uint32_t f[NFIELDS] = { 0 };
	size_t namesize = strlen(e->name) + 1, at;

	f[F_INO] = e->ino;
	f[F_MODE] = e->mode ? e->mode : CPIO_S_IFREG | 0644;
	f[F_NLINK] = e->nlink ? e->nlink : 1;
	f[F_FILESIZE] = e->size;
	f[F_DEVMINOR] = e->devminor;
	f[F_NAMESIZE] = (uint32_t)namesize;
	at = w_raw(w, f, e->name, namesize);
	if (e->size)
		memcpy(w->b + w->len, e->data, e->size);
	w->len += e->size;
	w_pad(w);
	return at;
}

static size_t w_file(struct w *w, const char *name, const char *text)
{
	struct ent e = { name, 0, text, (uint32_t)strlen(text), 0, 0, 0 };

	return w_entry(w, &e);
}

static size_t w_node(struct w *w, const char *name, uint32_t mode)
{
	struct ent e = { name, mode, NULL, 0, 0, 0, 0 };

	return w_entry(w, &e);
}

static size_t w_trailer(struct w *w)
{
	return w_node(w, CPIO_TRAILER, 0);
}

/* Overwrite field @i of the header at @at. */
static void w_field(struct w *w, size_t at, int i, uint32_t v)
{
	w_hex(w->b + at + 6 + 8 * i, v);
}

static struct arc arc_of(const struct w *w)
{
	return arc_copy(w->b, w->len);
}

/*
 * On an exact copy of @w->b[0..len): cpio_check() and a lookup of @path
 * both give @want, and cpio_next() at 0 gives @want or an entry.
 */
static bool outcome(const struct w *w, size_t len, const char *path, int want)
{
	struct arc a = arc_copy(w->b, len);
	struct cpio_file f;
	size_t off = 0;
	int rc = cpio_check(a.b, len), frc = cpio_find(a.b, len, path, &f);
	int nrc = cpio_next(a.b, len, &off, &f);
	bool ok = true;

	EXPECT(rc == want && frc == want && (nrc == want || nrc == 1),
	       "len %zu: check %d, find %d, next %d, want %d", len, rc, frc,
	       nrc, want);
	free(a.b);
	return ok;
}

/* Look up @path: want @rc and, on success, @text at the entry at @at. */
static bool finds(const struct arc *a, const char *path, int rc, size_t at,
		  const char *text)
{
	struct cpio_file f;
	int got = cpio_find(a->b, a->len, path, &f);
	bool ok = true;

	EXPECT(got == rc, "find '%s': %d, want %d", path, got, rc);
	if (ok && rc == 0)
		EXPECT(f.name == (const char *)a->b + at + 110 &&
		       f.size == strlen(text) && !memcmp(f.data, text, f.size),
		       "find '%s': wrong entry (%s, %zu bytes)", path, f.name,
		       f.size);
	return ok;
}

/* ---- hand-made archives: one rule each ---------------------------- */

static bool t_empty(void)
{
	struct cpio_file f = { .name = "sentinel" };
	size_t off = 0;
	bool ok = true;

	EXPECT(cpio_next(NULL, 0, &off, &f) == -NH_EBADMSG && off == 0 &&
	       !strcmp(f.name, "sentinel"), "next on nothing");
	EXPECT(cpio_check(NULL, 0) == -NH_EBADMSG, "check on nothing");
	EXPECT(cpio_find(NULL, 0, "x", &f) == -NH_EBADMSG, "find on nothing");
	return ok;
}

static bool t_trailer_only(void)
{
	static struct w w;
	struct cpio_file f = { .name = "sentinel" };
	struct arc a;
	size_t off = 0;
	bool ok = true;

	w.len = 0;
	w_trailer(&w);
	a = arc_of(&w);
	EXPECT(a.len == 124, "trailer is %zu bytes", a.len);
	EXPECT(cpio_next(a.b, a.len, &off, &f) == 0 && off == 124 &&
	       !strcmp(f.name, "sentinel"), "next: offset %zu", off);
	EXPECT(cpio_check(a.b, a.len) == 0, "check");
	ok &= finds(&a, "TRAILER!!!", -NH_ENOENT, 0, "");
	ok &= finds(&a, "x", -NH_ENOENT, 0, "");
	free(a.b);
	return ok;
}

/* Every decoded field, in both cases of hex, and the exact layout. */
static bool t_fields(void)
{
	static struct w w;
	static const uint32_t f[NFIELDS] = { 0x89abcdef, 0100755, 1, 2, 3,
		4, 5, 0x12345678, 0x9abcdef0, 7, 8, 5, 0xffffffff };
	struct cpio_file e;
	struct arc a;
	size_t off = 0;
	bool ok = true;

	w.len = 0;
	w_raw(&w, f, "init", 5);
	memcpy(w.b + w.len, "hello\0\0\0", 8);
	w.len += 8;
	for (int i = 6; i < 110; i++)
		if (w.b[i] >= 'A' && i % 3)
			w.b[i] = (uint8_t)(w.b[i] + 'a' - 'A');
	w_trailer(&w);
	a = arc_of(&w);
	EXPECT(cpio_next(a.b, a.len, &off, &e) == 1 && off == 124,
	       "next: offset %zu", off);
	EXPECT(e.name == (char *)a.b + 110 && e.namelen == 4 &&
	       e.data == a.b + 116 && e.size == 5 && e.mode == 0100755 &&
	       e.ino == 0x89abcdef && e.nlink == 3 && e.devmajor == 0x12345678 &&
	       e.devminor == 0x9abcdef0, "fields decoded wrongly");
	EXPECT(cpio_next(a.b, a.len, &off, &e) == 0 && off == 248, "trailer");
	ok &= finds(&a, "init", 0, 0, "hello");
	free(a.b);
	return ok;
}

/* Names of 1..9 bytes with 0..5 data bytes: padding to 4 both times. */
static bool t_padding(void)
{
	static struct w w;
	static const char data[] = "abcde";
	size_t at[9][6], off = 0;
	struct cpio_file e;
	struct arc a;
	bool ok = true;

	w.len = 0;
	for (int n = 1; n <= 9; n++)
		for (int s = 0; s <= 5; s++) {
			char name[16];
			struct ent en = { name, 0, data, (uint32_t)s, 0, 0, 0 };

			snprintf(name, sizeof(name), "%.*s%d", n - 1, "nnnnnnnn", s);
			at[n - 1][s] = w_entry(&w, &en);
			memset(w.b + w.len - ((4 - s % 4) % 4), 0xff, (4 - s % 4) % 4);
		}
	w_trailer(&w);
	a = arc_of(&w);
	for (int n = 1; n <= 9; n++)
		for (int s = 0; s <= 5; s++) {
			size_t h = at[n - 1][s], d = (h + 110 + n + 1 + 3) & ~(size_t)3;

			EXPECT(off == h && cpio_next(a.b, a.len, &off, &e) == 1 &&
			       e.namelen == (size_t)n && e.data == a.b + d &&
			       e.size == (size_t)s && !memcmp(e.data, data, s) &&
			       off == ((d + s + 3) & ~(size_t)3),
			       "name %d data %d: header at %zu", n, s, h);
		}
	EXPECT(cpio_check(a.b, a.len) == 0, "check");
	free(a.b);
	return ok;
}

static bool t_bad_magic(void)
{
	static const char *const bad[] = { "070702", "070707", "070700",
		"170701", "07070 ", "\0\0\0\0\0\0" };
	static struct w w;
	bool ok = true;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		w.len = 0;
		w_file(&w, "a", "x");
		w_trailer(&w);
		memcpy(w.b, bad[i], 6);
		ok &= outcome(&w, w.len, "a", -NH_EBADMSG);
		memcpy(w.b, "070701", 6);
		memcpy(w.b + 116, bad[i], 6);
		EXPECT(cpio_check(w.b, w.len) == -NH_EBADMSG, "bad trailer magic");
	}
	return ok;
}

/* A non-digit at either end of each field, the check field included. */
static bool t_non_hex(void)
{
	static const char bad[] = "gG x-+\xff";
	static struct w w;
	bool ok = true;

	w.len = 0;
	w_file(&w, "a", "x");
	w_trailer(&w);
	for (int fld = 0; fld < NFIELDS; fld++)
		for (int end = 0; end < 2; end++)
			for (size_t c = 0; c < sizeof(bad); c++) {
				size_t pos = 6 + 8 * fld + 7 * end;
				uint8_t save = w.b[pos];

				w.b[pos] = (uint8_t)bad[c];
				ok &= outcome(&w, w.len, "a", -NH_EBADMSG);
				w.b[pos] = save;
			}
	EXPECT(outcome(&w, w.len, "a", 0), "unpatched archive rejected");
	return ok;
}

static bool t_namesize_zero(void)
{
	static struct w w;

	w.len = 0;
	w_field(&w, w_file(&w, "a", "x"), F_NAMESIZE, 0);
	w_trailer(&w);
	return outcome(&w, w.len, "a", -NH_EBADMSG);
}

/* The byte at namesize - 1 must be the only NUL of the name. */
static bool t_name_nul(void)
{
	static struct w w;
	static const uint32_t f[NFIELDS] = { [F_MODE] = 0100644, [F_NLINK] = 1,
					     [F_NAMESIZE] = 6 };
	bool ok = true;

	w.len = 0;
	w_field(&w, w_file(&w, "abc", ""), F_NAMESIZE, 3);
	w_trailer(&w);
	ok &= outcome(&w, w.len, "abc", -NH_EBADMSG);
	w.len = 0;
	w_raw(&w, f, "abcdef", 6);
	w_trailer(&w);
	ok &= outcome(&w, w.len, "abcdef", -NH_EBADMSG);
	w.len = 0;
	w_raw(&w, f, "ab\0cd", 6);
	w_trailer(&w);
	ok &= outcome(&w, w.len, "ab", -NH_EBADMSG);
	w.len = 0;
	w_raw(&w, f, "abcde", 6);
	w_trailer(&w);
	ok &= outcome(&w, w.len, "abcde", 0);
	return ok;
}

/* Names running past the end, and a name with no room for its padding. */
static bool t_name_past_end(void)
{
	static const uint32_t sizes[] = { 0xffffffff, 0x80000000, 15, 14 };
	static struct w w;
	bool ok = true;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		w.len = 0;
		w_field(&w, w_trailer(&w), F_NAMESIZE, sizes[i]);
		ok &= outcome(&w, w.len, "x", -NH_EBADMSG);
	}
	w.len = 0;
	w_trailer(&w);
	for (size_t n = 0; n < 124; n++)
		ok &= outcome(&w, n, "x", -NH_EBADMSG);
	EXPECT(cpio_check(w.b, 124) == 0, "whole trailer rejected");
	return ok;
}

static bool t_filesize(void)
{
	static const uint32_t sizes[] = { 0xffffffff, 0xfffffffc, 0x80000000,
					  0x10000 };
	static struct w w;
	struct cpio_file e;
	size_t at, off;
	bool ok = true;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		w.len = 0;
		w_field(&w, w_file(&w, "a", "data"), F_FILESIZE, sizes[i]);
		w_trailer(&w);
		ok &= outcome(&w, w.len, "a", -NH_EBADMSG);
	}
	/* The last entry's data: one byte too many, then no padding room. */
	w.len = 0;
	at = w_file(&w, "a", "dat");
	w_field(&w, at, F_FILESIZE, 5);
	ok &= outcome(&w, w.len, "a", -NH_EBADMSG);
	w_field(&w, at, F_FILESIZE, 3);
	ok &= outcome(&w, w.len - 1, "a", -NH_EBADMSG);
	off = 0;
	EXPECT(cpio_next(w.b, w.len - 1, &off, &e) == -NH_EBADMSG && off == 0,
	       "data padding past the end accepted");
	ok &= outcome(&w, w.len, "a", -NH_EBADMSG);	/* no trailer */
	return ok;
}

static bool t_missing_trailer(void)
{
	static struct w w;
	struct cpio_file e;
	size_t off = 0, end;
	bool ok = true;

	w.len = 0;
	w_file(&w, "a", "one");
	w_file(&w, "b", "two");
	end = w.len;
	ok &= outcome(&w, end, "a", -NH_EBADMSG);
	EXPECT(cpio_next(w.b, end, &off, &e) == 1 &&
	       cpio_next(w.b, end, &off, &e) == 1 && off == end &&
	       cpio_next(w.b, end, &off, &e) == -NH_EBADMSG && off == end,
	       "walk without trailer");
	memset(w.b + end, 0, 512);
	w.len = end + 512;
	ok &= outcome(&w, w.len, "b", -NH_EBADMSG);
	return ok;
}

/* The first "TRAILER!!!" ends the archive; its look-alikes do not. */
static bool t_trailer(void)
{
	static const char *const like[] = { "TRAILER!!", "TRAILER!!!!",
		"trailer!!!", "/TRAILER!!!", "TRAILER!!!\n" };
	static struct w w;
	size_t at[5], off = 0, stop, junk;
	struct cpio_file e;
	struct arc a;
	bool ok = true;

	w.len = 0;
	for (int i = 0; i < 5; i++)
		at[i] = w_file(&w, like[i], like[i]);
	w_trailer(&w);
	stop = w.len;
	w_file(&w, "after", "lost");
	junk = w_node(&w, "junk", 0);
	memcpy(w.b + junk, "junk!!", 6);
	a = arc_of(&w);
	for (int i = 0; i < 5; i++)
		EXPECT(cpio_next(a.b, a.len, &off, &e) == 1 && e.name ==
		       (char *)a.b + at[i] + 110, "'%s' is not an entry", like[i]);
	EXPECT(cpio_next(a.b, a.len, &off, &e) == 0 && off == stop, "trailer");
	EXPECT(cpio_check(a.b, a.len) == 0, "data after the trailer read");
	ok &= finds(&a, "TRAILER!!", 0, at[0], like[0]);
	ok &= finds(&a, "TRAILER!!!", 0, at[3], like[3]);
	ok &= finds(&a, "after", -NH_ENOENT, 0, "");
	free(a.b);
	return ok;
}

/* Leading "/" and "./" runs are dropped on both sides, nothing else. */
static bool t_normalise(void)
{
	static const char *const names[] = { "/bin/a", "bin/b", "./bin/c",
		"././d", "//e", "/./f", ".//g", "./.h" };
	static const char *const base[] = { "bin/a", "bin/b", "bin/c", "d",
		"e", "f", "g", ".h" };
	static const char *const pre[] = { "", "/", "./", "//", "/./", "././",
		".//" };
	static const char *const miss[] = { "bin//a", "bin/./a", "bin/a/",
		"bin/", "bin", "", "/", ".", "./", "//", "../bin/a", "BIN/a",
		"bin/ab", "bin/", "h", "/.h/", "bin/a/." };
	static struct w w;
	size_t at[8];
	char path[64];
	struct arc a;
	bool ok = true;

	w.len = 0;
	w_node(&w, ".", CPIO_S_IFDIR | 0755);
	w_node(&w, "", CPIO_S_IFREG | 0644);
	for (int i = 0; i < 8; i++)
		at[i] = w_file(&w, names[i], base[i]);
	w_trailer(&w);
	a = arc_of(&w);
	for (int i = 0; i < 8; i++)
		for (size_t p = 0; p < sizeof(pre) / sizeof(pre[0]); p++) {
			snprintf(path, sizeof(path), "%s%s", pre[p], base[i]);
			ok &= finds(&a, path, 0, at[i], base[i]);
		}
	for (size_t i = 0; i < sizeof(miss) / sizeof(miss[0]); i++)
		ok &= finds(&a, miss[i], -NH_ENOENT, 0, "");
	free(a.b);
	return ok;
}

/* Only regular files match; permissions do not matter. */
static bool t_types(void)
{
	static const uint32_t other[] = { CPIO_S_IFDIR | 0755,
		CPIO_S_IFLNK | 0777, 0020600, 0060600, 0010644, 0140755, 0644,
		0170644 };
	static struct w w;
	size_t n = sizeof(other) / sizeof(other[0]), file, noperm;
	char name[32];
	struct arc a;
	bool ok = true;

	w.len = 0;
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "bin/x%zu", i);
		w_node(&w, name, other[i]);
	}
	w_node(&w, "bin/x", CPIO_S_IFDIR | 0755);
	file = w_file(&w, "bin/x/y", "y");
	noperm = w_node(&w, "noperm", CPIO_S_IFREG);
	w_trailer(&w);
	a = arc_of(&w);
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "/bin/x%zu", i);
		ok &= finds(&a, name, -NH_ENOENT, 0, "");
	}
	ok &= finds(&a, "bin/x", -NH_ENOENT, 0, "");
	ok &= finds(&a, "bin/x/y", 0, file, "y");
	ok &= finds(&a, "noperm", 0, noperm, "");
	free(a.b);
	return ok;
}

/* Duplicates are accepted and the last entry of a name wins. */
static bool t_duplicates(void)
{
	static struct w w;
	size_t two, c, d;
	struct arc a;
	bool ok = true;

	w.len = 0;
	w_file(&w, "etc/a", "one");
	two = w_file(&w, "./etc/a", "two!");
	w_file(&w, "etc/b", "file");
	w_node(&w, "/etc/b", CPIO_S_IFDIR | 0755);
	w_node(&w, "etc/c", CPIO_S_IFDIR | 0755);
	c = w_file(&w, "etc/c", "now a file");
	w_file(&w, "etc/d", "1");
	w_node(&w, "etc/d", CPIO_S_IFDIR | 0755);
	d = w_file(&w, "etc/d", "3");
	w_trailer(&w);
	a = arc_of(&w);
	EXPECT(cpio_check(a.b, a.len) == 0, "duplicates rejected");
	ok &= finds(&a, "etc/a", 0, two, "two!");
	ok &= finds(&a, "etc/b", -NH_ENOENT, 0, "");
	ok &= finds(&a, "etc/c", 0, c, "now a file");
	ok &= finds(&a, "etc/d", 0, d, "3");
	free(a.b);
	return ok;
}

/* The index finds what the walk finds, for every name the duplicates
 * test writes and for names that are not there. */
static bool t_index_agrees(void)
{
	static struct w w;
	static const char *const names[] = {
		"etc/a", "./etc/a", "/etc/a", "etc/b", "etc/c", "etc/d", "etc",
		"etc/e", "", "/", "etc/a/", "etc/aa",
	};
	struct cpio_slot slots[64];
	struct cpio_index x;
	struct arc a;
	bool ok = true;

	w.len = 0;
	w_file(&w, "etc/a", "one");
	w_file(&w, "./etc/a", "two!");
	w_file(&w, "etc/b", "file");
	w_node(&w, "/etc/b", CPIO_S_IFDIR | 0755);
	w_node(&w, "etc", CPIO_S_IFDIR | 0755);
	w_file(&w, "etc/c", "now a file");
	w_trailer(&w);
	a = arc_of(&w);
	EXPECT(cpio_index_build(&x, a.b, a.len, slots, 64) == 1 && x.built, "not built");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct cpio_file f = { 0 }, g = { 0 };
		int r = cpio_find(a.b, a.len, names[i], &f), q = cpio_index_find(&x, names[i], &g);

		EXPECT(r == q && (r || (f.data == g.data && f.size == g.size && f.mode == g.mode)),
		       "%s: walk %d, index %d", names[i], r, q);
	}
	free(a.b);
	return ok;
}

/* No index (lookups walk) for a hard link, more names than half the
 * slots, or slots that are not a power of two; the walk still answers. */
static bool t_index_falls_back(void)
{
	static struct w w;
	static const struct ent link[] = { { "x", 0, NULL, 0, 7, 2, 0 }, { "y", 0, "hi", 2, 7, 2, 0 } };
	struct cpio_slot slots[8];
	struct cpio_index x;
	struct cpio_file f;
	char name[8];
	struct arc a;
	bool ok = true;

	w.len = 0;
	w_entry(&w, &link[0]);
	w_entry(&w, &link[1]);
	w_trailer(&w);
	a = arc_of(&w);
	EXPECT(cpio_index_build(&x, a.b, a.len, slots, 8) == 0, "a hard link indexed");
	EXPECT(cpio_index_find(&x, "x", &f) == 0 && f.size == 2, "x by the walk");
	free(a.b);
	w.len = 0;
	for (int i = 0; i < 5; i++) {	/* 5 names, 8 slots: more than half */
		snprintf(name, sizeof(name), "f%d", i);
		w_file(&w, name, "z");
	}
	w_trailer(&w);
	a = arc_of(&w);
	EXPECT(cpio_index_build(&x, a.b, a.len, slots, 8) == 0, "overfull indexed");
	EXPECT(slots[0].name == 0 && slots[7].name == 0, "slots left behind");
	EXPECT(cpio_index_find(&x, "f4", &f) == 0 && f.size == 1, "f4 by the walk");
	EXPECT(cpio_index_build(&x, a.b, a.len, slots, 6) == 0, "6 slots indexed");
	free(a.b);
	return ok;
}

/* A link group's data is on a later entry with the same ino and dev. */
static bool t_hardlinks(void)
{
	static struct w w;
	static const struct ent e[] = {
		{ "u", 0, "early", 5, 10, 2, 0 },
		{ "x", 0, NULL, 0, 7, 2, 0 },	/* data on y */
		{ "p", 0, NULL, 0, 8, 2, 0 },	/* q: other device */
		{ "r", 0, NULL, 0, 9, 1, 0 },	/* nlink 1: really empty */
		{ "t", 0, NULL, 0, 10, 2, 0 },	/* u comes before it */
		{ "v", 0, NULL, 0, 11, 3, 0 },	/* the first later carrier */
		{ "dir", CPIO_S_IFDIR | 0755, "dd", 2, 7, 2, 0 },
		{ "y", 0, "hello", 5, 7, 2, 0 },
		{ "q", 0, "other", 5, 8, 2, 1 },
		{ "s", 0, "lost", 4, 9, 1, 0 },
		{ "v2", 0, "first", 5, 11, 3, 0 },
		{ "v3", 0, "second", 6, 11, 3, 0 },
	};
	struct cpio_file f;
	size_t at[12];
	struct arc a;
	bool ok = true;

	w.len = 0;
	for (int i = 0; i < 12; i++)
		at[i] = w_entry(&w, &e[i]);
	w_trailer(&w);
	a = arc_of(&w);
	EXPECT(cpio_find(a.b, a.len, "x", &f) == 0 &&
	       f.name == (char *)a.b + at[1] + 110 && f.size == 5 &&
	       f.data == a.b + at[7] + 112, "x: not y's data");
	EXPECT(cpio_find(a.b, a.len, "v", &f) == 0 && f.size == 5 &&
	       f.data == a.b + at[10] + 116, "v: not v2's data");
	ok &= finds(&a, "y", 0, at[7], "hello");
	ok &= finds(&a, "p", 0, at[2], "");
	ok &= finds(&a, "r", 0, at[3], "");
	ok &= finds(&a, "t", 0, at[4], "");
	ok &= finds(&a, "dir", -NH_ENOENT, 0, "");
	free(a.b);
	return ok;
}

/* A lookup reads to the trailer: damage anywhere fails it. */
static bool t_damage_after(void)
{
	static struct w w;
	size_t bad;
	bool ok = true;

	w.len = 0;
	w_file(&w, "a", "first");
	bad = w_file(&w, "b", "second");
	w_file(&w, "c", "third");
	w_trailer(&w);
	w.b[bad] = 'X';
	ok &= outcome(&w, w.len, "a", -NH_EBADMSG);
	ok &= outcome(&w, w.len, "c", -NH_EBADMSG);
	w.b[bad] = '0';
	ok &= outcome(&w, w.len, "c", 0);
	return ok;
}

/* Bad offsets fail before any read; errors change nothing. */
static bool t_offsets(void)
{
	static struct w w;
	struct cpio_file e = { .name = "sentinel" };
	size_t off;
	bool ok = true;

	w.len = 0;
	w_file(&w, "a", "x");
	w_trailer(&w);
	off = 2;
	EXPECT(cpio_next(w.b, w.len, &off, &e) == -NH_EINVAL && off == 2,
	       "misaligned offset");
	off = w.len;
	EXPECT(cpio_next(w.b, w.len, &off, &e) == -NH_EBADMSG && off == w.len,
	       "offset at the end");
	off = w.len + 4;
	EXPECT(cpio_next(w.b, w.len, &off, &e) == -NH_EBADMSG, "past the end");
	off = SIZE_MAX - 3;
	EXPECT(cpio_next(NULL, SIZE_MAX, &off, &e) == -NH_EBADMSG &&
	       off == SIZE_MAX - 3, "3 bytes before SIZE_MAX");
	off = SIZE_MAX - 7;
	EXPECT(cpio_next(NULL, SIZE_MAX - 8, &off, &e) == -NH_EBADMSG,
	       "beyond a huge length");
	off = SIZE_MAX;
	EXPECT(cpio_next(NULL, SIZE_MAX, &off, &e) == -NH_EINVAL, "SIZE_MAX");
	w.b[0] = 'x';
	off = 0;
	EXPECT(cpio_next(w.b, w.len, &off, &e) == -NH_EBADMSG && off == 0 &&
	       !strcmp(e.name, "sentinel"), "state changed on an error");
	EXPECT(cpio_find(w.b, w.len, "a", &e) == -NH_EBADMSG &&
	       !strcmp(e.name, "sentinel"), "find changed out on an error");
	return ok;
}

/* Fields the reader ignores: check, uid, gid, mtime, rdev, pad bytes. */
static bool t_ignored(void)
{
	static struct w w;
	size_t at;
	struct arc a;
	bool ok;

	w.len = 0;
	at = w_file(&w, "file", "abcde");
	for (int i = 2; i < NFIELDS; i++)
		if (i != F_NLINK && i != F_FILESIZE && i != F_NAMESIZE &&
		    i != 7 && i != F_DEVMINOR)
			w_field(&w, at, i, 0xdeadbeef);
	w.b[at + 115] = 'P';
	w.b[w.len - 1] = 'Q';
	w_trailer(&w);
	w_field(&w, w.len - 124, F_CHECK, 1);
	a = arc_of(&w);
	ok = finds(&a, "file", 0, at, "abcde") && cpio_check(a.b, a.len) == 0;
	free(a.b);
	return ok;
}

static bool t_gnu_full(void) { return test_gnu(0); }
static bool t_gnu_files(void) { return test_gnu(1); }

static const struct {
	const char *name;
	bool (*fn)(void);
} tests[] = {
	{ "gnu_cpio_tree", t_gnu_full },
	{ "gnu_cpio_files_reversed", t_gnu_files },
	{ "gnu_cpio_truncated_everywhere", test_truncate },
	{ "gnu_cpio_random_flips", test_flips },
	{ "empty_archive", t_empty },
	{ "trailer_only", t_trailer_only },
	{ "fields_and_layout", t_fields },
	{ "name_and_data_padding", t_padding },
	{ "bad_magic", t_bad_magic },
	{ "non_hex_digit", t_non_hex },
	{ "namesize_zero", t_namesize_zero },
	{ "name_nul_rules", t_name_nul },
	{ "name_past_end", t_name_past_end },
	{ "filesize_past_end", t_filesize },
	{ "missing_trailer", t_missing_trailer },
	{ "first_trailer_ends", t_trailer },
	{ "path_normalisation", t_normalise },
	{ "only_regular_files", t_types },
	{ "duplicates_last_wins", t_duplicates },
	{ "hard_link_data", t_hardlinks },
	{ "index_agrees_with_the_walk", t_index_agrees },
	{ "index_falls_back_to_the_walk", t_index_falls_back },
	{ "damage_after_the_file", t_damage_after },
	{ "offsets_and_errors", t_offsets },
	{ "ignored_fields", t_ignored },
};

int main(void)
{
	size_t n = sizeof(tests) / sizeof(tests[0]);
	bool made;

	ktap_begin((int)n);
	made = make_archives();
	if (!made)
		ktap_diag("could not build the GNU cpio archives");
	for (size_t i = 0; i < n; i++)
		ktap_result((made || i >= 4) && tests[i].fn(), tests[i].name);
	remove_tmpdir();
	free(gnu[0].b);
	free(gnu[1].b);
	return ktap_end();
}
