/* Logging for Kiln.
 *
 * Three levels that matter to a user (error, warn, info) and one for
 * developers (debug, shown with -v). Anything a guest can trigger must go
 * through log_ratelimited() so a hostile guest cannot flood the host's logs.
 */
#ifndef KILN_CORE_LOG_H
#define KILN_CORE_LOG_H

#include <stdint.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Messages above this level are dropped. Default LOG_WARN; each -v raises it. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A token bucket per call site: at most `burst` messages, refilled at one
 * message per second. Suppressed messages are counted and reported with the
 * next message that gets through. */
struct log_ratelimit {
	uint64_t last_ns;
	uint32_t tokens;
	uint32_t suppressed;
	int initialised;
};

void log_ratelimited(struct log_ratelimit *rl, enum log_level level,
		     const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define pr_err(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define pr_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define pr_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Rate-limited log for guest-triggerable events: one bucket per call site. */
#define pr_guest(level, ...)                                                   \
	do {                                                                   \
		static struct log_ratelimit rl_;                               \
		log_ratelimited(&rl_, level, __VA_ARGS__);                     \
	} while (0)

#endif
