/* Instruction sites for the exceptions test: each a tiny function that
 * raises one exception (run under ct_try), the labels right after
 * instructions whose return address is checked, user-mode programs, and
 * the SYSCALL entry point.
 */
#include "desc.h"

	.text
/* #BP and INT n are traps: the frame's RIP is the next instruction. */
	.globl exc_int3, exc_after_int3
exc_int3:
	int3
exc_after_int3:
	ret

	.globl exc_int40, exc_after_int40
exc_int40:
	int $0x40
exc_after_int40:
	ret

	.globl exc_int42
exc_int42:
	int $0x42
	ret

/* Faults: the frame's RIP is the faulting instruction. */
	.globl exc_ud2, exc_ud2_site
exc_ud2:
exc_ud2_site:
	ud2
	ret

	.globl exc_into
exc_into:
	.byte 0xce			/* INTO: invalid in 64-bit mode */
	ret

	.globl exc_lock_nop
exc_lock_nop:
	.byte 0xf0, 0x90		/* LOCK on a non-memory instruction */
	ret

	.globl exc_div0
exc_div0:
	xorl %ecx, %ecx
	movl $1, %eax
	xorl %edx, %edx
	divl %ecx
	ret

	.globl exc_bad_selector
exc_bad_selector:
	movl $0x1000, %eax		/* beyond the GDT's limit */
	movl %eax, %ds
	ret

	.globl exc_user_ss
exc_user_ss:
	movl $SEL_UDATA, %eax		/* DPL 3 data into SS at CPL 0 */
	movl %eax, %ss
	ret

	.globl exc_noncanonical
exc_noncanonical:
	movabsq $0x8000000000000000, %rax
	movq (%rax), %rax
	ret

/* A push on a non-canonical stack: #SS(0), delivered on an IST stack. */
	.globl exc_stack_fault
exc_stack_fault:
	movabsq $0x8000000000000000, %rsp
	pushq %rax
	ud2

	.globl exc_bad_msr
exc_bad_msr:
	movl $0x4b4c4e00, %ecx		/* no such MSR */
	xorl %eax, %eax
	xorl %edx, %edx
	wrmsr
	ret

/* A read of an address the identity map does not cover (above 4 GiB). */
	.globl exc_unmapped_read
exc_unmapped_read:
	movabsq $0x200000000, %rax
	movq (%rax), %rax
	ret

/* ---- user mode (CPL 3) programs: each ends with int $0x80 ---- */
	.globl user_exit_42
user_exit_42:
	movl $42, %eax
	movq %rsp, %rbx
	int $0x80

	.globl user_int81
user_int81:
	movl $81, %eax
	int $0x81

	.globl user_int41
user_int41:
	int $0x41			/* DPL 0 gate: #GP(0x41 * 8 + 2) */
	int $0x80

	.globl user_cli
user_cli:
	cli				/* IOPL 0: #GP(0) */
	int $0x80

	.globl user_read_cr0
user_read_cr0:
	movq %cr0, %rax			/* #GP(0) at CPL 3 */
	int $0x80

	.globl user_syscall, exc_after_syscall
user_syscall:
	movq $0x1234, %rdi
	pushq $0x8d7
	popfq
	std
	syscall
exc_after_syscall:
	pushfq
	popq %rbx			/* RFLAGS after SYSRET: from R11 */
	cld
	movq %gs:0, %rdx		/* the user GS base is back */
	int $0x80

/* ---- SYSCALL entry: SWAPGS to the per-CPU area, its stack, record ---- */
	.globl exc_syscall_entry
exc_syscall_entry:
	swapgs
	movq %rsp, %gs:8		/* the user's RSP */
	movq %gs:0, %rsp		/* the kernel stack */
	pushq %r11
	pushq %rcx
	pushfq
	popq sys_kflags(%rip)
	movq %rcx, sys_rcx(%rip)
	movq %r11, sys_r11(%rip)
	movq %gs:16, %rcx
	movq %rcx, sys_gsmark(%rip)
	movl %cs, %ecx
	movq %rcx, sys_cs(%rip)
	movl %ss, %ecx
	movq %rcx, sys_ss(%rip)
	leaq 1(%rdi), %rax
	popq %rcx
	popq %r11
	movq %gs:8, %rsp
	swapgs
	sysretq

	.bss
	.balign 8
	.globl sys_kflags, sys_rcx, sys_r11, sys_gsmark, sys_cs, sys_ss
sys_kflags: .quad 0
sys_rcx: .quad 0
sys_r11: .quad 0
sys_gsmark: .quad 0
sys_cs: .quad 0
sys_ss: .quad 0
