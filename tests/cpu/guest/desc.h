/* Selectors and system-structure constants of the test guests' GDT
 * (tests/cpu/guest/boot.S), shared by assembly and C.
 *
 * The user selectors follow SYSCALL/SYSRET's layout: STAR[63:48] = 0x20
 * gives SYSRET a 32-bit CS of 0x23, SS 0x2b and a 64-bit CS of 0x33.
 */
#ifndef KILN_TESTS_CPU_GUEST_DESC_H
#define KILN_TESTS_CPU_GUEST_DESC_H

#define SEL_CODE64 0x08   /* kernel 64-bit code */
#define SEL_DATA 0x10     /* kernel data, flat */
#define SEL_CODE32 0x18   /* kernel 32-bit code, flat (compat mode, PM) */
#define SEL_UCODE32 0x20  /* user 32-bit code (DPL 3) */
#define SEL_UDATA 0x28    /* user data (DPL 3) */
#define SEL_UCODE64 0x30  /* user 64-bit code (DPL 3) */
#define SEL_CODE16 0x38   /* kernel 16-bit code, base set by the test */
#define SEL_DATA16 0x40   /* kernel 16-bit data, limit 64 KiB */
#define SEL_TSS 0x48      /* 64-bit TSS (two slots) */
#define SEL_SPARE 0x58    /* free for a test's own descriptor */
#define GDT_ENTRIES 12

#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define EFER_SCE (1 << 0)
#define EFER_LME (1 << 8)
#define EFER_LMA (1 << 10)
#define EFER_NXE (1 << 11)

#define CR0_PE (1 << 0)
#define CR0_MP (1 << 1)
#define CR0_EM (1 << 2)
#define CR0_NE (1 << 5)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PSE (1 << 4)
#define CR4_PAE (1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)

/* Identity map of the low 4 GiB with 2 MiB pages (boot.S). */
#define PTE_P (1 << 0)
#define PTE_W (1 << 1)
#define PTE_U (1 << 2)
#define PTE_PWT (1 << 3)
#define PTE_PCD (1 << 4)
#define PTE_A (1 << 5)
#define PTE_D (1 << 6)
#define PTE_PS (1 << 7)
#define PTE_G (1 << 8)

/* Low memory the guests may use freely once booted (Kiln's boot GDT,
 * start info and page tables there are no longer needed, the start info
 * having been read): real-mode code and stacks live here. */
#define LOW_TRAMPOLINE 0x4000
#define LOW_STACK_TOP 0x3ff0
#define LOW_IVT 0x0

#define STACK_SIZE 0x10000
#define IST_SIZE 0x2000

#endif
