/* A token bucket that caps the bytes per second a live migration sends
 * (vm.send-migration's "bandwidth_mbps").
 *
 * The bucket holds at most `burst` bytes of credit and refills at `rate`
 * bytes per second. The sender reports each piece it has just sent; the
 * credit may go negative (a piece larger than what was left), and the
 * answer is how long the sender must wait until it is paid back. So over
 * any interval the bytes sent are at most rate * interval + burst.
 *
 * Time is the caller's (nanoseconds of a monotonic clock), so the limiter
 * is a pure computation: tests drive it with a fake clock.
 */
#ifndef KILN_MIGRATION_MIGRATE_RATE_H
#define KILN_MIGRATION_MIGRATE_RATE_H

#include <stdint.h>

/* Credit the bucket holds: this many milliseconds of the rate, but at
 * least MIGRATE_RATE_MIN_BURST bytes. */
#define MIGRATE_RATE_BURST_MS 50
#define MIGRATE_RATE_MIN_BURST 4096u
/* The most a rate may be (bytes/s, about 8.8 Tbit/s). */
#define MIGRATE_RATE_MAX ((uint64_t)1 << 40)

struct migrate_rate {
	uint64_t rate;    /* bytes per second; 0: no limit */
	uint64_t burst;   /* bytes of credit the bucket holds at most */
	int64_t credit;   /* bytes that may go now; negative: owed */
	uint64_t frac;    /* refill not yet a whole byte, in byte * ns / 1e9 units */
	uint64_t last_ns; /* when the bucket was last refilled */
};

/* A full bucket at `now_ns` for `bytes_per_s` (0: unlimited; capped at
 * MIGRATE_RATE_MAX). */
void migrate_rate_init(struct migrate_rate *r, uint64_t bytes_per_s,
		       uint64_t now_ns);

/* `bytes` went out at `now_ns`: nanoseconds to wait before sending more
 * (0: go on). A clock that stands still or steps back refills nothing. */
uint64_t migrate_rate_take(struct migrate_rate *r, uint64_t now_ns,
			   uint64_t bytes);

#endif
