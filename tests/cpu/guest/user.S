/* Running code at CPL3 from a test guest.
 *
 * uint64_t ct_user_run(void (*fn)(void), uint64_t user_rsp): IRETQ to fn
 * in 64-bit user mode (CS 0x33, SS 0x2b, IF clear) on user_rsp. The user
 * code comes back with `int $0x80` (a DPL 3 gate): runtime.c copies the
 * frame to ct_user_frame and calls ct_user_return(rax), which resumes
 * here and returns that rax. A fault in user code inside ct_try unwinds
 * ct_try as any other.
 */
#include "desc.h"

	.text
	.globl ct_user_run
ct_user_run:
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, user_kernel_rsp(%rip)
	pushq $(SEL_UDATA | 3)		/* SS */
	pushq %rsi			/* RSP */
	pushq $0x2			/* RFLAGS: IF clear */
	pushq $(SEL_UCODE64 | 3)	/* CS */
	pushq %rdi			/* RIP */
	iretq

/* void ct_user_return(uint64_t rax): back to ct_user_run's caller. */
	.globl ct_user_return
ct_user_return:
	movq user_kernel_rsp(%rip), %rsp
	movl $SEL_DATA, %eax
	movl %eax, %ss
	movl %eax, %ds
	movl %eax, %es
	movq %rdi, %rax
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret

	.bss
	.balign 8
user_kernel_rsp:
	.quad 0
