/* Exceptions and privilege changes (guest only: CPL 0 and 3).
 *
 * Every value here is fixed by the architecture, so the guest checks it
 * itself (and prints it, for the comparison between backends): vectors,
 * error codes, the RIP a fault or trap reports, #DF when delivering a #PF
 * faults again on an unmapped IST stack, IST and RSP0 stack switches, a
 * round trip to ring 3 with IRETQ and back through an interrupt gate,
 * SYSCALL/SYSRET with SFMASK and SWAPGS.
 */
#include "runtime.h"

const char ct_name[] = "exceptions";

void exc_int3(void), exc_int40(void), exc_int42(void), exc_ud2(void);
void exc_into(void), exc_lock_nop(void), exc_div0(void);
void exc_bad_selector(void), exc_user_ss(void), exc_noncanonical(void);
void exc_stack_fault(void), exc_bad_msr(void), exc_unmapped_read(void);
void user_exit_42(void), user_int81(void), user_int41(void), user_cli(void);
void user_read_cr0(void), user_syscall(void), exc_syscall_entry(void);
extern const uint8_t exc_after_int3[], exc_after_int40[], exc_ud2_site[];
extern const uint8_t exc_after_syscall[];
extern uint64_t sys_kflags, sys_rcx, sys_r11, sys_gsmark, sys_cs, sys_ss;

static struct ct_frame last;
static uint64_t last_frame_addr, last_cr2;
static int hits;

static void record(struct ct_frame *f)
{
	last = *f;
	last_frame_addr = (uint64_t)f;
	hits++;
}

static void run(void *fn)
{
	((void (*)(void))fn)();
}

/* Run fn under ct_try; check the vector and the error code. */
static void expect_fault(const char *key, void (*fn)(void), int vector,
			 uint64_t error)
{
	int v = ct_try(run, (void *)fn);
	ct_out(key, (uint64_t)(int64_t)v);
	ct_out2(key, "error", ct_fault_error);
	if (v != vector)
		ct_fail("%s: vector %d, want %d", key, v, vector);
	else if (ct_fault_error != error)
		ct_fail("%s: error code 0x%lx, want 0x%lx", key, ct_fault_error, error);
}

static void run_user(void *fn)
{
	ct_user_run((void (*)(void))fn, (uint64_t)(ct_user_stack + CT_USER_STACK_SIZE));
}

static void expect_user_fault(const char *key, void (*fn)(void), int vector,
			      uint64_t error)
{
	int v = ct_try(run_user, (void *)fn);
	ct_out(key, (uint64_t)(int64_t)v);
	ct_out2(key, "error", ct_fault_error);
	if (v != vector || ct_fault_error != error)
		ct_fail("%s: vector %d error 0x%lx, want %d error 0x%lx", key, v,
			ct_fault_error, vector, error);
}

static void traps(void)
{
	/* #BP and INT n: the saved RIP is the next instruction, no error
	 * code, same privilege (CS 0x08). */
	ct_set_handler(3, record);
	hits = 0;
	exc_int3();
	ct_out("int3.rip", last.rip - (uint64_t)exc_after_int3);
	ct_check(hits == 1 && last.rip == (uint64_t)exc_after_int3 && last.cs == SEL_CODE64,
		 "#BP: saved RIP after INT3", last.rip, (uint64_t)exc_after_int3);
	ct_set_handler(3, 0);

	ct_set_handler(0x40, record);
	hits = 0;
	exc_int40();
	ct_out("int40.rip", last.rip - (uint64_t)exc_after_int40);
	ct_check(hits == 1 && last.rip == (uint64_t)exc_after_int40 && last.vector == 0x40,
		 "INT 0x40: saved RIP", last.rip, (uint64_t)exc_after_int40);
	ct_set_handler(0x40, 0);
}

static void faults(void)
{
	expect_fault("de", exc_div0, 0, 0);
	expect_fault("ud.ud2", exc_ud2, 6, 0);
	expect_fault("ud.into", exc_into, 6, 0);
	expect_fault("ud.lock", exc_lock_nop, 6, 0);
	/* #GP(selector) for a selector past the GDT limit, and for SS
	 * loaded with a DPL 3 segment at CPL 0; #GP(0) for a
	 * non-canonical address and an unknown MSR. */
	expect_fault("gp.selector", exc_bad_selector, 13, 0x1000);
	expect_fault("gp.ss_dpl", exc_user_ss, 13, SEL_UDATA);
	expect_fault("gp.noncanonical", exc_noncanonical, 13, 0);
	expect_fault("gp.msr", exc_bad_msr, 13, 0);


	/* #SS(0) on a non-canonical stack, delivered on IST 4 (and #GP too,
	 * so that a CPU raising the wrong one still reports it). */
	ct_set_gate(12, 0, 4, false);
	ct_set_gate(13, 0, 4, false);
	expect_fault("ss.noncanonical", exc_stack_fault, 12, 0);
	ct_set_gate(12, 0, 0, false);
	ct_set_gate(13, 0, 0, false);
}

/* #DF: the #PF handler's IST stack is not mapped, so delivering the #PF
 * faults again and the CPU raises #DF (error code 0) on its own IST. */
static void df_handler(struct ct_frame *f)
{
	last = *f;
	last_frame_addr = (uint64_t)f;
	last_cr2 = read_cr2();
	ct_try_unwind(8);
}

static void double_fault(void)
{
	uint64_t saved = ct_tss.ist[1];
	ct_tss.ist[1] = 0x100001000ull; /* PDPT[4]: not present */
	ct_set_gate(14, 0, 2, false);
	ct_set_gate(8, 0, 1, false);
	ct_set_handler(8, df_handler);
	int v = ct_try(run, (void *)exc_unmapped_read);
	ct_set_handler(8, 0);
	ct_set_gate(8, 0, 0, false);
	ct_set_gate(14, 0, 0, false);
	ct_tss.ist[1] = saved;

	ct_out("df", (uint64_t)(int64_t)v);
	ct_out2("df", "error", last.error);
	ct_out2("df", "cr2", last_cr2);
	if (v != 8 || last.error != 0)
		ct_fail("#DF: vector %d error 0x%lx, want 8 and 0", v, last.error);
	/* CR2 holds the second fault's address: a push onto the IST stack. */
	if (last_cr2 < 0x100000000ull || last_cr2 >= 0x100001000ull)
		ct_fail("#DF: CR2 0x%lx is not on the unmapped IST stack", last_cr2);
	uint64_t df_stack = ct_tss.ist[0];
	if (last_frame_addr > df_stack || last_frame_addr < df_stack - IST_SIZE)
		ct_fail("#DF: frame at 0x%lx, not on IST1", last_frame_addr);
}

static void ist(void)
{
	ct_set_gate(0x42, 0, 3, false);
	ct_set_handler(0x42, record);
	hits = 0;
	exc_int42();
	ct_set_handler(0x42, 0);
	ct_set_gate(0x42, 0, 0, false);
	uint64_t top = ct_tss.ist[2];
	/* The CPU aligns the IST RSP down to 16 and pushes SS, RSP, RFLAGS,
	 * CS, RIP; isr_common then pushes vector, error and 15 registers. */
	uint64_t want = top - 5 * 8 - 17 * 8;
	ct_out("ist.offset", top - last_frame_addr);
	ct_check(hits == 1 && last_frame_addr == want, "IST 3: frame address",
		 last_frame_addr, want);
}

static void user_mode(void)
{
	/* IRETQ to ring 3 and back through a DPL 3 interrupt gate: the frame
	 * is on the TSS's RSP0 stack and shows CPL 3's CS, SS and RSP. */
	uint64_t top = (uint64_t)(ct_user_stack + CT_USER_STACK_SIZE);
	uint64_t rax = ct_user_run(user_exit_42, top);
	ct_out("user.rax", rax);
	ct_out("user.cs", ct_user_frame.cs);
	ct_out("user.ss", ct_user_frame.ss);
	ct_check(rax == 42, "ring 3 exit: rax", rax, 42);
	ct_check(ct_user_frame.cs == (SEL_UCODE64 | 3), "ring 3: CS", ct_user_frame.cs,
		 SEL_UCODE64 | 3);
	ct_check(ct_user_frame.ss == (SEL_UDATA | 3), "ring 3: SS", ct_user_frame.ss,
		 SEL_UDATA | 3);
	ct_check(ct_user_frame.rsp == top, "ring 3: RSP", ct_user_frame.rsp, top);
	ct_check(ct_user_frame.rbx == top, "ring 3: RSP seen by user code",
		 ct_user_frame.rbx, top);

	/* Where the CPU put the frame: RSP0 from the TSS. */
	ct_set_gate(0x81, 3, 0, false);
	ct_set_handler(0x81, record);
	hits = 0;
	ct_try(run_user, (void *)user_int81);
	ct_set_handler(0x81, 0);
	ct_set_gate(0x81, 0, 0, false);
	uint64_t want = ct_tss.rsp[0] - 5 * 8 - 17 * 8;
	ct_out("rsp0.offset", ct_tss.rsp[0] - last_frame_addr);
	ct_check(hits == 1 && last_frame_addr == want, "ring 3 -> 0: frame on RSP0",
		 last_frame_addr, want);
	/* The handler returned to user code, which ran on into user_int41's
	 * #GP: that ended the ct_try. */

	expect_user_fault("user.int41", user_int41, 13, 0x41 * 8 + 2);
	expect_user_fault("user.cli", user_cli, 13, 0);
	expect_user_fault("user.cr0", user_read_cr0, 13, 0);
}

static uint64_t percpu[3];
static uint64_t user_gs_area[1] = { 0x75736572u /* "user" */ };

static void syscalls(void)
{
	percpu[0] = (uint64_t)(ct_user_stack + CT_USER_STACK_SIZE / 2); /* kernel stack */
	percpu[2] = 0x6b65726eu; /* "kern" */
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, (uint64_t)SEL_UCODE32 << 48 | (uint64_t)SEL_CODE64 << 32);
	wrmsr(MSR_LSTAR, (uint64_t)exc_syscall_entry);
	wrmsr(MSR_SFMASK, 0x47700); /* TF, DF, IF, IOPL, NT, AC */
	wrmsr(MSR_GS_BASE, (uint64_t)user_gs_area);
	wrmsr(MSR_KERNEL_GS_BASE, (uint64_t)percpu);

	uint64_t rax = ct_user_run(user_syscall, (uint64_t)(ct_user_stack + CT_USER_STACK_SIZE));
	ct_out("syscall.ret", rax);
	ct_out("syscall.rcx", sys_rcx - (uint64_t)exc_after_syscall);
	ct_out("syscall.r11", sys_r11 & (FL_ARITH | FL_DF));
	ct_out("syscall.kflags", sys_kflags & (FL_ARITH | FL_DF));
	ct_out("syscall.cs", sys_cs);
	ct_out("syscall.ss", sys_ss);
	ct_out("sysret.flags", ct_user_frame.rbx & (FL_ARITH | FL_DF));
	ct_out("sysret.cs", ct_user_frame.cs);
	ct_check(rax == 0x1235, "SYSCALL: the kernel's result back in user mode", rax, 0x1235);
	ct_check(sys_rcx == (uint64_t)exc_after_syscall, "SYSCALL: RCX = return RIP",
		 sys_rcx, (uint64_t)exc_after_syscall);
	ct_check((sys_r11 & (FL_ARITH | FL_DF)) == (FL_ARITH | FL_DF),
		 "SYSCALL: R11 = user RFLAGS (DF and arithmetic flags set)",
		 sys_r11, FL_ARITH | FL_DF);
	ct_check((sys_kflags & (FL_ARITH | FL_DF)) == FL_ARITH,
		 "SYSCALL: SFMASK cleared DF, kept the rest", sys_kflags, FL_ARITH);
	ct_check(sys_cs == SEL_CODE64 && sys_ss == SEL_DATA, "SYSCALL: CS from STAR",
		 sys_cs << 16 | sys_ss, SEL_CODE64 << 16 | SEL_DATA);
	ct_check(sys_gsmark == percpu[2], "SWAPGS in the entry: GS is the per-CPU area",
		 sys_gsmark, percpu[2]);
	ct_check((ct_user_frame.rbx & (FL_ARITH | FL_DF)) == (FL_ARITH | FL_DF),
		 "SYSRET: RFLAGS from R11", ct_user_frame.rbx, FL_ARITH | FL_DF);
	ct_check(ct_user_frame.rdx == user_gs_area[0], "SYSRET path: user GS back",
		 ct_user_frame.rdx, user_gs_area[0]);
	ct_check(ct_user_frame.cs == (SEL_UCODE64 | 3) && ct_user_frame.ss == (SEL_UDATA | 3),
		 "SYSRET: CS/SS from STAR", ct_user_frame.cs << 16 | ct_user_frame.ss,
		 (SEL_UCODE64 | 3) << 16 | (SEL_UDATA | 3));

	/* SWAPGS alone: the two bases trade places. */
	wrmsr(MSR_GS_BASE, 0x1111000);
	wrmsr(MSR_KERNEL_GS_BASE, 0x2222000);
	__asm__ volatile("swapgs");
	uint64_t gs = rdmsr(MSR_GS_BASE), kgs = rdmsr(MSR_KERNEL_GS_BASE);
	__asm__ volatile("swapgs");
	ct_out("swapgs.gs", gs);
	ct_out("swapgs.kgs", kgs);
	ct_check(gs == 0x2222000 && kgs == 0x1111000, "SWAPGS: GS_BASE", gs, 0x2222000);
	wrmsr(MSR_GS_BASE, 0);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}

void ct_main(void)
{
	traps();
	faults();
	double_fault();
	ist();
	user_mode();
	syscalls();
}
