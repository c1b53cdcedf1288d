/* The decoded-block cache: runs of pre-decoded instructions with their
 * handlers resolved, keyed like the instruction cache by the PHYSICAL
 * address of the first byte and the code size, and invalidated the same
 * way (watch_code on the page, x86_cpu_code_written drops its blocks).
 *
 * A block lies within one page and ends after the first instruction that
 * may change what the run loop looks at between instructions or branch
 * other than by a Jcc (anything that writes RFLAGS.IF/TF, segment
 * registers, control registers, TLBs, mode, or halts; see
 * block_continues() in block.c), after 32 instructions, or before an
 * instruction that crosses the page or cannot be decoded; a taken Jcc
 * leaves the block in the middle. The run loop
 * (x86_cpu.c) checks for events between blocks and, inside one, only
 * what a plain instruction can cause: a branch, an exit request from an
 * MMIO callback, a fault, or a code write that dropped the block itself.
 *
 * This is the seam a translator replaces: the same lookup, the same
 * invalidation, a different body.
 */
#ifndef KILN_ACCEL_SOFT_BLOCK_H
#define KILN_ACCEL_SOFT_BLOCK_H

#include "accel/soft/decode.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct x86_cpu;
struct x86_icache;

#define X86_BLOCK_MAX_INSNS 32

typedef void (*x86_block_fn)(struct x86_cpu *c, const struct x86_insn *i);
/* A translated body (jit.c): entered with the guest's arithmetic flags
 * materialised, returns with RIP, the counters and the flags updated as
 * run_block would leave them. */
typedef void (*x86_jit_fn)(struct x86_cpu *c, uint64_t arith_flags);
struct x86_jit;

/* One instruction of a block: its handler and its decoded form. */
struct x86_bop {
	x86_block_fn fn;
	struct x86_insn insn;
};

/* A block that followed this one, remembered so that the run loop can go
 * there without a lookup: valid while the block is not dropped (its phys
 * unchanged), no translation was dropped since (the cache's epoch), at
 * the same privilege, and in 64-bit mode (RIP is the linear address). */
struct x86_link {
	uint64_t rip;
	struct x86_block *b;
	uint64_t phys;
	uint64_t epoch;
	bool user;
};

struct x86_block {
	uint64_t phys;        /* physical address + 1; 0: dropped */
	struct x86_link link[2];
	unsigned next_link;   /* which one to replace next */
	/* The blocks whose page hashes to the same bucket, for invalidation. */
	struct x86_block *page_prev, *page_next;
	uint16_t bytes;       /* length of its code */
	uint8_t n;            /* instructions */
	uint8_t code_size;
	/* Its translation, valid when entered at jit_rip (the same physical
	 * code under another linear address runs interpreted); or NULL. */
	x86_jit_fn jit;
	uint64_t jit_rip;
	struct x86_bop op[];
};

#define X86_BLOCK_SLOTS 4096      /* direct-mapped lookup, power of two */
#define X86_BLOCK_BUCKETS 1024    /* page chains, power of two */
#define X86_BLOCK_ARENA (4u << 20) /* bytes of blocks before a flush */

struct x86_bcache {
	struct x86_block *slot[X86_BLOCK_SLOTS];
	struct x86_block *bucket[X86_BLOCK_BUCKETS];
	size_t used;
	struct x86_jit *jit; /* NULL: blocks are interpreted */
	_Alignas(16) unsigned char arena[X86_BLOCK_ARENA];
};

struct x86_bcache *x86_bcache_new(void);
void x86_bcache_free(struct x86_bcache *bc);
void x86_bcache_flush(struct x86_bcache *bc);
/* Drop the blocks on physical page `page`; returns how many. */
unsigned x86_bcache_invalidate_page(struct x86_bcache *bc, uint64_t page);

/* The block starting at CS:RIP, found or built; NULL when the caller must
 * step one instruction the slow way instead (no fetch_phys, the fetch or
 * decode faults, an instruction that crosses a page or the CS limit):
 * the slow path raises whatever fault is due. Never raises itself. */
struct x86_block *x86_block_lookup(struct x86_cpu *c, struct x86_icache *ic);
/* Remember that `next` followed `prev` at the current RIP. */
void x86_block_link(struct x86_cpu *c, struct x86_icache *ic,
		    struct x86_block *prev, struct x86_block *next);

#endif
