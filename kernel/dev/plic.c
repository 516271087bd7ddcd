/*
 * PLIC driver.  Register map (RISC-V PLIC spec): priority at 4*source,
 * enable bits at 0x2000 + 0x80*context, threshold at 0x200000 +
 * 0x1000*context, claim/complete 4 bytes after the threshold.
 */
#include "dev/plic.h"

#include <stdbool.h>

#include <nuthatch/errno.h>

#include "arch/riscv/arch.h"
#include "mm/kmap.h"
#include "core/spinlock.h"

#define PRIORITY(irq)		(4u * (irq))
#define ENABLE(ctx, irq)	(0x2000u + 0x80u * (ctx) + 4u * ((irq) / 32))
#define THRESHOLD(ctx)		(0x200000u + 0x1000u * (ctx))
#define CLAIM(ctx)		(THRESHOLD(ctx) + 4)

static volatile uint8_t *regs;		/* [I] */
static const struct plat_plic *plic;	/* [I] */
static struct spinlock enable_lock = SPINLOCK_INIT("plic: enable words", RANK_PLIC);

static volatile uint32_t *reg(uint64_t off)
{
	return (volatile uint32_t *)(regs + off);
}

/* This hart's S-mode context, or -NH_ENOENT. */
static long context_of(uint64_t hartid)
{
	if (!plic)
		return -NH_ENODEV;
	for (unsigned i = 0; i < plic->nctx; i++) {
		if (plic->sctx[i].hartid == hartid)
			return plic->sctx[i].ctx;
	}
	return -NH_ENOENT;
}

static bool context_fits(uint32_t ctx)
{
	return CLAIM(ctx) + 4 <= plic->size;
}

int plic_init(const struct platform *p)
{
	if (!p->plic.present || p->plic.size < 0x200000 + 0x1000)
		return -NH_ENODEV;
	regs = ioremap(p->plic.base, p->plic.size);
	if (!regs)
		return -NH_ENOMEM;
	plic = &p->plic;
	for (uint32_t irq = 1; irq <= plic->ndev && irq < 1024; irq++)
		*reg(PRIORITY(irq)) = 0;
	for (unsigned i = 0; i < plic->nctx; i++) {
		uint32_t ctx = plic->sctx[i].ctx;

		if (!context_fits(ctx))
			continue;
		for (uint32_t w = 0; w <= plic->ndev / 32; w++)
			*reg(ENABLE(ctx, 32 * w)) = 0;
		*reg(THRESHOLD(ctx)) = 1;	/* closed until hart_init */
	}
	return 0;
}

int plic_hart_init(uint64_t hartid)
{
	long ctx = context_of(hartid);

	if (ctx < 0)
		return (int)ctx;
	if (!context_fits((uint32_t)ctx))
		return -NH_ERANGE;
	*reg(THRESHOLD(ctx)) = 0;
	return 0;
}

uint32_t plic_ndev(void)
{
	return plic ? plic->ndev : 0;
}

static int set_enable(uint32_t irq, uint64_t hartid, bool on)
{
	long ctx = context_of(hartid);
	irqflags_t f;
	uint32_t bit = 1u << (irq % 32);

	if (ctx < 0)
		return (int)ctx;
	if (irq == 0 || irq > plic->ndev || irq >= 1024)
		return -NH_EINVAL;
	f = spin_lock_irqsave(&enable_lock);
	if (on) {
		*reg(PRIORITY(irq)) = 1;
		*reg(ENABLE(ctx, irq)) |= bit;
	} else {
		*reg(ENABLE(ctx, irq)) &= ~bit;
	}
	spin_unlock_irqrestore(&enable_lock, f);
	return 0;
}

int plic_enable(uint32_t irq, uint64_t hartid)
{
	return set_enable(irq, hartid, true);
}

void plic_disable(uint32_t irq, uint64_t hartid)
{
	set_enable(irq, hartid, false);
}

uint32_t plic_claim(uint64_t hartid)
{
	long ctx = context_of(hartid);

	return ctx < 0 ? 0 : *reg(CLAIM(ctx));
}

void plic_complete(uint64_t hartid, uint32_t irq)
{
	long ctx = context_of(hartid);

	if (ctx >= 0)
		*reg(CLAIM(ctx)) = irq;
}
