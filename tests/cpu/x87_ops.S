/* One routine per x87 instruction form for the x87 test: FNINIT, load the
 * control word (rounding and precision control) from struct x87_io, run
 * the body (operands A, B: doubles; I: a 64-bit integer), then record the
 * status word, RFLAGS, and st(0) stored every way: FSTL (double), FISTP
 * m64, FIST m32 and m16 (rounded by RC), FSTPT (the exact 80 bits), and
 * the status word after those stores. Each row: name, routine, generator
 * (P_* in x87.c), and the status-word bits the SDM leaves undefined after
 * the body (C0, C2, C3 after most arithmetic).
 */
#define XO_A 0
#define XO_B 8
#define XO_I 16
#define XO_CW 24
#define XO_R80 32
#define XO_R64 48
#define XO_I64 56
#define XO_I32 64
#define XO_I16 68
#define XO_SW1 70
#define XO_SW2 72
#define XO_RFL 80

#define P_AB 0     /* every pair of edge doubles */
#define P_A 1      /* one double */
#define P_NONE 2   /* no operand (constants) */
#define P_I 3      /* an integer */

#define C023 0x4500  /* C0, C2, C3 */


	.section .data.x87_ops, "aw"
	.balign 8
	.globl x87_ops_start
x87_ops_start:

/* Up to three body instructions, each in quotes (GAS splits macro
 * arguments at blanks); memory operands as OA/OB/OI(%rdi). */
	.set OA, XO_A
	.set OB, XO_B
	.set OI, XO_I
.macro XOP name, gen, undef, i1, i2="", i3=""
	.pushsection .text.x87, "ax"
	.balign 16
9:	fninit
	pushq $0x8d7
	popfq
	fldcw XO_CW(%rdi)
	\i1
	\i2
	\i3
	fnstsw XO_SW1(%rdi)
	pushfq
	popq XO_RFL(%rdi)
	fstl XO_R64(%rdi)
	fld %st(0)
	fistpll XO_I64(%rdi)
	fistl XO_I32(%rdi)
	fists XO_I16(%rdi)
	fstpt XO_R80(%rdi)
	fnstsw XO_SW2(%rdi)
	fninit
	ret
	.popsection
	.pushsection .rodata.x87_names, "a"
8:	.asciz "\name"
	.popsection
	.quad 8b, 9b
	.long \gen, \undef
.endm

/* Loads and stores alone: the stores round by RC and PC does not apply. */
	XOP fldl, P_A, C023, "fldl OA(%rdi)"
	XOP fildll, P_I, C023, "fildll OI(%rdi)"
	XOP fildl, P_I, C023, "fildl OI(%rdi)"
	XOP filds, P_I, C023, "filds OI(%rdi)"
	.irp c, fld1, fldz, fldpi, fldl2e, fldl2t, fldlg2, fldln2
	XOP \c, P_NONE, C023, \c
	.endr

/* Arithmetic, memory and register forms: rounded by RC to PC's precision. */
	.irp op, fadd, fsub, fsubr, fmul, fdiv, fdivr
	XOP \op\().m, P_AB, C023, "fldl OA(%rdi)", "\op\()l OB(%rdi)"
	XOP \op\().st, P_AB, C023, "fldl OA(%rdi)", "fldl OB(%rdi)", "\op %st(1), %st"
	.endr
	XOP faddp, P_AB, C023, "fldl OA(%rdi)", "fldl OB(%rdi)", "faddp"
	XOP fmulp, P_AB, C023, "fldl OA(%rdi)", "fldl OB(%rdi)", "fmulp"
	XOP fiaddl, P_AB, C023, "fldl OA(%rdi)", "fiaddl OI(%rdi)"
	XOP fsqrt, P_A, C023, "fldl OA(%rdi)", "fsqrt"
	XOP frndint, P_A, C023, "fldl OA(%rdi)", "frndint"
	XOP fabs, P_A, C023, "fldl OA(%rdi)", "fabs"
	XOP fchs, P_A, C023, "fldl OA(%rdi)", "fchs"
	XOP fxch, P_AB, C023, "fldl OA(%rdi)", "fldl OB(%rdi)", "fxch"
	XOP fscale, P_AB, C023, "fldl OB(%rdi)", "fldl OA(%rdi)", "fscale"
	/* FPREM: C0, C3, C1 are quotient bits and C2 "incomplete": defined. */
	XOP fprem, P_AB, 0, "fldl OB(%rdi)", "fldl OA(%rdi)", "fprem"

/* Comparisons: FCOMI sets ZF, PF, CF (C0, C2, C3 unaffected); FCOM and
 * FTST set C0, C2, C3; FXAM classifies st(0) into C3..C0. */
	XOP fcomi, P_AB, 0, "fldl OB(%rdi)", "fldl OA(%rdi)", "fcomi %st(1), %st"
	XOP fucomi, P_AB, 0, "fldl OB(%rdi)", "fldl OA(%rdi)", "fucomi %st(1), %st"
	XOP fcoml, P_AB, 0, "fldl OA(%rdi)", "fcoml OB(%rdi)"
	XOP fucom, P_AB, 0, "fldl OB(%rdi)", "fldl OA(%rdi)", "fucom %st(1)"
	XOP ftst, P_A, 0, "fldl OA(%rdi)", "ftst"
	XOP fxam, P_A, 0, "fldl OA(%rdi)", "fxam"

	.section .data.x87_ops, "aw"
	.globl x87_ops_end
x87_ops_end:
