/* Unit tests for the 8254 PIT: counting against a fake clock, the access
 * modes, latches, read-back, channel 2's gate and OUT on port 0x61 the way
 * Linux's calibration uses them, and channel 0's IRQ0 edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "irq/i8254.h"

#include <stdlib.h>

struct fx {
	uint64_t now;
	struct irq_clock clock;
	struct i8254 *pit;
	int levels[64];
	unsigned int nr;
};

static uint64_t fake_now(void *opaque)
{
	return ((struct fx *)opaque)->now;
}

static void set_level(void *ctx, uint32_t gsi, int level)
{
	struct fx *f = ctx;
	assert_int_equal(gsi, 2);
	if (f->nr < 64)
		f->levels[f->nr++] = level;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->now = 5000000000ull;
	f->clock = (struct irq_clock){ fake_now, f };
	struct irq_line irq0 = { set_level, f, 2 };
	f->pit = i8254_create(&f->clock, &irq0);
	assert_non_null(f->pit);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	i8254_destroy(f->pit);
	free(f);
	return 0;
}

/* ns for `ticks` PIT ticks (exact enough for whole-tick checks). */
static uint64_t ticks_ns(uint64_t ticks)
{
	return ticks * 1000000000ull / I8254_HZ + 1;
}

static uint16_t read_word(struct fx *f, uint16_t port)
{
	uint8_t lo = i8254_read(f->pit, port);
	return (uint16_t)(lo | i8254_read(f->pit, port) << 8);
}

/* What quick_pit_calibrate does: gate high, speaker off, channel 2 mode
 * 0 with 0xffff, then read the MSB as it falls. */
static void test_linux_quick_calibration(void **state)
{
	struct fx *f = *state;
	i8254_write(f->pit, 0x61, (uint8_t)((i8254_read(f->pit, 0x61) & ~0x02) | 0x01));
	i8254_write(f->pit, 0x43, 0xb0);
	i8254_write(f->pit, 0x42, 0xff);
	i8254_write(f->pit, 0x42, 0xff);
	assert_int_equal(read_word(f, 0x42), 0xffff);
	f->now += ticks_ns(256);
	assert_int_equal(read_word(f, 0x42), 0xffff - 256);
	f->now += ticks_ns(256 * 10);
	i8254_read(f->pit, 0x42);
	assert_int_equal(i8254_read(f->pit, 0x42), 0xff - 11);
	/* OUT2 (port 0x61 bit 5) stays low until terminal count. */
	assert_int_equal(i8254_read(f->pit, 0x61) & 0x20, 0);
	f->now += ticks_ns(0xffff);
	assert_int_equal(i8254_read(f->pit, 0x61) & 0x21, 0x21);
}

/* pit_calibrate_tsc: mode 0 with a latch, poll OUT2. */
static void test_gate_low_pauses_mode0(void **state)
{
	struct fx *f = *state;
	i8254_write(f->pit, 0x61, 0x00); /* gate 2 low */
	i8254_write(f->pit, 0x43, 0xb0);
	i8254_write(f->pit, 0x42, 100);
	i8254_write(f->pit, 0x42, 0);
	f->now += ticks_ns(50);
	assert_int_equal(read_word(f, 0x42), 100); /* not counting */
	i8254_write(f->pit, 0x61, 0x01);
	f->now += ticks_ns(60);
	assert_int_equal(read_word(f, 0x42), 40);
	i8254_write(f->pit, 0x61, 0x00);
	f->now += ticks_ns(1000);
	assert_int_equal(read_word(f, 0x42), 40);
	assert_int_equal(i8254_read(f->pit, 0x61) & 0x20, 0);
	i8254_write(f->pit, 0x61, 0x01);
	f->now += ticks_ns(40);
	assert_int_equal(i8254_read(f->pit, 0x61) & 0x20, 0x20);
}

static void test_latch_and_readback(void **state)
{
	struct fx *f = *state;
	i8254_write(f->pit, 0x43, 0x34); /* ch0, word, mode 2 */
	i8254_write(f->pit, 0x40, 0x00);
	i8254_write(f->pit, 0x40, 0x10); /* 4096 */
	f->now += ticks_ns(96);
	i8254_write(f->pit, 0x43, 0x00); /* latch channel 0 */
	f->now += ticks_ns(1000);
	assert_int_equal(read_word(f, 0x40), 4000); /* the latched value */
	assert_int_equal(read_word(f, 0x40), 4096 - 1096);
	/* Read-back: status then count of channel 0. */
	i8254_write(f->pit, 0x43, 0xc2);
	uint8_t st = i8254_read(f->pit, 0x40);
	assert_int_equal(st & 0x3f, 0x34); /* rw=3, mode 2, binary */
	assert_int_equal(st & 0x80, 0x80); /* OUT high in mode 2 */
	assert_int_equal(read_word(f, 0x40), 4096 - 1096);
}

static void test_lsb_msb_modes(void **state)
{
	struct fx *f = *state;
	i8254_write(f->pit, 0x43, 0x90); /* ch2, LSB only, mode 0 */
	i8254_write(f->pit, 0x61, 0x01);
	i8254_write(f->pit, 0x42, 200);
	f->now += ticks_ns(50);
	assert_int_equal(i8254_read(f->pit, 0x42), 150);
	assert_int_equal(i8254_read(f->pit, 0x42), 150);
	i8254_write(f->pit, 0x43, 0xa0); /* ch2, MSB only */
	i8254_write(f->pit, 0x42, 0x02); /* 0x200 */
	f->now += ticks_ns(0x10);
	assert_int_equal(i8254_read(f->pit, 0x42), 0x01);
}

static void test_mode3_square_wave(void **state)
{
	struct fx *f = *state;
	i8254_write(f->pit, 0x61, 0x01);
	i8254_write(f->pit, 0x43, 0xb6); /* ch2, word, mode 3 */
	i8254_write(f->pit, 0x42, 100);
	i8254_write(f->pit, 0x42, 0);
	f->now += ticks_ns(10);
	assert_int_equal(i8254_read(f->pit, 0x61) & 0x20, 0x20);
	assert_int_equal(read_word(f, 0x42), 80); /* counts by two */
	f->now += ticks_ns(50);
	assert_int_equal(i8254_read(f->pit, 0x61) & 0x20, 0);
	f->now += ticks_ns(40);
	assert_int_equal(i8254_read(f->pit, 0x61) & 0x20, 0x20);
}

static void test_irq0_periodic(void **state)
{
	struct fx *f = *state;
	assert_int_equal(i8254_next_deadline(f->pit), IRQ_NO_DEADLINE);
	uint64_t t0 = f->now;
	i8254_write(f->pit, 0x43, 0x34);
	i8254_write(f->pit, 0x40, 0x9c);
	i8254_write(f->pit, 0x40, 0x2e); /* 11932: 100 Hz */
	uint64_t d = i8254_next_deadline(f->pit);
	assert_true(d >= t0 + 9999000 && d <= t0 + 10001000);
	i8254_poll(f->pit);
	assert_int_equal(f->nr, 0);
	f->now = d;
	i8254_poll(f->pit);
	assert_int_equal(f->nr, 2);
	assert_int_equal(f->levels[0], 1);
	assert_int_equal(f->levels[1], 0);
	/* Three periods late: one edge, the next one in the future. */
	f->now += 30000000;
	i8254_poll(f->pit);
	assert_int_equal(f->nr, 4);
	assert_true(i8254_next_deadline(f->pit) > f->now);
	/* Mode 0: one edge at terminal count, then none. */
	i8254_write(f->pit, 0x43, 0x30);
	i8254_write(f->pit, 0x40, 100);
	i8254_write(f->pit, 0x40, 0);
	f->now += ticks_ns(100);
	i8254_poll(f->pit);
	assert_int_equal(f->nr, 6);
	assert_int_equal(i8254_next_deadline(f->pit), IRQ_NO_DEADLINE);
}

static void test_refresh_toggles(void **state)
{
	struct fx *f = *state;
	uint8_t a = i8254_read(f->pit, 0x61) & 0x10;
	f->now += 15085;
	uint8_t b = i8254_read(f->pit, 0x61) & 0x10;
	assert_int_not_equal(a, b);
	assert_int_equal(i8254_read(f->pit, 0x44), 0xff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_linux_quick_calibration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gate_low_pauses_mode0, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latch_and_readback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lsb_msb_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode3_square_wave, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irq0_periodic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh_toggles, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
