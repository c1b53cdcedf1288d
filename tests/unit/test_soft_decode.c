/* The software CPU's decoder: lengths agree with binutils on ~1700
 * instructions in three modes, it never reads past its input (every
 * vector is also decoded from each shorter, exactly-sized heap copy under
 * ASan), and the fields (prefixes, ModRM/SIB, RIP-relative, operand and
 * address sizes, immediates) are what the SDM says.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "accel/soft/decode.h"
#include "soft_decode_vectors.h"

static enum x86_decode_result dec(unsigned mode, const char *bytes, size_t n,
				  struct x86_insn *in)
{
	/* An exact-size heap copy: ASan catches a read past the end. */
	uint8_t *b = malloc(n ? n : 1);
	memcpy(b, bytes, n);
	enum x86_decode_result r = x86_decode(b, n, mode, in);
	free(b);
	return r;
}

static void test_lengths_match_binutils(void **state)
{
	size_t n = sizeof(decode_vectors) / sizeof(decode_vectors[0]);
	struct x86_insn in;

	assert_true(n > 1500);
	for (size_t k = 0; k < n; k++) {
		const struct decode_vector *v = &decode_vectors[k];
		enum x86_decode_result r = dec(v->mode, v->bytes, v->len, &in);
		if (r != X86_DECODE_OK || in.len != v->len)
			fail_msg("vector %zu (mode %u): result %d length %u, binutils %u",
				 k, v->mode, r, in.len, v->len);
		for (unsigned cut = 0; cut < v->len; cut++)
			assert_int_equal(dec(v->mode, v->bytes, cut, &in), X86_DECODE_TRUNCATED);
	}
}

#define D(mode, s, in) dec(mode, s, sizeof(s) - 1, in)

static void test_modrm_sib_rip(void **state)
{
	struct x86_insn in;

	/* mov rax, [rip + 0x10] */
	assert_int_equal(D(64, "\x48\x8b\x05\x10\x00\x00\x00", &in), X86_DECODE_OK);
	assert_int_equal(in.len, 7);
	assert_int_equal(in.base, X86_REG_RIP);
	assert_int_equal(in.disp, 0x10);
	assert_int_equal(in.opsize, 8);
	/* in 32-bit mode the same ModRM is an absolute disp32 */
	assert_int_equal(D(32, "\x8b\x05\x10\x00\x00\x00", &in), X86_DECODE_OK);
	assert_int_equal(in.base, X86_REG_NONE);
	/* mov r9d, [r12 + r13*4 - 8]: REX.RXB, SIB, disp8 */
	assert_int_equal(D(64, "\x47\x8b\x4c\xac\xf8", &in), X86_DECODE_OK);
	assert_int_equal(in.reg, 9);
	assert_int_equal(in.base, 12);
	assert_int_equal(in.index, 13);
	assert_int_equal(in.scale, 2);
	assert_int_equal(in.disp, -8);
	assert_int_equal(in.opsize, 4);
	/* SIB with index 100 and no REX.X: no index; base 101 with mod 0: disp32 */
	assert_int_equal(D(64, "\x8b\x04\x25\x00\x10\x00\x00", &in), X86_DECODE_OK);
	assert_int_equal(in.base, X86_REG_NONE);
	assert_int_equal(in.index, X86_REG_NONE);
	assert_int_equal(in.disp, 0x1000);
	/* REX.X makes index 100 mean r12 */
	assert_int_equal(D(64, "\x42\x8b\x04\x20", &in), X86_DECODE_OK);
	assert_int_equal(in.index, 12);
	/* 16-bit: [bp + si + 0x1234] defaults to SS; [bx + di] to DS */
	assert_int_equal(D(16, "\x8b\x82\x34\x12", &in), X86_DECODE_OK);
	assert_int_equal(in.base, 5);
	assert_int_equal(in.index, 6);
	assert_int_equal(in.seg, X86_SS);
	assert_int_equal(in.disp, 0x1234);
	assert_int_equal(D(16, "\x8b\x01", &in), X86_DECODE_OK);
	assert_int_equal(in.seg, X86_DS);
	/* an override beats the SS default; in 64-bit mode only FS/GS count */
	assert_int_equal(D(32, "\x26\x8b\x45\x00", &in), X86_DECODE_OK);
	assert_int_equal(in.seg, X86_ES);
	assert_int_equal(D(64, "\x26\x8b\x45\x00", &in), X86_DECODE_OK);
	assert_int_equal(in.seg, X86_DS);
	assert_int_equal(D(64, "\x65\x8b\x45\x00", &in), X86_DECODE_OK);
	assert_int_equal(in.seg, X86_GS);
	/* MOV to/from CR ignores mod: no displacement follows */
	assert_int_equal(D(64, "\x0f\x20\x00", &in), X86_DECODE_OK);
	assert_int_equal(in.len, 3);
	assert_false(in.flags & X86_I_MEM);
}

static void test_sizes_and_prefixes(void **state)
{
	struct x86_insn in;

	/* 66 in 64-bit mode: 16-bit; REX.W wins over 66 */
	assert_int_equal(D(64, "\x66\x89\xc0", &in), X86_DECODE_OK);
	assert_int_equal(in.opsize, 2);
	assert_int_equal(D(64, "\x66\x48\x89\xc0", &in), X86_DECODE_OK);
	assert_int_equal(in.opsize, 8);
	/* a REX before a legacy prefix is ignored */
	assert_int_equal(D(64, "\x48\x66\x89\xc0", &in), X86_DECODE_OK);
	assert_int_equal(in.opsize, 2);
	assert_false(in.flags & X86_I_REX);
	/* PUSH defaults to 64 bits, 66 makes it 16; Jcc is always 64 */
	assert_int_equal(D(64, "\x50", &in), X86_DECODE_OK);
	assert_int_equal(in.opsize, 8);
	assert_int_equal(D(64, "\x66\x50", &in), X86_DECODE_OK);
	assert_int_equal(in.opsize, 2);
	assert_int_equal(D(64, "\x66\x0f\x84\x00\x00\x00\x00", &in), X86_DECODE_OK);
	assert_int_equal(in.opsize, 8);
	assert_int_equal(in.len, 7);
	/* FF /2 (CALL) is forced 64-bit, FF /0 (INC) is not */
	assert_int_equal(D(64, "\xff\xd0", &in), X86_DECODE_OK);
	assert_int_equal(in.opsize, 8);
	assert_int_equal(D(64, "\xff\xc0", &in), X86_DECODE_OK);
	assert_int_equal(in.opsize, 4);
	/* 16-bit code: 66 makes operands 32-bit, 67 addresses */
	assert_int_equal(D(16, "\x66\x67\x8b\x04\x24", &in), X86_DECODE_OK);
	assert_int_equal(in.opsize, 4);
	assert_int_equal(in.adsize, 4);
	assert_int_equal(in.len, 5);
	/* MOV r64, imm64 and moffs sizes */
	assert_int_equal(D(64, "\x48\xb8\x01\x02\x03\x04\x05\x06\x07\x08", &in), X86_DECODE_OK);
	assert_true(in.imm == 0x0807060504030201ull);
	assert_int_equal(D(64, "\xa1\x01\x02\x03\x04\x05\x06\x07\x08", &in), X86_DECODE_OK);
	assert_int_equal(in.len, 9);
	assert_int_equal(D(64, "\x67\xa1\x01\x02\x03\x04", &in), X86_DECODE_OK);
	assert_int_equal(in.len, 6);
	assert_int_equal(D(32, "\x67\xa1\x01\x02", &in), X86_DECODE_OK);
	assert_int_equal(in.len, 4);
	/* ENTER: iw, ib; far JMP ptr16:32 in 32-bit code */
	assert_int_equal(D(32, "\xc8\x10\x00\x02", &in), X86_DECODE_OK);
	assert_int_equal(in.imm, 0x10);
	assert_int_equal(in.imm2, 2);
	assert_int_equal(D(32, "\xea\x00\x00\x10\x00\x08\x00", &in), X86_DECODE_OK);
	assert_int_equal(in.imm, 0x100000);
	assert_int_equal(in.imm2, 8);
	/* TEST r/m, imm has an immediate, NOT does not */
	assert_int_equal(D(32, "\xf7\xc0\x01\x00\x00\x00", &in), X86_DECODE_OK);
	assert_int_equal(in.len, 6);
	assert_int_equal(D(32, "\xf7\xd0", &in), X86_DECODE_OK);
	assert_int_equal(in.len, 2);
	/* SSE mandatory prefix: the last of F2/F3 wins over 66 */
	assert_int_equal(D(64, "\x66\xf3\x0f\x6f\xc1", &in), X86_DECODE_OK);
	assert_int_equal(in.pfx, X86_PFX_F3);
	assert_int_equal(D(64, "\xf3\xf2\x0f\x10\xc1", &in), X86_DECODE_OK);
	assert_int_equal(in.pfx, X86_PFX_F2);
	/* 0F 3A has an immediate, 0F 38 does not */
	assert_int_equal(D(64, "\x66\x0f\x3a\x0f\xc1\x08", &in), X86_DECODE_OK);
	assert_int_equal(in.len, 6);
	assert_int_equal(in.map, X86_MAP_0F3A);
	assert_int_equal(D(64, "\x66\x0f\x38\x00\xc1", &in), X86_DECODE_OK);
	assert_int_equal(in.len, 5);
}

static void test_invalid_and_limits(void **state)
{
	struct x86_insn in;
	char buf[32];

	/* invalid in 64-bit mode, valid in 32-bit */
	static const char *i64[] = { "\x06", "\x27", "\x60", "\xd4\x0a", "\xea\x00\x00\x00\x00\x00\x00",
				     "\x9a\x00\x00\x00\x00\x00\x00", "\xce", "\x82\xc0\x01" };
	static const unsigned i64len[] = { 1, 1, 1, 2, 7, 7, 1, 3 };
	for (unsigned k = 0; k < 8; k++) {
		assert_int_equal(dec(64, i64[k], i64len[k], &in), X86_DECODE_INVALID);
		assert_int_equal(dec(32, i64[k], i64len[k], &in), X86_DECODE_OK);
	}
	/* VEX/EVEX: invalid (not offered); LES/LDS in 32-bit: memory only */
	assert_int_equal(D(64, "\xc5\xf8\x77", &in), X86_DECODE_INVALID);
	assert_int_equal(D(32, "\xc4\x00", &in), X86_DECODE_OK);
	assert_int_equal(D(32, "\xc4\xc0\x00", &in), X86_DECODE_INVALID);
	/* LOCK: only read-modify-write instructions with a memory operand */
	assert_int_equal(D(64, "\xf0\x01\x00", &in), X86_DECODE_OK);
	assert_true(in.flags & X86_I_LOCK);
	assert_int_equal(D(64, "\xf0\x01\xc0", &in), X86_DECODE_INVALID);
	assert_int_equal(D(64, "\xf0\x90", &in), X86_DECODE_INVALID);
	assert_int_equal(D(64, "\xf0\x39\x00", &in), X86_DECODE_INVALID);  /* CMP */
	assert_int_equal(D(64, "\xf0\x0f\xa3\x00", &in), X86_DECODE_INVALID); /* BT */
	assert_int_equal(D(64, "\xf0\x0f\xab\x00", &in), X86_DECODE_OK);     /* BTS */
	assert_int_equal(D(64, "\xf0\x0f\x20\xc0", &in), X86_DECODE_INVALID); /* no CR8 alias */
	/* 15 bytes are fine, 16 are #GP, even when the rest is not there */
	memset(buf, 0x66, sizeof(buf));
	buf[14] = (char)0x90;
	assert_int_equal(dec(64, buf, 15, &in), X86_DECODE_OK);
	assert_int_equal(in.len, 15);
	buf[14] = 0x66;
	buf[15] = (char)0x90;
	assert_int_equal(dec(64, buf, 16, &in), X86_DECODE_TOO_LONG);
	assert_int_equal(dec(64, buf, 15, &in), X86_DECODE_TRUNCATED);
	/* 11 prefixes + a 10-byte MOV r64, imm64: too long before the end */
	memset(buf, 0x2e, 11);
	memcpy(buf + 11, "\x48\xb8\x01\x02", 4);
	assert_int_equal(dec(64, buf, 15, &in), X86_DECODE_TOO_LONG);
	assert_int_equal(dec(64, buf, 0, &in), X86_DECODE_TRUNCATED);
}

/* Arbitrary bytes in every mode: a result, never a crash or overread. */
static void test_random_bytes(void **state)
{
	uint64_t x = 88172645463325252ull;
	struct x86_insn in;

	for (unsigned k = 0; k < 200000; k++) {
		char b[16];
		for (unsigned j = 0; j < 16; j++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			b[j] = (char)x;
		}
		unsigned len = (unsigned)(x % 17);
		enum x86_decode_result r = dec((unsigned[]){ 16, 32, 64 }[k % 3], b, len, &in);
		if (r == X86_DECODE_OK)
			assert_true(in.len >= 1 && in.len <= len && in.len <= 15);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lengths_match_binutils),
		cmocka_unit_test(test_modrm_sib_rip),
		cmocka_unit_test(test_sizes_and_prefixes),
		cmocka_unit_test(test_invalid_and_limits),
		cmocka_unit_test(test_random_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
