/* System-level fixture for the software CPU: 1 MiB of flat memory with
 * hand-built descriptor tables (SDM vol. 3 formats), and a CPU set up in
 * real mode, 32-bit protected mode or long mode. Guest code comes from
 * GNU as (blobs in the test files) and is copied to CODE.
 */
#ifndef KILN_TESTS_SOFT_SYS_H
#define KILN_TESTS_SOFT_SYS_H

#include "soft_fx.h"
#include "accel/soft/cpu_internal.h"
#include "accel/soft/icache.h"

#define MEM_SIZE 0x100000
#define GDT 0x1000
#define IDT 0x2000
#define TSS 0x3000
#define CODE 0x7c00
#define KSTACK 0x20000   /* ring-0 stack top (TSS.RSP0 / ESP0) */
#define ISTACK 0x30000   /* IST1 stack top */
#define USTACK 0x40000   /* ring-3 stack top */
#define DATA 0x50000

/* GDT selectors used by every test. */
#define SEL_KCODE64 0x08
#define SEL_KDATA   0x10
#define SEL_UDATA   0x18  /* with RPL 3: 0x1b */
#define SEL_UCODE64 0x20  /* with RPL 3: 0x23 */
#define SEL_KCODE32 0x28
#define SEL_UCODE32 0x30  /* with RPL 3: 0x33 */
#define SEL_TSS     0x40  /* 16 bytes in long mode */

#define D_KCODE64 0x00af9b000000ffffull
#define D_KDATA   0x00cf93000000ffffull
#define D_UDATA   0x00cff3000000ffffull
#define D_UCODE64 0x00affb000000ffffull
#define D_KCODE32 0x00cf9b000000ffffull
#define D_UCODE32 0x00cffb000000ffffull

struct sys {
	struct x86_cpu cpu;
	struct flat_mem mem;
};

static inline void put64(struct sys *s, uint64_t a, uint64_t v) { memcpy(flat_at(&s->mem, a), &v, 8); }
static inline void put32(struct sys *s, uint64_t a, uint32_t v) { memcpy(flat_at(&s->mem, a), &v, 4); }
static inline void put16(struct sys *s, uint64_t a, uint16_t v) { memcpy(flat_at(&s->mem, a), &v, 2); }
static inline uint64_t get64(struct sys *s, uint64_t a) { uint64_t v; memcpy(&v, flat_at(&s->mem, a), 8); return v; }
static inline uint32_t get32(struct sys *s, uint64_t a) { uint32_t v; memcpy(&v, flat_at(&s->mem, a), 4); return v; }

static inline void gdt_fill(struct sys *s, bool lm)
{
	put64(s, GDT + SEL_KCODE64, D_KCODE64);
	put64(s, GDT + SEL_KDATA, D_KDATA);
	put64(s, GDT + SEL_UDATA, D_UDATA);
	put64(s, GDT + SEL_UCODE64, D_UCODE64);
	put64(s, GDT + SEL_KCODE32, D_KCODE32);
	put64(s, GDT + SEL_UCODE32, D_UCODE32);
	/* Available TSS (type 9), limit 0x67 (or 0x2067 with an I/O bitmap). */
	uint64_t base = TSS, limit = 0x67 + 0x2001;
	put64(s, GDT + SEL_TSS, (limit & 0xffff) | ((base & 0xffffff) << 16) |
		  (0x89ull << 40) | (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56));
	put64(s, GDT + SEL_TSS + 8, lm ? base >> 32 : 0);
	/* I/O bitmap right after the 104-byte TSS: all ports denied but 0x80. */
	put16(s, TSS + 102, 0x68);
	memset(flat_at(&s->mem, TSS + 0x68), 0xff, 0x2001);
	*flat_at(&s->mem, TSS + 0x68 + 0x80 / 8) &= (uint8_t)~1u;
}

/* 64-bit interrupt/trap gate. */
static inline void idt64(struct sys *s, unsigned vec, uint64_t off, unsigned dpl,
			 unsigned ist, bool trap)
{
	uint64_t a = IDT + 16 * (uint64_t)vec;
	put64(s, a, (off & 0xffff) | ((uint64_t)SEL_KCODE64 << 16) | ((uint64_t)ist << 32) |
		  ((uint64_t)(0x80 | (dpl << 5) | (trap ? 0xf : 0xe)) << 40) |
		  (((off >> 16) & 0xffff) << 48));
	put64(s, a + 8, off >> 32);
}

/* 32-bit interrupt gate. */
static inline void idt32(struct sys *s, unsigned vec, uint32_t off, unsigned dpl)
{
	uint64_t a = IDT + 8 * (uint64_t)vec;
	put64(s, a, (off & 0xffff) | ((uint64_t)SEL_KCODE32 << 16) |
		  ((uint64_t)(0x8e | (dpl << 5)) << 40) | ((uint64_t)(off >> 16) << 48));
}

static inline void sys_seg(x86_seg_t *g, uint16_t sel, uint64_t desc)
{
	x86_desc_to_seg(desc, sel, g);
}

static inline void sys_init(struct sys *s)
{
	memset(&s->cpu, 0, sizeof(s->cpu));
	flat_init(&s->mem, 0, MEM_SIZE);
	s->mem.cpu = &s->cpu;
	x86_cpu_set_platform(&s->cpu, &flat_ops, &s->mem, &flat_intc, &s->mem);
	x86_cpu_reset(&s->cpu);
}

static inline void sys_load(struct sys *s, uint64_t at, const uint8_t *start,
			    const uint8_t *end)
{
	memcpy(flat_at(&s->mem, at), start, (size_t)(end - start));
}

/* Long mode as Linux runs it: paging, PAE, NX, SCE; CPL `cpl`. */
static inline void sys_long(struct sys *s, unsigned cpl)
{
	struct x86_cpu *c = &s->cpu;

	c->halted = false;
	gdt_fill(s, true);
	c->gdtr = (struct x86_dtr){ GDT, 0x4f };
	c->idtr = (struct x86_dtr){ IDT, 0xfff };
	c->cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	c->cr4 = X86_CR4_PAE | X86_CR4_PGE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	c->cr3 = 0x4000;
	c->efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE | X86_EFER_SCE;
	if (cpl == 3) {
		sys_seg(&c->seg[X86_CS], SEL_UCODE64 | 3, D_UCODE64);
		sys_seg(&c->seg[X86_SS], SEL_UDATA | 3, D_UDATA);
		c->gpr[X86_RSP] = USTACK;
	} else {
		sys_seg(&c->seg[X86_CS], SEL_KCODE64, D_KCODE64);
		sys_seg(&c->seg[X86_SS], SEL_KDATA, D_KDATA);
		c->gpr[X86_RSP] = KSTACK;
	}
	for (unsigned k = X86_ES; k <= X86_GS; k++)
		if (k != X86_CS && k != X86_SS)
			c->seg[k] = c->seg[X86_SS];
	/* The TSS: RSP0 and IST1. */
	put64(s, TSS + 4, KSTACK);
	put64(s, TSS + 36, ISTACK);
	sys_seg(&c->tr, SEL_TSS, get64(s, GDT + SEL_TSS));
	c->tr.type = 0xb;
	c->ldtr.unusable = 1;
	x86_cpu_set_rflags(c, 0x202);
	x86_cpu_update_mode(c);
}

/* 32-bit protected mode without paging at CPL `cpl`. */
static inline void sys_prot32(struct sys *s, unsigned cpl)
{
	struct x86_cpu *c = &s->cpu;

	c->halted = false;
	gdt_fill(s, false);
	c->gdtr = (struct x86_dtr){ GDT, 0x4f };
	c->idtr = (struct x86_dtr){ IDT, 0x7ff };
	c->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE;
	c->cr4 = X86_CR4_OSFXSR;
	if (cpl == 3) {
		sys_seg(&c->seg[X86_CS], SEL_UCODE32 | 3, D_UCODE32);
		sys_seg(&c->seg[X86_SS], SEL_UDATA | 3, D_UDATA);
		c->gpr[X86_RSP] = USTACK;
	} else {
		sys_seg(&c->seg[X86_CS], SEL_KCODE32, D_KCODE32);
		sys_seg(&c->seg[X86_SS], SEL_KDATA, D_KDATA);
		c->gpr[X86_RSP] = KSTACK;
	}
	for (unsigned k = X86_ES; k <= X86_GS; k++)
		if (k != X86_CS && k != X86_SS)
			c->seg[k] = c->seg[X86_SS];
	put32(s, TSS + 4, KSTACK);        /* ESP0 */
	put32(s, TSS + 8, SEL_KDATA);     /* SS0 */
	sys_seg(&c->tr, SEL_TSS, get64(s, GDT + SEL_TSS));
	c->tr.type = 0xb;
	c->ldtr.unusable = 1;
	x86_cpu_set_rflags(c, 0x202);
	x86_cpu_update_mode(c);
}

#endif
