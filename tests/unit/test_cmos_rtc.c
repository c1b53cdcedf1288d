/* Unit tests for the MC146818 model, through its io_ops table, with a
 * clock the test controls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "devices/cmos_rtc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The fake clock is process-wide because the hook takes no context. */
static time_t fake_now;
static time_t clock_now(void) { return fake_now; }

struct fixture {
	struct cmos_rtc *rtc;
	int levels[64];
	unsigned int nr_levels;
};

static void fake_set_level(void *ctx, uint32_t gsi, int level)
{
	struct fixture *fx = ctx;
	assert_int_equal(gsi, CMOS_RTC_IRQ);
	if (fx->nr_levels < 64)
		fx->levels[fx->nr_levels++] = level;
}

static time_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = mi, .tm_sec = s };
	return timegm(&tm);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	fake_now = utc(2026, 11, 26, 5, 29, 34); /* a Thursday */
	struct irq_line irq = { fake_set_level, fx, CMOS_RTC_IRQ };
	fx->rtc = cmos_rtc_create(&irq, clock_now);
	assert_non_null(fx->rtc);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	cmos_rtc_destroy(fx->rtc);
	free(fx);
	return 0;
}

static uint8_t rd(struct fixture *fx, uint8_t reg)
{
	cmos_rtc_io_ops.write(fx->rtc, 0, reg, 1);
	uint64_t v = cmos_rtc_io_ops.read(fx->rtc, 1, 1);
	assert_true(v <= 0xff);
	return (uint8_t)v;
}

static void wr(struct fixture *fx, uint8_t reg, uint8_t v)
{
	cmos_rtc_io_ops.write(fx->rtc, 0, reg, 1);
	cmos_rtc_io_ops.write(fx->rtc, 1, v, 1);
}

static void test_defaults(void **state)
{
	struct fixture *fx = *state;
	assert_int_equal(rd(fx, 0x0a), 0x26);
	assert_int_equal(rd(fx, 0x0b), 0x02);
	assert_int_equal(rd(fx, 0x0c), 0x00);
	assert_int_equal(rd(fx, 0x0d), 0x80);
	/* The index port is write-only. */
	assert_int_equal(cmos_rtc_io_ops.read(fx->rtc, 0, 1), 0xff);
}

static void test_bcd_24h(void **state)
{
	struct fixture *fx = *state;
	assert_int_equal(rd(fx, 0x00), 0x34);
	assert_int_equal(rd(fx, 0x02), 0x29);
	assert_int_equal(rd(fx, 0x04), 0x05);
	assert_int_equal(rd(fx, 0x06), 0x05); /* Thursday, Sunday = 1 */
	assert_int_equal(rd(fx, 0x07), 0x26);
	assert_int_equal(rd(fx, 0x08), 0x11);
	assert_int_equal(rd(fx, 0x09), 0x26);
	assert_int_equal(rd(fx, 0x32), 0x20);
	/* The clock runs with the host. */
	fake_now += 27;
	assert_int_equal(rd(fx, 0x00), 0x01);
	assert_int_equal(rd(fx, 0x02), 0x30);
}

static void test_binary(void **state)
{
	struct fixture *fx = *state;
	wr(fx, 0x0b, 0x06);
	assert_int_equal(rd(fx, 0x00), 34);
	assert_int_equal(rd(fx, 0x02), 29);
	assert_int_equal(rd(fx, 0x04), 5);
	assert_int_equal(rd(fx, 0x06), 5);
	assert_int_equal(rd(fx, 0x07), 26);
	assert_int_equal(rd(fx, 0x08), 11);
	assert_int_equal(rd(fx, 0x09), 26);
	assert_int_equal(rd(fx, 0x32), 20);
}

static void test_12h(void **state)
{
	struct fixture *fx = *state;
	wr(fx, 0x0b, 0x00); /* BCD, 12 hour */
	assert_int_equal(rd(fx, 0x04), 0x05); /* 5 AM */
	fake_now = utc(2026, 11, 26, 17, 29, 34);
	assert_int_equal(rd(fx, 0x04), 0x85); /* 5 PM */
	fake_now = utc(2026, 11, 26, 0, 0, 0);
	assert_int_equal(rd(fx, 0x04), 0x12); /* midnight = 12 AM */
	fake_now = utc(2026, 11, 26, 12, 0, 0);
	assert_int_equal(rd(fx, 0x04), 0x92); /* noon = 12 PM */
	wr(fx, 0x0b, 0x04); /* binary, 12 hour */
	fake_now = utc(2026, 11, 26, 23, 0, 0);
	assert_int_equal(rd(fx, 0x04), 0x80 | 11);
}

static void test_guest_sets_clock(void **state)
{
	struct fixture *fx = *state;
	/* The sequence of Linux's mc146818_set_time. */
	uint8_t save_control = rd(fx, 0x0b);
	wr(fx, 0x0b, save_control | 0x80);
	uint8_t save_freq = rd(fx, 0x0a);
	wr(fx, 0x0a, save_freq | 0x70); /* divider reset while setting */
	/* While SET is held the clock stands still. */
	fake_now += 5;
	assert_int_equal(rd(fx, 0x00), 0x34);
	wr(fx, 0x09, 0x99);
	wr(fx, 0x08, 0x12);
	wr(fx, 0x07, 0x31);
	wr(fx, 0x04, 0x23);
	wr(fx, 0x02, 0x59);
	wr(fx, 0x00, 0x58);
	wr(fx, 0x32, 0x20);
	assert_int_equal(rd(fx, 0x00), 0x58);
	wr(fx, 0x0b, save_control);
	wr(fx, 0x0a, save_freq);
	/* Now the guest's clock runs from its new setting. */
	assert_int_equal(rd(fx, 0x00), 0x58);
	assert_int_equal(rd(fx, 0x09), 0x99);
	fake_now += 2;
	assert_int_equal(rd(fx, 0x00), 0x00);
	assert_int_equal(rd(fx, 0x02), 0x00);
	assert_int_equal(rd(fx, 0x04), 0x00);
	assert_int_equal(rd(fx, 0x07), 0x01);
	assert_int_equal(rd(fx, 0x08), 0x01);
	assert_int_equal(rd(fx, 0x09), 0x00);
	assert_int_equal(rd(fx, 0x32), 0x21);
	assert_int_equal(rd(fx, 0x06), 0x06); /* 2100-01-01 is a Friday */

	struct cmos_rtc_state s;
	cmos_rtc_save(fx->rtc, &s);
	assert_int_equal(s.offset_sec,
			 utc(2099, 12, 31, 23, 59, 58) - (fake_now - 2));
}

static void test_guest_sets_clock_binary_12h(void **state)
{
	struct fixture *fx = *state;
	wr(fx, 0x0b, 0x84); /* SET, binary, 12 hour */
	wr(fx, 0x04, 0x80 | 12); /* 12 PM */
	wr(fx, 0x02, 0);
	wr(fx, 0x00, 0);
	wr(fx, 0x07, 1);
	wr(fx, 0x08, 1);
	wr(fx, 0x09, 0);
	wr(fx, 0x32, 20);
	wr(fx, 0x0b, 0x02); /* back to BCD 24h */
	assert_int_equal(rd(fx, 0x04), 0x12);
	assert_int_equal(rd(fx, 0x09), 0x00);
	assert_int_equal(rd(fx, 0x32), 0x20);
}

static void test_invalid_time_ignored(void **state)
{
	struct fixture *fx = *state;
	wr(fx, 0x0b, 0x82);
	wr(fx, 0x08, 0x13); /* month 13 */
	wr(fx, 0x00, 0x5f); /* not BCD */
	wr(fx, 0x0b, 0x02);
	assert_int_equal(rd(fx, 0x00), 0x34);
	assert_int_equal(rd(fx, 0x08), 0x11);
	/* A field written while running changes only that field. */
	wr(fx, 0x02, 0x45);
	assert_int_equal(rd(fx, 0x02), 0x45);
	assert_int_equal(rd(fx, 0x00), 0x34);
	assert_int_equal(rd(fx, 0x04), 0x05);
	wr(fx, 0x02, 0xff); /* invalid: ignored */
	assert_int_equal(rd(fx, 0x02), 0x45);
}

static void test_register_c_and_irq(void **state)
{
	struct fixture *fx = *state;
	assert_int_equal(rd(fx, 0x0c), 0x00);
	fake_now += 1;
	/* An update happened: UF is set, but without UIE no IRQF. */
	assert_int_equal(rd(fx, 0x0c), 0x10);
	assert_int_equal(rd(fx, 0x0c), 0x00); /* read clears */
	assert_int_equal(fx->nr_levels, 0);

	wr(fx, 0x0b, 0x12); /* UIE */
	fake_now += 1;
	/* Any access notices the update and raises IRQ 8. */
	(void)rd(fx, 0x0a);
	assert_int_equal(fx->nr_levels, 1);
	assert_int_equal(fx->levels[0], 1);
	assert_int_equal(rd(fx, 0x0c), 0x90);
	assert_int_equal(fx->nr_levels, 2);
	assert_int_equal(fx->levels[1], 0);
	assert_int_equal(rd(fx, 0x0c), 0x00);
	assert_int_equal(fx->nr_levels, 2);

	/* Alarm: matches 05:29:40, hours don't-care. */
	wr(fx, 0x0b, 0x22); /* AIE only */
	wr(fx, 0x01, 0x40);
	wr(fx, 0x03, 0x29);
	wr(fx, 0x05, 0xc0);
	(void)rd(fx, 0x0c);
	fake_now = utc(2026, 11, 26, 5, 29, 39);
	assert_int_equal(rd(fx, 0x0c), 0x10);
	fake_now += 1;
	assert_int_equal(rd(fx, 0x0c), 0xb0);
	assert_int_equal(fx->levels[fx->nr_levels - 1], 0);

	/* C and D are read-only. */
	wr(fx, 0x0c, 0xff);
	wr(fx, 0x0d, 0x00);
	assert_int_equal(rd(fx, 0x0c), 0x00);
	assert_int_equal(rd(fx, 0x0d), 0x80);
}

/* The guest arms an alarm and then sleeps without touching the ports, as
 * rtc-cmos does: the timer's tick alone must raise IRQ 8 at the alarm. */
static void test_tick_raises_alarm_without_access(void **state)
{
	struct fixture *fx = *state;
	wr(fx, 0x01, 0x36); /* alarm at xx:xx:36 */
	wr(fx, 0x03, 0xc0);
	wr(fx, 0x05, 0xc0);
	wr(fx, 0x0b, 0x22); /* AIE */
	(void)rd(fx, 0x0c);
	unsigned int before = fx->nr_levels;
	fake_now += 1; /* :35, no match */
	cmos_rtc_tick(fx->rtc);
	assert_int_equal(fx->nr_levels, before);
	fake_now += 1; /* :36 */
	cmos_rtc_tick(fx->rtc);
	assert_int_equal(fx->nr_levels, before + 1);
	assert_int_equal(fx->levels[fx->nr_levels - 1], 1);
	assert_int_equal(rd(fx, 0x0c), 0xb0);
	assert_int_equal(fx->levels[fx->nr_levels - 1], 0);
}

/* A tick that comes late (the alarm second already past) still raises
 * the alarm: every second since the last tick is checked. */
static void test_late_tick_keeps_alarm(void **state)
{
	struct fixture *fx = *state;
	wr(fx, 0x01, 0x36); /* alarm at xx:xx:36 */
	wr(fx, 0x03, 0xc0);
	wr(fx, 0x05, 0xc0);
	wr(fx, 0x0b, 0x22);
	(void)rd(fx, 0x0c);
	unsigned int before = fx->nr_levels;
	fake_now += 4; /* :38: the tick for :36 never came */
	cmos_rtc_tick(fx->rtc);
	assert_int_equal(fx->nr_levels, before + 1);
	assert_int_equal(rd(fx, 0x0c) & 0x20, 0x20);
}

/* The real timer thread, on the real clock: UIE interrupts arrive about
 * once a second with no port access at all. */
static void test_timer_thread_ticks(void **state)
{
	struct fixture fx = { 0 };
	struct irq_line irq = { fake_set_level, &fx, CMOS_RTC_IRQ };
	fx.rtc = cmos_rtc_create(&irq, NULL);
	assert_non_null(fx.rtc);
	wr(&fx, 0x0b, 0x12); /* UIE */
	assert_int_equal(cmos_rtc_start_timer(fx.rtc), 0);
	struct timespec ts = { 2, 300000000 };
	nanosleep(&ts, NULL);
	/* Still high from the first update: the guest never read C. */
	assert_true(fx.nr_levels >= 1);
	assert_int_equal(fx.levels[0], 1);
	cmos_rtc_destroy(fx.rtc); /* stops and joins the thread */
}

static void test_set_clears_uie(void **state)
{
	struct fixture *fx = *state;
	wr(fx, 0x0b, 0x92);
	assert_int_equal(rd(fx, 0x0b), 0x82);
	/* No update cycles while SET is held. */
	fake_now += 3;
	(void)rd(fx, 0x0c);
	wr(fx, 0x0b, 0x12);
	assert_int_equal(fx->nr_levels, 0);
}

static void test_index_and_ram(void **state)
{
	struct fixture *fx = *state;
	/* Bit 7 of the index is the NMI mask: stripped. */
	cmos_rtc_io_ops.write(fx->rtc, 0, 0x80 | 0x40, 1);
	cmos_rtc_io_ops.write(fx->rtc, 1, 0xab, 1);
	assert_int_equal(rd(fx, 0x40), 0xab);
	for (unsigned int r = 0x0e; r < 0x80; r++) {
		if (r == 0x32)
			continue;
		wr(fx, (uint8_t)r, (uint8_t)(r ^ 0x5a));
	}
	for (unsigned int r = 0x0e; r < 0x80; r++) {
		if (r == 0x32)
			continue;
		assert_int_equal(rd(fx, (uint8_t)r), r ^ 0x5a);
	}
	/* Register A's UIP bit is read-only. */
	wr(fx, 0x0a, 0xff);
	assert_int_equal(rd(fx, 0x0a), 0x7f);
}

static void test_memory_bytes(void **state)
{
	struct fixture *fx = *state;
	const uint64_t m = 1024 * 1024;
	cmos_rtc_set_memory(fx->rtc, 3072 * m, 5120 * m);
	assert_int_equal(rd(fx, 0x15) | rd(fx, 0x16) << 8, 640);
	assert_int_equal(rd(fx, 0x17) | rd(fx, 0x18) << 8, 0xffff);
	assert_int_equal(rd(fx, 0x30) | rd(fx, 0x31) << 8, 0xffff);
	assert_int_equal(rd(fx, 0x34) | rd(fx, 0x35) << 8, (3072 - 16) * 16);
	assert_int_equal(rd(fx, 0x5b) | rd(fx, 0x5c) << 8 | rd(fx, 0x5d) << 16,
			 5120 * 16);
	unsigned int sum = 0;
	for (uint8_t r = 0x10; r <= 0x2d; r++)
		sum += rd(fx, r);
	assert_int_equal(rd(fx, 0x2e) << 8 | rd(fx, 0x2f), sum);

	cmos_rtc_set_memory(fx->rtc, 32 * m, 0);
	assert_int_equal(rd(fx, 0x17) | rd(fx, 0x18) << 8, 31 * 1024);
	assert_int_equal(rd(fx, 0x30) | rd(fx, 0x31) << 8, 31 * 1024);
	assert_int_equal(rd(fx, 0x34) | rd(fx, 0x35) << 8, 16 * 16);
	assert_int_equal(rd(fx, 0x5b) | rd(fx, 0x5c) | rd(fx, 0x5d), 0);

	cmos_rtc_set_memory(fx->rtc, 512 * 1024, 0);
	assert_int_equal(rd(fx, 0x15) | rd(fx, 0x16) << 8, 512);
	assert_int_equal(rd(fx, 0x17) | rd(fx, 0x18) << 8, 0);
	assert_int_equal(rd(fx, 0x34) | rd(fx, 0x35) << 8, 0);

	/* Absurd sizes saturate. */
	cmos_rtc_set_memory(fx->rtc, UINT64_MAX, UINT64_MAX);
	assert_int_equal(rd(fx, 0x34) | rd(fx, 0x35) << 8, 0xffff);
	assert_int_equal(rd(fx, 0x5b) & rd(fx, 0x5c) & rd(fx, 0x5d), 0xff);
}

static void test_save_restore(void **state)
{
	struct fixture *fx = *state;
	wr(fx, 0x0b, 0x82);
	wr(fx, 0x09, 0x30); /* 2030 */
	wr(fx, 0x0b, 0x12);
	wr(fx, 0x50, 0x77);
	fake_now += 1;
	(void)rd(fx, 0x0a); /* UF pending with UIE: line high */
	cmos_rtc_io_ops.write(fx->rtc, 0, 0x50, 1);

	struct cmos_rtc_state s;
	cmos_rtc_save(fx->rtc, &s);
	assert_int_equal(s.version, CMOS_RTC_STATE_VERSION);
	assert_int_equal(s.index, 0x50);
	assert_int_equal(s.ram[0x50], 0x77);
	assert_int_equal(s.ram[0x09], 0x30);
	assert_int_equal(s.ram[0x0c], 0x10);

	struct fixture fx2 = { 0 };
	struct irq_line irq = { fake_set_level, &fx2, CMOS_RTC_IRQ };
	fx2.rtc = cmos_rtc_create(&irq, clock_now);
	assert_non_null(fx2.rtc);
	assert_int_equal(cmos_rtc_restore(fx2.rtc, &s), 0);
	assert_int_equal(fx2.nr_levels, 1);
	assert_int_equal(fx2.levels[0], 1);
	/* The index survives: a data read without selecting first. */
	assert_int_equal(cmos_rtc_io_ops.read(fx2.rtc, 1, 1), 0x77);
	assert_int_equal(rd(&fx2, 0x09), 0x30);
	assert_int_equal(rd(&fx2, 0x00), rd(fx, 0x00));
	assert_int_equal(rd(&fx2, 0x0c), 0x90);
	cmos_rtc_destroy(fx2.rtc);

	struct cmos_rtc_state bad[16], before, after;
	int n = 0;
	cmos_rtc_save(fx->rtc, &before);
#define BAD(stmt) do { bad[n] = s; bad[n].ram[0x60] = 0x99; stmt; n++; } while (0)
	BAD(bad[n].version = 0);
	BAD(bad[n].version = 2);
	BAD(bad[n].index = 0x80);
	BAD(bad[n].pad[1] = 1);
	BAD(bad[n].ram[0x0a] = 0xa6);
	BAD(bad[n].ram[0x0c] = 0x90);
	BAD(bad[n].ram[0x0c] = 0x01);
	BAD(bad[n].ram[0x0d] = 0x00);
	BAD(bad[n].offset_sec = INT64_MAX);
	BAD(bad[n].offset_sec = INT64_MIN);
#undef BAD
	for (int i = 0; i < n; i++) {
		assert_int_equal(cmos_rtc_restore(fx->rtc, &bad[i]), -EINVAL);
		cmos_rtc_save(fx->rtc, &after);
		assert_memory_equal(&before, &after, sizeof(before));
	}
}

/* Whatever the guest writes, the model stays up. */
static void test_fuzz(void **state)
{
	struct fixture *fx = *state;
	uint32_t x = 0xdeadbeef;
	for (int i = 0; i < 100000; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		if (x & 1)
			fake_now += (x >> 1) & 3;
		if (x & 2)
			cmos_rtc_io_ops.write(fx->rtc, (x >> 2) & 1, x >> 8, 1);
		else
			(void)cmos_rtc_io_ops.read(fx->rtc, (x >> 2) & 1, 1);
	}
	struct cmos_rtc_state s;
	cmos_rtc_save(fx->rtc, &s);
	assert_int_equal(cmos_rtc_restore(fx->rtc, &s), 0);
	for (unsigned int i = 1; i < fx->nr_levels && i < 64; i++)
		assert_int_not_equal(fx->levels[i], fx->levels[i - 1]);
}

static void test_null_clock_and_irq(void **state)
{
	struct cmos_rtc *rtc = cmos_rtc_create(NULL, NULL);
	assert_non_null(rtc);
	cmos_rtc_io_ops.write(rtc, 0, 0x32, 1);
	uint64_t c = cmos_rtc_io_ops.read(rtc, 1, 1);
	assert_true(c >= 0x20 && c <= 0x99); /* the host's century in BCD */
	cmos_rtc_destroy(rtc);
	cmos_rtc_destroy(NULL);
}

int main(void)
{
	/* Several tests set invalid times on purpose; keep their warnings
	 * out of the output. */
	log_set_level(LOG_ERROR);
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_defaults),
		T(test_bcd_24h),
		T(test_binary),
		T(test_12h),
		T(test_guest_sets_clock),
		T(test_guest_sets_clock_binary_12h),
		T(test_invalid_time_ignored),
		T(test_register_c_and_irq),
		T(test_set_clears_uie),
		T(test_index_and_ram),
		T(test_memory_bytes),
		T(test_save_restore),
		T(test_fuzz),
		cmocka_unit_test(test_null_clock_and_irq),
		cmocka_unit_test(test_timer_thread_ticks),
		T(test_tick_raises_alarm_without_access),
		T(test_late_tick_keeps_alarm),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
