/* The CPUID a Kiln vCPU shows its guest.
 *
 * Starts from what the accelerator can offer (KVM_GET_SUPPORTED_CPUID, or
 * the software CPU's list) and makes it a consistent machine of `nr_cpus`
 * single-threaded cores in one package: APIC ids 0..n-1 in leaf 1 and the
 * x2APIC topology leaves 0xB/0x1F, core counts in leaves 4 and 0x80000008,
 * the hypervisor bit and the KVM signature leaves, and features a guest
 * must not rely on (those KVM cannot virtualise for it) masked out.
 * Pure data in, data out: tests feed it synthetic tables.
 */
#ifndef KILN_ARCH_X86_CPUID_H
#define KILN_ARCH_X86_CPUID_H

#include <stdint.h>

struct cpuid_entry {
	uint32_t function;
	uint32_t index;
	uint32_t flags; /* CPUID_FLAG_INDEXED when `index` matters */
	uint32_t eax, ebx, ecx, edx;
};
#define CPUID_FLAG_INDEXED 1u

#define CPUID_MAX_ENTRIES 256

struct cpuid_table {
	struct cpuid_entry e[CPUID_MAX_ENTRIES];
	unsigned int n;
};

/* Rewrite `t` in place for vCPU `cpu_index` of `nr_cpus`. Returns 0, or
 * -ENOSPC when added leaves do not fit. */
int cpuid_apply_policy(struct cpuid_table *t, unsigned int cpu_index,
		       unsigned int nr_cpus) __attribute__((warn_unused_result));

/* The entry for (function, index), honouring CPUID_FLAG_INDEXED; NULL if absent. */
struct cpuid_entry *cpuid_find(struct cpuid_table *t, uint32_t function,
			       uint32_t index);

#endif
