/* The CPUID the software CPU offers: a conservative x86-64 baseline that
 * it implements completely. x87, MMX, SSE, SSE2, FXSR, CX8, CMOV, PAE, PSE,
 * PGE, PAT, CLFLUSH, TSC, MSR, APIC, CMPXCHG16B; long mode, NX, SYSCALL, RDTSCP,
 * LAHF/SAHF in long mode, 1 GiB pages. No SSE3 and later, no AVX, no
 * XSAVE, no SMEP/SMAP/PKU/PCID/LA57, no MTRR/MCA, no SYSENTER. The vendor
 * string is the CPU's own, so guests take generic paths rather than a
 * vendor's model-specific MSRs.
 */
#include "accel/soft/cpu_internal.h"

#include <string.h>

#define VENDOR "KilnSoftCPU "
#define BRAND "Kiln software CPU"

/* CPUID.1 EDX */
#define F_FPU (1u << 0)
#define F_DE (1u << 2)
#define F_PSE (1u << 3)
#define F_TSC (1u << 4)
#define F_MSR (1u << 5)
#define F_PAE (1u << 6)
#define F_CX8 (1u << 8)
#define F_APIC (1u << 9)
#define F_PGE (1u << 13)
#define F_CMOV (1u << 15)
#define F_PAT (1u << 16)
#define F_CLFSH (1u << 19)
#define F_MMX (1u << 23)
#define F_FXSR (1u << 24)
#define F_SSE (1u << 25)
#define F_SSE2 (1u << 26)
/* CPUID.1 ECX */
#define F_CX16 (1u << 13)
/* CPUID.80000001 */
#define F_LAHF_LM (1u << 0)
#define F_SYSCALL (1u << 11)
#define F_NX (1u << 20)
#define F_PDPE1GB (1u << 26)
#define F_RDTSCP (1u << 27)
#define F_LM (1u << 29)

static void add(struct cpuid_table *t, uint32_t fn, uint32_t a, uint32_t b,
		uint32_t c, uint32_t d)
{
	if (t->n < CPUID_MAX_ENTRIES)
		t->e[t->n++] = (struct cpuid_entry){ fn, 0, 0, a, b, c, d };
}

static uint32_t str4(const char *s)
{
	uint32_t v;
	memcpy(&v, s, 4);
	return v;
}

void x86_soft_cpuid(struct cpuid_table *t)
{
	char brand[48];

	memset(t, 0, sizeof(*t));
	add(t, 0, 7, str4(VENDOR), str4(VENDOR + 8), str4(VENDOR + 4));
	/* Family 6, model 0x0f, stepping 1; CLFLUSH line 8 quadwords; one
	 * logical processor (cpuid_apply_policy sets the topology). */
	add(t, 1, 0x000006f1, 0x00010800, F_CX16,
	    F_FPU | F_DE | F_PSE | F_TSC | F_MSR | F_PAE | F_CX8 | F_APIC |
	    F_PGE | F_CMOV | F_PAT | F_CLFSH | F_MMX | F_FXSR | F_SSE | F_SSE2);
	add(t, 7, 0, 0, 0, 0);
	add(t, 0x80000000, 0x80000008, 0, 0, 0);
	add(t, 0x80000001, 0, 0, F_LAHF_LM,
	    F_SYSCALL | F_NX | F_PDPE1GB | F_RDTSCP | F_LM);
	memset(brand, 0, sizeof(brand));
	memcpy(brand, BRAND, sizeof(BRAND) - 1);
	for (uint32_t k = 0; k < 3; k++)
		add(t, 0x80000002 + k, str4(brand + 16 * k), str4(brand + 16 * k + 4),
		    str4(brand + 16 * k + 8), str4(brand + 16 * k + 12));
	/* 40 physical, 48 linear address bits. */
	add(t, 0x80000008, 0x3028, 0, 0, 0);
}

void x86_cpuid_eval(struct x86_cpu *c, uint32_t leaf, uint32_t sub,
		    uint32_t out[4])
{
	struct cpuid_table own;
	struct cpuid_table *t = (struct cpuid_table *)c->cpuid;
	struct cpuid_entry *e;

	if (!t) {
		x86_soft_cpuid(&own);
		t = &own;
	}
	e = cpuid_find(t, leaf, sub);
	if (!e) {
		/* Beyond the maximum leaf: Intel returns the highest basic
		 * leaf's data; in-range gaps read as zero. */
		struct cpuid_entry *max = cpuid_find(t, leaf & 0x80000000u, 0);
		uint32_t top = max ? max->eax : 0;
		if (!(leaf & 0x80000000u) && leaf > top)
			e = cpuid_find(t, top, sub);
	}
	if (e) {
		out[0] = e->eax;
		out[1] = e->ebx;
		out[2] = e->ecx;
		out[3] = e->edx;
	} else {
		out[0] = out[1] = out[2] = out[3] = 0;
	}
}
