/* The soft MMU's page walk: each paging mode and page size, every fault
 * kind and #PF error-code bit, reserved bits at each level, canonical
 * checks, and the accessed/dirty bits written back. */
#include "soft_mmu_fx.h"

#define SUP false
#define USR true

static void test_no_paging(void **state)
{
	struct fx *x = *state;
	fx_set_mode(x, FX_NOPAGING);
	assert_int_equal(fx_gpa(x, 0x12345, SOFT_WRITE, USR), 0x12345);
	/* Outside long mode linear addresses are 32 bits. */
	assert_int_equal(fx_gpa(x, 0x100001234ull, SOFT_READ, SUP), 0x1234);
	x->ram[0x2000] = 0x5a;
	uint8_t b = 0;
	struct soft_fault f;
	assert_int_equal(soft_mmu_read(&x->m, &x->r, 0x2000, &b, 1, SOFT_FETCH, false, &f), 0);
	assert_int_equal(b, 0x5a);
	/* An access wrapping at 4 GiB continues at 0. */
	x->ram[0] = 0x11;
	uint16_t w = 0;
	assert_int_equal(soft_mmu_read(&x->m, &x->r, 0xffffffffull, &w, 2, SOFT_READ, false, &f), 0);
	assert_int_equal(w & 0xff00, 0x1100);
	assert_int_equal(x->mmio[0].gpa, 0xffffffffull);
}

static void test_32bit_paging(void **state)
{
	struct fx *x = *state;
	fx_set_mode(x, FX_32);
	fx_map(x, 0x00401000, 0x9000, 4 * KiB, P_ | RW_);
	fx_map(x, 0xc0000000, 0x1c00000, 4 * MiB, P_ | RW_);
	/* PSE-36: bits 20:13 of a 4 MiB PDE are physical bits 39:32. */
	fx_map(x, 0x80000000, 0x12f400000ull, 4 * MiB, P_);
	assert_int_equal(fx_gpa(x, 0x00401abc, SOFT_READ, SUP), 0x9abc);
	assert_int_equal(fx_gpa(x, 0xc0123456, SOFT_WRITE, SUP), 0x1d23456);
	assert_int_equal(fx_gpa(x, 0x803fffff, SOFT_READ, SUP), 0x12f7fffffull);
	/* 32-bit paging has no reserved bits but bit 21 of a 4 MiB PDE. */
	fx_set(x, 0x80000000, 2, fx_get(x, 0x80000000, 2) | (1ull << 21));
	soft_mmu_flush(&x->m, true);
	assert_int_equal(fx_pf(x, 0x80000000, SOFT_READ, SUP), SOFT_PF_P | SOFT_PF_RSVD);
	/* No NX in 32-bit paging: fetch faults never carry I/D, even with
	 * EFER.NXE set. */
	x->r.efer = SOFT_EFER_NXE;
	assert_int_equal(fx_pf(x, 0x00800000, SOFT_FETCH, USR), SOFT_PF_U);
	assert_int_equal(fx_pf(x, 0x00401000, SOFT_FETCH, USR), SOFT_PF_P | SOFT_PF_U);
	assert_int_equal(fx_gpa(x, 0x00401000, SOFT_FETCH, SUP), 0x9000);
	/* Without CR4.PSE the PS bit is ignored: the PDE points at a table
	 * (the 4 MiB page's frame, here RAM full of zeros: not present). */
	x->r.cr4 = 0;
	soft_mmu_flush(&x->m, true);
	assert_int_equal(fx_pf(x, 0xc0000000, SOFT_READ, SUP), 0);
	x->ram[0x1c00000] = P_ | RW_;
	x->ram[0x1c00001] = 0x70; /* PTE -> 0x7000 */
	assert_int_equal(fx_gpa(x, 0xc0000123, SOFT_READ, SUP), 0x7123);
}

static void test_pae_paging(void **state)
{
	struct fx *x = *state;
	fx_set_mode(x, FX_PAE);
	fx_map(x, 0x00401000, 0x9000, 4 * KiB, P_ | RW_ | US_);
	fx_map(x, 0xc0200000, 0x1e00000, 2 * MiB, P_ | RW_);
	assert_int_equal(fx_gpa(x, 0x00401fff, SOFT_READ, USR), 0x9fff);
	assert_int_equal(fx_gpa(x, 0xc03fffff, SOFT_READ, SUP), 0x1ffffff);
	/* PDPTE: not present, then each kind of reserved bit. */
	assert_int_equal(fx_pf(x, 0x40000000, SOFT_READ, SUP), 0);
	uint64_t pdpte = fx_get(x, 0x00401000, 3);
	const uint64_t bad[] = { 1ull << 1, 1ull << 2, 1ull << 5, 1ull << 7,
				 1ull << 8, 1ull << 40, 1ull << 52, NX_ };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fx_set(x, 0x00401000, 3, pdpte | bad[i]);
		soft_mmu_flush(&x->m, true);
		assert_int_equal(fx_pf(x, 0x00401000, SOFT_WRITE, USR),
				 SOFT_PF_P | SOFT_PF_RSVD | SOFT_PF_W | SOFT_PF_U);
		assert_false(soft_mmu_pdptes_valid(&x->m, &x->r));
	}
	fx_set(x, 0x00401000, 3, pdpte);
	assert_true(soft_mmu_pdptes_valid(&x->m, &x->r));
	/* PDE and PTE: bits 62:MAXPHYADDR; bits 20:13 of a 2 MiB PDE. */
	for (int level = 1; level <= 2; level++) {
		uint64_t e = fx_get(x, 0x00401000, level);
		fx_set(x, 0x00401000, level, e | (1ull << 62));
		soft_mmu_flush(&x->m, true);
		assert_int_equal(fx_pf(x, 0x00401000, SOFT_READ, SUP), SOFT_PF_P | SOFT_PF_RSVD);
		fx_set(x, 0x00401000, level, e);
	}
	/* Bit 39 is still an address bit. */
	fx_set(x, 0x00401000, 1, fx_get(x, 0x00401000, 1) | (1ull << 39));
	soft_mmu_flush(&x->m, true);
	assert_int_equal(fx_gpa(x, 0x00401000, SOFT_READ, SUP), 0x8000009000ull);
	uint64_t big = fx_get(x, 0xc0200000, 2);
	fx_set(x, 0xc0200000, 2, big | (1ull << 13));
	soft_mmu_flush(&x->m, true);
	assert_int_equal(fx_pf(x, 0xc0200000, SOFT_READ, SUP), SOFT_PF_P | SOFT_PF_RSVD);
	fx_set(x, 0xc0200000, 2, big | (1ull << 12)); /* PAT: not reserved */
	soft_mmu_flush(&x->m, true);
	assert_int_equal(fx_gpa(x, 0xc0200000, SOFT_READ, SUP), 0x1e00000);
}

static void test_long_mode_page_sizes(void **state)
{
	struct fx *x = *state;
	fx_map(x, 0x400000, 0x9000, 4 * KiB, P_ | RW_ | US_);
	fx_map(x, 0xffff800000200000ull, 0x1e00000, 2 * MiB, P_ | RW_);
	fx_map(x, 0x7f8040000000ull, 0x2c0000000ull, 1 * GiB, P_ | RW_ | US_);
	assert_int_equal(fx_gpa(x, 0x400123, SOFT_READ, USR), 0x9123);
	assert_int_equal(fx_gpa(x, 0xffff8000003fff00ull, SOFT_WRITE, SUP), 0x1ffff00);
	assert_int_equal(fx_gpa(x, 0x7f807fffeabcull, SOFT_FETCH, USR), 0x2ffffeabcull);
	/* The 1 GiB page lies outside RAM: its bytes are MMIO. */
	uint32_t v = 0;
	struct soft_fault f;
	assert_int_equal(soft_mmu_read(&x->m, &x->r, 0x7f8040000010ull, &v, 4, SOFT_READ, true, &f), 0);
	assert_int_equal(v, 0xffffffffu);
	assert_int_equal(x->nmmio, 1);
	assert_int_equal(x->mmio[0].gpa, 0x2c0000010ull);
}

/* Reserved bits at each long-mode level. */
static void test_long_mode_reserved(void **state)
{
	struct fx *x = *state;
	const uint64_t la = 0x7000400000ull;
	fx_map(x, la, 0xa000, 4 * KiB, P_ | RW_ | US_);
	fx_map(x, 0x7000600000ull, 0x1e00000, 2 * MiB, P_ | RW_ | US_);
	fx_map(x, 0x7040000000ull, 0x40000000, 1 * GiB, P_ | RW_ | US_);
	const uint32_t rsvd = SOFT_PF_P | SOFT_PF_RSVD | SOFT_PF_U;
	for (int level = 1; level <= 4; level++) {
		uint64_t e = fx_get(x, la, level);
		/* Bits 51:MAXPHYADDR, at every level. */
		for (unsigned b = SOFT_MMU_PHYS_BITS; b <= 51; b += 11) {
			fx_set(x, la, level, e | (1ull << b));
			soft_mmu_flush(&x->m, true);
			assert_int_equal(fx_pf(x, la, SOFT_READ, USR), rsvd);
		}
		/* Bits 62:52 are ignored. */
		fx_set(x, la, level, e | (1ull << 52) | (1ull << 62));
		soft_mmu_flush(&x->m, true);
		assert_int_equal(fx_gpa(x, la, SOFT_READ, USR), 0xa000);
		/* XD without EFER.NXE is reserved. */
		fx_set(x, la, level, e | NX_);
		x->r.efer &= ~SOFT_EFER_NXE;
		soft_mmu_flush(&x->m, true);
		assert_int_equal(fx_pf(x, la, SOFT_READ, USR), rsvd);
		x->r.efer |= SOFT_EFER_NXE;
		soft_mmu_flush(&x->m, true);
		assert_int_equal(fx_gpa(x, la, SOFT_READ, USR), 0xa000);
		assert_int_equal(fx_pf(x, la, SOFT_FETCH, USR), SOFT_PF_P | SOFT_PF_U | SOFT_PF_I);
		fx_set(x, la, level, e);
	}
	/* PS in a PML4E. */
	uint64_t e4 = fx_get(x, la, 4);
	fx_set(x, la, 4, e4 | PS_);
	soft_mmu_flush(&x->m, true);
	assert_int_equal(fx_pf(x, la, SOFT_READ, USR), rsvd);
	fx_set(x, la, 4, e4);
	/* Bits 20:13 of a 2 MiB page, 29:13 of a 1 GiB page; bit 12 is PAT. */
	uint64_t e2 = fx_get(x, 0x7000600000ull, 2);
	fx_set(x, 0x7000600000ull, 2, e2 | (1ull << 20));
	soft_mmu_flush(&x->m, true);
	assert_int_equal(fx_pf(x, 0x7000600000ull, SOFT_READ, USR), rsvd);
	uint64_t e3 = fx_get(x, 0x7040000000ull, 3);
	fx_set(x, 0x7040000000ull, 3, e3 | (1ull << 29));
	soft_mmu_flush(&x->m, true);
	assert_int_equal(fx_pf(x, 0x7040000000ull, SOFT_READ, USR), rsvd);
	fx_set(x, 0x7040000000ull, 3, e3 | (1ull << 12));
	soft_mmu_flush(&x->m, true);
	assert_int_equal(fx_gpa(x, 0x7040000000ull, SOFT_READ, USR), 0x40000000);
}

/* U/S, R/W with CR0.WP, NX; the error code's P, W, U and I bits. */
static void test_rights(void **state)
{
	struct fx *x = *state;
	const uint64_t ro = 0x500000, sup = 0x501000, nx = 0x502000, ok = 0x503000;
	fx_map(x, ro, 0xa000, 4 * KiB, P_ | US_);
	fx_map(x, sup, 0xb000, 4 * KiB, P_ | RW_);
	fx_map(x, nx, 0xc000, 4 * KiB, P_ | RW_ | US_ | NX_);
	fx_map(x, ok, 0xd000, 4 * KiB, P_ | RW_ | US_);
	const uint32_t P = SOFT_PF_P, W = SOFT_PF_W, U = SOFT_PF_U, I = SOFT_PF_I;

	assert_int_equal(fx_pf(x, ro, SOFT_WRITE, USR), P | W | U);
	assert_int_equal(fx_pf(x, ro, SOFT_WRITE, SUP), P | W); /* CR0.WP=1 */
	assert_int_equal(fx_pf(x, sup, SOFT_READ, USR), P | U);
	assert_int_equal(fx_pf(x, sup, SOFT_FETCH, USR), P | U | I);
	assert_int_equal(fx_pf(x, nx, SOFT_FETCH, USR), P | U | I);
	assert_int_equal(fx_pf(x, nx, SOFT_FETCH, SUP), P | I);
	assert_int_equal(fx_pf(x, 0x600000, SOFT_WRITE, USR), W | U); /* not present */
	assert_int_equal(fx_pf(x, 0x600000, SOFT_FETCH, SUP), I);
	/* No SMEP/SMAP: the supervisor reads, writes and runs user pages. */
	assert_int_equal(fx_gpa(x, ok, SOFT_WRITE, SUP), 0xd000);
	assert_int_equal(fx_gpa(x, ok, SOFT_FETCH, SUP), 0xd000);
	assert_int_equal(fx_gpa(x, nx, SOFT_READ, USR), 0xc000);
	/* CR0.WP=0: supervisor writes ignore R/W; user writes do not. */
	x->r.cr0 &= ~SOFT_CR0_WP;
	soft_mmu_flush(&x->m, true);
	assert_int_equal(fx_gpa(x, ro, SOFT_WRITE, SUP), 0xa000);
	assert_int_equal(fx_pf(x, ro, SOFT_WRITE, USR), P | W | U);
	x->r.cr0 |= SOFT_CR0_WP;
	soft_mmu_flush(&x->m, true);
	/* Rights combine over the levels: clear R/W, U/S or set XD in each
	 * upper level of an otherwise open page. */
	for (int level = 2; level <= 4; level++) {
		uint64_t e = fx_get(x, ok, level);
		fx_set(x, ok, level, e & ~RW_);
		soft_mmu_flush(&x->m, true);
		assert_int_equal(fx_pf(x, ok, SOFT_WRITE, USR), P | W | U);
		assert_int_equal(fx_pf(x, ok, SOFT_WRITE, SUP), P | W);
		fx_set(x, ok, level, e & ~US_);
		soft_mmu_flush(&x->m, true);
		assert_int_equal(fx_pf(x, ok, SOFT_READ, USR), P | U);
		assert_int_equal(fx_gpa(x, ok, SOFT_READ, SUP), 0xd000);
		fx_set(x, ok, level, e | NX_);
		soft_mmu_flush(&x->m, true);
		assert_int_equal(fx_pf(x, ok, SOFT_FETCH, SUP), P | I);
		fx_set(x, ok, level, e);
	}
	/* Without EFER.NXE fetch faults carry no I/D bit. */
	x->r.efer &= ~SOFT_EFER_NXE;
	soft_mmu_flush(&x->m, true);
	assert_int_equal(fx_pf(x, 0x600000, SOFT_FETCH, USR), U);
	assert_int_equal(fx_pf(x, sup, SOFT_FETCH, USR), P | U);
}

static void test_canonical(void **state)
{
	struct fx *x = *state;
	fx_map(x, 0x00007ffffffff000ull, 0xa000, 4 * KiB, P_ | RW_);
	fx_map(x, 0xffff800000000000ull, 0xb000, 4 * KiB, P_ | RW_);
	struct soft_fault f;
	uint64_t gpa;
	uint32_t v = 0;
	const uint64_t bad[] = { 0x0000800000000000ull, 0xffff7ffffffff000ull,
				 0x8000000000000000ull, 0x00ff000000000000ull };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(fx_xlat(x, bad[i], SOFT_READ, false, &gpa, &f), -EFAULT);
		assert_int_equal(f.vector, SOFT_VEC_GP);
		assert_int_equal(f.error_code, 0);
		assert_int_equal(soft_mmu_write(&x->m, &x->r, bad[i], &v, 4, true, &f), -EFAULT);
		assert_int_equal(f.vector, SOFT_VEC_GP);
	}
	assert_int_equal(fx_gpa(x, 0x00007fffffffffffull, SOFT_READ, false), 0xafff);
	assert_int_equal(fx_gpa(x, 0xffff800000000000ull, SOFT_READ, false), 0xb000);
	/* An access whose last byte is not canonical: #GP, nothing written. */
	v = 0x44332211;
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x00007ffffffffffeull, &v, 4, false, &f), -EFAULT);
	assert_int_equal(f.vector, SOFT_VEC_GP);
	assert_int_equal(fx_rd(x, 0xaffe, 2), 0);
}

static void test_accessed_dirty(void **state)
{
	struct fx *x = *state;
	const uint64_t la = 0x400000, big = 0x40000000;
	fx_map(x, la, 0xa000, 4 * KiB, P_ | RW_);
	fx_map(x, la + 4096, 0xb000, 4 * KiB, P_ | RW_);
	fx_map(x, big, 0x1e00000, 2 * MiB, P_ | RW_);
	fx_clear_logs(x);
	uint64_t v = 0;
	struct soft_fault f;
	assert_int_equal(soft_mmu_read(&x->m, &x->r, la, &v, 8, SOFT_READ, false, &f), 0);
	for (int level = 1; level <= 4; level++) {
		assert_true(fx_get(x, la, level) & A_);
		assert_false(fx_get(x, la, level) & D_);
	}
	/* Each bit set went to the dirty log: four entries, eight bytes. */
	assert_int_equal(x->ndirty, 4);
	assert_int_equal(x->dirty[3].gpa, fx_entry(x, la, 1));
	assert_int_equal(x->dirty[3].len, 8);
	/* A write through the entry the read made sets D. */
	assert_int_equal(soft_mmu_write(&x->m, &x->r, la, &v, 8, false, &f), 0);
	assert_true(fx_get(x, la, 1) & D_);
	for (int level = 2; level <= 4; level++)
		assert_false(fx_get(x, la, level) & D_);
	/* A write as the first access sets both. */
	assert_int_equal(soft_mmu_write(&x->m, &x->r, la + 4096, &v, 1, false, &f), 0);
	assert_int_equal(fx_get(x, la + 4096, 1) & (A_ | D_), A_ | D_);
	/* Large pages: A and D in the PDE that maps the page. */
	assert_int_equal(soft_mmu_read(&x->m, &x->r, big + 0x12345, &v, 2, SOFT_FETCH, false, &f), 0);
	assert_int_equal(fx_get(x, big, 2) & (A_ | D_), A_);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, big + 0x54321, &v, 2, false, &f), 0);
	assert_int_equal(fx_get(x, big, 2) & (A_ | D_), A_ | D_);
	/* A faulting access sets nothing. */
	fx_map(x, 0x800000, 0xc000, 4 * KiB, P_);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x800000, &v, 1, false, &f), -EFAULT);
	assert_false(fx_get(x, 0x800000, 1) & (A_ | D_));
	/* translate() counts as the access it names. */
	fx_map(x, 0x801000, 0xd000, 4 * KiB, P_ | RW_);
	assert_int_equal(fx_gpa(x, 0x801000, SOFT_WRITE, false), 0xd000);
	assert_int_equal(fx_get(x, 0x801000, 1) & (A_ | D_), A_ | D_);
}

static void test_accessed_dirty_32_and_pae(void **state)
{
	struct fx *x = *state;
	struct soft_fault f;
	uint32_t v = 0;
	fx_set_mode(x, FX_32);
	fx_map(x, 0x401000, 0xa000, 4 * KiB, P_ | RW_);
	fx_map(x, 0x800000, 0x400000, 4 * MiB, P_ | RW_);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x401000, &v, 4, false, &f), 0);
	assert_int_equal(fx_get(x, 0x401000, 1) & (A_ | D_), A_ | D_);
	assert_int_equal(fx_get(x, 0x401000, 2) & (A_ | D_), A_);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x800004, &v, 4, false, &f), 0);
	assert_int_equal(fx_get(x, 0x800000, 2) & (A_ | D_), A_ | D_);
	/* PAE PDPTEs have no accessed bit: the walk leaves them alone. */
	fx_set_mode(x, FX_PAE);
	fx_map(x, 0x401000, 0xa000, 4 * KiB, P_ | RW_);
	uint64_t pdpte = fx_get(x, 0x401000, 3);
	assert_int_equal(soft_mmu_write(&x->m, &x->r, 0x401000, &v, 4, false, &f), 0);
	assert_int_equal(fx_get(x, 0x401000, 3), pdpte);
	assert_int_equal(fx_get(x, 0x401000, 2) & (A_ | D_), A_);
	assert_int_equal(fx_get(x, 0x401000, 1) & (A_ | D_), A_ | D_);
}

/* Tables outside RAM: entries read through MMIO (all-ones when unbacked:
 * reserved bits), never written. */
static void test_tables_outside_ram(void **state)
{
	struct fx *x = *state;
	fx_map(x, 0x400000, 0xa000, 4 * KiB, P_ | RW_);
	uint64_t pde = fx_get(x, 0x400000, 2);
	fx_set(x, 0x400000, 2, 0xe0000000ull | P_ | RW_); /* unbacked */
	soft_mmu_flush(&x->m, true);
	fx_clear_logs(x);
	assert_int_equal(fx_pf(x, 0x400000, SOFT_READ, false), SOFT_PF_P | SOFT_PF_RSVD);
	assert_int_equal(x->nmmio, 1);
	assert_int_equal(x->mmio[0].gpa, 0xe0000000ull + 8 * 0);
	assert_int_equal(x->mmio[0].len, 8);
	/* A table in the MMIO window is used, but not written back. */
	uint64_t pte = 0xa000 | P_ | RW_;
	memcpy(x->window, &pte, 8);
	fx_set(x, 0x400000, 2, FX_MMIO_BASE | P_ | RW_);
	soft_mmu_flush(&x->m, true);
	fx_clear_logs(x);
	assert_int_equal(fx_gpa(x, 0x400010, SOFT_WRITE, false), 0xa010);
	assert_int_equal(x->nmmio, 1);
	assert_false(x->mmio[0].write);
	memcpy(&pte, x->window, 8);
	assert_int_equal(pte, 0xa000 | P_ | RW_);
	fx_set(x, 0x400000, 2, pde);
	/* 32-bit paging: all-ones is a 4 MiB page with bit 21 set. */
	fx_set_mode(x, FX_32);
	fx_map(x, 0x400000, 0xa000, 4 * KiB, P_ | RW_);
	x->r.cr3 = 0xe0000000ull;
	soft_mmu_flush(&x->m, true);
	assert_int_equal(fx_pf(x, 0x400000, SOFT_READ, false), SOFT_PF_P | SOFT_PF_RSVD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_paging, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_32bit_paging, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_pae_paging, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_long_mode_page_sizes, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_long_mode_reserved, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rights, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_canonical, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_accessed_dirty, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_accessed_dirty_32_and_pae, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_tables_outside_ram, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
