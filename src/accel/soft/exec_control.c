/* Control transfer: Jcc, JMP, CALL, RET (near and far), LOOP/JrCXZ and
 * group 5 (FE/FF). Far transfers through descriptors are in segment.c.
 *
 * Near branches in 64-bit mode always have a 64-bit operand size (the
 * 66 prefix is ignored, as on Intel CPUs).
 */
#include "accel/soft/cpu_internal.h"

static uint64_t rel_target(struct x86_cpu *c, const struct x86_insn *i)
{
	return c->next_rip + x86_sext(i->imm, i->imm_len);
}

void x86_op_jcc(struct x86_cpu *c, const struct x86_insn *i)
{
	if (x86_cond(c, i->op & 0xf))
		x86_jump(c, rel_target(c, i), i->opsize);
}

void x86_op_jmp(struct x86_cpu *c, const struct x86_insn *i)
{
	if (i->op == 0xea)
		x86_far_jump(c, i->imm2, i->imm, i->opsize);
	else
		x86_jump(c, rel_target(c, i), i->opsize);
}

static void near_call(struct x86_cpu *c, uint64_t target, unsigned sz)
{
	uint64_t ret = c->next_rip;

	x86_jump(c, target, sz);
	x86_push(c, sz, ret);
}

void x86_op_call(struct x86_cpu *c, const struct x86_insn *i)
{
	if (i->op == 0x9a)
		x86_far_call(c, i->imm2, i->imm, i->opsize);
	else
		near_call(c, rel_target(c, i), i->opsize);
}

void x86_op_ret(struct x86_cpu *c, const struct x86_insn *i)
{
	uint16_t extra = (i->op == 0xc2 || i->op == 0xca) ? (uint16_t)i->imm : 0;

	if (i->op == 0xca || i->op == 0xcb) {
		x86_far_ret(c, i->opsize, extra);
		return;
	}
	unsigned sz = i->opsize;
	x86_jump(c, x86_stack_peek(c, 0, sz), sz);
	x86_sp_add(c, sz + extra);
}

void x86_op_loop(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned as = i->adsize;
	uint64_t cx = c->gpr[X86_RCX] & x86_size_mask(as);
	bool take;

	if (i->op == 0xe3) { /* JrCXZ */
		take = cx == 0;
	} else {
		cx = (cx - 1) & x86_size_mask(as);
		take = cx != 0;
		if (i->op == 0xe0)
			take = take && !(x86_arith(c) & X86_ZF);
		else if (i->op == 0xe1)
			take = take && (x86_arith(c) & X86_ZF);
	}
	if (take)
		x86_jump(c, rel_target(c, i), i->opsize);
	if (i->op != 0xe3)
		x86_reg_set(c, X86_RCX, as, cx, i);
}

/* A far pointer in memory: offset of the operand size, then a selector. */
static void read_far_ptr(struct x86_cpu *c, const struct x86_insn *i,
			 uint64_t *off, uint16_t *sel)
{
	unsigned sz = i->opsize;
	uint64_t ea;

	if (!(i->flags & X86_I_MEM))
		x86_ud(c);
	ea = x86_ea(c, i);
	*off = x86_read(c, i->seg, ea, sz);
	*sel = (uint16_t)x86_read(c, i->seg, (ea + sz) & x86_size_mask(i->adsize), 2);
}

void x86_op_grp5(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned regop = x86_modrm_regop(i), sz = i->opsize;
	uint64_t off;
	uint16_t sel;

	if (i->op == 0xfe && regop > 1)
		x86_ud(c);
	switch (regop) {
	case 0: case 1:
		x86_op_incdec(c, i);
		break;
	case 2:
		near_call(c, x86_rm_read(c, i, sz), sz);
		break;
	case 3:
		read_far_ptr(c, i, &off, &sel);
		x86_far_call(c, sel, off, sz);
		break;
	case 4:
		x86_jump(c, x86_rm_read(c, i, sz), sz);
		break;
	case 5:
		read_far_ptr(c, i, &off, &sel);
		x86_far_jump(c, sel, off, sz);
		break;
	case 6:
		x86_op_push(c, i);
		break;
	default:
		x86_ud(c);
	}
}
