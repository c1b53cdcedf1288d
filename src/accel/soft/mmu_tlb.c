/* The virtual TLB's upkeep: flushes, INVLPG with large pages, and the set
 * of watched code pages (which keeps writes to them off the fast path). */
#include "accel/soft/mmu_internal.h"

#include <errno.h>
#include <stdlib.h>

#define WATCH_CHUNK_SHIFT 15 /* pages per chunk: a 4 KiB bitmap */
#define WATCH_CHUNKS (1u << (SOFT_MMU_PHYS_BITS - SOFT_PAGE_SHIFT - WATCH_CHUNK_SHIFT))

_Static_assert(sizeof(struct soft_tlb_entry) == 64, "a TLB entry is one cache line");

void soft_tlb_entry_clear(struct soft_tlb_entry *e)
{
	e->tag[SOFT_READ] = e->tag[SOFT_WRITE] = e->tag[SOFT_FETCH] = ~0ull;
	e->vpage = ~0ull;
	e->addend = 0;
	e->gpa = 0;
	e->page_mask = 0;
	e->flags = 0;
}

int soft_mmu_init(struct soft_mmu *m, const struct soft_phys_ops *ops,
		  void *opaque)
{
	memset(m, 0, sizeof(*m));
	m->tlb = aligned_alloc(64, 2 * sizeof(*m->tlb));
	m->watch = calloc(WATCH_CHUNKS, sizeof(*m->watch));
	if (!m->tlb || !m->watch) {
		free(m->tlb);
		free(m->watch);
		return -ENOMEM;
	}
	m->ops = ops;
	m->opaque = opaque;
	m->dirty_log = ops->ram_written != NULL;
	soft_mmu_flush(m, true);
	m->stats.flushes = 0;
	m->fill_key = ~0ull; /* the first miss sets it */
	return 0;
}

void soft_mmu_destroy(struct soft_mmu *m)
{
	if (m->watch)
		for (unsigned i = 0; i < WATCH_CHUNKS; i++)
			free(m->watch[i]);
	free(m->watch);
	free(m->tlb);
	m->watch = NULL;
	m->tlb = NULL;
}

void soft_mmu_flush(struct soft_mmu *m, bool include_global)
{
	m->stats.flushes++;
	bool all = include_global || !m->has_global;
	bool kept = false;
	for (unsigned u = 0; u < 2; u++) {
		for (unsigned i = 0; i < SOFT_TLB_SIZE; i++) {
			struct soft_tlb_entry *e = &m->tlb[u][i];
			if (!all && (e->flags & SOFT_TLBF_GLOBAL)) {
				kept = true;
				continue;
			}
			soft_tlb_entry_clear(e);
		}
	}
	m->has_global = kept;
	if (!kept) {
		m->large_addr = ~0ull;
		m->large_mask = 0;
	}
}

void soft_mmu_invlpg(struct soft_mmu *m, uint64_t la)
{
	/* Outside long mode the TLB holds 32-bit linear pages. */
	if (m->fill_key != ~0ull && !(m->fill_key & SOFT_EFER_LMA))
		la &= 0xffffffffull;
	uint64_t page = la & SOFT_PAGE_MASK;
	for (unsigned u = 0; u < 2; u++) {
		struct soft_tlb_entry *e = soft_tlb_slot(m, page, u);
		if (e->vpage == page)
			soft_tlb_entry_clear(e);
	}
	/* Pieces of a large page sit in other slots: find them all. */
	if ((la & m->large_mask) != m->large_addr)
		return;
	for (unsigned u = 0; u < 2; u++) {
		for (unsigned i = 0; i < SOFT_TLB_SIZE; i++) {
			struct soft_tlb_entry *e = &m->tlb[u][i];
			if (e->vpage != ~0ull && ((e->vpage ^ la) & e->page_mask) == 0)
				soft_tlb_entry_clear(e);
		}
	}
}

/* Grow the region that covers all large pages to include this one. */
static void note_large_page(struct soft_mmu *m, uint64_t la, uint64_t size)
{
	uint64_t mask = ~(size - 1);
	if (m->large_mask == 0 && m->large_addr == ~0ull) {
		m->large_mask = mask;
	} else {
		mask &= m->large_mask;
		while (mask && ((m->large_addr ^ la) & mask))
			mask <<= 1;
	}
	m->large_mask = mask;
	m->large_addr = la & mask;
}

void soft_mmu_tlb_fill(struct soft_mmu *m, uint64_t la, bool user,
		       const struct soft_walk *w, struct soft_tlb_entry **out)
{
	uint64_t page = la & SOFT_PAGE_MASK;
	struct soft_tlb_entry *e = soft_tlb_slot(m, page, user);
	void *host = m->ops->ram(m->opaque, w->gpa, SOFT_PAGE_SIZE);
	uint64_t kind = host ? 0 : SOFT_TLB_SLOW;
	bool read = !user || w->user;
	bool write = read && (w->writable || (!user && !w->write_protect)) && w->dirty;
	bool fetch = read && !w->nx;
	bool slow_write = !host || m->watch_all || soft_mmu_code_watched(m, w->gpa);

	e->vpage = page;
	e->gpa = w->gpa;
	e->addend = host ? (uint64_t)(uintptr_t)host - page : 0;
	e->page_mask = ~(w->page_size - 1);
	e->flags = (host ? SOFT_TLBF_RAM : 0) | (w->global ? SOFT_TLBF_GLOBAL : 0);
	e->tag[SOFT_READ] = read ? page | kind : ~0ull;
	e->tag[SOFT_WRITE] = write ? page | (slow_write ? SOFT_TLB_SLOW : 0) : ~0ull;
	e->tag[SOFT_FETCH] = fetch ? page | kind : ~0ull;
	if (w->global)
		m->has_global = true;
	if (w->page_size > SOFT_PAGE_SIZE)
		note_large_page(m, la, w->page_size);
	*out = e;
}

bool soft_mmu_code_watched(const struct soft_mmu *m, uint64_t gpa_page)
{
	uint64_t pfn = gpa_page >> SOFT_PAGE_SHIFT;
	if (pfn >> (SOFT_MMU_PHYS_BITS - SOFT_PAGE_SHIFT))
		return false;
	const uint64_t *chunk = m->watch[pfn >> WATCH_CHUNK_SHIFT];
	if (!chunk)
		return false;
	uint64_t bit = pfn & ((1u << WATCH_CHUNK_SHIFT) - 1);
	return (chunk[bit / 64] >> (bit % 64)) & 1;
}

void soft_mmu_watch_code(struct soft_mmu *m, uint64_t gpa_page)
{
	uint64_t pfn = gpa_page >> SOFT_PAGE_SHIFT;
	/* Nothing above MAXPHYADDR can be translated to, or written. */
	if (pfn >> (SOFT_MMU_PHYS_BITS - SOFT_PAGE_SHIFT))
		return;
	uint64_t **chunk = &m->watch[pfn >> WATCH_CHUNK_SHIFT];
	if (!*chunk)
		*chunk = calloc((1u << WATCH_CHUNK_SHIFT) / 64, sizeof(uint64_t));
	if (*chunk) {
		uint64_t bit = pfn & ((1u << WATCH_CHUNK_SHIFT) - 1);
		(*chunk)[bit / 64] |= 1ull << (bit % 64);
	} else {
		/* Out of memory: report every write instead (too many
		 * callbacks are harmless, a missed one is not). */
		m->watch_all = true;
	}
	/* Writes through the TLB must now take the slow path. */
	gpa_page &= SOFT_PAGE_MASK;
	for (unsigned u = 0; u < 2; u++) {
		for (unsigned i = 0; i < SOFT_TLB_SIZE; i++) {
			struct soft_tlb_entry *e = &m->tlb[u][i];
			if ((m->watch_all || e->gpa == gpa_page) &&
			    !(e->tag[SOFT_WRITE] & SOFT_TLB_INVALID))
				e->tag[SOFT_WRITE] |= SOFT_TLB_SLOW;
		}
	}
}

/* One-shot: true (and the watch gone) if the page was watched. */
bool soft_mmu_take_watch(struct soft_mmu *m, uint64_t gpa_page)
{
	if (m->watch_all)
		return true;
	uint64_t pfn = gpa_page >> SOFT_PAGE_SHIFT;
	if (pfn >> (SOFT_MMU_PHYS_BITS - SOFT_PAGE_SHIFT))
		return false;
	uint64_t *chunk = m->watch[pfn >> WATCH_CHUNK_SHIFT];
	if (!chunk)
		return false;
	uint64_t bit = pfn & ((1u << WATCH_CHUNK_SHIFT) - 1);
	uint64_t mask = 1ull << (bit % 64);
	if (!(chunk[bit / 64] & mask))
		return false;
	chunk[bit / 64] &= ~mask;
	return true;
}

void soft_mmu_set_dirty_log(struct soft_mmu *m, bool on)
{
	__atomic_store_n(&m->dirty_log, on && m->ops->ram_written, __ATOMIC_RELAXED);
}
