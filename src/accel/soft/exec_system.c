/* System instructions: INT/INT3/INTO/INT1, IRET, HLT, CLI/STI, group 6
 * and 7 (descriptor tables, LLDT/LTR, SMSW/LMSW, INVLPG, SWAPGS,
 * RDTSCP), MOV CR/DR, RDMSR/WRMSR, RDTSC, CPUID, SYSCALL/SYSRET, CLTS,
 * WBINVD/INVD, hint NOPs, LAR/LSL.
 */
#include "accel/soft/cpu_internal.h"

static void need_cpl0(struct x86_cpu *c)
{
	if (c->cpl != 0)
		x86_gp0(c);
}

static void need_protected(struct x86_cpu *c)
{
	if (c->mode == X86_MODE_REAL || (c->rflags & X86_VM))
		x86_ud(c);
}

void x86_op_int(struct x86_cpu *c, const struct x86_insn *i)
{
	switch (i->op) {
	case 0xcc:
		x86_deliver(c, X86_EXC_BP, X86_EV_SOFT_INT, false, 0, c->next_rip);
		break;
	case 0xcd:
		if (c->rflags & X86_VM)
			x86_gp0(c);
		x86_deliver(c, (int)(i->imm & 0xff), X86_EV_SOFT_INT, false, 0, c->next_rip);
		break;
	case 0xce:
		if (x86_arith(c) & X86_OF)
			x86_deliver(c, X86_EXC_OF, X86_EV_SOFT_INT, false, 0, c->next_rip);
		break;
	default: /* F1: INT1, a debug trap without the gate DPL check */
		x86_deliver(c, X86_EXC_DB, X86_EV_EXCEPTION, false, 0, c->next_rip);
		break;
	}
}

void x86_op_iret(struct x86_cpu *c, const struct x86_insn *i)
{
	x86_iret(c, i->opsize);
}

void x86_op_hlt(struct x86_cpu *c, const struct x86_insn *i)
{
	need_cpl0(c);
	c->halted = true;
}

void x86_op_cli_sti(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned iopl = (unsigned)(c->rflags & X86_IOPL) >> 12;

	if (c->mode != X86_MODE_REAL && c->cpl > iopl)
		x86_gp0(c);
	if (i->op == 0xfa) {
		c->rflags &= ~(uint64_t)X86_IF;
	} else {
		if (!(c->rflags & X86_IF))
			c->shadow = 1; /* interrupts wait one more instruction */
		c->rflags |= X86_IF;
	}
}

/* LGDT/LIDT/SGDT/SIDT operand: limit, then a base of 3 (16-bit operand
 * size), 4 or (64-bit mode) 8 bytes. */
static void load_dtr(struct x86_cpu *c, const struct x86_insn *i, struct x86_dtr *d)
{
	uint64_t off = x86_ea(c, i), m = x86_size_mask(i->adsize);
	unsigned bsz = c->mode == X86_MODE_LONG64 ? 8 : 4;

	need_cpl0(c);
	uint16_t limit = (uint16_t)x86_read(c, i->seg, off, 2);
	uint64_t base = x86_read(c, i->seg, (off + 2) & m, bsz);
	if (bsz == 8 && (uint64_t)((int64_t)(base << 16) >> 16) != base)
		x86_gp0(c);
	if (bsz == 4 && i->opsize == 2)
		base &= 0xffffff;
	d->limit = limit;
	d->base = base;
}

static void store_dtr(struct x86_cpu *c, const struct x86_insn *i, const struct x86_dtr *d)
{
	uint64_t off = x86_ea(c, i), m = x86_size_mask(i->adsize);
	unsigned bsz = c->mode == X86_MODE_LONG64 ? 8 : 4;

	x86_write(c, i->seg, off, 2, d->limit);
	x86_write(c, i->seg, (off + 2) & m, bsz, d->base);
}

static void swapgs(struct x86_cpu *c)
{
	uint64_t t = c->seg[X86_GS].base;

	if (c->mode != X86_MODE_LONG64)
		x86_ud(c);
	need_cpl0(c);
	c->seg[X86_GS].base = c->kernel_gs_base;
	c->kernel_gs_base = t;
}

void x86_op_0f01(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned regop = x86_modrm_regop(i);

	if (i->flags & X86_I_MEM) {
		switch (regop) {
		case 0: store_dtr(c, i, &c->gdtr); return;
		case 1: store_dtr(c, i, &c->idtr); return;
		case 2: load_dtr(c, i, &c->gdtr); return;
		case 3: load_dtr(c, i, &c->idtr); return;
		case 4: x86_write(c, i->seg, x86_ea(c, i), 2, c->cr0 & 0xffff); return;
		case 6: {
			uint64_t v = x86_read(c, i->seg, x86_ea(c, i), 2);
			need_cpl0(c);
			/* LMSW sets PE but never clears it. */
			x86_set_cr(c, 0, (c->cr0 & ~0xeull) | (v & 0xf) | (c->cr0 & 1));
			return;
		}
		case 7: {
			need_cpl0(c);
			uint64_t la = x86_ea(c, i);
			if (c->mode != X86_MODE_LONG64 || i->seg >= X86_FS)
				la += c->seg[i->seg].base;
			if (c->mode != X86_MODE_LONG64)
				la &= 0xffffffffull;
			x86_tlb_invlpg(c, la);
			return;
		}
		}
		x86_unimplemented(c, i);
	}
	switch (i->modrm) {
	case 0xf8:
		swapgs(c);
		return;
	case 0xf9: { /* RDTSCP */
		uint64_t t = x86_rdtsc_value(c);
		if ((c->cr4 & X86_CR4_TSD) && c->cpl)
			x86_gp0(c);
		c->gpr[X86_RAX] = (uint32_t)t;
		c->gpr[X86_RDX] = t >> 32;
		c->gpr[X86_RCX] = (uint32_t)c->tsc_aux;
		return;
	}
	}
	if (regop == 4) { /* SMSW r */
		x86_reg_set(c, i->rm, i->opsize, c->cr0 & x86_size_mask(i->opsize), i);
		return;
	}
	if (regop == 6) { /* LMSW r */
		need_cpl0(c);
		uint64_t v = x86_reg_get(c, i->rm, 2, i);
		x86_set_cr(c, 0, (c->cr0 & ~0xeull) | (v & 0xf) | (c->cr0 & 1));
		return;
	}
	x86_unimplemented(c, i);
}

/* LLDT and LTR: a system descriptor from the GDT (16 bytes in long mode). */
static void load_system_seg(struct x86_cpu *c, uint16_t sel, bool tr)
{
	bool lm = c->efer & X86_EFER_LMA;
	uint64_t d[2];
	x86_seg_t n;

	need_cpl0(c);
	if ((sel & 0xfffc) == 0) {
		if (tr)
			x86_gp0(c);
		memset(&c->ldtr, 0, sizeof(c->ldtr));
		c->ldtr.selector = sel;
		c->ldtr.unusable = 1;
		return;
	}
	if (sel & 4)
		x86_raise(c, X86_EXC_GP, sel & 0xfffc);
	x86_read_desc(c, sel, d, lm);
	x86_desc_to_seg(d[0], sel, &n);
	bool ok = !n.s && (tr ? (n.type == 9 || (!lm && n.type == 1)) : n.type == 2);
	if (!ok)
		x86_raise(c, X86_EXC_GP, sel & 0xfffc);
	if (!n.present)
		x86_raise(c, X86_EXC_NP, sel & 0xfffc);
	if (lm)
		n.base |= d[1] << 32;
	if (tr) {
		/* Mark the TSS busy in the GDT. */
		x86_sys_write(c, c->gdtr.base + (sel & 0xfff8) + 5, 1,
			      (uint8_t)(d[0] >> 40) | 2);
		n.type |= 2;
		c->tr = n;
	} else {
		c->ldtr = n;
	}
}

void x86_op_0f00(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned regop = x86_modrm_regop(i);

	need_protected(c);
	switch (regop) {
	case 0: case 1: { /* SLDT, STR */
		uint16_t sel = regop ? c->tr.selector : c->ldtr.selector;
		if (i->flags & X86_I_MEM)
			x86_write(c, i->seg, x86_ea(c, i), 2, sel);
		else
			x86_reg_set(c, i->rm, i->opsize, sel, i);
		return;
	}
	case 2: case 3:
		load_system_seg(c, (uint16_t)x86_rm_read(c, i, 2), regop == 3);
		return;
	case 4: case 5: { /* VERR, VERW */
		uint16_t sel = (uint16_t)x86_rm_read(c, i, 2);
		uint32_t f = x86_arith(c) & ~X86_ZF;
		uint64_t base = (sel & 4) ? c->ldtr.base : c->gdtr.base;
		uint64_t limit = (sel & 4) ? c->ldtr.limit : c->gdtr.limit;
		if ((sel & 0xfffc) && (sel | 7) <= limit) {
			x86_seg_t s;
			x86_desc_to_seg(x86_sys_read(c, base + (sel & 0xfff8), 8), sel, &s);
			bool code = s.type & 8, conforming = code && (s.type & 4);
			bool priv = conforming || (s.dpl >= c->cpl && s.dpl >= (sel & 3));
			bool access = regop == 4 ? (!code || (s.type & 2))
						 : (!code && (s.type & 2));
			if (s.s && priv && access)
				f |= X86_ZF;
		}
		x86_set_arith(c, f);
		return;
	}
	}
	x86_ud(c);
}

void x86_op_lar_lsl(struct x86_cpu *c, const struct x86_insn *i)
{
	uint16_t sel = (uint16_t)x86_rm_read(c, i, 2);
	uint32_t f = x86_arith(c) & ~X86_ZF;
	uint64_t base = (sel & 4) ? c->ldtr.base : c->gdtr.base;
	uint64_t limit = (sel & 4) ? c->ldtr.limit : c->gdtr.limit;

	need_protected(c);
	if ((sel & 0xfffc) && (sel | 7) <= limit) {
		uint64_t d = x86_sys_read(c, base + (sel & 0xfff8), 8);
		x86_seg_t s;
		x86_desc_to_seg(d, sel, &s);
		bool conforming = s.s && (s.type & 0xc) == 0xc;
		bool priv = conforming || (s.dpl >= c->cpl && s.dpl >= (sel & 3));
		/* System types LAR/LSL accept: LDT and available/busy TSS (and,
		 * for LAR, call gates outside long mode). */
		bool sys_ok = !s.s && (s.type == 2 || s.type == 9 || s.type == 11 ||
				      (!(c->efer & X86_EFER_LMA) && (s.type == 1 || s.type == 3 ||
				       (i->op == 0x02 && (s.type == 4 || s.type == 12)))));
		if (priv && (s.s || sys_ok)) {
			f |= X86_ZF;
			uint64_t v = i->op == 0x02 ? (d >> 32) & 0x00f0ff00ull : s.limit;
			x86_reg_set(c, i->reg, i->opsize, v, i);
		}
	}
	x86_set_arith(c, f);
}

void x86_op_mov_cr(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned n = i->reg;
	unsigned sz = c->mode == X86_MODE_LONG64 ? 8 : 4;

	if (n != 0 && n != 2 && n != 3 && n != 4 && n != 8)
		x86_ud(c);
	if (n == 8 && c->mode != X86_MODE_LONG64)
		x86_ud(c);
	need_cpl0(c);
	if (i->op == 0x20) {
		uint64_t v = n == 0 ? c->cr0 : n == 2 ? c->cr2 : n == 3 ? c->cr3 :
			     n == 4 ? c->cr4 : c->cr8;
		x86_reg_set(c, i->rm, sz, v, i);
	} else {
		x86_set_cr(c, n, c->gpr[i->rm] & x86_size_mask(sz));
	}
}

void x86_op_mov_dr(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned n = i->reg;
	unsigned sz = c->mode == X86_MODE_LONG64 ? 8 : 4;

	if (n > 7)
		x86_ud(c);
	if (n == 4 || n == 5) {
		if (c->cr4 & X86_CR4_DE)
			x86_ud(c);
		n += 2;
	}
	need_cpl0(c);
	if (i->op == 0x21) {
		x86_reg_set(c, i->rm, sz, c->dr[n], i);
		return;
	}
	uint64_t v = c->gpr[i->rm] & x86_size_mask(sz);
	if (n == 6) {
		if (v >> 32)
			x86_gp0(c);
		v = (v & 0x1e00f) | 0xffff0ff0ull;
	} else if (n == 7) {
		if (v >> 32)
			x86_gp0(c);
		v = (v & 0xffff2bffull) | 0x400;
	}
	c->dr[n] = v;
}

void x86_op_msr(struct x86_cpu *c, const struct x86_insn *i)
{
	uint32_t idx = (uint32_t)c->gpr[X86_RCX];
	uint64_t v;

	need_cpl0(c);
	if (i->op == 0x32) {
		if (x86_msr_read(c, idx, &v))
			x86_gp0(c);
		c->gpr[X86_RAX] = (uint32_t)v;
		c->gpr[X86_RDX] = v >> 32;
	} else {
		v = (c->gpr[X86_RAX] & 0xffffffffull) | (c->gpr[X86_RDX] << 32);
		if (x86_msr_write(c, idx, v))
			x86_gp0(c);
	}
}

void x86_op_rdtsc(struct x86_cpu *c, const struct x86_insn *i)
{
	if ((c->cr4 & X86_CR4_TSD) && c->cpl)
		x86_gp0(c);
	uint64_t t = x86_rdtsc_value(c);
	c->gpr[X86_RAX] = (uint32_t)t;
	c->gpr[X86_RDX] = t >> 32;
}

void x86_op_cpuid(struct x86_cpu *c, const struct x86_insn *i)
{
	uint32_t r[4];

	x86_cpuid_eval(c, (uint32_t)c->gpr[X86_RAX], (uint32_t)c->gpr[X86_RCX], r);
	c->gpr[X86_RAX] = r[0];
	c->gpr[X86_RBX] = r[1];
	c->gpr[X86_RCX] = r[2];
	c->gpr[X86_RDX] = r[3];
}

static void flat_seg(x86_seg_t *s, uint16_t sel, uint8_t type, unsigned dpl,
		     bool l, bool db)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->s = 1;
	s->dpl = (uint8_t)dpl;
	s->present = 1;
	s->g = 1;
	s->l = l;
	s->db = db;
}

void x86_op_syscall(struct x86_cpu *c, const struct x86_insn *i)
{
	uint16_t sel = (uint16_t)(c->star >> 32);
	uint64_t fl = x86_cpu_get_rflags(c);

	if (!(c->efer & X86_EFER_SCE))
		x86_ud(c);
	need_protected(c);
	if (c->efer & X86_EFER_LMA) {
		c->gpr[X86_RCX] = c->next_rip;
		c->gpr[X86_R11] = fl & ~(uint64_t)X86_RF;
		c->next_rip = c->mode == X86_MODE_LONG64 ? c->lstar : c->cstar;
		flat_seg(&c->seg[X86_CS], sel & 0xfffc, 0xb, 0, true, false);
		flat_seg(&c->seg[X86_SS], (sel + 8) & 0xfffc, 0x3, 0, false, true);
		x86_cpu_set_rflags(c, fl & ~c->sfmask & ~(uint64_t)X86_RF);
	} else {
		c->gpr[X86_RCX] = (uint32_t)c->next_rip;
		c->next_rip = (uint32_t)c->star;
		flat_seg(&c->seg[X86_CS], sel & 0xfffc, 0xb, 0, false, true);
		flat_seg(&c->seg[X86_SS], (sel + 8) & 0xfffc, 0x3, 0, false, true);
		x86_cpu_set_rflags(c, fl & ~(uint64_t)(X86_IF | X86_VM | X86_RF));
	}
	x86_cpu_update_mode(c);
}

void x86_op_sysret(struct x86_cpu *c, const struct x86_insn *i)
{
	uint16_t sel = (uint16_t)(c->star >> 48);
	bool to64 = i->flags & X86_I_REXW;

	if (!(c->efer & X86_EFER_SCE))
		x86_ud(c);
	need_protected(c);
	need_cpl0(c);
	if (c->efer & X86_EFER_LMA) {
		uint64_t rip = to64 ? c->gpr[X86_RCX] : (uint32_t)c->gpr[X86_RCX];
		/* Intel faults in ring 0 on a non-canonical return address. */
		if (to64 && (uint64_t)((int64_t)(rip << 16) >> 16) != rip)
			x86_gp0(c);
		if (to64)
			flat_seg(&c->seg[X86_CS], (uint16_t)((sel + 16) | 3), 0xb, 3, true, false);
		else
			flat_seg(&c->seg[X86_CS], (uint16_t)(sel | 3), 0xb, 3, false, true);
		x86_cpu_set_rflags(c, (c->gpr[X86_R11] & ~(uint64_t)(X86_RF | X86_VM)) | 2);
		c->next_rip = rip;
	} else {
		flat_seg(&c->seg[X86_CS], (uint16_t)(sel | 3), 0xb, 3, false, true);
		c->rflags |= X86_IF;
		c->next_rip = (uint32_t)c->gpr[X86_RCX];
	}
	/* SS keeps its selector from STAR; the cache is a flat data segment. */
	flat_seg(&c->seg[X86_SS], (uint16_t)((sel + 8) | 3), 0x3, 3, false, true);
	x86_cpu_update_mode(c);
}

void x86_op_clts(struct x86_cpu *c, const struct x86_insn *i)
{
	need_cpl0(c);
	c->cr0 &= ~X86_CR0_TS;
}

void x86_op_wbinvd(struct x86_cpu *c, const struct x86_insn *i)
{
	need_cpl0(c); /* caches are coherent here: nothing to write back */
}

void x86_op_nop_modrm(struct x86_cpu *c, const struct x86_insn *i)
{
	/* Prefetch and hint NOPs (incl. ENDBR): no memory access. */
}
