/* Where a live migration goes or comes from: "tcp:HOST:PORT" (HOST a name,
 * an IPv4 address or [IPv6]) or "unix:PATH". */
#ifndef KILN_MIGRATION_MIGRATE_URL_H
#define KILN_MIGRATION_MIGRATE_URL_H

#include <stdbool.h>
#include <stddef.h>

/* Whether `url` has one of the two shapes (no lookup). */
bool migrate_url_valid(const char *url);

/* A connected, blocking socket, or -errno with a reason in err. */
int migrate_url_connect(const char *url, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* A listening socket (a Unix socket path is created, and must not exist),
 * or -errno with a reason. */
int migrate_url_listen(const char *url, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Send and receive timeouts on a connected socket (SO_SNDTIMEO/RCVTIMEO). */
void migrate_set_timeouts(int fd, unsigned int seconds);

#endif
