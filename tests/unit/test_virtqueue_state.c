/* A virtqueue as saved state: a queue used by a test driver and device is
 * saved, restored into a fresh queue over the same guest memory, and goes
 * on from the same indices; hostile states are refused and leave the queue
 * disabled. */
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

#define RAM_SIZE 0x10000ull
#define DESC 0x1000ull
#define AVAIL 0x2000ull
#define USED 0x3000ull
#define BUF 0x8000ull
#define QSIZE 16
#define FEAT ((1ull << VIRTIO_F_INDIRECT_DESC) | (1ull << VIRTIO_F_EVENT_IDX))

struct fx {
	struct guest_mem mem;
	uint8_t *ram;
	struct virtqueue a, b;
	struct vq_chain *c;
	struct virtqueue_state good;
};

static uint16_t ram16(struct fx *f, uint64_t gpa)
{
	uint16_t v;
	memcpy(&v, f->ram + gpa, 2);
	return v;
}

static void put16(struct fx *f, uint64_t gpa, uint16_t v)
{
	memcpy(f->ram + gpa, &v, 2);
}

/* Descriptor i: a 64-byte device-writable buffer; offered as avail[idx]. */
static void offer(struct fx *f, uint16_t idx, uint16_t head)
{
	uint8_t d[16] = { 0 };
	uint64_t addr = BUF + 64ull * head;
	uint32_t len = 64;
	uint16_t flags = VIRTQ_DESC_F_WRITE;
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(f->ram + DESC + 16ull * head, d, 16);
	put16(f, AVAIL + 4 + 2ull * (idx % QSIZE), head);
	put16(f, AVAIL + 2, (uint16_t)(idx + 1));
}

/* Queue a used by a device for two chains, then saved into f->good. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->ram = calloc(1, RAM_SIZE);
	f->c = calloc(1, sizeof(*f->c));
	assert_non_null(f->ram);
	assert_non_null(f->c);
	assert_int_equal(guest_mem_init_fake(&f->mem, f->ram, 0, RAM_SIZE), 0);
	virtqueue_init(&f->a, &f->mem, 256, "a");
	virtqueue_init(&f->b, &f->mem, 256, "b");
	f->a.size = QSIZE;
	f->a.desc_gpa = DESC;
	f->a.avail_gpa = AVAIL;
	f->a.used_gpa = USED;
	f->a.features = FEAT;
	char err[128];
	assert_int_equal(virtqueue_enable(&f->a, err, sizeof(err)), 0);
	offer(f, 0, 3);
	offer(f, 1, 5);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(virtqueue_pop(&f->a, f->c), 1);
		assert_int_equal(virtqueue_push(&f->a, f->c->head, 8), 0);
	}
	assert_true(virtqueue_should_notify(&f->a));
	virtqueue_disable_notify(&f->a);
	assert_int_equal(virtqueue_save(&f->a, &f->good), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	guest_mem_destroy(&f->mem);
	free(f->ram);
	free(f->c);
	free(f);
	return 0;
}

static void test_round_trip(void **state)
{
	struct fx *f = *state;
	const struct virtqueue_state *s = &f->good;
	assert_int_equal(s->version, VIRTQUEUE_STATE_VERSION);
	assert_int_equal(s->size, QSIZE);
	assert_int_equal(s->last_avail_idx, 2);
	assert_int_equal(s->used_idx, 2);
	assert_int_equal(s->signalled_used, 2);
	assert_true(s->signalled_valid && s->event_idx && s->indirect && s->notify_off);

	char err[128] = "";
	assert_int_equal(virtqueue_restore(&f->b, s, err, sizeof(err)), 0);
	assert_true(f->b.enabled);
	assert_int_equal(f->b.last_avail_idx, 2);
	assert_int_equal(f->b.used_idx, 2);
	assert_true(f->b.notify_off);
	struct virtqueue_state again;
	assert_int_equal(virtqueue_save(&f->b, &again), 0);
	assert_memory_equal(&again, s, sizeof(again));

	/* The restored queue serves the next chain the guest offers, and
	 * only that one. */
	assert_int_equal(virtqueue_pop(&f->b, f->c), 0);
	offer(f, 2, 7);
	assert_int_equal(virtqueue_pop(&f->b, f->c), 1);
	assert_int_equal(f->c->head, 7);
	assert_int_equal(virtqueue_push(&f->b, 7, 16), 0);
	assert_int_equal(ram16(f, USED + 2), 3);
	assert_int_equal(ram16(f, USED + 4 + 8 * 2), 7);
	/* EVENT_IDX: the driver asked for an interrupt at used index 2. */
	put16(f, AVAIL + 4 + 2 * QSIZE, 2);
	assert_true(virtqueue_should_notify(&f->b));
	assert_false(virtqueue_enable_notify(&f->b));
	assert_int_equal(ram16(f, USED + 4 + 8 * QSIZE), 3); /* avail_event */
}

static void test_in_flight_not_saved(void **state)
{
	struct fx *f = *state;
	struct virtqueue_state s;
	offer(f, 2, 9);
	assert_int_equal(virtqueue_pop(&f->a, f->c), 1);
	assert_int_equal(virtqueue_save(&f->a, &s), -EBUSY);
	assert_int_equal(virtqueue_push(&f->a, 9, 0), 0);
	assert_int_equal(virtqueue_save(&f->a, &s), 0);
	assert_int_equal(s.last_avail_idx, 3);

	/* A restored queue has nothing in flight: pushing an old head is a
	 * device bug and refused. */
	char err[128];
	assert_int_equal(virtqueue_restore(&f->b, &s, err, sizeof(err)), 0);
	assert_int_equal(virtqueue_push(&f->b, 9, 0), -EINVAL);
}

static void test_disabled_queue(void **state)
{
	struct fx *f = *state;
	struct virtqueue_state s;
	char err[128];
	assert_int_equal(virtqueue_save(&f->b, &s), 0);
	assert_false(s.enabled);
	/* Restoring a disabled state over an enabled queue resets it. */
	assert_int_equal(virtqueue_restore(&f->a, &s, err, sizeof(err)), 0);
	assert_false(f->a.enabled);
	assert_int_equal(f->a.last_avail_idx, 0);
	assert_int_equal(virtqueue_pop(&f->a, f->c), 0);
}

static void expect_refused(struct fx *f, const struct virtqueue_state *s,
			   const char *why)
{
	char err[128] = "";
	/* b starts enabled from the good state: a refusal leaves it reset. */
	assert_int_equal(virtqueue_restore(&f->b, &f->good, err, sizeof(err)), 0);
	assert_int_equal(virtqueue_restore(&f->b, s, err, sizeof(err)), -EINVAL);
	if (!strstr(err, why))
		fail_msg("expected \"%s\", got \"%s\"", why, err);
	assert_false(f->b.enabled);
	assert_int_equal(f->b.last_avail_idx, 0);
	assert_int_equal(virtqueue_pop(&f->b, f->c), 0);
}

static void test_hostile(void **state)
{
	struct fx *f = *state;
	struct virtqueue_state s;

	s = f->good;
	s.version = 0;
	expect_refused(f, &s, "version");

	s = f->good; /* rings outside RAM */
	s.desc_gpa = RAM_SIZE;
	expect_refused(f, &s, "descriptor");
	s = f->good;
	s.used_gpa = RAM_SIZE - 8;
	expect_refused(f, &s, "used");
	s = f->good; /* wraps around */
	s.avail_gpa = UINT64_MAX - 1;
	expect_refused(f, &s, "available");

	s = f->good;
	s.desc_gpa = DESC + 8; /* misaligned */
	expect_refused(f, &s, "aligned");

	s = f->good;
	s.used_gpa = DESC; /* used over the table */
	s.desc_gpa = DESC + 0x10;
	expect_refused(f, &s, "overlaps");

	s = f->good;
	s.size = 24;
	expect_refused(f, &s, "power of two");
	s = f->good;
	s.size = 512; /* above the device's maximum */
	expect_refused(f, &s, "power of two");
	s = f->good;
	s.size = 0x80000000u;
	expect_refused(f, &s, "size");

	s = f->good; /* a chain still in flight */
	s.last_avail_idx = 3;
	expect_refused(f, &s, "in flight");

	s = f->good;
	s.event_idx = 0;
	expect_refused(f, &s, "features");
	s = f->good;
	s.features &= ~(1ull << VIRTIO_F_INDIRECT_DESC);
	expect_refused(f, &s, "features");

	s = f->good;
	s.notify_off = 2;
	expect_refused(f, &s, "0/1");
	s = f->good;
	s.reserved[1] = 1;
	expect_refused(f, &s, "reserved");

	s = f->good;
	s.signalled_valid = 0;
	expect_refused(f, &s, "signal");

	s = f->good; /* disabled, yet with ring state */
	s.enabled = 0;
	expect_refused(f, &s, "disabled");
}

static void test_broken_stays_broken(void **state)
{
	struct fx *f = *state;
	struct virtqueue_state s = f->good;
	char err[128];
	s.broken = 1;
	assert_int_equal(virtqueue_restore(&f->b, &s, err, sizeof(err)), 0);
	offer(f, 2, 7);
	assert_int_equal(virtqueue_pop(&f->b, f->c), -EIO);
}

/* A pausing device gives back chains it popped and did not use: the
 * queue saves (nothing in flight) and the same chains are popped again. */
static void test_unpop(void **state)
{
	struct fx *f = *state;
	struct virtqueue_state s;
	offer(f, 2, 9);
	offer(f, 3, 4);
	offer(f, 4, 6);
	uint16_t heads[3];
	for (int i = 0; i < 3; i++) {
		assert_int_equal(virtqueue_pop(&f->a, f->c), 1);
		heads[i] = f->c->head;
	}
	assert_int_equal(virtqueue_push(&f->a, heads[0], 0), 0);
	/* Only the last pops, in pop order, still in flight. */
	assert_int_equal(virtqueue_unpop(&f->a, heads, 3), -EINVAL);
	uint16_t swapped[2] = { heads[2], heads[1] };
	assert_int_equal(virtqueue_unpop(&f->a, swapped, 2), -EINVAL);
	assert_int_equal(virtqueue_unpop(&f->a, heads, 2), -EINVAL);
	assert_int_equal(f->a.last_avail_idx, 5);
	assert_int_equal(virtqueue_save(&f->a, &s), -EBUSY);
	assert_int_equal(virtqueue_unpop(&f->a, heads + 1, 2), 0);
	assert_int_equal(f->a.last_avail_idx, 3);
	assert_int_equal(f->a.used_idx, 3);
	assert_int_equal(virtqueue_save(&f->a, &s), 0);
	/* Given back means not in flight: no push of it, popped again. */
	assert_int_equal(virtqueue_push(&f->a, heads[1], 0), -EINVAL);
	assert_int_equal(virtqueue_pop(&f->a, f->c), 1);
	assert_int_equal(f->c->head, 4);
	assert_int_equal(virtqueue_pop(&f->a, f->c), 1);
	assert_int_equal(f->c->head, 6);
	/* A guest that rewrote the avail slot meanwhile: refused. */
	put16(f, AVAIL + 4 + 2 * 4, 2);
	uint16_t last = 6;
	assert_int_equal(virtqueue_unpop(&f->a, &last, 1), -EINVAL);
	put16(f, AVAIL + 4 + 2 * 4, 6);
	assert_int_equal(virtqueue_unpop(&f->a, &last, 1), 0);
	assert_int_equal(virtqueue_unpop(&f->a, NULL, 0), 0);
}

/* A queue vhost served: Kiln takes the kernel's avail position and the
 * used index it wrote; a used index behind means chains in flight there. */
static void test_take_position(void **state)
{
	struct fx *f = *state;
	struct virtqueue_state s;
	offer(f, 2, 9);
	offer(f, 3, 4);
	put16(f, USED + 2, 4); /* the kernel completed both */
	virtqueue_take_position(&f->a, 4);
	assert_int_equal(f->a.last_avail_idx, 4);
	assert_int_equal(f->a.used_idx, 4);
	assert_false(f->a.signalled_valid);
	assert_int_equal(virtqueue_save(&f->a, &s), 0);
	assert_int_equal(s.last_avail_idx, 4);
	put16(f, USED + 2, 3);
	virtqueue_take_position(&f->a, 4);
	assert_int_equal(virtqueue_save(&f->a, &s), -EBUSY);
}

int main(void)
{
	log_set_level(LOG_ERROR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_flight_not_saved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_stays_broken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unpop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_position, setup, teardown),
	};
	return cmocka_run_group_tests_name("virtqueue_state", tests, NULL, NULL);
}
