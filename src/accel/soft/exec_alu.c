/* Integer ALU: ADD OR ADC SBB AND SUB XOR CMP, INC DEC NOT NEG TEST, the
 * flag-only instructions and BCD adjustment.
 *
 * LOCK is honoured trivially while one vCPU runs on one thread; SMP needs
 * these read-modify-writes to become host atomics.
 */
#include "accel/soft/cpu_internal.h"

enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };

uint64_t x86_alu(struct x86_cpu *c, unsigned op, unsigned size, uint64_t a,
		 uint64_t b)
{
	uint64_t m = x86_size_mask(size), r, cin;

	switch (op) {
	case ALU_ADD:
		r = (a + b) & m;
		x86_set_cc(c, CC_ADD, size, r, a, b);
		return r;
	case ALU_OR:
		r = a | b;
		x86_set_cc(c, CC_LOGIC, size, r, 0, 0);
		return r;
	case ALU_ADC:
		cin = x86_cf(c);
		r = (a + b + cin) & m;
		x86_set_cc(c, CC_ADC, size, r, a, b);
		c->cc_aux = cin;
		return r;
	case ALU_SBB:
		cin = x86_cf(c);
		r = (a - b - cin) & m;
		x86_set_cc(c, CC_SBB, size, r, a, b);
		c->cc_aux = cin;
		return r;
	case ALU_AND:
		r = a & b;
		x86_set_cc(c, CC_LOGIC, size, r, 0, 0);
		return r;
	case ALU_XOR:
		r = a ^ b;
		x86_set_cc(c, CC_LOGIC, size, r, 0, 0);
		return r;
	default: /* SUB, CMP */
		r = (a - b) & m;
		x86_set_cc(c, CC_SUB, size, r, a, b);
		return r;
	}
}

/* Apply `op` to the r/m destination (read-modify-write unless CMP). */
static void alu_rm(struct x86_cpu *c, const struct x86_insn *i, unsigned op,
		   unsigned size, uint64_t src)
{
	if (op == ALU_CMP) {
		x86_alu(c, op, size, x86_rm_read(c, i, size), src);
		return;
	}
	if (i->flags & X86_I_MEM) {
		uint64_t off = x86_ea(c, i);
		uint64_t d = x86_read_rmw(c, i->seg, off, size);
		x86_write(c, i->seg, off, size, x86_alu(c, op, size, d, src));
	} else {
		uint64_t d = x86_reg_get(c, i->rm, size, i);
		x86_reg_set(c, i->rm, size, x86_alu(c, op, size, d, src), i);
	}
}

void x86_op_alu(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned op = (i->op >> 3) & 7, sz = i->opsize;
	uint64_t r;

	switch (i->op & 7) {
	case 0: case 1: /* Eb,Gb / Ev,Gv */
		alu_rm(c, i, op, sz, x86_reg_get(c, i->reg, sz, i));
		break;
	case 2: case 3: /* Gb,Eb / Gv,Ev */
		r = x86_alu(c, op, sz, x86_reg_get(c, i->reg, sz, i),
			    x86_rm_read(c, i, sz));
		if (op != ALU_CMP)
			x86_reg_set(c, i->reg, sz, r, i);
		break;
	default: /* AL,Ib / eAX,Iz */
		r = x86_alu(c, op, sz, x86_reg_get(c, X86_RAX, sz, i), x86_imm_sext(i));
		if (op != ALU_CMP)
			x86_reg_set(c, X86_RAX, sz, r, i);
		break;
	}
}

void x86_op_grp1(struct x86_cpu *c, const struct x86_insn *i)
{
	alu_rm(c, i, x86_modrm_regop(i), i->opsize, x86_imm_sext(i));
}

static uint64_t incdec(struct x86_cpu *c, bool dec, unsigned size, uint64_t v)
{
	uint64_t cf = x86_cf(c);
	uint64_t r = (dec ? v - 1 : v + 1) & x86_size_mask(size);

	x86_set_cc(c, dec ? CC_DEC : CC_INC, size, r, v, 1);
	c->cc_aux = cf;
	return r;
}

void x86_op_incdec(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;

	if (i->map == X86_MAP_ONE && i->op < 0x50) { /* 40-4F: INC/DEC r */
		unsigned r = i->op & 7;
		x86_reg_set(c, r, sz, incdec(c, i->op & 8, sz, x86_reg_get(c, r, sz, i)), i);
		return;
	}
	bool dec = x86_modrm_regop(i) == 1;
	if (i->flags & X86_I_MEM) {
		uint64_t off = x86_ea(c, i);
		uint64_t v = x86_read_rmw(c, i->seg, off, sz);
		x86_write(c, i->seg, off, sz, incdec(c, dec, sz, v));
	} else {
		x86_reg_set(c, i->rm, sz, incdec(c, dec, sz, x86_reg_get(c, i->rm, sz, i)), i);
	}
}

void x86_op_test(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;
	uint64_t a, b;

	if (i->op == 0xa8 || i->op == 0xa9) {
		a = x86_reg_get(c, X86_RAX, sz, i);
		b = x86_imm_sext(i);
	} else {
		a = x86_rm_read(c, i, sz);
		b = x86_reg_get(c, i->reg, sz, i);
	}
	x86_set_cc(c, CC_LOGIC, sz, a & b, 0, 0);
}

void x86_op_muldiv(struct x86_cpu *c, const struct x86_insn *i);

void x86_op_grp3(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize, regop = x86_modrm_regop(i);
	uint64_t off = 0, v;

	switch (regop) {
	case 0: case 1: /* TEST r/m, imm */
		x86_set_cc(c, CC_LOGIC, sz, x86_rm_read(c, i, sz) & x86_imm_sext(i), 0, 0);
		return;
	case 2: case 3: /* NOT, NEG */
		if (i->flags & X86_I_MEM) {
			off = x86_ea(c, i);
			v = x86_read_rmw(c, i->seg, off, sz);
		} else {
			v = x86_reg_get(c, i->rm, sz, i);
		}
		if (regop == 2) {
			v = ~v & x86_size_mask(sz);
		} else {
			uint64_t r = (0 - v) & x86_size_mask(sz);
			x86_set_cc(c, CC_SUB, sz, r, 0, v);
			v = r;
		}
		if (i->flags & X86_I_MEM)
			x86_write(c, i->seg, off, sz, v);
		else
			x86_reg_set(c, i->rm, sz, v, i);
		return;
	default:
		x86_op_muldiv(c, i);
	}
}

void x86_op_misc_flags(struct x86_cpu *c, const struct x86_insn *i)
{
	uint32_t f;

	switch (i->op) {
	case 0xf5: /* CMC */
		f = x86_arith(c);
		x86_set_arith(c, f ^ X86_CF);
		break;
	case 0xf8: /* CLC */
		x86_set_arith(c, x86_arith(c) & ~X86_CF);
		break;
	case 0xf9: /* STC */
		x86_set_arith(c, x86_arith(c) | X86_CF);
		break;
	case 0xfc: c->rflags &= ~(uint64_t)X86_DF; break;
	case 0xfd: c->rflags |= X86_DF; break;
	case 0x9e: /* SAHF: SF ZF AF PF CF from AH */
		f = x86_arith(c) & X86_OF;
		f |= (c->gpr[X86_RAX] >> 8) & (X86_SF | X86_ZF | X86_AF | X86_PF | X86_CF);
		x86_set_arith(c, f);
		break;
	case 0x9f: /* LAHF */
		f = (uint32_t)(x86_cpu_get_rflags(c) & 0xd7) | 2;
		c->gpr[X86_RAX] = (c->gpr[X86_RAX] & ~0xff00ull) | ((uint64_t)f << 8);
		break;
	case 0xd6: /* SALC: AL = CF ? 0xff : 0 */
		c->gpr[X86_RAX] = (c->gpr[X86_RAX] & ~0xffull) | (x86_cf(c) ? 0xff : 0);
		break;
	}
}

static void set_al(struct x86_cpu *c, uint64_t al)
{
	c->gpr[X86_RAX] = (c->gpr[X86_RAX] & ~0xffull) | (al & 0xff);
}

/* BCD adjustment (not in 64-bit mode). The flags the SDM leaves undefined
 * follow the result, as on current CPUs. */
void x86_op_bcd(struct x86_cpu *c, const struct x86_insn *i)
{
	uint32_t f = x86_arith(c), nf;
	uint64_t al = c->gpr[X86_RAX] & 0xff, ax = c->gpr[X86_RAX] & 0xffff;
	bool cf = f & X86_CF, af = f & X86_AF;

	switch (i->op) {
	case 0x27: case 0x2f: { /* DAA, DAS */
		bool sub = i->op == 0x2f;
		uint64_t old = al;
		nf = 0;
		if ((al & 0xf) > 9 || af) {
			al = sub ? al - 6 : al + 6;
			nf |= X86_AF;
		}
		/* The second step alone decides CF (SDM: DAA, DAS). */
		if (old > 0x99 || cf) {
			al = sub ? al - 0x60 : al + 0x60;
			nf |= X86_CF;
		}
		set_al(c, al);
		x86_set_arith(c, nf | x86_szp(al, 1));
		break;
	}
	case 0x37: case 0x3f: /* AAA, AAS */
		if ((al & 0xf) > 9 || af) {
			if (i->op == 0x37)
				ax = ((ax + 0x106) & 0xff00) | ((al + 6) & 0xf);
			else
				ax = ((ax - 0x106) & 0xff00) | ((al - 6) & 0xf);
			nf = X86_AF | X86_CF;
		} else {
			ax &= 0xff0f;
			nf = 0;
		}
		c->gpr[X86_RAX] = (c->gpr[X86_RAX] & ~0xffffull) | (ax & 0xffff);
		x86_set_arith(c, nf | x86_szp(ax & 0xff, 1));
		break;
	case 0xd4: /* AAM */
		if (!(i->imm & 0xff))
			x86_raise_noerr(c, X86_EXC_DE);
		ax = ((al / (i->imm & 0xff)) << 8) | (al % (i->imm & 0xff));
		c->gpr[X86_RAX] = (c->gpr[X86_RAX] & ~0xffffull) | ax;
		x86_set_arith(c, x86_szp(ax & 0xff, 1));
		break;
	case 0xd5: /* AAD */
		al = (al + ((ax >> 8) * (i->imm & 0xff))) & 0xff;
		c->gpr[X86_RAX] = (c->gpr[X86_RAX] & ~0xffffull) | al;
		x86_set_arith(c, x86_szp(al, 1));
		break;
	}
}
