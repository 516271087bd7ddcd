/*
 * Program images for the servers that start programs (the process
 * server's exec; the test server's programs that test the kernel): the
 * executable from the initramfs (through the file server once it
 * exists), checked whole by the ELF checker the kernel uses
 * (kernel/lib/elf.c, compiled into libserver too) before anything is
 * built; its segments mapped copy-on-write straight from the archive's
 * memory object (archive.h: every file's data starts on a page of it),
 * or copied in where a segment's pages do not line up with the
 * archive's (or there is no archive object); a heap above them; a stack
 * holding argc, argv, envp and the auxiliary vector (System V layout).
 * Needs NH_PRIV_TASK (space_create) and NH_PRIV_INITRD.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <nuthatch/errno.h>

#include "archive.h"
#include "image.h"
#include "lib/elf.h"
#include "nhproto.h"
#include "nuthatch.h"

#define STACK_TOP	0x40000000ul	/* 1 GiB, as the kernel's loader */
#define STACK_SIZE	(8ul << 20)	/* filled on touch */
#define BRK_MAX		(32ul << 20)	/* the kernel's VM_BRK_MAX */
#define IMAGE_MAX	(256ul << 20)
#define PAGE		4096ul

#define AT_NULL		0
#define AT_PHDR		3
#define AT_PHENT	4
#define AT_PHNUM	5
#define AT_PAGESZ	6
#define AT_ENTRY	9
#define AT_RANDOM	25
#define AT_EXECFN	31
#define AUXV_WORDS	(2 * 8)

static const struct elf_limits limits = {
	.user_lo = 0x10000,
	/* a page of nothing between the heap's limit and the stack */
	.user_hi = STACK_TOP - STACK_SIZE - BRK_MAX - PAGE,
	.max_memsz = IMAGE_MAX,
	.max_float_abi = ELF_FLOAT_DOUBLE,
};

struct file {
	long obj;		/* the file's own object (initrd_open), or 0 */
	const uint8_t *data;
	size_t len;
	long archive;		/* else the archive's object, */
	uint64_t offset;	/* the file's data there */
};

static long file_open(const char *path, struct file *f)
{
	struct nh_handle_info info;
	struct srv_file a;
	long h, r;

	if (srv_archive_open() == 0 && (r = srv_archive_find(path, &a)) != -NH_ENODEV) {
		if (r)
			return r;
		if (!a.size)
			return -NH_ENOEXEC;	/* an empty file maps nothing */
		*f = (struct file){ .data = a.data, .len = a.size,
				    .archive = srv_archive_object(), .offset = a.offset };
		return 0;
	}
	h = nh_initrd_open(path);
	if (h < 0)
		return h;
	r = nh_handle_info(h, &info);
	if (!r)
		r = nh_map(NH_SELF_SPACE, 0, info.size, NH_PROT_READ, 0, h, 0);
	if (r < 0) {
		nh_handle_close(h);
		return r;
	}
	*f = (struct file){ .obj = h, .data = (const uint8_t *)r, .len = info.size };
	return 0;
}

/* @src's bytes as a file: the archive's own mapping, or @src->obj mapped
 * read-only (its pages are then copied, never mapped into the image). */
static long file_from_src(const struct srv_image_src *src, struct file *f)
{
	size_t alen;
	const uint8_t *base;
	long r;

	if (src->archive) {
		nh_handle_close(src->obj);
		if (srv_archive_open() || !(base = srv_archive_bytes(&alen)) ||
		    src->offset > alen || src->size > alen - src->offset)
			return -NH_ENOEXEC;
		*f = (struct file){ .data = base + src->offset, .len = src->size,
				    .archive = srv_archive_object(), .offset = src->offset };
		return 0;
	}
	r = nh_map(NH_SELF_SPACE, 0, (src->size + PAGE - 1) & ~(PAGE - 1), NH_PROT_READ,
		   NH_MAP_SHARED, src->obj, 0);
	if (r < 0) {
		nh_handle_close(src->obj);
		return r;
	}
	*f = (struct file){ .obj = src->obj, .data = (const uint8_t *)r, .len = src->size };
	return 0;
}

static void file_close(struct file *f)
{
	if (!f->obj)
		return;		/* in the archive, which stays mapped */
	nh_space_unmap(NH_SELF_SPACE, (uint64_t)f->data, (f->len + PAGE - 1) & ~(PAGE - 1));
	nh_handle_close(f->obj);
}

static unsigned prot_of(uint32_t p)
{
	return (p & ELF_R ? NH_PROT_READ : 0) | (p & ELF_W ? NH_PROT_WRITE : 0) |
	       (p & ELF_X ? NH_PROT_EXEC : 0);
}

/* The file's pages of @s, mapped private (copy on write) from the
 * archive's object at [lo, end), writable for now; the bytes after the
 * file's part in the last page zeroed (they are the archive's next
 * entry).  0 or -NH_E*. */
static long map_file_pages(long space, const struct file *f, const struct elf_segment *s,
			   uint64_t lo, uint64_t end)
{
	static const uint8_t zeros[PAGE];
	uint64_t at = f->offset + s->offset - (s->vaddr - lo);
	uint64_t tail = s->vaddr + s->filesz;
	long r = nh_map(space, lo, end - lo, NH_PROT_READ | NH_PROT_WRITE,
			NH_MAP_FIXED | NH_MAP_PRIVATE, f->archive, at);

	if (r >= 0 && tail < end && s->memsz > s->filesz)	/* bss begins there */
		r = nh_space_write(space, tail, zeros, end - tail);
	return r < 0 ? r : 0;
}

/* Mapped writable, filled, then given its own protection (W^X holds:
 * a text page is never writable and executable at once).  Filled by
 * mapping the archive's pages where they line up with the segment's
 * (ELF puts p_offset at p_vaddr modulo the page), else by a copy. */
static long load_segment(long space, const struct file *f, const struct elf_segment *s)
{
	uint64_t lo = s->vaddr & ~(PAGE - 1), hi = (s->vaddr + s->memsz + PAGE - 1) & ~(PAGE - 1);
	uint64_t end = (s->vaddr + s->filesz + PAGE - 1) & ~(PAGE - 1);
	unsigned rw = NH_PROT_READ | NH_PROT_WRITE;
	bool mapped = f->archive > 0 && s->filesz &&
		      (f->offset + s->offset) % PAGE == s->vaddr % PAGE;
	long r = 0;

	if (mapped)
		r = map_file_pages(space, f, s, lo, end);
	else
		end = lo;
	if (r >= 0 && hi > end)
		r = nh_map(space, end, hi - end, rw, NH_MAP_FIXED, 0, 0);
	if (r >= 0 && s->filesz && !mapped)
		r = nh_space_write(space, s->vaddr, f->data + s->offset, s->filesz);
	if (r >= 0 && prot_of(s->prot) != rw)
		r = nh_space_protect(space, lo, hi - lo, prot_of(s->prot));
	return r < 0 ? r : 0;
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* Where the program headers are in the image (AT_PHDR), or 0 when no
 * segment holds them. */
static uint64_t phdr_addr(const struct file *f, const struct elf_image *e, uint64_t *phnum)
{
	uint64_t off = get_le(f->data + 32, 8);

	*phnum = get_le(f->data + 56, 2);
	for (unsigned i = 0; i < e->nseg; i++) {
		const struct elf_segment *s = &e->seg[i];

		if (off >= s->offset && off + *phnum * 56 <= s->offset + s->filesz)
			return s->vaddr + (off - s->offset);
	}
	return 0;
}

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The argument block below STACK_TOP: 16 random bytes, the strings (the
 * path first: AT_EXECFN), then argc, argv, envp and the auxiliary vector
 * at sp.  @w has room for the words; @v[i] is string i's address. */
/* The block is built here, not on the heap: a server's heap that grew
 * for one large exec would keep the pages (picolibc's free gives back
 * only the heap's top), which the leak checks would rightly count.  One
 * builder at a time: the servers that use it serve from one thread. */
static uint64_t stack_block[4096 / 8 + 4096];	/* 36 KiB: exec's 4 KiB of strings as 2,048 one-byte ones */

void srv_image_warm(void)
{
	memset(stack_block, 0, sizeof(stack_block));
}

struct stack {
	uint64_t sp, strings_at, nwords;
	uint64_t *w;
	size_t size;			/* bytes from sp to STACK_TOP */
};

static long stack_layout(struct stack *st, uint32_t argc, uint32_t envc, size_t len)
{
	uint64_t nwords = 1 + argc + 1 + envc + 1 + AUXV_WORDS;

	st->strings_at = STACK_TOP - 16 - len;
	st->sp = (st->strings_at - nwords * 8) & ~15ul;
	st->nwords = nwords;
	st->size = STACK_TOP - st->sp;
	if (st->size > sizeof(stack_block))
		return -NH_E2BIG;
	st->w = stack_block;
	memset(stack_block, 0, st->size);
	return 0;
}

/* @count string addresses, then 0; the offset past the last string. */
static size_t put_vector(uint64_t *w, unsigned *n, uint32_t count, uint64_t base,
			 const char *strings, size_t at)
{
	for (uint32_t i = 0; i < count; i++) {
		w[(*n)++] = base + at;
		at += strlen(strings + at) + 1;
	}
	w[(*n)++] = 0;
	return at;
}

static void stack_fill(struct stack *st, const struct file *f, const struct elf_image *e,
		       uint32_t argc, uint32_t envc, const char *strings, size_t len)
{
	uint8_t *base = (uint8_t *)st->w;
	uint64_t *w = st->w, phnum, phdr = phdr_addr(f, e, &phnum);
	uint64_t rnd[2] = { mix((uint64_t)nh_clock_ns()), mix((uint64_t)nh_clock_ns() ^ e->entry) };
	size_t at = strlen(strings) + 1;	/* past the path */
	unsigned n = 0;

	memcpy(base + (st->strings_at - st->sp), strings, len);
	memcpy(base + (STACK_TOP - 16 - st->sp), rnd, 16);
	w[n++] = argc;
	at = put_vector(w, &n, argc, st->strings_at, strings, at);
	put_vector(w, &n, envc, st->strings_at, strings, at);
	if (phdr) {
		w[n++] = AT_PHDR, w[n++] = phdr;
		w[n++] = AT_PHENT, w[n++] = 56;
		w[n++] = AT_PHNUM, w[n++] = phnum;
	}
	w[n++] = AT_PAGESZ, w[n++] = PAGE;
	w[n++] = AT_ENTRY, w[n++] = e->entry;
	w[n++] = AT_RANDOM, w[n++] = STACK_TOP - 16;
	w[n++] = AT_EXECFN, w[n++] = st->strings_at;
	w[n++] = AT_NULL, w[n++] = 0;
}

/* Where the argv and envp strings went (@len bytes below STACK_TOP's
 * random ones, the path first), for /proc's cmdline. */
static void note_args(struct srv_image *img, uint32_t argc, const char *strings, size_t len)
{
	uint64_t base = STACK_TOP - 16 - len;
	size_t at = strlen(strings) + 1;

	img->arg_start = base + at;
	for (uint32_t i = 0; i < argc; i++)
		at += strlen(strings + at) + 1;
	img->arg_end = base + at;
	img->env_end = base + len;
}

static long build_stack(long space, const struct file *f, const struct elf_image *e,
			uint32_t argc, uint32_t envc, const char *strings, size_t len,
			uint64_t *sp)
{
	struct stack st;
	long r = nh_map(space, STACK_TOP - STACK_SIZE, STACK_SIZE,
			NH_PROT_READ | NH_PROT_WRITE, NH_MAP_FIXED, 0, 0);

	if (r >= 0)
		r = stack_layout(&st, argc, envc, len);
	if (r < 0)
		return r;
	stack_fill(&st, f, e, argc, envc, strings, len);
	r = nh_space_write(space, st.sp, st.w, st.size);
	*sp = st.sp;
	return r;
}

static long build_space(const struct file *f, const struct elf_image *e, uint32_t argc,
			uint32_t envc, const char *strings, size_t len,
			struct srv_image *img)
{
	long space = nh_space_create(), r = space < 0 ? space : 0;

	for (unsigned i = 0; !r && i < e->nseg; i++)
		r = load_segment(space, f, &e->seg[i]);
	if (!r)
		r = nh_space_set_brk(space, e->highest);
	if (!r)
		r = build_stack(space, f, e, argc, envc, strings, len, &img->sp);
	if (r) {
		if (space > 0)
			nh_handle_close(space);
		return r == -NH_EFAULT ? -NH_ENOMEM : r;
	}
	img->space = space;
	img->entry = e->entry;
	note_args(img, argc, strings, len);
	return 0;
}

/*
 * A "#!" line: what follows it to the newline, the file's end or
 * SRV_INTERP_MAX bytes in all, into img->interp.  As in Linux since 5.1,
 * a line cut by that limit is refused (-NH_ENOEXEC) only if the
 * interpreter's own name is cut; a cut argument is run cut.
 */
static long script_line(const struct file *f, struct srv_image *img)
{
	size_t n = 2, lim = f->len < SRV_INTERP_MAX - 1 ? f->len : SRV_INTERP_MAX - 1, i;

	/* a NUL ends it too: the initramfs pads files to whole pages */
	while (n < lim && f->data[n] != '\n' && f->data[n] != '\0')
		n++;
	memcpy(img->interp, f->data + 2, n - 2);
	img->interp[n - 2] = '\0';
	if (n == lim && n < f->len && f->data[n] != '\n' && f->data[n] != '\0') {	/* cut */
		for (i = 0; img->interp[i] == ' ' || img->interp[i] == '\t'; i++)
			;
		while (img->interp[i] && img->interp[i] != ' ' && img->interp[i] != '\t')
			i++;
		if (!img->interp[i])
			return -NH_ENOEXEC;	/* the interpreter's name is cut */
	}
	return SRV_IMAGE_SCRIPT;
}

/* The image (or the "#!" line) of the open file @f, which is closed. */
static long build_file(struct file *f_, uint32_t argc, uint32_t envc, const char *strings,
		       size_t len, struct srv_image *img)
{
	struct file f = *f_;
	struct elf_image e;
	long r;

	if (f.len >= 2 && f.data[0] == '#' && f.data[1] == '!') {
		r = script_line(&f, img);
		file_close(&f);
		return r;
	}
	r = elf_check(f.data, f.len, &limits, &e);
	if (!r)
		r = build_space(&f, &e, argc, envc, strings, len, img);
	file_close(&f);
	return r;
}

long srv_image_build(const char *path, uint32_t argc, uint32_t envc,
		     const char *strings, size_t len, struct srv_image *img)
{
	struct file f;
	long r = file_open(path, &f);

	if (r)
		return r == -NH_EINVAL ? -NH_ENOENT : r;
	return build_file(&f, argc, envc, strings, len, img);
}

long srv_image_build_src(const struct srv_image_src *src, uint32_t argc, uint32_t envc,
			 const char *strings, size_t len, struct srv_image *img)
{
	struct file f;
	long r = file_from_src(src, &f);

	return r ? r : build_file(&f, argc, envc, strings, len, img);
}

