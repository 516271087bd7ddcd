/*
 * Checker for the ELF64 executables the kernel loads as user programs,
 * written from the System V gABI (ELF-64 object file format, chapters
 * "ELF Header" and "Program Header") and the RISC-V ELF psABI (EM_RISCV,
 * e_flags).  Freestanding: no allocation, only kstring.h.
 *
 * elf_check() validates the whole file before anything is mapped and
 * hands back a plan (struct elf_image) the loader can follow without
 * further checks: copy seg[i].filesz bytes from file + seg[i].offset to
 * seg[i].vaddr, zero the rest up to memsz, map the pages with seg[i].prot.
 * It reads only inside [file, file + len), byte by byte (no alignment or
 * host byte-order assumptions), and never writes outside *out.
 *
 * What it accepts (everything else fails; out->why names the rule):
 *  - ident: magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, OS ABI SYSV (0) or
 *    GNU (3: ld sets it for IFUNC/retain, which a static loader ignores),
 *    ABI version 0.
 *  - e_type ET_EXEC only.  ET_DYN (PIE) is refused for now: it would need
 *    a load bias and, unless static-pie, an interpreter.
 *  - e_machine EM_RISCV, e_version EV_CURRENT, e_ehsize 64, e_phentsize 56.
 *  - e_flags: only EF_RISCV_RVC and the float-ABI field; the float ABI
 *    (soft, single, double, quad) must be <= lim->max_float_abi.  RVE,
 *    TSO and unknown bits are refused.  (The float ABI says how floats are
 *    passed, not whether F/D instructions occur: the kernel still has to
 *    trap FP use while sstatus.FS is Off.)
 *  - Section headers are ignored; a program that needs them is not ours.
 *  - The program header table (when e_phnum != 0) starts at or after the
 *    ELF header and lies inside the file; e_phnum PN_XNUM (0xffff,
 *    extended numbering) is refused.
 *  - p_type: PT_LOAD is checked (below); PT_INTERP and PT_DYNAMIC (dynamic
 *    linking) and PT_SHLIB (non-conforming per the gABI) are refused;
 *    PT_GNU_STACK with PF_X (executable stack) is refused; every other
 *    type (PT_NULL, PT_NOTE, PT_PHDR, PT_TLS, PT_GNU_PROPERTY,
 *    PT_RISCV_ATTRIBUTES, PT_GNU_RELRO, unknown ones) is ignored.
 *  - Each PT_LOAD: p_filesz <= p_memsz; p_offset + p_filesz inside the
 *    file, without overflow; p_vaddr + p_memsz rounded up to a page does
 *    not wrap; p_align 0 or 1 means ELF_PAGE, otherwise it must be a power
 *    of two >= ELF_PAGE; p_vaddr == p_offset modulo that alignment; not
 *    both PF_W and PF_X (W^X); at least one of PF_R, PF_W, PF_X (a
 *    no-access leaf would be a page-table pointer in Sv39).  A PT_LOAD
 *    with p_memsz 0 passes these checks and is then dropped: it takes no
 *    slot and maps nothing.
 *  - The kept PT_LOADs: 1..ELF_MAX_SEGMENTS of them, in strictly
 *    ascending p_vaddr order, and no two sharing a page (each page gets
 *    one protection; GNU ld's layouts already start the data segment on
 *    a fresh page).
 *  - Span: lowest >= lim->user_lo and highest <= lim->user_hi.
 *  - Size: the sum of the page-rounded segment sizes (the memory the
 *    loader will allocate) is <= lim->max_memsz, else -NH_E2BIG.
 *  - Entry: inside [vaddr, vaddr + memsz) of a segment with ELF_X, and
 *    2-byte aligned if e_flags has RVC, else 4-byte aligned.
 * Every rejection is -NH_ENOEXEC, except the size limit (-NH_E2BIG: a
 * well-formed program too large for the caller's budget).
 */
#ifndef NUTHATCH_ELF_H
#define NUTHATCH_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_PAGE		4096ull
#define ELF_MAX_SEGMENTS	8

/* Segment protection; the same values as PF_X, PF_W, PF_R. */
#define ELF_X	1u
#define ELF_W	2u
#define ELF_R	4u

/* RISC-V float ABIs, in the order of lim->max_float_abi. */
#define ELF_FLOAT_SOFT		0u
#define ELF_FLOAT_SINGLE	1u
#define ELF_FLOAT_DOUBLE	2u
#define ELF_FLOAT_QUAD		3u

/* What the caller's address space allows.  [I] for the caller. */
struct elf_limits {
	uint64_t user_lo;	/* lowest usable user address */
	uint64_t user_hi;	/* end (exclusive) of the user range */
	uint64_t max_memsz;	/* bound on the page-rounded total size */
	unsigned max_float_abi;	/* ELF_FLOAT_*: highest float ABI accepted */
};

/*
 * One PT_LOAD to map.  Invariants after a successful elf_check():
 * 0 < memsz, filesz <= memsz, offset + filesz <= len, vaddr % ELF_PAGE ==
 * offset % ELF_PAGE, prot is never W and X together and is nonzero; a W
 * segment also has ELF_R (Sv39 reserves W without R).
 */
struct elf_segment {
	uint64_t vaddr, memsz;
	uint64_t offset, filesz;
	uint32_t prot;		/* ELF_R | ELF_W | ELF_X */
};

/*
 * The loading plan.  seg[0..nseg) are sorted by vaddr and no two touch
 * the same page; [lowest, highest) is the page-rounded span of all of
 * them (highest is exclusive) and lies inside the user range.
 */
struct elf_image {
	uint64_t entry;
	unsigned nseg;
	struct elf_segment seg[ELF_MAX_SEGMENTS];
	uint64_t lowest, highest;
	uint64_t total;		/* page-rounded bytes the segments occupy */
	uint32_t flags;		/* e_flags */
	const char *why;	/* the rule that failed, "" on success */
};

/*
 * Check the executable in [file, file + len) against the rules above and
 * fill *out.  Returns 0, -NH_ENOEXEC or -NH_E2BIG.  On failure only
 * out->why is meaningful.
 */
int elf_check(const void *file, size_t len, const struct elf_limits *lim,
	      struct elf_image *out);

#endif
