/* One routine per SSE/SSE2 instruction form for the SSE test: load xmm0 and
 * xmm1 (16 bytes each), rax and MXCSR from struct sse_io, run the
 * instruction, store xmm0, xmm1, rax, MXCSR and RFLAGS back, and put the
 * default MXCSR back. Memory operands are M (16-byte aligned, a copy of
 * the second input) and MU (the same bytes one byte off alignment).
 * Each row: name, routine, operand generator (X_*).
 */
#define XIO_A 0
#define XIO_B 16
#define XIO_M 32
#define XIO_MU 49
#define XIO_G 72
#define XIO_CSR 80
#define XIO_RA 96
#define XIO_RB 112
#define XIO_RM 128
#define XIO_RG 144
#define XIO_RCSR 152
#define XIO_RFL 160

/* Operand generators (sse.c): */
#define X_INT 0   /* integer vectors: every pair of 16 edge vectors */
#define X_FP 1    /* doubles: every pair of 16 edge values, 4 rounding modes */
#define X_CVT 2   /* an integer in rax, 4 rounding modes */
#define X_FPS 3   /* singles: as X_FP, with floats */

#define M XIO_M(%rdi)
#define MU XIO_MU(%rdi)

	.section .data.sse_ops, "aw"
	.balign 8
	.globl sse_ops_start
sse_ops_start:

.macro SOP name, gen, insn:vararg
	.pushsection .text.sse, "ax"
	.balign 16
9:	movdqu XIO_A(%rdi), %xmm0
	movdqu XIO_B(%rdi), %xmm1
	movq XIO_G(%rdi), %rax
	ldmxcsr XIO_CSR(%rdi)
	pushq $0x8d7			/* every arithmetic flag set */
	popfq
	\insn
	stmxcsr XIO_RCSR(%rdi)
	pushfq
	popq XIO_RFL(%rdi)
	movdqu %xmm0, XIO_RA(%rdi)
	movdqu %xmm1, XIO_RB(%rdi)
	movq %rax, XIO_RG(%rdi)
	ldmxcsr mxcsr_default(%rip)
	ret
	.popsection
	.pushsection .rodata.sse_names, "a"
8:	.asciz "\name"
	.popsection
	.quad 8b, 9b
	.long \gen, 0
.endm

/* ---- integer (what glibc's string and memory routines use) ---- */
	SOP movdqu.load, X_INT, movdqu MU, %xmm0
	SOP movdqu.store, X_INT, movdqu %xmm0, MU
	SOP movdqa.load, X_INT, movdqa M, %xmm0
	SOP movdqa.store, X_INT, movdqa %xmm0, M
	SOP movups.load, X_INT, movups MU, %xmm0
	SOP movaps.rr, X_INT, movaps %xmm1, %xmm0
	SOP movd.load, X_INT, movd %eax, %xmm0
	SOP movq.load, X_INT, movq %rax, %xmm0
	SOP movd.store, X_INT, movd %xmm1, %eax
	SOP movq.store, X_INT, movq %xmm1, %rax
	SOP movq.xmm, X_INT, movq %xmm1, %xmm0
	SOP movq.mem, X_INT, movq %xmm0, M
	.irp op, pxor, por, pand, pandn, pcmpeqb, pcmpeqw, pcmpeqd, pcmpgtb, pcmpgtw, pcmpgtd, pminub, pmaxub, pminsw, pmaxsw, paddb, paddw, paddd, paddq, psubb, psubw, psubd, psubq, paddusb, paddsw, psubusb, psubsw, pavgb, pmullw, pmulhw, pmulhuw, pmuludq, pmaddwd, psadbw, packuswb, packsswb, packssdw, punpcklbw, punpckhbw, punpcklwd, punpckhwd, punpckldq, punpckhdq, punpcklqdq, punpckhqdq, psllw, pslld, psllq, psrlw, psrld, psrlq, psraw, psrad, andpd, andnpd, orpd, xorpd, unpcklpd, unpckhpd
	SOP \op, X_INT, \op %xmm1, %xmm0
	.endr
	SOP pcmpeqb.m, X_INT, pcmpeqb M, %xmm0
	SOP pminub.m, X_INT, pminub M, %xmm0
	SOP pmovmskb, X_INT, pmovmskb %xmm0, %eax
	SOP pmovmskb.r64, X_INT, pmovmskb %xmm1, %rax
	SOP movmskpd, X_INT, movmskpd %xmm0, %eax
	.irp imm, 0x00, 0x1b, 0x4e, 0xe4, 0xb1
	SOP pshufd.\imm, X_INT, pshufd $\imm, %xmm1, %xmm0
	SOP pshuflw.\imm, X_INT, pshuflw $\imm, %xmm1, %xmm0
	SOP pshufhw.\imm, X_INT, pshufhw $\imm, %xmm1, %xmm0
	.endr
	SOP shufpd.1, X_INT, shufpd $1, %xmm1, %xmm0
	.irp n, 0, 1, 3, 7, 8, 15, 16, 200
	SOP psrldq.\n, X_INT, psrldq $\n, %xmm0
	SOP pslldq.\n, X_INT, pslldq $\n, %xmm0
	.endr
	.irp n, 0, 1, 7, 15, 16, 31, 32, 63, 64, 255
	SOP psrlw.\n, X_INT, psrlw $\n, %xmm0
	SOP psraw.\n, X_INT, psraw $\n, %xmm0
	SOP pslld.\n, X_INT, pslld $\n, %xmm0
	SOP psrad.\n, X_INT, psrad $\n, %xmm0
	SOP psrlq.\n, X_INT, psrlq $\n, %xmm0
	SOP psllq.\n, X_INT, psllq $\n, %xmm0
	.endr
	SOP pextrw.3, X_INT, pextrw $3, %xmm1, %eax
	SOP pinsrw.5, X_INT, pinsrw $5, %eax, %xmm0
	SOP pinsrw.m, X_INT, pinsrw $9, M, %xmm0
	SOP maskmovdqu, X_INT, maskmovdqu %xmm1, %xmm0 /* writes to [rdi]: the first input */

/* ---- scalar and packed double ---- */
	.irp op, addsd, subsd, mulsd, divsd, minsd, maxsd, sqrtsd, addpd, subpd, mulpd, divpd, sqrtpd, minpd, maxpd, cvtsd2ss, cvtpd2ps, cvtpd2dq, cvttpd2dq
	SOP \op, X_FP, \op %xmm1, %xmm0
	.endr
	SOP addsd.m, X_FP, addsd M, %xmm0
	SOP divsd.m, X_FP, divsd M, %xmm0
	SOP sqrtsd.m, X_FP, sqrtsd M, %xmm0
	SOP movsd.load, X_FP, movsd M, %xmm0
	SOP movsd.rr, X_FP, movsd %xmm1, %xmm0
	SOP movsd.store, X_FP, movsd %xmm0, M
	SOP comisd, X_FP, comisd %xmm1, %xmm0
	SOP ucomisd, X_FP, ucomisd %xmm1, %xmm0
	SOP comisd.m, X_FP, comisd M, %xmm0
	SOP cmpsd.lt, X_FP, cmpltsd %xmm1, %xmm0
	SOP cmpsd.unord, X_FP, cmpunordsd %xmm1, %xmm0
	SOP cmppd.le, X_FP, cmplepd %xmm1, %xmm0
	SOP cvttsd2si.l, X_FP, cvttsd2si %xmm1, %eax
	SOP cvttsd2si.q, X_FP, cvttsd2si %xmm1, %rax
	SOP cvtsd2si.l, X_FP, cvtsd2si %xmm1, %eax
	SOP cvtsd2si.q, X_FP, cvtsd2si %xmm1, %rax
	SOP cvtsi2sd.l, X_CVT, cvtsi2sd %eax, %xmm0
	SOP cvtsi2sd.q, X_CVT, cvtsi2sd %rax, %xmm0
	SOP cvtsi2sd.m, X_CVT, cvtsi2sdq XIO_G(%rdi), %xmm0
	SOP cvtsi2ss.q, X_CVT, cvtsi2ss %rax, %xmm0
	SOP cvtdq2pd, X_INT, cvtdq2pd %xmm1, %xmm0

/* ---- scalar single (fewer: glibc's float paths) ---- */
	.irp op, addss, subss, mulss, divss, sqrtss, minss, maxss, cvtss2sd
	SOP \op, X_FPS, \op %xmm1, %xmm0
	.endr
	SOP comiss, X_FPS, comiss %xmm1, %xmm0
	SOP ucomiss, X_FPS, ucomiss %xmm1, %xmm0
	SOP cvttss2si.q, X_FPS, cvttss2si %xmm1, %rax

	.section .data.sse_ops, "aw"
	.globl sse_ops_end
sse_ops_end:

	.section .rodata
mxcsr_default:
	.long 0x1f80
