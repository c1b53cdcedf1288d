/* The software CPU's MMU: linear to guest-physical translation, the page
 * walk with the SDM's checks, a virtual TLB, and guest memory accesses that
 * reach RAM by a host pointer or the device bus through MMIO callbacks.
 *
 * Paging modes: none (CR0.PG=0: linear = physical, 32-bit outside long
 * mode), 32-bit two-level (4 KiB, and 4 MiB pages with CR4.PSE, PSE-36
 * address bits), PAE three-level (4 KiB, 2 MiB) and long-mode four-level
 * (4 KiB, 2 MiB, 1 GiB). The soft CPU's CPUID offers no LA57, PKU, SMEP,
 * SMAP or PCID, so none of them is implemented here: CR4.LA57, PKE, SMEP,
 * SMAP and PCIDE must stay 0 (they are ignored). MAXPHYADDR is
 * SOFT_MMU_PHYS_BITS; CPUID leaf 0x80000008 reports the same number.
 *
 * Where this differs from an Intel CPU, on purpose:
 *   - PAE paging (not long mode) reads the four PDPTEs during each walk
 *     instead of loading them at MOV CR3: a non-present PDPTE gives a #PF,
 *     reserved bits in it a #PF with RSVD (what AMD CPUs do). A CPU that
 *     wants Intel's #GP at MOV CR3 calls soft_mmu_pdptes_valid() there.
 *   - A paging-structure entry that is not in RAM is read through
 *     mmio_read (unbacked space reads all-ones, which has reserved bits in
 *     PAE and long mode: #PF with RSVD); accessed/dirty bits are never
 *     written to such an entry.
 *   - Accessed and dirty bits are set only by a walk that succeeds (a
 *     faulting access leaves the tables untouched; the SDM allows either).
 *
 * Threads: one struct soft_mmu belongs to one vCPU and is used by its
 * thread only (soft_mmu_set_dirty_log excepted). Accessed/dirty updates are
 * compare-exchanges on guest RAM, so other vCPUs may walk the same tables.
 * The watch set of code pages is per MMU too: with several vCPUs a write by
 * one must also reach the others' decoded-instruction caches, which needs
 * a shared watch set (not done yet: one vCPU first).
 */
#ifndef KILN_ACCEL_SOFT_MMU_H
#define KILN_ACCEL_SOFT_MMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SOFT_MMU_PHYS_BITS 40 /* MAXPHYADDR */
#define SOFT_MMU_VIRT_BITS 48 /* linear address bits in long mode */
#define SOFT_PAGE_SHIFT 12
#define SOFT_PAGE_SIZE (1ull << SOFT_PAGE_SHIFT)
#define SOFT_PAGE_MASK (~(SOFT_PAGE_SIZE - 1))
/* The longest single access soft_mmu_read/write take (it spans at most two
 * pages); longer ones are refused with -EINVAL. */
#define SOFT_MMU_MAX_ACCESS SOFT_PAGE_SIZE

/* Control-register bits the MMU looks at. */
#define SOFT_CR0_WP (1ull << 16)
#define SOFT_CR0_PG (1ull << 31)
#define SOFT_CR4_PSE (1ull << 4)
#define SOFT_CR4_PAE (1ull << 5)
#define SOFT_CR4_PGE (1ull << 7)
#define SOFT_EFER_LMA (1ull << 10)
#define SOFT_EFER_NXE (1ull << 11)

/* #PF error code bits. */
#define SOFT_PF_P (1u << 0)    /* protection violation (0: not present) */
#define SOFT_PF_W (1u << 1)    /* the access was a write */
#define SOFT_PF_U (1u << 2)    /* the access was a CPL-3 access */
#define SOFT_PF_RSVD (1u << 3) /* a reserved bit was set in an entry */
#define SOFT_PF_I (1u << 4)    /* instruction fetch (only with PAE/4-level and EFER.NXE) */

#define SOFT_VEC_GP 13
#define SOFT_VEC_PF 14

/* The machine's physical address space. All of the MMU's accesses to guest
 * memory, page tables included, go through these. */
struct soft_phys_ops {
	/* Host pointer to [gpa, gpa+len) if it lies wholly inside one RAM
	 * region, else NULL (Kiln: guest_mem_slice). A pointer returned for
	 * a whole page is cached in the TLB until the next full flush, so
	 * RAM must stay mapped where it is (call soft_mmu_flush(m, true) if
	 * the RAM map ever changes). */
	void *(*ram)(void *opaque, uint64_t gpa, uint64_t len);
	/* MMIO (anything not RAM): 1, 2, 4 or 8 bytes, naturally aligned
	 * (the MMU splits accesses). Unbacked reads give all-ones. */
	void (*mmio_read)(void *opaque, uint64_t gpa, void *buf, unsigned len);
	void (*mmio_write)(void *opaque, uint64_t gpa, const void *buf, unsigned len);
	/* A write landed on a page watched with soft_mmu_watch_code(). The
	 * watch is one-shot: the page is no longer watched when this is
	 * called (the CPU drops its decoded instructions of the page and
	 * watches it again when it decodes from it again). Called after the
	 * write's bytes are in RAM, once per page the write touched. The
	 * callback may call soft_mmu_watch_code/soft_mmu_flush. */
	void (*code_written)(void *opaque, uint64_t gpa_page);
	/* RAM the CPU wrote, for dirty logging (live migration): called after
	 * every write to RAM (data, and accessed/dirty bits in page tables)
	 * while dirty logging is on; may be NULL. */
	void (*ram_written)(void *opaque, uint64_t gpa, uint64_t len);
};

struct soft_mmu_regs {
	uint64_t cr0, cr3, cr4, efer;
};

/* The order matters: it indexes soft_tlb_entry.tag. */
enum soft_access { SOFT_READ, SOFT_WRITE, SOFT_FETCH };

struct soft_fault {
	uint8_t vector;      /* SOFT_VEC_PF, or SOFT_VEC_GP (non-canonical; the
			      * caller turns it into #SS for stack accesses) */
	uint32_t error_code; /* #PF: SOFT_PF_*; #GP: 0 */
	uint64_t addr;       /* #PF: the faulting linear address (CR2) */
};

/* One cached translation of a 4 KiB linear page (a large page is cached as
 * the 4 KiB pieces that were used). tag[acc] is the linear page when that
 * access may go straight to host memory at la + addend; the page with
 * SOFT_TLB_SLOW when the translation is good but the access needs the slow
 * path (MMIO, a watched code page); SOFT_TLB_INVALID when the access is not
 * allowed by this entry (it walks again, and faults if the tables say so). */
#define SOFT_TLB_SLOW 1ull
#define SOFT_TLB_INVALID 2ull
#define SOFT_TLB_BITS 9
#define SOFT_TLB_SIZE (1u << SOFT_TLB_BITS)

struct soft_tlb_entry {
	uint64_t tag[3];
	uint64_t addend;    /* host address - linear address (RAM pages) */
	uint64_t vpage;     /* linear page, or ~0 when empty */
	uint64_t gpa;       /* guest-physical page */
	uint64_t page_mask; /* ~(size - 1) of the guest page it came from */
	uint32_t flags;     /* SOFT_TLBF_* */
	uint32_t pad;
};
#define SOFT_TLBF_GLOBAL 1u /* survives soft_mmu_flush(m, false) */
#define SOFT_TLBF_RAM 2u    /* the whole page is RAM: addend is valid */

struct soft_mmu_stats {
	uint64_t walks;   /* page walks (TLB misses, including faults) */
	uint64_t faults;  /* #PF and #GP returned */
	uint64_t flushes; /* full or non-global flushes */
};

struct soft_mmu {
	/* [0] supervisor, [1] user (CPL 3) translations. */
	struct soft_tlb_entry (*tlb)[SOFT_TLB_SIZE];
	const struct soft_phys_ops *ops;
	void *opaque;
	bool dirty_log;     /* call ops->ram_written (atomic) */
	bool has_global;    /* a global entry may be in the TLB */
	bool watch_all;     /* out of memory for the watch set: every write
			     * to RAM reports code_written */
	uint64_t fill_key;  /* paging-mode bits the TLB was filled under */
	uint64_t fill_cr3;
	/* Linear region covering every large page in the TLB (invlpg inside
	 * it searches the whole TLB); large_mask 0 with large_addr ~0: none. */
	uint64_t large_addr, large_mask;
	/* Watched code pages: a bitmap over MAXPHYADDR's pages in chunks of
	 * 32768 pages (4 KiB of bits), each allocated on first use. */
	uint64_t **watch;
	struct soft_mmu_stats stats;
};

/* 0 or -ENOMEM. Dirty logging starts on when ops->ram_written is set. */
int soft_mmu_init(struct soft_mmu *m, const struct soft_phys_ops *ops,
		  void *opaque) __attribute__((warn_unused_result));
void soft_mmu_destroy(struct soft_mmu *m);

/* `user`: a CPL-3 access (implicit supervisor accesses such as descriptor
 * table reads pass false). Outside long mode only the low 32 bits of `la`
 * are used. 0, or -EFAULT with *f filled. translate sets accessed/dirty
 * bits as the access `acc` would, but neither reads nor writes the data. */
int soft_mmu_translate_slow(struct soft_mmu *m, const struct soft_mmu_regs *r,
			    uint64_t la, enum soft_access acc, bool user,
			    uint64_t *gpa, struct soft_fault *f);
/* Reads or writes `len` (up to SOFT_MMU_MAX_ACCESS) bytes at `la`. Every
 * page the access touches is translated and checked before any byte moves;
 * RAM is copied, MMIO goes out in naturally aligned pieces of 1-8 bytes.
 * -EINVAL for a too long access. A read with acc SOFT_WRITE is the read
 * half of a read-modify-write: checked (and the dirty bit set) as a write.
 * The CPU passes linear addresses already truncated to 32 bits outside long
 * mode (others work, but never hit the TLB). An instruction fetch must not
 * ask for bytes past the instruction's end that lie in the next page: that
 * page is translated too and may fault. */
int soft_mmu_read_slow(struct soft_mmu *m, const struct soft_mmu_regs *r,
		       uint64_t la, void *buf, size_t len, enum soft_access acc,
		       bool user, struct soft_fault *f);
int soft_mmu_write_slow(struct soft_mmu *m, const struct soft_mmu_regs *r,
			uint64_t la, const void *buf, size_t len, bool user,
			struct soft_fault *f);
/* Reports a fast-path write to RAM to ops->ram_written. */
void soft_mmu_note_written(struct soft_mmu *m, uint64_t gpa, uint64_t len);

/* For locked read-modify-write instructions: a host pointer to the `len`
 * bytes at `la` if they lie in one RAM page that a write may use. It is
 * checked and accounted as a write (dirty bit, code watch, dirty log) before
 * the caller stores through it. 0 with *host NULL: MMIO or a page-crossing
 * access, use soft_mmu_read + soft_mmu_write. -EFAULT with *f filled. */
int soft_mmu_write_ptr(struct soft_mmu *m, const struct soft_mmu_regs *r,
		       uint64_t la, size_t len, bool user, void **host,
		       struct soft_fault *f) __attribute__((warn_unused_result));

/* MOV CR3 (false: global pages stay), CR0/CR4/EFER paging changes (true).
 * The MMU also flushes by itself when a miss sees different paging-mode
 * bits or a different CR3 than the TLB was filled under. */
void soft_mmu_flush(struct soft_mmu *m, bool include_global);
/* INVLPG: every entry for the page holding `la`, of any page size, global
 * or not (a non-canonical `la` matches none). */
void soft_mmu_invlpg(struct soft_mmu *m, uint64_t la);

/* Watch a guest-physical page for writes (see ops->code_written). */
void soft_mmu_watch_code(struct soft_mmu *m, uint64_t gpa_page);
bool soft_mmu_code_watched(const struct soft_mmu *m, uint64_t gpa_page);

/* Dirty logging on or off (any thread; the vCPU sees it at its next
 * write). Has no effect without ops->ram_written. */
void soft_mmu_set_dirty_log(struct soft_mmu *m, bool on);

/* Intel's PAE rule for MOV CR3/CR0/CR4: false if a present PDPTE at `cr3`
 * has reserved bits set (the CPU raises #GP(0)). */
bool soft_mmu_pdptes_valid(struct soft_mmu *m, const struct soft_mmu_regs *r);

/* The fast paths: a tag compare and a copy when the TLB has the page. */

static inline struct soft_tlb_entry *soft_tlb_slot(struct soft_mmu *m,
						   uint64_t la, bool user)
{
	return &m->tlb[user][(la >> SOFT_PAGE_SHIFT) & (SOFT_TLB_SIZE - 1)];
}

/* Host pointer for `len` bytes at `la` if the TLB lets `acc` use it
 * directly, else NULL. */
static inline void *soft_tlb_host(struct soft_mmu *m, uint64_t la, size_t len,
				  enum soft_access acc, bool user)
{
	const struct soft_tlb_entry *e = soft_tlb_slot(m, la, user);
	if (__builtin_expect(e->tag[acc] == (la & SOFT_PAGE_MASK) &&
			     (la & ~SOFT_PAGE_MASK) + len <= SOFT_PAGE_SIZE, 1))
		return (void *)(uintptr_t)(la + e->addend);
	return NULL;
}

static inline int soft_mmu_translate(struct soft_mmu *m,
				     const struct soft_mmu_regs *r, uint64_t la,
				     enum soft_access acc, bool user,
				     uint64_t *gpa, struct soft_fault *f)
{
	const struct soft_tlb_entry *e = soft_tlb_slot(m, la, user);
	if (__builtin_expect((e->tag[acc] & ~SOFT_TLB_SLOW) == (la & SOFT_PAGE_MASK), 1)) {
		*gpa = e->gpa | (la & ~SOFT_PAGE_MASK);
		return 0;
	}
	return soft_mmu_translate_slow(m, r, la, acc, user, gpa, f);
}

static inline int soft_mmu_read(struct soft_mmu *m, const struct soft_mmu_regs *r,
				uint64_t la, void *buf, size_t len,
				enum soft_access acc, bool user,
				struct soft_fault *f)
{
	void *p = soft_tlb_host(m, la, len, acc, user);
	if (__builtin_expect(p != NULL, 1)) {
		memcpy(buf, p, len);
		return 0;
	}
	return soft_mmu_read_slow(m, r, la, buf, len, acc, user, f);
}

static inline int soft_mmu_write(struct soft_mmu *m, const struct soft_mmu_regs *r,
				 uint64_t la, const void *buf, size_t len,
				 bool user, struct soft_fault *f)
{
	void *p = soft_tlb_host(m, la, len, SOFT_WRITE, user);
	if (__builtin_expect(p != NULL, 1)) {
		memcpy(p, buf, len);
		if (__builtin_expect(__atomic_load_n(&m->dirty_log, __ATOMIC_RELAXED), 0))
			soft_mmu_note_written(m, soft_tlb_slot(m, la, user)->gpa |
						 (la & ~SOFT_PAGE_MASK), len);
		return 0;
	}
	return soft_mmu_write_slow(m, r, la, buf, len, user, f);
}

#endif
