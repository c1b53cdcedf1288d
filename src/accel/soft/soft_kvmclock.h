/* KVM's paravirtual clock for guests of the soft CPU: how a Linux guest
 * learns the TSC frequency and gets a clocksource that no watchdog
 * second-guesses.
 *
 * Linux 6.1 reads the TSC frequency from CPUID 0x15/0x16 only on Intel
 * processors, and calibrates against the PIT only when there is a legacy
 * PIC, which Kiln's hardware-reduced ACPI rules out; without HPET or ACPI
 * PM timer it would mark the TSC unstable. So the soft CPU offers the
 * KVM signature leaves with exactly two features, CLOCKSOURCE2 and
 * CLOCKSOURCE_STABLE_BIT, and implements their two MSRs: the guest gets
 * its TSC rate (SOFT_TSC_HZ) from the pvclock page, and kvm-clock as its
 * clocksource. The page never needs updating: the soft TSC is the same
 * host clock the page describes.
 */
#ifndef KILN_ACCEL_SOFT_SOFT_KVMCLOCK_H
#define KILN_ACCEL_SOFT_SOFT_KVMCLOCK_H

#include "accel/soft/x86_cpu.h"
#include "arch/x86/cpuid.h"
#include "core/guest_mem.h"

#include <stdbool.h>
#include <stdint.h>

#define MSR_KVM_WALL_CLOCK_NEW  0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01

struct soft_kvmclock {
	struct guest_mem *mem;
	struct x86_cpu *cpu;
	uint64_t (*clock_ns)(void *opaque); /* the TSC's source (1 GHz) */
	void *clock_opaque;
	uint64_t wall_clock_msr, system_time_msr;
};

/* The soft CPU's leaves, APIC id `index`, the hypervisor bit and the KVM
 * leaves 0x40000000-0x40000001. */
void soft_kvmclock_cpuid(struct cpuid_table *t, unsigned int index);

/* An x86_cpu msr_hook; opaque is the struct soft_kvmclock. */
int soft_kvmclock_msr(void *opaque, uint32_t idx, uint64_t *val, bool write);

#endif
