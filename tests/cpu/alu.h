/* The ALU test's operation table, shared by alu_ops.S (which emits one
 * routine and one table row per instruction form) and alu.c (which feeds the
 * routines operands and hashes what they leave).
 */
#ifndef KILN_TESTS_CPU_ALU_H
#define KILN_TESTS_CPU_ALU_H

/* struct alu_io offsets: the routine loads rax, rbx, rcx, rdx and RFLAGS
 * from the first five, runs one instruction (memory operand: M, 16-byte
 * aligned for CMPXCHG16B), and stores the four registers and RFLAGS. */
#define IO_A 0
#define IO_B 8
#define IO_C 16
#define IO_D 24
#define IO_FL 32
#define IO_M 48
#define IO_RA 64
#define IO_RB 72
#define IO_RC 80
#define IO_RD 88
#define IO_RFL 96
#define IO_SIZE 112

/* Which flags (and results) the SDM leaves undefined: alu.c's
 * undefined_part() is the table with the citations. */
#define K_DEFINED 0  /* every flag and result defined (ADD, NEG, XADD, SETcc ...) */
#define K_LOGIC 1    /* AND, OR, XOR, TEST */
#define K_SHL 2      /* SHL/SAL, SHR */
#define K_SAR 3
#define K_ROT 4      /* ROL, ROR */
#define K_RCX 5      /* RCL, RCR */
#define K_SHD 6      /* SHLD, SHRD */
#define K_MUL 7      /* MUL, IMUL (all forms) */
#define K_DIV 8      /* DIV, IDIV */
#define K_BT 9       /* BT, BTS, BTR, BTC */
#define K_BSF 10     /* BSF, BSR */

/* How operands are generated. */
#define F_RR 0    /* a, b: every pair of edge values */
#define F_MR 1    /* as F_RR, memory destination: M starts as a */
#define F_RM 2    /* as F_RR, memory source: M starts as b */
#define F_A 3     /* a only (unary, immediate forms) */
#define F_SH 4    /* a (and b) with every count 0..63 in cl */
#define F_FL 5    /* a few pairs under all 64 arithmetic flag combinations */
#define F_DIV 6   /* rdx:rax / b, several rdx per pair */
#define F_CMPX 7  /* CMPXCHG: rdx (register destination) or M equal to a, or not */
#define F_CX8 8   /* CMPXCHG8B/16B: M equal to rdx:rax, or not */
#define F_SHM 9   /* as F_SH, memory destination: M starts as a */
#define F_AH 10   /* as F_RR, operands in bits 8..15 (AH, BH) */
#define F_SHH 11  /* as F_SH, the operand in AH */
#define F_DIVH 12 /* as F_DIV, the divisor in BH */
#define F_CMPXM 13 /* as F_CMPX, memory destination */

#endif
