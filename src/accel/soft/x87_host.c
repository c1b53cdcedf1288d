/* The host's x87 unit, used by exec_x87.c to compute results exactly:
 * each helper loads the guest's control word (exceptions masked) and
 * condition codes into an empty host stack, runs one operation on 80-bit
 * values, and returns the host status word taken right after it.
 */
#include "accel/soft/x87_host.h"

/* Load the guest's control word (exceptions masked) and condition codes
 * into the host unit, its stack empty: instructions that leave C0-C3
 * alone then leave the guest's. Returns the host's control word. */
static uint16_t hx_enter(const struct x86_fpu *fp)
{
	uint16_t save;
	uint32_t env[7] = { (uint32_t)(fp->fcw | 0x3f), fp->fsw & FSW_CC, 0xffff, 0, 0, 0, 0 };

	__asm__ volatile("fnstcw %0" : "=m"(save));
	__asm__ volatile("fldenv %0" : : "m"(env));
	return save;
}

static uint16_t hx_leave(uint16_t save)
{
	uint16_t sw;
	__asm__ volatile("fnstsw %0\n\tfnclex\n\tfldcw %1" : "=m"(sw) : "m"(save));
	return sw;
}

#define ARITH(insn) \
	__asm__ volatile("fldt %3\n\tfldt %2\n\t" insn " %%st(1), %%st\n\tfnstsw %1\n\t" \
			 "fstpt %0\n\tfstp %%st(0)" \
			 : "=m"(*(f80 *)r), "=m"(sw) : "m"(*(const f80 *)a), "m"(*(const f80 *)b))

/* r = a op b. The status word is taken right after the operation, before
 * the result is stored (which would reset C1). */
uint16_t hx_arith(int op, const struct x86_fpu *fp, const uint8_t *a, const uint8_t *b, uint8_t *r)
{
	uint16_t sw, save = hx_enter(fp);
	switch (op) {
	case OP_ADD: ARITH("fadd"); break;
	case OP_MUL: ARITH("fmul"); break;
	case OP_SUB: ARITH("fsub"); break;
	case OP_SUBR: ARITH("fsubr"); break;
	case OP_DIV: ARITH("fdiv"); break;
	default: ARITH("fdivr"); break;
	}
	return (uint16_t)(sw | (hx_leave(save) & 0x7f));
}
#undef ARITH

/* ST0 op memory, with the memory operand in its own format (kind 0
 * m32fp, 1 m32int, 2 m64fp, 3 m16int), as one host instruction so that
 * denormal and invalid-operand reporting is the hardware's. For compares
 * (OP_COM/OP_COMP) the condition codes come back in the status word. */
#define MEMOP(insn, T) \
	__asm__ volatile("fldt %2\n\t" insn " %3\n\tfnstsw %1\n\tfstpt %0" \
			 : "=m"(*(f80 *)r), "=m"(sw) : "m"(*(const f80 *)a), "m"(*(const T *)m))
#define MEMCMP(insn, T) \
	__asm__ volatile("fldt %1\n\t" insn " %2\n\tfnstsw %0\n\tfstp %%st(0)" \
			 : "=m"(sw) : "m"(*(const f80 *)a), "m"(*(const T *)m))
#define MEM4(op, s32, i32, s64, i16) \
	case op: \
		switch (kind) { \
		case 0: MEMOP(s32, uint32_t); break; \
		case 1: MEMOP(i32, uint32_t); break; \
		case 2: MEMOP(s64, uint64_t); break; \
		default: MEMOP(i16, uint16_t); break; \
		} \
		break

uint16_t hx_arith_mem(int op, int kind, const struct x86_fpu *fp, const uint8_t *a,
			     const void *m, uint8_t *r)
{
	uint16_t sw = 0, save = hx_enter(fp);
	switch (op) {
	MEM4(OP_ADD, "fadds", "fiaddl", "faddl", "fiadds");
	MEM4(OP_MUL, "fmuls", "fimull", "fmull", "fimuls");
	MEM4(OP_SUB, "fsubs", "fisubl", "fsubl", "fisubs");
	MEM4(OP_SUBR, "fsubrs", "fisubrl", "fsubrl", "fisubrs");
	MEM4(OP_DIV, "fdivs", "fidivl", "fdivl", "fidivs");
	MEM4(OP_DIVR, "fdivrs", "fidivrl", "fdivrl", "fidivrs");
	default: /* compares */
		switch (kind) {
		case 0: MEMCMP("fcoms", uint32_t); break;
		case 1: MEMCMP("ficoml", uint32_t); break;
		case 2: MEMCMP("fcoml", uint64_t); break;
		default: MEMCMP("ficoms", uint16_t); break;
		}
	}
	return (uint16_t)(sw | (hx_leave(save) & 0x7f));
}
#undef MEMOP
#undef MEMCMP
#undef MEM4

/* Compare a with b: returns C0/C2/C3 in FSW positions (and the host's
 * exception flags). `quiet`: FUCOM (only SNaN signals). */
uint16_t hx_compare(const struct x86_fpu *fp, const uint8_t *a, const uint8_t *b, bool quiet)
{
	bool z, p, cf;
	uint16_t save = hx_enter(fp);

	if (quiet)
		__asm__ volatile("fldt %4\n\tfldt %3\n\tfucomip %%st(1), %%st\n\tfstp %%st(0)"
				 : "=@ccz"(z), "=@ccp"(p), "=@ccc"(cf)
				 : "m"(*(const f80 *)a), "m"(*(const f80 *)b));
	else
		__asm__ volatile("fldt %4\n\tfldt %3\n\tfcomip %%st(1), %%st\n\tfstp %%st(0)"
				 : "=@ccz"(z), "=@ccp"(p), "=@ccc"(cf)
				 : "m"(*(const f80 *)a), "m"(*(const f80 *)b));
	uint16_t sw = hx_leave(save) & 0x7f;
	return (uint16_t)(sw | (cf ? FSW_C0 : 0) | (p ? FSW_C2 : 0) | (z ? FSW_C3 : 0));
}

/* Memory formats to 80 bits: kind 0 m32fp, 1 m32int, 2 m64fp, 3 m16int,
 * 4 m64int (FILD m64). */
uint16_t hx_load(int kind, const struct x86_fpu *fp, const void *m, uint8_t *r)
{
	uint16_t save = hx_enter(fp);
	switch (kind) {
	case 0: __asm__ volatile("flds %1\n\tfstpt %0" : "=m"(*(f80 *)r) : "m"(*(const uint32_t *)m)); break;
	case 1: __asm__ volatile("fildl %1\n\tfstpt %0" : "=m"(*(f80 *)r) : "m"(*(const uint32_t *)m)); break;
	case 2: __asm__ volatile("fldl %1\n\tfstpt %0" : "=m"(*(f80 *)r) : "m"(*(const uint64_t *)m)); break;
	case 3: __asm__ volatile("filds %1\n\tfstpt %0" : "=m"(*(f80 *)r) : "m"(*(const uint16_t *)m)); break;
	default: __asm__ volatile("fildll %1\n\tfstpt %0" : "=m"(*(f80 *)r) : "m"(*(const uint64_t *)m)); break;
	}
	return hx_leave(save);
}

/* 80 bits to memory formats: same kinds as hx_load. */
uint16_t hx_store(int kind, const struct x86_fpu *fp, const uint8_t *a, void *m)
{
	uint16_t save = hx_enter(fp);
	switch (kind) {
	case 0: __asm__ volatile("fldt %1\n\tfstps %0" : "=m"(*(uint32_t *)m) : "m"(*(const f80 *)a)); break;
	case 1: __asm__ volatile("fldt %1\n\tfistpl %0" : "=m"(*(uint32_t *)m) : "m"(*(const f80 *)a)); break;
	case 2: __asm__ volatile("fldt %1\n\tfstpl %0" : "=m"(*(uint64_t *)m) : "m"(*(const f80 *)a)); break;
	case 3: __asm__ volatile("fldt %1\n\tfistps %0" : "=m"(*(uint16_t *)m) : "m"(*(const f80 *)a)); break;
	default: __asm__ volatile("fldt %1\n\tfistpll %0" : "=m"(*(uint64_t *)m) : "m"(*(const f80 *)a)); break;
	}
	return hx_leave(save);
}

/* One-operand functions of ST0 and two-operand ones of (ST0, ST1). */
uint16_t hx_func(uint8_t modrm, const struct x86_fpu *fp, uint8_t *s0, uint8_t *s1)
{
	uint16_t sw = 0, save = hx_enter(fp);
	bool have_sw = false;
#define UN(insn) __asm__ volatile("fldt %0\n\t" insn "\n\tfnstsw %1\n\tfstpt %0" : "+m"(*(f80 *)s0), "=m"(sw)); have_sw = true
#define BIN(insn) __asm__ volatile("fldt %1\n\tfldt %0\n\t" insn "\n\tfnstsw %2\n\tfstpt %0\n\tfstpt %1" : "+m"(*(f80 *)s0), "+m"(*(f80 *)s1), "=m"(sw)); have_sw = true
	switch (modrm) {
	case 0xfa: UN("fsqrt"); break;
	case 0xfc: UN("frndint"); break;
	case 0xfe: UN("fsin"); break;
	case 0xff: UN("fcos"); break;
	case 0xf0: UN("f2xm1"); break;
	case 0xfd: BIN("fscale"); break;
	case 0xf8: BIN("fprem"); break;
	case 0xf5: BIN("fprem1"); break;
	/* These leave their result in ST1 and pop: compute into s1. */
#define POP1(insn) __asm__ volatile("fldt %1\n\tfldt %0\n\t" insn "\n\tfnstsw %2\n\tfstpt %1" \
				   : "+m"(*(f80 *)s0), "+m"(*(f80 *)s1), "=m"(sw)); have_sw = true
	case 0xf3: POP1("fpatan"); break;
	case 0xf1: POP1("fyl2x"); break;
	case 0xf9: POP1("fyl2xp1"); break;
#undef POP1
	/* These push: s0 gets the new ST1 value, s1 the new ST0. */
	/* (Out of range, FPTAN and FSINCOS push nothing and the second
	 * store underflows: the status is taken before the stores.) */
#define PUSH2(insn) __asm__ volatile("fldt %0\n\t" insn "\n\tfnstsw %2\n\tfstpt %1\n\tfstpt %0" \
				    : "+m"(*(f80 *)s0), "=m"(*(f80 *)s1), "=m"(sw)); have_sw = true
	case 0xf2: PUSH2("fptan"); break;
	case 0xfb: PUSH2("fsincos"); break;
	case 0xf4: PUSH2("fxtract"); break;
#undef PUSH2
	/* Constants into s1. */
	case 0xe8: __asm__ volatile("fld1\n\tfstpt %0" : "=m"(*(f80 *)s1)); break;
	case 0xe9: __asm__ volatile("fldl2t\n\tfstpt %0" : "=m"(*(f80 *)s1)); break;
	case 0xea: __asm__ volatile("fldl2e\n\tfstpt %0" : "=m"(*(f80 *)s1)); break;
	case 0xeb: __asm__ volatile("fldpi\n\tfstpt %0" : "=m"(*(f80 *)s1)); break;
	case 0xec: __asm__ volatile("fldlg2\n\tfstpt %0" : "=m"(*(f80 *)s1)); break;
	case 0xed: __asm__ volatile("fldln2\n\tfstpt %0" : "=m"(*(f80 *)s1)); break;
	default: __asm__ volatile("fldz\n\tfstpt %0" : "=m"(*(f80 *)s1)); break;
	}
#undef UN
#undef BIN
	uint16_t end = hx_leave(save);
	return have_sw ? sw : end;
}

