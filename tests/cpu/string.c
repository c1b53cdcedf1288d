/* String instructions with and without REP: MOVS, STOS, LODS, CMPS and
 * SCAS in every element size, REPE/REPNE, DF clear and set, counts from 0
 * (nothing happens) to 100 elements, source and destination disjoint,
 * overlapping either way, or the same, and 32-bit addressing. Each case
 * leaves rsi and rdi (as offsets into the arena), rcx, rax, the flags
 * and a CRC of the arena; one CRC per instruction form of all of them.
 */
#include "cpu_test.h"

const char ct_name[] = "string";

struct str_io {
	uint64_t si, di, c, a, fl;
	uint64_t rsi, rdi, rc, ra, rfl;
};

struct str_op {
	const char *name;
	void (*fn)(struct str_io *);
	uint32_t size, flags;
};
#define S_A32 1
extern const struct str_op str_ops_start[], str_ops_end[];

#define ARENA 4096
static uint8_t arena[ARENA] __attribute__((aligned(64)));

static const uint64_t counts[] = { 0, 1, 2, 7, 33, 100 };
/* Destination offset from the source: disjoint (same data: the arena's
 * pattern repeats every 64 bytes), overlapping above, below, the same. */
static const int64_t layouts[] = { 512, 3, -5, 0 };
#define SRC 2048

static void fill(uint64_t mutate_at)
{
	for (int i = 0; i < ARENA; i++)
		arena[i] = (uint8_t)((i % 64) * 37 + 11);
	arena[mutate_at] ^= 0x5a;
}

static void run_form(void *arg)
{
	struct str_io *io = arg;
	const struct str_op *op = (const struct str_op *)io->rfl;
	op->fn(io);
}

static void run_op(const struct str_op *op)
{
	uint32_t crc = 0;
	uint64_t base = (uint64_t)arena;

	for (unsigned int ci = 0; ci < sizeof(counts) / sizeof(counts[0]); ci++) {
		for (unsigned int li = 0; li < sizeof(layouts) / sizeof(layouts[0]); li++) {
			for (int df = 0; df < 2; df++) {
				uint64_t n = counts[ci];
				uint64_t dst = (uint64_t)((int64_t)SRC + layouts[li]);
				fill(dst + n * op->size / 2);
				uint64_t a;
				ct_memcpy(&a, arena + SRC + 8, sizeof(a));
				struct str_io io = {
					.si = base + SRC,
					.di = base + dst,
					.c = n,
					.a = a ^ (df ? 0 : 0xff00),
					.fl = FL_FIXED | (df ? FL_DF : 0) |
					      (li & 1 ? FL_ARITH : 0),
				};
				if (op->flags & S_A32)
					io.c |= 0xabcd000000000000ull;
				struct str_io in = io;
				io.rfl = (uint64_t)op;
				int vec = ct_try(run_form, &io);
				uint64_t out[7] = {
					(uint64_t)(int64_t)vec,
					io.rsi - base, io.rdi - base, io.rc, io.ra,
					io.rfl & (FL_ARITH | FL_DF),
					ct_crc32(0, arena, ARENA),
				};
				if (vec >= 0)
					out[1] = out[2] = out[3] = out[4] = out[5] = 0;
				crc = ct_crc32(crc, out, sizeof(out));
				if (ct_verbose(op->name))
					ct_printf("KILN_CPU_DETAIL string %s n=%lu dst=%ld df=%d fl=%lx a=%lx -> #%d si=%lx di=%lx c=%lx a=%lx fl=%lx mem=%lx\n",
						  op->name, n, layouts[li], df, in.fl,
						  in.a, vec, out[1], out[2], out[3],
						  out[4], out[5], out[6]);
			}
		}
	}
	ct_out(op->name, crc);
}

void ct_main(void)
{
	for (const struct str_op *op = str_ops_start; op < str_ops_end; op++)
		run_op(op);
}
