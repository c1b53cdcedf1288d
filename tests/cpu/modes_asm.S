/* Mode switches for the modes test:
 *
 *   modes_compat: 64-bit -> compatibility mode (32-bit CS, still IA-32e)
 *                 -> 64-bit, running 32-bit code in between;
 *   modes_code16: 64-bit -> a 16-bit code segment in compatibility mode
 *                 -> 64-bit;
 *   modes_real:   64-bit -> compatibility mode -> paging off (32-bit
 *                 protected mode) -> 16-bit protected mode -> real mode
 *                 (segment arithmetic, an INT through the real-mode IVT)
 *                 -> 32-bit protected mode -> long mode -> 64-bit.
 *
 * 32-bit code writes results to modes_out[] (in the image, below 4 GiB);
 * 16-bit and real-mode code runs from the trampoline, which modes.c
 * copies to LOW_TRAMPOLINE first, and writes to RM_OUT.
 */
#include "desc.h"

#define RM_OUT 0x5000
#define TR(label) (LOW_TRAMPOLINE + ((label) - tramp_start))

	.text
	.code64

.macro SAVE
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, saved_rsp(%rip)
.endm

.macro RESTORE
	movl $SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movq saved_rsp(%rip), %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret
.endm

/* ---- 64 -> compatibility mode -> 64 ---- */
	.globl modes_compat
modes_compat:
	SAVE
	pushq $SEL_CODE32
	leaq compat32(%rip), %rax
	pushq %rax
	lretq
	.code32
compat32:
	movl $-1, %eax
	.byte 0x48			/* DEC EAX here; a REX.W prefix in 64-bit mode */
	movl %eax, modes_out + 0
	pushl $0x12345678		/* 32-bit stack operations */
	popl %ecx
	movl %ecx, modes_out + 4
	movl $MSR_EFER, %ecx
	rdmsr
	movl %eax, modes_out + 8	/* LMA is still set */
	movw %cs, modes_out + 12
	ljmp $SEL_CODE64, $back64
	.code64
back64:
	RESTORE

/* ---- 64 -> 16-bit code segment (compatibility mode) -> 64 ---- */
	.globl modes_code16
modes_code16:
	SAVE
	pushq $SEL_CODE16
	pushq $TR(code16)
	lretq
back64_from16:
	RESTORE

/* ---- 64 -> ... -> real mode -> ... -> 64 ---- */
	.globl modes_real
modes_real:
	SAVE
	pushq $SEL_CODE32
	leaq pm32_down(%rip), %rax
	pushq %rax
	lretq
	.code32
pm32_down:
	movl %cr0, %eax			/* compatibility mode: paging off */
	andl $~CR0_PG, %eax
	movl %eax, %cr0
	movl $MSR_EFER, %ecx		/* LMA is now clear; drop LME */
	rdmsr
	andl $~EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	movl %eax, modes_out + 16	/* CR0 in 32-bit protected mode */
	ljmp $SEL_CODE16, $TR(pm16)

/* Back from real mode, in 32-bit protected mode: long mode again. */
pm32_up:
	movl $SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %cr0, %eax
	movl %eax, modes_out + 20	/* CR0 back in protected mode */
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0
	ljmp $SEL_CODE64, $back64_real
	.code64
back64_real:
	RESTORE

/* ---- the trampoline: copied to LOW_TRAMPOLINE, runs at offsets from it ---- */
	.code16
	.globl tramp_start, tramp_end
tramp_start:

/* 16-bit code segment in compatibility mode (base 0, IP = the address). */
code16:
	movw $0x1234, %ax		/* 16-bit operand size by default */
	movl $0x89abcdef, %ebx		/* 0x66: 32-bit */
	movw %ax, RM_OUT + 0x40
	movl %ebx, RM_OUT + 0x44
	addw $0xffff, %ax		/* 0x1233, CF */
	pushfw				/* a 16-bit push (on the 32-bit stack) */
	popw %cx
	movw %cx, RM_OUT + 0x48
	movw %ax, RM_OUT + 0x4a
	ljmpl $SEL_CODE64, $back64_from16

/* 16-bit protected mode, on the way down to real mode. */
pm16:
	movw $SEL_DATA16, %ax		/* 64 KiB segments: real-mode-like caches */
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movl %cr0, %eax
	andl $~CR0_PE, %eax
	movl %eax, %cr0
	ljmp $(LOW_TRAMPOLINE >> 4), $(real - tramp_start)

real:
	xorw %ax, %ax
	movw %ax, %ss
	movw $LOW_STACK_TOP, %sp
	movw %ax, %ds
	lidt TR(rm_idtr)
	movw $(rm_int40 - tramp_start), 0x40 * 4	/* IVT[0x40] = CS:IP */
	movw $(LOW_TRAMPOLINE >> 4), 0x40 * 4 + 2
	movw $(RM_OUT >> 4), %ax			/* segment arithmetic */
	movw %ax, %es
	movw $0x1234, %es:0x10				/* -> RM_OUT + 0x10 */
	int $0x40
	movw %cs, RM_OUT + 0x22
	movw %sp, RM_OUT + 0x24
	movw $0x7fff, %ax
	incw %ax					/* OF, SF, AF, PF */
	pushfw
	popw %bx
	movw %bx, RM_OUT + 0x26
	movw %ax, RM_OUT + 0x28
	movl $0x12345678, %eax				/* 0x66 in real mode */
	shll $4, %eax
	movl %eax, RM_OUT + 0x2c
	movl %cr0, %eax
	movl %eax, RM_OUT + 0x30			/* CR0 in real mode */
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $SEL_CODE32, $pm32_up

rm_int40:
	movw $0xbeef, RM_OUT + 0x20
	movw %sp, RM_OUT + 0x1e				/* SP inside: 6 bytes pushed */
	iret

	.balign 8
rm_idtr:
	.word 0x3ff
	.long 0
tramp_end:

	.code64
	.bss
	.balign 8
saved_rsp:
	.quad 0
	.globl modes_out
modes_out:
	.skip 64
