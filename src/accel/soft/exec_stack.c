/* Stack instructions: PUSH POP (registers, memory, immediates, segment
 * registers), PUSHA POPA, PUSHF POPF, ENTER LEAVE.
 */
#include "accel/soft/cpu_internal.h"

void x86_op_push(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;
	uint64_t v;

	if (i->op == 0x68 || i->op == 0x6a)
		v = x86_imm_sext(i);
	else if (i->op == 0xff)
		v = x86_rm_read(c, i, sz);
	else
		v = x86_reg_get(c, i->reg, sz, i);
	x86_push(c, sz, v);
}

void x86_op_pop(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;

	if (i->op != 0x8f) {
		uint64_t v = x86_pop(c, sz);
		x86_reg_set(c, i->reg, sz, v, i); /* POP rSP: the popped value wins */
		return;
	}
	if (x86_modrm_regop(i) != 0)
		x86_unimplemented(c, i); /* XOP space */
	uint64_t v = x86_stack_peek(c, 0, sz);
	if (!(i->flags & X86_I_MEM)) {
		x86_sp_add(c, sz);
		x86_reg_set(c, i->rm, sz, v, i);
		return;
	}
	/* The destination address is computed with rSP already incremented. */
	uint64_t old = c->gpr[X86_RSP];
	x86_sp_add(c, sz);
	uint64_t off = x86_ea(c, i);
	uint64_t la;
	/* Check before committing: on a fault rSP must be as it was. */
	c->gpr[X86_RSP] = old;
	la = x86_linear(c, i->seg, off, sz, X86_SEG_WRITE);
	x86_write_lin(c, la, &v, sz, X86_ACC_DATA);
	x86_sp_add(c, sz);
}

static unsigned seg_of_push_pop(const struct x86_insn *i)
{
	if (i->map == X86_MAP_0F)
		return i->op < 0xa8 ? X86_FS : X86_GS;
	return (i->op >> 3) & 3; /* 06/07 ES, 0E CS, 16/17 SS, 1E/1F DS */
}

void x86_op_push_seg(struct x86_cpu *c, const struct x86_insn *i)
{
	/* The selector is zero-extended to the operand size (the reference
	 * CPU writes every byte; some Intel CPUs write only 16 bits). */
	x86_push(c, i->opsize, c->seg[seg_of_push_pop(i)].selector);
}

void x86_op_pop_seg(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sreg = seg_of_push_pop(i);
	uint16_t sel = (uint16_t)x86_stack_peek(c, 0, i->opsize);

	x86_load_seg(c, sreg, sel);
	x86_sp_add(c, i->opsize);
	if (sreg == X86_SS)
		c->shadow = 1; /* interrupts wait for the next instruction */
}

void x86_op_pusha(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;
	uint64_t sp = c->gpr[X86_RSP], m = x86_size_mask(x86_stack_width(c));

	for (int r = 0; r < 8; r++) {
		uint64_t v = r == X86_RSP ? sp : c->gpr[r];
		x86_write(c, X86_SS, (sp - (uint64_t)(r + 1) * sz) & m, sz, v);
	}
	x86_sp_add(c, -8 * (int64_t)sz);
}

void x86_op_popa(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;
	uint64_t v[8];

	for (int r = 7; r >= 0; r--)
		v[r] = x86_stack_peek(c, (7 - (unsigned)r) * sz, sz);
	for (int r = 0; r < 8; r++)
		if (r != X86_RSP)
			x86_reg_set(c, (unsigned)r, sz, v[r], i);
	x86_sp_add(c, 8 * sz);
}

void x86_op_pushf(struct x86_cpu *c, const struct x86_insn *i)
{
	if ((c->rflags & X86_VM) && ((c->rflags & X86_IOPL) >> 12) < 3)
		x86_gp0(c);
	x86_push(c, i->opsize, x86_cpu_get_rflags(c) & ~(uint64_t)(X86_VM | X86_RF));
}

void x86_op_popf(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;
	uint64_t v = x86_stack_peek(c, 0, sz);
	uint64_t old = x86_cpu_get_rflags(c);
	unsigned iopl = (unsigned)(old & X86_IOPL) >> 12;
	uint64_t mask = X86_ARITH_FLAGS | X86_TF | X86_DF | X86_NT | X86_AC | X86_ID |
			X86_IF | X86_IOPL;

	if (old & X86_VM)
		x86_gp0(c); /* virtual-8086 mode is not supported */
	if (c->mode != X86_MODE_REAL && c->cpl > 0) {
		mask &= ~(uint64_t)X86_IOPL;
		if (c->cpl > iopl)
			mask &= ~(uint64_t)X86_IF;
	}
	if (sz == 2)
		mask &= 0xffff;
	x86_sp_add(c, sz);
	x86_cpu_set_rflags(c, ((old & ~mask) | (v & mask)) & ~(uint64_t)X86_RF);
}

void x86_op_enter(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize, level = i->imm2 & 31, w = x86_stack_width(c);
	uint64_t m = x86_size_mask(w);
	uint64_t sp = c->gpr[X86_RSP] & m, bp = c->gpr[X86_RBP] & m;

	sp = (sp - sz) & m;
	x86_write(c, X86_SS, sp, sz, c->gpr[X86_RBP]);
	uint64_t frame = sp;
	if (level) {
		for (unsigned k = 1; k < level; k++) {
			bp = (bp - sz) & m;
			uint64_t v = x86_read(c, X86_SS, bp, sz);
			sp = (sp - sz) & m;
			x86_write(c, X86_SS, sp, sz, v);
		}
		sp = (sp - sz) & m;
		x86_write(c, X86_SS, sp, sz, frame);
	}
	sp = (sp - (i->imm & 0xffff)) & m;
	/* The final stack pointer must be usable too. */
	x86_linear(c, X86_SS, sp, 1, X86_SEG_WRITE);
	x86_reg_set(c, X86_RBP, sz, frame, i);
	if (w == 8)
		c->gpr[X86_RSP] = sp;
	else
		x86_reg_set(c, X86_RSP, w, sp, i);
}

void x86_op_leave(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize, w = x86_stack_width(c);
	uint64_t bp = c->gpr[X86_RBP] & x86_size_mask(w);
	uint64_t v = x86_read(c, X86_SS, bp, sz);

	x86_reg_set(c, X86_RSP, w, bp + sz, i);
	x86_reg_set(c, X86_RBP, sz, v, i);
}
