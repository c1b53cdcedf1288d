/* MUL, IMUL (one-, two- and three-operand), DIV, IDIV.
 *
 * Multiply flags: CF = OF = "the result did not fit"; SF, ZF, AF and PF
 * are undefined by the SDM and follow the reference CPU (see
 * mul_flags). Divide sets the flags as the reference CPU does, and
 * raises #DE for a zero divisor or a quotient that does not fit.
 */
#include "accel/soft/cpu_internal.h"

typedef unsigned __int128 u128;
typedef __int128 s128;

/* Flags after a multiply that overflowed or not. SF, ZF, AF and PF are
 * left as they were, as the reference CPU (AMD Zen) does. */
static void mul_flags(struct x86_cpu *c, unsigned size, uint64_t lo, bool ovf)
{
	uint32_t f = x86_arith(c) & ~(X86_CF | X86_OF);
	if (ovf)
		f |= X86_CF | X86_OF;
	x86_set_arith(c, f);
}

/* Store a double-width product: AX for bytes, DX:AX, EDX:EAX, RDX:RAX. */
static void store_wide(struct x86_cpu *c, const struct x86_insn *i,
		       unsigned size, uint64_t lo, uint64_t hi)
{
	if (size == 1) {
		x86_reg_set(c, X86_RAX, 2, (lo & 0xff) | ((hi & 0xff) << 8), i);
		return;
	}
	x86_reg_set(c, X86_RAX, size, lo, i);
	x86_reg_set(c, X86_RDX, size, hi, i);
}

static void mul(struct x86_cpu *c, const struct x86_insn *i, uint64_t src,
		bool sign)
{
	unsigned sz = i->opsize, bits = 8 * sz;
	uint64_t m = x86_size_mask(sz);
	uint64_t a = x86_reg_get(c, X86_RAX, sz, i);
	uint64_t lo, hi;
	bool ovf;

	if (sign) {
		s128 p = (s128)(int64_t)x86_sext(a, sz) * (int64_t)x86_sext(src, sz);
		lo = (uint64_t)p & m;
		hi = (uint64_t)(p >> bits) & m;
		ovf = p != (s128)(int64_t)x86_sext(lo, sz);
	} else {
		u128 p = (u128)a * src;
		lo = (uint64_t)p & m;
		hi = (uint64_t)(p >> bits) & m;
		ovf = hi != 0;
	}
	store_wide(c, i, sz, lo, hi);
	mul_flags(c, sz, lo, ovf);
}

static void div(struct x86_cpu *c, const struct x86_insn *i, uint64_t src,
		bool sign)
{
	unsigned sz = i->opsize, bits = 8 * sz;
	uint64_t m = x86_size_mask(sz), q, r;
	u128 n;

	if (sz == 1)
		n = c->gpr[X86_RAX] & 0xffff;
	else
		n = ((u128)(c->gpr[X86_RDX] & m) << bits) | (c->gpr[X86_RAX] & m);
	if (!src)
		x86_raise_noerr(c, X86_EXC_DE);
	if (sign) {
		/* Sign-extend the 2*bits dividend. */
		unsigned sh = 128 - 2 * bits;
		s128 sn = (s128)(n << sh) >> sh;
		s128 sd = (int64_t)x86_sext(src, sz);
		s128 lim = (s128)((u128)1 << (bits - 1));
		s128 sq, sr;
		if (sd == -1) {
			/* -sn must fit; also keeps -INT128_MIN from happening. */
			if (sn <= -lim || sn > lim)
				x86_raise_noerr(c, X86_EXC_DE);
			sq = -sn;
			sr = 0;
		} else {
			sq = sn / sd;
			sr = sn % sd;
		}
		if (sq >= lim || sq < -lim)
			x86_raise_noerr(c, X86_EXC_DE);
		q = (uint64_t)sq & m;
		r = (uint64_t)sr & m;
	} else {
		u128 uq = n / src;
		if (uq > m)
			x86_raise_noerr(c, X86_EXC_DE);
		q = (uint64_t)uq;
		r = (uint64_t)(n % src);
	}
	if (sz == 1)
		x86_reg_set(c, X86_RAX, 2, q | (r << 8), i);
	else {
		x86_reg_set(c, X86_RAX, sz, q, i);
		x86_reg_set(c, X86_RDX, sz, r, i);
	}
	/* Undefined by the SDM; the reference CPU keeps CF and OF, sets AF
	 * and clears SF, ZF and PF. */
	x86_set_arith(c, (x86_arith(c) & (X86_CF | X86_OF)) | X86_AF);
}

void x86_op_muldiv(struct x86_cpu *c, const struct x86_insn *i)
{
	uint64_t src = x86_rm_read(c, i, i->opsize);

	switch (x86_modrm_regop(i)) {
	case 4: mul(c, i, src, false); break;
	case 5: mul(c, i, src, true); break;
	case 6: div(c, i, src, false); break;
	default: div(c, i, src, true); break;
	}
}

/* IMUL r, r/m (0F AF) and IMUL r, r/m, imm (69, 6B): truncated product. */
void x86_op_imul(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;
	uint64_t a = x86_rm_read(c, i, sz), b;

	if (i->map == X86_MAP_0F)
		b = x86_reg_get(c, i->reg, sz, i);
	else
		b = x86_imm_sext(i);
	s128 p = (s128)(int64_t)x86_sext(a, sz) * (int64_t)x86_sext(b, sz);
	uint64_t lo = (uint64_t)p & x86_size_mask(sz);
	x86_reg_set(c, i->reg, sz, lo, i);
	mul_flags(c, sz, lo, p != (s128)(int64_t)x86_sext(lo, sz));
}
