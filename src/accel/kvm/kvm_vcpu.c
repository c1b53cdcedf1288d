/* One KVM vCPU: creation with Kiln's CPUID and MSR policy, the entry
 * state, and the KVM_RUN call itself. */
#include "accel/kvm/kvm_internal.h"
#include "arch/x86/cpuid.h"
#include "core/log.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define MSR_IA32_TSC 0x10
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SYSCALL_MASK 0xc0000084
#define MSR_KERNEL_GS_BASE 0xc0000102

#define MISC_ENABLE_FAST_STRING 1ull
#define MTRR_ENABLE (1ull << 11)
#define MTRR_TYPE_WB 6ull

#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_MODE_EXTINT 0x7
#define APIC_MODE_NMI 0x4

int kvm_vcpu_setup_cpuid(struct accel_vcpu *v, unsigned int nr_cpus)
{
	const struct kvm_cpuid2 *sup = v->vm->supported_cpuid;
	struct cpuid_table *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	if (sup->nent > CPUID_MAX_ENTRIES) {
		free(t);
		return -E2BIG; /* a host with more leaves than we can describe */
	}
	for (unsigned int i = 0; i < sup->nent; i++) {
		const struct kvm_cpuid_entry2 *k = &sup->entries[i];
		t->e[t->n++] = (struct cpuid_entry){
			.function = k->function,
			.index = k->index,
			.flags = (k->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX)
					 ? CPUID_FLAG_INDEXED : 0,
			.eax = k->eax, .ebx = k->ebx, .ecx = k->ecx, .edx = k->edx,
		};
	}
	int err = cpuid_apply_policy(t, v->index, nr_cpus);
	if (err) {
		free(t);
		return err;
	}
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + t->n * sizeof(c->entries[0]));
	if (!c) {
		free(t);
		return -ENOMEM;
	}
	c->nent = t->n;
	for (unsigned int i = 0; i < t->n; i++) {
		const struct cpuid_entry *e = &t->e[i];
		c->entries[i] = (struct kvm_cpuid_entry2){
			.function = e->function,
			.index = e->index,
			.flags = (e->flags & CPUID_FLAG_INDEXED)
					 ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0,
			.eax = e->eax, .ebx = e->ebx, .ecx = e->ecx, .edx = e->edx,
		};
	}
	err = ioctl(v->fd, KVM_SET_CPUID2, c) < 0 ? -errno : 0;
	free(c);
	free(t);
	return err;
}

/* The MSR values a freshly reset PC hands its OS, as Linux expects them. */
int kvm_vcpu_setup_msrs(struct accel_vcpu *v)
{
	static const struct {
		uint32_t index;
		uint64_t value;
	} boot_msrs[] = {
		{ MSR_IA32_SYSENTER_CS, 0 },  { MSR_IA32_SYSENTER_ESP, 0 },
		{ MSR_IA32_SYSENTER_EIP, 0 }, { MSR_STAR, 0 },
		{ MSR_CSTAR, 0 },             { MSR_KERNEL_GS_BASE, 0 },
		{ MSR_SYSCALL_MASK, 0 },      { MSR_LSTAR, 0 },
		{ MSR_IA32_TSC, 0 },
		{ MSR_IA32_MISC_ENABLE, MISC_ENABLE_FAST_STRING },
		/* MTRRs on, default write-back: otherwise guests map RAM uncached. */
		{ MSR_MTRR_DEF_TYPE, MTRR_ENABLE | MTRR_TYPE_WB },
	};
	/* One at a time: KVM_SET_MSRS stops at the first MSR it refuses, and
	 * the ones after it must still be set. */
	for (size_t i = 0; i < sizeof(boot_msrs) / sizeof(boot_msrs[0]); i++) {
		struct {
			struct kvm_msrs hdr;
			struct kvm_msr_entry e;
		} m = { .hdr.nmsrs = 1, .e.index = boot_msrs[i].index,
			.e.data = boot_msrs[i].value };
		int set = ioctl(v->fd, KVM_SET_MSRS, &m);
		if (set < 0)
			return -errno;
		if (set != 1)
			pr_warn("vcpu %u: KVM refused MSR 0x%x", v->index,
				boot_msrs[i].index);
	}
	return 0;
}

static void lapic_set_lvt_mode(struct kvm_lapic_state *s, unsigned int reg,
			       uint32_t mode)
{
	uint32_t val;
	memcpy(&val, &s->regs[reg], 4);
	val = (val & ~0x700u) | (mode << 8);
	memcpy(&s->regs[reg], &val, 4);
}

/* As a PC BIOS leaves it: LINT0 takes the PIC's ExtINT, LINT1 is NMI. */
int kvm_vcpu_setup_lapic(struct accel_vcpu *v)
{
	struct kvm_lapic_state s;
	if (ioctl(v->fd, KVM_GET_LAPIC, &s) < 0)
		return -errno;
	lapic_set_lvt_mode(&s, APIC_LVT_LINT0, APIC_MODE_EXTINT);
	lapic_set_lvt_mode(&s, APIC_LVT_LINT1, APIC_MODE_NMI);
	if (ioctl(v->fd, KVM_SET_LAPIC, &s) < 0)
		return -errno;
	return 0;
}

static void kick_handler(int sig)
{
	(void)sig; /* only here so the signal interrupts KVM_RUN */
}

int kvm_vcpu_create(struct accel *a, unsigned int index, unsigned int nr_cpus,
		    struct accel_vcpu **out, char *err, size_t errlen)
{
	struct accel_vcpu *v = calloc(1, sizeof(*v));
	int e;
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	v->vm = a;
	v->index = index;
	v->run = MAP_FAILED;
	v->fd = ioctl(a->vm_fd, KVM_CREATE_VCPU, (unsigned long)index);
	if (v->fd < 0) {
		e = -errno;
		snprintf(err, errlen, "KVM_CREATE_VCPU %u: %s", index, strerror(-e));
		goto fail;
	}
	v->run = mmap(NULL, (size_t)a->run_size, PROT_READ | PROT_WRITE,
		      MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		e = -errno;
		snprintf(err, errlen, "mmap of vcpu %u run page: %s", index,
			 strerror(-e));
		goto fail;
	}
	if ((e = kvm_vcpu_setup_cpuid(v, nr_cpus))) {
		snprintf(err, errlen, "KVM_SET_CPUID2 on vcpu %u: %s", index,
			 strerror(-e));
		goto fail;
	}
	if ((e = kvm_vcpu_setup_msrs(v))) {
		snprintf(err, errlen, "KVM_SET_MSRS on vcpu %u: %s", index,
			 strerror(-e));
		goto fail;
	}
	if ((e = kvm_vcpu_setup_lapic(v))) {
		snprintf(err, errlen, "LAPIC setup on vcpu %u: %s", index,
			 strerror(-e));
		goto fail;
	}
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };
	if (ioctl(v->fd, KVM_SET_FPU, &fpu) < 0) {
		e = -errno;
		snprintf(err, errlen, "KVM_SET_FPU on vcpu %u: %s", index,
			 strerror(-e));
		goto fail;
	}
	struct sigaction sa = { .sa_handler = kick_handler };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL); /* no SA_RESTART: KVM_RUN must return */
	*out = v;
	return 0;
fail:
	kvm_vcpu_destroy(v);
	return e;
}

int kvm_vcpu_set_boot_state(struct accel_vcpu *v, const struct x86_boot_cpu *c)
{
	struct kvm_sregs sregs;
	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	kvm_segment_from_x86(&sregs.cs, &c->cs);
	kvm_segment_from_x86(&sregs.ds, &c->ds);
	kvm_segment_from_x86(&sregs.es, &c->es);
	kvm_segment_from_x86(&sregs.fs, &c->fs);
	kvm_segment_from_x86(&sregs.gs, &c->gs);
	kvm_segment_from_x86(&sregs.ss, &c->ss);
	kvm_segment_from_x86(&sregs.tr, &c->tr);
	kvm_segment_from_x86(&sregs.ldt, &c->ldt);
	sregs.gdt.base = c->gdt_base;
	sregs.gdt.limit = c->gdt_limit;
	sregs.idt.base = c->idt_base;
	sregs.idt.limit = c->idt_limit;
	sregs.cr0 = c->cr0;
	sregs.cr3 = c->cr3;
	sregs.cr4 = c->cr4;
	sregs.efer = c->efer;
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;

	struct kvm_regs regs = {
		.rip = c->rip, .rsp = c->rsp, .rbp = c->rbp, .rflags = c->rflags,
		.rsi = c->rsi, .rbx = c->rbx, .rdi = c->rdi,
	};
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	return 0;
}

int kvm_vcpu_run(struct accel_vcpu *v, struct vcpu_exit *exit)
{
	if (!v->thread_known) {
		v->thread = pthread_self();
		__atomic_store_n(&v->thread_known, true, __ATOMIC_RELEASE);
	}
	if (ioctl(v->fd, KVM_RUN, 0) < 0) {
		int e = errno;
		if (e == EINTR || e == EAGAIN) {
			__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_RELAXED);
			memset(exit, 0, sizeof(*exit));
			exit->reason = VCPU_EXIT_INTERRUPTED;
			return 0;
		}
		return -e;
	}
	kvm_decode_exit(v->run, (size_t)v->vm->run_size, exit);
	return 0;
}

/* immediate_exit covers the window before KVM_RUN is entered; the signal
 * covers a vCPU already inside it. */
void kvm_vcpu_kick(struct accel_vcpu *v)
{
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_RELEASE);
	if (__atomic_load_n(&v->thread_known, __ATOMIC_ACQUIRE))
		pthread_kill(v->thread, SIGUSR1);
}

void kvm_vcpu_dump(struct accel_vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &s) < 0) {
		pr_err("vcpu %u: cannot read registers: %s", v->index,
		       strerror(errno));
		return;
	}
	pr_err("vcpu %u: rip=%016llx rsp=%016llx rflags=%08llx", v->index,
	       (unsigned long long)r.rip, (unsigned long long)r.rsp,
	       (unsigned long long)r.rflags);
	pr_err("vcpu %u: rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx",
	       v->index, (unsigned long long)r.rax, (unsigned long long)r.rbx,
	       (unsigned long long)r.rcx, (unsigned long long)r.rdx);
	pr_err("vcpu %u: cr0=%llx cr3=%llx cr4=%llx efer=%llx cs=%x/%llx",
	       v->index, (unsigned long long)s.cr0, (unsigned long long)s.cr3,
	       (unsigned long long)s.cr4, (unsigned long long)s.efer,
	       s.cs.selector, (unsigned long long)s.cs.base);
}

void kvm_vcpu_destroy(struct accel_vcpu *v)
{
	if (!v)
		return;
	if (v->run != MAP_FAILED)
		munmap(v->run, (size_t)v->vm->run_size);
	if (v->fd >= 0)
		close(v->fd);
	free(v);
}
