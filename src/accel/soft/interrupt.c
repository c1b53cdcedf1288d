/* Exceptions and interrupts: raising (unwinding to the run loop) and
 * delivery through the real-mode IVT or the protected/long-mode IDT, with
 * privilege changes, TSS stack switches, IST and error codes. Double
 * faults and triple faults are decided by the run loop (x86_cpu.c), which
 * knows what was being delivered when a delivery faulted.
 */
#include "accel/soft/cpu_internal.h"
#include "core/log.h"

#include <stdio.h>

_Noreturn void x86_raise(struct x86_cpu *c, int vector, uint32_t error)
{
	c->fault_vector = (uint8_t)vector;
	c->fault_has_error = true;
	c->fault_error = error;
	longjmp(c->jmp, 1);
}

_Noreturn void x86_raise_noerr(struct x86_cpu *c, int vector)
{
	c->fault_vector = (uint8_t)vector;
	c->fault_has_error = false;
	c->fault_error = 0;
	longjmp(c->jmp, 1);
}

_Noreturn void x86_raise_fault(struct x86_cpu *c, const struct x86_fault *f)
{
	if (f->vector == X86_EXC_PF)
		c->cr2 = f->cr2;
	if (f->vector == X86_EXC_PF || f->vector == X86_EXC_GP || f->vector == X86_EXC_SS)
		x86_raise(c, f->vector, f->error_code);
	x86_raise_noerr(c, f->vector);
}

_Noreturn void x86_unimplemented(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned key = (unsigned)i->map * 256 + i->op;
	uint64_t bit = 1ull << (key & 63);

	if (!(c->ud_logged[key / 64] & bit)) {
		uint8_t b[X86_MAX_INSN_LEN];
		char hex[3 * X86_MAX_INSN_LEN + 1] = "";
		unsigned n = i->len ? i->len : X86_MAX_INSN_LEN;
		struct x86_fault f;
		uint64_t la = c->seg[X86_CS].base + c->rip;

		c->ud_logged[key / 64] |= bit;
		if (c->mode != X86_MODE_LONG64)
			la &= 0xffffffffull;
		if (c->mem->read(c->mem_opaque, la, b, n, X86_ACC_FETCH, false, &f))
			n = 0;
		for (unsigned k = 0; k < n; k++)
			snprintf(hex + 3 * k, 4, "%02x ", b[k]);
		pr_guest(LOG_WARN, "soft CPU: instruction not implemented at %#llx: %s(#UD to the guest)",
			 (unsigned long long)c->rip, hex);
	}
	x86_ud(c);
}

/* Write a stack frame of `n` values of `width` bytes below `sp` in the
 * stack segment `ss` as one access (so a fault leaves memory untouched),
 * and return the new stack pointer. */
static uint64_t push_frame(struct x86_cpu *c, const x86_seg_t *ss, uint64_t sp,
			   unsigned width, const uint64_t *vals, unsigned n,
			   bool user, bool lm)
{
	uint8_t buf[8 * 8];
	uint64_t nsp = sp - (uint64_t)width * n, la;
	struct x86_fault f;

	for (unsigned k = 0; k < n; k++)
		memcpy(buf + (n - 1 - k) * width, &vals[k], width);
	if (lm) {
		la = nsp;
		if ((uint64_t)((int64_t)(la << 16) >> 16) != la)
			x86_raise(c, X86_EXC_SS, 0);
	} else {
		uint64_t m = ss->db ? 0xffffffffull : 0xffffull;
		nsp &= m;
		bool down = !(ss->type & 8) && (ss->type & 4);
		if (c->mode != X86_MODE_REAL &&
		    (down ? nsp <= ss->limit : nsp + width * n - 1 > ss->limit))
			x86_raise(c, X86_EXC_SS, 0);
		la = (ss->base + nsp) & 0xffffffffull;
	}
	if (c->mem->write(c->mem_opaque, la, buf, width * n, X86_ACC_DATA, user, &f))
		x86_raise_fault(c, &f);
	return nsp;
}

static void deliver_real(struct x86_cpu *c, int vector, uint64_t ret)
{
	if ((unsigned)vector * 4 + 3 > c->idtr.limit)
		x86_raise(c, X86_EXC_GP, (uint32_t)vector * 8 + 2);
	uint64_t ent = x86_sys_read(c, c->idtr.base + (uint64_t)vector * 4, 4);
	uint64_t vals[3] = { x86_cpu_get_rflags(c) & 0xffff,
			     c->seg[X86_CS].selector, ret & 0xffff };
	uint64_t sp = push_frame(c, &c->seg[X86_SS], c->gpr[X86_RSP], 2, vals, 3,
				 false, false);
	c->gpr[X86_RSP] = (c->gpr[X86_RSP] & ~0xffffull) | sp;
	c->rflags &= ~(uint64_t)(X86_IF | X86_TF | X86_AC | X86_RF);
	c->seg[X86_CS].selector = (uint16_t)(ent >> 16);
	c->seg[X86_CS].base = (ent >> 16) << 4;
	c->rip = c->next_rip = ent & 0xffff;
}

void x86_deliver(struct x86_cpu *c, int vector, enum x86_event_kind kind,
		 bool has_error, uint32_t error, uint64_t ret)
{
	bool lm = c->efer & X86_EFER_LMA;
	uint32_t ext = (kind == X86_EV_EXTERNAL || kind == X86_EV_NMI) ? 1 : 0;
	uint32_t idt_err = (uint32_t)vector * 8 + 2 + ext;
	uint64_t d[2];

	c->halted = false;
	if (c->mode == X86_MODE_REAL) {
		deliver_real(c, vector, ret);
		return;
	}
	unsigned esz = lm ? 16 : 8;
	if ((unsigned)vector * esz + esz - 1 > c->idtr.limit)
		x86_raise(c, X86_EXC_GP, idt_err);
	d[0] = x86_sys_read(c, c->idtr.base + (uint64_t)vector * esz, 8);
	d[1] = lm ? x86_sys_read(c, c->idtr.base + (uint64_t)vector * esz + 8, 8) : 0;

	unsigned type = (d[0] >> 40) & 0xf, gdpl = (d[0] >> 45) & 3;
	bool present = (d[0] >> 47) & 1;
	bool gate32 = type == 0xe || type == 0xf, gate16 = type == 0x6 || type == 0x7;
	if (lm ? !gate32 : !(gate32 || gate16)) {
		if (type == 0x5)
			pr_guest(LOG_WARN, "soft CPU: task gate in the IDT (vector %d) is not supported", vector);
		x86_raise(c, X86_EXC_GP, idt_err);
	}
	if (kind == X86_EV_SOFT_INT && gdpl < c->cpl)
		x86_raise(c, X86_EXC_GP, idt_err);
	if (!present)
		x86_raise(c, X86_EXC_NP, idt_err);
	bool trap = type & 1;
	uint16_t sel = (uint16_t)(d[0] >> 16);
	uint64_t off = (d[0] & 0xffff) | ((d[0] >> 32) & 0xffff0000ull);
	if (lm)
		off |= d[1] << 32;
	else if (gate16)
		off &= 0xffff;
	unsigned ist = lm ? (d[0] >> 32) & 7 : 0;

	/* The handler's code segment. */
	if ((sel & 0xfffc) == 0)
		x86_raise(c, X86_EXC_GP, ext);
	uint64_t cd[2];
	x86_seg_t cs;
	x86_read_desc(c, sel, cd, false);
	x86_desc_to_seg(cd[0], sel, &cs);
	if (!cs.s || !(cs.type & 8) || cs.dpl > c->cpl)
		x86_raise(c, X86_EXC_GP, (sel & 0xfffc) + ext);
	if (!cs.present)
		x86_raise(c, X86_EXC_NP, (sel & 0xfffc) + ext);
	if (lm && (!cs.l || cs.db))
		x86_raise(c, X86_EXC_GP, (sel & 0xfffc) + ext);

	unsigned new_cpl = (cs.type & 4) ? c->cpl : cs.dpl;
	bool inner = new_cpl < c->cpl;
	x86_seg_t ss = c->seg[X86_SS];
	uint64_t sp = c->gpr[X86_RSP];
	uint64_t old_ss = c->seg[X86_SS].selector, old_sp = c->gpr[X86_RSP];
	uint64_t flags = x86_cpu_get_rflags(c);
	uint64_t vals[6];
	unsigned n = 0;

	if (lm) {
		if (ist)
			sp = x86_sys_read(c, c->tr.base + 36 + 8 * (uint64_t)(ist - 1), 8);
		else if (inner)
			sp = x86_sys_read(c, c->tr.base + 4 + 8 * (uint64_t)new_cpl, 8);
		if (inner) {
			memset(&ss, 0, sizeof(ss));
			ss.selector = (uint16_t)new_cpl;
			ss.unusable = 1;
			ss.dpl = (uint8_t)new_cpl;
		}
		sp &= ~15ull;
		vals[n++] = old_ss;
		vals[n++] = old_sp;
	} else if (inner) {
		if (c->tr.unusable || c->tr.limit < 8 * new_cpl + 11u)
			x86_raise(c, X86_EXC_TS, c->tr.selector & 0xfffc);
		uint64_t nsp = x86_sys_read(c, c->tr.base + 4 + 8 * (uint64_t)new_cpl, 4);
		uint16_t nss = (uint16_t)x86_sys_read(c, c->tr.base + 8 + 8 * (uint64_t)new_cpl, 2);
		uint64_t sd[2];
		if ((nss & 0xfffc) == 0)
			x86_raise(c, X86_EXC_TS, ext);
		x86_read_desc(c, nss, sd, false);
		x86_desc_to_seg(sd[0], nss, &ss);
		if ((nss & 3) != new_cpl || ss.dpl != new_cpl || !ss.s ||
		    (ss.type & 8) || !(ss.type & 2))
			x86_raise(c, X86_EXC_TS, (nss & 0xfffc) + ext);
		if (!ss.present)
			x86_raise(c, X86_EXC_SS, (nss & 0xfffc) + ext);
		sp = nsp;
		vals[n++] = old_ss;
		vals[n++] = old_sp;
	}
	vals[n++] = flags;
	vals[n++] = c->seg[X86_CS].selector;
	vals[n++] = ret;
	if (has_error)
		vals[n++] = error;

	unsigned width = lm ? 8 : gate32 ? 4 : 2;
	sp = push_frame(c, &ss, sp, width, vals, n, new_cpl == 3, lm);

	/* Commit. */
	c->seg[X86_SS] = ss;
	if (lm || ss.db)
		c->gpr[X86_RSP] = lm ? sp : (uint32_t)sp;
	else
		c->gpr[X86_RSP] = (c->gpr[X86_RSP] & ~0xffffull) | (sp & 0xffff);
	cs.selector = (uint16_t)((sel & 0xfffc) | new_cpl);
	cs.type |= 1;
	c->seg[X86_CS] = cs;
	c->rflags &= ~(uint64_t)(X86_TF | X86_NT | X86_RF | X86_VM);
	if (!trap)
		c->rflags &= ~(uint64_t)X86_IF;
	x86_cpu_update_mode(c);
	c->cpl = (uint8_t)new_cpl;
	c->rip = c->next_rip = off;
	if (kind == X86_EV_NMI)
		c->nmi_masked = true;
}
