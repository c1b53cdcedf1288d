/* Small helpers used all over: one-line error messages and checked
 * arithmetic on guest addresses. */
#ifndef KILN_CORE_UTIL_H
#define KILN_CORE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Write a one-line reason into `err` (if any) and return `ret`, so error
 * paths read `return errmsg(-EINVAL, err, errlen, "...", ...);`. */
static inline int errmsg(int ret, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static inline int errmsg(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static inline uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static inline uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

#endif
