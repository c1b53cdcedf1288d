#include "migration/migrate_throttle.h"

#include "core/log.h"

#include <errno.h>
#include <time.h>

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void *throttle_thread(void *arg)
{
	struct migrate_throttle *t = arg;
	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		unsigned int pct = __atomic_load_n(&t->pct, __ATOMIC_RELAXED);
		unsigned int off = MIGRATE_THROTTLE_PERIOD_MS * pct / 100;
		/* Fails only when the VM stops (or a pause is already on):
		 * then there is nothing to throttle this round. */
		if (off && vm_pause(t->vm) == 0) {
			sleep_ms(off);
			if (vm_resume(t->vm))
				pr_warn("migration: throttle could not resume the vCPUs");
		}
		sleep_ms(MIGRATE_THROTTLE_PERIOD_MS - off);
	}
	return NULL;
}

int migrate_throttle_set(struct migrate_throttle *t, struct vm *vm,
			 unsigned int pct)
{
	if (!pct || pct > 99)
		return -EINVAL;
	__atomic_store_n(&t->pct, pct, __ATOMIC_RELAXED);
	if (t->running)
		return 0;
	t->vm = vm;
	t->stop = false;
	int e = pthread_create(&t->thread, NULL, throttle_thread, t);
	if (e)
		return -e;
	t->running = true;
	return 0;
}

void migrate_throttle_stop(struct migrate_throttle *t)
{
	if (!t->running)
		return;
	__atomic_store_n(&t->stop, true, __ATOMIC_RELEASE);
	pthread_join(t->thread, NULL);
	t->running = false;
}
