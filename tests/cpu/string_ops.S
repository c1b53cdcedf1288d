/* One routine per string instruction form for the string test: load rsi,
 * rdi, rcx, rax and RFLAGS (DF included) from struct str_io, run the
 * instruction, store them back, clear DF. Each STR line also emits a row
 * of the table string.c iterates over: name, routine, element size, flags
 * (S_A32: addresses and count are 32-bit, S_CMP: a compare).
 */
#define SIO_SI 0
#define SIO_DI 8
#define SIO_C 16
#define SIO_A 24
#define SIO_FL 32
#define SIO_RSI 40
#define SIO_RDI 48
#define SIO_RC 56
#define SIO_RA 64
#define SIO_RFL 72

#define S_A32 1

	.section .data.str_ops, "aw"
	.balign 8
	.globl str_ops_start
str_ops_start:

.macro STR name, size, flags, insn:vararg
	.pushsection .text.str, "ax"
	.balign 16
9:	pushq %r15
	movq %rdi, %r15
	movq SIO_SI(%r15), %rsi
	movq SIO_DI(%r15), %rdi
	movq SIO_C(%r15), %rcx
	movq SIO_A(%r15), %rax
	pushq SIO_FL(%r15)
	popfq
	\insn
	pushfq
	popq SIO_RFL(%r15)
	cld
	movq %rsi, SIO_RSI(%r15)
	movq %rdi, SIO_RDI(%r15)
	movq %rcx, SIO_RC(%r15)
	movq %rax, SIO_RA(%r15)
	popq %r15
	ret
	.popsection
	.pushsection .rodata.str_names, "a"
8:	.asciz "\name"
	.popsection
	.quad 8b, 9b
	.long \size, \flags
.endm

.macro SIZES op, prefix=
	STR \prefix\op\()b, 1, 0, \prefix \op\()b
	STR \prefix\op\()w, 2, 0, \prefix \op\()w
	STR \prefix\op\()l, 4, 0, \prefix \op\()l
	STR \prefix\op\()q, 8, 0, \prefix \op\()q
.endm
	SIZES movs
	SIZES movs, rep
	SIZES stos
	SIZES stos, rep
	SIZES lods
	SIZES lods, rep
	SIZES cmps
	SIZES cmps, repe
	SIZES cmps, repne
	SIZES scas
	SIZES scas, repe
	SIZES scas, repne

/* 32-bit addressing (0x67): ESI, EDI and ECX, the upper halves ignored
 * on input and cleared on output. */
	STR a32.rep.movsb, 1, S_A32, .byte 0x67, 0xf3, 0xa4
	STR a32.rep.stosl, 4, S_A32, .byte 0x67, 0xf3, 0xab
	STR a32.repe.cmpsw, 2, S_A32, .byte 0x67, 0x66, 0xf3, 0xa7
	STR a32.repne.scasb, 1, S_A32, .byte 0x67, 0xf2, 0xae
/* Redundant and odd prefixes: REP on an instruction without repeat
 * semantics is ignored; a REX.W movsb is still a byte move. */
	STR rex.w.movsb, 1, 0, .byte 0x48, 0xa4
	STR rep.rex.w.stosb, 1, 0, .byte 0xf3, 0x48, 0xaa
	STR rep.66.movsq, 8, 0, .byte 0x66, 0xf3, 0x48, 0xa5

	.section .data.str_ops, "aw"
	.globl str_ops_end
str_ops_end:
