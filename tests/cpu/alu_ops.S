/* One routine per instruction form for the ALU test (see alu.h for the
 * struct alu_io layout): load rax/rbx/rcx/rdx and RFLAGS, run the one
 * instruction, store them back. Each OP line also emits the table row
 * alu.c iterates over: name, routine, flag rule (K_*), operand size in bytes,
 * operand generator (F_*), and the immediate count for shift forms (-1 if
 * the count comes from cl or there is none).
 */
#include "alu.h"

#define M IO_M(%r15)

	.section .data.alu_ops, "aw"
	.balign 8
	.globl alu_ops_start
alu_ops_start:

.macro OP name, kind, size, form, imm, insn:vararg
	.pushsection .text.alu, "ax"
	.balign 16
9:	pushq %rbx
	pushq %r15
	movq %rdi, %r15
	movq IO_A(%r15), %rax
	movq IO_B(%r15), %rbx
	movq IO_C(%r15), %rcx
	movq IO_D(%r15), %rdx
	pushq IO_FL(%r15)
	popfq
	\insn
	pushfq
	popq IO_RFL(%r15)
	movq %rax, IO_RA(%r15)
	movq %rbx, IO_RB(%r15)
	movq %rcx, IO_RC(%r15)
	movq %rdx, IO_RD(%r15)
	popq %r15
	popq %rbx
	ret
	.popsection
	.pushsection .rodata.alu_names, "a"
8:	.asciz "\name"
	.popsection
	.quad 8b, 9b
	.long \kind, \size, \form, \imm
.endm

/* Two-operand arithmetic and logic: every size, memory destination and
 * source, immediates (imm8 sign-extended, imm32, the AL/EAX short forms). */
.macro BIN op, kind
	OP \op\().b, \kind, 1, F_RR, -1, \op %bl, %al
	OP \op\().w, \kind, 2, F_RR, -1, \op %bx, %ax
	OP \op\().l, \kind, 4, F_RR, -1, \op %ebx, %eax
	OP \op\().q, \kind, 8, F_RR, -1, \op %rbx, %rax
	OP \op\().ah, \kind, 1, F_AH, -1, \op %bh, %ah
	OP \op\().b.mr, \kind, 1, F_MR, -1, \op\()b %bl, M
	OP \op\().w.mr, \kind, 2, F_MR, -1, \op\()w %bx, M
	OP \op\().q.mr, \kind, 8, F_MR, -1, \op\()q %rbx, M
	OP \op\().l.rm, \kind, 4, F_RM, -1, \op\()l M, %eax
	OP \op\().q.rm, \kind, 8, F_RM, -1, \op\()q M, %rax
	OP \op\().b.i, \kind, 1, F_A, -1, \op\()b $0x80, %al
	OP \op\().w.i8, \kind, 2, F_A, -1, \op\()w $-3, %ax
	OP \op\().l.i, \kind, 4, F_A, -1, \op\()l $0x7fffffff, %eax
	OP \op\().q.i8, \kind, 8, F_A, -1, \op\()q $-3, %rax
	OP \op\().q.i32, \kind, 8, F_A, -1, \op\()q $-0x80000000, %rax
	OP \op\().l.mi, \kind, 4, F_MR, -1, \op\()l $0x12345678, M
.endm
	BIN add, K_DEFINED
	BIN adc, K_DEFINED
	BIN sub, K_DEFINED
	BIN sbb, K_DEFINED
	BIN cmp, K_DEFINED
	BIN and, K_LOGIC
	BIN or, K_LOGIC
	BIN xor, K_LOGIC
	OP test.b, K_LOGIC, 1, F_RR, -1, test %bl, %al
	OP test.w, K_LOGIC, 2, F_RR, -1, test %bx, %ax
	OP test.l, K_LOGIC, 4, F_RR, -1, test %ebx, %eax
	OP test.q, K_LOGIC, 8, F_RR, -1, test %rbx, %rax
	OP test.ah, K_LOGIC, 1, F_AH, -1, test %bh, %ah
	OP test.q.mr, K_LOGIC, 8, F_MR, -1, testq %rbx, M
	OP test.b.i, K_LOGIC, 1, F_A, -1, testb $0x81, %al
	OP test.l.i, K_LOGIC, 4, F_A, -1, testl $0x80000001, %eax
	OP test.q.i, K_LOGIC, 8, F_A, -1, testq $-2, %rax

/* One-operand: NEG, NOT (no flags), INC and DEC (CF kept). */
.macro UN op, kind
	OP \op\().b, \kind, 1, F_A, -1, \op %al
	OP \op\().w, \kind, 2, F_A, -1, \op %ax
	OP \op\().l, \kind, 4, F_A, -1, \op %eax
	OP \op\().q, \kind, 8, F_A, -1, \op %rax
	OP \op\().ah, \kind, 1, F_AH, -1, \op %ah
	OP \op\().q.m, \kind, 8, F_MR, -1, \op\()q M
	OP \op\().w.m, \kind, 2, F_MR, -1, \op\()w M
.endm
	UN neg, K_DEFINED
	UN not, K_DEFINED
	UN inc, K_DEFINED
	UN dec, K_DEFINED

/* Shifts and rotates: counts 0..63 in cl for every size, the by-1 form
 * (D0/D1), immediate counts (C0/C1) including 0 and above the size. */
.macro SH op, kind
	OP \op\().b, \kind, 1, F_SH, -1, \op %cl, %al
	OP \op\().w, \kind, 2, F_SH, -1, \op %cl, %ax
	OP \op\().l, \kind, 4, F_SH, -1, \op %cl, %eax
	OP \op\().q, \kind, 8, F_SH, -1, \op %cl, %rax
	OP \op\().ah, \kind, 1, F_SHH, -1, \op %cl, %ah
	OP \op\().b.m, \kind, 1, F_SHM, -1, \op\()b %cl, M
	OP \op\().q.m, \kind, 8, F_SHM, -1, \op\()q %cl, M
	OP \op\().b.1, \kind, 1, F_A, 1, \op\()b $1, %al
	OP \op\().w.1, \kind, 2, F_A, 1, \op\()w $1, %ax
	OP \op\().l.1, \kind, 4, F_A, 1, \op\()l $1, %eax
	OP \op\().q.1, \kind, 8, F_A, 1, \op\()q $1, %rax
	OP \op\().b.0, \kind, 1, F_A, 0, \op\()b $0, %al
	OP \op\().b.7, \kind, 1, F_A, 7, \op\()b $7, %al
	OP \op\().b.9, \kind, 1, F_A, 9, \op\()b $9, %al
	OP \op\().w.16, \kind, 2, F_A, 16, \op\()w $16, %ax
	OP \op\().l.31, \kind, 4, F_A, 31, \op\()l $31, %eax
	OP \op\().q.33, \kind, 8, F_A, 33, \op\()q $33, %rax
	OP \op\().q.mi, \kind, 8, F_MR, 63, \op\()q $63, M
.endm
	SH shl, K_SHL
	SH shr, K_SHL
	SH sar, K_SAR
	SH rol, K_ROT
	SH ror, K_ROT
	SH rcl, K_RCX
	SH rcr, K_RCX

/* Double shifts: b is the source shifted in. */
.macro SHD op
	OP \op\().w, K_SHD, 2, F_SH, -1, \op %cl, %bx, %ax
	OP \op\().l, K_SHD, 4, F_SH, -1, \op %cl, %ebx, %eax
	OP \op\().q, K_SHD, 8, F_SH, -1, \op %cl, %rbx, %rax
	OP \op\().q.m, K_SHD, 8, F_SHM, -1, \op\()q %cl, %rbx, M
	OP \op\().w.1, K_SHD, 2, F_RR, 1, \op $1, %bx, %ax
	OP \op\().w.17, K_SHD, 2, F_RR, 17, \op $17, %bx, %ax
	OP \op\().l.13, K_SHD, 4, F_RR, 13, \op $13, %ebx, %eax
	OP \op\().q.0, K_SHD, 8, F_RR, 0, \op $0, %rbx, %rax
	OP \op\().q.40, K_SHD, 8, F_RR, 40, \op $40, %rbx, %rax
.endm
	SHD shld
	SHD shrd

/* Multiplication: one operand (rdx:rax), two and three operands. */
.macro MUL1 op
	OP \op\().b, K_MUL, 1, F_RR, -1, \op %bl
	OP \op\().w, K_MUL, 2, F_RR, -1, \op %bx
	OP \op\().l, K_MUL, 4, F_RR, -1, \op %ebx
	OP \op\().q, K_MUL, 8, F_RR, -1, \op %rbx
	OP \op\().ah, K_MUL, 1, F_AH, -1, \op %bh
	OP \op\().q.m, K_MUL, 8, F_RM, -1, \op\()q M
	OP \op\().w.m, K_MUL, 2, F_RM, -1, \op\()w M
.endm
	MUL1 mul
	MUL1 imul
	OP imul2.w, K_MUL, 2, F_RR, -1, imul %bx, %ax
	OP imul2.l, K_MUL, 4, F_RR, -1, imul %ebx, %eax
	OP imul2.q, K_MUL, 8, F_RR, -1, imul %rbx, %rax
	OP imul2.l.m, K_MUL, 4, F_RM, -1, imul M, %eax
	OP imul3.w.i8, K_MUL, 2, F_RR, -1, imul $-7, %bx, %ax
	OP imul3.w.i16, K_MUL, 2, F_RR, -1, imul $0x1234, %bx, %ax
	OP imul3.l.i32, K_MUL, 4, F_RR, -1, imul $0x12345, %ebx, %eax
	OP imul3.q.i8, K_MUL, 8, F_RR, -1, imul $127, %rbx, %rax
	OP imul3.q.i32, K_MUL, 8, F_RR, -1, imul $-0x80000000, %rbx, %rax
	OP imul3.q.m, K_MUL, 8, F_RM, -1, imulq $3, M, %rax

/* Division: rdx:rax (ax for bytes) by b; #DE for a zero divisor or a
 * quotient that does not fit. */
.macro DIVOP op
	OP \op\().b, K_DIV, 1, F_DIV, -1, \op %bl
	OP \op\().w, K_DIV, 2, F_DIV, -1, \op %bx
	OP \op\().l, K_DIV, 4, F_DIV, -1, \op %ebx
	OP \op\().q, K_DIV, 8, F_DIV, -1, \op %rbx
	OP \op\().ah, K_DIV, 1, F_DIVH, -1, \op %bh
	OP \op\().q.m, K_DIV, 8, F_DIV, -1, \op\()q IO_B(%r15)
.endm
	DIVOP div
	DIVOP idiv

/* Bit tests: register offsets wrap at the operand size; the memory forms
 * take immediate offsets only (a register offset could reach past M). */
.macro BTOP op
	OP \op\().w, K_BT, 2, F_RR, -1, \op %bx, %ax
	OP \op\().l, K_BT, 4, F_RR, -1, \op %ebx, %eax
	OP \op\().q, K_BT, 8, F_RR, -1, \op %rbx, %rax
	OP \op\().l.i, K_BT, 4, F_A, -1, \op\()l $37, %eax
	OP \op\().q.i, K_BT, 8, F_A, -1, \op\()q $63, %rax
	OP \op\().w.mi, K_BT, 2, F_MR, -1, \op\()w $15, M
	OP \op\().q.mi, K_BT, 8, F_MR, -1, \op\()q $62, M
.endm
	BTOP bt
	BTOP bts
	BTOP btr
	BTOP btc

/* BSF/BSR: a is the destination's old value (kept, by every CPU we know,
 * when the source is 0, which the SDM calls undefined). */
.macro BS op
	OP \op\().w, K_BSF, 2, F_RR, -1, \op %bx, %ax
	OP \op\().l, K_BSF, 4, F_RR, -1, \op %ebx, %eax
	OP \op\().q, K_BSF, 8, F_RR, -1, \op %rbx, %rax
	OP \op\().q.m, K_BSF, 8, F_RM, -1, \op\()q M, %rax
.endm
	BS bsf
	BS bsr

	OP bswap.l, K_DEFINED, 4, F_A, -1, bswap %eax
	OP bswap.q, K_DEFINED, 8, F_A, -1, bswap %rax

/* SETcc and CMOVcc under all 64 combinations of the arithmetic flags
 * (a false 32-bit CMOV still zero-extends its destination). */
.macro CC cc
	OP set\cc, K_DEFINED, 1, F_FL, -1, set\cc %al
	OP set\cc\().m, K_DEFINED, 1, F_FL, -1, set\cc M
	OP cmov\cc\().q, K_DEFINED, 8, F_FL, -1, cmov\cc %rbx, %rax
	OP cmov\cc\().l, K_DEFINED, 4, F_FL, -1, cmov\cc %ebx, %eax
	OP cmov\cc\().w.m, K_DEFINED, 2, F_FL, -1, cmov\cc M, %ax
.endm
	.irp cc, o, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g
	CC \cc
	.endr

/* Exchange-and-add, compare-and-exchange. */
	OP xadd.b, K_DEFINED, 1, F_RR, -1, xadd %bl, %al
	OP xadd.w, K_DEFINED, 2, F_RR, -1, xadd %bx, %ax
	OP xadd.l, K_DEFINED, 4, F_RR, -1, xadd %ebx, %eax
	OP xadd.q, K_DEFINED, 8, F_RR, -1, xadd %rbx, %rax
	OP xadd.q.m, K_DEFINED, 8, F_MR, -1, xadd %rbx, M
	OP xadd.l.lock, K_DEFINED, 4, F_MR, -1, lock xadd %ebx, M
	OP cmpxchg.b, K_DEFINED, 1, F_CMPX, -1, cmpxchg %bl, %dl
	OP cmpxchg.w, K_DEFINED, 2, F_CMPX, -1, cmpxchg %bx, %dx
	OP cmpxchg.l, K_DEFINED, 4, F_CMPX, -1, cmpxchg %ebx, %edx
	OP cmpxchg.q, K_DEFINED, 8, F_CMPX, -1, cmpxchg %rbx, %rdx
	OP cmpxchg.q.m, K_DEFINED, 8, F_CMPXM, -1, lock cmpxchg %rbx, M
	OP cmpxchg8b, K_DEFINED, 4, F_CX8, -1, cmpxchg8b M
	OP cmpxchg16b, K_DEFINED, 8, F_CX8, -1, lock cmpxchg16b M

/* Sign and zero extension (no flags). */
	OP cbw, K_DEFINED, 2, F_A, -1, cbtw
	OP cwde, K_DEFINED, 4, F_A, -1, cwtl
	OP cdqe, K_DEFINED, 8, F_A, -1, cltq
	OP cwd, K_DEFINED, 2, F_A, -1, cwtd
	OP cdq, K_DEFINED, 4, F_A, -1, cltd
	OP cqo, K_DEFINED, 8, F_A, -1, cqto
	OP movzbl, K_DEFINED, 4, F_A, -1, movzbl %al, %ebx
	OP movsbq, K_DEFINED, 8, F_A, -1, movsbq %al, %rbx
	OP movswl, K_DEFINED, 4, F_A, -1, movswl %ax, %ebx
	OP movslq, K_DEFINED, 8, F_A, -1, movslq %eax, %rbx
	OP movzwq.m, K_DEFINED, 8, F_RM, -1, movzwq M, %rbx

	.section .data.alu_ops, "aw"
	.globl alu_ops_end
alu_ops_end:
