/* SSE2 packed-integer operations on 16-byte values (66-prefixed 0F 60-76,
 * 0F D1-FE), pure functions over byte arrays so they are easy to test and
 * to reuse for 8-byte MMX operands.
 */
#include "accel/soft/sse.h"

#include <string.h>

static int8_t sat8(int v) { return (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v); }
static uint8_t satu8(int v) { return (uint8_t)(v > 255 ? 255 : v < 0 ? 0 : v); }
static int16_t sat16(int v) { return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v); }
static uint16_t satu16(int v) { return (uint16_t)(v > 65535 ? 65535 : v < 0 ? 0 : v); }

/* Shift counts from a register operand: the low 64 bits. */
static uint64_t count64(const union x86_vec *s) { return s->q[0]; }

static void shift_words(union x86_vec *d, unsigned esz, int kind, uint64_t n)
{
	unsigned bits = 8 * esz, cnt = (unsigned)(16 / esz);

	for (unsigned k = 0; k < cnt; k++) {
		uint64_t v, m = esz == 8 ? ~0ull : (1ull << bits) - 1;
		memcpy(&v, d->b + k * esz, esz);
		v &= m;
		if (kind == 0) {          /* logical right */
			v = n >= bits ? 0 : v >> n;
		} else if (kind == 1) {   /* arithmetic right */
			int64_t s = (int64_t)(v << (64 - bits)) >> (64 - bits);
			v = (uint64_t)(s >> (n >= bits ? bits - 1 : n)) & m;
		} else {                  /* left */
			v = n >= bits ? 0 : (v << n) & m;
		}
		memcpy(d->b + k * esz, &v, esz);
	}
}

void sse_shift(union x86_vec *d, unsigned esz, int kind, uint64_t n)
{
	shift_words(d, esz, kind, n);
}

void sse_byte_shift(union x86_vec *d, bool left, unsigned n)
{
	union x86_vec r = { .q = { 0, 0 } };

	if (n > 16)
		n = 16;
	for (unsigned k = 0; k < 16; k++) {
		if (left && k >= n)
			r.b[k] = d->b[k - n];
		else if (!left && k + n < 16)
			r.b[k] = d->b[k + n];
	}
	*d = r;
}

static void unpack(union x86_vec *d, const union x86_vec *s, unsigned esz, bool high)
{
	union x86_vec r;
	unsigned half = 8 / esz, base = high ? 8 : 0;

	for (unsigned k = 0; k < half; k++) {
		memcpy(r.b + 2 * k * esz, d->b + base + k * esz, esz);
		memcpy(r.b + (2 * k + 1) * esz, s->b + base + k * esz, esz);
	}
	*d = r;
}

/* 66 0F `op` xmm, xmm/m128. Returns false for opcodes not handled here. */
bool sse_int_op(uint8_t op, union x86_vec *d, const union x86_vec *s)
{
	union x86_vec r = *d;
	unsigned k;

	switch (op) {
	case 0x60: unpack(d, s, 1, false); return true;
	case 0x61: unpack(d, s, 2, false); return true;
	case 0x62: unpack(d, s, 4, false); return true;
	case 0x6c: unpack(d, s, 8, false); return true;
	case 0x68: unpack(d, s, 1, true); return true;
	case 0x69: unpack(d, s, 2, true); return true;
	case 0x6a: unpack(d, s, 4, true); return true;
	case 0x6d: unpack(d, s, 8, true); return true;
	case 0x63: /* PACKSSWB */
		for (k = 0; k < 8; k++) {
			r.b[k] = (uint8_t)sat8((int16_t)d->w[k]);
			r.b[k + 8] = (uint8_t)sat8((int16_t)s->w[k]);
		}
		break;
	case 0x67: /* PACKUSWB */
		for (k = 0; k < 8; k++) {
			r.b[k] = satu8((int16_t)d->w[k]);
			r.b[k + 8] = satu8((int16_t)s->w[k]);
		}
		break;
	case 0x6b: /* PACKSSDW */
		for (k = 0; k < 4; k++) {
			r.w[k] = (uint16_t)sat16((int32_t)d->d[k]);
			r.w[k + 4] = (uint16_t)sat16((int32_t)s->d[k]);
		}
		break;
	case 0x64: for (k = 0; k < 16; k++) r.b[k] = (int8_t)d->b[k] > (int8_t)s->b[k] ? 0xff : 0; break;
	case 0x65: for (k = 0; k < 8; k++) r.w[k] = (int16_t)d->w[k] > (int16_t)s->w[k] ? 0xffff : 0; break;
	case 0x66: for (k = 0; k < 4; k++) r.d[k] = (int32_t)d->d[k] > (int32_t)s->d[k] ? ~0u : 0; break;
	case 0x74: for (k = 0; k < 16; k++) r.b[k] = d->b[k] == s->b[k] ? 0xff : 0; break;
	case 0x75: for (k = 0; k < 8; k++) r.w[k] = d->w[k] == s->w[k] ? 0xffff : 0; break;
	case 0x76: for (k = 0; k < 4; k++) r.d[k] = d->d[k] == s->d[k] ? ~0u : 0; break;
	case 0xd1: shift_words(&r, 2, 0, count64(s)); break;
	case 0xd2: shift_words(&r, 4, 0, count64(s)); break;
	case 0xd3: shift_words(&r, 8, 0, count64(s)); break;
	case 0xe1: shift_words(&r, 2, 1, count64(s)); break;
	case 0xe2: shift_words(&r, 4, 1, count64(s)); break;
	case 0xf1: shift_words(&r, 2, 2, count64(s)); break;
	case 0xf2: shift_words(&r, 4, 2, count64(s)); break;
	case 0xf3: shift_words(&r, 8, 2, count64(s)); break;
	case 0xd4: for (k = 0; k < 2; k++) r.q[k] = d->q[k] + s->q[k]; break;
	case 0xfb: for (k = 0; k < 2; k++) r.q[k] = d->q[k] - s->q[k]; break;
	case 0xd5: for (k = 0; k < 8; k++) r.w[k] = (uint16_t)((int16_t)d->w[k] * (int16_t)s->w[k]); break;
	case 0xe5: for (k = 0; k < 8; k++) r.w[k] = (uint16_t)(((int16_t)d->w[k] * (int16_t)s->w[k]) >> 16); break;
	case 0xe4: for (k = 0; k < 8; k++) r.w[k] = (uint16_t)(((uint32_t)d->w[k] * s->w[k]) >> 16); break;
	case 0xf4: for (k = 0; k < 2; k++) r.q[k] = (uint64_t)d->d[2 * k] * s->d[2 * k]; break;
	case 0xf5:
		for (k = 0; k < 4; k++)
			r.d[k] = (uint32_t)((int64_t)(int16_t)d->w[2 * k] * (int16_t)s->w[2 * k] +
					    (int64_t)(int16_t)d->w[2 * k + 1] * (int16_t)s->w[2 * k + 1]);
		break;
	case 0xf6: { /* PSADBW */
		for (k = 0; k < 2; k++) {
			unsigned sum = 0;
			for (unsigned j = 0; j < 8; j++) {
				int diff = d->b[8 * k + j] - s->b[8 * k + j];
				sum += (unsigned)(diff < 0 ? -diff : diff);
			}
			r.q[k] = sum;
		}
		break;
	}
	case 0xd8: for (k = 0; k < 16; k++) r.b[k] = satu8(d->b[k] - s->b[k]); break;
	case 0xd9: for (k = 0; k < 8; k++) r.w[k] = satu16(d->w[k] - s->w[k]); break;
	case 0xdc: for (k = 0; k < 16; k++) r.b[k] = satu8(d->b[k] + s->b[k]); break;
	case 0xdd: for (k = 0; k < 8; k++) r.w[k] = satu16(d->w[k] + s->w[k]); break;
	case 0xe8: for (k = 0; k < 16; k++) r.b[k] = (uint8_t)sat8((int8_t)d->b[k] - (int8_t)s->b[k]); break;
	case 0xe9: for (k = 0; k < 8; k++) r.w[k] = (uint16_t)sat16((int16_t)d->w[k] - (int16_t)s->w[k]); break;
	case 0xec: for (k = 0; k < 16; k++) r.b[k] = (uint8_t)sat8((int8_t)d->b[k] + (int8_t)s->b[k]); break;
	case 0xed: for (k = 0; k < 8; k++) r.w[k] = (uint16_t)sat16((int16_t)d->w[k] + (int16_t)s->w[k]); break;
	case 0xda: for (k = 0; k < 16; k++) r.b[k] = d->b[k] < s->b[k] ? d->b[k] : s->b[k]; break;
	case 0xde: for (k = 0; k < 16; k++) r.b[k] = d->b[k] > s->b[k] ? d->b[k] : s->b[k]; break;
	case 0xea: for (k = 0; k < 8; k++) r.w[k] = (int16_t)d->w[k] < (int16_t)s->w[k] ? d->w[k] : s->w[k]; break;
	case 0xee: for (k = 0; k < 8; k++) r.w[k] = (int16_t)d->w[k] > (int16_t)s->w[k] ? d->w[k] : s->w[k]; break;
	case 0xe0: for (k = 0; k < 16; k++) r.b[k] = (uint8_t)((d->b[k] + s->b[k] + 1) >> 1); break;
	case 0xe3: for (k = 0; k < 8; k++) r.w[k] = (uint16_t)((d->w[k] + s->w[k] + 1) >> 1); break;
	case 0xdb: for (k = 0; k < 2; k++) r.q[k] = d->q[k] & s->q[k]; break;
	case 0xdf: for (k = 0; k < 2; k++) r.q[k] = ~d->q[k] & s->q[k]; break;
	case 0xeb: for (k = 0; k < 2; k++) r.q[k] = d->q[k] | s->q[k]; break;
	case 0xef: for (k = 0; k < 2; k++) r.q[k] = d->q[k] ^ s->q[k]; break;
	case 0xf8: for (k = 0; k < 16; k++) r.b[k] = (uint8_t)(d->b[k] - s->b[k]); break;
	case 0xf9: for (k = 0; k < 8; k++) r.w[k] = (uint16_t)(d->w[k] - s->w[k]); break;
	case 0xfa: for (k = 0; k < 4; k++) r.d[k] = d->d[k] - s->d[k]; break;
	case 0xfc: for (k = 0; k < 16; k++) r.b[k] = (uint8_t)(d->b[k] + s->b[k]); break;
	case 0xfd: for (k = 0; k < 8; k++) r.w[k] = (uint16_t)(d->w[k] + s->w[k]); break;
	case 0xfe: for (k = 0; k < 4; k++) r.d[k] = d->d[k] + s->d[k]; break;
	default:
		return false;
	}
	*d = r;
	return true;
}

void sse_pshuf(uint8_t pfx, union x86_vec *d, const union x86_vec *s, uint8_t imm)
{
	union x86_vec r = *s;

	if (pfx == X86_PFX_66) {
		for (unsigned k = 0; k < 4; k++)
			r.d[k] = s->d[(imm >> (2 * k)) & 3];
	} else if (pfx == X86_PFX_F3) { /* PSHUFHW */
		for (unsigned k = 0; k < 4; k++)
			r.w[4 + k] = s->w[4 + ((imm >> (2 * k)) & 3)];
	} else { /* PSHUFLW */
		for (unsigned k = 0; k < 4; k++)
			r.w[k] = s->w[(imm >> (2 * k)) & 3];
	}
	*d = r;
}
