/* Integer ALU and flags: every instruction form in alu_ops.S over a table
 * of edge operands (0, 1, sign boundaries, all-ones, bit patterns, shift
 * counts, pseudo-random values), with the arithmetic flags all clear and
 * all set on entry. One CRC per instruction form of everything it left
 * (rax, rbx, rcx, rdx, the memory operand, the arithmetic flags, or the
 * exception it raised); what the SDM leaves undefined goes into a second
 * CRC, key ".undef", so two CPU models can still be compared.
 *
 * Nothing here is an expected value: the check is differential (the same
 * code on the host CPU, under KVM and on Kiln's software CPU).
 */
#include "alu.h"
#include "cpu_test.h"

const char ct_name[] = "alu";

struct alu_io {
	uint64_t a, b, c, d, fl;
	uint64_t op; /* the struct alu_op, for run_form (ct_try passes one pointer) */
	uint64_t m, m2;
	uint64_t ra, rb, rc, rd, rfl, pad;
} __attribute__((aligned(16)));

_Static_assert(__builtin_offsetof(struct alu_io, m) == IO_M, "IO_M");
_Static_assert(__builtin_offsetof(struct alu_io, rfl) == IO_RFL, "IO_RFL");
_Static_assert(sizeof(struct alu_io) == IO_SIZE, "IO_SIZE");

struct alu_op {
	const char *name;
	void (*fn)(struct alu_io *);
	uint32_t kind, size, form;
	int32_t imm;
};
extern const struct alu_op alu_ops_start[], alu_ops_end[];

#define NVALS 16

/* Garbage for the bits above the operand: narrow operations must keep
 * them (8/16-bit) or clear them (32-bit). */
#define HI_A 0x0123456789abcdefull
#define HI_B 0xfedcba9876543210ull
#define HI_C 0x5a5a5a5a5a5a5a00ull
#define HI_D 0xa5a5a5a5a5a5a5a5ull

static uint64_t size_mask(unsigned int size)
{
	return size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

/* The edge operands for one operand size. */
static void edge_values(unsigned int size, uint64_t v[NVALS])
{
	uint64_t mask = size_mask(size), msb = 1ull << (size * 8 - 1);
	uint64_t seed = 0x9e3779b97f4a7c15ull * size;
	unsigned int bits = size * 8;
	uint64_t list[NVALS] = {
		0, 1, 2, msb - 1, msb, msb + 1, mask, mask - 1,
		0x5555555555555555ull, 0xaaaaaaaaaaaaaaaaull, bits - 1, bits + 1,
		ct_rand(&seed), ct_rand(&seed), ct_rand(&seed), ct_rand(&seed),
	};
	for (int i = 0; i < NVALS; i++)
		v[i] = list[i] & mask;
}

static uint64_t with_hi(uint64_t v, uint64_t hi, unsigned int size)
{
	uint64_t mask = size_mask(size);
	return (hi & ~mask) | (v & mask);
}

/* ---- what the SDM leaves undefined ----
 *
 * The flags and results Intel's SDM (vol. 2, each instruction's "Flags
 * Affected") calls undefined, for the inputs of this execution. Only
 * these are masked out of the cross-CPU comparison; anything else that
 * differs is a bug in one of the CPUs.
 */
struct undef {
	uint64_t flags;    /* undefined RFLAGS bits */
	bool dest_a;       /* rax's result undefined */
	bool dest_m;       /* the memory operand's result undefined */
};

static struct undef undefined_part(const struct alu_op *op,
				   const struct alu_io *in)
{
	struct undef u = { 0, false, false };
	unsigned int bits = op->size * 8;
	unsigned int cmask = op->size == 8 ? 63 : 31;
	uint64_t count = (op->imm >= 0 ? (uint64_t)op->imm : in->c) & cmask;

	switch (op->kind) {
	case K_LOGIC:
		/* AND/OR/XOR/TEST: "OF and CF cleared; SF, ZF, PF set
		 * according to the result. AF is undefined." */
		u.flags = FL_AF;
		break;
	case K_SHL:
	case K_SAR:
		/* SAL/SAR/SHL/SHR: count 0 affects no flag. Otherwise "AF is
		 * undefined"; "OF affected only for 1-bit shifts, else
		 * undefined"; and for SHL/SHR "CF is undefined where the count
		 * is greater than or equal to the size (in bits) of the
		 * destination" (only reachable for 8/16-bit operands). */
		if (count == 0)
			break;
		u.flags = FL_AF;
		if (count != 1)
			u.flags |= FL_OF;
		if (op->kind == K_SHL && count >= bits)
			u.flags |= FL_CF;
		break;
	case K_ROT:
	case K_RCX:
		/* ROL/ROR/RCL/RCR: "If the masked count is 0, the flags are
		 * not affected. If the masked count is 1, then the OF flag is
		 * affected, otherwise (masked count is greater than 1) the OF
		 * flag is undefined." */
		if (count > 1)
			u.flags = FL_OF;
		break;
	case K_SHD:
		/* SHLD/SHRD: count 0 affects nothing; "If the count is greater
		 * than the operand size, the result is undefined" and so are
		 * the flags; otherwise AF undefined, and OF for counts above
		 * 1. (Only 16-bit operands can see a count above their size.) */
		if (count == 0)
			break;
		if (count > bits) {
			u.flags = FL_ARITH;
			u.dest_a = op->form != F_SHM;
			u.dest_m = op->form == F_SHM;
			break;
		}
		u.flags = FL_AF;
		if (count != 1)
			u.flags |= FL_OF;
		break;
	case K_MUL:
		/* MUL and IMUL: "The SF, ZF, AF, and PF flags are undefined." */
		u.flags = FL_SF | FL_ZF | FL_AF | FL_PF;
		break;
	case K_DIV:
		/* DIV and IDIV: "The CF, OF, SF, ZF, AF, and PF flags are
		 * undefined." */
		u.flags = FL_ARITH;
		break;
	case K_BT:
		/* BT/BTS/BTR/BTC: "The ZF flag is unaffected. The OF, SF, AF,
		 * and PF flags are undefined." */
		u.flags = FL_OF | FL_SF | FL_AF | FL_PF;
		break;
	case K_BSF: {
		/* BSF/BSR: "The CF, OF, SF, AF, and PF flags are undefined";
		 * "If the content of the source operand is 0, the content of
		 * the destination operand is undefined." */
		uint64_t src = (op->form == F_RM ? in->m : in->b) & size_mask(op->size);
		u.flags = FL_CF | FL_OF | FL_SF | FL_AF | FL_PF;
		u.dest_a = src == 0;
		break;
	}
	default:
		break;
	}
	return u;
}

/* ---- running and hashing ---- */

struct tally {
	uint32_t def, undef;
	bool any_undef;
	unsigned int runs;
};

static void run_form(void *arg)
{
	struct alu_io *io = arg;
	const struct alu_op *op = (const struct alu_op *)io->op;
	op->fn(io);
}

static void run_one(const struct alu_op *op, struct alu_io *io, struct tally *t)
{
	struct alu_io in = *io;
	io->op = (uint64_t)op;
	int vec = ct_try(run_form, io);
	io->op = 0;

	struct undef u = vec < 0 ? undefined_part(op, &in) : (struct undef){ 0 };
	uint64_t out[8] = { (uint64_t)(int64_t)vec, 0, 0, 0, 0, 0, 0, 0 };
	uint64_t und[3] = { 0, 0, 0 };
	if (vec < 0) {
		uint64_t fl = io->rfl & FL_ARITH;
		out[1] = u.dest_a ? 0 : io->ra;
		out[2] = io->rb;
		out[3] = io->rc;
		out[4] = io->rd;
		out[5] = u.dest_m ? 0 : io->m;
		out[6] = io->m2;
		out[7] = fl & ~u.flags;
		und[0] = fl & u.flags;
		und[1] = u.dest_a ? io->ra : 0;
		und[2] = u.dest_m ? io->m : 0;
	}
	t->def = ct_crc32(t->def, out, sizeof(out));
	if (u.flags || u.dest_a || u.dest_m) {
		t->any_undef = true;
		t->undef = ct_crc32(t->undef, und, sizeof(und));
	}
	t->runs++;
	if (ct_verbose(op->name)) {
		if (vec >= 0)
			ct_printf("KILN_CPU_DETAIL alu %s a=%lx b=%lx c=%lx d=%lx m=%lx fl=%lx -> #%d\n",
				  op->name, in.a, in.b, in.c, in.d, in.m, in.fl, vec);
		else
			ct_printf("KILN_CPU_DETAIL alu %s a=%lx b=%lx c=%lx d=%lx m=%lx:%lx fl=%lx -> a=%lx b=%lx c=%lx d=%lx m=%lx:%lx fl=%lx u=%lx:%lx:%lx\n",
				  op->name, in.a, in.b, in.c, in.d, in.m, in.m2,
				  in.fl, out[1], out[2], out[3], out[4], out[5],
				  out[6], out[7], und[0], und[1], und[2]);
	}
}

/* The two entry flag states most forms run under: all arithmetic flags
 * clear, all set (carry-in for ADC/SBB/RCL/RCR, and "unaffected" flags
 * that must survive). */
static const uint64_t flag_states[2] = { FL_FIXED, FL_FIXED | FL_ARITH };

static void run_op(const struct alu_op *op)
{
	uint64_t v[NVALS], v8[NVALS];
	struct tally t = { 0, 0, false, 0 };
	unsigned int size = op->size;
	edge_values(size, v);
	edge_values(1, v8);

	/* Quick mode: 0, 1, msb - 1, msb, all ones, 0xaa.., bits + 1, random. */
	static const uint8_t pick[8] = { 0, 1, 3, 4, 6, 9, 11, 12 };
	for (int ii = 0; ii < ct_count(); ii++) {
		int i = ct_index(ii, pick);
		for (int jj = 0; jj < ct_count(); jj++) {
			int j = ct_index(jj, pick);
			for (int f = 0; f < 2; f++) {
				struct alu_io io = { 0 };
				io.a = with_hi(v[i], HI_A, size);
				io.b = with_hi(v[j], HI_B, size);
				io.c = HI_C | 0x21;
				io.d = HI_D;
				io.fl = flag_states[f];
				io.m = io.m2 = 0x0f1e2d3c4b5a6978ull;
				switch (op->form) {
				case F_RR:
					break;
				case F_MR:
					io.m = io.a;
					break;
				case F_RM:
					io.m = io.b;
					break;
				case F_A:
					if (j > 0)
						continue;
					break;
				case F_AH:
					io.a = (HI_A & ~0xff00ull) | v8[i] << 8 | (HI_A & 0xff);
					io.b = (HI_B & ~0xff00ull) | v8[j] << 8 | (HI_B & 0xff);
					break;
				case F_SH:
				case F_SHM:
				case F_SHH:
					/* j picks the count's group: 16 x 4 counts. */
					for (uint64_t k = 0; k < 4; k++) {
						struct alu_io s = io;
						s.c = HI_C | (uint64_t)(j * 4 + (int)k);
						s.b = with_hi(v[(i + 5 + j) % NVALS], HI_B, size);
						if (op->form == F_SHM)
							s.m = s.a;
						if (op->form == F_SHH)
							s.a = (HI_A & ~0xff00ull) | v8[i] << 8;
						run_one(op, &s, &t);
					}
					continue;
				case F_FL:
					/* The flags are the operand here: 64
					 * combinations for a few value pairs (2 x 2 in
					 * quick mode, 16 x 2 otherwise). */
					if (j > 1 || f > 0 || (ct_quick() && ii > 1))
						continue;
					for (uint64_t k = 0; k < 64; k++) {
						struct alu_io s = io;
						s.fl = FL_FIXED |
						       (k & 1 ? FL_CF : 0) | (k & 2 ? FL_PF : 0) |
						       (k & 4 ? FL_AF : 0) | (k & 8 ? FL_ZF : 0) |
						       (k & 16 ? FL_SF : 0) | (k & 32 ? FL_OF : 0);
						s.m = s.b;
						run_one(op, &s, &t);
					}
					continue;
				case F_DIV:
				case F_DIVH: {
					/* High halves of the dividend: 0, the sign
					 * extension of the low half, small, just below
					 * the divisor, all ones. */
					uint64_t mask = size_mask(size);
					uint64_t sx = v[i] >> (size * 8 - 1) & 1 ? mask : 0;
					uint64_t his[5] = { 0, sx, 1, (v[j] - 1) & mask, mask };
					if (op->form == F_DIVH)
						io.b = (HI_B & ~0xff00ull) | v8[j] << 8;
					for (int k = 0; k < 5; k++) {
						struct alu_io s = io;
						if (size == 1)
							s.a = (HI_A & ~0xffffull) | his[k] << 8 | v[i];
						else
							s.d = with_hi(his[k], HI_D, size);
						run_one(op, &s, &t);
					}
					continue;
				}
				case F_CMPX:
					/* The destination equal to the accumulator, or not. */
					io.d = f ? io.a : with_hi(v[(i + j) % NVALS], HI_D, size);
					break;
				case F_CMPXM:
					io.m = f ? io.a : io.b;
					break;
				case F_CX8:
					io.d = with_hi(v[j], HI_D, size);
					io.c = v[(i + 3) % NVALS];
					io.b = v[(j + 7) % NVALS];
					if (size == 4) {
						uint64_t cur = (io.d & 0xffffffffull) << 32 | (io.a & 0xffffffffull);
						io.m = f ? cur : cur ^ (1ull << (i * 4 % 64));
					} else {
						io.m = io.a;
						io.m2 = f ? io.d : io.d ^ (1ull << (j * 4 % 64));
					}
					break;
				}
				run_one(op, &io, &t);
			}
		}
	}
	ct_out(op->name, t.def);
	if (t.any_undef)
		ct_out2(op->name, "undef", t.undef);
}

static bool has_cx16(void)
{
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	return c & (1u << 13);
}

void ct_main(void)
{
	for (const struct alu_op *op = alu_ops_start; op < alu_ops_end; op++) {
		if (ct_strncmp(op->name, "cmpxchg16b", 11) == 0 && !has_cx16()) {
			ct_out(op->name, 0xdead0016);
			continue;
		}
		run_op(op);
	}
}
