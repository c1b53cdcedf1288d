/* The soft MMU's virtual TLB: hits need no walk, INVLPG and flushes make
 * table changes visible (global pages survive a CR3 reload), large pages
 * are invalidated whole, user and supervisor translations are kept apart,
 * and a read-made entry never lets a write skip the dirty bit. A TLB may
 * keep using a changed entry until it is invalidated; these tests never
 * assume it does, except where the MMU promises to keep an entry (global
 * pages across soft_mmu_flush(false)), which the walk counter shows. */
#include "soft_mmu_fx.h"

static uint64_t walks(struct fx *x) { return x->m.stats.walks; }

static uint32_t rd32(struct fx *x, uint64_t la, bool user)
{
	uint32_t v = 0;
	struct soft_fault f;
	assert_int_equal(soft_mmu_read(&x->m, &x->r, la, &v, 4, SOFT_READ, user, &f), 0);
	return v;
}

static void test_hits_need_no_walk(void **state)
{
	struct fx *x = *state;
	fx_map(x, 0x400000, 0xa000, 4 * KiB, P_ | RW_ | US_);
	fx_wr(x, 0xa010, 0xcafe, 4);
	assert_int_equal(rd32(x, 0x400010, false), 0xcafe);
	uint64_t w = walks(x);
	for (int i = 0; i < 10; i++)
		assert_int_equal(rd32(x, 0x400010, false), 0xcafe);
	assert_int_equal(fx_gpa(x, 0x400abc, SOFT_READ, false), 0xaabc);
	assert_int_equal(walks(x), w);
	/* The user side has its own entries. */
	assert_int_equal(rd32(x, 0x400010, true), 0xcafe);
	assert_int_equal(walks(x), w + 1);
	/* A fetch uses the same entry (the walk filled all rights). */
	assert_int_equal(fx_gpa(x, 0x400000, SOFT_FETCH, true), 0xa000);
	assert_int_equal(walks(x), w + 1);
}

static void test_invlpg(void **state)
{
	struct fx *x = *state;
	fx_map(x, 0x400000, 0xa000, 4 * KiB, P_ | RW_ | US_);
	fx_map(x, 0x401000, 0xb000, 4 * KiB, P_ | RW_ | US_);
	fx_wr(x, 0xa000, 1, 4);
	fx_wr(x, 0xb000, 2, 4);
	fx_wr(x, 0xc000, 3, 4);
	assert_int_equal(rd32(x, 0x400000, false), 1);
	assert_int_equal(rd32(x, 0x400000, true), 1);
	assert_int_equal(rd32(x, 0x401000, false), 2);
	fx_map(x, 0x400000, 0xc000, 4 * KiB, P_ | RW_ | US_);
	soft_mmu_invlpg(&x->m, 0x400fff);
	assert_int_equal(rd32(x, 0x400000, false), 3);
	assert_int_equal(rd32(x, 0x400000, true), 3);
	/* Other pages keep their entries. */
	uint64_t w = walks(x);
	assert_int_equal(rd32(x, 0x401000, false), 2);
	assert_int_equal(walks(x), w);
	/* Unmapping: invlpg, then a fault. */
	fx_set(x, 0x401000, 1, 0);
	soft_mmu_invlpg(&x->m, 0x401000);
	assert_int_equal(fx_pf(x, 0x401000, SOFT_READ, false), 0);
	/* Outside long mode only the low 32 bits of the address count. */
	fx_set_mode(x, FX_32);
	fx_map(x, 0x400000, 0xa000, 4 * KiB, P_ | RW_);
	assert_int_equal(rd32(x, 0x400000, false), 1);
	fx_map(x, 0x400000, 0xb000, 4 * KiB, P_ | RW_);
	soft_mmu_invlpg(&x->m, 0x100400000ull);
	assert_int_equal(rd32(x, 0x400000, false), 2);
}

static void test_invlpg_large_pages(void **state)
{
	struct fx *x = *state;
	fx_map(x, 0x40000000, 0x1000000, 2 * MiB, P_ | RW_);
	fx_wr(x, 0x1000000 + 0x1000, 0x11, 4);
	fx_wr(x, 0x1000000 + 0x1ff000, 0x22, 4);
	fx_wr(x, 0x1200000 + 0x1000, 0x33, 4);
	fx_wr(x, 0x1200000 + 0x1ff000, 0x44, 4);
	assert_int_equal(rd32(x, 0x40001000, false), 0x11);
	assert_int_equal(rd32(x, 0x401ff000, false), 0x22);
	/* Move the 2 MiB page; invalidate one address inside it: every
	 * 4 KiB piece of it in the TLB goes. */
	fx_map(x, 0x40000000, 0x1200000, 2 * MiB, P_ | RW_);
	soft_mmu_invlpg(&x->m, 0x400ff123);
	assert_int_equal(rd32(x, 0x40001000, false), 0x33);
	assert_int_equal(rd32(x, 0x401ff000, false), 0x44);
	/* The same for a 1 GiB page, from its last byte. */
	fx_map(x, 0x80000000, 0x0, 1 * GiB, P_ | RW_);
	fx_wr(x, 0x3000, 0x55, 4);
	fx_wr(x, 0x2003000, 0x66, 4);
	assert_int_equal(rd32(x, 0x80003000, false), 0x55);
	assert_int_equal(rd32(x, 0x82003000, false), 0x66);
	fx_map(x, 0x80000000, 0x40000000, 1 * GiB, P_ | RW_);
	soft_mmu_invlpg(&x->m, 0xbfffffff);
	/* Both pieces now point outside RAM: all-ones from MMIO. */
	assert_int_equal(rd32(x, 0x80003000, false), 0xffffffffu);
	assert_int_equal(rd32(x, 0x82003000, false), 0xffffffffu);
	/* A 4 KiB page beside them keeps its entry. */
	fx_map(x, 0x400000, 0xa000, 4 * KiB, P_ | RW_);
	rd32(x, 0x400000, false);
	uint64_t w = walks(x);
	soft_mmu_invlpg(&x->m, 0x40000000);
	rd32(x, 0x400000, false);
	assert_int_equal(walks(x), w);
}

static void test_flush_and_globals(void **state)
{
	struct fx *x = *state;
	x->r.cr4 |= SOFT_CR4_PGE;
	fx_map(x, 0xffff800000000000ull, 0xa000, 4 * KiB, P_ | RW_ | G_);
	fx_map(x, 0xffff800000200000ull, 0x400000, 2 * MiB, P_ | RW_ | G_);
	fx_map(x, 0x400000, 0xb000, 4 * KiB, P_ | RW_ | US_);
	fx_map(x, 0x401000, 0xc000, 4 * KiB, P_ | RW_ | US_ | G_);
	rd32(x, 0xffff800000000000ull, false);
	rd32(x, 0xffff800000201000ull, false);
	rd32(x, 0x400000, true);
	rd32(x, 0x401000, true);
	/* MOV CR3: global pages stay, the rest is walked again. */
	uint64_t w = walks(x);
	soft_mmu_flush(&x->m, false);
	rd32(x, 0xffff800000000000ull, false);
	rd32(x, 0xffff800000201000ull, false);
	rd32(x, 0x401000, true);
	assert_int_equal(walks(x), w);
	rd32(x, 0x400000, true);
	assert_int_equal(walks(x), w + 1);
	/* CR4 change: everything goes. */
	soft_mmu_flush(&x->m, true);
	w = walks(x);
	rd32(x, 0xffff800000000000ull, false);
	rd32(x, 0xffff800000201000ull, false);
	rd32(x, 0x401000, true);
	assert_int_equal(walks(x), w + 3);
	/* Invlpg removes a global page too. */
	soft_mmu_invlpg(&x->m, 0xffff800000000000ull);
	w = walks(x);
	rd32(x, 0xffff800000000000ull, false);
	assert_int_equal(walks(x), w + 1);
	/* G means nothing without CR4.PGE. */
	x->r.cr4 &= ~SOFT_CR4_PGE;
	soft_mmu_flush(&x->m, true);
	rd32(x, 0xffff800000000000ull, false);
	soft_mmu_flush(&x->m, false);
	w = walks(x);
	rd32(x, 0xffff800000000000ull, false);
	assert_int_equal(walks(x), w + 1);
}

static void test_cr3_switch(void **state)
{
	struct fx *x = *state;
	/* Two address spaces mapping the same linear page differently. */
	uint64_t cr3_a = x->r.cr3;
	fx_map(x, 0x400000, 0xa000, 4 * KiB, P_ | RW_ | US_);
	uint64_t cr3_b = fx_alloc_table(x);
	x->r.cr3 = cr3_b;
	fx_map(x, 0x400000, 0xb000, 4 * KiB, P_ | RW_ | US_);
	fx_wr(x, 0xa000, 0xaaaa, 4);
	fx_wr(x, 0xb000, 0xbbbb, 4);
	x->r.cr3 = cr3_a;
	soft_mmu_flush(&x->m, false);
	assert_int_equal(rd32(x, 0x400000, true), 0xaaaa);
	x->r.cr3 = cr3_b;
	soft_mmu_flush(&x->m, false);
	assert_int_equal(rd32(x, 0x400000, true), 0xbbbb);
	/* Reloading the same CR3 flushes as well: a changed PTE shows. */
	fx_map(x, 0x400000, 0xa000, 4 * KiB, P_ | RW_ | US_);
	soft_mmu_flush(&x->m, false);
	assert_int_equal(rd32(x, 0x400000, true), 0xaaaa);
	/* Paging off: linear is physical again. */
	x->r.cr0 &= ~SOFT_CR0_PG;
	x->r.efer &= ~SOFT_EFER_LMA;
	soft_mmu_flush(&x->m, true);
	assert_int_equal(rd32(x, 0xb000, false), 0xbbbb);
}

/* A miss under another CR3 or paging mode than the TLB was filled under
 * flushes by itself, so fills of two modes never mix. */
static void test_mode_change_without_flush(void **state)
{
	struct fx *x = *state;
	fx_map(x, 0x400000, 0xa000, 4 * KiB, P_ | US_);
	fx_map(x, 0x401000, 0xb000, 4 * KiB, P_ | RW_);
	rd32(x, 0x400000, false);
	rd32(x, 0x401000, false);
	/* CR0.WP off: the next miss drops the old fills. */
	x->r.cr0 &= ~SOFT_CR0_WP;
	assert_int_equal(fx_gpa(x, 0x400000, SOFT_WRITE, false), 0xa000);
	uint64_t w = walks(x);
	rd32(x, 0x401000, false);
	assert_int_equal(walks(x), w + 1);
}

/* Rights cached in the TLB never grant more than the walk did. */
static void test_tlb_rights(void **state)
{
	struct fx *x = *state;
	struct soft_fault f;
	uint32_t v = 0;
	fx_map(x, 0x400000, 0xa000, 4 * KiB, P_ | RW_);
	fx_map(x, 0x401000, 0xb000, 4 * KiB, P_ | US_);
	/* Supervisor entry: a user access still faults. */
	rd32(x, 0x400000, false);
	assert_int_equal(fx_pf(x, 0x400000, SOFT_READ, true), SOFT_PF_P | SOFT_PF_U);
	/* A read entry of a read-only page: the write faults. */
	rd32(x, 0x401000, true);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x401000, &v, 4, true, &f), -EFAULT);
	assert_int_equal(f.error_code, SOFT_PF_P | SOFT_PF_W | SOFT_PF_U);
	/* The page made writable without invlpg: the write walks again (as
	 * after a #PF) and succeeds. */
	fx_set(x, 0x401000, 1, fx_get(x, 0x401000, 1) | RW_);
	v = 0x1234;
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x401000, &v, 4, true, &f), 0);
	assert_int_equal(fx_rd(x, 0xb000, 4), 0x1234);
	/* A read-made entry of a writable page: the write still sets D. */
	fx_map(x, 0x402000, 0xc000, 4 * KiB, P_ | RW_);
	rd32(x, 0x402000, false);
	assert_false(fx_get(x, 0x402000, 1) & D_);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x402000, &v, 4, false, &f), 0);
	assert_true(fx_get(x, 0x402000, 1) & D_);
	/* Once D is set the write entry is used (no further walks). */
	uint64_t w = walks(x);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x402004, &v, 4, false, &f), 0);
	assert_int_equal(walks(x), w);
	/* A fault on a cached address drops the entry: after the PTE is
	 * cleared and the fault taken, the old translation is gone. */
	fx_map(x, 0x403000, 0xd000, 4 * KiB, P_);
	rd32(x, 0x403000, false);
	fx_set(x, 0x403000, 1, 0);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x403000, &v, 4, false, &f), -EFAULT);
	assert_int_equal(f.error_code, SOFT_PF_W);
	assert_int_equal(fx_pf(x, 0x403000, SOFT_READ, false), 0);
	/* NX pages: a fetch faults even when the read entry is cached. */
	fx_map(x, 0x404000, 0xe000, 4 * KiB, P_ | NX_);
	rd32(x, 0x404000, false);
	assert_int_equal(fx_pf(x, 0x404000, SOFT_FETCH, false), SOFT_PF_P | SOFT_PF_I);
}

/* Linear addresses that share a TLB slot evict each other correctly. */
static void test_slot_conflicts(void **state)
{
	struct fx *x = *state;
	const uint64_t stride = (uint64_t)SOFT_TLB_SIZE * 4096;
	for (uint64_t i = 0; i < 4; i++) {
		fx_map(x, 0x400000 + i * stride, 0xa000 + i * 0x1000, 4 * KiB, P_ | RW_);
		fx_wr(x, 0xa000 + i * 0x1000, (uint32_t)(0x100 + i), 4);
	}
	for (int round = 0; round < 3; round++)
		for (uint64_t i = 0; i < 4; i++)
			assert_int_equal(rd32(x, 0x400000 + i * stride, false), 0x100 + i);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hits_need_no_walk, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_invlpg, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_invlpg_large_pages, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_flush_and_globals, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_cr3_switch, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_mode_change_without_flush, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_tlb_rights, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_slot_conflicts, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
