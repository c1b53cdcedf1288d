/* The soft MMU's data accesses: page-crossing reads and writes (checked
 * whole before any byte moves), MMIO routing and splitting, the dirty log,
 * code watching, locked-access pointers and length limits. */
#include "soft_mmu_fx.h"

#include <pthread.h>
#include <time.h>

static void test_page_crossing(void **state)
{
	struct fx *x = *state;
	struct soft_fault f;
	/* Two adjacent linear pages on frames far apart. */
	fx_map(x, 0x400000, 0xa000, 4 * KiB, P_ | RW_ | US_);
	fx_map(x, 0x401000, 0x3000, 4 * KiB, P_ | RW_ | US_);
	const uint8_t in[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t out[8] = { 0 };
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x400ffd, in, 8, true, &f), 0);
	assert_memory_equal(x->ram + 0xaffd, in, 3);
	assert_memory_equal(x->ram + 0x3000, in + 3, 5);
	assert_int_equal(soft_mmu_read(&x->m, &x->r, 0x400ffd, out, 8, SOFT_READ, true, &f), 0);
	assert_memory_equal(out, in, 8);
	/* Second page not present: #PF at its first byte, nothing written. */
	fx_map(x, 0x402000, 0xb000, 4 * KiB, P_ | RW_ | US_);
	memset(x->ram + 0xb000, 0xee, 4096);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x402ffe, in, 4, true, &f), -EFAULT);
	assert_int_equal(f.vector, SOFT_VEC_PF);
	assert_int_equal(f.addr, 0x403000);
	assert_int_equal(f.error_code, SOFT_PF_W | SOFT_PF_U);
	assert_int_equal(x->ram[0xbffe], 0xee);
	assert_int_equal(x->ram[0xbfff], 0xee);
	/* Second page read-only: a protection fault, still nothing written. */
	fx_map(x, 0x403000, 0xc000, 4 * KiB, P_ | US_);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x402ffe, in, 4, true, &f), -EFAULT);
	assert_int_equal(f.addr, 0x403000);
	assert_int_equal(f.error_code, SOFT_PF_P | SOFT_PF_W | SOFT_PF_U);
	assert_int_equal(x->ram[0xbffe], 0xee);
	/* ...but it can be read across. */
	x->ram[0xc000] = 0x77;
	assert_int_equal(soft_mmu_read(&x->m, &x->r, 0x402fff, out, 2, SOFT_READ, true, &f), 0);
	assert_int_equal(out[0], 0xee);
	assert_int_equal(out[1], 0x77);
	/* Fetch across into a non-present page: I/D set, CR2 the new page. */
	assert_int_equal(soft_mmu_read(&x->m, &x->r, 0x403ff8, out, 15, SOFT_FETCH, true, &f), -EFAULT);
	assert_int_equal(f.addr, 0x404000);
	assert_int_equal(f.error_code, SOFT_PF_U | SOFT_PF_I);
	/* A whole page's worth, unaligned, and the limits. */
	uint8_t *big = malloc(SOFT_MMU_MAX_ACCESS + 1);
	assert_non_null(big);
	memset(big, 0x5c, SOFT_MMU_MAX_ACCESS + 1);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x400800, big, SOFT_MMU_MAX_ACCESS, true, &f), 0);
	assert_int_equal(x->ram[0xa800], 0x5c);
	assert_int_equal(x->ram[0x37ff], 0x5c);
	assert_int_equal(x->ram[0x3800], 0);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x400800, big, SOFT_MMU_MAX_ACCESS + 1, true, &f), -EINVAL);
	assert_int_equal(soft_mmu_read(&x->m, &x->r, 0x400800, big, SOFT_MMU_MAX_ACCESS + 1, SOFT_READ, true, &f), -EINVAL);
	free(big);
	/* Zero bytes: nothing translated, nothing faults. */
	fx_clear_logs(x);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x900000, in, 0, true, &f), 0);
	assert_int_equal(soft_mmu_read(&x->m, &x->r, 0x900000, out, 0, SOFT_READ, true, &f), 0);
	assert_int_equal(x->ndirty, 0);
}

static void test_mmio_routing(void **state)
{
	struct fx *x = *state;
	struct soft_fault f;
	/* A and D already set: no page-table writes in the logs below. */
	fx_map(x, 0x400000, FX_MMIO_BASE, 4 * KiB, P_ | RW_ | A_ | D_);
	fx_map(x, 0x401000, FX_MMIO_BASE + 0x1000, 4 * KiB, P_ | RW_ | A_ | D_);
	fx_map(x, 0x3ff000, 0xa000, 4 * KiB, P_ | RW_);
	fx_map(x, 0x500000, 0xe0000000ull, 4 * KiB, P_ | RW_); /* unbacked */
	for (unsigned i = 0; i < 0x20; i++)
		x->window[i] = (uint8_t)(0x10 + i);
	/* Aligned accesses are one piece. */
	uint32_t v32 = 0;
	fx_clear_logs(x);
	assert_int_equal(soft_mmu_read(&x->m, &x->r, 0x400004, &v32, 4, SOFT_READ, false, &f), 0);
	assert_int_equal(v32, 0x17161514);
	assert_int_equal(x->nmmio, 1);
	assert_int_equal(x->mmio[0].gpa, FX_MMIO_BASE + 4);
	assert_int_equal(x->mmio[0].len, 4);
	/* Unaligned: naturally aligned pieces, in address order. */
	uint64_t v64 = 0;
	fx_clear_logs(x);
	assert_int_equal(soft_mmu_read(&x->m, &x->r, 0x400001, &v64, 8, SOFT_READ, false, &f), 0);
	assert_int_equal(v64, 0x1817161514131211ull);
	const unsigned want_len[] = { 1, 2, 4, 1 };
	const uint64_t want_off[] = { 1, 2, 4, 8 };
	assert_int_equal(x->nmmio, 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(x->mmio[i].gpa, FX_MMIO_BASE + want_off[i]);
		assert_int_equal(x->mmio[i].len, want_len[i]);
		assert_false(x->mmio[i].write);
	}
	/* A 16-byte write: two 8-byte pieces. */
	const uint8_t sixteen[16] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
				      0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf };
	fx_clear_logs(x);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x400010, sixteen, 16, false, &f), 0);
	assert_int_equal(x->nmmio, 2);
	assert_true(x->mmio[0].write && x->mmio[0].len == 8 && x->mmio[1].len == 8);
	assert_memory_equal(x->window + 0x10, sixteen, 16);
	assert_int_equal(x->ndirty, 0); /* MMIO is not RAM */
	/* MMIO page to MMIO page, and RAM page to MMIO page. */
	fx_clear_logs(x);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x400ffe, &v32, 4, false, &f), 0);
	assert_int_equal(x->nmmio, 2);
	assert_int_equal(x->mmio[0].gpa, FX_MMIO_BASE + 0xffe);
	assert_int_equal(x->mmio[1].gpa, FX_MMIO_BASE + 0x1000);
	x->ram[0xafff] = 0x99;
	x->window[0] = 0x42;
	uint16_t v16 = 0;
	fx_clear_logs(x);
	assert_int_equal(soft_mmu_read(&x->m, &x->r, 0x3fffff, &v16, 2, SOFT_READ, false, &f), 0);
	assert_int_equal(v16, 0x4299);
	assert_int_equal(x->nmmio, 1);
	assert_int_equal(x->mmio[0].len, 1);
	/* Unbacked space: reads give all-ones, writes go nowhere. */
	v64 = 0;
	assert_int_equal(soft_mmu_read(&x->m, &x->r, 0x500100, &v64, 8, SOFT_READ, false, &f), 0);
	assert_int_equal(v64, ~0ull);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x500100, &v64, 8, false, &f), 0);
	/* Repeated MMIO accesses go out every time (no caching of data). */
	fx_clear_logs(x);
	for (int i = 0; i < 3; i++)
		assert_int_equal(soft_mmu_read(&x->m, &x->r, 0x400000, &v32, 4, SOFT_FETCH, false, &f), 0);
	assert_int_equal(x->nmmio, 3);
}

static void test_ram_written(void **state)
{
	struct fx *x = *state;
	struct soft_fault f;
	fx_map(x, 0x400000, 0xa000, 4 * KiB, P_ | RW_ | A_ | D_);
	fx_map(x, 0x401000, 0x3000, 4 * KiB, P_ | RW_ | A_ | D_);
	uint64_t v = 0x1122334455667788ull;
	/* Warm the TLB so the next write takes the fast path. */
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x400000, &v, 8, false, &f), 0);
	fx_clear_logs(x);
	uint64_t walks = x->m.stats.walks;
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x400010, &v, 4, false, &f), 0);
	assert_int_equal(x->m.stats.walks, walks);
	assert_int_equal(x->ndirty, 1);
	assert_int_equal(x->dirty[0].gpa, 0xa010);
	assert_int_equal(x->dirty[0].len, 4);
	/* Across pages: one report per page. */
	fx_clear_logs(x);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x400ffc, &v, 8, false, &f), 0);
	assert_int_equal(x->ndirty, 2);
	assert_int_equal(x->dirty[0].gpa, 0xaffc);
	assert_int_equal(x->dirty[0].len, 4);
	assert_int_equal(x->dirty[1].gpa, 0x3000);
	assert_int_equal(x->dirty[1].len, 4);
	/* Reads report nothing; logging off reports nothing. */
	fx_clear_logs(x);
	assert_int_equal(soft_mmu_read(&x->m, &x->r, 0x400ffc, &v, 8, SOFT_READ, false, &f), 0);
	soft_mmu_set_dirty_log(&x->m, false);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x400010, &v, 4, false, &f), 0);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x400ffc, &v, 8, false, &f), 0);
	assert_int_equal(x->ndirty, 0);
	soft_mmu_set_dirty_log(&x->m, true);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x400010, &v, 4, false, &f), 0);
	assert_int_equal(x->ndirty, 1);
	/* Without a ram_written op logging cannot be turned on. */
	struct soft_phys_ops ops = x->ops;
	ops.ram_written = NULL;
	struct soft_mmu m2;
	assert_int_equal(soft_mmu_init(&m2, &ops, x), 0);
	soft_mmu_set_dirty_log(&m2, true);
	fx_clear_logs(x);
	assert_int_equal(soft_mmu_write(&m2, &x->r, 0x400010, &v, 4, false, &f), 0);
	assert_int_equal(soft_mmu_write(&m2, &x->r, 0x400010, &v, 4, false, &f), 0);
	assert_int_equal(x->ndirty, 0);
	assert_int_equal(fx_rd(x, 0xa010, 4), 0x55667788);
	soft_mmu_destroy(&m2);
}

static void test_code_watch(void **state)
{
	struct fx *x = *state;
	struct soft_fault f;
	fx_map(x, 0x400000, 0xa000, 4 * KiB, P_ | RW_);
	fx_map(x, 0x401000, 0xb000, 4 * KiB, P_ | RW_);
	fx_map(x, 0x402000, 0xa000, 4 * KiB, P_ | RW_); /* alias of 0xa000 */
	uint32_t v = 0x90909090;
	/* A fast write entry exists before the watch starts. */
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x400000, &v, 4, false, &f), 0);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x400000, &v, 4, false, &f), 0);
	soft_mmu_watch_code(&x->m, 0xa000);
	assert_true(soft_mmu_code_watched(&x->m, 0xa000));
	assert_false(soft_mmu_code_watched(&x->m, 0xb000));
	fx_clear_logs(x);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x400100, &v, 4, false, &f), 0);
	assert_int_equal(x->ncode, 1);
	assert_int_equal(x->code[0], 0xa000);
	assert_int_equal(fx_rd(x, 0xa100, 4), 0x90909090); /* written first */
	/* One-shot: the next write is not reported... */
	assert_false(soft_mmu_code_watched(&x->m, 0xa000));
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x400104, &v, 4, false, &f), 0);
	assert_int_equal(x->ncode, 1);
	/* ...until the page is watched again; any alias counts. */
	soft_mmu_watch_code(&x->m, 0xa000);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x402200, &v, 1, false, &f), 0);
	assert_int_equal(x->ncode, 2);
	/* A write entry made while the page is watched stays off the fast
	 * path. */
	soft_mmu_watch_code(&x->m, 0xa000);
	soft_mmu_invlpg(&x->m, 0x402000);
	uint64_t gpa;
	assert_int_equal(fx_xlat(x, 0x402000, SOFT_WRITE, false, &gpa, &f), 0);
	assert_int_equal(x->ncode, 2);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x402300, &v, 1, false, &f), 0);
	assert_int_equal(x->ncode, 3);
	fx_clear_logs(x);
	/* Reads and fetches do not count; unwatched pages do not count. */
	assert_int_equal(soft_mmu_read(&x->m, &x->r, 0x401000, &v, 4, SOFT_FETCH, false, &f), 0);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x401000, &v, 4, false, &f), 0);
	soft_mmu_watch_code(&x->m, 0xa000);
	assert_int_equal(soft_mmu_read(&x->m, &x->r, 0x400000, &v, 4, SOFT_READ, false, &f), 0);
	assert_int_equal(x->ncode, 0);
	/* A write across two watched pages: one call per page. */
	soft_mmu_watch_code(&x->m, 0xb000);
	fx_clear_logs(x);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x400ffe, &v, 4, false, &f), 0);
	assert_int_equal(x->ncode, 2);
	assert_int_equal(x->code[0], 0xa000);
	assert_int_equal(x->code[1], 0xb000);
	/* A faulting write reports nothing. */
	soft_mmu_watch_code(&x->m, 0xa000);
	fx_clear_logs(x);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x400ffe, &v, 4, true, &f), -EFAULT);
	assert_int_equal(x->ncode, 0);
	assert_true(soft_mmu_code_watched(&x->m, 0xa000));
	/* The callback may watch the page again at once. */
	x->rewatch = 0xa000;
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x400000, &v, 4, false, &f), 0);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x400000, &v, 4, false, &f), 0);
	assert_int_equal(x->ncode, 2);
	x->rewatch = 0;
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x400000, &v, 4, false, &f), 0);
	assert_int_equal(x->ncode, 3);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x400000, &v, 4, false, &f), 0);
	assert_int_equal(x->ncode, 3);
	/* Accessed/dirty updates are writes too: a watched page table. */
	fx_map(x, 0x600000, 0xc000, 4 * KiB, P_ | RW_);
	uint64_t pt = fx_entry(x, 0x600000, 1) & ~0xfffull;
	soft_mmu_watch_code(&x->m, pt);
	fx_clear_logs(x);
	assert_int_equal(soft_mmu_read(&x->m, &x->r, 0x600000, &v, 4, SOFT_READ, false, &f), 0);
	assert_int_equal(x->ncode, 1);
	assert_int_equal(x->code[0], pt);
	/* Pages beyond MAXPHYADDR cannot be watched. */
	soft_mmu_watch_code(&x->m, 1ull << SOFT_MMU_PHYS_BITS);
	assert_false(soft_mmu_code_watched(&x->m, 1ull << SOFT_MMU_PHYS_BITS));
}

static void test_write_ptr(void **state)
{
	struct fx *x = *state;
	struct soft_fault f;
	void *p = NULL;
	fx_map(x, 0x400000, 0xa000, 4 * KiB, P_ | RW_);
	fx_map(x, 0x401000, 0xb000, 4 * KiB, P_ | RW_);
	fx_map(x, 0x402000, FX_MMIO_BASE, 4 * KiB, P_ | RW_);
	fx_map(x, 0x403000, 0xc000, 4 * KiB, P_);
	soft_mmu_watch_code(&x->m, 0xa000);
	fx_clear_logs(x);
	assert_int_equal(soft_mmu_write_ptr(&x->m, &x->r, 0x400008, 8, false, &p, &f), 0);
	assert_ptr_equal(p, x->ram + 0xa008);
	assert_int_equal(fx_get(x, 0x400000, 1) & D_, D_);
	assert_int_equal(x->ncode, 1);
	assert_int_equal(x->dirty[x->ndirty - 1].gpa, 0xa008);
	assert_int_equal(x->dirty[x->ndirty - 1].len, 8);
	/* Crossing pages or MMIO: no pointer, use read + write. */
	assert_int_equal(soft_mmu_write_ptr(&x->m, &x->r, 0x400ffc, 8, false, &p, &f), 0);
	assert_null(p);
	assert_int_equal(soft_mmu_write_ptr(&x->m, &x->r, 0x402000, 4, false, &p, &f), 0);
	assert_null(p);
	assert_int_equal(soft_mmu_write_ptr(&x->m, &x->r, 0x403000, 4, false, &p, &f), -EFAULT);
	assert_int_equal(f.error_code, SOFT_PF_P | SOFT_PF_W);
	assert_null(p);
}

/* An entry changed between the walk's read of it and its accessed-bit
 * update (another vCPU): the update does not write back the old value, the
 * walk starts again and uses what the entry says now. The change is made
 * from ram(), which the walk calls for each entry after reading the ones
 * above it. */
static uint64_t hook_at, hook_entry, hook_clear, hook_set;

static void change_entry(struct fx *x, uint64_t gpa)
{
	if (gpa != hook_at)
		return;
	hook_at = ~0ull; /* once */
	uint64_t *e = (uint64_t *)(x->ram + hook_entry);
	__atomic_store_n(e, (*e & ~hook_clear) | hook_set, __ATOMIC_SEQ_CST);
}

static void test_ad_entry_changed_during_walk(void **state)
{
	struct fx *x = *state;
	struct soft_fault f;
	uint64_t v = 0;
	fx_map(x, 0x400000, 0xa000, 4 * KiB, P_ | RW_ | US_);
	fx_map(x, 0x600000, 0xb000, 4 * KiB, P_ | RW_ | US_);
	x->ram_hook = change_entry;
	/* While the PTE is fetched, bit 9 of the PML4E is set elsewhere. */
	hook_at = fx_entry(x, 0x400000, 1);
	hook_entry = fx_entry(x, 0x400000, 4);
	hook_clear = 0, hook_set = 1ull << 9;
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x400000, &v, 8, true, &f), 0);
	assert_int_equal(hook_at, ~0ull);
	for (int level = 1; level <= 4; level++)
		assert_true(fx_get(x, 0x400000, level) & A_);
	assert_true(fx_get(x, 0x400000, 4) & (1ull << 9));
	assert_true(fx_get(x, 0x400000, 1) & D_);
	/* The PDE loses U/S meanwhile: the user access now faults. */
	hook_at = fx_entry(x, 0x600000, 1);
	hook_entry = fx_entry(x, 0x600000, 2);
	hook_clear = US_, hook_set = 0;
	assert_int_equal(soft_mmu_read(&x->m, &x->r, 0x600000, &v, 8, SOFT_READ, true, &f), -EFAULT);
	assert_int_equal(f.error_code, SOFT_PF_P | SOFT_PF_U);
	assert_false(fx_get(x, 0x600000, 1) & A_);
	x->ram_hook = NULL;
}

/* Another vCPU (or the guest's page aging) changes the same entries while
 * the walk sets accessed and dirty bits: no change of either is lost. This
 * needs two cores really running at once to catch a non-atomic update. */
struct racer {
	struct fx *x;
	uint64_t pte[4];
	uint64_t avail[4]; /* what bits 11:9 of each entry must end up as */
	uint64_t rounds; /* atomic */
	bool stop;       /* atomic */
};

static void *race_entries(void *arg)
{
	struct racer *rc = arg;
	uint64_t n = 0;
	while (!__atomic_load_n(&rc->stop, __ATOMIC_RELAXED)) {
		unsigned i = n % 4;
		uint64_t *e = (uint64_t *)(rc->x->ram + rc->pte[i]);
		uint64_t flip = ((n / 4) % 7 + 1) << 9;
		__atomic_fetch_xor(e, flip, __ATOMIC_SEQ_CST);
		rc->avail[i] ^= flip;
		/* Page aging: clear A and D so the walk sets them again. */
		__atomic_fetch_and(e, ~(A_ | D_), __ATOMIC_SEQ_CST);
		n++;
		__atomic_store_n(&rc->rounds, n, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void test_ad_atomic(void **state)
{
	struct fx *x = *state;
	struct soft_fault f;
	struct racer rc = { .x = x };
	for (unsigned i = 0; i < 4; i++) {
		fx_map(x, 0x400000 + i * 4096, 0xa000 + i * 4096, 4 * KiB, P_ | RW_);
		rc.pte[i] = fx_entry(x, 0x400000 + i * 4096, 1);
	}
	soft_mmu_set_dirty_log(&x->m, false);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, race_entries, &rc), 0);
	uint64_t v = 0, sets = 0;
	/* Until both sides have done plenty (two busy cores are not
	 * guaranteed here), at most about ten seconds. */
	time_t end = time(NULL) + 10;
	for (uint64_t n = 0; n < 100000 ||
			     (__atomic_load_n(&rc.rounds, __ATOMIC_RELAXED) < 400000 &&
			      time(NULL) < end); n++) {
		uint64_t la = 0x400000 + (n % 4) * 4096;
		soft_mmu_invlpg(&x->m, la);
		if (n & 1)
			assert_int_equal(soft_mmu_write(&x->m, &x->r, la, &v, 8, false, &f), 0);
		else
			assert_int_equal(soft_mmu_read(&x->m, &x->r, la, &v, 8, SOFT_READ, false, &f), 0);
		sets += (fx_rd(x, rc.pte[n % 4], 8) & A_) != 0;
	}
	__atomic_store_n(&rc.stop, true, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(fx_rd(x, rc.pte[i], 8) & (7ull << 9), rc.avail[i]);
	assert_true(sets > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_page_crossing, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_mmio_routing, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_ram_written, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_code_watch, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_write_ptr, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_ad_entry_changed_during_walk, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_ad_atomic, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
