#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#define RATELIMIT_BURST 10

static enum log_level current_level = LOG_WARN;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void log_set_level(enum log_level level) { current_level = level; }
enum log_level log_get_level(void) { return current_level; }

static const char *level_prefix(enum log_level level)
{
	switch (level) {
	case LOG_ERROR: return "error: ";
	case LOG_WARN: return "warning: ";
	case LOG_INFO: return "";
	case LOG_DEBUG: return "debug: ";
	}
	return "";
}

static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	if (level > current_level)
		return;
	/* Whole lines under one lock so vCPU threads do not interleave. A raw
	 * console keeps output processing on, so \n still returns the cursor. */
	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "kiln: %s", level_prefix(level));
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&log_lock);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void log_ratelimited(struct log_ratelimit *rl, enum log_level level,
		     const char *fmt, ...)
{
	uint64_t now = monotonic_ns();
	uint32_t suppressed = 0;
	int pass = 0;

	pthread_mutex_lock(&log_lock);
	if (!rl->initialised) {
		rl->initialised = 1;
		rl->tokens = RATELIMIT_BURST;
		rl->last_ns = now;
	}
	uint64_t refill = (now - rl->last_ns) / 1000000000ull;
	if (refill) {
		uint64_t t = rl->tokens + refill;
		rl->tokens = t > RATELIMIT_BURST ? RATELIMIT_BURST : (uint32_t)t;
		rl->last_ns = now;
	}
	if (rl->tokens) {
		rl->tokens--;
		pass = 1;
		suppressed = rl->suppressed;
		rl->suppressed = 0;
	} else {
		rl->suppressed++;
	}
	pthread_mutex_unlock(&log_lock);

	if (!pass)
		return;
	if (suppressed)
		log_msg(level, "(%u similar messages suppressed)", suppressed);
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}
