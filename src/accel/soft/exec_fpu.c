/* x87/SSE state: reset values, the FXSAVE image, and group 15 (FXSAVE,
 * FXRSTOR, LDMXCSR, STMXCSR, fences, CLFLUSH) and group 9 (CMPXCHG8B/16B).
 */
#include "accel/soft/cpu_internal.h"

void x86_fpu_reset(struct x86_fpu *f)
{
	memset(f, 0, sizeof(*f));
	f->fcw = 0x37f;
	f->mxcsr = 0x1f80;
}

/* The full 2-bit tag of a valid register from its contents. */
static unsigned full_tag(const uint8_t r[10])
{
	uint64_t m;
	uint16_t e;

	memcpy(&m, r, 8);
	memcpy(&e, r + 8, 2);
	e &= 0x7fff;
	if (e == 0x7fff)
		return 2;                     /* special: NaN, infinity */
	if (e == 0)
		return m ? 2 : 1;             /* denormal : zero */
	return (m >> 63) ? 0 : 2;             /* valid : unnormal */
}

static unsigned fpu_top(const struct x86_fpu *f)
{
	return (f->fsw >> 11) & 7;
}

void x86_fxsave_image(const struct x86_fpu *f, uint8_t img[512], bool with_xmm_hi)
{
	memset(img, 0, 512);
	memcpy(img + 0, &f->fcw, 2);
	memcpy(img + 2, &f->fsw, 2);
	img[4] = f->ftw;
	memcpy(img + 6, &f->fop, 2);
	memcpy(img + 8, &f->fip, 8);
	memcpy(img + 16, &f->fdp, 8);
	memcpy(img + 24, &f->mxcsr, 4);
	uint32_t mask = 0xffff; /* MXCSR_MASK: DAZ supported */
	memcpy(img + 28, &mask, 4);
	for (unsigned k = 0; k < 8; k++)
		memcpy(img + 32 + 16 * k, f->st[(fpu_top(f) + k) & 7], 10);
	for (unsigned k = 0; k < (with_xmm_hi ? 16u : 8u); k++)
		memcpy(img + 160 + 16 * k, f->xmm[k].b, 16);
}

int x86_fxrstor_image(struct x86_fpu *f, const uint8_t img[512], bool with_xmm_hi)
{
	uint32_t mxcsr;

	memcpy(&mxcsr, img + 24, 4);
	if (mxcsr & ~0xffffu)
		return -1;
	memcpy(&f->fcw, img + 0, 2);
	memcpy(&f->fsw, img + 2, 2);
	f->ftw = img[4];
	memcpy(&f->fop, img + 6, 2);
	f->fop &= 0x7ff;
	memcpy(&f->fip, img + 8, 8);
	memcpy(&f->fdp, img + 16, 8);
	f->fcs = f->fds = 0; /* the 64-bit layout has no selectors */
	f->mxcsr = mxcsr;
	for (unsigned k = 0; k < 8; k++)
		memcpy(f->st[(fpu_top(f) + k) & 7], img + 32 + 16 * k, 10);
	for (unsigned k = 0; k < (with_xmm_hi ? 16u : 8u); k++)
		memcpy(f->xmm[k].b, img + 160 + 16 * k, 16);
	return 0;
}

/* The x87 tag word (2 bits per physical register) for FSTENV/FSAVE. */
uint16_t x86_fpu_full_tags(const struct x86_fpu *f)
{
	uint16_t t = 0;

	for (unsigned k = 0; k < 8; k++) {
		unsigned tag = (f->ftw >> k) & 1 ? full_tag(f->st[k]) : 3;
		t |= (uint16_t)(tag << (2 * k));
	}
	return t;
}

static void fx_check(struct x86_cpu *c)
{
	if (c->cr0 & X86_CR0_EM)
		x86_ud(c);
	if (c->cr0 & X86_CR0_TS)
		x86_raise_noerr(c, X86_EXC_NM);
}

void x86_op_grp15(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned regop = x86_modrm_regop(i);

	if (!(i->flags & X86_I_MEM)) {
		/* LFENCE, MFENCE, SFENCE: one CPU, in-order: nothing to do.
		 * F3-prefixed RDFSBASE and friends are not offered. */
		if (i->pfx == X86_PFX_NONE && regop >= 5)
			return;
		x86_unimplemented(c, i);
	}
	if (i->pfx != X86_PFX_NONE && !(regop == 7 && i->pfx == X86_PFX_66))
		x86_unimplemented(c, i);
	uint64_t off = x86_ea(c, i);
	bool wide = c->mode == X86_MODE_LONG64; /* XMM8-15 exist */
	uint8_t img[512];

	switch (regop) {
	case 0: case 1: { /* FXSAVE, FXRSTOR */
		fx_check(c);
		uint64_t la = x86_linear(c, i->seg, off, 512, regop ? X86_SEG_READ : X86_SEG_WRITE);
		if (la & 15)
			x86_gp0(c);
		if (regop == 0) {
			x86_fxsave_image(&c->fpu, img, wide);
			/* REX.W selects the 64-bit FIP/FDP layout; without it
			 * FCS/FDS sit in the high halves. */
			if (!(i->flags & X86_I_REXW)) {
				uint32_t ip = (uint32_t)c->fpu.fip, dp = (uint32_t)c->fpu.fdp;
				memcpy(img + 8, &ip, 4);
				memcpy(img + 12, &c->fpu.fcs, 2);
				memcpy(img + 16, &dp, 4);
				memcpy(img + 20, &c->fpu.fds, 2);
			}
			x86_write_lin(c, la, img, 512, X86_ACC_DATA);
		} else {
			x86_read_lin(c, la, img, 512, X86_ACC_DATA);
			struct x86_fpu f = c->fpu;
			if (x86_fxrstor_image(&f, img, wide))
				x86_gp0(c);
			if (!(i->flags & X86_I_REXW)) {
				uint32_t ip, dp;
				memcpy(&ip, img + 8, 4);
				memcpy(&f.fcs, img + 12, 2);
				memcpy(&dp, img + 16, 4);
				memcpy(&f.fds, img + 20, 2);
				f.fip = ip;
				f.fdp = dp;
			}
			c->fpu = f;
		}
		return;
	}
	case 2: { /* LDMXCSR */
		if ((c->cr0 & X86_CR0_EM) || !(c->cr4 & X86_CR4_OSFXSR))
			x86_ud(c);
		fx_check(c);
		uint32_t v = (uint32_t)x86_read(c, i->seg, off, 4);
		if (v & ~0xffffu)
			x86_gp0(c);
		c->fpu.mxcsr = v;
		return;
	}
	case 3: /* STMXCSR */
		if ((c->cr0 & X86_CR0_EM) || !(c->cr4 & X86_CR4_OSFXSR))
			x86_ud(c);
		fx_check(c);
		x86_write(c, i->seg, off, 4, c->fpu.mxcsr);
		return;
	case 7: /* CLFLUSH, CLFLUSHOPT: coherent memory; only the access check */
		x86_linear(c, i->seg, off, 1, X86_SEG_READ);
		return;
	}
	x86_unimplemented(c, i); /* XSAVE family: not offered */
}

void x86_op_grp9(struct x86_cpu *c, const struct x86_insn *i)
{
	if (x86_modrm_regop(i) == 1 && (i->flags & X86_I_MEM)) {
		x86_op_cmpxchg8b(c, i);
		return;
	}
	x86_unimplemented(c, i); /* RDRAND, RDSEED, RDPID, VMX: not offered */
}
