/* Split virtqueue: a fake guest memory (three RAM regions, each its own heap
 * allocation so AddressSanitizer catches any read outside them, with a hole
 * between the first two and the last two adjacent), helpers that play the
 * driver (descriptor tables, avail ring), and checks on what the device
 * side sees and writes back. Hostile layouts must end in -EIO with the
 * queue broken, never in a read outside guest memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/log.h"
#include "virtio/virtqueue.h"

#define R0_GPA 0x0ull     /* RAM [0, 64 KiB) */
#define R0_SIZE 0x10000ull
#define R1_GPA 0x20000ull /* hole [64 KiB, 128 KiB), then RAM */
#define R1_SIZE 0x8000ull
#define R2_GPA 0x28000ull /* adjacent to R1 */
#define R2_SIZE 0x8000ull

#define DESC 0x1000ull
#define AVAIL 0x2000ull
#define USED 0x3000ull
#define IND 0x6000ull /* indirect tables */
#define BUF 0x8000ull /* data buffers */

#define FEAT_ALL ((1ull << VIRTIO_F_INDIRECT_DESC) | (1ull << VIRTIO_F_EVENT_IDX))

struct fx {
	struct guest_mem mem;
	uint8_t *r0, *r1, *r2;
	struct virtqueue vq;
	struct vq_chain *c;
	uint16_t avail_idx; /* the driver's copy */
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
	virtqueue_init(&f->vq, &f->mem, 256, "test.q0");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
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

	memset(f->r0 + DESC, 0, IND - DESC); /* fresh rings */
	f->vq.size = size;
	f->vq.desc_gpa = DESC;
	f->vq.avail_gpa = AVAIL;
	f->vq.used_gpa = USED;
	f->vq.features = features;
	assert_int_equal(virtqueue_enable(&f->vq, err, sizeof(err)), 0);
	f->avail_idx = 0;
}

/* Descriptor i of the table at `table`. */
static void desc(struct fx *f, uint64_t table, uint32_t i, uint64_t addr,
		 uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t d[16];
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
	wr(f, table + 16ull * i, d, 16);
}

static void set_avail_idx(struct fx *f, uint16_t idx)
{
	f->avail_idx = idx;
	wr16(f, AVAIL + 2, idx);
}

/* Make the chain at `head` available. */
static void offer(struct fx *f, uint16_t head)
{
	wr16(f, AVAIL + 4 + 2ull * (f->avail_idx % f->vq.size), head);
	set_avail_idx(f, (uint16_t)(f->avail_idx + 1));
}

static uint16_t used_idx(struct fx *f) { return rd16(f, USED + 2); }
static uint32_t used_id(struct fx *f, uint16_t slot)
{
	return rd32(f, USED + 4 + 8ull * (slot % f->vq.size));
}
static uint32_t used_len(struct fx *f, uint16_t slot)
{
	return rd32(f, USED + 8 + 8ull * (slot % f->vq.size));
}

static void expect_broken(struct fx *f, const char *why)
{
	uint64_t errors = f->vq.stats.errors, popped = f->vq.stats.popped;

	assert_int_equal(virtqueue_pop(&f->vq, f->c), -EIO);
	assert_true(f->vq.broken);
	if (!strstr(f->vq.broken_reason, why))
		fail_msg("reason '%s' lacks '%s'", f->vq.broken_reason, why);
	assert_int_equal(f->vq.stats.errors, errors + 1);
	assert_int_equal(f->vq.stats.popped, popped);
	/* Stays broken, no new error counted, until reset. */
	assert_int_equal(virtqueue_pop(&f->vq, f->c), -EIO);
	assert_int_equal(f->vq.stats.errors, errors + 1);
}

/* --- good chains ----------------------------------------------------------- */

static void test_empty_and_disabled(void **state)
{
	struct fx *f = *state;

	assert_int_equal(virtqueue_pop(&f->vq, f->c), 0); /* disabled */
	assert_int_equal(virtqueue_push(&f->vq, 0, 0), -EINVAL);
	start(f, 8, 0);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 0);
}

static void test_single_readable(void **state)
{
	struct fx *f = *state;

	start(f, 8, 0);
	wr(f, BUF, "hello", 5);
	desc(f, DESC, 3, BUF, 5, 0, 0);
	offer(f, 3);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(f->c->head, 3);
	assert_int_equal(f->c->nr_read, 1);
	assert_int_equal(f->c->nr_write, 0);
	assert_int_equal(f->c->read_len, 5);
	assert_ptr_equal(f->c->seg[0].host, f->r0 + BUF);
	assert_int_equal(f->c->seg[0].gpa, BUF);
	char buf[8] = { 0 };
	assert_int_equal(vq_chain_read(f->c, 0, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "hello");
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 0);

	assert_int_equal(virtqueue_push(&f->vq, 3, 0), 0);
	assert_int_equal(used_idx(f), 1);
	assert_int_equal(used_id(f, 0), 3);
	assert_int_equal(used_len(f, 0), 0);
	assert_int_equal(f->vq.stats.popped, 1);
	assert_int_equal(f->vq.stats.completed, 1);
	/* Exactly once: a second push of the same head is refused. */
	assert_int_equal(virtqueue_push(&f->vq, 3, 0), -EINVAL);
	assert_int_equal(used_idx(f), 1);
}

static void test_readable_then_writable(void **state)
{
	struct fx *f = *state;

	start(f, 8, 0);
	wr(f, BUF, "0123456789", 10);
	desc(f, DESC, 0, BUF, 4, VIRTQ_DESC_F_NEXT, 5);
	desc(f, DESC, 5, BUF + 4, 6, VIRTQ_DESC_F_NEXT, 2);
	desc(f, DESC, 2, BUF + 0x100, 3, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 7);
	desc(f, DESC, 7, BUF + 0x200, 5, VIRTQ_DESC_F_WRITE, 0);
	offer(f, 0);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(f->c->nr_read, 2);
	assert_int_equal(f->c->nr_write, 2);
	assert_int_equal(f->c->read_len, 10);
	assert_int_equal(f->c->write_len, 8);
	assert_int_equal(f->c->seg[2].gpa, BUF + 0x100);
	assert_int_equal(f->c->seg[3].gpa, BUF + 0x200);

	/* Reads across segments, from an offset. */
	char buf[16] = { 0 };
	assert_int_equal(vq_chain_read(f->c, 2, buf, 5), 5);
	assert_memory_equal(buf, "23456", 5);
	assert_int_equal(vq_chain_read(f->c, 8, buf, 16), 2);
	assert_int_equal(vq_chain_read(f->c, 10, buf, 16), 0);
	/* Writes across segments, bounded by the writable part. */
	assert_int_equal(vq_chain_write(f->c, 1, "ABCDEFGHIJ", 10), 7);
	assert_memory_equal(f->r0 + BUF + 0x100, "\0AB", 3);
	assert_memory_equal(f->r0 + BUF + 0x200, "CDEFG", 5);

	struct iovec iov[4];
	assert_int_equal(vq_chain_iov(f->c, false, 3, 6, iov, 4), 2);
	assert_ptr_equal(iov[0].iov_base, f->r0 + BUF + 3);
	assert_int_equal(iov[0].iov_len, 1);
	assert_int_equal(iov[1].iov_len, 5);
	assert_int_equal(vq_chain_iov(f->c, true, 0, 8, iov, 4), 2);
	assert_int_equal(vq_chain_iov(f->c, true, 0, 8, iov, 1), -E2BIG);
	assert_int_equal(vq_chain_iov(f->c, true, 4, 5, iov, 4), -ERANGE);

	assert_int_equal(virtqueue_push(&f->vq, 0, 8), 0);
	assert_int_equal(used_id(f, 0), 0);
	assert_int_equal(used_len(f, 0), 8);
}

static void test_zero_length_skipped(void **state)
{
	struct fx *f = *state;

	start(f, 8, 0);
	/* A zero-length descriptor is skipped, even with a bogus address and
	 * even if readable after writable. */
	desc(f, DESC, 0, BUF, 4, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	desc(f, DESC, 1, ~0ull, 0, VIRTQ_DESC_F_NEXT, 2);
	desc(f, DESC, 2, BUF + 4, 4, VIRTQ_DESC_F_WRITE, 0);
	offer(f, 0);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(f->c->nr_read, 0);
	assert_int_equal(f->c->nr_write, 2);
	assert_int_equal(f->c->write_len, 8);
	/* A chain of only zero-length descriptors has no segments. */
	desc(f, DESC, 3, 0, 0, 0, 0);
	offer(f, 3);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(f->c->nr_read + f->c->nr_write, 0);
}

static void test_buffer_split_across_adjacent_regions(void **state)
{
	struct fx *f = *state;

	start(f, 8, 0);
	desc(f, DESC, 0, R2_GPA - 0x10, 0x30, VIRTQ_DESC_F_WRITE, 0);
	offer(f, 0);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(f->c->nr_write, 2);
	assert_int_equal(f->c->write_len, 0x30);
	assert_ptr_equal(f->c->seg[0].host, f->r1 + R1_SIZE - 0x10);
	assert_int_equal(f->c->seg[0].len, 0x10);
	assert_ptr_equal(f->c->seg[1].host, f->r2);
	assert_int_equal(f->c->seg[1].gpa, R2_GPA);
	assert_int_equal(f->c->seg[1].len, 0x20);
	uint8_t pat[0x30];
	memset(pat, 0xab, sizeof(pat));
	assert_int_equal(vq_chain_write(f->c, 0, pat, sizeof(pat)), 0x30);
	assert_int_equal(f->r1[R1_SIZE - 1], 0xab);
	assert_int_equal(f->r2[0x1f], 0xab);
	assert_int_equal(f->r2[0x20], 0);
}

static void test_indirect(void **state)
{
	struct fx *f = *state;

	start(f, 8, FEAT_ALL);
	/* Head 1: a lone indirect descriptor (its WRITE flag is ignored). */
	desc(f, IND, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 2);
	desc(f, IND, 2, BUF + 0x10, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(f, IND, 1, BUF + 0x20, 1, VIRTQ_DESC_F_WRITE, 0);
	desc(f, DESC, 1, IND, 3 * 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	offer(f, 1);
	/* Head 4: a normal descriptor, then an indirect one. */
	desc(f, DESC, 4, BUF + 0x40, 8, VIRTQ_DESC_F_NEXT, 6);
	desc(f, DESC, 6, IND + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
	desc(f, IND + 0x100, 0, BUF + 0x80, 2, VIRTQ_DESC_F_WRITE, 0);
	offer(f, 4);

	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(f->c->head, 1);
	assert_int_equal(f->c->nr_read, 2);
	assert_int_equal(f->c->nr_write, 1);
	assert_int_equal(f->c->read_len, 32);
	assert_int_equal(f->c->seg[1].gpa, BUF + 0x10);
	assert_int_equal(f->c->seg[2].gpa, BUF + 0x20);

	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(f->c->head, 4);
	assert_int_equal(f->c->nr_read, 1);
	assert_int_equal(f->c->nr_write, 1);
	assert_int_equal(f->c->seg[1].gpa, BUF + 0x80);

	/* Completed out of order. */
	assert_int_equal(virtqueue_push(&f->vq, 4, 2), 0);
	assert_int_equal(virtqueue_push(&f->vq, 1, 1), 0);
	assert_int_equal(used_idx(f), 2);
	assert_int_equal(used_id(f, 0), 4);
	assert_int_equal(used_len(f, 0), 2);
	assert_int_equal(used_id(f, 1), 1);
	assert_int_equal(used_len(f, 1), 1);
}

static void test_index_wrap(void **state)
{
	struct fx *f = *state;

	start(f, 4, 0);
	f->vq.last_avail_idx = 65534;
	f->vq.used_idx = 65534;
	wr16(f, USED + 2, 65534);
	set_avail_idx(f, 65534);
	for (uint16_t i = 0; i < 4; i++) {
		desc(f, DESC, i, BUF + 0x10 * i, 0x10, 0, 0);
		offer(f, (uint16_t)(3 - i));
	}
	assert_int_equal(f->avail_idx, 2);
	/* A full ring (distance == size) is fine. */
	for (uint16_t i = 0; i < 4; i++) {
		assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
		assert_int_equal(f->c->head, 3 - i);
		assert_int_equal(f->c->seg[0].gpa, BUF + 0x10 * (3 - i));
		assert_int_equal(virtqueue_push(&f->vq, f->c->head, i), 0);
	}
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 0);
	assert_int_equal(f->vq.last_avail_idx, 2);
	assert_int_equal(used_idx(f), 2);
	for (uint16_t i = 0; i < 4; i++) {
		uint16_t slot = (uint16_t)(65534 + i);
		assert_int_equal(used_id(f, slot), 3 - i);
		assert_int_equal(used_len(f, slot), i);
	}
}

/* --- notification ------------------------------------------------------- */

static void test_need_event_math(void **state)
{
	/* Notify iff event_idx is in [old, new): the driver asked to hear
	 * when used idx moves past event_idx. */
	assert_true(virtqueue_need_event(0, 1, 0));
	assert_false(virtqueue_need_event(1, 1, 0));
	assert_true(virtqueue_need_event(4, 5, 0));
	assert_true(virtqueue_need_event(0, 5, 0));
	assert_false(virtqueue_need_event(5, 5, 0));
	assert_false(virtqueue_need_event(10, 5, 0));
	assert_false(virtqueue_need_event(3, 3, 3)); /* nothing new */
	/* Across the 16-bit wrap. */
	assert_true(virtqueue_need_event(65535, 1, 65534));
	assert_true(virtqueue_need_event(0, 1, 65534));
	assert_false(virtqueue_need_event(1, 1, 65534));
	assert_false(virtqueue_need_event(65533, 1, 65534));
}

static void pop_push(struct fx *f, uint16_t head)
{
	desc(f, DESC, head, BUF, 4, VIRTQ_DESC_F_WRITE, 0);
	offer(f, head);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(virtqueue_push(&f->vq, head, 4), 0);
}

/* Several chains completed as one (a packet in several rx buffers): one
 * used-index step for all; a head twice or not in flight refuses the
 * whole call and writes nothing. */
static void test_push_n(void **state)
{
	struct fx *f = *state;
	start(f, 8, 0);
	for (uint16_t h = 0; h < 4; h++) {
		desc(f, DESC, h, BUF + 0x10ull * h, 16, VIRTQ_DESC_F_WRITE, 0);
		offer(f, h);
	}
	for (int i = 0; i < 4; i++)
		assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	static const uint16_t twice[2] = { 1, 1 }, stray[2] = { 1, 5 };
	static const uint32_t one[2] = { 1, 1 };
	assert_int_equal(virtqueue_push_n(&f->vq, twice, one, 2), -EINVAL);
	assert_int_equal(virtqueue_push_n(&f->vq, stray, one, 2), -EINVAL);
	assert_int_equal(used_idx(f), 0);
	static const uint16_t heads[3] = { 2, 0, 3 };
	static const uint32_t lens[3] = { 16, 5, 0 };
	assert_int_equal(virtqueue_push_n(&f->vq, heads, lens, 0), 0);
	assert_int_equal(virtqueue_push_n(&f->vq, heads, lens, 3), 0);
	assert_int_equal(used_idx(f), 3);
	for (uint16_t i = 0; i < 3; i++) {
		assert_int_equal(used_id(f, i), heads[i]);
		assert_int_equal(used_len(f, i), lens[i]);
	}
	/* those three are done; head 1 is still in flight */
	assert_int_equal(virtqueue_push_n(&f->vq, heads, lens, 1), -EINVAL);
	assert_int_equal(virtqueue_push(&f->vq, 1, 1), 0);
	assert_int_equal(used_idx(f), 4);
	assert_int_equal(f->vq.stats.completed, 4);
}

static void test_event_idx(void **state)
{
	struct fx *f = *state;
	const uint64_t used_event = AVAIL + 4 + 2 * 8;
	const uint64_t avail_event = USED + 4 + 8 * 8;

	start(f, 8, FEAT_ALL);
	/* The first check after enable always notifies. */
	pop_push(f, 0);
	assert_true(virtqueue_should_notify(&f->vq));
	/* pop published avail_event = last_avail_idx */
	assert_int_equal(rd16(f, avail_event), 1);
	wr16(f, used_event, 5);
	/* NO_INTERRUPT is ignored with EVENT_IDX. */
	wr16(f, AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT);
	/* used idx 1..5: the driver wants to hear when it passes 5. */
	for (uint16_t i = 1; i < 5; i++) {
		pop_push(f, i);
		assert_false(virtqueue_should_notify(&f->vq));
	}
	pop_push(f, 5); /* used idx 6: moved past 5 */
	assert_true(virtqueue_should_notify(&f->vq));
	assert_false(virtqueue_should_notify(&f->vq)); /* nothing new */
	/* Several pushes crossing the event at once notify once. */
	wr16(f, used_event, 6);
	pop_push(f, 6);
	pop_push(f, 7);
	assert_true(virtqueue_should_notify(&f->vq));
	assert_int_equal(rd16(f, avail_event), 8);
}

static void test_event_idx_empty_pop(void **state)
{
	struct fx *f = *state;
	const uint64_t avail_event = USED + 4 + 8 * 8;

	/* An empty pop asks for the next buffer: avail_event = last. */
	start(f, 8, FEAT_ALL);
	f->vq.last_avail_idx = 7;
	set_avail_idx(f, 7);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 0);
	assert_int_equal(rd16(f, avail_event), 7);
}

static void test_no_interrupt_flag(void **state)
{
	struct fx *f = *state;

	start(f, 8, 0);
	pop_push(f, 0);
	assert_true(virtqueue_should_notify(&f->vq));
	wr16(f, AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT);
	pop_push(f, 1);
	assert_false(virtqueue_should_notify(&f->vq));
	wr16(f, AVAIL, 0);
	assert_true(virtqueue_should_notify(&f->vq));
	/* No avail_event writes without EVENT_IDX. */
	assert_int_equal(rd16(f, USED + 4 + 8 * 8), 0);
}

static void test_notify_suppression(void **state)
{
	struct fx *f = *state;
	const uint64_t avail_event = USED + 4 + 8 * 8;

	start(f, 8, 0);
	virtqueue_disable_notify(&f->vq);
	assert_int_equal(rd16(f, USED), VIRTQ_USED_F_NO_NOTIFY);
	assert_false(virtqueue_enable_notify(&f->vq));
	assert_int_equal(rd16(f, USED), 0);
	virtqueue_disable_notify(&f->vq);
	desc(f, DESC, 0, BUF, 4, 0, 0);
	offer(f, 0);
	assert_true(virtqueue_enable_notify(&f->vq)); /* arrived meanwhile */

	virtqueue_reset(&f->vq);
	start(f, 8, FEAT_ALL);
	virtqueue_disable_notify(&f->vq);
	desc(f, DESC, 0, BUF, 4, 0, 0);
	offer(f, 0);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(rd16(f, avail_event), 0); /* frozen while off */
	assert_false(virtqueue_enable_notify(&f->vq));
	assert_int_equal(rd16(f, avail_event), 1);
	assert_int_equal(rd16(f, USED), 0); /* flags untouched */
}

static void test_reset(void **state)
{
	struct fx *f = *state;

	start(f, 8, 0);
	desc(f, DESC, 0, BUF, 4, 0, 0);
	offer(f, 0);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	offer(f, 9);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), -EIO);
	virtqueue_reset(&f->vq);
	assert_false(f->vq.broken);
	assert_false(f->vq.enabled);
	assert_int_equal(f->vq.stats.errors, 1); /* counters survive */
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 0);
	start(f, 8, 0);
	wr16(f, AVAIL + 2, 0);
	/* The chain popped before the reset is gone. */
	assert_int_equal(virtqueue_push(&f->vq, 0, 0), -EINVAL);
	assert_int_equal(used_idx(f), 0);
	offer(f, 0);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
}

/* --- hostile chains ------------------------------------------------------ */

static void test_loop_two(void **state)
{
	struct fx *f = *state;
	start(f, 8, 0);
	desc(f, DESC, 0, BUF, 4, VIRTQ_DESC_F_NEXT, 1);
	desc(f, DESC, 1, BUF, 4, VIRTQ_DESC_F_NEXT, 0);
	offer(f, 0);
	expect_broken(f, "longer than 8");
}

static void test_self_loop(void **state)
{
	struct fx *f = *state;
	start(f, 8, 0);
	desc(f, DESC, 2, BUF, 4, VIRTQ_DESC_F_NEXT, 2);
	offer(f, 2);
	expect_broken(f, "loop");
}

static void test_zero_length_self_loop(void **state)
{
	struct fx *f = *state;
	start(f, 8, 0);
	desc(f, DESC, 2, BUF, 0, VIRTQ_DESC_F_NEXT, 2);
	offer(f, 2);
	expect_broken(f, "loop");
}

static void test_chain_longer_than_queue(void **state)
{
	struct fx *f = *state;
	start(f, 4, 0);
	/* A chain through every descriptor is legal ... */
	for (uint16_t i = 0; i < 4; i++)
		desc(f, DESC, i, BUF, 1, i < 3 ? VIRTQ_DESC_F_NEXT : 0,
		     (uint16_t)(i + 1));
	offer(f, 0);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(f->c->nr_read, 4);
	assert_int_equal(virtqueue_push(&f->vq, 0, 0), 0);
	/* ... one more (back to the start) is not. */
	desc(f, DESC, 3, BUF, 1, VIRTQ_DESC_F_NEXT, 0);
	offer(f, 0);
	expect_broken(f, "longer than 4");
}

static void test_next_out_of_range(void **state)
{
	struct fx *f = *state;
	start(f, 8, 0);
	desc(f, DESC, 0, BUF, 4, VIRTQ_DESC_F_NEXT, 8);
	offer(f, 0);
	expect_broken(f, "index 8 >= 8");
}

static void test_head_out_of_range(void **state)
{
	struct fx *f = *state;
	start(f, 8, 0);
	offer(f, 8);
	expect_broken(f, "head 8");
}

static void test_avail_idx_jump(void **state)
{
	struct fx *f = *state;
	start(f, 8, 0);
	set_avail_idx(f, 9);
	expect_broken(f, "ahead");
}

static void test_avail_idx_backwards(void **state)
{
	struct fx *f = *state;
	start(f, 8, 0);
	set_avail_idx(f, 0xffff);
	expect_broken(f, "ahead");
}

static void test_head_in_flight(void **state)
{
	struct fx *f = *state;
	start(f, 8, 0);
	desc(f, DESC, 0, BUF, 4, 0, 0);
	offer(f, 0);
	offer(f, 0);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), -EIO);
	assert_true(strstr(f->vq.broken_reason, "in flight") != NULL);
	/* The good chain can still be completed. */
	assert_int_equal(virtqueue_push(&f->vq, 0, 0), 0);
}

static void one_desc_broken(struct fx *f, uint64_t addr, uint32_t len,
			    uint16_t flags, const char *why)
{
	start(f, 8, FEAT_ALL);
	desc(f, DESC, 0, BUF, 4, VIRTQ_DESC_F_NEXT, 1);
	desc(f, DESC, 1, addr, len, flags, 0);
	offer(f, 0);
	expect_broken(f, why);
}

static void test_buffer_outside_ram(void **state)
{
	one_desc_broken(*state, R2_GPA + R2_SIZE, 1, 0, "not RAM");
}

static void test_buffer_past_end(void **state)
{
	one_desc_broken(*state, R2_GPA + R2_SIZE - 4, 5, 0, "not RAM");
}

static void test_buffer_in_hole(void **state)
{
	one_desc_broken(*state, R0_SIZE + 0x100, 4, VIRTQ_DESC_F_WRITE,
			"not RAM");
}

static void test_buffer_spans_hole(void **state)
{
	one_desc_broken(*state, R0_SIZE - 8, 16, VIRTQ_DESC_F_WRITE, "not RAM");
}

static void test_buffer_wraps(void **state)
{
	one_desc_broken(*state, ~0ull - 2, 8, 0, "wraps");
}

static void test_readable_after_writable(void **state)
{
	struct fx *f = *state;
	start(f, 8, 0);
	desc(f, DESC, 0, BUF, 4, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	desc(f, DESC, 1, BUF, 4, 0, 0);
	offer(f, 0);
	expect_broken(f, "readable descriptor after");
}

static void test_readable_after_writable_into_indirect(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	desc(f, DESC, 0, BUF, 4, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	desc(f, DESC, 1, IND, 16, VIRTQ_DESC_F_INDIRECT, 0);
	desc(f, IND, 0, BUF, 4, 0, 0);
	offer(f, 0);
	expect_broken(f, "readable descriptor after");
}

static void test_indirect_not_negotiated(void **state)
{
	struct fx *f = *state;
	start(f, 8, 1ull << VIRTIO_F_EVENT_IDX);
	desc(f, IND, 0, BUF, 4, 0, 0);
	desc(f, DESC, 0, IND, 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(f, 0);
	expect_broken(f, "not negotiated");
}

static void test_indirect_bad_length(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	desc(f, IND, 0, BUF, 4, 0, 0);
	desc(f, DESC, 0, IND, 24, VIRTQ_DESC_F_INDIRECT, 0);
	offer(f, 0);
	expect_broken(f, "multiple of 16");
}

static void test_indirect_zero_length(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	desc(f, DESC, 0, IND, 0, VIRTQ_DESC_F_INDIRECT, 0);
	offer(f, 0);
	expect_broken(f, "multiple of 16");
}

static void test_indirect_outside_ram(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	desc(f, DESC, 0, R0_SIZE - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	offer(f, 0);
	expect_broken(f, "indirect table");
}

static void test_indirect_across_regions(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	/* RAM, but two regions: tables must lie in one. */
	desc(f, DESC, 0, R2_GPA - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	offer(f, 0);
	expect_broken(f, "one RAM region");
}

static void test_indirect_nested(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	desc(f, IND, 0, BUF, 4, VIRTQ_DESC_F_NEXT, 1);
	desc(f, IND, 1, IND + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
	desc(f, IND + 0x100, 0, BUF, 4, 0, 0);
	desc(f, DESC, 0, IND, 32, VIRTQ_DESC_F_INDIRECT, 0);
	offer(f, 0);
	expect_broken(f, "nested");
}

static void test_indirect_with_next(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	desc(f, IND, 0, BUF, 4, 0, 0);
	desc(f, DESC, 0, IND, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	desc(f, DESC, 1, BUF, 4, 0, 0);
	offer(f, 0);
	expect_broken(f, "NEXT");
}

static void test_indirect_loop(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	desc(f, IND, 0, BUF, 4, VIRTQ_DESC_F_NEXT, 1);
	desc(f, IND, 1, BUF, 4, VIRTQ_DESC_F_NEXT, 0);
	desc(f, DESC, 0, IND, 32, VIRTQ_DESC_F_INDIRECT, 0);
	offer(f, 0);
	expect_broken(f, "(indirect)");
}

static void test_indirect_next_out_of_table(void **state)
{
	struct fx *f = *state;
	start(f, 8, FEAT_ALL);
	desc(f, IND, 0, BUF, 4, VIRTQ_DESC_F_NEXT, 2);
	desc(f, DESC, 0, IND, 32, VIRTQ_DESC_F_INDIRECT, 0);
	offer(f, 0);
	expect_broken(f, "index 2 >= 2 (indirect)");
}

static void test_too_many_segments(void **state)
{
	struct fx *f = *state;
	const uint32_t n = VQ_CHAIN_MAX_SEGS + 1;

	start(f, 8, FEAT_ALL);
	/* A legal-looking indirect table longer than the queue: fine up to
	 * VQ_CHAIN_MAX_SEGS segments, then refused. Table at R1. */
	for (uint32_t i = 0; i < n; i++)
		desc(f, R1_GPA, i, BUF, 1, i + 1 < n ? VIRTQ_DESC_F_NEXT : 0,
		     (uint16_t)(i + 1));
	desc(f, DESC, 0, R1_GPA, 16 * (n - 1), VIRTQ_DESC_F_INDIRECT, 0);
	desc(f, R1_GPA, n - 2, BUF, 1, 0, 0);
	offer(f, 0);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(f->c->nr_read, VQ_CHAIN_MAX_SEGS);
	assert_int_equal(virtqueue_push(&f->vq, 0, 0), 0);

	desc(f, R1_GPA, n - 2, BUF, 1, VIRTQ_DESC_F_NEXT, (uint16_t)(n - 1));
	desc(f, DESC, 0, R1_GPA, 16 * n, VIRTQ_DESC_F_INDIRECT, 0);
	offer(f, 0);
	expect_broken(f, "segments");
}

static void test_too_many_bytes(void **state)
{
	struct fx *f = *state;
	const uint64_t big_gpa = 1ull << 32, big = 1ull << 32;

	/* A 4 GiB region that is never touched: only sliced. */
	void *p = mmap(NULL, big, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(p != MAP_FAILED);
	assert_int_equal(guest_mem_init_fake(&f->mem, p, big_gpa, big), 0);
	start(f, 8, 0);
	desc(f, DESC, 0, big_gpa, 0xffffffff, VIRTQ_DESC_F_NEXT, 1);
	desc(f, DESC, 1, BUF, 0, 0, 0);
	offer(f, 0);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 1);
	assert_int_equal(f->c->read_len, 0xffffffffu);
	assert_int_equal(virtqueue_push(&f->vq, 0, 0), 0);
	desc(f, DESC, 1, BUF, 1, VIRTQ_DESC_F_WRITE, 0);
	offer(f, 0);
	expect_broken(f, "bytes");
	munmap(p, big);
}

/* --- enable-time validation --------------------------------------------- */

static void expect_enable_fails(struct fx *f, uint32_t size, uint64_t d,
				uint64_t a, uint64_t u, const char *why)
{
	char err[128] = "";

	f->vq.size = size;
	f->vq.desc_gpa = d;
	f->vq.avail_gpa = a;
	f->vq.used_gpa = u;
	assert_int_equal(virtqueue_enable(&f->vq, err, sizeof(err)), -EINVAL);
	assert_false(f->vq.enabled);
	if (!strstr(err, why))
		fail_msg("enable error '%s' lacks '%s'", err, why);
	assert_int_equal(virtqueue_pop(&f->vq, f->c), 0);
}

static void test_enable_checks(void **state)
{
	struct fx *f = *state;
	char err[128];

	expect_enable_fails(f, 0, DESC, AVAIL, USED, "power of two");
	expect_enable_fails(f, 6, DESC, AVAIL, USED, "power of two");
	expect_enable_fails(f, 512, DESC, AVAIL, USED, "power of two");
	expect_enable_fails(f, 8, DESC + 8, AVAIL, USED, "16-byte aligned");
	expect_enable_fails(f, 8, DESC, AVAIL + 1, USED, "2-byte aligned");
	expect_enable_fails(f, 8, DESC, AVAIL, USED + 2, "4-byte aligned");
	expect_enable_fails(f, 8, R0_SIZE, AVAIL, USED, "descriptor ring");
	expect_enable_fails(f, 8, R0_SIZE - 0x40, AVAIL, USED, "descriptor ring");
	expect_enable_fails(f, 8, DESC, R0_SIZE - 8, USED, "available ring");
	expect_enable_fails(f, 8, DESC, AVAIL, R0_SIZE - 32, "used ring");
	expect_enable_fails(f, 8, DESC, AVAIL, R2_GPA - 32, "used ring");
	expect_enable_fails(f, 8, DESC, AVAIL, ~0ull - 3, "wraps");
	expect_enable_fails(f, 8, ~0ull - 15, AVAIL, USED, "wraps");
	expect_enable_fails(f, 8, DESC, AVAIL, DESC + 0x40, "overlaps");
	expect_enable_fails(f, 8, DESC, USED + 0x10, USED, "overlaps");
	/* The largest queue the device allows fits. */
	start(f, 256, 0);
	assert_int_equal(virtqueue_enable(&f->vq, err, sizeof(err)), -EBUSY);
}

int main(void)
{
	log_set_level(LOG_ERROR); /* expected guest errors stay quiet */
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_empty_and_disabled),
		T(test_single_readable),
		T(test_readable_then_writable),
		T(test_zero_length_skipped),
		T(test_buffer_split_across_adjacent_regions),
		T(test_indirect),
		T(test_index_wrap),
		T(test_push_n),
		T(test_need_event_math),
		T(test_event_idx),
		T(test_event_idx_empty_pop),
		T(test_no_interrupt_flag),
		T(test_notify_suppression),
		T(test_reset),
		T(test_loop_two),
		T(test_self_loop),
		T(test_zero_length_self_loop),
		T(test_chain_longer_than_queue),
		T(test_next_out_of_range),
		T(test_head_out_of_range),
		T(test_avail_idx_jump),
		T(test_avail_idx_backwards),
		T(test_head_in_flight),
		T(test_buffer_outside_ram),
		T(test_buffer_past_end),
		T(test_buffer_in_hole),
		T(test_buffer_spans_hole),
		T(test_buffer_wraps),
		T(test_readable_after_writable),
		T(test_readable_after_writable_into_indirect),
		T(test_indirect_not_negotiated),
		T(test_indirect_bad_length),
		T(test_indirect_zero_length),
		T(test_indirect_outside_ram),
		T(test_indirect_across_regions),
		T(test_indirect_nested),
		T(test_indirect_with_next),
		T(test_indirect_loop),
		T(test_indirect_next_out_of_table),
		T(test_too_many_segments),
		T(test_too_many_bytes),
		T(test_enable_checks),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
