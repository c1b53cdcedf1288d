/* vCPU throttling for a pre-copy migration that does not converge (the
 * guest dirties pages faster than the link sends them): a thread parks all
 * vCPUs (vm_pause) for `pct` percent of every MIGRATE_THROTTLE_PERIOD_MS
 * and lets them run the rest. The guest slows down; its clock does not
 * stop. */
#ifndef KILN_MIGRATION_MIGRATE_THROTTLE_H
#define KILN_MIGRATION_MIGRATE_THROTTLE_H

#include "core/vm.h"

#include <pthread.h>
#include <stdbool.h>

#define MIGRATE_THROTTLE_PERIOD_MS 20

struct migrate_throttle {
	struct vm *vm;
	pthread_t thread;
	bool running;
	unsigned int pct; /* 0 .. 99, atomic */
	bool stop;        /* atomic */
};

/* Start throttling `vm` at `pct` percent (1 .. 99), or change the
 * percentage of a running throttle. 0 or -errno (then nothing runs). */
int migrate_throttle_set(struct migrate_throttle *t, struct vm *vm,
			 unsigned int pct) __attribute__((warn_unused_result));

/* Stop and join the thread; the vCPUs are left running. Harmless on a
 * zeroed struct that never started. */
void migrate_throttle_stop(struct migrate_throttle *t);

#endif
