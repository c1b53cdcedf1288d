/* Model-specific registers: the set a Linux guest touches on this CPU's
 * CPUID, plus the time stamp counter. Anything else is #GP, which Linux's
 * rdmsr_safe/wrmsr_safe callers expect for absent MSRs.
 */
#include "accel/soft/cpu_internal.h"

#include <x86intrin.h>

#define MSR_TSC            0x00000010
#define MSR_APIC_BASE      0x0000001b
#define MSR_FEATURE_CONTROL 0x0000003a
#define MSR_UCODE_REV      0x0000008b
#define MSR_SYSENTER_CS    0x00000174
#define MSR_SYSENTER_ESP   0x00000175
#define MSR_SYSENTER_EIP   0x00000176
#define MSR_MISC_ENABLE    0x000001a0
#define MSR_MTRR_PHYS_BASE0 0x00000200
#define MSR_MTRR_FIX64K    0x00000250
#define MSR_MTRR_FIX16K_80000 0x00000258
#define MSR_MTRR_FIX16K_A0000 0x00000259
#define MSR_MTRR_FIX4K_C0000 0x00000268
#define MSR_PAT            0x00000277
#define MSR_MTRR_DEF_TYPE  0x000002ff
#define MSR_TSC_DEADLINE   0x000006e0
#define MSR_EFER           0xc0000080
#define MSR_STAR           0xc0000081
#define MSR_LSTAR          0xc0000082
#define MSR_CSTAR          0xc0000083
#define MSR_SFMASK         0xc0000084
#define MSR_FS_BASE        0xc0000100
#define MSR_GS_BASE        0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX        0xc0000103

static uint64_t raw_tsc(struct x86_cpu *c)
{
	return c->tsc_source ? c->tsc_source(c->tsc_opaque) : __rdtsc();
}

uint64_t x86_rdtsc_value(struct x86_cpu *c)
{
	return raw_tsc(c) + c->tsc_offset;
}

static bool canonical(uint64_t v)
{
	return (uint64_t)((int64_t)(v << 16) >> 16) == v;
}

/* The slot of an MTRR MSR, or NULL. */
static uint64_t *mtrr_slot(struct x86_cpu *c, uint32_t idx)
{
	if (idx >= MSR_MTRR_PHYS_BASE0 && idx < MSR_MTRR_PHYS_BASE0 + 16)
		return &c->mtrr_var[idx - MSR_MTRR_PHYS_BASE0];
	if (idx == MSR_MTRR_FIX64K)
		return &c->mtrr_fixed[0];
	if (idx == MSR_MTRR_FIX16K_80000 || idx == MSR_MTRR_FIX16K_A0000)
		return &c->mtrr_fixed[1 + idx - MSR_MTRR_FIX16K_80000];
	if (idx >= MSR_MTRR_FIX4K_C0000 && idx < MSR_MTRR_FIX4K_C0000 + 8)
		return &c->mtrr_fixed[3 + idx - MSR_MTRR_FIX4K_C0000];
	if (idx == MSR_MTRR_DEF_TYPE)
		return &c->mtrr_def_type;
	return NULL;
}

int x86_msr_read(struct x86_cpu *c, uint32_t idx, uint64_t *v)
{
	uint64_t *m = mtrr_slot(c, idx);

	if (m) {
		*v = *m;
		return 0;
	}
	switch (idx) {
	case MSR_TSC: *v = x86_rdtsc_value(c); return 0;
	case MSR_APIC_BASE: *v = c->apic_base; return 0;
	case MSR_FEATURE_CONTROL: *v = c->feature_control; return 0;
	case MSR_UCODE_REV: *v = 0; return 0;
	case MSR_SYSENTER_CS: *v = c->sysenter_cs; return 0;
	case MSR_SYSENTER_ESP: *v = c->sysenter_esp; return 0;
	case MSR_SYSENTER_EIP: *v = c->sysenter_eip; return 0;
	case MSR_MISC_ENABLE: *v = c->misc_enable; return 0;
	case MSR_PAT: *v = c->pat; return 0;
	case MSR_TSC_DEADLINE:
		/* The platform's LAPIC timer owns it when there is one. */
		if (c->msr_hook && !c->msr_hook(c->msr_opaque, idx, v, false))
			return 0;
		*v = c->tsc_deadline;
		return 0;
	case MSR_EFER: *v = c->efer; return 0;
	case MSR_STAR: *v = c->star; return 0;
	case MSR_LSTAR: *v = c->lstar; return 0;
	case MSR_CSTAR: *v = c->cstar; return 0;
	case MSR_SFMASK: *v = c->sfmask; return 0;
	case MSR_FS_BASE: *v = c->seg[X86_FS].base; return 0;
	case MSR_GS_BASE: *v = c->seg[X86_GS].base; return 0;
	case MSR_KERNEL_GS_BASE: *v = c->kernel_gs_base; return 0;
	case MSR_TSC_AUX: *v = c->tsc_aux; return 0;
	}
	return c->msr_hook ? c->msr_hook(c->msr_opaque, idx, v, false) : -1;
}

static int write_efer(struct x86_cpu *c, uint64_t v)
{
	const uint64_t ok = X86_EFER_SCE | X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE;

	if (v & ~ok)
		return -1;
	/* LME may not change while paging is on; LMA is the CPU's to set. */
	if ((c->cr0 & X86_CR0_PG) && ((v ^ c->efer) & X86_EFER_LME))
		return -1;
	v = (v & ~X86_EFER_LMA) | (c->efer & X86_EFER_LMA);
	if ((v ^ c->efer) & X86_EFER_NXE)
		x86_tlb_flush(c, true);
	c->efer = v;
	return 0;
}

/* A PAT entry may hold types 0, 1, 4, 5, 6, 7. */
static bool pat_valid(uint64_t v)
{
	for (int k = 0; k < 8; k++) {
		unsigned t = (v >> (8 * k)) & 0xff;
		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

int x86_msr_write(struct x86_cpu *c, uint32_t idx, uint64_t v)
{
	uint64_t *m = mtrr_slot(c, idx);

	if (m) {
		*m = v;
		return 0;
	}
	switch (idx) {
	case MSR_TSC: c->tsc_offset = v - raw_tsc(c); return 0;
	case MSR_APIC_BASE:
		if (v & 0x6ff) /* reserved low bits; x2APIC (bit 10) is not offered */
			return -1;
		c->apic_base = v;
		return 0;
	case MSR_FEATURE_CONTROL: c->feature_control = v; return 0;
	case MSR_UCODE_REV: return 0;
	case MSR_SYSENTER_CS: c->sysenter_cs = v & 0xffff; return 0;
	case MSR_SYSENTER_ESP:
	case MSR_SYSENTER_EIP:
		if (!canonical(v))
			return -1;
		if (idx == MSR_SYSENTER_ESP)
			c->sysenter_esp = v;
		else
			c->sysenter_eip = v;
		return 0;
	case MSR_MISC_ENABLE: c->misc_enable = v; return 0;
	case MSR_PAT:
		if (!pat_valid(v))
			return -1;
		c->pat = v;
		return 0;
	case MSR_TSC_DEADLINE:
		c->tsc_deadline = v;
		if (c->msr_hook)
			(void)c->msr_hook(c->msr_opaque, idx, &v, true);
		return 0;
	case MSR_EFER: return write_efer(c, v);
	case MSR_STAR: c->star = v; return 0;
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_KERNEL_GS_BASE:
		if (!canonical(v))
			return -1;
		if (idx == MSR_LSTAR) c->lstar = v;
		else if (idx == MSR_CSTAR) c->cstar = v;
		else if (idx == MSR_FS_BASE) c->seg[X86_FS].base = v;
		else if (idx == MSR_GS_BASE) c->seg[X86_GS].base = v;
		else c->kernel_gs_base = v;
		return 0;
	case MSR_SFMASK: c->sfmask = v & 0xffffffffull; return 0;
	case MSR_TSC_AUX:
		if (v >> 32)
			return -1;
		c->tsc_aux = v;
		return 0;
	}
	return c->msr_hook ? c->msr_hook(c->msr_opaque, idx, &v, true) : -1;
}
