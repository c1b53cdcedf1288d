/* Converting a KVM vCPU to and from Kiln's plain x86_vcpu_state. */
#include "accel/kvm/kvm_internal.h"
#include "arch/x86/cpu_state.h"
#include "core/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

static void seg_from_kvm(struct x86_segment *s, const struct kvm_segment *k)
{
	*s = (struct x86_segment){
		.base = k->base, .limit = k->limit, .selector = k->selector,
		.type = k->type, .present = k->present, .dpl = k->dpl,
		.db = k->db, .s = k->s, .l = k->l, .g = k->g, .avl = k->avl,
		.unusable = k->unusable,
	};
}

void kvm_segment_from_x86(struct kvm_segment *k, const struct x86_segment *s)
{
	*k = (struct kvm_segment){
		.base = s->base, .limit = s->limit, .selector = s->selector,
		.type = s->type, .present = s->present, .dpl = s->dpl,
		.db = s->db, .s = s->s, .l = s->l, .g = s->g, .avl = s->avl,
		.unusable = s->unusable,
	};
}

#define GPR_LIST(r) r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rsp, r.rbp, \
	r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15

int kvm_vcpu_save(struct accel_vcpu *v, struct x86_vcpu_state *s)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_xsave xsave;
	struct kvm_xcrs xcrs;
	struct kvm_lapic_state lapic;
	struct kvm_vcpu_events ev;
	struct kvm_mp_state mp;

	if (ioctl(v->fd, KVM_GET_REGS, &regs) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0 ||
	    ioctl(v->fd, KVM_GET_XSAVE, &xsave) < 0 ||
	    ioctl(v->fd, KVM_GET_LAPIC, &lapic) < 0 ||
	    ioctl(v->fd, KVM_GET_VCPU_EVENTS, &ev) < 0 ||
	    ioctl(v->fd, KVM_GET_MP_STATE, &mp) < 0)
		return -errno;
	memset(s, 0, sizeof(*s));
	s->version = X86_VCPU_STATE_VERSION;
	s->mp_state = mp.mp_state;

	uint64_t gpr[16] = { GPR_LIST(regs) };
	memcpy(s->gpr, gpr, sizeof(gpr));
	s->rip = regs.rip;
	s->rflags = regs.rflags;

	seg_from_kvm(&s->cs, &sregs.cs);
	seg_from_kvm(&s->ds, &sregs.ds);
	seg_from_kvm(&s->es, &sregs.es);
	seg_from_kvm(&s->fs, &sregs.fs);
	seg_from_kvm(&s->gs, &sregs.gs);
	seg_from_kvm(&s->ss, &sregs.ss);
	seg_from_kvm(&s->tr, &sregs.tr);
	seg_from_kvm(&s->ldt, &sregs.ldt);
	s->gdt_base = sregs.gdt.base;
	s->gdt_limit = sregs.gdt.limit;
	s->idt_base = sregs.idt.base;
	s->idt_limit = sregs.idt.limit;
	s->cr0 = sregs.cr0;
	s->cr2 = sregs.cr2;
	s->cr3 = sregs.cr3;
	s->cr4 = sregs.cr4;
	s->cr8 = sregs.cr8;
	s->efer = sregs.efer;
	s->apic_base = sregs.apic_base;

	memset(&xcrs, 0, sizeof(xcrs));
	if (ioctl(v->fd, KVM_GET_XCRS, &xcrs) == 0)
		for (uint32_t i = 0; i < xcrs.nr_xcrs && i < KVM_MAX_XCRS; i++)
			if (xcrs.xcrs[i].xcr == 0)
				s->xcr0 = xcrs.xcrs[i].value;

	s->exception_injected = ev.exception.injected;
	s->exception_nr = ev.exception.nr;
	s->exception_has_error_code = ev.exception.has_error_code;
	s->exception_error_code = ev.exception.error_code;
	s->interrupt_injected = ev.interrupt.injected;
	s->interrupt_nr = ev.interrupt.nr;
	s->interrupt_soft = ev.interrupt.soft;
	s->interrupt_shadow = ev.interrupt.shadow;
	s->nmi_injected = ev.nmi.injected;
	s->nmi_pending = ev.nmi.pending;
	s->nmi_masked = ev.nmi.masked;
	s->sipi_vector = ev.sipi_vector;

	/* One MSR at a time: KVM_GET_MSRS stops at the first one this host
	 * lacks (TSC_DEADLINE, FEATURE_CONTROL on AMD), and we want the rest. */
	for (size_t i = 0; i < x86_nr_saved_msrs; i++) {
		struct {
			struct kvm_msrs hdr;
			struct kvm_msr_entry e;
		} m = { .hdr.nmsrs = 1, .e.index = x86_saved_msrs[i] };
		if (ioctl(v->fd, KVM_GET_MSRS, &m) != 1)
			continue;
		s->msrs[s->nr_msrs].index = m.e.index;
		s->msrs[s->nr_msrs].value = m.e.data;
		s->nr_msrs++;
	}

	_Static_assert(sizeof(xsave.region) == X86_XSAVE_AREA_SIZE, "xsave size");
	_Static_assert(sizeof(lapic.regs) == X86_LAPIC_PAGE_SIZE, "lapic size");
	memcpy(s->xsave, xsave.region, sizeof(s->xsave));
	memcpy(s->lapic, lapic.regs, sizeof(s->lapic));
	return 0;
}

int kvm_vcpu_restore(struct accel_vcpu *v, const struct x86_vcpu_state *s,
		     char *err, size_t errlen)
{
	int e = x86_vcpu_state_check(s, err, errlen);
	if (e)
		return e;

	struct kvm_sregs sregs;
	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		goto ioctl_failed;
	kvm_segment_from_x86(&sregs.cs, &s->cs);
	kvm_segment_from_x86(&sregs.ds, &s->ds);
	kvm_segment_from_x86(&sregs.es, &s->es);
	kvm_segment_from_x86(&sregs.fs, &s->fs);
	kvm_segment_from_x86(&sregs.gs, &s->gs);
	kvm_segment_from_x86(&sregs.ss, &s->ss);
	kvm_segment_from_x86(&sregs.tr, &s->tr);
	kvm_segment_from_x86(&sregs.ldt, &s->ldt);
	sregs.gdt.base = s->gdt_base;
	sregs.gdt.limit = s->gdt_limit;
	sregs.idt.base = s->idt_base;
	sregs.idt.limit = s->idt_limit;
	sregs.cr0 = s->cr0;
	sregs.cr2 = s->cr2;
	sregs.cr3 = s->cr3;
	sregs.cr4 = s->cr4;
	sregs.cr8 = s->cr8;
	sregs.efer = s->efer;
	sregs.apic_base = s->apic_base;
	memset(sregs.interrupt_bitmap, 0, sizeof(sregs.interrupt_bitmap));
	/* KVM checks control registers and segments itself and answers
	 * EINVAL for combinations a CPU cannot be in. */
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
		goto ioctl_failed;

	const uint64_t *g = s->gpr;
	struct kvm_regs regs = {
		.rax = g[0], .rbx = g[1], .rcx = g[2], .rdx = g[3], .rsi = g[4],
		.rdi = g[5], .rsp = g[6], .rbp = g[7], .r8 = g[8], .r9 = g[9],
		.r10 = g[10], .r11 = g[11], .r12 = g[12], .r13 = g[13],
		.r14 = g[14], .r15 = g[15], .rip = s->rip, .rflags = s->rflags,
	};
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		goto ioctl_failed;

	struct kvm_xsave xsave;
	memcpy(xsave.region, s->xsave, sizeof(xsave.region));
	if (ioctl(v->fd, KVM_SET_XSAVE, &xsave) < 0)
		goto ioctl_failed;
	if (s->xcr0) {
		struct kvm_xcrs xcrs = { .nr_xcrs = 1 };
		xcrs.xcrs[0].xcr = 0;
		xcrs.xcrs[0].value = s->xcr0;
		if (ioctl(v->fd, KVM_SET_XCRS, &xcrs) < 0)
			goto ioctl_failed;
	}

	struct kvm_lapic_state lapic;
	memcpy(lapic.regs, s->lapic, sizeof(lapic.regs));
	if (ioctl(v->fd, KVM_SET_LAPIC, &lapic) < 0)
		goto ioctl_failed;

	/* MSRs after the LAPIC: KVM drops a TSC_DEADLINE write unless the
	 * LAPIC timer is already in TSC-deadline mode. */
	for (uint32_t i = 0; i < s->nr_msrs; i++) {
		struct {
			struct kvm_msrs hdr;
			struct kvm_msr_entry e;
		} m = { .hdr.nmsrs = 1, .e.index = s->msrs[i].index,
			.e.data = s->msrs[i].value };
		if (ioctl(v->fd, KVM_SET_MSRS, &m) != 1) {
			snprintf(err, errlen, "vCPU state: KVM refused MSR 0x%x",
				 s->msrs[i].index);
			return -EINVAL;
		}
	}

	struct kvm_vcpu_events ev;
	memset(&ev, 0, sizeof(ev));
	ev.exception.injected = s->exception_injected;
	ev.exception.nr = s->exception_nr;
	ev.exception.has_error_code = s->exception_has_error_code;
	ev.exception.error_code = s->exception_error_code;
	ev.interrupt.injected = s->interrupt_injected;
	ev.interrupt.nr = s->interrupt_nr;
	ev.interrupt.soft = s->interrupt_soft;
	ev.interrupt.shadow = s->interrupt_shadow;
	ev.nmi.injected = s->nmi_injected;
	ev.nmi.pending = s->nmi_pending;
	ev.nmi.masked = s->nmi_masked;
	ev.sipi_vector = s->sipi_vector;
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SIPI_VECTOR |
		   KVM_VCPUEVENT_VALID_SHADOW;
	if (ioctl(v->fd, KVM_SET_VCPU_EVENTS, &ev) < 0)
		goto ioctl_failed;

	struct kvm_mp_state mp = { .mp_state = s->mp_state };
	if (ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0)
		goto ioctl_failed;
	return 0;

ioctl_failed:
	e = -errno;
	snprintf(err, errlen, "vCPU state refused by KVM: %s", strerror(errno));
	return e;
}
