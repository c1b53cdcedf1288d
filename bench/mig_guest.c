/* bench/migrate's guest workload (static, runs as the guest's /test.sh's
 * only job): a console tick and, optionally, memory dirtied at a fixed rate.
 *
 * usage: mig_guest TICK_MS DIRTY_MIBPS SET_MIB
 *
 * SET_MIB MiB are allocated and written once (every page holds data, none
 * is a zero page), then "KILN_READY" is printed. From then on, every 10 ms
 * (absolute deadlines, so the rate holds however long a round takes)
 * DIRTY_MIBPS/100 MiB worth of pages of the set are written, one 8-byte
 * store each (that dirties the whole page), round-robin through the set and
 * with a value that changes each round; and every TICK_MS a line
 * "KILN_TICK=N" goes to stdout (the serial console). DIRTY_MIBPS 0: the
 * guest only ticks (idle). Runs until killed.
 *
 * The same binary and arguments run under Kiln and QEMU, so both VMMs
 * move the same memory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE 4096u
#define ROUND_NS 10000000L /* 10 ms */

static void add_ns(struct timespec *t, long ns)
{
	t->tv_nsec += ns;
	while (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec++;
	}
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: mig_guest TICK_MS DIRTY_MIBPS SET_MIB\n");
		return 2;
	}
	long tick_ms = atol(argv[1]);
	long mibps = atol(argv[2]);
	long set_mib = atol(argv[3]);
	if (tick_ms < 10 || mibps < 0 || set_mib < 0 || (mibps && !set_mib)) {
		fprintf(stderr, "mig_guest: bad arguments\n");
		return 2;
	}
	uint64_t pages = (uint64_t)set_mib * (1024 * 1024 / PAGE);
	uint8_t *set = NULL;
	if (pages) {
		set = malloc(pages * PAGE);
		if (!set) {
			fprintf(stderr, "mig_guest: cannot allocate %ld MiB\n", set_mib);
			return 1;
		}
		for (uint64_t i = 0; i < pages * PAGE; i += 8)
			*(uint64_t *)(set + i) = i * 0x9E3779B97F4A7C15ull | 1;
	}
	/* Pages per 10 ms round; the fraction carries over. */
	uint64_t per_round_x100 = (uint64_t)mibps * (1024 * 1024 / PAGE);
	uint64_t carry = 0, next_page = 0, value = 1, tick = 0;
	long rounds_per_tick = tick_ms * 1000000L / ROUND_NS;

	printf("KILN_READY\n");
	fflush(stdout);
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long round = 0;; round++) {
		carry += per_round_x100;
		uint64_t n = carry / 100;
		carry %= 100;
		value++;
		for (uint64_t i = 0; i < n; i++) {
			*(volatile uint64_t *)(set + next_page * PAGE) = value;
			if (++next_page == pages)
				next_page = 0;
		}
		if (round % rounds_per_tick == 0) {
			printf("KILN_TICK=%llu\n", (unsigned long long)++tick);
			fflush(stdout);
		}
		add_ns(&next, ROUND_NS);
		/* Far behind (the VM was paused: a migration's downtime, a
		 * restore): go on from now rather than catch up in a burst. */
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - next.tv_sec) * 1000000000L + (now.tv_nsec - next.tv_nsec) >
		    10 * ROUND_NS)
			next = now;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL))
			;
	}
}
