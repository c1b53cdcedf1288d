/* System behaviour of the software CPU, checked against the SDM with
 * hand-built descriptor tables: mode switches from real mode to long
 * mode, IVT and IDT delivery (privilege change, TSS stacks, IST, error
 * codes), #PF with CR2, double and triple faults, SYSCALL/SYSRET, IRETQ,
 * external interrupts and the STI shadow, HLT, port I/O permissions,
 * MSRs, CPUID, CR4 checks, #UD for what is not implemented, interruptible
 * REP, the decoded-instruction cache under self-modifying code, and the
 * conversion to and from struct x86_vcpu_state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "soft_sys.h"

#include <errno.h>

/* Guest code, assembled by GNU as. Each blob is copied to CODE; labels
 * become guest addresses as CODE + (label - blob start). */
#define G(blob, label) (CODE + (uint64_t)((label) - (blob)))
#define BLOB(name) extern const uint8_t name[], name##_end[]

__asm__(
	".pushsection .rodata\n"
	/* Real mode to 32-bit protected mode to long mode. */
	".globl rm2lm\n"
	"rm2lm:\n"
	".code16\n"
	"	cli\n"
	"	lgdtl (0x7c00 + rm2lm_gdt - rm2lm)\n"
	"	movl %cr0, %eax\n"
	"	orl $1, %eax\n"
	"	movl %eax, %cr0\n"
	"	ljmpl $0x28, $(0x7c00 + rm2lm_pm32 - rm2lm)\n"
	".code32\n"
	"rm2lm_pm32:\n"
	"	movw $0x10, %ax\n"
	"	movw %ax, %ds\n"
	"	movw %ax, %ss\n"
	"	movl $0x20000, %esp\n"
	"	pushl $0x12345\n"
	"	popl %esi\n"
	"	movl %cr4, %eax\n"
	"	orl $0x20, %eax\n"
	"	movl %eax, %cr4\n"
	"	movl $0x4000, %eax\n"
	"	movl %eax, %cr3\n"
	"	movl $0xc0000080, %ecx\n"
	"	rdmsr\n"
	"	orl $0x100, %eax\n"
	"	wrmsr\n"
	"	movl %cr0, %eax\n"
	"	orl $0x80000000, %eax\n"
	"	movl %eax, %cr0\n"
	"	ljmp $0x08, $(0x7c00 + rm2lm_lm64 - rm2lm)\n"
	".code64\n"
	"rm2lm_lm64:\n"
	"	movabsq $0x1122334455667788, %rax\n"
	"	pushq $7\n"
	"	popq %rbx\n"
	"	hlt\n"
	"rm2lm_gdt:\n"
	"	.word 0x4f\n"
	"	.long 0x1000\n"
	".globl rm2lm_end\n"
	"rm2lm_end:\n"

	/* Long mode: user code, INT 0x80, SYSCALL, a user #PF on IST1. */
	".globl lmk\n"
	"lmk:\n"
	"	movl $42, %eax\n"
	"	int $0x80\n"
	"	movl %eax, %ebx\n"
	"	syscall\n"
	".globl lmk_after_syscall\n"
	"lmk_after_syscall:\n"
	".globl lmk_fault\n"
	"lmk_fault:\n"
	"	movq 0x200000, %rax\n"
	".globl lmk_h80\n"
	"lmk_h80:\n"
	"	movl %cs, %edx\n"
	"	addl $100, %eax\n"
	"	iretq\n"
	".globl lmk_sys\n"
	"lmk_sys:\n"
	"	movq %rcx, %r14\n"
	"	movq %r11, %r15\n"
	"	sysretq\n"
	".globl lmk_pf\n"
	"lmk_pf:\n"
	"	movq %cr2, %r12\n"
	"	popq %r13\n"
	"	movq %rsp, %r10\n"
	"	hlt\n"
	".globl lmk_end\n"
	"lmk_end:\n"

	/* 32-bit protected mode: INT from ring 3, I/O permission bitmap. */
	".code32\n"
	".globl pm\n"
	"pm:\n"
	"	int $0x30\n"
	".globl pm_io\n"
	"pm_io:\n"
	"	outb %al, $0x80\n"
	"	outb %al, $0x70\n"
	".globl pm_h30\n"
	"pm_h30:\n"
	"	hlt\n"
	".globl pm_gp\n"
	"pm_gp:\n"
	"	popl %edi\n"
	"	hlt\n"
	/* Ring 3: INT and IRET back, a far CALL/RET, then INT 0x30. */
	".globl pm_r3\n"
	"pm_r3:\n"
	"	movl $1, %eax\n"
	"	int $0x31\n"
	"	lcall $0x33, $(0x7c00 + pm_far - pm)\n"
	"	int $0x30\n"
	".globl pm_h31\n"
	"pm_h31:\n"
	"	addl $1, %eax\n"
	"	movl %cs, %ebx\n"
	"	iret\n"
	"pm_far:\n"
	"	movl $7, %esi\n"
	"	movl (%esp), %edx\n"
	"	lret\n"
	".globl pm_end\n"
	"pm_end:\n"

	/* 32-bit only instructions, with the SDM's worked examples:
	 * results collected in EDI, ESI, EBP, EBX, EDX and on the stack. */
	".globl bcd\n"
	"bcd:\n"
	"	movb $0x79, %al\n"
	"	addb $0x35, %al\n"
	"	daa\n"
	"	pushfl\n"
	"	movzbl %al, %edi\n"          /* 0x14, CF AF */
	"	movb $0x35, %al\n"
	"	subb $0x47, %al\n"
	"	das\n"
	"	pushfl\n"
	"	movzbl %al, %esi\n"          /* 0x88, CF AF */
	"	movw $0x0008, %ax\n"
	"	addb $0x09, %al\n"
	"	aaa\n"
	"	movzwl %ax, %ebp\n"          /* 0x0107 */
	"	movw $0x0002, %ax\n"
	"	subb $0x08, %al\n"
	"	aas\n"
	"	movzwl %ax, %ebx\n"          /* 0xff04 */
	"	movw $0x000f, %ax\n"
	"	aam\n"
	"	movw %ax, %dx\n"             /* 0x0105 */
	"	aad\n"
	"	shll $16, %edx\n"
	"	movw %ax, %dx\n"             /* 0x000f in the low half */
	"	movl $0x11111111, %ecx\n"
	"	pushal\n"
	"	popal\n"
	"	incl %ecx\n"
	"	hlt\n"
	".globl bcd_end\n"
	"bcd_end:\n"

	/* Real mode INT through the IVT and IRET. */
	".code16\n"
	".globl rmi\n"
	"rmi:\n"
	"	movw $0x1234, %ax\n"
	"	int $0x10\n"
	"	movw %ax, %bx\n"
	"	hlt\n"
	".globl rmi_h\n"
	"rmi_h:\n"
	"	addw $1, %ax\n"
	"	iret\n"
	".globl rmi_end\n"
	"rmi_end:\n"

	/* Kernel code for faults, interrupts, SMC and string copies. */
	".code64\n"
	".globl kc\n"
	"kc:\n"
	".globl kc_noncanon\n"
	"kc_noncanon:\n"
	"	movabsq $0x8000000000000000, %rax\n"
	"	movq (%rax), %rbx\n"
	".globl kc_df\n"
	"kc_df:\n"
	"	popq %r13\n"
	"	hlt\n"
	".globl kc_sti\n"
	"kc_sti:\n"
	"	sti\n"
	"	nop\n"
	".globl kc_after_nop\n"
	"kc_after_nop:\n"
	"	hlt\n"
	".globl kc_after_hlt\n"
	"kc_after_hlt:\n"
	"	hlt\n"
	".globl kc_irq\n"
	"kc_irq:\n"
	"	movq (%rsp), %r12\n"
	"	hlt\n"
	".globl kc_smc\n"
	"kc_smc:\n"
	"	xorl %ecx, %ecx\n"
	"	xorl %edx, %edx\n"
	"kc_smc_loop:\n"
	"	movb %cl, (kc_patch + 1)(%rip)\n"
	"kc_patch:\n"
	"	movl $0x77, %eax\n"
	"	addl %eax, %edx\n"
	"	incl %ecx\n"
	"	cmpl $3, %ecx\n"
	"	jne kc_smc_loop\n"
	"	hlt\n"
	".globl kc_rep\n"
	"kc_rep:\n"
	"	rep stosb\n"
	"	hlt\n"
	".globl kc_ud\n"
	"kc_ud:\n"
	"	pshufb %xmm1, %xmm0\n"
	".globl kc_h6\n"
	"kc_h6:\n"
	"	movq (%rsp), %r12\n"
	"	hlt\n"
	".globl kc_msr\n"
	"kc_msr:\n"
	"	movl $0x12345678, %ecx\n"
	".globl kc_rdmsr\n"
	"kc_rdmsr:\n"
	"	rdmsr\n"
	".globl kc_h13\n"
	"kc_h13:\n"
	"	popq %r13\n"
	"	movq (%rsp), %r12\n"
	"	hlt\n"
	".globl kc_cr4\n"
	"kc_cr4:\n"
	"	movq %cr4, %rax\n"
	"	orq $0x100000, %rax\n"
	".globl kc_cr4_write\n"
	"kc_cr4_write:\n"
	"	movq %rax, %cr4\n"
	/* Descriptor-table and friends, in ring 0 of long mode. */
	".globl kc_desc\n"
	"kc_desc:\n"
	"	sgdt 0x50000\n"
	"	sidt 0x50010\n"
	"	movw $0x40, %ax\n"
	"	ltr %ax\n"
	"	str %r8d\n"
	"	xorl %eax, %eax\n"
	"	lldt %ax\n"
	"	movl $0x10, %eax\n"
	"	lsl %eax, %r9d\n"
	"	setz %bl\n"
	"	movl $0x23, %eax\n"
	"	lar %eax, %r10d\n"
	"	movl $0x08, %eax\n"
	"	verr %ax\n"
	"	setz %bh\n"
	"	verw %ax\n"
	"	setz %cl\n"
	"	movl $0x12345678, %eax\n"
	"	movl $0xc0000102, %ecx\n"
	"	xorl %edx, %edx\n"
	"	wrmsr\n"
	"	swapgs\n"
	"	movl $0xc0000101, %ecx\n"
	"	rdmsr\n"
	"	movl %eax, %r11d\n"
	"	swapgs\n"
	"	rdtscp\n"
	"	movl %ecx, %r12d\n"
	"	movq $0x401, %rax\n"
	"	movq %rax, %dr7\n"
	"	movq %dr7, %r13\n"
	"	smsw %r14d\n"
	"	clts\n"
	"	hlt\n"
	".globl kc_end\n"
	"kc_end:\n"
	".popsection\n");

BLOB(rm2lm);
BLOB(lmk);
BLOB(pm);
BLOB(rmi);
BLOB(bcd);
BLOB(kc);
extern const uint8_t rm2lm_lm64[], lmk_after_syscall[], lmk_fault[], lmk_h80[],
	lmk_sys[], lmk_pf[], pm_io[], pm_h30[], pm_gp[], rmi_h[], kc_noncanon[],
	kc_df[], kc_sti[], kc_after_nop[], kc_after_hlt[], kc_irq[], kc_smc[],
	kc_rep[], kc_ud[], kc_h6[], kc_msr[], kc_rdmsr[], kc_h13[], kc_cr4[],
	kc_cr4_write[], kc_desc[], pm_r3[], pm_h31[];

static struct sys S;

static int setup(void **state)
{
	sys_init(&S);
	return 0;
}

static int teardown(void **state)
{
	flat_free(&S.mem);
	return 0;
}

static void test_real_to_long_mode(void **state)
{
	struct x86_cpu *c = &S.cpu;

	gdt_fill(&S, true);
	sys_load(&S, CODE, rm2lm, rm2lm_end);
	/* Real mode as a boot loader finds it: CS=0, IP=0x7c00. */
	c->seg[X86_CS].selector = 0;
	c->seg[X86_CS].base = 0;
	c->rip = CODE;
	assert_int_equal(c->mode, X86_MODE_REAL);
	assert_int_equal(x86_cpu_run(c, 1000), X86_EXIT_HLT);
	assert_int_equal(c->mode, X86_MODE_LONG64);
	assert_true(c->efer & X86_EFER_LMA);
	assert_true(c->seg[X86_CS].l);
	assert_int_equal(c->seg[X86_CS].selector, SEL_KCODE64);
	assert_true(c->gpr[X86_RAX] == 0x1122334455667788ull);
	assert_int_equal(c->gpr[X86_RBX], 7);
	assert_int_equal(c->gpr[X86_RSI], 0x12345);     /* 32-bit stack worked */
	assert_int_equal(c->gpr[X86_RSP], 0x20000);
	assert_true(c->rip == G(rm2lm, rm2lm_lm64) + 10 + 2 + 1 + 1);
	assert_true(S.mem.nr_flush > 0);                 /* paging on flushed */
	assert_int_equal(c->gdtr.base, GDT);
	/* The accessed bit was set in the descriptors loaded. */
	assert_true(get64(&S, GDT + SEL_KDATA) & (1ull << 40));
}

static void test_long_mode_int_syscall_pf(void **state)
{
	struct x86_cpu *c = &S.cpu;

	sys_long(&S, 3);
	sys_load(&S, CODE, lmk, lmk_end);
	idt64(&S, 0x80, G(lmk, lmk_h80), 3, 0, false);
	idt64(&S, 14, G(lmk, lmk_pf), 0, 1, false);
	c->star = ((uint64_t)(SEL_UDATA - 8) << 48) | ((uint64_t)SEL_KCODE64 << 32);
	c->lstar = G(lmk, lmk_sys);
	c->sfmask = X86_IF | X86_DF;
	c->rip = CODE;
	assert_int_equal(c->cpl, 3);
	assert_int_equal(x86_cpu_run(c, 100), X86_EXIT_HLT);

	/* INT 0x80 ran its handler in ring 0 and IRETQ came back. */
	assert_int_equal(c->gpr[X86_RDX], SEL_KCODE64);
	assert_int_equal(c->gpr[X86_RBX], 142);
	/* SYSCALL: RCX = return address, R11 = RFLAGS; SYSRET came back to ring 3. */
	assert_true(c->gpr[X86_R14] == G(lmk, lmk_after_syscall));
	assert_true(c->gpr[X86_R15] & X86_IF);
	/* The user's load from 0x200000 faulted: #PF on IST1, U=1, not present. */
	assert_int_equal(c->gpr[X86_R12], 0x200000);
	assert_int_equal(c->cr2, 0x200000);
	assert_int_equal(c->gpr[X86_R13], 4);
	assert_int_equal(c->gpr[X86_R10], ISTACK - 40);
	assert_true(get64(&S, ISTACK - 40) == G(lmk, lmk_fault)); /* RIP: the faulting instruction */
	assert_int_equal(get64(&S, ISTACK - 32), SEL_UCODE64 | 3);  /* CS */
	assert_int_equal(get64(&S, ISTACK - 16), USTACK);           /* RSP */
	assert_int_equal(get64(&S, ISTACK - 8), SEL_UDATA | 3);     /* SS */
	assert_int_equal(c->cpl, 0);
	assert_false(x86_cpu_get_rflags(c) & X86_IF);               /* interrupt gate */
	/* SYSRET's SS selector comes from STAR; the handler saw SFMASK applied. */
	assert_int_equal(c->seg[X86_SS].selector, 0);               /* null SS in ring 0 */
}

static void test_prot32_int_and_io_bitmap(void **state)
{
	struct x86_cpu *c = &S.cpu;

	sys_prot32(&S, 3);
	sys_load(&S, CODE, pm, pm_end);
	idt32(&S, 0x30, (uint32_t)G(pm, pm_h30), 3);
	idt32(&S, 13, (uint32_t)G(pm, pm_gp), 0);
	c->rip = CODE;
	assert_int_equal(x86_cpu_run(c, 100), X86_EXIT_HLT);
	/* Ring 3 to ring 0 through the TSS: SS, ESP, EFLAGS, CS, EIP on ESP0. */
	assert_int_equal(c->cpl, 0);
	assert_int_equal(c->gpr[X86_RSP], KSTACK - 20);
	assert_int_equal(c->seg[X86_SS].selector, SEL_KDATA);
	assert_int_equal(get32(&S, KSTACK - 20), G(pm, pm_io));     /* return EIP */
	assert_int_equal(get32(&S, KSTACK - 16), SEL_UCODE32 | 3);
	assert_int_equal(get32(&S, KSTACK - 8), USTACK);
	assert_int_equal(get32(&S, KSTACK - 4), SEL_UDATA | 3);

	/* Back in ring 3 at pm_io: port 0x80 is allowed by the bitmap, 0x70 is not. */
	sys_prot32(&S, 3);
	c->rip = G(pm, pm_io);
	c->gpr[X86_RAX] = 0x5a;
	S.mem.nr_out = 0;
	assert_int_equal(x86_cpu_run(c, 100), X86_EXIT_HLT);
	assert_int_equal(S.mem.nr_out, 1);
	assert_int_equal(S.mem.out[0].port, 0x80);
	assert_int_equal(S.mem.out[0].val, 0x5a);
	assert_int_equal(c->gpr[X86_RDI], 0);                       /* #GP(0) */
	assert_true(get32(&S, KSTACK - 20) == G(pm, pm_io) + 2);    /* at the OUT 0x70 */
}

static void test_prot32_iret_and_far_call(void **state)
{
	struct x86_cpu *c = &S.cpu;

	sys_prot32(&S, 3);
	sys_load(&S, CODE, pm, pm_end);
	idt32(&S, 0x30, (uint32_t)G(pm, pm_h30), 3);
	idt32(&S, 0x31, (uint32_t)G(pm, pm_h31), 3);
	c->rip = G(pm, pm_r3);
	assert_int_equal(x86_cpu_run(c, 100), X86_EXIT_HLT);
	assert_int_equal(c->gpr[X86_RAX], 2);             /* the INT 0x31 handler ran */
	assert_int_equal(c->gpr[X86_RBX], SEL_KCODE32);   /* in ring 0 */
	assert_int_equal(c->gpr[X86_RSI], 7);             /* the far call ran */
	assert_int_equal(c->gpr[X86_RDX], G(pm, pm_r3) + 5 + 2 + 7); /* its return EIP */
	/* The last INT came from ring 3 again, with the user stack intact. */
	assert_int_equal(get32(&S, KSTACK - 16), SEL_UCODE32 | 3);
	assert_int_equal(get32(&S, KSTACK - 8), USTACK);
	assert_int_equal(get32(&S, KSTACK - 4), SEL_UDATA | 3);
	assert_int_equal(c->cpl, 0);
}

static void test_real_mode_ivt(void **state)
{
	struct x86_cpu *c = &S.cpu;

	sys_load(&S, CODE, rmi, rmi_end);
	put32(&S, 0x10 * 4, (uint32_t)G(rmi, rmi_h));   /* 0000:handler */
	c->seg[X86_CS].selector = 0;
	c->seg[X86_CS].base = 0;
	c->gpr[X86_RSP] = 0x7000;
	c->rip = CODE;
	assert_int_equal(x86_cpu_run(c, 100), X86_EXIT_HLT);
	assert_int_equal(c->gpr[X86_RBX] & 0xffff, 0x1235);
	assert_int_equal(c->gpr[X86_RSP] & 0xffff, 0x7000);
	/* The IVT frame: IP, CS, FLAGS. */
	uint16_t ip;
	memcpy(&ip, flat_at(&S.mem, 0x7000 - 6), 2);
	assert_int_equal(ip, CODE + 5); /* after MOV AX (3 bytes) and INT (2) */
}

static void test_bcd_and_pusha_32bit(void **state)
{
	struct x86_cpu *c = &S.cpu;

	sys_prot32(&S, 0);
	sys_load(&S, CODE, bcd, bcd_end);
	c->rip = CODE;
	assert_int_equal(x86_cpu_run(c, 100), X86_EXIT_HLT);
	assert_int_equal(c->gpr[X86_RDI], 0x14);
	assert_int_equal(c->gpr[X86_RSI], 0x88);
	assert_int_equal(c->gpr[X86_RBP], 0x0107);
	assert_int_equal(c->gpr[X86_RBX], 0xff04);
	assert_int_equal(c->gpr[X86_RDX], 0x0105000f);
	assert_int_equal(c->gpr[X86_RCX], 0x11111112);   /* PUSHAD/POPAD kept it */
	assert_int_equal(c->gpr[X86_RSP], KSTACK - 8);    /* the two PUSHFDs */
	assert_int_equal(get32(&S, KSTACK - 4) & (X86_CF | X86_AF), X86_CF | X86_AF);
	assert_int_equal(get32(&S, KSTACK - 8) & (X86_CF | X86_AF), X86_CF | X86_AF);
}

static void test_double_and_triple_fault(void **state)
{
	struct x86_cpu *c = &S.cpu;

	sys_long(&S, 0);
	sys_load(&S, CODE, kc, kc_end);
	/* #GP with vector 13 not present: #NP while delivering it, two
	 * contributory faults: #DF with error code 0. */
	idt64(&S, 8, G(kc, kc_df), 0, 1, false);
	c->rip = G(kc, kc_noncanon);
	assert_int_equal(x86_cpu_run(c, 100), X86_EXIT_HLT);
	assert_int_equal(c->gpr[X86_R13], 0);
	assert_true(get64(&S, ISTACK - 40) == G(kc, kc_noncanon) + 10);

	/* With an empty IDT even #DF cannot be delivered: shutdown. */
	sys_long(&S, 0);
	c->idtr.limit = 0;
	c->rip = G(kc, kc_noncanon);
	assert_int_equal(x86_cpu_run(c, 100), X86_EXIT_SHUTDOWN);
}

static void test_interrupts_and_shadow(void **state)
{
	struct x86_cpu *c = &S.cpu;

	sys_long(&S, 0);
	sys_load(&S, CODE, kc, kc_end);
	idt64(&S, 0x40, G(kc, kc_irq), 0, 0, false);
	/* IF=0 with an interrupt pending: STI lets one more instruction run. */
	x86_cpu_set_rflags(c, 2);
	S.mem.irq = 0x40;
	c->rip = G(kc, kc_sti);
	assert_int_equal(x86_cpu_run(c, 100), X86_EXIT_HLT);
	assert_int_equal(S.mem.acked, 0x40);
	assert_true(c->gpr[X86_R12] == G(kc, kc_after_nop));

	/* HLT with nothing pending returns; an interrupt then wakes it. */
	sys_long(&S, 0);
	S.mem.acked = -1;
	c->rip = G(kc, kc_after_nop);
	assert_int_equal(x86_cpu_run(c, 100), X86_EXIT_HLT);
	assert_true(c->halted);
	assert_int_equal(x86_cpu_run(c, 100), X86_EXIT_HLT); /* still nothing */
	S.mem.irq = 0x40;
	assert_int_equal(x86_cpu_run(c, 100), X86_EXIT_HLT);
	assert_int_equal(S.mem.acked, 0x40);
	assert_true(c->gpr[X86_R12] == G(kc, kc_after_hlt));

	/* A kick or an exit request ends the run before the next instruction. */
	c->halted = false;
	c->rip = G(kc, kc_smc);
	x86_cpu_kick(c);
	assert_int_equal(x86_cpu_run(c, 100), X86_EXIT_KICK);
	assert_true(c->rip == G(kc, kc_smc));
	x86_cpu_request_exit(c);
	assert_int_equal(x86_cpu_run(c, 100), X86_EXIT_IO);
	/* And the budget. */
	c->icount = 0;
	assert_int_equal(x86_cpu_run(c, 2), X86_EXIT_BUDGET);
	assert_int_equal(c->icount, 2);
}

/* The same events with the block cache on: interrupts at the boundary
 * after STI's shadow, HLT, kicks, exit requests and an exact budget,
 * double and triple faults, all from inside blocks. */
static void test_blocks_keep_event_boundaries(void **state)
{
	struct x86_cpu *c = &S.cpu;
	struct x86_icache *ic = x86_icache_new();

	assert_non_null(ic);
	x86_cpu_set_platform(c, &flat_ops_cached, &S.mem, &flat_intc, &S.mem);
	c->icache = ic;
	test_interrupts_and_shadow(state);
	assert_true(ic->misses > 0); /* blocks were built and run */
	test_double_and_triple_fault(state);
	/* A budget shorter than a block: exactly that many instructions. */
	sys_long(&S, 0);
	sys_load(&S, CODE, kc, kc_end);
	c->rip = G(kc, kc_smc);
	c->icount = 0;
	assert_int_equal(x86_cpu_run(c, 3), X86_EXIT_BUDGET);
	assert_int_equal(c->icount, 3);
	assert_true(c->rip == G(kc, kc_smc) + 2 + 2 + 6); /* two XORs, the MOVB */

	/* A device (DMA) rewrites a block's code behind the CPU: the
	 * platform's report drops the block and the new bytes run. */
	static const uint8_t mov_hlt[] = { 0xb8, 0x01, 0x00, 0x00, 0x00, 0xf4 }; /* mov $1, %eax; hlt */
	sys_load(&S, DATA, mov_hlt, mov_hlt + sizeof(mov_hlt));
	c->halted = false;
	c->rip = DATA;
	assert_int_equal(x86_cpu_run(c, 100), X86_EXIT_HLT);
	assert_int_equal(c->gpr[X86_RAX], 1);
	flat_at(&S.mem, DATA)[1] = 2;
	x86_cpu_code_written(c, DATA);
	c->halted = false;
	c->rip = DATA;
	assert_int_equal(x86_cpu_run(c, 100), X86_EXIT_HLT);
	assert_int_equal(c->gpr[X86_RAX], 2);
	c->icache = NULL;
	x86_cpu_set_platform(c, &flat_ops, &S.mem, &flat_intc, &S.mem);
	x86_icache_free(ic);
}

static void test_icache_self_modifying_code(void **state)
{
	struct x86_cpu *c = &S.cpu;
	struct x86_icache *ic = x86_icache_new();

	assert_non_null(ic);
	sys_long(&S, 0);
	sys_load(&S, CODE, kc, kc_end);
	x86_cpu_set_platform(c, &flat_ops_cached, &S.mem, &flat_intc, &S.mem);
	c->icache = ic;
	c->rip = G(kc, kc_smc);
	assert_int_equal(x86_cpu_run(c, 1000), X86_EXIT_HLT);
	/* Each pass stored its counter into the MOV's immediate first. */
	assert_int_equal(c->gpr[X86_RDX], 0 + 1 + 2);
	assert_true(ic->invalidated >= 2);
	/* Again: the same answer, though the first pass may come from the cache. */
	c->halted = false;
	c->rip = G(kc, kc_smc);
	assert_int_equal(x86_cpu_run(c, 1000), X86_EXIT_HLT);
	assert_int_equal(c->gpr[X86_RDX], 3);
	/* Code on a page nobody writes is decoded once. */
	sys_load(&S, DATA, kc, kc_end);
	uint64_t misses = ic->misses;
	for (int k = 0; k < 3; k++) {
		c->halted = false;
		c->rip = DATA + (uint64_t)(kc_after_hlt - kc);
		assert_int_equal(x86_cpu_run(c, 10), X86_EXIT_HLT);
		/* A write reported for another page leaves these entries be. */
		x86_cpu_code_written(c, CODE & ~0xfffull);
	}
	assert_int_equal(ic->misses, misses + 1);
	assert_true(ic->hits >= 2);
	/* ... and one for this page drops them. */
	x86_cpu_code_written(c, (DATA + (uint64_t)(kc_after_hlt - kc)) & ~0xfffull);
	c->halted = false;
	c->rip = DATA + (uint64_t)(kc_after_hlt - kc);
	assert_int_equal(x86_cpu_run(c, 10), X86_EXIT_HLT);
	assert_int_equal(ic->misses, misses + 2);
	c->icache = NULL;
	x86_cpu_set_platform(c, &flat_ops, &S.mem, &flat_intc, &S.mem);
	x86_icache_free(ic);
}

static void test_rep_is_interruptible(void **state)
{
	struct x86_cpu *c = &S.cpu;

	sys_long(&S, 0);
	sys_load(&S, CODE, kc, kc_end);
	c->rip = G(kc, kc_rep);
	c->gpr[X86_RCX] = 100000;
	c->gpr[X86_RDI] = DATA;
	c->gpr[X86_RAX] = 0xab;
	assert_int_equal(x86_cpu_run(c, 3), X86_EXIT_BUDGET);
	/* Part-way: RIP still on the REP STOSB, RCX/RDI show the progress. */
	assert_true(c->rip == G(kc, kc_rep));
	assert_true(c->gpr[X86_RCX] > 0 && c->gpr[X86_RCX] < 100000);
	assert_true(c->gpr[X86_RDI] == DATA + 100000 - c->gpr[X86_RCX]);
	assert_int_equal(x86_cpu_run(c, 1000), X86_EXIT_HLT);
	assert_int_equal(c->gpr[X86_RCX], 0);
	assert_int_equal(*flat_at(&S.mem, DATA + 99999), 0xab);
	assert_int_equal(*flat_at(&S.mem, DATA + 100000), 0);
}

/* Data through page pointers: asked once per page, kept like a TLB, and
 * dropped by the events that drop translations. */
static void test_page_pointers(void **state)
{
	struct x86_cpu *c = &S.cpu;

	sys_long(&S, 0);
	sys_load(&S, CODE, kc, kc_end);
	x86_cpu_set_platform(c, &flat_ops_direct, &S.mem, &flat_intc, &S.mem);
	c->rip = G(kc, kc_rep);
	c->gpr[X86_RCX] = 16 * 4096;
	c->gpr[X86_RDI] = DATA;
	c->gpr[X86_RAX] = 0x5c;
	S.mem.nr_page_ptr = 0;
	assert_int_equal(x86_cpu_run(c, 1000), X86_EXIT_HLT);
	assert_int_equal(S.mem.nr_page_ptr, 16);
	assert_int_equal(*flat_at(&S.mem, DATA + 16 * 4096 - 1), 0x5c);
	/* Again over the same pages: all from the CPU's TLB. */
	c->halted = false;
	c->rip = G(kc, kc_rep);
	c->gpr[X86_RCX] = 16 * 4096;
	c->gpr[X86_RDI] = DATA;
	assert_int_equal(x86_cpu_run(c, 1000), X86_EXIT_HLT);
	assert_int_equal(S.mem.nr_page_ptr, 16);
	/* A CR3 write (or the platform saying so) forgets them. */
	x86_set_cr(c, 3, 0x5000);
	c->halted = false;
	c->rip = G(kc, kc_rep);
	c->gpr[X86_RCX] = 4096;
	c->gpr[X86_RDI] = DATA;
	assert_int_equal(x86_cpu_run(c, 1000), X86_EXIT_HLT);
	assert_int_equal(S.mem.nr_page_ptr, 17);
	x86_cpu_tlb_changed(c);
	c->halted = false;
	c->rip = G(kc, kc_rep);
	c->gpr[X86_RCX] = 4096;
	c->gpr[X86_RDI] = DATA;
	assert_int_equal(x86_cpu_run(c, 1000), X86_EXIT_HLT);
	assert_int_equal(S.mem.nr_page_ptr, 18);
	/* Past the end of memory there is no pointer: the write faults. */
	c->halted = false;
	c->rip = G(kc, kc_rep);
	c->gpr[X86_RCX] = 2;
	c->gpr[X86_RDI] = MEM_SIZE - 1;
	idt64(&S, 14, G(kc, kc_after_hlt), 0, 0, false);
	assert_int_equal(x86_cpu_run(c, 1000), X86_EXIT_HLT);
	assert_int_equal(c->cr2, MEM_SIZE);
	assert_int_equal(c->gpr[X86_RCX], 1);     /* one byte stored, then #PF */
	x86_cpu_set_platform(c, &flat_ops, &S.mem, &flat_intc, &S.mem);
}

static void test_ud_msr_cr4(void **state)
{
	struct x86_cpu *c = &S.cpu;

	sys_long(&S, 0);
	sys_load(&S, CODE, kc, kc_end);
	idt64(&S, 6, G(kc, kc_h6), 0, 0, false);
	idt64(&S, 13, G(kc, kc_h13), 0, 0, false);
	/* SSSE3 is not offered: #UD at the instruction (and one log line). */
	c->rip = G(kc, kc_ud);
	assert_int_equal(x86_cpu_run(c, 100), X86_EXIT_HLT);
	assert_true(c->gpr[X86_R12] == G(kc, kc_ud));
	/* An unknown MSR: #GP(0) at the RDMSR. */
	sys_long(&S, 0);
	c->rip = G(kc, kc_msr);
	c->gpr[X86_R13] = 99;
	assert_int_equal(x86_cpu_run(c, 100), X86_EXIT_HLT);
	assert_int_equal(c->gpr[X86_R13], 0);
	assert_true(c->gpr[X86_R12] == G(kc, kc_rdmsr));
	/* SMEP is not offered: setting CR4.SMEP is #GP(0). */
	sys_long(&S, 0);
	c->rip = G(kc, kc_cr4);
	assert_int_equal(x86_cpu_run(c, 100), X86_EXIT_HLT);
	assert_true(c->gpr[X86_R12] == G(kc, kc_cr4_write));
	assert_false(c->cr4 & (1ull << 20));
}

static void test_descriptor_instructions(void **state)
{
	struct x86_cpu *c = &S.cpu;

	sys_long(&S, 0);
	sys_load(&S, CODE, kc, kc_end);
	c->tsc_aux = 5;
	c->cr0 |= X86_CR0_TS;
	c->rip = G(kc, kc_desc);
	assert_int_equal(x86_cpu_run(c, 100), X86_EXIT_HLT);
	/* SGDT/SIDT: limit then a 64-bit base. */
	assert_int_equal(*(uint16_t *)flat_at(&S.mem, 0x50000), 0x4f);
	assert_int_equal(get64(&S, 0x50002), GDT);
	assert_int_equal(get64(&S, 0x50012), IDT);
	/* LTR marked the TSS busy; STR reads the selector back. */
	assert_int_equal(c->gpr[X86_R8], SEL_TSS);
	assert_int_equal(c->tr.type, 0xb);
	assert_int_equal((get64(&S, GDT + SEL_TSS) >> 40) & 0xf, 0xb);
	assert_true(c->ldtr.unusable);
	/* LSL: the expanded limit; LAR: the attribute bytes. */
	assert_int_equal(c->gpr[X86_R9], 0xffffffff);
	assert_int_equal(c->gpr[X86_RBX] & 0xff, 1);
	assert_int_equal(c->gpr[X86_R10], 0x00a0fb00); /* G L, P DPL3 code; limit bits masked */
	/* VERR: the code segment is readable; VERW: not writable. */
	assert_int_equal((c->gpr[X86_RBX] >> 8) & 0xff, 1);
	assert_int_equal(c->gpr[X86_RCX] & 0xff, 5); /* RDTSCP wrote ECX = TSC_AUX after SETZ */
	/* SWAPGS exchanged GS.base with KERNEL_GS_BASE, and back. */
	assert_int_equal(c->gpr[X86_R11], 0x12345678);
	assert_int_equal(c->seg[X86_GS].base, 0);
	assert_int_equal(c->kernel_gs_base, 0x12345678);
	assert_int_equal(c->gpr[X86_R12], 5);
	assert_int_equal(c->gpr[X86_R13], 0x401);
	assert_true(c->gpr[X86_R14] & X86_CR0_TS);     /* SMSW before CLTS */
	assert_false(c->cr0 & X86_CR0_TS);
}

/* A platform MSR hook for test_cpuid_and_msrs: records the last call,
 * answers idx+1 for 0x4b564d01 and #GP for others it does not know. */
struct hook_record {
	uint32_t idx;
	uint64_t val;
	bool write;
};
static struct hook_record hooked;

static int record_msr(void *opaque, uint32_t idx, uint64_t *val, bool write)
{
	struct hook_record *r = opaque;
	r->idx = idx;
	r->write = write;
	if (write) {
		r->val = *val;
		return 0;
	}
	if (idx != 0x4b564d01)
		return -1;
	*val = idx + 1;
	return 0;
}

static void test_cpuid_and_msrs(void **state)
{
	struct x86_cpu *c = &S.cpu;
	uint32_t r[4];
	uint64_t v;

	x86_cpuid_eval(c, 0, 0, r);
	assert_memory_equal(&r[1], "Kiln", 4);
	x86_cpuid_eval(c, 1, 0, r);
	assert_true(r[3] & (1u << 26));           /* SSE2 */
	assert_true(r[3] & (1u << 24));           /* FXSR */
	assert_true(r[2] & (1u << 13));           /* CMPXCHG16B: implemented, so offered */
	assert_false(r[2] & (1u << 28));          /* no AVX */
	assert_false(r[2] & (1u << 26));          /* no XSAVE */
	assert_false(r[2] & (1u << 17));          /* no PCID */
	x86_cpuid_eval(c, 7, 0, r);
	assert_int_equal(r[1], 0);                /* no SMEP, SMAP, ... */
	assert_int_equal(r[2], 0);                /* no PKU, LA57 */
	x86_cpuid_eval(c, 0x80000001, 0, r);
	assert_true(r[3] & (1u << 29));           /* LM */
	assert_true(r[3] & (1u << 20));           /* NX */
	assert_true(r[3] & (1u << 27));           /* RDTSCP */
	/* MSRs Linux writes come back; reserved EFER bits and unknown MSRs are #GP. */
	assert_int_equal(x86_msr_write(c, 0xc0000082, 0xffffffff81000000ull), 0);
	assert_int_equal(x86_msr_read(c, 0xc0000082, &v), 0);
	assert_true(v == 0xffffffff81000000ull);
	assert_int_equal(x86_msr_write(c, 0xc0000082, 0x0000800000000000ull), -1);
	assert_int_equal(x86_msr_write(c, 0xc0000080, 1ull << 15), -1);
	assert_int_equal(x86_msr_read(c, 0x12345678, &v), -1);
	/* IA32_APIC_BASE: x2APIC enable (bit 10) is reserved without x2APIC
	 * in CPUID; global enable and BSP are writable. */
	assert_int_equal(x86_msr_write(c, 0x1b, 0xfee00c00ull), -1);
	assert_int_equal(x86_msr_write(c, 0x1b, 0xfee00900ull), 0);
	/* Without a platform hook, KVM's clock MSRs are #GP, and
	 * IA32_TSC_DEADLINE is a plain stored value. */
	assert_int_equal(x86_msr_read(c, 0x4b564d01, &v), -1);
	assert_int_equal(x86_msr_write(c, 0x6e0, 777), 0);
	assert_int_equal(x86_msr_read(c, 0x6e0, &v), 0);
	assert_int_equal(v, 777);
	/* With one, both go to it (the deadline also stays stored). */
	c->msr_hook = record_msr;
	c->msr_opaque = &hooked;
	assert_int_equal(x86_msr_write(c, 0x6e0, 888), 0);
	assert_int_equal(hooked.idx, 0x6e0);
	assert_int_equal(hooked.val, 888);
	assert_true(hooked.write);
	assert_int_equal(x86_msr_read(c, 0x4b564d01, &v), 0);
	assert_int_equal(v, 0x4b564d01 + 1);
	assert_false(hooked.write);
	assert_int_equal(x86_msr_read(c, 0x12345678, &v), -1);
	c->msr_hook = NULL;
	c->msr_opaque = NULL;
	assert_int_equal(x86_msr_write(c, 0x277, 0x0007040600070406ull), 0);
	assert_int_equal(x86_msr_write(c, 0x277, 0x02), -1);
	uint64_t t0, t1;
	assert_int_equal(x86_msr_read(c, 0x10, &t0), 0);
	assert_int_equal(x86_msr_write(c, 0x10, 1000), 0);
	assert_int_equal(x86_msr_read(c, 0x10, &t1), 0);
	assert_true(t1 >= 1000 && t1 < t0 + 1000);
}

static void test_state_round_trip(void **state)
{
	struct x86_cpu *c = &S.cpu;
	static struct x86_vcpu_state a, b;
	static struct x86_cpu d;
	char err[128];

	sys_long(&S, 3);
	c->gpr[X86_R9] = 0x9999;
	c->rip = 0x123456;
	c->lstar = 0xffffffff81000000ull;
	c->kernel_gs_base = 0xffff888000000000ull;
	c->fpu.xmm[7].q[1] = 0x7777;
	c->fpu.fcw = 0x27f;
	c->fpu.mxcsr = 0x9fc0;
	x86_set_cc(c, CC_SUB, 4, 0, 1, 2);  /* lazy flags: CF set by 1 - 2 */
	x86_cpu_save(c, &a);
	assert_int_equal(x86_vcpu_state_check(&a, err, sizeof(err)), 0);
	assert_true(a.rflags & X86_CF);
	assert_int_equal(a.mp_state, X86_MP_RUNNABLE);

	memset(&d, 0, sizeof(d));
	x86_cpu_set_platform(&d, &flat_ops, &S.mem, NULL, NULL);
	x86_cpu_reset(&d);
	assert_int_equal(x86_cpu_load(&d, &a, err, sizeof(err)), 0);
	x86_cpu_save(&d, &b);
	/* The TSC moved on between the two saves; everything else is equal. */
	for (uint32_t k = 0; k < a.nr_msrs; k++)
		if (a.msrs[k].index == 0x10)
			b.msrs[k].value = a.msrs[k].value;
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(d.cpl, 3);
	assert_int_equal(d.mode, X86_MODE_LONG64);

	/* What this CPU cannot hold is refused with a reason. */
	a.xcr0 = 7;
	assert_int_equal(x86_cpu_load(&d, &a, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "XCR0"));
	a.xcr0 = 1;
	a.cs.l = 1;
	a.efer &= ~X86_EFER_LMA;
	assert_int_equal(x86_cpu_load(&d, &a, err, sizeof(err)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_real_to_long_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_mode_int_syscall_pf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prot32_int_and_io_bitmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prot32_iret_and_far_call, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_mode_ivt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bcd_and_pusha_32bit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_double_and_triple_fault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupts_and_shadow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icache_self_modifying_code, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocks_keep_event_boundaries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rep_is_interruptible, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_pointers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ud_msr_cr4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_descriptor_instructions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpuid_and_msrs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_round_trip, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
