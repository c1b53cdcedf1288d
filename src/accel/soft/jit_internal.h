/* The translator's internals (jit.c, jit_plan.c): what each guest
 * instruction becomes. */
#ifndef KILN_ACCEL_SOFT_JIT_INTERNAL_H
#define KILN_ACCEL_SOFT_JIT_INTERNAL_H

#include "accel/soft/decode.h"

#include <stdbool.h>
#include <stdint.h>

/* The arithmetic flags, as RFLAGS bits. */
#define ARITH 0x8d5u
#define F_CF 0x001u
#define F_PF 0x004u
#define F_AF 0x010u
#define F_ZF 0x040u
#define F_SF 0x080u
#define F_OF 0x800u

/* K_CALL: the handler; K_NATIVE: `enc` between loads and stores of
 * guest registers; K_LEA, K_JCC, K_JMP, K_NOP: emitted by kind; K_MEM:
 * a 32/64-bit MOV load/store or MOVZX load with the TLB inline. */
enum { K_CALL, K_NATIVE, K_LEA, K_JCC, K_JMP, K_NOP, K_MEM };

struct plan {
	uint8_t kind;
	uint16_t rd, wr, undef; /* flags read, written (defined), left undefined */
	uint8_t nload, nstore;
	uint8_t lg[3], lh[3];   /* guest register -> host register before */
	uint8_t sg[2], sh[2];   /* host register -> guest register after */
	uint8_t enc[24], enclen;
};

/* Fill `p` for `i` (followed by next_rip); false: a handler runs it. */
bool x86_jit_plan(const struct x86_insn *i, uint64_t next_rip, struct plan *p);

#endif
