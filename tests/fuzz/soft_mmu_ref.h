/* The soft-MMU fuzzer's world (a small guest RAM, an MMIO window) and
 * its reference model: a page walk written separately from the MMU's,
 * straight from the SDM, that the fuzzer compares the MMU against. */
#ifndef KILN_TESTS_FUZZ_SOFT_MMU_REF_H
#define KILN_TESTS_FUZZ_SOFT_MMU_REF_H

#include "accel/soft/mmu.h"
#include "core/guest_mem.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Build with -DFUZZ_DEBUG to have a failed check print its line. */
#ifdef FUZZ_DEBUG
#include <stdio.h>
#define CHECK(x)                                                               \
	do {                                                                   \
		if (!(x)) {                                                    \
			fprintf(stderr, "line %d: %s\n", __LINE__, #x);       \
			__builtin_trap();                                      \
		}                                                              \
	} while (0)
#else
#define CHECK(x)                                                               \
	do {                                                                   \
		if (!(x))                                                      \
			__builtin_trap();                                      \
	} while (0)
#endif

#define PG 4096ull
#define R0_GPA 0x0ull
#define R0_SIZE (12 * PG)
#define R1_GPA 0x10000ull
#define R1_SIZE (4 * PG)
#define WIN_GPA 0x20000ull
#define WIN_SIZE (2 * PG)
#define RAM_PAGES 16
#define PHYS_TOP (1ull << SOFT_MMU_PHYS_BITS)

struct world {
	struct guest_mem mem;
	uint8_t *r0, *r1;
	uint8_t window[WIN_SIZE];
	struct soft_mmu m;
	struct soft_mmu_regs r;
	uint64_t mapped[4]; /* linear pages map_path made, for accesses to reuse */
	unsigned nmapped;
};

static uint64_t page_gpa(unsigned p)
{
	p %= RAM_PAGES;
	return p < 12 ? R0_GPA + p * PG : R1_GPA + (p - 12) * PG;
}

static bool in_window(uint64_t gpa, uint64_t len)
{
	return gpa >= WIN_GPA && gpa + len <= WIN_GPA + WIN_SIZE;
}


/* ---- the reference: guest-physical memory as the SDM's walk sees it ---- */

static uint64_t phys_load(struct world *w, uint64_t gpa, unsigned size)
{
	uint64_t v = 0;
	void *p = guest_mem_slice(&w->mem, gpa, size);
	if (p)
		memcpy(&v, p, size);
	else if (in_window(gpa, size))
		memcpy(&v, w->window + (gpa - WIN_GPA), size);
	else
		v = size == 8 ? ~0ull : 0xffffffffull;
	return v;
}

static uint8_t phys_byte(struct world *w, uint64_t gpa)
{
	return (uint8_t)phys_load(w, gpa, 1);
}

struct ref {
	int vector;   /* 0: translated */
	uint32_t ec;
	uint64_t addr;
	uint64_t gpa;
	unsigned n;   /* path entries to check for A (and D on the last) */
	uint64_t path[4];
	bool has_a[4];
	unsigned esize;
};

static int ref_pf(struct ref *o, const struct soft_mmu_regs *r, uint64_t la,
		  enum soft_access acc, bool user, uint32_t why)
{
	bool pae = (r->cr4 & SOFT_CR4_PAE) || (r->efer & SOFT_EFER_LMA);
	o->vector = 14;
	o->ec = why | (acc == SOFT_WRITE ? 2 : 0) | (user ? 4 : 0) |
		(acc == SOFT_FETCH && pae && (r->efer & SOFT_EFER_NXE) ? 16 : 0);
	o->addr = la;
	return 14;
}

/* Translate one linear address (already truncated / canonical). */
static int ref_walk(struct world *w, const struct soft_mmu_regs *r, uint64_t la,
		    enum soft_access acc, bool user, struct ref *o)
{
	memset(o, 0, sizeof(*o));
	if (!(r->cr0 & SOFT_CR0_PG)) {
		o->gpa = la & 0xffffffffull;
		return 0;
	}
	bool rw = true, us = true, xd = false, nxe = r->efer & SOFT_EFER_NXE;
	uint64_t pa;
	if (!(r->efer & SOFT_EFER_LMA) && !(r->cr4 & SOFT_CR4_PAE)) {
		/* 32-bit paging */
		o->esize = 4;
		uint64_t a = (r->cr3 & 0xfffff000ull) + ((la >> 22) & 0x3ff) * 4;
		uint64_t pde = phys_load(w, a, 4);
		o->path[o->n] = a, o->has_a[o->n++] = true;
		if (!(pde & 1))
			return ref_pf(o, r, la, acc, user, 0);
		rw = pde & 2, us = pde & 4;
		if ((pde & 0x80) && (r->cr4 & SOFT_CR4_PSE)) {
			if (pde & (1u << 21))
				return ref_pf(o, r, la, acc, user, 9);
			pa = (pde & 0xffc00000ull) | ((pde >> 13) & 0xff) << 32 |
			     (la & 0x3fffff);
		} else {
			a = (pde & 0xfffff000ull) + ((la >> 12) & 0x3ff) * 4;
			uint64_t pte = phys_load(w, a, 4);
			o->path[o->n] = a, o->has_a[o->n++] = true;
			if (!(pte & 1))
				return ref_pf(o, r, la, acc, user, 0);
			rw = rw && (pte & 2), us = us && (pte & 4);
			pa = (pte & 0xfffff000ull) | (la & 0xfff);
		}
		xd = false;
	} else {
		bool lm = r->efer & SOFT_EFER_LMA;
		o->esize = 8;
		/* Reserved above MAXPHYADDR: bits 51:40 (long), 62:40 (PAE). */
		uint64_t hi = lm ? 0x000fff0000000000ull : 0x7fffff0000000000ull;
		if (!nxe)
			hi |= 1ull << 63;
		uint64_t table;
		int level;
		if (lm) {
			table = r->cr3 & 0x000ffffffffff000ull;
			level = 4;
		} else {
			uint64_t a = (r->cr3 & 0xffffffe0ull) + ((la >> 30) & 3) * 8;
			uint64_t pdpte = phys_load(w, a, 8);
			o->path[o->n] = a, o->has_a[o->n++] = false;
			if (!(pdpte & 1))
				return ref_pf(o, r, la, acc, user, 0);
			if (pdpte & (0x1e6ull | 0xffffff0000000000ull))
				return ref_pf(o, r, la, acc, user, 9);
			table = pdpte & 0x000ffffffffff000ull;
			level = 2;
		}
		for (;; level--) {
			unsigned shift = 12 + 9 * (level - 1);
			uint64_t a = table + ((la >> shift) & 0x1ff) * 8;
			uint64_t e = phys_load(w, a, 8);
			o->path[o->n] = a, o->has_a[o->n++] = true;
			if (!(e & 1))
				return ref_pf(o, r, la, acc, user, 0);
			uint64_t rsv = hi;
			bool ps = e & 0x80;
			if (level == 4 && ps)
				return ref_pf(o, r, la, acc, user, 9);
			if (level == 3 && ps)
				rsv |= 0x3fffe000ull; /* bits 29:13 */
			if (level == 2 && ps)
				rsv |= 0x1fe000ull; /* bits 20:13 */
			if (e & rsv)
				return ref_pf(o, r, la, acc, user, 9);
			rw = rw && (e & 2), us = us && (e & 4);
			xd = xd || (nxe && (e >> 63));
			uint64_t size = 1ull << shift;
			if (level == 1 || (ps && (level == 2 || (level == 3 && lm)))) {
				pa = (e & 0x000ffffffffff000ull & ~(size - 1)) | (la & (size - 1));
				break;
			}
			table = e & 0x000ffffffffff000ull;
		}
	}
	if ((user && !us) ||
	    (acc == SOFT_WRITE && !rw && (user || (r->cr0 & SOFT_CR0_WP))) ||
	    (acc == SOFT_FETCH && xd))
		return ref_pf(o, r, la, acc, user, 1);
	o->gpa = pa;
	return 0;
}

/* The whole access: #GP for a non-canonical start or end, then each page. */
struct ref_access {
	struct ref page[2];
	unsigned npages;
	uint64_t la[2];
	size_t len[2];
	int vector;
	uint32_t ec;
	uint64_t addr;
};

static int ref_access(struct world *w, const struct soft_mmu_regs *r, uint64_t la,
		      size_t len, enum soft_access acc, bool user, struct ref_access *o)
{
	memset(o, 0, sizeof(*o));
	bool lm = r->efer & SOFT_EFER_LMA;
	if (lm) {
		uint64_t last = la + len - 1;
		if ((uint64_t)((int64_t)(la << 16) >> 16) != la ||
		    (uint64_t)((int64_t)(last << 16) >> 16) != last) {
			o->vector = 13;
			o->addr = la;
			return 13;
		}
	} else {
		la &= 0xffffffffull;
	}
	size_t first = PG - (la & (PG - 1));
	if (first > len)
		first = len;
	o->la[0] = la;
	o->len[0] = first;
	o->la[1] = (la + first) & (lm ? ~0ull : 0xffffffffull);
	o->len[1] = len - first;
	o->npages = o->len[1] ? 2 : 1;
	for (unsigned i = 0; i < o->npages; i++) {
		if (ref_walk(w, r, o->la[i], acc, user, &o->page[i])) {
			o->vector = 14;
			o->ec = o->page[i].ec;
			o->addr = o->la[i];
			return 14;
		}
	}
	return 0;
}

/* Whether [gpa, gpa+n) overlaps the data the access wrote. */
static bool overwritten(const struct ref_access *o, enum soft_access acc,
			uint64_t gpa, unsigned n)
{
	if (acc != SOFT_WRITE)
		return false;
	for (unsigned i = 0; i < o->npages; i++)
		if (gpa < o->page[i].gpa + o->len[i] && o->page[i].gpa < gpa + n)
			return true;
	return false;
}

/* After a successful access: A set along each path, D in the leaf of a
 * write (entries in RAM that the data did not overwrite). */
static void check_ad(struct world *w, const struct ref_access *o, enum soft_access acc)
{
	for (unsigned i = 0; i < o->npages; i++) {
		const struct ref *p = &o->page[i];
		for (unsigned k = 0; k < p->n; k++) {
			if (!p->has_a[k] || !guest_mem_is_ram(&w->mem, p->path[k], p->esize) ||
			    overwritten(o, acc, p->path[k], p->esize))
				continue;
			uint64_t e = phys_load(w, p->path[k], p->esize);
			CHECK(e & 0x20);
			if (k == p->n - 1 && acc == SOFT_WRITE)
				CHECK(e & 0x40);
		}
	}
}

/* PAE only: a PDPTE is also another entry of the access's walks. The MMU
 * reads PDPTEs on each walk, and bits 5 and 6 (accessed, dirty) are
 * reserved in a PDPTE: setting A or D in the alias can turn the PDPTE bad
 * in the middle of the access. Such accesses are not compared, and the
 * TLB may then hold translations the tables no longer give. */
static bool pdpt_aliased(const struct world *w, const struct ref_access *o)
{
	if (!(w->r.cr0 & SOFT_CR0_PG) || !(w->r.cr4 & SOFT_CR4_PAE) ||
	    (w->r.efer & SOFT_EFER_LMA))
		return false;
	uint64_t pdpt = w->r.cr3 & 0xffffffe0ull;
	for (unsigned i = 0; i < 2; i++) {
		const struct ref *p = &o->page[i];
		for (unsigned k = 0; k < p->n; k++)
			if (p->has_a[k] && p->path[k] + 8 > pdpt && p->path[k] < pdpt + 32)
				return true;
	}
	return false;
}

static bool fault_matches(const struct ref_access *o, const struct soft_fault *f)
{
	return f->vector == o->vector && f->addr == o->addr &&
	       (o->vector == 13 ? f->error_code == 0 : f->error_code == o->ec);
}

#endif
