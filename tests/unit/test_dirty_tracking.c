/* Dirty tracking for live migration: the page-bitmap iteration the sender
 * walks, guest_mem's marks of Kiln's own writes, and the virtqueue marking
 * the pages a device wrote into when it completes a chain (plus the used
 * ring), which KVM's log never sees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dirty_bitmap.h"
#include "core/guest_mem.h"
#include "virtio/virtqueue.h"

#define PG GUEST_PAGE_SIZE

/* All runs of a bitmap as "start+len," text. */
static void runs(const uint64_t *bm, uint64_t pages, uint64_t max_run,
		 char *out, size_t cap)
{
	uint64_t pos = 0, s, l;
	size_t n = 0;
	out[0] = '\0';
	while (dirty_bitmap_next_run(bm, pages, &pos, max_run, &s, &l)) {
		assert_true(l >= 1 && l <= max_run);
		n += (size_t)snprintf(out + n, cap - n, "%llu+%llu,",
				      (unsigned long long)s, (unsigned long long)l);
		assert_true(n < cap);
	}
	assert_int_equal(pos, pages);
}

static void test_bitmap_runs(void **state)
{
	(void)state;
	uint64_t bm[4] = { 0 };
	char got[256];

	runs(bm, 200, 64, got, sizeof(got));
	assert_string_equal(got, "");
	dirty_bitmap_set(bm, 200, 0, 1);
	dirty_bitmap_set(bm, 200, 5, 3);
	dirty_bitmap_set(bm, 200, 60, 10);   /* crosses a word */
	dirty_bitmap_set(bm, 200, 128, 64);  /* a whole word */
	dirty_bitmap_set(bm, 200, 195, 100); /* clipped at 200 */
	assert_int_equal(dirty_bitmap_count(bm, 200), 1 + 3 + 10 + 64 + 5);
	runs(bm, 200, 1000, got, sizeof(got));
	assert_string_equal(got, "0+1,5+3,60+10,128+64,195+5,");
	/* Runs are cut at max_run and go on where they stopped. */
	runs(bm, 200, 4, got, sizeof(got));
	assert_string_equal(got, "0+1,5+3,60+4,64+4,68+2,128+4,132+4,136+4,"
			    "140+4,144+4,148+4,152+4,156+4,160+4,164+4,168+4,"
			    "172+4,176+4,180+4,184+4,188+4,195+4,199+1,");
	/* Bits past `pages` (garbage in the last word) are never reported. */
	bm[3] |= ~0ull;
	assert_int_equal(dirty_bitmap_count(bm, 200), 1 + 3 + 10 + 64 + 8);
	runs(bm, 200, 1000, got, sizeof(got));
	assert_string_equal(got, "0+1,5+3,60+10,128+72,");
	/* A first page past the end or a count of 0 sets nothing. */
	uint64_t z[1] = { 0 };
	dirty_bitmap_set(z, 10, 10, 5);
	dirty_bitmap_set(z, 10, 3, 0);
	assert_int_equal(z[0], 0);
	dirty_bitmap_set(z, 10, 9, UINT64_MAX);
	assert_int_equal(z[0], 1ull << 9);
}

static void test_bitmap_take(void **state)
{
	(void)state;
	uint64_t src[2] = { 0x5, 0x8000000000000000ull };
	uint64_t dst[2] = { 0x2, 0 };
	dirty_bitmap_take(dst, src, 2);
	assert_int_equal(dst[0], 0x7);
	assert_int_equal(dst[1], 0x8000000000000000ull);
	assert_int_equal(src[0], 0);
	assert_int_equal(src[1], 0);
}

/* Bits [first, first + pages) of a shared log, each range its own. */
static void test_bitmap_take_range(void **state)
{
	(void)state;
	uint64_t src[3] = { 0x8000000000000001ull, 0x3ull | 1ull << 40, 0x1 };
	uint64_t dst[2] = { 0, 0 };
	/* Pages 63..65 of src: its bits 63, 64 and 65 become 0, 1 and 2. */
	dirty_bitmap_take_range(dst, 3, src, 63);
	assert_int_equal(dst[0], 0x7);
	assert_int_equal(src[0], 0x1);
	assert_int_equal(src[1], 1ull << 40);
	/* 70 pages from page 60: bit 104 lands at 44, bit 128 at 68. */
	dst[0] = dst[1] = 0;
	dirty_bitmap_take_range(dst, 70, src, 60);
	assert_int_equal(dst[0], 1ull << 44);
	assert_int_equal(dst[1], 1ull << 4);
	assert_int_equal(src[0], 0x1);
	assert_int_equal(src[1] | src[2], 0);
}

/* Two regions with a hole: [0, 16 pages) and [32 pages, 40 pages). */
struct fx {
	struct guest_mem mem;
	uint8_t *r0, *r1;
	struct virtqueue vq;
	struct vq_chain *c;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->r0 = calloc(16, PG);
	f->r1 = calloc(8, PG);
	f->c = calloc(1, sizeof(*f->c));
	assert_non_null(f->r0);
	assert_non_null(f->r1);
	assert_non_null(f->c);
	assert_int_equal(guest_mem_init_fake(&f->mem, f->r0, 0, 16 * PG), 0);
	assert_int_equal(guest_mem_init_fake(&f->mem, f->r1, 32 * PG, 8 * PG), 0);
	virtqueue_init(&f->vq, &f->mem, 16, "dirty.q0");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	virtqueue_reset(&f->vq);
	guest_mem_destroy(&f->mem);
	free(f->r0);
	free(f->r1);
	free(f->c);
	free(f);
	return 0;
}

/* Region i's marks, taken. */
static uint64_t take(struct fx *f, unsigned int i)
{
	uint64_t bm = 0;
	guest_mem_take_dirty(&f->mem, i, &bm);
	return bm;
}

static void test_guest_mem_marks(void **state)
{
	struct fx *f = *state;
	uint8_t b[8] = { 1 };

	/* Off: writes mark nothing. */
	assert_int_equal(guest_mem_write(&f->mem, 0, b, 8), 0);
	assert_int_equal(guest_mem_dirty_log_start(&f->mem), 0);
	assert_int_equal(take(f, 0), 0);
	/* A write straddling pages 2 and 3. */
	assert_int_equal(guest_mem_write(&f->mem, 3 * PG - 4, b, 8), 0);
	assert_int_equal(take(f, 0), 0xcull);
	assert_int_equal(take(f, 0), 0); /* taken: clear */
	/* Marks are clipped to RAM, across the hole, without overflow. */
	guest_mem_mark_dirty(&f->mem, 15 * PG, 20 * PG);
	assert_int_equal(take(f, 0), 1ull << 15);
	assert_int_equal(take(f, 1), 0x7);
	guest_mem_mark_dirty(&f->mem, 39 * PG + 1, UINT64_MAX);
	assert_int_equal(take(f, 1), 1ull << 7);
	guest_mem_mark_dirty(&f->mem, 0, UINT64_MAX);
	assert_int_equal(take(f, 0), 0xffff);
	assert_int_equal(take(f, 1), 0xff);
	/* A write refused (outside RAM) marks nothing. */
	assert_int_equal(guest_mem_write(&f->mem, 16 * PG, b, 8), -EFAULT);
	assert_int_equal(take(f, 0) | take(f, 1), 0);
	guest_mem_dirty_log_stop(&f->mem);
	guest_mem_mark_dirty(&f->mem, 0, PG);
	assert_int_equal(take(f, 0), 0);
}

/* What vhost marks in the log it was given (bit n of byte n / 8 for
 * guest-physical page n) comes out of the region holding that page. */
static void test_vhost_log(void **state)
{
	struct fx *f = *state;
	assert_null(guest_mem_vhost_log(&f->mem));
	assert_int_equal(guest_mem_dirty_log_start(&f->mem), 0);
	uint8_t *log = (uint8_t *)guest_mem_vhost_log(&f->mem);
	assert_non_null(log);
	static const unsigned int pages[] = { 3, 15, 33, 39 };
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		log[pages[i] / 8] |= (uint8_t)(1u << (pages[i] % 8));
	/* Region 0 takes its pages only, though region 1's share the word. */
	assert_int_equal(take(f, 0), (1ull << 3) | (1ull << 15));
	assert_int_equal(log[4], 0x82); /* pages 33 and 39 */
	assert_int_equal(take(f, 1), (1ull << 1) | (1ull << 7));
	for (unsigned int i = 0; i < 8; i++)
		assert_int_equal(log[i], 0);
	/* Kiln's own marks and the kernel's come out together. */
	log[1] |= 1;
	guest_mem_mark_dirty(&f->mem, 2 * PG, 1);
	assert_int_equal(take(f, 0), (1ull << 2) | (1ull << 8));
	/* A new start clears what was left; stopped, there is no log. */
	log[0] = 0xff;
	guest_mem_dirty_log_stop(&f->mem);
	assert_null(guest_mem_vhost_log(&f->mem));
	assert_int_equal(guest_mem_dirty_log_start(&f->mem), 0);
	assert_int_equal(take(f, 0), 0);
	guest_mem_dirty_log_stop(&f->mem);
}

/* Ring layout in region 0: descriptors page 1, avail page 2, used page 3;
 * buffers from page 4 on and in region 1. */
#define DESC (1 * PG)
#define AVAIL (2 * PG)
#define USED (3 * PG)

static void desc(struct fx *f, uint32_t i, uint64_t addr, uint32_t len,
		 uint16_t flags, uint16_t next)
{
	uint8_t d[16];
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
	memcpy(f->r0 + DESC + 16ull * i, d, 16);
}

static void offer(struct fx *f, uint16_t slot, uint16_t head)
{
	memcpy(f->r0 + AVAIL + 4 + 2ull * slot, &head, 2);
	uint16_t idx = (uint16_t)(slot + 1);
	memcpy(f->r0 + AVAIL + 2, &idx, 2);
}

static void enable(struct fx *f)
{
	char err[128];
	f->vq.size = 16;
	f->vq.desc_gpa = DESC;
	f->vq.avail_gpa = AVAIL;
	f->vq.used_gpa = USED;
	f->vq.features = 0;
	assert_int_equal(virtqueue_enable(&f->vq, err, sizeof(err)), 0);
}

static void test_virtqueue_push_marks(void **state)
{
	struct fx *f = *state;
	enable(f);
	assert_int_equal(guest_mem_dirty_log_start(&f->mem), 0);

	/* Readable page 4, writable pages 5-6 (one buffer) and page 33. */
	desc(f, 0, 4 * PG, 100, VIRTQ_DESC_F_NEXT, 1);
	desc(f, 1, 5 * PG + 10, (uint32_t)PG, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	desc(f, 2, 33 * PG, 1, VIRTQ_DESC_F_WRITE, 0);
	offer(f, 0, 0);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	/* Nothing is written until the device completes the chain. */
	assert_int_equal(take(f, 0) | take(f, 1), 0);
	assert_int_equal(virtqueue_push(&f->vq, 0, 1), 0);
	assert_int_equal(take(f, 0), (1ull << 3) | (1ull << 5) | (1ull << 6));
	assert_int_equal(take(f, 1), 1ull << 1);

	/* Five writable segments: three exact, the last two as one span
	 * (pages 36-38, page 37 between them included). */
	desc(f, 3, 7 * PG, 8, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 4);
	desc(f, 4, 9 * PG, 8, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 5);
	desc(f, 5, 11 * PG, 8, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 6);
	desc(f, 6, 38 * PG, 8, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 7);
	desc(f, 7, 36 * PG, 8, VIRTQ_DESC_F_WRITE, 0);
	offer(f, 1, 3);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(virtqueue_push(&f->vq, 3, 0), 0);
	assert_int_equal(take(f, 0), (1ull << 3) | (1ull << 7) | (1ull << 9) | (1ull << 11));
	assert_int_equal(take(f, 1), 0x70);

	/* Logging off: pop and push mark nothing. */
	guest_mem_dirty_log_stop(&f->mem);
	offer(f, 2, 0);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(virtqueue_push(&f->vq, 0, 0), 0);
	assert_int_equal(guest_mem_dirty_log_start(&f->mem), 0);
	assert_int_equal(take(f, 0) | take(f, 1), 0);

	/* A chain popped before logging began: its pages are unknown, so
	 * its push marks all of RAM. */
	guest_mem_dirty_log_stop(&f->mem);
	offer(f, 3, 2);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(guest_mem_dirty_log_start(&f->mem), 0);
	assert_int_equal(virtqueue_push(&f->vq, 2, 0), 0);
	assert_int_equal(take(f, 0), 0xffff);
	assert_int_equal(take(f, 1), 0xff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bitmap_runs),
		cmocka_unit_test(test_bitmap_take),
		cmocka_unit_test(test_bitmap_take_range),
		cmocka_unit_test_setup_teardown(test_vhost_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_mem_marks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtqueue_push_marks, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
