/* libFuzzer target: the software CPU's MMU against hostile page tables.
 *
 * The input picks a paging mode and control bits, writes page-table
 * entries into a small guest RAM (two guest_mem regions, each its own heap
 * allocation of exactly its size, so AddressSanitizer sees any access
 * outside them) and then runs accesses: reads, fetches, writes, translates,
 * locked-access pointers, INVLPG, flushes, code watches, mode changes.
 *
 * Guest-physical layout:
 *	[0x00000, 0x0c000)  RAM region 0 (pages 0-11)
 *	[0x0c000, 0x10000)  hole (unbacked: reads all-ones)
 *	[0x10000, 0x14000)  RAM region 1 (pages 12-15)
 *	[0x20000, 0x22000)  MMIO window (a device that stores what it is given)
 *	everything else     unbacked
 *
 * Checks besides ASan/UBSan: MMIO pieces are 1, 2, 4 or 8 bytes, naturally
 * aligned and outside RAM, below MAXPHYADDR; dirty and code callbacks name
 * RAM. While no data write has happened since the last full flush (so the
 * TLB cannot hold stale entries), every result is compared with a separate
 * reference walk written from the SDM: the fault (vector, error code,
 * address) or the guest-physical address, the bytes read, where written
 * bytes landed, that a faulting write changed no data byte, and that the
 * accessed/dirty bits of the path are set. */
#include "soft_mmu_ref.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ENTRIES 48
#define MAX_OPS 48

/* ---- phys ops ---- */

static void *w_ram(void *opaque, uint64_t gpa, uint64_t len)
{
	struct world *w = opaque;
	CHECK(len > 0);
	return guest_mem_slice(&w->mem, gpa, len);
}

static void check_mmio(struct world *w, uint64_t gpa, unsigned len)
{
	CHECK(len == 1 || len == 2 || len == 4 || len == 8);
	CHECK((gpa & (len - 1)) == 0);
	CHECK(gpa < PHYS_TOP);
	CHECK(!guest_mem_is_ram(&w->mem, gpa, 1));
}

static void w_mmio_read(void *opaque, uint64_t gpa, void *buf, unsigned len)
{
	struct world *w = opaque;
	check_mmio(w, gpa, len);
	if (in_window(gpa, len))
		memcpy(buf, w->window + (gpa - WIN_GPA), len);
	else
		memset(buf, 0xff, len);
}

static void w_mmio_write(void *opaque, uint64_t gpa, const void *buf, unsigned len)
{
	struct world *w = opaque;
	check_mmio(w, gpa, len);
	if (in_window(gpa, len))
		memcpy(w->window + (gpa - WIN_GPA), buf, len);
}

static void w_code_written(void *opaque, uint64_t page)
{
	struct world *w = opaque;
	CHECK((page & (PG - 1)) == 0);
	CHECK(page < PHYS_TOP);
	(void)w;
}

static void w_ram_written(void *opaque, uint64_t gpa, uint64_t len)
{
	struct world *w = opaque;
	CHECK(len > 0 && len <= PG);
	CHECK(guest_mem_is_ram(&w->mem, gpa, len));
}

static const struct soft_phys_ops ops = { w_ram, w_mmio_read, w_mmio_write,
					  w_code_written, w_ram_written };

/* ---- building the world from the input ---- */

struct input {
	const uint8_t *p;
	size_t left;
};

static uint8_t in8(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static uint64_t in64(struct input *in)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)in8(in) << (8 * i);
	return v;
}

/* Table indices the entries and addresses share, so that they meet often:
 * the low and high ends of each table. */
static unsigned pick_index(unsigned sel, bool wide)
{
	static const unsigned idx9[8] = { 0, 1, 2, 3, 256, 257, 510, 511 };
	static const unsigned idx10[8] = { 0, 1, 2, 3, 512, 513, 1022, 1023 };
	return (wide ? idx10 : idx9)[sel & 7];
}

static bool mode_32(const struct soft_mmu_regs *r)
{
	return (r->cr0 & SOFT_CR0_PG) && !(r->cr4 & SOFT_CR4_PAE) &&
	       !(r->efer & SOFT_EFER_LMA);
}

/* One page-table entry: [page][index][flags][target][extra][extra2]. */
static void write_entry(struct world *w, struct input *in)
{
	uint8_t b[6];
	for (int i = 0; i < 6; i++)
		b[i] = in8(in);
	bool narrow = mode_32(&w->r);
	uint64_t at = page_gpa(b[0] & 15) +
		      pick_index(b[1], narrow) * (narrow ? 4 : 8);
	uint64_t target;
	if (b[3] < 200)
		target = page_gpa(b[3]);
	else if (b[3] < 230)
		target = WIN_GPA + (b[3] & 1) * PG;
	else /* anywhere: the hole, unbacked space, high bits */
		target = ((uint64_t)b[4] << 32 | (uint64_t)b[5] << 24 | (uint64_t)b[3] << 12);
	uint64_t e = target | b[2]; /* P RW US PWT PCD A D PS */
	if (b[4] & 1)
		e |= 1ull << 8; /* G */
	if (b[4] & 2)
		e |= 1ull << 63; /* XD */
	if (b[4] & 4)
		e |= 1ull << (9 + (b[5] % 55)); /* a reserved or ignored bit */
	if (b[3] < 230 && (b[4] & 8))
		e |= (uint64_t)(b[5] & 0x1f) << 13; /* large-page low bits */
	void *p = guest_mem_slice(&w->mem, at, narrow ? 4 : 8);
	CHECK(p);
	memcpy(p, &e, narrow ? 4 : 8);
}

static uint64_t make_la(struct world *w, struct input *in, bool allow_raw)
{
	uint8_t sel = in8(in);
	uint8_t s1 = in8(in), s2 = in8(in);
	uint16_t off = (uint16_t)(in8(in) | in8(in) << 8);
	if (!allow_raw)
		sel &= 0x3f;
	if (sel & 0x80) /* raw: canonical checks, 4 GiB wrap */
		return in64(in);
	if (allow_raw && (s1 & 0x80) && w->nmapped) /* a page just mapped */
		return w->mapped[(s1 >> 3) % (w->nmapped < 4 ? w->nmapped : 4)] |
		       (off & 0xfff);
	if (mode_32(&w->r))
		return (uint64_t)pick_index(s1, true) << 22 |
		       (uint64_t)pick_index(s2, true) << 12 | (off & 0xfff);
	uint64_t la = (uint64_t)pick_index(sel, false) << 39 |
		      (uint64_t)pick_index(sel >> 3, false) << 30 |
		      (uint64_t)pick_index(s1, false) << 21 |
		      (uint64_t)pick_index(s2, false) << 12 | (off & 0xfff);
	if (!(w->r.efer & SOFT_EFER_LMA))
		return la & 0xffffffffull;
	if (sel & 0x40)
		la ^= 1ull << 52; /* non-canonical */
	return (uint64_t)((int64_t)(la << 16) >> 16) ^ (la & (1ull << 52));
}

/* A whole path of entries for one linear address, so that walks often
 * succeed: tables come from the input's pages where an entry is not yet
 * present; one flags byte per level can take rights away. The leaf is a
 * 4 KiB page in RAM or the window, or a large page at 0 (covering all of
 * RAM) or at an address from the input. */
static void map_path(struct world *w, struct input *in)
{
	if (!(w->r.cr0 & SOFT_CR0_PG))
		return;
	uint64_t la = make_la(w, in, false) & ~0xfffull;
	uint8_t leaf_sel = in8(in);
	w->mapped[w->nmapped++ % 4] = la;
	bool lm = w->r.efer & SOFT_EFER_LMA;
	bool narrow = mode_32(&w->r);
	bool pae = !lm && !narrow;
	unsigned esize = narrow ? 4 : 8;
	int top = lm ? 4 : pae ? 3 : 2;
	int leaf = 1 + leaf_sel % (lm ? 3 : 2);
	uint64_t amask = narrow ? 0xfffff000ull : 0x000ffffffffff000ull;
	uint64_t table = lm ? w->r.cr3 & amask : pae ? w->r.cr3 & 0xffffffe0ull
						       : w->r.cr3 & 0xfffff000ull;
	for (int level = top; level >= leaf; level--) {
		unsigned shift = narrow ? 12 + 10 * (level - 1) : 12 + 9 * (level - 1);
		unsigned mask = narrow ? 0x3ff : (pae && level == 3) ? 3 : 0x1ff;
		uint64_t at = table + ((la >> shift) & mask) * esize;
		void *p = guest_mem_slice(&w->mem, at, esize);
		if (!p)
			return;
		uint64_t e = 0;
		memcpy(&e, p, esize);
		uint8_t fl = in8(in);
		/* Rights: mostly all granted, sometimes one taken away. */
		uint64_t rights = 0x7;
		if ((fl & 0xc0) == 0xc0)
			rights &= ~(uint64_t)(fl & 0x6);
		if (pae && level == 3)
			rights = 1;
		if (level == leaf) {
			uint64_t size = 1ull << shift;
			uint64_t target = level == 1 ? ((fl & 0x20) ? WIN_GPA : page_gpa(fl))
					  : (fl & 0x20) ? ((uint64_t)fl << 32) & amask & ~(size - 1)
							: 0;
			if (narrow && level == 2 && (fl & 0x20)) /* PSE-36 */
				target = (uint64_t)fl << 13 & 0x1fe000;
			e = target | rights | (fl & 0x18 ? 0x60 & (uint64_t)fl << 2 : 0) |
			    (level > 1 ? 0x80 : 0) | (fl & 1 ? 0x100 : 0);
			if (!narrow && (leaf_sel & 0x80))
				e |= 1ull << 63;
			uint8_t junk = in8(in);
			if (junk & 0x80) /* any one bit: reserved, ignored, rights */
				e |= 1ull << ((junk & 0x7f) % (esize * 8));
		} else if (!(e & 1)) {
			e = page_gpa(fl) | rights;
		} else {
			e = (e & ~0x7ull) | rights;
		}
		memcpy(p, &e, esize);
		table = e & amask;
	}
}

static void set_regs(struct world *w, uint8_t b)
{
	struct soft_mmu_regs *r = &w->r;
	r->cr0 = 1 | ((b & 0x10) ? SOFT_CR0_WP : 0);
	r->cr4 = (b & 0x20 ? SOFT_CR4_PSE : 0) | (b & 0x40 ? SOFT_CR4_PGE : 0);
	r->efer = b & 0x80 ? SOFT_EFER_NXE : 0;
	switch (b & 3) {
	case 0: /* paging off */
		break;
	case 1: /* 32-bit */
		r->cr0 |= SOFT_CR0_PG;
		break;
	case 2: /* PAE */
		r->cr0 |= SOFT_CR0_PG;
		r->cr4 |= SOFT_CR4_PAE;
		break;
	case 3: /* long mode */
		r->cr0 |= SOFT_CR0_PG;
		r->cr4 |= SOFT_CR4_PAE;
		r->efer |= SOFT_EFER_LMA | (1ull << 8);
		break;
	}
}

/* ---- the accesses ---- */

static uint8_t snap0[R0_SIZE], snap1[R1_SIZE], snapw[WIN_SIZE];

static void snapshot(struct world *w)
{
	memcpy(snap0, w->r0, R0_SIZE);
	memcpy(snap1, w->r1, R1_SIZE);
	memcpy(snapw, w->window, WIN_SIZE);
}

/* Only accessed/dirty bits (bits 5 and 6 of an entry's low byte) may have
 * changed since the snapshot. */
static void check_unchanged_but_ad(struct world *w)
{
	for (size_t i = 0; i < R0_SIZE; i++) {
		uint8_t mask = (i % 4) ? 0xff : 0x9f;
		CHECK(((w->r0[i] ^ snap0[i]) & mask) == 0);
	}
	for (size_t i = 0; i < R1_SIZE; i++) {
		uint8_t mask = (i % 4) ? 0xff : 0x9f;
		CHECK(((w->r1[i] ^ snap1[i]) & mask) == 0);
	}
	CHECK(memcmp(w->window, snapw, WIN_SIZE) == 0);
}

static size_t pick_len(uint8_t b)
{
	static const size_t lens[8] = { 1, 2, 4, 8, 10, 15, 16, 4096 };
	return (b & 0x80) ? lens[b & 7] : (size_t)(b & 7) + 1;
}

static void run_op(struct world *w, struct input *in, bool *clean)
{
	static uint8_t buf[4096], ref_buf[4096];
	uint8_t op = in8(in), arg = in8(in);
	bool user = op & 0x10;
	enum soft_access acc = (op >> 5) % 3 == 2 ? SOFT_FETCH : SOFT_READ;
	struct soft_fault f;
	struct ref_access ra;
	int err;
	switch (op & 0xf) {
	case 0: case 1: case 2: { /* read or fetch */
		uint64_t la = make_la(w, in, true);
		size_t len = pick_len(arg);
		int want = ref_access(w, &w->r, la, len, acc, user, &ra);
		if (pdpt_aliased(w, &ra))
			*clean = false;
		err = soft_mmu_read(&w->m, &w->r, la, buf, len, acc, user, &f);
		if (!*clean)
			break;
		CHECK(!err == !want);
		if (err) {
			CHECK(fault_matches(&ra, &f));
			break;
		}
		/* The bytes as they are now (a walk may have set A/D bits in
		 * what was read: that happens before the copy). */
		size_t k = 0;
		for (unsigned i = 0; i < ra.npages; i++)
			for (size_t j = 0; j < ra.len[i]; j++)
				ref_buf[k++] = phys_byte(w, ra.page[i].gpa + j);
		CHECK(memcmp(buf, ref_buf, len) == 0);
		check_ad(w, &ra, acc);
		break;
	}
	case 3: case 4: { /* write */
		uint64_t la = make_la(w, in, true);
		size_t len = pick_len(arg);
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)(arg + i * 7);
		int want = ref_access(w, &w->r, la, len, SOFT_WRITE, user, &ra);
		if (pdpt_aliased(w, &ra))
			*clean = false;
		if (*clean)
			snapshot(w);
		err = soft_mmu_write(&w->m, &w->r, la, buf, len, user, &f);
		if (*clean) {
			CHECK(!err == !want);
			if (err) {
				CHECK(fault_matches(&ra, &f));
				check_unchanged_but_ad(w);
			} else {
				size_t k = 0;
				for (unsigned i = 0; i < ra.npages; i++) {
					for (size_t j = 0; j < ra.len[i]; j++, k++) {
						uint64_t g = ra.page[i].gpa + j;
						if (guest_mem_is_ram(&w->mem, g, 1) || in_window(g, 1))
							CHECK(phys_byte(w, g) == buf[k]);
					}
				}
				check_ad(w, &ra, SOFT_WRITE);
			}
		}
		if (!err)
			*clean = false; /* the tables may have changed */
		if (op & 0x20) { /* the guest flushes after writing */
			soft_mmu_flush(&w->m, true);
			*clean = true;
		}
		break;
	}
	case 5: case 6: { /* translate */
		uint64_t la = make_la(w, in, true);
		enum soft_access a = arg % 3 == 0 ? SOFT_WRITE : arg % 3 == 1 ? SOFT_READ : SOFT_FETCH;
		uint64_t gpa = 0;
		int want = ref_access(w, &w->r, la, 1, a, user, &ra);
		if (pdpt_aliased(w, &ra))
			*clean = false;
		err = soft_mmu_translate(&w->m, &w->r, la, a, user, &gpa, &f);
		if (!*clean)
			break;
		CHECK(!err == !want);
		if (err)
			CHECK(fault_matches(&ra, &f));
		else
			CHECK(gpa == ra.page[0].gpa);
		break;
	}
	case 7: { /* locked read-modify-write */
		uint64_t la = make_la(w, in, true);
		size_t len = (size_t)1 << (arg & 3);
		void *host = NULL;
		int want = ref_access(w, &w->r, la, len, SOFT_WRITE, user, &ra);
		if (pdpt_aliased(w, &ra))
			*clean = false;
		err = soft_mmu_write_ptr(&w->m, &w->r, la, len, user, &host, &f);
		if (*clean) {
			CHECK(!err == !want);
			if (err)
				CHECK(fault_matches(&ra, &f));
		}
		if (host) {
			CHECK(!err && ra.npages == 1);
			CHECK(!*clean || host == guest_mem_slice(&w->mem, ra.page[0].gpa, len));
			memset(host, arg, len); /* ASan: inside one region */
			*clean = false;
		}
		break;
	}
	case 8:
		soft_mmu_invlpg(&w->m, make_la(w, in, true));
		break;
	case 9:
		soft_mmu_flush(&w->m, false);
		break;
	case 10:
		soft_mmu_flush(&w->m, true);
		*clean = true;
		break;
	case 11:
		soft_mmu_watch_code(&w->m, page_gpa(arg));
		break;
	case 12: /* another mode; the CPU may or may not flush */
		set_regs(w, arg);
		w->r.cr3 = page_gpa(in8(in)) | (in8(in) & 0xe0);
		if (op & 0x20) {
			soft_mmu_flush(&w->m, true);
			*clean = true;
		} else {
			*clean = false;
		}
		break;
	case 13:
		soft_mmu_set_dirty_log(&w->m, arg & 1);
		break;
	default: /* guest code writes page-table entries directly */
		if ((op & 0xf) == 14)
			write_entry(w, in);
		else
			map_path(w, in);
		*clean = false;
		if (op & 0x20) {
			soft_mmu_flush(&w->m, true);
			*clean = true;
		}
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct world *w = calloc(1, sizeof(*w));
	CHECK(w);
	w->r0 = malloc(R0_SIZE);
	w->r1 = malloc(R1_SIZE);
	CHECK(w->r0 && w->r1);
	CHECK(guest_mem_init_fake(&w->mem, w->r0, R0_GPA, R0_SIZE) == 0);
	CHECK(guest_mem_init_fake(&w->mem, w->r1, R1_GPA, R1_SIZE) == 0);
	struct input in = { data, size };

	/* Background: a pattern with the present bit clear in every word, so
	 * that tables hold only the entries the input writes. */
	uint64_t seed = 0x9e3779b97f4a7c15ull ^ in8(&in);
	for (size_t i = 0; i < R0_SIZE + R1_SIZE; i += 4) {
		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		uint32_t v = (uint32_t)seed & ~1u;
		memcpy(i < R0_SIZE ? w->r0 + i : w->r1 + (i - R0_SIZE), &v, 4);
	}
	for (size_t i = 0; i < WIN_SIZE; i++)
		w->window[i] = (uint8_t)(i * 13 + 5);

	CHECK(soft_mmu_init(&w->m, &ops, w) == 0);
	set_regs(w, in8(&in));
	w->r.cr3 = page_gpa(in8(&in)) | (in8(&in) & 0xe0);
	unsigned nent = in8(&in) % MAX_ENTRIES;
	for (unsigned i = 0; i < nent; i++) {
		if (in8(&in) & 1)
			map_path(w, &in);
		else
			write_entry(w, &in);
	}

	bool clean = true;
	for (unsigned i = 0; i < MAX_OPS && in.left; i++)
		run_op(w, &in, &clean);

	soft_mmu_destroy(&w->m);
	guest_mem_destroy(&w->mem);
	free(w->r0);
	free(w->r1);
	free(w);
	return 0;
}
