/* MMX: the packed-integer instructions without a prefix, on the 64-bit
 * MM registers that alias the mantissas of the x87 physical registers.
 * Each one empties the x87 stack as hardware does (TOP = 0, every tag
 * valid, exponent fields all ones when written); EMMS frees the tags.
 * The arithmetic reuses the SSE2 helpers on the low eight bytes.
 */
#include "accel/soft/cpu_internal.h"
#include "accel/soft/sse.h"

static uint64_t mm_get(const struct x86_cpu *c, unsigned r)
{
	uint64_t v;
	memcpy(&v, c->fpu.st[r & 7], 8);
	return v;
}

static void mm_set(struct x86_cpu *c, unsigned r, uint64_t v)
{
	memcpy(c->fpu.st[r & 7], &v, 8);
	c->fpu.st[r & 7][8] = 0xff;
	c->fpu.st[r & 7][9] = 0xff;
}

/* Source operand: an MM register or 64 bits of memory. */
static uint64_t mm_src(struct x86_cpu *c, const struct x86_insn *i)
{
	if (i->flags & X86_I_MEM)
		return x86_read(c, i->seg, x86_ea(c, i), 8);
	return mm_get(c, i->rm);
}

static void mmx_enter(struct x86_cpu *c)
{
	if (c->cr0 & X86_CR0_EM)
		x86_ud(c);
	if (c->cr0 & X86_CR0_TS)
		x86_raise_noerr(c, X86_EXC_NM);
	if ((c->fpu.fsw & 0x80) && (c->cr0 & X86_CR0_NE))
		x86_raise_noerr(c, X86_EXC_MF);
}

static void mmx_state(struct x86_cpu *c)
{
	c->fpu.fsw &= (uint16_t)~0x3800; /* TOP = 0 */
	c->fpu.ftw = 0xff;
}

/* The packed-integer opcode `op` on 64-bit operands. */
static uint64_t mmx_int(struct x86_cpu *c, const struct x86_insn *i, uint8_t op,
			uint64_t d, uint64_t s)
{
	union x86_vec vd = { .q = { d, 0 } }, vs = { .q = { s, 0 } };

	switch (op) {
	case 0x68: case 0x69: case 0x6a:
		/* High unpacks interleave the upper halves: the low unpack of
		 * the upper halves. */
		vd.q[0] = d >> 32;
		vs.q[0] = s >> 32;
		op = (uint8_t)(op - 8);
		break;
	case 0x63: case 0x67: case 0x6b:
		/* Packs take d then s: the 128-bit pack of d:s with itself. */
		vd.q[1] = s;
		vs = vd;
		break;
	}
	if (!sse_int_op(op, &vd, &vs))
		x86_unimplemented(c, i);
	return vd.q[0];
}

void x86_mmx(struct x86_cpu *c, const struct x86_insn *i)
{
	uint8_t op = i->op, imm = (uint8_t)i->imm;
	uint64_t v;

	mmx_enter(c);
	switch (op) {
	case 0x77: /* EMMS */
		mmx_state(c);
		c->fpu.ftw = 0;
		return;
	case 0x6e: /* MOVD/MOVQ mm, r/m */
		v = x86_rm_read(c, i, i->opsize == 8 ? 8 : 4);
		mmx_state(c);
		mm_set(c, i->reg, v);
		return;
	case 0x7e: /* MOVD/MOVQ r/m, mm */
		x86_rm_write(c, i, i->opsize == 8 ? 8 : 4, mm_get(c, i->reg));
		mmx_state(c);
		return;
	case 0x6f:
		v = mm_src(c, i);
		mmx_state(c);
		mm_set(c, i->reg, v);
		return;
	case 0x7f: case 0xe7: /* MOVQ mm/m64, mm; MOVNTQ m64, mm */
		if (i->flags & X86_I_MEM)
			x86_write(c, i->seg, x86_ea(c, i), 8, mm_get(c, i->reg));
		else if (op == 0xe7)
			x86_ud(c);
		else
			mm_set(c, i->rm, mm_get(c, i->reg));
		mmx_state(c);
		return;
	case 0x70: { /* PSHUFW */
		uint64_t s = mm_src(c, i), r = 0;
		for (unsigned k = 0; k < 4; k++)
			r |= ((s >> (16 * ((imm >> (2 * k)) & 3))) & 0xffff) << (16 * k);
		mmx_state(c);
		mm_set(c, i->reg, r);
		return;
	}
	case 0x71: case 0x72: case 0x73: { /* shifts by an immediate */
		unsigned regop = x86_modrm_regop(i), esz = op == 0x71 ? 2 : op == 0x72 ? 4 : 8;
		union x86_vec d = { .q = { mm_get(c, i->rm), 0 } };
		if (regop == 2)
			sse_shift(&d, esz, 0, imm);
		else if (regop == 4 && esz != 8)
			sse_shift(&d, esz, 1, imm);
		else if (regop == 6)
			sse_shift(&d, esz, 2, imm);
		else
			x86_ud(c);
		mmx_state(c);
		mm_set(c, i->rm, d.q[0]);
		return;
	}
	case 0xc4: /* PINSRW mm, r/m16, imm */
		v = x86_rm_read(c, i, 2);
		mmx_state(c);
		mm_set(c, i->reg, (mm_get(c, i->reg) & ~(0xffffull << (16 * (imm & 3)))) |
				  (v << (16 * (imm & 3))));
		return;
	case 0xc5: /* PEXTRW r, mm, imm */
		if (i->flags & X86_I_MEM)
			x86_ud(c);
		x86_reg_set(c, i->reg, i->opsize == 8 ? 8 : 4,
			    (mm_get(c, i->rm) >> (16 * (imm & 3))) & 0xffff, i);
		mmx_state(c);
		return;
	case 0xf7: { /* MASKMOVQ mm1, mm2: registers only */
		if (i->flags & X86_I_MEM)
			x86_ud(c);
		uint64_t d = mm_get(c, i->reg), m = mm_get(c, i->rm);
		uint8_t db[8], mb[8];
		memcpy(db, &d, 8);
		memcpy(mb, &m, 8);
		sse_masked_store(c, i, db, mb, 8);
		mmx_state(c); /* after the store: a fault leaves the x87 state */
		return;
	}
	case 0xd7: { /* PMOVMSKB r, mm */
		uint64_t s = mm_get(c, i->rm);
		uint32_t m = 0;
		if (i->flags & X86_I_MEM)
			x86_ud(c);
		for (unsigned k = 0; k < 8; k++)
			m |= (uint32_t)((s >> (8 * k + 7)) & 1) << k;
		x86_reg_set(c, i->reg, i->opsize == 8 ? 8 : 4, m, i);
		mmx_state(c);
		return;
	}
	}
	v = mm_src(c, i);
	uint64_t r = mmx_int(c, i, op, mm_get(c, i->reg), v);
	mmx_state(c);
	mm_set(c, i->reg, r);
}
