/*
 * Host tests for the ELF64 executable checker (kernel/lib/elf.c).
 *
 *   test_elf [DIR...]         fixture directories are ignored
 *   test_elf --corpus DIR     write the seed corpus for fuzz_elf and exit
 *
 * Real programs are built at test time with the RISC-V cross compiler
 * (skipped if it is missing): a -nostdlib one, a picolibc one placed by
 * our own linker script, an lp64d one, and one linked with -Ttext=0x10000
 * (GNU ld then maps the ELF headers on the page below, 0xf000, so it only
 * fits a user range starting lower).  Each must be accepted with exactly
 * what riscv64-unknown-elf-readelf reports.  Every truncation of
 * each must fail, or (once nothing needed is cut) give the same result;
 * seeded random mutations, biased toward the ELF and program headers,
 * must fail or give a result that passes our own re-check of every
 * invariant in elf.h.  Each input lives in a buffer of exactly its size,
 * so ASan sees any read past the end.  Then hand-made headers (a tiny
 * writer below) check each rule with the exact error and reason.
 * Output is KTAP version 1.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ktap.h"
#include "lib/elf.h"
#include <nuthatch/errno.h>

#define MUTATIONS	5000
#define SEED		0x5eed1e1fu
#define PAGE		4096ull
#define USER_LO		0x10000ull
#define USER_HI		0x4000000000ull
#define MAX_MEMSZ	(256ull << 20)

static const struct elf_limits soft_lim = {
	.user_lo = USER_LO, .user_hi = USER_HI, .max_memsz = MAX_MEMSZ,
	.max_float_abi = ELF_FLOAT_SOFT,
};

/* ---- little-endian access, our own ---------------------------------- */

static uint64_t rd(const uint8_t *b, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | b[n];
	return v;
}

static void wr(uint8_t *b, unsigned n, uint64_t v)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		b[i] = (uint8_t)v;
}

static uint64_t pg_down(uint64_t x)
{
	return x & ~(PAGE - 1);
}

static uint64_t pg_up(uint64_t x)
{
	return pg_down(x + PAGE - 1);
}

/* ---- the invariants of an accepted image, checked independently ------ */

#define BAD(cond, ...) \
	do { if (cond) { ktap_diag(__VA_ARGS__); return false; } } while (0)

static bool seg_sane(const struct elf_segment *s, size_t len,
		     const struct elf_limits *lim)
{
	BAD(s->memsz == 0 || s->filesz > s->memsz, "sizes %llx/%llx",
	    (unsigned long long)s->filesz, (unsigned long long)s->memsz);
	BAD(s->offset > len || s->filesz > len - s->offset,
	    "data %llx+%llx past %zu", (unsigned long long)s->offset,
	    (unsigned long long)s->filesz, len);
	BAD(s->vaddr % PAGE != s->offset % PAGE, "vaddr/offset incongruent");
	BAD(s->prot == 0 || (s->prot & ~7u), "prot %x", s->prot);
	BAD((s->prot & ELF_W) && (s->prot & ELF_X), "W+X");
	BAD((s->prot & ELF_W) && !(s->prot & ELF_R), "W without R");
	BAD(s->vaddr < lim->user_lo || s->vaddr > lim->user_hi ||
	    s->memsz > lim->user_hi - s->vaddr, "segment outside user range");
	return true;
}

static bool image_sane(const struct elf_image *im, size_t len,
		       const struct elf_limits *lim)
{
	uint64_t total = 0;
	bool entry = false;

	BAD(im->nseg < 1 || im->nseg > ELF_MAX_SEGMENTS, "nseg %u", im->nseg);
	for (unsigned i = 0; i < im->nseg; i++) {
		const struct elf_segment *s = &im->seg[i];

		if (!seg_sane(s, len, lim))
			return false;
		BAD(i > 0 &&
		    pg_down(s->vaddr) < pg_up(s[-1].vaddr + s[-1].memsz),
		    "segments %u, %u unsorted or sharing a page", i - 1, i);
		total += pg_up(s->vaddr + s->memsz) - pg_down(s->vaddr);
		if (im->entry >= s->vaddr && im->entry - s->vaddr < s->memsz)
			entry = s->prot & ELF_X;
	}
	BAD(!entry, "entry 0x%llx not executable",
	    (unsigned long long)im->entry);
	BAD(im->lowest != pg_down(im->seg[0].vaddr) ||
	    im->highest != pg_up(im->seg[im->nseg - 1].vaddr +
				 im->seg[im->nseg - 1].memsz), "span");
	BAD(im->lowest < lim->user_lo || im->highest > lim->user_hi, "limits");
	BAD(im->total != total || total > lim->max_memsz, "total");
	BAD(*im->why, "why \"%s\" on success", im->why);
	return true;
}

/* The segments must be the file's non-empty PT_LOADs, in order. */
static bool image_matches_file(const struct elf_image *im, const uint8_t *b,
			       size_t len)
{
	uint64_t phoff = rd(b + 32, 8), phnum = rd(b + 56, 2);
	unsigned n = 0;

	BAD(im->entry != rd(b + 24, 8), "entry");
	BAD(phoff > len || phnum * 56 > len - phoff, "phdrs outside file");
	for (uint64_t i = 0; i < phnum; i++) {
		const uint8_t *p = b + phoff + i * 56;
		uint32_t f = (uint32_t)rd(p + 4, 4);
		uint32_t prot = (f & 7) | (f & ELF_W ? ELF_R : 0);

		if (rd(p, 4) != 1 || rd(p + 40, 8) == 0)
			continue;
		BAD(n >= im->nseg, "more PT_LOADs than segments");
		BAD(im->seg[n].offset != rd(p + 8, 8) ||
		    im->seg[n].vaddr != rd(p + 16, 8) ||
		    im->seg[n].filesz != rd(p + 32, 8) ||
		    im->seg[n].memsz != rd(p + 40, 8) ||
		    im->seg[n].prot != prot,
		    "segment %u differs from its PT_LOAD", n);
		n++;
	}
	BAD(n != im->nseg, "%u PT_LOADs, %u segments", n, im->nseg);
	return true;
}

/* A result is acceptable if it is a clean error or a sane image. */
static bool outcome_ok(int rc, const struct elf_image *im, const uint8_t *b,
		       size_t len, const struct elf_limits *lim)
{
	if (rc == 0)
		return image_sane(im, len, lim) &&
		       image_matches_file(im, b, len);
	BAD(rc != -NH_ENOEXEC && rc != -NH_E2BIG, "rc %d", rc);
	BAD(!im->why || !*im->why, "error without a reason");
	return true;
}

/* elf_check() on an exact-size copy, so ASan catches any overread. */
static int check_copy(const uint8_t *b, size_t len,
		      const struct elf_limits *lim, struct elf_image *im,
		      bool *ok)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, b, len);
	rc = elf_check(copy, len, lim, im);
	*ok = outcome_ok(rc, im, copy, len, lim);
	free(copy);
	return rc;
}

/* ---- real programs from the cross compiler ----------------------------- */

#define CROSS	"riscv64-unknown-elf-"

struct real {
	const char *name;
	const char *src;
	const char *flags;	/* compiler flags, %s = the work directory */
	unsigned float_abi;
	uint64_t user_lo;
	uint8_t *bin;
	size_t len;
};

static const char nostdlib_src[] =
	"volatile int counter = 5;\n"
	"volatile char buf[8192];\n"
	"const char msg[] = \"nuthatch\";\n"
	"void _start(void)\n{\n"
	"\tcounter += buf[100] + msg[counter & 7];\n"
	"\tfor (;;)\n\t\t__asm__ volatile(\"wfi\");\n}\n";

static const char picolibc_src[] =
	"#include <stdio.h>\n#include <string.h>\n"
	"char out[64];\nint counter = 7;\n__thread int tv = 3;\n"
	"int main(void)\n{\n"
	"\treturn snprintf(out, sizeof out, \"hi %d %d\",\n"
	"\t\t\t(int)strlen(out) + counter, tv);\n}\n";

static const char lp64d_src[] =
	"volatile double x = 1.5;\n"
	"void _start(void)\n{\n\tx = x * 3.0;\n"
	"\tfor (;;)\n\t\t__asm__ volatile(\"wfi\");\n}\n";

/* A user-program layout for picolibc's crt0: text at 0x10000, data on a
 * fresh page at the same page offset as in the file, then bss and stack. */
static const char user_ld[] =
	"ENTRY(_start)\nSECTIONS\n{\n"
	"\t. = 0x10000;\n"
	"\t.text : { KEEP(*(.text.init.enter)) KEEP(*(.init .init.*)) "
	"*(.text .text.*) }\n"
	"\t.rodata : { *(.rodata .rodata.*) *(.srodata .srodata.*) }\n"
	"\t. = ALIGN(0x1000) + (. & 0xfff);\n"
	"\t.tdata : { __data_start = .; __tls_base = .; *(.tdata .tdata.*) }\n"
	"\t.tbss : { *(.tbss .tbss.*) }\n"
	"\t.data : { *(.data .data.*) __global_pointer$ = . + 0x800; "
	"*(.sdata .sdata.*) }\n"
	"\t__data_source = __data_start;\n"
	"\t__data_size = . - __data_start;\n"
	"\t.bss (NOLOAD) : { __bss_start = .; *(.sbss .sbss.*) *(.bss .bss.*) "
	"*(COMMON) __bss_end = .; }\n"
	"\t__bss_size = __bss_end - __bss_start;\n"
	"\t.stack (NOLOAD) : { . = ALIGN(16); . += 0x2000; __stack = .; }\n}\n";

/* Stripped: the symbols only make the truncation loop slower. */
static struct real reals[] = {
	{ "nostdlib", nostdlib_src, "-nostdlib -static -march=rv64imac "
	  "-mabi=lp64 -O2 -s -Wl,-Ttext-segment=0x10000", ELF_FLOAT_SOFT,
	  USER_LO, NULL, 0 },
	{ "picolibc", picolibc_src, "--specs=picolibc.specs --crt0=minimal "
	  "-march=rv64imac -mabi=lp64 -O2 -s -T %s/user.ld", ELF_FLOAT_SOFT,
	  USER_LO, NULL, 0 },
	{ "lp64d", lp64d_src, "-nostdlib -static -march=rv64gc -mabi=lp64d "
	  "-O2 -s -Wl,-Ttext-segment=0x10000", ELF_FLOAT_DOUBLE, USER_LO,
	  NULL, 0 },
	{ "ttext", nostdlib_src, "-nostdlib -static -march=rv64imac "
	  "-mabi=lp64 -O2 -s -Wl,-Ttext=0x10000", ELF_FLOAT_SOFT, 0x1000,
	  NULL, 0 },
};
#define NREALS	(sizeof(reals) / sizeof(reals[0]))

static char workdir[] = "/tmp/test_elf.XXXXXX";
static bool have_workdir;
static const char *no_reals = "no " CROSS "gcc";	/* the SKIP reason */

static bool write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	bool ok;

	if (!f)
		return false;
	ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n)
		*len = (size_t)n;
	else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static bool build_real(struct real *r)
{
	char path[256], flags[512], cmd[1024];

	snprintf(path, sizeof path, "%s/%s.c", workdir, r->name);
	if (!write_file(path, r->src, strlen(r->src)))
		return false;
	snprintf(flags, sizeof flags, r->flags, workdir);
	snprintf(cmd, sizeof cmd, CROSS "gcc %s %s/%s.c -o %s/%s.elf 2>&1",
		 flags, workdir, r->name, workdir, r->name);
	if (system(cmd) != 0) {
		ktap_diag("failed: %s", cmd);
		return false;
	}
	snprintf(path, sizeof path, "%s/%s.elf", workdir, r->name);
	r->bin = read_file(path, &r->len);
	return r->bin != NULL;
}

/* Build every real program; false if the cross compiler is missing. */
static bool build_reals(void)
{
	char path[256];
	bool ok = true;

	if (system(CROSS "gcc --version >/dev/null 2>&1") != 0)
		return false;
	no_reals = "cross build failed";
	if (!mkdtemp(workdir))
		return false;
	have_workdir = true;
	snprintf(path, sizeof path, "%s/user.ld", workdir);
	if (!write_file(path, user_ld, strlen(user_ld)))
		return false;
	for (size_t i = 0; i < NREALS; i++)
		ok = build_real(&reals[i]) && ok;
	return ok;
}

static void remove_workdir(void)
{
	char cmd[256];

	if (!have_workdir)
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", workdir);
	if (system(cmd) != 0)
		ktap_diag("could not remove %s", workdir);
}

/* ---- what readelf says ------------------------------------------------ */

struct seen {
	uint64_t entry, flags;
	unsigned nseg;
	struct elf_segment seg[ELF_MAX_SEGMENTS];
};

static void parse_load(const char *line, struct seen *s)
{
	unsigned long long off, va, pa, fsz, msz;
	char type[32];
	int n = 0;
	uint32_t prot = 0;

	if (sscanf(line, "%31s %llx %llx %llx %llx %llx %n", type, &off, &va,
		   &pa, &fsz, &msz, &n) < 6 || strcmp(type, "LOAD") || msz == 0)
		return;
	for (const char *p = line + n; *p && *p != '0'; p++)
		prot |= *p == 'R' ? ELF_R : *p == 'W' ? ELF_W | ELF_R :
			*p == 'E' ? ELF_X : 0;
	if (s->nseg < ELF_MAX_SEGMENTS)
		s->seg[s->nseg++] = (struct elf_segment){
			.vaddr = va, .memsz = msz, .offset = off, .filesz = fsz,
			.prot = prot };
}

static bool readelf(const struct real *r, struct seen *s)
{
	char cmd[512], line[512];
	FILE *p;

	snprintf(cmd, sizeof cmd, CROSS "readelf -lhW %s/%s.elf", workdir,
		 r->name);
	p = popen(cmd, "r");
	if (!p)
		return false;
	memset(s, 0, sizeof *s);
	while (fgets(line, sizeof line, p)) {
		unsigned long long v;

		if (sscanf(line, " Entry point address: %llx", &v) == 1)
			s->entry = v;
		else if (sscanf(line, " Flags: %llx", &v) == 1)
			s->flags = v;
		else
			parse_load(line, s);
	}
	return pclose(p) == 0 && s->nseg > 0;
}

static bool same_as_readelf(const struct elf_image *im, const struct seen *s)
{
	BAD(im->entry != s->entry, "entry 0x%llx vs readelf 0x%llx",
	    (unsigned long long)im->entry, (unsigned long long)s->entry);
	BAD(im->flags != s->flags, "e_flags 0x%x vs readelf 0x%llx",
	    im->flags, (unsigned long long)s->flags);
	BAD(im->nseg != s->nseg, "%u segments vs readelf %u", im->nseg,
	    s->nseg);
	for (unsigned i = 0; i < s->nseg; i++) {
		const struct elf_segment *a = &im->seg[i], *b = &s->seg[i];

		BAD(a->vaddr != b->vaddr || a->memsz != b->memsz ||
		    a->offset != b->offset || a->filesz != b->filesz ||
		    a->prot != b->prot,
		    "segment %u: 0x%llx+0x%llx @0x%llx/0x%llx prot %x vs "
		    "readelf 0x%llx+0x%llx @0x%llx/0x%llx prot %x", i,
		    (unsigned long long)a->vaddr, (unsigned long long)a->memsz,
		    (unsigned long long)a->offset,
		    (unsigned long long)a->filesz,
		    a->prot, (unsigned long long)b->vaddr,
		    (unsigned long long)b->memsz, (unsigned long long)b->offset,
		    (unsigned long long)b->filesz, b->prot);
	}
	return true;
}

static struct elf_limits real_limits(const struct real *r)
{
	struct elf_limits lim = soft_lim;

	lim.max_float_abi = r->float_abi;
	lim.user_lo = r->user_lo;
	return lim;
}

static bool test_real(const struct real *r)
{
	struct elf_limits lim = real_limits(r);
	struct elf_image im;
	struct seen s;
	bool ok;
	int rc;

	if (!readelf(r, &s)) {
		ktap_diag("%s: readelf failed", r->name);
		return false;
	}
	rc = check_copy(r->bin, r->len, &lim, &im, &ok);
	BAD(rc != 0, "%s: rc %d (%s)", r->name, rc, im.why);
	return ok && same_as_readelf(&im, &s);
}

/* Under the default limits @r must fail for the reason @why. */
static bool test_real_refused(const struct real *r, const char *why)
{
	struct elf_image im;
	int rc = elf_check(r->bin, r->len, &soft_lim, &im);

	BAD(rc != -NH_ENOEXEC || strcmp(im.why, why),
	    "%s: rc %d (%s), want \"%s\"", r->name, rc, im.why, why);
	return true;
}

/* The bytes elf_check() must see: header, program headers, PT_LOAD data. */
static size_t needed_len(const uint8_t *b)
{
	uint64_t phoff = rd(b + 32, 8), phnum = rd(b + 56, 2);
	uint64_t need = phoff + phnum * 56;

	for (uint64_t i = 0; i < phnum; i++) {
		const uint8_t *p = b + phoff + i * 56;
		uint64_t end = rd(p + 8, 8) + rd(p + 32, 8);

		if (rd(p, 4) == 1 && end > need)
			need = end;
	}
	return (size_t)need;
}

static bool same_image(const struct elf_image *a, const struct elf_image *b)
{
	return a->entry == b->entry && a->nseg == b->nseg &&
	       !memcmp(a->seg, b->seg, sizeof a->seg[0] * a->nseg) &&
	       a->lowest == b->lowest && a->highest == b->highest &&
	       a->total == b->total;
}

static bool test_truncations(const struct real *r)
{
	struct elf_limits lim = real_limits(r);
	struct elf_image full, im;
	size_t need = needed_len(r->bin);
	bool ok = true, sane;

	elf_check(r->bin, r->len, &lim, &full);
	for (size_t n = 0; n < r->len && ok; n++) {
		int rc = check_copy(r->bin, n, &lim, &im, &sane);

		ok = sane && (n < need ? rc != 0 :
			      rc == 0 && same_image(&im, &full));
		if (!ok)
			ktap_diag("%s cut to %zu bytes (need %zu): rc %d (%s)",
				  r->name, n, need, rc, im.why);
	}
	ktap_diag("%s: %zu truncations, %zu bytes needed", r->name, r->len,
		  need);
	return ok;
}

/* ---- random mutations ------------------------------------------------- */

static uint64_t rng = SEED;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static uint8_t mutant_byte(uint8_t old)
{
	static const uint8_t special[] = { 0, 1, 2, 3, 5, 7, 0x10, 0x40, 0x7f,
					   0x80, 0xf0, 0xfe, 0xff };

	switch (rnd() % 3) {
	case 0:
		return old ^ (uint8_t)(1u << (rnd() % 8));
	case 1:
		return special[rnd() % sizeof special];
	default:
		return (uint8_t)rnd();
	}
}

/* 1-4 bytes changed; three in four land in the ELF or program headers. */
static void mutate(uint8_t *b, size_t len, size_t hot)
{
	unsigned n = 1 + rnd() % 4;

	while (n--) {
		size_t at = rnd() % 4 ? rnd() % hot : rnd() % len;

		b[at] = mutant_byte(b[at]);
	}
}

static bool mutate_many(const uint8_t *orig, size_t len,
			const struct elf_limits *lim, unsigned count,
			unsigned *accepted)
{
	size_t hot = 64 + rd(orig + 56, 2) * 56;
	uint8_t *b = malloc(len);
	struct elf_image im;
	bool ok = true;

	if (hot > len)
		hot = len;
	for (unsigned i = 0; i < count && ok; i++) {
		memcpy(b, orig, len);
		mutate(b, len, hot);
		ok = outcome_ok(elf_check(b, len, lim, &im), &im, b, len, lim);
		*accepted += ok && *im.why == 0;
		if (!ok)
			ktap_diag("mutation %u broke an invariant", i);
	}
	free(b);
	return ok;
}

/* ---- hand-made executables -------------------------------------------- */

#define MAX_PH	16

struct mph {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

/* The file before it is written: headers as numbers, then a length. */
struct model {
	uint8_t ident[16];
	uint16_t type, machine, ehsize, phentsize, phnum;
	uint32_t version, flags;
	uint64_t entry, phoff, shoff;
	struct mph ph[MAX_PH];
	size_t len;
	struct elf_limits lim;
};

enum { PF_X = 1, PF_W = 2, PF_R = 4 };
enum { PT_NULL, PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE, PT_SHLIB, PT_PHDR,
       PT_TLS };
#define PT_GNU_STACK		0x6474e551u
#define PT_GNU_PROPERTY		0x6474e553u
#define PT_RISCV_ATTRIBUTES	0x70000003u

/* Text R+X at 0x10000 from offset 0, data R+W on the pages after it,
 * a non-executable stack: accepted as written. */
static void model_base(struct model *m)
{
	static const uint8_t ident[16] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };

	memset(m, 0, sizeof *m);
	memcpy(m->ident, ident, sizeof ident);
	m->type = 2;
	m->machine = 243;
	m->version = 1;
	m->entry = 0x10100;
	m->phoff = 64;
	m->flags = 1;		/* RVC, soft float */
	m->ehsize = 64;
	m->phentsize = 56;
	m->phnum = 3;
	m->ph[0] = (struct mph){ PT_LOAD, PF_R | PF_X, 0, 0x10000, 0x10000,
				 0x1800, 0x1800, 0x1000 };
	m->ph[1] = (struct mph){ PT_LOAD, PF_R | PF_W, 0x2000, 0x12000,
				 0x12000, 0x100, 0x3000, 0x1000 };
	m->ph[2] = (struct mph){ PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0, 16 };
	m->len = 0x2100;
	m->lim = soft_lim;
}

static void put_ehdr(uint8_t *h, const struct model *m)
{
	memcpy(h, m->ident, 16);
	wr(h + 16, 2, m->type);
	wr(h + 18, 2, m->machine);
	wr(h + 20, 4, m->version);
	wr(h + 24, 8, m->entry);
	wr(h + 32, 8, m->phoff);
	wr(h + 40, 8, m->shoff);
	wr(h + 48, 4, m->flags);
	wr(h + 52, 2, m->ehsize);
	wr(h + 54, 2, m->phentsize);
	wr(h + 56, 2, m->phnum);
}

static void put_phdr(uint8_t *p, const struct mph *ph)
{
	wr(p, 4, ph->type);
	wr(p + 4, 4, ph->flags);
	wr(p + 8, 8, ph->offset);
	wr(p + 16, 8, ph->vaddr);
	wr(p + 24, 8, ph->paddr);
	wr(p + 32, 8, ph->filesz);
	wr(p + 40, 8, ph->memsz);
	wr(p + 48, 8, ph->align);
}

/* The model as bytes, in a buffer of exactly m->len; only what fits.
 * The ELF header goes last: program headers never overwrite it. */
static uint8_t *model_bytes(const struct model *m)
{
	uint8_t *b = calloc(1, m->len ? m->len : 1), hdr[64], ph[56];

	for (unsigned i = 0; i < MAX_PH && i < m->phnum; i++) {
		uint64_t at = m->phoff + i * 56ull;

		if (m->len < 56 || m->phoff > m->len || at > m->len - 56)
			break;
		put_phdr(ph, &m->ph[i]);
		memcpy(b + at, ph, 56);
	}
	put_ehdr(hdr, m);
	memcpy(b, hdr, m->len < 64 ? m->len : 64);
	return b;
}

/* One rule: an edit of the base model and the exact outcome. */
struct hcase {
	const char *name;
	void (*edit)(struct model *m);
	int rc;
	const char *why;
	bool (*verify)(const struct elf_image *im);	/* extra, on success */
};

#define EDIT(name, ...) static void name(struct model *m) { __VA_ARGS__; }

static void add_load(struct model *m, uint32_t flags, uint64_t off,
		     uint64_t va, uint64_t fsz, uint64_t msz)
{
	m->ph[m->phnum++] = (struct mph){ PT_LOAD, flags, off, va, va, fsz,
					  msz, 0x1000 };
}

EDIT(h_base, (void)m)
EDIT(h_short, m->len = 63)
EDIT(h_empty, m->len = 0)
EDIT(h_magic, m->ident[1] = 'e')
EDIT(h_class32, m->ident[4] = 1)
EDIT(h_bigendian, m->ident[5] = 2)
EDIT(h_ident_version, m->ident[6] = 0)
EDIT(h_osabi_gnu, m->ident[7] = 3)
EDIT(h_osabi_freebsd, m->ident[7] = 9)
EDIT(h_abiversion, m->ident[8] = 1)
EDIT(h_et_dyn, m->type = 3)
EDIT(h_et_rel, m->type = 1)
EDIT(h_et_core, m->type = 4)
EDIT(h_x86_64, m->machine = 62)
EDIT(h_aarch64, m->machine = 183)
EDIT(h_e_version, m->version = 0)
EDIT(h_ehsize, m->ehsize = 65)
EDIT(h_phentsize, m->phentsize = 32)
EDIT(h_rve, m->flags |= 0x8)
EDIT(h_tso, m->flags |= 0x10)
EDIT(h_unknown_flag, m->flags |= 0x100)
EDIT(h_double_abi, m->flags |= 0x4)
EDIT(h_double_abi_allowed, m->flags |= 0x4; m->lim.max_float_abi = 2)
EDIT(h_quad_abi_double_limit, m->flags |= 0x6; m->lim.max_float_abi = 2)
EDIT(h_section_headers_ignored, m->shoff = ~0ull)
EDIT(h_phnum_zero, m->phnum = 0)
EDIT(h_phnum_xnum, m->phnum = 0xffff)
EDIT(h_phoff_zero, m->phoff = 0)
EDIT(h_phoff_in_header, m->phoff = 8)
EDIT(h_phoff_past_end, m->phoff = 0x2100)
EDIT(h_phoff_wraps, m->phoff = ~0ull - 16)
EDIT(h_phtab_past_end, m->phoff = 0x2100 - 3 * 56 + 1)
EDIT(h_phnum_huge, m->phnum = 0xfffe)
EDIT(h_phoff_unaligned, m->phoff = 0x1801; m->len = 0x2100)
EDIT(h_filesz_gt_memsz, m->ph[1].filesz = 0x3001)
EDIT(h_data_past_end, m->ph[1].filesz = 0x101)
EDIT(h_offset_past_end, m->ph[1].offset = 0x3000; m->ph[1].vaddr = 0x13000;
     m->ph[1].filesz = 0)
EDIT(h_offset_wraps, m->ph[1].offset = ~0ull - 0xfff;
     m->ph[1].vaddr = 0x13000)
EDIT(h_vaddr_wraps, m->ph[1].vaddr = 0xfffffffffffff000ull;
     m->ph[1].offset = 0)
EDIT(h_vaddr_page_up_wraps, m->ph[1].vaddr = ~0ull - 0x800;
     m->ph[1].offset = 0x7ff; m->ph[1].filesz = 0; m->ph[1].memsz = 1)
EDIT(h_incongruent, m->ph[1].vaddr = 0x12010)
EDIT(h_align_zero, m->ph[0].align = 0; m->ph[1].align = 1)
EDIT(h_align_not_pow2, m->ph[1].align = 0x3000)
EDIT(h_align_small, m->ph[1].align = 0x800)
EDIT(h_align_64k_ok, m->ph[0].align = 0x10000)
EDIT(h_align_2m_incongruent, m->ph[0].align = 0x200000)
EDIT(h_overlap, m->ph[1].vaddr = 0x11000)
EDIT(h_share_page, m->ph[1].vaddr = 0x11900; m->ph[1].offset = 0x1900;
     m->ph[1].filesz = 0x100)
EDIT(h_unsorted, struct mph t = m->ph[0]; m->ph[0] = m->ph[1];
     m->ph[1] = t)
EDIT(h_same_vaddr, m->ph[1].vaddr = 0x10000; m->ph[1].offset = 0)
EDIT(h_wx, m->ph[0].flags = PF_R | PF_W | PF_X)
EDIT(h_wx_no_r, m->ph[1].flags = PF_W | PF_X)
EDIT(h_write_only, m->ph[1].flags = PF_W)
EDIT(h_exec_only, m->ph[0].flags = PF_X)
EDIT(h_no_access, m->ph[1].flags = 0)
EDIT(h_os_flag_bits, m->ph[1].flags |= 0x0ff00000u)
EDIT(h_entry_in_data, m->entry = 0x12000)
EDIT(h_entry_unmapped, m->entry = 0x40000)
EDIT(h_entry_at_end, m->entry = 0x11800)
EDIT(h_entry_last_byte, m->entry = 0x117fe)
EDIT(h_entry_odd, m->entry = 0x10101)
EDIT(h_entry_2_no_rvc, m->entry = 0x10102; m->flags = 0)
EDIT(h_entry_4_no_rvc, m->entry = 0x10104; m->flags = 0)
EDIT(h_interp, m->ph[2].type = PT_INTERP)
EDIT(h_dynamic, m->ph[2].type = PT_DYNAMIC)
EDIT(h_shlib, m->ph[2].type = PT_SHLIB)
EDIT(h_exec_stack, m->ph[2].flags = PF_R | PF_W | PF_X)
EDIT(h_allowed_types, m->ph[2].type = PT_TLS; m->phnum = 9;
     m->ph[3].type = PT_NOTE; m->ph[4].type = PT_GNU_PROPERTY;
     m->ph[5].type = PT_RISCV_ATTRIBUTES; m->ph[6].type = PT_PHDR;
     m->ph[7].type = 0x12345678; m->ph[8].type = PT_NULL)
EDIT(h_zero_load, m->ph[0].type = PT_NOTE; m->ph[1].type = PT_NOTE)
EDIT(h_only_empty_load, m->ph[0].memsz = 0; m->ph[0].filesz = 0;
     m->ph[1].type = PT_NOTE)
EDIT(h_empty_load_dropped, m->ph[2] = m->ph[1]; m->ph[2].memsz = 0;
     m->ph[2].filesz = 0; m->ph[2].vaddr = 0x10000)
EDIT(h_eight_loads, m->phnum = 2;
     for (unsigned i = 0; i < 6; i++)
	add_load(m, PF_R, 0, 0x20000 + i * 0x1000ull, 0x10, 0x10))
EDIT(h_nine_loads, m->phnum = 2;
     for (unsigned i = 0; i < 7; i++)
	add_load(m, PF_R, 0, 0x20000 + i * 0x1000ull, 0x10, 0x10))
EDIT(h_below_user_lo, m->lim.user_lo = 0x10001)
EDIT(h_at_user_hi, m->lim.user_hi = 0x15000)
EDIT(h_above_user_hi, m->lim.user_hi = 0x14fff)
EDIT(h_high_segment, m->ph[1].vaddr = USER_HI - 0x2000)
EDIT(h_max_memsz_exact, m->lim.max_memsz = 0x5000)
EDIT(h_max_memsz_over, m->lim.max_memsz = 0x4fff)
EDIT(h_huge_bss, m->ph[1].memsz = 0x100000000ull)

static bool v_base(const struct elf_image *im)
{
	BAD(im->entry != 0x10100 || im->nseg != 2, "entry/nseg");
	BAD(im->seg[0].vaddr != 0x10000 || im->seg[0].memsz != 0x1800 ||
	    im->seg[0].offset != 0 || im->seg[0].filesz != 0x1800 ||
	    im->seg[0].prot != (ELF_R | ELF_X), "text segment");
	BAD(im->seg[1].vaddr != 0x12000 || im->seg[1].memsz != 0x3000 ||
	    im->seg[1].offset != 0x2000 || im->seg[1].filesz != 0x100 ||
	    im->seg[1].prot != (ELF_R | ELF_W), "data segment");
	BAD(im->lowest != 0x10000 || im->highest != 0x15000 ||
	    im->total != 0x5000, "span/total");
	return true;
}

static bool v_write_only(const struct elf_image *im)
{
	BAD(im->seg[1].prot != (ELF_R | ELF_W), "prot %x", im->seg[1].prot);
	return true;
}

static bool v_exec_only(const struct elf_image *im)
{
	BAD(im->seg[0].prot != ELF_X, "prot %x", im->seg[0].prot);
	return true;
}

static bool v_two_segs(const struct elf_image *im)
{
	BAD(im->nseg != 2, "nseg %u", im->nseg);
	return true;
}

static bool v_eight(const struct elf_image *im)
{
	BAD(im->nseg != 8 || im->highest != 0x26000, "nseg %u", im->nseg);
	return true;
}

#define NOEXEC	(-NH_ENOEXEC)
#define OK(n, f, v)	{ #n, f, 0, "", v }
#define NO(n, f, w)	{ #n, f, NOEXEC, w, NULL }

static const struct hcase hcases[] = {
	OK(base_accepted, h_base, v_base),
	NO(shorter_than_header, h_short, "shorter than ELF header"),
	NO(empty_file, h_empty, "shorter than ELF header"),
	NO(bad_magic, h_magic, "bad magic"),
	NO(wrong_class_elf32, h_class32, "not ELFCLASS64"),
	NO(big_endian, h_bigendian, "not little-endian"),
	NO(ident_version_0, h_ident_version, "bad ident version"),
	OK(osabi_gnu_accepted, h_osabi_gnu, v_base),
	NO(osabi_freebsd, h_osabi_freebsd, "bad OS ABI"),
	NO(abiversion_1, h_abiversion, "bad ABI version"),
	NO(et_dyn_pie, h_et_dyn, "ET_DYN (PIE) not supported"),
	NO(et_rel, h_et_rel, "not ET_EXEC"),
	NO(et_core, h_et_core, "not ET_EXEC"),
	NO(machine_x86_64, h_x86_64, "not RISC-V"),
	NO(machine_aarch64, h_aarch64, "not RISC-V"),
	NO(e_version_0, h_e_version, "bad e_version"),
	NO(ehsize_65, h_ehsize, "bad e_ehsize"),
	NO(phentsize_32, h_phentsize, "bad e_phentsize"),
	NO(flags_rve, h_rve, "unsupported e_flags"),
	NO(flags_tso, h_tso, "unsupported e_flags"),
	NO(flags_unknown_bit, h_unknown_flag, "unsupported e_flags"),
	NO(double_abi_soft_limit, h_double_abi, "float ABI not supported"),
	OK(double_abi_double_limit, h_double_abi_allowed, v_base),
	NO(quad_abi_double_limit, h_quad_abi_double_limit,
	   "float ABI not supported"),
	OK(section_headers_ignored, h_section_headers_ignored, v_base),
	NO(phnum_zero, h_phnum_zero, "no PT_LOAD"),
	NO(phnum_xnum, h_phnum_xnum, "extended phnum"),
	NO(phoff_zero, h_phoff_zero, "program headers overlap ELF header"),
	NO(phoff_inside_header, h_phoff_in_header,
	   "program headers overlap ELF header"),
	NO(phoff_past_end, h_phoff_past_end, "program headers outside file"),
	NO(phoff_wraps, h_phoff_wraps, "program headers outside file"),
	NO(phtab_one_byte_past_end, h_phtab_past_end,
	   "program headers outside file"),
	NO(phnum_times_phentsize_past_end, h_phnum_huge,
	   "program headers outside file"),
	OK(phoff_unaligned, h_phoff_unaligned, v_base),
	NO(filesz_gt_memsz, h_filesz_gt_memsz, "p_filesz > p_memsz"),
	NO(offset_filesz_past_end, h_data_past_end,
	   "segment data outside file"),
	NO(offset_past_end, h_offset_past_end, "segment data outside file"),
	NO(offset_filesz_wraps, h_offset_wraps, "segment data outside file"),
	NO(vaddr_memsz_wraps, h_vaddr_wraps, "segment wraps"),
	NO(vaddr_page_round_wraps, h_vaddr_page_up_wraps, "segment wraps"),
	NO(vaddr_offset_incongruent, h_incongruent,
	   "p_vaddr and p_offset not congruent"),
	OK(align_0_and_1_are_pages, h_align_zero, v_base),
	NO(align_not_power_of_two, h_align_not_pow2,
	   "p_align not a power of two"),
	NO(align_below_page, h_align_small, "p_align below page size"),
	OK(align_64k_congruent, h_align_64k_ok, v_base),
	NO(align_2m_incongruent, h_align_2m_incongruent,
	   "p_vaddr and p_offset not congruent"),
	NO(overlapping_segments, h_overlap, "PT_LOAD segments share a page"),
	NO(segments_share_a_page, h_share_page,
	   "PT_LOAD segments share a page"),
	NO(unsorted_segments, h_unsorted, "PT_LOAD not sorted by p_vaddr"),
	NO(same_vaddr, h_same_vaddr, "PT_LOAD not sorted by p_vaddr"),
	NO(segment_wx, h_wx, "W+X segment"),
	NO(segment_wx_without_r, h_wx_no_r, "W+X segment"),
	OK(write_only_gets_r, h_write_only, v_write_only),
	OK(exec_only_kept, h_exec_only, v_exec_only),
	NO(segment_without_access, h_no_access, "segment without access"),
	OK(os_flag_bits_ignored, h_os_flag_bits, v_base),
	NO(entry_in_data, h_entry_in_data,
	   "entry not in an executable segment"),
	NO(entry_unmapped, h_entry_unmapped,
	   "entry not in an executable segment"),
	NO(entry_at_segment_end, h_entry_at_end,
	   "entry not in an executable segment"),
	OK(entry_last_halfword, h_entry_last_byte, v_two_segs),
	NO(entry_odd, h_entry_odd, "entry misaligned"),
	NO(entry_2_aligned_without_rvc, h_entry_2_no_rvc, "entry misaligned"),
	OK(entry_4_aligned_without_rvc, h_entry_4_no_rvc, v_two_segs),
	NO(pt_interp, h_interp, "PT_INTERP (dynamic linking) not supported"),
	NO(pt_dynamic, h_dynamic, "PT_DYNAMIC not supported"),
	NO(pt_shlib, h_shlib, "PT_SHLIB"),
	NO(executable_stack, h_exec_stack, "executable stack"),
	OK(other_types_ignored, h_allowed_types, v_base),
	NO(zero_pt_load, h_zero_load, "no PT_LOAD"),
	NO(only_empty_pt_load, h_only_empty_load, "no PT_LOAD"),
	OK(empty_pt_load_dropped, h_empty_load_dropped, v_base),
	OK(eight_pt_load, h_eight_loads, v_eight),
	NO(nine_pt_load, h_nine_loads, "too many PT_LOAD"),
	NO(below_user_lo, h_below_user_lo, "outside user range"),
	OK(up_to_user_hi, h_at_user_hi, v_base),
	NO(above_user_hi, h_above_user_hi, "outside user range"),
	NO(segment_past_user_hi, h_high_segment, "outside user range"),
	OK(max_memsz_exact, h_max_memsz_exact, v_base),
	{ "max_memsz_exceeded", h_max_memsz_over, -NH_E2BIG,
	  "larger than max_memsz", NULL },
	{ "huge_bss_exceeds_max_memsz", h_huge_bss, -NH_E2BIG,
	  "larger than max_memsz", NULL },
};
#define NHCASES	(sizeof(hcases) / sizeof(hcases[0]))

static bool run_hcase(const struct hcase *c)
{
	struct model m;
	struct elf_image im;
	uint8_t *b;
	bool ok;
	int rc;

	model_base(&m);
	c->edit(&m);
	b = model_bytes(&m);
	rc = check_copy(b, m.len, &m.lim, &im, &ok);
	free(b);
	BAD(rc != c->rc || strcmp(im.why, c->why),
	    "got %d \"%s\", want %d \"%s\"", rc, im.why, c->rc, c->why);
	return ok && (rc != 0 || !c->verify || c->verify(&im));
}

/* Mutations of the hand-made base, for when no cross compiler exists. */
static bool test_model_mutations(unsigned count)
{
	struct model m;
	unsigned accepted = 0;
	uint8_t *b;
	bool ok;

	model_base(&m);
	b = model_bytes(&m);
	ok = mutate_many(b, m.len, &m.lim, count, &accepted);
	free(b);
	ktap_diag("base model: %u mutations, %u accepted", count, accepted);
	return ok;
}

static bool test_real_mutations(unsigned count)
{
	unsigned per = count / NREALS, accepted = 0;
	bool ok = true;

	for (size_t i = 0; i < NREALS && ok; i++) {
		struct elf_limits lim = real_limits(&reals[i]);

		ok = mutate_many(reals[i].bin, reals[i].len, &lim, per,
				 &accepted);
	}
	ktap_diag("%u mutations of %zu programs, %u accepted",
		  per * (unsigned)NREALS, NREALS, accepted);
	return ok;
}

/* ---- the seed corpus for fuzz_elf -------------------------------------- */

static int write_corpus(const char *dir)
{
	char path[512];
	int rc = 0;

	if (mkdir(dir, 0777) != 0 && access(dir, W_OK) != 0) {
		perror(dir);
		return 1;
	}
	if (build_reals())
		for (size_t i = 0; i < NREALS; i++) {
			snprintf(path, sizeof path, "%s/real-%s", dir,
				 reals[i].name);
			if (!write_file(path, reals[i].bin, reals[i].len))
				rc = 1;
		}
	for (size_t i = 0; i < NHCASES; i++) {
		struct model m;
		uint8_t *b;

		model_base(&m);
		hcases[i].edit(&m);
		b = model_bytes(&m);
		snprintf(path, sizeof path, "%s/model-%s", dir, hcases[i].name);
		if (!write_file(path, b, m.len))
			rc = 1;
		free(b);
	}
	remove_workdir();
	return rc;
}

/* ---- main -------------------------------------------------------------- */

static void skip(const char *name, const char *reason)
{
	printf("ok %d %s # SKIP %s\n", ++ktap.run, name, reason);
	ktap.passed++;
}

static void run_reals(bool built)
{
	static const char *const names[NREALS] = {
		"real_nostdlib_matches_readelf",
		"real_picolibc_matches_readelf",
		"real_lp64d_matches_readelf", "real_ttext_matches_readelf" };
	bool ok = true;

	for (size_t i = 0; i < NREALS; i++) {
		if (built)
			ktap_result(test_real(&reals[i]), names[i]);
		else
			skip(names[i], no_reals);
	}
	if (!built) {
		skip("real_lp64d_refused_under_soft_float", no_reals);
		skip("real_ttext_refused_above_0x10000", no_reals);
		skip("real_truncations", no_reals);
		skip("real_mutations", no_reals);
		return;
	}
	ktap_result(test_real_refused(&reals[2], "float ABI not supported"),
		    "real_lp64d_refused_under_soft_float");
	ktap_result(test_real_refused(&reals[3], "outside user range"),
		    "real_ttext_refused_above_0x10000");
	for (size_t i = 0; i < NREALS; i++)
		ok = test_truncations(&reals[i]) && ok;
	ktap_result(ok, "real_truncations");
	ktap_result(test_real_mutations(MUTATIONS), "real_mutations");
}

int main(int argc, char **argv)
{
	bool built;

	if (argc == 3 && !strcmp(argv[1], "--corpus"))
		return write_corpus(argv[2]);
	ktap_begin((int)(NREALS + 5 + NHCASES));
	built = build_reals();
	run_reals(built);
	ktap_result(test_model_mutations(MUTATIONS), "model_mutations");
	for (size_t i = 0; i < NHCASES; i++)
		ktap_result(run_hcase(&hcases[i]), hcases[i].name);
	remove_workdir();
	return ktap_end();
}
