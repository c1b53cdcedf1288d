/* The live migration's bandwidth limit (migration/migrate_rate.h), driven
 * by a fake clock: a sender that sleeps as told keeps to the rate over
 * the long run, never gets ahead by more than the bucket, gets no credit
 * for idle time beyond a full bucket, and the arithmetic holds at the
 * extremes (the highest rate, huge pieces, a clock that stands still or
 * steps back). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "migration/migrate_rate.h"

#define NS 1000000000ull

/* Send `total` bytes in `piece`-byte pieces from time `t`, sleeping as
 * the limiter says plus `work_ns` of (fake) work per piece; the clock at
 * the end. Checks on the way that the bytes sent by any moment never
 * exceed rate * elapsed + burst. */
static uint64_t send_all(struct migrate_rate *r, uint64_t t, uint64_t total,
			 uint64_t piece, uint64_t work_ns)
{
	uint64_t start = t, sent = 0;
	while (sent < total) {
		uint64_t n = total - sent < piece ? total - sent : piece;
		sent += n;
		/* Sent at t: what the bucket allows by then. */
		long double allowed = (long double)r->rate * (long double)(t - start) / NS +
				      (long double)r->burst + (long double)piece;
		assert_true((long double)sent <= allowed);
		t += migrate_rate_take(r, t, n) + work_ns;
	}
	return t;
}

static void test_unlimited(void **state)
{
	struct migrate_rate r;
	migrate_rate_init(&r, 0, 5);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(migrate_rate_take(&r, 5, 1 << 20), 0);
}

static void test_long_run_rate(void **state)
{
	static const struct { uint64_t rate, piece, work; } cases[] = {
		{ 125000, 65536, 0 },        /* 1 Mbit/s, pieces bigger than the bucket */
		{ 12500000, 65536, 1000 },   /* 100 Mbit/s */
		{ 1250000000, 65536, 10 },   /* 10 Gbit/s */
		{ 1000003, 4099, 7 },        /* odd numbers: fractions of a byte carry over */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct migrate_rate r;
		uint64_t t0 = 123456789;
		migrate_rate_init(&r, cases[i].rate, t0);
		uint64_t total = cases[i].rate * 20; /* 20 s worth */
		uint64_t t = send_all(&r, t0, total, cases[i].piece, cases[i].work);
		/* The bucket's first fill comes free; then exactly the rate. */
		double expect = (double)(total - r.burst) / (double)cases[i].rate;
		double took = (double)(t - t0) / NS;
		if (took < expect * 0.999 || took > expect * 1.001 + 0.001)
			fail_msg("rate %llu: %.6f s, expected %.6f s",
				 (unsigned long long)cases[i].rate, took, expect);
	}
}

static void test_slow_sender_not_held_back(void **state)
{
	/* A sender slower than the limit never waits. */
	struct migrate_rate r;
	migrate_rate_init(&r, 1000000, 0); /* 1 MB/s */
	uint64_t t = 0;
	for (int i = 0; i < 1000; i++) {
		t += 10 * 1000 * 1000; /* 10 ms per 4 KiB: 400 KB/s */
		assert_int_equal(migrate_rate_take(&r, t, 4096), 0);
	}
}

static void test_idle_earns_one_bucket(void **state)
{
	struct migrate_rate r;
	migrate_rate_init(&r, 1000000, 0); /* 1 MB/s: a 50 KB bucket */
	assert_int_equal(r.burst, 50000);
	/* An hour idle, then a rush: only the bucket goes without a wait. */
	uint64_t t = 3600 * NS;
	assert_int_equal(migrate_rate_take(&r, t, 50000), 0);
	uint64_t wait = migrate_rate_take(&r, t, 1000);
	assert_int_equal(wait, 1000000); /* 1000 bytes at 1 MB/s: 1 ms */
	/* Half the wait pays back half the debt. */
	assert_int_equal(migrate_rate_take(&r, t + 500000, 0), 500000);
	assert_int_equal(migrate_rate_take(&r, t + 1000000, 0), 0);
}

static void test_small_rates_and_bucket(void **state)
{
	struct migrate_rate r;
	migrate_rate_init(&r, 10, 0); /* 10 bytes/s: the bucket's floor */
	assert_int_equal(r.burst, MIGRATE_RATE_MIN_BURST);
	assert_int_equal(migrate_rate_take(&r, 0, MIGRATE_RATE_MIN_BURST), 0);
	/* 3 bytes more: 0.3 s. */
	assert_int_equal(migrate_rate_take(&r, 0, 3), 300000000);
	/* 0.1 s later one byte is earned: 2 still owed, 0.2 s. */
	assert_int_equal(migrate_rate_take(&r, 100000000, 0), 200000000);
	/* Partial bytes carry: 3 rounds of 0.05 s earn 1.5 bytes. */
	assert_int_equal(migrate_rate_take(&r, 150000000, 0), 150000000);
	assert_int_equal(migrate_rate_take(&r, 200000000, 0), 100000000);
	assert_int_equal(migrate_rate_take(&r, 250000000, 0), 50000000);
	assert_int_equal(migrate_rate_take(&r, 300000000, 0), 0);
}

static void test_clock_still_or_backwards(void **state)
{
	struct migrate_rate r;
	migrate_rate_init(&r, 1000, 10 * NS);
	assert_int_equal(migrate_rate_take(&r, 10 * NS, r.burst), 0);
	/* The clock steps back: nothing earned, and no wrap to a huge credit. */
	assert_int_equal(migrate_rate_take(&r, 5 * NS, 1000), NS);
	assert_int_equal(migrate_rate_take(&r, 5 * NS, 1000), 2 * NS);
	/* Forward again from the last time seen. */
	assert_int_equal(migrate_rate_take(&r, 11 * NS, 0), NS);
}

static void test_extremes(void **state)
{
	struct migrate_rate r;
	/* Above the highest rate: capped there. */
	migrate_rate_init(&r, UINT64_MAX, 0);
	assert_int_equal(r.rate, MIGRATE_RATE_MAX);
	uint64_t t = send_all(&r, 0, MIGRATE_RATE_MAX * 3, 1ull << 36, 0);
	double took = (double)t / NS;
	assert_true(took > 2.9 && took < 3.01);
	/* A piece of 2^64-1 bytes at 1 byte/s: the wait saturates, nothing
	 * wraps, and a long refill afterwards does not overflow either. */
	migrate_rate_init(&r, 1, 0);
	assert_int_equal(migrate_rate_take(&r, 0, UINT64_MAX), UINT64_MAX);
	assert_int_equal(migrate_rate_take(&r, 0, UINT64_MAX), UINT64_MAX);
	assert_true(migrate_rate_take(&r, UINT64_MAX, 0) > 0);
	/* At the highest rate, a clock jump of centuries refills one bucket. */
	migrate_rate_init(&r, MIGRATE_RATE_MAX, 0);
	assert_int_equal(migrate_rate_take(&r, 0, r.burst), 0);
	assert_int_equal(migrate_rate_take(&r, UINT64_MAX - 1, r.burst), 0);
	assert_true(migrate_rate_take(&r, UINT64_MAX - 1, 1) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unlimited),
		cmocka_unit_test(test_long_run_rate),
		cmocka_unit_test(test_slow_sender_not_held_back),
		cmocka_unit_test(test_idle_earns_one_bucket),
		cmocka_unit_test(test_small_rates_and_bucket),
		cmocka_unit_test(test_clock_still_or_backwards),
		cmocka_unit_test(test_extremes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
