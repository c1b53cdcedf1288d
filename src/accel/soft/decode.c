/* x86 decoder: see decode.h. Opcode properties come from two 256-entry
 * tables (one-byte map and 0F map); the 0F38 map always has a ModRM byte
 * and the 0F3A map a ModRM byte and an 8-bit immediate.
 */
#include "accel/soft/decode.h"

#include <string.h>

/* Opcode attributes. */
#define M     0x0001 /* ModRM follows */
#define IB    0x0002 /* imm8 */
#define IW    0x0004 /* imm16 */
#define IZ    0x0008 /* imm16 or imm32 by operand size (imm32 for 64-bit) */
#define IV    0x0010 /* imm16/32/64 by operand size (MOV r, imm) */
#define AO    0x0020 /* memory offset of the address size (MOV AL, moffs) */
#define IWB   0x0040 /* imm16 then imm8 (ENTER) */
#define AP    0x0080 /* far pointer: offset of the operand size, then selector */
#define BYTE  0x0100 /* operand size is 8 bits */
#define D64   0x0200 /* long mode: operand size 64 unless 66 prefix */
#define F64   0x0400 /* long mode: operand size always 64 */
#define I64   0x0800 /* invalid in long mode */
#define LK    0x1000 /* LOCK allowed (with a memory operand) */
#define INV   0x2000 /* invalid everywhere */
#define PFX   0x4000 /* a prefix byte (handled before the table) */
#define ESC   0x8000 /* 0F escape */

typedef uint16_t attr_t;

#define ALU_ROW(x) \
	[x + 0] = M | BYTE | LK, [x + 1] = M | LK, [x + 2] = M | BYTE, \
	[x + 3] = M, [x + 4] = IB | BYTE, [x + 5] = IZ
#define R8(x, a) \
	[x + 0] = a, [x + 1] = a, [x + 2] = a, [x + 3] = a, \
	[x + 4] = a, [x + 5] = a, [x + 6] = a, [x + 7] = a
#define R16(x, a) R8(x, a), R8(x + 8, a)

static const attr_t one_byte[256] = {
	ALU_ROW(0x00), [0x06] = I64, [0x07] = I64, ALU_ROW(0x08), [0x0e] = I64,
	[0x0f] = ESC,
	ALU_ROW(0x10), [0x16] = I64, [0x17] = I64,
	ALU_ROW(0x18), [0x1e] = I64, [0x1f] = I64,
	ALU_ROW(0x20), [0x26] = PFX, [0x27] = I64,
	ALU_ROW(0x28), [0x2e] = PFX, [0x2f] = I64,
	ALU_ROW(0x30), [0x36] = PFX, [0x37] = I64,
	[0x38] = M | BYTE, [0x39] = M, [0x3a] = M | BYTE, [0x3b] = M,
	[0x3c] = IB | BYTE, [0x3d] = IZ, [0x3e] = PFX, [0x3f] = I64,
	R16(0x40, 0), R16(0x50, D64),
	[0x60] = I64, [0x61] = I64, [0x62] = M | I64, [0x63] = M,
	[0x64] = PFX, [0x65] = PFX, [0x66] = PFX, [0x67] = PFX,
	[0x68] = IZ | D64, [0x69] = M | IZ, [0x6a] = IB | D64, [0x6b] = M | IB,
	[0x6c] = BYTE, [0x6d] = 0, [0x6e] = BYTE, [0x6f] = 0,
	R16(0x70, IB | F64),
	[0x80] = M | IB | BYTE | LK, [0x81] = M | IZ | LK,
	[0x82] = M | IB | BYTE | I64 | LK, [0x83] = M | IB | LK,
	[0x84] = M | BYTE, [0x85] = M, [0x86] = M | BYTE | LK, [0x87] = M | LK,
	[0x88] = M | BYTE, [0x89] = M, [0x8a] = M | BYTE, [0x8b] = M,
	[0x8c] = M, [0x8d] = M, [0x8e] = M, [0x8f] = M | D64,
	R8(0x90, 0), [0x98] = 0, [0x99] = 0, [0x9a] = AP | I64, [0x9b] = 0,
	[0x9c] = D64, [0x9d] = D64, [0x9e] = 0, [0x9f] = 0,
	[0xa0] = AO | BYTE, [0xa1] = AO, [0xa2] = AO | BYTE, [0xa3] = AO,
	[0xa4] = BYTE, [0xa5] = 0, [0xa6] = BYTE, [0xa7] = 0,
	[0xa8] = IB | BYTE, [0xa9] = IZ, [0xaa] = BYTE, [0xab] = 0,
	[0xac] = BYTE, [0xad] = 0, [0xae] = BYTE, [0xaf] = 0,
	R8(0xb0, IB | BYTE), R8(0xb8, IV),
	[0xc0] = M | IB | BYTE, [0xc1] = M | IB, [0xc2] = IW | F64, [0xc3] = F64,
	[0xc4] = M | I64, [0xc5] = M | I64, [0xc6] = M | IB | BYTE, [0xc7] = M | IZ,
	[0xc8] = IWB | D64, [0xc9] = D64, [0xca] = IW, [0xcb] = 0,
	[0xcc] = 0, [0xcd] = IB, [0xce] = I64, [0xcf] = 0,
	[0xd0] = M | BYTE, [0xd1] = M, [0xd2] = M | BYTE, [0xd3] = M,
	[0xd4] = IB | I64, [0xd5] = IB | I64, [0xd6] = I64, [0xd7] = BYTE,
	R8(0xd8, M),
	[0xe0] = IB | F64, [0xe1] = IB | F64, [0xe2] = IB | F64, [0xe3] = IB | F64,
	[0xe4] = IB | BYTE, [0xe5] = IB, [0xe6] = IB | BYTE, [0xe7] = IB,
	[0xe8] = IZ | F64, [0xe9] = IZ | F64, [0xea] = AP | I64, [0xeb] = IB | F64,
	[0xec] = BYTE, [0xed] = 0, [0xee] = BYTE, [0xef] = 0,
	[0xf0] = PFX, [0xf1] = 0, [0xf2] = PFX, [0xf3] = PFX,
	[0xf4] = 0, [0xf5] = 0, [0xf6] = M | BYTE | LK, [0xf7] = M | LK,
	[0xf8] = 0, [0xf9] = 0, [0xfa] = 0, [0xfb] = 0, [0xfc] = 0, [0xfd] = 0,
	[0xfe] = M | BYTE | LK, [0xff] = M | LK,
};

static const attr_t two_byte[256] = {
	[0x00] = M, [0x01] = M, [0x02] = M, [0x03] = M, [0x04] = INV,
	[0x05] = 0, [0x06] = 0, [0x07] = 0, [0x08] = 0, [0x09] = 0,
	[0x0a] = INV, [0x0b] = 0, [0x0c] = INV, [0x0d] = M, [0x0e] = INV,
	[0x0f] = INV,
	R16(0x10, M),
	[0x20] = M, [0x21] = M, [0x22] = M, [0x23] = M,
	[0x24] = INV, [0x25] = INV, [0x26] = INV, [0x27] = INV,
	R8(0x28, M),
	[0x30] = 0, [0x31] = 0, [0x32] = 0, [0x33] = 0, [0x34] = 0, [0x35] = 0,
	[0x36] = INV, [0x37] = 0, [0x38] = ESC, [0x39] = INV, [0x3a] = ESC,
	[0x3b] = INV, [0x3c] = INV, [0x3d] = INV, [0x3e] = INV, [0x3f] = INV,
	R16(0x40, M), R16(0x50, M), R16(0x60, M),
	[0x70] = M | IB, [0x71] = M | IB, [0x72] = M | IB, [0x73] = M | IB,
	[0x74] = M, [0x75] = M, [0x76] = M, [0x77] = 0,
	[0x78] = M, [0x79] = M, [0x7a] = INV, [0x7b] = INV,
	[0x7c] = M, [0x7d] = M, [0x7e] = M, [0x7f] = M,
	R16(0x80, IZ | F64),
	R16(0x90, M | BYTE),
	[0xa0] = D64, [0xa1] = D64, [0xa2] = 0, [0xa3] = M, [0xa4] = M | IB,
	[0xa5] = M, [0xa6] = INV, [0xa7] = INV, [0xa8] = D64, [0xa9] = D64,
	[0xaa] = 0, [0xab] = M | LK, [0xac] = M | IB, [0xad] = M, [0xae] = M,
	[0xaf] = M,
	[0xb0] = M | BYTE | LK, [0xb1] = M | LK, [0xb2] = M, [0xb3] = M | LK,
	[0xb4] = M, [0xb5] = M, [0xb6] = M, [0xb7] = M, [0xb8] = M, [0xb9] = M,
	[0xba] = M | IB | LK, [0xbb] = M | LK, [0xbc] = M, [0xbd] = M,
	[0xbe] = M, [0xbf] = M,
	[0xc0] = M | BYTE | LK, [0xc1] = M | LK, [0xc2] = M | IB, [0xc3] = M,
	[0xc4] = M | IB, [0xc5] = M | IB, [0xc6] = M | IB, [0xc7] = M | LK,
	R8(0xc8, 0),
	R16(0xd0, M), R16(0xe0, M), R16(0xf0, M),
};

/* Whether LOCK is allowed for this opcode and ModRM.reg (beyond LK). */
static int lock_ok(unsigned map, unsigned op, unsigned regop)
{
	if (map == X86_MAP_ONE) {
		switch (op) {
		case 0x80: case 0x81: case 0x82: case 0x83:
			return regop != 7;              /* not CMP */
		case 0xf6: case 0xf7:
			return regop == 2 || regop == 3; /* NOT, NEG */
		case 0xfe: case 0xff:
			return regop <= 1;              /* INC, DEC */
		}
		return 1;
	}
	if (map == X86_MAP_0F) {
		if (op == 0xba)
			return regop >= 5;              /* BTS, BTR, BTC */
		if (op == 0xc7)
			return regop == 1;              /* CMPXCHG8B/16B */
	}
	return 1;
}

struct cursor {
	const uint8_t *buf;
	size_t len, pos;
	int truncated;
};

static uint64_t take(struct cursor *c, unsigned n)
{
	uint64_t v = 0;

	if (c->pos + n > c->len) {
		c->truncated = 1;
		c->pos += n;
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)c->buf[c->pos + i] << (8 * i);
	c->pos += n;
	return v;
}

static void decode_modrm16(struct cursor *c, struct x86_insn *in)
{
	static const uint8_t base16[8] = { 3, 3, 5, 5, 6, 7, 5, 3 };   /* BX BX BP BP SI DI BP BX */
	static const uint8_t index16[8] = { 6, 7, 6, 7, X86_REG_NONE, X86_REG_NONE,
					    X86_REG_NONE, X86_REG_NONE };
	unsigned mod = in->modrm >> 6, rm = in->modrm & 7;

	in->base = base16[rm];
	in->index = index16[rm];
	in->scale = 0;
	if (rm == 2 || rm == 3 || (rm == 6 && mod != 0))
		in->seg = X86_SS;
	if (mod == 0 && rm == 6) {
		in->base = X86_REG_NONE;
		in->disp = (int16_t)take(c, 2);
	} else if (mod == 1) {
		in->disp = (int8_t)take(c, 1);
	} else if (mod == 2) {
		in->disp = (int16_t)take(c, 2);
	}
}

static void decode_modrm32(struct cursor *c, struct x86_insn *in, unsigned rex)
{
	unsigned mod = in->modrm >> 6, rm = in->modrm & 7;

	in->index = X86_REG_NONE;
	in->scale = 0;
	if (rm == 4) {
		uint8_t sib = (uint8_t)take(c, 1);
		unsigned idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
		unsigned b = sib & 7;

		in->scale = sib >> 6;
		if (idx != 4)
			in->index = (uint8_t)idx;
		if (b == 5 && mod == 0) {
			in->base = X86_REG_NONE;
			in->disp = (int32_t)take(c, 4);
		} else {
			in->base = (uint8_t)(b | ((rex & 1) << 3));
		}
		if (b == 4 || (b == 5 && mod != 0))
			in->seg = X86_SS;
	} else if (rm == 5 && mod == 0) {
		in->base = in->code_size == 64 ? X86_REG_RIP : X86_REG_NONE;
		in->disp = (int32_t)take(c, 4);
	} else {
		in->base = (uint8_t)(rm | ((rex & 1) << 3));
		if (rm == 5)
			in->seg = X86_SS;
	}
	if (mod == 1)
		in->disp = (int8_t)take(c, 1);
	else if (mod == 2)
		in->disp = (int32_t)take(c, 4);
}

enum x86_decode_result x86_decode(const uint8_t *buf, size_t len,
				  unsigned code_size, struct x86_insn *in)
{
	struct cursor c = { .buf = buf, .len = len > X86_MAX_INSN_LEN + 1 ?
						  X86_MAX_INSN_LEN + 1 : len };
	int lm = code_size == 64;
	unsigned rex = 0, seg = X86_SEG_NONE, last_rep = 0;
	int p66 = 0, p67 = 0, lock = 0;
	attr_t a;

	memset(in, 0, sizeof(*in));
	in->code_size = (uint8_t)code_size;
	in->base = in->index = X86_REG_NONE;

	/* Prefixes. A REX counts only directly before the opcode. */
	for (;;) {
		if (c.pos >= c.len)
			return c.len > X86_MAX_INSN_LEN ? X86_DECODE_TOO_LONG
							 : X86_DECODE_TRUNCATED;
		uint8_t b = buf[c.pos];
		if (lm && (b & 0xf0) == 0x40) {
			rex = b;
			c.pos++;
			continue;
		}
		if (!(one_byte[b] & PFX))
			break;
		rex = 0;
		c.pos++;
		switch (b) {
		case 0x26: seg = X86_ES; break;
		case 0x2e: seg = X86_CS; break;
		case 0x36: seg = X86_SS; break;
		case 0x3e: seg = X86_DS; break;
		case 0x64: seg = X86_FS; break;
		case 0x65: seg = X86_GS; break;
		case 0x66: p66 = 1; break;
		case 0x67: p67 = 1; break;
		case 0xf0: lock = 1; break;
		case 0xf2: last_rep = X86_REP_F2; break;
		case 0xf3: last_rep = X86_REP_F3; break;
		}
	}

	uint8_t op = (uint8_t)take(&c, 1);
	unsigned map = X86_MAP_ONE;
	a = one_byte[op];
	if (a & ESC) {
		op = (uint8_t)take(&c, 1);
		map = X86_MAP_0F;
		a = two_byte[op];
		if (a & ESC) {
			map = op == 0x38 ? X86_MAP_0F38 : X86_MAP_0F3A;
			op = (uint8_t)take(&c, 1);
			a = map == X86_MAP_0F38 ? M : M | IB;
		}
	}
	if (c.truncated)
		goto truncated;
	in->map = (uint8_t)map;
	in->op = op;
	in->rep = (uint8_t)last_rep;
	in->pfx = last_rep == X86_REP_F3 ? X86_PFX_F3 : last_rep == X86_REP_F2 ?
		  X86_PFX_F2 : p66 ? X86_PFX_66 : X86_PFX_NONE;
	if (rex)
		in->flags |= X86_I_REX | (rex & 8 ? X86_I_REXW : 0);
	if (p66)
		in->flags |= X86_I_66;
	if (p67)
		in->flags |= X86_I_67;
	if (lock)
		in->flags |= X86_I_LOCK;

	/* In long mode only FS and GS overrides mean anything. */
	if (seg != X86_SEG_NONE && (!lm || seg >= X86_FS)) {
		in->flags |= X86_I_SEGOVR;
		in->seg = (uint8_t)seg;
	} else {
		in->seg = X86_DS;
	}

	if (lm)
		in->adsize = p67 ? 4 : 8;
	else if (code_size == 32)
		in->adsize = p67 ? 2 : 4;
	else
		in->adsize = p67 ? 4 : 2;

	/* Operand size. FF /2, /4 (near CALL/JMP) and /6 (PUSH) are forced
	 * or default 64-bit like their one-byte cousins; settled below once
	 * ModRM is known. */
	if (lm && (rex & 8))
		in->opsize = 8;
	else if (lm)
		in->opsize = p66 ? 2 : 4;
	else if (code_size == 32)
		in->opsize = p66 ? 2 : 4;
	else
		in->opsize = p66 ? 4 : 2;
	if (lm && (a & F64))
		in->opsize = 8;
	else if (lm && (a & D64) && !p66)
		in->opsize = 8;

	if (a & INV)
		goto invalid;
	if (lm && (a & I64))
		goto invalid;

	/* Register in the opcode's low bits (PUSH r, MOV r imm, BSWAP, ...). */
	in->reg = (uint8_t)((op & 7) | ((rex & 1) << 3));

	if (a & M) {
		in->flags |= X86_I_MODRM;
		in->modrm = (uint8_t)take(&c, 1);
		if (c.truncated)
			goto truncated;
		unsigned mod = in->modrm >> 6, regop = (in->modrm >> 3) & 7;
		in->reg = (uint8_t)(regop | ((rex & 4) << 1));
		in->rm = (uint8_t)((in->modrm & 7) | ((rex & 1) << 3));

		/* LES/LDS (and BOUND) need memory; their register forms are
		 * VEX/EVEX prefixes, which this CPU does not offer. */
		if (map == X86_MAP_ONE && (op == 0xc4 || op == 0xc5 || op == 0x62) &&
		    mod == 3)
			goto invalid;
		/* MOV to/from CR/DR ignores mod: always registers. */
		int regform = mod == 3 ||
			(map == X86_MAP_0F && op >= 0x20 && op <= 0x23);
		if (!regform) {
			in->flags |= X86_I_MEM;
			unsigned seg_before = in->seg;
			if (in->adsize == 2)
				decode_modrm16(&c, in);
			else
				decode_modrm32(&c, in, rex);
			/* The addressing form's default SS yields to an
			 * explicit override, and means nothing in long mode. */
			if ((in->flags & X86_I_SEGOVR) || lm)
				in->seg = (uint8_t)seg_before;
		}
		if (map == X86_MAP_ONE && op == 0xff && lm) {
			if (regop == 2 || regop == 4)
				in->opsize = 8;
			else if (regop == 6 && !p66)
				in->opsize = 8;
		}
		/* TEST Eb/Ev has an immediate; the rest of group 3 does not. */
		if (map == X86_MAP_ONE && (op == 0xf6 || op == 0xf7) && regop <= 1)
			a |= op == 0xf6 ? IB : IZ;
		if (lock && (!(a & LK) || !(in->flags & X86_I_MEM) ||
			     !lock_ok(map, op, regop)))
			goto invalid;
	} else if (lock) {
		goto invalid;
	}
	if (a & BYTE)
		in->opsize = 1;

	unsigned isz = 0;
	if (a & IB)
		isz = 1;
	else if (a & IW)
		isz = 2;
	else if (a & IZ)
		isz = in->opsize == 2 ? 2 : 4;
	else if (a & IV)
		isz = in->opsize;
	else if (a & AO)
		isz = in->adsize;
	if (isz) {
		in->imm = take(&c, isz);
		in->imm_len = (uint8_t)isz;
	}
	if (a & IWB) {
		in->imm = take(&c, 2);
		in->imm_len = 2;
		in->imm2 = (uint16_t)take(&c, 1);
	} else if (a & AP) {
		unsigned osz = in->opsize == 2 ? 2 : 4;
		in->imm = take(&c, osz);
		in->imm_len = (uint8_t)osz;
		in->imm2 = (uint16_t)take(&c, 2);
	}
	if (c.pos > X86_MAX_INSN_LEN)
		return X86_DECODE_TOO_LONG;
	if (c.truncated)
		goto truncated;
	in->len = (uint8_t)c.pos;
	return X86_DECODE_OK;

truncated:
	/* Bytes we could not see may still push it past 15. */
	return c.pos > X86_MAX_INSN_LEN ? X86_DECODE_TOO_LONG : X86_DECODE_TRUNCATED;
invalid:
	in->len = (uint8_t)(c.pos > X86_MAX_INSN_LEN ? X86_MAX_INSN_LEN : c.pos);
	return X86_DECODE_INVALID;
}
