/* The harness for generated sequences (gen.py): for each sequence, fill
 * the arena from the seed, run it, and print one CRC of what it left
 * (registers but rsp and r15, the arithmetic flags and DF, MXCSR, xmm0-7,
 * the arena) with the SDM-undefined parts the generator tracked (taint)
 * left out, and a second CRC of those parts (".undef"). Verbose mode
 * (verbose=<seq number> or CT_VERBOSE) prints every value of a sequence.
 */
#include "cpu_test.h"

#define ARENA 512

struct gen_state {
	uint8_t xmm[8][16];
	uint64_t regs[16];
	uint64_t flags;
	uint32_t mxcsr, pad0;
	uint8_t pad1[112];
	uint8_t arena[ARENA];
} __attribute__((aligned(16)));
_Static_assert(__builtin_offsetof(struct gen_state, arena) == 384, "gen.py DUMP_XMM");
_Static_assert(__builtin_offsetof(struct gen_state, regs) == 384 - 256, "gen.py DUMP_REGS");
_Static_assert(__builtin_offsetof(struct gen_state, flags) == 384 - 128, "gen.py DUMP_FLAGS");
_Static_assert(__builtin_offsetof(struct gen_state, mxcsr) == 384 - 120, "gen.py DUMP_MXCSR");

struct gen_seq {
	void (*fn)(struct gen_state *);
	uint64_t taint_regs; /* bits 0-15 GPRs by number, 16-23 xmm, 24 MXCSR */
	uint64_t taint_flags;
	uint64_t taint_mem;  /* one bit per 8-byte arena slot */
};
extern const struct gen_seq gen_seqs[];
extern const uint32_t gen_nseqs;
extern const uint64_t gen_seed;

static struct gen_state state;

static void run_seq(void *arg)
{
	((const struct gen_seq *)arg)->fn(&state);
}

void ct_main(void)
{
	for (uint32_t k = 0; k < gen_nseqs; k++) {
		const struct gen_seq *s = &gen_seqs[k];
		uint64_t rnd = gen_seed * 0x9e3779b97f4a7c15ull + k + 1;
		ct_memset(&state, 0, sizeof(state));
		for (int i = 0; i < ARENA; i += 8) {
			uint64_t v = ct_rand(&rnd);
			ct_memcpy(state.arena + i, &v, 8);
		}
		int vec = ct_try(run_seq, (void *)s);

		uint64_t undef_flags = s->taint_flags;
		uint64_t regs[16], uregs[16];
		for (int i = 0; i < 16; i++) {
			bool t = s->taint_regs >> i & 1;
			regs[i] = t ? 0 : state.regs[i];
			uregs[i] = t ? state.regs[i] : 0;
		}
		uint64_t fl = state.flags & (FL_ARITH | FL_DF);
		uint32_t crc = ct_crc32(0, &vec, sizeof(vec));
		uint32_t ucrc = 0;
		crc = ct_crc32(crc, regs, sizeof(regs));
		ucrc = ct_crc32(ucrc, uregs, sizeof(uregs));
		uint64_t dfl = fl & ~undef_flags, ufl = fl & undef_flags;
		crc = ct_crc32(crc, &dfl, sizeof(dfl));
		ucrc = ct_crc32(ucrc, &ufl, sizeof(ufl));
		if (s->taint_regs >> 24 & 1)
			ucrc = ct_crc32(ucrc, &state.mxcsr, sizeof(state.mxcsr));
		else
			crc = ct_crc32(crc, &state.mxcsr, sizeof(state.mxcsr));
		for (int i = 0; i < 8; i++) {
			bool t = s->taint_regs >> (16 + i) & 1;
			if (t)
				ucrc = ct_crc32(ucrc, state.xmm[i], 16);
			else
				crc = ct_crc32(crc, state.xmm[i], 16);
		}
		for (int i = 0; i < ARENA / 8; i++) {
			if (s->taint_mem >> i & 1)
				ucrc = ct_crc32(ucrc, state.arena + 8 * i, 8);
			else
				crc = ct_crc32(crc, state.arena + 8 * i, 8);
		}
		char key[16];
		int n = 0;
		uint32_t kk = k;
		char digits[12];
		do {
			digits[n++] = (char)('0' + kk % 10);
			kk /= 10;
		} while (kk);
		for (int i = 0; i < n; i++)
			key[i] = digits[n - 1 - i];
		key[n] = 0;
		ct_out(key, crc);
		if (s->taint_regs || s->taint_flags || s->taint_mem)
			ct_out2(key, "undef", ucrc);
		if (ct_verbose(key)) {
			static const char *const names[16] = {
				"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
				"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
			};
			ct_printf("KILN_CPU_DETAIL %s %s #%d fl=%lx u=%lx mxcsr=%x mem=%x taint=%lx/%lx\n",
				  ct_name, key, vec, dfl, ufl, state.mxcsr,
				  ct_crc32(0, state.arena, ARENA), s->taint_regs,
				  s->taint_mem);
			for (int i = 0; i < 16; i++)
				if (i != 4 && i != 15)
					ct_printf("KILN_CPU_DETAIL %s %s %s=%lx%s\n", ct_name,
						  key, names[i], state.regs[i],
						  s->taint_regs >> i & 1 ? " u" : "");
			for (int i = 0; i < 8; i++) {
				uint64_t q[2];
				ct_memcpy(q, state.xmm[i], 16);
				ct_printf("KILN_CPU_DETAIL %s %s xmm%d=%lx:%lx%s\n", ct_name, key,
					  i, q[1], q[0], s->taint_regs >> (16 + i) & 1 ? " u" : "");
			}
		}
	}
}
