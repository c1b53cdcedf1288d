/* Conversion between the interpreter's state and Kiln's backend-neutral
 * struct x86_vcpu_state (snapshots, migration, KVM comparison), and entry
 * from a kernel loader's boot state.
 */
#include "accel/soft/cpu_internal.h"
#include "accel/soft/icache.h"
#include "core/util.h"

#include <errno.h>

#define XSTATE_BV_OFFSET 512
#define XSTATE_X87 1ull
#define XSTATE_SSE 2ull

/* The saved MSRs this CPU holds, by index. */
static uint64_t *msr_field(struct x86_cpu *c, uint32_t idx)
{
	switch (idx) {
	case 0x00000174: return &c->sysenter_cs;
	case 0x00000175: return &c->sysenter_esp;
	case 0x00000176: return &c->sysenter_eip;
	case 0x000001a0: return &c->misc_enable;
	case 0x00000277: return &c->pat;
	case 0x000002ff: return &c->mtrr_def_type;
	case 0x000006e0: return &c->tsc_deadline;
	case 0x0000003a: return &c->feature_control;
	case 0x00000048: return &c->spec_ctrl;
	case 0xc0000081: return &c->star;
	case 0xc0000082: return &c->lstar;
	case 0xc0000083: return &c->cstar;
	case 0xc0000084: return &c->sfmask;
	case 0xc0000102: return &c->kernel_gs_base;
	case 0xc0000103: return &c->tsc_aux;
	}
	return NULL;
}

/* struct x86_vcpu_state keeps KVM's register order (rax rbx rcx rdx rsi
 * rdi rsp rbp r8..r15); the CPU keeps the encoding order. */
static const uint8_t state_gpr[16] = {
	X86_RAX, X86_RBX, X86_RCX, X86_RDX, X86_RSI, X86_RDI, X86_RSP, X86_RBP,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
};

void x86_cpu_save(struct x86_cpu *c, struct x86_vcpu_state *s)
{
	memset(s, 0, sizeof(*s));
	s->version = X86_VCPU_STATE_VERSION;
	s->mp_state = c->halted ? X86_MP_HALTED : X86_MP_RUNNABLE;
	for (unsigned int i = 0; i < 16; i++)
		s->gpr[i] = c->gpr[state_gpr[i]];
	s->rip = c->rip;
	s->rflags = x86_cpu_get_rflags(c);
	s->cs = c->seg[X86_CS];
	s->ds = c->seg[X86_DS];
	s->es = c->seg[X86_ES];
	s->fs = c->seg[X86_FS];
	s->gs = c->seg[X86_GS];
	s->ss = c->seg[X86_SS];
	s->tr = c->tr;
	s->ldt = c->ldtr;
	s->gdt_base = c->gdtr.base;
	s->gdt_limit = c->gdtr.limit;
	s->idt_base = c->idtr.base;
	s->idt_limit = c->idtr.limit;
	s->cr0 = c->cr0;
	s->cr2 = c->cr2;
	s->cr3 = c->cr3;
	s->cr4 = c->cr4;
	s->cr8 = c->cr8;
	s->efer = c->efer;
	s->apic_base = c->apic_base;
	s->xcr0 = c->xcr0;
	if (c->exc_pending) {
		s->exception_injected = 1;
		s->exception_nr = c->exc_vector;
		s->exception_has_error_code = c->exc_has_error;
		s->exception_error_code = c->exc_error;
	}
	s->interrupt_shadow = c->shadow ? 1 : 0;
	s->nmi_pending = c->nmi_pending;
	s->nmi_masked = c->nmi_masked;

	for (size_t k = 0; k < x86_nr_saved_msrs; k++) {
		uint32_t idx = x86_saved_msrs[k];
		uint64_t v, *f = msr_field(c, idx);
		if (idx == 0x10)
			v = x86_rdtsc_value(c);
		else if (f)
			v = *f;
		else
			continue; /* KVM's paravirtual MSRs: not on this CPU */
		s->msrs[s->nr_msrs].index = idx;
		s->msrs[s->nr_msrs].value = v;
		s->nr_msrs++;
	}

	x86_fxsave_image(&c->fpu, s->xsave, true);
	uint64_t bv = XSTATE_X87 | XSTATE_SSE;
	memcpy(s->xsave + XSTATE_BV_OFFSET, &bv, 8);
}

static int check_seg(const struct x86_segment *g, char *err, size_t errlen,
		     const char *name)
{
	if (g->type > 15 || g->dpl > 3 || g->present > 1 || g->db > 1 ||
	    g->s > 1 || g->l > 1 || g->g > 1 || g->avl > 1 || g->unusable > 1)
		return errmsg(-EINVAL, err, errlen, "soft CPU: bad %s descriptor cache", name);
	return 0;
}

int x86_cpu_load(struct x86_cpu *c, const struct x86_vcpu_state *s, char *err,
		 size_t errlen)
{
	static const char *names[] = { "CS", "DS", "ES", "FS", "GS", "SS", "TR", "LDT" };
	const struct x86_segment *segs[] = { &s->cs, &s->ds, &s->es, &s->fs,
					     &s->gs, &s->ss, &s->tr, &s->ldt };
	int r;

	for (unsigned k = 0; k < 8; k++)
		if ((r = check_seg(segs[k], err, errlen, names[k])))
			return r;
	if ((s->efer & X86_EFER_LMA) && !(s->cr0 & X86_CR0_PG))
		return errmsg(-EINVAL, err, errlen, "soft CPU: long mode active without paging");
	if (s->cs.l && !(s->efer & X86_EFER_LMA))
		return errmsg(-EINVAL, err, errlen, "soft CPU: 64-bit CS outside long mode");
	if (s->rflags & X86_VM)
		return errmsg(-EINVAL, err, errlen, "soft CPU: virtual-8086 mode is not supported");
	if (s->xcr0 & ~(XSTATE_X87 | XSTATE_SSE))
		return errmsg(-EINVAL, err, errlen,
			      "soft CPU: guest uses extended state (XCR0 %#llx) beyond x87/SSE",
			      (unsigned long long)s->xcr0);
	for (uint32_t k = 0; k < s->nr_msrs; k++) {
		uint32_t idx = s->msrs[k].index;
		if (idx != 0x10 && idx != 0x3b && !msr_field(c, idx) && s->msrs[k].value)
			return errmsg(-EINVAL, err, errlen,
				      "soft CPU: MSR %#x (in use by the guest) is not available",
				      idx);
	}
	struct x86_fpu fpu;
	x86_fpu_reset(&fpu);
	uint64_t bv;
	memcpy(&bv, s->xsave + XSTATE_BV_OFFSET, 8);
	if (x86_fxrstor_image(&fpu, s->xsave, true))
		return errmsg(-EINVAL, err, errlen, "soft CPU: bad MXCSR in the saved state");
	if (!(bv & XSTATE_X87)) {
		/* x87 in its initial configuration, as XRSTOR would leave it. */
		fpu.fcw = 0x37f;
		fpu.fsw = 0;
		fpu.ftw = 0;
		fpu.fop = 0;
		fpu.fip = fpu.fdp = 0;
		memset(fpu.st, 0, sizeof(fpu.st));
	}
	if (!(bv & XSTATE_SSE))
		memset(fpu.xmm, 0, sizeof(fpu.xmm));

	for (unsigned int i = 0; i < 16; i++)
		c->gpr[state_gpr[i]] = s->gpr[i];
	c->rip = s->rip;
	x86_cpu_set_rflags(c, s->rflags);
	c->seg[X86_CS] = s->cs;
	c->seg[X86_DS] = s->ds;
	c->seg[X86_ES] = s->es;
	c->seg[X86_FS] = s->fs;
	c->seg[X86_GS] = s->gs;
	c->seg[X86_SS] = s->ss;
	c->tr = s->tr;
	c->ldtr = s->ldt;
	c->gdtr = (struct x86_dtr){ s->gdt_base, s->gdt_limit };
	c->idtr = (struct x86_dtr){ s->idt_base, s->idt_limit };
	c->cr0 = s->cr0;
	c->cr2 = s->cr2;
	c->cr3 = s->cr3;
	c->cr4 = s->cr4;
	c->cr8 = s->cr8;
	c->efer = s->efer;
	c->apic_base = s->apic_base;
	c->xcr0 = s->xcr0 ? s->xcr0 : 1;
	for (uint32_t k = 0; k < s->nr_msrs; k++) {
		uint64_t *f = msr_field(c, s->msrs[k].index);
		if (s->msrs[k].index == 0x10)
			c->tsc_offset = s->msrs[k].value - x86_rdtsc_value(c) + c->tsc_offset;
		else if (f)
			*f = s->msrs[k].value;
	}
	c->fpu = fpu;
	c->halted = s->mp_state == X86_MP_HALTED;
	c->shadow = s->interrupt_shadow ? 1 : 0;
	c->nmi_pending = s->nmi_pending;
	c->nmi_masked = s->nmi_masked;
	c->exc_pending = s->exception_injected;
	c->exc_vector = s->exception_nr;
	c->exc_has_error = s->exception_has_error_code;
	c->exc_error = s->exception_error_code;
	c->delivering = -1;
	x86_cpu_update_mode(c);
	x86_tlb_flush(c, true);
	if (c->icache)
		x86_icache_flush(c->icache);
	return 0;
}

void x86_cpu_load_boot(struct x86_cpu *c, const struct x86_boot_cpu *b)
{
	c->rip = b->rip;
	c->gpr[X86_RSP] = b->rsp;
	c->gpr[X86_RSI] = b->rsi;
	c->gpr[X86_RBX] = b->rbx;
	c->gpr[X86_RBP] = b->rbp;
	c->gpr[X86_RDI] = b->rdi;
	x86_cpu_set_rflags(c, b->rflags);
	c->cr0 = b->cr0;
	c->cr3 = b->cr3;
	c->cr4 = b->cr4;
	c->efer = b->efer;
	c->seg[X86_CS] = b->cs;
	c->seg[X86_DS] = b->ds;
	c->seg[X86_ES] = b->es;
	c->seg[X86_FS] = b->fs;
	c->seg[X86_GS] = b->gs;
	c->seg[X86_SS] = b->ss;
	c->tr = b->tr;
	c->ldtr = b->ldt;
	c->gdtr = (struct x86_dtr){ b->gdt_base, b->gdt_limit };
	c->idtr = (struct x86_dtr){ b->idt_base, b->idt_limit };
	x86_cpu_update_mode(c);
	x86_tlb_flush(c, true);
	if (c->icache)
		x86_icache_flush(c->icache);
}
