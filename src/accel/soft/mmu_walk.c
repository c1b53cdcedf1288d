/* The page walk: 32-bit, PAE and four-level paging as the SDM describes
 * them (Intel SDM vol. 3A, chapter 4), with reserved-bit checks at every
 * level and accessed/dirty bits set by compare-exchange on guest RAM.
 *
 * Everything the walk reads comes through the phys ops with the entry's
 * exact address and size, so no value in the guest's tables can make it
 * touch host memory outside what ops->ram hands out. */
#include "accel/soft/mmu_internal.h"

#include <errno.h>

enum paging_mode { MODE_32, MODE_PAE, MODE_LONG };

/* Bits hi..lo set. */
static inline uint64_t bits(unsigned hi, unsigned lo)
{
	return ((hi == 63 ? 0 : 1ull << (hi + 1)) - 1) & ~((1ull << lo) - 1);
}

/* Physical-address bits 51:12 of a PAE or long-mode entry. */
#define ADDR_MASK (SOFT_PHYS_MASK & SOFT_PAGE_MASK)

/* One entry of the path, for the accessed/dirty update. */
struct path_entry {
	uint64_t gpa;
	uint64_t val;
	void *host; /* NULL: not RAM (read through MMIO, never written) */
	bool has_a; /* the entry has an accessed bit (not a PAE PDPTE) */
};

static uint64_t read_entry(struct soft_mmu *m, uint64_t gpa, unsigned size,
			   void **host)
{
	void *p = m->ops->ram(m->opaque, gpa, size);
	*host = p;
	if (p && ((uintptr_t)p & (size - 1)) == 0) {
		if (size == 8)
			return __atomic_load_n((uint64_t *)p, __ATOMIC_ACQUIRE);
		return __atomic_load_n((uint32_t *)p, __ATOMIC_ACQUIRE);
	}
	uint64_t v = 0;
	if (p) {
		memcpy(&v, p, size);
	} else {
		m->ops->mmio_read(m->opaque, gpa, &v, size);
	}
	return v;
}

/* Set `set` in the entry if it still holds pe->val. False: another vCPU
 * (or the guest) changed it under us, walk again. */
static bool update_entry(struct soft_mmu *m, const struct path_entry *pe,
			 uint64_t set, unsigned size)
{
	if (!pe->host || (pe->val & set) == set)
		return true;
	bool ok;
	if (((uintptr_t)pe->host & (size - 1)) != 0) {
		/* ram() gave an unaligned slice: no atomic form exists. */
		uint64_t cur = 0;
		memcpy(&cur, pe->host, size);
		ok = cur == pe->val;
		if (ok) {
			cur |= set;
			memcpy(pe->host, &cur, size);
		}
	} else if (size == 8) {
		uint64_t old = pe->val;
		ok = __atomic_compare_exchange_n((uint64_t *)pe->host, &old,
						 old | set, false, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE);
	} else {
		uint32_t old = (uint32_t)pe->val;
		ok = __atomic_compare_exchange_n((uint32_t *)pe->host, &old,
						 old | (uint32_t)set, false,
						 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	}
	if (ok)
		soft_mmu_ram_was_written(m, pe->gpa, size);
	return ok;
}

static int page_fault(const struct soft_mmu_regs *r, enum paging_mode mode,
		      uint64_t la, enum soft_access acc, bool user,
		      uint32_t why, struct soft_fault *f)
{
	uint32_t ec = why;
	if (acc == SOFT_WRITE)
		ec |= SOFT_PF_W;
	if (user)
		ec |= SOFT_PF_U;
	if (acc == SOFT_FETCH && mode != MODE_32 && (r->efer & SOFT_EFER_NXE))
		ec |= SOFT_PF_I;
	f->vector = SOFT_VEC_PF;
	f->error_code = ec;
	f->addr = la;
	return -EFAULT;
}

/* Reserved bits of a present entry at `level` (1 = PTE). */
static uint64_t reserved_bits(enum paging_mode mode, int level, uint64_t e,
			      bool nxe, bool pse)
{
	uint64_t nx = nxe ? 0 : PTE_NX;
	switch (mode) {
	case MODE_32:
		/* A 4 MiB page (PSE-36): bits (M-20):13 carry physical
		 * bits (M-1):32, bits 21:(M-19) are reserved. */
		if (level == 2 && (e & PTE_PS) && pse)
			return bits(21, SOFT_MMU_PHYS_BITS - 19);
		return 0;
	case MODE_PAE:
		if (level == 3) /* PDPTE: no R/W, U/S, A, PS or XD */
			return bits(2, 1) | bits(8, 5) | bits(63, SOFT_MMU_PHYS_BITS);
		if (level == 2 && (e & PTE_PS))
			return bits(62, SOFT_MMU_PHYS_BITS) | bits(20, 13) | nx;
		return bits(62, SOFT_MMU_PHYS_BITS) | nx;
	case MODE_LONG:
	default: {
		uint64_t hi = bits(51, SOFT_MMU_PHYS_BITS) | nx;
		if (level == 4)
			return hi | PTE_PS;
		if (level == 3 && (e & PTE_PS))
			return hi | bits(29, 13);
		if (level == 2 && (e & PTE_PS))
			return hi | bits(20, 13);
		return hi;
	}
	}
}

static unsigned entry_index(enum paging_mode mode, int level, uint64_t la)
{
	if (mode == MODE_32)
		return (la >> (12 + 10 * (level - 1))) & 0x3ff;
	unsigned idx = (la >> (12 + 9 * (level - 1))) & 0x1ff;
	return mode == MODE_PAE && level == 3 ? idx & 3 : idx;
}

int soft_mmu_walk(struct soft_mmu *m, const struct soft_mmu_regs *r,
		  uint64_t la, enum soft_access acc, bool user,
		  struct soft_walk *w, struct soft_fault *f)
{
	enum paging_mode mode = (r->efer & SOFT_EFER_LMA) ? MODE_LONG
				: (r->cr4 & SOFT_CR4_PAE) ? MODE_PAE
							  : MODE_32;
	bool nxe = mode != MODE_32 && (r->efer & SOFT_EFER_NXE);
	bool pse = mode != MODE_32 || (r->cr4 & SOFT_CR4_PSE);
	unsigned size = mode == MODE_32 ? 4 : 8;
	struct path_entry path[4];

again:;
	int top = mode == MODE_LONG ? 4 : mode == MODE_PAE ? 3 : 2;
	uint64_t table = mode == MODE_LONG ? r->cr3 & ADDR_MASK
			 : mode == MODE_PAE ? r->cr3 & 0xffffffe0ull
					    : r->cr3 & 0xfffff000ull;
	bool writable = true, usr = true, nx = false;
	int n = 0;
	uint64_t e = 0, base = 0, page_size = SOFT_PAGE_SIZE;
	for (int level = top; level >= 1; level--) {
		struct path_entry *pe = &path[n++];
		pe->gpa = table + (uint64_t)entry_index(mode, level, la) * size;
		e = pe->val = read_entry(m, pe->gpa, size, &pe->host);
		pe->has_a = !(mode == MODE_PAE && level == 3);
		if (!(e & PTE_P))
			return page_fault(r, mode, la, acc, user, 0, f);
		if (e & reserved_bits(mode, level, e, nxe, pse))
			return page_fault(r, mode, la, acc, user,
					  SOFT_PF_P | SOFT_PF_RSVD, f);
		if (pe->has_a) {
			writable = writable && (e & PTE_RW);
			usr = usr && (e & PTE_US);
			nx = nx || (nxe && (e & PTE_NX));
		}
		bool large = (e & PTE_PS) && pse &&
			     (level == 2 || (level == 3 && mode == MODE_LONG));
		if (level == 1 || large) {
			page_size = mode == MODE_32 ? 1ull << (12 + 10 * (level - 1))
						    : 1ull << (12 + 9 * (level - 1));
			if (mode == MODE_32 && large)
				base = (e & 0xffc00000ull) |
				       ((e >> 13) & bits(SOFT_MMU_PHYS_BITS - 33, 0)) << 32;
			else if (mode == MODE_32)
				base = e & 0xfffff000ull;
			else
				base = e & ADDR_MASK & ~(page_size - 1);
			break;
		}
		table = mode == MODE_32 ? e & 0xfffff000ull : e & ADDR_MASK;
	}

	/* Rights: no SMEP or SMAP, so supervisor accesses to user pages are
	 * allowed; supervisor writes ignore R/W unless CR0.WP. */
	if ((user && !usr) ||
	    (acc == SOFT_WRITE && !writable && (user || (r->cr0 & SOFT_CR0_WP))) ||
	    (acc == SOFT_FETCH && nx))
		return page_fault(r, mode, la, acc, user, SOFT_PF_P, f);

	/* Accessed at every level, dirty in the leaf for a write. */
	for (int i = 0; i < n; i++) {
		uint64_t set = path[i].has_a ? PTE_A : 0;
		if (i == n - 1 && acc == SOFT_WRITE)
			set |= PTE_D;
		if (!update_entry(m, &path[i], set, size))
			goto again;
	}

	w->gpa = (base | (la & (page_size - 1))) & SOFT_PAGE_MASK;
	w->page_size = page_size;
	w->writable = writable;
	w->user = usr;
	w->nx = nx;
	w->global = (e & PTE_G) && (r->cr4 & SOFT_CR4_PGE);
	w->dirty = (e & PTE_D) || acc == SOFT_WRITE;
	w->write_protect = r->cr0 & SOFT_CR0_WP;
	return 0;
}

bool soft_mmu_pdptes_valid(struct soft_mmu *m, const struct soft_mmu_regs *r)
{
	uint64_t table = r->cr3 & 0xffffffe0ull;
	for (unsigned i = 0; i < 4; i++) {
		void *host;
		uint64_t e = read_entry(m, table + i * 8, 8, &host);
		if ((e & PTE_P) && (e & reserved_bits(MODE_PAE, 3, e, false, true)))
			return false;
	}
	return true;
}
