/* Micro-benchmark of the software CPU's MMU: translated guest accesses per
 * second on TLB hits (the inline tag compare + copy) and on misses (a
 * four-level walk and a TLB fill each).
 *
 * usage: soft_mmu [MILLIONS]   (accesses per measurement, default 50)
 *
 * Guest: 64 MiB of RAM through guest_mem's slice helper (as Kiln will use
 * it), long-mode paging with 4 KiB pages mapping all of it at 0x400000.
 *   read_hit   8-byte reads cycling over 64 pages (all in the TLB)
 *   write_hit  8-byte writes, the same way (dirty logging off)
 *   fetch_hit  15-byte instruction fetches within a page
 *   xlat_hit   soft_mmu_translate, as the decoder's cache lookup does
 *   read_miss  8-byte reads, each on a new page 4 KiB apart over all 16384
 *              pages: every one misses the 512-entry TLB and walks
 *   read_2m    the same stride over 2 MiB pages (a 3-level walk)
 * Each line: NAME=<million accesses per second> and ns per access.
 */
#include "accel/soft/mmu.h"
#include "core/guest_mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RAM (64ull << 20)
#define DATA_LA 0x400000ull
#define BIG_LA 0x40000000ull
#define PAGES (RAM / 4096)

static void *ram_op(void *opaque, uint64_t gpa, uint64_t len)
{
	return guest_mem_slice(opaque, gpa, len);
}

static void mmio_read_op(void *opaque, uint64_t gpa, void *buf, unsigned len)
{
	memset(buf, 0xff, len);
}

static void mmio_write_op(void *opaque, uint64_t gpa, const void *buf, unsigned len)
{
}

static void code_written_op(void *opaque, uint64_t page)
{
}

static const struct soft_phys_ops ops = { ram_op, mmio_read_op, mmio_write_op,
					  code_written_op, NULL };

static uint64_t *entry(uint8_t *ram, uint64_t table, unsigned idx)
{
	return (uint64_t *)(ram + table + idx * 8);
}

/* Tables at the top of RAM: PML4 -> PDPT -> PDs -> PTs mapping all RAM at
 * DATA_LA with 4 KiB pages and at BIG_LA with 2 MiB pages. */
static uint64_t build_tables(uint8_t *ram)
{
	uint64_t next = RAM - (2 + 2 + PAGES / 512) * 4096ull;
	uint64_t pml4 = next, pdpt = next + 4096, pd = next + 8192, pd2 = next + 12288;
	uint64_t pt = next + 16384;
	memset(ram + next, 0, RAM - next);
	*entry(ram, pml4, 0) = pdpt | 7;
	*entry(ram, pdpt, 0) = pd | 7;
	*entry(ram, pdpt, 1) = pd2 | 7;
	for (uint64_t i = 0; i < PAGES; i++) {
		uint64_t la = DATA_LA + i * 4096;
		uint64_t t = pt + (i / 512) * 4096;
		*entry(ram, pd, (la >> 21) & 511) = t | 7;
		*entry(ram, t, (la >> 12) & 511) = (i * 4096) | 7;
	}
	for (uint64_t i = 0; i < RAM >> 21; i++)
		*entry(ram, pd2, i) = (i << 21) | 0x87;
	return pml4;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void report(const char *name, uint64_t n, double secs)
{
	printf("%s=%.1f Maccesses/s (%.2f ns)\n", name, n / secs / 1e6, secs * 1e9 / n);
}

int main(int argc, char **argv)
{
	uint64_t n = (argc > 1 ? strtoull(argv[1], NULL, 0) : 50) * 1000000ull;
	uint8_t *ram = aligned_alloc(4096, RAM);
	struct guest_mem mem;
	struct soft_mmu m;
	struct soft_fault f;
	if (!ram || guest_mem_init_fake(&mem, ram, 0, RAM) || soft_mmu_init(&m, &ops, &mem)) {
		fprintf(stderr, "soft_mmu: setup failed\n");
		return 1;
	}
	struct soft_mmu_regs r = {
		.cr0 = 0x80010001, .cr3 = build_tables(ram), .cr4 = 0x20,
		.efer = 0xd00, /* LME, LMA, NXE */
	};
	volatile uint64_t sink = 0;
	uint64_t v = 0, sum = 0, gpa;
	uint8_t insn[15];
	double t;

	/* Warm the TLB for the hit loops. */
	for (uint64_t p = 0; p < 64; p++)
		if (soft_mmu_write(&m, &r, DATA_LA + p * 4096, &v, 8, false, &f))
			return 1;

	t = now();
	for (uint64_t i = 0; i < n; i++) {
		uint64_t la = DATA_LA + (i & 63) * 4096 + (i & 0x1f8);
		if (soft_mmu_read(&m, &r, la, &v, 8, SOFT_READ, false, &f))
			return 1;
		sum += v;
	}
	report("read_hit", n, now() - t);

	t = now();
	for (uint64_t i = 0; i < n; i++) {
		uint64_t la = DATA_LA + (i & 63) * 4096 + (i & 0x1f8);
		if (soft_mmu_write(&m, &r, la, &i, 8, false, &f))
			return 1;
	}
	report("write_hit", n, now() - t);

	t = now();
	for (uint64_t i = 0; i < n; i++) {
		uint64_t la = DATA_LA + (i & 63) * 4096 + (i & 0x7f0);
		if (soft_mmu_read(&m, &r, la, insn, sizeof(insn), SOFT_FETCH, false, &f))
			return 1;
		sum += insn[0];
	}
	report("fetch_hit", n, now() - t);

	t = now();
	for (uint64_t i = 0; i < n; i++) {
		uint64_t la = DATA_LA + (i & 63) * 4096 + (i & 0xfff);
		if (soft_mmu_translate(&m, &r, la, SOFT_FETCH, false, &gpa, &f))
			return 1;
		sum += gpa;
	}
	report("xlat_hit", n, now() - t);

	uint64_t misses = n / 10, walks = m.stats.walks;
	t = now();
	for (uint64_t i = 0; i < misses; i++) {
		uint64_t la = DATA_LA + (i % PAGES) * 4096 + 8;
		if (soft_mmu_read(&m, &r, la, &v, 8, SOFT_READ, false, &f))
			return 1;
		sum += v;
	}
	report("read_miss", misses, now() - t);
	if (m.stats.walks - walks < misses - 64) {
		fprintf(stderr, "soft_mmu: only %llu of %llu reads missed\n",
			(unsigned long long)(m.stats.walks - walks), (unsigned long long)misses);
		return 1;
	}

	t = now();
	for (uint64_t i = 0; i < misses; i++) {
		uint64_t la = BIG_LA + (i % PAGES) * 4096 + 8;
		if (soft_mmu_read(&m, &r, la, &v, 8, SOFT_READ, false, &f))
			return 1;
		sum += v;
	}
	report("read_2m_miss", misses, now() - t);

	sink = sum;
	(void)sink;
	soft_mmu_destroy(&m);
	guest_mem_destroy(&mem);
	free(ram);
	return 0;
}
