/* The host's x87 unit as a calculator for the guest's x87 (x87_host.c).
 * Every function runs one operation under the guest's FCW (precision,
 * rounding; exceptions masked) with the guest's C0-C3 preloaded, and
 * returns the host FSW right after the operation: exception flags, C1
 * (rounding), and C0-C3 where the operation sets them.
 */
#ifndef KILN_ACCEL_SOFT_X87_HOST_H
#define KILN_ACCEL_SOFT_X87_HOST_H

#include "accel/soft/x86_cpu.h"

#include <stdbool.h>
#include <stdint.h>

typedef uint8_t f80[10];

#define FSW_IE 0x0001
#define FSW_SF 0x0040
#define FSW_ES 0x0080
#define FSW_C0 0x0100
#define FSW_C1 0x0200
#define FSW_C2 0x0400
#define FSW_C3 0x4000
#define FSW_B  0x8000
#define FSW_CC (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)


/* Arithmetic opcodes in ModRM.reg order (D8/DC/DA/DE). */
enum { OP_ADD, OP_MUL, OP_COM, OP_COMP, OP_SUB, OP_SUBR, OP_DIV, OP_DIVR };

/* r = a op b (80-bit). */
uint16_t hx_arith(int op, const struct x86_fpu *fp, const uint8_t *a,
		  const uint8_t *b, uint8_t *r);
/* r = a op m, m in its memory format: kind 0 m32fp, 1 m32int, 2 m64fp,
 * 3 m16int; OP_COM/OP_COMP compare (C0 C2 C3 in the result). */
uint16_t hx_arith_mem(int op, int kind, const struct x86_fpu *fp,
		      const uint8_t *a, const void *m, uint8_t *r);
/* Compare a with b: C0 C2 C3 (FCOM semantics; `quiet`: FUCOM). */
uint16_t hx_compare(const struct x86_fpu *fp, const uint8_t *a,
		    const uint8_t *b, bool quiet);
/* Memory format (kinds as above, 4 = m64int) to 80 bits, and back. */
uint16_t hx_load(int kind, const struct x86_fpu *fp, const void *m, uint8_t *r);
uint16_t hx_store(int kind, const struct x86_fpu *fp, const uint8_t *a, void *m);
/* D9 E8-FF by ModRM byte: functions of ST0 (s0) and ST1 (s1); see
 * x87_host.c for where each leaves its results. */
uint16_t hx_func(uint8_t modrm, const struct x86_fpu *fp, uint8_t *s0, uint8_t *s1);

#endif
