/* Lazy arithmetic flags: the last flag-setting operation is remembered as
 * (cc_op, size, result, operands) and CF/PF/AF/ZF/SF/OF are computed only
 * when something reads them. Operations with irregular flags (shifts,
 * multiplies, bit scans) compute them eagerly into RFLAGS (CC_EAGER).
 */
#include "accel/soft/cpu_internal.h"

uint32_t x86_szp(uint64_t res, unsigned size)
{
	uint32_t f = 0;

	res &= x86_size_mask(size);
	if (!res)
		f |= X86_ZF;
	if (res & x86_sign_bit(size))
		f |= X86_SF;
	if (!__builtin_parity((unsigned)(res & 0xff)))
		f |= X86_PF;
	return f;
}

uint32_t x86_cc_compute(const struct x86_cpu *c)
{
	unsigned sz = c->cc_size;
	uint64_t m = x86_size_mask(sz), sb = x86_sign_bit(sz);
	uint64_t r = c->cc_res & m, a = c->cc_src1 & m, b = c->cc_src2 & m;
	uint32_t f = x86_szp(r, sz);

	switch (c->cc_op) {
	case CC_EAGER:
		return (uint32_t)c->rflags & X86_ARITH_FLAGS;
	case CC_ADD:
		if (r < a)
			f |= X86_CF;
		goto add_of;
	case CC_ADC:
		if (c->cc_aux ? r <= a : r < a)
			f |= X86_CF;
	add_of:
		if ((a ^ r) & (b ^ r) & sb)
			f |= X86_OF;
		f |= (uint32_t)((a ^ b ^ r) & X86_AF);
		break;
	case CC_SUB:
		if (a < b)
			f |= X86_CF;
		goto sub_of;
	case CC_SBB:
		if (c->cc_aux ? a <= b : a < b)
			f |= X86_CF;
	sub_of:
		if ((a ^ b) & (a ^ r) & sb)
			f |= X86_OF;
		f |= (uint32_t)((a ^ b ^ r) & X86_AF);
		break;
	case CC_LOGIC:
		break;
	case CC_SHIFT:
		f |= X86_AF | (c->cc_aux & 1 ? X86_CF : 0) | (c->cc_aux & 2 ? X86_OF : 0);
		break;
	case CC_INC:
		if (r == sb)
			f |= X86_OF;
		if (!(r & 0xf))
			f |= X86_AF;
		f |= c->cc_aux ? X86_CF : 0;
		break;
	case CC_DEC:
		if (r == sb - 1)
			f |= X86_OF;
		if ((r & 0xf) == 0xf)
			f |= X86_AF;
		f |= c->cc_aux ? X86_CF : 0;
		break;
	}
	return f;
}

bool x86_cond(struct x86_cpu *c, unsigned cc)
{
	bool r;

	/* The common case, a compare then a branch, without all six flags. */
	if (c->cc_op == CC_SUB) {
		unsigned sz = c->cc_size;
		uint64_t m = x86_size_mask(sz);
		uint64_t a = c->cc_src1 & m, b = c->cc_src2 & m;
		int64_t sa = (int64_t)x86_sext(a, sz), sb = (int64_t)x86_sext(b, sz);

		switch (cc >> 1) {
		case 1: r = a < b; goto out;             /* B */
		case 2: r = a == b; goto out;            /* E */
		case 3: r = a <= b; goto out;            /* BE */
		case 6: r = sa < sb; goto out;           /* L */
		case 7: r = sa <= sb; goto out;          /* LE */
		}
	}

	/* Zero and sign tests need only the result. */
	if (c->cc_op != CC_EAGER && ((cc >> 1) == 2 || (cc >> 1) == 4)) {
		uint64_t res = c->cc_res & x86_size_mask(c->cc_size);
		r = (cc >> 1) == 2 ? res == 0 : (res & x86_sign_bit(c->cc_size)) != 0;
		goto out;
	}

	uint32_t f = x86_arith(c);
	switch (cc >> 1) {
	case 0: r = f & X86_OF; break;
	case 1: r = f & X86_CF; break;
	case 2: r = f & X86_ZF; break;
	case 3: r = f & (X86_CF | X86_ZF); break;
	case 4: r = f & X86_SF; break;
	case 5: r = f & X86_PF; break;
	case 6: r = !(f & X86_SF) != !(f & X86_OF); break;
	default: r = (f & X86_ZF) || (!(f & X86_SF) != !(f & X86_OF)); break;
	}
out:
	return (cc & 1) ? !r : r;
}

uint64_t x86_cpu_get_rflags(struct x86_cpu *c)
{
	if (c->cc_op != CC_EAGER) {
		c->rflags = (c->rflags & ~(uint64_t)X86_ARITH_FLAGS) | x86_cc_compute(c);
		c->cc_op = CC_EAGER;
	}
	return c->rflags | 2;
}

void x86_cpu_set_rflags(struct x86_cpu *c, uint64_t rflags)
{
	c->rflags = (rflags & 0x3f7fd5ull) | 2;
	c->cc_op = CC_EAGER;
}
