/* The translator: a 64-bit-mode block's body as host code (guest and host
 * are both x86-64). Register-only integer instructions (ALU, MOV, LEA,
 * INC/DEC, NEG/NOT, shifts and rotates, IMUL, MOVZX/MOVSX, CMOVcc,
 * SETcc, BSWAP, CBW/CWD, NOP, Jcc and JMP) are re-encoded on host
 * registers loaded from and stored back to cpu->gpr around each one, so
 * they compute exactly what the guest's CPU would, flags included; MOV
 * loads/stores and MOVZX loads look up the CPU's TLB inline; every
 * other instruction is a call to its interpreter handler, with RIP,
 * next_rip, the counters and the flags in the CPU structure first, so a
 * fault unwinds from there exactly as in run_block. A native exit jumps
 * into the next block's translation when the run loop would run it next.
 * See docs/softcpu.md.
 */
#ifndef KILN_ACCEL_SOFT_JIT_H
#define KILN_ACCEL_SOFT_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct x86_cpu;
struct x86_block;

#define X86_JIT_CODE (16u << 20) /* bytes of host code before a flush */
/* The most one block's translation may take. The longest form measured
 * (a memory MOV with FS, 67, SIB and its slow path) emits ~411 bytes, so
 * 32 of them take ~13.6 KiB; x86_jit_translate drops any translation
 * longer than this, and x86_jit_full keeps twice this free, so that even
 * a miscount stays inside the buffer (a guard page follows it). */
#define X86_JIT_BLOCK_MAX (32u * 512u + 2048u)

struct x86_jit {
	uint8_t *code;   /* mmap'd, read-write-execute */
	size_t used;
};

/* NULL when off (KILN_SOFT_JIT=0 in the environment) or no executable
 * memory could be mapped: blocks are then interpreted. */
struct x86_jit *x86_jit_new(void);
void x86_jit_free(struct x86_jit *j);
/* Whether a block's translation may not fit: flush all blocks first. */
static inline bool x86_jit_full(const struct x86_jit *j)
{
	return j->used + 2 * X86_JIT_BLOCK_MAX > X86_JIT_CODE;
}
static inline void x86_jit_flush(struct x86_jit *j)
{
	j->used = 0;
}
/* Translate `b`, built at `rip`; leaves b->jit NULL when it is not worth
 * it (no instruction runs natively) or not possible. */
void x86_jit_translate(struct x86_jit *j, struct x86_block *b, uint64_t rip);

#endif
