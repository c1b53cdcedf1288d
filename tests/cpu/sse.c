/* SSE and SSE2: the integer instructions glibc's string and memory
 * routines use (and their neighbours), scalar and packed double and
 * scalar single arithmetic, comparisons and conversions. Integer forms run
 * over every pair of 16 edge vectors; floating-point forms over every pair
 * of 16 edge values (zeros, denormals, infinities, quiet and signalling
 * NaNs, limits, inexact fractions) in each of the 4 MXCSR rounding modes.
 * Each execution leaves xmm0, xmm1, rax, MXCSR (exception flags), RFLAGS
 * and the memory operand; one CRC per instruction form.
 */
#include "cpu_test.h"

const char ct_name[] = "sse";

struct sse_io {
	uint8_t a[16], b[16], m[40];
	uint64_t g;
	uint32_t csr, pad0;
	uint32_t pad1[2];
	uint8_t ra[16], rb[16], rm[16];
	uint64_t rg;
	uint32_t rcsr, pad2;
	uint64_t rfl;
	uint64_t op;
} __attribute__((aligned(16)));

_Static_assert(__builtin_offsetof(struct sse_io, g) == 72, "XIO_G");
_Static_assert(__builtin_offsetof(struct sse_io, ra) == 96, "XIO_RA");
_Static_assert(__builtin_offsetof(struct sse_io, rg) == 144, "XIO_RG");
_Static_assert(__builtin_offsetof(struct sse_io, rfl) == 160, "XIO_RFL");

struct sse_op {
	const char *name;
	void (*fn)(struct sse_io *);
	uint32_t gen, pad;
};
extern const struct sse_op sse_ops_start[], sse_ops_end[];

#define X_INT 0
#define X_FP 1
#define X_CVT 2
#define X_FPS 3

#define MXCSR_DEFAULT 0x1f80u
#define MXCSR_RC_SHIFT 13

static const uint64_t doubles[16] = {
	0x0000000000000000ull, /* +0 */
	0x8000000000000000ull, /* -0 */
	0x3ff0000000000000ull, /* 1 */
	0xbff8000000000000ull, /* -1.5 */
	0x0000000000000001ull, /* smallest denormal */
	0x0010000000000000ull, /* smallest normal */
	0x7fefffffffffffffull, /* largest finite */
	0x7ff0000000000000ull, /* +inf */
	0xfff0000000000000ull, /* -inf */
	0x7ff8000000000000ull, /* quiet NaN */
	0x7ff4000000000001ull, /* signalling NaN */
	0x400921fb54442d18ull, /* pi */
	0x3fd5555555555555ull, /* 1/3 */
	0x43e0000000000000ull, /* 2^63 */
	0xc1e0000000200000ull, /* -2^31 - 1 */
	0x4330000000000003ull, /* 2^52 + 3 */
};

static const uint32_t floats[16] = {
	0x00000000, 0x80000000, 0x3f800000, 0xbfc00000, 0x00000001, 0x00800000,
	0x7f7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fa00001, 0x40490fdb,
	0x3eaaaaab, 0x5f000000, 0xcf000001, 0x4b000003,
};

static uint64_t ints[16];

static void edge_vectors(uint8_t v[16][16])
{
	uint64_t seed = 0x1234567;
	for (int i = 0; i < 16; i++)
		for (int k = 0; k < 16; k++)
			v[i][k] = (uint8_t)ct_rand(&seed);
	ct_memset(v[0], 0, 16);
	ct_memset(v[1], 0xff, 16);
	for (int k = 0; k < 16; k++) {
		v[2][k] = (uint8_t)k;             /* 00 01 .. 0f */
		v[3][k] = (uint8_t)(0x80 + k);    /* sign bits set */
		v[4][k] = k == 5 ? 0 : 'a' + k;   /* a string with a NUL */
		v[5][k] = 'a' + k;                /* the same without it */
		v[6][k] = (uint8_t)(k & 1 ? 0x7f : 0x80);
		v[7][k] = (uint8_t)(k & 1 ? 0xff : 0x01);
	}
	/* Vectors 8..15 random; 9 equal to 8 in its low half. */
	ct_memcpy(v[9], v[8], 8);
}

static void put_lo(uint8_t *dst, uint64_t lo, uint64_t hi)
{
	ct_memcpy(dst, &lo, 8);
	ct_memcpy(dst + 8, &hi, 8);
}

static void run_form(void *arg)
{
	struct sse_io *io = arg;
	((const struct sse_op *)io->op)->fn(io);
}

static uint32_t run_one(const struct sse_op *op, struct sse_io *io, uint32_t crc)
{
	struct sse_io in = *io;
	io->op = (uint64_t)op;
	int vec = ct_try(run_form, io);
	/* The memory operand M, whichever way it was written (aligned, or
	 * MU one byte on), and the first input (MASKMOVDQU's target). */
	ct_memcpy(io->rm, io->m, 16);
	struct {
		int64_t vec;
		uint8_t ra[16], rb[16], a[16], m[34];
		uint64_t rg, rcsr, rfl;
	} out;
	ct_memset(&out, 0, sizeof(out));
	out.vec = vec;
	if (vec < 0) {
		ct_memcpy(out.ra, io->ra, 16);
		ct_memcpy(out.rb, io->rb, 16);
		ct_memcpy(out.a, io->a, 16);
		ct_memcpy(out.m, io->m, 34);
		out.rg = io->rg;
		out.rcsr = io->rcsr;
		out.rfl = io->rfl & FL_ARITH;
	}
	if (ct_verbose(op->name)) {
		uint64_t a[2], b[2], ra[2], rb[2], m[2];
		ct_memcpy(a, in.a, 16);
		ct_memcpy(b, in.b, 16);
		ct_memcpy(ra, out.ra, 16);
		ct_memcpy(rb, out.rb, 16);
		ct_memcpy(m, out.m, 16);
		ct_printf("KILN_CPU_DETAIL sse %s a=%lx:%lx b=%lx:%lx g=%lx csr=%x -> #%ld a=%lx:%lx b=%lx:%lx m=%lx:%lx g=%lx csr=%lx fl=%lx\n",
			  op->name, a[1], a[0], b[1], b[0], in.g, in.csr, out.vec,
			  ra[1], ra[0], rb[1], rb[0], m[1], m[0], out.rg, out.rcsr,
			  out.rfl);
	}
	*io = in;
	return ct_crc32(crc, &out, sizeof(out));
}

static void run_op(const struct sse_op *op, uint8_t vecs[16][16])
{
	uint32_t crc = 0;
	/* Quick mode: the vectors 0, all ones, sign bits, a string with a NUL,
	 * alternating bytes, two random; the doubles +0, -0, -1.5, denormal,
	 * largest, +inf, quiet and signalling NaN. */
	static const uint8_t pick[8] = { 0, 1, 3, 4, 6, 7, 9, 10 };
	for (int ii = 0; ii < ct_count(); ii++) {
		int i = ct_index(ii, pick);
		for (int jj = 0; jj < ct_count(); jj++) {
			int j = ct_index(jj, pick);
			for (uint32_t rc = 0; rc < 4; rc++) {
				struct sse_io io;
				ct_memset(&io, 0, sizeof(io));
				io.csr = MXCSR_DEFAULT | rc << MXCSR_RC_SHIFT;
				io.g = 0x1122334455667788ull ^ ints[j];
				switch (op->gen) {
				case X_INT:
					if (rc)
						continue;
					ct_memcpy(io.a, vecs[i], 16);
					ct_memcpy(io.b, vecs[j], 16);
					break;
				case X_FP:
					put_lo(io.a, doubles[i], 0x4045000000000000ull + (uint64_t)j);
					put_lo(io.b, doubles[j], doubles[(i + j) & 15]);
					break;
				case X_FPS:
					put_lo(io.a, floats[i] | (uint64_t)floats[15 - j] << 32,
					       0x123456789abcdef0ull);
					put_lo(io.b, floats[j] | (uint64_t)floats[i] << 32,
					       0x0fedcba987654321ull);
					break;
				case X_CVT:
					if (j > 0)
						continue;
					put_lo(io.a, doubles[11], doubles[12]);
					io.g = ints[i];
					break;
				}
				ct_memcpy(io.m, io.b, 16);
				ct_memcpy(io.m + 17, io.b, 16);
				crc = run_one(op, &io, crc);
			}
		}
	}
	ct_out(op->name, crc);
}

void ct_main(void)
{
	static uint8_t vecs[16][16];
	static const uint64_t int_list[16] = {
		0, 1, 0xffffffffffffffffull, 0x7fffffffffffffffull,
		0x8000000000000000ull, 0x000000007fffffffull, 0x0000000080000000ull,
		0xffffffff80000000ull, 0x0020000000000001ull, 0x0020000000000003ull,
		0x123456789abcdefull, 0xfedcba9876543210ull, 3, 0xfffffffffffffffdull,
		0x00000000ffffffffull, 0x0000000100000001ull,
	};
	for (int i = 0; i < 16; i++)
		ints[i] = int_list[i];
	edge_vectors(vecs);
	for (const struct sse_op *op = sse_ops_start; op < sse_ops_end; op++)
		run_op(op, vecs);
}
