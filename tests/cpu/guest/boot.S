/* Entry of every CPU test guest: the PVH note Kiln (and QEMU) look for,
 * the 32-bit protected-mode entry (paging off, per the PVH boot ABI), the
 * switch to long mode on an identity map of the low 4 GiB, the interrupt
 * routines, and ct_try's non-local return.
 */
#include "desc.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18

	.section .note.Xen, "a", @note
	.balign 4
	.long 4				/* namesz: "Xen\0" */
	.long 4				/* descsz */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
	.long pvh_start

/* ---- 32-bit entry ---- */
	.section .text.boot, "ax"
	.code32
	.globl pvh_start
pvh_start:
	cli
	cld
	movl %ebx, pvh_start_info	/* struct hvm_start_info */
	lgdt gdt_desc
	ljmp $SEL_CODE32, $1f
1:	movl $SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movl $boot_stack_top, %esp

	.globl enter_long_mode32
enter_long_mode32:
	/* PAE, the identity map, EFER.LME and NXE, then paging. */
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0
	ljmp $SEL_CODE64, $start64

	.code64
start64:
	movl $SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	/* SSE and x87 as Linux sets them up for user programs. */
	movq %cr0, %rax
	andq $~CR0_EM, %rax
	orq $(CR0_MP | CR0_NE | CR0_WP), %rax
	movq %rax, %cr0
	movq %cr4, %rax
	orq $(CR4_OSFXSR | CR4_OSXMMEXCPT), %rax
	movq %rax, %cr4
	fninit
	ldmxcsr mxcsr_default(%rip)
	movl pvh_start_info(%rip), %edi
	call guest_main
	.globl guest_halt
guest_halt:
	cli
	hlt
	jmp guest_halt

/* ---- exceptions and interrupts: 256 routines of 16 bytes each ---- */
	.text
	.balign 16
	.globl isr_entries
isr_entries:
	.set vec, 0
	.rept 256
	.balign 16
	/* Vectors with an error code: #DF, #TS, #NP, #SS, #GP, #PF, #AC,
	 * #CP, #VC, #SX. The others push a 0 in its place. */
	.if !(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	pushq $0
	.endif
	pushq $vec
	jmp isr_common
	.set vec, vec + 1
	.endr

isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi			/* struct ct_frame * */
	movq %rsp, %rbx
	andq $-16, %rsp
	call ct_exception
	movq %rbx, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp			/* vector, error code */
	iretq

/* int ct_try(void (*fn)(void *), void *arg) */
	.globl ct_try
ct_try:
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	subq $8, %rsp
	movq %rsp, ct_try_rsp(%rip)
	movq %rdi, %rax
	movq %rsi, %rdi
	call *%rax
	movq $0, ct_try_rsp(%rip)
	movl $-1, %eax
ct_try_out:
	addq $8, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret

/* void ct_try_unwind(int vector): from an exception handler, back to
 * ct_try's caller with the vector as its result. */
	.globl ct_try_unwind
ct_try_unwind:
	movq ct_try_rsp(%rip), %rsp
	movl $SEL_DATA, %eax		/* a fault from CPL3 left SS null */
	movl %eax, %ss
	movq $0, ct_try_rsp(%rip)
	movl %edi, %eax
	cld
	jmp ct_try_out

/* ---- data ---- */
	.data
	.balign 16
	.globl gdt
gdt:
	.quad 0				/* null */
	.quad 0x00af9b000000ffff	/* 0x08 code64: P, DPL0, L */
	.quad 0x00cf93000000ffff	/* 0x10 data: flat 4 GiB */
	.quad 0x00cf9b000000ffff	/* 0x18 code32: flat 4 GiB, D */
	.quad 0x00cffb000000ffff	/* 0x20 user code32 (DPL3) */
	.quad 0x00cff3000000ffff	/* 0x28 user data (DPL3) */
	.quad 0x00affb000000ffff	/* 0x30 user code64 (DPL3) */
	.quad 0x00009b000000ffff	/* 0x38 code16: limit 64 KiB, base 0 */
	.quad 0x000093000000ffff	/* 0x40 data16: limit 64 KiB, base 0 */
	.quad 0, 0			/* 0x48 TSS, filled by runtime.c */
	.quad 0				/* 0x58 spare */
gdt_end:
	.globl gdt_desc
gdt_desc:
	.word gdt_end - gdt - 1
	.quad gdt

mxcsr_default:
	.long 0x1f80

	.globl pvh_start_info
pvh_start_info:
	.long 0

/* Identity map of [0, 4 GiB): PML4 -> one PDPT -> four PDs of 2 MiB
 * pages, user-accessible and writable (tests that need other attributes
 * build their own tables). The LAPIC's 2 MiB is uncacheable. */
	.balign 4096
	.globl pml4, pdpt_low, pd_low
pml4:
	.quad pdpt_low + (PTE_P | PTE_W | PTE_U)
	.fill 511, 8, 0
pdpt_low:
	.quad pd_low + 0x0000 + (PTE_P | PTE_W | PTE_U)
	.quad pd_low + 0x1000 + (PTE_P | PTE_W | PTE_U)
	.quad pd_low + 0x2000 + (PTE_P | PTE_W | PTE_U)
	.quad pd_low + 0x3000 + (PTE_P | PTE_W | PTE_U)
	.fill 508, 8, 0
pd_low:
	.set page, 0
	.rept 2048
	.if page >= 0x7f0		/* 0xfe000000 and up: IOAPIC, LAPIC */
	.quad (page << 21) + (PTE_P | PTE_W | PTE_U | PTE_PS | PTE_PCD | PTE_PWT)
	.else
	.quad (page << 21) + (PTE_P | PTE_W | PTE_U | PTE_PS)
	.endif
	.set page, page + 1
	.endr

	.bss
	.balign 16
	.globl ct_try_rsp
ct_try_rsp:
	.quad 0
	.balign 4096
boot_stack:
	.skip STACK_SIZE
	.globl boot_stack_top
boot_stack_top:
