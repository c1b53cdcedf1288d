/* Packed virtqueue: a fake guest memory (three RAM regions, each its own
 * heap allocation so AddressSanitizer catches any read outside them, with
 * a hole between the first two and the last two adjacent), a small driver
 * side that lays out packed descriptors with their wrap counters and reads
 * used descriptors back, and checks on what the device side sees and
 * writes. Hostile rings must end in -EIO with the queue broken, never in a
 * read outside guest memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "virtio/virtqueue.h"

#define R0_GPA 0x0ull     /* RAM [0, 64 KiB) */
#define R0_SIZE 0x10000ull
#define R1_GPA 0x20000ull /* hole [64 KiB, 128 KiB), then RAM */
#define R1_SIZE 0x8000ull
#define R2_GPA 0x28000ull /* adjacent to R1 */
#define R2_SIZE 0x8000ull

#define RING 0x1000ull /* descriptor ring, up to 256 entries */
#define DRV 0x3000ull  /* driver event suppression area */
#define DEV 0x3010ull  /* device event suppression area */
#define IND 0x6000ull  /* indirect tables */
#define BUF 0x8000ull  /* data buffers */

#define F_INDIRECT (1ull << VIRTIO_F_INDIRECT_DESC)
#define F_EVENT_IDX (1ull << VIRTIO_F_EVENT_IDX)
#define F_PACKED (1ull << VIRTIO_F_RING_PACKED)
#define FEAT_ALL (F_PACKED | F_INDIRECT | F_EVENT_IDX)

#define NEXT VIRTQ_DESC_F_NEXT
#define WRITE VIRTQ_DESC_F_WRITE
#define INDIRECT VIRTQ_DESC_F_INDIRECT
#define AVAIL VIRTQ_DESC_F_AVAIL
#define USED VIRTQ_DESC_F_USED

/* The driver's side of the ring. */
struct drv {
	uint16_t next;       /* next descriptor to make available */
	bool wrap;
	uint16_t used_next;  /* next used descriptor to read */
	bool used_wrap;
	uint16_t ndescs[256]; /* per ID, as the driver keeps it */
};

struct fx {
	struct guest_mem mem;
	uint8_t *r0, *r1, *r2;
	struct virtqueue vq;
	struct vq_chain *c;
	struct drv d;
};

struct buf {
	uint64_t addr;
	uint32_t len;
	uint16_t flags; /* WRITE, INDIRECT, or extra bits to test */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->r0 = calloc(1, R0_SIZE);
	f->r1 = calloc(1, R1_SIZE);
	f->r2 = calloc(1, R2_SIZE);
	f->c = calloc(1, sizeof(*f->c));
	assert_non_null(f->r0);
	assert_non_null(f->r1);
	assert_non_null(f->r2);
	assert_non_null(f->c);
	assert_int_equal(guest_mem_init_fake(&f->mem, f->r0, R0_GPA, R0_SIZE), 0);
	assert_int_equal(guest_mem_init_fake(&f->mem, f->r1, R1_GPA, R1_SIZE), 0);
	assert_int_equal(guest_mem_init_fake(&f->mem, f->r2, R2_GPA, R2_SIZE), 0);
	virtqueue_init(&f->vq, &f->mem, 256, "test.pq0");
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
	free(f->r2);
	free(f->c);
	free(f);
	return 0;
}

static void wr(struct fx *f, uint64_t gpa, const void *p, size_t len)
{
	assert_int_equal(guest_mem_write(&f->mem, gpa, p, len), 0);
}
static void wr16(struct fx *f, uint64_t gpa, uint16_t v) { wr(f, gpa, &v, 2); }
static uint16_t rd16(struct fx *f, uint64_t gpa)
{
	uint16_t v;
	assert_int_equal(guest_mem_read(&f->mem, gpa, &v, 2), 0);
	return v;
}
static uint32_t rd32(struct fx *f, uint64_t gpa)
{
	uint32_t v;
	assert_int_equal(guest_mem_read(&f->mem, gpa, &v, 4), 0);
	return v;
}

static void start(struct fx *f, uint32_t size, uint64_t features)
{
	char err[128];

	memset(f->r0 + RING, 0, IND - RING); /* fresh rings */
	memset(&f->d, 0, sizeof(f->d));
	f->d.wrap = f->d.used_wrap = true;
	f->vq.size = size;
	f->vq.desc_gpa = RING;
	f->vq.avail_gpa = DRV;
	f->vq.used_gpa = DEV;
	f->vq.features = features;
	assert_int_equal(virtqueue_enable(&f->vq, err, sizeof(err)), 0);
	assert_true(f->vq.packed);
}

/* Entry i of a ring or table. */
static void put_desc(struct fx *f, uint64_t table, uint32_t i, uint64_t addr,
		     uint32_t len, uint16_t id, uint16_t flags)
{
	uint8_t d[16];
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &id, 2);
	memcpy(d + 14, &flags, 2);
	wr(f, table + 16ull * i, d, 16);
}

static uint16_t avail_bits(bool wrap)
{
	return wrap ? AVAIL : USED;
}

/* Make a chain of n buffers available under `id`, as Linux does: every
 * descriptor gets its position's wrap bits and NEXT but the last, and the
 * first descriptor's flags are written last. Returns its first position. */
static uint16_t offer(struct fx *f, const struct buf *b, unsigned int n,
		      uint16_t id)
{
	uint16_t first = f->d.next, first_flags = 0;
	for (unsigned int i = 0; i < n; i++) {
		uint16_t flags = (uint16_t)(b[i].flags | avail_bits(f->d.wrap) |
					    (i + 1 < n ? NEXT : 0));
		put_desc(f, RING, f->d.next, b[i].addr, b[i].len,
			 i + 1 == n ? id : 0xeeee, i ? flags : 0);
		if (!i)
			first_flags = flags;
		if (++f->d.next == f->vq.size) {
			f->d.next = 0;
			f->d.wrap = !f->d.wrap;
		}
	}
	wr16(f, RING + 16ull * first + 14, first_flags);
	f->d.ndescs[id] = (uint16_t)n;
	return first;
}

static void offer1(struct fx *f, uint64_t addr, uint32_t len, uint16_t flags,
		   uint16_t id)
{
	struct buf b = { addr, len, flags };
	offer(f, &b, 1, id);
}

/* Read the next used descriptor as the driver does: false if none. */
static bool take_used(struct fx *f, uint16_t *id, uint32_t *len)
{
	uint64_t d = RING + 16ull * f->d.used_next;
	uint16_t flags = rd16(f, d + 14);
	bool a = flags & AVAIL, u = flags & USED;
	if (a != f->d.used_wrap || u != f->d.used_wrap)
		return false;
	*id = rd16(f, d + 12);
	*len = rd32(f, d + 8);
	assert_true(*id < f->vq.size);
	assert_int_equal(!!(flags & WRITE), *len != 0);
	f->d.used_next = (uint16_t)(f->d.used_next + f->d.ndescs[*id]);
	if (f->d.used_next >= f->vq.size) {
		f->d.used_next = (uint16_t)(f->d.used_next - f->vq.size);
		f->d.used_wrap = !f->d.used_wrap;
	}
	return true;
}

static void expect_used(struct fx *f, uint16_t want_id, uint32_t want_len)
{
	uint16_t id;
	uint32_t len;
	assert_true(take_used(f, &id, &len));
	assert_int_equal(id, want_id);
	assert_int_equal(len, want_len);
}

static void set_driver_event(struct fx *f, uint16_t flags, uint16_t pos,
			     bool wrap)
{
	wr16(f, DRV, (uint16_t)(pos | (wrap ? 0x8000 : 0)));
	wr16(f, DRV + 2, flags);
}

static void expect_broken(struct fx *f, const char *why)
{
	assert_int_equal(virtqueue_pop(&f->vq, f->c), -EIO);
	assert_true(f->vq.broken);
	assert_non_null(strstr(f->vq.broken_reason, why));
	assert_int_equal(f->c->nr_read + f->c->nr_write, 0);
	/* and stays broken */
	assert_int_equal(virtqueue_pop(&f->vq, f->c), -EIO);
	assert_false(virtqueue_enable_notify(&f->vq));
}

/* ---- normal operation --------------------------------------------------- */

static void test_enable_state(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	assert_true(f->vq.avail_wrap);
	assert_true(f->vq.used_wrap);
	assert_int_equal(f->vq.last_avail_idx, 0);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 0);
	/* a descriptor with last lap's bits (both clear) is not available */
	put_desc(f, RING, 0, BUF, 8, 0, 0);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 0);
	/* nor one marked used in this lap */
	put_desc(f, RING, 0, BUF, 8, 0, AVAIL | USED);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 0);
	assert_false(f->vq.broken);
}

static void test_chain(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	memcpy(f->r0 + BUF, "header", 6);
	struct buf b[3] = {
		{ BUF, 6, 0 }, { BUF + 0x100, 0x40, 0 }, { BUF + 0x200, 0x80, WRITE },
	};
	offer(f, b, 3, 5);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(f->c->head, 5);
	assert_int_equal(f->c->nr_read, 2);
	assert_int_equal(f->c->nr_write, 1);
	assert_int_equal(f->c->read_len, 6 + 0x40);
	assert_int_equal(f->c->write_len, 0x80);
	assert_ptr_equal(f->c->seg[0].host, f->r0 + BUF);
	assert_ptr_equal(f->c->seg[2].host, f->r0 + BUF + 0x200);
	char hdr[6];
	assert_int_equal(vq_chain_read(f->c, 0, hdr, 6), 6);
	assert_memory_equal(hdr, "header", 6);
	assert_int_equal(f->vq.last_avail_idx, 3);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 0);

	uint16_t id;
	uint32_t len;
	assert_false(take_used(f, &id, &len));
	assert_int_equal(virtqueue_push(&f->vq, 5, 0x20), 0);
	expect_used(f, 5, 0x20);
	assert_int_equal(f->vq.used_idx, 3);
	assert_int_equal(f->d.used_next, 3);
	/* exactly once */
	assert_int_equal(virtqueue_push(&f->vq, 5, 0x20), -EINVAL);
	assert_false(take_used(f, &id, &len));
	assert_int_equal(f->vq.stats.popped, 1);
	assert_int_equal(f->vq.stats.completed, 1);
}

/* Chains of 3 on a ring of 8: they straddle the end, and the wrap
 * counters flip on both sides over several laps. */
static void test_wrap_laps(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	unsigned int flips = 0;
	bool last_wrap = true;
	for (unsigned int i = 0; i < 40; i++) {
		uint16_t id = (uint16_t)(i % 8);
		struct buf b[3] = {
			{ BUF + 0x10 * i, 4, 0 }, { BUF + 0x1000, 4, 0 },
			{ BUF + 0x2000 + 0x10 * i, 8, WRITE },
		};
		offer(f, b, 3, id);
		assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
		assert_int_equal(f->c->head, id);
		assert_int_equal(f->c->seg[0].gpa, BUF + 0x10 * i);
		assert_int_equal(f->c->seg[2].gpa, BUF + 0x2000 + 0x10 * i);
		assert_int_equal(virtqueue_pop(&f->vq, f->c), 0);
		assert_int_equal(virtqueue_push(&f->vq, id, i + 1), 0);
		expect_used(f, id, i + 1);
		assert_int_equal(f->vq.last_avail_idx, f->d.next);
		assert_int_equal(f->vq.avail_wrap, f->d.wrap);
		assert_int_equal(f->vq.used_idx, f->d.used_next);
		assert_int_equal(f->vq.used_wrap, f->d.used_wrap);
		if (f->vq.avail_wrap != last_wrap) {
			flips++;
			last_wrap = f->vq.avail_wrap;
		}
	}
	assert_int_equal(flips, 40 * 3 / 8); /* 15 laps */
	assert_false(f->vq.broken);
}

/* Completions in any order: each used descriptor goes at the device's
 * position, which then moves by that chain's descriptor count. */
static void test_out_of_order(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	struct buf b[3] = {
		{ BUF, 4, WRITE }, { BUF + 0x10, 4, WRITE }, { BUF + 0x20, 4, WRITE },
	};
	offer(f, b, 1, 2);     /* positions 0 */
	offer(f, b, 2, 6);     /* 1-2 */
	offer(f, b, 3, 1);     /* 3-5 */
	for (int i = 0; i < 3; i++)
		assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(virtqueue_push(&f->vq, 1, 3), 0);  /* at 0, moves 3 */
	assert_int_equal(virtqueue_push(&f->vq, 2, 1), 0);  /* at 3, moves 1 */
	assert_int_equal(rd16(f, RING + 12), 1);
	assert_int_equal(rd16(f, RING + 16 * 3 + 12), 2);
	expect_used(f, 1, 3);
	expect_used(f, 2, 1);
	/* the ring goes on: 3 more descriptors wrap it */
	offer(f, b, 3, 2); /* 6, 7, 0 (lap two) */
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(f->c->head, 2);
	assert_int_equal(virtqueue_push(&f->vq, 2, 0), 0); /* at 4 */
	assert_int_equal(virtqueue_push(&f->vq, 6, 2), 0); /* at 7 */
	expect_used(f, 2, 0);
	expect_used(f, 6, 2);
	assert_int_equal(f->vq.used_idx, 1);
	assert_false(f->vq.used_wrap);
	assert_int_equal(f->d.used_next, 1);
	assert_false(f->d.used_wrap);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 0);
}

/* Several chains completed as one (a packet in several rx buffers), out
 * of order and across the wrap; a head twice or not in flight refuses
 * the whole call and writes nothing. */
static void test_push_n(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	struct buf b[3] = {
		{ BUF, 4, WRITE }, { BUF + 0x10, 4, WRITE }, { BUF + 0x20, 4, WRITE },
	};
	offer(f, b, 2, 4); /* positions 0-1 */
	offer(f, b, 1, 0); /* 2 */
	offer(f, b, 3, 7); /* 3-5 */
	for (int i = 0; i < 3; i++)
		assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	static const uint16_t twice[2] = { 4, 4 }, stray[2] = { 4, 5 };
	static const uint32_t one[2] = { 1, 1 };
	uint16_t id;
	uint32_t len;
	assert_int_equal(virtqueue_push_n(&f->vq, twice, one, 2), -EINVAL);
	assert_int_equal(virtqueue_push_n(&f->vq, stray, one, 2), -EINVAL);
	assert_false(take_used(f, &id, &len));
	static const uint16_t ids[3] = { 7, 4, 0 };
	static const uint32_t lens[3] = { 3, 0, 4 };
	assert_int_equal(virtqueue_push_n(&f->vq, ids, lens, 3), 0);
	expect_used(f, 7, 3); /* at 0, moves 3 */
	expect_used(f, 4, 0); /* at 3, moves 2 */
	expect_used(f, 0, 4); /* at 5, moves 1 */
	assert_false(take_used(f, &id, &len));
	/* across the wrap: 6, 7, 0 (lap two), then 1 */
	offer(f, b, 3, 1);
	offer(f, b, 1, 2);
	for (int i = 0; i < 2; i++)
		assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	static const uint16_t ids2[2] = { 2, 1 };
	static const uint32_t lens2[2] = { 1, 2 };
	assert_int_equal(virtqueue_push_n(&f->vq, ids2, lens2, 2), 0);
	expect_used(f, 2, 1); /* at 6 */
	expect_used(f, 1, 2); /* at 7, moves 3: to 2 of lap two */
	assert_int_equal(f->vq.used_idx, 2);
	assert_false(f->vq.used_wrap);
	assert_false(take_used(f, &id, &len));
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 0);
}

static void test_indirect(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	/* NEXT in the table means nothing; entries are used in order */
	put_desc(f, IND, 0, BUF, 16, 0, NEXT);
	put_desc(f, IND, 1, BUF + 0x100, 0, 0, 0); /* zero length: skipped */
	put_desc(f, IND, 2, BUF + 0x200, 32, 0, 0);
	put_desc(f, IND, 3, BUF + 0x300, 64, 0, WRITE | NEXT);
	offer1(f, IND, 4 * 16, INDIRECT, 3);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(f->c->head, 3);
	assert_int_equal(f->c->nr_read, 2);
	assert_int_equal(f->c->nr_write, 1);
	assert_int_equal(f->c->read_len, 48);
	assert_int_equal(f->c->write_len, 64);
	assert_int_equal(f->c->seg[1].gpa, BUF + 0x200);
	/* one ring descriptor */
	assert_int_equal(f->vq.last_avail_idx, 1);
	assert_int_equal(virtqueue_push(&f->vq, 3, 64), 0);
	expect_used(f, 3, 64);
	assert_int_equal(f->vq.used_idx, 1);
	/* direct descriptors may come before the indirect one that ends it */
	struct buf b[2] = { { BUF + 0x400, 8, 0 }, { IND, 16, INDIRECT } };
	offer(f, b, 2, 4);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(f->c->head, 4);
	assert_int_equal(f->c->nr_read, 2);
	assert_int_equal(f->c->read_len, 8 + 16);
	assert_int_equal(f->vq.last_avail_idx, 3);
}

static void test_split_across_regions(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	offer1(f, R2_GPA - 0x10, 0x20, WRITE, 0);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(f->c->nr_write, 2);
	assert_ptr_equal(f->c->seg[0].host, f->r1 + R1_SIZE - 0x10);
	assert_ptr_equal(f->c->seg[1].host, f->r2);
}

/* ---- notifications ------------------------------------------------------ */

static void test_driver_event_flags(void **state)
{
	struct fx *f = *state;
	start(f, 8, F_PACKED); /* no EVENT_IDX */
	offer1(f, BUF, 4, WRITE, 0);
	offer1(f, BUF, 4, WRITE, 1);
	offer1(f, BUF, 4, WRITE, 2);
	for (int i = 0; i < 3; i++)
		assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	set_driver_event(f, RING_EVENT_FLAGS_DISABLE, 0, false);
	assert_int_equal(virtqueue_push(&f->vq, 0, 1), 0);
	assert_false(virtqueue_should_notify(&f->vq));
	set_driver_event(f, RING_EVENT_FLAGS_ENABLE, 0, false);
	assert_int_equal(virtqueue_push(&f->vq, 1, 1), 0);
	assert_true(virtqueue_should_notify(&f->vq));
	/* DESC without EVENT_IDX negotiated: notify (never one too few) */
	set_driver_event(f, RING_EVENT_FLAGS_DESC, 7, true);
	assert_int_equal(virtqueue_push(&f->vq, 2, 1), 0);
	assert_true(virtqueue_should_notify(&f->vq));
}

/* DESC mode: an interrupt only when the used position passes the event
 * point, the wrap counter included. */
static void test_driver_event_desc(void **state)
{
	struct fx *f = *state;
	start(f, 4, FEAT_ALL);
	set_driver_event(f, RING_EVENT_FLAGS_DESC, 2, true);
	unsigned int id = 0;
	bool notes[12];
	/* 12 single-descriptor buffers: three laps of the ring of 4 */
	for (unsigned int i = 0; i < 12; i++) {
		offer1(f, BUF, 4, WRITE, (uint16_t)(id % 4));
		assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
		assert_int_equal(virtqueue_push(&f->vq, (uint16_t)(id % 4), 4), 0);
		notes[i] = virtqueue_should_notify(&f->vq);
		expect_used(f, (uint16_t)(id % 4), 4);
		id++;
		if (i == 3) /* now: the point at position 1 of lap two (wrap 0) */
			set_driver_event(f, RING_EVENT_FLAGS_DESC, 1, false);
		if (i == 6) /* lap three's position 0 (wrap 1 again) */
			set_driver_event(f, RING_EVENT_FLAGS_DESC, 0, true);
	}
	/* the first decision is always yes; then the used descriptor written
	 * at (2, lap 1) is the 3rd, (1, lap 2) the 6th, (0, lap 3) the 9th */
	bool want[12] = { true, false, true, false, false, true,
			  false, false, true, false, false, false };
	for (unsigned int i = 0; i < 12; i++)
		assert_int_equal(notes[i], want[i]);
}

/* An event point the used position jumps over (a chain of several
 * descriptors) still counts, also when the jump crosses the wrap. */
static void test_driver_event_skipped_over_wrap(void **state)
{
	struct fx *f = *state;
	start(f, 4, FEAT_ALL);
	struct buf b[3] = { { BUF, 4, 0 }, { BUF, 4, 0 }, { BUF, 4, WRITE } };
	offer(f, b, 3, 0); /* 0-2 */
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(virtqueue_push(&f->vq, 0, 4), 0);
	assert_true(virtqueue_should_notify(&f->vq)); /* first: always */
	expect_used(f, 0, 4);
	/* next chain covers 3, 0 (lap two), 1; the driver waits for (0, lap 2) */
	set_driver_event(f, RING_EVENT_FLAGS_DESC, 0, false);
	offer(f, b, 3, 1);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(virtqueue_push(&f->vq, 1, 4), 0);
	assert_true(virtqueue_should_notify(&f->vq));
	expect_used(f, 1, 4);
	/* a point already passed: no more interrupts */
	offer1(f, BUF, 4, WRITE, 2); /* at (2, lap two) */
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(virtqueue_push(&f->vq, 2, 4), 0);
	assert_false(virtqueue_should_notify(&f->vq));
	expect_used(f, 2, 4);
	/* position 3 with lap one's (or three's) wrap counter is not the
	 * position 3 of lap two the next descriptor is written at */
	set_driver_event(f, RING_EVENT_FLAGS_DESC, 3, true);
	offer1(f, BUF, 4, WRITE, 3);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(virtqueue_push(&f->vq, 3, 4), 0);
	assert_false(virtqueue_should_notify(&f->vq));
	expect_used(f, 3, 4);
	/* now lap three: (0, wrap 1) is the next one written */
	set_driver_event(f, RING_EVENT_FLAGS_DESC, 0, true);
	offer1(f, BUF, 4, WRITE, 0);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(virtqueue_push(&f->vq, 0, 4), 0);
	assert_true(virtqueue_should_notify(&f->vq));
}

static void test_device_event_area(void **state)
{
	struct fx *f = *state;
	start(f, 4, FEAT_ALL);
	/* empty pop with EVENT_IDX asks for the next descriptor */
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 0);
	assert_int_equal(rd16(f, DEV + 2), RING_EVENT_FLAGS_DESC);
	assert_int_equal(rd16(f, DEV), 0x8000 | 0);
	virtqueue_disable_notify(&f->vq);
	assert_int_equal(rd16(f, DEV + 2), RING_EVENT_FLAGS_DISABLE);
	assert_false(virtqueue_enable_notify(&f->vq));
	assert_int_equal(rd16(f, DEV + 2), RING_EVENT_FLAGS_DESC);
	/* three pops: position 3 of lap one */
	for (uint16_t i = 0; i < 3; i++) {
		offer1(f, BUF, 4, 0, i);
		assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
		assert_int_equal(rd16(f, DEV), 0x8000 | (i + 1));
		assert_int_equal(virtqueue_push(&f->vq, i, 0), 0);
	}
	virtqueue_disable_notify(&f->vq);
	/* while disabled, pops leave the area alone */
	offer1(f, BUF, 4, 0, 3);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(rd16(f, DEV + 2), RING_EVENT_FLAGS_DISABLE);
	assert_int_equal(virtqueue_push(&f->vq, 3, 0), 0);
	/* one arrived meanwhile: enable says so; the point is (0, lap two) */
	offer1(f, BUF, 4, 0, 0);
	assert_true(virtqueue_enable_notify(&f->vq));
	assert_int_equal(rd16(f, DEV + 2), RING_EVENT_FLAGS_DESC);
	assert_int_equal(rd16(f, DEV), 0);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_false(virtqueue_enable_notify(&f->vq));
	assert_int_equal(rd16(f, DEV), 1);

	/* without EVENT_IDX: ENABLE / DISABLE only */
	virtqueue_reset(&f->vq);
	start(f, 4, F_PACKED);
	virtqueue_disable_notify(&f->vq);
	assert_int_equal(rd16(f, DEV + 2), RING_EVENT_FLAGS_DISABLE);
	assert_false(virtqueue_enable_notify(&f->vq));
	assert_int_equal(rd16(f, DEV + 2), RING_EVENT_FLAGS_ENABLE);
	offer1(f, BUF, 4, 0, 0);
	virtqueue_disable_notify(&f->vq);
	assert_true(virtqueue_enable_notify(&f->vq));
}

/* More used descriptors between two decisions than the ring's two laps:
 * every event point has been passed. */
static void test_driver_event_long_gap(void **state)
{
	struct fx *f = *state;
	start(f, 4, FEAT_ALL);
	offer1(f, BUF, 4, WRITE, 0);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(virtqueue_push(&f->vq, 0, 4), 0);
	assert_true(virtqueue_should_notify(&f->vq));
	expect_used(f, 0, 4);
	/* the point is one behind the device: reached only after a full
	 * circle of 8, here 9 descriptors later */
	set_driver_event(f, RING_EVENT_FLAGS_DESC, 0, true);
	for (uint16_t i = 0; i < 9; i++) {
		offer1(f, BUF, 4, WRITE, i % 4);
		assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
		assert_int_equal(virtqueue_push(&f->vq, i % 4, 4), 0);
		expect_used(f, i % 4, 4);
	}
	assert_true(virtqueue_should_notify(&f->vq));
}

/* ---- unpop -------------------------------------------------------------- */

static void test_unpop(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	struct buf b[3] = { { BUF, 4, 0 }, { BUF + 0x10, 4, 0 }, { BUF + 0x20, 4, WRITE } };
	offer(f, b, 2, 0);  /* 0-1, answered at once */
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(virtqueue_push(&f->vq, 0, 0), 0);
	offer(f, b, 3, 1);  /* 2-4 */
	offer(f, b, 3, 2);  /* 5-7 */
	offer(f, b, 1, 3);  /* 0, lap two */
	uint16_t ids[3];
	for (int i = 0; i < 3; i++) {
		assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
		ids[i] = f->c->head;
	}
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[2], 3);
	assert_false(f->vq.avail_wrap);
	assert_int_equal(f->vq.last_avail_idx, 1);
	/* in the wrong order, not the last pops, twice, not in flight */
	uint16_t wrong[2] = { 3, 2 }, twice[2] = { 3, 3 }, none[1] = { 7 };
	assert_int_equal(virtqueue_unpop(&f->vq, wrong, 2), -EINVAL);
	assert_int_equal(virtqueue_unpop(&f->vq, ids, 2), -EINVAL);
	assert_int_equal(virtqueue_unpop(&f->vq, twice, 2), -EINVAL);
	assert_int_equal(virtqueue_unpop(&f->vq, none, 1), -EINVAL);
	assert_int_equal(f->vq.last_avail_idx, 1);
	assert_false(f->vq.avail_wrap);
	/* the failed tries left them all in flight */
	assert_int_equal(virtqueue_push(&f->vq, 3, 0), 0);
	assert_int_equal(virtqueue_unpop(&f->vq, ids, 2), -EINVAL); /* not last */
	offer(f, b, 1, 3); /* 1, lap two */
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	ids[2] = 3;
	/* 2 is not among the last two pops (3, answered, then 3 again)... */
	uint16_t last2[2] = { 2, 3 };
	assert_int_equal(virtqueue_unpop(&f->vq, last2, 2), -EINVAL);
	/* ...but the very last one is */
	assert_int_equal(virtqueue_unpop(&f->vq, last2 + 1, 1), 0);
	assert_int_equal(f->vq.last_avail_idx, 1);
	assert_false(f->vq.avail_wrap);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(f->c->head, 3);
	assert_int_equal(virtqueue_push(&f->vq, 3, 0), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(virtqueue_push(&f->vq, ids[i], 0), 0);
	assert_int_equal(virtqueue_unpop(&f->vq, last2, 1), -EINVAL);
	assert_int_equal(virtqueue_unpop(&f->vq, NULL, 0), 0);
}

/* Unpop of several chains that cross the end of the ring. */
static void test_unpop_across_wrap(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	struct buf b[3] = { { BUF, 4, 0 }, { BUF + 0x10, 4, 0 }, { BUF + 0x20, 4, WRITE } };
	offer(f, b, 3, 0);  /* 0-2, answered at once */
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(virtqueue_push(&f->vq, 0, 0), 0);
	offer(f, b, 3, 4);  /* 3-5 */
	offer(f, b, 3, 5);  /* 6, 7, 0 (lap two) */
	offer(f, b, 2, 6);  /* 1-2, lap two */
	uint16_t ids[3];
	for (int i = 0; i < 3; i++) {
		assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
		ids[i] = f->c->head;
	}
	assert_int_equal(f->vq.last_avail_idx, 3);
	assert_false(f->vq.avail_wrap);
	assert_int_equal(virtqueue_unpop(&f->vq, ids, 3), 0);
	assert_int_equal(f->vq.last_avail_idx, 3);
	assert_true(f->vq.avail_wrap);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
		assert_int_equal(f->c->head, ids[i]);
	}
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 0);
	/* a chain the guest rewrote meanwhile is not taken back */
	put_desc(f, RING, 2, BUF, 4, 5, (uint16_t)(USED | WRITE));
	assert_int_equal(virtqueue_unpop(&f->vq, ids + 2, 1), -EINVAL);
	for (int i = 0; i < 3; i++)
		assert_int_equal(virtqueue_push(&f->vq, ids[i], 0), 0);
}

/* ---- saved state -------------------------------------------------------- */

static void test_save_restore(void **state)
{
	struct fx *f = *state;
	char err[128];
	start(f, 4, FEAT_ALL);
	for (uint16_t i = 0; i < 5; i++) {
		offer1(f, BUF, 4, WRITE, i % 4);
		assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
		assert_int_equal(virtqueue_push(&f->vq, i % 4, 4), 0);
		expect_used(f, i % 4, 4);
	}
	assert_true(virtqueue_should_notify(&f->vq));
	offer1(f, BUF, 4, WRITE, 1);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	struct virtqueue_state s;
	assert_int_equal(virtqueue_save(&f->vq, &s), -EBUSY); /* in flight */
	assert_int_equal(virtqueue_push(&f->vq, 1, 4), 0);
	expect_used(f, 1, 4);
	assert_int_equal(virtqueue_save(&f->vq, &s), 0);
	assert_int_equal(s.version, VIRTQUEUE_STATE_VERSION);
	assert_int_equal(s.packed, 1);
	assert_int_equal(s.last_avail_idx, 2);  /* position 2, wrap 0 */
	assert_int_equal(s.used_idx, 2);
	assert_int_equal(s.signalled_used, 1); /* (1, wrap 0) */

	struct virtqueue q2;
	virtqueue_init(&q2, &f->mem, 256, "test.pq1");
	assert_int_equal(virtqueue_restore(&q2, &s, err, sizeof(err)), 0);
	assert_true(q2.packed);
	assert_int_equal(q2.last_avail_idx, 2);
	assert_false(q2.avail_wrap);
	assert_int_equal(q2.used_idx, 2);
	assert_false(q2.used_wrap);
	/* and it goes on where the first left off */
	offer1(f, BUF, 4, WRITE, 2);
	offer1(f, BUF, 4, WRITE, 3);
	offer1(f, BUF, 4, WRITE, 0);
	for (uint16_t i = 0; i < 3; i++) {
		assert_int_equal(virtqueue_pop(&q2, f->c), 1);
		assert_int_equal(f->c->head, (2 + i) % 4);
		assert_int_equal(virtqueue_push(&q2, f->c->head, 2), 0);
		expect_used(f, (2 + i) % 4, 2);
	}
	assert_true(q2.avail_wrap);
	virtqueue_reset(&q2);
}

static void expect_refused(struct fx *f, const struct virtqueue_state *s,
			   const char *why)
{
	char err[160] = "";
	struct virtqueue q2;
	virtqueue_init(&q2, &f->mem, 256, "test.pq1");
	assert_int_equal(virtqueue_restore(&q2, s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, why));
	assert_false(q2.enabled);
	virtqueue_reset(&q2);
}

static void test_restore_hostile(void **state)
{
	struct fx *f = *state;
	start(f, 4, FEAT_ALL);
	struct virtqueue_state good, s;
	assert_int_equal(virtqueue_save(&f->vq, &good), 0);

	s = good;
	s.last_avail_idx = s.used_idx = 4 | 0x8000; /* position 4 of 4 */
	expect_refused(f, &s, "outside a ring");
	s = good;
	s.signalled_valid = 1;
	s.signalled_used = 0x7fff;
	expect_refused(f, &s, "outside a ring");
	s = good;
	s.used_idx = 0; /* wrap differs: a whole ring in flight */
	expect_refused(f, &s, "in flight");
	s = good;
	s.packed = 2;
	expect_refused(f, &s, "0/1");
	s = good;
	s.features &= ~F_PACKED;
	expect_refused(f, &s, "disagree");
	s = good;
	s.packed = 0;
	expect_refused(f, &s, "disagree");
	s = good;
	s.version = 1; /* version 1 knew no packed queues */
	expect_refused(f, &s, "reserved");
	s = good;
	s.version = 3;
	expect_refused(f, &s, "version");
	s = good;
	s.used_gpa = RING + 8; /* device area inside the ring */
	expect_refused(f, &s, "overlaps");
	s = good;
	s.avail_gpa = DRV + 2;
	expect_refused(f, &s, "aligned");

	/* a version 1 split state still restores */
	struct virtqueue sq;
	struct virtqueue_state v1;
	char err[128];
	virtqueue_init(&sq, &f->mem, 256, "test.sq");
	sq.size = 8;
	sq.desc_gpa = 0x4000;
	sq.avail_gpa = 0x4800;
	sq.used_gpa = 0x5000;
	sq.features = F_EVENT_IDX;
	assert_int_equal(virtqueue_enable(&sq, err, sizeof(err)), 0);
	assert_false(sq.packed);
	assert_int_equal(virtqueue_save(&sq, &v1), 0);
	assert_int_equal(v1.packed, 0);
	v1.version = 1;
	v1.last_avail_idx = v1.used_idx = 0x9123; /* any split index */
	assert_int_equal(virtqueue_restore(&sq, &v1, err, sizeof(err)), 0);
	assert_false(sq.packed);
	assert_int_equal(sq.last_avail_idx, 0x9123);
	virtqueue_reset(&sq);
}

/* ---- dirty logging ------------------------------------------------------ */

static void test_dirty_marks(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	struct buf b[2] = { { BUF, 16, 0 }, { BUF + 0x2000, 16, WRITE } };
	offer(f, b, 2, 0); /* before logging: the test's writes mark too */
	assert_int_equal(guest_mem_dirty_log_start(&f->mem), 0);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	uint64_t bm = 0;
	guest_mem_take_dirty(&f->mem, 0, &bm); /* pop's device-area write */
	assert_int_equal(bm, 1ull << (DEV >> 12));
	assert_int_equal(virtqueue_push(&f->vq, 0, 16), 0);
	bm = 0;
	guest_mem_take_dirty(&f->mem, 0, &bm);
	/* the ring entry and the written buffer, not the read one */
	assert_int_equal(bm, 1ull << (RING >> 12) | 1ull << ((BUF + 0x2000) >> 12));
	virtqueue_disable_notify(&f->vq);
	bm = 0;
	guest_mem_take_dirty(&f->mem, 0, &bm);
	assert_int_equal(bm, 1ull << (DEV >> 12));
	guest_mem_dirty_log_stop(&f->mem);
}

/* ---- enable checks ------------------------------------------------------ */

static void expect_enable_fails(struct fx *f, const char *why)
{
	char err[128] = "";
	assert_int_equal(virtqueue_enable(&f->vq, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, why));
	assert_false(f->vq.enabled);
	f->vq.desc_gpa = RING;
	f->vq.avail_gpa = DRV;
	f->vq.used_gpa = DEV;
	f->vq.size = 8;
}

static void test_enable_checks(void **state)
{
	struct fx *f = *state;
	f->vq.features = FEAT_ALL;
	f->vq.desc_gpa = RING;
	f->vq.avail_gpa = DRV;
	f->vq.used_gpa = DEV;
	f->vq.size = 6;
	expect_enable_fails(f, "power of two");
	f->vq.desc_gpa = RING + 8;
	expect_enable_fails(f, "aligned");
	f->vq.used_gpa = DEV + 2;
	expect_enable_fails(f, "aligned");
	f->vq.desc_gpa = R0_SIZE - 0x40; /* 8 * 16 bytes run into the hole */
	expect_enable_fails(f, "RAM");
	f->vq.avail_gpa = 0x10000;
	expect_enable_fails(f, "RAM");
	f->vq.used_gpa = RING + 0x70;
	expect_enable_fails(f, "overlaps");
	f->vq.used_gpa = DRV;
	expect_enable_fails(f, "overlaps");
	char err[128];
	assert_int_equal(virtqueue_enable(&f->vq, err, sizeof(err)), 0);
	assert_true(f->vq.packed);
}

/* ---- hostile rings ------------------------------------------------------ */

static void test_id_out_of_range(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	offer1(f, BUF, 4, 0, 8);
	expect_broken(f, "buffer id 8");
}

static void test_id_in_flight(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	offer1(f, BUF, 4, 0, 3);
	offer1(f, BUF, 4, 0, 3);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	expect_broken(f, "in flight");
	/* the one that was popped can still be answered */
	assert_int_equal(virtqueue_push(&f->vq, 3, 0), 0);
}

static void test_chain_longer_than_queue(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	/* every descriptor says NEXT, all marked available for this lap and
	 * the next: the walk must stop at the ring's size */
	for (uint16_t i = 0; i < 8; i++)
		put_desc(f, RING, i, BUF, 4, 0, AVAIL | NEXT);
	expect_broken(f, "longer than");
}

static void test_more_than_ring_outstanding(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	struct buf b[6] = { { BUF, 4, 0 }, { BUF, 4, 0 }, { BUF, 4, 0 },
			    { BUF, 4, 0 }, { BUF, 4, 0 }, { BUF, 4, 0 } };
	offer(f, b, 6, 0);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	/* 6 in flight: a chain of 3 cannot be in the 2 left */
	offer(f, b, 3, 1);
	expect_broken(f, "longer than the 2");
}

static void test_indirect_with_next(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	put_desc(f, IND, 0, BUF, 4, 0, 0);
	struct buf b[2] = { { IND, 16, INDIRECT | NEXT }, { BUF, 4, 0 } };
	/* offer() adds NEXT to the first: INDIRECT | NEXT */
	offer(f, b, 2, 0);
	expect_broken(f, "NEXT");
}

static void test_indirect_bad_len(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	offer1(f, IND, 24, INDIRECT, 0);
	expect_broken(f, "multiple of 16");
}

static void test_indirect_zero_len(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	offer1(f, IND, 0, INDIRECT, 0);
	expect_broken(f, "multiple of 16");
}

static void test_indirect_too_big(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	offer1(f, IND, 16 * (VQ_INDIRECT_MAX + 1), INDIRECT, 0);
	expect_broken(f, "entries");
}

static void test_indirect_outside_ram(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	offer1(f, R0_SIZE - 16, 32, INDIRECT, 0); /* runs into the hole */
	expect_broken(f, "one RAM region");
}

static void test_indirect_nested(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	put_desc(f, IND, 0, IND + 0x100, 16, 0, INDIRECT);
	offer1(f, IND, 16, INDIRECT, 0);
	expect_broken(f, "nested");
}

static void test_indirect_not_negotiated(void **state)
{
	struct fx *f = *state;
	start(f, 8, F_PACKED);
	put_desc(f, IND, 0, BUF, 4, 0, 0);
	offer1(f, IND, 16, INDIRECT, 0);
	expect_broken(f, "not negotiated");
}

static void test_buffer_in_hole(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	offer1(f, R0_SIZE + 0x100, 16, 0, 0);
	expect_broken(f, "not RAM");
}

static void test_buffer_past_end(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	offer1(f, R2_GPA + R2_SIZE - 8, 16, WRITE, 0);
	expect_broken(f, "not RAM");
}

static void test_buffer_wraps(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	offer1(f, UINT64_MAX - 4, 16, 0, 0);
	expect_broken(f, "wraps");
}

static void test_readable_after_writable(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	struct buf b[2] = { { BUF, 4, WRITE }, { BUF + 0x10, 4, 0 } };
	offer(f, b, 2, 0);
	expect_broken(f, "readable descriptor after a writable");
}

static void test_readable_after_writable_indirect(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	put_desc(f, IND, 0, BUF, 4, 0, WRITE);
	put_desc(f, IND, 1, BUF + 0x10, 4, 0, 0);
	offer1(f, IND, 32, INDIRECT, 0);
	expect_broken(f, "readable descriptor after a writable");
}

static void test_reset_after_broken(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	offer1(f, BUF, 4, 0, 9);
	expect_broken(f, "buffer id 9");
	virtqueue_reset(&f->vq);
	assert_false(f->vq.broken);
	assert_false(f->vq.packed);
	assert_null(f->vq.ndescs);
	start(f, 8, FEAT_ALL);
	offer1(f, BUF, 4, 0, 1);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(f->c->head, 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	log_set_level(LOG_ERROR + 1);
	const struct CMUnitTest tests[] = {
		T(test_enable_state),
		T(test_push_n),
		T(test_chain),
		T(test_wrap_laps),
		T(test_out_of_order),
		T(test_indirect),
		T(test_split_across_regions),
		T(test_driver_event_flags),
		T(test_driver_event_desc),
		T(test_driver_event_skipped_over_wrap),
		T(test_device_event_area),
		T(test_driver_event_long_gap),
		T(test_unpop),
		T(test_unpop_across_wrap),
		T(test_save_restore),
		T(test_restore_hostile),
		T(test_dirty_marks),
		T(test_enable_checks),
		T(test_id_out_of_range),
		T(test_id_in_flight),
		T(test_chain_longer_than_queue),
		T(test_more_than_ring_outstanding),
		T(test_indirect_with_next),
		T(test_indirect_bad_len),
		T(test_indirect_zero_len),
		T(test_indirect_too_big),
		T(test_indirect_outside_ram),
		T(test_indirect_nested),
		T(test_indirect_not_negotiated),
		T(test_buffer_in_hole),
		T(test_buffer_past_end),
		T(test_buffer_wraps),
		T(test_readable_after_writable),
		T(test_readable_after_writable_indirect),
		T(test_reset_after_broken),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
