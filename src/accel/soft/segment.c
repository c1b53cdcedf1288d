/* Segmentation and privilege: descriptor loads, far JMP/CALL/RET, IRET,
 * control registers and the mode they select, the I/O permission check.
 *
 * Not supported (each raises #GP and is logged once): call gates, task
 * gates and hardware task switches, virtual-8086 mode. 64-bit Linux uses
 * none of them.
 */
#include "accel/soft/cpu_internal.h"
#include "core/log.h"

static bool canonical(uint64_t la)
{
	return (uint64_t)((int64_t)(la << 16) >> 16) == la;
}

void x86_cpu_update_mode(struct x86_cpu *c)
{
	const x86_seg_t *cs = &c->seg[X86_CS];

	if (!(c->cr0 & X86_CR0_PE)) {
		c->mode = X86_MODE_REAL;
		c->cpl = 0;
		return;
	}
	if ((c->efer & X86_EFER_LMA) && cs->l)
		c->mode = X86_MODE_LONG64;
	else
		c->mode = cs->db ? X86_MODE_PROT32 : X86_MODE_PROT16;
	/* CPL lives in SS.DPL (CS.DPL differs for conforming code). */
	c->cpl = c->seg[X86_SS].dpl;
	if (c->rflags & X86_VM)
		c->cpl = 3;
}

void x86_desc_to_seg(uint64_t d, uint16_t sel, x86_seg_t *s)
{
	uint32_t limit = (uint32_t)((d & 0xffff) | ((d >> 32) & 0xf0000));

	s->selector = sel;
	s->base = ((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000ull);
	s->g = (d >> 55) & 1;
	s->limit = s->g ? (limit << 12) | 0xfff : limit;
	s->type = (d >> 40) & 0xf;
	s->s = (d >> 44) & 1;
	s->dpl = (d >> 45) & 3;
	s->present = (d >> 47) & 1;
	s->avl = (d >> 52) & 1;
	s->l = (d >> 53) & 1;
	s->db = (d >> 54) & 1;
	s->unusable = 0;
}

static _Noreturn void gp_sel(struct x86_cpu *c, uint16_t sel)
{
	x86_raise(c, X86_EXC_GP, sel & 0xfffc);
}

void x86_read_desc(struct x86_cpu *c, uint16_t sel, uint64_t desc[2], bool sys16)
{
	uint64_t base, limit, off = sel & 0xfff8;

	if (sel & 4) {
		if (c->ldtr.unusable || !c->ldtr.present)
			gp_sel(c, sel);
		base = c->ldtr.base;
		limit = c->ldtr.limit;
	} else {
		base = c->gdtr.base;
		limit = c->gdtr.limit;
	}
	if (off + (sys16 ? 15 : 7) > limit)
		gp_sel(c, sel);
	desc[0] = x86_sys_read(c, base + off, 8);
	desc[1] = sys16 ? x86_sys_read(c, base + off + 8, 8) : 0;
}

/* Set the accessed bit of a code/data descriptor in its table. */
static void set_accessed(struct x86_cpu *c, uint16_t sel, uint64_t desc)
{
	if (desc & (1ull << 40))
		return;
	uint64_t base = (sel & 4) ? c->ldtr.base : c->gdtr.base;
	x86_sys_write(c, base + (sel & 0xfff8) + 5, 1, (uint8_t)(desc >> 40) | 1);
}

static void null_seg(x86_seg_t *s, uint16_t sel)
{
	s->selector = sel;
	s->base = 0;
	s->limit = 0;
	s->type = 0;
	s->s = 0;
	s->present = 0;
	s->dpl = 0;
	s->db = s->l = s->g = s->avl = 0;
	s->unusable = 1;
}

void x86_load_seg(struct x86_cpu *c, unsigned sreg, uint16_t sel)
{
	x86_seg_t *s = &c->seg[sreg];
	uint64_t d[2];

	if (c->mode == X86_MODE_REAL || (c->rflags & X86_VM)) {
		/* Real mode keeps the cached limit and attributes. */
		s->selector = sel;
		s->base = (uint64_t)sel << 4;
		s->unusable = 0;
		s->present = 1;
		return;
	}
	unsigned rpl = sel & 3, cpl = c->cpl;
	if ((sel & 0xfffc) == 0) {
		if (sreg == X86_SS && !(c->mode == X86_MODE_LONG64 && cpl != 3 && rpl == cpl))
			x86_gp0(c);
		null_seg(s, sel);
		if (sreg == X86_SS)
			s->dpl = (uint8_t)cpl;
		return;
	}
	x86_read_desc(c, sel, d, false);
	x86_seg_t n;
	x86_desc_to_seg(d[0], sel, &n);
	if (!n.s)
		gp_sel(c, sel);
	bool code = n.type & 8, conforming = code && (n.type & 4);
	if (sreg == X86_SS) {
		if (code || !(n.type & 2) || rpl != cpl || n.dpl != cpl)
			gp_sel(c, sel);
		if (!n.present)
			x86_raise(c, X86_EXC_SS, sel & 0xfffc);
	} else {
		if (code && !(n.type & 2))
			gp_sel(c, sel); /* execute-only code */
		if (!conforming && (rpl > n.dpl || cpl > n.dpl))
			gp_sel(c, sel);
		if (!n.present)
			x86_raise(c, X86_EXC_NP, sel & 0xfffc);
	}
	set_accessed(c, sel, d[0]);
	n.type |= 1;
	*s = n;
}

/* Load CS for a transfer to `sel` at privilege `cpl` (already checked). */
static void commit_cs(struct x86_cpu *c, const x86_seg_t *n, uint16_t sel,
		      unsigned cpl)
{
	c->seg[X86_CS] = *n;
	c->seg[X86_CS].selector = (uint16_t)((sel & 0xfffc) | cpl);
	c->seg[X86_CS].type |= 1;
	x86_cpu_update_mode(c);
	c->cpl = (uint8_t)cpl;
}

/* Check a code segment target of a direct far JMP/CALL; returns the new
 * cache and whether the offset fits. */
static void check_code_target(struct x86_cpu *c, uint16_t sel, x86_seg_t *n)
{
	uint64_t d[2];

	if ((sel & 0xfffc) == 0)
		x86_gp0(c);
	x86_read_desc(c, sel, d, false);
	x86_desc_to_seg(d[0], sel, n);
	if (!n->s) {
		pr_guest(LOG_WARN, "soft CPU: far transfer through a gate or TSS (selector %#x, type %u) is not supported",
			 sel, n->type);
		gp_sel(c, sel);
	}
	if (!(n->type & 8))
		gp_sel(c, sel);
	if (n->type & 4) {
		if (n->dpl > c->cpl)
			gp_sel(c, sel);
	} else if ((sel & 3) > c->cpl || n->dpl != c->cpl) {
		gp_sel(c, sel);
	}
	if (!n->present)
		x86_raise(c, X86_EXC_NP, sel & 0xfffc);
	if ((c->efer & X86_EFER_LMA) && n->l && n->db)
		gp_sel(c, sel);
	set_accessed(c, sel, d[0]);
}

static void check_offset(struct x86_cpu *c, const x86_seg_t *n, uint64_t off)
{
	if ((c->efer & X86_EFER_LMA) && n->l) {
		if (!canonical(off))
			x86_gp0(c);
	} else if (off > n->limit) {
		x86_gp0(c);
	}
}

void x86_far_jump(struct x86_cpu *c, uint16_t sel, uint64_t off, unsigned opsize)
{
	x86_seg_t n;

	off &= x86_size_mask(opsize);
	if (c->mode == X86_MODE_REAL) {
		c->seg[X86_CS].selector = sel;
		c->seg[X86_CS].base = (uint64_t)sel << 4;
		c->next_rip = off;
		return;
	}
	check_code_target(c, sel, &n);
	check_offset(c, &n, off);
	commit_cs(c, &n, sel, c->cpl);
	c->next_rip = off;
}

void x86_far_call(struct x86_cpu *c, uint16_t sel, uint64_t off, unsigned opsize)
{
	uint64_t ret = c->next_rip;
	uint16_t old_cs = c->seg[X86_CS].selector;
	x86_seg_t n;

	off &= x86_size_mask(opsize);
	if (c->mode == X86_MODE_REAL) {
		x86_push(c, opsize, old_cs);
		x86_push(c, opsize, ret);
		c->seg[X86_CS].selector = sel;
		c->seg[X86_CS].base = (uint64_t)sel << 4;
		c->next_rip = off;
		return;
	}
	check_code_target(c, sel, &n);
	check_offset(c, &n, off);
	/* Both pushes must succeed before CS changes. */
	uint64_t m = x86_size_mask(x86_stack_width(c));
	uint64_t sp = c->gpr[X86_RSP];
	x86_write(c, X86_SS, (sp - opsize) & m, opsize, old_cs);
	x86_write(c, X86_SS, (sp - 2 * opsize) & m, opsize, ret);
	x86_sp_add(c, -2 * (int64_t)opsize);
	commit_cs(c, &n, sel, c->cpl);
	c->next_rip = off;
}

/* After a return to an outer privilege level, data segments the new
 * level may not use are nulled. */
static void drop_inner_segments(struct x86_cpu *c)
{
	static const unsigned regs[] = { X86_ES, X86_DS, X86_FS, X86_GS };

	for (unsigned k = 0; k < 4; k++) {
		x86_seg_t *s = &c->seg[regs[k]];
		bool conforming_code = (s->type & 0xc) == 0xc;
		if (!s->unusable && s->s && !conforming_code && s->dpl < c->cpl) {
			uint64_t base = s->base;
			null_seg(s, 0);
			if (c->mode == X86_MODE_LONG64 && regs[k] >= X86_FS)
				s->base = base;
		}
	}
}

/* Check and return the code segment of a far return or IRET to `sel`. */
static void check_return_cs(struct x86_cpu *c, uint16_t sel, x86_seg_t *n)
{
	uint64_t d[2];
	unsigned rpl = sel & 3;

	if ((sel & 0xfffc) == 0)
		x86_gp0(c);
	x86_read_desc(c, sel, d, false);
	x86_desc_to_seg(d[0], sel, n);
	if (!n->s || !(n->type & 8) || rpl < c->cpl)
		gp_sel(c, sel);
	if ((n->type & 4) ? n->dpl > rpl : n->dpl != rpl)
		gp_sel(c, sel);
	if (!n->present)
		x86_raise(c, X86_EXC_NP, sel & 0xfffc);
	if ((c->efer & X86_EFER_LMA) && n->l && n->db)
		gp_sel(c, sel);
	set_accessed(c, sel, d[0]);
}

/* Load SS:rSP for a return to privilege `rpl`. */
static void load_outer_ss(struct x86_cpu *c, uint16_t ss_sel, unsigned rpl,
			  bool to64, x86_seg_t *out)
{
	uint64_t d[2];

	if ((ss_sel & 0xfffc) == 0) {
		/* Long mode allows a null SS when returning to 64-bit code
		 * below ring 3. */
		if (!to64 || rpl == 3)
			x86_gp0(c);
		null_seg(out, ss_sel);
		out->dpl = (uint8_t)rpl;
		return;
	}
	x86_read_desc(c, ss_sel, d, false);
	x86_desc_to_seg(d[0], ss_sel, out);
	if (!out->s || (out->type & 8) || !(out->type & 2) ||
	    (ss_sel & 3) != rpl || out->dpl != rpl)
		gp_sel(c, ss_sel);
	if (!out->present)
		x86_raise(c, X86_EXC_SS, ss_sel & 0xfffc);
	set_accessed(c, ss_sel, d[0]);
	out->type |= 1;
}

/* rSP after switching to a new SS (CS already loaded). */
static void set_outer_rsp(struct x86_cpu *c, uint64_t sp)
{
	if (c->mode == X86_MODE_LONG64)
		c->gpr[X86_RSP] = sp;
	else if (c->seg[X86_SS].db)
		c->gpr[X86_RSP] = (uint32_t)sp;
	else
		c->gpr[X86_RSP] = (c->gpr[X86_RSP] & ~0xffffull) | (sp & 0xffff);
}

void x86_far_ret(struct x86_cpu *c, unsigned opsize, uint16_t extra)
{
	uint64_t off = x86_stack_peek(c, 0, opsize);
	uint16_t sel = (uint16_t)x86_stack_peek(c, opsize, opsize);
	x86_seg_t n, ss;

	if (c->mode == X86_MODE_REAL) {
		c->seg[X86_CS].selector = sel;
		c->seg[X86_CS].base = (uint64_t)sel << 4;
		c->next_rip = off & x86_size_mask(opsize);
		x86_sp_add(c, 2 * opsize + extra);
		return;
	}
	check_return_cs(c, sel, &n);
	unsigned rpl = sel & 3;
	if (rpl == c->cpl) {
		check_offset(c, &n, off);
		x86_sp_add(c, 2 * opsize + extra);
		commit_cs(c, &n, sel, rpl);
		c->next_rip = off & x86_size_mask(opsize);
		return;
	}
	uint64_t nsp = x86_stack_peek(c, 2 * opsize + extra, opsize);
	uint16_t ss_sel = (uint16_t)x86_stack_peek(c, 3 * opsize + extra, opsize);
	load_outer_ss(c, ss_sel, rpl, (c->efer & X86_EFER_LMA) && n.l, &ss);
	check_offset(c, &n, off);
	commit_cs(c, &n, sel, rpl);
	c->seg[X86_SS] = ss;
	set_outer_rsp(c, nsp + extra);
	c->next_rip = off & x86_size_mask(opsize);
	drop_inner_segments(c);
}

/* The flags an IRET may load, by privilege (SDM IRET pseudo-code). */
static void iret_flags(struct x86_cpu *c, uint64_t v, unsigned opsize,
		       unsigned old_cpl)
{
	uint64_t old = x86_cpu_get_rflags(c);
	uint64_t mask = X86_ARITH_FLAGS | X86_TF | X86_DF | X86_NT | X86_RF |
			X86_AC | X86_ID | X86_IF | X86_IOPL | X86_VIF | X86_VIP;
	unsigned iopl = (unsigned)(old & X86_IOPL) >> 12;

	if (c->mode != X86_MODE_REAL) {
		if (old_cpl > 0)
			mask &= ~(uint64_t)(X86_IOPL | X86_VIF | X86_VIP);
		if (old_cpl > iopl)
			mask &= ~(uint64_t)X86_IF;
	}
	if (opsize == 2)
		mask &= 0xffff;
	x86_cpu_set_rflags(c, (old & ~mask) | (v & mask));
}

void x86_iret(struct x86_cpu *c, unsigned opsize)
{
	uint64_t off = x86_stack_peek(c, 0, opsize);
	uint16_t sel = (uint16_t)x86_stack_peek(c, opsize, opsize);
	uint64_t fl = x86_stack_peek(c, 2 * opsize, opsize);
	unsigned old_cpl = c->cpl;
	bool lma = c->efer & X86_EFER_LMA;
	x86_seg_t n, ss;

	c->nmi_masked = false;
	if (c->mode == X86_MODE_REAL) {
		if (off > c->seg[X86_CS].limit)
			x86_gp0(c);
		x86_sp_add(c, 3 * opsize);
		c->seg[X86_CS].selector = sel;
		c->seg[X86_CS].base = (uint64_t)sel << 4;
		c->next_rip = off & x86_size_mask(opsize);
		iret_flags(c, fl, opsize, 0);
		return;
	}
	if (c->rflags & X86_NT) {
		pr_guest(LOG_WARN, "soft CPU: IRET with NT set (task return) is not supported");
		x86_gp0(c);
	}
	if (!lma && (fl & X86_VM) && c->cpl == 0 && opsize == 4) {
		pr_guest(LOG_WARN, "soft CPU: IRET to virtual-8086 mode is not supported");
		x86_gp0(c);
	}
	check_return_cs(c, sel, &n);
	unsigned rpl = sel & 3;
	bool to64 = lma && n.l;
	if (rpl == c->cpl && c->mode != X86_MODE_LONG64) {
		check_offset(c, &n, off);
		x86_sp_add(c, 3 * opsize);
		commit_cs(c, &n, sel, rpl);
		c->next_rip = off & x86_size_mask(opsize);
		iret_flags(c, fl, opsize, old_cpl);
		return;
	}
	uint64_t nsp = x86_stack_peek(c, 3 * opsize, opsize);
	uint16_t ss_sel = (uint16_t)x86_stack_peek(c, 4 * opsize, opsize);
	load_outer_ss(c, ss_sel, rpl, to64, &ss);
	check_offset(c, &n, off);
	commit_cs(c, &n, sel, rpl);
	c->seg[X86_SS] = ss;
	set_outer_rsp(c, nsp);
	c->next_rip = off;
	iret_flags(c, fl, opsize, old_cpl);
	x86_cpu_update_mode(c);
	if (rpl > old_cpl)
		drop_inner_segments(c);
}

void x86_set_cr(struct x86_cpu *c, unsigned n, uint64_t v)
{
	uint64_t old;

	switch (n) {
	case 0:
		old = c->cr0;
		if (v >> 32)
			x86_gp0(c);
		if ((v & X86_CR0_PG) && !(v & X86_CR0_PE))
			x86_gp0(c);
		if ((v & X86_CR0_NW) && !(v & X86_CR0_CD))
			x86_gp0(c);
		if ((v & X86_CR0_PG) && !(old & X86_CR0_PG) && (c->efer & X86_EFER_LME)) {
			if (!(c->cr4 & X86_CR4_PAE) || c->seg[X86_CS].l)
				x86_gp0(c);
			c->efer |= X86_EFER_LMA;
		}
		if (!(v & X86_CR0_PG) && (old & X86_CR0_PG) && (c->efer & X86_EFER_LMA)) {
			if (c->mode == X86_MODE_LONG64)
				x86_gp0(c);
			c->efer &= ~X86_EFER_LMA;
		}
		c->cr0 = v | X86_CR0_ET;
		if ((old ^ c->cr0) & (X86_CR0_PG | X86_CR0_WP | X86_CR0_PE))
			x86_tlb_flush(c, true);
		x86_cpu_update_mode(c);
		break;
	case 2:
		c->cr2 = v;
		break;
	case 3:
		if (c->efer & X86_EFER_LMA) {
			if (v >> 52)
				x86_gp0(c);
		} else {
			v &= 0xffffffffull;
		}
		c->cr3 = v;
		x86_tlb_flush(c, false);
		break;
	case 4: {
		const uint64_t ok = X86_CR4_TSD | X86_CR4_DE | X86_CR4_PSE |
			X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE |
			X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
		if (v & ~ok)
			x86_gp0(c);
		if ((c->efer & X86_EFER_LMA) && !(v & X86_CR4_PAE))
			x86_gp0(c);
		old = c->cr4;
		c->cr4 = v;
		if ((old ^ v) & (X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE))
			x86_tlb_flush(c, true);
		break;
	}
	case 8:
		if (v & ~0xfull)
			x86_gp0(c);
		c->cr8 = v;
		break;
	default:
		x86_ud(c);
	}
}

bool x86_io_allowed(struct x86_cpu *c, uint16_t port, unsigned size)
{
	unsigned iopl = (unsigned)(c->rflags & X86_IOPL) >> 12;

	if (c->mode == X86_MODE_REAL || (c->cpl <= iopl && !(c->rflags & X86_VM)))
		return true;
	/* The TSS I/O permission bitmap. */
	const x86_seg_t *tr = &c->tr;
	if (tr->unusable || !tr->present || (tr->type & 0xd) != 9 || tr->limit < 103)
		return false;
	uint64_t base = x86_sys_read(c, tr->base + 102, 2);
	uint64_t at = base + port / 8;
	if (at + 1 > tr->limit)
		return false;
	uint64_t bits = x86_sys_read(c, tr->base + at, 2);
	uint64_t want = ((1u << size) - 1) << (port & 7);
	return !(bits & want);
}
