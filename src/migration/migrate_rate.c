/* The migration's token bucket (migrate_rate.h). Products of a rate and a
 * time are taken in 128 bits: 2^40 bytes/s times a few seconds of
 * nanoseconds does not fit in 64. */
#include "migration/migrate_rate.h"

#define NS_PER_S 1000000000u

typedef unsigned __int128 u128;

void migrate_rate_init(struct migrate_rate *r, uint64_t bytes_per_s,
		       uint64_t now_ns)
{
	if (bytes_per_s > MIGRATE_RATE_MAX)
		bytes_per_s = MIGRATE_RATE_MAX;
	uint64_t burst = bytes_per_s * MIGRATE_RATE_BURST_MS / 1000;
	*r = (struct migrate_rate){
		.rate = bytes_per_s,
		.burst = burst < MIGRATE_RATE_MIN_BURST ? MIGRATE_RATE_MIN_BURST : burst,
		.last_ns = now_ns,
	};
	r->credit = (int64_t)r->burst;
}

/* Add the credit earned since last_ns, up to a full bucket. */
static void refill(struct migrate_rate *r, uint64_t now_ns)
{
	if (now_ns <= r->last_ns)
		return;
	u128 acc = r->frac + (u128)(now_ns - r->last_ns) * r->rate;
	r->last_ns = now_ns;
	uint64_t room = (uint64_t)((int64_t)r->burst - r->credit);
	if (acc / NS_PER_S >= room) {
		r->credit = (int64_t)r->burst;
		r->frac = 0;
		return;
	}
	r->credit += (int64_t)(acc / NS_PER_S);
	r->frac = (uint64_t)(acc % NS_PER_S);
}

uint64_t migrate_rate_take(struct migrate_rate *r, uint64_t now_ns,
			   uint64_t bytes)
{
	if (!r->rate)
		return 0;
	refill(r, now_ns);
	/* A debt this deep is hours of waiting at any rate; the floor only
	 * keeps the arithmetic from wrapping. */
	const int64_t floor = -((int64_t)1 << 62);
	if (bytes > (uint64_t)(r->credit - floor))
		r->credit = floor;
	else
		r->credit -= (int64_t)bytes;
	if (r->credit >= 0)
		return 0;
	/* The wait until frac + t * rate covers the debt, in whole ns. */
	u128 need = (u128)(uint64_t)-r->credit * NS_PER_S - r->frac;
	u128 ns = (need + r->rate - 1) / r->rate;
	return ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
}
