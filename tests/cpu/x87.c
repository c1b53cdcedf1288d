/* x87 basics: loads of doubles, integers and constants, the four
 * arithmetic operations, square root, rounding to integer, comparisons
 * (FCOMI into RFLAGS, FCOM/FTST/FXAM into the status word), over every
 * pair of 16 edge doubles, under all four rounding modes (RC) and three
 * precisions (PC). st(0) is stored as a double, as 64/32/16-bit integers
 * (rounded by RC; out of range gives the integer indefinite) and as the
 * exact 80 bits. One CRC per instruction form; the status-word condition
 * bits the SDM leaves undefined go into the ".undef" CRC.
 */
#include "cpu_test.h"

const char ct_name[] = "x87";

struct x87_io {
	uint64_t a, b;
	int64_t i;
	uint16_t cw, pad0[3];
	uint8_t r80[16];
	uint64_t r64;
	int64_t i64;
	int32_t i32;
	int16_t i16;
	uint16_t sw1, sw2, pad1[3];
	uint64_t rfl;
	uint64_t op;
};
_Static_assert(__builtin_offsetof(struct x87_io, r80) == 32, "XO_R80");
_Static_assert(__builtin_offsetof(struct x87_io, i16) == 68, "XO_I16");
_Static_assert(__builtin_offsetof(struct x87_io, sw2) == 72, "XO_SW2");
_Static_assert(__builtin_offsetof(struct x87_io, rfl) == 80, "XO_RFL");

struct x87_op {
	const char *name;
	void (*fn)(struct x87_io *);
	uint32_t gen, undef_sw;
};

/* FPREM with an exponent difference above 63 computes only a partial
 * remainder, reduced by "an implementation-dependent number between 32 and
 * 63" (SDM vol. 2, FPREM): the whole result is model-specific. */
static bool fprem_partial(const struct x87_op *op, uint64_t a, uint64_t b)
{
	if (ct_strncmp(op->name, "fprem", 6) != 0)
		return false;
	int64_t ea = (int64_t)(a >> 52 & 0x7ff), eb = (int64_t)(b >> 52 & 0x7ff);
	if (ea == 0x7ff || eb == 0x7ff || (a << 1) == 0 || (b << 1) == 0)
		return false; /* NaN, infinity or zero: no reduction at all */
	if (ea == 0)
		ea = 1 - 52; /* denormals: roughly, their top bit is lower */
	if (eb == 0)
		eb = 1 - 52;
	return ea - eb > 63 - 2;
}
extern const struct x87_op x87_ops_start[], x87_ops_end[];

#define P_AB 0
#define P_A 1
#define P_NONE 2
#define P_I 3

/* After FST/FIST/FSTP "C0, C2, C3 undefined" (SDM vol. 2, Flags
 * Affected). */
#define SW_C023 0x4500u

static const uint64_t doubles[16] = {
	0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull,
	0xbff8000000000000ull, 0x0000000000000001ull, 0x0010000000000000ull,
	0x7fefffffffffffffull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
	0x7ff8000000000000ull, 0x7ff4000000000001ull, 0x400921fb54442d18ull,
	0x3fd5555555555555ull, 0x43e0000000000000ull, 0xc1e0000000200000ull,
	0x40f86a0000000001ull, /* 100000.00000000001: rounds to 100000 */
};

static const int64_t ints[16] = {
	0, 1, -1, 32767, -32768, 32768, 2147483647, -2147483647 - 1,
	2147483648ll, 0x7fffffffffffffffll, -0x7fffffffffffffffll - 1,
	0x0020000000000001ll, 12345, -98765, 0x123456789abcdefll, 3,
};

static void run_form(void *arg)
{
	struct x87_io *io = arg;
	((const struct x87_op *)io->op)->fn(io);
}

static void run_op(const struct x87_op *op)
{
	uint32_t crc = 0, ucrc = 0;
	/* Quick mode: +0, -0, -1.5, denormal, largest, +inf, quiet NaN, pi. */
	static const uint8_t pick[8] = { 0, 1, 3, 4, 6, 7, 9, 11 };
	for (int ii = 0; ii < ct_count(); ii++) {
		int i = ct_index(ii, pick);
		for (int jj = 0; jj < ct_count(); jj++) {
			int j = ct_index(jj, pick);
			if (op->gen != P_AB && j > 0)
				continue;
			if (op->gen == P_NONE && i > 0)
				continue;
			for (uint16_t pc = 0; pc < 3; pc++) {
				for (uint16_t rc = 0; rc < 4; rc++) {
					static const uint16_t pcs[3] = { 3, 2, 0 };
					struct x87_io io;
					ct_memset(&io, 0, sizeof(io));
					io.a = doubles[i];
					io.b = doubles[j];
					io.i = ints[op->gen == P_I ? i : j];
					io.cw = (uint16_t)(0x7f | pcs[pc] << 8 | rc << 10);
					io.op = (uint64_t)op;
					int vec = ct_try(run_form, &io);
					struct {
						int64_t vec;
						uint8_t r80[10], pad[6];
						uint64_t r64;
						int64_t i64;
						int32_t i32;
						int32_t i16;
						uint32_t sw1, sw2;
						uint64_t rfl;
					} out;
					ct_memset(&out, 0, sizeof(out));
					out.vec = vec;
					uint32_t u[2] = { 0, 0 };
					uint32_t partial = 0;
					if (vec < 0 && fprem_partial(op, io.a, io.b)) {
						io.op = 0;
						/* Only the arithmetic flags: IF and the
						 * rest differ between a guest at CPL 0
						 * (POPF cleared IF) and a process. */
						io.rfl &= FL_ARITH;
						partial = ct_crc32(0, &io, sizeof(io));
						vec = -2;
					}
					if (vec == -1) {
						ct_memcpy(out.r80, io.r80, 10);
						out.r64 = io.r64;
						out.i64 = io.i64;
						out.i32 = io.i32;
						out.i16 = io.i16;
						out.sw1 = io.sw1 & ~op->undef_sw;
						out.sw2 = io.sw2 & ~SW_C023;
						out.rfl = io.rfl & FL_ARITH;
						u[0] = io.sw1 & op->undef_sw;
						u[1] = io.sw2 & SW_C023;
					}
					crc = ct_crc32(crc, &out, sizeof(out));
					ucrc = ct_crc32(ucrc, u, sizeof(u));
					ucrc = ct_crc32(ucrc, &partial, sizeof(partial));
					if (ct_verbose(op->name)) {
						uint64_t lo;
						uint16_t hi;
						ct_memcpy(&lo, out.r80, 8);
						ct_memcpy(&hi, out.r80 + 8, 2);
						ct_printf("KILN_CPU_DETAIL x87 %s a=%lx b=%lx i=%lx cw=%x -> #%d st=%x:%lx d=%lx q=%lx l=%x w=%x sw=%x/%x fl=%lx u=%x:%x\n",
							  op->name, io.a, io.b, (uint64_t)io.i, io.cw,
							  vec, hi, lo, out.r64, (uint64_t)out.i64,
							  (uint32_t)out.i32, (uint32_t)out.i16 & 0xffff,
							  out.sw1, out.sw2, out.rfl, u[0], u[1]);
					}
				}
			}
		}
	}
	ct_out(op->name, crc);
	ct_out2(op->name, "undef", ucrc);
}

void ct_main(void)
{
	for (const struct x87_op *op = x87_ops_start; op < x87_ops_end; op++)
		run_op(op);
}
