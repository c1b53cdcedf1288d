/* Data movement: MOV, MOVZX/MOVSX/MOVSXD, LEA, XCHG, CMPXCHG,
 * CMPXCHG8B/16B, XADD, BSWAP, CMOVcc, SETcc, CBW/CWD families, XLAT,
 * MOV to/from segment registers, LDS/LES/LFS/LGS/LSS.
 */
#include "accel/soft/cpu_internal.h"

void x86_op_mov(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;

	switch (i->op) {
	case 0x88: case 0x89:
		x86_rm_write(c, i, sz, x86_reg_get(c, i->reg, sz, i));
		break;
	case 0x8a: case 0x8b:
		x86_reg_set(c, i->reg, sz, x86_rm_read(c, i, sz), i);
		break;
	case 0xc6: case 0xc7:
		if (x86_modrm_regop(i) != 0)
			x86_unimplemented(c, i); /* XABORT/XBEGIN: no RTM */
		x86_rm_write(c, i, sz, x86_imm_sext(i));
		break;
	case 0xa0: case 0xa1: /* AL/eAX, moffs */
		x86_reg_set(c, X86_RAX, sz, x86_read(c, i->seg, i->imm, sz), i);
		break;
	case 0xa2: case 0xa3:
		x86_write(c, i->seg, i->imm, sz, x86_reg_get(c, X86_RAX, sz, i));
		break;
	default: /* B0-BF: MOV r, imm */
		x86_reg_set(c, i->reg, sz, i->imm, i);
		break;
	}
}

void x86_op_movx(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;
	uint64_t v;

	if (i->map == X86_MAP_ONE) { /* 63: MOVSXD (64-bit mode only) */
		if (i->code_size != 64)
			x86_unimplemented(c, i); /* ARPL */
		v = x86_rm_read(c, i, sz == 8 ? 4 : sz);
		x86_reg_set(c, i->reg, sz, sz == 8 ? x86_sext(v, 4) : v, i);
		return;
	}
	unsigned ssz = (i->op & 1) ? 2 : 1;
	v = x86_rm_read(c, i, ssz);
	if (i->op >= 0xbe)
		v = x86_sext(v, ssz);
	x86_reg_set(c, i->reg, sz, v, i);
}

void x86_op_lea(struct x86_cpu *c, const struct x86_insn *i)
{
	if (!(i->flags & X86_I_MEM))
		x86_ud(c);
	x86_reg_set(c, i->reg, i->opsize, x86_ea(c, i), i);
}

void x86_op_xchg(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;

	if (i->op >= 0x90) { /* 90+r: XCHG eAX, r (90 without REX.B is NOP/PAUSE) */
		if (i->reg == 0) /* NOP, PAUSE: not even a 32-bit zero-extension */
			return;
		uint64_t a = x86_reg_get(c, X86_RAX, sz, i);
		uint64_t b = x86_reg_get(c, i->reg, sz, i);
		x86_reg_set(c, X86_RAX, sz, b, i);
		x86_reg_set(c, i->reg, sz, a, i);
		return;
	}
	uint64_t r = x86_reg_get(c, i->reg, sz, i);
	if (i->flags & X86_I_MEM) {
		uint64_t off = x86_ea(c, i);
		uint64_t m = x86_read_rmw(c, i->seg, off, sz);
		x86_write(c, i->seg, off, sz, r);
		x86_reg_set(c, i->reg, sz, m, i);
	} else {
		uint64_t m = x86_reg_get(c, i->rm, sz, i);
		x86_reg_set(c, i->rm, sz, r, i);
		x86_reg_set(c, i->reg, sz, m, i);
	}
}

void x86_op_cmpxchg(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;
	uint64_t acc = x86_reg_get(c, X86_RAX, sz, i), d, off = 0;

	if (i->flags & X86_I_MEM) {
		off = x86_ea(c, i);
		d = x86_read_rmw(c, i->seg, off, sz);
	} else {
		d = x86_reg_get(c, i->rm, sz, i);
	}
	x86_alu(c, 7, sz, acc, d); /* flags of CMP acc, dest */
	if (acc == d) {
		x86_rm_write(c, i, sz, x86_reg_get(c, i->reg, sz, i));
	} else {
		/* Memory is written back unchanged (a locked cycle). */
		if (i->flags & X86_I_MEM)
			x86_write(c, i->seg, off, sz, d);
		x86_reg_set(c, X86_RAX, sz, d, i);
	}
}

void x86_op_cmpxchg8b(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned half = i->opsize == 8 ? 8 : 4;
	uint64_t off = x86_ea(c, i), m[2] = { 0, 0 }, hm = x86_size_mask(half);

	if (half == 8 && (off & 15))
		x86_gp0(c);
	uint64_t la = x86_linear(c, i->seg, off, 2 * half, X86_SEG_RMW);
	uint8_t buf[16];
	x86_read_lin(c, la, buf, 2 * half, X86_ACC_RMW);
	memcpy(&m[0], buf, half);
	memcpy(&m[1], buf + half, half);

	uint32_t f = x86_arith(c) & ~X86_ZF;
	if (m[0] == (c->gpr[X86_RAX] & hm) && m[1] == (c->gpr[X86_RDX] & hm)) {
		uint64_t n[2] = { c->gpr[X86_RBX] & hm, c->gpr[X86_RCX] & hm };
		memcpy(buf, &n[0], half);
		memcpy(buf + half, &n[1], half);
		x86_write_lin(c, la, buf, 2 * half, X86_ACC_DATA);
		f |= X86_ZF;
	} else {
		x86_write_lin(c, la, buf, 2 * half, X86_ACC_DATA);
		x86_reg_set(c, X86_RAX, half, m[0], i);
		x86_reg_set(c, X86_RDX, half, m[1], i);
	}
	x86_set_arith(c, f);
}

void x86_op_xadd(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;
	uint64_t s = x86_reg_get(c, i->reg, sz, i), d, off = 0;

	if (i->flags & X86_I_MEM) {
		off = x86_ea(c, i);
		d = x86_read_rmw(c, i->seg, off, sz);
	} else {
		d = x86_reg_get(c, i->rm, sz, i);
	}
	uint64_t sum = x86_alu(c, 0, sz, d, s);
	x86_reg_set(c, i->reg, sz, d, i);
	if (i->flags & X86_I_MEM)
		x86_write(c, i->seg, off, sz, sum);
	else
		x86_reg_set(c, i->rm, sz, sum, i);
}

void x86_op_bswap(struct x86_cpu *c, const struct x86_insn *i)
{
	uint64_t v = c->gpr[i->reg];

	switch (i->opsize) {
	case 8: c->gpr[i->reg] = __builtin_bswap64(v); break;
	case 4: c->gpr[i->reg] = __builtin_bswap32((uint32_t)v); break;
	default: /* undefined by the SDM; current CPUs clear the word */
		x86_reg_set(c, i->reg, 2, 0, i);
		break;
	}
}

void x86_op_cmov(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;
	uint64_t v = x86_rm_read(c, i, sz);

	if (x86_cond(c, i->op & 0xf))
		x86_reg_set(c, i->reg, sz, v, i);
	else if (sz == 4)
		c->gpr[i->reg] &= 0xffffffffull; /* 32-bit CMOV always zero-extends */
}

void x86_op_setcc(struct x86_cpu *c, const struct x86_insn *i)
{
	x86_rm_write(c, i, 1, x86_cond(c, i->op & 0xf));
}

void x86_op_cbw(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;
	uint64_t a;

	if (i->op == 0x98) {
		a = x86_reg_get(c, X86_RAX, sz / 2, i);
		x86_reg_set(c, X86_RAX, sz, x86_sext(a, sz / 2), i);
	} else {
		a = x86_reg_get(c, X86_RAX, sz, i);
		x86_reg_set(c, X86_RDX, sz, (a & x86_sign_bit(sz)) ? ~0ull : 0, i);
	}
}

void x86_op_xlat(struct x86_cpu *c, const struct x86_insn *i)
{
	uint64_t off = (c->gpr[X86_RBX] + (c->gpr[X86_RAX] & 0xff)) &
		       x86_size_mask(i->adsize);

	x86_reg_set(c, X86_RAX, 1, x86_read(c, i->seg, off, 1), i);
}

void x86_op_mov_seg(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sreg = x86_modrm_regop(i);

	if (sreg > X86_GS)
		x86_ud(c);
	if (i->op == 0x8c) {
		uint16_t sel = c->seg[sreg].selector;
		if (i->flags & X86_I_MEM)
			x86_write(c, i->seg, x86_ea(c, i), 2, sel);
		else
			x86_reg_set(c, i->rm, i->opsize, sel, i);
		return;
	}
	if (sreg == X86_CS)
		x86_ud(c);
	x86_load_seg(c, sreg, (uint16_t)x86_rm_read(c, i, 2));
	if (sreg == X86_SS)
		c->shadow = 1; /* interrupts wait for the next instruction */
}

/* LES LDS (C4 C5), LSS LFS LGS (0F B2 B4 B5): a far pointer from memory. */
void x86_op_lxs(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sreg, sz = i->opsize;

	if (!(i->flags & X86_I_MEM))
		x86_ud(c);
	if (i->map == X86_MAP_ONE)
		sreg = i->op == 0xc4 ? X86_ES : X86_DS;
	else
		sreg = i->op == 0xb2 ? X86_SS : i->op == 0xb4 ? X86_FS : X86_GS;
	uint64_t off = x86_ea(c, i);
	uint64_t v = x86_read(c, i->seg, off, sz);
	uint16_t sel = (uint16_t)x86_read(c, i->seg, (off + sz) & x86_size_mask(i->adsize), 2);
	x86_load_seg(c, sreg, sel);
	x86_reg_set(c, i->reg, sz, v, i);
}
