/* The address map: overlap and overflow refused on insert, widths enforced
 * on access, unclaimed reads give all ones, and exits from KVM's record
 * reach the right device. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "accel/kvm/kvm_internal.h"
#include "bus/io_bus.h"
#include "core/guest_mem.h"
#include "core/log.h"

struct fake_dev {
	uint64_t last_off, last_val;
	unsigned int last_size, reads, writes;
};

static uint64_t fake_read(void *opaque, uint64_t off, unsigned int size)
{
	struct fake_dev *d = opaque;
	d->reads++;
	d->last_off = off;
	d->last_size = size;
	return 0x1122334455667788ull & ((size == 8) ? ~0ull : ((1ull << (8 * size)) - 1));
}

static void fake_write(void *opaque, uint64_t off, uint64_t v, unsigned int size)
{
	struct fake_dev *d = opaque;
	d->writes++;
	d->last_off = off;
	d->last_val = v;
	d->last_size = size;
}

static const struct io_ops fake_ops = { fake_read, fake_write };

static void test_register_rules(void **state)
{
	struct io_bus bus;
	struct fake_dev d = { 0 };
	io_bus_init(&bus, "test");
	assert_int_equal(io_bus_register(&bus, 0x100, 8, IO_WIDTH_1, &fake_ops, &d, "a"), 0);
	assert_int_equal(io_bus_register(&bus, 0x200, 8, IO_WIDTH_1, &fake_ops, &d, "b"), 0);
	/* Overlaps at either end and inside. */
	assert_int_equal(io_bus_register(&bus, 0xfc, 8, IO_WIDTH_1, &fake_ops, &d, "x"), -EEXIST);
	assert_int_equal(io_bus_register(&bus, 0x107, 1, IO_WIDTH_1, &fake_ops, &d, "x"), -EEXIST);
	assert_int_equal(io_bus_register(&bus, 0x1f0, 0x20, IO_WIDTH_1, &fake_ops, &d, "x"), -EEXIST);
	assert_int_equal(io_bus_register(&bus, 0x0, 0x1000, IO_WIDTH_1, &fake_ops, &d, "x"), -EEXIST);
	/* Adjacent is fine. */
	assert_int_equal(io_bus_register(&bus, 0x108, 8, IO_WIDTH_1, &fake_ops, &d, "c"), 0);
	assert_int_equal(io_bus_register(&bus, 0xf8, 8, IO_WIDTH_1, &fake_ops, &d, "d"), 0);
	/* Empty, overflowing, no widths. */
	assert_int_equal(io_bus_register(&bus, 0x300, 0, IO_WIDTH_1, &fake_ops, &d, "x"), -EINVAL);
	assert_int_equal(io_bus_register(&bus, UINT64_MAX - 2, 8, IO_WIDTH_1, &fake_ops, &d, "x"), -EINVAL);
	assert_int_equal(io_bus_register(&bus, 0x300, 4, 0, &fake_ops, &d, "x"), -EINVAL);
	/* The very top of the space can be claimed exactly. */
	assert_int_equal(io_bus_register(&bus, UINT64_MAX - 7, 8, IO_WIDTH_8, &fake_ops, &d, "top"), 0);
	assert_int_equal(io_bus_unregister(&bus, 0x200), 0);
	assert_int_equal(io_bus_unregister(&bus, 0x200), -ENOENT);
	assert_int_equal(io_bus_register(&bus, 0x1f8, 0x10, IO_WIDTH_1, &fake_ops, &d, "e"), 0);
	io_bus_destroy(&bus);
}

static void test_dispatch(void **state)
{
	struct io_bus bus;
	struct fake_dev d = { 0 };
	uint64_t v;
	io_bus_init(&bus, "test");
	assert_int_equal(io_bus_register(&bus, 0x3f8, 8, IO_WIDTH_1, &fake_ops, &d, "uart"), 0);
	assert_int_equal(io_bus_register(&bus, 0x1000, 0x100, IO_WIDTH_4 | IO_WIDTH_8, &fake_ops, &d, "regs"), 0);

	assert_true(io_bus_write(&bus, 0x3fb, 1, 0x83));
	assert_int_equal(d.last_off, 3);
	assert_int_equal(d.last_val, 0x83);
	assert_true(io_bus_read(&bus, 0x3f8, 1, &v));
	assert_int_equal(v, 0x88);

	/* Refused width: not delivered, reads all ones. */
	unsigned int writes = d.writes;
	assert_false(io_bus_write(&bus, 0x3f8, 2, 0xffff));
	assert_int_equal(d.writes, writes);
	assert_false(io_bus_read(&bus, 0x1000, 2, &v));
	assert_int_equal(v, 0xffff);
	assert_true(io_bus_read(&bus, 0x10f8, 8, &v));
	/* An access straddling the range end is refused. */
	assert_false(io_bus_read(&bus, 0x10fc, 8, &v));
	assert_int_equal(v, ~0ull);
	assert_true(bus.bad_width >= 3);

	/* Nobody home: all ones, counted, never fatal. */
	assert_false(io_bus_read(&bus, 0x2f8, 1, &v));
	assert_int_equal(v, 0xff);
	assert_false(io_bus_write(&bus, 0x2f8, 1, 0));
	assert_false(io_bus_read(&bus, 0xfee00000, 4, &v));
	assert_int_equal(v, 0xffffffff);
	assert_int_equal(bus.unhandled, 3);
	io_bus_destroy(&bus);
}

static struct fake_dev sink_dev; /* for ranges whose accesses don't matter */

/* ---- Reentrancy: changes made from inside a callback ------------------- */

struct mover {
	struct io_bus *bus;
	uint64_t base;
	int unreg_err, reg_err, overlap_err, own_err, old_err, gone_err;
	uint64_t nested_old; /* what a nested dispatch saw at the old base */
	bool nested_ok;
	unsigned int writes;
};

static uint64_t mover_read(void *opaque, uint64_t off, unsigned int size)
{
	struct mover *m = opaque;
	return m->base + off;
}

static const struct io_ops mover_ops;

/* A write of `v` moves the device to base `v`, and probes the rules. */
static void mover_write(void *opaque, uint64_t off, uint64_t v, unsigned int size)
{
	struct mover *m = opaque;
	uint64_t old = m->base;
	m->writes++;
	m->unreg_err = io_bus_unregister(m->bus, old);
	m->reg_err = io_bus_register(m->bus, v, 8, IO_WIDTH_1 | IO_WIDTH_4,
				     &mover_ops, m, "mover");
	/* Overlaps a range that is in the table and stays there. */
	m->overlap_err = io_bus_register(m->bus, 0x204, 8, IO_WIDTH_1,
					 &fake_ops, &sink_dev, "x");
	/* Overlaps the range just queued: the check sees queued changes. */
	m->own_err = io_bus_register(m->bus, v + 4, 8, IO_WIDTH_1, &fake_ops,
				     &sink_dev, "x");
	/* The old place is free as far as this thread is concerned. */
	m->old_err = io_bus_register(m->bus, old, 8, IO_WIDTH_1, &fake_ops,
				     &sink_dev, "tmp");
	if (!m->old_err)
		m->old_err = io_bus_unregister(m->bus, old);
	m->gone_err = io_bus_unregister(m->bus, 0xdead0000);
	/* Until this dispatch returns the table is unchanged: a nested
	 * dispatch on the same bus (no second read lock) still finds us. */
	m->nested_ok = io_bus_read(m->bus, old, 4, &m->nested_old);
	m->base = m->reg_err ? m->base : v;
}

static const struct io_ops mover_ops = { mover_read, mover_write };

static void test_callback_moves_itself(void **state)
{
	struct io_bus bus;
	struct fake_dev other = { 0 };
	struct mover m = { .bus = &bus, .base = 0x100 };
	uint64_t v;
	io_bus_init(&bus, "test");
	assert_int_equal(io_bus_register(&bus, 0x100, 8, IO_WIDTH_1 | IO_WIDTH_4, &mover_ops, &m, "mover"), 0);
	assert_int_equal(io_bus_register(&bus, 0x200, 8, IO_WIDTH_1, &fake_ops, &other, "other"), 0);

	assert_true(io_bus_write(&bus, 0x100, 4, 0x400));
	assert_int_equal(m.unreg_err, 0);
	assert_int_equal(m.reg_err, 0);
	assert_int_equal(m.overlap_err, -EEXIST);
	assert_int_equal(m.own_err, -EEXIST);
	assert_int_equal(m.old_err, 0);
	assert_int_equal(m.gone_err, -ENOENT);
	assert_true(m.nested_ok);
	assert_int_equal(m.nested_old, 0x100);
	assert_false(io_bus_in_deferred_context());

	/* Applied once the dispatch returned: old place empty, new one live. */
	uint64_t unhandled = bus.unhandled;
	assert_false(io_bus_read(&bus, 0x100, 4, &v));
	assert_int_equal(bus.unhandled, unhandled + 1);
	assert_true(io_bus_read(&bus, 0x404, 4, &v));
	assert_int_equal(v, 0x404);
	assert_int_equal(bus.table.nr_ranges, 2);
	assert_int_equal(bus.deferred_failed, 0);

	/* A move onto another device is refused and the device stays put. */
	assert_true(io_bus_write(&bus, 0x400, 4, 0x1fc));
	assert_int_equal(m.reg_err, -EEXIST);
	assert_false(io_bus_read(&bus, 0x400, 4, &v)); /* it did unregister */
	assert_int_equal(bus.table.nr_ranges, 1);
	io_bus_destroy(&bus);
}

/* A callback on one bus changes another: applied after the dispatch. */
struct cross {
	struct io_bus *other;
	int err;
};

static void cross_write(void *opaque, uint64_t off, uint64_t v, unsigned int size)
{
	struct cross *c = opaque;
	c->err = io_bus_register(c->other, v, 0x1000, IO_WIDTH_4, &fake_ops,
				 &sink_dev, "bar");
}
static const struct io_ops cross_ops = { NULL, cross_write };

static void test_cross_bus_and_defer_section(void **state)
{
	struct io_bus pio, mmio;
	struct cross c = { .other = &mmio };
	uint64_t v;
	io_bus_init(&pio, "pio");
	io_bus_init(&mmio, "mmio");
	assert_int_equal(io_bus_register(&pio, 0xcfc, 4, IO_WIDTH_4, &cross_ops, &c, "cfg"), 0);
	assert_true(io_bus_write(&pio, 0xcfc, 4, 0xc0000000));
	assert_int_equal(c.err, 0);
	assert_true(io_bus_read(&mmio, 0xc0000ffc, 4, &v));
	assert_true(io_bus_write(&pio, 0xcfc, 4, 0xc0000800));
	assert_int_equal(c.err, -EEXIST);

	/* A defer section queues until its end. */
	io_bus_defer_begin();
	assert_true(io_bus_in_deferred_context());
	assert_int_equal(io_bus_register(&mmio, 0xd0000000, 0x1000, IO_WIDTH_4, &fake_ops, &sink_dev, "d"), 0);
	assert_int_equal(io_bus_register(&mmio, 0xd0000800, 0x1000, IO_WIDTH_4, &fake_ops, &sink_dev, "d"), -EEXIST);
	assert_false(io_bus_read(&mmio, 0xd0000000, 4, &v));
	io_bus_defer_begin(); /* nests */
	assert_int_equal(io_bus_unregister(&mmio, 0xc0000000), 0);
	io_bus_defer_end();
	assert_true(io_bus_read(&mmio, 0xc0000000, 4, &v));
	io_bus_defer_end();
	assert_false(io_bus_in_deferred_context());
	assert_true(io_bus_read(&mmio, 0xd0000000, 4, &v));
	assert_false(io_bus_read(&mmio, 0xc0000000, 4, &v));
	io_bus_destroy(&pio);
	io_bus_destroy(&mmio);
}

/* A queued change that another thread made impossible is dropped. */
static void *register_0x500(void *arg)
{
	struct io_bus *bus = arg;
	intptr_t err = io_bus_register(bus, 0x500, 8, IO_WIDTH_1, &fake_ops, &sink_dev, "rival");
	return (void *)err;
}

static void test_deferred_change_loses_race(void **state)
{
	struct io_bus bus;
	pthread_t t;
	void *ret;
	io_bus_init(&bus, "test");
	io_bus_defer_begin();
	assert_int_equal(io_bus_register(&bus, 0x504, 8, IO_WIDTH_1, &fake_ops, &sink_dev, "late"), 0);
	assert_int_equal(pthread_create(&t, NULL, register_0x500, &bus), 0);
	assert_int_equal(pthread_join(t, &ret), 0);
	assert_int_equal((intptr_t)ret, 0);
	enum log_level level = log_get_level();
	log_set_level(LOG_ERROR); /* the expected warning */
	io_bus_defer_end();
	log_set_level(level);
	assert_int_equal(bus.deferred_failed, 1);
	assert_int_equal(bus.table.nr_ranges, 1);
	assert_string_equal(bus.table.ranges[0].name, "rival");
	io_bus_destroy(&bus);
}

/* ---- Concurrency: one thread dispatching, one changing the map --------- */

struct counted {
	unsigned int calls;  /* atomic */
	unsigned int inside; /* atomic: callbacks running now */
};

static uint64_t counted_read(void *opaque, uint64_t off, unsigned int size)
{
	struct counted *c = opaque;
	__atomic_add_fetch(&c->inside, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&c->calls, 1, __ATOMIC_SEQ_CST);
	__atomic_sub_fetch(&c->inside, 1, __ATOMIC_SEQ_CST);
	return 0x5a;
}
static const struct io_ops counted_ops = { counted_read, NULL };

/* Moves itself between 0x3000 and 0x4000 on every write it gets. */
struct hopper {
	struct io_bus *bus;
	uint64_t base; /* only touched by the dispatching thread */
	unsigned int failures;
};

static const struct io_ops hopper_ops;
static void hopper_write(void *opaque, uint64_t off, uint64_t v, unsigned int size)
{
	struct hopper *h = opaque;
	uint64_t to = h->base == 0x3000 ? 0x4000 : 0x3000;
	if (io_bus_unregister(h->bus, h->base) ||
	    io_bus_register(h->bus, to, 0x10, IO_WIDTH_4, &hopper_ops, h, "hopper"))
		h->failures++;
	else
		h->base = to;
}
static const struct io_ops hopper_ops = { NULL, hopper_write };

struct race {
	struct io_bus bus;
	struct counted stable, flip;
	struct hopper hop;
	int stop;           /* atomic */
	unsigned int dispatches, stable_misses, hop_hits;
	unsigned int cycles, late_calls, busy_after_unreg, reg_errors;
};

static void *dispatcher(void *arg)
{
	struct race *r = arg;
	uint64_t v;
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		if (!io_bus_read(&r->bus, 0x1000, 4, &v) || v != 0x5a)
			r->stable_misses++;
		io_bus_read(&r->bus, 0x2004, 4, &v);
		r->hop_hits += io_bus_write(&r->bus, 0x3000, 4, 0);
		r->hop_hits += io_bus_write(&r->bus, 0x4000, 4, 0);
		r->dispatches++;
	}
	return NULL;
}

static void *changer(void *arg)
{
	struct race *r = arg;
	for (unsigned int i = 0; i < 2000; i++) {
		if (io_bus_register(&r->bus, 0x2000, 0x10, IO_WIDTH_4, &counted_ops, &r->flip, "flip"))
			r->reg_errors++;
		for (int k = 0; k < 20; k++)
			sched_yield();
		if (io_bus_unregister(&r->bus, 0x2000))
			r->reg_errors++;
		/* Once unregister returns nothing runs and nothing will. */
		if (__atomic_load_n(&r->flip.inside, __ATOMIC_SEQ_CST))
			r->busy_after_unreg++;
		unsigned int calls = __atomic_load_n(&r->flip.calls, __ATOMIC_SEQ_CST);
		sched_yield();
		if (__atomic_load_n(&r->flip.calls, __ATOMIC_SEQ_CST) != calls)
			r->late_calls++;
		r->cycles++;
	}
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_concurrent_dispatch_and_changes(void **state)
{
	static struct race r;
	pthread_t a, b;
	memset(&r, 0, sizeof(r));
	io_bus_init(&r.bus, "race");
	r.hop.bus = &r.bus;
	r.hop.base = 0x3000;
	assert_int_equal(io_bus_register(&r.bus, 0x1000, 0x10, IO_WIDTH_4, &counted_ops, &r.stable, "stable"), 0);
	assert_int_equal(io_bus_register(&r.bus, 0x3000, 0x10, IO_WIDTH_4, &hopper_ops, &r.hop, "hopper"), 0);
	assert_int_equal(pthread_create(&a, NULL, dispatcher, &r), 0);
	assert_int_equal(pthread_create(&b, NULL, changer, &r), 0);
	pthread_join(b, NULL);
	pthread_join(a, NULL);

	assert_int_equal(r.cycles, 2000);
	assert_int_equal(r.reg_errors, 0);
	assert_int_equal(r.busy_after_unreg, 0);
	assert_int_equal(r.late_calls, 0);
	assert_int_equal(r.stable_misses, 0);
	assert_int_equal(r.hop.failures, 0);
	/* A move is visible as soon as the dispatch returns: the write to
	 * 0x3000 moves it to 0x4000, where the next write finds it. */
	assert_int_equal(r.hop_hits, 2 * r.dispatches);
	assert_int_equal(r.bus.deferred_failed, 0);
	assert_true(r.dispatches > 0);
	io_bus_destroy(&r.bus);
}

static void test_guest_mem_checks(void **state)
{
	static uint8_t low[0x10000], high[0x1000];
	struct guest_mem mem;
	memset(&mem, 0, sizeof(mem));
	assert_int_equal(guest_mem_init_fake(&mem, low, 0, sizeof(low)), 0);
	assert_int_equal(guest_mem_init_fake(&mem, high, 0x10000, sizeof(high)), 0);
	uint8_t buf[32] = { 1, 2, 3 };

	assert_non_null(guest_mem_slice(&mem, 0xfff0, 16));
	/* Adjacent regions are separate host mappings: no slice across them. */
	assert_null(guest_mem_slice(&mem, 0xfff0, 32));
	/* ...but copies may cross when every byte is RAM. */
	assert_int_equal(guest_mem_write(&mem, 0xfff0, buf, 32), 0);
	assert_int_equal(high[0], 0);
	assert_int_equal(guest_mem_read(&mem, 0xfff0, buf, 32), 0);
	assert_int_equal(guest_mem_write(&mem, 0x10ff0, buf, 32), -EFAULT);
	assert_int_equal(guest_mem_read(&mem, UINT64_MAX - 4, buf, 16), -EFAULT);
	assert_null(guest_mem_slice(&mem, 8, UINT64_MAX));
	assert_null(guest_mem_slice(&mem, 0x20000, 1));
	assert_true(guest_mem_is_ram(&mem, 0, 0x11000));
	assert_false(guest_mem_is_ram(&mem, 0, 0x11001));
	assert_int_equal(guest_mem_low_end(&mem), 0x11000);
	guest_mem_destroy(&mem);
}

static void test_real_guest_mem_layout(void **state)
{
	struct guest_mem mem;
	/* 4 GiB of RAM with a hole at 3 GiB: 3 GiB low, 1 GiB above 4 GiB.
	 * MAP_NORESERVE: nothing is touched, so this costs no memory. */
	assert_int_equal(guest_mem_init(&mem, 4ull << 30, 3ull << 30, GUEST_MEM_ANON), 0);
	assert_int_equal(mem.nr_regions, 2);
	assert_int_equal(mem.regions[0].size, 3ull << 30);
	assert_int_equal(mem.regions[1].gpa, 4ull << 30);
	assert_int_equal(mem.regions[1].size, 1ull << 30);
	assert_false(guest_mem_is_ram(&mem, 3ull << 30, 1));
	assert_true(guest_mem_is_ram(&mem, 5ull << 30, 4096) == false);
	assert_true(guest_mem_is_ram(&mem, (5ull << 30) - 4096, 4096));
	guest_mem_destroy(&mem);

	assert_int_equal(guest_mem_init(&mem, 64ull << 20, 3ull << 30, GUEST_MEM_MEMFD), 0);
	assert_int_equal(mem.nr_regions, 1);
	assert_true(mem.regions[0].fd >= 0);
	guest_mem_destroy(&mem);
	assert_int_equal(guest_mem_init(&mem, 0, 3ull << 30, GUEST_MEM_ANON), -EINVAL);
}

static void test_kvm_exit_decode(void **state)
{
	static union {
		struct kvm_run run;
		uint8_t page[4096];
	} u;
	struct vcpu_exit e;

	memset(&u, 0, sizeof(u));
	u.run.exit_reason = KVM_EXIT_IO;
	u.run.io.direction = KVM_EXIT_IO_OUT;
	u.run.io.size = 1;
	u.run.io.port = 0x3f8;
	u.run.io.count = 4;
	u.run.io.data_offset = 1024;
	kvm_decode_exit(&u.run, sizeof(u), &e);
	assert_int_equal(e.reason, VCPU_EXIT_PIO);
	assert_int_equal(e.addr, 0x3f8);
	assert_int_equal(e.count, 4);
	assert_true(e.is_write);
	assert_ptr_equal(e.data, u.page + 1024);

	/* A data area that would run off the shared page is not trusted. */
	u.run.io.data_offset = 4094;
	kvm_decode_exit(&u.run, sizeof(u), &e);
	assert_int_equal(e.reason, VCPU_EXIT_ERROR);
	u.run.io.data_offset = 0xffffffffffffull;
	kvm_decode_exit(&u.run, sizeof(u), &e);
	assert_int_equal(e.reason, VCPU_EXIT_ERROR);

	memset(&u, 0, sizeof(u));
	u.run.exit_reason = KVM_EXIT_MMIO;
	u.run.mmio.phys_addr = 0xfec00000;
	u.run.mmio.len = 4;
	kvm_decode_exit(&u.run, sizeof(u), &e);
	assert_int_equal(e.reason, VCPU_EXIT_MMIO);
	assert_false(e.is_write);
	u.run.mmio.len = 9;
	kvm_decode_exit(&u.run, sizeof(u), &e);
	assert_int_equal(e.reason, VCPU_EXIT_ERROR);

	u.run.exit_reason = KVM_EXIT_SYSTEM_EVENT;
	u.run.system_event.type = KVM_SYSTEM_EVENT_RESET;
	kvm_decode_exit(&u.run, sizeof(u), &e);
	assert_int_equal(e.reason, VCPU_EXIT_RESET);
	u.run.exit_reason = KVM_EXIT_SHUTDOWN;
	kvm_decode_exit(&u.run, sizeof(u), &e);
	assert_int_equal(e.reason, VCPU_EXIT_SHUTDOWN);
	u.run.exit_reason = 999;
	kvm_decode_exit(&u.run, sizeof(u), &e);
	assert_int_equal(e.reason, VCPU_EXIT_ERROR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_rules),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_callback_moves_itself),
		cmocka_unit_test(test_cross_bus_and_defer_section),
		cmocka_unit_test(test_deferred_change_loses_race),
		cmocka_unit_test(test_concurrent_dispatch_and_changes),
		cmocka_unit_test(test_guest_mem_checks),
		cmocka_unit_test(test_real_guest_mem_layout),
		cmocka_unit_test(test_kvm_exit_decode),
	};
	return cmocka_run_group_tests_name("io_bus", tests, NULL, NULL);
}
