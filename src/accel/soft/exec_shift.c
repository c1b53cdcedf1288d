/* Shifts and rotates: ROL ROR RCL RCR SHL SHR SAR and SHLD/SHRD.
 *
 * Flags the SDM leaves undefined (OF for counts above 1, AF, CF once the
 * count reaches the operand width) follow what the reference CPU (AMD
 * Zen, the host tests/unit/test_soft_native.c compares with) produces:
 * SHL/SHR/SAR set AF.
 */
#include "accel/soft/cpu_internal.h"

enum { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAL, SH_SAR };

static uint64_t msb(uint64_t v, unsigned size)
{
	return (v >> (8 * size - 1)) & 1;
}

/* Returns the result and sets the flags; `count` is already masked and
 * non-zero. */
static uint64_t shift(struct x86_cpu *c, unsigned op, unsigned size,
		      uint64_t v, unsigned count)
{
	unsigned bits = 8 * size;
	uint64_t m = x86_size_mask(size), r, cf, of;
	/* Rotates keep SF ZF AF PF; the shifts set all six. */
	uint32_t f = op < SH_SHL ? x86_arith(c) : 0;

	v &= m;
	switch (op) {
	case SH_ROL: {
		unsigned n = count % bits;
		r = n ? ((v << n) | (v >> (bits - n))) & m : v;
		cf = r & 1;
		of = msb(r, size) ^ cf;
		f = (f & ~(X86_CF | X86_OF)) | (cf ? X86_CF : 0) | (of ? X86_OF : 0);
		break;
	}
	case SH_ROR: {
		unsigned n = count % bits;
		r = n ? ((v >> n) | (v << (bits - n))) & m : v;
		cf = msb(r, size);
		of = cf ^ msb(r << 1, size);
		f = (f & ~(X86_CF | X86_OF)) | (cf ? X86_CF : 0) | (of ? X86_OF : 0);
		break;
	}
	case SH_RCL: case SH_RCR: {
		unsigned n = count % (bits + 1);
		cf = f & X86_CF ? 1 : 0;
		r = v;
		for (unsigned k = 0; k < n; k++) {
			uint64_t out;
			if (op == SH_RCL) {
				out = msb(r, size);
				r = ((r << 1) | cf) & m;
			} else {
				out = r & 1;
				r = (r >> 1) | (cf << (bits - 1));
			}
			cf = out;
		}
		if (op == SH_RCL)
			of = msb(r, size) ^ cf;
		else
			of = msb(r, size) ^ msb(r << 1, size);
		f = (f & ~(X86_CF | X86_OF)) | (cf ? X86_CF : 0) | (of ? X86_OF : 0);
		break;
	}
	case SH_SHL: case SH_SAL:
		if (count < 64) {
			r = (v << count) & m;
			cf = count <= bits ? (v >> (bits - count)) & 1 : 0;
		} else {
			r = 0;
			cf = 0;
		}
		of = msb(r, size) ^ cf;
		f = x86_szp(r, size) | (cf ? X86_CF : 0) | (of ? X86_OF : 0) | X86_AF;
		break;
	case SH_SHR:
		r = count < 64 ? v >> count : 0;
		cf = count <= 64 ? (v >> (count - 1)) & 1 : 0;
		of = count == 1 ? msb(v, size) : 0;
		f = x86_szp(r, size) | (cf ? X86_CF : 0) | (of ? X86_OF : 0) | X86_AF;
		break;
	default: { /* SAR */
		int64_t s = (int64_t)x86_sext(v, size);
		unsigned n = count > 63 ? 63 : count;
		r = (uint64_t)(s >> n) & m;
		cf = (uint64_t)(s >> (n - 1)) & 1;
		f = x86_szp(r, size) | (cf ? X86_CF : 0) | X86_AF;
		break;
	}
	}
	x86_set_arith(c, f);
	return r;
}

void x86_op_shift(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize, op = x86_modrm_regop(i), count;

	if (i->op == 0xc0 || i->op == 0xc1)
		count = (unsigned)i->imm;
	else if (i->op == 0xd0 || i->op == 0xd1)
		count = 1;
	else
		count = (unsigned)c->gpr[X86_RCX];
	count &= sz == 8 ? 0x3f : 0x1f;

	if (i->flags & X86_I_MEM) {
		uint64_t off = x86_ea(c, i);
		if (!count) {
			x86_read(c, i->seg, off, sz);
			return;
		}
		uint64_t v = x86_read_rmw(c, i->seg, off, sz);
		x86_write(c, i->seg, off, sz, shift(c, op, sz, v, count));
	} else {
		/* Even a zero count writes the register (a 32-bit one is
		 * zero-extended). */
		uint64_t v = x86_reg_get(c, i->rm, sz, i);
		x86_reg_set(c, i->rm, sz, count ? shift(c, op, sz, v, count) : v, i);
	}
}

/* SHLD/SHRD: dst shifted, vacated bits filled from src. A 16-bit count
 * above 16 keeps shifting through the chains d:s:s (left) and s:s:d
 * (right), as the reference CPU does, with CF clear. OF follows the
 * reference CPU for every count: SHLD msb(result) ^ CF (CF itself for a
 * 16-bit count of 16 or more), SHRD the top two result bits; AF is set. */
static uint64_t shxd(struct x86_cpu *c, bool left, unsigned size, uint64_t d,
		     uint64_t s, unsigned count)
{
	unsigned bits = 8 * size;
	uint64_t m = x86_size_mask(size), r, cf, of;

	d &= m;
	s &= m;
	if (size == 2) {
		uint64_t w = left ? (d << 32) | (s << 16) | s : (s << 32) | (s << 16) | d;
		if (left) {
			r = (w >> (32 - count)) & m;
			cf = (w >> (48 - count)) & 1;
		} else {
			r = (w >> count) & m;
			cf = (w >> (count - 1)) & 1;
		}
	} else if (left) {
		r = ((d << count) | (s >> (bits - count))) & m;
		cf = (d >> (bits - count)) & 1;
	} else {
		r = ((d >> count) | (s << (bits - count))) & m;
		cf = (d >> (count - 1)) & 1;
	}
	if (size == 2 && count > 16)
		cf = 0;
	if (left)
		of = size == 2 && count >= 16 ? cf : msb(r, size) ^ cf;
	else
		of = msb(r, size) ^ msb(r << 1, size);
	x86_set_arith(c, x86_szp(r, size) | X86_AF | (cf ? X86_CF : 0) | (of ? X86_OF : 0));
	return r;
}

void x86_op_shxd(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;
	bool left = i->op < 0xa8;
	unsigned count = (i->op & 1) ? (unsigned)c->gpr[X86_RCX] : (unsigned)i->imm;
	uint64_t src = x86_reg_get(c, i->reg, sz, i);

	count &= sz == 8 ? 0x3f : 0x1f;
	if (i->flags & X86_I_MEM) {
		uint64_t off = x86_ea(c, i);
		if (!count) {
			x86_read(c, i->seg, off, sz);
			return;
		}
		uint64_t v = x86_read_rmw(c, i->seg, off, sz);
		x86_write(c, i->seg, off, sz, shxd(c, left, sz, v, src, count));
	} else {
		uint64_t v = x86_reg_get(c, i->rm, sz, i);
		x86_reg_set(c, i->rm, sz, count ? shxd(c, left, sz, v, src, count) : v, i);
	}
}
