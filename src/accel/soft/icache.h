/* The decoded-instruction cache, keyed by the PHYSICAL address of an
 * instruction's first byte (and the code size it was decoded for), so
 * that one copy serves every mapping of a page and a CR3 switch costs
 * nothing. It is the seam where a block translator plugs in later: a
 * block cache keyed the same way, invalidated the same way.
 *
 * Coherence with guest writes: when an instruction is first cached from a
 * physical page, the platform's watch_code(page) is called; the platform
 * (the soft MMU) then reports any write to that page, by any vCPU or
 * device, with x86_cpu_code_written(page), which drops every entry from
 * the page before the next instruction is fetched. Instructions that
 * cross a page boundary are never cached.
 */
#ifndef KILN_ACCEL_SOFT_ICACHE_H
#define KILN_ACCEL_SOFT_ICACHE_H

#include "accel/soft/decode.h"

#include <stdbool.h>
#include <stdint.h>

struct x86_cpu;

#define X86_ICACHE_ENTRIES 8192 /* power of two */

struct x86_icache_entry {
	uint64_t phys;       /* physical address + 1 (0: empty) */
	uint8_t code_size;
	struct x86_insn insn;
	/* The entry of the instruction that follows in memory, when it was
	 * last found there (checked against its phys before use). */
	struct x86_icache_entry *next;
	/* Doubly linked chain of the entries whose page hashes to the same
	 * bucket, so that a code write visits only those. */
	uint32_t chain_prev, chain_next;
};

#define X86_ICACHE_BUCKETS 1024 /* power of two */
#define X86_ICACHE_NONE 0xffffffffu

struct x86_icache {
	struct x86_icache_entry e[X86_ICACHE_ENTRIES];
	uint32_t bucket[X86_ICACHE_BUCKETS]; /* first entry of each chain */
	/* The last fetch translation (linear page -> physical page), as a
	 * one-entry TLB: dropped whenever the CPU flushes the platform's TLB
	 * (CR0/CR3/CR4/EFER writes, INVLPG, state loads) or the platform
	 * says its translations changed (x86_cpu_tlb_changed). */
	bool fetch_valid, fetch_user;
	uint64_t fetch_lpage, fetch_ppage;
	/* The entry last returned and the linear address after it: straight
	 * line code follows `next` links without hashing. */
	struct x86_icache_entry *last;
	uint64_t last_end;
	uint64_t hits, misses, invalidated;
	/* Decoded blocks (block.h), kept and dropped with these entries; the
	 * run loop uses them, single steps use the entries above. The
	 * counters above count blocks too (a block built is one miss). */
	struct x86_bcache *blocks;
	/* Bumped whenever cached translations or blocks go wholesale
	 * (TLB flushes, cache flushes): block links older than it are stale. */
	uint64_t epoch;
};

/* A cache for `cpu`, or NULL without memory. The CPU uses it only when its
 * platform has fetch_phys. */
struct x86_icache *x86_icache_new(void);
void x86_icache_free(struct x86_icache *ic);
void x86_icache_flush(struct x86_icache *ic);
void x86_icache_invalidate_page(struct x86_icache *ic, uint64_t page);
/* The decoded instruction at CS:RIP: from the cache, or fetched and
 * decoded into `scratch` (and cached when it fits in one page). Faults
 * like instruction fetch. */
const struct x86_insn *x86_icache_lookup(struct x86_cpu *c, struct x86_icache *ic,
					 struct x86_insn *scratch);

#endif
