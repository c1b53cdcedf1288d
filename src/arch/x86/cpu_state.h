/* A vCPU's complete architectural state as plain data.
 *
 * Snapshot, live migration and (later) handing a vCPU between KVM and the
 * software CPU all go through this one versioned structure. It holds no
 * pointers and no backend types; a backend converts to and from it. On
 * restore it is untrusted input: x86_vcpu_state_check() refuses what no
 * backend should be asked to load, and only MSRs on the allow-list below
 * can be written through it.
 */
#ifndef KILN_ARCH_X86_CPU_STATE_H
#define KILN_ARCH_X86_CPU_STATE_H

#include "arch/x86/boot.h"

#include <stddef.h>
#include <stdint.h>

#define X86_VCPU_STATE_VERSION 1
#define X86_VCPU_STATE_MAX_MSRS 32
#define X86_XSAVE_AREA_SIZE 4096
#define X86_LAPIC_PAGE_SIZE 1024

enum x86_mp_state {
	X86_MP_RUNNABLE = 0,
	X86_MP_UNINITIALIZED = 1, /* waiting for INIT (application processor) */
	X86_MP_INIT_RECEIVED = 2, /* waiting for SIPI */
	X86_MP_HALTED = 3,
};

struct x86_msr_value {
	uint32_t index;
	uint32_t reserved;
	uint64_t value;
};

struct x86_vcpu_state {
	uint32_t version;
	uint32_t mp_state;

	/* rax rbx rcx rdx rsi rdi rsp rbp r8..r15 */
	uint64_t gpr[16];
	uint64_t rip, rflags;

	struct x86_segment cs, ds, es, fs, gs, ss, tr, ldt;
	uint64_t gdt_base, idt_base;
	uint16_t gdt_limit, idt_limit;
	uint32_t reserved0;
	uint64_t cr0, cr2, cr3, cr4, cr8, efer, apic_base;
	uint64_t xcr0;

	/* Pending events: an exception or interrupt being injected, NMI
	 * state, the STI/MOV SS interrupt shadow, a pending SIPI. */
	uint8_t exception_injected, exception_nr, exception_has_error_code;
	uint8_t interrupt_injected, interrupt_nr, interrupt_soft;
	uint8_t interrupt_shadow, nmi_injected, nmi_pending, nmi_masked;
	uint8_t reserved1[2];
	uint32_t exception_error_code;
	uint32_t sipi_vector;

	uint32_t nr_msrs;
	uint32_t reserved2;
	struct x86_msr_value msrs[X86_VCPU_STATE_MAX_MSRS];

	uint8_t xsave[X86_XSAVE_AREA_SIZE];   /* x87, SSE, AVX, ... (XSAVE layout) */
	uint8_t lapic[X86_LAPIC_PAGE_SIZE];   /* local APIC registers */
};

/* The MSRs a vCPU's state carries, in save order. */
extern const uint32_t x86_saved_msrs[];
extern const size_t x86_nr_saved_msrs;

/* 0, or -EINVAL with a reason in `err`: wrong version, counts out of
 * range, an MSR not on the allow-list, reserved fields set, an impossible
 * mp_state or vector. */
int x86_vcpu_state_check(const struct x86_vcpu_state *s, char *err,
			 size_t errlen) __attribute__((warn_unused_result));

#endif
