/* Kiln's software x86-64 CPU: architectural state and the interpreter.
 *
 * The core sees memory only as LINEAR addresses through struct
 * x86_mem_ops: segmentation (bases, limits, types, privilege, canonical
 * checks) happens here, paging in whatever implements the table (the soft
 * MMU, or a flat buffer in tests). Port I/O is a synchronous callback in
 * the same table; a callback that needs the run loop to stop (a device
 * asked for reset, the VMM must look at something) calls
 * x86_cpu_request_exit() and x86_cpu_run() returns X86_EXIT_IO after the
 * current instruction. Interrupts come from struct x86_intc_ops, polled at
 * instruction boundaries when RFLAGS.IF=1 and no interrupt shadow.
 *
 * One x86_cpu is driven by one thread; only x86_cpu_kick() and
 * x86_cpu_request_exit() may be called from others.
 */
#ifndef KILN_ACCEL_SOFT_X86_CPU_H
#define KILN_ACCEL_SOFT_X86_CPU_H

#include "accel/soft/decode.h"
#include "arch/x86/boot.h"
#include "arch/x86/cpu_state.h"
#include "arch/x86/cpuid.h"

#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum x86_gpr {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
};

/* RFLAGS bits. */
#define X86_CF   0x0001u
#define X86_PF   0x0004u
#define X86_AF   0x0010u
#define X86_ZF   0x0040u
#define X86_SF   0x0080u
#define X86_TF   0x0100u
#define X86_IF   0x0200u
#define X86_DF   0x0400u
#define X86_OF   0x0800u
#define X86_IOPL 0x3000u
#define X86_NT   0x4000u
#define X86_RF   0x10000u
#define X86_VM   0x20000u
#define X86_AC   0x40000u
#define X86_VIF  0x80000u
#define X86_VIP  0x100000u
#define X86_ID   0x200000u
#define X86_ARITH_FLAGS (X86_CF | X86_PF | X86_AF | X86_ZF | X86_SF | X86_OF)

/* Control register and EFER bits the CPU itself acts on. */
#define X86_CR0_PE (1ull << 0)
#define X86_CR0_MP (1ull << 1)
#define X86_CR0_EM (1ull << 2)
#define X86_CR0_TS (1ull << 3)
#define X86_CR0_ET (1ull << 4)
#define X86_CR0_NE (1ull << 5)
#define X86_CR0_WP (1ull << 16)
#define X86_CR0_AM (1ull << 18)
#define X86_CR0_NW (1ull << 29)
#define X86_CR0_CD (1ull << 30)
#define X86_CR0_PG (1ull << 31)
#define X86_CR4_VME (1ull << 0)
#define X86_CR4_PVI (1ull << 1)
#define X86_CR4_TSD (1ull << 2)
#define X86_CR4_DE  (1ull << 3)
#define X86_CR4_PSE (1ull << 4)
#define X86_CR4_PAE (1ull << 5)
#define X86_CR4_MCE (1ull << 6)
#define X86_CR4_PGE (1ull << 7)
#define X86_CR4_PCE (1ull << 8)
#define X86_CR4_OSFXSR (1ull << 9)
#define X86_CR4_OSXMMEXCPT (1ull << 10)
#define X86_CR4_UMIP (1ull << 11)
#define X86_CR4_FSGSBASE (1ull << 16)
#define X86_CR4_OSXSAVE (1ull << 18)
#define X86_EFER_SCE (1ull << 0)
#define X86_EFER_LME (1ull << 8)
#define X86_EFER_LMA (1ull << 10)
#define X86_EFER_NXE (1ull << 11)

/* Exception vectors. */
enum {
	X86_EXC_DE = 0, X86_EXC_DB = 1, X86_EXC_NMI = 2, X86_EXC_BP = 3,
	X86_EXC_OF = 4, X86_EXC_BR = 5, X86_EXC_UD = 6, X86_EXC_NM = 7,
	X86_EXC_DF = 8, X86_EXC_TS = 10, X86_EXC_NP = 11, X86_EXC_SS = 12,
	X86_EXC_GP = 13, X86_EXC_PF = 14, X86_EXC_MF = 16, X86_EXC_AC = 17,
	X86_EXC_MC = 18, X86_EXC_XM = 19,
};

/* What a memory access is for, as the paging side needs to know it. */
enum x86_access {
	X86_ACC_DATA,   /* an instruction's data access */
	X86_ACC_FETCH,  /* instruction fetch (NX applies) */
	X86_ACC_SYSTEM, /* implicit supervisor access: GDT, LDT, IDT, TSS (user=false) */
	X86_ACC_RMW,    /* a data read whose bytes will be written next: the
			 * page must be writable too (#PF error code W=1) */
};

/* A fault a memory callback reports: #PF (error code, CR2) or #GP/#MC
 * for accesses that hit nothing. */
struct x86_fault {
	uint8_t vector;
	uint32_t error_code;
	uint64_t cr2; /* #PF: the faulting linear address */
};

/* The core's view of memory and I/O. read/write: 0, or non-zero with `f`
 * filled. An access is 1..512 bytes and may cross a page boundary; the
 * callee checks every page before writing any byte, so that a fault leaves
 * memory untouched. `user` is the privilege of the access (CPL 3 and not
 * an implicit supervisor access). */
struct x86_mem_ops {
	int (*read)(void *opaque, uint64_t linear, void *buf, unsigned len,
		    enum x86_access acc, bool user, struct x86_fault *f);
	int (*write)(void *opaque, uint64_t linear, const void *buf,
		     unsigned len, enum x86_access acc, bool user,
		     struct x86_fault *f);
	void (*invlpg)(void *opaque, uint64_t linear);
	/* Drop cached translations: all of them, or all but global ones. */
	void (*flush_tlb)(void *opaque, bool global);
	/* Port I/O of `size` (1, 2, 4) bytes; a read fills `buf`. Never fails
	 * from the guest's point of view (absent ports read all-ones). */
	void (*pio)(void *opaque, uint16_t port, void *buf, unsigned size,
		    bool write);
	/* Optional fast path for data: the host address of the 4 KiB page
	 * holding `linear` when an access of that kind may go straight to
	 * memory (translated with the right permissions, accessed and for
	 * a write dirty bits already set, RAM and not MMIO, for a write not
	 * a page watched for code, dirty logging accounted), else NULL and
	 * read/write do the access. The CPU keeps these pointers like a TLB
	 * and drops them on CR0/CR3/CR4/EFER writes, INVLPG, state loads and
	 * when it asks to watch a page; the platform calls
	 * x86_cpu_tlb_changed() when one may have gone stale for another
	 * reason (memory map change, dirty logging re-armed, another vCPU
	 * watching a page). */
	void *(*page_ptr)(void *opaque, uint64_t linear, bool write, bool user);
	/* Optional (NULL: no decoded-instruction cache): the physical
	 * address instruction fetch at `linear` reaches, or a fault. */
	int (*fetch_phys)(void *opaque, uint64_t linear, bool user,
			  uint64_t *phys, struct x86_fault *f);
	/* Optional: ask to be told (x86_cpu_code_written) when the guest,
	 * another vCPU or a device writes physical page `page` (a
	 * page-aligned address), because the cache holds instructions
	 * decoded from it. One report is enough: after it the platform may
	 * stop watching the page until watch_code(page) comes again. */
	void (*watch_code)(void *opaque, uint64_t page);
};

/* The interrupt controller as the CPU sees it. pending() is asked at an
 * instruction boundary where RFLAGS.IF=1 and no shadow blocks, but only
 * after x86_cpu_interrupt_hint() (or at the start of each x86_cpu_run):
 * once it has answered -1 it is not asked again until the platform says
 * an interrupt may have arrived. */
struct x86_intc_ops {
	int (*pending)(void *opaque);          /* vector, or -1 */
	void (*ack)(void *opaque, int vector); /* the CPU takes `vector` */
};

/* One XMM register. */
union x86_vec {
	uint8_t b[16];
	uint16_t w[8];
	uint32_t d[4];
	uint64_t q[2];
	float f[4];
	double g[2];
	double v __attribute__((vector_size(16))); /* for host SSE instructions */
};

/* x87 and SSE state. The x87 registers are kept by physical number; the
 * FXSAVE image is built from this on demand. */
struct x86_fpu {
	uint16_t fcw, fsw;
	uint8_t ftw;        /* abridged tag: bit i set = physical reg i valid */
	uint16_t fop;
	uint64_t fip, fdp;
	uint16_t fcs, fds;
	uint32_t mxcsr;
	uint8_t st[8][10];  /* 80-bit registers, physical order */
	union x86_vec xmm[16];
};

/* A segment register with its hidden descriptor cache. */
typedef struct x86_segment x86_seg_t;

struct x86_dtr {
	uint64_t base;
	uint16_t limit;
};

enum x86_exit {
	X86_EXIT_HLT,      /* halted with nothing to deliver */
	X86_EXIT_IO,       /* a callback called x86_cpu_request_exit() */
	X86_EXIT_BUDGET,   /* executed the instructions it was given */
	X86_EXIT_SHUTDOWN, /* triple fault */
	X86_EXIT_KICK,     /* x86_cpu_kick() */
};

/* Processor modes, derived from CR0, EFER and CS. */
enum x86_mode {
	X86_MODE_REAL,
	X86_MODE_PROT16,   /* protected (or compatibility) mode, 16-bit CS */
	X86_MODE_PROT32,   /* protected (or compatibility) mode, 32-bit CS */
	X86_MODE_LONG64,   /* 64-bit mode */
};

struct x86_icache;

/* The CPU's cache of page_ptr answers: [0] reads, [1] writes. */
#define X86_DTLB_SIZE 64
struct x86_dtlb_entry {
	uint64_t tag;   /* page | 2 if user | 1 (valid); 0 = empty */
	uint8_t *host;
};

struct x86_cpu {
	uint64_t gpr[16];
	uint64_t rip;
	/* RFLAGS without the arithmetic flags while `cc_op` != CC_EAGER:
	 * those are computed from the last flag-setting operation on demand.
	 * Use x86_cpu_get_rflags()/x86_cpu_set_rflags(). */
	uint64_t rflags;
	uint32_t cc_op, cc_size;
	uint64_t cc_res, cc_src1, cc_src2, cc_aux;

	x86_seg_t seg[6];   /* enum x86_sreg order */
	x86_seg_t ldtr, tr;
	struct x86_dtr gdtr, idtr;
	uint64_t cr0, cr2, cr3, cr4, cr8, efer, xcr0;
	uint64_t dr[8];

	/* MSRs. */
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t pat, tsc_offset, tsc_aux, apic_base, misc_enable;
	uint64_t mtrr_def_type, mtrr_fixed[11], mtrr_var[16];
	uint64_t tsc_deadline, spec_ctrl, feature_control;

	struct x86_fpu fpu;

	/* Execution state. */
	bool halted;
	uint8_t shadow;          /* interrupt shadow left (STI, MOV SS) */
	bool nmi_pending, nmi_masked;
	/* An exception to deliver before the next instruction (restored
	 * state, or one raised outside the run loop). */
	bool exc_pending, exc_has_error;
	uint8_t exc_vector;
	uint32_t exc_error;
	uint64_t icount;         /* instructions retired */

	/* Derived: refreshed by x86_cpu_update_mode() after CR0, EFER or
	 * CS change. */
	uint8_t mode;            /* enum x86_mode */
	uint8_t cpl;

	/* Platform. */
	const struct x86_mem_ops *mem;
	void *mem_opaque;
	const struct x86_intc_ops *intc;
	void *intc_opaque;
	const struct cpuid_table *cpuid; /* NULL: the soft CPU's own leaves */
	/* The time stamp counter's source before tsc_offset: NULL is the
	 * host's RDTSC; the accelerator passes a clock of known frequency
	 * the guest can calibrate against its PIT. */
	uint64_t (*tsc_source)(void *opaque);
	void *tsc_opaque;
	/* MSRs the CPU itself does not know go here (a platform's
	 * paravirtual clock): 0 handled (`*val` read or written), -1 #GP.
	 * NULL: all of them #GP. IA32_TSC_DEADLINE (0x6e0) comes here too,
	 * for the platform's LAPIC timer (a write's result is ignored; a
	 * read that returns -1 reads the stored value). */
	int (*msr_hook)(void *opaque, uint32_t idx, uint64_t *val, bool write);
	void *msr_opaque;
	struct x86_icache *icache;        /* NULL: decode every time */
	struct x86_dtlb_entry dtlb[2][X86_DTLB_SIZE];

	_Atomic int exit_request;        /* 0, or an enum x86_exit + 1 */
	_Atomic int irq_hint;            /* pending() may have something */

	/* Interpreter internals. */
	jmp_buf jmp;             /* where a raised exception unwinds to */
	uint64_t next_rip;       /* the current instruction's successor */
	int delivering;          /* vector being delivered, or -1 */
	uint8_t fault_vector;    /* the exception being raised */
	bool fault_has_error;
	uint32_t fault_error;
	uint64_t budget_left;
	uint64_t ud_logged[16];  /* (map, opcode) pairs already logged as #UD */
};

/* Power-on state (Intel SDM 9.1.1): real mode at F000:FFF0 with CS base
 * 0xFFFF0000, EDX = the processor signature, caches empty. */
void x86_cpu_reset(struct x86_cpu *cpu);

/* Attach the platform. The CPU does not own any of these. */
void x86_cpu_set_platform(struct x86_cpu *cpu, const struct x86_mem_ops *mem,
			  void *mem_opaque, const struct x86_intc_ops *intc,
			  void *intc_opaque);

/* Execute until HLT (with nothing to deliver), a triple fault, a kick or
 * exit request, or `budget` instructions. */
enum x86_exit x86_cpu_run(struct x86_cpu *cpu, uint64_t budget);

/* From any thread: make x86_cpu_run() return X86_EXIT_KICK soon. */
void x86_cpu_kick(struct x86_cpu *cpu);
/* From a callback of this CPU: return X86_EXIT_IO after this instruction. */
void x86_cpu_request_exit(struct x86_cpu *cpu);
/* From any thread: the interrupt controller may now have a vector. (A
 * halted CPU is not woken by this; the caller runs it again.) */
void x86_cpu_interrupt_hint(struct x86_cpu *cpu);
/* The platform's translations changed without the CPU asking (e.g. its
 * TLB was flushed for a memory map change): forget cached ones. */
void x86_cpu_tlb_changed(struct x86_cpu *cpu);

/* Execute exactly one instruction, reporting an exception instead of
 * delivering it: returns -1, or the vector (error code in *err). For
 * tests that compare single instructions against real hardware. */
int x86_cpu_step_raw(struct x86_cpu *cpu, uint32_t *err);

uint64_t x86_cpu_get_rflags(struct x86_cpu *cpu);
void x86_cpu_set_rflags(struct x86_cpu *cpu, uint64_t rflags);
/* Recompute `mode` and `cpl` from CR0, EFER and CS. */
void x86_cpu_update_mode(struct x86_cpu *cpu);

/* The guest wrote physical page `page`: drop decoded instructions from it. */
void x86_cpu_code_written(struct x86_cpu *cpu, uint64_t page);

/* Conversion to and from the backend-neutral vCPU state. */
void x86_cpu_save(struct x86_cpu *cpu, struct x86_vcpu_state *s);
/* `s` must have passed x86_vcpu_state_check(); values this CPU cannot
 * hold (a 64-bit CS outside long mode, ...) are refused with a reason. */
int x86_cpu_load(struct x86_cpu *cpu, const struct x86_vcpu_state *s,
		 char *err, size_t errlen) __attribute__((warn_unused_result));
/* Enter the state a kernel loader prepared. */
void x86_cpu_load_boot(struct x86_cpu *cpu, const struct x86_boot_cpu *b);

/* The CPUID leaves the software CPU offers (before cpuid_apply_policy). */
void x86_soft_cpuid(struct cpuid_table *t);

#endif
