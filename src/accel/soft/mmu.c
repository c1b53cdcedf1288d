/* The MMU's slow paths: TLB misses, page-crossing accesses, MMIO, and the
 * bookkeeping of writes (dirty log, code watch). The fast paths are inline
 * in mmu.h; the walk is mmu_walk.c, the TLB's upkeep mmu_tlb.c. */
#include "accel/soft/mmu_internal.h"

#include <errno.h>

/* The paging-mode bits a TLB entry depends on. */
static uint64_t mode_key(const struct soft_mmu_regs *r)
{
	return (r->cr0 & (SOFT_CR0_PG | SOFT_CR0_WP)) |
	       (r->cr4 & (SOFT_CR4_PSE | SOFT_CR4_PAE | SOFT_CR4_PGE)) |
	       (r->efer & (SOFT_EFER_LMA | SOFT_EFER_NXE));
}

/* The CPU flushes on MOV CR3 and on paging-mode changes; should it miss
 * one, entries made under another mode or CR3 are still never mixed with
 * new ones (flushing more than asked is always allowed). */
static void check_mode(struct soft_mmu *m, const struct soft_mmu_regs *r)
{
	uint64_t key = mode_key(r);
	if (key != m->fill_key) {
		soft_mmu_flush(m, true);
		m->fill_key = key;
		m->fill_cr3 = r->cr3;
	} else if (r->cr3 != m->fill_cr3) {
		soft_mmu_flush(m, false);
		m->fill_cr3 = r->cr3;
	}
}

static bool canonical(uint64_t la)
{
	unsigned shift = 64 - SOFT_MMU_VIRT_BITS;
	return (uint64_t)((int64_t)(la << shift) >> shift) == la;
}

static int gp_fault(struct soft_mmu *m, uint64_t la, struct soft_fault *f)
{
	m->stats.faults++;
	f->vector = SOFT_VEC_GP;
	f->error_code = 0;
	f->addr = la;
	return -EFAULT;
}

/* The TLB entry for the page holding `la` that allows `acc`: a hit, or a
 * walk that fills the slot. */
static int lookup(struct soft_mmu *m, const struct soft_mmu_regs *r,
		  uint64_t la, enum soft_access acc, bool user,
		  struct soft_tlb_entry **out, struct soft_fault *f)
{
	uint64_t page = la & SOFT_PAGE_MASK;
	struct soft_tlb_entry *e = soft_tlb_slot(m, page, user);
	uint64_t t = e->tag[acc];
	if (!(t & SOFT_TLB_INVALID) && (t & SOFT_PAGE_MASK) == page) {
		/* A write tag kept slow for a watch that has since fired. */
		if (acc == SOFT_WRITE && (t & SOFT_TLB_SLOW) &&
		    (e->flags & SOFT_TLBF_RAM) && !m->watch_all &&
		    !soft_mmu_code_watched(m, e->gpa))
			e->tag[SOFT_WRITE] = page;
		*out = e;
		return 0;
	}

	m->stats.walks++;
	struct soft_walk w;
	if (!(r->cr0 & SOFT_CR0_PG)) {
		w = (struct soft_walk){ .gpa = page & 0xffffffffull,
					.page_size = SOFT_PAGE_SIZE,
					.writable = true, .user = true,
					.dirty = true };
	} else {
		int err = soft_mmu_walk(m, r, la, acc, user, &w, f);
		if (err) {
			/* A #PF drops the faulting address's translations,
			 * as the CPU does. */
			m->stats.faults++;
			for (unsigned u = 0; u < 2; u++) {
				struct soft_tlb_entry *s = soft_tlb_slot(m, page, u);
				if (s->vpage == page)
					soft_tlb_entry_clear(s);
			}
			return err;
		}
	}
	soft_mmu_tlb_fill(m, la, user, &w, out);
	return 0;
}

/* One page's part of an access. */
struct piece {
	uint64_t gpa;  /* its first byte */
	uint8_t *host; /* its first byte, when the whole page is RAM */
	size_t len;
};

/* Translate and check every page of [la, la+len) before anything moves.
 * Returns the number of pieces (0-2) or -EFAULT / -EINVAL. */
static int translate_access(struct soft_mmu *m, const struct soft_mmu_regs *r,
			    uint64_t la, size_t len, enum soft_access acc,
			    bool user, struct piece p[2], struct soft_fault *f)
{
	if (len == 0)
		return 0;
	if (len > SOFT_MMU_MAX_ACCESS)
		return -EINVAL;
	check_mode(m, r);
	bool lm = r->efer & SOFT_EFER_LMA;
	uint64_t wrap = lm ? ~0ull : 0xffffffffull;
	if (lm && (!canonical(la) || !canonical(la + len - 1)))
		return gp_fault(m, la, f);
	la &= wrap;
	size_t first = SOFT_PAGE_SIZE - (la & ~SOFT_PAGE_MASK);
	if (first > len)
		first = len;
	uint64_t addr[2] = { la, ((la | ~SOFT_PAGE_MASK) + 1) & wrap };
	size_t lens[2] = { first, len - first };
	int n = lens[1] ? 2 : 1;
	for (int i = 0; i < n; i++) {
		struct soft_tlb_entry *e;
		int err = lookup(m, r, addr[i], acc, user, &e, f);
		if (err)
			return err;
		p[i].gpa = e->gpa | (addr[i] & ~SOFT_PAGE_MASK);
		p[i].host = (e->flags & SOFT_TLBF_RAM)
				    ? (uint8_t *)(uintptr_t)(addr[i] + e->addend)
				    : NULL;
		p[i].len = lens[i];
	}
	return n;
}

/* The largest naturally aligned MMIO size (8, 4, 2, 1) at gpa within len. */
static unsigned chunk_size(uint64_t gpa, size_t len)
{
	unsigned n = 8;
	while (n > 1 && ((gpa & (n - 1)) || n > len))
		n /= 2;
	return n;
}

/* A piece of a page that is not wholly RAM: each naturally aligned chunk
 * goes to RAM if it lies in RAM, to MMIO otherwise. */
static void split_access(struct soft_mmu *m, uint64_t gpa, uint8_t *buf,
			 size_t len, bool write)
{
	while (len) {
		unsigned n = chunk_size(gpa, len);
		void *ram = m->ops->ram(m->opaque, gpa, n);
		if (ram && write) {
			memcpy(ram, buf, n);
			soft_mmu_ram_was_written(m, gpa, n);
		} else if (ram) {
			memcpy(buf, ram, n);
		} else if (write) {
			m->ops->mmio_write(m->opaque, gpa, buf, n);
		} else {
			m->ops->mmio_read(m->opaque, gpa, buf, n);
		}
		gpa += n;
		buf += n;
		len -= n;
	}
}

int soft_mmu_read_slow(struct soft_mmu *m, const struct soft_mmu_regs *r,
		       uint64_t la, void *buf, size_t len, enum soft_access acc,
		       bool user, struct soft_fault *f)
{
	struct piece p[2];
	int n = translate_access(m, r, la, len, acc, user, p, f);
	if (n < 0)
		return n;
	uint8_t *out = buf;
	for (int i = 0; i < n; i++) {
		if (p[i].host)
			memcpy(out, p[i].host, p[i].len);
		else
			split_access(m, p[i].gpa, out, p[i].len, false);
		out += p[i].len;
	}
	return 0;
}

int soft_mmu_write_slow(struct soft_mmu *m, const struct soft_mmu_regs *r,
			uint64_t la, const void *buf, size_t len, bool user,
			struct soft_fault *f)
{
	struct piece p[2];
	int n = translate_access(m, r, la, len, SOFT_WRITE, user, p, f);
	if (n < 0)
		return n;
	const uint8_t *in = buf;
	for (int i = 0; i < n; i++) {
		if (p[i].host) {
			memcpy(p[i].host, in, p[i].len);
			soft_mmu_ram_was_written(m, p[i].gpa, p[i].len);
		} else {
			split_access(m, p[i].gpa, (uint8_t *)in, p[i].len, true);
			/* A watched page that is not (all) RAM still hears
			 * of the write. */
			if (m->ops->code_written &&
			    soft_mmu_take_watch(m, p[i].gpa & SOFT_PAGE_MASK))
				m->ops->code_written(m->opaque, p[i].gpa & SOFT_PAGE_MASK);
		}
		in += p[i].len;
	}
	return 0;
}

int soft_mmu_translate_slow(struct soft_mmu *m, const struct soft_mmu_regs *r,
			    uint64_t la, enum soft_access acc, bool user,
			    uint64_t *gpa, struct soft_fault *f)
{
	struct piece p[2];
	int n = translate_access(m, r, la, 1, acc, user, p, f);
	if (n < 0)
		return n;
	*gpa = p[0].gpa;
	return 0;
}

int soft_mmu_write_ptr(struct soft_mmu *m, const struct soft_mmu_regs *r,
		       uint64_t la, size_t len, bool user, void **host,
		       struct soft_fault *f)
{
	struct piece p[2];
	*host = NULL;
	int n = translate_access(m, r, la, len, SOFT_WRITE, user, p, f);
	if (n < 0)
		return n;
	if (n != 1 || !p[0].host)
		return 0;
	soft_mmu_ram_was_written(m, p[0].gpa, p[0].len);
	*host = p[0].host;
	return 0;
}

void soft_mmu_note_written(struct soft_mmu *m, uint64_t gpa, uint64_t len)
{
	if (__atomic_load_n(&m->dirty_log, __ATOMIC_RELAXED))
		m->ops->ram_written(m->opaque, gpa, len);
}

void soft_mmu_ram_was_written(struct soft_mmu *m, uint64_t gpa, uint64_t len)
{
	soft_mmu_note_written(m, gpa, len);
	uint64_t page = gpa & SOFT_PAGE_MASK;
	if (m->ops->code_written && soft_mmu_take_watch(m, page))
		m->ops->code_written(m->opaque, page);
}
