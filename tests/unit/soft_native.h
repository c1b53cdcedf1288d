/* The host CPU as an oracle for the software CPU.
 *
 * A code page and a data area are mapped at a fixed low address. Test
 * bytes are placed in the code page between a prologue that loads every
 * GPR, RFLAGS and the FXSAVE image (x87, MXCSR, XMM0-15) from `nat_in`
 * and an epilogue that stores them to `nat_out`; the host runs them in
 * this process (a fault becomes a signal, whose trap number is the
 * exception vector). The software CPU runs the same bytes at the same
 * addresses, in 64-bit mode at CPL 3 over a copy of the same memory,
 * until it reaches the epilogue. Registers, flags, the FXSAVE image and
 * the data area must then be identical.
 */
#ifndef KILN_TESTS_SOFT_NATIVE_H
#define KILN_TESTS_SOFT_NATIVE_H

#include "soft_fx.h"
#include "accel/soft/cpu_internal.h"

#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <ucontext.h>

#define NAT_BASE 0x10000000ull
#define NAT_CODE NAT_BASE                  /* test bytes start here */
#define NAT_DATA (NAT_BASE + 0x1000)       /* data area */
#define NAT_DATA_SIZE 0x3000ull
#define NAT_SIZE (0x1000 + NAT_DATA_SIZE)
#define NAT_EPILOGUE_MAX 256

struct nat_state {
	uint64_t gpr[16];
	uint64_t rflags;
	uint64_t pad;
	uint8_t fx[512] __attribute__((aligned(16)));
};

static struct nat_state nat_in, nat_out;
static uint8_t nat_host_fx[512] __attribute__((aligned(16)));
static uint64_t nat_host_rsp;
static uint8_t nat_scratch[4096] __attribute__((aligned(16)));
static uint8_t *nat_region;
static sigjmp_buf nat_jmp;
static volatile int nat_trap;
static uint8_t *nat_prologue;       /* entry point (after the data area) */
static uint64_t nat_epilogue;       /* where test bytes end */
static uint8_t nat_altstack[65536];

/* ---- a tiny emitter for the trampoline ---- */
static uint8_t *em;
static void e8(uint8_t b) { *em++ = b; }
static void e32(uint32_t v) { memcpy(em, &v, 4); em += 4; }
static void e64(uint64_t v) { memcpy(em, &v, 8); em += 8; }
static void movabs_rax(uint64_t v) { e8(0x48); e8(0xb8); e64(v); }
/* mov reg, [rax + disp32] / mov [rax + disp32], reg */
static void mov_load(unsigned r, uint32_t d) { e8(0x48 | (r >= 8 ? 4 : 0)); e8(0x8b); e8((uint8_t)(0x80 | (r & 7) << 3)); e32(d); }
static void mov_store(unsigned r, uint32_t d) { e8(0x48 | (r >= 8 ? 4 : 0)); e8(0x89); e8((uint8_t)(0x80 | (r & 7) << 3)); e32(d); }

#define OFF_GPR(r) ((uint32_t)(8 * (r)))
#define OFF_FLAGS ((uint32_t)offsetof(struct nat_state, rflags))
#define OFF_FX ((uint32_t)offsetof(struct nat_state, fx))

static void nat_signal(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	nat_trap = (int)uc->uc_mcontext.gregs[REG_TRAPNO];
	if (sig == SIGILL)
		nat_trap = X86_EXC_UD;
	siglongjmp(nat_jmp, 1);
}

/* Map the region and build the prologue. 0, or -1 if the address is taken. */
static int nat_setup(void)
{
	void *p = mmap((void *)NAT_BASE, NAT_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != (void *)NAT_BASE)
		return -1;
	nat_region = p;
	/* The prologue lives one unmapped page after the data area, so that
	 * a stray access past the data area faults here as in the soft CPU's
	 * memory instead of overwriting the trampoline. */
	p = mmap((void *)(NAT_BASE + NAT_SIZE + 0x1000), 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != (void *)(NAT_BASE + NAT_SIZE + 0x1000))
		return -1;
	nat_prologue = p;
	em = nat_prologue;
	e8(0x53); e8(0x55); e8(0x41); e8(0x54); e8(0x41); e8(0x55);
	e8(0x41); e8(0x56); e8(0x41); e8(0x57);              /* push rbx rbp r12-r15 */
	movabs_rax((uint64_t)&nat_host_rsp); e8(0x48); e8(0x89); e8(0x20); /* mov [rax], rsp */
	movabs_rax((uint64_t)nat_host_fx); e8(0x48); e8(0x0f); e8(0xae); e8(0x00); /* fxsave64 */
	movabs_rax((uint64_t)nat_in.fx); e8(0x48); e8(0x0f); e8(0xae); e8(0x08);   /* fxrstor64 */
	movabs_rax((uint64_t)(nat_scratch + sizeof(nat_scratch))); e8(0x48); e8(0x89); e8(0xc4);
	movabs_rax((uint64_t)&nat_in);
	e8(0xff); e8(0xb0); e32(OFF_FLAGS); e8(0x9d);         /* push [rax+flags]; popfq */
	for (unsigned r = 1; r < 16; r++)
		if (r != X86_RSP)
			mov_load(r, OFF_GPR(r));
	mov_load(X86_RSP, OFF_GPR(X86_RSP));
	mov_load(X86_RAX, OFF_GPR(X86_RAX));
	e8(0xe9);                                             /* jmp NAT_CODE */
	e32((uint32_t)(NAT_CODE - ((uint64_t)em + 4)));

	return 0;
}

/* Catch the faults of native runs (cmocka installs its own handlers for
 * each test, so this runs at the start of one). */
static void nat_catch_signals(void)
{
	struct sigaction sa;
	stack_t ss = { .ss_sp = nat_altstack, .ss_size = sizeof(nat_altstack) };

	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = nat_signal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGTRAP, &sa, NULL);
}

/* Place `len` test bytes at NAT_CODE followed by the epilogue. */
static void nat_place(const uint8_t *bytes, unsigned len)
{
	memset(nat_region, 0xcc, 0x1000);
	memcpy(nat_region, bytes, len);
	nat_epilogue = NAT_CODE + len;
	em = nat_region + len;
	e8(0x48); e8(0xa3); e64((uint64_t)&nat_out.gpr[X86_RAX]); /* movabs [out.rax], rax */
	e8(0x48); e8(0x89); e8(0xe0);                              /* mov rax, rsp */
	e8(0x48); e8(0xa3); e64((uint64_t)&nat_out.gpr[X86_RSP]);
	movabs_rax((uint64_t)(nat_scratch + sizeof(nat_scratch))); e8(0x48); e8(0x89); e8(0xc4);
	e8(0x9c); e8(0xfc);                                        /* pushfq; cld */
	movabs_rax((uint64_t)&nat_out);
	e8(0x8f); e8(0x80); e32(OFF_FLAGS);                        /* pop [rax+flags] */
	for (unsigned r = 1; r < 16; r++)
		if (r != X86_RSP)
			mov_store(r, OFF_GPR(r));
	e8(0x48); e8(0x0f); e8(0xae); e8(0x80); e32(OFF_FX);       /* fxsave64 [rax+fx] */
	movabs_rax((uint64_t)nat_host_fx); e8(0x48); e8(0x0f); e8(0xae); e8(0x08);
	movabs_rax((uint64_t)&nat_host_rsp); e8(0x48); e8(0x8b); e8(0x20); /* mov rsp, [rax] */
	e8(0x41); e8(0x5f); e8(0x41); e8(0x5e); e8(0x41); e8(0x5d);
	e8(0x41); e8(0x5c); e8(0x5d); e8(0x5b); e8(0xc3);
}

/* Run natively: -1, or the exception vector. */
static int nat_run(void)
{
	nat_trap = -1;
	if (sigsetjmp(nat_jmp, 1)) {
		__asm__ volatile("fxrstor64 %0" : : "m"(*(uint8_t (*)[512])nat_host_fx));
		return nat_trap;
	}
	((void (*)(void))nat_prologue)();
	return -1;
}

/* ---- the software CPU side ---- */

struct emu {
	struct x86_cpu cpu;
	struct flat_mem mem;
};

static void seg64(x86_seg_t *s, uint16_t sel, uint8_t type, bool code)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->type = type;
	s->s = 1;
	s->dpl = 3;
	s->present = 1;
	s->l = code;
	s->db = !code;
	s->g = 1;
	s->limit = 0xffffffff;
}

/* Long mode, CPL 3, flat segments: what a Linux process sees. */
static void emu_setup(struct emu *e)
{
	memset(&e->cpu, 0, sizeof(e->cpu));
	free(e->mem.buf);
	flat_init(&e->mem, NAT_BASE, NAT_SIZE);
	x86_cpu_set_platform(&e->cpu, &flat_ops, &e->mem, NULL, NULL);
	x86_cpu_reset(&e->cpu);
	e->cpu.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP |
		     X86_CR0_AM | X86_CR0_PG;
	e->cpu.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	e->cpu.efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE | X86_EFER_SCE;
	seg64(&e->cpu.seg[X86_CS], 0x33, 0xb, true);
	seg64(&e->cpu.seg[X86_SS], 0x2b, 0x3, false);
	for (unsigned s = 0; s < 6; s++)
		if (s != X86_CS && s != X86_SS) {
			memset(&e->cpu.seg[s], 0, sizeof(x86_seg_t));
			e->cpu.seg[s].unusable = 1;
		}
	x86_cpu_update_mode(&e->cpu);
}

/* Run the software CPU from NAT_CODE to the epilogue: -1, or a vector. */
static int emu_run(struct emu *e, const struct nat_state *in)
{
	struct x86_cpu *c = &e->cpu;
	uint32_t err;

	memcpy(e->mem.buf, nat_region, NAT_SIZE);
	memcpy(c->gpr, in->gpr, sizeof(c->gpr));
	x86_cpu_set_rflags(c, in->rflags);
	c->rip = NAT_CODE;
	if (x86_fxrstor_image(&c->fpu, in->fx, true))
		return -2;
	for (int steps = 0; c->rip != nat_epilogue; steps++) {
		if (steps > 100000)
			return -3;
		int v = x86_cpu_step_raw(c, &err);
		if (v >= 0)
			return v;
	}
	return -1;
}

#endif
