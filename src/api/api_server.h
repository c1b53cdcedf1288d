/* The API's Unix socket: one thread that accepts connections and answers
 * HTTP requests with api_handle(). Clients are served one at a time (a
 * management API, not a data path); a client that stalls mid-request is
 * dropped after a few seconds so it cannot hold the socket.
 */
#ifndef KILN_API_API_SERVER_H
#define KILN_API_API_SERVER_H

#include "api/api.h"

#include <stddef.h>

struct api_server;

/* Listen on `path` (a stale socket there is replaced; any other file is an
 * error) and start serving. 0, or -errno with a one-line reason in err. */
int api_server_start(struct api_server **out, const char *path,
		     const struct api_vm_ops *ops, void *ctx, char *err,
		     size_t errlen) __attribute__((warn_unused_result));

/* Stop the thread, close and remove the socket. NULL is a no-op. */
void api_server_stop(struct api_server *s);

/* Serve one connection on `fd` until it closes (exposed for tests, which
 * use a socketpair). */
void api_serve_connection(int fd, const struct api_vm_ops *ops, void *ctx);

#endif
