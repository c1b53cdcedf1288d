/* The address map: overlap and overflow refused on insert, widths enforced
 * on access, unclaimed reads give all ones, and exits from KVM's record
 * reach the right device. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "accel/kvm/kvm_internal.h"
#include "bus/io_bus.h"
#include "core/guest_mem.h"

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
		cmocka_unit_test(test_guest_mem_checks),
		cmocka_unit_test(test_real_guest_mem_layout),
		cmocka_unit_test(test_kvm_exit_decode),
	};
	return cmocka_run_group_tests_name("io_bus", tests, NULL, NULL);
}
