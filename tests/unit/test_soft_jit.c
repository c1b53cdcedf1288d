/* The translator (src/accel/soft/jit.c) against the interpreted blocks:
 * random runs of the instructions it translates (every ALU form and
 * size, MOV, LEA, INC/DEC, NEG/NOT, shifts and rotates, IMUL, MOVZX/
 * MOVSX, CMOVcc/SETcc, BSWAP, CBW/CWD, NOPs, Jcc), mixed with ones it
 * hands to their handlers (loads, stores, read-modify-writes, BT, XCHG,
 * high-byte registers) and a load that may fault, run in long mode from
 * random registers and flags, once translated and once interpreted: the
 * registers, RIP, RFLAGS, the instruction count, the exit and the memory
 * written must be the same, also under budgets that end a run early.
 * And a translated store into its own block.
 * SOFT_JIT_CASES sets the number of runs (default 3000), SOFT_JIT_SEED
 * the random seed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "soft_sys.h"
#include "accel/soft/block.h"
#include "accel/soft/jit.h"

static struct sys S;
static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned pick(unsigned n) { return (unsigned)(rnd() % n); }

/* Registers the random code may write: not R14 (a pointer that may
 * fault) nor R15 (the data pointer). */
static unsigned any_reg(void) { return pick(14); }

struct code {
	uint8_t b[4096];
	unsigned n;
};

static void put(struct code *c, uint8_t v) { c->b[c->n++] = v; }
static void put_le(struct code *c, uint64_t v, unsigned len)
{
	for (unsigned k = 0; k < len; k++)
		put(c, (uint8_t)(v >> (8 * k)));
}

/* Prefixes for operand size `sz` and registers reg (ModRM.reg) and rm. */
static void pfx(struct code *c, unsigned sz, unsigned reg, unsigned rm, bool need_rex)
{
	if (sz == 2)
		put(c, 0x66);
	uint8_t rex = (uint8_t)(0x40 | (sz == 8 ? 8 : 0) | (reg & 8 ? 4 : 0) | (rm & 8 ? 1 : 0));
	if (rex != 0x40 || need_rex)
		put(c, rex);
}

static unsigned any_size(void)
{
	static const unsigned s[] = { 1, 2, 4, 8, 4, 8 };
	return s[pick(6)];
}

/* One random instruction. */
static void one(struct code *c)
{
	unsigned r = any_reg(), m = any_reg(), sz = any_size();
	bool rex = pick(2); /* byte forms: SPL-DIL, or AH-BH without it */
	unsigned w = sz == 1 ? 0 : 1;
	uint8_t modrm = (uint8_t)(0xc0 | (r & 7) << 3 | (m & 7));

	switch (pick(28)) {
	case 0: case 1: case 2: /* ALU r/m, r and r, r/m */
		pfx(c, sz, r, m, rex);
		put(c, (uint8_t)(pick(8) << 3 | pick(2) << 1 | w));
		put(c, modrm);
		break;
	case 3: /* ALU r/m, imm */
		pfx(c, sz, 0, m, rex);
		if (sz == 1) {
			put(c, 0x80); put(c, (uint8_t)(0xc0 | pick(8) << 3 | (m & 7))); put_le(c, rnd(), 1);
		} else if (pick(2)) {
			put(c, 0x83); put(c, (uint8_t)(0xc0 | pick(8) << 3 | (m & 7))); put_le(c, rnd(), 1);
		} else {
			put(c, 0x81); put(c, (uint8_t)(0xc0 | pick(8) << 3 | (m & 7))); put_le(c, rnd(), sz == 2 ? 2 : 4);
		}
		break;
	case 4: /* ALU AL/eAX, imm; TEST */
		pfx(c, sz, 0, 0, false);
		if (pick(4)) {
			put(c, (uint8_t)(pick(8) << 3 | 4 | w));
		} else {
			put(c, (uint8_t)(0xa8 | w));
		}
		put_le(c, rnd(), sz == 1 ? 1 : sz == 2 ? 2 : 4);
		break;
	case 5: /* TEST r/m, r; TEST r/m, imm */
		pfx(c, sz, r, m, rex);
		if (pick(2)) {
			put(c, (uint8_t)(0x84 | w)); put(c, modrm);
		} else {
			put(c, (uint8_t)(0xf6 | w)); put(c, (uint8_t)(0xc0 | (m & 7)));
			put_le(c, rnd(), sz == 1 ? 1 : sz == 2 ? 2 : 4);
		}
		break;
	case 6: /* MOV */
		pfx(c, sz, r, m, rex);
		switch (pick(3)) {
		case 0: put(c, (uint8_t)(0x88 | pick(2) << 1 | w)); put(c, modrm); break;
		case 1: put(c, (uint8_t)(0xc6 | w)); put(c, (uint8_t)(0xc0 | (m & 7)));
			put_le(c, rnd(), sz == 1 ? 1 : sz == 2 ? 2 : 4); break;
		default: put(c, (uint8_t)((w ? 0xb8 : 0xb0) | (m & 7)));
			put_le(c, rnd(), sz == 1 ? 1 : sz); break;
		}
		break;
	case 7: { /* LEA with any base, index, scale, displacement, size */
		if (pick(3) == 0)
			put(c, 0x67);
		if (sz == 1)
			sz = 8;
		unsigned base = pick(16), idx = pick(16);
		if (sz == 2)
			put(c, 0x66);
		put(c, (uint8_t)(0x40 | (sz == 8 ? 8 : 0) | (r & 8 ? 4 : 0) | (idx & 8 ? 2 : 0) | (base & 8 ? 1 : 0)));
		put(c, 0x8d);
		if (pick(4) == 0) { /* RIP-relative */
			put(c, (uint8_t)(0x05 | (r & 7) << 3)); put_le(c, rnd(), 4);
		} else {
			unsigned mod = pick(3);
			put(c, (uint8_t)(mod << 6 | (r & 7) << 3 | 4));
			put(c, (uint8_t)(pick(4) << 6 | (idx & 7) << 3 | (base & 7)));
			if (mod == 1)
				put_le(c, rnd(), 1);
			else if (mod == 2 || (base & 7) == 5)
				put_le(c, rnd(), 4);
		}
		break;
	}
	case 8: /* INC, DEC, NOT, NEG */
		pfx(c, sz, 0, m, rex);
		if (pick(2)) {
			put(c, (uint8_t)(0xfe | w)); put(c, (uint8_t)(0xc0 | pick(2) << 3 | (m & 7)));
		} else {
			put(c, (uint8_t)(0xf6 | w)); put(c, (uint8_t)(0xc0 | (2 + pick(2)) << 3 | (m & 7)));
		}
		break;
	case 9: case 10: case 11: { /* shifts and rotates */
		pfx(c, sz, 0, m, rex);
		uint8_t ext = (uint8_t)(0xc0 | pick(8) << 3 | (m & 7));
		switch (pick(3)) {
		case 0: put(c, (uint8_t)(0xc0 | w)); put(c, ext); put(c, (uint8_t)(pick(3) ? pick(8) : rnd())); break;
		case 1: put(c, (uint8_t)(0xd0 | w)); put(c, ext); break;
		default: put(c, (uint8_t)(0xd2 | w)); put(c, ext); break;
		}
		break;
	}
	case 12: /* IMUL */
		if (sz == 1)
			sz = 4;
		pfx(c, sz, r, m, false);
		switch (pick(3)) {
		case 0: put(c, 0x0f); put(c, 0xaf); put(c, modrm); break;
		case 1: put(c, 0x6b); put(c, modrm); put_le(c, rnd(), 1); break;
		default: put(c, 0x69); put(c, modrm); put_le(c, rnd(), sz == 2 ? 2 : 4); break;
		}
		break;
	case 13: /* MOVZX, MOVSX, MOVSXD */
		if (sz == 1)
			sz = 4;
		pfx(c, sz, r, m, rex);
		if (sz == 8 && pick(4) == 0) {
			put(c, 0x63);
		} else {
			put(c, 0x0f); put(c, (uint8_t)(0xb6 | pick(2) << 3 | pick(2)));
		}
		put(c, modrm);
		break;
	case 14: /* CMOVcc */
		if (sz == 1)
			sz = 4;
		pfx(c, sz, r, m, false);
		put(c, 0x0f); put(c, (uint8_t)(0x40 | pick(16))); put(c, modrm);
		break;
	case 15: /* SETcc */
		pfx(c, 1, 0, m, rex);
		put(c, 0x0f); put(c, (uint8_t)(0x90 | pick(16))); put(c, (uint8_t)(0xc0 | (m & 7)));
		break;
	case 16: /* BSWAP, CBW/CWDE/CDQE, CWD/CDQ/CQO, NOPs */
		switch (pick(4)) {
		case 0: pfx(c, sz < 4 ? 4 : sz, 0, m, false); put(c, 0x0f); put(c, (uint8_t)(0xc8 | (m & 7))); break;
		case 1: pfx(c, sz == 1 ? 2 : sz, 0, 0, false); put(c, (uint8_t)(0x98 | pick(2))); break;
		case 2: put(c, 0x90); break;
		default: put(c, 0x0f); put(c, 0x1f); put(c, 0x44); put(c, 0x00); put(c, 0x00); break;
		}
		break;
	case 17: case 18: { /* loads, stores, read-modify-writes through R15 */
		static const uint8_t ops[] = { 0x8b, 0x89, 0x03, 0x01, 0x33, 0x39 };
		put(c, (uint8_t)(0x41 | (pick(2) ? 8 : 0) | (r & 8 ? 4 : 0)));
		put(c, ops[pick(6)]);
		put(c, (uint8_t)(0x47 | (r & 7) << 3));
		put(c, (uint8_t)(pick(16) * 8)); /* 0-120: inside the 256 bytes reset */
		break;
	}
	case 22: /* MOVZX loads through R15, some with a 32-bit address */
		if (pick(4) == 0)
			put(c, 0x67);
		put(c, (uint8_t)(0x41 | (pick(2) ? 8 : 0) | (r & 8 ? 4 : 0)));
		put(c, 0x0f); put(c, (uint8_t)(0xb6 | pick(2)));
		put(c, (uint8_t)(0x47 | (r & 7) << 3));
		put(c, (uint8_t)(pick(128)));
		break;
	case 23: /* loads and stores through FS (base 0x40) */
		put(c, 0x64);
		put(c, (uint8_t)(0x41 | (pick(2) ? 8 : 0) | (r & 8 ? 4 : 0)));
		put(c, pick(2) ? 0x8b : 0x89);
		put(c, (uint8_t)(0x47 | (r & 7) << 3));
		put(c, (uint8_t)(pick(16) * 8));
		break;
	case 19: /* a load or store through R14, which may fault */
		if (pick(2)) {
			put(c, (uint8_t)(0x49 | (r & 8 ? 4 : 0))); put(c, 0x89); put(c, (uint8_t)(0x06 | (r & 7) << 3));
			break;
		}
		put(c, (uint8_t)(0x49 | (r & 8 ? 4 : 0))); put(c, 0x8b); put(c, (uint8_t)(0x06 | (r & 7) << 3));
		break;
	case 20: /* handled by the interpreter: BT, XCHG */
		if (sz < 4)
			sz = 4;
		pfx(c, sz, r, m, false);
		if (pick(2)) {
			put(c, 0x0f); put(c, 0xa3);
		} else {
			put(c, 0x87);
		}
		put(c, modrm);
		break;
	case 21: { /* SSE register forms in the 0F map beside the ones
		    * translated: handlers, never mistaken for BSWAP/CMOV */
		static const uint8_t op2[] = { 0xe6, 0xef, 0xfe, 0xd4, 0xc6, 0x2a, 0x2d };
		uint8_t o = op2[pick(7)];
		put(c, o == 0xe6 || o == 0x2d ? 0xf2 : 0x66);
		if (o == 0x2a || o == 0x2d)
			put(c, (uint8_t)(0x48 | (r & 8 ? 4 : 0) | (m & 8 ? 1 : 0)));
		put(c, 0x0f); put(c, o); put(c, modrm);
		if (o == 0xc6)
			put(c, (uint8_t)pick(4));
		break;
	}
	default: /* the common 32/64-bit ALU forms, more often */
		pfx(c, pick(2) ? 8 : 4, r, m, false);
		put(c, (uint8_t)(pick(8) << 3 | 1 | pick(2) << 1));
		put(c, modrm);
		break;
	}
}

/* A random block-sized run: instructions, some Jcc over the next one,
 * then HLT. */
static void gen(struct code *c, unsigned count)
{
	c->n = 0;
	for (unsigned k = 0; k < count; k++) {
		if (pick(6) == 0) {
			struct code next = { .n = 0 };
			one(&next);
			put(c, (uint8_t)(0x70 | pick(16)));
			put(c, (uint8_t)next.n);
			memcpy(c->b + c->n, next.b, next.n);
			c->n += next.n;
		} else {
			one(c);
		}
	}
	put(c, 0xf4);
}

struct result {
	uint64_t gpr[16], rip, rflags, icount;
	int exit;
	uint8_t data[256];
};

static void run(const struct code *code, const uint64_t gpr[16], uint64_t flags,
		uint64_t budget, bool jit, struct result *out)
{
	struct x86_cpu *c = &S.cpu;
	struct x86_icache *ic = x86_icache_new();

	assert_non_null(ic);
	if (!jit) {
		x86_jit_free(ic->blocks->jit);
		ic->blocks->jit = NULL;
	} else {
		assert_non_null(ic->blocks->jit);
	}
	sys_long(&S, 0);
	memset(flat_at(&S.mem, DATA), 0x5a, 256);
	sys_load(&S, CODE, code->b, code->b + code->n);
	c->seg[X86_FS].base = 0x40;
	x86_cpu_set_platform(c, &flat_ops_cached, &S.mem, &flat_intc, &S.mem);
	c->icache = ic;
	memcpy(c->gpr, gpr, sizeof(c->gpr));
	x86_cpu_set_rflags(c, flags);
	c->rip = CODE;
	c->icount = 0;
	/* Twice: the second run finds the blocks built. */
	out->exit = x86_cpu_run(c, budget);
	if (out->exit == X86_EXIT_HLT) {
		c->halted = false;
		memcpy(c->gpr, gpr, sizeof(c->gpr));
		x86_cpu_set_rflags(c, flags);
		c->rip = CODE;
		c->icount = 0;
		memset(flat_at(&S.mem, DATA), 0x5a, 256);
		out->exit = x86_cpu_run(c, budget);
	}
	memcpy(out->gpr, c->gpr, sizeof(out->gpr));
	out->rip = c->rip;
	out->rflags = x86_cpu_get_rflags(c);
	out->icount = c->icount;
	memcpy(out->data, flat_at(&S.mem, DATA), sizeof(out->data));
	c->icache = NULL;
	x86_cpu_set_platform(c, &flat_ops, &S.mem, &flat_intc, &S.mem);
	x86_icache_free(ic);
}

static void dump(const struct code *code)
{
	fprintf(stderr, "code:");
	for (unsigned k = 0; k < code->n; k++)
		fprintf(stderr, " %02x", code->b[k]);
	fprintf(stderr, "\n");
}

static void test_random_blocks_match_interpreter(void **state)
{
	const char *env = getenv("SOFT_JIT_CASES");
	unsigned cases = env ? (unsigned)strtoul(env, NULL, 0) : 3000;
	unsigned translated = 0;

	env = getenv("SOFT_JIT_SEED");
	rng_state = env ? strtoull(env, NULL, 0) | 1 : 0x9e3779b97f4a7c15ull;
	for (unsigned t = 0; t < cases; t++) {
		struct code code;
		uint64_t gpr[16];
		for (unsigned k = 0; k < 16; k++) {
			uint64_t v = rnd();
			/* Small values too, for shift counts and carries. */
			gpr[k] = pick(4) == 0 ? v & 0xff : pick(8) == 0 ? ~0ull : v;
		}
		gpr[X86_R15] = DATA;
		gpr[X86_R14] = pick(8) ? DATA + 8 * pick(32) : 0x4000000ull;
		uint64_t flags = 0x202 | (rnd() & 0x8d5);
		gen(&code, 1 + pick(40));
		uint64_t budget = pick(4) ? 1000 : 1 + pick(40);

		struct result a, b;
		run(&code, gpr, flags, budget, true, &a);
		run(&code, gpr, flags, budget, false, &b);
		bool same = a.exit == b.exit && a.rip == b.rip && a.rflags == b.rflags &&
			    a.icount == b.icount && !memcmp(a.gpr, b.gpr, sizeof(a.gpr)) &&
			    !memcmp(a.data, b.data, sizeof(a.data));
		if (!same && getenv("SOFT_JIT_DEBUG")) {
			for (uint64_t bu = 1; bu < 64; bu++) {
				run(&code, gpr, flags, bu, true, &a);
				run(&code, gpr, flags, bu, false, &b);
				fprintf(stderr, "budget %llu: rip %#llx/%#llx flags %#llx/%#llx\n",
					(unsigned long long)bu, (unsigned long long)a.rip,
					(unsigned long long)b.rip, (unsigned long long)a.rflags,
					(unsigned long long)b.rflags);
			}
		}
		if (!same) {
			dump(&code);
			fprintf(stderr, "case %u: exit %d/%d rip %#llx/%#llx flags %#llx/%#llx icount %llu/%llu\n",
				t, a.exit, b.exit, (unsigned long long)a.rip, (unsigned long long)b.rip,
				(unsigned long long)a.rflags, (unsigned long long)b.rflags,
				(unsigned long long)a.icount, (unsigned long long)b.icount);
			for (unsigned k = 0; k < 16; k++)
				if (a.gpr[k] != b.gpr[k])
					fprintf(stderr, "  r%u %#llx/%#llx\n", k,
						(unsigned long long)a.gpr[k], (unsigned long long)b.gpr[k]);
		}
		assert_true(same);
		translated += a.exit == X86_EXIT_HLT;
	}
	/* Most runs reach their HLT (the rest fault or run out of budget). */
	assert_true(translated > cases / 2);
}

/* A register loop gets translations, counts every instruction exactly
 * and stops at an exact budget. */
static void test_loop_is_translated_and_counted(void **state)
{
	/* mov $1000, %ecx; 1: add %rcx, %rax; dec %ecx; jnz 1b; hlt */
	static const uint8_t loop[] = { 0xb9, 0xe8, 0x03, 0x00, 0x00, 0x48, 0x01, 0xc8,
					0xff, 0xc9, 0x75, 0xf9, 0xf4 };
	struct x86_cpu *c = &S.cpu;
	struct x86_icache *ic = x86_icache_new();

	assert_non_null(ic);
	assert_non_null(ic->blocks->jit);
	sys_long(&S, 0);
	sys_load(&S, CODE, loop, loop + sizeof(loop));
	x86_cpu_set_platform(c, &flat_ops_cached, &S.mem, &flat_intc, &S.mem);
	c->icache = ic;
	c->gpr[X86_RAX] = 0;
	c->rip = CODE;
	c->icount = 0;
	assert_int_equal(x86_cpu_run(c, 100000), X86_EXIT_HLT);
	assert_int_equal(c->gpr[X86_RAX], 1000 * 1001 / 2);
	assert_int_equal(c->icount, 1 + 3 * 1000 + 1);
	assert_int_equal(c->rip, CODE + sizeof(loop));
	assert_true(ic->blocks->jit->used > 0);
	/* The budget stops it between blocks, exactly. */
	c->halted = false;
	c->rip = CODE;
	c->icount = 0;
	assert_int_equal(x86_cpu_run(c, 301), X86_EXIT_BUDGET);
	assert_int_equal(c->icount, 301);
	c->icache = NULL;
	x86_cpu_set_platform(c, &flat_ops, &S.mem, &flat_intc, &S.mem);
	x86_icache_free(ic);
}

/* A translated store into its own block's code: the block stops after
 * it and the new bytes run (the store misses the TLB on a watched page,
 * its handler reports the write, the block is dropped). */
static void test_store_into_own_block(void **state)
{
	static const uint8_t code[] = {
		0x48, 0x8d, 0x1d, 0x09, 0x00, 0x00, 0x00, /* lea 9(%rip), %rbx: the imm below */
		0xc7, 0xc0, 0x2a, 0x00, 0x00, 0x00,       /* mov $42, %eax */
		0x89, 0x03,                               /* mov %eax, (%rbx) */
		0xb9, 0x01, 0x00, 0x00, 0x00,             /* mov $1, %ecx */
		0xf4,                                     /* hlt */
	};
	struct x86_cpu *c = &S.cpu;
	struct x86_icache *ic = x86_icache_new();

	assert_non_null(ic);
	assert_non_null(ic->blocks->jit);
	sys_long(&S, 0);
	sys_load(&S, CODE, code, code + sizeof(code));
	x86_cpu_set_platform(c, &flat_ops_cached, &S.mem, &flat_intc, &S.mem);
	c->icache = ic;
	c->rip = CODE;
	c->icount = 0;
	assert_int_equal(x86_cpu_run(c, 100), X86_EXIT_HLT);
	assert_int_equal(c->gpr[X86_RCX], 42);
	assert_int_equal(c->icount, 5);
	assert_true(ic->invalidated >= 1);
	c->icache = NULL;
	x86_cpu_set_platform(c, &flat_ops, &S.mem, &flat_intc, &S.mem);
	x86_icache_free(ic);
}

static int setup(void **state)
{
	sys_init(&S);
	return 0;
}

static int teardown(void **state)
{
	flat_free(&S.mem);
	return 0;
}

int main(void)
{
	unsetenv("KILN_SOFT_JIT"); /* these tests are of the translator */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_random_blocks_match_interpreter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop_is_translated_and_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_into_own_block, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
