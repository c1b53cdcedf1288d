/* Differential test of the software CPU against this machine's CPU:
 * every template below is encoded many ways with random state, run
 * natively and on the interpreter, and must agree on registers, flags,
 * x87/SSE state, memory and exceptions. SOFT_DIFF_CASES (default 40 per
 * template) and SOFT_DIFF_SEED tune a run; `make soft-diff-long` runs many.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "soft_gen.h"

#define ALU(n, b) \
	{ n " Eb,Gb", { b + 0 }, 1, 0, 0, S1, T_MODRM | T_LOCK }, \
	{ n " Ev,Gv", { b + 1 }, 1, 0, 0, SV, T_MODRM | T_LOCK }, \
	{ n " Gb,Eb", { b + 2 }, 1, 0, 0, S1, T_MODRM }, \
	{ n " Gv,Ev", { b + 3 }, 1, 0, 0, SV, T_MODRM }, \
	{ n " AL,Ib", { b + 4 }, 1, 0, 0, S1, T_IB }, \
	{ n " eAX,Iz", { b + 5 }, 1, 0, 0, SV, T_IZ }
#define GRP(n, op, d, sz, f) { n, { op }, 1, 0, d, sz, T_MODRM | T_DIGIT | (f) }
#define GRP8(n, op, sz, f) \
	GRP(n "/0", op, 0, sz, f), GRP(n "/1", op, 1, sz, f), GRP(n "/2", op, 2, sz, f), \
	GRP(n "/3", op, 3, sz, f), GRP(n "/4", op, 4, sz, f), GRP(n "/5", op, 5, sz, f), \
	GRP(n "/6", op, 6, sz, f), GRP(n "/7", op, 7, sz, f)
#define OF(n, b, sz, f) { n, { 0x0f, b }, 2, 0, 0, sz, f }
#define P66(n, b, f) { n, { 0x0f, b }, 2, 0x66, 0, S4, T_MODRM | (f) }

static const struct tmpl integer_tmpls[] = {
	ALU("add", 0x00), ALU("or", 0x08), ALU("adc", 0x10), ALU("sbb", 0x18),
	ALU("and", 0x20), ALU("sub", 0x28), ALU("xor", 0x30), ALU("cmp", 0x38),
	GRP8("grp1 Eb,Ib", 0x80, S1, T_IB | T_LOCK), GRP8("grp1 Ev,Iz", 0x81, SV, T_IZ | T_LOCK),
	GRP8("grp1 Ev,Ib", 0x83, SV, T_IB | T_LOCK),
	GRP("inc Eb", 0xfe, 0, S1, T_LOCK), GRP("dec Eb", 0xfe, 1, S1, T_LOCK),
	GRP("inc Ev", 0xff, 0, SV, T_LOCK), GRP("dec Ev", 0xff, 1, SV, T_LOCK),
	GRP("test Eb,Ib", 0xf6, 0, S1, T_IB), GRP("test Ev,Iz", 0xf7, 0, SV, T_IZ),
	GRP("not Eb", 0xf6, 2, S1, T_LOCK), GRP("not Ev", 0xf7, 2, SV, T_LOCK),
	GRP("neg Eb", 0xf6, 3, S1, T_LOCK), GRP("neg Ev", 0xf7, 3, SV, T_LOCK),
	GRP("mul Eb lock", 0xf6, 4, S1, T_LOCK | T_MEM),
	GRP("mul Eb", 0xf6, 4, S1, 0), GRP("mul Ev", 0xf7, 4, SV, 0),
	GRP("imul Eb", 0xf6, 5, S1, 0), GRP("imul Ev", 0xf7, 5, SV, 0),
	GRP("div Eb", 0xf6, 6, S1, 0), GRP("div Ev", 0xf7, 6, SV, 0),
	GRP("idiv Eb", 0xf6, 7, S1, 0), GRP("idiv Ev", 0xf7, 7, SV, 0),
	{ "test Eb,Gb", { 0x84 }, 1, 0, 0, S1, T_MODRM },
	{ "test Ev,Gv", { 0x85 }, 1, 0, 0, SV, T_MODRM },
	{ "test AL,Ib", { 0xa8 }, 1, 0, 0, S1, T_IB },
	{ "test eAX,Iz", { 0xa9 }, 1, 0, 0, SV, T_IZ },
	OF("imul Gv,Ev", 0xaf, SV, T_MODRM),
	{ "imul Gv,Ev,Iz", { 0x69 }, 1, 0, 0, SV, T_MODRM | T_IZ },
	{ "imul Gv,Ev,Ib", { 0x6b }, 1, 0, 0, SV, T_MODRM | T_IB },
	GRP8("shift Eb,Ib", 0xc0, S1, T_IB), GRP8("shift Ev,Ib", 0xc1, SV, T_IB),
	GRP8("shift Eb,1", 0xd0, S1, 0), GRP8("shift Ev,1", 0xd1, SV, 0),
	GRP8("shift Eb,CL", 0xd2, S1, 0), GRP8("shift Ev,CL", 0xd3, SV, 0),
	OF("shld Ib", 0xa4, SV, T_MODRM | T_IB), OF("shld CL", 0xa5, SV, T_MODRM),
	OF("shrd Ib", 0xac, SV, T_MODRM | T_IB), OF("shrd CL", 0xad, SV, T_MODRM),
	OF("bt", 0xa3, SV, T_MODRM | T_BITOFS | T_LOCK), OF("bts", 0xab, SV, T_MODRM | T_BITOFS | T_LOCK),
	OF("btr", 0xb3, SV, T_MODRM | T_BITOFS | T_LOCK), OF("btc", 0xbb, SV, T_MODRM | T_BITOFS | T_LOCK),
	{ "bt Ib", { 0x0f, 0xba }, 2, 0, 4, SV, T_MODRM | T_DIGIT | T_IB },
	{ "bts Ib", { 0x0f, 0xba }, 2, 0, 5, SV, T_MODRM | T_DIGIT | T_IB | T_LOCK },
	{ "btr Ib", { 0x0f, 0xba }, 2, 0, 6, SV, T_MODRM | T_DIGIT | T_IB },
	{ "btc Ib", { 0x0f, 0xba }, 2, 0, 7, SV, T_MODRM | T_DIGIT | T_IB },
	OF("bsf", 0xbc, SV, T_MODRM), OF("bsr", 0xbd, SV, T_MODRM),
	{ "popcnt", { 0x0f, 0xb8 }, 2, 0xf3, 0, SV, T_MODRM },
	{ "mov Eb,Gb", { 0x88 }, 1, 0, 0, S1, T_MODRM },
	{ "mov Ev,Gv", { 0x89 }, 1, 0, 0, SV, T_MODRM },
	{ "mov Gb,Eb", { 0x8a }, 1, 0, 0, S1, T_MODRM },
	{ "mov Gv,Ev", { 0x8b }, 1, 0, 0, SV, T_MODRM },
	GRP("mov Eb,Ib", 0xc6, 0, S1, T_IB), GRP("mov Ev,Iz", 0xc7, 0, SV, T_IZ),
	{ "mov r8,Ib", { 0xb0 }, 1, 0, 0, S1, T_OPREG | T_IB },
	{ "mov r,Iv", { 0xb8 }, 1, 0, 0, SV, T_OPREG | T_IV },
	{ "mov AL,moffs", { 0xa0 }, 1, 0, 0, S1, T_MOFFS },
	{ "mov eAX,moffs", { 0xa1 }, 1, 0, 0, SV, T_MOFFS },
	{ "mov moffs,AL", { 0xa2 }, 1, 0, 0, S1, T_MOFFS },
	{ "mov moffs,eAX", { 0xa3 }, 1, 0, 0, SV, T_MOFFS },
	OF("movzx Gv,Eb", 0xb6, SV, T_MODRM), OF("movzx Gv,Ew", 0xb7, SV, T_MODRM),
	OF("movsx Gv,Eb", 0xbe, SV, T_MODRM), OF("movsx Gv,Ew", 0xbf, SV, T_MODRM),
	{ "movsxd", { 0x63 }, 1, 0, 0, SV, T_MODRM },
	{ "lea", { 0x8d }, 1, 0, 0, SV, T_MODRM | T_MEM },
	{ "xchg Eb,Gb", { 0x86 }, 1, 0, 0, S1, T_MODRM | T_LOCK },
	{ "xchg Ev,Gv", { 0x87 }, 1, 0, 0, SV, T_MODRM | T_LOCK },
	{ "xchg r,eAX", { 0x90 }, 1, 0, 0, SV, T_OPREG },
	OF("cmpxchg Eb", 0xb0, S1, T_MODRM | T_LOCK), OF("cmpxchg Ev", 0xb1, SV, T_MODRM | T_LOCK),
	OF("xadd Eb", 0xc0, S1, T_MODRM | T_LOCK), OF("xadd Ev", 0xc1, SV, T_MODRM | T_LOCK),
	{ "cmpxchg8b", { 0x0f, 0xc7 }, 2, 0, 1, S4, T_MODRM | T_DIGIT | T_MEM | T_LOCK },
	{ "cmpxchg16b", { 0x0f, 0xc7 }, 2, 0, 1, S8, T_MODRM | T_DIGIT | T_MEM | T_ALIGN16 | T_LOCK },
	{ "bswap", { 0x0f, 0xc8 }, 2, 0, 0, S2 | S4 | S8, T_OPREG },
	{ "cbw", { 0x98 }, 1, 0, 0, SV, 0 }, { "cwd", { 0x99 }, 1, 0, 0, SV, 0 },
	{ "xlat", { 0xd7 }, 1, 0, 0, S4, T_XLAT },
	{ "cmc", { 0xf5 }, 1, 0, 0, S4, 0 }, { "clc", { 0xf8 }, 1, 0, 0, S4, 0 },
	{ "stc", { 0xf9 }, 1, 0, 0, S4, 0 }, { "cld", { 0xfc }, 1, 0, 0, S4, 0 },
	{ "std", { 0xfd }, 1, 0, 0, S4, 0 }, { "sahf", { 0x9e }, 1, 0, 0, S4, 0 },
	{ "lahf", { 0x9f }, 1, 0, 0, S4, 0 },
	{ "push r", { 0x50 }, 1, 0, 0, S2 | S8, T_OPREG | T_STACK },
	{ "pop r", { 0x58 }, 1, 0, 0, S2 | S8, T_OPREG | T_STACK },
	{ "push Iz", { 0x68 }, 1, 0, 0, S2 | S8, T_IZ | T_STACK },
	{ "push Ib", { 0x6a }, 1, 0, 0, S2 | S8, T_IB | T_STACK },
	GRP("push Ev", 0xff, 6, S2 | S8, T_STACK), GRP("pop Ev", 0x8f, 0, S2 | S8, T_STACK),
	{ "pushf", { 0x9c }, 1, 0, 0, S2 | S8, T_STACK },
	{ "popf", { 0x9d }, 1, 0, 0, S2 | S8, T_STACK | T_POPF },
	{ "enter", { 0xc8 }, 1, 0, 0, S2 | S8, T_IW | T_STACK },
	{ "leave", { 0xc9 }, 1, 0, 0, S2 | S8, T_STACK },
	{ "push fs", { 0x0f, 0xa0 }, 2, 0, 0, S2 | S8, T_STACK },
	{ "movs", { 0xa4 }, 1, 0, 0, S1, T_STRING }, { "movs", { 0xa5 }, 1, 0, 0, SV, T_STRING },
	{ "cmps", { 0xa6 }, 1, 0, 0, S1, T_STRING }, { "cmps", { 0xa7 }, 1, 0, 0, SV, T_STRING },
	{ "stos", { 0xaa }, 1, 0, 0, S1, T_STRING }, { "stos", { 0xab }, 1, 0, 0, SV, T_STRING },
	{ "lods", { 0xac }, 1, 0, 0, S1, T_STRING }, { "lods", { 0xad }, 1, 0, 0, SV, T_STRING },
	{ "scas", { 0xae }, 1, 0, 0, S1, T_STRING }, { "scas", { 0xaf }, 1, 0, 0, SV, T_STRING },
	{ "call", { 0xe8 }, 1, 0, 0, S8, T_BRANCH | T_REL32 | T_STACK },
	{ "ret", { 0xc3 }, 1, 0, 0, S8, T_RET },
	{ "ret Iw", { 0xc2 }, 1, 0, 0, S8, T_RET | T_IW },
	{ "jmp rel8", { 0xeb }, 1, 0, 0, S8, T_BRANCH },
	{ "jmp rel32", { 0xe9 }, 1, 0, 0, S8, T_BRANCH | T_REL32 },
	{ "loopne", { 0xe0 }, 1, 0, 0, S8, T_BRANCH }, { "loope", { 0xe1 }, 1, 0, 0, S8, T_BRANCH },
	{ "loop", { 0xe2 }, 1, 0, 0, S8, T_BRANCH }, { "jrcxz", { 0xe3 }, 1, 0, 0, S8, T_BRANCH },
};

/* Jcc, SETcc and CMOVcc for every condition. */
static struct tmpl cond_tmpls[64];

static void make_cond_tmpls(void)
{
	for (unsigned cc = 0; cc < 16; cc++) {
		cond_tmpls[cc] = (struct tmpl){ "jcc rel8", { (uint8_t)(0x70 + cc) }, 1, 0, 0, S8, T_BRANCH };
		cond_tmpls[16 + cc] = (struct tmpl){ "jcc rel32", { 0x0f, (uint8_t)(0x80 + cc) }, 2, 0, 0, S8, T_BRANCH | T_REL32 };
		cond_tmpls[32 + cc] = (struct tmpl){ "setcc", { 0x0f, (uint8_t)(0x90 + cc) }, 2, 0, 0, S1, T_MODRM };
		cond_tmpls[48 + cc] = (struct tmpl){ "cmovcc", { 0x0f, (uint8_t)(0x40 + cc) }, 2, 0, 0, SV, T_MODRM };
	}
}

static const struct tmpl sse_tmpls[] = {
	{ "movups", { 0x0f, 0x10 }, 2, 0, 0, S4, T_MODRM | T_FPVAL },
	{ "movups st", { 0x0f, 0x11 }, 2, 0, 0, S4, T_MODRM },
	{ "movupd", { 0x0f, 0x10 }, 2, 0x66, 0, S4, T_MODRM },
	{ "movss", { 0x0f, 0x10 }, 2, 0xf3, 0, S4, T_MODRM },
	{ "movss st", { 0x0f, 0x11 }, 2, 0xf3, 0, S4, T_MODRM },
	{ "movsd", { 0x0f, 0x10 }, 2, 0xf2, 0, S4, T_MODRM },
	{ "movsd st", { 0x0f, 0x11 }, 2, 0xf2, 0, S4, T_MODRM },
	{ "movlps", { 0x0f, 0x12 }, 2, 0, 0, S4, T_MODRM },
	{ "movlpd", { 0x0f, 0x12 }, 2, 0x66, 0, S4, T_MODRM | T_MEM },
	{ "movlps st", { 0x0f, 0x13 }, 2, 0, 0, S4, T_MODRM | T_MEM },
	{ "movhps", { 0x0f, 0x16 }, 2, 0, 0, S4, T_MODRM },
	{ "movhps st", { 0x0f, 0x17 }, 2, 0, 0, S4, T_MODRM | T_MEM },
	{ "unpcklps", { 0x0f, 0x14 }, 2, 0, 0, S4, T_MODRM | T_ALIGN16 },
	{ "unpckhpd", { 0x0f, 0x15 }, 2, 0x66, 0, S4, T_MODRM | T_ALIGN16 },
	{ "movaps", { 0x0f, 0x28 }, 2, 0, 0, S4, T_MODRM | T_ALIGN16 },
	{ "movaps st", { 0x0f, 0x29 }, 2, 0, 0, S4, T_MODRM | T_ALIGN16 },
	{ "movntps", { 0x0f, 0x2b }, 2, 0, 0, S4, T_MODRM | T_MEM | T_ALIGN16 },
	{ "movmskps", { 0x0f, 0x50 }, 2, 0, 0, S4 | S8, T_MODRM | T_REG },
	{ "movmskpd", { 0x0f, 0x50 }, 2, 0x66, 0, S4, T_MODRM | T_REG },
	{ "andps", { 0x0f, 0x54 }, 2, 0, 0, S4, T_MODRM | T_ALIGN16 },
	{ "andnpd", { 0x0f, 0x55 }, 2, 0x66, 0, S4, T_MODRM | T_ALIGN16 },
	{ "orps", { 0x0f, 0x56 }, 2, 0, 0, S4, T_MODRM | T_ALIGN16 },
	{ "xorpd", { 0x0f, 0x57 }, 2, 0x66, 0, S4, T_MODRM | T_ALIGN16 },
	{ "movd x,r", { 0x0f, 0x6e }, 2, 0x66, 0, S4 | S8, T_MODRM },
	{ "movd r,x", { 0x0f, 0x7e }, 2, 0x66, 0, S4 | S8, T_MODRM },
	{ "movq x,xm", { 0x0f, 0x7e }, 2, 0xf3, 0, S4, T_MODRM },
	{ "movq xm,x", { 0x0f, 0xd6 }, 2, 0x66, 0, S4, T_MODRM },
	{ "movdqa", { 0x0f, 0x6f }, 2, 0x66, 0, S4, T_MODRM | T_ALIGN16 },
	{ "movdqu", { 0x0f, 0x6f }, 2, 0xf3, 0, S4, T_MODRM },
	{ "movdqa st", { 0x0f, 0x7f }, 2, 0x66, 0, S4, T_MODRM | T_ALIGN16 },
	{ "movdqu st", { 0x0f, 0x7f }, 2, 0xf3, 0, S4, T_MODRM },
	{ "movntdq", { 0x0f, 0xe7 }, 2, 0x66, 0, S4, T_MODRM | T_MEM | T_ALIGN16 },
	{ "movnti", { 0x0f, 0xc3 }, 2, 0, 0, S4 | S8, T_MODRM | T_MEM },
	{ "maskmovdqu", { 0x0f, 0xf7 }, 2, 0x66, 0, S4, T_MODRM | T_REG | T_RDI },
	{ "ldmxcsr", { 0x0f, 0xae }, 2, 0, 2, S4, T_MODRM | T_DIGIT | T_MEM | T_MXCSR },
	{ "stmxcsr", { 0x0f, 0xae }, 2, 0, 3, S4, T_MODRM | T_DIGIT | T_MEM },
	{ "pshufd", { 0x0f, 0x70 }, 2, 0x66, 0, S4, T_MODRM | T_IB | T_ALIGN16 },
	{ "pshufhw", { 0x0f, 0x70 }, 2, 0xf3, 0, S4, T_MODRM | T_IB | T_ALIGN16 },
	{ "pshuflw", { 0x0f, 0x70 }, 2, 0xf2, 0, S4, T_MODRM | T_IB | T_ALIGN16 },
	{ "shufps", { 0x0f, 0xc6 }, 2, 0, 0, S4, T_MODRM | T_IB | T_ALIGN16 },
	{ "shufpd", { 0x0f, 0xc6 }, 2, 0x66, 0, S4, T_MODRM | T_IB | T_ALIGN16 },
	{ "pinsrw", { 0x0f, 0xc4 }, 2, 0x66, 0, S4, T_MODRM | T_IB },
	{ "pextrw", { 0x0f, 0xc5 }, 2, 0x66, 0, S4, T_MODRM | T_IB | T_REG },
	{ "pmovmskb", { 0x0f, 0xd7 }, 2, 0x66, 0, S4, T_MODRM | T_REG },
	{ "psrlw i", { 0x0f, 0x71 }, 2, 0x66, 2, S4, T_MODRM | T_DIGIT | T_REG | T_IB },
	{ "psraw i", { 0x0f, 0x71 }, 2, 0x66, 4, S4, T_MODRM | T_DIGIT | T_REG | T_IB },
	{ "psllw i", { 0x0f, 0x71 }, 2, 0x66, 6, S4, T_MODRM | T_DIGIT | T_REG | T_IB },
	{ "psrld i", { 0x0f, 0x72 }, 2, 0x66, 2, S4, T_MODRM | T_DIGIT | T_REG | T_IB },
	{ "psrad i", { 0x0f, 0x72 }, 2, 0x66, 4, S4, T_MODRM | T_DIGIT | T_REG | T_IB },
	{ "pslld i", { 0x0f, 0x72 }, 2, 0x66, 6, S4, T_MODRM | T_DIGIT | T_REG | T_IB },
	{ "psrlq i", { 0x0f, 0x73 }, 2, 0x66, 2, S4, T_MODRM | T_DIGIT | T_REG | T_IB },
	{ "psrldq", { 0x0f, 0x73 }, 2, 0x66, 3, S4, T_MODRM | T_DIGIT | T_REG | T_IB },
	{ "psllq i", { 0x0f, 0x73 }, 2, 0x66, 6, S4, T_MODRM | T_DIGIT | T_REG | T_IB },
	{ "pslldq", { 0x0f, 0x73 }, 2, 0x66, 7, S4, T_MODRM | T_DIGIT | T_REG | T_IB },
	{ "cvtsi2ss", { 0x0f, 0x2a }, 2, 0xf3, 0, S4 | S8, T_MODRM },
	{ "cvtsi2sd", { 0x0f, 0x2a }, 2, 0xf2, 0, S4 | S8, T_MODRM },
	{ "cvttss2si", { 0x0f, 0x2c }, 2, 0xf3, 0, S4 | S8, T_MODRM | T_FPVAL },
	{ "cvttsd2si", { 0x0f, 0x2c }, 2, 0xf2, 0, S4 | S8, T_MODRM | T_FPVAL },
	{ "cvtss2si", { 0x0f, 0x2d }, 2, 0xf3, 0, S4 | S8, T_MODRM | T_FPVAL },
	{ "cvtsd2si", { 0x0f, 0x2d }, 2, 0xf2, 0, S4 | S8, T_MODRM | T_FPVAL },
	{ "ucomiss", { 0x0f, 0x2e }, 2, 0, 0, S4, T_MODRM | T_FPVAL },
	{ "ucomisd", { 0x0f, 0x2e }, 2, 0x66, 0, S4, T_MODRM | T_FPVAL },
	{ "comiss", { 0x0f, 0x2f }, 2, 0, 0, S4, T_MODRM | T_FPVAL },
	{ "comisd", { 0x0f, 0x2f }, 2, 0x66, 0, S4, T_MODRM | T_FPVAL },
};

/* 66-prefixed packed-integer opcodes and the FP arithmetic in 4 forms. */
static const uint8_t pint_ops[] = {
	0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b,
	0x6c, 0x6d, 0x74, 0x75, 0x76, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd8, 0xd9,
	0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5,
	0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef, 0xf1, 0xf2, 0xf3, 0xf4,
	0xf5, 0xf6, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe,
};
static const uint8_t fp_ops[] = { 0x51, 0x58, 0x59, 0x5a, 0x5c, 0x5d, 0x5e, 0x5f, 0xc2 };
static struct tmpl gen_sse_tmpls[sizeof(pint_ops) + 4 * sizeof(fp_ops) + 8];
static unsigned nr_gen_sse;

static void make_sse_tmpls(void)
{
	static const uint8_t pfx[4] = { 0, 0x66, 0xf3, 0xf2 };
	nr_gen_sse = 0;
	for (unsigned k = 0; k < sizeof(pint_ops); k++)
		gen_sse_tmpls[nr_gen_sse++] = (struct tmpl){ "pint", { 0x0f, pint_ops[k] }, 2,
			0x66, 0, S4, T_MODRM | T_ALIGN16 };
	for (unsigned k = 0; k < sizeof(fp_ops); k++)
		for (unsigned p = 0; p < 4; p++)
			gen_sse_tmpls[nr_gen_sse++] = (struct tmpl){ "sse fp", { 0x0f, fp_ops[k] }, 2,
				pfx[p], 0, S4, T_MODRM | T_ALIGN16 | T_FPVAL | (fp_ops[k] == 0xc2 ? T_IB : 0) };
	/* Conversions with their own prefix rules. */
	static const struct { uint8_t op, pfx; } cv[] = {
		{ 0x5b, 0 }, { 0x5b, 0x66 }, { 0x5b, 0xf3 }, { 0xe6, 0x66 }, { 0xe6, 0xf3 },
		{ 0xe6, 0xf2 }, { 0x52, 0 }, { 0x53, 0xf3 },
	};
	for (unsigned k = 0; k < 8; k++)
		gen_sse_tmpls[nr_gen_sse++] = (struct tmpl){ "sse cvt", { 0x0f, cv[k].op }, 2,
			cv[k].pfx, 0, S4, T_MODRM | T_ALIGN16 | T_FPVAL };
}

static const struct tmpl x87_tmpls[] = {
	GRP8("x87 d8 m32", 0xd8, S4, T_MEM | T_X87 | T_FPVAL),
	GRP8("x87 dc m64", 0xdc, S4, T_MEM | T_X87 | T_FPVAL),
	GRP8("x87 da m32i", 0xda, S4, T_MEM | T_X87),
	GRP8("x87 de m16i", 0xde, S4, T_MEM | T_X87),
	GRP8("x87 d8 st", 0xd8, S4, T_REG | T_X87),
	GRP8("x87 dc st", 0xdc, S4, T_REG | T_X87),
	GRP("faddp", 0xde, 0, S4, T_REG | T_X87), GRP("fmulp", 0xde, 1, S4, T_REG | T_X87),
	GRP("fsubrp", 0xde, 4, S4, T_REG | T_X87), GRP("fsubp", 0xde, 5, S4, T_REG | T_X87),
	GRP("fdivrp", 0xde, 6, S4, T_REG | T_X87), GRP("fdivp", 0xde, 7, S4, T_REG | T_X87),
	GRP("fld st", 0xd9, 0, S4, T_REG | T_X87), GRP("fxch", 0xd9, 1, S4, T_REG | T_X87),
	GRP("fld m32", 0xd9, 0, S4, T_MEM | T_X87 | T_FPVAL),
	GRP("fst m32", 0xd9, 2, S4, T_MEM | T_X87), GRP("fstp m32", 0xd9, 3, S4, T_MEM | T_X87),
	GRP("fldcw", 0xd9, 5, S4, T_MEM | T_X87), GRP("fnstcw", 0xd9, 7, S4, T_MEM | T_X87),
	GRP("fnstenv", 0xd9, 6, S2 | S4, T_MEM | T_X87), GRP("fldenv", 0xd9, 4, S2 | S4, T_MEM | T_X87),
	GRP("fild m32", 0xdb, 0, S4, T_MEM | T_X87), GRP("fist m32", 0xdb, 2, S4, T_MEM | T_X87),
	GRP("fistp m32", 0xdb, 3, S4, T_MEM | T_X87), GRP("fld m80", 0xdb, 5, S4, T_MEM | T_X87),
	GRP("fstp m80", 0xdb, 7, S4, T_MEM | T_X87),
	GRP("fcmovnb..", 0xdb, 0, S4, T_REG | T_X87), GRP("fcmovne", 0xdb, 1, S4, T_REG | T_X87),
	GRP("fcmovb", 0xda, 0, S4, T_REG | T_X87), GRP("fcmovu", 0xda, 3, S4, T_REG | T_X87),
	GRP("fucomi", 0xdb, 5, S4, T_REG | T_X87), GRP("fcomi", 0xdb, 6, S4, T_REG | T_X87),
	GRP("fld m64", 0xdd, 0, S4, T_MEM | T_X87 | T_FPVAL),
	GRP("fst m64", 0xdd, 2, S4, T_MEM | T_X87), GRP("fstp m64", 0xdd, 3, S4, T_MEM | T_X87),
	GRP("fnstsw m", 0xdd, 7, S4, T_MEM | T_X87),
	GRP("ffree", 0xdd, 0, S4, T_REG | T_X87), GRP("fst st", 0xdd, 2, S4, T_REG | T_X87),
	GRP("fstp st", 0xdd, 3, S4, T_REG | T_X87), GRP("fucom", 0xdd, 4, S4, T_REG | T_X87),
	GRP("fucomp", 0xdd, 5, S4, T_REG | T_X87),
	GRP("fild m16", 0xdf, 0, S4, T_MEM | T_X87), GRP("fist m16", 0xdf, 2, S4, T_MEM | T_X87),
	GRP("fistp m16", 0xdf, 3, S4, T_MEM | T_X87), GRP("fild m64", 0xdf, 5, S4, T_MEM | T_X87),
	GRP("fistp m64", 0xdf, 7, S4, T_MEM | T_X87),
	GRP("fucomip", 0xdf, 5, S4, T_REG | T_X87), GRP("fcomip", 0xdf, 6, S4, T_REG | T_X87),
};

/* x87 instructions with a fixed second byte. */
static const uint8_t x87_fixed[][2] = {
	{ 0xd9, 0xe0 }, { 0xd9, 0xe1 }, { 0xd9, 0xe4 }, { 0xd9, 0xe5 }, { 0xd9, 0xe8 },
	{ 0xd9, 0xe9 }, { 0xd9, 0xea }, { 0xd9, 0xeb }, { 0xd9, 0xec }, { 0xd9, 0xed },
	{ 0xd9, 0xee }, { 0xd9, 0xfa }, { 0xd9, 0xfc }, { 0xd9, 0xfd }, { 0xd9, 0xf8 },
	{ 0xd9, 0xf5 }, { 0xd9, 0xf6 }, { 0xd9, 0xf7 }, { 0xd9, 0xd0 }, { 0xda, 0xe9 },
	{ 0xde, 0xd9 }, { 0xdb, 0xe2 }, { 0xdb, 0xe3 }, { 0xdf, 0xe0 }, { 0x9b, 0x90 },
	{ 0xd9, 0xfe }, { 0xd9, 0xff }, { 0xd9, 0xf2 }, { 0xd9, 0xf3 }, { 0xd9, 0xf0 },
	{ 0xd9, 0xf1 }, { 0xd9, 0xf9 }, { 0xd9, 0xfb }, { 0xd9, 0xf4 },
};
static struct tmpl x87_fixed_tmpls[sizeof(x87_fixed) / 2];

static unsigned nr_cases(void)
{
	const char *s = getenv("SOFT_DIFF_CASES");
	return s ? (unsigned)strtoul(s, NULL, 0) : 40;
}

static void dump_case(const struct tmpl *t, const struct gcase *g)
{
	fprintf(stderr, "template '%s', bytes:", t->name);
	for (unsigned k = 0; k < g->len; k++)
		fprintf(stderr, " %02x", g->bytes[k]);
	fprintf(stderr, "\n  in: fcw=%02x%02x fsw=%02x%02x ftw=%02x mxcsr=%02x%02x",
		g->in.fx[1], g->in.fx[0], g->in.fx[3], g->in.fx[2], g->in.fx[4],
		g->in.fx[25], g->in.fx[24]);
	fprintf(stderr, "\n  in: rflags=%#llx", (unsigned long long)g->in.rflags);
	for (unsigned r = 0; r < 16; r++)
		fprintf(stderr, "%s r%u=%#llx", r % 4 ? "" : "\n ", r, (unsigned long long)g->in.gpr[r]);
	fprintf(stderr, "\n");
}

/* The soft CPU gives the SDM's undefined flags and results the values
 * AMD Zen produces. On another host those are masked (flags) or the
 * template is skipped (results); everything defined is still compared. */
static bool host_is_amd;

static void detect_host(void)
{
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	host_is_amd = b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163; /* AuthenticAMD */
}

/* Flags the SDM leaves undefined for a template's instruction. */
static uint64_t undefined_flags(const struct tmpl *t)
{
	const uint64_t szap = X86_SF | X86_ZF | X86_AF | X86_PF;
	uint8_t a = t->op[0], b = t->op[1];

	if (t->oplen == 1) {
		unsigned alu = (a >> 3) & 7;
		if ((a == 0xf6 || a == 0xf7) && (t->flags & T_DIGIT) && t->digit >= 4)
			return t->digit <= 5 ? szap : X86_ARITH_FLAGS;
		if (a == 0x69 || a == 0x6b)
			return szap;
		if (a == 0xc0 || a == 0xc1 || (a >= 0xd0 && a <= 0xd3))
			return X86_AF | X86_OF;
		if ((a < 0x40 && (a & 7) < 6 && (alu == 1 || alu == 4 || alu == 6)) ||
		    a == 0x84 || a == 0x85 || a == 0xa8 || a == 0xa9 ||
		    ((a >= 0x80 && a <= 0x83) && (t->digit == 1 || t->digit == 4 || t->digit == 6)) ||
		    ((a == 0xf6 || a == 0xf7) && t->digit <= 1))
			return X86_AF;
		return 0;
	}
	if (a == 0x0f) {
		if (b == 0xaf)
			return szap;
		if (b == 0xbc || b == 0xbd)
			return X86_CF | X86_OF | X86_SF | X86_AF | X86_PF;
		if (b == 0xa3 || b == 0xab || b == 0xb3 || b == 0xbb || b == 0xba)
			return X86_OF | X86_SF | X86_AF | X86_PF;
	}
	return 0;
}

/* Templates whose undefined results (not only flags) are vendor-specific:
 * SHLD/SHRD with 16-bit counts above 16, BSWAP of a word, PUSH of a
 * segment register with a wide operand. */
static bool vendor_results(const struct tmpl *t)
{
	uint8_t b = t->op[1];

	return t->oplen == 2 && t->op[0] == 0x0f &&
	       (b == 0xa4 || b == 0xa5 || b == 0xac || b == 0xad || b == 0xc8 ||
		b == 0xa0 || b == 0xa8);
}

/* x87 status bits where vendors differ: the SDM leaves C0-C3 undefined
 * after FFREE (Zen clears C1) and sets C1 = 0 after FCOMI/FUCOMI(P) (Zen
 * leaves it). The soft CPU follows Zen. */
static uint16_t vendor_fsw(const struct tmpl *t)
{
	if (t->oplen != 1 || !(t->flags & T_REG) || !(t->flags & T_DIGIT))
		return 0;
	if (t->op[0] == 0xdd && t->digit == 0)
		return 0x4700;
	if ((t->op[0] == 0xdb || t->op[0] == 0xdf) && (t->digit == 5 || t->digit == 6))
		return 0x0200;
	return 0;
}

/* Compare one case; returns the number of differences (printed). */
static int compare(const struct tmpl *t, const struct gcase *g, struct emu *e,
		   int nv, int ev)
{
	int bad = 0;
	struct x86_cpu *c = &e->cpu;

	if (nv != ev) {
		dump_case(t, g);
		fprintf(stderr, "  exception: native %d, soft %d\n", nv, ev);
		return 1;
	}
	if (nv >= 0)
		return 0;
	for (unsigned r = 0; r < 16; r++) {
		if (nat_out.gpr[r] != c->gpr[r]) {
			if (!bad++)
				dump_case(t, g);
			fprintf(stderr, "  r%u: native %#llx soft %#llx\n", r,
				(unsigned long long)nat_out.gpr[r], (unsigned long long)c->gpr[r]);
		}
	}
	uint64_t fmask = X86_ARITH_FLAGS | X86_DF | X86_TF | X86_AC;
	if (!host_is_amd)
		fmask &= ~undefined_flags(t);
	uint64_t sf = x86_cpu_get_rflags(c);
	if ((nat_out.rflags ^ sf) & fmask) {
		if (!bad++)
			dump_case(t, g);
		fprintf(stderr, "  rflags: native %#llx soft %#llx\n",
			(unsigned long long)nat_out.rflags, (unsigned long long)sf);
	}
	uint8_t img[512];
	x86_fxsave_image(&c->fpu, img, true);
	if (!host_is_amd) {
		uint16_t m = vendor_fsw(t);
		img[2] &= (uint8_t)~m;
		img[3] &= (uint8_t)~(m >> 8);
		nat_out.fx[2] &= (uint8_t)~m;
		nat_out.fx[3] &= (uint8_t)~(m >> 8);
	}
	/* FCW FSW FTW; MXCSR; registers (FOP/FIP/FDP are vendor-specific). */
	static const struct { unsigned off, len; const char *what; } parts[] = {
		{ 0, 5, "fcw/fsw/ftw" }, { 24, 4, "mxcsr" }, { 32, 128, "st" }, { 160, 256, "xmm" },
	};
	for (unsigned k = 0; k < 4; k++) {
		if (memcmp(img + parts[k].off, nat_out.fx + parts[k].off, parts[k].len)) {
			if (!bad++)
				dump_case(t, g);
			fprintf(stderr, "  %s differs:\n   native", parts[k].what);
			for (unsigned b = 0; b < parts[k].len; b++)
				if (img[parts[k].off + b] != nat_out.fx[parts[k].off + b])
					fprintf(stderr, " [%u]=%02x/%02x", b, nat_out.fx[parts[k].off + b],
						img[parts[k].off + b]);
			fprintf(stderr, "\n");
		}
	}
	if (memcmp(e->mem.buf, nat_region, NAT_SIZE)) {
		if (!bad++)
			dump_case(t, g);
		for (uint64_t a = 0; a < NAT_SIZE; a++)
			if (e->mem.buf[a] != nat_region[a]) {
				fprintf(stderr, "  memory %#llx: native %02x soft %02x\n",
					(unsigned long long)(NAT_BASE + a), nat_region[a], e->mem.buf[a]);
				break;
			}
	}
	return bad;
}

static unsigned total_cases;

static struct emu e;
static struct x86_icache *icache;

static void run_tmpls(const struct tmpl *ts, unsigned n)
{
	unsigned cases = nr_cases(), failures = 0;

	emu_setup(&e);
	nat_catch_signals();
	for (unsigned k = 0; k < n; k++) {
		if (!host_is_amd && vendor_results(&ts[k]))
			continue;
		for (unsigned j = 0; j < cases; j++) {
			struct gcase g;
			gen_case(&ts[k], &g);
			if (getenv("SOFT_DIFF_TRACE"))
				fprintf(stderr, "case %s len %u\n", ts[k].name, g.len);
			nat_place(g.bytes, g.len);
			nat_in = g.in;
			/* Cases go through the callbacks, page pointers, or
			 * those and the instruction cache (emptied: the code
			 * changed behind its back). */
			static const struct x86_mem_ops *ops[3] = {
				&flat_ops, &flat_ops_direct, &flat_ops_cached };
			x86_cpu_set_platform(&e.cpu, ops[j % 3], &e.mem, NULL, NULL);
			e.cpu.icache = j % 3 == 2 ? icache : NULL;
			x86_icache_flush(icache);
			x86_cpu_tlb_changed(&e.cpu);
			int ev = emu_run(&e, &g.in);
			int nv = nat_run();
			total_cases++;
			if (compare(&ts[k], &g, &e, nv, ev) && ++failures > 20)
				fail_msg("too many differences");
		}
	}
	if (failures)
		fail_msg("%u cases differ from the host CPU", failures);
}

/* Divergences the random cases found once, kept as fixed cases. Registers
 * not named are zero; RSI points at `mem` in the data area, RSP into it. */
struct fixed_case {
	const char *what;
	const char *bytes;
	unsigned len;
	uint64_t rflags;
	bool amd;                 /* checks what only AMD defines this way */
	struct { unsigned r; uint64_t v; } regs[4];
	const char *mem;          /* 16 bytes at RSI, or NULL */
	/* x87: the FSW top, abridged tags and ST0/ST1 (when ftw says so). */
	bool x87;
	uint16_t fsw;
	uint8_t ftw;
	long double st0, st1;
};

#define FC(w, b, fl, ...) { .what = w, .bytes = b, .len = sizeof(b) - 1, .rflags = fl, __VA_ARGS__ }
#define X87(top, tags, a, b) .x87 = true, .fsw = top, .ftw = tags, .st0 = a, .st1 = b
static const struct fixed_case fixed_cases[] = {
	FC("MUL keeps SF ZF AF PF", "\x41\xf6\xe3", 0xcd7, .amd = true,
	   .regs = { { X86_RAX, ~0ull }, { X86_R11, 0xe3 } }),
	FC("IMUL keeps SF ZF AF PF", "\x48\xf7\xeb", 0x0d6, .amd = true,
	   .regs = { { X86_RAX, 0x7fffffffffffffffull }, { X86_RBX, 3 } }),
	FC("DIV keeps CF OF, sets AF", "\xf7\xf1", 0x8c5, .amd = true,
	   .regs = { { X86_RAX, 100 }, { X86_RCX, 7 } }),
	FC("IDIV r8", "\xf6\xf9", 0x0c4, .amd = true, .regs = { { X86_RAX, 0xff9c }, { X86_RCX, 0xf9 } }),
	FC("SHL r8 by 31 sets AF", "\xc0\xe0\x1f", 0x002, .amd = true, .regs = { { X86_RAX, 0x81 } }),
	FC("SHR r8 by 4 sets AF", "\x40\xc0\xec\xe4", 0x002, .amd = true, .regs = { { X86_RSP, 0x1234 } }),
	FC("SAR sets AF", "\x48\xc1\xf8\x05", 0x002, .amd = true, .regs = { { X86_RAX, 0x8000000000000123ull } }),
	FC("SHLD 16-bit by 29", "\x66\x41\x0f\xa4\xc6\xfd", 0xed7, .amd = true,
	   .regs = { { X86_RAX, 0x45b7 }, { X86_R14, 0x80000000000000ull } }),
	FC("SHRD 16-bit by 26", "\x66\x0f\xac\xdf\xda", 0xac3, .amd = true,
	   .regs = { { X86_RBX, 0x58 }, { X86_RDI, 0x7fffffffffffull } }),
	FC("SHRD 16-bit by CL 30", "\x66\x44\x0f\xad\xfa", 0xa46, .amd = true,
	   .regs = { { X86_RCX, 0x7e }, { X86_R15, 0x25e7 }, { X86_RDX, 0xfffe } }),
	FC("SHLD 16-bit by 16", "\x66\x0f\xa4\xd8\x10", 0x002, .amd = true,
	   .regs = { { X86_RAX, 0x1235 }, { X86_RBX, 0x8001 } }),
	FC("SHLD 64-bit OF for count > 1", "\x48\x0f\xa4\xd8\x0a", 0x002, .amd = true,
	   .regs = { { X86_RAX, 0x4123456789abcdefull }, { X86_RBX, 0xfedcba9876543210ull } }),
	FC("BSF of zero: ZF and PF only", "\x0f\xbc\xc1", 0xa93, .amd = true, .regs = { { X86_RAX, 5 } }),
	FC("BSR flags from the index", "\x0f\xbd\xc1", 0x8d5, .amd = true, .regs = { { X86_RCX, 0x80 } }),
	FC("ROR by 0 still zero-extends", "\x41\xc1\xc9\x00", 0x6c2,
	   .regs = { { X86_R9, 0x5d0742c162d19800ull } }),
	FC("SHL by CL 0 zero-extends", "\x41\xd3\xe0", 0x686, .regs = { { X86_R8, ~0ull } }),
	FC("BSWAP 16-bit", "\x66\x0f\xc8", 0x002, .amd = true, .regs = { { X86_RAX, 0x1122334455667788ull } }),
	FC("PUSH FS writes 8 bytes", "\x0f\xa0", 0x002, .amd = true, .regs = { { X86_RSP, NAT_DATA + 0x808 } },
	   .mem = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"),
	FC("LOCK CMP is #UD", "\xf0\x39\x06", 0x002),
	FC("BTC with a far bit offset", "\x48\x0f\xbb\x0e", 0x002, .regs = { { X86_RCX, 100 } }),
	FC("FCMOV with an empty register", "\xdb\xc7", 0x003, X87(0x0000, 0x01, 2.5L, 0)),
	FC("FLD ST(i) onto a full stack", "\xd9\xc4", 0x002, X87(0x2800, 0xff, 1.0L, 2.0L)),
	FC("FPTAN onto a full stack", "\xd9\xf2", 0x002, X87(0x2800, 0xff, 0.5L, 2.0L)),
	FC("FPTAN of a huge value", "\xd9\xf2", 0x002, X87(0x2800, 0x20, 1e300L, 0)),
	FC("FSQRT of an empty ST0", "\xd9\xfa", 0x002, X87(0x1000, 0x00, 0, 0)),
	FC("FPATAN keeps C1 of its rounding", "\xd9\xf3", 0x002, X87(0x0000, 0x03, 3.0L, 7.0L)),
	FC("FCOM m32 with a denormal", "\xd8\x16", 0x002, .mem = "\x01\x00\x00\x00",
	   X87(0x0000, 0x01, 0.0L, 0)),
	FC("FADD m32 denormal to zero", "\xd8\x06", 0x002, .mem = "\x01\x00\x00\x00",
	   X87(0x0000, 0x01, 0.0L, 0)),
	FC("FLDCW reserved bits", "\xd9\x2e", 0x002, .mem = "\xff\xff"),
	FC("FPREM condition codes", "\xd9\xf8", 0x002, X87(0x4700, 0x03, 1e10L, 3.0L)),
	FC("EMMS leaves TOP at 0", "\x0f\x77", 0x002, .amd = true, X87(0x2800, 0x87, 1.0L, 2.0L)),
	/* tests/cpu x87: FSTP m80 after a FIST that rounded up left C1 set. */
	FC("FSTP m80 clears C1", "\xdb\x3e", 0x002, X87(0x0200, 0x01, 1.5L, 0)),
	/* Found once the generator left C0-C3 set before an instruction. */
	FC("FST ST(i) clears C1", "\xdd\xd1", 0x002, X87(0x4700, 0x03, 1.5L, 2.0L)),
	FC("FSTP ST(i) clears C1", "\xdd\xd9", 0x002, X87(0x0200, 0x03, 1.5L, 2.0L)),
	FC("FFREE clears C1, keeps C0 C2 C3", "\xdd\xc1", 0x002, .amd = true,
	   X87(0x4700, 0x03, 1.5L, 2.0L)),
	FC("FSINCOS of an empty ST0 clears C2", "\xd9\xfb", 0x002, X87(0x1600, 0x00, 0, 0)),
	FC("FPREM onto an empty ST1 clears C2 only", "\xd9\xf8", 0x002, X87(0x4500, 0x01, 5.0L, 0)),
	FC("FPTAN onto a full stack clears C2", "\xd9\xf2", 0x002, X87(0x2e00, 0xff, 0.5L, 2.0L)),
	FC("FCOMI keeps C1", "\xdb\xf1", 0x002, .amd = true, X87(0x4700, 0x03, 1.5L, 2.0L)),
	FC("FUCOMIP keeps C1", "\xdf\xe9", 0x002, .amd = true, X87(0x0200, 0x03, 1.5L, 2.0L)),
	/* tests/cpu sse: MASKMOVDQU was #UD. Data from [rsi], every other
	 * byte selected (PCMPEQB, PSRLW 8), stored unaligned at rdi. */
	FC("MASKMOVDQU stores the selected bytes",
	   "\xf3\x0f\x6f\x06\x66\x0f\x74\xc9\x66\x0f\x71\xd1\x08\x66\x0f\xf7\xc1", 0x002,
	   .regs = { { X86_RDI, NAT_DATA + 0x805 } },
	   .mem = "\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xf1\xf2"),
	FC("MASKMOVDQU with a 67 prefix uses EDI",
	   "\xf3\x0f\x6f\x06\x66\x0f\x74\xc9\x67\x66\x0f\xf7\xc1", 0x002,
	   .regs = { { X86_RDI, 0xabcd000000000000ull | (NAT_DATA + 0x80b) } },
	   .mem = "\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xf1\xf2"),
	FC("MASKMOVQ stores the selected bytes, enters MMX state",
	   "\x0f\x6f\x06\x0f\x74\xc9\x0f\x71\xd1\x08\x0f\xf7\xc1", 0x002,
	   .regs = { { X86_RDI, NAT_DATA + 0x803 } },
	   .mem = "\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xf1\xf2",
	   X87(0x2800, 0x30, 1.0L, 2.0L)),
};

static void test_fixed_cases(void **state)
{
	unsigned failures = 0;

	emu_setup(&e);
	nat_catch_signals();
	for (unsigned k = 0; k < sizeof(fixed_cases) / sizeof(fixed_cases[0]); k++) {
		const struct fixed_case *fc = &fixed_cases[k];
		if (fc->amd && !host_is_amd)
			continue;
		struct tmpl t = { fc->what, { 0 }, 0, 0, 0, 0, 0 };
		struct gcase g;

		memset(&g, 0, sizeof(g));
		memcpy(g.bytes, fc->bytes, fc->len);
		g.len = fc->len;
		g.in.rflags = fc->rflags | X86_IF | 2;
		g.in.gpr[X86_RSI] = NAT_DATA + 0x800;
		g.in.gpr[X86_RSP] = NAT_DATA + 0x1000;
		for (unsigned r = 0; r < 4; r++)
			if (fc->regs[r].r || fc->regs[r].v)
				g.in.gpr[fc->regs[r].r] = fc->regs[r].v;
		memset(nat_region + 0x1000, 0, NAT_DATA_SIZE);
		if (fc->mem)
			memcpy(nat_region + (NAT_DATA + 0x800 - NAT_BASE), fc->mem,
			       strlen(fc->mem) + 1 > 16 ? 16 : strlen(fc->mem) + 1);
		uint16_t fcw = 0x37f;
		uint32_t mxcsr = 0x1f80;
		memcpy(g.in.fx, &fcw, 2);
		memcpy(g.in.fx + 24, &mxcsr, 4);
		if (fc->x87) {
			memcpy(g.in.fx + 2, &fc->fsw, 2);
			g.in.fx[4] = fc->ftw;
			memcpy(g.in.fx + 32, &fc->st0, 10);
			memcpy(g.in.fx + 48, &fc->st1, 10);
		}
		nat_place(g.bytes, g.len);
		nat_in = g.in;
		x86_cpu_set_platform(&e.cpu, &flat_ops, &e.mem, NULL, NULL);
		e.cpu.icache = NULL;
		x86_cpu_tlb_changed(&e.cpu);
		int ev = emu_run(&e, &g.in);
		int nv = nat_run();
		total_cases++;
		if (compare(&t, &g, &e, nv, ev))
			failures++;
	}
	if (failures)
		fail_msg("%u fixed cases differ from the host CPU", failures);
}

static void test_integer(void **state)
{
	run_tmpls(integer_tmpls, sizeof(integer_tmpls) / sizeof(integer_tmpls[0]));
}

static void test_conditions(void **state)
{
	make_cond_tmpls();
	run_tmpls(cond_tmpls, 64);
}

static void test_sse(void **state)
{
	run_tmpls(sse_tmpls, sizeof(sse_tmpls) / sizeof(sse_tmpls[0]));
	make_sse_tmpls();
	run_tmpls(gen_sse_tmpls, nr_gen_sse);
}

/* MMX: the same packed-integer opcodes without the 66 prefix. */
static const uint8_t mmx_ops[] = {
	0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b,
	0x74, 0x75, 0x76, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd8, 0xd9, 0xda, 0xdb,
	0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe8, 0xe9,
	0xea, 0xeb, 0xec, 0xed, 0xee, 0xef, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6,
	0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe,
};
static const struct tmpl mmx_fixed_tmpls[] = {
	{ "movd mm,r", { 0x0f, 0x6e }, 2, 0, 0, S4 | S8, T_MODRM | T_X87 },
	{ "movd r,mm", { 0x0f, 0x7e }, 2, 0, 0, S4 | S8, T_MODRM | T_X87 },
	{ "movq mm,mm/m", { 0x0f, 0x6f }, 2, 0, 0, S4, T_MODRM | T_X87 },
	{ "movq mm/m,mm", { 0x0f, 0x7f }, 2, 0, 0, S4, T_MODRM | T_X87 },
	{ "movntq", { 0x0f, 0xe7 }, 2, 0, 0, S4, T_MODRM | T_MEM | T_X87 },
	{ "maskmovq", { 0x0f, 0xf7 }, 2, 0, 0, S4, T_MODRM | T_REG | T_RDI | T_X87 },
	{ "pshufw", { 0x0f, 0x70 }, 2, 0, 0, S4, T_MODRM | T_IB | T_X87 },
	{ "psrlw mm,i", { 0x0f, 0x71 }, 2, 0, 2, S4, T_MODRM | T_DIGIT | T_REG | T_IB | T_X87 },
	{ "psrad mm,i", { 0x0f, 0x72 }, 2, 0, 4, S4, T_MODRM | T_DIGIT | T_REG | T_IB | T_X87 },
	{ "psllq mm,i", { 0x0f, 0x73 }, 2, 0, 6, S4, T_MODRM | T_DIGIT | T_REG | T_IB | T_X87 },
	{ "pinsrw mm", { 0x0f, 0xc4 }, 2, 0, 0, S4, T_MODRM | T_IB | T_X87 },
	{ "pextrw mm", { 0x0f, 0xc5 }, 2, 0, 0, S4, T_MODRM | T_IB | T_REG | T_X87 },
	{ "pmovmskb mm", { 0x0f, 0xd7 }, 2, 0, 0, S4, T_MODRM | T_REG | T_X87 },
	{ "emms", { 0x0f, 0x77 }, 2, 0, 0, S4, T_X87 },
};

static void test_mmx(void **state)
{
	static struct tmpl t[sizeof(mmx_ops)];
	for (unsigned k = 0; k < sizeof(mmx_ops); k++)
		t[k] = (struct tmpl){ "mmx", { 0x0f, mmx_ops[k] }, 2, 0, 0, S4, T_MODRM | T_X87 };
	run_tmpls(t, sizeof(mmx_ops));
	run_tmpls(mmx_fixed_tmpls, sizeof(mmx_fixed_tmpls) / sizeof(mmx_fixed_tmpls[0]));
}

static void test_x87(void **state)
{
	run_tmpls(x87_tmpls, sizeof(x87_tmpls) / sizeof(x87_tmpls[0]));
	unsigned n = sizeof(x87_fixed) / 2;
	for (unsigned k = 0; k < n; k++)
		x87_fixed_tmpls[k] = (struct tmpl){ "x87 fixed", { x87_fixed[k][0], x87_fixed[k][1] },
			2, 0, 0, S4, T_X87 | T_FPVAL };
	run_tmpls(x87_fixed_tmpls, n);
}

static uint64_t seed;

static int setup(void **state)
{
	const char *s = getenv("SOFT_DIFF_SEED");
	if (s)
		rng_state = strtoull(s, NULL, 0) | 1;
	seed = rng_state;
	detect_host();
	if (!host_is_amd)
		fprintf(stderr, "soft-diff: host is not AMD: flags and results the SDM leaves undefined are not compared\n");
	icache = x86_icache_new();
	if (!icache)
		return -1;
	return nat_setup();
}

static int teardown(void **state)
{
	free(e.mem.buf);
	x86_icache_free(icache);
	fprintf(stderr, "soft-diff: %u cases compared with the host CPU (SOFT_DIFF_SEED=%#llx)\n",
		total_cases, (unsigned long long)seed);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_cases),
		cmocka_unit_test(test_integer),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_sse),
		cmocka_unit_test(test_x87),
		cmocka_unit_test(test_mmx),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
