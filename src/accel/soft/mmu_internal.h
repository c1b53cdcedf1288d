/* Between the MMU's files: the page walker's result and the hooks the
 * walker needs from the access layer. Not for the CPU core. */
#ifndef KILN_ACCEL_SOFT_MMU_INTERNAL_H
#define KILN_ACCEL_SOFT_MMU_INTERNAL_H

#include "accel/soft/mmu.h"

/* Paging-structure entry bits (all modes). */
#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_G (1ull << 8)
#define PTE_NX (1ull << 63)

#define SOFT_PHYS_MASK ((1ull << SOFT_MMU_PHYS_BITS) - 1)

/* What a successful walk found for one linear address. */
struct soft_walk {
	uint64_t gpa;       /* guest-physical 4 KiB page holding the address */
	uint64_t page_size; /* 4 KiB, 2 MiB, 4 MiB or 1 GiB */
	bool writable;      /* R/W set at every level */
	bool user;          /* U/S set at every level */
	bool nx;            /* XD set at some level (and EFER.NXE) */
	bool global;        /* G in the leaf and CR4.PGE */
	bool dirty;         /* the leaf's D is set (after this walk) */
	bool write_protect; /* CR0.WP: supervisor writes obey R/W */
};

/* Walk the guest's tables for `la` (already truncated or checked for
 * canonical form) with paging on; check the access, set accessed/dirty
 * bits. 0, or -EFAULT with a #PF in *f. */
int soft_mmu_walk(struct soft_mmu *m, const struct soft_mmu_regs *r,
		  uint64_t la, enum soft_access acc, bool user,
		  struct soft_walk *w, struct soft_fault *f);

/* Put a successful walk for `la` into the TLB (the slot of la's page);
 * *out is the entry. */
void soft_mmu_tlb_fill(struct soft_mmu *m, uint64_t la, bool user,
		       const struct soft_walk *w, struct soft_tlb_entry **out);

void soft_tlb_entry_clear(struct soft_tlb_entry *e);

/* One-shot watch: true, and the page no longer watched, if it was. */
bool soft_mmu_take_watch(struct soft_mmu *m, uint64_t gpa_page);

/* After the MMU itself wrote [gpa, gpa+len) of RAM (within one page):
 * the dirty log and the code watch. */
void soft_mmu_ram_was_written(struct soft_mmu *m, uint64_t gpa, uint64_t len);

#endif
