#include "arch/x86/cpu_state.h"

#include <errno.h>
#include <stdio.h>

/* Architectural MSRs Linux programs, plus KVM's paravirtual ones (clock,
 * async page faults, steal time, PV EOI) that a guest set up at boot and
 * must find again after a restore. */
const uint32_t x86_saved_msrs[] = {
	0x00000010, /* IA32_TSC */
	0x0000003a, /* IA32_FEATURE_CONTROL */
	0x0000003b, /* IA32_TSC_ADJUST */
	0x00000048, /* IA32_SPEC_CTRL */
	0x00000174, /* IA32_SYSENTER_CS */
	0x00000175, /* IA32_SYSENTER_ESP */
	0x00000176, /* IA32_SYSENTER_EIP */
	0x000001a0, /* IA32_MISC_ENABLE */
	0x00000277, /* IA32_PAT */
	0x000002ff, /* IA32_MTRR_DEF_TYPE */
	0x000006e0, /* IA32_TSC_DEADLINE */
	0x00000da0, /* IA32_XSS */
	0xc0000081, /* STAR */
	0xc0000082, /* LSTAR */
	0xc0000083, /* CSTAR */
	0xc0000084, /* SYSCALL_MASK */
	0xc0000102, /* KERNEL_GS_BASE */
	0xc0000103, /* TSC_AUX */
	0x4b564d00, /* KVM wall clock */
	0x4b564d01, /* KVM system time */
	/* The async-PF interrupt vector before async PF itself: enabled
	 * without it, KVM would signal "page ready" with vector 0. */
	0x4b564d06, /* KVM async page fault interrupt vector */
	0x4b564d02, /* KVM async page fault */
	0x4b564d03, /* KVM steal time */
	0x4b564d04, /* KVM PV EOI */
	0x4b564d05, /* KVM poll control */
};
const size_t x86_nr_saved_msrs = sizeof(x86_saved_msrs) / sizeof(x86_saved_msrs[0]);

_Static_assert(sizeof(x86_saved_msrs) / sizeof(x86_saved_msrs[0]) <=
		       X86_VCPU_STATE_MAX_MSRS,
	       "every saved MSR must fit in the state");

static int fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "vCPU state: %s", what);
	return -EINVAL;
}

static int msr_allowed(uint32_t index)
{
	for (size_t i = 0; i < x86_nr_saved_msrs; i++)
		if (x86_saved_msrs[i] == index)
			return 1;
	return 0;
}

int x86_vcpu_state_check(const struct x86_vcpu_state *s, char *err,
			 size_t errlen)
{
	if (s->version != X86_VCPU_STATE_VERSION)
		return fail(err, errlen, "unknown version");
	if (s->mp_state > X86_MP_HALTED)
		return fail(err, errlen, "impossible mp_state");
	if (s->reserved0 || s->reserved1[0] || s->reserved1[1] || s->reserved2)
		return fail(err, errlen, "reserved fields set");
	if (s->nr_msrs > X86_VCPU_STATE_MAX_MSRS)
		return fail(err, errlen, "too many MSRs");
	for (uint32_t i = 0; i < s->nr_msrs; i++) {
		if (s->msrs[i].reserved)
			return fail(err, errlen, "reserved MSR field set");
		if (!msr_allowed(s->msrs[i].index))
			return fail(err, errlen, "MSR not on the allow-list");
	}
	/* Vectors 0-31 are exceptions; an "exception" above that, or an
	 * external interrupt below it, is not something a CPU can hold. */
	if (s->exception_injected && s->exception_nr > 31)
		return fail(err, errlen, "bad exception vector");
	if (s->interrupt_injected && !s->interrupt_soft && s->interrupt_nr < 32)
		return fail(err, errlen, "bad interrupt vector");
	if (s->sipi_vector > 0xff)
		return fail(err, errlen, "bad SIPI vector");
	if (s->interrupt_shadow > 3)
		return fail(err, errlen, "bad interrupt shadow");
	return 0;
}
