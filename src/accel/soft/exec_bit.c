/* Bit tests and scans: BT BTS BTR BTC, BSF BSR, POPCNT.
 *
 * TZCNT/LZCNT (F3 0F BC/BD) are not offered in CPUID, so like CPUs
 * without them they run as BSF/BSR.
 */
#include "accel/soft/cpu_internal.h"

void x86_op_bt(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize, bits = 8 * sz, op;
	uint64_t bit;

	if (i->op == 0xba) {
		op = x86_modrm_regop(i) - 4;     /* /4 BT, /5 BTS, /6 BTR, /7 BTC */
		if (x86_modrm_regop(i) < 4)
			x86_ud(c);
		bit = i->imm & (bits - 1);
	} else {
		op = (i->op >> 3) & 3;           /* A3 BT, AB BTS, B3 BTR, BB BTC */
		bit = x86_reg_get(c, i->reg, sz, i);
	}

	uint64_t v, off = 0;
	if (i->flags & X86_I_MEM) {
		off = x86_ea(c, i);
		if (i->op != 0xba) {
			/* A register bit offset is signed and reaches any
			 * operand-sized word around the address. */
			int64_t sbit = (int64_t)x86_sext(bit, sz);
			int64_t word = sbit >> (sz == 2 ? 4 : sz == 4 ? 5 : 6);
			off = (off + (uint64_t)(word * (int64_t)sz)) & x86_size_mask(i->adsize);
		}
		bit &= bits - 1;
		v = op ? x86_read_rmw(c, i->seg, off, sz) : x86_read(c, i->seg, off, sz);
	} else {
		bit &= bits - 1;
		v = x86_reg_get(c, i->rm, sz, i);
	}

	uint32_t f = x86_arith(c) & ~X86_CF;
	if ((v >> bit) & 1)
		f |= X86_CF;
	x86_set_arith(c, f);

	if (!op)
		return;
	if (op == 1)
		v |= 1ull << bit;
	else if (op == 2)
		v &= ~(1ull << bit);
	else
		v ^= 1ull << bit;
	if (i->flags & X86_I_MEM)
		x86_write(c, i->seg, off, sz, v);
	else
		x86_reg_set(c, i->rm, sz, v, i);
}

void x86_op_bitscan(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;
	uint64_t v = x86_rm_read(c, i, sz);

	if (i->op == 0xb8) { /* POPCNT */
		if (i->pfx != X86_PFX_F3)
			x86_ud(c);
		x86_reg_set(c, i->reg, sz, (uint64_t)__builtin_popcountll(v), i);
		x86_set_arith(c, v ? 0 : X86_ZF);
		return;
	}
	/* Flags the SDM leaves undefined are those of the reference CPU:
	 * CF OF SF AF clear, PF from the index (of 0 for a zero source). */
	if (!v) {
		/* Destination unchanged, as AMD documents and Intel does. */
		x86_set_arith(c, X86_ZF | X86_PF);
		return;
	}
	uint64_t r = i->op == 0xbc ? (uint64_t)__builtin_ctzll(v)
				   : (uint64_t)(63 - __builtin_clzll(v));
	x86_reg_set(c, i->reg, sz, r, i);
	x86_set_arith(c, x86_szp(r, 1) & X86_PF);
}
