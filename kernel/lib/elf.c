/*
 * ELF64 executable checker (see elf.h for the contract and the rules).
 * The on-disk headers are described as arrays of bytes, so they have no
 * padding and no alignment; fields are decoded little-endian one by one.
 * elf_check() reads the ELF header, then each program header once, in
 * order: every PT_LOAD is checked on its own (check_load) and against the
 * one before it (add_segment); the span, size and entry checks run last.
 */
#include "lib/elf.h"

#include <stdbool.h>

#include <nuthatch/errno.h>

#define EI_NIDENT	16
#define ELFCLASS64	2
#define ELFDATA2LSB	1
#define EV_CURRENT	1
#define ELFOSABI_SYSV	0
#define ELFOSABI_GNU	3
#define ET_EXEC		2
#define ET_DYN		3
#define EM_RISCV	243
#define PN_XNUM		0xffffu

#define PT_LOAD		1u
#define PT_DYNAMIC	2u
#define PT_INTERP	3u
#define PT_SHLIB	5u
#define PT_GNU_STACK	0x6474e551u

#define PF_X		1u
#define PF_W		2u
#define PF_R		4u

#define EF_RISCV_RVC		0x1u
#define EF_RISCV_FLOAT_ABI	0x6u

/* Elf64_Ehdr as stored. */
struct elf64_ehdr_raw {
	uint8_t ident[EI_NIDENT];
	uint8_t type[2], machine[2], version[4];
	uint8_t entry[8], phoff[8], shoff[8];
	uint8_t flags[4], ehsize[2], phentsize[2], phnum[2];
	uint8_t shentsize[2], shnum[2], shstrndx[2];
};

/* Elf64_Phdr as stored. */
struct elf64_phdr_raw {
	uint8_t type[4], flags[4];
	uint8_t offset[8], vaddr[8], paddr[8];
	uint8_t filesz[8], memsz[8], align[8];
};

_Static_assert(sizeof(struct elf64_ehdr_raw) == 64, "Elf64_Ehdr is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr_raw) == 56, "Elf64_Phdr is 56 bytes");

/* The ELF header fields the checks need, decoded. */
struct ehdr {
	uint16_t type, machine, ehsize, phentsize, phnum;
	uint32_t version, flags;
	uint64_t entry, phoff;
};

/* A program header, decoded. */
struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz, align;
};

static uint16_t le16(const uint8_t *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)le16(b) | (uint32_t)le16(b + 2) << 16;
}

static uint64_t le64(const uint8_t *b)
{
	return (uint64_t)le32(b) | (uint64_t)le32(b + 4) << 32;
}

static uint64_t page_down(uint64_t x)
{
	return x & ~(ELF_PAGE - 1);
}

/* Precondition: x <= UINT64_MAX - (ELF_PAGE - 1). */
static uint64_t page_up(uint64_t x)
{
	return page_down(x + ELF_PAGE - 1);
}

static int fail(struct elf_image *out, const char *why)
{
	out->why = why;
	return -NH_ENOEXEC;
}

static const char *check_ident(const uint8_t *id)
{
	if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
		return "bad magic";
	if (id[4] != ELFCLASS64)
		return "not ELFCLASS64";
	if (id[5] != ELFDATA2LSB)
		return "not little-endian";
	if (id[6] != EV_CURRENT)
		return "bad ident version";
	if (id[7] != ELFOSABI_SYSV && id[7] != ELFOSABI_GNU)
		return "bad OS ABI";
	if (id[8] != 0)
		return "bad ABI version";
	return "";
}

static void decode_ehdr(const struct elf64_ehdr_raw *r, struct ehdr *h)
{
	h->type = le16(r->type);
	h->machine = le16(r->machine);
	h->version = le32(r->version);
	h->entry = le64(r->entry);
	h->phoff = le64(r->phoff);
	h->flags = le32(r->flags);
	h->ehsize = le16(r->ehsize);
	h->phentsize = le16(r->phentsize);
	h->phnum = le16(r->phnum);
}

static const char *check_flags(uint32_t flags, const struct elf_limits *lim)
{
	if (flags & ~(EF_RISCV_RVC | EF_RISCV_FLOAT_ABI))
		return "unsupported e_flags";
	if ((flags & EF_RISCV_FLOAT_ABI) >> 1 > lim->max_float_abi)
		return "float ABI not supported";
	return "";
}

/* The program header table: at or after the ELF header, inside the file. */
static const char *check_phtab(const struct ehdr *h, size_t len)
{
	uint64_t size = (uint64_t)h->phnum * sizeof(struct elf64_phdr_raw);

	if (h->phnum == 0)
		return "";
	if (h->phnum == PN_XNUM)
		return "extended phnum";
	if (h->phoff < sizeof(struct elf64_ehdr_raw))
		return "program headers overlap ELF header";
	if (h->phoff > len || size > len - h->phoff)
		return "program headers outside file";
	return "";
}

/* Every check on the ELF header; fills *h. */
static const char *check_ehdr(const uint8_t *b, size_t len,
			      const struct elf_limits *lim, struct ehdr *h)
{
	const char *why;

	if (len < sizeof(struct elf64_ehdr_raw))
		return "shorter than ELF header";
	why = check_ident(b);
	if (*why)
		return why;
	decode_ehdr((const struct elf64_ehdr_raw *)b, h);
	if (h->type == ET_DYN)
		return "ET_DYN (PIE) not supported";
	if (h->type != ET_EXEC)
		return "not ET_EXEC";
	if (h->machine != EM_RISCV)
		return "not RISC-V";
	if (h->version != EV_CURRENT)
		return "bad e_version";
	if (h->ehsize != sizeof(struct elf64_ehdr_raw))
		return "bad e_ehsize";
	if (h->phentsize != sizeof(struct elf64_phdr_raw))
		return "bad e_phentsize";
	why = check_flags(h->flags, lim);
	return *why ? why : check_phtab(h, len);
}

static void decode_phdr(const uint8_t *b, struct phdr *p)
{
	const struct elf64_phdr_raw *r = (const struct elf64_phdr_raw *)b;

	p->type = le32(r->type);
	p->flags = le32(r->flags);
	p->offset = le64(r->offset);
	p->vaddr = le64(r->vaddr);
	p->filesz = le64(r->filesz);
	p->memsz = le64(r->memsz);
	p->align = le64(r->align);
}

/* Which non-PT_LOAD program headers are refused. */
static const char *check_other(const struct phdr *p)
{
	switch (p->type) {
	case PT_INTERP:
		return "PT_INTERP (dynamic linking) not supported";
	case PT_DYNAMIC:
		return "PT_DYNAMIC not supported";
	case PT_SHLIB:
		return "PT_SHLIB";
	case PT_GNU_STACK:
		return p->flags & PF_X ? "executable stack" : "";
	default:
		return "";
	}
}

static const char *check_align(const struct phdr *p)
{
	uint64_t align = p->align <= 1 ? ELF_PAGE : p->align;

	if (align & (align - 1))
		return "p_align not a power of two";
	if (align < ELF_PAGE)
		return "p_align below page size";
	if (p->vaddr % align != p->offset % align)
		return "p_vaddr and p_offset not congruent";
	return "";
}

/* One PT_LOAD on its own; on success *s is its mapping. */
static const char *check_load(const struct phdr *p, size_t len,
			      struct elf_segment *s)
{
	const char *why;

	if (p->filesz > p->memsz)
		return "p_filesz > p_memsz";
	if (p->offset > len || p->filesz > len - p->offset)
		return "segment data outside file";
	if (p->vaddr > UINT64_MAX - (ELF_PAGE - 1) ||
	    p->memsz > UINT64_MAX - (ELF_PAGE - 1) - p->vaddr)
		return "segment wraps";
	why = check_align(p);
	if (*why)
		return why;
	if ((p->flags & PF_W) && (p->flags & PF_X))
		return "W+X segment";
	if (!(p->flags & (PF_R | PF_W | PF_X)))
		return "segment without access";
	*s = (struct elf_segment){
		.vaddr = p->vaddr, .memsz = p->memsz,
		.offset = p->offset, .filesz = p->filesz,
		.prot = (p->flags & (PF_R | PF_W | PF_X)) |
			(p->flags & PF_W ? ELF_R : 0),
	};
	return "";
}

static uint64_t seg_end(const struct elf_segment *s)
{
	return page_up(s->vaddr + s->memsz);
}

/* Append a checked, non-empty segment after the ones kept so far. */
static const char *add_segment(struct elf_image *out,
			       const struct elf_segment *s)
{
	const struct elf_segment *prev;

	if (out->nseg == ELF_MAX_SEGMENTS)
		return "too many PT_LOAD";
	prev = out->nseg > 0 ? &out->seg[out->nseg - 1] : NULL;
	if (prev && s->vaddr <= prev->vaddr)
		return "PT_LOAD not sorted by p_vaddr";
	if (prev && page_down(s->vaddr) < seg_end(prev))
		return "PT_LOAD segments share a page";
	out->seg[out->nseg++] = *s;
	return "";
}

static const char *check_phdr(const uint8_t *b, size_t len,
			      struct elf_image *out)
{
	struct phdr p;
	struct elf_segment s;
	const char *why;

	decode_phdr(b, &p);
	if (p.type != PT_LOAD)
		return check_other(&p);
	why = check_load(&p, len, &s);
	if (*why || s.memsz == 0)
		return why;
	return add_segment(out, &s);
}

/* Is the entry point inside a segment with ELF_X? */
static bool entry_executable(const struct elf_image *out)
{
	unsigned i;

	for (i = 0; i < out->nseg; i++) {
		const struct elf_segment *s = &out->seg[i];

		if (out->entry >= s->vaddr && out->entry - s->vaddr < s->memsz)
			return s->prot & ELF_X;
	}
	return false;
}

/* Span, size and entry, once every PT_LOAD is kept. */
static int check_image(struct elf_image *out, const struct elf_limits *lim)
{
	unsigned i;

	if (out->nseg == 0)
		return fail(out, "no PT_LOAD");
	out->lowest = page_down(out->seg[0].vaddr);
	out->highest = seg_end(&out->seg[out->nseg - 1]);
	if (out->lowest < lim->user_lo || out->highest > lim->user_hi)
		return fail(out, "outside user range");
	for (i = 0; i < out->nseg; i++)
		out->total += seg_end(&out->seg[i]) -
			      page_down(out->seg[i].vaddr);
	if (out->total > lim->max_memsz) {
		out->why = "larger than max_memsz";
		return -NH_E2BIG;
	}
	if (!entry_executable(out))
		return fail(out, "entry not in an executable segment");
	if (out->entry & (out->flags & EF_RISCV_RVC ? 1 : 3))
		return fail(out, "entry misaligned");
	return 0;
}

int elf_check(const void *file, size_t len, const struct elf_limits *lim,
	      struct elf_image *out)
{
	const uint8_t *b = file;
	struct ehdr h;
	const char *why;
	unsigned i;

	*out = (struct elf_image){ .why = "" };
	why = check_ehdr(b, len, lim, &h);
	if (*why)
		return fail(out, why);
	out->entry = h.entry;
	out->flags = h.flags;
	for (i = 0; i < h.phnum; i++) {
		why = check_phdr(b + h.phoff +
				 (size_t)i * sizeof(struct elf64_phdr_raw),
				 len, out);
		if (*why)
			return fail(out, why);
	}
	return check_image(out, lim);
}
