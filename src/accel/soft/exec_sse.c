/* SSE and SSE2 (0F 10-17, 28-2F, 50-7F, C2-C6, D0-FF): moves, logic,
 * shuffles, packed integers (exec_sse_int.c), and floating point.
 *
 * Floating-point results are computed by the host's own SSE unit (Kiln
 * runs on x86-64 hosts only) under the guest's rounding mode, FTZ and DAZ,
 * with every exception masked; the exception flags it reports are merged
 * into the guest's MXCSR, and an exception the guest unmasked raises #XM
 * (#UD without CR4.OSXMMEXCPT) before the destination is written. That
 * makes results bit-exact, NaN propagation included.
 *
 * MMX forms (no prefix on the packed-integer opcodes) are in exec_mmx.c;
 * the MMX/SSE conversions (CVTPI2PS and friends) are not implemented.
 */
#include "accel/soft/cpu_internal.h"
#include "accel/soft/sse.h"

static void sse_check(struct x86_cpu *c)
{
	if ((c->cr0 & X86_CR0_EM) || !(c->cr4 & X86_CR4_OSFXSR))
		x86_ud(c);
	if (c->cr0 & X86_CR0_TS)
		x86_raise_noerr(c, X86_EXC_NM);
}

/* The r/m operand as a vector: a register, or `len` bytes of memory
 * (the rest zero), 16-byte aligned when `aligned`. */
static void vec_rm(struct x86_cpu *c, const struct x86_insn *i, union x86_vec *v,
		   unsigned len, bool aligned)
{
	if (!(i->flags & X86_I_MEM)) {
		*v = c->fpu.xmm[i->rm];
		return;
	}
	uint64_t off = x86_ea(c, i);
	if (aligned && len == 16) {
		uint64_t la = x86_linear(c, i->seg, off, 16, X86_SEG_READ);
		if (la & 15)
			x86_gp0(c);
	}
	memset(v, 0, sizeof(*v));
	x86_read_buf(c, i->seg, off, v->b, len);
}

static void vec_store(struct x86_cpu *c, const struct x86_insn *i,
		      const void *src, unsigned len, bool aligned)
{
	uint64_t off = x86_ea(c, i);

	if (aligned) {
		uint64_t la = x86_linear(c, i->seg, off, 16, X86_SEG_WRITE);
		if (la & 15)
			x86_gp0(c);
	}
	x86_write_buf(c, i->seg, off, src, len);
}

/* ---- host floating point ---- */

static uint32_t host_mxcsr_enter(uint32_t guest)
{
	uint32_t host, run = (guest & 0xffc0) | 0x1f80;
	__asm__ volatile("stmxcsr %0" : "=m"(host));
	__asm__ volatile("ldmxcsr %0" : : "m"(run));
	return host;
}

static uint32_t host_mxcsr_leave(uint32_t host)
{
	uint32_t after;
	__asm__ volatile("stmxcsr %0" : "=m"(after));
	__asm__ volatile("ldmxcsr %0" : : "m"(host));
	return after & 0x3f;
}

/* Merge exception flags; raise if one is unmasked. */
static void fp_flags(struct x86_cpu *c, uint32_t flags)
{
	c->fpu.mxcsr |= flags;
	if (flags & ~(c->fpu.mxcsr >> 7) & 0x3f) {
		if (c->cr4 & X86_CR4_OSXMMEXCPT)
			x86_raise_noerr(c, X86_EXC_XM);
		x86_ud(c);
	}
}

#define HOST2(insn) __asm__ volatile(insn " %1, %0" : "+x"(d->v) : "x"(s->v))
#define CASE4(op, ps, pd, ss, sd) \
	case op: \
		switch (pfx) { \
		case X86_PFX_NONE: HOST2(ps); break; \
		case X86_PFX_66: HOST2(pd); break; \
		case X86_PFX_F3: HOST2(ss); break; \
		default: HOST2(sd); break; \
		} \
		return true

/* Arithmetic and conversions xmm <- xmm. False: not a host FP opcode. */
static bool host_fp(uint8_t op, uint8_t pfx, union x86_vec *d, const union x86_vec *s)
{
	switch (op) {
	CASE4(0x51, "sqrtps", "sqrtpd", "sqrtss", "sqrtsd");
	CASE4(0x58, "addps", "addpd", "addss", "addsd");
	CASE4(0x59, "mulps", "mulpd", "mulss", "mulsd");
	CASE4(0x5c, "subps", "subpd", "subss", "subsd");
	CASE4(0x5d, "minps", "minpd", "minss", "minsd");
	CASE4(0x5e, "divps", "divpd", "divss", "divsd");
	CASE4(0x5f, "maxps", "maxpd", "maxss", "maxsd");
	CASE4(0x5a, "cvtps2pd", "cvtpd2ps", "cvtss2sd", "cvtsd2ss");
	case 0x52:
		if (pfx == X86_PFX_NONE) HOST2("rsqrtps");
		else if (pfx == X86_PFX_F3) HOST2("rsqrtss");
		else return false;
		return true;
	case 0x53:
		if (pfx == X86_PFX_NONE) HOST2("rcpps");
		else if (pfx == X86_PFX_F3) HOST2("rcpss");
		else return false;
		return true;
	case 0x5b:
		if (pfx == X86_PFX_NONE) HOST2("cvtdq2ps");
		else if (pfx == X86_PFX_66) HOST2("cvtps2dq");
		else if (pfx == X86_PFX_F3) HOST2("cvttps2dq");
		else return false;
		return true;
	case 0xe6:
		if (pfx == X86_PFX_66) HOST2("cvttpd2dq");
		else if (pfx == X86_PFX_F3) HOST2("cvtdq2pd");
		else if (pfx == X86_PFX_F2) HOST2("cvtpd2dq");
		else return false;
		return true;
	}
	return false;
}

#define CMPI(insn, k) case k: __asm__ volatile(insn " $" #k ", %1, %0" : "+x"(d->v) : "x"(s->v)); break
#define CMP8(insn) \
	switch (imm & 7) { \
	CMPI(insn, 0); CMPI(insn, 1); CMPI(insn, 2); CMPI(insn, 3); \
	CMPI(insn, 4); CMPI(insn, 5); CMPI(insn, 6); CMPI(insn, 7); \
	}

static void host_cmp(uint8_t pfx, union x86_vec *d, const union x86_vec *s, uint8_t imm)
{
	switch (pfx) {
	case X86_PFX_NONE: CMP8("cmpps"); break;
	case X86_PFX_66: CMP8("cmppd"); break;
	case X86_PFX_F3: CMP8("cmpss"); break;
	default: CMP8("cmpsd"); break;
	}
}

/* Scalar operand sizes by prefix: F3 float, F2 double. */
static unsigned scalar_len(uint8_t pfx)
{
	return pfx == X86_PFX_F3 ? 4 : pfx == X86_PFX_F2 ? 8 : 16;
}

static void fp_arith(struct x86_cpu *c, const struct x86_insn *i)
{
	union x86_vec d = c->fpu.xmm[i->reg], s;
	unsigned len = scalar_len(i->pfx);
	uint8_t pfx = i->pfx;

	/* Conversions whose source size is not the prefix's scalar size. */
	if (i->op == 0x5a && pfx == X86_PFX_NONE)
		len = 8;            /* CVTPS2PD: two floats */
	else if (i->op == 0x5b)
		len = 16;           /* CVTDQ2PS, CVTPS2DQ, CVTTPS2DQ */
	else if (i->op == 0xe6)
		len = pfx == X86_PFX_F3 ? 8 : 16; /* CVTDQ2PD reads two dwords */
	vec_rm(c, i, &s, len, len == 16);
	uint32_t host = host_mxcsr_enter(c->fpu.mxcsr);
	bool ok = i->op == 0xc2 ? (host_cmp(pfx, &d, &s, (uint8_t)i->imm), true)
				: host_fp(i->op, pfx, &d, &s);
	uint32_t flags = host_mxcsr_leave(host);
	if (!ok)
		x86_unimplemented(c, i);
	fp_flags(c, flags);
	c->fpu.xmm[i->reg] = d;
}

/* COMISS/UCOMISS/COMISD/UCOMISD: ZF PF CF; OF SF AF cleared. */
static void fp_compare(struct x86_cpu *c, const struct x86_insn *i)
{
	union x86_vec a = c->fpu.xmm[i->reg], b;
	bool dbl = i->pfx == X86_PFX_66, signal = i->op == 0x2f;
	bool z, p, cf;

	vec_rm(c, i, &b, dbl ? 8 : 4, false);
	uint32_t host = host_mxcsr_enter(c->fpu.mxcsr);
	if (dbl && signal)
		__asm__ volatile("comisd %3, %4" : "=@ccz"(z), "=@ccp"(p), "=@ccc"(cf) : "x"(b.v), "x"(a.v));
	else if (dbl)
		__asm__ volatile("ucomisd %3, %4" : "=@ccz"(z), "=@ccp"(p), "=@ccc"(cf) : "x"(b.v), "x"(a.v));
	else if (signal)
		__asm__ volatile("comiss %3, %4" : "=@ccz"(z), "=@ccp"(p), "=@ccc"(cf) : "x"(b.v), "x"(a.v));
	else
		__asm__ volatile("ucomiss %3, %4" : "=@ccz"(z), "=@ccp"(p), "=@ccc"(cf) : "x"(b.v), "x"(a.v));
	fp_flags(c, host_mxcsr_leave(host));
	x86_set_arith(c, (z ? X86_ZF : 0) | (p ? X86_PF : 0) | (cf ? X86_CF : 0));
}

/* CVTSI2SS/SD (2A), CVTTSS2SI/CVTTSD2SI (2C), CVTSS2SI/CVTSD2SI (2D). */
static void fp_convert_gpr(struct x86_cpu *c, const struct x86_insn *i)
{
	bool dbl = i->pfx == X86_PFX_F2, w = i->opsize == 8;
	union x86_vec v = c->fpu.xmm[i->reg];
	uint64_t g = 0;

	if (i->pfx != X86_PFX_F3 && i->pfx != X86_PFX_F2)
		x86_unimplemented(c, i); /* MMX conversions */
	if (i->op == 0x2a) {
		g = x86_rm_read(c, i, w ? 8 : 4);
		uint32_t host = host_mxcsr_enter(c->fpu.mxcsr);
		if (dbl && w) __asm__ volatile("cvtsi2sdq %1, %0" : "+x"(v.v) : "r"(g));
		else if (dbl) __asm__ volatile("cvtsi2sdl %1, %0" : "+x"(v.v) : "r"((uint32_t)g));
		else if (w) __asm__ volatile("cvtsi2ssq %1, %0" : "+x"(v.v) : "r"(g));
		else __asm__ volatile("cvtsi2ssl %1, %0" : "+x"(v.v) : "r"((uint32_t)g));
		fp_flags(c, host_mxcsr_leave(host));
		c->fpu.xmm[i->reg] = v;
		return;
	}
	union x86_vec s;
	vec_rm(c, i, &s, dbl ? 8 : 4, false);
	bool trunc = i->op == 0x2c;
	uint32_t host = host_mxcsr_enter(c->fpu.mxcsr);
	if (dbl) {
		if (trunc && w) __asm__ volatile("cvttsd2si %1, %0" : "=r"(g) : "x"(s.v));
		else if (trunc) { uint32_t t; __asm__ volatile("cvttsd2si %1, %0" : "=r"(t) : "x"(s.v)); g = t; }
		else if (w) __asm__ volatile("cvtsd2si %1, %0" : "=r"(g) : "x"(s.v));
		else { uint32_t t; __asm__ volatile("cvtsd2si %1, %0" : "=r"(t) : "x"(s.v)); g = t; }
	} else {
		if (trunc && w) __asm__ volatile("cvttss2si %1, %0" : "=r"(g) : "x"(s.v));
		else if (trunc) { uint32_t t; __asm__ volatile("cvttss2si %1, %0" : "=r"(t) : "x"(s.v)); g = t; }
		else if (w) __asm__ volatile("cvtss2si %1, %0" : "=r"(g) : "x"(s.v));
		else { uint32_t t; __asm__ volatile("cvtss2si %1, %0" : "=r"(t) : "x"(s.v)); g = t; }
	}
	fp_flags(c, host_mxcsr_leave(host));
	x86_reg_set(c, i->reg, w ? 8 : 4, g, i);
}

/* ---- moves and shuffles ---- */

static void mov_ops(struct x86_cpu *c, const struct x86_insn *i)
{
	union x86_vec *r = &c->fpu.xmm[i->reg], s;
	bool mem = i->flags & X86_I_MEM;
	uint8_t op = i->op, pfx = i->pfx;

	switch (op) {
	case 0x10: case 0x28: case 0x6f: /* loads: MOVUPS/PD MOVSS/SD MOVAPS/PD MOVDQA/U */
		if (op == 0x10 && (pfx == X86_PFX_F3 || pfx == X86_PFX_F2)) {
			unsigned len = scalar_len(pfx);
			vec_rm(c, i, &s, len, false);
			if (mem)
				*r = s;
			else
				memcpy(r->b, s.b, len);
			return;
		}
		vec_rm(c, i, &s, 16, op == 0x28 || (op == 0x6f && pfx == X86_PFX_66));
		*r = s;
		return;
	case 0x11: case 0x29: case 0x7f: case 0x2b: case 0xe7: { /* stores */
		unsigned len = op == 0x11 ? scalar_len(pfx) : 16;
		bool aligned = op == 0x29 || op == 0x2b || op == 0xe7 ||
			       (op == 0x7f && pfx == X86_PFX_66);
		if (!mem) {
			if (op == 0x2b || op == 0xe7)
				x86_ud(c);
			memcpy(c->fpu.xmm[i->rm].b, r->b, len);
			return;
		}
		vec_store(c, i, r->b, len, aligned);
		return;
	}
	case 0x12: case 0x16: /* MOVLPS/PD, MOVHPS/PD, MOVHLPS, MOVLHPS */
		if (pfx == X86_PFX_F3 || pfx == X86_PFX_F2)
			x86_unimplemented(c, i); /* SSE3 */
		if (!mem) {
			if (pfx == X86_PFX_66)
				x86_ud(c);
			s = c->fpu.xmm[i->rm];
			if (op == 0x12)
				r->q[0] = s.q[1];
			else
				r->q[1] = s.q[0];
			return;
		}
		vec_rm(c, i, &s, 8, false);
		r->q[op == 0x12 ? 0 : 1] = s.q[0];
		return;
	case 0x13: case 0x17:
		if (!mem || pfx > X86_PFX_66)
			x86_ud(c);
		vec_store(c, i, &r->q[op == 0x13 ? 0 : 1], 8, false);
		return;
	case 0x6e: /* MOVD/MOVQ xmm, r/m */
		memset(r, 0, sizeof(*r));
		r->q[0] = x86_rm_read(c, i, i->opsize == 8 ? 8 : 4);
		return;
	case 0x7e:
		if (pfx == X86_PFX_F3) { /* MOVQ xmm, xmm/m64 */
			vec_rm(c, i, &s, 8, false);
			r->q[0] = s.q[0];
			r->q[1] = 0;
			return;
		}
		x86_rm_write(c, i, i->opsize == 8 ? 8 : 4, r->q[0]);
		return;
	case 0xd6: /* MOVQ xmm/m64, xmm */
		if (mem) {
			vec_store(c, i, &r->q[0], 8, false);
		} else {
			c->fpu.xmm[i->rm].q[0] = r->q[0];
			c->fpu.xmm[i->rm].q[1] = 0;
		}
		return;
	}
	x86_unimplemented(c, i);
}

static void shuffle_ops(struct x86_cpu *c, const struct x86_insn *i)
{
	union x86_vec *r = &c->fpu.xmm[i->reg], s, t;
	uint8_t imm = (uint8_t)i->imm;

	switch (i->op) {
	case 0x14: case 0x15: /* UNPCKLPS/PD, UNPCKHPS/PD */
		vec_rm(c, i, &s, 16, true);
		t = *r;
		if (i->pfx == X86_PFX_66) {
			r->q[0] = i->op == 0x14 ? t.q[0] : t.q[1];
			r->q[1] = i->op == 0x14 ? s.q[0] : s.q[1];
		} else {
			unsigned b = i->op == 0x14 ? 0 : 2;
			r->d[0] = t.d[b];
			r->d[1] = s.d[b];
			r->d[2] = t.d[b + 1];
			r->d[3] = s.d[b + 1];
		}
		return;
	case 0xc6: /* SHUFPS, SHUFPD */
		vec_rm(c, i, &s, 16, true);
		t = *r;
		if (i->pfx == X86_PFX_66) {
			r->q[0] = t.q[imm & 1];
			r->q[1] = s.q[(imm >> 1) & 1];
		} else {
			r->d[0] = t.d[imm & 3];
			r->d[1] = t.d[(imm >> 2) & 3];
			r->d[2] = s.d[(imm >> 4) & 3];
			r->d[3] = s.d[(imm >> 6) & 3];
		}
		return;
	case 0x70:
		vec_rm(c, i, &s, 16, true);
		sse_pshuf(i->pfx, r, &s, imm);
		return;
	case 0xc4: /* PINSRW */
		r->w[imm & 7] = (uint16_t)x86_rm_read(c, i, 2);
		return;
	case 0xc5: /* PEXTRW */
		if (i->flags & X86_I_MEM)
			x86_ud(c);
		x86_reg_set(c, i->reg, i->opsize == 8 ? 8 : 4,
			    c->fpu.xmm[i->rm].w[imm & 7], i);
		return;
	case 0x50: { /* MOVMSKPS/PD */
		uint32_t m = 0;
		s = c->fpu.xmm[i->rm];
		if (i->pfx == X86_PFX_66)
			m = (uint32_t)((s.q[0] >> 63) | ((s.q[1] >> 63) << 1));
		else
			for (unsigned k = 0; k < 4; k++)
				m |= (s.d[k] >> 31) << k;
		x86_reg_set(c, i->reg, i->opsize == 8 ? 8 : 4, m, i);
		return;
	}
	case 0xd7: { /* PMOVMSKB */
		uint32_t m = 0;
		s = c->fpu.xmm[i->rm];
		for (unsigned k = 0; k < 16; k++)
			m |= (uint32_t)(s.b[k] >> 7) << k;
		x86_reg_set(c, i->reg, i->opsize == 8 ? 8 : 4, m, i);
		return;
	}
	case 0x71: case 0x72: case 0x73: { /* shifts by immediate */
		unsigned regop = x86_modrm_regop(i);
		union x86_vec *d = &c->fpu.xmm[i->rm];
		unsigned esz = i->op == 0x71 ? 2 : i->op == 0x72 ? 4 : 8;
		if (i->op == 0x73 && (regop == 3 || regop == 7)) {
			sse_byte_shift(d, regop == 7, imm);
			return;
		}
		if (regop == 2)
			sse_shift(d, esz, 0, imm);
		else if (regop == 4 && esz != 8)
			sse_shift(d, esz, 1, imm);
		else if (regop == 6)
			sse_shift(d, esz, 2, imm);
		else
			x86_ud(c);
		return;
	}
	}
	x86_unimplemented(c, i);
}

void sse_masked_store(struct x86_cpu *c, const struct x86_insn *i,
		      const uint8_t *data, const uint8_t *mask, unsigned len)
{
	uint64_t off = c->gpr[X86_RDI] & x86_size_mask(i->adsize);
	/* A zero mask still raises the segment and canonical faults (SDM:
	 * "a zero byte mask does not prevent addressing faults"); page
	 * faults are implementation-specific: only pages holding a selected
	 * byte are touched. */
	uint64_t la = x86_linear(c, i->seg, off, len, X86_SEG_WRITE);

	for (unsigned k = 0; k < len;) {
		if (!(mask[k] & 0x80)) {
			k++;
			continue;
		}
		unsigned n = 1;
		while (k + n < len && (mask[k + n] & 0x80))
			n++;
		/* The address wraps within the segment's address size like
		 * the string instructions' (outside 64-bit mode). */
		uint64_t a = la + k;
		if (c->mode != X86_MODE_LONG64)
			a &= 0xffffffffull;
		x86_write_lin(c, a, data + k, n, X86_ACC_DATA);
		k += n;
	}
}

/* MASKMOVDQU xmm1, xmm2 (66 0F F7 /r, registers only): the bytes of xmm1
 * whose byte in xmm2 has its top bit set go to DS:rDI. */
static void maskmovdqu(struct x86_cpu *c, const struct x86_insn *i)
{
	if (i->flags & X86_I_MEM)
		x86_ud(c);
	union x86_vec d = c->fpu.xmm[i->reg], m = c->fpu.xmm[i->rm];
	sse_masked_store(c, i, d.b, m.b, 16);
}

static void logic_ps(struct x86_cpu *c, const struct x86_insn *i)
{
	union x86_vec *r = &c->fpu.xmm[i->reg], s;

	vec_rm(c, i, &s, 16, true);
	for (unsigned k = 0; k < 2; k++) {
		switch (i->op) {
		case 0x54: r->q[k] &= s.q[k]; break;
		case 0x55: r->q[k] = ~r->q[k] & s.q[k]; break;
		case 0x56: r->q[k] |= s.q[k]; break;
		default: r->q[k] ^= s.q[k]; break;
		}
	}
}

void x86_op_sse(struct x86_cpu *c, const struct x86_insn *i)
{
	uint8_t op = i->op, pfx = i->pfx;

	if (op == 0x77) { /* EMMS (like other MMX instructions it leaves TOP at 0) */
		x86_mmx(c, i);
		return;
	}
	/* Packed-integer opcodes need 66 here; without it they are MMX. */
	bool intop = (op >= 0x60 && op <= 0x6d) || (op >= 0x74 && op <= 0x76) ||
		     (op >= 0xd1 && op <= 0xfe && op != 0xd6 && op != 0xd7 &&
		      op != 0xe6 && op != 0xe7 && op != 0xf7);
	bool mmx_form = (op >= 0x6e && op <= 0x73) || op == 0x7e || op == 0x7f ||
			op == 0xc4 || op == 0xc5 || op == 0xd7 || op == 0xe7 || op == 0xf7;
	if (pfx == X86_PFX_NONE && ((intop && op != 0x6c && op != 0x6d) || mmx_form)) {
		x86_mmx(c, i);
		return;
	}
	sse_check(c);
	if (intop) {
		if (pfx != X86_PFX_66)
			x86_unimplemented(c, i);
		union x86_vec s;
		vec_rm(c, i, &s, 16, true);
		if (!sse_int_op(op, &c->fpu.xmm[i->reg], &s))
			x86_unimplemented(c, i);
		return;
	}
	switch (op) {
	case 0x10: case 0x11: case 0x12: case 0x13: case 0x16: case 0x17:
	case 0x28: case 0x29: case 0x2b: case 0xd6: case 0xe7:
		if ((op == 0xd6 || op == 0xe7) && pfx != X86_PFX_66)
			x86_unimplemented(c, i);
		if ((op == 0x28 || op == 0x29 || op == 0x2b) && pfx > X86_PFX_66)
			x86_ud(c);
		mov_ops(c, i);
		return;
	case 0x6e: case 0x7e: case 0x6f: case 0x7f:
		if (pfx == X86_PFX_NONE || (pfx == X86_PFX_F2) ||
		    (pfx == X86_PFX_F3 && (op == 0x6e)))
			x86_unimplemented(c, i);
		mov_ops(c, i);
		return;
	case 0x14: case 0x15: case 0xc6: case 0x50:
		if (pfx > X86_PFX_66)
			x86_ud(c);
		shuffle_ops(c, i);
		return;
	case 0x70: case 0x71: case 0x72: case 0x73: case 0xc4: case 0xc5: case 0xd7:
		if (pfx == X86_PFX_NONE || (op != 0x70 && pfx != X86_PFX_66))
			x86_unimplemented(c, i);
		shuffle_ops(c, i);
		return;
	case 0x54: case 0x55: case 0x56: case 0x57:
		if (pfx > X86_PFX_66)
			x86_ud(c);
		logic_ps(c, i);
		return;
	case 0x2e: case 0x2f:
		if (pfx > X86_PFX_66)
			x86_ud(c);
		fp_compare(c, i);
		return;
	case 0x2a: case 0x2c: case 0x2d:
		fp_convert_gpr(c, i);
		return;
	case 0x51: case 0x52: case 0x53: case 0x58: case 0x59: case 0x5a:
	case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f: case 0xc2:
	case 0xe6:
		fp_arith(c, i);
		return;
	case 0xf7:
		if (pfx != X86_PFX_66)
			x86_ud(c);
		maskmovdqu(c, i);
		return;
	case 0xc3: /* MOVNTI */
		if (!(i->flags & X86_I_MEM) || pfx != X86_PFX_NONE)
			x86_ud(c);
		x86_write(c, i->seg, x86_ea(c, i), i->opsize == 8 ? 8 : 4,
			  c->gpr[i->reg]);
		return;
	}
	x86_unimplemented(c, i);
}
