#include "arch/x86/cpuid.h"

#include <errno.h>
#include <string.h>

/* Feature bits we touch. */
#define CPUID1_ECX_X2APIC (1u << 21)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID1_EDX_HTT (1u << 28)
#define CPUID6_EAX_ARAT (1u << 2)
#define EXT1_ECX_CMP_LEGACY (1u << 1)
#define EXT1_ECX_TOPOEXT (1u << 22)

struct cpuid_entry *cpuid_find(struct cpuid_table *t, uint32_t function,
			       uint32_t index)
{
	for (unsigned int i = 0; i < t->n; i++) {
		struct cpuid_entry *e = &t->e[i];
		if (e->function != function)
			continue;
		if ((e->flags & CPUID_FLAG_INDEXED) && e->index != index)
			continue;
		return e;
	}
	return NULL;
}

static struct cpuid_entry *get_or_add(struct cpuid_table *t, uint32_t function,
				      uint32_t index, uint32_t flags)
{
	struct cpuid_entry *e = cpuid_find(t, function, index);
	if (e)
		return e;
	if (t->n >= CPUID_MAX_ENTRIES)
		return NULL;
	e = &t->e[t->n++];
	memset(e, 0, sizeof(*e));
	e->function = function;
	e->index = index;
	e->flags = flags;
	return e;
}

/* Bits needed to number `n` items: ceil(log2(n)). */
static uint32_t order_of(unsigned int n)
{
	uint32_t bits = 0;
	while ((1u << bits) < n)
		bits++;
	return bits;
}

static void remove_function(struct cpuid_table *t, uint32_t function)
{
	unsigned int w = 0;
	for (unsigned int r = 0; r < t->n; r++)
		if (t->e[r].function != function)
			t->e[w++] = t->e[r];
	t->n = w;
}

/* Leaf 0xB or 0x1F: level 0 is SMT (one thread per core), level 1 the
 * cores of our single package, level 2 terminates the list. */
static int set_topology_leaf(struct cpuid_table *t, uint32_t leaf,
			     unsigned int apic_id, unsigned int nr_cpus)
{
	remove_function(t, leaf);
	for (uint32_t sub = 0; sub < 3; sub++) {
		struct cpuid_entry *e = get_or_add(t, leaf, sub, CPUID_FLAG_INDEXED);
		if (!e)
			return -ENOSPC;
		e->edx = apic_id;
		if (sub == 0) {
			e->eax = 0;
			e->ebx = 1;
			e->ecx = (1u << 8) | sub;
		} else if (sub == 1) {
			e->eax = order_of(nr_cpus);
			e->ebx = nr_cpus;
			e->ecx = (2u << 8) | sub;
		} else {
			e->eax = 0;
			e->ebx = 0;
			e->ecx = sub;
		}
	}
	return 0;
}

int cpuid_apply_policy(struct cpuid_table *t, unsigned int cpu_index,
		       unsigned int nr_cpus)
{
	unsigned int apic_id = cpu_index;
	struct cpuid_entry *e;

	e = cpuid_find(t, 0, 0);
	uint32_t max_basic = e ? e->eax : 0;

	e = cpuid_find(t, 1, 0);
	if (e) {
		/* Initial APIC id, logical processors per package, CLFLUSH 64 B. */
		e->ebx = (e->ebx & 0x000000ffu) | (apic_id << 24) |
			 ((nr_cpus & 0xffu) << 16) | (8u << 8);
		e->ecx |= CPUID1_ECX_HYPERVISOR;
		if (nr_cpus > 1)
			e->edx |= CPUID1_EDX_HTT;
		else
			e->edx &= ~CPUID1_EDX_HTT;
	}

	/* Deterministic cache parameters: cores per package in EAX[31:26];
	 * EAX[25:14] is how many logical CPUs share the cache, minus one:
	 * private below the last level, the last level shared by the whole
	 * package (as on real CPUs, and so the scheduler sees one LLC). */
	uint32_t last_level = 0;
	for (unsigned int i = 0; i < t->n; i++) {
		e = &t->e[i];
		if (e->function == 4 && (e->eax & 0x1f)) {
			uint32_t level = (e->eax >> 5) & 7;
			last_level = level > last_level ? level : last_level;
		}
	}
	for (unsigned int i = 0; i < t->n; i++) {
		e = &t->e[i];
		if (e->function != 4 || !(e->eax & 0x1f))
			continue;
		uint32_t cores = nr_cpus > 64 ? 63 : nr_cpus - 1;
		uint32_t level = (e->eax >> 5) & 7;
		uint32_t sharing = 0;
		if (level == last_level) {
			sharing = (1u << order_of(nr_cpus)) - 1;
			sharing = sharing > 0xfff ? 0xfff : sharing;
		}
		e->eax = (e->eax & 0x3fffu) | (sharing << 14) | (cores << 26);
	}

	/* Always-running APIC timer: KVM's LAPIC timer does not stop in C-states. */
	e = cpuid_find(t, 6, 0);
	if (e)
		e->eax |= CPUID6_EAX_ARAT;

	if (max_basic >= 0xb && set_topology_leaf(t, 0xb, apic_id, nr_cpus))
		return -ENOSPC;
	if (max_basic >= 0x1f && set_topology_leaf(t, 0x1f, apic_id, nr_cpus))
		return -ENOSPC;

	/* AMD: number of cores in 0x80000008 ECX, legacy "cores" bit. We do not
	 * describe AMD's extended topology (0x8000001E), so hide TOPOEXT. */
	e = cpuid_find(t, 0x80000001, 0);
	if (e) {
		e->ecx &= ~EXT1_ECX_TOPOEXT;
		if (nr_cpus > 1)
			e->ecx |= EXT1_ECX_CMP_LEGACY;
		else
			e->ecx &= ~EXT1_ECX_CMP_LEGACY;
	}
	e = cpuid_find(t, 0x80000008, 0);
	if (e)
		e->ecx = (order_of(nr_cpus) << 12) | ((nr_cpus - 1) & 0xffu);
	remove_function(t, 0x8000001e);

	/* Hypervisor leaves: "KVMKVMKVM\0\0\0" so Linux uses kvmclock and PV
	 * features; keep the feature leaf KVM reported. */
	e = get_or_add(t, 0x40000000, 0, 0);
	if (!e)
		return -ENOSPC;
	uint32_t max_hv = e->eax >= 0x40000001 ? e->eax : 0x40000001;
	e->eax = max_hv;
	memcpy(&e->ebx, "KVMK", 4);
	memcpy(&e->ecx, "VMKV", 4);
	memcpy(&e->edx, "M\0\0\0", 4);
	return 0;
}
