/* The KVM paravirtual clock on the soft CPU (see soft_kvmclock.h). Layouts
 * from Linux's Documentation/virt/kvm/x86/msr.rst.
 */
#include "accel/soft/soft_kvmclock.h"

#include <string.h>
#include <time.h>

#define CPUID_HYPERVISOR (1u << 31) /* CPUID.1:ECX */
#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)
#define KVM_FEATURE_CLOCKSOURCE_STABLE_BIT (1u << 24)
#define PVCLOCK_TSC_STABLE_BIT 1u

struct pvclock_vcpu_time_info {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
	uint8_t pad[2];
};

struct pvclock_wall_clock {
	uint32_t version;
	uint32_t sec;
	uint32_t nsec;
};

static void add(struct cpuid_table *t, uint32_t fn, uint32_t a, uint32_t b,
		uint32_t c, uint32_t d)
{
	if (t->n < CPUID_MAX_ENTRIES)
		t->e[t->n++] = (struct cpuid_entry){ fn, 0, 0, a, b, c, d };
}

void soft_kvmclock_cpuid(struct cpuid_table *t, unsigned int index)
{
	uint32_t sig[3];
	x86_soft_cpuid(t);
	struct cpuid_entry *e = cpuid_find(t, 1, 0);
	if (e) {
		e->ecx |= CPUID_HYPERVISOR;
		e->ebx = (e->ebx & 0x00ffffffu) | (index & 0xff) << 24;
	}
	memcpy(sig, "KVMKVMKVM\0\0\0", 12);
	add(t, 0x40000000, 0x40000001, sig[0], sig[1], sig[2]);
	add(t, 0x40000001,
	    KVM_FEATURE_CLOCKSOURCE2 | KVM_FEATURE_CLOCKSOURCE_STABLE_BIT, 0, 0, 0);
}

/* The page says: guest time = system_time + (tsc - tsc_timestamp), the
 * TSC running at 1 GHz (mul 2^31, shift 1: ns = (delta << 1) * 2^31 >> 32). */
static void write_time_info(struct soft_kvmclock *k, uint64_t gpa)
{
	struct pvclock_vcpu_time_info *p =
		guest_mem_slice(k->mem, gpa, sizeof(*p));
	if (!p)
		return; /* not RAM: nothing to update, as KVM */
	uint64_t ns = k->clock_ns(k->clock_opaque);
	struct pvclock_vcpu_time_info v = {
		.version = 2, /* even: stable */
		.tsc_timestamp = ns + k->cpu->tsc_offset,
		.system_time = ns,
		.tsc_to_system_mul = 1u << 31,
		.tsc_shift = 1,
		.flags = PVCLOCK_TSC_STABLE_BIT,
	};
	memcpy(p, &v, sizeof(v));
}

/* Wall-clock time when guest time (system_time) was 0. */
static void write_wall_clock(struct soft_kvmclock *k, uint64_t gpa)
{
	struct pvclock_wall_clock *w = guest_mem_slice(k->mem, gpa, sizeof(*w));
	struct timespec now;
	if (!w)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	uint64_t real = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
	uint64_t boot = real - k->clock_ns(k->clock_opaque);
	struct pvclock_wall_clock v = {
		.version = 2,
		.sec = (uint32_t)(boot / 1000000000ull),
		.nsec = (uint32_t)(boot % 1000000000ull),
	};
	memcpy(w, &v, sizeof(v));
}

int soft_kvmclock_msr(void *opaque, uint32_t idx, uint64_t *val, bool write)
{
	struct soft_kvmclock *k = opaque;
	switch (idx) {
	case MSR_KVM_SYSTEM_TIME_NEW:
		if (!write) {
			*val = k->system_time_msr;
			return 0;
		}
		k->system_time_msr = *val;
		if (*val & 1) /* enable bit; the structure is 32-byte aligned */
			write_time_info(k, *val & ~0x1full);
		return 0;
	case MSR_KVM_WALL_CLOCK_NEW:
		if (!write) {
			*val = k->wall_clock_msr;
			return 0;
		}
		k->wall_clock_msr = *val;
		write_wall_clock(k, *val);
		return 0;
	}
	return -1;
}
