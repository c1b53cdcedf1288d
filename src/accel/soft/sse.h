/* SSE helpers shared by the SSE dispatch and its packed-integer half. */
#ifndef KILN_ACCEL_SOFT_SSE_H
#define KILN_ACCEL_SOFT_SSE_H

#include "accel/soft/x86_cpu.h"

#include <stdbool.h>
#include <stdint.h>

/* 66 0F op: PUNPCK*, PACK*, PCMP*, PADD*, PSUB*, PMUL*, PMIN/MAX, PAVG,
 * PSADBW, PAND/PANDN/POR/PXOR, shifts by an xmm count. False if `op` is
 * not one of them. */
bool sse_int_op(uint8_t op, union x86_vec *d, const union x86_vec *s);
/* PSHUFD (66), PSHUFHW (F3), PSHUFLW (F2). */
void sse_pshuf(uint8_t pfx, union x86_vec *d, const union x86_vec *s, uint8_t imm);
/* Element shifts: esz 2/4/8; kind 0 logical right, 1 arithmetic right,
 * 2 left. */
void sse_shift(union x86_vec *d, unsigned esz, int kind, uint64_t n);
/* PSLLDQ/PSRLDQ: whole-register byte shift. */
void sse_byte_shift(union x86_vec *d, bool left, unsigned n);
/* MASKMOVDQU/MASKMOVQ: store the bytes of `data` whose `mask` byte has
 * its top bit set at DS:rDI (segment override and address size from `i`).
 * Raises the fault and does not return when an access fails. */
void sse_masked_store(struct x86_cpu *c, const struct x86_insn *i,
		      const uint8_t *data, const uint8_t *mask, unsigned len);

#endif
