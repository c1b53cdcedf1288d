/* Instruction-case generator for the native differential test: builds
 * random encodings of a template (operand sizes, REX bits, every ModRM
 * form including SIB and RIP-relative, redundant prefixes) and random
 * register, flag, memory, x87 and SSE state that keeps memory operands
 * inside the shared data area.
 */
#ifndef KILN_TESTS_SOFT_GEN_H
#define KILN_TESTS_SOFT_GEN_H

#include "soft_native.h"

/* Template flags. */
#define T_MODRM   0x00001
#define T_DIGIT   0x00002 /* ModRM.reg is `digit` */
#define T_IB      0x00004
#define T_IZ      0x00008 /* imm16/imm32 by operand size */
#define T_IW      0x00010
#define T_IV      0x00020 /* imm of the operand size (MOV r, imm64) */
#define T_MEM     0x00040 /* memory operand only */
#define T_REG     0x00080 /* register operand only */
#define T_OPREG   0x00100 /* register in the low bits of the last opcode byte */
#define T_STACK   0x00200 /* rSP (and rBP) point into the data area */
#define T_STRING  0x00400 /* rSI/rDI into the data area, small rCX, REP prefixes */
#define T_BRANCH  0x00800 /* relative target skips a 10-byte marker */
#define T_MOFFS   0x01000 /* 64-bit absolute address into the data area */
#define T_XLAT    0x02000 /* rBX into the data area */
#define T_RET     0x04000 /* [rSP] holds the return address (the epilogue) */
#define T_FPVAL   0x08000 /* XMM and memory hold floating-point values */
#define T_X87     0x10000 /* random x87 state */
#define T_ALIGN16 0x20000 /* memory operand 16-byte aligned (usually) */
#define T_REL32   0x40000 /* branch with a 32-bit displacement */
#define T_BITOFS  0x80000 /* ModRM.reg is a small signed bit offset (BT r/m, r) */
#define T_LOCK    0x100000 /* a memory form gets a LOCK prefix half the time */
#define T_POPF    0x200000 /* [rSP] holds flags POPF may load (no TF, AC) */
#define T_MXCSR   0x400000 /* the memory operand holds a valid MXCSR value */
#define T_RDI     0x800000 /* rDI into the data area (MASKMOVDQU's store), a 67 prefix now and then */

/* Operand sizes a template allows. */
#define S1 0x1
#define S2 0x2
#define S4 0x4
#define S8 0x8
#define SV (S2 | S4 | S8)

struct tmpl {
	const char *name;
	uint8_t op[3];
	uint8_t oplen;
	uint8_t pfx;      /* mandatory prefix: 0, 0x66, 0xf2, 0xf3 */
	uint8_t digit;
	uint8_t sizes;
	uint32_t flags;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static unsigned rndn(unsigned n) { return (unsigned)(rnd() % n); }

/* Values with a bias towards the edges where flags change. */
static uint64_t rnd_val(void)
{
	switch (rndn(10)) {
	case 0: return 0;
	case 1: return rndn(4);
	case 2: return (uint64_t)-(int64_t)rndn(4);
	case 3: return 0x80ull << (8 * rndn(8));
	case 4: return (0x80ull << (8 * rndn(8))) - 1;
	case 5: return rnd() & 0xff;
	case 6: return rnd() & 0xffff;
	case 7: return rnd() & 0xffffffffull;
	default: return rnd();
	}
}

static uint32_t rnd_float(void)
{
	static const uint32_t special[] = { 0, 0x80000000, 0x3f800000, 0x7f800000,
		0xff800000, 0x7fc00000, 0x7fa00000, 0x00000001, 0x007fffff, 0x7f7fffff,
		0x4f000000, 0xcf000000 };
	if (rndn(4) == 0)
		return special[rndn(sizeof(special) / 4)];
	float f = (float)((double)(int64_t)rnd() / (double)(1ull << rndn(64)));
	uint32_t v;
	memcpy(&v, &f, 4);
	return v;
}

static uint64_t rnd_double(void)
{
	static const uint64_t special[] = { 0, 0x8000000000000000ull, 0x3ff0000000000000ull,
		0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
		0x7ff4000000000000ull, 1, 0x000fffffffffffffull, 0x43e0000000000000ull,
		0xc3e0000000000000ull, 0x41e0000000000000ull };
	if (rndn(4) == 0)
		return special[rndn(sizeof(special) / 8)];
	double d = (double)(int64_t)rnd() / (double)(1ull << rndn(64));
	uint64_t v;
	memcpy(&v, &d, 8);
	return v;
}

static void rnd_fp_bytes(uint8_t *p, unsigned len)
{
	for (unsigned k = 0; k + 4 <= len; k += 8) {
		if (rndn(2)) {
			uint64_t v = rnd_double();
			memcpy(p + k, &v, len - k >= 8 ? 8 : 4);
		} else {
			uint32_t a = rnd_float(), b = rnd_float();
			memcpy(p + k, &a, 4);
			if (len - k >= 8)
				memcpy(p + k + 4, &b, 4);
		}
	}
}

static void rnd_f80(uint8_t out[10])
{
	long double x;
	switch (rndn(8)) {
	case 0: x = 0.0L; break;
	case 1: x = 1.0L / 0.0L; break;
	case 2: x = (long double)(int64_t)rnd(); break;
	default: {
		uint64_t d = rnd_double();
		double dd;
		memcpy(&dd, &d, 8);
		x = (long double)dd * (rndn(2) ? 1.0L : 3.0L);
	}
	}
	if (rndn(2))
		x = -x;
	memset(out, 0, 10);
	memcpy(out, &x, 10);
}

/* The generated case. */
struct gcase {
	uint8_t bytes[32];
	unsigned len;
	struct nat_state in;
};

/* Stack templates keep rSP and rBP for the stack; a BT bit-offset
 * register is not an address register. */
static bool gen_keep_bp;
static int gen_avoid_reg = -1;

static const uint8_t reg_candidates[] = { 0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

/* Choose a memory form and the registers that make it reach `target`. */
static void gen_mem(struct gcase *g, uint8_t *modrm, uint8_t *rex, uint8_t *sib,
		    bool *has_sib, int32_t *disp, unsigned *dsz, bool *riprel,
		    uint64_t target, bool a32)
{
	unsigned form = rndn(4);
	*has_sib = false;
	*riprel = false;
	if (form == 0 && !a32) { /* RIP-relative: fixed up once the length is known */
		*modrm = (uint8_t)((*modrm & 0x38) | 5);
		*riprel = true;
		*dsz = 4;
		*disp = 0;
		return;
	}
	unsigned mod = 1 + rndn(3); /* 1: disp8, 2: disp32, 3 -> mod 0 */
	if (mod == 3)
		mod = 0;
	*dsz = mod == 1 ? 1 : mod == 2 ? 4 : 0;
	*disp = mod == 1 ? (int8_t)rnd() : mod == 2 ? (int32_t)(rnd() & 0xfffff) - 0x80000 : 0;
	unsigned base;
	do
		base = reg_candidates[rndn(sizeof(reg_candidates))];
	while ((gen_keep_bp && base == X86_RBP) || (int)base == gen_avoid_reg);
	if (rndn(6) == 0 && !gen_keep_bp)
		base = X86_RSP;
	if (form == 1 || (base & 7) == 4 || (base & 7) == 5 || rndn(2)) {
		/* SIB, with an index (not rSP) or none. */
		unsigned idx = reg_candidates[rndn(sizeof(reg_candidates))];
		while (idx == base || (gen_keep_bp && idx == X86_RBP) || (int)idx == gen_avoid_reg)
			idx = reg_candidates[rndn(sizeof(reg_candidates))];
		unsigned scale = rndn(4);
		bool no_index = rndn(4) == 0;
		if ((base & 7) == 5 && mod == 0) {
			mod = 1;
			*dsz = 1;
			*disp = (int8_t)rnd();
		}
		*has_sib = true;
		*modrm = (uint8_t)((mod << 6) | (*modrm & 0x38) | 4);
		*sib = (uint8_t)((scale << 6) | ((no_index ? 4 : idx & 7) << 3) | (base & 7));
		*rex |= (uint8_t)((base >= 8 ? 1 : 0) | (!no_index && idx >= 8 ? 2 : 0));
		uint64_t iv = 0;
		if (!no_index) {
			iv = rnd() & 0x3ff;
			g->in.gpr[idx] = iv | (a32 ? rnd() << 32 : 0);
		}
		uint64_t bv = target - (uint64_t)(int64_t)*disp - (iv << scale);
		g->in.gpr[base] = a32 ? (bv & 0xffffffffull) | (rnd() << 32) : bv;
		return;
	}
	*modrm = (uint8_t)((mod << 6) | (*modrm & 0x38) | (base & 7));
	*rex |= base >= 8 ? 1 : 0;
	uint64_t bv = target - (uint64_t)(int64_t)*disp;
	g->in.gpr[base] = a32 ? (bv & 0xffffffffull) | (rnd() << 32) : bv;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		p[k] = (uint8_t)(v >> (8 * k));
}

/* Random machine state and one encoding of `t`. Memory contents are set
 * in the native region (copied by emu_run). */
static void gen_case(const struct tmpl *t, struct gcase *g)
{
	uint8_t *p = g->bytes;
	unsigned sizes = t->sizes ? t->sizes : S4, size;
	uint8_t rex = 0;
	bool force_rex = rndn(3) == 0;

	memset(g, 0, sizeof(*g));
	for (unsigned r = 0; r < 16; r++)
		g->in.gpr[r] = rnd_val();
	g->in.rflags = 2 | X86_IF | (rnd() & (X86_ARITH_FLAGS | X86_DF));
	/* Data area: random bytes, or floating-point values. */
	for (uint64_t k = 0; k < NAT_DATA_SIZE; k += 8) {
		uint64_t v = rnd_val();
		memcpy(nat_region + 0x1000 + k, &v, 8);
	}
	if (t->flags & T_FPVAL)
		rnd_fp_bytes(nat_region + 0x1000, NAT_DATA_SIZE);

	/* x87 and SSE state. */
	uint8_t *fx = g->in.fx;
	uint16_t fcw = 0x037f;
	if (t->flags & T_X87) {
		fcw = (uint16_t)(0x40 | 0x3f | (rndn(4) << 10) | ((rndn(4) == 0 ? 2u : 3u) << 8));
		/* Unmask the precision exception now and then (the other
		 * unmasked responses are not modelled exactly; programs
		 * run with them masked). */
		if (rndn(8) == 0)
			fcw &= (uint16_t)~0x20u;
	}
	memcpy(fx, &fcw, 2);
	/* TOP, and condition codes and (masked) exception flags left by
	 * earlier instructions: an instruction that must clear C1 or set a
	 * code shows it only when the code was not already what it writes. */
	uint16_t fsw = (uint16_t)(rndn(8) << 11);
	if (rndn(2))
		fsw |= (uint16_t)(rnd() & 0x4700);
	if (rndn(4) == 0)
		fsw |= (uint16_t)(rnd() & fcw & 0x3f);
	memcpy(fx + 2, &fsw, 2);
	/* A stack of `depth` values from TOP (as programs leave it). */
	if (t->flags & T_X87) {
		unsigned depth = rndn(9), top = (fsw >> 11) & 7;
		for (unsigned k = 0; k < depth; k++)
			fx[4] |= (uint8_t)(1u << ((top + k) & 7));
	}
	uint32_t mxcsr = 0x1f80 | (rndn(4) == 0 ? (uint32_t)(rndn(4) << 13) : 0) |
			 (rndn(8) == 0 ? 0x8040u : 0);
	memcpy(fx + 24, &mxcsr, 4);
	for (unsigned k = 0; k < 8; k++)
		rnd_f80(fx + 32 + 16 * k);
	for (unsigned k = 0; k < 16; k++) {
		if (t->flags & T_FPVAL)
			rnd_fp_bytes(fx + 160 + 16 * k, 16);
		else
			for (unsigned b = 0; b < 16; b += 8)
				put_le(fx + 160 + 16 * k + b, rnd_val(), 8);
	}

	do
		size = 1u << rndn(4);
	while (!(sizes & size));

	/* Prefixes: redundant segment overrides, operand and address size. */
	bool mem = !(t->flags & T_REG) && (t->flags & T_MODRM) &&
		   ((t->flags & T_MEM) || rndn(2));
	bool a32 = (mem || (t->flags & T_RDI)) && rndn(4) == 0;
	if (rndn(5) == 0)
		*p++ = (uint8_t[]){ 0x26, 0x2e, 0x36, 0x3e }[rndn(4)];
	if (a32 || ((t->flags & T_STRING) && rndn(4) == 0)) {
		*p++ = 0x67;
		a32 = true;
	}
	if (mem && (t->flags & T_LOCK) && rndn(2))
		*p++ = 0xf0;
	if (size == 2 && t->pfx != 0x66)
		*p++ = 0x66;
	if ((t->flags & T_STRING) && rndn(3))
		*p++ = rndn(2) ? 0xf3 : 0xf2;
	if (t->pfx)
		*p++ = t->pfx;
	if (size == 8)
		rex |= 8;

	gen_keep_bp = t->flags & (T_STACK | T_RET);
	if (gen_keep_bp) {
		g->in.gpr[X86_RSP] = NAT_DATA + 0x1800 + 8 * (rnd() % 64) - 0x100;
		g->in.gpr[X86_RBP] = NAT_DATA + 0x1000 + 8 * (rnd() % 64);
		if (rndn(4) == 0)
			g->in.gpr[X86_RSP] += rndn(8);
	}
	uint8_t modrm = 0, sib = 0;
	bool has_sib = false, riprel = false;
	uint64_t rip_target = 0;
	int32_t disp = 0;
	unsigned dsz = 0;
	if (t->flags & T_MODRM) {
		unsigned reg = (t->flags & T_DIGIT) ? t->digit : rndn(16);
		gen_avoid_reg = -1;
		if (t->flags & T_BITOFS) {
			while (reg == X86_RSP)
				reg = rndn(16);
			gen_avoid_reg = (int)reg;
			g->in.gpr[reg] = (uint64_t)((int64_t)rndn(4096) - 2048);
		}
		modrm = (uint8_t)((reg & 7) << 3);
		rex |= reg >= 8 && !(t->flags & T_DIGIT) ? 4 : 0;
		if (mem) {
			uint64_t target = NAT_DATA + 64 + rndn(NAT_DATA_SIZE - 256);
			if (t->flags & T_BITOFS) /* +-256 bytes of bit offset stay inside */
				target = NAT_DATA + 512 + rndn(NAT_DATA_SIZE - 1024);
			if ((t->flags & T_ALIGN16) && rndn(8))
				target &= ~15ull;
			else if (rndn(2))
				target &= ~7ull;
			if (t->flags & T_MXCSR) {
				uint32_t mx = (0x1f80 ^ (uint32_t)(rnd() & 0xe07f)) & 0xffff;
				memcpy(nat_region + (target - NAT_BASE), &mx, 4);
			}
			gen_mem(g, &modrm, &rex, &sib, &has_sib, &disp, &dsz, &riprel, target, a32);
			if (riprel)
				rip_target = target;
		} else {
			unsigned rm = rndn(16);
			modrm |= (uint8_t)(0xc0 | (rm & 7));
			rex |= rm >= 8 ? 1 : 0;
		}
	}
	unsigned opreg = 0;
	if (t->flags & T_OPREG) {
		opreg = rndn(16);
		rex |= opreg >= 8 ? 1 : 0;
	}
	if (rex || force_rex)
		*p++ = (uint8_t)(0x40 | rex);
	for (unsigned k = 0; k < t->oplen; k++)
		*p++ = t->op[k];
	if (t->flags & T_OPREG)
		p[-1] = (uint8_t)(p[-1] + (opreg & 7));
	uint8_t *disp_at = NULL;
	if (t->flags & T_MODRM) {
		*p++ = modrm;
		if (has_sib)
			*p++ = sib;
		disp_at = p;
		put_le(p, (uint64_t)(int64_t)disp, dsz);
		p += dsz;
	}
	unsigned isz = 0;
	if (t->flags & T_IB)
		isz = 1;
	else if (t->flags & T_IW)
		isz = 2;
	else if (t->flags & T_IZ)
		isz = size == 2 ? 2 : 4;
	else if (t->flags & T_IV)
		isz = size;
	if (t->flags & T_BRANCH)
		isz = (t->flags & T_REL32) ? 4 : 1;
	if (t->flags & T_MOFFS) {
		uint64_t a = NAT_DATA + 64 + rndn(NAT_DATA_SIZE - 256);
		unsigned n = a32 ? 4 : 8;
		put_le(p, a, n);
		p += n;
	}
	if (isz) {
		uint64_t imm = (t->flags & T_BRANCH) ? 10 : rnd_val();
		if (t->op[0] == 0xc8 && t->oplen == 1) /* ENTER: small frame and level */
			imm = rnd() & 0xff;
		put_le(p, imm, isz);
		p += isz;
		if (t->op[0] == 0xc8 && t->oplen == 1)
			*p++ = (uint8_t)rndn(4);
	}
	if (riprel) {
		uint64_t target = rip_target;
		uint64_t end = NAT_CODE + (uint64_t)(p - g->bytes);
		put_le(disp_at, target - end, 4);
	}
	if (t->flags & T_BRANCH) {
		*p++ = 0x48; *p++ = 0xb8;     /* movabs rax, marker */
		put_le(p, 0x5a5a5a5a5a5a5a5aull, 8);
		p += 8;
	}
	g->len = (unsigned)(p - g->bytes);

	if (t->flags & T_POPF) {
		uint64_t fl = rnd() & ~(uint64_t)(X86_TF | X86_AC);
		memcpy(nat_region + (g->in.gpr[X86_RSP] - NAT_BASE), &fl, 8);
	}
	if (t->flags & T_RET) {
		uint64_t ret = NAT_CODE + g->len;
		memcpy(nat_region + (g->in.gpr[X86_RSP] - NAT_BASE), &ret, 8);
	}
	if (t->flags & T_STRING) {
		g->in.gpr[X86_RSI] = NAT_DATA + 0x800 + rndn(0x1000);
		g->in.gpr[X86_RDI] = NAT_DATA + 0x800 + rndn(0x1000);
		g->in.gpr[X86_RCX] = rndn(24);
		if (rndn(4) == 0) {   /* equal runs so REPE goes on */
			memmove(nat_region + (g->in.gpr[X86_RDI] - NAT_BASE),
			       nat_region + (g->in.gpr[X86_RSI] - NAT_BASE), 64);
		}
		if (a32) {
			g->in.gpr[X86_RSI] |= rnd() << 32;
			g->in.gpr[X86_RDI] |= rnd() << 32;
			g->in.gpr[X86_RCX] |= rnd() << 32;
		}
	}
	if (t->flags & T_XLAT)
		g->in.gpr[X86_RBX] = NAT_DATA + 0x100 + rndn(0x1000);
	if (t->flags & T_RDI) {
		g->in.gpr[X86_RDI] = NAT_DATA + 0x800 + rndn(0x1000);
		if (a32) /* EDI: the upper half is ignored */
			g->in.gpr[X86_RDI] |= rnd() << 32;
	}
}

#endif
