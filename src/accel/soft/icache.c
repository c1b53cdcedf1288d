/* Decoded-instruction cache: see icache.h. Direct-mapped on a hash of the
 * physical address; the entries of each physical page are chained per
 * bucket of page numbers, so a code write visits only its page's
 * entries (and those of pages sharing the bucket). */
#include "accel/soft/icache.h"
#include "accel/soft/block.h"
#include "accel/soft/cpu_internal.h"

#include <stdlib.h>

static unsigned bucket_of(uint64_t page_number)
{
	return (unsigned)((page_number * 0x9e3779b97f4a7c15ull) >> 54) & (X86_ICACHE_BUCKETS - 1);
}

static void unlink_entry(struct x86_icache *ic, uint32_t k)
{
	struct x86_icache_entry *e = &ic->e[k];

	if (e->chain_prev != X86_ICACHE_NONE)
		ic->e[e->chain_prev].chain_next = e->chain_next;
	else
		ic->bucket[bucket_of((e->phys - 1) >> 12)] = e->chain_next;
	if (e->chain_next != X86_ICACHE_NONE)
		ic->e[e->chain_next].chain_prev = e->chain_prev;
	e->phys = 0;
}

static void link_entry(struct x86_icache *ic, uint32_t k)
{
	struct x86_icache_entry *e = &ic->e[k];
	uint32_t *head = &ic->bucket[bucket_of((e->phys - 1) >> 12)];

	e->chain_prev = X86_ICACHE_NONE;
	e->chain_next = *head;
	if (*head != X86_ICACHE_NONE)
		ic->e[*head].chain_prev = k;
	*head = k;
}

struct x86_icache *x86_icache_new(void)
{
	struct x86_icache *ic = calloc(1, sizeof(struct x86_icache));

	if (!ic)
		return NULL;
	if (!(ic->blocks = x86_bcache_new())) {
		free(ic);
		return NULL;
	}
	x86_icache_flush(ic);
	return ic;
}

void x86_icache_free(struct x86_icache *ic)
{
	if (ic)
		x86_bcache_free(ic->blocks);
	free(ic);
}

void x86_icache_flush(struct x86_icache *ic)
{
	for (unsigned k = 0; k < X86_ICACHE_ENTRIES; k++)
		ic->e[k].phys = 0;
	for (unsigned b = 0; b < X86_ICACHE_BUCKETS; b++)
		ic->bucket[b] = X86_ICACHE_NONE;
	ic->fetch_valid = false;
	ic->last = NULL;
	ic->epoch++;
	x86_bcache_flush(ic->blocks);
}

void x86_icache_invalidate_page(struct x86_icache *ic, uint64_t page)
{
	uint64_t pn = page >> 12;
	uint32_t k = ic->bucket[bucket_of(pn)];

	while (k != X86_ICACHE_NONE) {
		uint32_t next = ic->e[k].chain_next;
		if (((ic->e[k].phys - 1) >> 12) == pn) {
			unlink_entry(ic, k);
			ic->invalidated++;
		}
		k = next;
	}
	ic->invalidated += x86_bcache_invalidate_page(ic->blocks, page);
}

static unsigned slot(uint64_t phys)
{
	uint64_t h = phys * 0x9e3779b97f4a7c15ull;
	return (unsigned)(h >> 40) & (X86_ICACHE_ENTRIES - 1);
}

const struct x86_insn *x86_icache_lookup(struct x86_cpu *c, struct x86_icache *ic,
					 struct x86_insn *scratch)
{
	const struct x86_mem_ops *m = c->mem;
	uint64_t la, phys;
	struct x86_fault f;
	unsigned cs = c->mode == X86_MODE_LONG64 ? 64 : c->mode == X86_MODE_PROT32 ? 32 : 16;

	if (!m->fetch_phys) {
		x86_fetch_decode(c, scratch);
		return scratch;
	}
	if (c->mode == X86_MODE_LONG64) {
		la = c->rip;
		if ((uint64_t)((int64_t)(la << 16) >> 16) != la)
			x86_gp0(c);
	} else {
		if (c->rip > c->seg[X86_CS].limit)
			x86_gp0(c);
		la = (c->seg[X86_CS].base + c->rip) & 0xffffffffull;
	}
	bool user = c->cpl == 3;
	bool fetch_ok = ic->fetch_valid && ic->fetch_lpage == (la & ~0xfffull) &&
			ic->fetch_user == user;
	struct x86_icache_entry *prev = ic->last;
	/* (A prev invalidated by a code write since has phys 0.) */
	bool follows = prev && prev->phys && la == ic->last_end && fetch_ok;
	if (follows) {
		/* Straight-line code: the successor, if it is still there. */
		struct x86_icache_entry *n = prev->next;
		if (n && n->phys == prev->phys + prev->insn.len && n->code_size == cs &&
		    (c->mode == X86_MODE_LONG64 ||
		     c->rip + n->insn.len - 1 <= c->seg[X86_CS].limit)) {
			ic->hits++;
			ic->last = n;
			ic->last_end = la + n->insn.len;
			return &n->insn;
		}
	}
	if (fetch_ok) {
		phys = ic->fetch_ppage | (la & 0xfff);
	} else {
		if (m->fetch_phys(c->mem_opaque, la, user, &phys, &f))
			x86_raise_fault(c, &f);
		ic->fetch_valid = true;
		ic->fetch_user = user;
		ic->fetch_lpage = la & ~0xfffull;
		ic->fetch_ppage = phys & ~0xfffull;
	}
	struct x86_icache_entry *e = &ic->e[slot(phys)];
	if (e->phys == phys + 1 && e->code_size == cs &&
	    (c->mode == X86_MODE_LONG64 ||
	     c->rip + e->insn.len - 1 <= c->seg[X86_CS].limit)) {
		ic->hits++;
		goto found;
	}
	ic->misses++;
	ic->last = NULL;
	x86_fetch_decode(c, scratch);
	if ((la & 0xfff) + scratch->len > 4096)
		return scratch;
	if (e->phys)
		unlink_entry(ic, (uint32_t)(e - ic->e)); /* evict the old one */
	e->phys = phys + 1;
	e->code_size = (uint8_t)cs;
	e->insn = *scratch;
	e->next = NULL;
	link_entry(ic, (uint32_t)(e - ic->e));
	if (m->watch_code) {
		m->watch_code(c->mem_opaque, phys & ~0xfffull);
		/* Writes to it must now reach the platform. */
		memset(c->dtlb[1], 0, sizeof(c->dtlb[1]));
	}
found:
	if (follows)
		prev->next = e;
	ic->last = e;
	ic->last_end = la + e->insn.len;
	return &e->insn;
}
