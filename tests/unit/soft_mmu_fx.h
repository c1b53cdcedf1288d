/* Test fixture for the soft MMU: 64 MiB of fake RAM at 0, an MMIO window
 * that records every access, unbacked space that reads all-ones, and page
 * table builders for 32-bit, PAE and long-mode paging. */
#ifndef KILN_TESTS_SOFT_MMU_FX_H
#define KILN_TESTS_SOFT_MMU_FX_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "accel/soft/mmu.h"

#define FX_RAM_SIZE (64ull << 20)
#define FX_MMIO_BASE 0xd0000000ull
#define FX_MMIO_SIZE 0x10000ull
#define FX_TABLES 0x100000ull /* page tables are allocated from here up */
#define FX_MAX_LOG 64

#define P_ (1ull << 0)
#define RW_ (1ull << 1)
#define US_ (1ull << 2)
#define A_ (1ull << 5)
#define D_ (1ull << 6)
#define PS_ (1ull << 7)
#define G_ (1ull << 8)
#define NX_ (1ull << 63)

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)

enum fx_mode { FX_NOPAGING, FX_32, FX_PAE, FX_LONG };

struct fx_mmio {
	uint64_t gpa;
	unsigned len;
	bool write;
	bool in_window;
};

struct fx_dirty {
	uint64_t gpa, len;
};

struct fx {
	uint8_t *ram;
	uint8_t window[FX_MMIO_SIZE];
	struct soft_phys_ops ops;
	struct soft_mmu m;
	struct soft_mmu_regs r;
	enum fx_mode mode;
	uint64_t next_table;
	struct fx_mmio mmio[FX_MAX_LOG];
	unsigned nmmio;
	uint64_t code[FX_MAX_LOG];
	unsigned ncode;
	struct fx_dirty dirty[FX_MAX_LOG];
	unsigned ndirty;
	uint64_t rewatch; /* code_written watches this page again (if not 0) */
	void (*ram_hook)(struct fx *x, uint64_t gpa); /* called by ram() first */
};

static inline void *fx_ram(void *opaque, uint64_t gpa, uint64_t len)
{
	struct fx *x = opaque;
	assert_true(len > 0);
	if (x->ram_hook)
		x->ram_hook(x, gpa);
	if (gpa >= FX_RAM_SIZE || len > FX_RAM_SIZE - gpa)
		return NULL;
	return x->ram + gpa;
}

static inline void fx_log_mmio(struct fx *x, uint64_t gpa, unsigned len, bool write)
{
	/* The MMU's promise: naturally aligned pieces of 1, 2, 4 or 8. */
	assert_true(len == 1 || len == 2 || len == 4 || len == 8);
	assert_int_equal(gpa & (len - 1), 0);
	assert_true(gpa >= FX_RAM_SIZE);
	bool in = gpa >= FX_MMIO_BASE && gpa + len <= FX_MMIO_BASE + FX_MMIO_SIZE;
	if (x->nmmio < FX_MAX_LOG)
		x->mmio[x->nmmio++] = (struct fx_mmio){ gpa, len, write, in };
}

static inline void fx_mmio_read(void *opaque, uint64_t gpa, void *buf, unsigned len)
{
	struct fx *x = opaque;
	fx_log_mmio(x, gpa, len, false);
	if (gpa >= FX_MMIO_BASE && gpa + len <= FX_MMIO_BASE + FX_MMIO_SIZE)
		memcpy(buf, x->window + (gpa - FX_MMIO_BASE), len);
	else
		memset(buf, 0xff, len);
}

static inline void fx_mmio_write(void *opaque, uint64_t gpa, const void *buf, unsigned len)
{
	struct fx *x = opaque;
	fx_log_mmio(x, gpa, len, true);
	if (gpa >= FX_MMIO_BASE && gpa + len <= FX_MMIO_BASE + FX_MMIO_SIZE)
		memcpy(x->window + (gpa - FX_MMIO_BASE), buf, len);
}

static inline void fx_code_written(void *opaque, uint64_t page)
{
	struct fx *x = opaque;
	assert_int_equal(page & 0xfff, 0);
	if (x->ncode < FX_MAX_LOG)
		x->code[x->ncode++] = page;
	if (x->rewatch)
		soft_mmu_watch_code(&x->m, x->rewatch);
}

static inline void fx_ram_written(void *opaque, uint64_t gpa, uint64_t len)
{
	struct fx *x = opaque;
	assert_true(gpa + len <= FX_RAM_SIZE);
	if (x->ndirty < FX_MAX_LOG)
		x->dirty[x->ndirty++] = (struct fx_dirty){ gpa, len };
}

static inline void fx_clear_logs(struct fx *x)
{
	x->nmmio = x->ncode = x->ndirty = 0;
}

static inline uint64_t fx_rd(struct fx *x, uint64_t gpa, unsigned size)
{
	uint64_t v = 0;
	assert_true(gpa + size <= FX_RAM_SIZE);
	memcpy(&v, x->ram + gpa, size);
	return v;
}

static inline void fx_wr(struct fx *x, uint64_t gpa, uint64_t v, unsigned size)
{
	assert_true(gpa + size <= FX_RAM_SIZE);
	memcpy(x->ram + gpa, &v, size);
}

static inline uint64_t fx_alloc_table(struct fx *x)
{
	uint64_t t = x->next_table;
	x->next_table += 4096;
	assert_true(x->next_table <= 8 * MiB);
	memset(x->ram + t, 0, 4096);
	return t;
}

static inline unsigned fx_esize(const struct fx *x) { return x->mode == FX_32 ? 4 : 8; }
static inline int fx_top(const struct fx *x) { return x->mode == FX_LONG ? 4 : x->mode == FX_PAE ? 3 : 2; }

static inline uint64_t fx_index(const struct fx *x, int level, uint64_t la)
{
	if (x->mode == FX_32)
		return (la >> (12 + 10 * (level - 1))) & 0x3ff;
	uint64_t i = (la >> (12 + 9 * (level - 1))) & 0x1ff;
	return x->mode == FX_PAE && level == 3 ? i & 3 : i;
}

static inline uint64_t fx_next(const struct fx *x, uint64_t e)
{
	return x->mode == FX_32 ? e & 0xfffff000ull : e & 0x000ffffffffff000ull;
}

static inline uint64_t fx_root(const struct fx *x)
{
	return x->mode == FX_PAE ? x->r.cr3 & 0xffffffe0ull : x->r.cr3 & ~0xfffull;
}

/* Guest-physical address of the entry for `la` at `level` (1 = PTE); the
 * tables above it must exist. */
static inline uint64_t fx_entry(struct fx *x, uint64_t la, int level)
{
	uint64_t table = fx_root(x);
	for (int l = fx_top(x); l > level; l--) {
		uint64_t e = fx_rd(x, table + fx_index(x, l, la) * fx_esize(x), fx_esize(x));
		assert_true(e & P_);
		table = fx_next(x, e);
	}
	return table + fx_index(x, level, la) * fx_esize(x);
}

static inline uint64_t fx_get(struct fx *x, uint64_t la, int level)
{
	return fx_rd(x, fx_entry(x, la, level), fx_esize(x));
}

static inline void fx_set(struct fx *x, uint64_t la, int level, uint64_t v)
{
	fx_wr(x, fx_entry(x, la, level), v, fx_esize(x));
}

/* Map the page of `size` at `la` to `gpa` with leaf bits `flags` (P
 * included by the caller; PS added for large pages). Missing tables above
 * are made with P|RW|US (PAE PDPTEs: P only). */
static inline void fx_map(struct fx *x, uint64_t la, uint64_t gpa, uint64_t size, uint64_t flags)
{
	int leaf = size == 4 * KiB ? 1 : size == 1 * GiB ? 3 : 2;
	uint64_t table = fx_root(x);
	for (int l = fx_top(x); l > leaf; l--) {
		uint64_t a = table + fx_index(x, l, la) * fx_esize(x);
		uint64_t e = fx_rd(x, a, fx_esize(x));
		if (!(e & P_)) {
			e = fx_alloc_table(x) | P_;
			if (!(x->mode == FX_PAE && l == 3))
				e |= RW_ | US_;
			fx_wr(x, a, e, fx_esize(x));
		}
		table = fx_next(x, e);
	}
	uint64_t v = gpa | flags | (leaf > 1 ? PS_ : 0);
	if (x->mode == FX_32 && leaf == 2)
		v = (gpa & 0xffc00000ull) | ((gpa >> 32) << 13) | flags | PS_;
	fx_wr(x, table + fx_index(x, leaf, la) * fx_esize(x), v, fx_esize(x));
}

static inline void fx_set_mode(struct fx *x, enum fx_mode mode)
{
	x->mode = mode;
	x->next_table = FX_TABLES;
	memset(&x->r, 0, sizeof(x->r));
	x->r.cr0 = 1 | SOFT_CR0_WP; /* PE */
	switch (mode) {
	case FX_NOPAGING:
		return;
	case FX_32:
		x->r.cr4 = SOFT_CR4_PSE;
		break;
	case FX_PAE:
		x->r.cr4 = SOFT_CR4_PAE;
		x->r.efer = SOFT_EFER_NXE;
		break;
	case FX_LONG:
		x->r.cr4 = SOFT_CR4_PAE;
		x->r.efer = SOFT_EFER_NXE | SOFT_EFER_LMA | (1ull << 8);
		break;
	}
	x->r.cr0 |= SOFT_CR0_PG;
	x->r.cr3 = fx_alloc_table(x);
	soft_mmu_flush(&x->m, true);
}

static inline int fx_setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	assert_non_null(x);
	x->ram = calloc(1, FX_RAM_SIZE);
	assert_non_null(x->ram);
	x->ops = (struct soft_phys_ops){ fx_ram, fx_mmio_read, fx_mmio_write,
					 fx_code_written, fx_ram_written };
	assert_int_equal(soft_mmu_init(&x->m, &x->ops, x), 0);
	fx_set_mode(x, FX_LONG);
	*state = x;
	return 0;
}

static inline int fx_teardown(void **state)
{
	struct fx *x = *state;
	soft_mmu_destroy(&x->m);
	free(x->ram);
	free(x);
	return 0;
}

/* Shorthands: translate / read / write, with a fault record. */
static inline int fx_xlat(struct fx *x, uint64_t la, enum soft_access acc, bool user,
		   uint64_t *gpa, struct soft_fault *f)
{
	memset(f, 0xaa, sizeof(*f));
	return soft_mmu_translate(&x->m, &x->r, la, acc, user, gpa, f);
}

/* The #PF error code of an access that must fault (or -1 if it did not). */
static inline long fx_pf(struct fx *x, uint64_t la, enum soft_access acc, bool user)
{
	struct soft_fault f;
	uint64_t gpa;
	if (fx_xlat(x, la, acc, user, &gpa, &f) == 0)
		return -1;
	assert_int_equal(f.vector, SOFT_VEC_PF);
	assert_int_equal(f.addr, la);
	return f.error_code;
}

static inline uint64_t fx_gpa(struct fx *x, uint64_t la, enum soft_access acc, bool user)
{
	struct soft_fault f;
	uint64_t gpa = 0;
	assert_int_equal(fx_xlat(x, la, acc, user, &gpa, &f), 0);
	return gpa;
}

#endif
