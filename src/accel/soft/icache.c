/* Decoded-instruction cache: see icache.h. Direct-mapped on a hash of the
 * physical address; invalidating a page scans the table, which is cheap
 * next to how rarely a guest writes a page it executes from. */
#include "accel/soft/icache.h"
#include "accel/soft/cpu_internal.h"

#include <stdlib.h>

struct x86_icache *x86_icache_new(void)
{
	return calloc(1, sizeof(struct x86_icache));
}

void x86_icache_free(struct x86_icache *ic)
{
	free(ic);
}

void x86_icache_flush(struct x86_icache *ic)
{
	for (unsigned k = 0; k < X86_ICACHE_ENTRIES; k++)
		ic->e[k].phys = 0;
	ic->fetch_valid = false;
	ic->last = NULL;
}

void x86_icache_invalidate_page(struct x86_icache *ic, uint64_t page)
{
	page >>= 12;
	for (unsigned k = 0; k < X86_ICACHE_ENTRIES; k++) {
		if (ic->e[k].phys && ((ic->e[k].phys - 1) >> 12) == page) {
			ic->e[k].phys = 0;
			ic->invalidated++;
		}
	}
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
	e->phys = phys + 1;
	e->code_size = (uint8_t)cs;
	e->insn = *scratch;
	e->next = NULL;
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
