/* x86 instruction decoder: bytes in, one decoded instruction out.
 *
 * A pure function over a byte buffer: it never reads past `len`, keeps no
 * state, and knows nothing of the CPU beyond the default code size (16,
 * 32 or 64 bits). It settles the length exactly (prefixes, REX, opcode
 * maps one-byte / 0F / 0F38 / 0F3A, ModRM, SIB, displacement, immediates)
 * and the encodings every x86 CPU refuses (#UD) or that exceed 15 bytes
 * (#GP); which opcodes the executor implements is the executor's business.
 * The result is compact so that a decoded-instruction cache can keep it.
 */
#ifndef KILN_ACCEL_SOFT_DECODE_H
#define KILN_ACCEL_SOFT_DECODE_H

#include <stddef.h>
#include <stdint.h>

#define X86_MAX_INSN_LEN 15

enum x86_map { X86_MAP_ONE, X86_MAP_0F, X86_MAP_0F38, X86_MAP_0F3A };

/* Segment registers in their encoding order. */
enum x86_sreg { X86_ES, X86_CS, X86_SS, X86_DS, X86_FS, X86_GS, X86_SEG_NONE = 7 };

/* Memory-operand base/index values beyond the 16 GPRs. */
#define X86_REG_NONE 0xff
#define X86_REG_RIP 0xfe

/* insn->flags */
#define X86_I_MODRM   0x0001 /* has a ModRM byte */
#define X86_I_MEM     0x0002 /* ModRM names memory (mod != 3) */
#define X86_I_REX     0x0004 /* a REX prefix is in effect (byte regs 4-7 = SPL..DIL) */
#define X86_I_LOCK    0x0008
#define X86_I_66      0x0010 /* operand-size prefix seen */
#define X86_I_67      0x0020 /* address-size prefix seen */
#define X86_I_SEGOVR  0x0040 /* a segment override prefix chose `seg` */
#define X86_I_REXW    0x0080

/* insn->rep */
#define X86_REP_NONE 0
#define X86_REP_F3   1 /* REP / REPE */
#define X86_REP_F2   2 /* REPNE */

/* insn->pfx: the SSE "mandatory prefix" that selects the operation. */
#define X86_PFX_NONE 0
#define X86_PFX_66   1
#define X86_PFX_F3   2
#define X86_PFX_F2   3

struct x86_insn {
	uint8_t len;     /* total bytes, 1..15 */
	uint8_t map;     /* enum x86_map */
	uint8_t op;      /* opcode byte within its map */
	uint8_t modrm;   /* raw ModRM (when X86_I_MODRM) */
	uint16_t flags;  /* X86_I_* */
	uint8_t opsize;  /* effective operand size in bytes: 1, 2, 4 or 8 */
	uint8_t adsize;  /* effective address size: 2, 4 or 8 */
	uint8_t seg;     /* segment of the memory operand (override or default) */
	uint8_t rep;     /* X86_REP_* (the last of F2/F3) */
	uint8_t pfx;     /* X86_PFX_* */
	uint8_t reg;     /* ModRM.reg with REX.R; opcode low bits with REX.B for +r forms */
	uint8_t rm;      /* ModRM.rm with REX.B (register form) */
	uint8_t base;    /* memory operand: GPR, X86_REG_NONE or X86_REG_RIP */
	uint8_t index;   /* GPR or X86_REG_NONE */
	uint8_t scale;   /* shift count 0..3 */
	int32_t disp;
	uint64_t imm;    /* first immediate, zero-extended from its encoding */
	uint16_t imm2;   /* ENTER's level byte, a far pointer's selector */
	uint8_t imm_len; /* bytes of `imm` in the encoding (sign extension is the executor's) */
	uint8_t code_size; /* 16, 32 or 64: the mode it was decoded for */
};

enum x86_decode_result {
	X86_DECODE_OK = 0,
	X86_DECODE_TRUNCATED, /* needs more bytes than `len` (fetch more, or #PF) */
	X86_DECODE_TOO_LONG,  /* more than 15 bytes: #GP(0) */
	X86_DECODE_INVALID,   /* an encoding no CPU accepts in this mode: #UD */
};

/* Decode one instruction from buf[0..len) for code of `code_size` bits
 * (16: real mode and 16-bit segments, 32, or 64: long mode). On
 * X86_DECODE_INVALID, insn->len may hold a partial length. */
enum x86_decode_result x86_decode(const uint8_t *buf, size_t len,
				  unsigned code_size, struct x86_insn *insn);

/* ModRM fields. */
static inline unsigned x86_modrm_mod(const struct x86_insn *i) { return i->modrm >> 6; }
static inline unsigned x86_modrm_regop(const struct x86_insn *i) { return (i->modrm >> 3) & 7; }

#endif
