/* The run loop: fetch, decode, execute, deliver events; reset state.
 *
 * Exceptions raised while an instruction runs unwind here with longjmp
 * (RIP still at the instruction). Delivering an event can itself fault;
 * deliver_event() turns that into a double fault or a triple fault by the
 * SDM's exception classes (Table 6-5).
 */
#include "accel/soft/cpu_internal.h"
#include "accel/soft/block.h"
#include "accel/soft/icache.h"

void x86_cpu_set_platform(struct x86_cpu *c, const struct x86_mem_ops *mem,
			  void *mem_opaque, const struct x86_intc_ops *intc,
			  void *intc_opaque)
{
	c->mem = mem;
	c->mem_opaque = mem_opaque;
	c->intc = intc;
	c->intc_opaque = intc_opaque;
}

static void seg_init(x86_seg_t *s, uint16_t sel, uint64_t base, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = base;
	s->limit = 0xffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
}

void x86_cpu_reset(struct x86_cpu *c)
{
	uint32_t sig[4];

	memset(c->gpr, 0, sizeof(c->gpr));
	c->rip = 0xfff0;
	c->rflags = 2;
	c->cc_op = CC_EAGER;
	for (unsigned s = 0; s < 6; s++)
		seg_init(&c->seg[s], 0, 0, 3);
	seg_init(&c->seg[X86_CS], 0xf000, 0xffff0000ull, 0xb);
	seg_init(&c->ldtr, 0, 0, 2);
	c->ldtr.s = 0;
	seg_init(&c->tr, 0, 0, 0xb);
	c->tr.s = 0;
	c->gdtr = (struct x86_dtr){ 0, 0xffff };
	c->idtr = (struct x86_dtr){ 0, 0xffff };
	c->cr0 = 0x60000010ull;
	c->cr2 = c->cr3 = c->cr4 = c->cr8 = 0;
	c->efer = 0;
	c->xcr0 = 1;
	memset(c->dr, 0, sizeof(c->dr));
	c->dr[6] = 0xffff0ff0ull;
	c->dr[7] = 0x400;
	c->star = c->lstar = c->cstar = c->sfmask = c->kernel_gs_base = 0;
	c->sysenter_cs = c->sysenter_esp = c->sysenter_eip = 0;
	c->pat = 0x0007040600070406ull;
	c->tsc_offset = 0;
	c->tsc_aux = 0;
	c->apic_base = 0xfee00900ull; /* enabled, bootstrap processor */
	c->misc_enable = 1;           /* fast strings */
	c->mtrr_def_type = 0;
	memset(c->mtrr_fixed, 0, sizeof(c->mtrr_fixed));
	memset(c->mtrr_var, 0, sizeof(c->mtrr_var));
	c->tsc_deadline = c->spec_ctrl = c->feature_control = 0;
	x86_fpu_reset(&c->fpu);
	c->fpu.fcw = 0x40; /* power-on value; FNINIT gives 0x37f */
	c->halted = false;
	c->shadow = 0;
	c->nmi_pending = c->nmi_masked = false;
	c->exc_pending = false;
	c->icount = 0;
	c->delivering = -1;
	atomic_store(&c->exit_request, 0);
	x86_cpu_update_mode(c);
	x86_cpuid_eval(c, 1, 0, sig);
	c->gpr[X86_RDX] = sig[0];
	if (c->icache)
		x86_icache_flush(c->icache);
	x86_tlb_forget(c);
}

void x86_cpu_kick(struct x86_cpu *c)
{
	int expected = 0;
	atomic_compare_exchange_strong(&c->exit_request, &expected, X86_EXIT_KICK + 1);
}

void x86_cpu_interrupt_hint(struct x86_cpu *c)
{
	atomic_store(&c->irq_hint, 1);
}

void x86_cpu_tlb_changed(struct x86_cpu *c)
{
	x86_tlb_forget(c);
}

void x86_cpu_request_exit(struct x86_cpu *c)
{
	int expected = 0;
	atomic_compare_exchange_strong(&c->exit_request, &expected, X86_EXIT_IO + 1);
}

static unsigned code_size(const struct x86_cpu *c)
{
	switch (c->mode) {
	case X86_MODE_LONG64: return 64;
	case X86_MODE_PROT32: return 32;
	default: return 16;
	}
}

/* Fetch and decode the instruction at CS:RIP, faulting as hardware does:
 * #GP past the CS limit or for a non-canonical RIP, #PF (fetch) on the page
 * that holds the missing bytes, #GP for more than 15 bytes, #UD for an
 * invalid encoding. */
void x86_fetch_decode(struct x86_cpu *c, struct x86_insn *insn)
{
	uint8_t buf[X86_MAX_INSN_LEN];
	unsigned cs = code_size(c), n;
	uint64_t la, room = X86_MAX_INSN_LEN;

	if (c->mode == X86_MODE_LONG64) {
		la = c->rip;
		if ((uint64_t)((int64_t)(la << 16) >> 16) != la)
			x86_gp0(c);
	} else {
		const x86_seg_t *s = &c->seg[X86_CS];
		if (c->rip > s->limit)
			x86_gp0(c);
		if (s->limit - c->rip + 1 < room)
			room = s->limit - c->rip + 1;
		la = (s->base + c->rip) & 0xffffffffull;
	}
	n = (unsigned)(4096 - (la & 0xfff));
	if (n > room)
		n = (unsigned)room;
	x86_read_lin(c, la, buf, n, X86_ACC_FETCH);
	enum x86_decode_result r = x86_decode(buf, n, cs, insn);
	if (r == X86_DECODE_TRUNCATED && n < room) {
		/* The instruction continues on the next page. */
		unsigned more = (unsigned)room - n;
		x86_read_lin(c, (la + n) & (c->mode == X86_MODE_LONG64 ? ~0ull : 0xffffffffull),
			     buf + n, more, X86_ACC_FETCH);
		n += more;
		r = x86_decode(buf, n, cs, insn);
	}
	switch (r) {
	case X86_DECODE_OK:
		return;
	case X86_DECODE_INVALID:
		x86_ud(c);
	default: /* too long, or cut off by the CS limit */
		x86_gp0(c);
	}
}

/* Execute one instruction (architecturally: one REP chunk). */
static void step(struct x86_cpu *c)
{
	struct x86_insn local;
	const struct x86_insn *insn = &local;
	bool tf = c->rflags & X86_TF;

	if (c->icache)
		insn = x86_icache_lookup(c, c->icache, &local);
	else
		x86_fetch_decode(c, &local);
	uint64_t next = c->rip + insn->len;
	if (c->mode != X86_MODE_LONG64)
		next &= c->mode == X86_MODE_PROT32 ? 0xffffffffull : 0xffffull;
	c->next_rip = next;
	c->shadow = 0;
	x86_exec(c, insn);
	c->rip = c->next_rip;
	c->icount++;
	if (tf) {
		c->dr[6] |= 0x4000; /* BS: single step */
		c->exc_pending = true;
		c->exc_vector = X86_EXC_DB;
		c->exc_has_error = false;
	}
}

/* Execute a block from its first instruction: each one as step() would,
 * stopping after one that branched (RIP is not the next one's), asked
 * the run loop to exit, or wrote code that dropped this block. */
static void run_block(struct x86_cpu *c, const struct x86_block *b)
{
	uint64_t rip = c->rip, phys = b->phys;
	uint64_t mask = b->code_size == 64 ? ~0ull : b->code_size == 32 ? 0xffffffffull : 0xffffull;
	const struct x86_bop *op = b->op, *end = b->op + b->n;

	c->shadow = 0;
	do {
		uint64_t next = (rip + op->insn.len) & mask;
		c->next_rip = next;
		c->budget_left--;
		op->fn(c, &op->insn);
		rip = c->next_rip;
		c->rip = rip;
		c->icount++;
		if (rip != next || b->phys != phys ||
		    atomic_load_explicit(&c->exit_request, memory_order_relaxed))
			return;
	} while (++op < end);
}

/* The block that followed `prev` at this RIP last time, if still valid
 * (see struct x86_link). */
static inline struct x86_block *chained(const struct x86_cpu *c, struct x86_block *prev)
{
	uint64_t epoch = c->icache->epoch;

	if (c->mode != X86_MODE_LONG64)
		return NULL;
	for (unsigned k = 0; k < 2; k++) {
		const struct x86_link *l = &prev->link[k];
		if (l->rip == c->rip && l->b && l->epoch == epoch &&
		    l->b->phys == l->phys && l->user == (c->cpl == 3)) {
			c->icache->hits++;
			return l->b;
		}
	}
	return NULL;
}

static bool contributory(int v)
{
	return v == X86_EXC_DE || (v >= X86_EXC_TS && v <= X86_EXC_GP);
}

/* Deliver an event; a fault while delivering it becomes #DF or, during
 * #DF, a triple fault (returns false). Leaves c->jmp stale: callers arm it
 * again before executing anything. */
static bool deliver_event(struct x86_cpu *c, int vector, enum x86_event_kind kind,
			  bool has_error, uint32_t error, uint64_t ret)
{
	volatile int v = vector;
	volatile int k = kind;
	volatile bool he = has_error;
	volatile uint32_t e = error;
	volatile uint64_t r = ret;

	for (;;) {
		if (!setjmp(c->jmp)) {
			c->delivering = v;
			x86_deliver(c, v, (enum x86_event_kind)k, he, e, r);
			c->delivering = -1;
			return true;
		}
		int second = c->fault_vector;
		int first = v;
		bool first_exc = k == X86_EV_EXCEPTION;
		c->delivering = -1;
		if (first_exc && first == X86_EXC_DF)
			return false;
		if (first_exc && ((contributory(first) && contributory(second)) ||
				  (first == X86_EXC_PF && (second == X86_EXC_PF || contributory(second))))) {
			v = X86_EXC_DF;
			he = true;
			e = 0;
		} else {
			v = second;
			he = c->fault_has_error;
			e = c->fault_error;
		}
		k = X86_EV_EXCEPTION;
		r = c->rip;
	}
}

/* Which exceptions push an error code. */
static bool has_error_code(int v)
{
	return v == X86_EXC_DF || (v >= X86_EXC_TS && v <= X86_EXC_PF) || v == X86_EXC_AC;
}

enum { RUN_REARM = -1 };

/* Execute until something needs the run loop: an exit (returned), or an
 * event was delivered (RUN_REARM: c->jmp must be armed again). Kept out
 * of x86_cpu_run, whose setjmp pins its locals to memory. */
static __attribute__((noinline)) int run_some(struct x86_cpu *c)
{
	struct x86_block *prev = NULL; /* the block just run */

	for (;;) {
		int req = atomic_load_explicit(&c->exit_request, memory_order_relaxed);
		if (req) {
			atomic_store(&c->exit_request, 0);
			return req - 1;
		}
		if (c->exc_pending) {
			c->exc_pending = false;
			bool he = c->exc_has_error || has_error_code(c->exc_vector);
			if (!deliver_event(c, c->exc_vector, X86_EV_EXCEPTION, he,
					   c->exc_error, c->rip))
				return X86_EXIT_SHUTDOWN;
			return RUN_REARM;
		}
		if (!c->shadow) {
			if (c->nmi_pending && !c->nmi_masked) {
				c->nmi_pending = false;
				if (!deliver_event(c, X86_EXC_NMI, X86_EV_NMI, false, 0, c->rip))
					return X86_EXIT_SHUTDOWN;
				return RUN_REARM;
			}
			if ((c->rflags & X86_IF) && c->intc &&
			    atomic_load_explicit(&c->irq_hint, memory_order_relaxed)) {
				/* Clear first: a hint that races with pending()
				 * is kept for the next boundary. */
				atomic_store(&c->irq_hint, 0);
				int v = c->intc->pending(c->intc_opaque);
				if (v >= 0) {
					atomic_store(&c->irq_hint, 1); /* maybe more */
					c->intc->ack(c->intc_opaque, v);
					if (!deliver_event(c, v, X86_EV_EXTERNAL, false, 0, c->rip))
						return X86_EXIT_SHUTDOWN;
					return RUN_REARM;
				}
			}
		}
		if (c->halted)
			return X86_EXIT_HLT;
		if (!c->budget_left)
			return X86_EXIT_BUDGET;
		/* Blocks run only where interrupts may come at every boundary
		 * they check (after the block): not under an interrupt shadow,
		 * which ends after one instruction, nor with a trap after
		 * every instruction. */
		if (c->icache && !c->shadow && !(c->rflags & X86_TF)) {
			struct x86_block *b = prev ? chained(c, prev) : NULL;
			if (!b) {
				uint64_t epoch = c->icache->epoch;
				b = x86_block_lookup(c, c->icache);
				if (b && prev && epoch == c->icache->epoch)
					x86_block_link(c, c->icache, prev, b);
			}
			if (b && b->n <= c->budget_left) {
				if (b->jit && b->jit_rip == c->rip) {
					c->shadow = 0;
					b->jit(c, x86_arith(c));
				} else {
					run_block(c, b);
				}
				prev = b;
				continue;
			}
		}
		prev = NULL;
		c->budget_left--;
		step(c);
	}
}

enum x86_exit x86_cpu_run(struct x86_cpu *c, uint64_t budget)
{
	c->budget_left = budget;
	atomic_store(&c->irq_hint, 1);
	for (;;) {
		if (setjmp(c->jmp)) {
			/* An instruction faulted. */
			int v = c->fault_vector;
			if (!deliver_event(c, v, X86_EV_EXCEPTION, c->fault_has_error,
					   c->fault_error, c->rip))
				return X86_EXIT_SHUTDOWN;
			continue;
		}
		int r = run_some(c);
		if (r != RUN_REARM)
			return (enum x86_exit)r;
	}
}

int x86_cpu_step_raw(struct x86_cpu *c, uint32_t *err)
{
	if (setjmp(c->jmp)) {
		*err = c->fault_error;
		return c->fault_vector;
	}
	step(c);
	if (c->exc_pending) {
		c->exc_pending = false;
		*err = 0;
		return c->exc_vector;
	}
	return -1;
}

void x86_cpu_code_written(struct x86_cpu *c, uint64_t page)
{
	if (c->icache)
		x86_icache_invalidate_page(c->icache, page);
}
